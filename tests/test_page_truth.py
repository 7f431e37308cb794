"""What the pages say is what they compute: each test reads the page as a person would."""

from __future__ import annotations

import json

import numpy as np
import pytest

from ae_core.metrics import per_image_mse
from tests.page_support import (
    SESSION_KEY,
    assert_clean,
    charts,
    drawing_texts,
    drawings,
    new_app,
    start_from_page,
    texts,
    train_from_page,
    values,
)


@pytest.fixture(scope="module")
def app_with_model(tmp_path_factory):
    """A session that trained a small 2-D deep model from the Train page."""
    patch = pytest.MonkeyPatch()
    patch.setenv("AE_RUNS_DIR", str(tmp_path_factory.mktemp("runs")))
    at = train_from_page(new_app().run(), architecture="deep", epochs=2, latent_dim=2, seed=3)
    yield at
    patch.undo()


def test_a_typed_pick_stays_while_other_widgets_move(app_with_model):
    at = app_with_model
    at.switch_page("pages/latent_space.py").run()
    model = at.session_state[SESSION_KEY].current_model
    number = next(w for w in at.number_input if w.key.startswith("latent.number."))
    number.set_value(5).run()
    assert_clean(at)
    assert "**Test image #5**" in texts(at)
    slider = next(w for w in at.slider if w.key.startswith("latent.x."))
    slider.set_value(slider.min + (slider.max - slider.min) / 4).run()
    assert "**Test image #5**" in texts(at)  # the pick survives the slider
    scatter = next(v for k, v in charts(at).items() if k.startswith("latent.scatter"))
    assert "#5" in [t["name"] for t in scatter["data"]]
    at.button(key="latent.clear").click().run()
    assert "**Test image #5**" not in texts(at) and "Click a point" in texts(at)
    assert model.latent_dim == 2


def test_the_flagged_gallery_follows_the_threshold(app_with_model):
    at = app_with_model
    at.switch_page("pages/reconstructions.py").run()
    assert "this is a ranking, not a detection" in texts(at)
    errors = at.session_state[SESSION_KEY].current_model.errors

    def shown_errors():
        notes = charts(at)["recon.flagged"]["layout"]["annotations"]
        captions = [a["text"] for a in notes if not a["text"].startswith("<b>")]
        return [float(text.split(": ")[1]) for text in captions]

    at.slider(key="recon.flag").set_value(0.5).run()
    strict = shown_errors()
    threshold = np.sort(errors)[int(len(errors) * (1 - 0.005))]
    assert min(strict) >= round(threshold, 3) - 1e-3  # everything shown is flagged
    at.slider(key="recon.flag").set_value(10.0).run()
    loose = shown_errors()
    assert min(loose) < min(strict)  # a lower threshold shows images the strict one did not
    assert "flags 1,000 test images" in texts(at)


def test_pca_is_scored_on_the_images_shown(app_with_model):
    at = app_with_model
    at.switch_page("pages/reconstructions.py").run()
    model = at.session_state[SESSION_KEY].current_model
    x = model.dataset.x_test
    shown = np.clip(model.pca.reconstruct(x, 2), 0, 1)
    assert at.metric[1].value == f"{per_image_mse(x, shown).mean():.4f}"
    grid = charts(at)["recon.grid"]
    pca_rows = [t for t in grid["data"] if t["name"] == "PCA-2"]
    pixels = np.concatenate([values(t["z"]).ravel() for t in pca_rows]) if pca_rows else []
    pixels = np.asarray([p for p in pixels if p is not None], dtype=float)
    assert pixels[~np.isnan(pixels)].min() >= 0 and pixels[~np.isnan(pixels)].max() <= 1
    assert "errors are computed on exactly those images" in texts(at)


def test_grids_have_a_text_alternative(app_with_model):
    at = app_with_model
    at.switch_page("pages/reconstructions.py").run()
    tables = [d for d in at.dataframe]
    first = tables[0].value
    assert list(first.columns[:3]) == ["image", "original", "reconstruction"]
    assert len(first) == at.slider(key="recon.count").value
    assert first["reconstruction"].iloc[0].startswith("MSE ")


def test_denoising_without_noise_says_so_instead_of_infinity(app_with_model):
    at = app_with_model
    at.switch_page("pages/denoising.py").run()
    at.slider(key="denoise.level").set_value(0.0).run()
    assert_clean(at)
    assert at.metric[0].value == "no noise"
    assert not at.metric[1].delta
    page = json.dumps(charts(at)) + texts(at) + " ".join(m.value for m in at.metric)
    assert "inf" not in page.replace("info", "")


def test_home_says_what_its_sketch_shows(runs, app_with_model):
    fresh = new_app().run()
    labels = drawing_texts(drawings(fresh)[0])
    assert "illustration\n(a blurred copy)" in labels
    assert "only an illustration" in texts(fresh)
    at = app_with_model
    at.switch_page("pages/home.py").run()
    assert "output of\nRun 1" in drawing_texts(drawings(at)[0])


