"""What the table page keeps per session: the table read, the run, the last good result.

Table runs train on a thread of the server (they are small dense networks). The Streamlit
session that started one is recorded here, and the service's housekeeping stops a run whose
session has been disconnected for longer than Streamlit keeps it (tab closed for good)
instead of leaving a thread training for nobody.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ae_core.table_training import TableResult, TableTrainingJob
    from ae_core.tables import PreparedTable, Table, TableSetup


@dataclass
class TrainedTable:
    """A finished run with the table it was trained on (the colour column comes from it)."""

    table: Table
    result: TableResult


@dataclass
class TableWork:
    upload_id: str | None = None  # the upload last read, so each file is read once
    problem: str | None = None  # why the last upload could not be read
    table: Table | None = None
    prepared: dict[tuple[str, TableSetup], PreparedTable] = field(default_factory=dict)
    job: TableTrainingJob | None = None
    job_table: Table | None = None
    trained: TrainedTable | None = None  # the last good model: a failed run never replaces it
    last_message: tuple[str, str] | None = None  # (state, message) of the last run that ended


# Streamlit session id -> its table run, and since when the session has been disconnected.
_running: dict[str, TableTrainingJob] = {}
_gone_since: dict[str, float] = {}
_lock = threading.Lock()


def start_table_run(session_id: str, work: TableWork, table: Table, job: TableTrainingJob) -> None:
    with _lock:
        _running[session_id] = job
    work.job, work.job_table, work.last_message = job.start(), table, None


def collect_table_run(session_id: str, work: TableWork) -> bool:
    """Keep a finished run's model if it has one; True when a run has just ended."""
    job = work.job
    if job is None:
        return False
    snapshot = job.snapshot()
    if not snapshot.finished:
        return False
    if snapshot.result is not None and work.job_table is not None:
        work.trained = TrainedTable(work.job_table, snapshot.result)
    work.last_message = (snapshot.state, snapshot.message)
    work.job = work.job_table = None
    with _lock:
        _running.pop(session_id, None)
    return True


def stop_abandoned_table_runs(
    is_connected: Callable[[str], bool], grace_seconds: float, now: float | None = None
) -> list[str]:
    """Stop the runs of sessions disconnected for longer than `grace_seconds`; their ids."""
    now = time.monotonic() if now is None else now
    stopped = []
    with _lock:
        for session_id, job in list(_running.items()):
            if job.snapshot().finished:
                del _running[session_id]
            elif is_connected(session_id):
                _gone_since.pop(session_id, None)
            elif now - _gone_since.setdefault(session_id, now) >= grace_seconds:
                job.stop()
                del _running[session_id]
                stopped.append(session_id)
        for session_id in list(_gone_since):
            if session_id not in _running:
                del _gone_since[session_id]
    return stopped


def running_table_runs() -> int:
    with _lock:
        return sum(1 for job in _running.values() if not job.snapshot().finished)
