"""What every architecture's builder returns: the trainable model plus what training needs."""

from __future__ import annotations

from dataclasses import dataclass, field

import keras
import numpy as np

from ae_core.architectures.model import AutoencoderModel
from ae_core.config import ArchConfig
from ae_core.i18n import lazy

PREDICT_BATCH = 1024


@dataclass(frozen=True)
class PretrainStage:
    """One greedy layer-wise step: a shallow autoencoder trained on the previous layer's codes."""

    title: str
    model: AutoencoderModel
    # Maps images to this stage's inputs (the codes of the layers below); None means pixels.
    inputs_from: keras.Model | None


@dataclass(frozen=True)
class LayerInfo:
    part: str  # "encoder" or "decoder"
    name: str
    kind: str
    output_shape: tuple[int | None, ...]
    parameters: int
    activation: str | None


@dataclass(frozen=True)
class Autoencoder:
    """A built autoencoder: encoder (image -> code), decoder (code -> image) and the model."""

    config: ArchConfig
    model: AutoencoderModel
    # (noise type, level) applied to the inputs during training, for denoising autoencoders.
    training_noise: tuple[str, float] | None = None
    pretraining: tuple[PretrainStage, ...] = field(default=())
    # Whether the code space has a prior worth sampling from (variational autoencoders).
    generative: bool = False

    @property
    def architecture(self) -> str:
        return self.config.architecture

    @property
    def latent_dim(self) -> int:
        return self.config.latent_dim

    @property
    def encoder(self) -> keras.Model:
        return self.model.encoder

    @property
    def decoder(self) -> keras.Model:
        return self.model.decoder

    def encode(self, images: np.ndarray, batch_size: int = PREDICT_BATCH) -> np.ndarray:
        """Codes of images (N, 28, 28) -> (N, latent_dim); the mean code for a VAE."""
        return predict_in_batches(self.model.encode, images, batch_size)

    def decode(self, codes: np.ndarray, batch_size: int = PREDICT_BATCH) -> np.ndarray:
        """Images decoded from codes (N, latent_dim) -> (N, 28, 28)."""
        return predict_in_batches(self.decoder, codes, batch_size)

    def reconstruct(self, images: np.ndarray, batch_size: int = PREDICT_BATCH) -> np.ndarray:
        """decode(encode(images)), deterministic (a VAE decodes its mean code)."""
        return predict_in_batches(self.model, images, batch_size)

    def sample(self, n: int, rng: np.random.Generator) -> np.ndarray:
        """New images decoded from codes drawn from the prior N(0, I); VAEs only."""
        if not self.generative:
            raise ValueError(f"{self.architecture} has no prior to sample from")
        return self.decode(rng.standard_normal((n, self.latent_dim)).astype(np.float32))

    def count_parameters(self) -> int:
        return int(self.encoder.count_params() + self.decoder.count_params())

    def layers(self) -> list[LayerInfo]:
        """The network as a list of layers with their shapes and parameter counts."""
        return [*_describe(self.encoder, "encoder"), *_describe(self.decoder, "decoder")]


def predict_in_batches(fn, inputs: np.ndarray, batch_size: int = PREDICT_BATCH) -> np.ndarray:
    """Apply a Keras model (or callable taking `training=`) to `inputs` in chunks."""
    inputs = np.asarray(inputs, dtype=np.float32)
    if len(inputs) == 0:
        raise ValueError(lazy("nothing to predict: empty input"))
    chunks = [
        keras.ops.convert_to_numpy(fn(inputs[i : i + batch_size], training=False))
        for i in range(0, len(inputs), batch_size)
    ]
    return np.concatenate(chunks).astype(np.float32, copy=False)


def _describe(model: keras.Model, part: str) -> list[LayerInfo]:
    infos = []
    for layer in model.layers:
        activation = getattr(layer, "activation", None)
        infos.append(
            LayerInfo(
                part=part,
                name=layer.name,
                kind=type(layer).__name__,
                output_shape=tuple(_output_shape(layer)),
                parameters=int(layer.count_params()) if layer.built else 0,
                activation=getattr(activation, "__name__", None),
            )
        )
    return infos


def _output_shape(layer: keras.layers.Layer) -> tuple[int | None, ...]:
    shape = layer.output.shape
    return tuple(shape[1:])
