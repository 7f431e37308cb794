"""Runs as files: a run round-trips through a .zip; an untrusted .zip is refused cleanly."""

import io
import json
import stat
import tempfile
import zipfile

import keras
import numpy as np
import pytest

from ae_core.errors import RunFolderError
from ae_core.run_archive import MAX_MEMBER_BYTES, open_run_archive, pack_run
from ae_core.runs import save_run
from tests.page_support import SESSION_KEY, assert_clean, new_app


@pytest.fixture(scope="module")
def run_folder(trained, tmp_path_factory):
    from ae_core.replay import Replay
    from tests.test_replay import _report

    replay = Replay.from_reports([_report(1), _report(2)])
    folder = tmp_path_factory.mktemp("runs") / "deep-run"
    return save_run(folder, trained("deep"), {"test_mse": 0.05}, replay)


@pytest.fixture(autouse=True)
def own_temp(tmp_path, monkeypatch):
    """Unpacking happens here, so a test can see that nothing is left behind."""
    place = tmp_path / "tmp"
    place.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(place))
    return place


def _zip(members: dict[str, bytes], links: tuple[str, ...] = ()) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            info = zipfile.ZipInfo(name)
            if name in links:
                info.external_attr = (stat.S_IFLNK | 0o777) << 16
            archive.writestr(info, data, zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


def _run_members(folder) -> dict[str, bytes]:
    return {f"run/{p.name}": p.read_bytes() for p in folder.iterdir()}


def test_a_run_round_trips_through_a_zip(run_folder, small_mnist, own_temp):
    data = pack_run(run_folder)
    names = zipfile.ZipFile(io.BytesIO(data)).namelist()
    assert "deep-run/encoder.keras" in names and "deep-run/replay.npz" in names
    run = open_run_archive(data, "deep-run.zip")
    from ae_core.runs import load_run

    original = load_run(run_folder)
    x = small_mnist.x_test[:20]
    np.testing.assert_allclose(
        run.autoencoder.reconstruct(x), original.autoencoder.reconstruct(x), atol=1e-6
    )
    np.testing.assert_array_equal(run.replay.codes, original.replay.codes)
    assert run.name == "deep-run" and run.config == original.config
    assert not list(own_temp.iterdir())  # unpacked into memory; nothing stays on disk


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda m: {"../evil/run.json": m["run/run.json"]}, "outside its run folder"),
        (lambda m: {"/etc/run.json": m["run/run.json"]}, "outside its run folder"),
        (lambda m: {**m, "run/payload.zip": b"PK\x03\x04"}, "'payload.zip', which is not part"),
        (lambda m: {**m, "other/run.json": m["run/run.json"]}, "more than one run"),
        (lambda m: {k: v for k, v in m.items() if not k.endswith("run.json")}, "no run.json"),
    ],
)
def test_archives_that_are_not_one_plain_run_are_refused(run_folder, own_temp, change, message):
    data = _zip(change(_run_members(run_folder)))
    with pytest.raises(RunFolderError, match=message):
        open_run_archive(data, "upload.zip")
    assert not list(own_temp.iterdir())


def test_links_bombs_and_garbage_are_refused(run_folder, own_temp):
    members = _run_members(run_folder)
    with pytest.raises(RunFolderError, match="contains a link"):
        open_run_archive(_zip(members, links=("run/history.json",)), "links.zip")
    bomb = {**members, "run/history.json": b"\0" * (MAX_MEMBER_BYTES + 1)}
    with pytest.raises(RunFolderError, match="too large"):
        open_run_archive(_zip(bomb), "bomb.zip")
    with pytest.raises(RunFolderError, match="not a zip file"):
        open_run_archive(b"this is text", "notes.zip")
    assert not list(own_temp.iterdir())


def test_a_run_for_an_unknown_architecture_or_with_a_lambda_layer_is_refused(
    run_folder, tmp_path, own_temp
):
    members = _run_members(run_folder)
    info = json.loads(members["run/run.json"])
    info["config"]["architecture"] = "transformer"
    with pytest.raises(RunFolderError, match="transformer"):
        open_run_archive(_zip({**members, "run/run.json": json.dumps(info).encode()}), "x.zip")
    image = keras.Input((28, 28))
    code = keras.layers.Lambda(lambda t: t[:, :8, 0] * 2.0)(image)
    keras.Model(image, code).save(tmp_path / "evil.keras")
    evil = {**members, "run/encoder.keras": (tmp_path / "evil.keras").read_bytes()}
    with pytest.raises(RunFolderError, match="Lambda"):
        open_run_archive(_zip(evil), "evil.zip")
    assert not list(own_temp.iterdir())


def test_the_sidebar_opens_a_run_file_and_reports_a_bad_one(run_folder, runs):
    at = new_app().run()
    at.switch_page("pages/reconstructions.py").run()
    uploader = at.sidebar.file_uploader(key="runs.upload")
    uploader.set_value([("deep-run.zip", pack_run(run_folder), "application/zip")]).run()
    assert_clean(at)
    lab = at.session_state[SESSION_KEY]
    assert lab.current == "upload:deep-run" and lab.current_name == "Opened: deep-run"
    assert "Test MSE per pixel" in [m.label for m in at.metric]
    at.sidebar.file_uploader(key="runs.upload").set_value(
        [("broken.zip", b"not a zip", "application/zip")]
    ).run()
    assert_clean(at)
    assert "broken.zip could not be opened" in at.error[0].value
    assert lab.current == "upload:deep-run"  # the model shown stays
