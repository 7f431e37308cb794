"""How fast the server answers a click while it trains, with its training processes at the
same priority as the server (niceness 0) or standing back (the default, 10).

    python -m bench.responsiveness --niceness 0 10 --probes 6

For each niceness a real server starts (`AE_WORKER_NICENESS`), two tabs start long runs
(deep dense, 40 epochs on all 60,000 images, so both training processes stay busy) and
close; their runs go on (the sessions' TTL is long). Then one tab at a time, `--probes`
times: a new session opens the Train page, sets a seed of its own, presses Start, waits for
its place in the queue on screen, and cancels. Prints the median and the slowest seconds
from opening to the page being ready, and from the press to the queue place. One tab at a
time, so nearly all the CPU the training leaves is the server's; rounds alternate.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import tempfile
import time
from pathlib import Path

from tests.browser_support import CHROMIUM, CHROMIUM_FLAGS, streamlit_server

QUEUE_PLACE = re.compile(r"in the queue")


def start_long_run(browser, url: str, seed: int) -> None:
    page = browser.new_context(viewport={"width": 1300, "height": 1100}).new_page()
    page.set_default_timeout(300_000)
    page.goto(f"{url}/train")
    fill(page, seed=seed, epochs=40)
    page.get_by_role("button", name="Start training").click()
    page.get_by_text(re.compile(r"epoch \d+/40")).first.wait_for()
    page.context.close()


def fill(page, seed: int, epochs: int) -> None:
    for label, value in (("Seed", seed), ("Epochs", epochs)):
        field = page.get_by_label(label, exact=True)
        field.fill(str(value))
        field.press("Enter")
    page.wait_for_timeout(1_500)


def probe(browser, url: str, seed: int) -> tuple[float, float]:
    """Seconds from opening the Train page to ready, and from pressing Start to the queue
    place on screen."""
    page = browser.new_context(viewport={"width": 1300, "height": 1100}).new_page()
    page.set_default_timeout(120_000)
    opened = time.perf_counter()
    page.goto(f"{url}/train")
    page.get_by_label("Seed", exact=True).wait_for()
    ready = time.perf_counter() - opened
    fill(page, seed=seed, epochs=1)
    pressed = time.perf_counter()
    page.get_by_role("button", name="Start training").click()
    page.get_by_text(QUEUE_PLACE).first.wait_for()
    answered = time.perf_counter() - pressed
    page.get_by_role("button", name="Cancel").click()
    page.get_by_text("Cancelled").first.wait_for()
    page.context.close()
    return ready, answered


def measure(niceness: int, probes: int) -> tuple[list[float], list[float]]:
    from playwright.sync_api import sync_playwright

    os.environ["AE_WORKER_NICENESS"] = str(niceness)
    with (
        tempfile.TemporaryDirectory() as tmp,
        streamlit_server(
            Path(tmp) / "runs",
            Path(tmp) / "server.log",
            options=("--server.disconnectedSessionTTL", "900"),
        ) as url,
        sync_playwright() as playwright,
    ):
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        for seed in (1, 2):
            start_long_run(browser, url, seed)
        time.sleep(3)
        results = [probe(browser, url, seed=100 + i) for i in range(probes)]
        browser.close()
    return [r[0] for r in results], [r[1] for r in results]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--niceness", type=int, nargs="+", default=[0, 10])
    parser.add_argument("--probes", type=int, default=6)
    parser.add_argument("--rounds", type=int, default=1)
    args = parser.parse_args()
    print(
        "| round | niceness | page ready, median / slowest, s "
        "| press to queue place, median / slowest, s |"
    )
    print("|---:|---:|---:|---:|")
    for round_ in range(1, args.rounds + 1):
        for niceness in args.niceness:
            ready, answered = measure(niceness, args.probes)
            print(
                f"| {round_} | {niceness} "
                f"| {statistics.median(ready):.2f} / {max(ready):.2f} "
                f"| {statistics.median(answered):.2f} / {max(answered):.2f} |",
                flush=True,
            )


if __name__ == "__main__":
    main()
