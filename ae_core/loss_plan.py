"""What a loss chart shows, decided once for each way of drawing it.

The Reconstructions page draws a run's losses as an interactive plotly chart, the Train
page's live view as a light SVG drawing (`ae_core.epoch_drawings`); both draw this plan, so
they agree on which lines there are, their names, colours and the notes on units.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from ae_core.constants import FINAL_STAGE, PALETTE
from ae_core.i18n import N_, _

TOTAL_COLOUR = "#332288"
PRETRAINING_COLOUR = "#888888"
# The terms of a loss, from the palette: none the total's colour (the reconstruction term once
# shared it) nor pale against the plot's background.
TERM_COLOURS = ("#CC6677", "#117733", "#AA4499", "#44AA99", "#999933", "#882255")


class LossRecord(Protocol):
    """An epoch's losses, as the trainer records and reports them (no TensorFlow needed)."""

    @property
    def stage(self) -> str: ...
    @property
    def train(self) -> Mapping[str, float]: ...
    @property
    def validation(self) -> Mapping[str, float]: ...


@dataclass(frozen=True)
class LossLine:
    """One line: a loss term's training or validation values per epoch."""

    name: str  # the legend's entry: "total loss (training)"
    term: str  # the term's name in the hover text: "total loss"
    part: str  # "training" or "validation", in the reader's language
    xs: tuple[int, ...]  # epochs, counted over every stage
    ys: tuple[float | None, ...]
    colour: str
    width: float
    dashed: bool  # validation lines are dashed
    in_legend: bool  # the pretraining stages share one legend entry


@dataclass(frozen=True)
class StageBand:
    """A pretraining stage of a stacked model: shaded epochs from `first` to `last`."""

    first: int
    last: int
    colour: str
    label: str


@dataclass(frozen=True)
class LossPlan:
    lines: tuple[LossLine, ...]
    bands: tuple[StageBand, ...]
    notes: tuple[str, ...]  # each term's unit: the terms are not all errors per pixel
    log_scale: bool  # the values span more than a factor of 30
    epochs: int


# What each term is measured in: only the reconstruction error is a mean per pixel.
TERM_UNITS = {
    "loss": N_("the sum of the terms below"),
    "reconstruction_loss": N_("mean per pixel"),
    "kl_loss": N_("KL divergence per image ÷ 784, so per pixel"),
    "sparsity_loss": N_("penalty on the code units, per image (not per pixel)"),
    "weight_decay": N_("penalty on the weights (not per pixel)"),
    "contractive_loss": N_("squared Jacobian norm per image (not per pixel)"),
}


def term_label(term: str) -> str:
    names = {
        "loss": N_("total loss"),
        "reconstruction_loss": N_("reconstruction"),
        "kl_loss": N_("KL"),
        "sparsity_loss": N_("sparsity"),
        "weight_decay": N_("weight decay"),
        "contractive_loss": N_("contractive"),
    }
    return _(names.get(term, term.replace("_loss", "").replace("_", " ")))


def plan_losses(records: Sequence[LossRecord]) -> LossPlan:
    """Training (solid) and validation (dashed) losses per epoch, with each loss term.

    `records` are epoch records or reports, in order; pretraining stages of a stacked model
    come first, each a shaded band with its own loss in grey.
    """
    xs = list(range(1, len(records) + 1))
    stages = [r.stage for r in records]
    main = [i for i, s in enumerate(stages) if s == FINAL_STAGE]
    lines: list[LossLine] = []
    bands: list[StageBand] = []
    for i, stage in enumerate(dict.fromkeys(s for s in stages if s != FINAL_STAGE)):
        idx = [j for j, s in enumerate(stages) if s == stage]
        # Layer 1 rebuilds pixels; deeper layers rebuild the hidden activations below.
        label = _("layer {layer}: pixels") if i == 0 else _("layer {layer}: hidden units")
        bands.append(StageBand(xs[idx[0]], xs[idx[-1]], PALETTE[i % 10], label.format(layer=i + 1)))
        lines += _pair(
            xs,
            [records[j] for j in idx],
            idx,
            "loss",
            re.split(r"[(（]", str(stage))[0].strip(),
            PRETRAINING_COLOUR,
            width=2.0,
            in_legend=i == 0,
            legend_name=_("pretraining loss"),
        )
    terms: list[str] = []
    if main:
        terms = list(records[main[0]].train)
        if len(terms) <= 2:  # no penalty: the reconstruction loss *is* the loss
            terms = ["loss"]
        for term_index, term in enumerate(terms):
            lines += _pair(
                xs,
                [records[j] for j in main],
                main,
                term,
                term_label(term),
                _term_colour(term, term_index),
                width=3 if term == "loss" else 1.5,
            )
    values = [v for r in records for v in (*r.train.values(), *r.validation.values())]
    positive = [v for v in values if v is not None and v > 0 and math.isfinite(v)]
    # "The sum of the terms below" only when there are terms below it.
    notes = [
        f"{term_label(t)}: {_(TERM_UNITS[t])}"
        for t in terms
        if t in TERM_UNITS and (t != "loss" or len(terms) > 1)
    ]
    if len(stages) > len(main):
        notes.append(_("pretraining: layer 1 per pixel, deeper layers per hidden unit"))
    return LossPlan(
        lines=tuple(lines),
        bands=tuple(bands),
        notes=tuple(notes),
        log_scale=bool(positive) and max(positive) / min(positive) > 30,
        epochs=len(records),
    )


def _term_colour(term: str, index: int) -> str:
    return TOTAL_COLOUR if term == "loss" else TERM_COLOURS[(index - 1) % len(TERM_COLOURS)]


def _pair(
    xs: list[int],
    records: Sequence[LossRecord],
    positions: list[int],
    term: str,
    label: str,
    colour: str,
    width: float,
    in_legend: bool = True,
    legend_name: str | None = None,
) -> list[LossLine]:
    lines = []
    for part in ("train", "validation"):
        ys = tuple(getattr(r, part).get(term) for r in records)
        if all(y is None for y in ys):
            continue
        part_name = _("training") if part == "train" else _("validation")
        lines.append(
            LossLine(
                name=f"{legend_name or label} ({part_name})",
                term=label,
                part=part_name,
                xs=tuple(xs[j] for j in positions),
                ys=ys,
                colour=colour,
                width=width,
                dashed=part == "validation",
                in_legend=in_legend,
            )
        )
    return lines
