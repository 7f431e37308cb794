"""What watching a run costs: K browser tabs on the Train page, all attached to one run.

    python -m bench.watching --tabs 5

Starts the real server, opens K Playwright contexts in headless Chromium on the Train page
(after one visit to Home, as any class starts), presses Start with the same settings in
each (deep dense, 40 epochs on all 60,000 images: trained once, every tab attached), waits
until the third epoch, then measures for `--window` seconds the CPU used by the server
process itself (drawing pages; training runs in its worker processes) and by all Chromium
processes, in cores. The same is measured first with the tabs open and nothing running.
The browsers share this machine's cores with the training: compare rows of one run.
"""

from __future__ import annotations

import argparse
import re
import tempfile
import time
from pathlib import Path

from bench.classroom import _server_pid, process_cpu_seconds
from tests.browser_support import CHROMIUM, CHROMIUM_FLAGS, streamlit_server


def cpu_seconds(keep) -> float:
    """CPU seconds used so far by the processes `keep(pid, name)` accepts."""
    total = 0.0
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            name = (proc / "comm").read_text().strip()
            if keep(int(proc.name), name):
                total += process_cpu_seconds(int(proc.name))
        except OSError:  # ended meanwhile
            continue
    return total


def measure(server_pid: int, window: float) -> tuple[float, float]:
    """Cores used over the window by (Chromium, the server process)."""

    def chromium(pid, name):
        return "chrom" in name.lower()

    def server(pid, name):
        return pid == server_pid

    c0, s0, t0 = cpu_seconds(chromium), cpu_seconds(server), time.perf_counter()
    time.sleep(window)
    elapsed = time.perf_counter() - t0
    return (cpu_seconds(chromium) - c0) / elapsed, (cpu_seconds(server) - s0) / elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tabs", type=int, default=5)
    parser.add_argument("--window", type=float, default=20.0)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    with (
        tempfile.TemporaryDirectory() as tmp,
        streamlit_server(Path(tmp) / "runs", Path(tmp) / "server.log") as url,
        sync_playwright() as playwright,
    ):
        pid = _server_pid(url)
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        first = browser.new_page()
        first.goto(url)
        first.get_by_text("Start with a preset").wait_for(timeout=120_000)
        first.close()
        pages = []
        for _ in range(args.tabs):
            page = browser.new_context(viewport={"width": 1300, "height": 1100}).new_page()
            page.set_default_timeout(300_000)
            page.goto(f"{url}/train")
            page.get_by_label("Epochs", exact=True).wait_for()
            pages.append(page)
        time.sleep(5)
        idle = measure(pid, args.window)
        for page in pages:
            epochs = page.get_by_label("Epochs", exact=True)
            epochs.fill("40")
            epochs.press("Enter")
            page.wait_for_timeout(1_500)
            page.get_by_role("button", name="Start training").click()
        for page in pages:
            page.get_by_text(re.compile(r"epoch [3-9]/40")).first.wait_for()
        watching = measure(pid, args.window)
        browser.close()
    print("| tabs | state | Chromium, cores | server process, cores |")
    print("|---:|---|---:|---:|")
    print(f"| {args.tabs} | open, nothing running | {idle[0]:.2f} | {idle[1]:.2f} |")
    print(f"| {args.tabs} | watching one run | {watching[0]:.2f} | {watching[1]:.2f} |")


if __name__ == "__main__":
    main()
