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
from typing import Any, Literal, TypeVar, cast, get_args

import keras
import numpy as np

from ae_core.architectures import Autoencoder, get_architecture
from ae_core.constants import FINAL_STAGE, IMAGE_SHAPE, PIXELS
from ae_core.data import Dataset
from ae_core.errors import ConfigError
from ae_core.i18n import _, lazy, ngettext, shown
from ae_core.latent import LatentView, grid_axes, grid_codes, to_plane
from ae_core.metrics import knn_accuracy, per_image_bce, per_image_mse, psnr, ssim
from ae_core.model_ids import saved_model_id, trained_model_id
from ae_core.noise import add_noise
from ae_core.pca import PCA, fit_pca
from ae_core.replay import Replay
from ae_core.run_config import RunConfig
from ae_core.runs import SavedRun, saved_message
from ae_core.training import EpochRecord, Status, TrainingResult, training_set

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


@dataclass(frozen=True)
class AnomalyTest:
    """Normal and anomalous test images with the model's and PCA's errors on each."""

    description: str  # what the anomalies are, in words
    normal_images: np.ndarray
    normal_labels: np.ndarray
    normal_errors: np.ndarray
    normal_pca_errors: np.ndarray
    anomalous_images: np.ndarray
    anomalous_labels: np.ndarray
    anomalous_errors: np.ndarray
    anomalous_pca_errors: np.ndarray
    anomalous_class_names: tuple[str, ...]  # names of the anomalies' labels


@dataclass(frozen=True)
class Robustness:
    """Mean error and PSNR at each noise level, of the noisy images and of the model's output."""

    kind: str
    levels: np.ndarray
    noisy_mse: np.ndarray
    model_mse: np.ndarray
    noisy_psnr: np.ndarray  # NaN without noise (an exact copy has no finite PSNR)
    model_psnr: np.ndarray


