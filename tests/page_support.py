"""Helpers for driving the app's pages with Streamlit's AppTest, shared by the page tests."""

from __future__ import annotations

import base64
import json
import re
from xml.etree import ElementTree

import numpy as np
from streamlit.testing.v1 import AppTest

from tests.conftest import ROOT

SESSION_KEY = "autoencoder_lab"
SVG = "{http://www.w3.org/2000/svg}"  # the namespace of a parsed drawing's elements
RESULT_PAGES = [
    "pages/reconstructions.py",
    "pages/latent_space.py",
    "pages/denoising.py",
    "pages/features.py",
    "pages/anomalies.py",
]


def new_app() -> AppTest:
    return AppTest.from_file(str(ROOT / "app.py"), default_timeout=180)


def charts(at: AppTest) -> dict[str, dict]:
    """Plotly figures on the page by key (position when unkeyed), as plain dicts."""
    return {
        element.key or str(i): json.loads(element.proto.spec)
        for i, element in enumerate(at.get("plotly_chart"))
    }


def drawings(at: AppTest) -> list[ElementTree.Element]:
    """The SVG drawings on the page (`pages.ui.charts.show_drawing`), parsed."""
    found = (re.search(r"<svg .*</svg>", m.value, re.DOTALL) for m in at.markdown)
    return [ElementTree.fromstring(match.group()) for match in found if match]


def drawing_texts(svg: ElementTree.Element) -> list[str]:
    """Each text of a drawing, its lines joined by newlines."""
    return [
        "\n".join(span.text or "" for span in text) or (text.text or "")
        for text in svg.iter(f"{SVG}text")
    ]


def values(data) -> np.ndarray:
    """A trace's data array: plotly sends numpy arrays as base64 typed arrays."""
    if isinstance(data, dict) and "bdata" in data:
        return np.frombuffer(base64.b64decode(data["bdata"]), dtype=data["dtype"])
    return np.asarray(data)


def texts(at: AppTest) -> str:
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption]
    parts += [e.value for kind in (at.info, at.success, at.warning, at.error) for e in kind]
    return "\n".join(parts)


def assert_clean(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]


def open_settings(at: AppTest) -> None:
    """Open the Train page's settings boxes, as a user's click would: once a run exists,
    they are folded and draw no widgets (pages/ui/folding.py)."""
    for box in ("train.model_box", "train.data_box"):
        at.session_state[box] = True


def start_from_page(at: AppTest, **settings):
    """Fill in the Train page as a user would (1,000 images) and press Start."""
    open_settings(at)
    at.switch_page("pages/train.py").run()
    arch = settings.pop("architecture", "deep")
    at.selectbox(key="train.architecture").set_value(arch).run()
    at.select_slider(key=f"setting.{arch}.data.train_size").set_value(1_000)
    at.number_input(key=f"setting.{arch}.train.epochs").set_value(settings.pop("epochs", 1))
    for name, value in settings.items():
        keys = [f"setting.{arch}.{part}.{name}" for part in ("model", "data", "train")]
        widget = next(w for key in keys if (w := _find_widget(at, key)) is not None)
        widget.set_value(value)
    at.run()
    assert_clean(at)
    at.button(key="train.start").click().run()
    assert_clean(at)
    return at.session_state[SESSION_KEY]


def train_from_page(at: AppTest, **settings) -> AppTest:
    """Start a run from the Train page and wait for it to end."""
    lab = start_from_page(at, **settings)
    assert lab.job.join(timeout=180), "training did not finish"
    return at.run()


def _find_widget(at: AppTest, key: str):
    for kind in ("selectbox", "select_slider", "number_input", "text_input", "slider"):
        for widget in getattr(at, kind):
            if widget.key == key:
                return widget
    return None


def wait_for_progress(job, timeout: float = 120.0) -> None:
    """Wait until a run has trained its first batches (its progress is reported)."""
    import time

    deadline = time.monotonic() + timeout
    while job.snapshot().progress is None:
        assert time.monotonic() < deadline, "the run never started training"
        time.sleep(0.05)
