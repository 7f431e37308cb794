"""Datasets: MNIST and Fashion-MNIST as float32 images in [0, 1].

Lookup order: the folder named by the environment variable `AE_DATA_DIR` (files in Keras'
own `.npz` format), then Keras' download and cache (`~/.keras/datasets`). Loaded arrays are
cached for the process and marked read-only, so one session cannot change another's data.
"""

from __future__ import annotations

import functools
import os
import threading
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ae_core.constants import IMAGE_SHAPE, SIDE
from ae_core.errors import ConfigError, DatasetError
from ae_core.i18n import N_, lazy

DATA_DIR_VARIABLE = "AE_DATA_DIR"
EXPECTED_SHAPES = {
    "x_train": (60_000, SIDE, SIDE),
    "y_train": (60_000,),
    "x_test": (10_000, SIDE, SIDE),
    "y_test": (10_000,),
}


@dataclass(frozen=True)
class DatasetInfo:
    name: str
    title: str
    file_name: str
    class_names: tuple[str, ...]
    # What pages call one image and several: "digit(s)", or "clothing item(s)".
    item: str = "image"
    items: str = "images"


DATASETS: dict[str, DatasetInfo] = {
    "mnist": DatasetInfo(
        "mnist", "MNIST", "mnist.npz", tuple(str(d) for d in range(10)), N_("digit"), N_("digits")
    ),
    "fashion_mnist": DatasetInfo(
        "fashion_mnist",
        "Fashion-MNIST",
        "fashion_mnist.npz",
        (
            N_("T-shirt/top"),
            N_("Trouser"),
            N_("Pullover"),
            N_("Dress"),
            N_("Coat"),
            N_("Sandal"),
            N_("Shirt"),
            N_("Sneaker"),
            N_("Bag"),
            N_("Ankle boot"),
        ),
        N_("clothing item"),
        N_("clothing items"),
    ),
}


@dataclass(frozen=True)
class Dataset:
    """A train/test split. Images are float32 (N, 28, 28) in [0, 1]; labels uint8."""

    info: DatasetInfo
    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    source: str

    @property
    def name(self) -> str:
        return self.info.name

    @property
    def class_names(self) -> tuple[str, ...]:
        return self.info.class_names


def dataset_info(name: str) -> DatasetInfo:
    try:
        return DATASETS[name]
    except KeyError:
        raise ConfigError(
            lazy(
                "Unknown dataset {name!r}; choose one of {choices}.",
                name=name,
                choices=", ".join(DATASETS),
            )
        ) from None


def data_dir() -> Path | None:
    """The folder named by AE_DATA_DIR, if the variable is set."""
    value = os.environ.get(DATA_DIR_VARIABLE, "").strip()
    return Path(value).expanduser().resolve() if value else None


def load_dataset(name: str = "mnist") -> Dataset:
    """Load a dataset from AE_DATA_DIR or Keras' cache; raises DatasetError if neither works."""
    info = dataset_info(name)
    folder = data_dir()
    return _load_cached(info.name, str(folder) if folder else "")


# Loading and converting 60k images takes a second or two and 220 MB; every session shares one
# read-only copy. The lock stops two sessions that start together from loading it twice.
_load_lock = threading.Lock()


def _load_cached(name: str, folder: str) -> Dataset:
    with _load_lock:
        return _load_uncached(name, folder)


@functools.lru_cache(maxsize=4)
def _load_uncached(name: str, folder: str) -> Dataset:
    info = DATASETS[name]
    local = Path(folder) / info.file_name if folder else None
    if local is not None and local.exists():
        arrays = _read_npz(local, info)
        source = str(local)
    else:
        arrays = _download_with_keras(info, local)
        source = "Keras download cache"
    x_train, y_train, x_test, y_test = (arrays[k] for k in EXPECTED_SHAPES)
    return Dataset(
        info=info,
        x_train=_as_images(x_train),
        y_train=_read_only(y_train.astype(np.uint8)),
        x_test=_as_images(x_test),
        y_test=_read_only(y_test.astype(np.uint8)),
        source=source,
    )


