"""People's own digit images, prepared the way MNIST prepared its digits.

`to_mnist(data)` takes raw file bytes (or a file-like object, or a PIL image) and returns a
float32 (28, 28) array in [0, 1], white ink on black. It does what LeCun et al. did to NIST's
digits (fit into 20x20 keeping the aspect ratio, centre of mass at the centre of 28x28),
after the steps real photos need: EXIF orientation, any Pillow mode, ink polarity, uneven
lighting, noise, finding the digit and cropping to it.

Untrusted input is opened with an allow-list of formats, keeps Pillow's decompression-bomb
guard (with a lower limit of its own, checked before any pixel is decoded) and never loads
truncated files. Anything unusable raises `ImageError` with a message a student understands.
"""

from __future__ import annotations

import io
from collections import deque
from dataclasses import dataclass
from typing import Any

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from ae_core.constants import SIDE
from ae_core.errors import AELabError
from ae_core.i18n import lazy

ALLOWED_FORMATS = ("PNG", "JPEG", "WEBP", "BMP", "GIF", "TIFF")
FILE_TYPES = ("png", "jpg", "jpeg", "webp", "bmp", "gif", "tif", "tiff")
MAX_PIXELS = 40_000_000  # a 40-megapixel photo; Pillow's own guard starts at 89 million
MIN_SIDE = 8
WORK_SIDE = 192  # longer side while cleaning up: plenty for a digit, fast in numpy
MIN_CONTRAST = 0.12  # the strongest ink must differ this much from the paper
MIN_SEPARATION = 0.06  # and ink on average must stand out at least this much from the paper
DIGIT_BOX = 20
# MNIST strokes are about 0.09-0.15 of the digit's height; thinner pen strokes are thickened.
TARGET_STROKE = 0.11


class ImageError(AELabError, ValueError):
    """An image that cannot be turned into a digit, with the reason in plain words."""


@dataclass(frozen=True)
class Preprocessed:
    """The result and each intermediate step, for showing how it was made."""

    grayscale: np.ndarray  # the photo in grey levels, as it came in (after orientation)
    ink: np.ndarray  # ink made white on black, lighting and noise removed
    cropped: np.ndarray  # the digit cut out
    image: np.ndarray  # (28, 28) float32 in [0, 1], ready for a model
    inverted: bool  # True when the ink was dark on light paper


def to_mnist(data: Any) -> np.ndarray:
    """A (28, 28) float32 image in [0, 1], white ink on black, like an MNIST digit."""
    return preprocess(data).image


def preprocess(data: Any) -> Preprocessed:
    image = open_image(data)
    gray = _grayscale(image)
    gray = _working_size(gray)
    ink, inverted = _ink_on_black(gray)
    ink, mask = _denoised(ink)
    ink, mask = _digit_only(ink, mask)
    cropped = _crop(ink, mask)
    cropped = _thickened(cropped)
    return Preprocessed(gray, ink, cropped, _place_like_mnist(cropped), inverted)


# --- opening untrusted files ---------------------------------------------------------------
def open_image(data: Any) -> Image.Image:
    """Open and fully decode the first frame of an image, refusing anything unsafe."""
    if isinstance(data, Image.Image):
        image = data
    else:
        raw = _bytes_of(data)
        if not raw:
            raise ImageError(lazy("The file is empty."))
        try:
            # No warnings.catch_warnings() here: it swaps the process-wide warning filters and
            # is not thread-safe, and a server opens several users' uploads at once. Pillow
            # raises above 2x its pixel limit and only warns below that; our own lower limit,
            # checked next from the header alone, refuses those images before any decoding.
            image = Image.open(io.BytesIO(raw), formats=ALLOWED_FORMATS)
        except Image.DecompressionBombError:
            raise ImageError(_too_large()) from None
        except UnidentifiedImageError:
            raise ImageError(
                lazy(
                    "This file is not an image we can read. Use PNG, JPEG, WebP, BMP, GIF or TIFF."
                )
            ) from None
        except (OSError, SyntaxError, ValueError, EOFError) as exc:
            raise ImageError(_damaged(exc)) from None
    width, height = image.size
    if width * height > MAX_PIXELS:
        raise ImageError(_too_large(width, height))
    if min(width, height) < MIN_SIDE:
        raise ImageError(
            lazy(
                "The image is only {width}x{height} pixels: too small to hold a digit "
                "(at least {MIN_SIDE}x{MIN_SIDE} is needed).",
                width=width,
                height=height,
                MIN_SIDE=MIN_SIDE,
            )
        )
    try:
        image.seek(0)  # the first frame of an animation
        image.load()
    except (OSError, SyntaxError, ValueError, EOFError) as exc:
        raise ImageError(_damaged(exc)) from None
    return image


