"""A run's setup as a web address's query: the architecture and what differs from defaults.

`?arch=vae&latent_dim=2&beta=4&seed=3` is short enough to read and to paste into a chat;
opening it restores exactly that configuration (every value validated like any other input).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ae_core.errors import ConfigError
from ae_core.i18n import lazy
from ae_core.run_config import RunConfig

ARCH_KEY = "arch"
PARTS = ("model", "data", "train")
# Query keys that belong to other features of the page, never to a setup.
NOT_SETTINGS = frozenset({"run", "lang"})


def to_query(config: RunConfig) -> dict[str, str]:
    """The architecture and each setting whose value differs from the architecture's default."""
    defaults = RunConfig.create(config.architecture)
    query = {ARCH_KEY: config.architecture}
    for part in PARTS:
        mine, usual = getattr(config, part).to_dict(), getattr(defaults, part).to_dict()
        query.update({name: _text(v) for name, v in mine.items() if v != usual[name]})
    return query


def from_query(query: Mapping[str, str]) -> RunConfig:
    """The configuration an address describes; ConfigError names what is wrong."""
    architecture = query.get(ARCH_KEY, "").strip()
    if not architecture:
        raise ConfigError(lazy("The address names no architecture (arch=...)."))
    settings = {
        name: _value(text)
        for name, text in query.items()
        if name != ARCH_KEY and name not in NOT_SETTINGS
    }
    return RunConfig.create(architecture, **settings)


def _text(value: Any) -> str:
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | tuple):
        return ",".join(str(v) for v in value)
    if isinstance(value, float):
        return format(value, ".10g")
    return str(value)


def _value(text: str) -> Any:
    """Booleans and "none" are read here; numbers and lists by the settings' own checks."""
    lowered = text.strip().lower()
    if lowered in ("true", "false"):
        return lowered == "true"
    if lowered == "none":
        return None
    return text.strip()
