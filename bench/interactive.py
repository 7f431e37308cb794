"""Interactive speed, measured in headless Chromium against a real `streamlit run app.py`.

    python -m bench.interactive

Prints: cold start (server process started -> Home page rendered), when the server is warm
(its training processes ready, as the Class page shows), then on that warm server the 2-D
preset from the button press to the first epoch on screen and to "Trained for 5 epochs",
and the Latent space page with all 10,000 test codes (first visit, which encodes them, and a
second, cached visit). Target: the preset finished on screen within 5 s.
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
            page.get_by_role("link", name="Home").first.click()
            page.get_by_text("Start with a preset").wait_for(timeout=60_000)
            page.wait_for_timeout(1_000)

            pressed = time.perf_counter()
            page.get_by_role("button", name="Train this").first.click()
            page.get_by_text(re.compile(r"after epoch \d")).first.wait_for(timeout=300_000)
            first_epoch = time.perf_counter() - pressed
            page.get_by_text("Trained for 5 epochs").wait_for(timeout=600_000)
            finished = time.perf_counter() - pressed

            visits = []
            for _ in range(2):
                page.get_by_role("link", name="Home").first.click()
                page.get_by_text("Start with a preset").wait_for(timeout=60_000)
                clicked = time.perf_counter()
                page.get_by_role("link", name="Latent space").first.click()
                page.wait_for_function(PLOT_WITH_POINTS, timeout=300_000)
                visits.append(time.perf_counter() - clicked)

    print("| measurement | seconds |")
    print("|---|---:|")
    print(f"| cold start: `streamlit run app.py` to Home rendered | {cold:.1f} |")
    print(f"| server warm: its training processes ready (from the start) | {warm:.1f} |")
    print(f"| 2-D preset: button press to first epoch on screen | {first_epoch:.1f} |")
    print(f"| 2-D preset: button press to finished (5 epochs, 20,000 images) | {finished:.1f} |")
    print(f"| Latent space with all 10,000 points, first visit (encodes them) | {visits[0]:.1f} |")
    print(f"| Latent space with all 10,000 points, second visit (cached) | {visits[1]:.1f} |")


if __name__ == "__main__":
    main()
