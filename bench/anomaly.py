"""AUC of reconstruction error as an anomaly detector, beside PCA's (python -m bench.anomaly).

Each row trains a model on every MNIST digit except the anomalies' class (all 60,000 training
images minus that class, 5 epochs), then scores all 10,000 test images: normal = the classes
it trained on, anomalies = the class it never saw. A second AUC uses Fashion-MNIST's 10,000
test images as the anomalies for the same model. PCA at the same code size, fitted on the
same training images, is the baseline.
"""

from __future__ import annotations

import argparse
import platform
import time

from ae_core.anomaly import roc
from ae_core.data import load_dataset
from ae_core.explorer import LEFT_OUT, ModelExplorer
from ae_core.run_config import RunConfig
from ae_core.training import train

SETUPS = [
    (architecture, code) for architecture in ("dense", "deep", "conv", "vae") for code in (2, 32)
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--left-out", type=int, default=2, help="the anomalies' class")
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--train-size", type=int, default=None, help="default: all")
    parser.add_argument("--only", nargs="*", help="e.g. deep:32 conv:2")
    args = parser.parse_args()
    import tensorflow as tf

    mnist, fashion = load_dataset("mnist"), load_dataset("fashion_mnist")
    print(f"TensorFlow {tf.__version__}, Python {platform.python_version()}")
    print(
        f"anomalies: digit {args.left_out} (never trained on), and Fashion-MNIST; "
        f"{args.epochs} epochs on {args.train_size or 'all'} training images"
    )
    columns = ["AUC, unseen digit", "PCA AUC", "AUC, Fashion-MNIST", "PCA AUC", "train s"]
    print("| architecture | code | " + " | ".join(columns) + " |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    setups = SETUPS
    if args.only:
        setups = [(a, int(c)) for a, c in (s.split(":") for s in args.only)]
    for architecture, code in setups:
        config = RunConfig.create(
            architecture,
            latent_dim=code,
            epochs=args.epochs,
            train_size=args.train_size,
            exclude_classes=(args.left_out,),
        )
        start = time.perf_counter()
        result = train(config, mnist)
        seconds = time.perf_counter() - start
        explorer = ModelExplorer.from_result(architecture, result, mnist)
        cells = []
        for source, other in ((LEFT_OUT, None), ("fashion_mnist", fashion)):
            test = explorer.anomaly_test(source, other)
            cells.append(roc(test.normal_errors, test.anomalous_errors).auc)
            cells.append(roc(test.normal_pca_errors, test.anomalous_pca_errors).auc)
        row = " | ".join(f"{v:.3f}" for v in cells)
        print(f"| {architecture} | {code} | {row} | {seconds:.0f} |", flush=True)


if __name__ == "__main__":
    main()
