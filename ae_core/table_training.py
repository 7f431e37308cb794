"""Autoencoders for rows of a table: build, train in a thread, and read codes out.

Rows are vectors, so the networks are dense: a shallow one (features -> code -> features), a
deep one with two hidden layers each side, and a variational one. Like the image trainer, a
run is seeded through its own generators (layer initializer seeds, a numpy Generator for
shuffling, a SeedGenerator for the VAE's noise), so two sessions training at once stay
repeatable; the page reads immutable snapshots and never runs inside the training thread.
"""

from __future__ import annotations

import functools
import io
import json
import logging
import tempfile
import threading
import time
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import numpy as np

from ae_core.background import BackgroundRun
from ae_core.errors import ConfigError
from ae_core.i18n import N_, lazy, unexpected_failure
from ae_core.tables import PreparedTable

log = logging.getLogger(__name__)

TABLE_ARCHITECTURES: dict[str, str] = {
    "dense": N_("Shallow dense (features -> code -> features)"),
    "deep": N_("Deep dense (two hidden layers each side)"),
    "variational": N_("Variational (a Gaussian code per row)"),
}
TableState = Literal["starting", "running", "completed", "stopped", "diverged", "failed"]
TABLE_FINISHED: tuple[TableState, ...] = ("completed", "stopped", "diverged", "failed")


