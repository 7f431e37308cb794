"""The trainable autoencoder: an encoder and a decoder tied together, plus its loss.

Following keras-io's VAE example, the model owns its loss: `train_step` adds each
architecture's extra terms (sparsity, contraction, KL) to the reconstruction loss and reports
every term through its own `keras.metrics.Mean`, so the history and the UI can chart them.
Subclasses only override `penalties` (or `forward` when the code is sampled).
"""

from __future__ import annotations

import keras
import tensorflow as tf

from ae_core.constants import EPSILON

# Probabilities are clipped away from 0 and 1 before taking logs, as Keras' own BCE does.


def reconstruction_error(kind: str, target: tf.Tensor, output: tf.Tensor) -> tf.Tensor:
    """Mean per-pixel reconstruction loss of a batch: 'bce' or 'mse'."""
    target = tf.cast(target, output.dtype)
    if kind == "mse":
        return tf.reduce_mean(tf.square(target - output))
    p = tf.clip_by_value(output, EPSILON, 1.0 - EPSILON)
    return -tf.reduce_mean(target * tf.math.log(p) + (1.0 - target) * tf.math.log(1.0 - p))


class AutoencoderModel(keras.Model):
    """Encoder + decoder trained to reproduce their input.

    `fit(x, y)` trains `decoder(encoder(x))` towards `y`; `y` is `x` itself, except for a
    denoising autoencoder, which sees corrupted `x` and clean `y`.
    """

    penalty_names: tuple[str, ...] = ()

    def __init__(
        self,
        encoder: keras.Model,
        decoder: keras.Model,
        reconstruction_loss: str = "bce",
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.encoder = encoder
        self.decoder = decoder
        self.reconstruction_loss = reconstruction_loss
        self.trackers = [
            keras.metrics.Mean(name=name)
            for name in ("loss", "reconstruction_loss", *self.penalty_names)
        ]

    @property
    def metrics(self) -> list[keras.metrics.Metric]:
        # Listing the trackers here makes Keras reset them at the start of every epoch.
        return self.trackers

    def encode(self, x: tf.Tensor, training: bool = False) -> tf.Tensor:
        """The deterministic code of `x` (the one plotted and decoded in the UI)."""
        return self.encoder(x, training=training)

    def call(self, x: tf.Tensor, training: bool = False) -> tf.Tensor:
        return self.decoder(self.encode(x, training=training), training=training)

    def forward(self, x: tf.Tensor, training: bool) -> tuple[tf.Tensor, dict[str, tf.Tensor]]:
        """Reconstruction of `x` and the penalty terms of this architecture."""
        code = self.encoder(x, training=training)
        return self.decoder(code, training=training), self.penalties(x, code)

    def penalties(self, x: tf.Tensor, code: tf.Tensor) -> dict[str, tf.Tensor]:
        """Extra loss terms, by name; each is already multiplied by its weight."""
        return {}

    def _loss_terms(self, data, training: bool) -> tuple[tf.Tensor, dict[str, tf.Tensor]]:
        x, y = data
        output, penalties = self.forward(x, training=training)
        terms = {"reconstruction_loss": reconstruction_error(self.reconstruction_loss, y, output)}
        terms.update(penalties)
        return tf.add_n(list(terms.values())), terms

    def train_step(self, data):
        with tf.GradientTape() as tape:
            total, terms = self._loss_terms(data, training=True)
        gradients = tape.gradient(total, self.trainable_weights)
        self.optimizer.apply(gradients, self.trainable_weights)
        return self._record(total, terms)

    def test_step(self, data):
        total, terms = self._loss_terms(data, training=False)
        return self._record(total, terms)

    def validation_losses(self, batches) -> dict[str, float]:
        """Each loss term on held-out (inputs, targets) batches: the mean of batch means, as
        Keras' `evaluate` reports it, but run eagerly. A traced test step would cost every
        new model a tracing (0.16 s of a 1.4 s run for the dense model, bench/overhead.py)
        to score one or two batches per epoch."""
        sums: dict[str, float] = {}
        count = 0
        for x, y in batches:
            total, terms = self._loss_terms((x, y), training=False)
            for name, value in {"loss": total, **terms}.items():
                sums[name] = sums.get(name, 0.0) + float(value)
            count += 1
        return {name: value / max(1, count) for name, value in sums.items()}

    def _record(self, total: tf.Tensor, terms: dict[str, tf.Tensor]) -> dict[str, tf.Tensor]:
        values = {"loss": total, **terms}
        for tracker in self.trackers:
            tracker.update_state(values[tracker.name])
        return {tracker.name: tracker.result() for tracker in self.trackers}
