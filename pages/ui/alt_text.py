"""Text alternatives for image grids: the same facts as a table a screen reader can read."""

from __future__ import annotations

from collections.abc import Sequence

import streamlit as st

from ae_core.figures import ImageRow
from ae_core.i18n import _, shown


def grid_table(rows: Sequence[ImageRow]) -> list[dict[str, str]]:
    """One line per image position, one column per captioned row of the grid."""
    captioned = [(r.title, r.captions) for r in rows if r.captions]
    count = max((len(r.images) for r in rows), default=0)
    return [
        {_("image"): str(i + 1), **{shown(t): text[i] for t, text in captioned if i < len(text)}}
        for i in range(count)
    ]


def as_table(rows: Sequence[ImageRow], what: str) -> None:
    """A folded table under a grid: what each image is, in words."""
    with st.expander(_("{what} as a table (text alternative)").format(what=what)):
        st.dataframe(grid_table(rows), hide_index=True)
