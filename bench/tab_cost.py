"""What opening a page costs the browser: Chromium's own performance metrics for one tab.

    python -m bench.tab_cost --pages /train /class_view /

For each page, twice, a new Playwright context in headless Chromium opens it on a real
server (nothing training) and waits until the network is idle and 4 s more; then prints the
renderer main thread's busy time (TaskDuration) and its script, layout and style parts, from
the DevTools protocol's `Performance.getMetrics`. On a 2-core class server with the
students' tabs on the same machine, this is what each tab asks of the cores when it opens.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from tests.browser_support import CHROMIUM, CHROMIUM_FLAGS, streamlit_server


def metrics_of(browser, address: str) -> dict[str, float]:
    context = browser.new_context(viewport={"width": 1300, "height": 1100})
    page = context.new_page()
    devtools = context.new_cdp_session(page)
    devtools.send("Performance.enable")
    page.goto(address)
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(4_000)
    metrics = {m["name"]: m["value"] for m in devtools.send("Performance.getMetrics")["metrics"]}
    context.close()
    return metrics


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", nargs="+", default=["/train", "/class_view", "/"])
    parser.add_argument("--times", type=int, default=2)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    print("| page | main thread busy, s | script, s | layout, s | style, s |")
    print("|---|---:|---:|---:|---:|")
    with (
        tempfile.TemporaryDirectory() as tmp,
        streamlit_server(Path(tmp) / "runs", Path(tmp) / "server.log") as url,
        sync_playwright() as playwright,
    ):
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        for path in args.pages:
            for _ in range(args.times):
                m = metrics_of(browser, url + path)
                print(
                    f"| {path} | {m['TaskDuration']:.2f} | {m['ScriptDuration']:.2f} "
                    f"| {m['LayoutDuration']:.2f} | {m['RecalcStyleDuration']:.2f} |",
                    flush=True,
                )
        browser.close()


if __name__ == "__main__":
    main()
