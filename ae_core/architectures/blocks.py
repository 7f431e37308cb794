"""Layer stacks shared by the architectures, with explicit names and per-layer seeds.

Every layer gets its own initializer seed drawn from the run's seed, instead of relying on
`keras.utils.set_random_seed`, which is process-wide: two sessions training at once would
otherwise change each other's initial weights. Layers get fixed names so that weights saved
by one process load by name into a model rebuilt in another.
"""

from __future__ import annotations

from collections.abc import Sequence

import keras
import numpy as np

from ae_core.constants import CODE_LAYER, IMAGE_SHAPE, PIXELS


class LayerSeeds:
    """Hands out a distinct, repeatable initializer seed for each layer of one run."""

    def __init__(self, seed: int):
        self._rng = np.random.default_rng([seed, 0x1A7E])

    def next_seed(self) -> int:
        return int(self._rng.integers(0, 2**31 - 1))

    def kernel(self) -> keras.initializers.Initializer:
        return keras.initializers.GlorotUniform(seed=self.next_seed())


def dense(width: int, activation: str, seeds: LayerSeeds, name: str) -> keras.layers.Dense:
    return keras.layers.Dense(
        width, activation=activation, kernel_initializer=seeds.kernel(), name=name
    )


def dense_stack(
    x, widths: Sequence[int], activation: str, seeds: LayerSeeds, prefix: str
) -> keras.KerasTensor:
    for i, width in enumerate(widths, start=1):
        x = dense(width, activation, seeds, f"{prefix}_dense_{i}")(x)
    return x


def dense_encoder(
    widths: Sequence[int],
    latent_dim: int,
    activation: str,
    code_activation: str,
    seeds: LayerSeeds,
) -> keras.Model:
    """Image (28, 28) -> flattened -> hidden `widths` -> code of `latent_dim` units."""
    image = keras.Input(IMAGE_SHAPE, name="image")
    x = keras.layers.Flatten(name="flatten")(image)
    x = dense_stack(x, widths, activation, seeds, "encoder")
    code = dense(latent_dim, code_activation, seeds, CODE_LAYER)(x)
    return keras.Model(image, code, name="encoder")


def dense_decoder(
    widths: Sequence[int],
    latent_dim: int,
    activation: str,
    output_activation: str,
    seeds: LayerSeeds,
) -> keras.Model:
    """Code -> hidden `widths` (in decoding order) -> 784 pixels -> image (28, 28)."""
    code = keras.Input((latent_dim,), name="code_input")
    x = dense_stack(code, widths, activation, seeds, "decoder")
    x = dense(PIXELS, output_activation, seeds, "pixels")(x)
    image = keras.layers.Reshape(IMAGE_SHAPE, name="image")(x)
    return keras.Model(code, image, name="decoder")


def conv_encoder(
    filters: Sequence[int],
    latent_dim: int,
    activation: str,
    code_activation: str,
    seeds: LayerSeeds,
) -> keras.Model:
    """Image -> strided 3x3 convolutions (each halves the side) -> dense code."""
    image = keras.Input(IMAGE_SHAPE, name="image")
    x = keras.layers.Reshape((*IMAGE_SHAPE, 1), name="add_channel")(image)
    for i, n in enumerate(filters, start=1):
        x = keras.layers.Conv2D(
            n,
            3,
            strides=2,
            padding="same",
            activation=activation,
            kernel_initializer=seeds.kernel(),
            name=f"encoder_conv_{i}",
        )(x)
    x = keras.layers.Flatten(name="flatten")(x)
    code = dense(latent_dim, code_activation, seeds, CODE_LAYER)(x)
    return keras.Model(image, code, name="encoder")


def conv_decoder(
    filters: Sequence[int],
    latent_dim: int,
    activation: str,
    output_activation: str,
    seeds: LayerSeeds,
) -> keras.Model:
    """Code -> dense feature map -> transposed convolutions (each doubles the side) -> image.

    `filters` are the encoder's: the decoder walks them back, so the last transposed
    convolution turns the first encoder layer's maps into the one-channel image.
    """
    side = IMAGE_SHAPE[0] // 2 ** len(filters)
    code = keras.Input((latent_dim,), name="code_input")
    x = dense(side * side * filters[-1], activation, seeds, "decoder_dense")(code)
    x = keras.layers.Reshape((side, side, filters[-1]), name="feature_map")(x)
    for i, n in enumerate(reversed(filters[:-1]), start=1):
        x = _deconv(n, activation, seeds, f"decoder_deconv_{i}")(x)
    x = _deconv(1, output_activation, seeds, "pixels")(x)
    image = keras.layers.Reshape(IMAGE_SHAPE, name="image")(x)
    return keras.Model(code, image, name="decoder")


def _deconv(filters: int, activation: str, seeds: LayerSeeds, name: str) -> keras.layers.Layer:
    return keras.layers.Conv2DTranspose(
        filters,
        3,
        strides=2,
        padding="same",
        activation=activation,
        kernel_initializer=seeds.kernel(),
        name=name,
    )
