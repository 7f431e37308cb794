"""One entry point that trains any architecture: `train(config, ...)`.

A run is repeatable from its seed alone: the seed fixes the initial weights (per-layer
initializer seeds), the training subset, the shuffling and the noise (numpy Generators owned by
the run). Nothing here touches process-wide random state, so sessions can train side by side.

Training can be stopped from another thread with a `threading.Event` (honoured before the next
batch); a loss that turns NaN or infinite stops the run when the call into the graph it appears
in returns (at most `report_every` batches, a fraction of a second) and restores the last
weights that gave a finite loss.
"""

from __future__ import annotations

import math
import threading
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

import keras
import numpy as np
import tensorflow as tf

from ae_core.architectures import Autoencoder, get_architecture
from ae_core.architectures.autoencoder import predict_in_batches
from ae_core.config import TrainConfig
from ae_core.constants import FINAL_STAGE
from ae_core.data import Dataset, load_dataset, one_per_class, subset
from ae_core.errors import TrainingError
from ae_core.noise import add_noise
from ae_core.progress import BatchProgress, EpochReport, ProgressCallback, RateClock
from ae_core.run_config import RunConfig

# Our batches end early on purpose when a run is stopped; Keras would warn about it every time.
warnings.filterwarnings("ignore", message="Your input ran out of data", category=UserWarning)

Status = Literal["completed", "stopped", "diverged"]
# Batches per progress report, and per call into the graph (see _run_stage).
REPORT_EVERY = 10
CODE_SAMPLE_SIZE = 2_000
NOTHING_TRAINED = "Stopped before the first batch: nothing was trained."
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
    """The images one run uses: its training subset, validation images and showcase sets."""

    x_train: np.ndarray
    y_train: np.ndarray
    x_val: np.ndarray
    showcase: np.ndarray  # one test image per class, reconstructed after every epoch
    code_images: np.ndarray  # a fixed sample of test images whose codes are reported
    code_labels: np.ndarray

    @classmethod
    def from_dataset(cls, dataset: Dataset, config: RunConfig) -> TrainingData:
        seed = config.train.seed
        x_train, y_train = training_set(dataset, config)
        x_val, _ = subset(dataset.x_test, dataset.y_test, config.data.validation_size, seed + 1)
        code_images, code_labels = subset(dataset.x_test, dataset.y_test, CODE_SAMPLE_SIZE, seed)
        showcase = dataset.x_test[one_per_class(dataset.y_test, len(dataset.class_names))]
        return cls(x_train, y_train, x_val, showcase, code_images, code_labels)


def training_set(dataset: Dataset, config: RunConfig) -> tuple[np.ndarray, np.ndarray]:
    """The exact training images and labels a run uses: its seeded subset."""
    return subset(dataset.x_train, dataset.y_train, config.data.train_size, config.train.seed)


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
        raise TrainingError(f"This run needs {config.data.dataset}, not {dataset.name}.")
    data = TrainingData.from_dataset(dataset, config)
    ae = autoencoder if autoencoder is not None else build_autoencoder(config)
    return _Trainer(config, ae, data, on_progress, stop, max(1, report_every)).run()


