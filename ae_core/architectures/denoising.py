"""Denoising autoencoder (Vincent et al., 2008): corrupted inputs, clean targets."""

from __future__ import annotations

from dataclasses import dataclass

from ae_core.architectures import params
from ae_core.architectures.autoencoder import Autoencoder
from ae_core.architectures.blocks import LayerSeeds
from ae_core.architectures.conv import conv_model
from ae_core.architectures.dense import deep_model
from ae_core.architectures.registry import register
from ae_core.config import NOISE_TYPES, ArchConfig, param
from ae_core.i18n import N_

BODIES = {"conv": conv_model, "dense": deep_model}


@dataclass(frozen=True)
class DenoisingConfig(ArchConfig):
    body: str = param(
        "conv",
        N_("Network body"),
        N_("Convolutional (best at images) or deep dense layers."),
        choices=tuple(BODIES),
    )
    conv_filters: tuple[int, ...] = params.conv_filters(shown_when=("body", ("conv",)))
    hidden_widths: tuple[int, ...] = params.hidden_widths(
        (256, 128), shown_when=("body", ("dense",))
    )
    activation: str = params.activation("relu")
    code_activation: str = params.code_activation("linear")
    noise_type: str = param(
        "gaussian",
        N_("Training noise"),
        N_("How inputs are corrupted during training; the target is always the clean image."),
        choices=NOISE_TYPES,
    )
    noise_level: float = param(
        0.5,
        N_("Noise level"),
        N_("Sigma of Gaussian noise, or the fraction of pixels hit by salt-and-pepper or masking."),
        minimum=0.01,
        maximum=1.0,
    )


@register(
    "denoising",
    N_("Denoising"),
    N_("Learns to remove noise: trained on corrupted images to output the clean originals."),
    DenoisingConfig,
)
def build_denoising(config: DenoisingConfig, loss: str, seeds: LayerSeeds) -> Autoencoder:
    model = BODIES[config.body](config, loss, seeds, name="denoising")
    return Autoencoder(config, model, training_noise=(config.noise_type, config.noise_level))
