"""A class on one server: N browser sessions at once against a real `streamlit run app.py`.

    python -m bench.classroom --students 10 --mix same        # all press the 2-D preset
    python -m bench.classroom --students 10 --mix different   # each trains its own run
    python -m bench.classroom --students 20 --sequential      # one after another
    python -m bench.classroom --students 30 --timeline --stall-shots 60   # where time goes

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
server: compare ratios, not seconds across machines. The seconds are each page's own, from
its press button's click to the text entering it (Playwright's waits see a text late under
thirty busy tabs, by up to ~35 s; the gap is printed).
`--together` holds every press until the whole class is ready, then each page presses by
itself at one moment (Playwright's clicks reached thirty busy tabs 20-59 s after it asked).
`--trace-deltas` logs the structure of every message the server sends each session and
names the sessions whose pages those messages would break (bench/delta_trace.py).
`--timeline` adds each student's steps and the cores used by process group; `--stall-shots`
saves the screen, page and console of a student stuck on a step, and the stacks of the
server and its workers (with `py-spy`, if installed).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import shutil
import statistics
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

from bench.delta_trace import TRACE_HOOK, print_broken
from tests.browser_support import CHROMIUM, CHROMIUM_FLAGS, streamlit_server

PAGES = ("Reconstructions", "Latent space", "Denoising", "Features", "My digits", "Class")
# A queue place, the progress bar, or the finished run itself (a run others already trained
# opens at once: the best first sign there is).
FIRST_SIGN = re.compile(r"in the queue|· epoch|Preparing the data|Trained for")
DONE = "Trained for"
# Under thirty busy tabs Playwright's waits see a text long after the page showed it (by up
# to ~35 s, bench/README.md): the page stamps its own clock instead, when its press button
# gets the click and when each text first enters the page. `textContent` reads no layout,
# so the stamping itself costs the busy tab little; it stops once both texts are in.
STAMPS_JS = """
(() => {
  const stamps = (window.__benchStamps = {});
  const wanted = [["first sign", /FIRST_SIGN/], ["done", /DONE/]];
  document.addEventListener("click", (event) => {
    const button = event.target.closest && event.target.closest("button");
    if (!stamps.pressed && button && /Train this|Start training/.test(button.textContent)) {
      stamps.pressed = Date.now();
    }
  }, true);
  const observer = new MutationObserver(() => {
    if (!stamps.pressed || !document.body) return;
    const text = document.body.textContent;
    for (const [name, pattern] of wanted) {
      if (!(name in stamps) && pattern.test(text)) stamps[name] = Date.now();
    }
    if ("done" in stamps) observer.disconnect();
  });
  observer.observe(document, {childList: true, subtree: true, characterData: true});
  // --together: the page presses by itself at the class's moment (its own clock), once the
  // button is there and enabled, instead of waiting for Playwright's click to get through.
  window.__benchPressAt = (moment, label) => {
    const tick = () => {
      const button = [...document.querySelectorAll("button")].find(
        (b) => b.textContent.includes(label) && !b.disabled);
      if (Date.now() >= moment && button) button.click();
      else setTimeout(tick, 50);
    };
    tick();
  };
})();
""".replace("FIRST_SIGN", FIRST_SIGN.pattern).replace("DONE", DONE)
# The page's Date.now() and this process's time.time() read one system clock.
WALL_MINUS_PERF = time.time() - time.perf_counter()


class Together:
    """Holds each student's press until the whole class is ready, then names one moment
    (wall clock, `lead` seconds ahead) for every page to press at: thirty students pressing
    at once, which Playwright's own clicks under thirty busy tabs were not (20-59 s apart)."""

    def __init__(self, students: int, lead: float = 5.0):
        self.waiting, self.lead = students, lead
        self.moment = 0.0
        self._released = asyncio.Event()

    def leave(self) -> None:
        """A student who failed before being ready: the others need not wait for them."""
        self._count_one()

    async def ready(self) -> float:
        """Wait for the class; the moment to press, in seconds (time.time())."""
        self._count_one()
        await self._released.wait()
        return self.moment

    def _count_one(self) -> None:
        self.waiting -= 1
        if self.waiting <= 0 and not self._released.is_set():
            self.moment = time.time() + self.lead
            self._released.set()


