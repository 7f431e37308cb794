"""Boxes that fold, and that draw nothing inside while folded."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import streamlit as st

if TYPE_CHECKING:
    from streamlit.elements.lib.mutable_expander_container import ExpanderContainer


def folding_box(label: str, key: str, expanded: bool) -> ExpanderContainer:
    """An expander that knows whether it is open (`.open`), so that a folded one need not
    draw what is inside it: a browser draws a folded expander's widgets all the same, only
    out of sight. Opening or folding it reruns the page. `expanded` is its state the first
    time a session draws it."""
    return st.expander(label, expanded=expanded, key=key, on_change="rerun")


def fold(keys: Sequence[str]) -> None:
    """Fold these boxes from this run on (called before they are drawn in it)."""
    for key in keys:
        st.session_state[key] = False
