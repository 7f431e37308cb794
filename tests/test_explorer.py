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


def test_robustness_scores_every_level_with_the_same_noise_for_every_model(trained, small_mnist):
    result, other = trained("deep"), trained("dense")
    mine = ModelExplorer("a", result.config, result.autoencoder, small_mnist)
    theirs = ModelExplorer("b", other.config, other.autoencoder, small_mnist)
    levels = (0.0, 0.3, 0.6)
    a = mine.robustness("gaussian", levels, 50)
    b = theirs.robustness("gaussian", levels, 50)
    np.testing.assert_array_equal(a.noisy_mse, b.noisy_mse)  # the same noisy images
    assert a.noisy_mse[0] == 0 and np.all(np.diff(a.noisy_mse) > 0)
    assert np.isnan(a.noisy_psnr[0]) and np.isfinite(a.noisy_psnr[1:]).all()
    assert np.isfinite(a.model_psnr).all()
    # At heavy noise the model's output is much closer to the clean digits than its input.
    assert a.model_mse[-1] < a.noisy_mse[-1]
    assert mine.robustness("gaussian", levels, 50) is a  # computed once


def test_a_vae_shows_its_gaussians_their_kl_and_samples_from_them(trained, small_mnist):
    result = trained("vae")
    vae = ModelExplorer("vae", result.config, result.autoencoder, small_mnist)
    means, log_vars = vae.posterior
    np.testing.assert_allclose(means, vae.test_codes, atol=1e-5)  # encode() is the mean
    kl = vae.kl_per_dimension
    assert kl.shape == (8,) and np.all(kl >= 0)
    expected = -0.5 * (1 + log_vars - means**2 - np.exp(log_vars))
    np.testing.assert_allclose(kl, expected.mean(axis=0), rtol=1e-5)
    samples = vae.sampled_codes(seed=1)
    spread = np.std((samples - means) / np.exp(0.5 * log_vars))
    assert 0.9 < spread < 1.1  # one standard-normal draw per image and dimension
    np.testing.assert_array_equal(samples, vae.sampled_codes(seed=1))
    plain = ModelExplorer("deep", trained("deep").config, trained("deep").autoencoder, small_mnist)
    assert plain.posterior is None and plain.kl_per_dimension is None


def test_dead_code_units_are_found(small_mnist):
    from ae_core.run_config import RunConfig
    from ae_core.training import build_autoencoder

    config = RunConfig.create("sparse", latent_dim=6, hidden_widths=())
    ae = build_autoencoder(config)
    code = ae.encoder.get_layer("code")
    kernel, bias = code.get_weights()
    kernel[:, [1, 4]], bias[[1, 4]] = 0.0, -1.0  # ReLU(-1) = 0 for every image
    code.set_weights([kernel, bias])
    explorer = ModelExplorer("sparse", config, ae, small_mnist)
    assert explorer.dead_units.tolist() == [1, 4]
