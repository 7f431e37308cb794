"""Sparse autoencoders, in both forms from the literature.

- L1: a penalty `l1_weight * sum_j |h_j|` on the (ReLU) code activations, averaged over the
  batch (Goodfellow, Bengio & Courville, Deep Learning, 14.2.1).
- KL: Andrew Ng's sparse autoencoder (CS294A notes): sigmoid code units whose mean activation
  over the batch, rho_hat_j, is pulled towards a small target rho:
      cost = reconstruction + (lambda / 2) * sum W^2 + beta * sum_j KL(rho || rho_hat_j).
"""

from __future__ import annotations

from dataclasses import dataclass

import tensorflow as tf

from ae_core.architectures import params
from ae_core.architectures.autoencoder import Autoencoder
from ae_core.architectures.blocks import LayerSeeds
from ae_core.architectures.dense import mirrored_dense
from ae_core.architectures.model import AutoencoderModel
from ae_core.architectures.registry import register
from ae_core.config import ArchConfig, param
from ae_core.constants import EPSILON
from ae_core.i18n import N_

SPARSITY_FORMS = ("l1", "kl")
_ONLY_L1 = ("sparsity", ("l1",))
_ONLY_KL = ("sparsity", ("kl",))


@dataclass(frozen=True)
class SparseConfig(ArchConfig):
    hidden_widths: tuple[int, ...] = params.hidden_widths((256,), min_items=0)
    activation: str = params.activation("relu")
    sparsity: str = param(
        "l1",
        N_("Sparsity penalty"),
        N_(
            "L1 on ReLU code activations, or KL divergence pulling each sigmoid code "
            "unit's mean activation towards a small target."
        ),
        choices=SPARSITY_FORMS,
    )
    l1_weight: float = param(
        1e-5,
        N_("L1 weight"),
        N_("How strongly the sum of code activations is penalised; larger means sparser codes."),
        minimum=0.0,
        maximum=1.0,
        log_scale=True,
        shown_when=_ONLY_L1,
    )
    sparsity_target: float = param(
        0.1,
        N_("Target activation (rho)"),
        N_("The mean activation each code unit should have over the data."),
        minimum=0.001,
        maximum=0.5,
        shown_when=_ONLY_KL,
    )
    sparsity_weight: float = param(
        1e-3,
        N_("Sparsity weight (beta)"),
        N_("Weight of the KL divergence between the target and the actual mean activations."),
        minimum=0.0,
        maximum=10.0,
        log_scale=True,
        shown_when=_ONLY_KL,
    )
    weight_decay: float = param(
        1e-6,
        N_("Weight decay (lambda)"),
        N_("Weight of the L2 penalty on all connection weights, which keeps them small."),
        minimum=0.0,
        maximum=1.0,
        log_scale=True,
        shown_when=_ONLY_KL,
    )


class L1SparseModel(AutoencoderModel):
    penalty_names = ("sparsity_loss",)

    def __init__(self, encoder, decoder, reconstruction_loss, l1_weight: float, **kwargs):
        super().__init__(encoder, decoder, reconstruction_loss, **kwargs)
        self.l1_weight = l1_weight

    def penalties(self, x, code):
        activity = tf.reduce_mean(tf.reduce_sum(tf.abs(code), axis=-1))
        return {"sparsity_loss": self.l1_weight * activity}


class KLSparseModel(AutoencoderModel):
    penalty_names = ("sparsity_loss", "weight_decay")

    def __init__(
        self,
        encoder,
        decoder,
        reconstruction_loss,
        target: float,
        weight: float,
        weight_decay: float,
        **kwargs,
    ):
        super().__init__(encoder, decoder, reconstruction_loss, **kwargs)
        self.target = target
        self.weight = weight
        self.decay = weight_decay

    def penalties(self, x, code):
        rho = self.target
        rho_hat = tf.clip_by_value(tf.reduce_mean(code, axis=0), EPSILON, 1.0 - EPSILON)
        kl = rho * tf.math.log(rho / rho_hat) + (1 - rho) * tf.math.log((1 - rho) / (1 - rho_hat))
        kernels = [w for w in self.trainable_weights if w.path.endswith("kernel")]
        squares = tf.add_n([tf.reduce_sum(tf.square(w)) for w in kernels])
        return {
            "sparsity_loss": self.weight * tf.reduce_sum(kl),
            "weight_decay": 0.5 * self.decay * squares,
        }


@register(
    "sparse",
    N_("Sparse"),
    N_("Dense autoencoder whose code is kept sparse by an L1 or a KL-divergence penalty."),
    SparseConfig,
)
def build_sparse(config: SparseConfig, loss: str, seeds: LayerSeeds) -> Autoencoder:
    # KL needs activations in (0, 1), hence sigmoid codes; L1 suits ReLU, which reaches 0.
    code_activation = "sigmoid" if config.sparsity == "kl" else "relu"
    encoder, decoder = mirrored_dense(config, seeds, code_activation)
    if config.sparsity == "kl":
        model = KLSparseModel(
            encoder,
            decoder,
            loss,
            target=config.sparsity_target,
            weight=config.sparsity_weight,
            weight_decay=config.weight_decay,
            name="sparse",
        )
    else:
        model = L1SparseModel(encoder, decoder, loss, l1_weight=config.l1_weight, name="sparse")
    return Autoencoder(config, model)
