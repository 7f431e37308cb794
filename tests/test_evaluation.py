import pytest

from ae_core.evaluation import evaluate
from ae_core.metrics import per_image_mse
from ae_core.pca import fit_pca
from ae_core.training import training_set


def test_evaluation_scores_the_whole_test_set_beside_pca_of_the_same_size(trained, small_mnist):
    result = trained("deep")
    evaluation = evaluate(result.autoencoder, result.config, small_mnist)
    x = small_mnist.x_test
    assert evaluation.per_image_mse.shape == (len(x),)
    assert evaluation.test_mse == pytest.approx(evaluation.per_image_mse.mean())
    assert evaluation.test_bce > evaluation.test_mse > 0
    pca = fit_pca(training_set(small_mnist, result.config)[0])
    # PCA is scored on what the pages show: its projections clipped to the pixels' range.
    expected = per_image_mse(x, pca.reconstruct_clipped(x, 8)).mean()
    assert evaluation.pca_mse == pytest.approx(expected)
    assert evaluation.pca_mse <= per_image_mse(x, pca.reconstruct(x, 8)).mean()
    assert set(evaluation.to_dict()) == {
        "test_mse",
        "test_bce",
        "pca_mse",
        "pca_explained_variance",
    }


def test_denoising_models_are_also_scored_on_noisy_inputs(trained, small_mnist):
    result = trained("denoising")
    scores = evaluate(result.autoencoder, result.config, small_mnist).denoising
    assert scores["noise_type"] == "gaussian" and scores["noise_level"] == 0.5
    assert scores["denoised_psnr"] > scores["noisy_psnr"]
    assert scores["denoised_ssim"] > scores["noisy_ssim"]
    assert scores["denoised_mse"] < scores["noisy_mse"]


def test_the_training_set_is_the_runs_seeded_subset(small_mnist):
    from tests.conftest import small_run

    config = small_run("dense", train_size=300, seed=4)
    images, labels = training_set(small_mnist, config)
    assert images.shape == (300, 28, 28) and labels.shape == (300,)
    assert (images == training_set(small_mnist, config)[0]).all()
    assert not (images == training_set(small_mnist, config.replace(seed=5))[0]).all()
