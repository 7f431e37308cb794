"""Drawings are pure functions from layers or images to SVG text, checked without a browser."""

import base64
import io
from xml.etree import ElementTree

import numpy as np
import pytest
from PIL import Image

from ae_core.architectures.autoencoder import LayerInfo
from ae_core.drawings import autoencoder_sketch, network_diagram
from tests.page_support import SVG, drawing_texts

LAYERS = [
    LayerInfo("encoder", "image", "InputLayer", (28, 28), 0, None),
    LayerInfo("encoder", "flatten", "Flatten", (784,), 0, None),
    LayerInfo("encoder", "code", "Dense", (2,), 1570, "linear"),
    LayerInfo("decoder", "code_input", "InputLayer", (2,), 0, None),
    LayerInfo("decoder", "pixels", "Dense", (784,), 2352, "sigmoid"),
]


@pytest.mark.data_free
def test_network_diagram_draws_one_block_per_layer_and_counts_parameters():
    svg = ElementTree.fromstring(network_diagram(LAYERS))
    blocks = svg.findall(f"{SVG}g")
    assert len(blocks) == 3  # image, code, pixels: inputs and reshapes folded away
    texts = drawing_texts(svg)
    assert texts[0] == "3,922 trainable parameters"
    assert texts[1:] == [
        "image\nInputLayer\n28×28",
        "code\nDense\n2",
        "pixels\nDense\n784\nsigmoid",
    ]
    tooltips = [block.find(f"{SVG}title").text for block in blocks]
    assert tooltips[1] == "code (encoder): Dense, output 2, 1,570 parameters"
    heights = [float(block.find(f"{SVG}rect").get("height")) for block in blocks]
    assert heights[1] < heights[0] == heights[2]  # the code is the narrow middle
    assert svg.get("aria-label") == "3,922 trainable parameters"


@pytest.mark.data_free
def test_a_drawing_escapes_its_text_and_scales_for_a_projector():
    normal = ElementTree.fromstring(network_diagram(LAYERS, title="<b>mine</b> & yours"))
    assert drawing_texts(normal)[0] == "<b>mine</b> & yours"
    big = ElementTree.fromstring(network_diagram(LAYERS, scale=1.4))
    assert big.get("viewBox") == normal.get("viewBox")
    assert float(big.get("width")) == pytest.approx(1.4 * float(normal.get("width")), abs=1)


def _pixels(image_element) -> np.ndarray:
    data = image_element.get("href").removeprefix("data:image/png;base64,")
    return np.asarray(Image.open(io.BytesIO(base64.b64decode(data)), formats=["PNG"])) / 255


@pytest.mark.data_free
def test_the_home_sketch_shows_both_images_and_the_code_size():
    rng = np.random.default_rng(0)
    digit, output = rng.random((2, 28, 28))
    svg = ElementTree.fromstring(autoencoder_sketch(digit, output, code_size=5))
    shown = [_pixels(element) for element in svg.findall(f"{SVG}image")]
    assert len(shown) == 2
    np.testing.assert_allclose(shown[0], digit, atol=1 / 255)
    np.testing.assert_allclose(shown[1], output, atol=1 / 255)
    texts = drawing_texts(svg)
    assert "code\n5 numbers" in texts and "reconstruction\n784 pixels" in texts
