"""Replay: every epoch's codes and reconstructions, kept with the run and played back."""

import numpy as np
import pytest

from ae_core.errors import RunFolderError
from ae_core.progress import EpochReport
from ae_core.replay import FILE_NAME, Replay
from tests.page_support import SESSION_KEY, assert_clean, charts, new_app, values


def _report(epoch: int, stage: str = "Training", images: bool = True) -> EpochReport:
    rng = np.random.default_rng(epoch)
    extra = {}
    if images:
        extra = dict(
            originals=rng.random((10, 28, 28), np.float32),
            reconstructions=rng.random((10, 28, 28), np.float32),
            codes=rng.standard_normal((50, 2)).astype(np.float32),
            code_labels=np.arange(50) % 10,
        )
    return EpochReport(stage, epoch, 3, 0.5, {"loss": 0.1}, {"loss": 0.1}, 1.0, **extra)


@pytest.mark.data_free
def test_a_replay_keeps_the_final_trainings_epochs_and_survives_a_round_trip(tmp_path):
    reports = [_report(1, "Pretraining layer 1", images=False), _report(1), _report(2)]
    replay = Replay.from_reports(reports)
    assert replay.epochs.tolist() == [1, 2] and replay.codes.shape == (2, 50, 2)
    np.testing.assert_array_equal(replay.reconstructions[1], reports[2].reconstructions)
    replay.save(tmp_path)
    again = Replay.load(tmp_path)
    np.testing.assert_array_equal(again.codes, replay.codes)
    assert Replay.from_reports([_report(1, images=False)]) is None
    assert Replay.load(tmp_path / "elsewhere") is None


@pytest.mark.data_free
def test_a_replay_file_that_does_not_fit_is_refused(tmp_path):
    replay = Replay.from_reports([_report(1), _report(2)])
    np.savez(tmp_path / FILE_NAME, **{**replay.__dict__, "codes": replay.codes[:1]})
    with pytest.raises(RunFolderError, match="is not a replay"):
        Replay.load(tmp_path)
    (tmp_path / FILE_NAME).write_bytes(b"not a zip")
    with pytest.raises(RunFolderError, match="cannot be read"):
        Replay.load(tmp_path)


def test_a_saved_run_keeps_its_replay_and_a_damaged_one_only_loses_the_replay(trained, tmp_path):
    from ae_core.runs import load_run, save_run

    result = trained("deep")
    replay = Replay.from_reports([_report(1), _report(2)])
    folder = save_run(tmp_path / "run", result, {"test_mse": 0.05}, replay)
    np.testing.assert_array_equal(load_run(folder).replay.codes, replay.codes)
    (folder / FILE_NAME).write_bytes(b"damaged")
    run = load_run(folder)
    assert run.replay is None and run.autoencoder is not None


def test_the_latent_page_replays_every_epoch_of_a_run(runs):
    from tests.page_support import train_from_page

    at = train_from_page(new_app().run(), architecture="deep", epochs=3, latent_dim=2)
    at.switch_page("pages/latent_space.py").run()
    assert_clean(at)
    model = at.session_state[SESSION_KEY].current_model
    assert model.replay.epochs.tolist() == [1, 2, 3]
    step = f"latent.replay.{model.id}"
    slider = at.slider(key=step)
    assert (slider.min, slider.max, slider.value) == (1, 3, 3)
    slider.set_value(1).run()
    assert_clean(at)
    scatter = charts(at)[f"{step}.scatter"]
    assert scatter["layout"]["title"]["text"] == "Codes after epoch 1"
    shown = np.concatenate([values(t["x"]) for t in scatter["data"]])
    assert np.allclose(np.sort(shown), np.sort(model.replay.codes[0][:, 0]), atol=1e-5)
    at.button(key=f"{step}.play").click().run()  # plays every epoch, then shows the slider's
    assert_clean(at)
    assert charts(at)[f"{step}.scatter"]["layout"]["title"]["text"] == "Codes after epoch 1"
    # Saved with the run, the replay comes back in a new session.
    at.switch_page("pages/train.py").run()
    at.button(key="train.save").click().run()
    assert_clean(at)
    fresh = new_app().run()
    fresh.switch_page("pages/latent_space.py").run()
    assert_clean(fresh)
    assert fresh.session_state[SESSION_KEY].current_model.replay.epochs.tolist() == [1, 2, 3]
