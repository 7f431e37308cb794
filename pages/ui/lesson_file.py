"""The teacher's lesson file, as the pages use it: one plan per server, read once.

The file is named by `AE_LESSON_FILE` or by `--lesson FILE` after Streamlit's `--`
(`streamlit run app.py -- --lesson FILE`). `python -m ae_core serve --lesson FILE` checks it
before the server starts; a server started otherwise shows the file's problem, with its line,
on every page instead of the lab, so it is seen on the first look, before a class arrives.
"""

from __future__ import annotations

import functools
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import streamlit as st

from ae_core.i18n import _
from ae_core.lesson_plan import (
    LESSON_FILE_VARIABLE,
    NO_LESSON,
    LessonPlan,
    load_lesson_plan,
)

if TYPE_CHECKING:
    from ae_core.explorer import ModelExplorer
    from pages.ui.session import LabSession


def lesson_file_path(argv: list[str] | None = None) -> Path | None:
    """`--lesson FILE` among the script's arguments, else the environment variable."""
    args = sys.argv[1:] if argv is None else argv
    for i, arg in enumerate(args):
        if arg == "--lesson" and i + 1 < len(args):
            return Path(args[i + 1])
        if arg.startswith("--lesson="):
            return Path(arg.split("=", 1)[1])
    named = os.environ.get(LESSON_FILE_VARIABLE, "").strip()
    return Path(named) if named else None


@functools.cache
def _plan_of(path: Path | None) -> LessonPlan:
    return NO_LESSON if path is None else load_lesson_plan(path)


def lesson_plan() -> LessonPlan:
    """This server's plan (the lab's usual behaviour without a file); LessonFileError if the
    file is malformed."""
    return _plan_of(lesson_file_path())


def page_link(page: str, where: Any = None, **options: Any) -> None:
    """`st.page_link` to `pages/<key>.py`, drawn only if the lesson shows that page."""
    if lesson_plan().shows(Path(page).stem):
        (where or st).page_link(page, **options)


def show_lesson_sidebar(session: LabSession, plan: LessonPlan) -> None:
    """The lesson's title and its challenges, each ticked once one of this session's models
    reaches the goal."""
    if not plan.title and not plan.challenges:
        return
    with st.sidebar:
        if plan.title:
            st.markdown(f"**{plan.title}**")
        if plan.challenges:
            st.caption(_("Challenges"))
        for i, challenge in enumerate(plan.challenges):
            winner = _first_model_meeting(session, i, challenge)
            mark = ":material/check_circle:" if winner else ":material/radio_button_unchecked:"
            st.markdown(f"{mark} **{challenge.title}**")
            lines = [challenge.text] if challenge.text else []
            lines.append(_("Goal: {goal}.").format(goal=challenge.describe()))
            if winner:
                lines.append(_("Reached by {winner}.").format(winner=winner))
            st.caption(" ".join(lines))


def _first_model_meeting(session: LabSession, index: int, challenge) -> str | None:
    """The name of this session's first model that meets the challenge (checked once per
    model: its test figures are computed once and kept)."""
    checked: dict[tuple[int, str], bool] = st.session_state.setdefault("lesson.checked", {})
    for model_id, model in list(session.models.items()):
        key = (index, model_id)
        if key not in checked:
            checked[key] = challenge.met_by(flat_settings(model), _figures_of(model))
        if checked[key]:
            return model.name
    return None


def flat_settings(model: ModelExplorer) -> dict[str, Any]:
    config = model.config
    return {
        "architecture": config.architecture,
        **config.model.to_dict(),
        **config.data.to_dict(),
        **config.train.to_dict(),
    }


def _figures_of(model: ModelExplorer):
    def figure(name: str) -> float:
        return {
            "test_mse": lambda: model.test_mse,
            "test_bce": lambda: model.test_bce,
            "knn_accuracy": lambda: model.code_knn_accuracy,
        }[name]()

    return figure
