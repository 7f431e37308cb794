"""Interactive speed, measured in headless Chromium against a real `streamlit run app.py`.

    python -m bench.interactive

Prints: cold start (server process started -> Home page rendered), when the server is warm
(its training processes ready, as the Class page shows), then on that warm server the 2-D
preset from the button press to the first epoch on screen and to "Trained for 5 epochs",
and the Latent space page with all 10,000 test codes (first visit, which encodes them, and a
second, cached visit). Target: the preset finished on screen within 5 s.

Then a second server as a class finds it when the teacher started it a few minutes early:
the Home presets prepared (trained ahead while nobody waits, `AE_PREPARE_PRESETS`, on by
default in the app and off in the first server here). Prints how long the preparation took
and the 2-D preset's press to "Trained for 5 epochs" on that server.
"""

from __future__ import annotations

import re
import tempfile
import time
from pathlib import Path

from tests.browser_support import chromium, streamlit_server, wait_until_healthy

PLOT_WITH_POINTS = """() => {
  const plots = [...document.querySelectorAll('.js-plotly-plot')];
  return plots.some(p => (p._fullData || []).filter(t => t.type === 'scattergl')
    .reduce((n, t) => n + (t._length || 0), 0) >= 10000);
}"""


def _press_first_preset(page) -> tuple[float, float]:
    """Seconds from pressing the first Home preset to its first epoch and to finished."""
    page.get_by_role("link", name="Home").first.click()
    page.get_by_text("Start with a preset").wait_for(timeout=60_000)
    page.wait_for_timeout(1_000)
    pressed = time.perf_counter()
    page.get_by_role("button", name="Train this").first.click()
    page.get_by_text(re.compile(r"after epoch \d")).first.wait_for(timeout=300_000)
    first_epoch = time.perf_counter() - pressed
    page.get_by_text("Trained for 5 epochs").wait_for(timeout=600_000)
    return first_epoch, time.perf_counter() - pressed


def _prepared_server(browser, folder: Path) -> tuple[float, float]:
    """A server that prepares the presets: seconds until all are, then the press to done."""
    page = browser.new_page(viewport={"width": 1400, "height": 1400})
    started = time.perf_counter()
    runs, log = folder / "prepared-runs", folder / "prepared-server.log"
    with streamlit_server(runs, log, prepare_presets=True) as url:
        page.goto(url)
        page.get_by_text("Start with a preset").wait_for(timeout=120_000)
        page.get_by_role("link", name="Class").first.click()
        page.get_by_text("Training now").first.wait_for(timeout=60_000)
        preparing = page.get_by_text(re.compile(r"Home presets? ahead")).first
        preparing.wait_for(timeout=120_000)
        preparing.wait_for(state="detached", timeout=900_000)
        prepared = time.perf_counter() - started
        _, finished = _press_first_preset(page)
    page.close()
    return prepared, finished


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp, chromium() as browser:
        folder = Path(tmp)
        page = browser.new_page(viewport={"width": 1400, "height": 1400})
        started = time.perf_counter()
        with streamlit_server(folder / "runs", folder / "server.log", wait=False) as url:
            wait_until_healthy(url, timeout=60)
            page.goto(url)
            page.get_by_text("Start with a preset").wait_for(timeout=120_000)
            cold = time.perf_counter() - started

            # A warm server, as a class finds it: its training processes have started,
            # loaded TensorFlow and the data, and trained once (the Class page says so).
            page.get_by_role("link", name="Class").first.click()
            page.get_by_text("Training now").first.wait_for(timeout=60_000)
            page.wait_for_timeout(500)
            while page.get_by_text("still starting").count():
                page.wait_for_timeout(250)
            warm = time.perf_counter() - started
            first_epoch, finished = _press_first_preset(page)

            visits = []
            for _ in range(2):
                page.get_by_role("link", name="Home").first.click()
                page.get_by_text("Start with a preset").wait_for(timeout=60_000)
                clicked = time.perf_counter()
                page.get_by_role("link", name="Latent space").first.click()
                page.wait_for_function(PLOT_WITH_POINTS, timeout=300_000)
                visits.append(time.perf_counter() - clicked)
        page.close()
        prepared, finished_prepared = _prepared_server(browser, folder)

    print("| measurement | seconds |")
    print("|---|---:|")
    print(f"| cold start: `streamlit run app.py` to Home rendered | {cold:.1f} |")
    print(f"| server warm: its training processes ready (from the start) | {warm:.1f} |")
    print(f"| 2-D preset: button press to first epoch on screen | {first_epoch:.1f} |")
    print(f"| 2-D preset: button press to finished (5 epochs, 20,000 images) | {finished:.1f} |")
    print(f"| Latent space with all 10,000 points, first visit (encodes them) | {visits[0]:.1f} |")
    print(f"| Latent space with all 10,000 points, second visit (cached) | {visits[1]:.1f} |")
    print(f"| presets prepared ahead: all four trained (from start) | {prepared:.1f} |")
    print(f"| 2-D preset, prepared: button press to finished on screen | {finished_prepared:.1f} |")


if __name__ == "__main__":
    main()
