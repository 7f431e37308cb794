"""A run's configuration as a standalone Python script: plain Keras, no Autoencoder Lab.

The network is written out layer by layer from the very model the lab builds (so it is the
same network, parameter for parameter), and the loss is written out as the lab computes it:
reconstruction per pixel plus the architecture's penalty (L1 or KL sparsity, the contractive
Jacobian norm, the VAE's KL), with denoising noise and greedy pretraining where they apply.
"""

from __future__ import annotations

import json
import pprint
from typing import Any

from ae_core.run_config import RunConfig
from ae_core.training import build_autoencoder

# The layer settings that define each kind of layer our networks use; the rest are defaults.
LAYER_ARGUMENTS = {
    "Dense": ("units", "activation"),
    "Conv2D": ("filters", "kernel_size", "strides", "padding", "activation"),
    "Conv2DTranspose": ("filters", "kernel_size", "strides", "padding", "activation"),
    "Reshape": ("target_shape",),
    "Flatten": (),
}


def standalone_script(config: RunConfig) -> str:
    """The script's source text; `python script.py --help` lists its few options."""
    ae = build_autoencoder(config)
    settings = {
        "architecture": config.architecture,
        **config.model.to_dict(),
        **config.data.to_dict(),
        **config.train.to_dict(),
        "learning_rate": config.train.effective_learning_rate,
    }
    parts = [
        HEADER.format(title=config.architecture, k=config.model.latent_dim),
        "SETTINGS = " + pprint.pformat(settings, sort_dicts=False, width=90) + "\n",
        f"TERMS = {['loss', 'reconstruction_loss', *_penalty_names(ae, config)]!r}\n",
        COMMON,
        _model_function("build_encoder", ae.encoder),
        _model_function("build_decoder", ae.decoder),
        PENALTIES.get(config.architecture, PENALTIES["plain"]),
        MODEL,
        MAIN,
    ]
    return "\n".join(parts)


def _penalty_names(ae: Any, config: RunConfig) -> list[str]:
    """The loss terms the lab reports for this model, besides loss and reconstruction."""
    return list(ae.model.penalty_names)


def _model_function(name: str, model: Any) -> str:
    """Functional Keras code for one of our models, from its own configuration."""
    config = model.get_config()
    lines = [f"def {name}():"]
    variables: dict[str, str] = {}
    for layer in config["layers"]:
        kind, settings = layer["class_name"], layer["config"]
        variable = settings["name"]
        variables[variable] = variable
        if kind == "InputLayer":
            shape = tuple(settings["batch_shape"][1:])
            lines.append(f"    {variable} = keras.Input({shape!r}, name={_literal(variable)})")
            continue
        if kind not in LAYER_ARGUMENTS:
            raise ValueError(f"cannot export a {kind} layer")  # our networks have none
        arguments = ", ".join(f"{key}={_literal(settings[key])}" for key in LAYER_ARGUMENTS[kind])
        parent = layer["inbound_nodes"][0]["args"][0]["config"]["keras_history"][0]
        extra = f"{arguments}, " if arguments else ""
        lines.append(
            f"    {variable} = layers.{kind}({extra}name={_literal(variable)})({variables[parent]})"
        )
    # One input or output is written [name, 0, 0]; several, a list of those.
    inputs, outputs_config = config["input_layers"], config["output_layers"]
    if isinstance(outputs_config[0], str):
        outputs_config = [outputs_config]
    outputs = [variables[o[0]] for o in outputs_config]
    source = variables[inputs[0] if isinstance(inputs[0], str) else inputs[0][0]]
    target = outputs[0] if len(outputs) == 1 else "[" + ", ".join(outputs) + "]"
    lines.append(f"    return keras.Model({source}, {target}, name={_literal(model.name)})")
    return "\n".join(lines) + "\n"


def _literal(value: Any) -> str:
    if isinstance(value, list):
        value = tuple(value)
    return json.dumps(value) if isinstance(value, str) else repr(value)


HEADER = '''"""{title} autoencoder, code size {k}: exported from Autoencoder Lab.

Plain Keras 3 (TensorFlow backend) and numpy; nothing else from the lab is needed.
    python this_script.py                  # the exported settings
    python this_script.py --epochs 1 --train-size 2000
MNIST comes from Keras' download, or from $AE_DATA_DIR/mnist.npz when that is set.
The last line printed is a JSON summary (parameters, final losses).
"""

import argparse
import json
import math
import os

import keras
import numpy as np
import tensorflow as tf
from keras import layers
'''

