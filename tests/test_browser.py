"""End to end in real headless Chromium (Debian's /usr/bin/chromium, driven by Playwright).

Starts `streamlit run app.py`, presses the 2-D preset on Home, waits for training to finish,
checks the loss chart, reconstructions and latent scatter, then visits every page. Screenshots
land in test-artifacts/ to be looked at.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import ROOT

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    port = _free_port()
    runs = tmp_path_factory.mktemp("runs")
    log = (tmp_path_factory.mktemp("server") / "streamlit.log").open("w")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            "app.py",
            "--server.headless",
            "true",
            "--server.port",
            str(port),
            "--server.address",
            "127.0.0.1",
        ],
        cwd=ROOT,
        env={**os.environ, "AE_RUNS_DIR": str(runs)},
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if urllib.request.urlopen(f"{url}/_stcore/health", timeout=2).read() == b"ok":
                break
        except OSError:
            time.sleep(0.5)
    else:
        process.kill()
        pytest.fail(f"streamlit did not start; see {log.name}")
    yield url
    process.terminate()
    process.wait(timeout=20)
    log.close()


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    assert Path(CHROMIUM).exists(), "Debian's chromium is required (tests/run.sh installs it)"
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield chromium
        chromium.close()


def test_a_preset_trains_and_every_page_shows_its_results(server, browser, artifacts):
    page = browser.new_page(viewport={"width": 1400, "height": 2400})
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))

    page.goto(server)
    page.get_by_text("Start with a preset").wait_for(timeout=60_000)
    page.screenshot(path=artifacts / "1-home.png")

    started = time.monotonic()
    page.get_by_role("button", name="Train this").first.click()
    page.get_by_text("Train a model").wait_for(timeout=60_000)
    page.get_by_text("Trained for 5 epochs").wait_for(timeout=600_000)
    seconds = time.monotonic() - started
    page.wait_for_timeout(1_500)
    page.screenshot(path=artifacts / "2-train-finished.png")
    print(f"\n2-D preset: press to finished in {seconds:.0f} s")
    for title in (
        "Loss per epoch",
        "Test digits and their reconstructions",
        "Codes of 2,000 test digits",
    ):
        assert page.get_by_text(title).first.is_visible(), title
    assert page.locator(".js-plotly-plot").count() >= 3
    assert page.locator("text=Traceback").count() == 0

    for link, heading, shot in (
        ("Reconstructions", "Which digits are unusual?", "3-reconstructions.png"),
        ("Latent space", "The 2-D codes, exactly as learned.", "4-latent-space.png"),
        ("Denoising", "PSNR of the noisy digits", "5-denoising.png"),
    ):
        page.get_by_role("link", name=link).first.click()
        page.get_by_text(heading).first.wait_for(timeout=120_000)
        page.wait_for_timeout(2_000)
        page.screenshot(path=artifacts / shot)
        assert page.locator("text=Traceback").count() == 0, link
    assert not errors, errors