async def press(page, label: str, together: Together | None) -> float:
    """Press the button `label`: with `together`, the page itself at the class's moment;
    returns when the press was asked for (perf_counter)."""
    if together is None:
        asked = time.perf_counter()
        await page.get_by_role("button", name=label).first.click()
        return asked
    moment = await together.ready()
    await page.evaluate("([m, l]) => window.__benchPressAt(m, l)", [moment * 1000, label])
    return moment - WALL_MINUS_PERF


class ServerWatch:
    """Samples the server's resident memory (with its children) and threads."""

    def __init__(self, pid: int):
        self.pid = pid
        self.peak_mb = 0.0
        self.peak_threads = 0
        self.cpu: list[tuple[float, dict[str, float]]] = []  # (clock, CPU seconds by group)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def cpu_seconds(self) -> float:
        """CPU time the server process itself has used (its training workers not counted:
        what is left is drawing pages for the sessions)."""
        return process_cpu_seconds(self.pid)

    def now(self, workers: list[int] | None = None) -> tuple[float, int]:
        """Memory (MB, with the training workers) and threads of the server now."""
        pids = [self.pid, *(_descendants(self.pid) if workers is None else workers)]
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
            workers = _descendants(self.pid)  # one walk of /proc for both readings
            memory, threads = self.now(workers)
            self.peak_mb = max(self.peak_mb, memory)
            self.peak_threads = max(self.peak_threads, threads)
            self.cpu.append((time.perf_counter(), cpu_by_group(self.pid, set(workers))))


def cpu_by_group(server: int, workers: set[int]) -> dict[str, float]:
    """CPU seconds so far of the server process, its training workers, the students'
    Chromium and Playwright's driver (which polls every page for the texts waited on).
    Processes are told apart by their `comm` name: reading another process's `cmdline`
    takes its memory map's lock, the likely reason why timelines read that way began about
    100 s late in thirty-student classes (not yet confirmed)."""
    groups = {"server": 0.0, "training": 0.0, "chromium": 0.0, "playwright": 0.0}
    groups |= {"server waiting": 0.0, "training waiting": 0.0}
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        pid = int(proc.name)
        try:
            name = (proc / "comm").read_text().strip().lower()
            seconds = process_cpu_seconds(pid)
        except OSError:
            continue
        if pid == server:
            groups["server"] += seconds
            groups["server waiting"] += seconds_waiting_for_cpu(pid)
        elif pid in workers:
            groups["training"] += seconds
            groups["training waiting"] += seconds_waiting_for_cpu(pid)
        elif "chrom" in name:
            groups["chromium"] += seconds
        elif name.startswith("node"):  # Playwright's driver ("node-MainThread")
            groups["playwright"] += seconds
    return groups


def print_cpu_timeline(samples: list, start: float, step: float = 5.0) -> None:
    """Cores each group used in each `step` seconds, on the timeline's clock. Groups are
    summed from the processes alive at each sample, so a process that ends mid-step takes
    its seconds with it (a step can read low, never high)."""
    if len(samples) < 2:
        return
    print(f"  cores used per {step:.0f} s, by group (s from the class's start):")
    last_clock, last = samples[0]
    for i, (clock, groups) in enumerate(samples[1:], start=2):
        if clock - last_clock < step and i < len(samples):  # the last sample always prints
            continue
        used = {k: max(0.0, groups[k] - last.get(k, 0.0)) / (clock - last_clock) for k in groups}
        cells = "  ".join(f"{k} {v:4.2f}" for k, v in used.items())
        print(f"    {last_clock - start:6.1f}-{clock - start:6.1f}: {cells}")
        last_clock, last = clock, groups