# Where the anomalies come from: the classes the run left out, or another dataset's images.
LEFT_OUT = "left out"

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
        replay: Replay | None = None,
    ):
        self.name = name  # for display only: "Run 1: Deep dense, code 2"
        # What pages key the model by (session dicts, widget options); never parsed.
        self.id = model_id or name
        self.short_name = short_name or name  # "Run 1", for labels beside other models
        self.replay = replay  # how it learned, epoch by epoch, when that was kept
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
        replay: Replay | None = None,
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
            replay=replay,
        )

    @classmethod
    def from_saved_run(
        cls,
        name: str,
        run: SavedRun,
        dataset: Dataset,
        source: Callable[[], Autoencoder] | None = None,
        shared: ModelResults | None = None,
        model_id: str | None = None,
    ) -> ModelExplorer:
        """A run loaded from its folder, with its saved history and evaluation."""
        return cls(
            name=name,
            config=run.config,
            autoencoder=source or run.autoencoder,
            dataset=dataset,
            history=run.history,
            status=str(run.info.get("status", "")),
            message=saved_message(run.info),
            folder=run.folder,
            metrics=run.metrics,
            shared=shared,
            model_id=model_id or saved_model_id(run.folder.name),
            short_name=run.folder.name,
            replay=run.replay,
        )

    def as_result(self) -> TrainingResult:
        """The model as a training result, e.g. to save it as a run folder."""
        return TrainingResult(
            config=self.config,
            autoencoder=self.autoencoder,
            status=cast(Status, self.status if self.status in get_args(Status) else "completed"),
            message=self.message,
            history=list(self.history),
            train_seconds=self.history[-1].seconds if self.history else 0.0,
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
        return ngettext(
            "{architecture}, code size {latent_dim}, {epochs} epoch on {size:,} images",
            "{architecture}, code size {latent_dim}, {epochs} epochs on {size:,} images",
            epochs,
        ).format(
            architecture=_(self.architecture_title),
            latent_dim=self.latent_dim,
            epochs=epochs,
            size=size,
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

    def anomaly_test(self, source: str, other: Dataset | None = None) -> AnomalyTest:
        """The model as an anomaly detector: normal test images are those of the classes it
        trained on; anomalies are the classes it left out (`source` LEFT_OUT) or the test
        images of `other`, a dataset it never saw (`source` its name)."""
        return self._results.get(("anomaly", source), lambda: self._anomaly_test(source, other))

    def _anomaly_test(self, source: str, other: Dataset | None) -> AnomalyTest:
        normal = self._normal_mask
        left_out = ~normal
        if source == LEFT_OUT:
            if not left_out.any():
                raise ConfigError(
                    lazy(
                        "This model trained on every class, so no class is new to it: train one "
                        "with some classes left out, or use the other dataset as the anomalies."
                    )
                )
            names = self.dataset.class_names
            unseen = tuple(names[c] for c in self.config.data.exclude_classes)
            images, labels = self.dataset.x_test[left_out], self.dataset.y_test[left_out]
            errors, pca_errors = self.errors[left_out], self.pca_errors[left_out]
            description = lazy(
                "{items} of the classes it never saw in training ({classes})",
                items=lazy(self.dataset.info.items),
                classes=", ".join(unseen),
            )
        else:
            if other is None or other.name != source:
                raise ConfigError(
                    lazy("The anomalies need the {source} test images.", source=source)
                )
            images, labels, names = other.x_test, other.y_test, other.class_names
            errors = per_image_mse(images, self.autoencoder.reconstruct(images))
            pca_images = self.pca.reconstruct_clipped(images, self.latent_dim)
            pca_errors = per_image_mse(images, pca_images)
            description = lazy("{dataset} images, a dataset it never saw", dataset=other.info.title)
        return AnomalyTest(
            description=description,
            normal_images=self.dataset.x_test[normal],
            normal_labels=self.dataset.y_test[normal],
            normal_errors=self.errors[normal],
            normal_pca_errors=self.pca_errors[normal],
            anomalous_images=images,
            anomalous_labels=labels,
            anomalous_errors=errors,
            anomalous_pca_errors=pca_errors,
            anomalous_class_names=names,
        )

    KNN_TRAIN = 10_000  # training codes the 5-NN vote uses: plenty, and fast to encode

    @property
    def code_knn_accuracy(self) -> float:
        """How well the codes keep classes apart: 5-NN accuracy on the test codes, voting
        with the codes of (up to) 10,000 of the run's training images."""

        def score() -> float:
            images, labels = training_set(self.dataset, self.config)
            codes = self.autoencoder.encode(images[: self.KNN_TRAIN])
            return knn_accuracy(
                codes, labels[: self.KNN_TRAIN], self.test_codes, self.dataset.y_test
            )

        return self._results.get(("knn",), score)

    @property
    def test_bce(self) -> float:
        x = self.dataset.x_test
        return self._results.get(
            ("bce",), lambda: float(per_image_bce(x, self.autoencoder.reconstruct(x)).mean())
        )

    def summary(self) -> dict[str, str]:
        """One row of a comparison table, formatted for reading."""
        finals = [r for r in self.history if r.stage == FINAL_STAGE]
        return {
            _("model"): shown(self.name),
            _("architecture"): _(self.architecture_title),
            _("code"): str(self.latent_dim),
            _("parameters"): f"{self.autoencoder.count_parameters():,}",
            _("test MSE"): f"{self.test_mse:.4f}",
            _("test BCE"): f"{self.test_bce:.4f}",
            _("PCA MSE (same size)"): f"{self.pca_mse:.4f}",
            _("5-NN accuracy of codes"): f"{self.code_knn_accuracy:.3f}",
            _("epochs"): str(len(finals)),
            _("training s"): f"{self.history[-1].seconds:.0f}" if self.history else "-",
        }

    # --- what the code is made of -------------------------------------------------------
    @property
    def posterior(self) -> tuple[np.ndarray, np.ndarray] | None:
        """A VAE's Gaussian for each test image, (means, log-variances); None otherwise."""
        if self.config.architecture != "vae":
            return None

        def compute() -> tuple[np.ndarray, np.ndarray]:
            x, encoder = self.dataset.x_test, self.autoencoder.encoder
            parts = [encoder(x[i : i + 1_000], training=False) for i in range(0, len(x), 1_000)]
            means = np.concatenate([keras.ops.convert_to_numpy(m) for m, _ in parts])
            log_vars = np.concatenate([keras.ops.convert_to_numpy(v) for _, v in parts])
            return means.astype(np.float32), log_vars.astype(np.float32)

        return self._results.get(("posterior",), compute)

    def sampled_codes(self, seed: int = 0) -> np.ndarray | None:
        """One draw from each test image's Gaussian (a VAE's decoder trains on such draws)."""
        if self.posterior is None:
            return None
        means, log_vars = self.posterior
        noise = np.random.default_rng(seed).standard_normal(means.shape).astype(np.float32)
        return means + np.exp(0.5 * log_vars) * noise

    @property
    def kl_per_dimension(self) -> np.ndarray | None:
        """A VAE's KL divergence from N(0, 1) per code dimension, in nats, averaged over the
        test images: near 0 means the dimension carries nothing (posterior collapse)."""
        if self.posterior is None:
            return None
        means, log_vars = self.posterior
        kl = -0.5 * (1.0 + log_vars - np.square(means) - np.exp(log_vars))
        return kl.mean(axis=0)

    @property
    def dead_units(self) -> np.ndarray:
        """Code units that never change: the same value on every test image (a ReLU that
        never fires, a sparse unit the penalty silenced). Their indices."""
        codes = self.test_codes
        return np.flatnonzero(codes.max(axis=0) - codes.min(axis=0) < 1e-6)

    @property
    def normal_errors(self) -> np.ndarray:
        """Errors of the test images of the classes the model trained on (all, usually)."""
        return self.errors[self._normal_mask]

    @property
    def _normal_mask(self) -> np.ndarray:
        """Which test images are of the classes the model trained on."""
        return ~np.isin(self.dataset.y_test, self.config.data.exclude_classes)

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
            raise ValueError(lazy("a decoded manifold needs 2-D codes"))

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

    def robustness(
        self, kind: str, levels: tuple[float, ...], count: int, seed: int = 0
    ) -> Robustness:
        """How the model copes as noise grows: the same `count` test images at every level,
        with the same noise a model compared with it gets (same seed)."""
        key = ("robustness", kind, tuple(round(float(v), 4) for v in levels), count, seed)

        def score() -> Robustness:
            rng = np.random.default_rng(seed)
            chosen = np.sort(rng.choice(len(self.dataset.x_test), count, replace=False))
            clean = self.dataset.x_test[chosen]
            rows = []
            for i, level in enumerate(levels):
                noisy = add_noise(clean, kind, level, np.random.default_rng([seed, i]))
                output = self.autoencoder.reconstruct(noisy)
                noisy_psnr = psnr(clean, noisy)
                rows.append(
                    (
                        per_image_mse(clean, noisy).mean(),
                        per_image_mse(clean, output).mean(),
                        noisy_psnr.mean() if np.isfinite(noisy_psnr).all() else np.nan,
                        psnr(clean, output).mean(),
                    )
                )
            columns = np.array(rows, np.float64).T
            return Robustness(kind, np.asarray(levels, np.float64), *columns)

        return self._results.get(key, score)

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
