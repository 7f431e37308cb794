"""Typed, validated settings.

Every setting is a field of a frozen dataclass whose metadata (`Param`) carries its label, its
one-line help, its bounds and its choices. `Settings.__post_init__` checks every field against
that metadata in one place, so the UI, the command line, saved runs and tests all get the same
checks and the same messages. The UI builds its widgets and the CLI its flags from the same
metadata.
"""

from __future__ import annotations

import dataclasses
import math
import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar, TypeVar

from ae_core.errors import ConfigError
from ae_core.i18n import N_, lazy

ACTIVATIONS = ("relu", "elu", "gelu", "selu", "tanh", "sigmoid", "linear")
OUTPUT_ACTIVATIONS = ("sigmoid", "linear")
LOSSES = ("bce", "mse")
OPTIMIZERS = ("adam", "adadelta", "rmsprop", "sgd")
NOISE_TYPES = ("gaussian", "salt_and_pepper", "masking")
DATASET_NAMES = ("mnist", "fashion_mnist")

# A learning rate that suits each optimizer; used when the user leaves it unset. Adadelta is
# designed around a rate of 1.0 (Zeiler 2012); with Keras' default of 0.001 it barely moves.
DEFAULT_LEARNING_RATES = {"adam": 1e-3, "adadelta": 1.0, "rmsprop": 1e-3, "sgd": 0.05}


@dataclass(frozen=True)
class Param:
    """What a setting means and which values it accepts."""

    label: str
    help: str
    minimum: float | None = None
    maximum: float | None = None
    choices: tuple[str, ...] | None = None
    min_items: int = 1
    max_items: int = 6
    log_scale: bool = False
    # Values a UI offers on a slider (None means "unset"); any valid value is still accepted.
    suggestions: tuple[Any, ...] | None = None
    none_label: str = "default"  # how a UI names the unset value
    example: str = "e.g. 256, 128"  # what a UI shows in an empty box for a list
    # Shown only when another setting has one of these values: (setting name, allowed values).
    shown_when: tuple[str, tuple[Any, ...]] | None = None


def param(default: Any, label: str, help: str, **details: Any) -> Any:
    """A dataclass field with its `Param` metadata."""
    return field(default=default, metadata={"param": Param(label=label, help=help, **details)})


def param_of(f: dataclasses.Field) -> Param:
    return f.metadata["param"]


S = TypeVar("S", bound="Settings")


@dataclass(frozen=True)
class Settings:
    """Base class: validates and normalises every field from its `Param` on construction."""

    def __post_init__(self) -> None:
        hints = typing.get_type_hints(type(self))
        for f in dataclasses.fields(self):
            value = _checked(getattr(self, f.name), hints[f.name], f.name, param_of(f))
            object.__setattr__(self, f.name, value)
        self.check()

    def check(self) -> None:
        """Rules that involve several fields; subclasses override."""

    @classmethod
    def params(cls) -> dict[str, tuple[dataclasses.Field, Param]]:
        return {f.name: (f, param_of(f)) for f in dataclasses.fields(cls)}

    @classmethod
    def value_kind(cls, name: str) -> str:
        """'int', 'float', 'str', 'bool' or 'list' (of ints): how a widget or flag reads it."""
        annotation = typing.get_type_hints(cls)[name]
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        if typing.get_origin(annotation) in (typing.Union, types.UnionType):
            annotation = args[0]
        if typing.get_origin(annotation) is tuple:
            return "list"
        return annotation.__name__

    @classmethod
    def is_optional(cls, name: str) -> bool:
        return type(None) in typing.get_args(typing.get_type_hints(cls)[name])

    @classmethod
    def from_dict(cls: type[S], values: Mapping[str, Any], where: str = "") -> S:
        """Build from a plain mapping (JSON, widgets, flags), refusing unknown names."""
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(values) - known)
        if unknown:
            place = f" for {where}" if where else ""
            raise ConfigError(
                lazy(
                    "Unknown setting{s} {unknown}{place}. Known settings: {known}.",
                    s="s" if len(unknown) > 1 else "",
                    unknown=", ".join(unknown),
                    place=place,
                    known=", ".join(sorted(known)),
                )
            )
        return cls(**values)

    def to_dict(self) -> dict[str, Any]:
        return {
            f.name: list(v) if isinstance(v := getattr(self, f.name), tuple) else v
            for f in dataclasses.fields(self)
        }

    def replace(self: S, **changes: Any) -> S:
        return dataclasses.replace(self, **changes)


