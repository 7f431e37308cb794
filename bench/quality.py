"""Quality table: every architecture at several code sizes, trained on MNIST, beside PCA.

    python -m bench.quality                   # code sizes 2 and 32, 5 epochs, all 60k images
    python -m bench.quality --sizes 32 --archs dense deep --epochs 5
    python -m bench.quality --pca-only        # PCA's column alone, in seconds

For each run it prints test MSE and BCE (all 10k test images), PCA with the same number of
components fitted on the same training images, the accuracy of a 5-nearest-neighbour
classifier on the codes (train codes vs test codes; PCA codes for comparison) and the
training time. The last lines are a Markdown table for README.
"""

from __future__ import annotations

import argparse
import json
import platform
import time

from ae_core.architectures import all_architectures
from ae_core.data import load_dataset
from ae_core.evaluation import evaluate
from ae_core.metrics import knn_accuracy
from ae_core.pca import fit_pca
from ae_core.run_config import RunConfig
from ae_core.training import train, training_set


def main() -> None:
    names = [a.name for a in all_architectures()]
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--archs", nargs="+", default=names, choices=names)
    parser.add_argument("--sizes", nargs="+", type=int, default=[2, 32])
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--train-size", type=int, default=None)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--pca-only", action="store_true", help="print PCA's errors and 5-NN accuracy only"
    )
    args = parser.parse_args()
    if args.pca_only:
        pca_only(args.sizes, args.train_size, args.seed)
        return

    import tensorflow as tf

    print(
        f"# machine: {platform.processor() or platform.machine()}, {_cpus()} CPUs, "
        f"TensorFlow {tf.__version__}, Python {platform.python_version()}",
        flush=True,
    )
    dataset = load_dataset("mnist")
    rows = []
    for size in args.sizes:
        for name in args.archs:
            config = RunConfig.create(
                name,
                latent_dim=size,
                epochs=args.epochs,
                train_size=args.train_size,
                seed=args.seed,
            )
            row = measure(config, dataset)
            rows.append(row)
            print(json.dumps(row), flush=True)
    print()
    print(markdown(rows))


def pca_only(sizes: list[int], train_size: int | None, seed: int) -> None:
    """PCA's figures as the evaluation computes them (clipped to [0, 1], as shown)."""
    from ae_core.metrics import per_image_mse

    dataset = load_dataset("mnist")
    config = RunConfig.create("dense", train_size=train_size, seed=seed)
    x_train, _ = training_set(dataset, config)
    pca = fit_pca(x_train)
    x = dataset.x_test
    print("| code | PCA MSE (clipped, as shown) | PCA MSE (unclipped) |")
    print("|---:|---:|---:|")
    for k in sizes:
        clipped = per_image_mse(x, pca.reconstruct_clipped(x, k)).mean()
        raw = per_image_mse(x, pca.reconstruct(x, k)).mean()
        print(f"| {k} | {clipped:.4f} | {raw:.4f} |")


def measure(config: RunConfig, dataset) -> dict:
    started = time.perf_counter()
    result = train(config, dataset)
    seconds = time.perf_counter() - started
    ae = result.autoencoder
    evaluation = evaluate(ae, config, dataset)
    x_train, y_train = training_set(dataset, config)
    k = config.model.latent_dim
    pca = fit_pca(x_train)
    return {
        "architecture": config.architecture,
        "latent_dim": k,
        "epochs": config.train.epochs,
        "status": result.status,
        "test_mse": round(evaluation.test_mse, 5),
        "test_bce": round(evaluation.test_bce, 5),
        "pca_mse": round(evaluation.pca_mse, 5),
        "knn_accuracy": round(
            knn_accuracy(ae.encode(x_train), y_train, ae.encode(dataset.x_test), dataset.y_test), 4
        ),
        "pca_knn_accuracy": round(
            knn_accuracy(
                pca.encode(x_train, k), y_train, pca.encode(dataset.x_test, k), dataset.y_test
            ),
            4,
        ),
        "train_seconds": round(seconds, 1),
    }


HEADER = (
    "architecture",
    "code",
    "test MSE",
    "PCA MSE",
    "beats PCA",
    "test BCE",
    "5-NN acc. (codes)",
    "5-NN acc. (PCA)",
    "train s",
)


def markdown(rows: list[dict]) -> str:
    lines = ["| " + " | ".join(HEADER) + " |", "|---|---:|---:|---:|:---:|---:|---:|---:|---:|"]
    for r in rows:
        cells = (
            r["architecture"],
            str(r["latent_dim"]),
            f"{r['test_mse']:.4f}",
            f"{r['pca_mse']:.4f}",
            "yes" if r["test_mse"] < r["pca_mse"] else "no",
            f"{r['test_bce']:.4f}",
            f"{r['knn_accuracy']:.3f}",
            f"{r['pca_knn_accuracy']:.3f}",
            f"{r['train_seconds']:.0f}",
        )
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _cpus() -> int:
    import os

    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()


if __name__ == "__main__":
    main()
