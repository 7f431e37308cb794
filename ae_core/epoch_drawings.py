"""The Train page's live view as SVG: each epoch's reconstructions, losses and codes.

These three pictures change once an epoch, in every tab that watches a run. As plotly charts
(plotly.js parsed, a software WebGL context for the scatter, three charts redrawn each
epoch) five watching tabs cost Chromium 0.85-0.89 of a core, against 0.20 with no charts at
all; as SVG, 0.32-0.33 (`python -m bench.watching`, bench/README.md). Thirty tabs watching
one run on two cores spent most of the run drawing. The interactive charts (hover any
point, zoom) stay on the pages made for exploring a model: Reconstructions and Latent space.

Pure functions from arrays to SVG text, tested without a browser; `pages.ui.charts`
puts them in the page.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

import numpy as np

from ae_core.constants import PALETTE, SIGNED_HIGH, SIGNED_LOW
from ae_core.drawings import (
    IMAGE_GAP,
    centred_lines,
    pixel_image,
    side_by_side,
    svg_element,
    text_width,
)
from ae_core.i18n import N_, _, shown
from ae_core.loss_plan import LossRecord, plan_losses

TITLE_BAND = 30
TITLE_SIZE = 16
PLOT_BACKGROUND = "#F7F7F7"
GRID = "#FFFFFF"
NOTE_COLOUR = "#555555"


@dataclass(frozen=True)
class PictureRow:
    """One labelled row of images, with optional captions under them."""

    title: str
    images: np.ndarray  # (n, height, width): [0, 1], or [-1, 1] when signed
    captions: Sequence[str] | None = None
    signed: bool = False  # differences: blue below 0, red above, black at 0


def image_rows_drawing(
    rows: Sequence[PictureRow], title: str | None = None, cell: float = 48, scale: float = 1.0
) -> str:
    """Rows of images one above the other, each image `cell` pixels wide, its row's title
    on the left and its caption under it (MNIST's look: white ink on black)."""
    count = max(len(r.images) for r in rows)
    side_h, side_w = np.asarray(rows[0].images).shape[1:3]
    unit = cell / side_w
    left = 12 + max(text_width(_(shown(r.title)), 12, bold=True) for r in rows)
    has_captions = any(r.captions for r in rows)
    band = side_h * unit + (16 if has_captions else 6)
    top = TITLE_BAND if title else 4
    parts = [_title(title)] if title else []
    for i, row in enumerate(rows):
        y = top + i * band
        images = np.asarray(row.images, np.float32)
        strip = _montage(images, row.signed)
        parts.append(pixel_image(strip, left, y, strip.shape[1] * unit, side_h * unit))
        parts.append(
            f'<text x="{left - 6:.1f}" y="{y + side_h * unit / 2 + 4:.1f}" font-size="12" '
            f'font-weight="bold" text-anchor="end">{escape(_(shown(row.title)))}</text>'
        )
        for j, caption in enumerate(row.captions or []):
            centre = left + (j * (side_w + IMAGE_GAP) + side_w / 2) * unit
            parts.append(centred_lines([caption], centre, y + side_h * unit + 12, 12, 10))
    width = left + (count * (side_w + IMAGE_GAP) - IMAGE_GAP) * unit + 6
    label = _(shown(title)) if title else " / ".join(_(shown(r.title)) for r in rows)
    return svg_element(width, top + len(rows) * band, scale, label, parts)


def loss_drawing(
    records: Sequence[LossRecord], title: str = N_("Loss per epoch"), scale: float = 1.0
) -> str:
    """The losses per epoch as `ae_core.loss_plan` plans them (the interactive chart's
    lines, names and notes): training solid, validation dashed, pretraining shaded. Each
    point's value shows on hovering it."""
    plan = plan_losses(records)
    values = [
        y for line in plan.lines for y in line.ys if y is not None and _finite(y, plan.log_scale)
    ]
    width, plot = 460, _Box(left=62, top=TITLE_BAND + 6, width=384, height=230)
    x_axis = _Axis(0.5, plan.epochs + 0.5, plot.left, plot.right)
    low, high = (min(values), max(values)) if values else (0.0, 1.0)
    y_axis = _Axis.fitted(low, high, plot.bottom, plot.top, plan.log_scale)
    parts = [_title(title), *_frame(plot, x_axis, y_axis, _("epoch"), _("loss"), whole_x=True)]
    for band in plan.bands:
        x0, x1 = x_axis.to_px(band.first - 0.5), x_axis.to_px(band.last + 0.5)
        parts.append(
            f'<rect x="{x0:.1f}" y="{plot.top}" width="{x1 - x0:.1f}" height="{plot.height}" '
            f'fill="{band.colour}" fill-opacity="0.15"/>'
            f'<text x="{x0 + 4:.1f}" y="{plot.top + 14}" font-size="11">{escape(band.label)}</text>'
        )
    for line in plan.lines:
        points = [
            (x, y, x_axis.to_px(x), y_axis.to_px(y))
            for x, y in zip(line.xs, line.ys, strict=True)
            if y is not None and _finite(y, plan.log_scale)
        ]
        path = " ".join(f"{px:.1f},{py:.1f}" for _x, _y, px, py in points)
        dash = ' stroke-dasharray="6 4"' if line.dashed else ""
        parts.append(
            f'<polyline points="{path}" fill="none" stroke="{line.colour}" '
            f'stroke-width="{line.width}"{dash}/>'
        )
        for x, y, px, py in points:
            tip = f"{line.term} ({line.part}), {_('epoch')} {x}: {y:.5f}"
            parts.append(
                f'<circle cx="{px:.1f}" cy="{py:.1f}" r="3.5" fill="{line.colour}">'
                f"<title>{escape(tip)}</title></circle>"
            )
    legend = [(line.name, line.colour, line.dashed) for line in plan.lines if line.in_legend]
    y = plot.bottom + 56
    y, legend_parts = _legend_rows(legend, 12, y, width - 8)
    parts += legend_parts
    for note in plan.notes:  # each term's unit: the terms are not all errors per pixel
        y += 16
        parts.append(
            f'<text x="12" y="{y:.1f}" font-size="12" fill="{NOTE_COLOUR}">{escape(note)}</text>'
        )
    return svg_element(width, y + 8, scale, _(shown(title)), parts)


def codes_drawing(
    points: np.ndarray,
    labels: np.ndarray,
    class_names: Sequence[str],
    x_title: str = N_("code 1"),
    y_title: str = N_("code 2"),
    title: str | None = None,
    scale: float = 1.0,
) -> str:
    """Codes as dots coloured by label, both axes to the same scale (distances in the
    picture are distances between codes), a legend of the labels on the right; hovering a
    dot names its label."""
    points = np.asarray(points, np.float64)
    labels = np.asarray(labels)
    width, plot = 460, _Box(left=56, top=TITLE_BAND + 6, width=330, height=330)
    finite = np.isfinite(points).all(axis=1)
    (x_low, x_high), (y_low, y_high) = _equal_ranges(points[finite], plot.width, plot.height)
    x_axis = _Axis(x_low, x_high, plot.left, plot.right)
    y_axis = _Axis(y_low, y_high, plot.bottom, plot.top)
    parts = [_title(title)] if title else []
    parts += _frame(plot, x_axis, y_axis, _(shown(x_title)), _(shown(y_title)))
    legend_x = plot.right + 22
    parts.append(
        f'<text x="{legend_x - 8}" y="{plot.top + 10}" font-size="13">{escape(_("label"))}</text>'
    )
    for label, name in enumerate(class_names):
        shown_name = _(shown(name))
        mine = points[(labels == label) & finite]
        if len(mine):
            # One path of zero-length strokes with round ends: a dot per code, a single
            # element per label however many codes there are.
            dots = "".join(
                f"M{x_axis.to_px(x):.1f} {y_axis.to_px(y):.1f}h0" for x, y in mine[:, :2]
            )
            parts.append(
                f"<g><title>{escape(_('label {name}').format(name=shown_name))}</title>"
                f'<path d="{dots}" stroke="{PALETTE[label % len(PALETTE)]}" stroke-width="4.5" '
                f'stroke-linecap="round" stroke-opacity="0.75" fill="none"/></g>'
            )
        y = plot.top + 30 + 19 * label
        parts.append(
            f'<circle cx="{legend_x}" cy="{y - 4}" r="4.5" fill="{PALETTE[label % len(PALETTE)]}"/>'
            f'<text x="{legend_x + 10}" y="{y}" font-size="13">{escape(shown_name)}</text>'
        )
    height = max(plot.bottom + 46, plot.top + 40 + 19 * len(class_names))
    return svg_element(width, height, scale, _(shown(title)) if title else _("label"), parts)


def nice_ticks(low: float, high: float, count: int = 5) -> list[float]:
    """Round values from `low` to `high` about `count` apart: steps of 1, 2, 2.5 or 5
    times a power of ten."""
    if not high > low:
        return [low]
    raw = (high - low) / count
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw * 0.999)
    first = math.ceil(low / step - 1e-9)
    return [round(k * step, 12) for k in range(first, math.floor(high / step + 1e-9) + 1)]