def _checked(value: Any, annotation: Any, name: str, p: Param) -> Any:
    """Return `value` normalised to the field's type, or raise ConfigError saying why not."""
    # "KL weight (beta)" already names its setting; "Epochs" gets "(epochs)" added.
    where: str = (
        lazy(p.label)
        if f"({name})" in p.label
        else lazy("{label} ({name})", label=lazy(p.label), name=name)
    )
    args = typing.get_args(annotation)
    is_optional = typing.get_origin(annotation) in (typing.Union, types.UnionType) and (
        type(None) in args
    )
    if is_optional:
        if value is None:
            return None
        annotation = next(a for a in args if a is not type(None))
    elif value is None:
        raise ConfigError(lazy("{where} needs a value.", where=where))

    if typing.get_origin(annotation) is tuple:
        return _checked_tuple(value, where, p)
    if annotation is bool:
        if not isinstance(value, bool):
            raise ConfigError(
                lazy("{where} must be true or false; got {got!r}.", where=where, got=value)
            )
        return value
    if annotation is int:
        return _checked_number(_as_int(value, where), where, p)
    if annotation is float:
        return _checked_number(_as_float(value, where), where, p)
    if annotation is str:
        if not isinstance(value, str):
            raise ConfigError(lazy("{where} must be text; got {got!r}.", where=where, got=value))
        if p.choices is not None and value not in p.choices:
            raise ConfigError(
                lazy(
                    "{where} must be one of {choices}; got {got!r}.",
                    where=where,
                    choices=", ".join(p.choices),
                    got=value,
                )
            )
        return value
    raise TypeError(f"unsupported settings type {annotation!r} for {name}")  # a bug, not input


