"""PCA, the linear baseline an autoencoder with a code of size k should beat.

Fitted once per training set (all 784 components, sorted by variance) and cached by a
fingerprint of the images, so any code size k is then a cheap slice.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from dataclasses import dataclass

import numpy as np

from ae_core.constants import IMAGE_SHAPE, PIXELS


@dataclass(frozen=True)
class PCA:
    mean: np.ndarray  # (784,)
    components: np.ndarray  # (784, 784), one component per row, largest variance first
    variances: np.ndarray  # (784,), variance along each component

    def encode(self, images: np.ndarray, k: int) -> np.ndarray:
        flat = np.asarray(images, dtype=np.float32).reshape(len(images), PIXELS)
        return (flat - self.mean) @ self.components[:k].T

    def decode(self, codes: np.ndarray) -> np.ndarray:
        k = codes.shape[1]
        flat = codes @ self.components[:k] + self.mean
        return flat.reshape(len(codes), *IMAGE_SHAPE).astype(np.float32)

    def reconstruct(self, images: np.ndarray, k: int) -> np.ndarray:
        """Projection onto the first k components (not clipped to [0, 1])."""
        return self.decode(self.encode(images, k))

    def reconstruct_clipped(self, images: np.ndarray, k: int) -> np.ndarray:
        """The projection clipped to [0, 1]: an image, as shown and as scored beside models."""
        return np.clip(self.reconstruct(images, k), 0.0, 1.0)

    def explained_variance(self, k: int) -> float:
        """Fraction of the training variance the first k components keep."""
        return float(self.variances[:k].sum() / self.variances.sum())


_cache: OrderedDict[str, PCA] = OrderedDict()
_cache_lock = threading.Lock()
_CACHE_SIZE = 4


def fit_pca(images: np.ndarray) -> PCA:
    """PCA of `images` (N, 28, 28), cached by content (the same images are fitted once)."""
    images = np.ascontiguousarray(images, dtype=np.float32)
    key = _fingerprint(images)
    with _cache_lock:
        if key in _cache:
            _cache.move_to_end(key)
            return _cache[key]
    pca = _fit(images)
    with _cache_lock:
        _cache[key] = pca
        while len(_cache) > _CACHE_SIZE:
            _cache.popitem(last=False)
    return pca


def _fit(images: np.ndarray) -> PCA:
    flat = images.reshape(len(images), PIXELS)
    mean = flat.mean(axis=0, dtype=np.float64)
    scatter = np.zeros((PIXELS, PIXELS))
    # Chunks keep the centred copy small; float32 products summed in float64 stay accurate.
    for start in range(0, len(flat), 8_192):
        chunk = flat[start : start + 8_192] - mean.astype(np.float32)
        scatter += (chunk.T @ chunk).astype(np.float64)
    variances, vectors = np.linalg.eigh(scatter / max(1, len(flat) - 1))
    order = np.argsort(variances)[::-1]
    return PCA(
        mean=mean.astype(np.float32),
        components=np.ascontiguousarray(vectors[:, order].T, dtype=np.float32),
        variances=np.clip(variances[order], 0.0, None),
    )


def _fingerprint(images: np.ndarray) -> str:
    buffer = memoryview(images).cast("B")  # type: ignore[arg-type]  # numpy arrays are buffers
    digest = hashlib.blake2b(buffer, digest_size=16)
    digest.update(str(images.shape).encode())
    return digest.hexdigest()
