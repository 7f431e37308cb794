"""Training overhead: the app's trainer against an expert's plain Keras, same model and data.

    python -m bench.overhead                         # dense, deep, conv; 1 and 5 epochs
    python -m bench.overhead --archs deep --epochs 1 --rounds 5
    python -m bench.overhead --profile deep          # where one run's seconds go

Every side trains a freshly built copy of the same Keras model (same seed) on the same
20,000 images with batch 128, timed from building the model to the end of training (the
app's side builds its model inside the worker's call, so the others' clocks start before
their builds too; the images are ready on every side, as in a warm worker). Runs alternate
(expert, app, bare, expert, app, bare, ...) in one process so a noisy, shared machine slows
all alike; each ratio is the median of the per-round ratios. Target: app / expert >= 0.95.

- expert: what someone fluent in Keras writes: `fit` on a tensor already in memory, with
  `shuffle=True` and `steps_per_execution` raised (EXPERT_STEPS_PER_EXECUTION);
- app: `ae_core.worker.train_run`, what the training service's worker runs for the Train
  page (here in this process, without the queue to the server): `train` with its own
  seeded shuffling, progress reports, stop checks, divergence rollback, validation on 1,000
  test images, each epoch's reconstructions and codes of 2,000 test images, and the weights
  handed back;
- bare: `fit` on numpy arrays with Keras' defaults, what a first tutorial writes.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import statistics
import time

from ae_core.data import load_dataset
from ae_core.run_config import RunConfig
from ae_core.training import (
    build_autoencoder,
    image_store,
    make_optimizer,
    train,
    training_set,
)

EXPERT_STEPS_PER_EXECUTION = 32


def expert_fit(config: RunConfig, images) -> float:
    import tensorflow as tf

    x = tf.constant(images)
    started = time.perf_counter()
    ae = build_autoencoder(config)
    ae.model.compile(
        optimizer=make_optimizer(config.train), steps_per_execution=EXPERT_STEPS_PER_EXECUTION
    )
    ae.model.fit(
        x,
        x,
        batch_size=config.train.batch_size,
        epochs=config.train.epochs,
        shuffle=True,
        verbose=0,
    )
    return time.perf_counter() - started


def bare_fit(config: RunConfig, images) -> float:
    started = time.perf_counter()
    ae = build_autoencoder(config)
    ae.model.compile(optimizer=make_optimizer(config.train))
    ae.model.fit(
        images, images, batch_size=config.train.batch_size, epochs=config.train.epochs, verbose=0
    )
    return time.perf_counter() - started


def app_train(config: RunConfig, dataset) -> float:
    """What a training worker does for the Train page, here in this process: build, train
    with every report, hand back the weights (the queue to the server is left out)."""
    from ae_core.worker import train_run

    started = time.perf_counter()
    result = train_run(0, config.to_dict(), 0)
    seconds = time.perf_counter() - started
    assert result.status == "completed", result.message
    assert len(result.history) == config.train.epochs and result.encoder_weights
    return seconds


def profile(arch: str, epochs: int, train_size: int, dataset) -> None:
    """cProfile of one run on this thread: what the trainer's Python does around the graph."""
    config = RunConfig.create(arch, epochs=epochs, train_size=train_size)
    train(config.replace(epochs=1, train_size=1_000), dataset)  # trace TF once, untimed
    events = []
    profiler = cProfile.Profile()
    profiler.enable()
    train(config, dataset, on_progress=events.append)
    profiler.disable()
    stats = pstats.Stats(profiler).sort_stats("cumulative")
    stats.print_stats(25)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--archs", nargs="+", default=["dense", "deep", "conv"])
    parser.add_argument("--epochs", nargs="+", type=int, default=[1, 5])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--train-size", type=int, default=20_000)
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--profile", metavar="ARCH", help="profile one run of ARCH instead")
    args = parser.parse_args()

    dataset = load_dataset("mnist")
    if args.profile:
        profile(args.profile, args.epochs[0], args.train_size, dataset)
        return
    print(
        "| architecture | epochs | expert fit img/s | app img/s | app / expert (median) | "
        "rounds | bare numpy fit img/s | app / bare |"
    )
    print("|---|---:|---:|---:|---:|---|---:|---:|")
    for name in args.archs:
        for epochs in args.epochs:
            config = RunConfig.create(
                name, epochs=epochs, train_size=args.train_size, batch_size=args.batch_size
            )
            images, _ = training_set(dataset, config)
            samples = len(images) * epochs
            # Both sides start warm, as a worker does: the expert's tensor and the trainer's
            # image store are made before the clocks start.
            image_store(dataset.x_train)
            expert_fit(config.replace(epochs=1, train_size=1_000), images[:1_000])  # warm up
            expert, app, bare = [], [], []
            for _ in range(args.rounds):
                expert.append(samples / expert_fit(config, images))
                app.append(samples / app_train(config, dataset))
                bare.append(samples / bare_fit(config, images))
            to_expert = [a / e for a, e in zip(app, expert, strict=True)]
            to_bare = [a / b for a, b in zip(app, bare, strict=True)]
            rounds = ", ".join(f"{r:.2f}" for r in to_expert)
            print(
                f"| {name} | {epochs} | {statistics.median(expert):,.0f} "
                f"| {statistics.median(app):,.0f} | {statistics.median(to_expert):.3f} "
                f"| {rounds} | {statistics.median(bare):,.0f} "
                f"| {statistics.median(to_bare):.3f} |",
                flush=True,
            )


if __name__ == "__main__":
    main()
