import numpy as np
import pytest

from ae_core.errors import ConfigError
from ae_core.noise import add_noise


@pytest.fixture
def images(small_mnist):
    return np.array(small_mnist.x_test[:200])


@pytest.mark.parametrize("kind", ["gaussian", "salt_and_pepper", "masking"])
def test_noise_stays_in_range_is_repeatable_and_leaves_input_alone(images, kind):
    before = images.copy()
    a = add_noise(images, kind, 0.3, np.random.default_rng(1))
    b = add_noise(images, kind, 0.3, np.random.default_rng(1))
    c = add_noise(images, kind, 0.3, np.random.default_rng(2))
    assert a.dtype == np.float32 and a.shape == images.shape
    assert a.min() >= 0.0 and a.max() <= 1.0
    assert np.array_equal(a, b) and not np.array_equal(a, c)
    assert np.array_equal(images, before)


@pytest.mark.data_free
def test_gaussian_noise_has_the_requested_sigma_before_clipping():
    grey = np.full((100, 28, 28), 0.5, np.float32)
    noisy = add_noise(grey, "gaussian", 0.1, np.random.default_rng(0))
    assert np.std(noisy - grey) == pytest.approx(0.1, rel=0.02)


@pytest.mark.data_free
def test_salt_and_pepper_hits_the_requested_fraction_with_both_colours():
    grey = np.full((100, 28, 28), 0.5, np.float32)
    noisy = add_noise(grey, "salt_and_pepper", 0.2, np.random.default_rng(0))
    hit = noisy != 0.5
    assert hit.mean() == pytest.approx(0.2, abs=0.01)
    assert (noisy[hit] == 1.0).mean() == pytest.approx(0.5, abs=0.02)


def test_masking_zeroes_the_requested_fraction_and_nothing_else(images):
    noisy = add_noise(images, "masking", 0.4, np.random.default_rng(0))
    changed = noisy != images
    assert np.all(noisy[changed] == 0.0)
    ink = images > 0
    assert (noisy[ink] == 0).mean() == pytest.approx(0.4, abs=0.02)


def test_bad_noise_settings_are_refused(images):
    with pytest.raises(ConfigError, match="Unknown noise type 'speckle'"):
        add_noise(images, "speckle", 0.1, np.random.default_rng(0))
    with pytest.raises(ConfigError, match="between 0 and 1"):
        add_noise(images, "masking", 1.5, np.random.default_rng(0))
