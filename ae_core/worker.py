"""The training side of the service: one run in a worker process, weights handed back.

Workers are started with the `spawn` method by `ae_core.service.TrainingService`. Each
imports TensorFlow and loads the datasets once, when it starts (so the first run pays for
neither), then trains runs one at a time. A worker exits after a few runs: TensorFlow seldom
returns memory to the system inside a process, and a process that exits returns all of it.

A run talks to the server through two channels passed in when the worker starts: a queue on
which it posts `(tag, event)` progress, and an array of stop flags, one per slot, which
the trainer reads before every batch.
"""

from __future__ import annotations

import contextlib
import gc
import logging
import multiprocessing.queues
import os
import threading
import time
from dataclasses import dataclass
from typing import Any

import numpy as np

from ae_core.errors import AELabError
from ae_core.i18n import message_of, unexpected_failure

log = logging.getLogger(__name__)

_progress: multiprocessing.queues.Queue | None = None
# What a run posts after its last progress event.
END_OF_PROGRESS = "end of progress"
_stop_flags: Any = None  # a shared array of bytes, one per slot


@dataclass(frozen=True)
class WorkerResult:
    """What comes back from a worker: plain data only (weights as arrays), never a model."""

    status: str  # "completed", "stopped", "diverged" or "failed"
    message: str
    history: list[dict]
    encoder_weights: list[np.ndarray]
    decoder_weights: list[np.ndarray]
    train_seconds: float = 0.0
    samples_seen: int = 0


class _SharedFlag:
    """The trainer's stop signal, read from this run's slot in the shared array."""

    def __init__(self, slot: int):
        self.slot = slot

    def is_set(self) -> bool:
        return _stop_flags is not None and bool(_stop_flags[self.slot])


def start_worker(progress, stop_flags, datasets: tuple[str, ...]) -> None:
    """Process initializer: keep the channels, load TensorFlow and the datasets now."""
    global _progress, _stop_flags
    _progress, _stop_flags = progress, stop_flags
    _yield_to_pages()
    threading.Thread(target=_exit_with_parent, args=(os.getppid(),), daemon=True).start()
    import ae_core.training  # noqa: F401  (TensorFlow and Keras, once per worker)
    from ae_core.data import load_dataset

    for name in datasets:
        try:
            dataset = load_dataset(name)
        except AELabError as exc:  # reported again, to the run that needs it
            log.info("dataset %s not loaded ahead: %s", name, exc)
            continue
        _first_steps(dataset)


def worker_niceness() -> int:
    """How far a training process stands back for the server's own threads (Unix nice,
    0-19): $AE_WORKER_NICENESS, 10 by default (bench/responsiveness.py measures it)."""
    value = os.environ.get("AE_WORKER_NICENESS", "").strip()
    return min(19, int(value)) if value.isdigit() else 10


def _yield_to_pages() -> None:
    """Training takes every core it is given; a student's click waits on the server process,
    which then competes with the workers' threads as an equal. Standing back, the workers
    still get every cycle the pages leave idle, and the pages answer first."""
    with contextlib.suppress(AttributeError, OSError):  # not on this system: as an equal
        os.nice(worker_niceness())


def _first_steps(dataset) -> None:
    """A few batches of a small model, untimed: a fresh process pays TensorFlow's one-time
    start-up (kernels, thread pools, Keras' tracing machinery) in its first run, which would
    otherwise be a student's first press of a preset. Also lays out the dataset's images as
    the tensor every run gathers from."""
    from ae_core.run_config import RunConfig
    from ae_core.training import image_store, train

    image_store(dataset.x_train)
    config = RunConfig.create("deep", dataset=dataset.name, train_size=512, epochs=1)
    try:
        train(config, dataset, on_progress=lambda event: None)
    except AELabError as exc:
        log.info("warm-up run skipped: %s", exc)


def _exit_with_parent(parent: int) -> None:
    """A worker whose server has died (killed, crashed) ends too, instead of lingering."""
    while os.getppid() == parent:
        time.sleep(1.0)
    os._exit(0)


def warm_up() -> int:
    """A task that does nothing but say which process ran it: submitting it makes the pool
    start a worker now."""
    return os.getpid()


def train_run(tag: int, config_values: dict, slot: int) -> WorkerResult:
    """Train the run `config_values` describes, posting `(tag, event)` progress; return its
    weights. `slot` is this run's place in the stop flags."""
    from ae_core.run_config import RunConfig
    from ae_core.training import train

    def post(event) -> None:
        if _progress is not None:
            _progress.put((tag, event))

    # Python's collector, run in the middle of a run, stalled an epoch by up to 0.6 s
    # (traversing the objects TensorFlow makes tracing a new model; bench/overhead.py). The
    # worker does nothing else, so it collects once the run is over instead.
    _pause_collector()
    try:
        config = RunConfig.from_dict(config_values)
        result = train(config, on_progress=post, stop=_SharedFlag(slot))  # type: ignore[arg-type]
    except AELabError as exc:
        return WorkerResult("failed", message_of(exc), [], [], [])
    except Exception as exc:  # the run must end in a state the page can show
        log.exception("training failed")
        message = unexpected_failure(exc)
        return WorkerResult("failed", message, [], [], [])
    finally:
        # Last on the queue: once the server reads it, it has every epoch of the run (the
        # result comes back another way and can overtake the final epoch's report).
        post(END_OF_PROGRESS)
        _collect_after_run()
    return WorkerResult(
        status=result.status,
        message=result.message,
        history=[record.to_dict() for record in result.history],
        encoder_weights=result.autoencoder.encoder.get_weights(),
        decoder_weights=result.autoencoder.decoder.get_weights(),
        train_seconds=result.train_seconds,
        samples_seen=result.samples_seen,
    )


_collector_lock = threading.Lock()
_runs_in_progress = 0
# Long enough for the finished run's weights to be on their way to the server first.
COLLECT_DELAY_SECONDS = 0.5


def _pause_collector() -> None:
    global _runs_in_progress
    with _collector_lock:
        _runs_in_progress += 1
        gc.disable()


def _collect_after_run() -> None:
    """Collect the run's garbage on a thread, shortly after, unless another run has begun."""
    global _runs_in_progress
    with _collector_lock:
        _runs_in_progress -= 1

    def collect() -> None:
        time.sleep(COLLECT_DELAY_SECONDS)
        with _collector_lock:
            if _runs_in_progress == 0:
                gc.collect()
                gc.enable()

    threading.Thread(target=collect, name="ae-collect", daemon=True).start()
