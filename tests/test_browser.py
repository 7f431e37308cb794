"""End to end in real headless Chromium (Debian's /usr/bin/chromium, driven by Playwright).

Starts `streamlit run app.py`, presses the 2-D preset on Home, waits for training to finish,
checks the loss curve, reconstructions and codes it drew, then visits every page. Screenshots
land in test-artifacts/ to be looked at.
"""

from __future__ import annotations

import re
import time

import pytest

from tests.browser_support import ROOT, chromium, streamlit_server

pytestmark = pytest.mark.browser
SESSION_TTL = 3
PICKED = re.compile(r"Test image #(\d+) \(label")

# Pixel position of one test image's point in the latent scatter (plotly's own axes).
POINT_ON_SCREEN = """(index) => {
  const plot = [...document.querySelectorAll('.js-plotly-plot')]
    .find(p => (p._fullData || []).some(t => t.type === 'scattergl'));
  for (const trace of plot._fullData) {
    if (trace.type !== 'scattergl') continue;
    const at = Array.from(trace.customdata).indexOf(index);
    if (at < 0) continue;
    const xa = plot._fullLayout.xaxis, ya = plot._fullLayout.yaxis;
    const box = plot.getBoundingClientRect();
    return [box.left + xa._offset + xa.l2p(trace.x[at]),
            box.top + ya._offset + ya.l2p(trace.y[at])];
  }
  return null;
}"""


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    folder = tmp_path_factory.mktemp("server")
    # A short reconnect window, so that a closed tab's session ends within the test.
    options = ("--server.disconnectedSessionTTL", str(SESSION_TTL))
    with streamlit_server(folder / "runs", folder / "streamlit.log", options=options) as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    with chromium() as b:
        yield b


def test_a_preset_trains_and_every_page_shows_its_results(server, browser, artifacts):
    page = browser.new_page(viewport={"width": 1400, "height": 2400})
    errors, requests = [], []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("request", lambda request: requests.append(request.url))

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
    # The live view is three SVG drawings: the Train page loads no plotly. The network's box
    # is folded once a run exists, and draws its drawing only when opened.
    assert page.locator("svg[role=img]").count() == 3
    assert page.locator(".js-plotly-plot").count() == 0
    page.get_by_text("Network", exact=True).click()
    page.get_by_text("trainable parameters").wait_for(timeout=60_000)
    assert page.locator("svg[role=img]").count() == 4
    assert page.locator("text=Traceback").count() == 0

    for link, heading, shot in (
        ("Reconstructions", "Which digits are unusual?", "3-reconstructions.png"),
        ("Latent space", "The 2-D codes, exactly as learned.", "4-latent-space.png"),
        ("Denoising", "PSNR of the noisy digits", "5-denoising.png"),
        ("Features", "What each code unit draws", "5b-features.png"),
        ("Anomaly detection", "Which images it flags, and which fool it", "5c-anomalies.png"),
        ("Learn", "What every model minimises", "5d-learn.png"),
        ("Compare runs", "Comparing needs at least two models", "5e-compare.png"),
    ):
        page.get_by_role("link", name=link).first.click()
        page.get_by_text(heading).first.wait_for(timeout=120_000)
        page.wait_for_timeout(2_000)
        page.screenshot(path=artifacts / shot)
        assert page.locator("text=Traceback").count() == 0, link

    # Latent space: click a point, then move a slider: the pick stays (issue: it was lost).
    page.get_by_role("link", name="Latent space").first.click()
    page.get_by_text("The 2-D codes, exactly as learned.").first.wait_for(timeout=120_000)
    page.wait_for_timeout(2_000)
    picked = _click_some_point(page)
    page.get_by_text(f"Test image #{picked} (label").first.wait_for(timeout=30_000)
    slider = page.get_by_role("slider").first
    slider.focus()
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    page.wait_for_timeout(2_500)
    assert page.get_by_text(f"Test image #{picked} (label").first.is_visible()
    page.screenshot(path=artifacts / "4b-latent-picked.png")

    # My digits: upload a file, then draw a digit with the mouse.
    page.get_by_role("link", name="My digits").first.click()
    page.get_by_text("switch on the examples").wait_for(timeout=60_000)
    example = ROOT / "assets" / "examples" / "marker_7.png"
    page.get_by_test_id("stTabs").locator("input[type=file]").set_input_files(str(example))
    page.get_by_text("A · marker_7.png").wait_for(timeout=60_000)
    page.get_by_text("Where your digits land").wait_for(timeout=60_000)
    page.wait_for_timeout(1_500)
    page.screenshot(path=artifacts / "6-my-digits-upload.png")
    page.get_by_role("tab", name="Draw").click()
    canvas = page.locator("canvas[aria-label='Draw a digit here']")
    canvas.wait_for(timeout=30_000)
    box = canvas.bounding_box()
    page.mouse.move(box["x"] + 140, box["y"] + 40)
    page.mouse.down()
    for step in range(1, 21):  # a "1": one stroke from top to bottom
        page.mouse.move(box["x"] + 140 - step, box["y"] + 40 + step * 10)
    page.mouse.up()
    page.get_by_text("B · your drawing").wait_for(timeout=60_000)
    page.wait_for_timeout(1_500)
    page.screenshot(path=artifacts / "7-my-digits-drawing.png")
    page.get_by_role("link", name="Class").first.click()
    page.get_by_text("Training now").first.wait_for(timeout=60_000)
    page.wait_for_timeout(1_500)
    page.screenshot(path=artifacts / "8-class.png")
    assert not errors, errors
    # Everything (fonts, icons, plotly) comes from the app itself: it works offline.
    outside = [u for u in requests if not u.startswith((server, "data:", "blob:"))]
    assert not outside, outside


