"""Starting the app and headless Chromium, shared by the browser test and bench/interactive."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def streamlit_server(
    runs_dir: Path,
    log_path: Path,
    wait: bool = True,
    options: tuple[str, ...] = (),
    prepare_presets: bool = False,
) -> Iterator[str]:
    """`streamlit run app.py` on a free port; yields its URL once it answers (if `wait`).

    `options` are more `--name value` flags for Streamlit (e.g. a short session TTL). The
    server prepares no presets unless asked: a test or benchmark that presses one measures
    the training it asked for."""
    port = free_port()
    with log_path.open("w") as log:
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
                *options,
            ],
            cwd=ROOT,
            env={
                **os.environ,
                "AE_RUNS_DIR": str(runs_dir),
                "AE_PREPARE_PRESETS": "1" if prepare_presets else "0",
            },
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        url = f"http://127.0.0.1:{port}"
        try:
            if wait and not wait_until_healthy(url, timeout=60):
                raise RuntimeError(f"streamlit did not start; see {log_path}")
            yield url
        finally:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()


def wait_until_healthy(url: str, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if urllib.request.urlopen(f"{url}/_stcore/health", timeout=2).read() == b"ok":
                return True
        except OSError:
            time.sleep(0.1)
    return False


@contextlib.contextmanager
def chromium():
    """Debian's Chromium, headless, driven by Playwright (no browser download)."""
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        raise RuntimeError("Debian's chromium is required (tests/run.sh installs it)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        try:
            yield browser
        finally:
            browser.close()
