"""`ae_core.images.to_mnist`: every Pillow mode and format, each refusal, realistic photos."""

from __future__ import annotations

import io
import struct
import zlib

import numpy as np
import pytest
from PIL import Image, ImageDraw

from ae_core.errors import AELabError
from ae_core.images import ImageError, open_image, preprocess, to_mnist
from ae_core.metrics import knn_predict


@pytest.fixture(scope="module")
def digit(mnist):
    """Test digit #0 (a 7) drawn large as dark ink on white paper, and its label."""
    big = Image.fromarray((mnist.x_test[0] * 255).astype(np.uint8)).resize(
        (112, 112), Image.Resampling.BILINEAR
    )
    return Image.fromarray(255 - np.asarray(big)), int(mnist.y_test[0])


@pytest.fixture(scope="module")
def reference(digit):
    return to_mnist(digit[0])


def encode(image: Image.Image, fmt: str, **options) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, fmt, **options)
    return buffer.getvalue()


def similar(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.corrcoef(a.ravel(), b.ravel())[0, 1])


def test_result_looks_like_an_mnist_digit(reference, mnist):
    assert reference.shape == (28, 28) and reference.dtype == np.float32
    assert reference.min() == 0.0 and reference.max() == pytest.approx(1.0)
    assert reference[0].max() == 0 and reference[:, 0].max() == 0  # black margin, as in MNIST
    ys, xs = np.mgrid[0:28, 0:28]
    mass = reference.sum()
    assert (ys * reference).sum() / mass == pytest.approx(14.0, abs=0.6)
    assert (xs * reference).sum() / mass == pytest.approx(14.0, abs=0.6)
    rows, cols = np.flatnonzero(reference.max(1) > 0.1), np.flatnonzero(reference.max(0) > 0.1)
    assert max(rows[-1] - rows[0], cols[-1] - cols[0]) + 1 <= 21  # fits the 20x20 box
    assert similar(reference, mnist.x_test[0]) > 0.8


def _modes(digit_image: Image.Image) -> dict[str, Image.Image]:
    """The same dark-on-light digit in every kind of Pillow image people's files produce."""
    grey = np.asarray(digit_image)
    ink = 255 - grey  # 255 where there is ink
    rgba_dark = np.dstack([np.zeros_like(grey)] * 3 + [ink])  # black ink, transparent paper
    # White ink on transparent paper whose hidden colour is black: only alpha tells paper apart.
    rgba_light = np.dstack([np.full_like(grey, 255)] * 3 + [ink])
    palette = Image.merge("RGB", [digit_image] * 3).convert("P", palette=Image.Palette.ADAPTIVE)
    palette_transparent = palette.copy()
    palette_transparent.info["transparency"] = int(np.asarray(palette)[0, 0])  # the paper
    return {
        "L": digit_image,
        "RGB": Image.merge("RGB", [digit_image] * 3),
        "1": digit_image.point(lambda v: 255 if v > 128 else 0).convert("1"),
        "P": palette,
        "P+transparency": palette_transparent,
        "CMYK": Image.merge("RGB", [digit_image] * 3).convert("CMYK"),
        # Pillow picks the mode from the dtype: uint16 -> I;16, int32 -> I, float32 -> F.
        "I;16": Image.fromarray(grey.astype(np.uint16) * 257),
        "I": Image.fromarray(grey.astype(np.int32) * 1000),
        "F": Image.fromarray(grey.astype(np.float32) / 255.0),
        "LA": Image.merge("LA", [digit_image, Image.fromarray(np.full_like(grey, 255))]),
        "RGBA dark ink, transparent paper": Image.fromarray(rgba_dark),
        "RGBA light ink, transparent paper": Image.fromarray(rgba_light),
        "PA": _palette_with_alpha(rgba_dark),
    }


def _palette_with_alpha(rgba: np.ndarray) -> Image.Image:
    """A PA image built band by band: Pillow before 12 turned RGBA into a black PA image."""
    colours = Image.fromarray(np.ascontiguousarray(rgba[..., :3]))
    indexed = colours.convert("P", palette=Image.Palette.ADAPTIVE)
    index_band = Image.frombytes("L", indexed.size, indexed.tobytes())
    image = Image.merge("PA", [index_band, Image.fromarray(np.ascontiguousarray(rgba[..., 3]))])
    image.putpalette(indexed.getpalette())
    return image


