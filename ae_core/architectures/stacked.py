"""Stacked autoencoder with greedy layer-wise pretraining (Bengio et al., 2007).

Each encoder layer is first trained as its own shallow autoencoder on the codes of the layers
below it (the first on pixels); the trained layers are then stacked, mirrored, and fine-tuned
end to end. The final network has exactly the shape of the deep dense autoencoder.
"""

from __future__ import annotations

from dataclasses import dataclass

import keras

from ae_core.architectures import params
from ae_core.architectures.autoencoder import Autoencoder, PretrainStage
from ae_core.architectures.blocks import LayerSeeds
from ae_core.architectures.dense import deep_model
from ae_core.architectures.model import AutoencoderModel
from ae_core.architectures.registry import register
from ae_core.config import ArchConfig, param
from ae_core.constants import CODE_LAYER, IMAGE_SHAPE, PIXELS
from ae_core.i18n import N_, lazy


@dataclass(frozen=True)
class StackedConfig(ArchConfig):
    hidden_widths: tuple[int, ...] = params.hidden_widths((256, 128))
    activation: str = params.activation("relu")
    code_activation: str = params.code_activation("linear")
    pretrain_epochs: int = param(
        1,
        N_("Pretraining epochs per layer"),
        N_("Epochs each layer trains alone as a shallow autoencoder before fine-tuning."),
        minimum=1,
        maximum=50,
    )


@register(
    "stacked",
    N_("Stacked (greedy pretraining)"),
    N_("Deep dense layers pretrained one at a time as shallow autoencoders, then fine-tuned."),
    StackedConfig,
)
def build_stacked(config: StackedConfig, loss: str, seeds: LayerSeeds) -> Autoencoder:
    model = deep_model(config, loss, seeds, name="stacked")
    return Autoencoder(config, model, pretraining=tuple(_stages(model, config, loss)))


def _stages(model: AutoencoderModel, config: StackedConfig, loss: str) -> list[PretrainStage]:
    encoder, decoder = model.encoder, model.decoder
    n_hidden = len(config.hidden_widths)
    encoder_layers = [encoder.get_layer(f"encoder_dense_{i}") for i in range(1, n_hidden + 1)]
    encoder_layers.append(encoder.get_layer(CODE_LAYER))
    # The decoder mirrors the encoder: layer i's partner maps its code back to its input.
    decoder_layers = [decoder.get_layer("pixels")]
    decoder_layers += [decoder.get_layer(f"decoder_dense_{i}") for i in range(n_hidden, 0, -1)]

    sizes = [PIXELS, *config.hidden_widths, config.latent_dim]
    stages = []
    for i, (down, up) in enumerate(zip(encoder_layers, decoder_layers, strict=True)):
        first = i == 0
        inputs = keras.Input(IMAGE_SHAPE if first else (sizes[i],), name=f"stage_{i + 1}_input")
        flat = keras.layers.Flatten(name=f"stage_{i + 1}_flatten")(inputs) if first else inputs
        stage_encoder = keras.Model(inputs, down(flat), name=f"stage_{i + 1}_encoder")
        code = keras.Input((sizes[i + 1],), name=f"stage_{i + 1}_code")
        out = up(code)
        if first:
            out = keras.layers.Reshape(IMAGE_SHAPE, name="stage_1_image")(out)
        stage_decoder = keras.Model(code, out, name=f"stage_{i + 1}_decoder")
        # Pixels keep the run's loss; deeper layers reconstruct unbounded activations: MSE.
        stage_loss = loss if first else "mse"
        stage_model = AutoencoderModel(
            stage_encoder, stage_decoder, stage_loss, name=f"pretrain_{i + 1}"
        )
        inputs_from = None if first else keras.Model(encoder.input, encoder_layers[i - 1].output)
        title = lazy(
            "Pretraining layer {layer} of {layers} ({inputs} -> {outputs})",
            layer=i + 1,
            layers=len(encoder_layers),
            inputs=sizes[i],
            outputs=sizes[i + 1],
        )
        stages.append(PretrainStage(title, stage_model, inputs_from))
    return stages
