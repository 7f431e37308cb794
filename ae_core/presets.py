"""One-click starting points for a class: plain data, no TensorFlow needed to list them.

Each preset is an architecture plus the settings that differ from its defaults; it is
validated (via `RunConfig.create`) only when used. `idle_seconds` is what the preset took
from press to finished with nobody else on a 2-core server (bench/interactive.py); a busy
server takes longer, and the Home page says so.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ae_core.i18n import N_


@dataclass(frozen=True)
class Preset:
    key: str
    title: str
    summary: str
    architecture: str
    settings: dict[str, Any] = field(default_factory=dict)
    idle_seconds: int = 20

    def config(self):
        from ae_core.run_config import RunConfig

        return RunConfig.create(self.architecture, **self.settings)


PRESETS: tuple[Preset, ...] = (
    Preset(
        "deep-2d",
        N_("2-D deep autoencoder"),
        N_(
            "Squeezes every digit into 2 numbers, so you can watch the digits sort "
            "themselves into clusters while it trains."
        ),
        "deep",
        {"latent_dim": 2, "train_size": 20_000, "epochs": 5},
        idle_seconds=15,
    ),
    Preset(
        "denoising-conv",
        N_("Denoising conv"),
        N_(
            "A convolutional network trained to remove heavy Gaussian noise; then "
            "try it on the Denoising page."
        ),
        "denoising",
        {"latent_dim": 32, "train_size": 10_000, "epochs": 5, "noise_level": 0.5},
        idle_seconds=40,
    ),
    Preset(
        "sparse",
        N_("Sparse features"),
        N_(
            "A shallow network whose 64 code units are pushed to stay silent (L1); "
            "each one learns a pen stroke."
        ),
        "sparse",
        {"latent_dim": 64, "hidden_widths": (), "l1_weight": 1e-4, "train_size": 20_000},
        idle_seconds=20,
    ),
    Preset(
        "vae-2d",
        N_("Variational (VAE), 2-D"),
        N_("Learns a smooth 2-D map of digits you can sample new, never-seen digits from."),
        "vae",
        {"latent_dim": 2, "train_size": 20_000, "epochs": 8},
        idle_seconds=30,
    ),
)


# Offered on the Anomaly detection page: a detector needs a model that never saw its anomalies.
# The 2s: with 20,000 images and 5 epochs they stand out best of all digits (AUC 0.94, PCA
# 0.87; the 7s, which look like 1s and 9s, only reach 0.64: bench/README.md).
ANOMALY_PRESET = Preset(
    "unseen-2s",
    N_("Find the 2s a model never saw"),
    N_(
        "A deep autoencoder trained on every digit except 2 (code 32); the 2s "
        "are then the anomalies it should reconstruct worst."
    ),
    "deep",
    {"latent_dim": 32, "train_size": 20_000, "epochs": 5, "exclude_classes": (2,)},
    idle_seconds=15,
)


def preset(key: str) -> Preset:
    for p in (*PRESETS, ANOMALY_PRESET):
        if p.key == key:
            return p
    raise KeyError(key)


# The lesson the source tutorials build up to: every architecture at one code size, trained
# in turn with the same data and epochs, then compared. Small enough for a lesson: 39 s of
# training for all eight on an idle 2-core server, about a minute with each run's start.
LINEUP_SETTINGS: dict[str, Any] = {"latent_dim": 2, "train_size": 10_000, "epochs": 5}


def lineup(architectures: list[str] | None = None) -> list:
    """One RunConfig per architecture (all registered ones by default), same settings."""
    from ae_core.architectures import all_architectures
    from ae_core.run_config import RunConfig

    names = architectures or [a.name for a in all_architectures()]
    return [RunConfig.create(name, **LINEUP_SETTINGS) for name in names]
