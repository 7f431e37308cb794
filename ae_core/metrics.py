"""How well a model reconstructs: per-pixel MSE and BCE, per-image errors, PSNR and SSIM."""

from __future__ import annotations

import numpy as np

EPSILON = 1e-7


def per_image_mse(images: np.ndarray, reconstructions: np.ndarray) -> np.ndarray:
    """Mean squared error of each image, per pixel: shape (N,)."""
    diff = np.asarray(images, np.float32) - np.asarray(reconstructions, np.float32)
    return np.mean(np.square(diff).reshape(len(diff), -1), axis=1)


def per_image_bce(images: np.ndarray, reconstructions: np.ndarray) -> np.ndarray:
    """Binary cross-entropy of each image, per pixel: shape (N,).

    Outputs are clipped to [eps, 1 - eps] first, as Keras does, so a linear output layer that
    strays outside [0, 1] still gets a finite score.
    """
    target = np.asarray(images, np.float32).reshape(len(images), -1)
    p = np.clip(
        np.asarray(reconstructions, np.float32).reshape(len(target), -1), EPSILON, 1 - EPSILON
    )
    return -np.mean(target * np.log(p) + (1 - target) * np.log(1 - p), axis=1)


def psnr(images: np.ndarray, others: np.ndarray) -> np.ndarray:
    """Peak signal-to-noise ratio in dB of each image against its reference: shape (N,)."""
    import tensorflow as tf

    a, b = _as_batch(images), _as_batch(others)
    return tf.image.psnr(a, np.clip(b, 0.0, 1.0), max_val=1.0).numpy()


def ssim(images: np.ndarray, others: np.ndarray) -> np.ndarray:
    """Structural similarity (Wang et al., 2004) of each image with its reference: shape (N,)."""
    import tensorflow as tf

    a, b = _as_batch(images), _as_batch(others)
    return tf.image.ssim(a, np.clip(b, 0.0, 1.0), max_val=1.0).numpy()


def percentile_of(value: float, population: np.ndarray) -> float:
    """Percentage of `population` strictly below `value` (0 = best of all, 100 = worst)."""
    population = np.asarray(population)
    return float(100.0 * np.count_nonzero(population < value) / max(1, len(population)))


def _as_batch(images: np.ndarray) -> np.ndarray:
    images = np.asarray(images, np.float32)
    return images.reshape(len(images), 28, 28, 1)
