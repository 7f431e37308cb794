"""The gate every training batch passes on its way from the input pipeline to the model.

Keras runs many batches per call into the graph, so a stop has to land inside the input
pipeline to take effect before the next batch. The gate is two TensorFlow variables, read
and counted inside the pipeline: a batch costs no call back into Python (a `py_function` per
batch took about 3% of a small dense model's epoch, bench/overhead.py). A `StopRelay`
thread closes the gate within `POLL_SECONDS` of a stop request.
"""

from __future__ import annotations

import threading
from typing import Protocol

import tensorflow as tf

# How often a relay looks at the stop request: a stop lands within this plus one batch.
POLL_SECONDS = 0.02


class StopRequest(Protocol):
    def is_set(self) -> bool: ...


class BatchGate:
    """Lets batches through until closed, and counts those it let through."""

    def __init__(self) -> None:
        self._closed = tf.Variable(False, trainable=False, name="gate_closed")
        self._admitted = tf.Variable(0, dtype=tf.int64, trainable=False, name="gate_admitted")

    def admit(self) -> tf.Tensor:
        """Inside the pipeline, once per batch the model takes: whether it may have it."""
        is_open = tf.logical_not(self._closed.read_value())
        counted = self._admitted.assign_add(tf.cast(is_open, tf.int64))
        with tf.control_dependencies([counted]):
            return tf.identity(is_open)

    def close(self) -> None:
        self._closed.assign(True)

    @property
    def closed(self) -> bool:
        return bool(self._closed.numpy())

    @property
    def admitted(self) -> int:
        """Batches let through since the gate was last reset."""
        return int(self._admitted.numpy())

    def reset(self) -> None:
        """Open, with the count at zero (a new epoch)."""
        self._closed.assign(False)
        self._admitted.assign(0)


class StopRelay:
    """In a `with` block, closes `gate` as soon as `stop` is set (by any thread or process)."""

    def __init__(self, stop: StopRequest, gate: BatchGate):
        self._stop = stop
        self._gate = gate
        self._done = threading.Event()
        self._thread: threading.Thread | None = None

    def __enter__(self) -> StopRelay:
        self._done.clear()
        self._thread = threading.Thread(target=self._watch, name="ae-stop-relay", daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self._done.set()
        if self._thread is not None:
            self._thread.join()
            self._thread = None

    def _watch(self) -> None:
        while not self._done.wait(POLL_SECONDS):
            if self._stop.is_set():
                self._gate.close()
                return
