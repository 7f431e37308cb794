"""Drawings: pictures that never change while a page is open, as SVG text.

The network diagram and the Home page's sketch used to be plotly charts. A plotly chart
costs a browser tab about a second of its main thread the first time a page shows one
(plotly.js is parsed and compiled), and on a class server the students' tabs share the
cores with the training: measured with `python -m bench.tab_cost`, the Train page opened
in 1.8-2.1 s of a tab's main thread with a plotly network diagram and in 0.8-1.2 s
without one. These drawings are plain SVG the page puts inline (so it uses the page's own
fonts, the Chinese one included), with the details a plotly hover gave as SVG tooltips.
"""

from __future__ import annotations

import base64
import io
import math
from collections.abc import Sequence
from html import escape
from typing import Protocol

import numpy as np

from ae_core.constants import CODE_LAYERS, PAGE_FONTS
from ae_core.i18n import N_, _, shown

ENCODER_COLOUR, DECODER_COLOUR, CODE_COLOUR = "#88CCEE", "#44AA99", "#DDCC77"
OUTLINE = "#333333"

# The words of the lab's layer names ("encoder_dense_1"), for the network diagram.
LAYER_WORDS = {
    "encoder": N_("encoder"),
    "decoder": N_("decoder"),
    "dense": N_("dense"),
    "conv": N_("conv"),
    "deconv": N_("deconv"),
    "pixels": N_("pixels"),
    "image": N_("image"),
    "code": N_("code"),
    "mean": N_("mean"),
    "log": N_("log"),
    "var": N_("var"),
    "sample": N_("sample"),
    "input": N_("input"),
    "feature": N_("feature"),
    "map": N_("map"),
    "add": N_("add"),
    "channel": N_("channel"),
}

# Network diagram geometry, in SVG pixels.
BLOCK_WIDTH = 54
COLUMN = 96  # one layer's column: wide enough for "Conv2DTranspose" under its block
UNIT = 26  # block height per unit of (0.6 + log2(outputs) / 2.2), as the plotly version
TITLE_BAND = 34
LINE = 14  # one line of the labels under the blocks
BOLD = ' font-weight="bold"'
IMAGE_GAP = 2  # image pixels between neighbouring images in a row, in charts and drawings


