"""Convolutional autoencoder with a dense bottleneck."""

from __future__ import annotations

from dataclasses import dataclass

from ae_core.architectures import params
from ae_core.architectures.autoencoder import Autoencoder
from ae_core.architectures.blocks import LayerSeeds, conv_decoder, conv_encoder
from ae_core.architectures.model import AutoencoderModel
from ae_core.architectures.registry import register
from ae_core.config import ArchConfig
from ae_core.i18n import N_


@dataclass(frozen=True)
class ConvConfig(ArchConfig):
    conv_filters: tuple[int, ...] = params.conv_filters()
    activation: str = params.activation("relu")
    code_activation: str = params.code_activation("linear")


@register(
    "conv",
    N_("Convolutional"),
    N_("Strided convolutions down to a dense code of size k, transposed convolutions back up."),
    ConvConfig,
)
def build_conv(config: ConvConfig, loss: str, seeds: LayerSeeds) -> Autoencoder:
    return Autoencoder(config, conv_model(config, loss, seeds, name="conv"))


def conv_model(config, loss: str, seeds: LayerSeeds, name: str) -> AutoencoderModel:
    """Convolutional encoder/decoder from a config with filters and activations."""
    filters, k = config.conv_filters, config.latent_dim
    encoder = conv_encoder(filters, k, config.activation, config.code_activation, seeds)
    decoder = conv_decoder(filters, k, config.activation, config.output_activation, seeds)
    return AutoencoderModel(encoder, decoder, loss, name=name)
