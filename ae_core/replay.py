"""How a run learned, epoch by epoch: the codes and showcase reconstructions of every epoch.

The trainer already reports them after each epoch for the live Train page; a `Replay` keeps
them with the model (and in a saved run's `replay.npz`) so they can be played back later.
"""

from __future__ import annotations

import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ae_core.constants import FINAL_STAGE, IMAGE_SHAPE
from ae_core.errors import RunFolderError
from ae_core.i18n import lazy
from ae_core.progress import EpochReport

FILE_NAME = "replay.npz"
MAX_EPOCHS = 500  # a replay file claiming more is not one of ours
MAX_CODES = 10_000


@dataclass(frozen=True)
class Replay:
    epochs: np.ndarray  # (E,) epoch numbers of the final training
    originals: np.ndarray  # (n, 28, 28) the showcase test images
    reconstructions: np.ndarray  # (E, n, 28, 28) their reconstructions after each epoch
    codes: np.ndarray  # (E, N, k) codes of a fixed sample of test images after each epoch
    code_labels: np.ndarray  # (N,) the sample's labels

    def __len__(self) -> int:
        return len(self.epochs)

    @classmethod
    def from_reports(cls, reports: Sequence[EpochReport]) -> Replay | None:
        """The final training's epochs that carry images; None when there are none."""
        frames = [
            r
            for r in reports
            if r.stage == FINAL_STAGE
            and r.originals is not None
            and r.reconstructions is not None
            and r.codes is not None
            and r.code_labels is not None
        ]
        if not frames:
            return None
        return cls(
            epochs=np.array([r.epoch for r in frames], np.int32),
            originals=np.asarray(frames[0].originals, np.float32),
            reconstructions=np.stack([np.asarray(r.reconstructions, np.float32) for r in frames]),
            codes=np.stack([np.asarray(r.codes, np.float32) for r in frames]),
            code_labels=np.asarray(frames[0].code_labels, np.int64),
        )

    def save(self, folder: Path) -> None:
        np.savez_compressed(
            Path(folder) / FILE_NAME,
            epochs=self.epochs,
            originals=self.originals,
            reconstructions=self.reconstructions,
            codes=self.codes,
            code_labels=self.code_labels,
        )

    @classmethod
    def load(cls, folder: Path) -> Replay | None:
        """A saved run's replay, checked; None when the run has none (older runs)."""
        path = Path(folder) / FILE_NAME
        if not path.is_file():
            return None
        try:
            with np.load(path, allow_pickle=False) as data:
                arrays = {
                    k: data[k]
                    for k in ("epochs", "originals", "reconstructions", "codes", "code_labels")
                }
        except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile) as exc:
            raise RunFolderError(
                lazy(
                    "{name}/{FILE_NAME} cannot be read.", name=path.parent.name, FILE_NAME=FILE_NAME
                )
            ) from exc
        replay = cls(**arrays)
        replay._check(f"{path.parent.name}/{FILE_NAME}")
        return replay

    def _check(self, where: str) -> None:
        e, n = len(self.epochs), len(self.originals)
        shapes_fit = (
            self.epochs.ndim == 1
            and 0 < e <= MAX_EPOCHS
            and self.originals.shape[1:] == IMAGE_SHAPE
            and self.reconstructions.shape == (e, n, *IMAGE_SHAPE)
            and self.codes.ndim == 3
            and self.codes.shape[0] == e
            and 0 < self.codes.shape[1] <= MAX_CODES
            and self.code_labels.shape == (self.codes.shape[1],)
        )
        numbers = all(
            np.issubdtype(a.dtype, np.number)
            for a in (
                self.epochs,
                self.originals,
                self.reconstructions,
                self.codes,
                self.code_labels,
            )
        )
        if not (shapes_fit and numbers) or not np.isfinite(self.codes).all():
            raise RunFolderError(lazy("{where} is not a replay of this run's epochs.", where=where))