class LayerLike(Protocol):
    """A layer as `Autoencoder.layers()` describes it."""

    @property
    def part(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def kind(self) -> str: ...
    @property
    def output_shape(self) -> tuple[int | None, ...]: ...
    @property
    def parameters(self) -> int: ...
    @property
    def activation(self) -> str | None: ...


def layer_label(name: str) -> str:
    """A layer's name in the reader's words ("encoder_dense_1" -> "encoder dense 1")."""
    return " ".join(_(LAYER_WORDS[w]) if w in LAYER_WORDS else w for w in name.split("_"))


def network_diagram(
    layers: Sequence[LayerLike], title: str | None = None, scale: float = 1.0
) -> str:
    """The network as blocks from input to output; block height grows with layer size.

    Reshape-only layers are folded away. Under each block: its name, kind, output shape and
    activation; hovering a block shows its parameters. `scale` enlarges the whole drawing
    (a classroom projector); the drawing never grows wider than the page column.
    """
    drawn = [
        layer
        for layer in layers
        if (layer.kind not in ("Reshape", "Flatten") or layer.name == "image")
        and not (layer.kind == "InputLayer" and layer.part == "decoder")
    ]
    heights = [UNIT * (0.6 + math.log2(max(_units(layer), 1)) / 2.2) for layer in drawn]
    tallest = max(heights, default=0)
    middle = TITLE_BAND + tallest / 2 + 4
    labels_top = middle + tallest / 2 + 16
    width = max(COLUMN * len(drawn), 320)
    height = labels_top + 4 * LINE + 6
    total = sum(layer.parameters for layer in layers)
    heading = _(shown(title)) if title else _("{total:,} trainable parameters").format(total=total)
    parts = [
        f'<text x="6" y="22" font-size="16">{escape(heading)}</text>',
    ]
    for i, (layer, block_height) in enumerate(zip(drawn, heights, strict=True)):
        centre = COLUMN * i + COLUMN / 2
        if i:  # the data flows from the previous block into this one
            parts.append(
                f'<line x1="{centre - COLUMN + BLOCK_WIDTH / 2:.1f}" y1="{middle:.1f}" '
                f'x2="{centre - BLOCK_WIDTH / 2:.1f}" y2="{middle:.1f}" stroke="#999999"/>'
            )
        is_code = layer.name in CODE_LAYERS
        colour = CODE_COLOUR if is_code else _part_colour(layer.part)
        shape = "×".join(str(d) for d in layer.output_shape)
        lines = [
            _("code") if is_code else layer_label(layer.name),
            layer.kind,
            shape,
        ]
        if layer.activation and layer.activation != "linear":
            lines.append(layer.activation)
        details = _("{name} ({part}): {kind}, output {shape}, {parameters:,} parameters").format(
            name=layer_label(layer.name),
            part=_(layer.part),
            kind=layer.kind,
            shape=shape,
            parameters=layer.parameters,
        )
        parts.append(
            f"<g><title>{escape(details)}</title>"
            f'<rect x="{centre - BLOCK_WIDTH / 2:.1f}" y="{middle - block_height / 2:.1f}" '
            f'width="{BLOCK_WIDTH}" height="{block_height:.1f}" fill="{colour}" '
            f'stroke="{OUTLINE}"/>'
            + centred_lines(lines, centre, labels_top, LINE, font_size=11, bold_first=True)
            + "</g>"
        )
    return svg_element(width, height, scale, heading, parts)


def autoencoder_sketch(
    image: np.ndarray,
    reconstruction: np.ndarray,
    code_size: int = 2,
    output_label: str = N_("reconstruction\n784 pixels"),
    scale: float = 1.0,
) -> str:
    """The idea in one picture: image -> encoder -> small code -> decoder -> image.

    `output_label` says what the right-hand image really is (a model's output, or a
    stand-in drawn for illustration); a newline breaks it into lines."""
    # Coordinates of the plotly version: an image is 28 units, the whole is 146 x 28. Labels
    # are large for the size: the drawing is shown in a narrow column, shrunk to fit.
    unit, font, margin = 3.0, 20, 36
    parts = [
        grey_image(image, 0, 0, 28 * unit),
        grey_image(reconstruction, 118 * unit, 0, 28 * unit),
        _polygon([(32, 0), (62, 10), (62, 18), (32, 28)], unit, ENCODER_COLOUR),
        _polygon([(84, 10), (114, 0), (114, 28), (84, 18)], unit, DECODER_COLOUR),
        _polygon([(66, 9), (80, 9), (80, 19), (66, 19)], unit, CODE_COLOUR),
    ]
    for x, text in (
        (14, _("input\n784 pixels")),
        (47, _("encoder")),
        (73, _("code\n{size} numbers").format(size=code_size)),
        (99, _("decoder")),
        (132, _(shown(output_label))),
    ):
        first_line = 28 * unit + font * 1.2
        parts.append(centred_lines(text.splitlines(), x * unit, first_line, font, font_size=font))
    summary = _("An image, the encoder, a code of {size} numbers, the decoder, and {output}.")
    description = summary.format(size=code_size, output=" ".join(_(shown(output_label)).split()))
    width, height = 146 * unit + 2 * margin, 28 * unit + font * 2.6
    return svg_element(width, height, scale, description, parts, left=-margin)


def centred_lines(
    lines: Sequence[str],
    x: float,
    first_y: float,
    spacing: float,
    font_size: float,
    bold_first: bool = False,
) -> str:
    """One text element of lines centred on `x`, one below the other from `first_y`."""
    spans = "".join(
        f'<tspan x="{x:.1f}" y="{first_y + spacing * row:.1f}"'
        f"{BOLD if bold_first and row == 0 else ''}>{escape(line)}</tspan>"
        for row, line in enumerate(lines)
    )
    return f'<text text-anchor="middle" font-size="{font_size}">{spans}</text>'


def side_by_side(tiles: np.ndarray, fill: float) -> np.ndarray:
    """Images (n, height, width[, channels]) in one row, `IMAGE_GAP` columns of `fill`
    between neighbours."""
    count, height, width = tiles.shape[:3]
    row = np.full(
        (height, count * (width + IMAGE_GAP) - IMAGE_GAP, *tiles.shape[3:]), fill, tiles.dtype
    )
    for i, tile in enumerate(tiles):
        row[:, i * (width + IMAGE_GAP) : i * (width + IMAGE_GAP) + width] = tile
    return row


def text_width(text: str, font_size: float, bold: bool = False) -> float:
    """About how wide a text is drawn: a Chinese character is about twice a Latin one."""
    units = sum(1.0 if ord(c) > 0x2E7F else 0.5 for c in text)
    return units * font_size * (1.08 if bold else 1.0)


def _units(layer: LayerLike) -> int:
    return int(np.prod([d for d in layer.output_shape if d]))


def _part_colour(part: str) -> str:
    return {"encoder": ENCODER_COLOUR, "decoder": DECODER_COLOUR}.get(part, "#BBBBBB")


def _polygon(points: Sequence[tuple[float, float]], unit: float, colour: str) -> str:
    path = " ".join(f"{x * unit:.0f},{y * unit:.0f}" for x, y in points)
    return f'<polygon points="{path}" fill="{colour}" stroke="{OUTLINE}"/>'


def grey_image(values: np.ndarray, x: float, y: float, size: float) -> str:
    """A [0, 1] image as MNIST shows it (white ink on black), pixels kept square."""
    pixels = (np.clip(np.asarray(values, dtype=float), 0, 1) * 255).round().astype(np.uint8)
    return pixel_image(pixels, x, y, size, size)


def pixel_image(pixels: np.ndarray, x: float, y: float, width: float, height: float) -> str:
    """An SVG image of a uint8 array (grey, or RGB in the last axis), each pixel a crisp
    square however large it is drawn."""
    from PIL import Image

    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, format="PNG")
    data = base64.b64encode(buffer.getvalue()).decode("ascii")
    return (
        f'<image x="{x:.1f}" y="{y:.1f}" width="{width:.1f}" height="{height:.1f}" '
        f'preserveAspectRatio="none" style="image-rendering: pixelated" '
        f'href="data:image/png;base64,{data}"/>'
    )


def svg_element(
    width: float, height: float, scale: float, label: str, parts: list[str], left: float = 0
) -> str:
    """The SVG element: drawn at `scale` times its size, never wider than its column."""
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="{escape(label)}" '
        f'viewBox="{left:.0f} 0 {width:.0f} {height:.0f}" width="{width * scale:.0f}" '
        f'height="{height * scale:.0f}" style="max-width: 100%; height: auto; '
        f'background: white" font-family="{escape(PAGE_FONTS)}" fill="#222222">'
        + "".join(parts)
        + "</svg>"
    )
