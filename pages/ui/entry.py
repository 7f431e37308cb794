"""A page that Streamlit runs without app.py, on a fresh server.

Streamlit still honours its first multipage scheme for an app with a `pages/` folder beside
its main script: until some session's script has called `st.navigation`, an address such as
/train runs pages/train.py by itself, without app.py. That session gets no language choice,
no lesson plan (its hidden pages are listed), no page titles and no warm-up, and so does
every session after it until someone opens the home address. A class opening a shared link
to a Train page setup on a server started minutes before is exactly that case (found when a
profile of such a server showed app.py's set-up missing from every script run). Streamlit's
AppTest runs every page that way too.

Such a page runs app.py in its place: app.py builds the navigation (Streamlit then uses it for
every session), which opens the same page, with its address and widgets as they were, and
the first run stops there.
"""

from __future__ import annotations

import contextvars
import runpy
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import streamlit as st

APP = Path(__file__).resolve().parents[2] / "app.py"

_inside_the_app: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "inside_the_app", default=False
)


@contextmanager
def running_the_app() -> Iterator[None]:
    """Around app.py's script: pages run inside it know they were reached through it."""
    token = _inside_the_app.set(True)
    try:
        yield
    finally:
        _inside_the_app.reset(token)


def through_the_app() -> None:
    """First thing on every page: a page run without app.py runs app.py instead."""
    if _inside_the_app.get():
        return
    runpy.run_path(str(APP), run_name="__main__")
    st.stop()
