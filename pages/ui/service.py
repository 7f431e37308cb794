"""The one training service of this server, and how it learns that a session has ended.

Streamlit keeps a closed tab's session for `server.disconnectedSessionTTL` seconds, in case
it reconnects, then forgets it without telling the app. The service asks Streamlit's runtime
which sessions are still connected and releases one that has been gone for that long: its
waiting runs are dropped, runs only it watched are stopped, and its uploads are freed.
"""

from __future__ import annotations

import gc
import logging
import os
import threading
from typing import TYPE_CHECKING

import streamlit as st
from streamlit import runtime
from streamlit.runtime.scriptrunner import get_script_run_ctx

from ae_core.i18n import _
from pages.ui.session import LabSession, runs_dir
from pages.ui.table_work import stop_abandoned_table_runs
from pages.ui.uploads import give_memory_back

if TYPE_CHECKING:
    from ae_core.service import TrainingService

log = logging.getLogger(__name__)

MEMORY_VARIABLE = "AE_MODEL_MEMORY_MB"
WARM_UP_VARIABLE = "AE_WARM_UP"
PREPARE_VARIABLE = "AE_PREPARE_PRESETS"
DEFAULT_MEMORY_MB = 256

_service: TrainingService | None = None
_lock = threading.Lock()


def training_service() -> TrainingService:
    """The server's service, started on first use (workers begin loading TensorFlow)."""
    global _service
    with _lock:
        if _service is None:
            from ae_core.service import TrainingService, default_workers

            _service = TrainingService(
                runs_root=runs_dir,
                workers=default_workers(),
                memory_budget=memory_budget(),
                is_connected=_is_connected,
                grace_seconds=float(st.get_option("server.disconnectedSessionTTL")),
                on_session_end=_forget_session,
                housekeeping=_tidy_up,
            ).start()
        return _service


def existing_service() -> TrainingService | None:
    """The service if something has started it; pages that only show figures use this."""
    return _service


def warm_up_in_background() -> threading.Thread | None:
    """Start the service and load TensorFlow and MNIST here too, without delaying a page.

    Called once the first page has been drawn, so the first press of a preset pays for
    neither. $AE_WARM_UP=0 turns it off (e.g. to check what a page itself imports). Then the
    Home presets are prepared (trained ahead while no student waits, and kept in the runs
    folder, so a server trains each only once); $AE_PREPARE_PRESETS=0 turns that off.
    """
    if os.environ.get(WARM_UP_VARIABLE, "1").strip() == "0" or _service is not None:
        return None

    def warm() -> None:
        try:
            service = training_service()
            from ae_core.data import load_dataset

            load_dataset("mnist")
            if os.environ.get(PREPARE_VARIABLE, "1").strip() != "0":
                from ae_core.presets import PRESETS

                service.prepare(preset.config() for preset in PRESETS)
        except Exception:  # a missing dataset is reported by the page that needs it
            log.warning(_("warm-up incomplete"), exc_info=True)

    thread = threading.Thread(target=warm, name="ae-warm-up", daemon=True)
    thread.start()
    return thread


def memory_budget() -> int:
    value = os.environ.get(MEMORY_VARIABLE, "").strip()
    megabytes = int(value) if value.isdigit() else DEFAULT_MEMORY_MB
    return megabytes * 1024 * 1024


def watcher_id(session: LabSession) -> str:
    """The id the service knows this session by, tied to Streamlit's session for liveness."""
    ctx = get_script_run_ctx()
    if ctx is not None:
        with _lock:
            _streamlit_sessions[session.id] = ctx.session_id
    return session.id


# Our session id -> Streamlit's, for asking the runtime whether the tab is still there.
_streamlit_sessions: dict[str, str] = {}


def _is_connected(session: str) -> bool:
    streamlit_id = _streamlit_sessions.get(session)
    if streamlit_id is None or not runtime.exists():
        return True  # no server (e.g. AppTest): sessions end when the test says so
    return runtime.get_instance().is_active_session(streamlit_id)


def _forget_session(session: str) -> None:
    """Free what Streamlit itself keeps for an expired session: its uploaded files."""
    with _lock:
        streamlit_id = _streamlit_sessions.pop(session, None)
    if streamlit_id is not None and runtime.exists():
        runtime.get_instance().uploaded_file_mgr.remove_session_files(streamlit_id)
    give_memory_back()


def _tidy_up() -> None:
    """Every half minute: collect what expired sessions left, give the memory back.

    Streamlit's own post-run collection is off (runner.postScriptGC) because a full
    collection after every rerun stalled training; training now runs in worker processes,
    and one collection per half minute costs the pages little.
    """
    stop_abandoned_table_runs(
        _is_streamlit_session_connected, float(st.get_option("server.disconnectedSessionTTL"))
    )
    gc.collect()
    give_memory_back()


def _is_streamlit_session_connected(streamlit_id: str) -> bool:
    return not runtime.exists() or runtime.get_instance().is_active_session(streamlit_id)
