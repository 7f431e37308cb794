"""Every chart goes on screen here: one config, and larger for a projector when asked."""

from __future__ import annotations

from typing import Any

import plotly.graph_objects as go
import streamlit as st

from ae_core.figures import CHART_CONFIG, enlarged

PROJECTOR_KEY = "projector"
PROJECTOR_SCALE = 1.4

# Larger text for the page itself; Streamlit sizes its text in rem, so one rule reaches it all.
PROJECTOR_CSS = """
<style>
html { font-size: 140%; }
[data-testid="stSidebar"] { min-width: 22rem; }
</style>
"""


def projector_on() -> bool:
    return bool(st.session_state.get(PROJECTOR_KEY, False))


def projector_toggle() -> None:
    """A sidebar switch; the choice lasts for the session, on every page."""
    # A widget's value is dropped on pages that do not draw it: keep a copy of our own.
    st.session_state[PROJECTOR_KEY] = st.session_state.get(PROJECTOR_KEY, False)
    st.sidebar.toggle(
        "Projector view",
        key=PROJECTOR_KEY,
        help="Larger text, images and charts for a classroom projector.",
    )
    if projector_on():
        st.markdown(PROJECTOR_CSS, unsafe_allow_html=True)


def show_chart(fig: go.Figure, where: Any = None, **options: Any) -> Any:
    """`st.plotly_chart` with the app's chart config, enlarged in projector view; `where` is
    a column or container (the page itself by default)."""
    if projector_on():
        fig = enlarged(fig, PROJECTOR_SCALE)
    return (where or st).plotly_chart(fig, **{"config": CHART_CONFIG, **options})
