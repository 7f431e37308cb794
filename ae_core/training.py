"""One entry point that trains any architecture: `train(config, ...)`.

A run is repeatable from its seed alone: the seed fixes the initial weights (per-layer
initializer seeds), the training subset, the shuffling and the noise (numpy Generators owned by
the run). Nothing here touches process-wide random state, so sessions can train side by side.

Training can be stopped from another thread with a `threading.Event` (honoured within 20 ms,
before the next batch: `ae_core.batch_gate`); a loss that turns NaN or infinite stops the run
when the call into the graph it appears in returns (at most `report_every` batches, a
fraction of a second) and restores the last weights that gave a finite loss.
"""

from __future__ import annotations

import functools
import math
import threading
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Literal

import keras
import numpy as np
import tensorflow as tf

from ae_core.architectures import Autoencoder, PretrainStage, get_architecture
from ae_core.architectures.autoencoder import predict_in_batches
from ae_core.architectures.model import AutoencoderModel
from ae_core.batch_gate import BatchGate, StopRelay
from ae_core.config import TrainConfig
from ae_core.constants import FINAL_STAGE
from ae_core.data import Dataset, load_dataset, one_per_class, subset, subset_indices
from ae_core.errors import TrainingError
from ae_core.i18n import N_, lazy
from ae_core.noise import add_noise
from ae_core.progress import BatchProgress, EpochReport, ProgressCallback, RateClock
from ae_core.run_config import RunConfig

# Our batches end early on purpose when a run is stopped; Keras would warn about it every time.
warnings.filterwarnings("ignore", message="Your input ran out of data", category=UserWarning)

Status = Literal["completed", "stopped", "diverged"]
# Batches per progress report, and per call into the graph (see _run_stage).
REPORT_EVERY = 32
CODE_SAMPLE_SIZE = 2_000
NOTHING_TRAINED = lazy("Stopped before the first batch: nothing was trained.")
VALIDATION_BATCH = 1_000


@dataclass(frozen=True)
class EpochRecord:
    stage: str
    epoch: int
    train: dict[str, float]
    validation: dict[str, float]
    seconds: float

    def to_dict(self) -> dict:
        return {
            "stage": self.stage,
            "epoch": self.epoch,
            "train": self.train,
            "validation": self.validation,
            "seconds": self.seconds,
        }


@dataclass
class TrainingResult:
    config: RunConfig
    autoencoder: Autoencoder
    status: Status
    message: str
    history: list[EpochRecord] = field(default_factory=list)
    train_seconds: float = 0.0
    samples_seen: int = 0

    @property
    def samples_per_second(self) -> float:
        return self.samples_seen / self.train_seconds if self.train_seconds > 0 else 0.0


@dataclass(frozen=True)
class TrainingData:
    """The images one run uses: its training subset, validation images and showcase sets.

    The training images are named by their positions in the dataset (`train_positions` in
    `all_train`): a run on clean images gathers its batches straight from one tensor of the
    dataset per process, with no copy of its own (bench/overhead.py); `x_train`, the subset
    as an array, is only made for the runs that need it (noise, pretraining)."""

    all_train: np.ndarray  # the dataset's training images, read-only
    train_positions: np.ndarray
    x_val: np.ndarray
    showcase: np.ndarray  # one test image per class, reconstructed after every epoch
    code_images: np.ndarray  # a fixed sample of test images whose codes are reported
    code_labels: np.ndarray

    @functools.cached_property
    def x_train(self) -> np.ndarray:
        return self.all_train[self.train_positions]

    @classmethod
    def from_dataset(cls, dataset: Dataset, config: RunConfig) -> TrainingData:
        seed = config.train.seed
        x_val, _labels = subset(
            *normal_only(dataset.x_test, dataset.y_test, config),
            config.data.validation_size,
            seed + 1,
        )
        code_images, code_labels = subset(dataset.x_test, dataset.y_test, CODE_SAMPLE_SIZE, seed)
        showcase = dataset.x_test[one_per_class(dataset.y_test, len(dataset.class_names))]
        positions = training_positions(dataset, config)
        return cls(dataset.x_train, positions, x_val, showcase, code_images, code_labels)


