"""Variational autoencoder (Kingma & Welling, 2014), with a beta weight (Higgins et al., 2017).

The encoder gives a Gaussian per image, N(mean, exp(log_var)); training decodes a sample
drawn with the reparameterisation trick, z = mean + exp(log_var / 2) * eps, so gradients flow
through mean and log_var. Loss per pixel = reconstruction + beta * KL(q(z|x) || N(0, I)) / 784:
dividing the KL by the number of pixels matches the per-pixel mean reconstruction loss, so
beta = 1 is the true evidence lower bound.
"""

from __future__ import annotations

from dataclasses import dataclass

import keras
import tensorflow as tf

from ae_core.architectures import params
from ae_core.architectures.autoencoder import Autoencoder
from ae_core.architectures.blocks import (
    LayerSeeds,
    dense,
    dense_decoder,
    dense_stack,
)
from ae_core.architectures.model import AutoencoderModel
from ae_core.architectures.registry import register
from ae_core.config import ArchConfig, param
from ae_core.constants import IMAGE_SHAPE, MEAN_CODE_LAYER, PIXELS
from ae_core.i18n import N_


@dataclass(frozen=True)
class VAEConfig(ArchConfig):
    hidden_widths: tuple[int, ...] = params.hidden_widths((256, 128))
    activation: str = params.activation("relu")
    beta: float = param(
        1.0,
        N_("KL weight (beta)"),
        N_(
            "1 is the standard VAE; larger values trade reconstruction for a smoother latent space."
        ),
        minimum=0.0,
        maximum=100.0,
    )


class VariationalModel(AutoencoderModel):
    penalty_names = ("kl_loss",)

    def __init__(self, encoder, decoder, reconstruction_loss, beta: float, seed: int, **kwargs):
        super().__init__(encoder, decoder, reconstruction_loss, **kwargs)
        self.beta = beta
        # The model's own seeded stream: keras.random with a SeedGenerator never touches the
        # process-wide seed, so concurrent runs stay repeatable.
        self.sampling_seed = keras.random.SeedGenerator(seed)

    def encode(self, x, training=False):
        mean, _ = self.encoder(x, training=training)
        return mean

    def forward(self, x, training):
        mean, log_var = self.encoder(x, training=training)
        eps = keras.random.normal(tf.shape(mean), seed=self.sampling_seed)
        z = mean + tf.exp(0.5 * log_var) * eps
        kl = -0.5 * tf.reduce_sum(1.0 + log_var - tf.square(mean) - tf.exp(log_var), axis=-1)
        penalty = self.beta * tf.reduce_mean(kl) / PIXELS
        return self.decoder(z, training=training), {"kl_loss": penalty}


@register(
    "vae",
    N_("Variational (VAE)"),
    N_(
        "Encodes each image as a Gaussian and regularises codes towards N(0, I); "
        "can sample new digits."
    ),
    VAEConfig,
)
def build_vae(config: VAEConfig, loss: str, seeds: LayerSeeds) -> Autoencoder:
    widths, k = config.hidden_widths, config.latent_dim
    image = keras.Input(IMAGE_SHAPE, name="image")
    x = keras.layers.Flatten(name="flatten")(image)
    x = dense_stack(x, widths, config.activation, seeds, "encoder")
    mean = dense(k, "linear", seeds, MEAN_CODE_LAYER)(x)
    log_var = dense(k, "linear", seeds, "z_log_var")(x)
    encoder = keras.Model(image, [mean, log_var], name="encoder")
    decoder = dense_decoder(widths[::-1], k, config.activation, config.output_activation, seeds)
    model = VariationalModel(
        encoder, decoder, loss, beta=config.beta, seed=seeds.next_seed(), name="vae"
    )
    return Autoencoder(config, model, generative=True)