def _damaged(exc: BaseException) -> str:
    return lazy(
        "The file is damaged or incomplete (it may have been cut off while copying), so it "
        "cannot be decoded ({detail}).",
        detail=str(exc),
    )


def _bytes_of(data: Any) -> bytes:
    if isinstance(data, bytes | bytearray | memoryview):
        return bytes(data)
    if hasattr(data, "getvalue"):
        return bytes(data.getvalue())
    if hasattr(data, "read"):
        return bytes(data.read())
    raise TypeError(f"expected image bytes, a file or a PIL image, not {type(data).__name__}")


def _too_large(width: int | None = None, height: int | None = None) -> str:
    limit = MAX_PIXELS // 1_000_000
    if width:
        return lazy(
            "{width}x{height} pixels is too large to decode safely (the limit is {limit} "
            "million pixels). Crop or shrink it first.",
            width=width,
            height=height,
            limit=limit,
        )
    return lazy(
        "The image is too large to decode safely (the limit is {limit} million pixels). Crop "
        "or shrink it first.",
        limit=limit,
    )


# --- grey levels ---------------------------------------------------------------------------
def _grayscale(image: Image.Image) -> np.ndarray:
    """Grey levels in [0, 1] for any Pillow mode, with EXIF orientation applied."""
    image = ImageOps.exif_transpose(image)
    mode = image.mode
    if mode.startswith("I;16"):
        return np.asarray(image, dtype=np.float32) / 65535.0
    if mode in ("I", "F"):
        return _stretch(np.asarray(image, dtype=np.float32))
    if mode == "LAB":
        return np.asarray(image, dtype=np.float32)[..., 0] / 255.0
    if _has_transparency(image):
        return _flatten_transparency(image.convert("RGBA"))
    if mode not in ("L", "RGB"):
        image = image.convert("RGB")
    return np.asarray(image.convert("L"), dtype=np.float32) / 255.0


def _stretch(values: np.ndarray) -> np.ndarray:
    low, high = float(values.min()), float(values.max())
    return (values - low) / (high - low) if high > low else np.zeros_like(values)


def _has_transparency(image: Image.Image) -> bool:
    return image.mode in ("RGBA", "LA", "PA", "RGBa", "La") or "transparency" in image.info


def _flatten_transparency(rgba: Image.Image) -> np.ndarray:
    """Put the transparent paper behind the ink: white behind dark ink, black behind light.

    Transparent pixels can hide any colour, so only the opaque ones say what the ink is.
    """
    values = np.asarray(rgba, dtype=np.float32) / 255.0
    alpha = values[..., 3]
    grey = values[..., :3] @ np.array([0.299, 0.587, 0.114], np.float32)
    opaque = alpha > 0.5
    # Judge the ink by its core: edge pixels next to the paper are blended fringe.
    core = _min_filter(opaque.astype(np.float32), 3) > 0.5
    judged = core if core.sum() >= 10 else opaque
    ink_is_dark = not judged.any() or float(grey[judged].mean()) < 0.5
    paper = 1.0 if ink_is_dark else 0.0
    return (grey * alpha + paper * (1.0 - alpha)).astype(np.float32)


def _working_size(gray: np.ndarray) -> np.ndarray:
    height, width = gray.shape
    scale = WORK_SIDE / max(height, width)
    if scale >= 1.0:
        return gray.astype(np.float32)
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    return _resize(gray, size, Image.Resampling.BOX)


def _resize(values: np.ndarray, size: tuple[int, int], method) -> np.ndarray:
    return np.asarray(Image.fromarray(values.astype(np.float32), "F").resize(size, method))


# --- finding the ink -----------------------------------------------------------------------
def _ink_on_black(gray: np.ndarray) -> tuple[np.ndarray, bool]:
    """Ink made bright on black, with the background light removed.

    Both readings are cleaned (dark ink on light paper, light ink on dark paper) and the one
    whose strokes stand out most wins: uneven lighting is removed before it can decide.
    """
    dark_ink = _without_background(1.0 - gray)
    light_ink = _without_background(gray)
    inverted = _stroke_strength(dark_ink) > _stroke_strength(light_ink)
    return (dark_ink if inverted else light_ink), inverted


