"""Widgets generated from the settings' own metadata (label, help, bounds, choices)."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import streamlit as st

from ae_core.config import Param, Settings
from ae_core.i18n import N_, _
from ae_core.noise import NOISE_LABELS
from pages.ui.language import worded

CHOICE_LABELS = {
    "bce": N_("Binary cross-entropy"),
    "mse": N_("Mean squared error"),
    "adam": N_("Adam"),
    "adadelta": N_("Adadelta"),
    "rmsprop": N_("RMSprop"),
    "sgd": N_("SGD with momentum"),
    "l1": N_("L1 on activations"),
    "kl": N_("KL divergence to a target"),
    "conv": N_("Convolutional"),
    "dense": N_("Dense"),
    "mnist": N_("MNIST digits"),
    "fashion_mnist": N_("Fashion-MNIST clothing"),
    **NOISE_LABELS,
}


def settings_widgets(
    settings_class: type[Settings],
    values: dict[str, Any],
    key: str,
    columns: int = 3,
    skip: tuple[str, ...] = (),
    disabled: bool = False,
    fixed: Mapping[str, Any] | None = None,
    hidden: tuple[str, ...] = (),
    drawn: bool = True,
) -> dict[str, Any]:
    """One widget per setting, in declaration order, laid out in columns.

    A setting with `shown_when` appears only while the setting it depends on (declared
    earlier) has an allowed value; its stored value is kept either way. A lesson's `fixed`
    settings are shown locked at their value; its `hidden` ones get no widget and keep their
    fixed value, or else the default. Not `drawn` (a folded box), the values are what the
    widgets would show: the stored ones, a lesson's fixed ones.
    """
    fixed = fixed or {}
    chosen = dict(values)
    defaults = {name: f.default for name, (f, _) in settings_class.params().items()}
    for name in settings_class.params():
        if name in fixed:
            chosen[name] = fixed[name]
        elif name in hidden:
            chosen[name] = defaults[name]
    if not drawn:
        return chosen
    slots = st.columns(columns)
    shown = 0
    for name, (_field, p) in settings_class.params().items():
        if name in skip or name in hidden or not _is_shown(p, chosen):
            continue
        value = chosen.get(name, defaults[name])
        locked = name in fixed
        # A locked widget gets its own key: a value the student set earlier under the usual
        # key would otherwise be shown instead of the lesson's.
        widget_key = f"{key}.{name}" + (".fixed" if locked else "")
        with slots[shown % columns]:
            value = _widget(settings_class, name, p, value, widget_key, disabled or locked)
        chosen[name] = fixed[name] if locked else value
        shown += 1
    return chosen


def _is_shown(p: Param, values: dict[str, Any]) -> bool:
    if p.shown_when is None:
        return True
    other, allowed = p.shown_when
    return values.get(other) in allowed


def _widget(settings_class, name: str, p: Param, value: Any, key: str, disabled: bool) -> Any:
    kind = settings_class.value_kind(name)
    common: dict[str, Any] = dict(
        label=_(p.label), help=_(p.help) if p.help else None, key=key, disabled=disabled
    )
    if p.choices:
        index = p.choices.index(value) if value in p.choices else 0
        return st.selectbox(
            options=p.choices,
            index=index,
            format_func=worded(lambda c: _(CHOICE_LABELS.get(c, str(c)))),
            **common,
        )
    if kind == "bool":
        return st.checkbox(value=bool(value), **common)
    if p.suggestions or (kind == "float" and p.log_scale):
        options = list(p.suggestions or _log_grid(p))
        if value not in options:
            options = _with_value(options, value)
        return st.select_slider(
            options=options, value=value, format_func=worded(lambda v: _format(v, p)), **common
        )
    if kind == "list":
        text = ", ".join(str(v) for v in value) if isinstance(value, list | tuple) else str(value)
        return st.text_input(value=text, placeholder=p.example, **common)
    # Number boxes carry no bounds of their own: a browser keeps an out-of-range number on
    # screen (in red) while handing Python the last valid one, so Start would train with a
    # value nobody sees. The typed value goes to the settings, whose check names the bounds.
    if kind == "int":
        return _whole_number(st.number_input(value=int(value), step=1, **common))
    return float(st.number_input(value=float(value), format="%g", **common))


def _whole_number(value: float) -> int | float:
    """An int, unless the box holds a fraction (left for the settings' check to refuse)."""
    return int(value) if float(value).is_integer() else value


def _log_grid(p: Param) -> list[float]:
    """0 (if allowed) and 1-3-10 steps between the bounds, for weights spanning decades."""
    low = max(p.minimum or 0.0, 1e-7)
    high = p.maximum if p.maximum is not None else 1.0
    grid = [0.0] if (p.minimum or 0.0) <= 0 else []
    exponent = math.floor(math.log10(low))
    while 10**exponent <= high * 1.0001:
        for mantissa in (1, 3):
            v = float(f"{mantissa}e{exponent}")
            if low * 0.9999 <= v <= high * 1.0001:
                grid.append(v)
        exponent += 1
    return grid


def _with_value(options: list[Any], value: Any) -> list[Any]:
    """Insert a value that is not among the suggestions, keeping 'unset' where it was."""
    if value is None:
        return options
    numbers = sorted([o for o in options if o is not None] + [value])
    if None not in options:
        return numbers
    return [None, *numbers] if options[0] is None else [*numbers, None]


def _format(value: Any, p: Param) -> str:
    if value is None:
        return _(p.none_label)
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)
