"""The Train page's live view: pure functions from an epoch's arrays to SVG, checked without
a browser."""

import base64
import io
from xml.etree import ElementTree

import numpy as np
import pytest
from PIL import Image

from ae_core.constants import PALETTE
from ae_core.epoch_drawings import (
    PictureRow,
    codes_drawing,
    image_rows_drawing,
    log_ticks,
    loss_drawing,
    nice_ticks,
)
from ae_core.figures import loss_curves
from ae_core.training import EpochRecord
from tests.page_support import SVG, drawing_texts

pytestmark = pytest.mark.data_free


def _records(losses, stage="Training"):
    return [
        EpochRecord(stage, e, dict(train), dict(validation), 1.0)
        for e, (train, validation) in enumerate(losses, 1)
    ]


def _strip(image_element) -> np.ndarray:
    data = image_element.get("href").removeprefix("data:image/png;base64,")
    return np.asarray(Image.open(io.BytesIO(base64.b64decode(data)), formats=["PNG"]))


def test_image_rows_show_each_row_as_one_strip_with_its_title_and_captions():
    rng = np.random.default_rng(1)
    originals, reconstructions = rng.random((3, 28, 28)), rng.random((3, 28, 28))
    svg = ElementTree.fromstring(
        image_rows_drawing(
            [
                PictureRow("original", originals, ["0", "1", "2"]),
                PictureRow("epoch 1", reconstructions),
            ],
            title="Test digits",
        )
    )
    assert drawing_texts(svg) == ["Test digits", "original", "0", "1", "2", "epoch 1"]
    strips = [_strip(image) for image in svg.findall(f"{SVG}image")]
    assert [s.shape for s in strips] == [(28, 3 * 28 + 2 * 2)] * 2  # two pixels between images
    for strip, images in zip(strips, (originals, reconstructions), strict=True):
        np.testing.assert_allclose(strip[:, 30:58] / 255, images[1], atol=0.5 / 255)
        assert (strip[:, 28:30] == 255).all()  # the gap is white


def test_signed_rows_are_blue_below_zero_and_red_above():
    difference = np.zeros((1, 28, 28))
    difference[0, :, :14], difference[0, :, 14:] = -1.0, 1.0
    svg = ElementTree.fromstring(image_rows_drawing([PictureRow("d", difference, signed=True)]))
    strip = _strip(svg.find(f"{SVG}image"))
    assert tuple(strip[0, 0]) == (0x21, 0x66, 0xAC) and tuple(strip[0, 27]) == (0xD6, 0x60, 0x4D)


def test_the_loss_drawing_draws_the_same_lines_as_the_interactive_chart():
    records = _records(
        [
            (
                {"loss": 1 / e, "reconstruction_loss": 0.9 / e, "kl_loss": 0.1 / e},
                {"loss": 1.1 / e, "reconstruction_loss": 1 / e, "kl_loss": 0.1 / e},
            )
            for e in (1, 2, 3)
        ]
    )
    svg = ElementTree.fromstring(loss_drawing(records))
    chart = loss_curves(records)
    lines = svg.findall(f"{SVG}polyline")
    assert [line.get("stroke") for line in lines] == [t.line.color for t in chart.data]
    texts = drawing_texts(svg)
    for trace in chart.data:
        assert trace.name in texts  # the legend
    assert "KL: KL divergence per image ÷ 784, so per pixel" in texts  # the units
    # Training solid, validation dashed; lower losses lower on the page.
    assert [line.get("stroke-dasharray") is None for line in lines[:2]] == [True, False]
    ys = [float(p.split(",")[1]) for p in lines[0].get("points").split()]
    assert ys[0] < ys[1] < ys[2]
    tips = [c.find(f"{SVG}title").text for c in svg.iter(f"{SVG}circle")]
    assert "total loss (training), epoch 2: 0.50000" in tips
    # The x axis: one tick per epoch.
    assert {"1", "2", "3"} <= set(texts)


def test_the_loss_drawing_shades_pretraining_and_turns_logarithmic_over_a_wide_range():
    records = _records([({"loss": 0.5}, {"loss": 0.6})], "Layer 1 (pretraining)") + _records(
        [({"loss": 0.01}, {"loss": 0.012}), ({"loss": 0.005}, {"loss": 0.006})]
    )
    svg = ElementTree.fromstring(loss_drawing(records))
    texts = drawing_texts(svg)
    assert "layer 1: pixels" in texts and "pretraining loss (training)" in texts
    assert {"0.01", "0.1"} <= set(texts)  # powers of ten: a logarithmic axis
    shaded = [r for r in svg.findall(f"{SVG}rect") if r.get("fill-opacity")]
    assert len(shaded) == 1


def test_a_diverged_epoch_leaves_a_gap_not_a_broken_drawing():
    records = _records([({"loss": 0.1}, {"loss": 0.1}), ({"loss": float("nan")}, {"loss": None})])
    svg = ElementTree.fromstring(loss_drawing(records))
    assert [len(line.get("points").split()) for line in svg.findall(f"{SVG}polyline")] == [1, 1]


def test_codes_drawing_colours_each_label_and_keeps_both_axes_to_one_scale():
    rng = np.random.default_rng(2)
    points = rng.normal(size=(300, 2)) * [10.0, 1.0]  # ten times wider than tall
    labels = np.arange(300) % 3
    svg = ElementTree.fromstring(
        codes_drawing(points, labels, ["a", "b", "c"], title="Codes of 300 test digits")
    )
    groups = svg.findall(f"{SVG}g")
    assert [g.find(f"{SVG}title").text for g in groups] == ["label a", "label b", "label c"]
    assert [g.find(f"{SVG}path").get("stroke") for g in groups] == list(PALETTE[:3])
    dots = [
        tuple(map(float, step.split("h")[0].split()))
        for g in groups
        for step in g.find(f"{SVG}path").get("d").split("M")[1:]
    ]
    assert len(dots) == 300
    xs, ys = np.array(dots).T
    # One scale on both axes: the cloud is about ten times wider than tall on screen too.
    assert 6 < np.ptp(xs) / np.ptp(ys) < 14
    # Up on the page is up in the code: the highest code is drawn nearest the top.
    top = np.argmax(np.concatenate([points[labels == k, 1] for k in range(3)]))
    assert ys[top] == ys.min()
    assert svg.get("aria-label") == "Codes of 300 test digits"


def test_codes_that_are_not_numbers_are_left_out():
    points = np.array([[0.0, 0.0], [np.nan, 1.0], [1.0, 1.0]])
    svg = ElementTree.fromstring(codes_drawing(points, np.array([0, 0, 1]), ["a", "b"]))
    assert [g.find(f"{SVG}path").get("d").count("M") for g in svg.findall(f"{SVG}g")] == [1, 1]


def test_ticks_are_round_numbers_inside_the_range():
    assert nice_ticks(0.013, 0.081) == [0.02, 0.04, 0.06, 0.08]
    assert nice_ticks(-4.3, 4.3) == [-4, -2, 0, 2, 4]
    assert log_ticks(0.004, 0.6) == [0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5]
