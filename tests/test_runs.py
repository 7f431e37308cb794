import json
import shutil
import zipfile

import keras
import numpy as np
import pytest

from ae_core.architectures import all_architectures
from ae_core.errors import RunFolderError
from ae_core.runs import list_runs, load_run, new_run_folder, save_run

ALL = [a.name for a in all_architectures()]


@pytest.fixture(scope="module")
def saved(trained, tmp_path_factory):
    """One saved run per architecture, shared by the tests of this module."""
    root = tmp_path_factory.mktemp("runs")
    folders = {}

    def get(name):
        if name not in folders:
            result = trained(name)
            folders[name] = save_run(
                new_run_folder(root, result.config), result, {"test_mse": 0.01}
            )
        return folders[name]

    return get


@pytest.mark.parametrize("name", ALL)
def test_every_architecture_saves_and_loads_to_the_same_model(name, trained, saved, small_mnist):
    result = trained(name)
    run = load_run(saved(name))
    assert run.config == result.config
    assert [r.to_dict() for r in run.history] == [r.to_dict() for r in result.history]
    assert run.metrics == {"test_mse": 0.01}
    assert run.info["status"] == "completed"
    images = small_mnist.x_test[:16]
    np.testing.assert_allclose(
        run.autoencoder.reconstruct(images), result.autoencoder.reconstruct(images), atol=1e-6
    )
    np.testing.assert_allclose(
        run.autoencoder.encode(images), result.autoencoder.encode(images), atol=1e-5
    )


def test_a_run_folder_holds_readable_files_and_plain_keras_models(saved):
    folder = saved("conv")
    assert sorted(p.name for p in folder.iterdir()) == [
        "decoder.keras",
        "encoder.keras",
        "history.json",
        "metrics.json",
        "run.json",
    ]
    info = json.loads((folder / "run.json").read_text())
    assert info["config"]["architecture"] == "conv"
    # Anyone can open the parts with plain Keras in safe mode, without this project.
    encoder = keras.saving.load_model(folder / "encoder.keras", safe_mode=True)
    assert encoder.output.shape[-1] == 8


def test_runs_are_listed_newest_first_and_non_runs_are_skipped(saved, tmp_path):
    for name in ("dense", "deep"):
        shutil.copytree(saved(name), tmp_path / saved(name).name)
    (tmp_path / "notes").mkdir()
    (tmp_path / "broken").mkdir()
    (tmp_path / "broken" / "run.json").write_text("{")
    runs = list_runs(tmp_path)
    assert sorted(r.architecture for r in runs) == ["deep", "dense"]
    assert runs[0].created >= runs[1].created
    assert list_runs(tmp_path / "nowhere") == []


def test_saving_never_overwrites_and_new_names_are_unique(saved, trained):
    with pytest.raises(RunFolderError, match="already exists"):
        save_run(saved("dense"), trained("dense"), {})
    config = trained("dense").config
    assert new_run_folder(saved("dense").parent, config) != new_run_folder(
        saved("dense").parent, config
    )


def test_non_finite_numbers_are_saved_as_null(trained, tmp_path):
    folder = save_run(tmp_path / "run", trained("dense"), {"test_mse": float("nan")})
    assert json.loads((folder / "metrics.json").read_text()) == {"test_mse": None}


def _copy(saved, name, tmp_path):
    return shutil.copytree(saved(name), tmp_path / "copy")


@pytest.mark.data_free
def test_refuses_what_is_not_a_run_folder(tmp_path):
    with pytest.raises(RunFolderError, match="is not a folder"):
        load_run(tmp_path / "missing")
    with pytest.raises(RunFolderError, match=r"run.json is missing"):
        load_run(tmp_path)


def test_refuses_invalid_json_and_foreign_descriptions(saved, tmp_path):
    folder = _copy(saved, "dense", tmp_path)
    (folder / "run.json").write_text("{not json")
    with pytest.raises(RunFolderError, match="is not valid JSON"):
        load_run(folder)
    (folder / "run.json").write_text(json.dumps({"format": "something-else"}))
    with pytest.raises(RunFolderError, match="not an Autoencoder Lab run description"):
        load_run(folder)


def test_refuses_an_invalid_configuration_with_the_reason(saved, tmp_path):
    folder = _copy(saved, "dense", tmp_path)
    info = json.loads((folder / "run.json").read_text())
    info["config"]["model"]["latent_dim"] = -3
    (folder / "run.json").write_text(json.dumps(info))
    with pytest.raises(RunFolderError, match="invalid configuration: Code size"):
        load_run(folder)


