"""The server's training service: identical runs trained once, a fair queue, nothing left behind.

One `TrainingService` serves every session of a server:

- A run is identified by its validated configuration (`RunConfig.run_id`). A session asking
  for a run that is queued, training or finished on this server, or stored on disk, is
  attached to it and sees the same progress and the same model. Models are read-only.
- At most `workers` runs train at once, each in a worker process (`ae_core.worker`); the
  rest wait first come, first served, at most one waiting run per session. Each worker has a
  *lane* of its own: a one-process pool that gets a fresh process after a few runs (see
  `_Lane` for why not one pool with `max_tasks_per_child`).
- Sessions *watch* runs. A session that leaves (`release_session`, or the liveness check
  says it is gone) stops watching: a waiting run nobody watches is dropped, a training one is
  stopped. Stop from one of several watchers only detaches that watcher.
- Finished models are kept in a `ModelCache` with one memory budget for the server; each is
  also written to the `TrainedStore`, from which it is read back when needed again.
- Runs a class will surely ask for (the Home presets) can be *prepared*: trained ahead, one
  at a time, while no session is waiting, so the first press finds them finished. A session
  asking for one that has not started yet takes its place in the queue like any request.

Pages never block on the service: they read snapshots, as from a `TrainingJob`.
"""

from __future__ import annotations

import concurrent.futures
import functools
import itertools
import logging
import multiprocessing
import os
import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path

from ae_core.architectures import Autoencoder
from ae_core.errors import TrainingError
from ae_core.i18n import lazy
from ae_core.jobs import FINISHED, JobSnapshot, JobState
from ae_core.model_store import CacheStats, ModelCache, TrainedStore, load_autoencoder
from ae_core.progress import BatchProgress, EpochReport
from ae_core.run_config import RunConfig
from ae_core.runs import saved_message
from ae_core.worker import END_OF_PROGRESS, WorkerResult

log = logging.getLogger(__name__)

# Images per second one run trains at on an idle 2-core CPU (bench/overhead.py, rounded):
# only for the queue's "expected start", which says it is an estimate.
ESTIMATED_RATES = {"conv": 3_500, "denoising": 3_000, "contractive": 4_000}
STARTUP_SECONDS = 2.0  # a run's own start: building the network, the first tracing
# How long a finished run waits for its last progress events (they come on another queue).
RELAY_WAIT_SECONDS = 10.0


def estimated_seconds(config: RunConfig, rate: float | None = None) -> float:
    """Roughly how long a run takes alone on an idle server."""
    passes = config.train.epochs
    # Greedy pretraining (stacked): its epochs once per layer, the code layer included.
    layers = len(getattr(config.model, "hidden_widths", ())) + 1
    passes += getattr(config.model, "pretrain_epochs", 0) * layers
    images = (config.data.train_size or 60_000) * passes
    return STARTUP_SECONDS + images / (rate or ESTIMATED_RATES.get(config.architecture, 9_000))


@dataclass
class _Lane:
    """One worker's place: a pool of one process, training one run at a time.

    After `runs_per_worker` runs the lane gets a fresh pool and the old process exits
    (TensorFlow returns memory to the system only when a process ends). One shared pool
    with `max_tasks_per_child` did this before, and stalled a class: the pool's one thread
    that reads every worker's results waits for an exiting worker to end before it reads
    on (seen for up to 100 s, the other worker blocked handing back its weights), and it can
    fail to replace an exited worker at all (CPython gh-115634, unfixed in 3.11 and 3.12).
    A lane's pool is replaced only while the lane is free, so no process exits under a run,
    and one worker's exit holds up nobody else's results.
    """

    pool: concurrent.futures.Executor
    runs: int = 0  # runs this lane's current process has been given
    run: _Run | None = None
    free_since: float = field(default_factory=time.monotonic)
    pid: int | None = None  # the current process, once it has started


@dataclass
class _Run:
    """One run on the board; a session's handle keeps it even after it left the index."""

    run_id: str
    config: RunConfig
    order: int
    state: JobState = "queued"
    watchers: set[str] = field(default_factory=set)
    progress: BatchProgress | None = None
    epochs: list[EpochReport] = field(default_factory=list)
    message: str = lazy("Waiting for a free place to train...")
    outcome: WorkerResult | None = None
    model_key: str | None = None  # where the finished model is in the cache
    slot: int | None = None
    submitted: float = field(default_factory=time.perf_counter)
    started: float | None = None
    finished: float | None = None
    stop_requested: bool = False
    prepared: bool = False  # the server wants it, whoever watches: never stopped for them
    done: threading.Event = field(default_factory=threading.Event)
    relayed: threading.Event = field(default_factory=threading.Event)  # every event is in


