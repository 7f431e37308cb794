"""What training reports while it runs: small immutable snapshots any UI can read.

The trainer calls the caller's callback with a `BatchProgress` every few batches and an
`EpochReport` after every epoch. Both are plain frozen dataclasses, safe to hand from the
training thread to a UI thread.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from ae_core.i18n import N_, _, shown

if TYPE_CHECKING:
    from ae_core.jobs import JobSnapshot


@dataclass(frozen=True)
class BatchProgress:
    stage: str  # "Training", or e.g. "Pretraining layer 1 of 3 (784 -> 256)"
    epoch: int  # 1-based, within the stage
    epochs: int
    batch: int  # 1-based, within the epoch
    batches: int
    fraction: float  # of the whole run, 0..1
    loss: float  # running mean of the loss over this epoch so far
    samples_per_second: float
    eta_seconds: float


@dataclass(frozen=True)
class EpochReport:
    stage: str
    epoch: int
    epochs: int
    fraction: float
    train: dict[str, float]  # "loss", "reconstruction_loss" and each penalty, epoch means
    validation: dict[str, float]
    seconds: float  # since the run started
    # A fixed set of test images and their current reconstructions, and the current codes of
    # a fixed sample of test images with their labels; None while pretraining.
    originals: np.ndarray | None = None
    reconstructions: np.ndarray | None = None
    codes: np.ndarray | None = None
    code_labels: np.ndarray | None = None


ProgressEvent = BatchProgress | EpochReport
ProgressCallback = Callable[[ProgressEvent], None]


class RateClock:
    """Fraction done, throughput and time left, from batch counts and the wall clock.

    Throughput is smoothed over reporting windows, so the first batch (which includes
    TensorFlow's tracing) does not distort the ETA for the rest of the run.
    """

    SMOOTHING = 0.3

    def __init__(self, total_batches: int):
        self.total_batches = max(1, total_batches)
        self.done_batches = 0
        self.samples = 0
        self.started = time.perf_counter()
        self._window_start = self.started
        self._window_batches = 0
        self._window_samples = 0
        self._seconds_per_batch: float | None = None
        self._samples_per_second = 0.0

    def batch_done(self, samples: int) -> None:
        self.done_batches += 1
        self.samples += samples
        self._window_batches += 1
        self._window_samples += samples

    def close_window(self) -> None:
        """Fold the batches since the last call into the smoothed rates."""
        now = time.perf_counter()
        elapsed = now - self._window_start
        if self._window_batches and elapsed > 0:
            per_batch = elapsed / self._window_batches
            rate = self._window_samples / elapsed
            if self._seconds_per_batch is None:
                self._seconds_per_batch, self._samples_per_second = per_batch, rate
            else:
                a = self.SMOOTHING
                self._seconds_per_batch = a * per_batch + (1 - a) * self._seconds_per_batch
                self._samples_per_second = a * rate + (1 - a) * self._samples_per_second
        self._window_start = now
        self._window_batches = 0
        self._window_samples = 0

    def restart_window(self) -> None:
        """Start a new window without counting the time since the last one (e.g. validation)."""
        self._window_start = time.perf_counter()
        self._window_batches = 0
        self._window_samples = 0

    @property
    def fraction(self) -> float:
        return min(1.0, self.done_batches / self.total_batches)

    @property
    def samples_per_second(self) -> float:
        return self._samples_per_second

    @property
    def eta_seconds(self) -> float:
        if self._seconds_per_batch is None:
            return float("nan")
        return (self.total_batches - self.done_batches) * self._seconds_per_batch

    @property
    def elapsed(self) -> float:
        return time.perf_counter() - self.started


def progress_line(name: str, snapshot: JobSnapshot) -> str:
    """One line saying where a run is: its place in the queue, or how far it has got."""
    progress = snapshot.progress
    if snapshot.state == "queued":
        wait = snapshot.expected_start or 0.0
        return _("{name}: number {place} in the queue, starts in about {wait:.0f} s").format(
            name=name, place=snapshot.queue_place, wait=wait
        )
    if snapshot.state == "starting":
        return shown(snapshot.message)
    if progress is not None and not snapshot.finished:
        eta = (
            "--"
            if progress.eta_seconds != progress.eta_seconds
            else f"{progress.eta_seconds:.0f} s"
        )
        return _(
            "{name} · {stage} · epoch {epoch}/{epochs} · batch {batch}/{batches} · "
            "loss {loss:.4f} · {speed:,.0f} images/s · ETA {eta}"
        ).format(
            name=name,
            stage=progress.stage,
            epoch=progress.epoch,
            epochs=progress.epochs,
            batch=progress.batch,
            batches=progress.batches,
            loss=progress.loss,
            speed=progress.samples_per_second,
            eta=eta,
        )
    return _("{name} · {state} after {seconds:.0f} s").format(
        name=name,
        state=_(STATE_WORDS.get(snapshot.state, snapshot.state)),
        seconds=snapshot.elapsed,
    )


STATE_WORDS = {
    "completed": N_("completed"),
    "stopped": N_("stopped"),
    "diverged": N_("diverged"),
    "failed": N_("failed"),
    "cancelled": N_("cancelled"),
    "running": N_("running"),
    "starting": N_("starting"),
    "queued": N_("queued"),
}