def training_positions(dataset: Dataset, config: RunConfig) -> np.ndarray:
    """Where `training_set`'s images are in `dataset.x_train`, in the same order."""
    positions = np.arange(len(dataset.x_train))
    if config.data.exclude_classes:
        positions = positions[~np.isin(dataset.y_train, config.data.exclude_classes)]
    return positions[subset_indices(len(positions), config.data.train_size, config.train.seed)]


_stores: dict[int, tuple[np.ndarray, tf.Tensor]] = {}
_stores_lock = threading.Lock()


def image_store(images: np.ndarray) -> tf.Tensor:
    """A dataset's images as one uint8 tensor per process, which every run gathers from.

    A quarter of the float32 images' memory; batches are scaled back to [0, 1] as they are
    gathered, giving the very same floats (`data._as_images` divides the same bytes by 255).
    """
    with _stores_lock:
        entry = _stores.get(id(images))
        if entry is None or entry[0] is not images:
            as_bytes = np.rint(images * 255.0).astype(np.uint8)
            if len(_stores) >= 4:
                _stores.clear()
            _stores[id(images)] = entry = (images, tf.constant(as_bytes))
        return entry[1]


def training_set(dataset: Dataset, config: RunConfig) -> tuple[np.ndarray, np.ndarray]:
    """The exact training images and labels a run uses: its seeded subset of the classes it
    keeps (a run that leaves classes out never sees them)."""
    positions = training_positions(dataset, config)
    if len(positions) == len(dataset.x_train):  # every image, in order: no copy
        return dataset.x_train, dataset.y_train
    return dataset.x_train[positions], dataset.y_train[positions]


def normal_only(
    images: np.ndarray, labels: np.ndarray, config: RunConfig
) -> tuple[np.ndarray, np.ndarray]:
    """The images of the classes a run trains on (all of them unless it leaves some out)."""
    if not config.data.exclude_classes:
        return images, labels
    keep = ~np.isin(labels, config.data.exclude_classes)
    return images[keep], labels[keep]


def make_optimizer(train: TrainConfig) -> keras.optimizers.Optimizer:
    rate = train.effective_learning_rate
    optimizers = {
        "adam": lambda: keras.optimizers.Adam(learning_rate=rate),
        "adadelta": lambda: keras.optimizers.Adadelta(learning_rate=rate),
        "rmsprop": lambda: keras.optimizers.RMSprop(learning_rate=rate),
        "sgd": lambda: keras.optimizers.SGD(learning_rate=rate, momentum=0.9),
    }
    return optimizers[train.optimizer]()


def build_autoencoder(config: RunConfig) -> Autoencoder:
    """The untrained autoencoder a run starts from (same seed, same initial weights)."""
    architecture = get_architecture(config.architecture)
    return architecture.build(config.model, config.train.loss, config.train.seed)


def train(
    config: RunConfig,
    dataset: Dataset | None = None,
    *,
    on_progress: ProgressCallback | None = None,
    stop: threading.Event | None = None,
    report_every: int = REPORT_EVERY,
    autoencoder: Autoencoder | None = None,
) -> TrainingResult:
    """Train the architecture `config` describes and return the model with its history.

    `on_progress` receives a `BatchProgress` every `report_every` batches and an
    `EpochReport` after every epoch, on the calling thread. Setting `stop` ends the run before
    its next batch; the model keeps the weights it has. `autoencoder` may be a freshly built
    model from `build_autoencoder(config)` (e.g. to show its layers before training).
    """
    dataset = dataset if dataset is not None else load_dataset(config.data.dataset)
    if dataset.name != config.data.dataset:
        raise TrainingError(
            lazy(
                "This run needs {dataset}, not {name}.",
                dataset=config.data.dataset,
                name=dataset.name,
            )
        )
    data = TrainingData.from_dataset(dataset, config)
    ae = autoencoder if autoencoder is not None else build_autoencoder(config)
    return _Trainer(config, ae, data, on_progress, stop, max(1, report_every)).run()


