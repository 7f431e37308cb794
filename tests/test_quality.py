"""Slow, realistic checks on all 60,000 training images (minutes; run in CI too).

The claims README's quality table makes: after 5 epochs every non-variational architecture
with a 32-unit code reconstructs the 10,000 test images better than PCA with 32 components
fitted on the same images (scored, like the models, on images clipped to
the 0..1 range a picture can show), and a deep autoencoder with a 2-D code beats PCA-2.
`bench/quality.py` prints the full table.
"""

import pytest

from ae_core.architectures import all_architectures
from ae_core.evaluation import evaluate
from ae_core.run_config import RunConfig
from ae_core.training import train

pytestmark = pytest.mark.slow

NON_VARIATIONAL = [a.name for a in all_architectures() if a.name != "vae"]


def _train_and_evaluate(mnist, name, latent_dim):
    config = RunConfig.create(name, latent_dim=latent_dim, epochs=5)
    result = train(config, mnist)
    assert result.status == "completed", result.message
    return evaluate(result.autoencoder, config, mnist)


@pytest.mark.parametrize("name", NON_VARIATIONAL)
def test_code_size_32_beats_pca_32_after_five_epochs(mnist, name):
    evaluation = _train_and_evaluate(mnist, name, 32)
    assert evaluation.pca_mse == pytest.approx(0.0152, abs=3e-4)
    assert evaluation.test_mse < evaluation.pca_mse, f"{name}: {evaluation.test_mse:.4f}"


def test_deep_with_a_2d_code_beats_pca_2(mnist):
    evaluation = _train_and_evaluate(mnist, "deep", 2)
    assert evaluation.pca_mse == pytest.approx(0.0555, abs=3e-4)
    assert evaluation.test_mse < evaluation.pca_mse
