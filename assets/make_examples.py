"""Draws the example images in assets/examples/ (run: python assets/make_examples.py).

Hand-made, not taken from any dataset: digits are smooth pen strokes on different kinds of
"paper", each a case the preprocessing must handle.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

OUT = Path(__file__).resolve().parent / "examples"

# Strokes in a unit square (x right, y down); each stroke is smoothed through its points.
STROKES = {
    "2": [
        [
            (0.22, 0.3),
            (0.35, 0.13),
            (0.57, 0.1),
            (0.74, 0.22),
            (0.72, 0.4),
            (0.5, 0.6),
            (0.24, 0.88),
            (0.8, 0.86),
        ]
    ],
    "3": [
        [
            (0.26, 0.2),
            (0.48, 0.09),
            (0.7, 0.18),
            (0.69, 0.36),
            (0.47, 0.47),
            (0.72, 0.58),
            (0.74, 0.78),
            (0.52, 0.91),
            (0.25, 0.83),
        ]
    ],
    "4": [[(0.58, 0.08), (0.22, 0.62), (0.82, 0.62)], [(0.63, 0.32), (0.63, 0.94)]],
    "7": [[(0.22, 0.14), (0.78, 0.14), (0.44, 0.92)]],
    "0": [
        [
            (0.5, 0.08),
            (0.28, 0.2),
            (0.22, 0.5),
            (0.3, 0.82),
            (0.5, 0.92),
            (0.7, 0.8),
            (0.78, 0.5),
            (0.7, 0.18),
            (0.5, 0.08),
        ]
    ],
}


def smooth(points: list[tuple[float, float]], steps: int = 12) -> list[tuple[float, float]]:
    """Catmull-Rom spline through the points (corners of 2-point segments stay straight)."""
    if len(points) < 3:
        return points
    p = [points[0], *points, points[-1]]
    out = []
    for i in range(1, len(p) - 2):
        p0, p1, p2, p3 = (np.array(q) for q in p[i - 1 : i + 3])
        for t in np.linspace(0, 1, steps, endpoint=False):
            out.append(
                tuple(
                    0.5
                    * (
                        (2 * p1)
                        + (-p0 + p2) * t
                        + (2 * p0 - 5 * p1 + 4 * p2 - p3) * t**2
                        + (-p0 + 3 * p1 - 3 * p2 + p3) * t**3
                    )
                )
            )
    out.append(points[-1])
    return out


def draw(
    digit: str, size: int, box: tuple[int, int, int], width: int, colour, canvas: Image.Image
) -> None:
    left, top, side = box
    pen = ImageDraw.Draw(canvas)
    for stroke in STROKES[digit]:
        line = smooth(stroke) if digit in "230" else stroke
        pen.line(
            [(left + x * side, top + y * side) for x, y in line],
            fill=colour,
            width=width,
            joint="curve",
        )


def photo_of_a_3() -> None:
    rng = np.random.default_rng(3)
    w, h = 480, 360
    ys, xs = np.mgrid[0:h, 0:w]
    paper = 0.62 + 0.3 * xs / w + 0.08 * ys / h  # a lamp on the right
    base = Image.fromarray((np.clip(paper, 0, 1) * 255).astype(np.uint8)).convert("RGB")
    base = Image.merge(
        "RGB",
        [
            c.point(lambda v, k=k: int(v * k))
            for c, k in zip(base.split(), (1.0, 0.96, 0.86), strict=True)
        ],
    )
    draw("3", 0, (150, 70, 210), 13, (55, 50, 60), base)
    noisy = np.asarray(base, np.float32) + rng.normal(0, 6, (h, w, 3))
    image = Image.fromarray(np.clip(noisy, 0, 255).astype(np.uint8)).rotate(
        6, fillcolor=(150, 140, 120)
    )
    image.filter(ImageFilter.GaussianBlur(0.8)).save(OUT / "photo_of_a_3.jpg", quality=82)


def marker_7() -> None:
    image = Image.new("L", (400, 300), 255)
    draw("7", 0, (40, 30, 220), 22, 10, image)
    image.save(OUT / "marker_7.png")


def chalk_2() -> None:
    rng = np.random.default_rng(2)
    board = Image.new("RGB", (360, 360), (38, 62, 48))
    draw("2", 0, (70, 60, 230), 16, (235, 235, 225), board)
    grain = np.asarray(board, np.float32) + rng.normal(0, 14, (360, 360, 3))
    Image.fromarray(np.clip(grain, 0, 255).astype(np.uint8)).save(OUT / "chalk_2.jpg", quality=85)


def sticker_4() -> None:
    image = Image.new("RGBA", (300, 300), (0, 0, 0, 0))
    draw("4", 0, (45, 40, 220), 18, (30, 60, 200, 255), image)
    image.save(OUT / "sticker_4.png")


def ruled_paper_0() -> None:
    image = Image.new("RGB", (320, 420), (250, 250, 245))
    pen = ImageDraw.Draw(image)
    for y in range(30, 420, 34):
        pen.line([(0, y), (320, y)], fill=(170, 190, 235), width=2)
    pen.line([(40, 0), (40, 420)], fill=(230, 150, 150), width=2)
    draw("0", 0, (90, 110, 190), 9, (20, 30, 110), image)
    image.save(OUT / "ruled_paper_0.webp", quality=90)


def icon() -> None:
    """The app's favicon: a white 8 on black, like an MNIST digit (served locally, no CDN)."""
    image = Image.new("RGB", (64, 64), (0, 0, 0))
    draw("0", 0, (14, 4, 32), 6, (255, 255, 255), image)
    draw("0", 0, (12, 30, 34), 6, (255, 255, 255), image)
    image.save(OUT.parent / "icon.png")


if __name__ == "__main__":
    OUT.mkdir(exist_ok=True)
    for make in (photo_of_a_3, marker_7, chalk_2, sticker_4, ruled_paper_0, icon):
        make()
    print("\n".join(sorted(p.name for p in OUT.iterdir())))
