import numpy as np
import pytest

from ae_core.metrics import per_image_mse
from ae_core.pca import fit_pca


def test_pca_of_all_training_images_matches_the_known_baselines(mnist):
    pca = fit_pca(mnist.x_train)
    x = mnist.x_test
    assert per_image_mse(x, pca.reconstruct(x, 32)).mean() == pytest.approx(0.0168, abs=5e-4)
    assert per_image_mse(x, pca.reconstruct(x, 2)).mean() == pytest.approx(0.0557, abs=5e-4)


def test_more_components_reconstruct_better_and_all_of_them_exactly(small_mnist):
    pca = fit_pca(small_mnist.x_train)
    x = small_mnist.x_test
    errors = [per_image_mse(x, pca.reconstruct(x, k)).mean() for k in (1, 2, 8, 32, 128)]
    assert errors == sorted(errors, reverse=True)
    assert np.allclose(pca.reconstruct(x, 784), x, atol=1e-4)
    assert 0 < pca.explained_variance(2) < pca.explained_variance(32) < 1
    assert pca.explained_variance(784) == pytest.approx(1.0)


def test_codes_have_k_columns_and_decode_back_to_images(small_mnist):
    pca = fit_pca(small_mnist.x_train)
    codes = pca.encode(small_mnist.x_test[:5], 3)
    assert codes.shape == (5, 3)
    assert pca.decode(codes).shape == (5, 28, 28)


def test_the_fit_is_cached_by_content(small_mnist):
    a = fit_pca(small_mnist.x_train)
    b = fit_pca(np.array(small_mnist.x_train))  # a copy with the same content
    c = fit_pca(small_mnist.x_train[:1000])
    assert a is b and c is not a
