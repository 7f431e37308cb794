"""Helpers for looking at a latent space: 2-D views, grids across it, straight paths."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ae_core.i18n import lazy


@dataclass(frozen=True)
class LatentView:
    """Codes placed in a plane, with an honest description of how they got there."""

    points: np.ndarray  # (N, 2)
    x_title: str
    y_title: str
    description: str
    is_raw: bool  # True when the plane *is* the code space (2-D codes)
    # For projected views: the mean and the two directions, so new codes land in the same plane.
    mean: np.ndarray | None = None
    directions: np.ndarray | None = None

    def project(self, codes: np.ndarray) -> np.ndarray:
        """Place new codes in this view's plane (1-D codes sit on the zero line)."""
        codes = np.asarray(codes, np.float64).reshape(len(codes), -1)
        if self.is_raw:
            return codes.astype(np.float32)
        if self.directions is None or self.mean is None:
            return np.column_stack([codes[:, 0], np.zeros(len(codes))]).astype(np.float32)
        return ((codes - self.mean) @ self.directions.T).astype(np.float32)


def to_plane(codes: np.ndarray) -> LatentView:
    """2-D codes as they are; 1-D codes against a jitter; larger codes by PCA."""
    codes = np.asarray(codes, np.float64)
    n, k = codes.shape
    if k == 2:
        return LatentView(
            codes.astype(np.float32),
            lazy("code 1"),
            lazy("code 2"),
            lazy("The 2-D codes, exactly as learned."),
            True,
        )
    if k == 1:
        jitter = np.random.default_rng(0).uniform(-1, 1, n)
        points = np.column_stack([codes[:, 0], jitter]).astype(np.float32)
        return LatentView(
            points,
            lazy("code"),
            lazy("random jitter (no meaning)"),
            lazy(
                "The 1-D codes along x; the vertical spread is random, only to separate the points."
            ),
            False,
        )
    mean = codes.mean(axis=0)
    centred = codes - mean
    _left, singular, vt = np.linalg.svd(centred, full_matrices=False)
    explained = float((singular[:2] ** 2).sum() / max((singular**2).sum(), 1e-12))
    return LatentView(
        (centred @ vt[:2].T).astype(np.float32),
        lazy("principal direction 1"),
        lazy("principal direction 2"),
        lazy(
            "The {k}-D codes projected to 2-D with PCA, keeping {explained:.0%} of their "
            "variance: points that overlap here may be far apart in the real code space.",
            k=k,
            explained=explained,
        ),
        False,
        mean=mean,
        directions=vt[:2],
    )


def grid_axes(points: np.ndarray, steps: int, coverage: float = 0.98) -> tuple[np.ndarray, ...]:
    """Evenly spaced values across the central `coverage` of each of two code axes."""
    lo, hi = (1 - coverage) / 2 * 100, (1 + coverage) / 2 * 100
    x_lo, x_hi = np.percentile(points[:, 0], [lo, hi])
    y_lo, y_hi = np.percentile(points[:, 1], [lo, hi])
    xs, ys = np.linspace(x_lo, x_hi, steps), np.linspace(y_lo, y_hi, steps)
    return xs.astype(np.float32), ys.astype(np.float32)


def grid_codes(xs: np.ndarray, ys: np.ndarray) -> np.ndarray:
    """All (x, y) pairs, rows from the top (largest y) down, as codes of shape (len*len, 2)."""
    gx, gy = np.meshgrid(xs, ys[::-1])
    return np.column_stack([gx.ravel(), gy.ravel()]).astype(np.float32)


def interpolate(start: np.ndarray, end: np.ndarray, steps: int) -> np.ndarray:
    """Codes on the straight line from `start` to `end`, both included."""
    weights = np.linspace(0.0, 1.0, steps, dtype=np.float32)[:, None]
    return ((1 - weights) * start[None, :] + weights * end[None, :]).astype(np.float32)
