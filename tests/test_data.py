import numpy as np
import pytest

from ae_core import data as data_module
from ae_core.data import load_dataset, one_per_class, subset
from ae_core.errors import DatasetError


@pytest.fixture(autouse=True)
def _fresh_cache():
    data_module._load_uncached.cache_clear()
    yield
    data_module._load_uncached.cache_clear()


def test_mnist_is_float_images_in_unit_range_with_uint8_labels(mnist):
    assert mnist.x_train.shape == (60_000, 28, 28) and mnist.x_test.shape == (10_000, 28, 28)
    assert mnist.x_train.dtype == np.float32
    assert mnist.x_train.min() == 0.0 and mnist.x_train.max() == 1.0
    assert mnist.y_train.dtype == np.uint8 and set(np.unique(mnist.y_test)) == set(range(10))
    assert mnist.class_names == tuple("0123456789")
    # The real MNIST, not a stand-in: pixel mean 33.3184 / 255 and the known class counts.
    assert mnist.x_train.mean() == pytest.approx(33.3184 / 255, abs=1e-4)
    assert np.bincount(mnist.y_test).tolist()[:3] == [980, 1135, 1032]


def test_fashion_mnist_has_clothing_class_names():
    fashion = load_dataset("fashion_mnist")
    assert fashion.class_names[0] == "T-shirt/top" and fashion.class_names[9] == "Ankle boot"
    assert np.bincount(fashion.y_train).tolist() == [6000] * 10


def test_loaded_arrays_are_read_only_so_sessions_cannot_change_them(mnist):
    with pytest.raises(ValueError):
        mnist.x_train[0, 0, 0] = 1.0


def test_data_dir_takes_precedence(tmp_path, monkeypatch, mnist):
    raw = (np.asarray(mnist.x_train) * 255).round().astype(np.uint8)
    np.savez(
        tmp_path / "mnist.npz",
        x_train=255 - raw,  # recognisably different from the real file
        y_train=np.asarray(mnist.y_train),
        x_test=(np.asarray(mnist.x_test) * 255).round().astype(np.uint8),
        y_test=np.asarray(mnist.y_test),
    )
    monkeypatch.setenv("AE_DATA_DIR", str(tmp_path))
    local = load_dataset("mnist")
    assert local.source == str(tmp_path / "mnist.npz")
    assert local.x_train[0].mean() == pytest.approx(1.0 - mnist.x_train[0].mean(), abs=1e-3)


def _keras_download_fails(monkeypatch):
    import keras

    def offline():
        raise OSError("no internet in this test")

    monkeypatch.setattr(keras.datasets.mnist, "load_data", offline)


def test_missing_dataset_gives_one_clear_error(tmp_path, monkeypatch):
    monkeypatch.setenv("AE_DATA_DIR", str(tmp_path))
    _keras_download_fails(monkeypatch)
    with pytest.raises(DatasetError) as error:
        load_dataset("mnist")
    message = str(error.value)
    assert str(tmp_path / "mnist.npz") in message
    assert "AE_DATA_DIR" in message and "connect to the internet" in message


def test_missing_dataset_without_data_dir_says_how_to_set_it(monkeypatch):
    monkeypatch.delenv("AE_DATA_DIR", raising=False)
    _keras_download_fails(monkeypatch)
    with pytest.raises(DatasetError, match="AE_DATA_DIR is not set"):
        load_dataset("mnist")


@pytest.mark.parametrize(
    ("write", "detail"),
    [
        (lambda p: p.write_bytes(b"this is not a zip file"), "not a usable MNIST dataset"),
        (lambda p: np.savez(p, x_train=np.zeros(3)), "missing y_train, x_test, y_test"),
        (
            lambda p: np.savez(
                p,
                x_train=np.zeros((5, 28, 28), np.uint8),
                y_train=np.zeros(5, np.uint8),
                x_test=np.zeros((5, 28, 28), np.uint8),
                y_test=np.zeros(5, np.uint8),
            ),
            "x_train has shape (5, 28, 28), expected (60000, 28, 28)",
        ),
    ],
)
def test_corrupt_dataset_file_gives_a_clear_error(tmp_path, monkeypatch, write, detail):
    path = tmp_path / "mnist.npz"
    write(path)
    monkeypatch.setenv("AE_DATA_DIR", str(tmp_path))
    with pytest.raises(DatasetError) as error:
        load_dataset("mnist")
    assert detail in str(error.value) and str(path) in str(error.value)


def test_truncated_dataset_file_gives_a_clear_error(tmp_path, monkeypatch):
    real = data_module.data_dir() / "mnist.npz"
    (tmp_path / "mnist.npz").write_bytes(real.read_bytes()[:100_000])
    monkeypatch.setenv("AE_DATA_DIR", str(tmp_path))
    with pytest.raises(DatasetError, match="not a usable MNIST dataset"):
        load_dataset("mnist")


def test_subsets_are_seeded_repeatable_and_without_repeats(mnist):
    a, la = subset(mnist.x_train, mnist.y_train, 1000, seed=3)
    b, lb = subset(mnist.x_train, mnist.y_train, 1000, seed=3)
    c, _ = subset(mnist.x_train, mnist.y_train, 1000, seed=4)
    assert a.shape == (1000, 28, 28) and np.array_equal(a, b) and np.array_equal(la, lb)
    assert not np.array_equal(a, c)
    assert len({img.tobytes() for img in a}) == 1000
    everything, _ = subset(mnist.x_train, mnist.y_train, None, seed=3)
    assert everything is mnist.x_train


@pytest.mark.data_free
def test_one_per_class_picks_the_first_of_each_label():
    labels = np.array([3, 1, 0, 1, 2, 3, 0])
    assert one_per_class(labels, 4).tolist() == [2, 1, 4, 0]