COMMON = '''
PIXELS = 28 * 28
EPSILON = 1e-7


def load_images(dataset):
    """Training and test images as float32 in [0, 1], shape (N, 28, 28), of the classes the
    run trains on (a run may leave classes out, to find them later as anomalies)."""
    folder = os.environ.get("AE_DATA_DIR")
    if folder and os.path.exists(os.path.join(folder, dataset + ".npz")):
        with np.load(os.path.join(folder, dataset + ".npz"), allow_pickle=False) as data:
            x_train, y_train = data["x_train"], data["y_train"]
            x_test, y_test = data["x_test"], data["y_test"]
    else:
        (x_train, y_train), (x_test, y_test) = getattr(keras.datasets, dataset).load_data()
    left_out = SETTINGS["exclude_classes"]
    x_train, x_test = x_train[~np.isin(y_train, left_out)], x_test[~np.isin(y_test, left_out)]
    return (x_train / 255.0).astype("float32"), (x_test / 255.0).astype("float32")


def reconstruction_loss(target, output):
    """Mean per-pixel loss: binary cross-entropy ("bce") or squared error ("mse")."""
    if SETTINGS["loss"] == "mse":
        return tf.reduce_mean(tf.square(target - output))
    p = tf.clip_by_value(output, EPSILON, 1.0 - EPSILON)
    return -tf.reduce_mean(target * tf.math.log(p) + (1.0 - target) * tf.math.log(1.0 - p))


def add_noise(images, rng):
    """The corruption a denoising autoencoder learns to undo."""
    kind, level = SETTINGS.get("noise_type"), SETTINGS.get("noise_level", 0.0)
    if kind == "gaussian":
        noise = rng.standard_normal(images.shape, dtype=np.float32) * np.float32(level)
        return np.clip(images + noise, 0.0, 1.0).astype("float32")
    if kind == "salt_and_pepper":
        noisy = images.copy()
        hit = rng.random(images.shape, dtype=np.float32) < level
        salt = rng.random(images.shape, dtype=np.float32) < 0.5
        noisy[hit & salt], noisy[hit & ~salt] = 1.0, 0.0
        return noisy
    keep = rng.random(images.shape, dtype=np.float32) >= level  # masking
    return np.where(keep, images, 0.0).astype("float32")

'''

PENALTIES = {
    "plain": '''
def encode(encoder, x, training):
    return encoder(x, training=training)


def penalties(model, x, code, training):
    """No penalty: the reconstruction loss is the whole loss."""
    return {}
''',
    "sparse": """
def encode(encoder, x, training):
    return encoder(x, training=training)


def penalties(model, x, code, training):
    if SETTINGS["sparsity"] == "l1":
        # L1 on the code activations, summed over units, averaged over the batch.
        activity = tf.reduce_mean(tf.reduce_sum(tf.abs(code), axis=-1))
        return {"sparsity_loss": SETTINGS["l1_weight"] * activity}
    # KL sparsity: each unit's mean activation over the batch, pulled towards rho.
    rho = SETTINGS["sparsity_target"]
    rho_hat = tf.clip_by_value(tf.reduce_mean(code, axis=0), EPSILON, 1.0 - EPSILON)
    kl = rho * tf.math.log(rho / rho_hat) + (1 - rho) * tf.math.log((1 - rho) / (1 - rho_hat))
    kernels = [w for w in model.trainable_weights if w.path.endswith("kernel")]
    squares = tf.add_n([tf.reduce_sum(tf.square(w)) for w in kernels])
    return {
        "sparsity_loss": SETTINGS["sparsity_weight"] * tf.reduce_sum(kl),
        "weight_decay": 0.5 * SETTINGS["weight_decay"] * squares,
    }
""",
    "contractive": """
def encode(encoder, x, training):
    return encoder(x, training=training)


def penalties(model, x, code, training):
    # The squared Frobenius norm of the encoder's Jacobian, exact, averaged over the batch.
    x = tf.convert_to_tensor(x)
    with tf.GradientTape() as tape:
        tape.watch(x)
        inner = model.encoder(x, training=training)
    jacobian = tape.batch_jacobian(inner, x)
    frobenius = tf.reduce_mean(tf.reduce_sum(tf.square(jacobian), axis=[1, 2, 3]))
    return {"contractive_loss": SETTINGS["contractive_weight"] * frobenius}
""",
    "vae": '''
def encode(encoder, x, training):
    """Training decodes a sample (the reparameterisation trick); otherwise the mean."""
    mean, log_var = encoder(x, training=training)
    if not training:
        return mean
    eps = keras.random.normal(tf.shape(mean), seed=SEED_GENERATOR)
    return mean + tf.exp(0.5 * log_var) * eps


def penalties(model, x, code, training):
    mean, log_var = model.encoder(x, training=training)
    kl = -0.5 * tf.reduce_sum(1.0 + log_var - tf.square(mean) - tf.exp(log_var), axis=-1)
    return {"kl_loss": SETTINGS["beta"] * tf.reduce_mean(kl) / PIXELS}


SEED_GENERATOR = keras.random.SeedGenerator(SETTINGS["seed"])
''',
}
for _name in ("dense", "deep", "conv", "denoising", "stacked"):
    PENALTIES[_name] = PENALTIES["plain"]