@dataclass(frozen=True)
class _StageData:
    """What one stage trains on: a model, its clean targets, noise and validation batches."""

    title: str
    model: AutoencoderModel
    targets: tf.Tensor  # what the stage rebuilds, batches gathered from it by position
    positions: np.ndarray  # where the stage's examples are in `targets`
    clean: np.ndarray | None  # a denoising stage's examples, corrupted anew every epoch
    # (set exactly when `noise` is)
    noise: tuple[str, float] | None  # corrupts the inputs (pixels only, never lower codes)
    validation: list[tuple[tf.Tensor, tf.Tensor]]  # held-out (inputs, targets) batches

    @classmethod
    def of_examples(
        cls,
        title: str,
        model: AutoencoderModel,
        examples: np.ndarray,
        noise: tuple[str, float] | None,
        validation: list[tuple[tf.Tensor, tf.Tensor]],
    ) -> _StageData:
        """A stage over a tensor of its own: pixels to corrupt anew each epoch, or codes."""
        clean = examples if noise is not None else None
        positions = np.arange(len(examples))
        return cls(title, model, tf.constant(examples), positions, clean, noise, validation)


@dataclass
class _EpochPosition:
    """Where the run is, for progress reports: stage, epoch, batches counted so far."""

    title: str = FINAL_STAGE
    epoch: int = 1
    epochs: int = 1
    batches_counted: int = 0


