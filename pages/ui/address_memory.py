"""What this session has already met in its address, so each value is acted on once.

A rerun carries the address the browser had when it asked for it. On a busy server a change
made before the browser took in the previous rerun's address brings that older address
along (seen in a class: a seed, then the epochs typed, the epochs reverted by the address of
the seed's rerun). A value the session wrote, or has already read, is never new again: a
late copy of it changes nothing.
"""

from __future__ import annotations

from collections.abc import Hashable

import streamlit as st

MET_KEY = "address.met"


def _met(part: str) -> set[Hashable]:
    return st.session_state.setdefault(MET_KEY, {}).setdefault(part, set())


def is_new(part: str, value: Hashable) -> bool:
    """Whether this session has neither read nor written `value` for this part of its
    address (the setup, the run, the language)."""
    return value not in _met(part)


def note(part: str, value: Hashable) -> None:
    """Remember `value` as met: read and acted on, or written by this session."""
    _met(part).add(value)
