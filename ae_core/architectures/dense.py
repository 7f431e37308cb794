"""Fully connected autoencoders: shallow (one code layer) and deep (mirrored stacks)."""

from __future__ import annotations

from dataclasses import dataclass

import keras

from ae_core.architectures import params
from ae_core.architectures.autoencoder import Autoencoder
from ae_core.architectures.blocks import LayerSeeds, dense_decoder, dense_encoder
from ae_core.architectures.model import AutoencoderModel
from ae_core.architectures.registry import register
from ae_core.config import ArchConfig
from ae_core.i18n import N_


@dataclass(frozen=True)
class DenseConfig(ArchConfig):
    code_activation: str = params.code_activation("relu")


@dataclass(frozen=True)
class DeepConfig(ArchConfig):
    hidden_widths: tuple[int, ...] = params.hidden_widths((256, 128))
    activation: str = params.activation("relu")
    code_activation: str = params.code_activation("linear")


@register(
    "dense",
    N_("Shallow dense"),
    N_("One hidden layer: 784 pixels -> k code units -> 784 pixels."),
    DenseConfig,
)
def build_dense(config: DenseConfig, loss: str, seeds: LayerSeeds) -> Autoencoder:
    k = config.latent_dim
    encoder = dense_encoder((), k, "linear", config.code_activation, seeds)
    decoder = dense_decoder((), k, "linear", config.output_activation, seeds)
    return Autoencoder(config, AutoencoderModel(encoder, decoder, loss, name="dense"))


@register(
    "deep",
    N_("Deep dense"),
    N_("Stacked dense layers (e.g. 784-256-128-k) mirrored in the decoder."),
    DeepConfig,
)
def build_deep(config: DeepConfig, loss: str, seeds: LayerSeeds) -> Autoencoder:
    return Autoencoder(config, deep_model(config, loss, seeds, name="deep"))


def deep_model(config, loss: str, seeds: LayerSeeds, name: str) -> AutoencoderModel:
    """Mirrored dense encoder/decoder from a config with hidden widths and activations."""
    return AutoencoderModel(*mirrored_dense(config, seeds), loss, name=name)


def mirrored_dense(
    config, seeds: LayerSeeds, code_activation: str | None = None
) -> tuple[keras.Model, keras.Model]:
    """Dense encoder (hidden widths, then the code) and its mirror image as the decoder."""
    widths, k = config.hidden_widths, config.latent_dim
    code_activation = code_activation or config.code_activation
    encoder = dense_encoder(widths, k, config.activation, code_activation, seeds)
    decoder = dense_decoder(widths[::-1], k, config.activation, config.output_activation, seeds)
    return encoder, decoder
