"""My digits: upload photos or draw a digit, see each preprocessing step and the model's view."""

import hashlib
from pathlib import Path

import numpy as np
import streamlit as st

from ae_core.figures import error_histogram, image_steps, latent_scatter
from ae_core.images import FILE_TYPES, ImageError, Preprocessed, preprocess
from ae_core.metrics import per_image_mse, percentile_of
from pages.ui.charts import show_chart
from pages.ui.common import choose_model, page_start, show_problems
from pages.ui.drawing import drawing_pad
from pages.ui.uploads import give_memory_back, read_once

EXAMPLES = Path(__file__).resolve().parents[1] / "assets" / "examples"
MAX_FILES = 12
CACHE_SIZE = 32

ACCEPTED = "PNG, JPEG, WebP, BMP, GIF or TIFF"


def add_uploads(files, gallery: list, refusals: list) -> None:
    """Prepare each new upload once, keep only the result, and give the bytes back."""
    done = st.session_state.setdefault("mine.read", set())
    new = [f for f in files if f.file_id not in done]
    # Counted before anything is read: files beyond the limit are never read.
    room = max(MAX_FILES - len(gallery) - len(refusals), 0)
    for file in new[:room]:
        done.add(file.file_id)
        suffix = Path(file.name).suffix.lower().lstrip(".")
        if suffix not in FILE_TYPES:
            kind = suffix.upper() or "Such"
            refusals.append((file.name, f"{kind} files cannot be read here. Use {ACCEPTED}."))
            read_once(file)
            continue
        try:
            gallery.append((file.name, preprocess(read_once(file))))
        except ImageError as exc:
            refusals.append((file.name, str(exc)))
    if len(new) > room:
        refusals.append(
            (
                f"{len(new) - room} more files",
                f"not read: the page holds {MAX_FILES} images at a time. Clear the uploaded "
                "images to try others.",
            )
        )
        for file in new[room:]:
            done.add(file.file_id)
            read_once(file)
    if new:
        give_memory_back()


session = page_start(
    "Your own digits",
    "Photos, scans or drawings of digits, prepared the way MNIST prepared its digits, then "
    "run through the model.",
)
model = choose_model(session)
# A model that left classes out is compared with the digits it knows, as a detector would be.
left_out = model.config.data.exclude_classes if model is not None else ()
normal_classes = (
    ", ".join(n for c, n in enumerate(model.dataset.class_names) if c not in left_out)
    if model is not None
    else ""
)
show_problems(session)

upload_tab, draw_tab, example_tab = st.tabs(["Upload", "Draw", "Examples"])
# Uploads are read once into this session's gallery; drawings and examples are read each run.
gallery: list[tuple[str, Preprocessed]] = st.session_state.setdefault("mine.gallery", [])
refusals: list[tuple[str, str]] = st.session_state.setdefault("mine.refused", [])
inputs: list[tuple[str, bytes]] = []
with upload_tab:
    files = st.file_uploader(
        "Photos or scans of handwritten digits, one digit per image",
        # Every type is let through and checked here: a file the uploader refuses by its
        # type only shows a red icon, while this page can say which formats it reads.
        type=None,
        accept_multiple_files=True,
        help=f"{ACCEPTED}, up to 10 MB each, at most {MAX_FILES} images at a time. Dark ink on "
        "light paper or light on dark both work.",
        key="mine.upload",
    )
    add_uploads(files, gallery, refusals)
    if (gallery or refusals) and st.button(
        "Clear the uploaded images", icon=":material/delete:", key="mine.clear"
    ):
        gallery.clear()
        refusals.clear()
        st.rerun()
with draw_tab:
    st.caption("Draw one digit with the mouse, a pen or a finger; it is used when you let go.")
    drawn = drawing_pad("mine.pad")
    if drawn is not None:
        inputs.append(("your drawing", drawn))
with example_tab:
    st.caption(
        "Images made for this lab: a phone photo, marker, chalk, a transparent sticker and "
        "ruled paper."
    )
    if st.toggle("Use the example images", key="mine.examples"):
        inputs += [(p.name, p.read_bytes()) for p in sorted(EXAMPLES.iterdir()) if p.is_file()]

for name, message in refusals:
    # One bad file is reported on its own; the others are still shown.
    st.error(f"**{name}**: {message}", icon=":material/broken_image:")


def prepared(data: bytes) -> Preprocessed:
    """Preprocess once per image content; kept in this session only."""
    cache = st.session_state.setdefault("mine.cache", {})
    key = hashlib.sha256(data).hexdigest()
    if key not in cache:
        cache[key] = preprocess(data)
        while len(cache) > CACHE_SIZE:
            cache.pop(next(iter(cache)))
    return cache[key]


ready = list(gallery)
for name, data in inputs:
    try:
        ready.append((name, prepared(data)))
    except ImageError as exc:
        st.error(f"**{name}**: {exc}", icon=":material/broken_image:")

if not ready and not refusals:
    st.info(
        "Upload images, draw a digit or switch on the examples to begin.", icon=":material/upload:"
    )
if not ready:
    st.stop()
if model is None:
    st.info(
        "Below is how each image was prepared. Train a model (or load a saved run in the "
        "sidebar) to see how it reconstructs them and where they land in its latent space.",
        icon=":material/info:",
    )

digits = np.stack([steps.image for _, steps in ready])
if model is not None:
    reconstructions = model.autoencoder.reconstruct(digits)
    errors = per_image_mse(digits, reconstructions)
    codes = model.autoencoder.encode(digits)

for i, (name, steps) in enumerate(ready):
    with st.container(border=True):
        st.markdown(f"**{chr(65 + i)} · {name}**")
        shown = [
            ("original (grey)", steps.grayscale),
            ("ink on black" if steps.inverted else "ink", steps.ink),
            ("cropped", steps.cropped),
            ("28×28, like MNIST", steps.image),
        ]
        if model is not None:
            shown += [
                ("reconstruction", reconstructions[i]),
                ("difference", reconstructions[i] - steps.image),
            ]
        show_chart(image_steps(shown), key=f"mine.steps.{i}")
        if model is not None:
            rank = percentile_of(float(errors[i]), model.normal_errors)
            verdict = (
                "as easy for the model as a typical test digit"
                if rank < 75
                else "harder than most test digits"
                if rank < 97
                else "unusual for this model: it reconstructs almost every test digit better"
            )
            left, right = st.columns(2)
            left.metric("Reconstruction MSE", f"{errors[i]:.4f}")
            right.metric(
                "Worse than",
                f"{rank:.0f}% of test digits",
                help=f"Percentile among the {len(model.normal_errors):,} test digits"
                + (f" of the classes it trained on ({normal_classes})." if left_out else "."),
            )
            st.caption(f"{verdict.capitalize()}.")

if model is not None:
    st.subheader("Where your digits land")
    view = model.view
    marks = {f"{chr(65 + i)}": point for i, point in enumerate(view.project(codes))}
    show_chart(
        latent_scatter(
            view.points,
            model.dataset.y_test,
            model.dataset.class_names,
            view.x_title,
            view.y_title,
            highlights=marks,
            height=520,
        ),
        key="mine.latent",
    )
    st.caption(f"Stars are your images, among the 10,000 test digits. {view.description}")
    show_chart(
        error_histogram(
            model.normal_errors,
            marks={f"{chr(65 + i)}": float(e) for i, e in enumerate(errors)},
            title="Your images' errors among the test digits'"
            + (f" (the classes it trained on: {normal_classes})" if left_out else ""),
        ),
        key="mine.errors",
    )
