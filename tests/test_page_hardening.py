"""What a class finds when it pokes at the pages: bad run folders, odd picks, odd files.

Each test drives the real pages through AppTest and checks what the user is shown.
"""

from __future__ import annotations

import io
import os
import shutil

import numpy as np
import pytest

from ae_core.config import DataConfig, Settings, TrainConfig
from ae_core.runs import save_run
from tests.conftest import ROOT
from tests.page_support import (
    RESULT_PAGES,
    SESSION_KEY,
    assert_clean,
    new_app,
    texts,
)

CHOOSER = "model_choice"


@pytest.fixture(scope="module")
def good_runs(trained, tmp_path_factory):
    """Two small saved runs: `older` (dense) and `newer` (deep), in that folder order."""
    root = tmp_path_factory.mktemp("good-runs")
    for stamp, name, arch in ((1_000_000, "older", "dense"), (2_000_000, "newer", "deep")):
        folder = save_run(root / name, trained(arch), {"test_mse": 0.02})
        os.utime(folder, (stamp, stamp))
    return root


@pytest.fixture
def runs_with(good_runs, tmp_path, monkeypatch):
    """A runs folder holding copies of the good runs, plus whatever a test adds."""
    root = tmp_path / "runs"
    shutil.copytree(good_runs, root)
    for name, stamp in (("older", 1_000_000), ("newer", 2_000_000)):
        os.utime(root / name, (stamp, stamp))
    monkeypatch.setenv("AE_RUNS_DIR", str(root))
    return root


def _bad_run(root, name, write_run_json):
    folder = shutil.copytree(root / "older", root / name)
    (folder / "run.json").unlink()
    write_run_json(folder / "run.json")
    os.utime(folder, (3_000_000, 3_000_000))  # the newest folder of all


@pytest.mark.parametrize("page", [*RESULT_PAGES, "pages/my_digits.py"])
def test_unreadable_run_folders_never_break_a_page(runs_with, page):
    _bad_run(runs_with, "nested", lambda p: p.write_text("[" * 100_000 + "]" * 100_000))
    _bad_run(runs_with, "unreadable", lambda p: p.symlink_to("/proc/self/mem"))
    at = new_app().run()
    at.switch_page(page).run()
    assert_clean(at)
    assert at.session_state[SESSION_KEY].current_name == "Saved run: newer"
    assert at.selectbox(key=CHOOSER).options == ["Saved run: newer", "Saved run: older"]


def test_the_first_pick_in_the_chooser_is_the_one_shown(runs_with):
    at = new_app().run()
    at.switch_page("pages/reconstructions.py").run()
    lab = at.session_state[SESSION_KEY]
    assert lab.current_name == "Saved run: newer"  # a new session opens the newest folder
    at.selectbox(key=CHOOSER).set_value("saved:older").run()
    assert_clean(at)
    assert lab.current_name == "Saved run: older"
    assert at.selectbox(key=CHOOSER).value == "saved:older"
    assert "Shallow dense" in at.sidebar.caption[-1].value


def test_a_refused_load_keeps_the_chooser_on_the_model_shown(runs_with):
    broken = shutil.copytree(runs_with / "older", runs_with / "broken")
    shutil.copy(runs_with / "newer" / "encoder.keras", broken / "encoder.keras")
    os.utime(broken, (500_000, 500_000))  # the oldest: not the one a new session opens
    at = new_app().run()
    at.switch_page("pages/latent_space.py").run()
    at.selectbox(key=CHOOSER).set_value("saved:broken").run()
    assert_clean(at)
    lab = at.session_state[SESSION_KEY]
    assert lab.current_name == "Saved run: newer"
    assert at.selectbox(key=CHOOSER).value == "saved:newer"
    message = at.error[0].value
    assert "Saved run: broken could not be loaded" in message
    assert str(runs_with) not in message and "broken/encoder.keras" in message


