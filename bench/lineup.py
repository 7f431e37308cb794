"""How long the Compare page's lineup trains: every architecture in turn (python -m bench.lineup).

Trains the lineup's configurations one after another in this process, as the training
workers do, and prints each run's seconds and the total (training only; on a server each run
also pays a second or two to start in its worker).
"""

from __future__ import annotations

import time

from ae_core.data import load_dataset
from ae_core.presets import LINEUP_SETTINGS, lineup
from ae_core.training import train


def main() -> None:
    mnist = load_dataset("mnist")
    print(f"lineup settings: {LINEUP_SETTINGS}")
    total = 0.0
    for config in lineup():
        start = time.perf_counter()
        result = train(config, mnist)
        seconds = time.perf_counter() - start
        total += seconds
        print(f"{config.architecture}: {seconds:.1f} s ({result.status})", flush=True)
    print(f"total: {total:.0f} s")


if __name__ == "__main__":
    main()