class RunHandle:
    """A session's view of one run: what the Train page reads and the Stop it presses."""

    def __init__(self, service: TrainingService, run: _Run, session_id: str, name: str = ""):
        self._service = service
        self._run = run
        self.session_id = session_id
        self.name = name

    @property
    def run_id(self) -> str:
        return self._run.run_id

    @property
    def config(self) -> RunConfig:
        return self._run.config

    @property
    def stop_requested(self) -> bool:
        return self._run.stop_requested

    @property
    def model_key(self) -> str | None:
        """Where the finished model is in the service's cache (None until it has one)."""
        return self._run.model_key

    def snapshot(self) -> JobSnapshot:
        return self._service._snapshot_of(self._run)

    def stop(self) -> str:
        """'left' (others still watch), 'cancelled' (it was waiting) or 'stopping'."""
        return self._service._stop(self._run, self.session_id)

    def join(self, timeout: float | None = None) -> bool:
        """Wait until the run has finished and its model is ready."""
        return self._run.done.wait(timeout)

    def result(self):
        """The finished run as a `TrainingResult`, its model from the cache; else None."""
        return self._service._result_of(self._run)


@dataclass(frozen=True)
class ClassView:
    """What a teacher sees of the server: counts and run settings, no student data."""

    training: tuple[JobSnapshot, ...]
    waiting: tuple[JobSnapshot, ...]
    finished: int
    sessions: int
    workers: int
    models: CacheStats
    preparing: int = 0  # runs the server trains ahead (presets), started or not
    warm: bool = False  # the first workers have loaded TensorFlow and the data, and trained


