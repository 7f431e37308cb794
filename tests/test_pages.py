"""Every page through Streamlit's AppTest: what a person sees, with and without a model.

Training in these tests is tiny (1,000 images, one or two epochs): AppTest waits for the
script, and the training thread is joined explicitly before the page is checked.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from streamlit.runtime.scriptrunner import script_runner

from tests.conftest import ROOT
from tests.page_support import (
    RESULT_PAGES,
    SESSION_KEY,
    SVG,
    assert_clean,
    charts,
    drawing_texts,
    drawings,
    new_app,
    open_settings,
    start_from_page,
    texts,
    train_from_page,
    values,
    wait_for_progress,
)


@pytest.mark.data_free
def test_home_explains_and_offers_presets():
    at = new_app().run()
    assert_clean(at)
    assert at.title[0].value == "Autoencoder Lab"
    assert "encoder" in texts(at) and "latent space" in texts(at)
    preset_buttons = [b for b in at.button if b.key and b.key.startswith("preset.")]
    assert len(preset_buttons) == 4 and all(b.label == "Train this" for b in preset_buttons)
    (sketch,) = drawings(at)
    assert len(sketch.findall("{http://www.w3.org/2000/svg}image")) == 2  # digit and output
    assert not charts(at)  # the Home page loads no plotly into the browser


@pytest.mark.data_free
def test_home_renders_without_importing_tensorflow():
    script = (
        "import sys\n"
        "from streamlit.testing.v1 import AppTest\n"
        f"at = AppTest.from_file({str(ROOT / 'app.py')!r}, default_timeout=60).run()\n"
        "assert not at.exception, at.exception\n"
        "print('tensorflow' in sys.modules)\n"
    )
    # The server's background warm-up loads TensorFlow on purpose once a page is shown;
    # switched off here to see what the Home page itself needs.
    env = {**os.environ, "AE_WARM_UP": "0"}
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT, env=env
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip().splitlines()[-1] == "False"


@pytest.mark.data_free
@pytest.mark.parametrize("page", RESULT_PAGES)
def test_result_pages_say_what_to_do_without_a_model(page, runs):
    at = new_app().run()
    at.switch_page(page).run()
    assert_clean(at)
    assert "There is no model to explore yet" in texts(at)
    assert not charts(at)


@pytest.mark.data_free
def test_train_page_shows_only_the_settings_of_the_chosen_architecture(runs):
    at = new_app().run()
    at.switch_page("pages/train.py").run()
    assert_clean(at)
    keys = {w.key for kind in (at.select_slider, at.selectbox, at.number_input) for w in kind}
    assert "setting.deep.model.latent_dim" in keys and "setting.deep.train.optimizer" in keys
    assert not any("sparsity" in k for k in keys)
    (network,) = drawings(at)
    from ae_core.run_config import RunConfig
    from ae_core.training import build_autoencoder

    expected = build_autoencoder(RunConfig.create("deep")).count_parameters()
    assert drawing_texts(network)[0] == f"{expected:,} trainable parameters"

    at.selectbox(key="train.architecture").set_value("sparse").run()
    slider_keys = {w.key for w in at.select_slider}
    assert "setting.sparse.model.l1_weight" in slider_keys
    assert "setting.sparse.model.sparsity_weight" not in slider_keys
    at.selectbox(key="setting.sparse.model.sparsity").set_value("kl").run()
    slider_keys = {w.key for w in at.select_slider}
    assert "setting.sparse.model.l1_weight" not in slider_keys
    assert {
        "setting.sparse.model.sparsity_weight",
        "setting.sparse.model.weight_decay",
    } <= slider_keys
    assert all(w.help for w in at.select_slider)  # every setting explains itself


@pytest.mark.data_free
def test_a_bad_setting_is_explained_and_training_cannot_start(runs):
    at = new_app().run()
    at.switch_page("pages/train.py").run()
    at.text_input(key="setting.deep.model.hidden_widths").set_value("256, lots").run()
    assert_clean(at)
    assert "Hidden layer widths (hidden_widths) must be a whole number" in at.error[0].value
    assert at.button(key="train.start").disabled


@pytest.fixture(scope="module")
def trained_app(tmp_path_factory):
    """An app session that trained a 2-D deep model from the Train page and saved it."""
    runs_folder = tmp_path_factory.mktemp("runs")
    patch = pytest.MonkeyPatch()
    patch.setenv("AE_RUNS_DIR", str(runs_folder))
    at = train_from_page(new_app().run(), architecture="deep", epochs=2, latent_dim=2)
    yield at, runs_folder
    patch.undo()


def test_training_on_the_train_page_shows_progress_loss_images_and_codes(trained_app):
    at, _ = trained_app
    assert_clean(at)
    assert "Trained for 2 epochs" in at.success[0].value
    # The live view is three light drawings, no plotly chart (see ae_core.epoch_drawings).
    assert not charts(at)
    # The folded Network box draws nothing: the three drawings are the live view's.
    grid, loss, latent = drawings(at)
    assert grid.get("aria-label") == "Test digits and their reconstructions, refreshed every epoch"
    assert [t for t in drawing_texts(grid) if not t.isdigit()][1:] == ["original", "epoch 2"]
    assert len(grid.findall(f"{SVG}image")) == 2  # one strip of ten digits per row
    assert loss.get("aria-label") == "Loss per epoch"
    assert {"total loss (training)", "total loss (validation)"} <= set(drawing_texts(loss))
    lines = loss.findall(f"{SVG}polyline")
    assert [len(line.get("points").split()) for line in lines] == [2, 2]  # two epochs each
    assert latent.get("aria-label") == "Codes of 2,000 test digits after epoch 2"
    dots = [g.find(f"{SVG}path").get("d").count("M") for g in latent.findall(f"{SVG}g")]
    assert len(dots) == 10 and sum(dots) == 2_000
    lab = at.session_state[SESSION_KEY]
    assert lab.current_name == "Run 1: Deep dense, code 2"


def test_a_finished_run_can_be_saved_to_its_own_folder(trained_app):
    at, runs_folder = trained_app
    at.button(key="train.save").click().run()
    assert_clean(at)
    folders = [
        p for p in runs_folder.iterdir() if not p.name.startswith(".")
    ]  # .trained: the store
    assert len(folders) == 1 and (folders[0] / "encoder.keras").exists()
    assert "Saved to" in at.success[-1].value
    metrics = json.loads((folders[0] / "metrics.json").read_text())
    assert metrics["test_mse"] < metrics["pca_mse"] * 1.5


def test_reconstructions_page_compares_with_pca(trained_app):
    at, _ = trained_app
    at.switch_page("pages/reconstructions.py").run()
    assert_clean(at)
    labels = [m.label for m in at.metric]
    assert labels[:2] == ["Test MSE per pixel", "PCA with 2 components"]
    grid = charts(at)["recon.grid"]
    assert [t["name"] for t in grid["data"]] == [
        "original",
        "reconstruction",
        "difference",
        "PCA-2",
    ] * 2
    at.radio(key="recon.order").set_value("worst").run()
    lab = at.session_state[SESSION_KEY]
    worst = lab.current_model.errors.argmax()
    first_caption = charts(at)["recon.grid"]["layout"]["annotations"]
    assert any(f"#{worst}" in a["text"] for a in first_caption)
    assert "recon.histogram" in charts(at)


def test_latent_page_plots_every_test_digit_and_decodes_the_plane(trained_app):
    at, _ = trained_app
    at.switch_page("pages/latent_space.py").run()
    assert_clean(at)
    shown = charts(at)
    scatter = next(v for k, v in shown.items() if k.startswith("latent.scatter"))
    digit_traces = [t for t in scatter["data"] if t["type"] == "scattergl"]
    assert [t["name"] for t in digit_traces] == list("0123456789")
    assert sum(len(values(t["x"])) for t in digit_traces) == 10_000
    assert "decoded" in [t["name"] for t in scatter["data"]]  # the point the sliders decode
    assert "The 2-D codes, exactly as learned." in texts(at)
    manifold = shown["latent.manifold"]
    z = manifold["data"][0]["z"]
    assert values(z).size == (15 * 28) ** 2 if isinstance(z, dict) else len(z) == 15 * 28
    walk = shown["latent.walk"]
    assert [t["name"] for t in walk["data"]] == ["originals", "decoded path"]


def test_denoising_page_scores_the_model_and_explains_it(trained_app):
    at, _ = trained_app
    at.switch_page("pages/denoising.py").run()
    assert_clean(at)
    assert "was only trained to copy clean digits" in texts(at)
    labels = [m.label for m in at.metric]
    assert labels[:2] == ["PSNR of the noisy digits", "PSNR after this model"]
    noisy = float(at.metric[0].value.split()[0])
    at.slider(key="denoise.level").set_value(0.1).run()
    assert float(at.metric[0].value.split()[0]) > noisy  # less noise, higher PSNR
    grid = charts(at)["denoise.grid"]
    assert [t["name"] for t in grid["data"]][:2] == ["clean", "noisy"]


def test_a_saved_run_can_be_chosen_and_explored_in_a_new_session(trained_app, monkeypatch):
    _, runs_folder = trained_app
    monkeypatch.setenv("AE_RUNS_DIR", str(runs_folder))
    saved = next(p for p in runs_folder.iterdir() if not p.name.startswith(".")).name
    at = new_app().run()
    at.switch_page("pages/reconstructions.py").run()
    assert "There is no model to explore yet" not in texts(at)
    assert_clean(at)
    lab = at.session_state[SESSION_KEY]
    assert lab.current_name == f"Saved run: {saved}"
    assert at.metric[0].label == "Test MSE per pixel"


def test_changing_settings_mid_run_does_not_touch_the_run(runs):
    at = new_app().run()
    lab = start_from_page(at, epochs=3, latent_dim=3)
    open_settings(at)  # folded once the run started
    at.run()
    at.number_input(key="setting.deep.model.latent_dim").set_value(7).run()
    at.selectbox(key="train.architecture").set_value("conv").run()
    assert_clean(at)
    assert lab.job.join(timeout=180)
    at.run()
    assert_clean(at)
    assert lab.job.snapshot().state == "completed"
    assert lab.current_model.latent_dim == 3 and lab.current_model.config.train.epochs == 3


def test_a_started_run_folds_the_settings_and_a_click_opens_them_again(runs):
    at = new_app().run()
    at.switch_page("pages/train.py").run()
    assert at.number_input(key="setting.deep.train.epochs")  # a first visit: open
    assert "trainable parameters" in drawings(at)[0].get("aria-label")  # the network
    # Values set just before the press (the press's own run) reach the run.
    at.select_slider(key="setting.deep.data.train_size").set_value(1_000)
    at.number_input(key="setting.deep.train.epochs").set_value(2)
    at.button(key="train.start").click().run()
    assert_clean(at)
    lab = at.session_state[SESSION_KEY]
    assert lab.job.config.train.epochs == 2 and lab.job.config.data.train_size == 1_000
    at.run()
    # Folded, the settings and the network draw nothing at all (bench/README.md: a tab
    # opening the page on a run drew them all the same, out of sight).
    assert not [w for w in at.number_input if w.key.startswith("setting.")]
    assert not at.select_slider
    assert not [d for d in drawings(at) if "trainable parameters" in d.get("aria-label")]
    assert [e.label for e in at.expander][-3:] == [
        "Model settings",
        "Data and training settings",
        "Network",
    ]
    open_settings(at)  # a click on each box
    at.run()
    assert at.number_input(key="setting.deep.train.epochs").value == 2
    assert at.select_slider(key="setting.deep.data.train_size").value == 1_000
    assert lab.job.join(timeout=180)


def test_stop_button_stops_the_run_and_keeps_the_model(runs):
    at = new_app().run()
    lab = start_from_page(at, epochs=200)
    wait_for_progress(lab.job)  # a stop before the first batch trains nothing (another test)
    at.button(key="train.stop").click().run()
    assert lab.job.join(timeout=120)
    at.run()
    assert_clean(at)
    assert "Stopped" in at.warning[0].value
    assert lab.current_model is not None and lab.current_model.status == "stopped"


def test_a_diverging_run_is_reported_and_the_previous_model_stays(trained_app, runs):
    at, _ = trained_app
    before = at.session_state[SESSION_KEY].current
    train_from_page(
        at,
        architecture="deep",
        epochs=2,
        activation="linear",
        loss="mse",
        output_activation="linear",
        optimizer="sgd",
        learning_rate=30.0,
    )
    assert_clean(at)
    assert "NaN or infinite" in at.error[0].value
    assert at.session_state[SESSION_KEY].current == before


# Taken when the tests are collected, before any app run has installed the guard.
ORIGINAL_CLEANUP = script_runner._clean_problem_modules


@pytest.mark.data_free
@pytest.mark.parametrize("page", [None, "pages/learn.py"])
def test_script_runs_leave_keras_global_state_alone(page, monkeypatch):
    """Streamlit would call keras.backend.clear_session() after every run (see keras_guard).

    Also on a page Streamlit runs without app.py (AppTest does, and so does a fresh server
    for an address like /learn, see pages/ui/entry.py): the page runs app.py, which installs
    the guard."""
    import keras

    assert ORIGINAL_CLEANUP.__module__ == script_runner.__name__  # Streamlit's, not the guard
    at = new_app()
    if page is not None:
        at.run()
        at.switch_page(page)
    # Streamlit's own cleanup back in place, as on a server whose app.py has not run yet.
    monkeypatch.setattr(script_runner, "_clean_problem_modules", ORIGINAL_CLEANUP)
    before = keras.layers.Dense(1).name
    at.run()
    assert_clean(at)
    after = keras.layers.Dense(1).name
    # Layer names count up from Keras' global state; a cleared session starts again at "dense".
    assert after != "dense" and after != before


EXAMPLES = ROOT / "assets" / "examples"


@pytest.mark.data_free
def test_my_digits_prepares_the_examples_without_a_model(runs):
    at = new_app().run()
    at.switch_page("pages/my_digits.py").run()
    assert_clean(at)
    assert "switch on the examples" in texts(at)
    at.toggle(key="mine.examples").set_value(True).run()
    assert_clean(at)
    names = [m.value for m in at.markdown if m.value.startswith("**")]
    assert names == [
        f"**{chr(65 + i)} · {p.name}**" for i, p in enumerate(sorted(EXAMPLES.iterdir()))
    ]
    shown = charts(at)

    def titles(i):
        return [a["text"] for a in shown[f"mine.steps.{i}"]["layout"]["annotations"]]

    assert titles(1) == ["original (grey)", "ink on black", "cropped", "28×28, like MNIST"]
    assert titles(0)[1] == "ink"  # chalk is already light on dark: nothing to invert
    assert "Train a model" in texts(at)


@pytest.mark.data_free
def test_a_broken_upload_is_reported_and_the_others_still_work(runs):
    at = new_app().run()
    at.switch_page("pages/my_digits.py").run()
    good = (EXAMPLES / "marker_7.png").read_bytes()
    at.file_uploader(key="mine.upload").set_value(
        [
            ("first.png", good, "image/png"),
            ("broken.png", good[:300], "image/png"),
            ("notes.jpg", b"these are not pixels", "image/jpeg"),
            ("second.png", good, "image/png"),
        ]
    ).run()
    assert_clean(at)
    errors = [e.value for e in at.error]
    assert len(errors) == 2
    assert errors[0].startswith("**broken.png**") and "damaged or incomplete" in errors[0]
    assert errors[1].startswith("**notes.jpg**") and "not an image we can read" in errors[1]
    names = [m.value for m in at.markdown if m.value.startswith("**")]
    assert names == ["**A · first.png**", "**B · second.png**"]


def test_my_digits_with_a_model_scores_and_places_each_image(trained_app):
    at, _ = trained_app
    at.switch_page("pages/my_digits.py").run()
    at.toggle(key="mine.examples").set_value(True).run()
    assert_clean(at)
    shown = charts(at)
    titles = [a["text"] for a in shown["mine.steps.1"]["layout"]["annotations"]]
    assert titles[-2:] == ["reconstruction", "difference"]
    labels = [m.label for m in at.metric][:2]
    assert labels == ["Reconstruction MSE", "Worse than this share of test digits"]
    latent = shown["mine.latent"]
    stars = [t["name"] for t in latent["data"] if t.get("marker", {}).get("symbol") == "star"]
    assert stars == ["A", "B", "C", "D", "E"]
    assert "mine.errors" in shown


@pytest.mark.data_free
def test_the_drawing_pad_hands_over_only_png_data():
    import base64

    from pages.ui.drawing import png_from_data_url

    png = (EXAMPLES / "marker_7.png").read_bytes()
    url = "data:image/png;base64," + base64.b64encode(png).decode()
    assert png_from_data_url(url) == png
    assert png_from_data_url(None) is None
    assert png_from_data_url("data:text/html;base64,PHNjcmlwdD4=") is None
    assert png_from_data_url("data:image/png;base64,not*base64") is None


def test_features_page_shows_first_layer_units_and_code_units(trained_app):
    at, _ = trained_app
    at.switch_page("pages/features.py").run()
    assert_clean(at)
    shown = charts(at)
    units = shown["features.first_layer"]["data"]
    assert sum(values(t["z"]).size if isinstance(t["z"], dict) else len(t["z"]) for t in units) > 0
    assert [t["name"] for t in shown["features.code_units"]["data"]] == ["code units"]
    assert "The 48 units with the largest weights" in texts(at)


def test_training_continues_while_the_user_visits_other_pages(runs):
    at = new_app().run()
    lab = start_from_page(at, epochs=60)  # far longer than a page switch, even on a fast machine
    at.switch_page("pages/latent_space.py").run()
    assert_clean(at)
    assert not lab.job.snapshot().finished
    assert any("Training Run 1" in p.proto.text for p in at.get("progress"))  # in the sidebar
    assert lab.job.join(timeout=300)
    at.switch_page("pages/train.py").run()
    assert_clean(at)
    assert "Trained for 60 epochs" in at.success[0].value
    at.switch_page("pages/latent_space.py").run()
    assert "There is no model to explore yet" not in texts(at)


def test_the_class_page_and_home_say_what_the_server_prepares_ahead(tmp_path, monkeypatch):
    import pages.ui.service as server
    from ae_core.presets import PRESETS
    from ae_core.service import TrainingService

    # A service that was never started: the presets wait to be prepared, nothing trains.
    idle = TrainingService(lambda: tmp_path, workers=1)
    assert idle.prepare(preset.config() for preset in PRESETS) == len(PRESETS)
    monkeypatch.setattr(server, "_service", idle)
    at = new_app().run()
    at.switch_page("pages/class_view.py").run()
    assert_clean(at)
    assert f"Preparing {len(PRESETS)} Home presets ahead" in texts(at)
    assert "Nothing is training or waiting right now." in texts(at)  # no student waits

    # A preset an earlier server stored opens at once, and Home says so.
    first = PRESETS[0].config()
    (tmp_path / ".trained" / first.run_id).mkdir(parents=True)
    (tmp_path / ".trained" / first.run_id / "run.json").write_text("{}")
    monkeypatch.setattr(server, "_service", TrainingService(lambda: tmp_path, workers=1))
    at.switch_page("pages/home.py").run()
    assert_clean(at)
    timings = [c.value for c in at.caption if "server" in c.value]
    assert timings[0] == "Already trained on this server: it opens at once."
    assert all("Already trained" not in timing for timing in timings[1:])


def test_the_class_page_lists_a_training_run_and_a_waiting_one(tmp_path, monkeypatch, caplog):
    import concurrent.futures

    import pages.ui.service as server
    from ae_core.run_config import RunConfig
    from ae_core.service import TrainingService

    class HeldPool(concurrent.futures.Executor):
        """A pool whose runs start and never end: the page sees one training, one waiting."""

        def submit(self, *args, **kwargs):
            return concurrent.futures.Future()

    service = TrainingService(
        lambda: tmp_path, workers=1, pool_factory=lambda *_: HeldPool()
    ).start()
    try:
        service.request(RunConfig.create("deep", epochs=3), "student-a")
        service.request(RunConfig.create("conv", epochs=2), "student-b")
        monkeypatch.setattr(server, "_service", service)
        caplog.set_level("INFO", logger="streamlit")
        at = new_app().run()
        at.switch_page("pages/class_view.py").run()
        assert_clean(at)
        table = at.dataframe[0].value
        assert list(table["state"]) == ["training", "waiting"]
        assert list(table["place"]) == ["", "1"]
        assert list(table["epochs"]) == [3, 2]
        assert "unsuccessful" not in caplog.text  # each column converts to Arrow as it is
    finally:
        service.shutdown()