def _click_some_point(page) -> int:
    """Click test images' points until one is picked (another trace may lie on top)."""
    for index in (5065, 17, 123, 999, 2024):
        x, y = page.evaluate(POINT_ON_SCREEN, index)
        page.mouse.click(x, y)
        heading = page.get_by_text(PICKED).first
        try:
            heading.wait_for(timeout=5_000)
        except Exception:
            continue
        return int(PICKED.search(heading.inner_text()).group(1))
    raise AssertionError("no point of the scatter could be clicked")


def test_a_closed_tab_stops_the_run_only_it_was_watching(server, browser, artifacts):
    """The session ends through Streamlit's own runtime: the tab closes, its TTL passes."""
    student = browser.new_context(viewport={"width": 1400, "height": 1400})
    tab = student.new_page()
    tab.goto(server)
    tab.get_by_text("Start with a preset").wait_for(timeout=60_000)
    tab.get_by_role("button", name="Train this").nth(1).click()  # the denoising conv preset
    tab.get_by_text("Train a model").wait_for(timeout=60_000)
    tab.get_by_text("· Training · epoch").first.wait_for(timeout=120_000)  # it has begun
    teacher = browser.new_page(viewport={"width": 1400, "height": 1000})
    teacher.goto(f"{server}/class_view")
    teacher.get_by_text("Training now").first.wait_for(timeout=60_000)
    teacher.get_by_text("denoising").first.wait_for(timeout=30_000)  # in the runs table
    student.close()
    started = time.monotonic()
    teacher.get_by_text("Nothing is training or waiting right now.").wait_for(timeout=60_000)
    print(f"\nclosed tab: run stopped {time.monotonic() - started:.0f} s after the tab closed")
    teacher.screenshot(path=artifacts / "9-class-after-the-tab-closed.png")


def _start_on_train_page(browser, server: str, seed: int, epochs: int):
    tab = browser.new_page(viewport={"width": 1400, "height": 1400})
    tab.goto(f"{server}/train")
    for name, value in (("Seed", seed), ("Epochs", epochs)):
        field = tab.get_by_label(name, exact=True)
        field.fill(str(value))
        field.press("Enter")
        tab.wait_for_timeout(700)
    tab.get_by_role("button", name="Start training").click()
    return tab