@dataclass(frozen=True)
class TableModelConfig:
    """The network and its training, validated in one place for the page and the CLI."""

    architecture: str = "deep"  # a key of TABLE_ARCHITECTURES
    latent_dim: int = 8
    epochs: int = 40
    batch_size: int = 32
    learning_rate: float = 1e-3
    # The KL weight of the variational model. Measured on the example table (4 planted
    # groups, 40 epochs): beta 1 reconstructed held-out rows worse than each column's mean
    # and kept the groups apart in only 61% of rows (5 nearest neighbours); 0.1 gave 97%.
    beta: float = 0.1
    seed: int = 0

    def __post_init__(self) -> None:
        if self.architecture not in TABLE_ARCHITECTURES:
            raise ConfigError(
                lazy(
                    "Architecture: choose one of {choices}.", choices=", ".join(TABLE_ARCHITECTURES)
                )
            )
        checks = [
            (1 <= self.latent_dim <= 256, lazy("The code size must be between 1 and 256.")),
            (1 <= self.epochs <= 1000, lazy("Epochs must be between 1 and 1000.")),
            (1 <= self.batch_size <= 4096, lazy("The batch size must be between 1 and 4096.")),
            (
                1e-6 <= self.learning_rate <= 1.0,
                lazy("The learning rate must be between 1e-6 and 1."),
            ),
            (0.0 <= self.beta <= 100.0, lazy("The KL weight must be between 0 and 100.")),
            (0 <= self.seed < 2**31, lazy("The seed must be between 0 and 2147483647.")),
        ]
        for ok, message in checks:
            if not ok:
                raise ConfigError(message)

    def hidden_widths(self, features: int) -> tuple[int, ...]:
        """Hidden layers of the encoder (the decoder mirrors them)."""
        if self.architecture == "dense":
            return ()
        first = int(min(256, max(4 * self.latent_dim, features // 2, 16)))
        if self.architecture == "variational":
            return (first,)
        return (first, max(2 * self.latent_dim, first // 2))


@dataclass(frozen=True)
class TableSnapshot:
    state: TableState
    epoch: int  # epochs finished
    epochs: int
    fraction: float
    train_loss: tuple[float, ...]  # one per finished epoch
    validation_loss: tuple[float, ...]
    message: str
    elapsed: float
    result: TableResult | None = None

    @property
    def finished(self) -> bool:
        return self.state in TABLE_FINISHED


@dataclass(frozen=True)
class TableResult:
    """A trained table model and what it says about every row."""

    config: TableModelConfig
    table: PreparedTable
    encoder: object  # keras.Model: rows (N, features) -> codes (N, latent_dim)
    codes: np.ndarray  # (rows, latent_dim), the mean code for the variational model
    errors: np.ndarray  # (rows,) mean squared reconstruction error, in scaled units
    epochs_trained: int
    train_loss: tuple[float, ...] = field(default=())
    validation_loss: tuple[float, ...] = field(default=())

    def most_unusual(self, count: int = 10) -> list[tuple[str, float, bool]]:
        """(ID, error, is a validation row) of the rows reconstructed worst, worst first."""
        validation = set(self.table.validation_rows.tolist())
        order = np.argsort(-self.errors, kind="stable")[:count]
        return [
            (str(self.table.ids[i]), float(self.errors[i]), int(i) in validation) for i in order
        ]

    def encoder_archive(self) -> bytes:
        """A zip with the encoder (.keras) and the preprocessing that must come before it."""
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "encoder.keras"
            self.encoder.save(path)  # type: ignore[attr-defined]
            model_bytes = path.read_bytes()
        preprocessing = {
            **self.table.scaler.to_dict(self.table.features),
            "id_column": self.table.id_column,
            "architecture": self.config.architecture,
            "latent_dim": self.config.latent_dim,
        }
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("encoder.keras", model_bytes)
            archive.writestr("preprocessing.json", json.dumps(preprocessing, indent=2))
            archive.writestr("README.txt", ENCODER_README)
        return buffer.getvalue()


ENCODER_README = """\
encoder.keras turns rows of your table into codes. Prepare rows the way the lab did:

    import json, keras, numpy as np
    prep = json.load(open("preprocessing.json"))
    x = rows[prep["columns"]].to_numpy(float)           # the columns, in this order
    x = np.where(np.isnan(x), prep["fill_missing_with"], x)
    x = (x - np.array(prep["shift"])) / np.array(prep["scale"])
    codes = keras.models.load_model("encoder.keras").predict(x)
"""


def build_table_autoencoder(config: TableModelConfig, features: int, bounded: bool):
    """(autoencoder, encoder) for rows of `features` numbers; `bounded`: outputs in 0..1."""
    import keras

    from ae_core.architectures.blocks import LayerSeeds, dense

    seeds = LayerSeeds(config.seed)
    widths = config.hidden_widths(features)
    rows = keras.Input((features,), name="row")
    x = rows
    for i, width in enumerate(widths, start=1):
        x = dense(width, "relu", seeds, f"encoder_dense_{i}")(x)
    output_activation = "sigmoid" if bounded else "linear"
    if config.architecture == "variational":
        mean = dense(config.latent_dim, "linear", seeds, "code_mean")(x)
        log_var = dense(config.latent_dim, "linear", seeds, "code_log_var")(x)
        encoder = keras.Model(rows, [mean, log_var], name="encoder")
    else:
        code = dense(config.latent_dim, "linear", seeds, "code")(x)
        encoder = keras.Model(rows, code, name="encoder")
    codes = keras.Input((config.latent_dim,), name="code_in")
    y = codes
    for i, width in enumerate(reversed(widths), start=1):
        y = dense(width, "relu", seeds, f"decoder_dense_{i}")(y)
    out = dense(features, output_activation, seeds, "reconstruction")(y)
    decoder = keras.Model(codes, out, name="decoder")
    model = _model_class()(encoder, decoder, config.architecture == "variational", config)
    model.compile(optimizer=keras.optimizers.Adam(config.learning_rate))
    return model


@functools.cache
def _model_class():
    """The Keras model class, defined on first use so importing this module stays light."""
    import keras
    import tensorflow as tf

    class TableAutoencoder(keras.Model):
        """Encoder + decoder; the variational one adds beta * KL / features to the loss."""

        def __init__(self, encoder, decoder, variational: bool, config: TableModelConfig):
            super().__init__(name="table_autoencoder")
            self.encoder = encoder
            self.decoder = decoder
            self.variational = variational
            self.beta = config.beta
            self.sampling_seed = keras.random.SeedGenerator(config.seed)
            self.loss_tracker = keras.metrics.Mean(name="loss")

        @property
        def metrics(self):
            return [self.loss_tracker]

        def encode(self, x):
            out = self.encoder(x, training=False)
            return out[0] if self.variational else out

        def _loss(self, x, training: bool):
            if self.variational:
                mean, log_var = self.encoder(x, training=training)
                eps = keras.random.normal(tf.shape(mean), seed=self.sampling_seed)
                z = mean + tf.exp(0.5 * log_var) * eps if training else mean
                kl = -0.5 * tf.reduce_sum(1 + log_var - tf.square(mean) - tf.exp(log_var), axis=1)
                reconstruction = self.decoder(z, training=training)
                per_row = tf.reduce_mean(tf.square(x - reconstruction), axis=1)
                return tf.reduce_mean(per_row + self.beta * kl / tf.cast(tf.shape(x)[1], x.dtype))
            reconstruction = self.decoder(self.encoder(x, training=training), training=training)
            return tf.reduce_mean(tf.square(x - reconstruction))

        def call(self, x, training=False):
            return self.decoder(self.encode(x), training=training)

        def train_step(self, data):
            x = data[0] if isinstance(data, tuple) else data
            with tf.GradientTape() as tape:
                loss = self._loss(x, training=True)
            grads = tape.gradient(loss, self.trainable_weights)
            self.optimizer.apply_gradients(zip(grads, self.trainable_weights, strict=True))
            self.loss_tracker.update_state(loss)
            return {"loss": self.loss_tracker.result()}

        def test_step(self, data):
            x = data[0] if isinstance(data, tuple) else data
            self.loss_tracker.update_state(self._loss(x, training=False))
            return {"loss": self.loss_tracker.result()}

    return TableAutoencoder


def train_table(
    table: PreparedTable,
    config: TableModelConfig,
    stop: threading.Event | None = None,
    on_epoch=None,
    on_batch=None,
    model=None,
) -> tuple[TableResult | None, TableState, str]:
    """Train on the training rows; (result, how it ended, a message for the user).

    Stop is checked after every batch. A loss that stops being a number ends the run and
    puts back the weights of the last good epoch. `model` is one made by
    `build_table_autoencoder` for this table (a new one by default).
    """
    import keras

    stop = stop or threading.Event()
    bounded = table.scaler.kind == "minmax"
    if model is None:
        model = build_table_autoencoder(config, len(table.features), bounded)
    rng = np.random.default_rng([config.seed, 0x7AB1E])
    train, validation = table.train, table.validation
    batches = max(1, -(-len(train) // config.batch_size))
    good_weights = None
    losses: list[float] = []
    val_losses: list[float] = []
    state: TableState = "completed"

    class Watch(keras.callbacks.Callback):
        def __init__(self, epoch: int):
            super().__init__()
            self.epoch = epoch
            self.diverged = False

        def on_train_batch_end(self, batch, logs=None):
            loss = float((logs or {}).get("loss", 0.0))
            if not np.isfinite(loss):
                self.diverged = True
                self.model.stop_training = True
            elif stop.is_set():
                self.model.stop_training = True
            if on_batch is not None:
                on_batch(self.epoch, batch + 1, batches, loss)

    for epoch in range(config.epochs):
        if stop.is_set():
            state = "stopped"
            break
        order = rng.permutation(len(train))
        watch = Watch(epoch)
        history = model.fit(
            train[order],
            epochs=1,
            batch_size=config.batch_size,
            shuffle=False,
            verbose=0,
            callbacks=[watch],
        )
        loss = float(history.history["loss"][-1])
        if watch.diverged or not np.isfinite(loss):
            state = "diverged"
            break
        if stop.is_set():
            state = "stopped"  # a part-epoch: keep its weights, like the image trainer
            good_weights = model.get_weights()
            break
        val_loss = float(model.evaluate(validation, batch_size=config.batch_size, verbose=0))
        losses.append(loss)
        val_losses.append(val_loss)
        good_weights = model.get_weights()
        if on_epoch is not None:
            on_epoch(epoch + 1, loss, val_loss)
    if good_weights is None:
        message = (
            lazy(
                "The loss stopped being a number in the first epoch, so there is no model to "
                "keep. Lower the learning rate and start again."
            )
            if state == "diverged"
            else lazy("Stopped before the first epoch ended: no model yet.")
        )
        return None, ("diverged" if state == "diverged" else "stopped"), message
    model.set_weights(good_weights)
    codes = np.asarray(model.encode(table.values), dtype="float32")
    reconstructions = np.asarray(model.decoder(codes, training=False))
    errors = np.mean((table.values - reconstructions) ** 2, axis=1)
    result = TableResult(
        config=config,
        table=table,
        encoder=_plain_encoder(model, config),
        codes=codes,
        errors=errors,
        epochs_trained=len(losses),
        train_loss=tuple(losses),
        validation_loss=tuple(val_losses),
    )
    done = len(losses)
    if state == "completed":
        message = lazy(
            "Trained for {epochs} epochs: validation loss {loss:.4f}.",
            epochs=done,
            loss=val_losses[-1],
        )
    elif state == "diverged":
        message = lazy(
            "The loss stopped being a number in epoch {epoch}: the model was put back to the "
            "end of epoch {kept}. Lower the learning rate to train further.",
            epoch=done + 1,
            kept=done,
        )
    elif losses:
        message = lazy(
            "Stopped after {epochs} full epoch(s); the model is kept as it is.", epochs=done
        )
    else:
        message = lazy("Stopped during the first epoch; the model is kept as it is.")
    return result, state, message


def _plain_encoder(model, config: TableModelConfig):
    """An encoder that gives one code per row (the mean, for the variational model)."""
    import keras

    if config.architecture != "variational":
        return model.encoder
    rows = model.encoder.inputs[0]
    return keras.Model(rows, model.encoder.outputs[0], name="encoder")


class TableTrainingJob(BackgroundRun):
    """One table run on its own thread; the page reads `snapshot()` whenever it redraws."""

    def __init__(self, table: PreparedTable, config: TableModelConfig):
        super().__init__("ae-table-training")
        self.table = table
        self.config = config
        self._state: TableState = "starting"
        self._epoch = 0
        self._fraction = 0.0
        self._losses: list[float] = []
        self._val_losses: list[float] = []
        self._message: str = lazy("Building the network...")
        self._result: TableResult | None = None
        self._ended: float | None = None

    def snapshot(self) -> TableSnapshot:
        with self._lock:
            end = self._ended if self._ended is not None else time.perf_counter()
            return TableSnapshot(
                state=self._state,
                epoch=self._epoch,
                epochs=self.config.epochs,
                fraction=self._fraction,
                train_loss=tuple(self._losses),
                validation_loss=tuple(self._val_losses),
                message=self._message,
                elapsed=end - self._started,
                result=self._result,
            )

    def _on_batch(self, epoch: int, batch: int, batches: int, loss: float) -> None:
        with self._lock:
            self._state = "running"
            self._fraction = (epoch + batch / batches) / self.config.epochs
            self._message = lazy(
                "Epoch {epoch}/{epochs} · batch {batch}/{batches} · loss {loss:.4f}",
                epoch=epoch + 1,
                epochs=self.config.epochs,
                batch=batch,
                batches=batches,
                loss=loss,
            )

    def _on_epoch(self, epoch: int, loss: float, val_loss: float) -> None:
        with self._lock:
            self._epoch = epoch
            self._losses.append(loss)
            self._val_losses.append(val_loss)

    def _run(self) -> None:
        try:
            result, state, message = train_table(
                self.table, self.config, self._stop, self._on_epoch, self._on_batch
            )
        except Exception as exc:  # the thread must end in a state the page can show
            log.exception("table training failed")
            result, state = None, "failed"
            message = unexpected_failure(exc)
        with self._lock:
            self._state, self._message, self._result = state, message, result
            if state == "completed":
                self._fraction = 1.0
            self._ended = time.perf_counter()
