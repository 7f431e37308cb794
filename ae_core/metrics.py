"""How well a model reconstructs: per-pixel MSE and BCE, per-image errors, PSNR and SSIM."""

from __future__ import annotations

import numpy as np

from ae_core.constants import EPSILON, IMAGE_SHAPE


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
    return images.reshape(len(images), *IMAGE_SHAPE, 1)


def knn_predict(
    train_points: np.ndarray,
    train_labels: np.ndarray,
    queries: np.ndarray,
    k: int = 5,
    chunk: int = 1_024,
) -> np.ndarray:
    """Labels of `queries` by a majority vote of their k nearest training points (Euclidean).

    Ties go to the label whose voters are nearest. Distances are computed in chunks as
    |q|^2 - 2 q.t + |t|^2, so 10k queries against 60k MNIST images fit in memory.
    """
    train = np.asarray(train_points, np.float32).reshape(len(train_points), -1)
    labels = np.asarray(train_labels, np.int64)
    n_classes = int(labels.max()) + 1
    train_norms = np.einsum("ij,ij->i", train, train)
    # Nearer neighbours add slightly more, which only ever decides ties between equal counts.
    rank_bonus = 1.0 + 1e-3 * np.arange(k, 0, -1)
    predictions = []
    for start in range(0, len(queries), chunk):
        q = np.asarray(queries[start : start + chunk], np.float32).reshape(-1, train.shape[1])
        distances = train_norms[None, :] - 2.0 * (q @ train.T)
        nearest = np.argpartition(distances, k - 1, axis=1)[:, :k]
        order = np.argsort(np.take_along_axis(distances, nearest, axis=1), axis=1)
        nearest = np.take_along_axis(nearest, order, axis=1)
        scores = np.zeros((len(q), n_classes))
        np.add.at(scores, (np.arange(len(q))[:, None], labels[nearest]), rank_bonus)
        predictions.append(scores.argmax(axis=1))
    return np.concatenate(predictions)


def knn_accuracy(
    train_points: np.ndarray,
    train_labels: np.ndarray,
    test_points: np.ndarray,
    test_labels: np.ndarray,
    k: int = 5,
) -> float:
    """Fraction of test points whose k-NN label (see `knn_predict`) is right."""
    predicted = knn_predict(train_points, train_labels, test_points, k)
    return float(np.mean(predicted == np.asarray(test_labels)))