def seconds_waiting_for_cpu(pid: int) -> float:
    """Seconds a process's threads have been ready to run but waiting for a core (the
    kernel's schedstat): a process with little CPU and little waiting was not starved of
    the CPU but waiting on something else. Threads that ended take their seconds along."""
    total = 0
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            total += int((task / "schedstat").read_text().split()[1])
        except (OSError, IndexError, ValueError):
            continue
    return total / 1e9


def process_cpu_seconds(pid: int) -> float:
    """User and system CPU seconds a process has used so far (raises OSError once it is gone)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _descendants(pid: int) -> list[int]:
    """Every process below `pid`, found by their parents' ids: /proc's per-thread `children`
    lists miss the training workers, whose starting threads have ended."""
    parents: dict[int, list[int]] = {}
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            parent = int((proc / "stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        parents.setdefault(parent, []).append(int(proc.name))
    found, todo = [], [pid]
    while todo:
        children = parents.get(todo.pop(), [])
        found += children
        todo += children
    return found


def _status(pid: int, field: str) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


class Stalls:
    """Screenshots of a student who has waited `seconds` for the next step (then every
    `seconds` more, up to `most` a step): what a stuck page showed, when a class stalls."""

    def __init__(self, folder: Path, seconds: float, most: int = 3):
        self.folder, self.seconds, self.most = folder, seconds, most
        self.server_pid: int | None = None  # set once the class's server runs
        folder.mkdir(parents=True, exist_ok=True)

    async def dump_stacks(self, path: Path) -> None:
        """Every thread's stack in the server and its training workers, with `py-spy` if it
        is installed (not a dependency): what a run waits on when no process uses the CPU
        (one class, bench/README.md)."""
        spy = shutil.which("py-spy") or shutil.which(
            "py-spy", path=str(Path(sys.executable).parent)
        )
        if spy is None or self.server_pid is None:
            return
        with path.open("w") as out:
            for pid in [self.server_pid, *_descendants(self.server_pid)]:
                process = await asyncio.create_subprocess_exec(
                    spy, "dump", "--pid", str(pid), stdout=out, stderr=out
                )
                try:
                    await asyncio.wait_for(process.wait(), timeout=20)
                except TimeoutError:
                    process.kill()

    async def wait(self, page, locator, timeout_ms: int, name: str) -> None:
        waiting = asyncio.ensure_future(locator.wait_for(timeout=timeout_ms))
        for shot in range(self.most):
            done, _ = await asyncio.wait({waiting}, timeout=self.seconds)
            if done:
                break
            path = self.folder / f"{name}-{shot + 1}"
            try:
                await self.dump_stacks(Path(f"{path}-stacks.txt"))
                await page.screenshot(path=f"{path}.png", full_page=True)
                html = await page.content()
                Path(f"{path}.html").write_text(html)
                print(
                    f"  {name}: still waiting after {(shot + 1) * self.seconds:.0f} s at "
                    f"{page.url} ({len(html):,} characters of page): {path}.png"
                )
            except Exception as exc:  # a screenshot must not end the student's visit
                print(f"  {name}: no screenshot ({type(exc).__name__}: {exc})"[:300])
        await waiting


# Streamlit's frontend failing to apply an update: the page goes blank and stays so (seen
# in thirty-student classes; it is logged to the console, not raised as a page error).
FRONTEND_CRASH = re.compile(r"'setIn' cannot be called|Cannot set a node at a delta path")


def _frontend_crash(message, problems: list[str], page) -> None:
    """Count the error against the student, and close the blank page: it never recovers,
    and waiting out its timeouts held a whole class up for 20 minutes."""
    if message.type == "error" and FRONTEND_CRASH.search(message.text):
        problems.append(f"frontend error at {time.perf_counter():.1f}: {message.text[:120]}")
        asyncio.get_running_loop().create_task(page.close())


def _append_line(path: Path, message) -> None:
    with path.open("a") as file:
        file.write(f"{time.perf_counter():.1f} {message.type}: {message.text}\n")


async def wait_for(page, locator, timeout_ms: int, stalls: Stalls | None, name: str) -> None:
    if stalls is None:
        await locator.wait_for(timeout=timeout_ms)
    else:
        await stalls.wait(page, locator, timeout_ms, name)


async def one_student(
    browser,
    url: str,
    index: int,
    mix: str,
    timings: dict,
    visits: bool = True,
    stalls: Stalls | None = None,
    moments: dict | None = None,
    together: Together | None = None,
) -> None:
    """One student's visit. `moments`, when given, gets the clock time of each step (for
    `--timeline`): when the page was ready, the press, the first sign, done."""
    steps = moments.setdefault(index, {}) if moments is not None else {}
    context = await browser.new_context(viewport={"width": 1300, "height": 1100})
    await context.add_init_script(STAMPS_JS)
    page = await context.new_page()
    # Thirty tabs booting at once on two cores take far longer than Playwright's default
    # 30 s to load or to get a button ready for a click; that is the browsers' share of the
    # machine, not the server failing.
    page.set_default_navigation_timeout(300_000)
    page.set_default_timeout(300_000)
    problems = []
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    page.on("crash", lambda _: problems.append("the tab crashed"))
    page.on("console", lambda message: _frontend_crash(message, problems, page))
    if stalls is not None:  # what the page's console said, with any stall's screenshots
        console = stalls.folder / f"s{index}-console.txt"
        page.on("console", lambda message: _append_line(console, message))
    try:
        steps["opened"] = time.perf_counter()
        await page.goto(url)
        if mix == "same":
            await wait_for(
                page, page.get_by_text("Start with a preset"), 300_000, stalls, f"s{index}-home"
            )
            steps["ready"] = time.perf_counter()
            label = "Train this"
        else:
            await page.goto(f"{url}/train")
            seed, epochs = (page.get_by_label(n, exact=True) for n in ("Seed", "Epochs"))
            await wait_for(page, seed, 300_000, stalls, f"s{index}-train")
            steps["ready"] = time.perf_counter()
            await set_seed_and_one_epoch(page, seed, epochs, 100 + index)
            label = "Start training"
        pressed = await press(page, label, together)
        together = None  # counted in
        steps["pressed"] = pressed
        await wait_for(page, page.get_by_text(FIRST_SIGN).first, 600_000, stalls, f"s{index}-sign")
        steps["first sign"] = time.perf_counter()
        await wait_for(page, page.get_by_text(DONE).first, 1_200_000, stalls, f"s{index}-done")
        steps["done"] = time.perf_counter()
        seen = {name: steps[name] for name in ("pressed", "first sign", "done")}
        steps.update(await page_stamps(page))
        first = steps["first sign"] - steps["pressed"]
        done = steps["done"] - steps["pressed"]
        # The first two: how late the bench's waits saw the texts; the last: how long its
        # click took to reach the page (Playwright checks a button is still and visible
        # first, each check a round trip to a busy tab, which a person's click does not pay).
        lags = (*(seen[n] - steps[n] for n in ("first sign", "done")), steps["pressed"] - pressed)
        for name in PAGES if visits else ():
            await page.get_by_role("link", name=name).first.click()
            await page.wait_for_timeout(1_500)
        if await page.locator("text=This app has encountered an error").count():
            problems.append("an error box")
        timings[index] = (first, done, problems, lags)
    except Exception as exc:  # a timeout is one student's error, not the run's end
        timings[index] = (None, None, [*problems, f"{type(exc).__name__}: {exc}"[:600]], None)
        if together is not None:
            together.leave()
    finally:
        await context.close()


async def set_seed_and_one_epoch(page, seed, epochs, value: int, tries: int = 3) -> None:
    """Type the run's seed and 1 epoch, and wait for the server to have both (it writes the
    setup into the address). Typed while the page redraws after the other, a value can be
    lost: then half the class trained the default epochs, and "done" mixed run lengths."""

    def has_both(url: str) -> bool:
        return all(re.search(rf"[?&]{part}(&|$)", url) for part in (f"seed={value}", "epochs=1"))

    for attempt in range(tries):
        for field, text in ((seed, str(value)), (epochs, "1")):
            await field.fill(text)
            await field.press("Enter")
        try:
            await page.wait_for_url(has_both, timeout=60_000)
            return
        except Exception:
            if attempt == tries - 1:
                raise


async def page_stamps(page) -> dict[str, float]:
    """The page's own moments (press, first sign, done) on this process's perf_counter;
    empty where the page lost them (a reload) or never stamped, and the bench's are kept."""
    stamps = await page.evaluate("window.__benchStamps || {}")
    if not all(name in stamps for name in ("pressed", "first sign", "done")):
        return {}
    return {name: value / 1000 - WALL_MINUS_PERF for name, value in stamps.items()}


