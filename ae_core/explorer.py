"""Everything the result pages show about one trained model, computed once and kept.

A `ModelExplorer` belongs to one session (it holds that session's model), so nothing here is
shared between users. Heavy results (codes and errors of all 10k test images, the PCA
baseline, the 2-D view, a decoded manifold) are computed on first use and cached on the
object, so a rerun that only moves a slider recomputes nothing it does not need.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, TypeVar

import keras
import numpy as np

from ae_core.architectures import Autoencoder, get_architecture
from ae_core.constants import FINAL_STAGE, IMAGE_SHAPE, PIXELS
from ae_core.data import Dataset
from ae_core.latent import LatentView, grid_axes, grid_codes, to_plane
from ae_core.metrics import per_image_mse, psnr, ssim
from ae_core.model_ids import saved_model_id, trained_model_id
from ae_core.noise import add_noise
from ae_core.pca import PCA, fit_pca
from ae_core.run_config import RunConfig
from ae_core.runs import SavedRun
from ae_core.training import EpochRecord, TrainingResult, training_set

Order = Literal["random", "worst", "best"]


@dataclass(frozen=True)
class DenoisingExample:
    clean: np.ndarray
    noisy: np.ndarray
    denoised: np.ndarray
    noisy_psnr: np.ndarray  # per image, dB
    denoised_psnr: np.ndarray
    noisy_ssim: np.ndarray
    denoised_ssim: np.ndarray


ModelSource = Autoencoder | Callable[[], Autoencoder]
T = TypeVar("T")


class ModelResults:
    """What the pages compute from one model, kept once for every session that shows it.

    The results depend only on the model and the dataset, so sessions exploring the same
    model (a class that pressed the same preset) share one set: computed once, held once.
    A few kinds (denoising examples, manifolds) keep only their most recent entries.
    """

    RECENT = 8

    def __init__(self) -> None:
        self._values: OrderedDict[tuple, Any] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple, compute: Callable[[], T]) -> T:
        with self._lock:
            if key in self._values:
                return self._values[key]
        value = compute()  # outside the lock: two sessions may compute the same thing once each
        with self._lock:
            self._values.setdefault(key, value)
            kind = key[0]
            same_kind = [k for k in self._values if k[0] == kind]
            for old in same_kind[: max(0, len(same_kind) - self.RECENT)]:
                del self._values[old]
            return self._values[key]


class ModelExplorer:
    """One model as the result pages see it: its settings, history and cached results.

    `autoencoder` may be the model itself or a function returning it: models shared by the
    server's sessions live in its memory-budgeted cache and are fetched on each use, so
    an explorer never keeps a model in memory that the budget has dropped.
    """

    def __init__(
        self,
        name: str,
        config: RunConfig,
        autoencoder: ModelSource,
        dataset: Dataset,
        history: list[EpochRecord] | tuple[EpochRecord, ...] = (),
        status: str = "completed",
        message: str = "",
        folder: Path | None = None,
        run_id: str | None = None,
        metrics: dict | None = None,
        shared: ModelResults | None = None,
        model_id: str | None = None,
        short_name: str | None = None,
    ):
        self.name = name  # for display only: "Run 1: Deep dense, code 2"
        # What pages key the model by (session dicts, widget options); never parsed.
        self.id = model_id or name
        self.short_name = short_name or name  # "Run 1", for labels beside other models
        self.config = config
        self._autoencoder = autoencoder
        self.dataset = dataset
        self.history = list(history)
        self.status = status
        self.message = message
        self.folder = folder
        self.run_id = run_id  # the training service's run, for models trained on this server
        self.metrics = dict(metrics or {})  # a saved run's evaluation, as saved
        self._results = shared if shared is not None else ModelResults()

    @classmethod
    def from_result(
        cls,
        name: str,
        result: TrainingResult,
        dataset: Dataset,
        source: Callable[[], Autoencoder] | None = None,
        run_id: str | None = None,
        shared: ModelResults | None = None,
        short_name: str | None = None,
    ) -> ModelExplorer:
        """A model trained on this server (`source` fetches it from the shared cache)."""
        return cls(
            name=name,
            config=result.config,
            autoencoder=source or result.autoencoder,
            dataset=dataset,
            history=result.history,
            status=result.status,
            message=result.message,
            run_id=run_id,
            shared=shared,
            model_id=trained_model_id(run_id) if run_id else None,
            short_name=short_name,
        )

    @classmethod
    def from_saved_run(
        cls,
        name: str,
        run: SavedRun,
        dataset: Dataset,
        source: Callable[[], Autoencoder] | None = None,
        shared: ModelResults | None = None,
    ) -> ModelExplorer:
        """A run loaded from its folder, with its saved history and evaluation."""
        return cls(
            name=name,
            config=run.config,
            autoencoder=source or run.autoencoder,
            dataset=dataset,
            history=run.history,
            status=str(run.info.get("status", "")),
            message=str(run.info.get("message", "")),
            folder=run.folder,
            metrics=run.metrics,
            shared=shared,
            model_id=saved_model_id(run.folder.name),
            short_name=run.folder.name,
        )

    @property
    def autoencoder(self) -> Autoencoder:
        if isinstance(self._autoencoder, Autoencoder):
            return self._autoencoder
        return self._autoencoder()

    # --- what the model is -------------------------------------------------------------
    @property
    def latent_dim(self) -> int:
        return self.config.model.latent_dim

    @property
    def architecture_title(self) -> str:
        return get_architecture(self.config.architecture).title

    def describe(self) -> str:
        size = self.config.data.train_size or len(self.dataset.x_train)
        epochs = sum(1 for r in self.history if r.stage == FINAL_STAGE)
        return (
            f"{self.architecture_title}, code size {self.latent_dim}, "
            f"{epochs} epoch{'s' if epochs != 1 else ''} on {size:,} images"
        )

    # --- cached results on the test set ------------------------------------------------
    @property
    def test_codes(self) -> np.ndarray:
        return self._results.get(
            ("test_codes",), lambda: self.autoencoder.encode(self.dataset.x_test)
        )

    @property
    def errors(self) -> np.ndarray:
        """Per-image MSE of every test image."""
        x = self.dataset.x_test
        return self._results.get(
            ("errors",), lambda: per_image_mse(x, self.autoencoder.reconstruct(x))
        )

    @property
    def pca(self) -> PCA:
        return self._results.get(
            ("pca",), lambda: fit_pca(training_set(self.dataset, self.config)[0])
        )

    @property
    def pca_errors(self) -> np.ndarray:
        """Per-image MSE of PCA's reconstructions as shown: clipped to [0, 1] like pixels."""
        x = self.dataset.x_test
        return self._results.get(
            ("pca_errors",),
            lambda: per_image_mse(x, self.pca.reconstruct_clipped(x, self.latent_dim)),
        )

    @property
    def view(self) -> LatentView:
        return self._results.get(("view",), lambda: to_plane(self.test_codes))

    @property
    def test_mse(self) -> float:
        return float(self.errors.mean())

    @property
    def pca_mse(self) -> float:
        return float(self.pca_errors.mean())

    # --- on demand ---------------------------------------------------------------------
    def reconstruct_test_images(self, indices: np.ndarray) -> np.ndarray:
        """Reconstructions of the test images at `indices` (an autoencoder's `reconstruct`
        takes images)."""
        return self.autoencoder.reconstruct(self.dataset.x_test[indices])

    def pca_reconstruct_test_images(self, indices: np.ndarray) -> np.ndarray:
        return self.pca.reconstruct_clipped(self.dataset.x_test[indices], self.latent_dim)

    def flagged(self, threshold: float, count: int) -> np.ndarray:
        """Up to `count` test images at or above an error threshold, evenly spread over
        the flagged ones from the threshold up to the worst (what the threshold selects)."""
        selected = np.flatnonzero(self.errors >= threshold)
        ranked = selected[np.argsort(self.errors[selected], kind="stable")]
        if len(ranked) <= count:
            return ranked
        return ranked[np.linspace(0, len(ranked) - 1, count).round().astype(int)]

    def decode(self, codes: np.ndarray) -> np.ndarray:
        return self.autoencoder.decode(np.asarray(codes, np.float32).reshape(-1, self.latent_dim))

    def choose(
        self, count: int, classes: list[int] | None = None, order: Order = "random", seed: int = 0
    ) -> np.ndarray:
        """Indices of `count` test images of the given classes: random, worst or best."""
        labels = self.dataset.y_test
        pool = np.flatnonzero(np.isin(labels, classes)) if classes else np.arange(len(labels))
        if len(pool) == 0:
            return pool
        if order == "random":
            rng = np.random.default_rng(seed)
            return np.sort(rng.choice(pool, size=min(count, len(pool)), replace=False))
        ranked = pool[np.argsort(self.errors[pool], kind="stable")]
        return (ranked[::-1] if order == "worst" else ranked)[:count]

    def manifold(self, steps: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Images decoded on a steps x steps grid across the 2-D code plane, and the axes."""
        if self.latent_dim != 2:
            raise ValueError("a decoded manifold needs 2-D codes")

        def decode_grid():
            xs, ys = grid_axes(self.test_codes, steps)
            return self.decode(grid_codes(xs, ys)), xs, ys

        return self._results.get(("manifold", steps), decode_grid)

    def first_layer_features(self, limit: int = 64) -> np.ndarray | None:
        """What the first dense layer's units respond to: their weights as 28x28 images.

        Each unit's weights are scaled to [-1, 1]; units with the largest weights come first.
        None when the encoder does not start with a dense layer on the pixels.
        """
        first = next((layer for layer in self.autoencoder.encoder.layers if layer.weights), None)
        if not isinstance(first, keras.layers.Dense) or first.kernel.shape[0] != PIXELS:
            return None
        kernel = np.asarray(first.kernel)  # (784, units)
        strongest = np.argsort(-np.linalg.norm(kernel, axis=0))[:limit]
        images = kernel[:, strongest].T.reshape(-1, *IMAGE_SHAPE)
        return images / np.abs(images).max(axis=(1, 2), keepdims=True)

    def code_unit_effects(self, limit: int = 32) -> np.ndarray:
        """What each code unit draws: the decoded change when it rises by two standard
        deviations from the average code, the other units held at their averages."""
        codes = self.test_codes
        centre, spread = codes.mean(axis=0), codes.std(axis=0) + 1e-6
        units = np.argsort(-spread)[:limit]
        moved = np.repeat(centre[None, :], len(units), axis=0)
        moved[np.arange(len(units)), units] += 2 * spread[units]
        base = self.decode(centre[None, :])
        return self.decode(moved) - base

    def denoising(self, kind: str, level: float, count: int, seed: int = 0) -> DenoisingExample:
        """Test images with noise added, the model's output and PSNR/SSIM of both."""
        key = ("denoising", kind, round(float(level), 4), count, seed)

        def score() -> DenoisingExample:
            rng = np.random.default_rng(seed)
            clean = self.dataset.x_test[
                np.sort(rng.choice(len(self.dataset.x_test), count, replace=False))
            ]
            noisy = add_noise(clean, kind, level, rng)
            denoised = self.autoencoder.reconstruct(noisy)
            return DenoisingExample(
                clean=clean,
                noisy=noisy,
                denoised=denoised,
                noisy_psnr=psnr(clean, noisy),
                denoised_psnr=psnr(clean, denoised),
                noisy_ssim=ssim(clean, noisy),
                denoised_ssim=ssim(clean, denoised),
            )

        return self._results.get(key, score)