def _as_int(value: Any, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise ConfigError(
            lazy("{where} must be a whole number; got {got!r}.", where=where, got=value)
        )
    try:
        number = float(value)
    except ValueError:
        raise ConfigError(
            lazy("{where} must be a whole number; got {got!r}.", where=where, got=value)
        ) from None
    if not math.isfinite(number) or number != int(number):
        raise ConfigError(
            lazy("{where} must be a whole number; got {got!r}.", where=where, got=value)
        )
    return int(number)


def _as_float(value: Any, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise ConfigError(lazy("{where} must be a number; got {got!r}.", where=where, got=value))
    try:
        number = float(value)
    except ValueError:
        raise ConfigError(
            lazy("{where} must be a number; got {got!r}.", where=where, got=value)
        ) from None
    if not math.isfinite(number):
        raise ConfigError(
            lazy("{where} must be a finite number; got {got!r}.", where=where, got=value)
        )
    return number


def _checked_number(number: float, where: str, p: Param) -> Any:
    if p.minimum is not None and number < p.minimum:
        raise ConfigError(
            lazy(
                "{where} must be at least {bound}; got {got}.",
                where=where,
                bound=_fmt(p.minimum),
                got=_fmt(number),
            )
        )
    if p.maximum is not None and number > p.maximum:
        raise ConfigError(
            lazy(
                "{where} must be at most {bound}; got {got}.",
                where=where,
                bound=_fmt(p.maximum),
                got=_fmt(number),
            )
        )
    return number


def _checked_tuple(value: Any, where: str, p: Param) -> tuple[int, ...]:
    if isinstance(value, str):
        parts = [s.strip() for s in value.replace(";", ",").split(",") if s.strip()]
    elif isinstance(value, list | tuple):
        parts = list(value)
    else:
        raise ConfigError(
            lazy("{where} must be a list of whole numbers such as 256,128.", where=where)
        )
    if not p.min_items <= len(parts) <= p.max_items:
        count = (
            lazy("exactly {n}", n=p.min_items)
            if p.min_items == p.max_items
            else lazy("between {low} and {high}", low=p.min_items, high=p.max_items)
        )
        raise ConfigError(
            lazy(
                "{where} needs {count} values; got {n_parts}.",
                where=where,
                count=count,
                n_parts=len(parts),
            )
        )
    return tuple(_checked_number(_as_int(v, where), where, p) for v in parts)


def _fmt(number: float) -> str:
    return f"{number:g}"


@dataclass(frozen=True)
class DataConfig(Settings):
    """Which images a run trains on."""

    dataset: str = param(
        "mnist",
        N_("Dataset"),
        N_("MNIST handwritten digits, or Fashion-MNIST clothing (same 28x28 format)."),
        choices=DATASET_NAMES,
    )
    train_size: int | None = param(
        None,
        N_("Training images"),
        N_("How many training images to use (a seeded random subset); empty means all 60,000."),
        minimum=100,
        maximum=60_000,
        suggestions=(100, 500, 1_000, 2_000, 5_000, 10_000, 20_000, 30_000, 40_000, None),
        none_label=N_("all 60,000"),
    )
    validation_size: int = param(
        1_000,
        N_("Validation images"),
        N_("Test images used to draw the validation curve; nothing is tuned on them."),
        minimum=100,
        maximum=10_000,
    )
    exclude_classes: tuple[int, ...] = param(
        (),
        N_("Classes left out"),
        N_(
            "Class numbers the model never sees in training (e.g. 7): the anomalies "
            "for the Anomaly detection page. Empty means it trains on every class."
        ),
        minimum=0,
        maximum=9,
        min_items=0,
        max_items=9,
        example=N_("e.g. 7 or 3, 8"),
    )

    def check(self) -> None:
        # One order and no repeats, so the same classes always make the same run.
        object.__setattr__(self, "exclude_classes", tuple(sorted(set(self.exclude_classes))))


@dataclass(frozen=True)
class TrainConfig(Settings):
    """How a run is optimised."""

    loss: str = param(
        "bce",
        N_("Reconstruction loss"),
        N_("Binary cross-entropy treats pixels as probabilities of ink; MSE is the squared error."),
        choices=LOSSES,
    )
    optimizer: str = param(
        "adam",
        N_("Optimizer"),
        N_("Adam adapts a step size per weight and is the safe default; SGD uses momentum 0.9."),
        choices=OPTIMIZERS,
    )
    learning_rate: float | None = param(
        None,
        N_("Learning rate"),
        N_("Step size of the optimizer; empty means a value that suits the chosen optimizer."),
        minimum=1e-6,
        maximum=100.0,
        log_scale=True,
        # From the lowest to the highest rate allowed, so the slider reaches both bounds.
        suggestions=(
            None,
            *(1e-6, 1e-5, 1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2),
            *(0.1, 0.3, 1.0, 3.0, 10.0, 30.0, 100.0),
        ),
        none_label=N_("auto"),
    )
    batch_size: int = param(
        128,
        N_("Batch size"),
        N_("Images per gradient step: smaller batches give more, noisier steps per epoch."),
        minimum=1,
        maximum=4_096,
        suggestions=tuple(2**i for i in range(13)),  # 1 to 4,096, the bounds above
    )
    epochs: int = param(
        5, N_("Epochs"), N_("Passes over the training images."), minimum=1, maximum=500
    )
    seed: int = param(
        0,
        N_("Seed"),
        N_(
            "Fixes the initial weights, the subset, the shuffling and the noise: "
            "same seed, same run."
        ),
        minimum=0,
        maximum=2**31 - 1,
    )

    @property
    def effective_learning_rate(self) -> float:
        if self.learning_rate is not None:
            return self.learning_rate
        return DEFAULT_LEARNING_RATES[self.optimizer]


@dataclass(frozen=True)
class ArchConfig(Settings):
    """Settings every architecture has; each architecture extends it with its own."""

    # Filled in by the registry so a config always knows which architecture it belongs to.
    architecture: ClassVar[str] = ""

    latent_dim: int = param(
        32,
        N_("Code size"),
        N_("Units in the bottleneck. 2 lets you see the latent space directly as a scatter plot."),
        minimum=1,
        maximum=512,
    )
    output_activation: str = param(
        "sigmoid",
        N_("Output activation"),
        N_("Sigmoid keeps pixels in [0, 1], as the images are; linear leaves them unbounded."),
        choices=OUTPUT_ACTIVATIONS,
    )