def print_timeline(moments: dict, start: float) -> None:
    """Each student's steps in seconds from the class's `start`, in press order: do the
    presses wait behind other tabs still loading, or behind the server?"""
    names = ("ready", "pressed", "first sign", "done")
    print(
        "  timeline, s from the class's start (perf_counter "
        f"{start:.1f}, the clock of the console files): " + " / ".join(names)
    )
    for index, steps in sorted(moments.items(), key=lambda kv: kv[1].get("pressed", 1e18)):
        cells = [f"{steps[n] - start:6.1f}" if n in steps else "     -" for n in names]
        print(f"    student {index:2d}: " + " / ".join(cells))


async def run_class(
    url: str,
    students: int,
    mix: str,
    sequential: bool,
    visits: bool = True,
    watch: ServerWatch | None = None,
    executable: str = CHROMIUM,
    stalls: Stalls | None = None,
    moments: dict | None = None,
    together: bool = False,
) -> dict:
    from playwright.async_api import async_playwright

    timings: dict[int, tuple] = {}
    moment = Together(students) if together and not sequential else None
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=executable, args=CHROMIUM_FLAGS)
        try:
            if sequential:
                for i in range(students):
                    await one_student(browser, url, i, mix, timings, visits, stalls, moments)
                    if watch is not None and (i + 1) % 50 == 0:  # memory along a long day
                        memory, threads = watch.now()
                        print(f"  after {i + 1}: {memory:,.0f} MB, {threads} threads", flush=True)
            else:
                await asyncio.gather(
                    *(
                        one_student(browser, url, i, mix, timings, visits, stalls, moments, moment)
                        for i in range(students)
                    )
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
    """Chromium started at a lower priority, or Chromium itself for 0.

    The students' browsers stand in for their own laptops, yet here they share the server's
    two cores, and by default they come first: the training stands back at nice 10 for the
    server's pages (`AE_WORKER_NICENESS`), and the kernel shares the CPU between sessions
    before niceness counts inside each (autogroup), while Playwright starts Chromium in a
    session of its own. A plain `nice` therefore changed nothing (measured); the launcher
    also lowers the weight of Chromium's session (`/proc/self/autogroup`), so that at 19 the
    server and its training come before the browsers, as they would for students on their
    own laptops."""
    if niceness == 0:
        return CHROMIUM
    launcher = folder / "chromium-niced"
    launcher.write_text(
        "#!/bin/sh\n"
        f"echo {niceness} > /proc/self/autogroup 2>/dev/null\n"
        f'exec nice -n {niceness} {CHROMIUM} "$@"\n'
    )
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
        help="run the students' Chromium and its session at this niceness (19: behind the server)",
    )
    parser.add_argument(
        "--stall-shots",
        type=float,
        default=0,
        metavar="SECONDS",
        help="screenshot a student who has waited this long for a step (into --shots-to)",
    )
    parser.add_argument("--shots-to", type=Path, default=Path("bench-stalls"))
    parser.add_argument(
        "--timeline", action="store_true", help="print each student's steps in time"
    )
    parser.add_argument(
        "--trace-deltas",
        type=Path,
        metavar="PREFIX",
        help="log what the server sends each session to PREFIX-N.jsonl and replay it on a "
        "model of the browser's tree (bench.delta_trace)",
    )
    parser.add_argument(
        "--together",
        action="store_true",
        help="every page presses by itself at one moment, once the whole class is ready",
    )
    args = parser.parse_args()
    stalls = Stalls(args.shots_to, args.stall_shots) if args.stall_shots > 0 else None
    print(
        "| students | mix | completed | errors | first sign p50 / p95, s | done p50 / p95, s "
        "| peak memory, MB | peak threads | before: memory, threads "
        f"| {args.after} s after closing: memory, threads |"
    )
    print("|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for students in args.students:
        trace = trace_into(args.trace_deltas, students)
        with (
            tempfile.TemporaryDirectory() as tmp,
            streamlit_server(
                Path(tmp) / "runs",
                Path(tmp) / "server.log",
                options=("--server.disconnectedSessionTTL", str(args.ttl)),
            ) as url,
        ):
            pid = _server_pid(url)
            if stalls is not None:
                stalls.server_pid = pid
            asyncio.run(warm(url))
            time.sleep(args.ttl + 40)  # the warm-up session expires and is tidied up
            watch = ServerWatch(pid)
            before = watch.now()
            cpu_before, wall_before = watch.cpu_seconds(), time.perf_counter()
            with watch:
                executable = browser_at(args.browser_niceness, Path(tmp))
                moments: dict = {}
                run = run_class(
                    url,
                    students,
                    args.mix,
                    args.sequential,
                    not args.no_visits,
                    watch,
                    executable,
                    stalls,
                    moments,
                    args.together,
                )
                timings = asyncio.run(run)
            server_share = (watch.cpu_seconds() - cpu_before) / (time.perf_counter() - wall_before)
            time.sleep(args.after)
            after = watch.now()
            reaped = _threads_after_one_request(url, watch)
        done = [t[1] for t in timings.values() if t[1] is not None]
        first = [t[0] for t in timings.values() if t[0] is not None]
        errors = sum(1 for t in timings.values() if t[2])
        for i, (_, _, problems, _) in sorted(timings.items()):
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
        if args.timeline and moments:
            start = min(m["opened"] for m in moments.values())  # the first student's start
            print_timeline(moments, start)
            print_cpu_timeline(watch.cpu, start)
        if done:
            print(f"  (median done {statistics.median(done):.1f} s)")
        print_bench_lag([t[3] for t in timings.values() if t[3] is not None], args.together)
        print(
            f"  threads after one more request: {reaped} (the web server's AnyIO worker "
            "threads that idled 10 s or more end when it next hands work to one)"
        )
        if trace is not None:
            print_broken(trace)
        print(f"  the students' browsers ran at niceness {args.browser_niceness}")
        print(
            f"  server process CPU while the class ran (pages, not training): "
            f"{server_share:.2f} cores of {os.cpu_count()}"
        )


def trace_into(prefix: Path | None, students: int) -> Path | None:
    """Have the next server log what it sends each session (bench/trace_hook), or not."""
    os.environ.pop("AE_TRACE_FILE", None)
    if prefix is None:
        return None
    trace = Path(f"{prefix}-{students}.jsonl")
    trace.unlink(missing_ok=True)
    os.environ["AE_TRACE_FILE"] = str(trace)
    paths = [str(TRACE_HOOK), *filter(None, [os.environ.get("PYTHONPATH")])]
    os.environ["PYTHONPATH"] = os.pathsep.join(dict.fromkeys(paths))
    return trace


def print_bench_lag(lags: list[tuple[float, float, float]], together: bool = False) -> None:
    """What the page's own clock changed: the figures above run from the page's click to
    the text entering it; Playwright saw the texts later, and its clicks reached the pages
    after it asked for them (or, `together`, the pages pressed after the class's moment)."""
    if not lags:
        return
    first, done, click = ([lag[i] for lag in lags] for i in range(3))

    def spread(values: list[float]) -> str:
        return f"{percentile(values, 50):.1f} / {percentile(values, 95):.1f} s"

    print(
        f"  timed inside each page (p50 / p95): Playwright's waits saw the first sign "
        f"{spread(first)} and done {spread(done)} later; "
        + (
            f"the pages pressed {spread(click)} after the class's moment"
            if together
            else f"its click reached the page {spread(click)} after it asked"
        )
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
