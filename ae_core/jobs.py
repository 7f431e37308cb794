"""Training in a background thread, observed through snapshots.

A UI starts a `TrainingJob`, then redraws from `job.snapshot()` whenever it likes; the
training thread never calls back into the UI. Snapshots are immutable, so a page can read one
while the thread keeps training. Errors in the thread become a message in the snapshot,
never an exception in the page.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import Literal

from ae_core.architectures import Autoencoder
from ae_core.background import BackgroundRun
from ae_core.data import Dataset, load_dataset
from ae_core.errors import AELabError
from ae_core.i18n import lazy, message_of, unexpected_failure
from ae_core.progress import BatchProgress, EpochReport, ProgressEvent
from ae_core.run_config import RunConfig
from ae_core.training import REPORT_EVERY, TrainingResult, train

log = logging.getLogger(__name__)

JobState = Literal[
    "queued", "starting", "running", "completed", "stopped", "diverged", "failed", "cancelled"
]
FINISHED: tuple[JobState, ...] = ("completed", "stopped", "diverged", "failed", "cancelled")


@dataclass(frozen=True)
class JobSnapshot:
    state: JobState
    config: RunConfig
    progress: BatchProgress | None
    epochs: tuple[EpochReport, ...]  # every epoch report so far, in order
    result: TrainingResult | None
    message: str
    elapsed: float
    # Filled in by the training service for runs it queues and shares between sessions.
    queue_place: int | None = None  # 1 = next to start
    expected_start: float | None = None  # seconds from now, an estimate
    watchers: int = 1  # sessions watching this run
    run_id: str = ""
    prepared: bool = False  # trained ahead by the server (a Home preset), whoever watches

    @property
    def finished(self) -> bool:
        return self.state in FINISHED

    @property
    def latest_epoch(self) -> EpochReport | None:
        return self.epochs[-1] if self.epochs else None

    @property
    def fraction(self) -> float:
        if self.state == "completed":
            return 1.0
        return self.progress.fraction if self.progress is not None else 0.0


class TrainingJob(BackgroundRun):
    """One training run on its own thread, with a thread-safe view of its progress."""

    def __init__(
        self,
        config: RunConfig,
        dataset: Dataset | None = None,
        autoencoder: Autoencoder | None = None,
        report_every: int = REPORT_EVERY,
        name: str = "",
    ):
        self.config = config
        self.name = name
        self._dataset = dataset
        self._autoencoder = autoencoder
        self._report_every = report_every
        super().__init__("ae-training")
        self._state: JobState = "starting"
        self._progress: BatchProgress | None = None
        self._epochs: list[EpochReport] = []
        self._result: TrainingResult | None = None
        self._message: str = lazy("Preparing the data and the network...")
        self._finished_at: float | None = None

    def snapshot(self) -> JobSnapshot:
        with self._lock:
            end = self._finished_at if self._finished_at is not None else time.perf_counter()
            return JobSnapshot(
                state=self._state,
                config=self.config,
                progress=self._progress,
                epochs=tuple(self._epochs),
                result=self._result,
                message=self._message,
                elapsed=end - self._started,
            )

    def _on_progress(self, event: ProgressEvent) -> None:
        with self._lock:
            self._state = "running"
            if isinstance(event, BatchProgress):
                self._progress = event
                self._message = event.stage
            else:
                self._epochs.append(event)

    def _run(self) -> None:
        try:
            dataset = self._dataset or load_dataset(self.config.data.dataset)
            result = train(
                self.config,
                dataset,
                on_progress=self._on_progress,
                stop=self._stop,
                report_every=self._report_every,
                autoencoder=self._autoencoder,
            )
            outcome: tuple[JobState, str, TrainingResult | None] = (
                result.status,
                result.message,
                result,
            )
        except AELabError as exc:
            outcome = ("failed", message_of(exc), None)
        except Exception as exc:  # the thread must always end in a state the page can show
            log.exception("training failed")
            outcome = ("failed", unexpected_failure(exc), None)
        with self._lock:
            self._state, self._message, self._result = outcome
            self._finished_at = time.perf_counter()