def log_ticks(low: float, high: float) -> list[float]:
    """Powers of ten from `low` to `high`, with 2 and 5 times them when too few fit."""
    powers = range(math.floor(math.log10(low)), math.ceil(math.log10(high)) + 1)
    for multiples in ((1,), (1, 2, 5), (1, 2, 3, 4, 5, 6, 7, 8, 9)):
        ticks = [m * 10.0**p for p in powers for m in multiples]
        ticks = [t for t in ticks if low * 0.999 <= t <= high * 1.001]
        if len(ticks) >= 3:
            return ticks
    return ticks


def tick_text(value: float) -> str:
    return f"{value:.4g}"


@dataclass(frozen=True)
class _Box:
    left: float
    top: float
    width: float
    height: float

    @property
    def right(self) -> float:
        return self.left + self.width

    @property
    def bottom(self) -> float:
        return self.top + self.height


@dataclass(frozen=True)
class _Axis:
    """Values from `low` to `high` onto pixels from `start` to `end`, linear or log."""

    low: float
    high: float
    start: float
    end: float
    log: bool = False

    @classmethod
    def fitted(cls, low: float, high: float, start: float, end: float, log: bool) -> _Axis:
        """An axis a little wider than the values, so no point sits on its edge."""
        if log:
            low, high = math.log10(low), math.log10(high)
        pad = (high - low) * 0.06 or max(abs(high) * 0.1, 1e-3)
        low, high = low - pad, high + pad
        if log:
            return cls(10**low, 10**high, start, end, log=True)
        return cls(low, high, start, end)

    def to_px(self, value: float) -> float:
        low, high, value = (
            (math.log10(self.low), math.log10(self.high), math.log10(value))
            if self.log
            else (self.low, self.high, value)
        )
        return self.start + (value - low) / (high - low) * (self.end - self.start)

    def ticks(self, whole: bool = False) -> list[float]:
        if self.log:
            return log_ticks(self.low, self.high)
        if whole and self.high - self.low <= 21:  # epochs: each one, as the plotly chart
            return [float(k) for k in range(math.ceil(self.low), math.floor(self.high) + 1)]
        ticks = nice_ticks(self.low, self.high)
        return [t for t in ticks if t == int(t)] if whole else ticks


