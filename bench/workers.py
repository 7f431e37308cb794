"""How many trainings at once give this machine the most work done: the service's W.

    python -m bench.workers                       # W = 1, 2, 3; 6 different runs each
    python -m bench.workers --workers 1 2 4 --runs 8

For each W a fresh `TrainingService` (warmed up first, as the app's is) trains the same set
of different small runs (deep, 2-D codes, 10,000 images, 2 epochs, seeds 0..runs-1), all
requested at once as a class would. Printed: total wall time, images per second over all
runs, the median and slowest time from request to done, and the throughput relative to W=1.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from ae_core.run_config import RunConfig
from ae_core.service import TrainingService


def one_round(workers: int, runs: int, train_size: int, epochs: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        service = TrainingService(lambda: Path(tmp), workers=workers).start()
        try:
            warm = service.request(_config(-1, 500, 1), "warm-up")
            warm.join(300)
            configs = [_config(seed, train_size, epochs) for seed in range(runs)]
            started = time.perf_counter()
            handles = [service.request(c, f"student-{i}") for i, c in enumerate(configs)]
            done_at = []
            for handle in handles:
                handle.join(1_800)
                done_at.append(time.perf_counter() - started)
            total = time.perf_counter() - started
            assert all(h.snapshot().state == "completed" for h in handles)
        finally:
            service.shutdown()
    return {
        "total": total,
        "rate": runs * train_size * epochs / total,
        "median": statistics.median(done_at),
        "slowest": max(done_at),
    }


def _config(seed: int, train_size: int, epochs: int) -> RunConfig:
    return RunConfig.create(
        "deep", latent_dim=2, train_size=train_size, epochs=epochs, seed=seed + 1_000
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2, 3])
    parser.add_argument("--runs", type=int, default=6)
    parser.add_argument("--train-size", type=int, default=10_000)
    parser.add_argument("--epochs", type=int, default=2)
    args = parser.parse_args()
    rows = {w: one_round(w, args.runs, args.train_size, args.epochs) for w in args.workers}
    base = rows[args.workers[0]]["rate"]
    print(
        f"{args.runs} different runs requested at once (deep, code 2, "
        f"{args.train_size:,} images, {args.epochs} epochs)\n"
    )
    print("| W | all done, s | images/s, all runs | median done, s | slowest, s | throughput |")
    print("|---:|---:|---:|---:|---:|---:|")
    for w, r in rows.items():
        print(
            f"| {w} | {r['total']:.1f} | {r['rate']:,.0f} | {r['median']:.1f} "
            f"| {r['slowest']:.1f} | {r['rate'] / base:.2f}x |"
        )


if __name__ == "__main__":
    main()
