"""Every chart and drawing goes on screen here: one config, and larger for a projector when
asked."""

from __future__ import annotations

from typing import Any

import plotly.graph_objects as go
import streamlit as st

from ae_core.figures import CHART_CONFIG, enlarged
from ae_core.i18n import _

PROJECTOR_KEY = "projector"
PROJECTOR_SCALE = 1.4

# Larger text on the page itself. Only text is enlarged (absolute sizes, so nested elements do
# not compound); Streamlit's spacing stays, so the page keeps its width for charts.
PROJECTOR_CSS = """
<style>
[data-testid="stMarkdownContainer"] p, [data-testid="stMarkdownContainer"] li,
[data-testid="stWidgetLabel"] p, [data-testid="stSidebarNav"] span,
[data-testid="stAlertContentInfo"] p { font-size: 1.4rem !important; }
[data-testid="stCaptionContainer"], [data-testid="stCaptionContainer"] p
  { font-size: 1.2rem !important; }
[data-testid="stMetricLabel"] p { font-size: 1.25rem !important; }
[data-testid="stMetricValue"] div { font-size: 3.2rem !important; }
h1 { font-size: 3.6rem !important; } h2 { font-size: 2.5rem !important; }
h3 { font-size: 2rem !important; }
</style>
"""


def projector_on() -> bool:
    return bool(st.session_state.get(PROJECTOR_KEY, False))


def projector_toggle() -> None:
    """A sidebar switch; the choice lasts for the session, on every page."""
    # A widget's value is dropped on pages that do not draw it: keep a copy of our own.
    st.session_state[PROJECTOR_KEY] = st.session_state.get(PROJECTOR_KEY, False)
    st.sidebar.toggle(
        _("Projector view"),
        key=PROJECTOR_KEY,
        help=_("Larger text, images and charts for a classroom projector."),
    )
    if projector_on():
        st.markdown(PROJECTOR_CSS, unsafe_allow_html=True)


def show_chart(fig: go.Figure, where: Any = None, **options: Any) -> Any:
    """`st.plotly_chart` with the app's chart config, enlarged in projector view; `where` is
    a column or container (the page itself by default)."""
    if projector_on():
        fig = enlarged(fig, PROJECTOR_SCALE)
    return (where or st).plotly_chart(fig, **{"config": CHART_CONFIG, **options})


def drawing_scale() -> float:
    """How large a drawing (`ae_core.drawings`) is drawn: larger in projector view."""
    return PROJECTOR_SCALE if projector_on() else 1.0


def show_drawing(svg: str, where: Any = None) -> None:
    """An SVG drawing, inline in the page: its text uses the page's fonts, and it costs the
    browser far less than a plotly chart (see `ae_core.drawings`)."""
    # Not st.html: its sanitiser keeps HTML only and drops every SVG element. An HTML block
    # (CommonMark: `<div>` opening a line, up to a blank line) reaches the page unchanged.
    (where or st).markdown(f"<div>\n{svg}\n</div>", unsafe_allow_html=True)
