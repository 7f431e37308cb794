"""A class on one server: N browser sessions at once against a real `streamlit run app.py`.

    python -m bench.classroom --students 10 --mix same        # all press the 2-D preset
    python -m bench.classroom --students 10 --mix different   # each trains its own run
    python -m bench.classroom --students 20 --sequential      # one after another

Each student is a Playwright context in headless Chromium (Debian's /usr/bin/chromium). In
the `same` mix every student presses the first Home preset; in `different` each opens the
Train page, sets its own seed and 1 epoch (all 60,000 images) and presses Start. Then each
visits every page. Printed per run: sessions completed, errors, seconds from the press to the
first sign of progress (a queue place or the progress bar) and to "Trained for" (p50/p95),
peak server memory (server + training processes) and threads, and the same two minutes
after every tab has closed (`--after`, with the server's disconnected-session TTL set to
`--ttl`), then the threads once the server has served one more file (its web server's idle
worker threads end only then). The server prepares no presets ahead, so `same` measures
sessions attaching to a run while it trains. The browsers share this machine's CPU with the
server: compare ratios, not seconds across machines.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import statistics
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

from tests.browser_support import CHROMIUM, CHROMIUM_FLAGS, streamlit_server

PAGES = ("Reconstructions", "Latent space", "Denoising", "Features", "My digits", "Class")
# A queue place, the progress bar, or the finished run itself (a run others already trained
# opens at once: the best first sign there is).
FIRST_SIGN = re.compile(r"in the queue|· epoch|Preparing the data|Trained for")


class ServerWatch:
    """Samples the server's resident memory (with its children) and threads."""

    def __init__(self, pid: int):
        self.pid = pid
        self.peak_mb = 0.0
        self.peak_threads = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def cpu_seconds(self) -> float:
        """CPU time the server process itself has used (its training workers not counted:
        what is left is drawing pages for the sessions)."""
        return process_cpu_seconds(self.pid)

    def now(self) -> tuple[float, int]:
        pids = [self.pid, *_descendants(self.pid)]
        memory = sum(_status(p, "VmRSS:") for p in pids) / 1024
        return memory, _status(self.pid, "Threads:")

    def __enter__(self) -> ServerWatch:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()

    def _sample(self) -> None:
        while not self._stop.wait(0.5):
            memory, threads = self.now()
            self.peak_mb = max(self.peak_mb, memory)
            self.peak_threads = max(self.peak_threads, threads)


