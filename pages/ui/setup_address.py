"""The Train page's setup in its address: copy the address, share the exact run."""

from __future__ import annotations

from typing import TYPE_CHECKING

import streamlit as st

from ae_core.errors import ConfigError
from ae_core.i18n import _
from ae_core.setup_query import ARCH_KEY, NOT_SETTINGS, from_query, to_query
from pages.ui.address_memory import is_new, note
from pages.ui.session import LabSession, remember_settings

if TYPE_CHECKING:
    from ae_core.run_config import RunConfig


def _setup_in_address() -> dict[str, str]:
    return {k: st.query_params[k] for k in st.query_params if k not in NOT_SETTINGS}


def _setup_value(query: dict[str, str]) -> frozenset[tuple[str, str]]:
    return frozenset(query.items())


def apply_setup_from_address(session: LabSession) -> None:
    """Open an address with a setup: its settings become the page's (once per setup, and
    never a setup this session wrote itself: see address_memory)."""
    query = _setup_in_address()
    if ARCH_KEY not in query or not is_new("setup", _setup_value(query)):
        return
    note("setup", _setup_value(query))
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
    note("setup", _setup_value(wanted))


def run_from_address() -> str | None:
    """The run id a reloaded tab's address names (not one this session wrote itself: after
    leaving a run, a late address must not attach the session to it again)."""
    run_id = st.query_params.get("run")
    if run_id is None or not is_new("run", run_id):
        return None
    return run_id


def write_run_to_address(run_id: str) -> None:
    """Name the session's run in the address, so a reload finds it again."""
    st.query_params["run"] = run_id
    note("run", run_id)