class _Trainer:
    """Runs the stages of one run (pretraining layers, then training) and keeps its history."""

    def __init__(
        self,
        config: RunConfig,
        ae: Autoencoder,
        data: TrainingData,
        on_progress: ProgressCallback | None,
        stop: threading.Event | None,
        report_every: int,
    ):
        self.config = config
        self.ae = ae
        self.data = data
        self.on_progress = on_progress
        self.stop = stop if stop is not None else threading.Event()
        self.report_every = report_every
        shuffle_seed, noise_seed = np.random.SeedSequence([config.train.seed, 0xAE]).spawn(2)
        self.shuffle_rng = np.random.default_rng(shuffle_seed)
        self.noise_rng = np.random.default_rng(noise_seed)
        self.history: list[EpochRecord] = []
        self.batches_per_epoch = math.ceil(len(data.train_positions) / config.train.batch_size)
        pretrain_epochs = getattr(config.model, "pretrain_epochs", 0)
        self.stages: list[tuple[PretrainStage | None, int]] = [
            *((stage, pretrain_epochs) for stage in ae.pretraining),
            (None, config.train.epochs),
        ]
        self.clock = RateClock(sum(e for _, e in self.stages) * self.batches_per_epoch)
        self.position = _EpochPosition()

    def run(self) -> TrainingResult:
        status: Status = "completed"
        message = ""
        for stage, epochs in self.stages:
            status, message = self._run_stage(stage, epochs)
            if status != "completed":
                break
        if status == "completed":
            message = lazy(
                "Trained for {epochs} epochs in {seconds:.0f} s.",
                epochs=self.config.train.epochs,
                seconds=self.clock.elapsed,
            )
        elif status == "stopped" and self.clock.samples == 0:
            message = NOTHING_TRAINED
        return TrainingResult(
            config=self.config,
            autoencoder=self.ae,
            status=status,
            message=message,
            history=self.history,
            train_seconds=self.clock.elapsed,
            samples_seen=self.clock.samples,
        )

    def _run_stage(self, stage: PretrainStage | None, epochs: int) -> tuple[Status, str]:
        data = self._stage_data(stage)
        # Keras runs one report window of batches per call into the graph: for small dense
        # models that saves most of the per-batch Python overhead (bench/speedups.py), and
        # a stop still lands before the next batch because each batch passes the gate.
        data.model.compile(
            optimizer=make_optimizer(self.config.train), steps_per_execution=self.report_every
        )
        monitor = _Monitor(self.stop, self._batches_done, self.batches_per_epoch)
        feed = EpochFeed(
            data.targets,
            len(data.positions),
            self.config.train.batch_size,
            gate=monitor.gate,
            noisy=data.clean is not None,
        )
        with StopRelay(self.stop, monitor.gate):
            return self._run_epochs(stage, epochs, data, feed, monitor)

    def _run_epochs(
        self,
        stage: PretrainStage | None,
        epochs: int,
        data: _StageData,
        feed: EpochFeed,
        monitor: _Monitor,
    ) -> tuple[Status, str]:
        # One tensor per stage (per process, for clean images); each epoch only gathers
        # batches from it in a new order. (Handing Keras numpy arrays per epoch would copy
        # the whole set twice an epoch.)
        for epoch in range(1, epochs + 1):
            if self.stop.is_set():
                return "stopped", self._stopped_message(data.title, epoch - 1, epochs, True)
            self.position = _EpochPosition(data.title, epoch, epochs)
            train_logs, val_logs = self._run_epoch(data, feed, monitor, epoch)
            diverged_at = monitor.diverged_at
            if diverged_at is None and not monitor.stopped and not finite(train_logs, val_logs):
                diverged_at = (epoch, self.batches_per_epoch)  # only the epoch's totals overflowed
            if diverged_at is not None:
                return "diverged", self._diverged_message(diverged_at, monitor.restore_last_good())
            if monitor.stopped:
                return "stopped", self._stopped_message(data.title, epoch, epochs)
            self._end_epoch(data.title, epoch, epochs, train_logs, val_logs, final=stage is None)
        return "completed", ""

    def _stage_data(self, stage: PretrainStage | None) -> _StageData:
        title = stage.title if stage is not None else FINAL_STAGE
        model = stage.model if stage is not None else self.ae.model
        if stage is None or stage.inputs_from is None:
            # Pixels are corrupted for a denoising autoencoder; codes of lower layers never are.
            noise, x_val = self.ae.training_noise, self.data.x_val
            validation = _batches(self._corrupt(x_val, noise), x_val)
            if noise is None:
                store = image_store(self.data.all_train)
                return _StageData(
                    title, model, store, self.data.train_positions, None, None, validation
                )
            return _StageData.of_examples(title, model, self.data.x_train, noise, validation)
        # A deeper layer learns to rebuild the codes of the layers below it.
        targets = predict_in_batches(stage.inputs_from, self.data.x_train)
        val_targets = predict_in_batches(stage.inputs_from, self.data.x_val)
        validation = _batches(val_targets, val_targets)
        return _StageData.of_examples(title, model, targets, None, validation)

    def _run_epoch(
        self, data: _StageData, feed: EpochFeed, monitor: _Monitor, epoch: int
    ) -> tuple[dict[str, float], dict[str, float]]:
        """One pass over the stage's images in a new order; the epoch's train and val logs."""
        order = data.positions[self.shuffle_rng.permutation(len(data.positions))]
        noisy = None if data.clean is None else self._corrupt(data.clean, data.noise)
        monitor.start_epoch(epoch)
        history = data.model.fit(
            feed.epoch(order, noisy),
            epochs=1,
            shuffle=False,  # the order above comes from the run's own generator
            callbacks=[monitor],
            verbose=0,
        ).history
        train_logs = {k: float(v[-1]) for k, v in history.items()}
        if monitor.stopped or monitor.diverged_at is not None:
            return train_logs, {}  # the epoch did not end: nothing to validate
        return train_logs, data.model.validation_losses(data.validation)

    def _batches_done(self, batches_taken: int, loss: float) -> None:
        """The monitor's report after each call into the graph: count, and maybe tell."""
        position, size = self.position, self.config.train.batch_size
        for index in range(position.batches_counted, batches_taken):
            self.clock.batch_done(min(size, len(self.data.train_positions) - index * size))
        position.batches_counted = batches_taken
        last = batches_taken == self.batches_per_epoch
        if batches_taken % self.report_every and not last:
            return
        self.clock.close_window()
        if self.on_progress is not None:
            self.on_progress(
                BatchProgress(
                    stage=position.title,
                    epoch=position.epoch,
                    epochs=position.epochs,
                    batch=batches_taken,
                    batches=self.batches_per_epoch,
                    fraction=self.clock.fraction,
                    loss=loss,
                    samples_per_second=self.clock.samples_per_second,
                    eta_seconds=self.clock.eta_seconds,
                )
            )

    def _corrupt(self, images: np.ndarray, noise: tuple[str, float] | None) -> np.ndarray:
        if noise is None:
            return images
        kind, level = noise
        return add_noise(images, kind, level, self.noise_rng)

    def _end_epoch(
        self,
        title: str,
        epoch: int,
        epochs: int,
        train_logs: dict[str, float],
        val_logs: dict[str, float],
        final: bool,
    ) -> None:
        record = EpochRecord(title, epoch, train_logs, val_logs, round(self.clock.elapsed, 3))
        self.history.append(record)
        if self.on_progress is None:
            return
        images = {}
        if final:
            images = {
                "originals": self.data.showcase,
                "reconstructions": self.ae.reconstruct(self.data.showcase),
                "codes": self.ae.encode(self.data.code_images),
                "code_labels": self.data.code_labels,
            }
        self.on_progress(
            EpochReport(
                stage=title,
                epoch=epoch,
                epochs=epochs,
                fraction=self.clock.fraction,
                train=train_logs,
                validation=val_logs,
                seconds=record.seconds,
                **images,
            )
        )
        # Validation and snapshots are not batches: keep them out of the throughput window.
        self.clock.restart_window()

    def _stopped_message(self, title: str, epoch: int, epochs: int, finished: bool = False) -> str:
        if title == FINAL_STAGE:
            template = (
                N_(
                    "Stopped after epoch {epoch} of {epochs}. The model keeps the weights it "
                    "had reached."
                )
                if finished
                else N_(
                    "Stopped during epoch {epoch} of {epochs}. The model keeps the weights "
                    "it had reached."
                )
            )
            return lazy(template, epoch=epoch, epochs=epochs)
        template = (
            N_(
                "Stopped after epoch {epoch} of {epochs} ({stage}). The model keeps the "
                "weights it had reached."
            )
            if finished
            else N_(
                "Stopped during epoch {epoch} of {epochs} ({stage}). The model keeps the "
                "weights it had reached."
            )
        )
        return lazy(template, epoch=epoch, epochs=epochs, stage=title)

    def _diverged_message(self, at: tuple[int, int], kept_from: tuple[int, int] | None) -> str:
        epoch, batch = at
        if kept_from is not None:
            kept = lazy(
                "The weights from before batch {batch} of epoch {epoch} were kept.",
                batch=kept_from[1],
                epoch=kept_from[0],
            )
        else:
            kept = lazy("The initial weights were kept.")
        lr = self.config.train.effective_learning_rate
        return lazy(
            "The loss became NaN or infinite by batch {batch} of epoch {epoch}, so training "
            "stopped. {kept} Try a smaller learning rate (it was {rate:g}).",
            batch=batch,
            epoch=epoch,
            kept=kept,
            rate=lr,
        )


