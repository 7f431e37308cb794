"""The Train page's setup in its address: copy the address, share the exact run."""

from __future__ import annotations

from typing import TYPE_CHECKING

import streamlit as st

from ae_core.errors import ConfigError
from ae_core.i18n import _
from ae_core.setup_query import ARCH_KEY, NOT_SETTINGS, from_query, to_query
from pages.ui.session import LabSession, remember_settings

if TYPE_CHECKING:
    from ae_core.run_config import RunConfig

# The setup part of the address last read or written, so one address is applied once.
SEEN_KEY = "train.address_setup"


def _setup_in_address() -> dict[str, str]:
    return {k: st.query_params[k] for k in st.query_params if k not in NOT_SETTINGS}


def apply_setup_from_address(session: LabSession) -> None:
    """Open an address with a setup: its settings become the page's (once per address)."""
    query = _setup_in_address()
    if ARCH_KEY not in query or st.session_state.get(SEEN_KEY) == query:
        return
    st.session_state[SEEN_KEY] = query
    try:
        config = from_query(query)
    except ConfigError as exc:
        st.error(
            _("The setup in this address was not used: {exc}").format(exc=exc),
            icon=":material/link_off:",
        )
        return
    remember_settings(session, config)


def write_setup_to_address(config: RunConfig) -> None:
    """Keep the address equal to the setup on screen, so copying it shares the setup."""
    wanted = to_query(config)
    for key in [k for k in st.query_params if k not in NOT_SETTINGS and k not in wanted]:
        del st.query_params[key]
    for key, value in wanted.items():
        if st.query_params.get(key) != value:
            st.query_params[key] = value
    st.session_state[SEEN_KEY] = wanted
