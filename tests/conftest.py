"""Shared fixtures: real MNIST (from AE_DATA_DIR or Keras' cache) and small slices of it.

The data must be present: a missing dataset fails the run with the loader's own message
instead of skipping tests, so CI cannot go green without having tested anything.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

from ae_core.data import Dataset, load_dataset

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "test-artifacts"

# The app's server trains the Home presets ahead once it has warmed up. Here that would be
# runs nobody asked for, racing the tests' own (a test pressing a preset would find it
# trained already); tests/test_service.py turns it on where it is the subject.
os.environ["AE_PREPARE_PRESETS"] = "0"

# Every architecture the product promises, in the order the UI and the CLI list them.
PRODUCT_ARCHITECTURES = [
    "dense",
    "deep",
    "conv",
    "sparse",
    "denoising",
    "contractive",
    "vae",
    "stacked",
]

# Small but real: enough images for every class and for a model to learn something in a few
# seconds of CPU time.
SMALL_TRAIN = 4_000
SMALL_TEST = 500


@pytest.fixture(scope="session")
def mnist() -> Dataset:
    return load_dataset("mnist")


@pytest.fixture(scope="session")
def small_mnist(mnist: Dataset) -> Dataset:
    return Dataset(
        info=mnist.info,
        x_train=mnist.x_train[:SMALL_TRAIN],
        y_train=mnist.y_train[:SMALL_TRAIN],
        x_test=mnist.x_test[:SMALL_TEST],
        y_test=mnist.y_test[:SMALL_TEST],
        source=mnist.source,
    )


def small_run(architecture: str, **settings):
    """A quick RunConfig: 3 epochs at a brisk learning rate, validation on 200 test images.

    Measured on the 4,000-image slice: every architecture's test MSE ends at 0.42-0.67 of
    the mean-image baseline (3e-3 gets the shallow model off the BCE plateau it starts on).
    """
    from ae_core.run_config import RunConfig

    defaults = {"epochs": 3, "validation_size": 200, "batch_size": 32, "learning_rate": 3e-3}
    return RunConfig.create(architecture, **{**defaults, **settings})


# Settings that let each architecture learn within 3 quick epochs; all else default.
QUICK_SETTINGS = {
    "dense": {"code_activation": "linear"},
    "stacked": {"pretrain_epochs": 1},
}


@pytest.fixture(scope="session")
def trained(small_mnist):
    """Train each architecture once per test session (code size 8) and share the results."""
    from ae_core.training import train

    cache = {}

    def get(architecture: str):
        if architecture not in cache:
            config = small_run(architecture, latent_dim=8, **QUICK_SETTINGS.get(architecture, {}))
            cache[architecture] = train(config, small_mnist)
        return cache[architecture]

    return get


@pytest.fixture
def runs(tmp_path, monkeypatch):
    """An empty runs folder of this test's own, named by AE_RUNS_DIR."""
    folder = tmp_path / "runs"
    monkeypatch.setenv("AE_RUNS_DIR", str(folder))
    return folder


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


def mean_image_mse(train_images: np.ndarray, test_images: np.ndarray) -> float:
    """The trivial baseline: predict the mean training image for every test image."""
    return float(np.mean((test_images - train_images.mean(axis=0)) ** 2))


DATA_FIXTURES = {"mnist", "small_mnist", "trained"}


def pytest_collection_modifyitems(items):
    for item in items:
        if item.get_closest_marker("data_free") and DATA_FIXTURES & set(item.fixturenames):
            raise pytest.UsageError(f"{item.nodeid} is marked data_free but uses a dataset.")


@pytest.fixture(autouse=True)
def _data_free_means_no_data(request, monkeypatch):
    """A `data_free` test that loads a dataset fails, even where a page would swallow it."""
    if request.node.get_closest_marker("data_free") is None:
        yield
        return
    import threading

    import ae_core.data

    loads: list[str] = []
    load = ae_core.data._load_cached

    def refuse(name: str, folder: str):
        # A server warm-up started by an earlier test may still be loading: not this test's.
        if threading.current_thread().name == "ae-warm-up":
            return load(name, folder)
        loads.append(name)
        raise ae_core.data.DatasetError(f"{request.node.nodeid} is data_free but loads {name}")

    monkeypatch.setattr(ae_core.data, "_load_cached", refuse)
    # The server's background warm-up loads MNIST on purpose; a data-free test goes without.
    monkeypatch.setenv("AE_WARM_UP", "0")
    yield
    assert not loads, f"marked data_free, but loaded {loads}"


def pytest_report_header(config):
    return f"AE_DATA_DIR={os.environ.get('AE_DATA_DIR', '(not set: Keras cache)')}"