class TrainingService:
    """Trains runs for every session of a server; see the module docstring."""

    def __init__(
        self,
        runs_root: Callable[[], Path],
        workers: int = 1,
        memory_budget: int = 256 * 1024 * 1024,
        runs_per_worker: int = 6,
        datasets: tuple[str, ...] = ("mnist",),
        is_connected: Callable[[str], bool] | None = None,
        pool_factory: Callable[[Callable, tuple], concurrent.futures.Executor] | None = None,
        grace_seconds: float = 120.0,
        on_session_end: Callable[[str], None] | None = None,
        housekeeping: Callable[[], None] | None = None,
        housekeeping_seconds: float = 30.0,
        renew_idle_after: float = 60.0,
    ):
        if workers < 1:
            raise ValueError(lazy("at least one worker is needed"))
        self.workers = workers
        self.store = TrainedStore(runs_root)
        self.models = ModelCache(memory_budget)
        self._runs_per_worker = runs_per_worker
        self._renew_idle_after = renew_idle_after
        self._pool_factory = pool_factory or one_process_pool
        self._datasets = datasets
        self._is_connected = is_connected
        self._grace = grace_seconds
        self._on_session_end = on_session_end
        self._housekeeping = housekeeping
        self._housekeeping_seconds = housekeeping_seconds
        self._lock = threading.RLock()
        self._index: dict[str, _Run] = {}  # run id -> the run identical requests attach to
        self._queue: list[_Run] = []
        self._ahead: list[_Run] = []  # prepared runs not started yet, trained when idle
        self._finished_count = 0
        self._order = itertools.count()
        self._free_slots = list(range(workers * 4))
        self._sessions_seen_gone: dict[str, float] = {}
        self._context = multiprocessing.get_context("spawn")
        self._progress = self._context.Queue()
        self._stop_flags = self._context.RawArray("b", len(self._free_slots))
        self._lanes: list[_Lane] = []
        self._warm_ups: list[concurrent.futures.Future] = []
        self._closed = threading.Event()
        self._threads: list[threading.Thread] = []

    # --- life cycle ------------------------------------------------------------------------
    def start(self) -> TrainingService:
        """Start the worker processes (each loads TensorFlow and the data now) and helpers."""
        with self._lock:
            self._lanes = [_Lane(self._new_pool()) for _ in range(self.workers)]
            self._warm_ups = [self._warm(lane) for lane in self._lanes]
        for target, name in ((self._relay, "ae-progress"), (self._janitor, "ae-janitor")):
            thread = threading.Thread(target=target, name=name, daemon=True)
            thread.start()
            self._threads.append(thread)
        return self

    def shutdown(self) -> None:
        self._closed.set()
        with self._lock:
            for run in self._running:
                self._set_stop_flag(run)
            lanes, self._lanes = self._lanes, []
        for lane in lanes:
            lane.pool.shutdown(wait=True, cancel_futures=True)
        self._progress.put(None)
        for thread in self._threads:
            thread.join(timeout=5)

    def _new_pool(self) -> concurrent.futures.Executor:
        from ae_core.worker import start_worker

        return self._pool_factory(start_worker, (self._progress, self._stop_flags, self._datasets))

    def _replace_pool(self, lane: _Lane) -> None:
        """A fresh process for a free lane; the old one ends on the old pool's own thread."""
        old, lane.pool, lane.runs, lane.pid = lane.pool, self._new_pool(), 0, None
        old.shutdown(wait=False, cancel_futures=False)
        self._warm(lane)  # TensorFlow and the data load now, not when the next run comes

    def _warm(self, lane: _Lane) -> concurrent.futures.Future:
        """Start the lane's process now; note its pid once it is ready."""
        pool = lane.pool
        future = pool.submit(_warm_up)

        def note(done: concurrent.futures.Future) -> None:
            if not done.cancelled() and done.exception() is None and lane.pool is pool:
                lane.pid = done.result()

        future.add_done_callback(note)
        return future

    def worker_pids(self) -> set[int]:
        """The training processes of this service that have started (for measuring them)."""
        with self._lock:
            return {lane.pid for lane in self._lanes if lane.pid is not None}

    # --- what sessions do ------------------------------------------------------------------
    def request(self, config: RunConfig, session_id: str, name: str = "") -> RunHandle:
        """Attach `session_id` to the run `config` describes, queueing it if it is new.

        Raises TrainingError when the session already has another run waiting.
        """
        run_id = config.run_id
        with self._lock:
            waiting = [r for r in self._queue if session_id in r.watchers and r.run_id != run_id]
            if waiting:
                raise TrainingError(
                    lazy(
                        "You already have a run waiting for its turn; cancel it before asking "
                        "for another."
                    )
                )
            run = self._index.get(run_id)
            if run is None:
                run = self._from_store(config) or self._enqueue(config)
            elif run in self._ahead:  # someone waits for it now: it queues like any request
                self._ahead.remove(run)
                self._queue.append(run)
                self._schedule()
            run.watchers.add(session_id)
            self._sessions_seen_gone.pop(session_id, None)
            return RunHandle(self, run, session_id, name)

    def prepare(self, configs: Iterable[RunConfig]) -> int:
        """Train these runs ahead, one at a time and only while no session's run is waiting,
        unless they are already known here or stored. Returns how many were added."""
        added = 0
        with self._lock:
            for config in configs:
                if config.run_id in self._index or self.store.find(config.run_id) is not None:
                    continue
                run = _Run(config.run_id, config, next(self._order), prepared=True)
                run.message = lazy("Being prepared ahead by the server...")
                self._index[run.run_id] = run
                self._ahead.append(run)
                added += 1
            self._schedule()
        return added

    def watch(self, run_id: str, session_id: str, name: str = "") -> RunHandle | None:
        """Attach a session to a run it knows the id of (after a reload): None if unknown."""
        with self._lock:
            run = self._index.get(run_id)
            if run is None:
                return None
            run.watchers.add(session_id)
            return RunHandle(self, run, session_id, name)

    def _stop(self, run: _Run, session_id: str) -> str:
        with self._lock:
            if run.state in FINISHED:
                return "finished"
            if run.watchers - {session_id} or run.prepared:
                run.watchers.discard(session_id)
                return "left"
            if run.state == "queued":
                self._cancel(run, lazy("Cancelled before it started."))
                return "cancelled"
            run.stop_requested = True
            self._set_stop_flag(run)
            return "stopping"

    def release_session(self, session_id: str) -> None:
        """A session has ended: drop what only it waited for, stop what only it watched."""
        with self._lock:
            for run in [*self._queue, *self._running]:
                if session_id not in run.watchers:
                    continue
                run.watchers.discard(session_id)
                if run.watchers or run.prepared:
                    continue
                if run.state == "queued":
                    self._cancel(run, lazy("Cancelled: nobody is waiting for it any more."))
                else:
                    run.stop_requested = True
                    self._set_stop_flag(run)
            self._sessions_seen_gone.pop(session_id, None)
        if self._on_session_end is not None:
            self._on_session_end(session_id)

    # --- what pages read -------------------------------------------------------------------
    def _snapshot_of(self, run: _Run) -> JobSnapshot:
        with self._lock:
            return self._snapshot(run)

    def _result_of(self, run: _Run):
        from ae_core.training import EpochRecord, TrainingResult

        with self._lock:
            outcome, key = run.outcome, run.model_key
        if outcome is None or key is None:
            return None
        return TrainingResult(
            config=run.config,
            autoencoder=self.models.get(key),
            status=outcome.status,  # type: ignore[arg-type]
            message=outcome.message,
            history=[EpochRecord(**row) for row in outcome.history],
            train_seconds=outcome.train_seconds,
            samples_seen=outcome.samples_seen,
        )

    def expected_wait(self) -> float:
        """Seconds before a run asked for now would start (an estimate; 0 when idle)."""
        with self._lock:
            probe = _Run("", RunConfig.create("dense"), -1)
            self._queue.append(probe)
            try:
                return self._expected_start(probe)
            finally:
                self._queue.remove(probe)

    def is_trained(self, config: RunConfig) -> bool:
        """Whether this exact run is already finished on this server or stored (it opens at
        once)."""
        with self._lock:
            run = self._index.get(config.run_id)
            if run is not None:
                return run.state == "completed"
        return self.store.holds(config.run_id)

    def class_view(self) -> ClassView:
        with self._lock:
            sessions = {s for r in [*self._queue, *self._running] for s in r.watchers}
            return ClassView(
                training=tuple(self._snapshot(r) for r in self._running),
                waiting=tuple(self._snapshot(r) for r in self._queue),
                finished=self._finished_count,
                sessions=len(sessions),
                workers=self.workers,
                models=self.models.stats(),
                preparing=sum(r.prepared for r in [*self._ahead, *self._queue, *self._running]),
                warm=all(f.done() for f in self._warm_ups),
            )

    # --- the queue -------------------------------------------------------------------------
    @property
    def _running(self) -> list[_Run]:
        """The runs the lanes train now, in the order they started: a lane's run is the
        one record of it, so a run cannot be running without a lane or the other way."""
        runs = [lane.run for lane in self._lanes if lane.run is not None]
        return sorted(runs, key=lambda run: run.started or 0.0)

    def _enqueue(self, config: RunConfig) -> _Run:
        run = _Run(config.run_id, config, next(self._order))
        self._index[run.run_id] = run
        self._queue.append(run)
        self._schedule()
        return run

    def _schedule(self) -> None:
        """Start waiting runs, oldest first, while a worker is free; then one prepared run."""
        while (lane := next((ln for ln in self._lanes if ln.run is None), None)) is not None:
            if self._queue:
                run = self._queue.pop(0)
            elif self._ahead and not any(r.prepared for r in self._running):
                run = self._ahead.pop(0)
            else:
                return
            run.slot = self._free_slots.pop(0)
            self._stop_flags[run.slot] = 0
            run.state, run.message = "starting", lazy("Preparing the data and the network...")
            run.started = time.perf_counter()
            lane.run, lane.runs = run, lane.runs + 1
            try:
                future = lane.pool.submit(_train, run.order, run.config.to_dict(), run.slot)
            except (BrokenProcessPool, RuntimeError) as exc:
                self._pool_broke(lane, exc)
                self._finish(run, WorkerResult("failed", _broken_message(), [], [], []))
                continue
            future.add_done_callback(functools.partial(self._collect, lane, run))

    def _collect(self, lane: _Lane, run: _Run, future: concurrent.futures.Future) -> None:
        """A worker has returned (on the pool's own thread): keep the outcome, go on."""
        try:
            outcome = future.result()
            # The result can overtake the last epoch's report on the progress queue; wait
            # for the worker's end marker so the run's charts end where its training did.
            run.relayed.wait(timeout=RELAY_WAIT_SECONDS)
        except BrokenProcessPool as exc:
            with self._lock:
                self._pool_broke(lane, exc)
            outcome = WorkerResult("failed", _broken_message(), [], [], [])
        except concurrent.futures.CancelledError:
            outcome = WorkerResult("failed", lazy("The server is shutting down."), [], [], [])
        with self._lock:
            self._finish(run, outcome)
            lane.run, lane.free_since = None, time.monotonic()
            if lane.runs >= self._runs_per_worker and lane in self._lanes:
                self._replace_pool(lane)
            self._schedule()
        if outcome.encoder_weights:
            # Build and store the model off the pool's thread; pages read it from the cache.
            threading.Thread(target=self._keep_model, args=(run,), daemon=True).start()
        else:
            run.done.set()

    def _finish(self, run: _Run, outcome: WorkerResult) -> None:
        if run.slot is not None:
            self._free_slots.append(run.slot)
        run.outcome = outcome
        run.finished = time.perf_counter()
        run.message = outcome.message
        if outcome.status != "completed" and self._index.get(run.run_id) is run:
            del self._index[run.run_id]  # only a completed run stands for its configuration
        if not outcome.encoder_weights:
            run.state = outcome.status  # type: ignore[assignment]
        self._finished_count += 1

    def _keep_model(self, run: _Run) -> None:
        """Rebuild the finished model here, keep it in the cache and write it to disk."""
        from ae_core.training import build_autoencoder

        outcome = run.outcome
        assert outcome is not None
        try:
            autoencoder = build_autoencoder(run.config)
            autoencoder.encoder.set_weights(outcome.encoder_weights)
            autoencoder.decoder.set_weights(outcome.decoder_weights)
            key = run.run_id if outcome.status == "completed" else f"{run.run_id}-{run.order}"
            self.models.put(key, autoencoder, reload=_unavailable(key))
            with self._lock:
                run.model_key = key
                run.state = outcome.status  # type: ignore[assignment]
            self._write_to_store(run, key)
        except Exception:
            log.exception("could not keep the model of run %s", run.run_id)
            with self._lock:
                run.state, run.message = "failed", lazy("The trained model could not be kept.")
        finally:
            run.done.set()

    def _write_to_store(self, run: _Run, key: str) -> None:
        result = self._result_of(run)
        if result is None:
            return
        try:
            folder = self.store.put(key, result)
        except Exception:  # a full or read-only disk: the model stays in memory instead
            log.exception("could not write run %s to the store", key)
            return
        # From now on the weights live on disk; memory holds only what the budget allows.
        self.models.put(key, result.autoencoder, reload=lambda: load_autoencoder(folder))
        run.outcome = _without_weights(run.outcome)

    def _from_store(self, config: RunConfig) -> _Run | None:
        """A completed run of this configuration found on disk, as a finished run."""
        folder = self.store.find(config.run_id)
        if folder is None:
            return None
        from ae_core.runs import load_run

        try:
            saved = load_run(folder)
        except Exception as exc:
            log.warning("stored run %s could not be read: %s", folder.name, exc)
            return None
        run = _Run(config.run_id, config, next(self._order), state="completed")
        run.outcome = WorkerResult(
            "completed",
            saved_message(saved.info),
            [r.to_dict() for r in saved.history],
            [],
            [],
            float(saved.info.get("train_seconds") or 0.0),
            int(saved.info.get("samples_seen") or 0),
        )
        run.model_key = config.run_id
        run.message = run.outcome.message
        run.started = run.finished = time.perf_counter()
        self.models.put(config.run_id, saved.autoencoder, reload=lambda: load_autoencoder(folder))
        run.done.set()
        self._index[run.run_id] = run
        return run

    def _cancel(self, run: _Run, message: str) -> None:
        for waiting in (self._queue, self._ahead):
            if run in waiting:
                waiting.remove(run)
        if self._index.get(run.run_id) is run:
            del self._index[run.run_id]
        run.state, run.message = "cancelled", message
        run.finished = time.perf_counter()
        run.done.set()

    def _set_stop_flag(self, run: _Run) -> None:
        if run.slot is not None:
            self._stop_flags[run.slot] = 1

    def _renew_idle_lanes(self) -> None:
        """A worker that has trained and then sat idle a while gets a fresh process: what its
        runs made TensorFlow keep goes back to the system once a class has finished, not
        only after `runs_per_worker` runs."""
        with self._lock:
            if self._queue or self._closed.is_set():
                return
            since = time.monotonic() - self._renew_idle_after
            for lane in self._lanes:
                if lane.run is None and lane.runs and lane.free_since <= since:
                    self._replace_pool(lane)

    def _pool_broke(self, lane: _Lane, exc: BaseException) -> None:
        log.error("a training process died (%s); starting a new one", exc)
        lane.run = None
        if lane in self._lanes and not self._closed.is_set():
            self._replace_pool(lane)

    # --- snapshots and estimates --------------------------------------------------------------
    def _snapshot(self, run: _Run) -> JobSnapshot:
        now = time.perf_counter()
        start = run.started if run.started is not None else run.submitted
        end = run.finished if run.finished is not None else now
        place = self._queue.index(run) + 1 if run in self._queue else None
        return JobSnapshot(
            state=run.state,
            config=run.config,
            progress=run.progress,
            epochs=tuple(run.epochs),
            result=None,
            message=run.message,
            elapsed=end - start,
            queue_place=place,
            expected_start=self._expected_start(run) if place else None,
            watchers=len(run.watchers),
            run_id=run.run_id,
            prepared=run.prepared,
        )

    def _expected_start(self, run: _Run) -> float:
        """Seconds until a waiting run starts, if every run takes what it usually takes."""
        free_in = []
        for running in self._running:
            progress = running.progress
            if progress is not None and progress.eta_seconds == progress.eta_seconds:
                free_in.append(progress.eta_seconds)
            else:
                elapsed = time.perf_counter() - (running.started or time.perf_counter())
                free_in.append(max(0.0, estimated_seconds(running.config) - elapsed))
        free_in += [0.0] * (self.workers - len(free_in))
        for waiting in self._queue:
            free_in.sort()
            if waiting is run:
                return free_in[0]
            free_in[0] += estimated_seconds(waiting.config)
        return 0.0

    # --- helper threads ----------------------------------------------------------------------
    def _relay(self) -> None:
        """Progress from the workers into the runs' snapshots."""
        while True:
            item = self._progress.get()
            if item is None:
                return
            tag, event = item
            with self._lock:
                run = next((r for r in self._running if r.order == tag), None)
                if run is None:
                    continue
                if isinstance(event, str) and event == END_OF_PROGRESS:
                    run.relayed.set()
                    continue
                run.state = "running"
                if isinstance(event, BatchProgress):
                    run.progress, run.message = event, event.stage
                else:
                    run.epochs.append(event)

    def _janitor(self) -> None:
        """Release sessions that have been gone longer than Streamlit keeps them, and now and
        then let the host tidy up (e.g. return freed memory to the system)."""
        last_tidy = time.monotonic()
        while not self._closed.wait(2.0):
            self._renew_idle_lanes()
            due = time.monotonic() - last_tidy >= self._housekeeping_seconds
            if self._housekeeping is not None and due:
                last_tidy = time.monotonic()
                try:
                    self._housekeeping()
                except Exception:
                    log.exception("housekeeping failed")
            if self._is_connected is None:
                continue
            with self._lock:
                sessions = {s for r in [*self._queue, *self._running] for s in r.watchers}
                sessions |= set(self._sessions_seen_gone)
            now = time.monotonic()
            for session_id in sessions:
                try:
                    connected = self._is_connected(session_id)
                except Exception:
                    log.exception("liveness check failed")
                    connected = True
                if connected:
                    self._sessions_seen_gone.pop(session_id, None)
                    continue
                since = self._sessions_seen_gone.setdefault(session_id, now)
                if now - since >= self._grace:
                    self.release_session(session_id)


