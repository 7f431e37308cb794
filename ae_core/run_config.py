"""The full description of a run: architecture, model, data and training settings."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ae_core.architectures import get_architecture
from ae_core.config import ArchConfig, DataConfig, S, Settings, TrainConfig
from ae_core.errors import ConfigError
from ae_core.i18n import _, lazy


@dataclass(frozen=True)
class RunConfig:
    """Everything needed to repeat a run. `model` is the chosen architecture's config."""

    model: ArchConfig
    data: DataConfig = field(default_factory=DataConfig)
    train: TrainConfig = field(default_factory=TrainConfig)

    def __post_init__(self) -> None:
        if self.train.loss == "bce" and self.model.output_activation != "sigmoid":
            raise ConfigError(
                lazy(
                    "Binary cross-entropy needs pixel outputs between 0 and 1: use the "
                    "sigmoid output activation, or choose the MSE loss."
                )
            )

    @property
    def architecture(self) -> str:
        return self.model.architecture

    @classmethod
    def create(cls, architecture: str, **settings: Any) -> RunConfig:
        """A config from flat keyword settings, each routed to the part it belongs to."""
        parts: dict[str, dict[str, Any]] = {"model": {}, "data": {}, "train": {}}
        owners: dict[str, type[Settings]] = {
            "model": get_architecture(architecture).config_class,
            "data": DataConfig,
            "train": TrainConfig,
        }
        for name, value in settings.items():
            owner = next((p for p, c in owners.items() if name in c.params()), None)
            if owner is None:
                raise ConfigError(
                    lazy(
                        "The setting {name!r} does not apply to the {architecture} architecture.",
                        name=name,
                        architecture=architecture,
                    )
                )
            parts[owner][name] = value
        return cls.from_dict({"architecture": architecture, **parts})

    @classmethod
    def from_dict(cls, values: Mapping[str, Any]) -> RunConfig:
        """Validate a nested mapping such as a saved run's `run.json` config."""
        if not isinstance(values, Mapping):
            raise ConfigError(lazy("A run configuration must be a mapping of settings."))
        unknown = sorted(set(values) - {"architecture", "model", "data", "train"})
        if unknown:
            raise ConfigError(
                lazy(
                    "Unknown part{s}: {unknown}.",
                    s="s" if len(unknown) > 1 else "",
                    unknown=unknown,
                )
            )
        architecture = get_architecture(str(values.get("architecture", "")))
        return cls(
            model=_part(values, "model", architecture.config_class),
            data=_part(values, "data", DataConfig),
            train=_part(values, "train", TrainConfig),
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "architecture": self.architecture,
            "model": self.model.to_dict(),
            "data": self.data.to_dict(),
            "train": self.train.to_dict(),
        }

    @property
    def run_id(self) -> str:
        """This run's identity: a digest of every validated setting, seed included.

        A seeded run is fully determined by its configuration, so two requests with the same
        id are the same run (trained once), and the id names it on disk and in URLs.
        """
        canonical = json.dumps(self.to_dict(), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(canonical.encode()).hexdigest()[:16]

    def replace(self, **settings: Any) -> RunConfig:
        """A copy with some flat settings changed (validated like `create`)."""
        current = {**self.model.to_dict(), **self.data.to_dict(), **self.train.to_dict()}
        return RunConfig.create(self.architecture, **{**current, **settings})


def _part(values: Mapping[str, Any], part: str, settings_class: type[S]) -> S:
    settings = values.get(part, {})
    if not isinstance(settings, Mapping):
        raise ConfigError(lazy("The {part} settings must be a mapping.", part=part))
    return settings_class.from_dict(settings, where=lazy("the {part} settings", part=part))


def setting_label(name: str) -> str:
    """A setting's label in the reader's language, whichever settings class has it."""
    from ae_core.architectures import all_architectures

    classes: list[type[Settings]] = [DataConfig, TrainConfig]
    classes += [a.config_class for a in all_architectures()]
    for settings_class in classes:
        if name in settings_class.params():
            return _(settings_class.params()[name][1].label)
    return name.replace("_", " ")