@pytest.mark.data_free
def test_preset_cards_say_their_time_is_an_idle_servers(runs):
    at = new_app().run()
    cards = [c.value for c in at.caption if "s when the server is idle" in c.value]
    assert len(cards) == 4
    assert not any("~" in m.value for m in at.markdown)


def test_a_saved_run_shows_its_curves_and_its_evaluation(app_with_model, tmp_path, monkeypatch):
    from ae_core.runs import save_run

    lab = app_with_model.session_state[SESSION_KEY]
    result = lab.job.result()
    monkeypatch.setenv("AE_RUNS_DIR", str(tmp_path))
    save_run(tmp_path / "saved-run", result, {"test_mse": 0.0345, "pca_mse": 0.0567})
    at = new_app().run()
    at.switch_page("pages/reconstructions.py").run()
    assert_clean(at)
    assert at.session_state[SESSION_KEY].current_name == "Saved run: saved-run"
    history = charts(at)["recon.history"]
    assert len(values(history["data"][0]["y"])) == 2  # its two epochs
    table = at.dataframe[0].value
    assert dict(zip(table["measure"], table["value"], strict=True))["test_mse"] == "0.0345"


@pytest.mark.data_free
def test_stopping_before_the_first_batch_keeps_the_current_model():
    from types import SimpleNamespace

    from ae_core.run_config import RunConfig
    from ae_core.training import NOTHING_TRAINED, TrainingResult
    from pages.ui.session import LabSession, collect_finished_job

    session = LabSession()
    session.current = "Run 1: Deep dense, code 2"
    result = TrainingResult(
        RunConfig.create("deep"),
        None,
        "stopped",
        NOTHING_TRAINED,
        [],
        0.0,
        0,  # type: ignore[arg-type]
    )
    session.job = SimpleNamespace(
        name="Run 2: Deep dense, code 32",
        snapshot=lambda: SimpleNamespace(finished=True),
        result=lambda: result,
    )
    collect_finished_job(session)
    assert session.current == "Run 1: Deep dense, code 2" and not session.models
    assert "stopped before its first batch, so nothing was trained" in session.notices[0]


def test_pages_speak_of_clothes_for_fashion_mnist(runs):
    at = train_from_page(
        new_app().run(), architecture="dense", epochs=1, dataset="fashion_mnist", latent_dim=2
    )
    for page in ("pages/reconstructions.py", "pages/latent_space.py", "pages/denoising.py"):
        at.switch_page(page).run()
        assert_clean(at)
        said = texts(at) + " ".join(m.label for m in at.metric)
        assert "clothing items" in said, page
        assert "digit" not in said.lower(), page


def test_models_are_known_by_id_and_labelled_by_their_short_name(
    app_with_model, tmp_path, monkeypatch
):
    """A display name is only displayed: two models may share one, and none is parsed."""
    from ae_core.runs import save_run

    lab = app_with_model.session_state[SESSION_KEY]
    trained = lab.current_model
    assert trained.id == f"run:{lab.job.run_id}" and trained.short_name == "Run 1"
    monkeypatch.setenv("AE_RUNS_DIR", str(tmp_path))
    save_run(tmp_path / "a: colon", lab.job.result(), {"test_mse": 0.05})
    at = app_with_model
    at.switch_page("pages/denoising.py").run()
    chooser = at.selectbox(key="model_choice")
    assert chooser.value == trained.id
    assert chooser.options == [trained.name, "Saved run: a: colon"]
    chooser.set_value("saved:a: colon").run()
    assert_clean(at)
    assert lab.current_name == "Saved run: a: colon"
    compare = at.selectbox(key="denoise.compare")
    compare.set_value(trained.id).run()
    assert_clean(at)
    rows = at.dataframe[0].value.columns.tolist()
    assert "after a: colon" in rows and "after Run 1" in rows
    at.selectbox(key="model_choice").set_value(trained.id).run()  # as the module found it


@pytest.mark.data_free
def test_projector_view_enlarges_text_and_charts_on_every_page(runs):
    at = new_app().run()
    normal_width = float(drawings(at)[0].get("width"))
    at.sidebar.toggle(key="projector").set_value(True).run()
    assert_clean(at)
    assert any("font-size: 1.4rem" in m.value for m in at.markdown)
    assert float(drawings(at)[0].get("width")) == pytest.approx(normal_width * 1.4, abs=1)
    at.switch_page("pages/learn.py").run()  # the choice follows the user to other pages
    assert at.sidebar.toggle(key="projector").value is True
    assert any("font-size: 1.4rem" in m.value for m in at.markdown)