@pytest.mark.parametrize(
    "mode",
    [
        "L",
        "RGB",
        "1",
        "P",
        "P+transparency",
        "CMYK",
        "I;16",
        "I",
        "F",
        "LA",
        "RGBA dark ink, transparent paper",
        "RGBA light ink, transparent paper",
        "PA",
    ],
)
def test_every_pillow_mode_gives_the_same_digit(digit, reference, mode):
    image = _modes(digit[0])[mode]
    # A 1-bit image has lost the grey edges of the strokes; everything else keeps them.
    assert similar(to_mnist(image), reference) > (0.8 if mode == "1" else 0.9)


@pytest.mark.parametrize(
    ("fmt", "options"),
    [
        ("PNG", {}),
        ("JPEG", {"quality": 80}),
        ("WEBP", {"quality": 80}),
        ("BMP", {}),
        ("GIF", {}),
        ("TIFF", {}),
        ("TIFF", {"compression": "tiff_lzw"}),
    ],
)
def test_every_allowed_file_format_reads_from_bytes(digit, reference, fmt, options):
    assert similar(to_mnist(encode(digit[0], fmt, **options)), reference) > 0.9


def test_sixteen_bit_tiff_and_cmyk_jpeg_files(digit, reference):
    modes = _modes(digit[0])
    assert similar(to_mnist(encode(modes["I;16"], "TIFF")), reference) > 0.9
    assert similar(to_mnist(encode(modes["CMYK"], "JPEG", quality=85)), reference) > 0.9


def test_file_objects_and_uploads_are_accepted(digit, reference):
    assert similar(to_mnist(io.BytesIO(encode(digit[0], "PNG"))), reference) > 0.9


def test_only_the_first_frame_of_an_animation_is_used(digit, reference):
    blank_then_digit = Image.new("L", digit[0].size, 255)
    other = digit[0].rotate(180)
    data = encode(digit[0], "GIF", save_all=True, append_images=[other, blank_then_digit])
    assert Image.open(io.BytesIO(data)).n_frames == 3
    assert similar(to_mnist(data), reference) > 0.9


def test_exif_orientation_is_honoured(digit, reference):
    # Stored turned a quarter left, with the tag that tells viewers to turn it back right.
    stored = digit[0].rotate(90, expand=True)
    exif = Image.Exif()
    exif[0x0112] = 6
    data = encode(stored.convert("RGB"), "JPEG", quality=90, exif=exif.tobytes())
    assert similar(to_mnist(data), reference) > 0.9
    assert similar(to_mnist(encode(stored.convert("RGB"), "JPEG", quality=90)), reference) < 0.6


def test_steps_are_kept_for_showing(digit):
    steps = preprocess(encode(digit[0], "PNG"))
    assert steps.inverted  # dark ink on light paper was turned into white on black
    assert steps.grayscale.shape == (112, 112)
    assert steps.ink.shape == steps.grayscale.shape and steps.ink.max() == pytest.approx(1.0)
    assert steps.cropped.shape[0] < 112 and steps.image.shape == (28, 28)


def test_light_ink_on_dark_paper_is_not_inverted(digit, reference):
    steps = preprocess(Image.fromarray(255 - np.asarray(digit[0])))
    assert not steps.inverted and similar(steps.image, reference) > 0.9


