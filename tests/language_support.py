"""What a page says, gathered from an AppTest run, and the English words left in it."""

from __future__ import annotations

import json
import re

from streamlit.testing.v1 import AppTest

# Terms a Chinese machine-learning class uses as they are: names of methods, measures, file
# formats and products, and the settings' own values (activations are chosen by their Keras
# names). Everything else in English on a Chinese page is a missed translation.
ALLOWED_TERMS = {
    *[
        "MNIST",
        "Fashion",
        "PCA",
        "PSNR",
        "SSIM",
        "MSE",
        "BCE",
        "AUC",
        "ROC",
        "VAE",
        "ReLU",
        "Adam",
        "Adadelta",
        "RMSprop",
        "SGD",
    ],
    *[
        "TensorFlow",
        "Keras",
        "CSV",
        "TSV",
        "UTF",
        "GBK",
        "Excel",
        "JSON",
        "TOML",
        "PNG",
        "JPEG",
        "WebP",
        "BMP",
        "GIF",
        "TIFF",
        "ETA",
    ],
    *[
        "GPU",
        "CPU",
        "NaN",
        "ELBO",
        "Frobenius",
        "Sigmoid",
        "sigmoid",
        "linear",
        "relu",
        "elu",
        "gelu",
        "selu",
        "tanh",
    ],
    *["beta", "lambda", "rho", "sigma"],
    # Keras' layer classes in the network diagram, and the subscript of the loss L_rec, and log σ².
    *["Dense", "InputLayer", "Reshape", "Flatten", "Conv2D", "Conv2DTranspose", "rec", "log"],
    "Fashion-MNIST",
    # The language switch is labelled in both languages, and offers English by its name.
    *["Language", "English"],
}
WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*[A-Za-z]")


def english_words(text: str) -> list[str]:
    """Latin words of 3+ letters that are not allowed terms, ignoring code, markup, file
    names, plotly's hover syntax and LaTeX commands."""
    text = re.sub(r"`[^`]*`", " ", text)  # code
    text = re.sub(r"<[^>]+>|%\{[^}]*\}", " ", text)  # HTML tags, plotly placeholders
    text = re.sub(r"\\[A-Za-z]+", " ", text)  # LaTeX commands
    text = re.sub(r"\S*[._/:=]\S*[A-Za-z0-9]\S*", " ", text)  # file names, paths, keys
    return [w for w in WORD.findall(text) if len(w) >= 3 and w not in ALLOWED_TERMS]


def page_texts(at: AppTest) -> list[str]:
    """Every text a reader sees on the page AppTest ran: headings, prose, messages, widget
    labels, help and options, metrics, tabs, table headers and the figures' words."""
    texts: list[str] = []
    for kind in ("title", "header", "subheader", "markdown", "caption"):
        texts += [e.value for e in getattr(at, kind)]
    for kind in ("info", "success", "warning", "error", "exception"):
        texts += [str(e.value) for e in getattr(at, kind)]
    for latex in at.latex:
        texts += re.findall(r"\\text\{([^}]*)\}", latex.value)
    for kind in ("button", "checkbox", "toggle", "text_input", "number_input", "slider"):
        for widget in getattr(at, kind):
            texts += [widget.label, widget.help or ""]
    for kind in ("selectbox", "select_slider", "radio", "multiselect"):
        for widget in getattr(at, kind):
            texts += [widget.label, widget.help or "", *map(str, widget.options)]
    for metric in at.metric:
        texts += [metric.label, str(metric.value), metric.proto.help or ""]
    texts += [tab.label for tab in at.tabs]
    texts += [expander.label for expander in at.expander]
    for frame in at.dataframe:
        texts += [str(c) for c in frame.value.columns]
    for chart in at.get("plotly_chart"):
        texts += figure_texts(json.loads(chart.proto.spec))
    return [t for t in texts if t]


def figure_texts(spec: dict) -> list[str]:
    layout = spec.get("layout", {})
    texts = [_text(layout.get("title"))]
    for name, axis in layout.items():
        if name.startswith(("xaxis", "yaxis")) and isinstance(axis, dict):
            texts.append(_text(axis.get("title")))
    texts.append(_text(layout.get("legend", {}).get("title")))
    texts += [a.get("text", "") for a in layout.get("annotations", [])]
    for trace in spec.get("data", []):
        texts += [str(trace.get("name", "")), str(trace.get("hovertemplate", ""))]
    return [t for t in texts if t]


def _text(title) -> str:
    if isinstance(title, dict):
        return str(title.get("text", ""))
    return str(title or "")


def untranslated(at: AppTest) -> dict[str, list[str]]:
    """The page's texts that still hold English words, with those words."""
    found = {}
    for text in page_texts(at):
        words = english_words(text)
        if words:
            found[text[:160]] = words
    return found