def test_a_run_json_claiming_a_future_date_is_not_every_sessions_default(runs_with):
    import json

    info = json.loads((runs_with / "older" / "run.json").read_text())
    info["created"] = "9999-01-01T00:00:00+0000"
    (runs_with / "older" / "run.json").write_text(json.dumps(info))
    os.utime(runs_with / "older", (1_000_000, 1_000_000))
    at = new_app().run()
    at.switch_page("pages/features.py").run()
    assert at.session_state[SESSION_KEY].current_name == "Saved run: newer"


@pytest.mark.parametrize(
    ("name", "typed", "message"),
    [
        ("latent_dim", 10_000, "Code size (latent_dim) must be at most 512; got 10000"),
        ("epochs", 0, "Epochs (epochs) must be at least 1; got 0"),
    ],
)
def test_an_out_of_range_number_disables_start_and_says_why(runs, name, typed, message):
    at = new_app().run()
    at.switch_page("pages/train.py").run()
    part = "model" if name == "latent_dim" else "train"
    at.number_input(key=f"setting.deep.{part}.{name}").set_value(typed).run()
    assert_clean(at)
    assert message in at.error[0].value
    assert at.button(key="train.start").disabled
    assert at.number_input(key=f"setting.deep.{part}.{name}").value == typed  # as typed


def _every_settings_class() -> list[type[Settings]]:
    from ae_core.architectures import all_architectures

    return [DataConfig, TrainConfig, *(a.config_class for a in all_architectures())]


@pytest.mark.data_free
@pytest.mark.parametrize("settings", _every_settings_class(), ids=lambda c: c.__name__)
def test_sliders_reach_exactly_the_bounds_the_settings_accept(settings):
    for name, (_, p) in settings.params().items():
        if not p.suggestions:
            continue
        numbers = [v for v in p.suggestions if v is not None]
        assert min(numbers) == p.minimum, name
        # "all 60,000" (None) stands for the largest training set.
        assert max(numbers) == p.maximum or f"{int(p.maximum):,}" in p.none_label, name


@pytest.mark.data_free
def test_a_file_of_a_refused_type_gets_a_sentence_naming_the_formats(runs):
    at = new_app().run()
    at.switch_page("pages/my_digits.py").run()
    svg = b'<svg xmlns="http://www.w3.org/2000/svg"><text>7</text></svg>'
    good = (ROOT / "assets" / "examples" / "marker_7.png").read_bytes()
    at.file_uploader(key="mine.upload").set_value(
        [("seven.svg", svg, "image/svg+xml"), ("seven.png", good, "image/png")]
    ).run()
    assert_clean(at)
    assert at.error[0].value.startswith("**seven.svg**: SVG files cannot be read here.")
    assert "PNG, JPEG, WebP, BMP, GIF or TIFF" in at.error[0].value
    assert "**A · seven.png**" in texts(at)


@pytest.mark.data_free
def test_uploads_are_read_once_and_only_their_results_are_kept(runs):
    at = new_app().run()
    at.switch_page("pages/my_digits.py").run()
    noise = np.random.default_rng(0).bytes(1_000_000)
    good = (ROOT / "assets" / "examples" / "marker_7.png").read_bytes()
    files = [("photo.png", good, "image/png")]
    files += [(f"noise-{i}.png", noise, "image/png") for i in range(15)]
    at.file_uploader(key="mine.upload").set_value(files).run()
    assert_clean(at)
    errors = [e.value for e in at.error]
    # 12 at a time: the first 12 files are read; 4 are refused without being read.
    assert len(errors) == 12
    assert errors[-1].startswith("**4 more files**: not read: the page holds 12 images")
    assert "**A · photo.png**" in texts(at)
    # The session keeps small prepared images, never the uploaded bytes.
    state = at.session_state.to_dict()
    # The uploader's own value is Streamlit's; a real server drops its bytes (read_once).
    state.pop("mine.upload", None)
    kept = _bytes_held(state)
    assert kept < 2_000_000, kept
    at.run()  # a rerun reads nothing again and shows the same
    assert len(at.error) == 12