def test_a_queued_run_offers_cancel_and_stop_once_it_starts(server, browser, artifacts):
    """Both workers busy: the third run waits with Cancel; when a worker frees, its button
    says Stop without a click (the page redraws as the run leaves the queue)."""
    busy = [_start_on_train_page(browser, server, seed, 40) for seed in (501, 502)]
    for tab in busy:
        tab.get_by_text("· Training · epoch").first.wait_for(timeout=120_000)
    waiting = _start_on_train_page(browser, server, 503, 40)
    waiting.get_by_text("number 1 in the queue").wait_for(timeout=60_000)
    waiting.get_by_role("button", name="Cancel", exact=True).wait_for(timeout=30_000)
    waiting.screenshot(path=artifacts / "15-queued-run.png")
    busy[0].get_by_role("button", name="Stop", exact=True).click()
    waiting.get_by_text("· Training · epoch").first.wait_for(timeout=120_000)
    waiting.get_by_role("button", name="Stop", exact=True).wait_for(timeout=30_000)
    assert waiting.get_by_role("button", name="Cancel", exact=True).count() == 0
    for tab in (waiting, busy[1]):
        tab.get_by_role("button", name="Stop", exact=True).click()
        tab.get_by_text("stopped after").first.wait_for(timeout=60_000)
    for tab in (*busy, waiting):
        tab.close()


def test_a_results_page_sees_the_run_finish_without_a_click(server, browser, artifacts):
    """The sidebar's run status refreshes itself; when the run ends the model appears."""
    page = browser.new_page(viewport={"width": 1400, "height": 1400})
    page.goto(server)
    page.get_by_text("Start with a preset").wait_for(timeout=60_000)
    page.get_by_role("button", name="Train this").nth(2).click()  # the sparse preset
    page.get_by_text("Train a model").wait_for(timeout=60_000)
    page.get_by_role("link", name="Reconstructions").first.click()
    page.get_by_text("Watch it train").first.wait_for(timeout=60_000)  # in the sidebar
    page.screenshot(path=artifacts / "10-results-page-while-training.png")
    # No click from here on: the page must notice the run finishing by itself.
    page.get_by_text("Which digits are unusual?").first.wait_for(timeout=300_000)
    assert "Sparse" in page.locator("section[data-testid='stSidebar']").inner_text()
    page.close()


def test_a_table_uploads_trains_and_its_codes_download(server, browser, artifacts, tmp_path):
    page = browser.new_page(viewport={"width": 1400, "height": 2200})
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(server)
    page.get_by_role("link", name="Your table").first.click()
    page.get_by_text("Upload a table, or press").wait_for(timeout=60_000)
    uploader = page.locator("input[type=file]")

    # A file over the upload limit is refused by Streamlit before it is sent, limit named.
    huge = tmp_path / "huge.csv"
    with huge.open("wb") as f:
        f.truncate(200 * 1024 * 1024)  # 200 MB, sparse: nothing to write
    uploader.set_input_files(str(huge))
    page.get_by_text("File must be 10.0MB or smaller.").wait_for(timeout=30_000)
    assert page.get_by_text("up to 10 MB").first.is_visible()

    uploader.set_input_files(str(ROOT / "assets" / "tables" / "gene_terms.csv"))
    page.get_by_text("240 rows × 50 columns").wait_for(timeout=60_000)
    page.get_by_role("button", name="Start training").click()
    page.get_by_text("Trained for 40 epochs").wait_for(timeout=300_000)
    page.get_by_text("Codes of every row").wait_for(timeout=60_000)
    page.wait_for_timeout(1_500)
    page.screenshot(path=artifacts / "10-table-codes.png", full_page=True)

    page.get_by_role("tab", name="Download codes and encoder").click()
    with page.expect_download() as download:
        page.get_by_role("button", name="Download the codes (CSV)").click()
    lines = download.value.path().read_text(encoding="utf-8-sig").splitlines()
    assert lines[0] == "gene," + ",".join(f"code_{i}" for i in range(1, 9))
    assert len(lines) == 241 and lines[1].startswith("GENE0001,")
    assert not errors, errors