def finite(*logs: Mapping[str, float]) -> bool:
    """Whether every loss in these logs is a finite number: the one test for divergence."""
    return all(math.isfinite(float(v)) for log in logs for v in log.values())


class EpochFeed:
    """A stage's input pipeline, built once: each epoch only puts its order (and, for a
    denoising stage, its freshly corrupted inputs) into variables the pipeline reads.

    A pipeline built anew every epoch traced its functions again and left garbage whose
    collection stalled epochs by up to 0.6 s (dense model, bench/overhead.py)."""

    def __init__(
        self,
        targets: tf.Tensor,
        count: int,
        batch_size: int,
        gate: BatchGate | None = None,
        noisy: bool = False,
    ):
        self.order = tf.Variable(tf.zeros([count], tf.int64), trainable=False)
        self.inputs = tf.Variable(tf.zeros_like(targets), trainable=False) if noisy else None
        order, batches = self.order, math.ceil(count / batch_size)
        indices = tf.data.Dataset.range(batches).map(
            lambda b: order[b * batch_size : tf.minimum((b + 1) * batch_size, count)]
        )
        source = self.inputs if self.inputs is not None else targets
        self.dataset = _gathered(indices, source, targets, gate)

    def epoch(self, order: np.ndarray, inputs: np.ndarray | None = None) -> tf.data.Dataset:
        self.order.assign(order.astype(np.int64))
        if inputs is not None and self.inputs is not None:
            self.inputs.assign(inputs)
        return self.dataset


def shuffled_batches(
    inputs: tf.Tensor,
    targets: tf.Tensor,
    order: np.ndarray,
    batch_size: int,
    gate: BatchGate | None = None,
) -> tf.data.Dataset:
    """Batches of (inputs, targets) in the given order, gathered from tensors in memory.

    Each batch passes `gate` as the model takes it; once the gate is closed the data ends
    there, even in the middle of a call that runs several batches.
    """
    indices = tf.data.Dataset.from_tensor_slices(order).batch(batch_size)
    return _gathered(indices, inputs, targets, gate)


