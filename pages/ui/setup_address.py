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
# Every setup and run id this session wrote into its address. A rerun carries the address
# the browser had when it asked for it: a change made before the browser took in the
# previous run's address brings that older address along (seen on a busy class server:
# a seed, then the epochs typed, the epochs reverted by the address of the seed's rerun).
# An address this session wrote is its own, possibly late: never read back as a new setup.
WRITTEN_KEY = "train.address_written"
RUNS_WRITTEN_KEY = "train.address_runs"


def _setup_in_address() -> dict[str, str]:
    return {k: st.query_params[k] for k in st.query_params if k not in NOT_SETTINGS}


def _frozen(query: dict[str, str]) -> frozenset[tuple[str, str]]:
    return frozenset(query.items())


def apply_setup_from_address(session: LabSession) -> None:
    """Open an address with a setup: its settings become the page's (once per address, and
    never an address this session wrote itself)."""
    query = _setup_in_address()
    if ARCH_KEY not in query or st.session_state.get(SEEN_KEY) == query:
        return
    if _frozen(query) in st.session_state.get(WRITTEN_KEY, set()):
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
    st.session_state.setdefault(WRITTEN_KEY, set()).add(_frozen(wanted))


def run_from_address() -> str | None:
    """The run id a reloaded tab's address names (not one this session wrote itself: after
    leaving a run, a late address must not attach the session to it again)."""
    run_id = st.query_params.get("run")
    if run_id is None or run_id in st.session_state.get(RUNS_WRITTEN_KEY, set()):
        return None
    return run_id


def write_run_to_address(run_id: str) -> None:
    """Name the session's run in the address, so a reload finds it again."""
    st.query_params["run"] = run_id
    st.session_state.setdefault(RUNS_WRITTEN_KEY, set()).add(run_id)
