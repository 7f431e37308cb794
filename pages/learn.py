"""Learn: the maths of every architecture, in the order a course teaches them."""

import streamlit as st

from ae_core.i18n import _
from ae_core.lessons import LESSONS, RECONSTRUCTION
from pages.ui.common import page_start
from pages.ui.lesson_view import show_lesson

page_start(
    _("Learn"),
    _("Each model's loss, written out as this app computes it, and what to try to see it work."),
)

st.subheader(_("What every model minimises"))
st.markdown(
    _(
        "An autoencoder has an **encoder** f that maps an image x to a code z and a **decoder** g "
        "that maps the code back, x̂ = g(f(x)). Training lowers a reconstruction loss averaged "
        "over the n = 784 pixels: the mean squared error, or the binary cross-entropy (pixels "
        "read as probabilities of ink):"
    )
)
st.latex(RECONSTRUCTION["mse"])
st.latex(RECONSTRUCTION["bce"])
st.markdown(_("Every model below adds something to that idea, in this order:"))

for number, lesson in enumerate(LESSONS, start=1):
    st.subheader(f"{number}. {_(lesson.title)}")
    show_lesson(lesson)