def one_process_pool(initializer: Callable, initargs: tuple) -> concurrent.futures.Executor:
    """A lane's pool: one worker process, started with `spawn` (a fresh interpreter that
    shares nothing with the server's threads), ready once `initializer` has run."""
    return concurrent.futures.ProcessPoolExecutor(
        max_workers=1,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=initializer,
        initargs=initargs,
    )


def _warm_up() -> int:
    from ae_core.worker import warm_up

    return warm_up()


def _train(tag: int, config_values: dict, slot: int) -> WorkerResult:
    from ae_core.worker import train_run

    return train_run(tag, config_values, slot)


def _broken_message() -> str:
    return lazy(
        "The training process stopped unexpectedly (perhaps the server ran short of memory). "
        "Try again; a smaller training set or network needs less."
    )


def _unavailable(key: str) -> Callable[[], Autoencoder]:
    def reload() -> Autoencoder:
        raise TrainingError(
            lazy("The model of run {key} is no longer available; train it again.", key=key)
        )

    return reload


def _without_weights(outcome: WorkerResult | None) -> WorkerResult | None:
    if outcome is None:
        return None
    return WorkerResult(
        outcome.status,
        outcome.message,
        outcome.history,
        [],
        [],
        outcome.train_seconds,
        outcome.samples_seen,
    )


def default_workers() -> int:
    """Trainings at once: $AE_TRAINING_WORKERS, or what bench/workers.py found best on a
    2-core machine (2: twice the throughput of 1, as one run's start-up overlaps another's
    training; 3 is slower again)."""
    value = os.environ.get("AE_TRAINING_WORKERS", "").strip()
    return max(1, int(value)) if value.isdigit() else 2