def process_cpu_seconds(pid: int) -> float:
    """User and system CPU seconds a process has used so far (raises OSError once it is gone)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _descendants(pid: int) -> list[int]:
    found = []
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return found
    for child in map(int, children):
        found += [child, *_descendants(child)]
    return found


def _status(pid: int, field: str) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


async def one_student(
    browser, url: str, index: int, mix: str, timings: dict, visits: bool = True
) -> None:
    context = await browser.new_context(viewport={"width": 1300, "height": 1100})
    page = await context.new_page()
    # Thirty tabs booting at once on two cores take far longer than Playwright's default
    # 30 s to load or to get a button ready for a click; that is the browsers' share of the
    # machine, not the server failing.
    page.set_default_navigation_timeout(300_000)
    page.set_default_timeout(300_000)
    problems = []
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    try:
        await page.goto(url)
        if mix == "same":
            await page.get_by_text("Start with a preset").wait_for(timeout=300_000)
            pressed = time.perf_counter()
            await page.get_by_role("button", name="Train this").first.click()
        else:
            await page.goto(f"{url}/train")
            seed, epochs = (page.get_by_label(n, exact=True) for n in ("Seed", "Epochs"))
            await seed.wait_for(timeout=300_000)
            await seed.fill(str(100 + index))
            await seed.press("Enter")
            await epochs.fill("1")
            await epochs.press("Enter")
            await page.wait_for_timeout(1_500)
            pressed = time.perf_counter()
            await page.get_by_role("button", name="Start training").click()
        await page.get_by_text(FIRST_SIGN).first.wait_for(timeout=600_000)
        first = time.perf_counter() - pressed
        await page.get_by_text("Trained for").first.wait_for(timeout=1_200_000)
        done = time.perf_counter() - pressed
        for name in PAGES if visits else ():
            await page.get_by_role("link", name=name).first.click()
            await page.wait_for_timeout(1_500)
        if await page.locator("text=This app has encountered an error").count():
            problems.append("an error box")
        timings[index] = (first, done, problems)
    except Exception as exc:  # a timeout is one student's error, not the run's end
        timings[index] = (None, None, [*problems, f"{type(exc).__name__}: {exc}"[:600]])
    finally:
        await context.close()


async def run_class(
    url: str,
    students: int,
    mix: str,
    sequential: bool,
    visits: bool = True,
    watch: ServerWatch | None = None,
    executable: str = CHROMIUM,
) -> dict:
    from playwright.async_api import async_playwright

    timings: dict[int, tuple] = {}
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=executable, args=CHROMIUM_FLAGS)
        try:
            if sequential:
                for i in range(students):
                    await one_student(browser, url, i, mix, timings, visits)
                    if watch is not None and (i + 1) % 50 == 0:  # memory along a long day
                        memory, threads = watch.now()
                        print(f"  after {i + 1}: {memory:,.0f} MB, {threads} threads", flush=True)
            else:
                await asyncio.gather(
                    *(one_student(browser, url, i, mix, timings, visits) for i in range(students))
                )
        finally:
            await browser.close()
    return timings


async def warm(url: str) -> None:
    """One student's whole visit first (another preset), so that the baseline is a server
    that has served someone: workers started, TensorFlow's thread pools made, the data in
    memory. Those are paid once, not per class."""
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        page = await browser.new_page()
        await page.goto(url)
        await page.get_by_text("Start with a preset").wait_for(timeout=120_000)
        await page.get_by_role("button", name="Train this").nth(2).click()  # sparse preset
        await page.get_by_text("Trained for").first.wait_for(timeout=300_000)
        for name in PAGES:
            await page.get_by_role("link", name=name).first.click()
            await page.wait_for_timeout(2_000)
        await browser.close()


def browser_at(niceness: int, folder: Path) -> str:
    """Chromium started at a lower priority (Unix nice), or Chromium itself for 0.

    The students' browsers stand in for their own laptops, yet here they share the server's
    two cores. At niceness 0 they come before the training (whose workers stand back at
    nice 10 for the server's pages, `AE_WORKER_NICENESS`), which no real class has; at the
    workers' niceness, browsers and training share the cores evenly and the server's own
    process still comes first, as it does for students on their laptops."""
    if niceness == 0:
        return CHROMIUM
    launcher = folder / "chromium-niced"
    launcher.write_text(f'#!/bin/sh\nexec nice -n {niceness} {CHROMIUM} "$@"\n')
    launcher.chmod(0o755)
    return str(launcher)


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, nargs="+", default=[10])
    parser.add_argument("--mix", choices=["same", "different"], default="same")
    parser.add_argument("--sequential", action="store_true")
    parser.add_argument(
        "--no-visits", action="store_true", help="train and close, without visiting the pages"
    )
    parser.add_argument("--ttl", type=int, default=60, help="disconnected-session TTL, s")
    parser.add_argument("--after", type=int, default=120, help="seconds after the tabs close")
    parser.add_argument(
        "--browser-niceness",
        type=int,
        default=0,
        help="run the students' Chromium at this Unix niceness (10: the workers' default)",
    )
    args = parser.parse_args()
    print(
        "| students | mix | completed | errors | first sign p50 / p95, s | done p50 / p95, s "
        "| peak memory, MB | peak threads | before: memory, threads "
        f"| {args.after} s after closing: memory, threads |"
    )
    print("|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for students in args.students:
        with (
            tempfile.TemporaryDirectory() as tmp,
            streamlit_server(
                Path(tmp) / "runs",
                Path(tmp) / "server.log",
                options=("--server.disconnectedSessionTTL", str(args.ttl)),
            ) as url,
        ):
            pid = _server_pid(url)
            asyncio.run(warm(url))
            time.sleep(args.ttl + 40)  # the warm-up session expires and is tidied up
            watch = ServerWatch(pid)
            before = watch.now()
            cpu_before, wall_before = watch.cpu_seconds(), time.perf_counter()
            with watch:
                executable = browser_at(args.browser_niceness, Path(tmp))
                run = run_class(
                    url, students, args.mix, args.sequential, not args.no_visits, watch, executable
                )
                timings = asyncio.run(run)
            server_share = (watch.cpu_seconds() - cpu_before) / (time.perf_counter() - wall_before)
            time.sleep(args.after)
            after = watch.now()
            reaped = _threads_after_one_request(url, watch)
        done = [t[1] for t in timings.values() if t[1] is not None]
        first = [t[0] for t in timings.values() if t[0] is not None]
        errors = sum(1 for t in timings.values() if t[2])
        for i, (_, _, problems) in sorted(timings.items()):
            for problem in problems:
                print(f"  student {i}: {problem}")
        print(
            f"| {students} | {args.mix}{' (one after another)' if args.sequential else ''} "
            f"| {len(done)} | {errors} "
            f"| {percentile(first, 50):.1f} / {percentile(first, 95):.1f} "
            f"| {percentile(done, 50):.1f} / {percentile(done, 95):.1f} "
            f"| {watch.peak_mb:,.0f} | {watch.peak_threads} "
            f"| {before[0]:,.0f}, {before[1]} | {after[0]:,.0f}, {after[1]} |",
            flush=True,
        )
        if done:
            print(f"  (median done {statistics.median(done):.1f} s)")
        print(
            f"  threads after one more request: {reaped} (the web server's AnyIO worker "
            "threads that idled 10 s or more end when it next hands work to one)"
        )
        print(f"  the students' browsers ran at niceness {args.browser_niceness}")
        print(
            f"  server process CPU while the class ran (pages, not training): "
            f"{server_share:.2f} cores of {os.cpu_count()}"
        )


def _threads_after_one_request(url: str, watch: ServerWatch) -> int:
    """Threads once the server has served one more file: the web server (Starlette on AnyIO)
    keeps idle worker threads until its next use of them, then ends those idle 10 s."""
    urllib.request.urlopen(f"{url}/app/static/lab-cjk-sc.woff2", timeout=30).read()
    time.sleep(1.0)
    return watch.now()[1]


def _server_pid(url: str) -> int:
    """The pid of the streamlit process listening on the url's port."""
    port = url.rsplit(":", 1)[1]
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            cmd = (proc / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if b"streamlit" in b" ".join(cmd) and port.encode() in cmd:
            return int(proc.name)
    raise RuntimeError("the server's process was not found")


if __name__ == "__main__":
    main()