def _frame(
    plot: _Box, x_axis: _Axis, y_axis: _Axis, x_title: str, y_title: str, whole_x: bool = False
) -> list[str]:
    """The plot's background, grid, tick labels and axis titles."""
    parts = [
        f'<rect x="{plot.left}" y="{plot.top}" width="{plot.width}" height="{plot.height}" '
        f'fill="{PLOT_BACKGROUND}"/>'
    ]
    for tick in x_axis.ticks(whole=whole_x):
        x = x_axis.to_px(tick)
        parts.append(
            f'<line x1="{x:.1f}" y1="{plot.top}" x2="{x:.1f}" y2="{plot.bottom}" '
            f'stroke="{GRID}" stroke-width="1.5"/>'
            f'<text x="{x:.1f}" y="{plot.bottom + 16}" font-size="12" text-anchor="middle">'
            f"{tick_text(tick)}</text>"
        )
    for tick in y_axis.ticks():
        y = y_axis.to_px(tick)
        parts.append(
            f'<line x1="{plot.left}" y1="{y:.1f}" x2="{plot.right}" y2="{y:.1f}" '
            f'stroke="{GRID}" stroke-width="1.5"/>'
            f'<text x="{plot.left - 5}" y="{y + 4:.1f}" font-size="12" text-anchor="end">'
            f"{tick_text(tick)}</text>"
        )
    middle = plot.top + plot.height / 2
    parts.append(
        f'<text x="{plot.left + plot.width / 2:.1f}" y="{plot.bottom + 35}" font-size="13" '
        f'text-anchor="middle">{escape(x_title)}</text>'
        f'<text x="14" y="{middle:.1f}" font-size="13" text-anchor="middle" '
        f'transform="rotate(-90 14 {middle:.1f})">{escape(y_title)}</text>'
    )
    return parts