MODEL = '''
class Autoencoder(keras.Model):
    """decoder(encoder(x)) trained towards the clean images, plus the penalty terms."""

    def __init__(self, encoder, decoder, **kwargs):
        super().__init__(**kwargs)
        self.encoder, self.decoder = encoder, decoder
        self.trackers = {name: keras.metrics.Mean(name=name) for name in TERMS}

    def call(self, x, training=False):
        return self.decoder(encode(self.encoder, x, False), training=training)

    def losses_of(self, x, y, training):
        code = encode(self.encoder, x, training)
        output = self.decoder(code, training=training)
        terms = {"reconstruction_loss": reconstruction_loss(y, output)}
        terms.update(penalties(self, x, code, training))
        terms["loss"] = tf.add_n(list(terms.values()))
        return terms

    def _report(self, terms):
        for name, value in terms.items():
            self.trackers[name].update_state(value)
        return {name: tracker.result() for name, tracker in self.trackers.items()}

    @property
    def metrics(self):
        return list(self.trackers.values())

    def train_step(self, data):
        x, y = data
        with tf.GradientTape() as tape:
            terms = self.losses_of(x, y, True)
        gradients = tape.gradient(terms["loss"], self.trainable_weights)
        self.optimizer.apply_gradients(zip(gradients, self.trainable_weights))
        return self._report(terms)

    def test_step(self, data):
        x, y = data
        return self._report(self.losses_of(x, y, False))


def make_optimizer():
    rate = SETTINGS["learning_rate"]
    return {
        "adam": lambda: keras.optimizers.Adam(rate),
        "adadelta": lambda: keras.optimizers.Adadelta(rate),
        "rmsprop": lambda: keras.optimizers.RMSprop(rate),
        "sgd": lambda: keras.optimizers.SGD(rate, momentum=0.9),
    }[SETTINGS["optimizer"]]()
'''

MAIN = '''
def pretrain_layers(encoder, decoder, images, epochs, batch_size):
    """Greedy layer-wise pretraining: each encoder layer with its mirror decoder layer,
    trained alone to rebuild the layer below (pixels first), before fine-tuning."""
    ups = [decoder.get_layer("pixels")]
    ups += sorted(
        (l for l in decoder.layers if l.name.startswith("decoder_dense_")),
        key=lambda l: -int(l.name.rsplit("_", 1)[1]),
    )
    downs = [l for l in encoder.layers if isinstance(l, layers.Dense)]
    inputs = images.reshape(len(images), -1)
    for i, (down, up) in enumerate(zip(downs, ups)):
        stage_input = keras.Input(inputs.shape[1:])
        stage = keras.Model(stage_input, up(down(stage_input)))
        stage.compile(
            optimizer=make_optimizer(),
            loss="binary_crossentropy" if i == 0 and SETTINGS["loss"] == "bce" else "mse",
        )
        stage.fit(inputs, inputs, epochs=epochs, batch_size=batch_size, verbose=2)
        inputs = keras.Model(stage_input, down(stage_input)).predict(inputs, verbose=0)


def main():
    parser = argparse.ArgumentParser(description="Train the exported autoencoder.")
    parser.add_argument("--epochs", type=int, default=SETTINGS["epochs"])
    parser.add_argument("--train-size", type=int, default=SETTINGS["train_size"])
    args = parser.parse_args()
    seed = SETTINGS["seed"]
    keras.utils.set_random_seed(seed)  # a script is its own process: one seed is enough
    rng = np.random.default_rng(seed)
    x_train, x_test = load_images(SETTINGS["dataset"])
    if args.train_size and args.train_size < len(x_train):  # the lab's seeded subset
        chosen = np.random.default_rng([seed, 0x5EED]).choice(
            len(x_train), size=args.train_size, replace=False
        )
        x_train = x_train[np.sort(chosen)]
    x_val = x_test[: SETTINGS["validation_size"]]
    encoder, decoder = build_encoder(), build_decoder()
    model = Autoencoder(encoder, decoder)
    model.compile(optimizer=make_optimizer())
    model(x_train[:1])
    parameters = encoder.count_params() + decoder.count_params()
    print(f"{parameters:,} parameters")
    if SETTINGS["architecture"] == "stacked":
        pretrain_layers(encoder, decoder, x_train, SETTINGS["pretrain_epochs"],
                        SETTINGS["batch_size"])
    denoising = SETTINGS["architecture"] == "denoising"
    history = {}
    for epoch in range(1, args.epochs + 1):
        inputs = add_noise(x_train, rng) if denoising else x_train
        val_inputs = add_noise(x_val, rng) if denoising else x_val
        result = model.fit(
            inputs,
            x_train,
            batch_size=SETTINGS["batch_size"],
            epochs=1,
            shuffle=True,
            validation_data=(val_inputs, x_val),
            verbose=0,
        )
        history = {k: float(v[-1]) for k, v in result.history.items()}
        print(f"epoch {epoch}: " + ", ".join(f"{k} {v:.4f}" for k, v in history.items()))
        if not math.isfinite(history["loss"]):
            print("The loss is no longer a number: try a smaller learning rate.")
            break
    print(json.dumps({"parameters": parameters, **history}))


if __name__ == "__main__":
    main()
'''