FONT_LOADED = """async () => {
  await document.fonts.ready;
  const title = document.querySelector('h1');
  return {
    loaded: document.fonts.check('16px lab-cjk', '自编码器'),
    family: getComputedStyle(title).fontFamily,
  };
}"""


def test_a_chinese_browser_gets_the_lab_in_chinese_with_its_own_font(server, browser, artifacts):
    # No Chinese font may be installed on a classroom machine: the lab serves its own.
    context = browser.new_context(locale="zh-CN", viewport={"width": 1400, "height": 2000})
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(server)
    page.get_by_text("从一个预设开始").wait_for(timeout=60_000)
    font = page.evaluate(FONT_LOADED)
    assert font["loaded"] and "lab-cjk" in font["family"], font
    assert page.request.get(f"{server}/app/static/lab-cjk-sc.woff2").status == 200
    page.wait_for_timeout(1_000)
    page.screenshot(path=artifacts / "11-home-zh.png")

    page.get_by_role("button", name="训练这个").first.click()
    page.get_by_text("训练了 5 轮").wait_for(timeout=600_000)
    page.wait_for_timeout(1_500)
    page.screenshot(path=artifacts / "12-train-zh.png")
    page.get_by_role("link", name="潜在空间").first.click()
    page.get_by_text("编码器把 10,000 张测试数字分别放在哪里").wait_for(timeout=120_000)
    page.wait_for_timeout(1_500)
    page.screenshot(path=artifacts / "13-latent-zh.png")

    # Switching language keeps the model: the page comes back in English with it.
    page.get_by_role("combobox", name="Language · 语言").click()
    page.get_by_role("option", name="English").click()
    page.get_by_text("Where the encoder puts each of the 10,000 test digits").wait_for(
        timeout=60_000
    )
    sidebar = page.locator("section[data-testid='stSidebar']")
    assert "Deep dense, code size 2, 5 epochs on 20,000 images" in sidebar.inner_text()
    assert page.get_by_role("combobox", name="Model").input_value().startswith("Run 1: ")
    assert not errors, errors
    context.close()


def test_a_shared_setup_link_opened_first_on_a_fresh_server_gets_the_whole_app(
    browser, tmp_path, artifacts
):
    """Until some session has built the app's navigation, Streamlit runs pages/train.py for
    /train without app.py (see pages/ui/entry.py). The first student of a fresh server who
    opens a teacher's setup link still gets the app: its language, its navigation, the page
    asked for and the link's settings."""
    with streamlit_server(tmp_path / "runs", tmp_path / "streamlit.log") as url:
        context = browser.new_context(locale="zh-CN", viewport={"width": 1300, "height": 1000})
        page = context.new_page()
        errors = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.goto(f"{url}/train?arch=sparse&latent_dim=12&l1_weight=0.001&epochs=7")
        page.get_by_role("heading", name="训练模型").wait_for(timeout=120_000)
        epochs = page.get_by_label("训练轮数", exact=True)
        epochs.wait_for(timeout=60_000)
        page.wait_for_timeout(1_000)
        page.screenshot(path=artifacts / "14-setup-link-first-on-a-fresh-server.png")
        assert epochs.input_value() == "7"
        assert page.get_by_label("编码维度", exact=True).input_value() == "12"
        assert re.search(r"/train\?arch=sparse&.*epochs=7", page.url), page.url
        # The app's own navigation, titled in the session's language (Streamlit's fallback
        # lists the files in pages/, named after them).
        nav = page.locator("[data-testid='stSidebarNav']").inner_text()
        assert "班级" in nav and "训练" in nav and "class view" not in nav, nav
        assert not errors, errors
        context.close()