def _read_npz(path: Path, info: DatasetInfo) -> dict[str, np.ndarray]:
    def corrupt(detail: str) -> DatasetError:
        return DatasetError(
            lazy(
                "The file {path} is not a usable {title} dataset ({detail}). Replace it with "
                "Keras' {file} (keys x_train, y_train, x_test, y_test; uint8).",
                path=path,
                title=info.title,
                detail=detail,
                file=info.file_name,
            )
        )

    try:
        # allow_pickle=False: a data file must never be able to run code.
        with np.load(path, allow_pickle=False) as npz:
            missing = [k for k in EXPECTED_SHAPES if k not in npz.files]
            if missing:
                raise corrupt(lazy("missing {keys}", keys=", ".join(missing)))
            arrays = {k: npz[k] for k in EXPECTED_SHAPES}
    except DatasetError:
        raise
    except (OSError, ValueError, EOFError, zipfile.BadZipFile, KeyError) as exc:
        raise corrupt(f"{type(exc).__name__}: {exc}") from exc
    for key, shape in EXPECTED_SHAPES.items():
        if arrays[key].shape != shape:
            raise corrupt(
                lazy(
                    "{key} has shape {shape}, expected {expected}",
                    key=key,
                    shape=arrays[key].shape,
                    expected=shape,
                )
            )
        if arrays[key].dtype != np.uint8:
            raise corrupt(
                lazy("{key} has type {dtype}, expected uint8", key=key, dtype=arrays[key].dtype)
            )
    for key in ("y_train", "y_test"):
        if arrays[key].max() >= len(info.class_names):
            raise corrupt(
                lazy("{key} has labels above {highest}", key=key, highest=len(info.class_names) - 1)
            )
    return arrays


def _download_with_keras(info: DatasetInfo, local: Path | None) -> dict[str, np.ndarray]:
    try:
        import keras  # imported here: TensorFlow is only needed when the local file is absent

        loader = getattr(keras.datasets, info.name)
        (x_train, y_train), (x_test, y_test) = loader.load_data()
    except Exception as exc:  # any failure of the download path means the same thing to a user
        where = (
            lazy("{file} does not exist", file=local)
            if local is not None
            else lazy("the environment variable {variable} is not set", variable=DATA_DIR_VARIABLE)
        )
        raise DatasetError(
            lazy(
                "{title} is not available: {where}, and Keras could not download it "
                "({error}: {exc}). Either connect to the internet so Keras can download "
                "and cache it, or put {file_name} (Keras format: x_train, y_train, "
                "x_test, y_test) in a folder and set {DATA_DIR_VARIABLE} to that folder.",
                title=info.title,
                where=where,
                error=type(exc).__name__,
                exc=exc,
                file_name=info.file_name,
                DATA_DIR_VARIABLE=DATA_DIR_VARIABLE,
            )
        ) from exc
    return {"x_train": x_train, "y_train": y_train, "x_test": x_test, "y_test": y_test}


def _as_images(raw: np.ndarray) -> np.ndarray:
    return _read_only((raw.astype(np.float32) / np.float32(255.0)).reshape(-1, *IMAGE_SHAPE))


def _read_only(array: np.ndarray) -> np.ndarray:
    array.setflags(write=False)
    return array


def subset(
    images: np.ndarray, labels: np.ndarray, size: int | None, seed: int
) -> tuple[np.ndarray, np.ndarray]:
    """A seeded random subset of `size` images (all of them, in order, when size is None)."""
    if size is None or size >= len(images):
        return images, labels
    chosen = subset_indices(len(images), size, seed)
    return images[chosen], labels[chosen]


def subset_indices(count: int, size: int | None, seed: int) -> np.ndarray:
    """The positions, in order, of the seeded subset `subset` takes from `count` images."""
    if size is None or size >= count:
        return np.arange(count)
    if size < 1:
        raise ConfigError(lazy("A subset needs at least one image; got {size}.", size=size))
    rng = np.random.default_rng([seed, 0x5EED])
    return np.sort(rng.choice(count, size=size, replace=False))


def one_per_class(labels: np.ndarray, n_classes: int = 10) -> np.ndarray:
    """Indices of the first image of each class, in class order (a stable showcase set)."""
    firsts = [np.flatnonzero(labels == c) for c in range(n_classes)]
    return np.array([f[0] for f in firsts if len(f)], dtype=np.int64)
