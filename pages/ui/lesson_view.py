"""One architecture's maths on screen: the idea, its loss written out, and what to try."""

from __future__ import annotations

import streamlit as st

from ae_core.i18n import _
from ae_core.lessons import RECONSTRUCTION, Lesson
from pages.ui.lesson_file import page_link


def show_lesson(lesson: Lesson, loss: str | None = None, link: bool = True) -> None:
    """`loss` ("bce" or "mse") also writes out the reconstruction term the run uses."""
    st.markdown(_(lesson.idea))
    for formula in lesson.formulas:
        st.latex(_(formula))
    if loss is not None:
        st.caption(_("with the reconstruction term of this run's loss:"))
        st.latex(RECONSTRUCTION[loss])
    st.markdown(_("**Try it:** {hint}").format(hint=_(lesson.look_for)))
    if link:
        page_link(lesson.page, label=_("Open that page"), icon=":material/arrow_forward:")