def test_refuses_missing_or_damaged_model_files(saved, tmp_path):
    folder = _copy(saved, "dense", tmp_path)
    (folder / "decoder.keras").unlink()
    with pytest.raises(RunFolderError, match=r"decoder\.keras is missing"):
        load_run(folder)
    (folder / "decoder.keras").write_bytes(b"\x00" * 100)
    with pytest.raises(RunFolderError, match="is not a Keras model file"):
        load_run(folder)


@pytest.mark.filterwarnings("ignore:Skipping nested container:UserWarning")
def test_refuses_weights_that_do_not_fit_the_described_network(saved, tmp_path):
    folder = _copy(saved, "dense", tmp_path)
    shutil.copy(saved("deep") / "encoder.keras", folder / "encoder.keras")
    with pytest.raises(RunFolderError, match="do not fit the dense network"):
        load_run(folder)


def test_refuses_a_model_file_that_would_need_unsafe_deserialisation(saved, tmp_path):
    folder = _copy(saved, "dense", tmp_path)
    image = keras.Input((28, 28))
    flat = keras.layers.Flatten()(image)
    code = keras.layers.Lambda(lambda t: t[:, :8] * 2.0)(flat)
    keras.Model(image, code).save(folder / "encoder.keras")
    with pytest.raises(RunFolderError, match=r"Lambda.*unsafe deserialisation"):
        load_run(folder)


def test_refuses_a_custom_class_in_a_model_file(saved, tmp_path):
    folder = _copy(saved, "dense", tmp_path)
    path = folder / "encoder.keras"
    with zipfile.ZipFile(path) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    config = json.loads(parts["config.json"])
    config["config"]["layers"][1]["module"] = "evil.layers"
    parts["config.json"] = json.dumps(config).encode()
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    with pytest.raises(RunFolderError, match=r"evil\.layers.*unsafe deserialisation"):
        load_run(folder)


def _copy_with_run_json(saved, root, name, write):
    """A copy of a good saved run whose run.json is replaced by `write(path)`."""
    folder = shutil.copytree(saved("dense"), root / name)
    (folder / "run.json").unlink()
    write(folder / "run.json")
    return folder


BAD_RUN_JSON = {
    "deeply nested": lambda p: p.write_text("[" * 100_000 + "]" * 100_000),
    "unreadable": lambda p: p.symlink_to("/proc/self/mem"),  # is a file, reading it fails
    "not utf-8": lambda p: p.write_bytes(b"\xff\xfe{"),
    "wrong shape": lambda p: p.write_text('{"config": 3}'),
}


def test_one_unreadable_run_never_hides_the_others(saved, tmp_path):
    good = shutil.copytree(saved("deep"), tmp_path / saved("deep").name)
    for name, write in BAD_RUN_JSON.items():
        _copy_with_run_json(saved, tmp_path, name.replace(" ", "-"), write)
    assert [r.name for r in list_runs(tmp_path)] == [good.name]


@pytest.mark.parametrize("kind", list(BAD_RUN_JSON))
def test_loading_a_bad_run_gives_its_own_message_without_server_paths(saved, tmp_path, kind):
    folder = _copy_with_run_json(saved, tmp_path, "bad-run", BAD_RUN_JSON[kind])
    with pytest.raises(RunFolderError) as caught:
        load_run(folder)
    message = str(caught.value)
    assert "bad-run" in message
    assert str(tmp_path) not in message and "/proc" not in message


def test_no_message_of_a_failed_load_shows_a_server_path(saved, tmp_path):
    broken = {
        "missing": lambda f: (f / "decoder.keras").unlink(),
        "not a zip": lambda f: (f / "encoder.keras").write_text("weights"),
        "foreign weights": lambda f: shutil.copy(saved("deep") / "encoder.keras", f),
        "bad history": lambda f: (f / "history.json").write_text('[{"x": 1}]'),
    }
    for name, damage in broken.items():
        folder = shutil.copytree(saved("dense"), tmp_path / name.replace(" ", "-"))
        damage(folder)
        with pytest.raises(RunFolderError) as caught:
            load_run(folder)
        assert str(tmp_path) not in str(caught.value), name
        assert folder.name in str(caught.value), name


def test_runs_are_ordered_by_their_folders_time_not_by_what_run_json_claims(saved, tmp_path):
    import os

    older = shutil.copytree(saved("dense"), tmp_path / "older")
    newer = shutil.copytree(saved("deep"), tmp_path / "newer")
    info = json.loads((older / "run.json").read_text())
    info["created"] = "9999-12-31T23:59:59+0000"
    (older / "run.json").write_text(json.dumps(info))
    os.utime(older, (1_000_000, 1_000_000))
    os.utime(newer, (2_000_000, 2_000_000))
    assert [r.name for r in list_runs(tmp_path)] == ["newer", "older"]