def _legend_rows(
    entries: Sequence[tuple[str, str, bool]], left: float, y: float, right: float
) -> tuple[float, list[str]]:
    """Legend entries (name, colour, dashed) in a grid of even columns, so that a term's
    training and validation lines share a row; returns the last row's baseline and the
    parts."""
    widths = [30 + text_width(name, 12) + 12 for name, _colour, _dashed in entries]
    column = max(widths, default=0)
    columns = max(1, min(len(entries), int((right - left) // column) if column else 1))
    if columns > 1 and columns % 2:
        columns -= 1
    parts = []
    for i, (name, colour, dashed) in enumerate(entries):
        x, row_y = left + (i % columns) * column, y + (i // columns) * 18
        dash = ' stroke-dasharray="5 3"' if dashed else ""
        parts.append(
            f'<line x1="{x:.1f}" y1="{row_y - 4:.1f}" x2="{x + 24:.1f}" y2="{row_y - 4:.1f}" '
            f'stroke="{colour}" stroke-width="2.5"{dash}/>'
            f'<text x="{x + 30:.1f}" y="{row_y:.1f}" font-size="12">{escape(name)}</text>'
        )
    return y + (max(len(entries) - 1, 0) // columns) * 18, parts


def _equal_ranges(
    points: np.ndarray, width: float, height: float
) -> tuple[tuple[float, float], tuple[float, float]]:
    """Ranges around the points with one scale on both axes, filling a width x height box."""
    if len(points) == 0:
        return (-1.0, 1.0), (-1.0, 1.0)
    low, high = points[:, :2].min(axis=0), points[:, :2].max(axis=0)
    centre, spread = (low + high) / 2, np.maximum(high - low, 1e-6) * 1.08
    per_pixel = max(spread[0] / width, spread[1] / height)
    half_x, half_y = per_pixel * width / 2, per_pixel * height / 2
    return (
        (float(centre[0] - half_x), float(centre[0] + half_x)),
        (float(centre[1] - half_y), float(centre[1] + half_y)),
    )


def _finite(value: float, log: bool) -> bool:
    return math.isfinite(value) and (value > 0 or not log)


def _montage(images: np.ndarray, signed: bool) -> np.ndarray:
    """The images side by side on white, as uint8 grey (or RGB for signed values)."""
    if signed:
        values = np.clip(images, -1, 1)[..., None]
        colour = np.where(values < 0, -values * _rgb(SIGNED_LOW), values * _rgb(SIGNED_HIGH))
        return side_by_side(colour.round().astype(np.uint8), fill=255)
    return side_by_side((np.clip(images, 0, 1) * 255).round().astype(np.uint8), fill=255)


def _rgb(colour: str) -> np.ndarray:
    """ "#2166AC" -> [33, 102, 172]."""
    return np.array([int(colour[i : i + 2], 16) for i in (1, 3, 5)])


def _title(title: str) -> str:
    return f'<text x="6" y="21" font-size="{TITLE_SIZE}">{escape(_(shown(title)))}</text>'
