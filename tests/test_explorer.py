import numpy as np
import pytest

from ae_core.explorer import ModelExplorer
from ae_core.presets import PRESETS


@pytest.fixture(scope="module")
def explorer(trained, small_mnist):
    result = trained("deep")
    return ModelExplorer("deep", result.config, result.autoencoder, small_mnist, result.history)


def test_results_are_computed_once_and_kept(explorer):
    assert explorer.errors is explorer.errors
    assert explorer.test_codes.shape == (len(explorer.dataset.x_test), 8)
    assert explorer.test_mse < explorer.pca_mse * 1.5


def test_choosing_digits_by_class_and_error(explorer):
    labels = explorer.dataset.y_test
    sevens = explorer.choose(5, [7], "random", seed=1)
    assert len(sevens) == 5 and (labels[sevens] == 7).all()
    worst = explorer.choose(3, None, "worst")
    assert explorer.errors[worst[0]] == explorer.errors.max()
    best = explorer.choose(3, None, "best")
    assert list(explorer.errors[best]) == sorted(explorer.errors)[:3]


def test_denoising_scores_both_noisy_and_cleaned_images(explorer):
    example = explorer.denoising("gaussian", 0.5, 50)
    assert example.clean.shape == example.noisy.shape == example.denoised.shape == (50, 28, 28)
    assert example.denoised_psnr.mean() > example.noisy_psnr.mean()
    assert explorer.denoising("gaussian", 0.5, 50) is example


def test_manifold_needs_two_dimensional_codes(explorer):
    with pytest.raises(ValueError):
        explorer.manifold(5)


def test_describe_says_what_the_model_is(explorer):
    assert explorer.describe() == "Deep dense, code size 8, 3 epochs on 4,000 images"


@pytest.mark.data_free
def test_every_preset_is_a_valid_configuration():
    keys = [p.key for p in PRESETS]
    assert len(set(keys)) == len(keys) == 4
    for preset in PRESETS:
        config = preset.config()
        assert config.architecture == preset.architecture
        assert np.isfinite(config.train.effective_learning_rate)
    assert PRESETS[0].config().model.latent_dim == 2


def test_features_show_first_layer_weights_and_code_unit_effects(explorer, trained, small_mnist):
    features = explorer.first_layer_features(limit=10)
    assert features.shape == (10, 28, 28)
    assert np.allclose(np.abs(features).max(axis=(1, 2)), 1.0)
    effects = explorer.code_unit_effects(limit=5)
    assert effects.shape == (5, 28, 28) and np.abs(effects).max() > 0.01
    conv = trained("conv")
    conv_explorer = ModelExplorer("conv", conv.config, conv.autoencoder, small_mnist)
    assert conv_explorer.first_layer_features() is None


def test_sessions_showing_one_model_share_its_results(trained, small_mnist):
    """A class exploring one preset computes the test errors once and holds them once."""
    from ae_core.explorer import ModelResults

    result = trained("deep")
    shared = ModelResults()
    mine = ModelExplorer("Run 1", result.config, result.autoencoder, small_mnist, shared=shared)
    theirs = ModelExplorer("Run 4", result.config, result.autoencoder, small_mnist, shared=shared)
    assert mine.errors is theirs.errors and mine.view is theirs.view
    assert mine.denoising("gaussian", 0.3, 20) is theirs.denoising("gaussian", 0.3, 20)
    alone = ModelExplorer("Run 1", result.config, result.autoencoder, small_mnist)
    assert alone.errors is not mine.errors
    np.testing.assert_array_equal(alone.errors, mine.errors)
    # Only the most recent few of a kind are kept.
    for level in np.linspace(0.05, 0.9, ModelResults.RECENT + 3):
        mine.denoising("masking", float(level), 10)
    kept = [k for k in shared._values if k[0] == "denoising"]
    assert len(kept) == ModelResults.RECENT
