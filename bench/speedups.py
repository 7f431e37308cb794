"""Speed-ups for CPU training that do not change what is learned, measured side by side.

    python -m bench.speedups                  # dense, deep, conv; 20,000 images; 3 rounds

Each variant trains a freshly built copy of the same model (same seed, same batches) for one
timed epoch after an untimed warm-up that traces (and, for XLA, compiles) the train step;
variants alternate within every round and the table shows median images/s and the
ratio to the baseline named in each row. Variants:

- numpy per epoch: what the trainer first did, handing Keras a freshly shuffled numpy copy
  per epoch (Keras converts it to a tensor every time);
- tensor + gather: one tensor per stage, batches gathered by index;
- + XLA: the same with `jit_compile=True`;
- + 1 inter-op thread: the same with TensorFlow's inter-op pool limited to one thread
  (set in a subprocess, since it must be set before TensorFlow starts);
- + steps per execution: Keras runs one progress report's worth of batches per call into the
  graph (`ae_core.training.REPORT_EVERY`; 10 when bench/README's table was measured, 32 since),
  as the trainer does;
- batch 64 / batch 256: the trainer with another batch size (the default is 128).

Each row also shows the test MSE (first 2,000 test images) after that one epoch, so a
speed-up that changes what is learned shows itself.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time

import numpy as np

BATCH_SIZES = {"batch64": 64, "batch256": 256}


def one_epoch(arch: str, variant: str, images: np.ndarray, test: np.ndarray) -> dict:
    """Steady-state images/s of one epoch (tracing and XLA compilation done beforehand)
    and the test MSE after it."""
    import tensorflow as tf

    from ae_core.metrics import per_image_mse
    from ae_core.run_config import RunConfig
    from ae_core.training import (
        REPORT_EVERY,
        build_autoencoder,
        make_optimizer,
        shuffled_batches,
    )

    batch = BATCH_SIZES.get(variant, 128)
    config = RunConfig.create(arch, batch_size=batch)
    autoencoder = build_autoencoder(config)
    model = autoencoder.model
    model.compile(
        optimizer=make_optimizer(config.train),
        jit_compile=variant == "xla",
        steps_per_execution=REPORT_EVERY if variant == "spe" else 1,
    )
    order = np.random.default_rng(0).permutation(len(images))

    def epoch(n: int) -> None:
        if variant == "numpy":
            shuffled = images[order[:n]]
            model.fit(shuffled, shuffled, batch_size=batch, epochs=1, shuffle=False, verbose=0)
        else:
            tensor = tf.constant(images[:n])
            batches = shuffled_batches(tensor, tensor, order[order < n], batch)
            model.fit(batches, epochs=1, verbose=0)

    epoch(2_048)  # untimed: traces (and compiles) the train step
    started = time.perf_counter()
    epoch(len(images))
    rate = len(images) / (time.perf_counter() - started)
    mse = float(np.mean(per_image_mse(test, autoencoder.reconstruct(test))))
    return {"rate": rate, "mse": mse}


def worker(args) -> None:
    """Runs in a subprocess so thread settings can be applied before TensorFlow starts."""
    import tensorflow as tf

    if args.inter_op:
        tf.config.threading.set_inter_op_parallelism_threads(args.inter_op)
    from ae_core.data import load_dataset

    dataset = load_dataset("mnist")
    images = np.array(dataset.x_train[: args.train_size])
    test = np.array(dataset.x_test[:2_000])
    variants = args.variants.split(",")
    print(json.dumps({v: one_epoch(args.arch, v, images, test) for v in variants}))


def run_worker(arch: str, variants: list[str], train_size: int, inter_op: int = 0) -> dict:
    command = [
        sys.executable,
        "-m",
        "bench.speedups",
        "--worker",
        "--arch",
        arch,
        "--variants",
        ",".join(variants),
        "--train-size",
        str(train_size),
        "--inter-op",
        str(inter_op),
    ]
    out = subprocess.run(command, capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


ROWS = [
    ("numpy per epoch", "numpy", "numpy", "itself"),
    ("tensor + gather", "tensor", "numpy", "numpy per epoch"),
    ("+ XLA", "xla", "tensor", "tensor + gather"),
    ("+ 1 inter-op thread", "inter1", "tensor", "tensor + gather"),
    ("+ steps per execution (current)", "spe", "tensor", "tensor + gather"),
    ("batch 64", "batch64", "tensor", "batch 128"),
    ("batch 256", "batch256", "tensor", "batch 128"),
]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--worker", action="store_true")
    parser.add_argument("--arch", default="deep")
    parser.add_argument("--archs", nargs="+", default=["dense", "deep", "conv"])
    parser.add_argument("--variants", default="")
    parser.add_argument("--train-size", type=int, default=20_000)
    parser.add_argument("--inter-op", type=int, default=0)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    if args.worker:
        worker(args)
        return

    print("| architecture | variant | images/s (median) | ratio | baseline | test MSE, 1 epoch |")
    print("|---|---|---:|---:|---|---:|")
    in_process = ["numpy", "tensor", "xla", "spe", "batch64", "batch256"]
    for arch in args.archs:
        results: dict[str, list[dict]] = {}
        for _ in range(args.rounds):
            for name, result in run_worker(arch, in_process, args.train_size).items():
                results.setdefault(name, []).append(result)
            single = run_worker(arch, ["tensor"], args.train_size, inter_op=1)["tensor"]
            results.setdefault("inter1", []).append(single)
        rate = {k: statistics.median(r["rate"] for r in v) for k, v in results.items()}
        mse = {k: statistics.median(r["mse"] for r in v) for k, v in results.items()}
        for label, key, base, base_label in ROWS:
            print(
                f"| {arch} | {label} | {rate[key]:,.0f} | {rate[key] / rate[base]:.2f} "
                f"| {base_label} | {mse[key]:.4f} |",
                flush=True,
            )


if __name__ == "__main__":
    main()
