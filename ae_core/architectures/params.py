"""Settings shared by several architectures, each with its own default."""

from __future__ import annotations

from typing import Any

from ae_core.config import ACTIVATIONS, param
from ae_core.i18n import N_


def hidden_widths(default: tuple[int, ...], min_items: int = 1, **details: Any) -> Any:
    return param(
        default,
        N_("Hidden layer widths"),
        N_("Units in each hidden layer of the encoder, widest first; the decoder mirrors them."),
        minimum=1,
        maximum=2_048,
        min_items=min_items,
        max_items=5,
        **details,
    )


def activation(default: str = "relu", **details: Any) -> Any:
    return param(
        default,
        N_("Hidden activation"),
        N_("Non-linearity of the hidden layers."),
        choices=ACTIVATIONS,
        **details,
    )


def code_activation(default: str = "linear", **details: Any) -> Any:
    return param(
        default,
        N_("Code activation"),
        N_(
            "Non-linearity of the code units; linear lets codes spread freely (best for 2-D plots)."
        ),
        choices=ACTIVATIONS,
        **details,
    )


def conv_filters(default: tuple[int, ...] = (32, 64), **details: Any) -> Any:
    return param(
        default,
        N_("Convolution filters"),
        N_("Filters of each strided 3x3 convolution; each one halves the image side (28, 14, 7)."),
        minimum=1,
        maximum=256,
        min_items=1,
        max_items=2,
        **details,
    )