def test_the_denoising_page_charts_robustness_for_every_kind_of_noise(app_with_model):
    at = app_with_model
    at.switch_page("pages/denoising.py").run()
    assert_clean(at)
    figure = charts(at)["denoise.robustness"]
    titles = [a["text"] for a in figure["layout"]["annotations"]]
    assert len(titles) == 3  # one column per kind of noise
    model = at.session_state[SESSION_KEY].current_model
    shown = [t for t in figure["data"] if t["name"] == model.short_name]
    assert len(shown) == 6  # error and PSNR in each of three columns
    gaussian = model.robustness("gaussian", (0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8), 200)
    np.testing.assert_allclose(values(shown[0]["y"]), gaussian.model_mse)


@pytest.mark.data_free
def test_compare_asks_for_a_second_model_first(runs):
    at = new_app().run()
    at.switch_page("pages/compare.py").run()
    assert_clean(at)
    assert "Comparing needs at least two models" in texts(at)


def test_compare_shows_two_models_side_by_side(app_with_model, tmp_path, monkeypatch):
    from ae_core.runs import save_run

    lab = app_with_model.session_state[SESSION_KEY]
    trained = lab.current_model
    monkeypatch.setenv("AE_RUNS_DIR", str(tmp_path))
    save_run(tmp_path / "kept", lab.job.result(), {"test_mse": 0.05})
    at = app_with_model
    at.switch_page("pages/compare.py").run()
    assert_clean(at)
    chooser = at.multiselect(key="compare.models")
    assert chooser.value[0] == trained.id and len(chooser.value) == 2  # the current one first
    chooser.set_value([trained.id, "saved:kept"]).run()
    assert_clean(at)
    table = at.dataframe[0].value
    assert list(table["model"]) == [trained.name, "Saved run: kept"]
    assert list(table["test MSE"]) == [f"{trained.test_mse:.4f}"] * 2  # one model, saved
    shown = charts(at)
    names = [t["name"] for t in shown["compare.losses"]["data"]]
    assert names == [
        "Run 1 (training)",
        "Run 1 (validation)",
        "kept (training)",
        "kept (validation)",
    ]
    assert f"compare.latent.{trained.id}" in shown and "compare.latent.saved:kept" in shown
    grid_rows = at.dataframe[1].value.columns.tolist()
    assert grid_rows == ["image", "Run 1", "kept"]
    assert lab.current == trained.id  # comparing does not change the model the pages show


def test_a_vae_shows_mean_or_sampled_codes_and_what_each_dimension_carries(runs):
    at = train_from_page(new_app().run(), architecture="vae", epochs=1, latent_dim=2)
    at.switch_page("pages/latent_space.py").run()
    assert_clean(at)
    model = at.session_state[SESSION_KEY].current_model
    kl = charts(at)["latent.kl"]["data"][0]
    np.testing.assert_allclose(values(kl["y"]), model.kl_per_dimension, rtol=1e-5)
    scatter_key = f"latent.scatter.{model.id}"
    means = np.concatenate([values(t["x"]) for t in charts(at)[scatter_key]["data"][:10]])
    at.radio(key=f"latent.vae_codes.{model.id}").set_value("sample").run()
    assert_clean(at)
    samples = np.concatenate([values(t["x"]) for t in charts(at)[scatter_key]["data"][:10]])
    assert samples.shape == means.shape and not np.allclose(samples, means)


def test_a_lineup_trains_every_architecture_in_turn_and_stop_ends_it(runs, monkeypatch):
    import ae_core.presets
    from ae_core.run_config import RunConfig

    tiny = {"latent_dim": 2, "train_size": 300, "epochs": 1}
    monkeypatch.setattr(
        ae_core.presets,
        "lineup",
        lambda: [RunConfig.create(name, **tiny) for name in ("dense", "deep", "vae")],
    )
    at = new_app().run()
    at.switch_page("pages/compare.py").run()
    at.button(key="compare.lineup").click().run()
    assert_clean(at)
    lab = at.session_state[SESSION_KEY]
    assert lab.job.config.architecture == "dense" and len(lab.lineup) == 2
    for _ in range(3):  # each page run starts the next run once the previous has ended
        assert lab.job.join(timeout=120)
        at.run()
        assert_clean(at)
    trained = [model.config.architecture for model in lab.models.values()]
    assert trained == ["dense", "deep", "vae"] and not lab.lineup
    assert len(at.dataframe[0].value) == 2  # the comparison starts with two of them
    # Stop during a lineup cancels what is still waiting.
    start_from_page(at, architecture="vae", epochs=50, seed=7)
    lab.lineup = [RunConfig.create("deep", **tiny, seed=5)]  # as if more were waiting
    at.button(key="train.stop").click().run()
    assert not lab.lineup
    lab.job.join(timeout=120)
    at.run()
    assert "still waiting in the lineup were cancelled" in texts(at)
    assert lab.job.config.architecture == "vae"  # nothing else was started