def _gathered(
    indices: tf.data.Dataset,
    inputs: tf.Tensor,
    targets: tf.Tensor,
    gate: BatchGate | None,
) -> tf.data.Dataset:
    """(inputs, targets) batches gathered at each batch of `indices`, through `gate`."""

    def gather(tensor: tf.Tensor, i: tf.Tensor) -> tf.Tensor:
        batch = tf.gather(tensor, i)
        return tf.cast(batch, tf.float32) / 255.0 if tensor.dtype == tf.uint8 else batch

    if inputs is targets:  # clean images: one gather serves as input and target
        batches = indices.map(lambda i: (lambda x: (x, x))(gather(inputs, i)))
    else:
        batches = indices.map(lambda i: (gather(inputs, i), gather(targets, i)))
    batches = batches.prefetch(2)
    return batches if gate is None else through_gate(batches, gate)


def through_gate(batches: tf.data.Dataset, gate: BatchGate) -> tf.data.Dataset:
    """`batches`, each passing `gate` as the model takes it: last in the pipeline, with no
    prefetch injected after it, so no batch is asked for ahead of the model."""
    checked = batches.take_while(lambda *_: gate.admit())
    options = tf.data.Options()
    options.experimental_optimization.inject_prefetch = False
    return checked.with_options(options)


def _batches(inputs: np.ndarray, targets: np.ndarray) -> list[tuple[tf.Tensor, tf.Tensor]]:
    return [
        (
            tf.constant(inputs[i : i + VALIDATION_BATCH]),
            tf.constant(targets[i : i + VALIDATION_BATCH]),
        )
        for i in range(0, len(inputs), VALIDATION_BATCH)
    ]


class _Monitor(keras.callbacks.Callback):
    """Stop requests and last-good-weights snapshots, inside Keras' loop.

    Keras calls it once per call into the graph (`report_every` batches); every single batch
    passes its `gate` in the input pipeline, which is where a stop takes effect and where the
    batches are counted. It hands the count and the loss to `on_batches`, and knows nothing
    else about the run.
    """

    def __init__(
        self,
        stop: threading.Event,
        on_batches: Callable[[int, float], None],
        batches_per_epoch: int,
    ):
        super().__init__()
        self.stop = stop
        self.on_batches = on_batches
        self.batches_per_epoch = batches_per_epoch
        self.gate = BatchGate()
        self.epoch = 1
        self._stop_seen = False
        self.diverged_at: tuple[int, int] | None = None  # (epoch, batch)
        self._candidate: list[np.ndarray] | None = None
        self._candidate_at: tuple[int, int] | None = None
        self._last_good: list[np.ndarray] | None = None
        self._last_good_at: tuple[int, int] | None = None

    def start_epoch(self, epoch: int) -> None:
        self.epoch = epoch
        self.gate.reset()

    @property
    def batches_taken(self) -> int:
        return self.gate.admitted

    @property
    def stopped(self) -> bool:
        """Whether a stop cut the epoch short (the gate refused a batch, or Keras was told)."""
        refused = self.gate.closed and self.batches_taken < self.batches_per_epoch
        return self._stop_seen or refused

    def on_train_batch_begin(self, batch, logs=None):
        if self.stop.is_set():
            self._stop_seen = True
            self.model.stop_training = True
            return
        # The weights before this call are confirmed good once its loss comes out finite.
        self._candidate = self.model.get_weights()
        self._candidate_at = (self.epoch, self.batches_taken + 1)

    def on_train_batch_end(self, batch, logs=None):
        logs = logs or {}
        taken = self.batches_taken
        if not finite(logs):
            self.diverged_at = (self.epoch, taken)
            self.model.stop_training = True
            return
        if self._candidate is not None:
            self._last_good, self._last_good_at = self._candidate, self._candidate_at
            self._candidate = None
        self.on_batches(taken, float(logs["loss"]))
        if self.stop.is_set():  # e.g. set by the progress callback just above
            self._stop_seen = True
            self.model.stop_training = True

    def restore_last_good(self) -> tuple[int, int] | None:
        """Put back the last weights that gave a finite loss; (epoch, batch) they came before."""
        if self._last_good is None:
            return None
        self.model.set_weights(self._last_good)
        return self._last_good_at
