"""Training overhead: `ae_core.training.train` (progress on, as the app uses it) vs bare fit.

    python -m bench.overhead                        # dense, deep, conv; 3 rounds of 1 epoch
    python -m bench.overhead --archs deep --rounds 5 --epochs 2 --train-size 20000

Both sides train a freshly built copy of the same Keras model (same seed) on the same images
with the same batch size, timed from the first step's tracing to the end. Runs alternate
(bare, ours, bare, ours, ...) in one process so that a noisy, shared machine slows both
alike; the ratio is the median of the per-round ratios. Target: ratio >= 0.95.

Our side includes everything the app pays for: the run's own shuffling, a progress report
every 10 batches, a weights snapshot for divergence rollback, stop checks, validation on
1,000 test images and the per-epoch reconstructions and codes. Since the trainer lets Keras
run 10 batches per call into the graph, a bare fit with the same `steps_per_execution` is
timed too: the ratio against it is the cost of our bookkeeping alone.
"""

from __future__ import annotations

import argparse
import statistics
import time

from ae_core.data import load_dataset
from ae_core.jobs import TrainingJob
from ae_core.run_config import RunConfig
from ae_core.training import REPORT_EVERY, build_autoencoder, make_optimizer, training_set


def bare_fit(config: RunConfig, images, steps_per_execution: int = 1) -> float:
    ae = build_autoencoder(config)
    ae.model.compile(
        optimizer=make_optimizer(config.train), steps_per_execution=steps_per_execution
    )
    started = time.perf_counter()
    ae.model.fit(
        images, images, batch_size=config.train.batch_size, epochs=config.train.epochs, verbose=0
    )
    return time.perf_counter() - started


def project_train(config: RunConfig, dataset) -> float:
    ae = build_autoencoder(config)
    started = time.perf_counter()
    # Exactly what the app does: a background job whose callback keeps every snapshot.
    job = TrainingJob(config, dataset, autoencoder=ae).start()
    job.join()
    seconds = time.perf_counter() - started
    snapshot = job.snapshot()
    assert snapshot.state == "completed", snapshot.message
    assert snapshot.progress is not None and snapshot.latest_epoch.codes is not None
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--archs", nargs="+", default=["dense", "deep", "conv"])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--train-size", type=int, default=None)
    parser.add_argument("--batch-size", type=int, default=128)
    args = parser.parse_args()

    dataset = load_dataset("mnist")
    print(
        "| architecture | bare fit img/s | train() img/s | ratio (median of rounds) | rounds "
        f"| bare fit, {REPORT_EVERY} steps/execution, img/s | ratio to it |"
    )
    print("|---|---:|---:|---:|---|---:|---:|")
    for name in args.archs:
        config = RunConfig.create(
            name,
            epochs=args.epochs,
            train_size=args.train_size,
            batch_size=args.batch_size,
        )
        images, _ = training_set(dataset, config)
        samples = len(images) * args.epochs
        bare_fit(config.replace(epochs=1, train_size=1_000), images[:1_000])  # warm TF up once
        bare, ours, bare10 = [], [], []
        for _ in range(args.rounds):
            bare.append(samples / bare_fit(config, images))
            ours.append(samples / project_train(config, dataset))
            bare10.append(samples / bare_fit(config, images, steps_per_execution=REPORT_EVERY))
        ratios = [o / b for o, b in zip(ours, bare, strict=True)]
        ratios10 = [o / b for o, b in zip(ours, bare10, strict=True)]
        rounds = ", ".join(f"{r:.3f}" for r in ratios)
        print(
            f"| {name} | {statistics.median(bare):,.0f} | {statistics.median(ours):,.0f} "
            f"| {statistics.median(ratios):.3f} | {rounds} "
            f"| {statistics.median(bare10):,.0f} | {statistics.median(ratios10):.3f} |",
            flush=True,
        )


if __name__ == "__main__":
    main()
