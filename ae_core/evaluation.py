"""The standard evaluation of a trained model on the full test set, beside PCA."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ae_core.architectures import Autoencoder
from ae_core.data import Dataset
from ae_core.metrics import per_image_bce, per_image_mse, psnr, ssim
from ae_core.noise import add_noise
from ae_core.pca import fit_pca
from ae_core.run_config import RunConfig
from ae_core.training import training_set

# Noise for the denoising scores is drawn from a fixed stream, so every model of the same
# kind is scored on exactly the same corrupted images.
DENOISING_EVAL_SEED = 2008


@dataclass(frozen=True)
class Evaluation:
    test_mse: float
    test_bce: float
    pca_mse: float
    pca_explained_variance: float
    per_image_mse: np.ndarray = field(repr=False)
    denoising: dict[str, float | str] | None = None

    def to_dict(self) -> dict[str, float | str | dict | None]:
        summary: dict = {
            "test_mse": self.test_mse,
            "test_bce": self.test_bce,
            "pca_mse": self.pca_mse,
            "pca_explained_variance": self.pca_explained_variance,
        }
        if self.denoising is not None:
            summary["denoising"] = self.denoising
        return summary


def evaluate(ae: Autoencoder, config: RunConfig, dataset: Dataset) -> Evaluation:
    """Test MSE/BCE on all test images, and PCA with as many components as the code has.

    PCA is fitted on the same training images as the model, and scored on its projections
    clipped to [0, 1], the images the pages show. A denoising model is also scored
    on test images corrupted with its training noise (PSNR and SSIM, before and after).
    """
    x_test = dataset.x_test
    reconstructions = ae.reconstruct(x_test)
    mse = per_image_mse(x_test, reconstructions)
    pca = fit_pca(training_set(dataset, config)[0])
    k = ae.latent_dim
    # Scored as shown: PCA's projections clipped to the pixels' range [0, 1].
    pca_mse = float(per_image_mse(x_test, pca.reconstruct_clipped(x_test, k)).mean())
    denoising: dict[str, float | str] | None = None
    if ae.training_noise is not None:
        kind, level = ae.training_noise
        noisy = add_noise(x_test, kind, level, np.random.default_rng(DENOISING_EVAL_SEED))
        denoised = ae.reconstruct(noisy)
        denoising = {
            "noise_type": kind,
            "noise_level": level,
            "noisy_mse": float(per_image_mse(x_test, noisy).mean()),
            "denoised_mse": float(per_image_mse(x_test, denoised).mean()),
            "noisy_psnr": float(psnr(x_test, noisy).mean()),
            "denoised_psnr": float(psnr(x_test, denoised).mean()),
            "noisy_ssim": float(ssim(x_test, noisy).mean()),
            "denoised_ssim": float(ssim(x_test, denoised).mean()),
        }
    return Evaluation(
        test_mse=float(mse.mean()),
        test_bce=float(per_image_bce(x_test, reconstructions).mean()),
        pca_mse=pca_mse,
        pca_explained_variance=pca.explained_variance(k),
        per_image_mse=mse,
        denoising=denoising,
    )