def _stroke_strength(ink: np.ndarray) -> float:
    # The brightest 0.5% of pixels: even a thin "1" fills more than that, noise rarely does.
    return float(np.percentile(ink, 99.5))


def _without_background(ink: np.ndarray) -> np.ndarray:
    """Remove slowly varying light (shadows, uneven paper) by subtracting an opening.

    An opening (minimum, then maximum, over a window wider than any stroke) keeps the
    background and drops the strokes; what is left after subtracting it is the ink.
    """
    window = max(3, int(min(ink.shape) * 0.25) | 1)
    background = _max_filter(_min_filter(ink, window), window)
    background = _box_blur(background, window)
    return np.clip(ink - background, 0.0, None)


def _denoised(ink: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Split ink from noise with Otsu's threshold; refuse an image with no ink at all."""
    if float(ink.max()) < MIN_CONTRAST:
        raise ImageError(_blank())
    # Thresholding a lightly smoothed copy keeps single noisy pixels from counting as ink.
    smooth = _box_blur(ink, 3)
    threshold = _otsu(smooth)
    mask = smooth > threshold
    if not mask.any() or mask.all():
        raise ImageError(_blank())
    # Ink must stand out from the paper's own noise, not merely be split from it: Otsu also
    # splits plain noisy paper into two halves, but those differ by under two noise widths.
    paper = ink[~mask]
    separation = float(ink[mask].mean() - paper.mean())
    if separation < max(MIN_SEPARATION, 4.0 * float(paper.std())):
        raise ImageError(_blank())
    bright = float(np.percentile(ink[mask], 75))
    floor = 0.5 * threshold
    cleaned = np.clip((ink - floor) / max(bright - floor, 1e-6), 0.0, 1.0)
    return cleaned.astype(np.float32), mask


def _blank() -> str:
    return lazy(
        "No digit found: the image looks blank (no pen strokes stand out from the paper). "
        "Write darker or take the photo closer."
    )


def _otsu(values: np.ndarray) -> float:
    histogram, edges = np.histogram(values, bins=128, range=(0.0, float(values.max()) + 1e-6))
    centres = (edges[:-1] + edges[1:]) / 2
    weight = np.cumsum(histogram)
    mean = np.cumsum(histogram * centres)
    total, total_mean = weight[-1], mean[-1]
    background = weight[:-1]
    foreground = total - background
    valid = (background > 0) & (foreground > 0)
    between = np.zeros_like(centres[:-1])
    mu_b = mean[:-1][valid] / background[valid]
    mu_f = (total_mean - mean[:-1][valid]) / foreground[valid]
    between[valid] = background[valid] * foreground[valid] * (mu_b - mu_f) ** 2
    return float(edges[1:][int(np.argmax(between))])


def _digit_only(ink: np.ndarray, mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Keep the digit's pieces and drop specks, shadows and paper edges.

    The digit is the blob with the most ink, where blobs touching the border count a quarter
    (shadows and paper edges touch it; a photographed digit rarely does, though one drawn
    edge to edge may). Other blobs stay if they carry a good share of its ink and lie inside.
    """
    labels, _count, touches = _components(mask)
    mass = np.bincount(labels.ravel(), weights=ink.ravel())[1:]
    weight = mass * np.where(touches, 0.25, 1.0)
    main = int(np.argmax(weight))
    keep = [
        i for i, m in enumerate(mass) if i == main or (m >= 0.15 * mass[main] and not touches[i])
    ]
    kept = np.isin(labels, np.array(keep) + 1)
    near = _max_filter(kept.astype(np.float32), 5) > 0  # keep the anti-aliased edges too
    return np.where(near, ink, 0.0).astype(np.float32), kept


def _components(mask: np.ndarray) -> tuple[np.ndarray, list[int], list[bool]]:
    """8-connected components of a boolean mask: labels (1..n), sizes, touching the border."""
    height, width = mask.shape
    labels = np.zeros(mask.shape, np.int32)
    sizes: list[int] = []
    touches: list[bool] = []
    for start in zip(*np.nonzero(mask), strict=True):
        if labels[start]:
            continue
        label = len(sizes) + 1
        labels[start] = label
        queue = deque([start])
        size, touching = 0, False
        while queue:
            y, x = queue.popleft()
            size += 1
            touching = touching or y in (0, height - 1) or x in (0, width - 1)
            for dy in (-1, 0, 1):
                for dx in (-1, 0, 1):
                    ny, nx = y + dy, x + dx
                    if 0 <= ny < height and 0 <= nx < width and mask[ny, nx] and not labels[ny, nx]:
                        labels[ny, nx] = label
                        queue.append((ny, nx))
        sizes.append(size)
        touches.append(touching)
    return labels, sizes, touches


def _crop(ink: np.ndarray, mask: np.ndarray) -> np.ndarray:
    rows, cols = np.flatnonzero(mask.any(axis=1)), np.flatnonzero(mask.any(axis=0))
    top, bottom, left, right = rows[0], rows[-1] + 1, cols[0], cols[-1] + 1
    pad = 1
    return ink[max(0, top - pad) : bottom + pad, max(0, left - pad) : right + pad]


def _thickened(digit: np.ndarray) -> np.ndarray:
    """Thicken strokes that are much thinner than MNIST's (a fine pen, a big photo)."""
    mask = digit > 0.5
    area = int(mask.sum())
    if area == 0:
        return digit
    inner = mask.copy()
    inner[1:-1, 1:-1] &= mask[:-2, 1:-1] & mask[2:, 1:-1] & mask[1:-1, :-2] & mask[1:-1, 2:]
    perimeter = max(1, int((mask & ~inner).sum()))
    width = 2.0 * area / perimeter  # a stroke of length L and width w: area Lw, edge 2L
    target = TARGET_STROKE * max(digit.shape)
    if width >= 0.85 * target:
        return digit
    window = 2 * round((target - width) / 2) + 1
    padded = np.pad(digit, window)
    return _max_filter(padded, window)


def _place_like_mnist(digit: np.ndarray) -> np.ndarray:
    """Fit into 20x20 keeping the aspect ratio, then centre of mass at the centre of 28x28."""
    rows, cols = np.flatnonzero(digit.max(axis=1) > 0), np.flatnonzero(digit.max(axis=0) > 0)
    digit = digit[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1]
    height, width = digit.shape
    scale = DIGIT_BOX / max(height, width)
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    method = Image.Resampling.BOX if scale < 1 else Image.Resampling.BILINEAR
    small = np.clip(_resize(digit, size, method), 0.0, None)
    small = small / max(float(small.max()), 1e-6)
    ys, xs = np.mgrid[0 : small.shape[0], 0 : small.shape[1]]
    total = float(small.sum())
    centre_y, centre_x = (ys * small).sum() / total, (xs * small).sum() / total
    # MNIST's test digits have their centre of mass at pixel (14.0, 14.0) on average.
    top = int(np.clip(round(SIDE / 2 - centre_y), 0, SIDE - small.shape[0]))
    left = int(np.clip(round(SIDE / 2 - centre_x), 0, SIDE - small.shape[1]))
    canvas = np.zeros((SIDE, SIDE), np.float32)
    canvas[top : top + small.shape[0], left : left + small.shape[1]] = small
    return np.clip(canvas, 0.0, 1.0)


# --- small separable filters in numpy --------------------------------------------------------
def _min_filter(values: np.ndarray, window: int) -> np.ndarray:
    return _separable(values, window, np.min, fill=np.inf)


def _max_filter(values: np.ndarray, window: int) -> np.ndarray:
    return _separable(values, window, np.max, fill=-np.inf)


def _box_blur(values: np.ndarray, window: int) -> np.ndarray:
    out = values
    for axis in (0, 1):
        padded = np.pad(
            out, [(window // 2, window // 2) if a == axis else (0, 0) for a in (0, 1)], mode="edge"
        )
        out = np.lib.stride_tricks.sliding_window_view(padded, window, axis=axis).mean(axis=-1)
    return out.astype(np.float32)


def _separable(values: np.ndarray, window: int, reduce, fill: float) -> np.ndarray:
    out = values.astype(np.float32)
    half = window // 2
    for axis in (0, 1):
        pad = [(half, half) if a == axis else (0, 0) for a in (0, 1)]
        padded = np.pad(out, pad, constant_values=fill)
        out = reduce(np.lib.stride_tricks.sliding_window_view(padded, window, axis=axis), axis=-1)
    return out.astype(np.float32)
