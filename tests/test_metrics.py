import numpy as np
import pytest

from ae_core.metrics import per_image_bce, per_image_mse, percentile_of, psnr, ssim


@pytest.mark.data_free
def test_per_image_mse_and_bce_match_their_definitions():
    target = np.zeros((2, 28, 28), np.float32)
    target[1] = 1.0
    output = np.full((2, 28, 28), 0.25, np.float32)
    assert per_image_mse(target, output) == pytest.approx([0.0625, 0.5625])
    assert per_image_bce(target, output) == pytest.approx([-np.log(0.75), -np.log(0.25)], rel=1e-5)


@pytest.mark.data_free
def test_bce_stays_finite_for_outputs_outside_zero_one():
    target = np.ones((1, 28, 28), np.float32)
    assert np.isfinite(per_image_bce(target, np.full_like(target, -3.0))).all()


def test_psnr_is_ten_log_of_inverse_mse_and_ssim_is_one_for_identical_images(small_mnist):
    clean = small_mnist.x_test[:8]
    rng = np.random.default_rng(0)

    def noisy(sigma):
        return np.clip(clean + rng.normal(0, sigma, clean.shape), 0, 1).astype(np.float32)

    mild, strong = noisy(0.1), noisy(0.4)
    expected = 10 * np.log10(1.0 / per_image_mse(clean, mild))
    assert psnr(clean, mild) == pytest.approx(expected, rel=1e-4)
    assert ssim(clean, clean) == pytest.approx(np.ones(8), abs=1e-5)
    assert (ssim(clean, strong) < ssim(clean, mild)).all()
    assert (ssim(clean, mild) < 0.99).all()


@pytest.mark.data_free
def test_percentile_counts_how_many_are_better():
    population = np.arange(100, dtype=float)
    assert percentile_of(-1, population) == 0.0
    assert percentile_of(49.5, population) == 50.0
    assert percentile_of(1000, population) == 100.0


@pytest.mark.data_free
def test_knn_votes_with_the_nearest_neighbours():
    from ae_core.metrics import knn_accuracy, knn_predict

    train = np.array([[0.0], [0.1], [0.2], [10.0], [10.1], [10.2]])
    labels = np.array([0, 0, 0, 1, 1, 1])
    assert knn_predict(train, labels, np.array([[0.05], [9.0], [100.0]]), k=3).tolist() == [0, 1, 1]
    # A 2-2 tie is decided by the nearest voter.
    tie = knn_predict(np.array([[0.0], [1.0], [3.0], [4.0]]), np.array([0, 0, 1, 1]), [[2.4]], k=4)
    assert tie.tolist() == [1]
    assert knn_accuracy(train, labels, np.array([[0.0], [10.0]]), np.array([0, 0]), k=3) == 0.5


def test_knn_on_mnist_pixels_is_the_classic_strong_baseline(mnist):
    from ae_core.metrics import knn_accuracy

    accuracy = knn_accuracy(
        mnist.x_train[:10_000], mnist.y_train[:10_000], mnist.x_test[:500], mnist.y_test[:500]
    )
    assert accuracy > 0.9
