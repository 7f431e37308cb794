"""Corruptions used to train denoising autoencoders and to test any model in the UI.

Each takes images in [0, 1], a level and a numpy `Generator` (so a run or a page stays
repeatable without touching any process-wide random state), and returns a new float32 array
clipped to [0, 1]. The input is never modified.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ae_core.config import NOISE_TYPES
from ae_core.errors import ConfigError
from ae_core.i18n import N_, lazy


def gaussian(images: np.ndarray, sigma: float, rng: np.random.Generator) -> np.ndarray:
    """Add N(0, sigma^2) to every pixel."""
    noise = rng.standard_normal(images.shape, dtype=np.float32) * np.float32(sigma)
    return np.clip(images + noise, 0.0, 1.0, dtype=np.float32)


def salt_and_pepper(images: np.ndarray, fraction: float, rng: np.random.Generator) -> np.ndarray:
    """Set a `fraction` of pixels to 0 or 1 (half each on average)."""
    noisy = np.array(images, dtype=np.float32, copy=True)
    hit = rng.random(images.shape, dtype=np.float32) < fraction
    salt = rng.random(images.shape, dtype=np.float32) < 0.5
    noisy[hit & salt] = 1.0
    noisy[hit & ~salt] = 0.0
    return noisy


def masking(images: np.ndarray, fraction: float, rng: np.random.Generator) -> np.ndarray:
    """Set a `fraction` of pixels to 0 (the corruption of Vincent et al., 2008)."""
    keep = rng.random(images.shape, dtype=np.float32) >= fraction
    return np.where(keep, images, np.float32(0.0)).astype(np.float32)


NOISE_FUNCTIONS: dict[str, Callable[[np.ndarray, float, np.random.Generator], np.ndarray]] = {
    "gaussian": gaussian,
    "salt_and_pepper": salt_and_pepper,
    "masking": masking,
}
NOISE_LABELS = {
    "gaussian": N_("Gaussian (sigma)"),
    "salt_and_pepper": N_("Salt and pepper (fraction of pixels)"),
    "masking": N_("Masking (fraction of pixels set to 0)"),
}
# The same kinds in running text ("trained on ... noise").
NOISE_NAMES = {
    "gaussian": N_("Gaussian"),
    "salt_and_pepper": N_("salt-and-pepper"),
    "masking": N_("masking"),
}
assert set(NOISE_FUNCTIONS) == set(NOISE_TYPES)


def add_noise(images: np.ndarray, kind: str, level: float, rng: np.random.Generator) -> np.ndarray:
    """Corrupt `images` with noise `kind` at `level` (sigma or fraction, between 0 and 1)."""
    if kind not in NOISE_FUNCTIONS:
        raise ConfigError(
            lazy(
                "Unknown noise type {kind!r}; choose one of {choices}.",
                kind=kind,
                choices=", ".join(NOISE_TYPES),
            )
        )
    if not 0.0 <= level <= 1.0:
        raise ConfigError(lazy("Noise level must be between 0 and 1; got {level:g}.", level=level))
    return NOISE_FUNCTIONS[kind](np.asarray(images, dtype=np.float32), level, rng)
