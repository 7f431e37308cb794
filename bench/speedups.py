"""Speed-ups for CPU training that do not change what is learned, measured side by side.

    python -m bench.speedups                  # dense, deep, conv; 20,000 images; 3 rounds

Each variant trains a freshly built copy of the same model (same seed, same batches) for one
timed epoch after an untimed warm-up that traces (and, for XLA, compiles) the train step;
variants alternate within every round and the table shows median images/s and the
ratio to the baseline named in each row. Variants:

- numpy per epoch: what the trainer first did, handing Keras a freshly shuffled numpy copy
  per epoch (Keras converts it to a tensor every time);
- tensor + gather: the trainer now (one tensor per stage, batches gathered by index);
- + XLA: the same with `jit_compile=True`;
- + 1 inter-op thread: the same with TensorFlow's inter-op pool limited to one thread
  (set in a subprocess, since it must be set before TensorFlow starts).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time

import numpy as np


def one_epoch(arch: str, variant: str, images: np.ndarray) -> float:
    """Steady-state images/s of one epoch (tracing and XLA compilation done beforehand)."""
    import tensorflow as tf

    from ae_core.run_config import RunConfig
    from ae_core.training import build_autoencoder, make_optimizer, shuffled_batches

    config = RunConfig.create(arch, batch_size=128)
    model = build_autoencoder(config).model
    model.compile(optimizer=make_optimizer(config.train), jit_compile=variant == "xla")
    order = np.random.default_rng(0).permutation(len(images))

    def epoch(n: int) -> None:
        if variant == "numpy":
            shuffled = images[order[:n]]
            model.fit(shuffled, shuffled, batch_size=128, epochs=1, shuffle=False, verbose=0)
        else:
            tensor = tf.constant(images[:n])
            model.fit(shuffled_batches(tensor, tensor, order[order < n], 128), epochs=1, verbose=0)

    epoch(2_048)  # untimed: traces (and compiles) the train step
    started = time.perf_counter()
    epoch(len(images))
    return len(images) / (time.perf_counter() - started)


def worker(args) -> None:
    """Runs in a subprocess so thread settings can be applied before TensorFlow starts."""
    import tensorflow as tf

    if args.inter_op:
        tf.config.threading.set_inter_op_parallelism_threads(args.inter_op)
    from ae_core.data import load_dataset

    images = np.array(load_dataset("mnist").x_train[: args.train_size])
    print(json.dumps({v: one_epoch(args.arch, v, images) for v in args.variants.split(",")}))


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

    print("| architecture | variant | images/s (median) | ratio | baseline |")
    print("|---|---|---:|---:|---|")
    for arch in args.archs:
        rates: dict[str, list[float]] = {}
        for _ in range(args.rounds):
            for name, rate in run_worker(arch, ["numpy", "tensor", "xla"], args.train_size).items():
                rates.setdefault(name, []).append(rate)
            single = run_worker(arch, ["tensor"], args.train_size, inter_op=1)["tensor"]
            rates.setdefault("inter1", []).append(single)
        med = {k: statistics.median(v) for k, v in rates.items()}
        rows = [
            ("numpy per epoch", "numpy", "numpy", "itself"),
            ("tensor + gather (current)", "tensor", "numpy", "numpy per epoch"),
            ("+ XLA", "xla", "tensor", "tensor + gather"),
            ("+ 1 inter-op thread", "inter1", "tensor", "tensor + gather"),
        ]
        for label, key, base, base_label in rows:
            rate, ratio = med[key], med[key] / med[base]
            print(f"| {arch} | {label} | {rate:,.0f} | {ratio:.2f} | {base_label} |", flush=True)


if __name__ == "__main__":
    main()