def _png_with_size(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims the given size (how decompression bombs start)."""
    data = encode(Image.new("L", (8, 8)), "PNG")
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    chunk = b"IHDR" + ihdr
    patched = struct.pack(">I", 13) + chunk + struct.pack(">I", zlib.crc32(chunk))
    return data[:8] + patched + data[8 + 25 :]


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda d: b"", "The file is empty"),
        (lambda d: b"hello, this is text", "not an image we can read"),
        (lambda d: b"%PDF-1.7\n" + b"0" * 500, "not an image we can read"),
        (lambda d: b"\x00" * 64, "not an image we can read"),
        (lambda d: encode(d, "PNG")[:400], "damaged or incomplete"),
        (lambda d: encode(d.convert("RGB"), "JPEG")[:600], "damaged or incomplete"),
        (lambda d: _png_with_size(8_000, 6_000), "too large to decode safely"),
        (lambda d: _png_with_size(30_000, 30_000), "too large to decode safely"),
        (lambda d: encode(Image.new("L", (5, 5), 255), "PNG"), "too small to hold a digit"),
        (lambda d: encode(Image.new("L", (200, 150), 255), "PNG"), "No digit found"),
        (lambda d: encode(Image.new("RGB", (200, 150), (90, 90, 90)), "JPEG"), "No digit found"),
    ],
    ids=[
        "empty",
        "text",
        "pdf",
        "zeros",
        "truncated png",
        "truncated jpeg",
        "48 megapixels",
        "decompression bomb",
        "too small",
        "blank paper",
        "grey photo",
    ],
)
def test_unusable_files_are_refused_with_a_clear_reason(digit, make, message):
    with pytest.raises(ImageError) as error:
        to_mnist(make(digit[0]))
    assert message in str(error.value)
    assert isinstance(error.value, ValueError) and isinstance(error.value, AELabError)


@pytest.mark.data_free
def test_faint_noise_on_paper_is_not_mistaken_for_a_digit():
    rng = np.random.default_rng(0)
    paper = np.clip(0.9 + rng.normal(0, 0.02, (150, 200)), 0, 1)
    with pytest.raises(ImageError, match="No digit found"):
        to_mnist(Image.fromarray((paper * 255).astype(np.uint8)))


def test_formats_outside_the_allow_list_are_refused(digit):
    data = encode(digit[0].convert("RGB"), "PPM")
    with pytest.raises(ImageError, match="not an image we can read"):
        to_mnist(data)


def test_a_thin_pen_stroke_is_thickened_to_mnist_weight(mnist):
    canvas = Image.new("L", (300, 300), 255)
    ImageDraw.Draw(canvas).line([(90, 60), (210, 60), (130, 250)], fill=20, width=3)
    result = to_mnist(canvas)
    sevens = mnist.x_test[mnist.y_test == 7][:200]
    typical_ink = float((sevens > 0.5).sum(axis=(1, 2)).mean())
    assert (result > 0.5).sum() > 0.6 * typical_ink


def make_photo(digit: np.ndarray, rng: np.random.Generator) -> bytes:
    """A fake phone photo of a handwritten digit: dark ink on unevenly lit paper, placed off
    centre, turned a little, with sensor noise, saved as JPEG."""
    side = int(rng.integers(100, 180))
    ink = (
        np.asarray(
            Image.fromarray((digit * 255).astype(np.uint8)).resize(
                (side, side), Image.Resampling.BILINEAR
            ),
            np.float32,
        )
        / 255
    )
    height, width = 240, 320
    ys, xs = np.mgrid[0:height, 0:width]
    angle = rng.uniform(0, 2 * np.pi)
    light = (np.cos(angle) * xs / width + np.sin(angle) * ys / height) * rng.uniform(0.15, 0.35)
    paper = rng.uniform(0.6, 0.8) + light
    layer = np.zeros((height, width), np.float32)
    top, left = rng.integers(5, height - side - 5), rng.integers(5, width - side - 5)
    layer[top : top + side, left : left + side] = ink
    photo = paper * (1 - layer) + rng.uniform(0.05, 0.3) * layer
    photo = np.clip(photo + rng.normal(0, 0.03, photo.shape), 0, 1)
    image = Image.fromarray((photo * 255).astype(np.uint8)).rotate(
        rng.uniform(-8, 8), resample=Image.Resampling.BILINEAR, fillcolor=int(255 * paper.mean())
    )
    return encode(image.convert("RGB"), "JPEG", quality=int(rng.integers(60, 90)))


def test_realistic_photos_are_recognised_nearly_as_well_as_the_test_digits(mnist):
    rng = np.random.default_rng(2024)
    chosen = rng.choice(np.arange(1_000, 10_000), size=200, replace=False)
    photos = np.stack([to_mnist(make_photo(mnist.x_test[i], rng)) for i in chosen])
    train, labels = mnist.x_train[:20_000], mnist.y_train[:20_000]
    truth = mnist.y_test[chosen]
    original = float(np.mean(knn_predict(train, labels, mnist.x_test[chosen]) == truth))
    from_photos = float(np.mean(knn_predict(train, labels, photos) == truth))
    assert from_photos >= original - 0.05, (from_photos, original)
    assert from_photos > 0.85


@pytest.mark.data_free
def test_opening_uploads_leaves_the_process_warning_filters_alone(monkeypatch):
    """catch_warnings() swaps process-wide filters: unsafe with several sessions at once."""
    import warnings

    def forbidden(*args, **kwargs):
        raise AssertionError("open_image must not touch the process-wide warning filters")

    monkeypatch.setattr(warnings, "catch_warnings", forbidden)
    monkeypatch.setattr(warnings, "simplefilter", forbidden)
    before = list(warnings.filters)
    # Between Pillow's warning (89 Mpx) and its error (179 Mpx): refused by our own limit.
    with pytest.raises(ImageError, match="too large to decode safely"):
        open_image(_png_with_size(10_000, 10_000))
    assert list(warnings.filters) == before
