"""Work on its own daemon thread, stoppable, with a lock for the state it reports.

Image runs (`jobs.TrainingJob`) and table runs (`table_training.TableTrainingJob`) both train
on a thread that a page watches through snapshots; this is the part they share.
"""

from __future__ import annotations

import threading
import time
from typing import TypeVar

Run = TypeVar("Run", bound="BackgroundRun")


class BackgroundRun:
    """Subclasses implement `_run`, guard their state with `_lock` and check `_stop`."""

    def __init__(self, thread_name: str):
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._started = time.perf_counter()
        self._thread = threading.Thread(target=self._run, name=thread_name, daemon=True)

    def start(self: Run) -> Run:
        self._thread.start()
        return self

    def stop(self) -> None:
        """Ask the run to stop before its next batch; the model keeps its weights."""
        self._stop.set()

    def join(self, timeout: float | None = None) -> bool:
        self._thread.join(timeout)
        return not self._thread.is_alive()

    @property
    def stop_requested(self) -> bool:
        return self._stop.is_set()

    def _run(self) -> None:
        raise NotImplementedError
