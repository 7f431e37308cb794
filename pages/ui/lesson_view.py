"""One architecture's maths on screen: the idea, its loss written out, and what to try."""

from __future__ import annotations

import streamlit as st

from ae_core.lessons import RECONSTRUCTION, Lesson
from pages.ui.lesson_file import page_link


def show_lesson(lesson: Lesson, loss: str | None = None, link: bool = True) -> None:
    """`loss` ("bce" or "mse") also writes out the reconstruction term the run uses."""
    st.markdown(lesson.idea)
    for formula in lesson.formulas:
        st.latex(formula)
    if loss is not None:
        st.caption("with the reconstruction term of this run's loss:")
        st.latex(RECONSTRUCTION[loss])
    st.markdown(f"**Try it:** {lesson.look_for}")
    if link:
        page_link(lesson.page, label="Open that page", icon=":material/arrow_forward:")