class _Trainer:
    def __init__(self, config, ae, data, on_progress, stop, report_every):
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
        batch = config.train.batch_size
        self.batches_per_epoch = math.ceil(len(data.x_train) / batch)
        stages = [*ae.pretraining, None]
        epochs = [self._epochs_of(s) for s in stages]
        self.clock = RateClock(sum(epochs) * self.batches_per_epoch)
        self.stages = list(zip(stages, epochs, strict=True))

    def _epochs_of(self, stage) -> int:
        return self.config.model.pretrain_epochs if stage is not None else self.config.train.epochs

    def run(self) -> TrainingResult:
        status, message = "completed", ""
        for stage, epochs in self.stages:
            status, message = self._run_stage(stage, epochs)
            if status != "completed":
                break
        if status == "completed":
            message = (
                f"Trained for {self.config.train.epochs} epochs in {self.clock.elapsed:.0f} s."
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

    def _run_stage(self, stage, epochs: int) -> tuple[Status, str]:
        model = stage.model if stage is not None else self.ae.model
        title = stage.title if stage is not None else FINAL_STAGE
        to_inputs = stage.inputs_from if stage is not None else None
        # Pixels are corrupted for a denoising autoencoder; codes of lower layers never are.
        noise = self.ae.training_noise if to_inputs is None else None
        targets = (
            self.data.x_train
            if to_inputs is None
            else predict_in_batches(to_inputs, self.data.x_train)
        )
        val_clean = (
            self.data.x_val if to_inputs is None else predict_in_batches(to_inputs, self.data.x_val)
        )
        validation = _batches(self._corrupt(val_clean, noise), val_clean, VALIDATION_BATCH)
        # One tensor per stage; each epoch only gathers batches from it in a new order.
        # (Handing Keras numpy arrays per epoch would copy the whole set twice an epoch.)
        target_tensor = tf.constant(targets)

        # Keras runs one report window of batches per call into the graph: for small dense
        # models that saves most of the per-batch Python overhead (bench/speedups.py), and
        # a stop still lands before the next batch because the input pipeline checks it.
        model.compile(
            optimizer=make_optimizer(self.config.train), steps_per_execution=self.report_every
        )
        monitor = _Monitor(self, title, epochs)
        for epoch in range(1, epochs + 1):
            if self.stop.is_set():
                return "stopped", self._stopped_message(title, epoch - 1, epochs, finished=True)
            order = self.shuffle_rng.permutation(len(targets))
            inputs = target_tensor if noise is None else tf.constant(self._corrupt(targets, noise))
            monitor.start_epoch(epoch)
            batches = shuffled_batches(
                inputs,
                target_tensor,
                order,
                self.config.train.batch_size,
                keep_going=monitor.take_next_batch,
            )
            history = model.fit(
                batches,
                epochs=1,
                shuffle=False,  # the order above comes from the run's own generator
                validation_data=validation,
                callbacks=[monitor],
                verbose=0,
            ).history
            if monitor.diverged is not None:
                return "diverged", monitor.restore_last_good()
            train_logs = {k: float(v[-1]) for k, v in history.items() if not k.startswith("val_")}
            val_logs = {k[4:]: float(v[-1]) for k, v in history.items() if k.startswith("val_")}
            if monitor.stopped:
                return "stopped", self._stopped_message(title, epoch, epochs)
            bad = [k for k, v in {**train_logs, **val_logs}.items() if not math.isfinite(v)]
            if bad:
                monitor.diverged = (epoch, self.batches_per_epoch)
                return "diverged", monitor.restore_last_good()
            self._end_epoch(title, epoch, epochs, train_logs, val_logs, final=stage is None)
        return "completed", ""

    def _corrupt(self, images: np.ndarray, noise: tuple[str, float] | None) -> np.ndarray:
        if noise is None:
            return images
        kind, level = noise
        return add_noise(images, kind, level, self.noise_rng)

    def _end_epoch(self, title, epoch, epochs, train_logs, val_logs, final: bool) -> None:
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
        where = "" if title == FINAL_STAGE else f" ({title[0].lower()}{title[1:]})"
        when = f"after epoch {epoch}" if finished else f"during epoch {epoch}"
        return f"Stopped {when} of {epochs}{where}. The model keeps the weights it had reached."


def shuffled_batches(
    inputs: tf.Tensor,
    targets: tf.Tensor,
    order: np.ndarray,
    batch_size: int,
    keep_going: Callable[[], bool] | None = None,
) -> tf.data.Dataset:
    """Batches of (inputs, targets) in the given order, gathered from tensors in memory.

    `keep_going` is asked before each batch is handed to the model; once it says False the
    data ends there, even in the middle of a call that runs several batches.
    """
    indices = tf.data.Dataset.from_tensor_slices(order).batch(batch_size)
    batches = indices.map(lambda i: (tf.gather(inputs, i), tf.gather(targets, i))).prefetch(2)
    if keep_going is None:
        return batches
    # After the prefetch, and with no prefetch injected after it, so the question is asked
    # when the model takes a batch, not ahead of it.
    checked = batches.take_while(lambda *_: tf.reshape(tf.py_function(keep_going, [], tf.bool), []))
    options = tf.data.Options()
    options.experimental_optimization.inject_prefetch = False
    return checked.with_options(options)


def _batches(inputs: np.ndarray, targets: np.ndarray, batch_size: int) -> tf.data.Dataset:
    return tf.data.Dataset.from_tensor_slices((inputs, targets)).batch(batch_size).cache()


class _Monitor(keras.callbacks.Callback):
    """Stop requests, progress reports and last-good-weights snapshots.

    Keras calls it once per call into the graph (`report_every` batches); the input pipeline
    asks `take_next_batch` before every single batch, which is where a stop takes effect and
    where the batches are counted.
    """

    def __init__(self, trainer: _Trainer, stage: str, epochs: int):
        super().__init__()
        self.trainer = trainer
        self.stage = stage
        self.epochs = epochs
        self.epoch = 1
        self.batches_taken = 0
        self._batches_counted = 0
        self.stopped = False
        self.diverged: tuple[int, int] | None = None
        self._candidate: list[np.ndarray] | None = None
        self._last_good: list[np.ndarray] | None = None
        self._last_good_at: tuple[int, int] | None = None
        self._candidate_at: tuple[int, int] | None = None

    def start_epoch(self, epoch: int) -> None:
        self.epoch = epoch
        self.batches_taken = self._batches_counted = 0

    def take_next_batch(self) -> bool:
        """Called by the input pipeline (a TensorFlow thread) before each batch."""
        if self.trainer.stop.is_set():
            self.stopped = True
            return False
        self.batches_taken += 1
        return True

    def on_train_batch_begin(self, batch, logs=None):
        if self.trainer.stop.is_set():
            self.stopped = True
            self.model.stop_training = True
            return
        # The weights before this call are confirmed good once its loss comes out finite.
        self._candidate = self.model.get_weights()
        self._candidate_at = (self.epoch, self.batches_taken + 1)

    def on_train_batch_end(self, batch, logs=None):
        loss = float(logs["loss"])
        if not math.isfinite(loss):
            self.diverged = (self.epoch, self.batches_taken)
            self.model.stop_training = True
            return
        if self._candidate is not None:
            self._last_good, self._last_good_at = self._candidate, self._candidate_at
            self._candidate = None
        trainer = self.trainer
        size = trainer.config.train.batch_size
        for index in range(self._batches_counted, self.batches_taken):
            trainer.clock.batch_done(min(size, len(trainer.data.x_train) - index * size))
        self._batches_counted = self.batches_taken
        last = self.batches_taken == trainer.batches_per_epoch
        if self.batches_taken % trainer.report_every == 0 or last:
            trainer.clock.close_window()
            if trainer.on_progress is not None:
                trainer.on_progress(
                    BatchProgress(
                        stage=self.stage,
                        epoch=self.epoch,
                        epochs=self.epochs,
                        batch=self.batches_taken,
                        batches=trainer.batches_per_epoch,
                        fraction=trainer.clock.fraction,
                        loss=loss,
                        samples_per_second=trainer.clock.samples_per_second,
                        eta_seconds=trainer.clock.eta_seconds,
                    )
                )
        if trainer.stop.is_set():  # e.g. set by the progress callback just above
            self.stopped = True
            self.model.stop_training = True

    def restore_last_good(self) -> str:
        epoch, batch = self.diverged
        lr = self.trainer.config.train.effective_learning_rate
        if self._last_good is not None:
            self.model.set_weights(self._last_good)
            kept_epoch, kept_batch = self._last_good_at
            kept = f"The weights from before batch {kept_batch} of epoch {kept_epoch} were kept."
        else:
            kept = "The initial weights were kept."
        return (
            f"The loss became NaN or infinite by batch {batch} of epoch {epoch}, so training "
            f"stopped. {kept} Try a smaller learning rate (it was {lr:g})."
        )
