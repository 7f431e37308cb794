"""Anomaly detection by reconstruction error, measured against known anomalies.

A model trained on "normal" images only reconstructs them well and anything else worse, so
its per-image error is an anomaly score. These functions score that score: the ROC curve and
its AUC over every threshold, and precision, recall and F1 at one threshold. Plain numpy, no
TensorFlow: the scores come from a model elsewhere.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ae_core.errors import ConfigError
from ae_core.i18n import lazy


@dataclass(frozen=True)
class Roc:
    """The ROC curve of a score: false and true positive rates as the threshold falls."""

    false_positive_rate: np.ndarray
    true_positive_rate: np.ndarray
    thresholds: np.ndarray  # score at or above which an image is flagged, for each point
    auc: float  # area under the curve: the chance an anomaly outscores a normal image


@dataclass(frozen=True)
class Confusion:
    """What one threshold does: flagged anomalies (true positives) and the rest."""

    threshold: float
    true_positives: int  # anomalies flagged
    false_positives: int  # normal images flagged
    true_negatives: int  # normal images passed
    false_negatives: int  # anomalies missed

    @property
    def precision(self) -> float:
        flagged = self.true_positives + self.false_positives
        return self.true_positives / flagged if flagged else 0.0

    @property
    def recall(self) -> float:
        anomalies = self.true_positives + self.false_negatives
        return self.true_positives / anomalies if anomalies else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def _checked(normal: np.ndarray, anomalous: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    normal = np.asarray(normal, np.float64).ravel()
    anomalous = np.asarray(anomalous, np.float64).ravel()
    if len(normal) == 0 or len(anomalous) == 0:
        raise ConfigError(lazy("Scoring a detector needs both normal and anomalous images."))
    if not (np.isfinite(normal).all() and np.isfinite(anomalous).all()):
        raise ConfigError(lazy("Anomaly scores must be finite numbers."))
    return normal, anomalous


def roc(normal: np.ndarray, anomalous: np.ndarray) -> Roc:
    """ROC of a score where higher means more anomalous; ties are counted as half."""
    normal, anomalous = _checked(normal, anomalous)
    scores = np.concatenate([anomalous, normal])
    is_anomaly = np.concatenate([np.ones(len(anomalous)), np.zeros(len(normal))])
    order = np.argsort(-scores, kind="mergesort")
    scores, is_anomaly = scores[order], is_anomaly[order]
    # One point per distinct score: everything at or above it is flagged.
    last_of_each = np.flatnonzero(np.diff(scores, append=-np.inf) != 0)
    true_positives = np.cumsum(is_anomaly)[last_of_each]
    false_positives = (last_of_each + 1) - true_positives
    tpr = np.concatenate([[0.0], true_positives / len(anomalous)])
    fpr = np.concatenate([[0.0], false_positives / len(normal)])
    thresholds = np.concatenate([[np.inf], scores[last_of_each]])
    # The trapezoid rule over these points counts tied pairs as half, as AUC should.
    auc = float(np.sum(np.diff(fpr) * (tpr[1:] + tpr[:-1]) / 2))
    return Roc(fpr, tpr, thresholds, auc)


def confusion_at(threshold: float, normal: np.ndarray, anomalous: np.ndarray) -> Confusion:
    """Flag every image whose score is at or above `threshold`."""
    normal, anomalous = _checked(normal, anomalous)
    true_positives = int(np.sum(anomalous >= threshold))
    false_positives = int(np.sum(normal >= threshold))
    return Confusion(
        threshold=float(threshold),
        true_positives=true_positives,
        false_positives=false_positives,
        true_negatives=len(normal) - false_positives,
        false_negatives=len(anomalous) - true_positives,
    )
