"""The registry of architectures: one name, one builder, one line of description.

Adding an architecture is one builder function decorated with `@register(...)`, in a module
imported by `ae_core.architectures`. Nothing else in the project switches on names.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ae_core.architectures.autoencoder import Autoencoder
from ae_core.architectures.blocks import LayerSeeds
from ae_core.config import ArchConfig
from ae_core.errors import ConfigError
from ae_core.i18n import lazy

# Each builder takes its own settings class; `Architecture.build` checks the class first.
Builder = Callable[[Any, str, LayerSeeds], Autoencoder]


@dataclass(frozen=True)
class Architecture:
    name: str
    title: str
    description: str
    config_class: type[ArchConfig]
    builder: Builder

    def build(self, config: ArchConfig, loss: str, seed: int) -> Autoencoder:
        """A fresh, untrained autoencoder; `seed` fixes its initial weights."""
        if not isinstance(config, self.config_class):
            raise TypeError(f"{self.name} needs a {self.config_class.__name__}")
        return self.builder(config, loss, LayerSeeds(seed))


_REGISTRY: dict[str, Architecture] = {}


def register(
    name: str, title: str, description: str, config_class: type[ArchConfig]
) -> Callable[[Builder], Builder]:
    def decorate(builder: Builder) -> Builder:
        if name in _REGISTRY:
            raise RuntimeError(lazy("architecture {name!r} registered twice", name=name))
        config_class.architecture = name
        _REGISTRY[name] = Architecture(name, title, description, config_class, builder)
        return builder

    return decorate


def get_architecture(name: str) -> Architecture:
    try:
        return _REGISTRY[name]
    except KeyError:
        raise ConfigError(
            lazy(
                "Unknown architecture {name!r}; choose one of {choices}.",
                name=name,
                choices=", ".join(_REGISTRY),
            )
        ) from None


def all_architectures() -> tuple[Architecture, ...]:
    return tuple(_REGISTRY.values())