def _bytes_held(value, seen=None) -> int:
    """Bytes of raw data (bytes and arrays) reachable from session state."""
    seen = set() if seen is None else seen
    if id(value) in seen:
        return 0
    seen.add(id(value))
    if isinstance(value, bytes | bytearray):
        return len(value)
    if isinstance(value, io.BytesIO):
        return value.getbuffer().nbytes
    if isinstance(value, np.ndarray):
        return value.nbytes
    if isinstance(value, dict):
        return sum(_bytes_held(v, seen) for v in value.values())
    if isinstance(value, list | tuple | set):
        return sum(_bytes_held(v, seen) for v in value)
    if hasattr(value, "__dataclass_fields__"):
        return sum(_bytes_held(getattr(value, f), seen) for f in value.__dataclass_fields__)
    return 0


@pytest.mark.data_free
def test_a_reload_finds_its_run_again_instead_of_offering_a_second_start(runs):
    from tests.page_support import start_from_page

    first = new_app().run()
    lab = start_from_page(first, epochs=200)
    run_id = lab.job.run_id
    assert first.query_params["run"] == run_id
    # The reload: a new session opened at the same address.
    reloaded = new_app()
    reloaded.query_params["run"] = run_id
    reloaded.run()
    reloaded.switch_page("pages/train.py").run()
    assert_clean(reloaded)
    again = reloaded.session_state[SESSION_KEY]
    assert again.job is not None and again.job.run_id == run_id
    assert reloaded.button(key="train.start").disabled  # no second training for this tab
    assert not reloaded.button(key="train.stop").disabled
    assert again.job.snapshot().watchers == 2
    lab.job.stop()
    again.job.stop()
    assert lab.job.join(60)


def test_two_sessions_pressing_the_same_preset_share_one_run(runs):
    sessions = [new_app().run() for _ in range(2)]
    for at in sessions:
        at.button(key="preset.deep-2d").click().run()
        assert_clean(at)
    first, second = (at.session_state[SESSION_KEY].job for at in sessions)
    assert first.run_id == second.run_id
    assert second.snapshot().watchers == 2
    assert any("asked for exactly this run" in c.value for c in sessions[1].caption)
    for job in (first, second):
        job.stop()
    assert first.join(120)


def test_leaving_a_shared_run_is_not_undone_by_the_address(runs):
    sessions = [new_app().run() for _ in range(2)]
    for at in sessions:
        at.button(key="preset.vae-2d").click().run()
    leaver = sessions[1]
    lab = leaver.session_state[SESSION_KEY]
    leaver.button(key="train.stop").click().run()
    assert_clean(leaver)
    assert lab.job is None and "run" not in leaver.query_params
    assert any("You left Run 1" in i.value for i in leaver.info)
    leaver.run()
    assert lab.job is None  # still out of it after another rerun
    # A rerun asked for before the browser took in the address without the run brings
    # the older address along: it must not attach the session to the run it left.
    leaver.query_params["run"] = sessions[0].session_state[SESSION_KEY].job.run_id
    leaver.run()
    assert_clean(leaver)
    assert lab.job is None
    stayer = sessions[0].session_state[SESSION_KEY].job
    assert stayer.snapshot().watchers == 1
    stayer.stop()
    assert stayer.join(120)


def _top_level_place(at, text: str) -> int:
    """Index, among the page's top-level blocks and elements, of the one that holds `text`."""

    def holds(node) -> bool:
        if text in str(getattr(node, "value", "")):
            return True
        return any(holds(child) for child in getattr(node, "children", {}).values())

    return next(i for i, node in enumerate(at.main.children.values()) if holds(node))


@pytest.mark.data_free
def test_the_live_progress_keeps_its_place_while_messages_come_and_go():
    """The Train page's progress is a fragment the browser reruns on a timer; a notice above
    it once moved it down a place between two reruns, which broke pages under load."""
    at = new_app().run()
    at.switch_page("pages/train.py").run()
    assert_clean(at)
    progress = "Press **Start training**"
    place = _top_level_place(at, progress)
    lab = at.session_state[SESSION_KEY]
    lab.notices.append("A notice for this test.")
    lab.problems.append("A problem for this test.")
    at.run()
    assert_clean(at)
    assert [i.value for i in at.info if "notice" in i.value] == ["A notice for this test."]
    assert [e.value for e in at.error] == ["A problem for this test."]
    assert _top_level_place(at, progress) == place
