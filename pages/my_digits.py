"""My digits: upload photos or draw a digit, see each preprocessing step and the model's view."""

import hashlib
from pathlib import Path

import numpy as np
import streamlit as st

from ae_core.figures import error_histogram, image_steps, latent_scatter
from ae_core.i18n import N_, _
from ae_core.images import FILE_TYPES, ImageError, Preprocessed, preprocess
from ae_core.metrics import per_image_mse, percentile_of
from pages.ui.charts import show_chart
from pages.ui.common import choose_model, page_start, show_problems
from pages.ui.drawing import drawing_pad
from pages.ui.uploads import give_memory_back, read_once

EXAMPLES = Path(__file__).resolve().parents[1] / "assets" / "examples"
MAX_FILES = 12
CACHE_SIZE = 32

ACCEPTED = N_("PNG, JPEG, WebP, BMP, GIF or TIFF")


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
            message = (
                _("{kind} files cannot be read here. Use {accepted}.")
                if suffix
                else _("Files without a type cannot be read here. Use {accepted}.")
            )
            refusals.append((file.name, message.format(kind=suffix.upper(), accepted=_(ACCEPTED))))
            read_once(file)
            continue
        try:
            gallery.append((file.name, preprocess(read_once(file))))
        except ImageError as exc:
            refusals.append((file.name, str(exc)))
    if len(new) > room:
        refusals.append(
            (
                _("{count} more files").format(count=len(new) - room),
                _(
                    "not read: the page holds {limit} images at a time. Clear the uploaded "
                    "images to try others."
                ).format(limit=MAX_FILES),
            )
        )
        for file in new[room:]:
            done.add(file.file_id)
            read_once(file)
    if new:
        give_memory_back()


session = page_start(
    _("Your own digits"),
    _(
        "Photos, scans or drawings of digits, prepared the way MNIST prepared "
        "its digits, then run through the model."
    ),
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

upload_tab, draw_tab, example_tab = st.tabs([_("Upload"), _("Draw"), _("Examples")])
# Uploads are read once into this session's gallery; drawings and examples are read each run.
gallery: list[tuple[str, Preprocessed]] = st.session_state.setdefault("mine.gallery", [])
refusals: list[tuple[str, str]] = st.session_state.setdefault("mine.refused", [])
inputs: list[tuple[str, bytes]] = []
with upload_tab:
    files = st.file_uploader(
        _("Photos or scans of handwritten digits, one digit per image"),
        # Every type is let through and checked here: a file the uploader refuses by its
        # type only shows a red icon, while this page can say which formats it reads.
        type=None,
        accept_multiple_files=True,
        help=_(
            "{ACCEPTED}, up to 10 MB each, at most {MAX_FILES} images at a time. "
            "Dark ink on light paper or light on dark both work."
        ).format(ACCEPTED=ACCEPTED, MAX_FILES=MAX_FILES),
        key="mine.upload",
    )
    add_uploads(files, gallery, refusals)
    if (gallery or refusals) and st.button(
        _("Clear the uploaded images"), icon=":material/delete:", key="mine.clear"
    ):
        gallery.clear()
        refusals.clear()
        st.rerun()
with draw_tab:
    st.caption(_("Draw one digit with the mouse, a pen or a finger; it is used when you let go."))
    drawn = drawing_pad("mine.pad")
    if drawn is not None:
        inputs.append((_("your drawing"), drawn))
with example_tab:
    st.caption(
        _(
            "Images made for this lab: a phone photo, marker, chalk, a transparent "
            "sticker and ruled paper."
        )
    )
    if st.toggle(_("Use the example images"), key="mine.examples"):
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
        _("Upload images, draw a digit or switch on the examples to begin."),
        icon=":material/upload:",
    )
if not ready:
    st.stop()
if model is None:
    st.info(
        _(
            "Below is how each image was prepared. Train a model (or load a saved "
            "run in the sidebar) to see how it reconstructs them and where they land "
            "in its latent space."
        ),
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
            (_("original (grey)"), steps.grayscale),
            (_("ink on black") if steps.inverted else _("ink"), steps.ink),
            (_("cropped"), steps.cropped),
            (_("28×28, like MNIST"), steps.image),
        ]
        if model is not None:
            shown += [
                (_("reconstruction"), reconstructions[i]),
                (_("difference"), reconstructions[i] - steps.image),
            ]
        show_chart(image_steps(shown), key=f"mine.steps.{i}")
        if model is not None:
            rank = percentile_of(float(errors[i]), model.normal_errors)
            verdict = (
                _("As easy for the model as a typical test digit.")
                if rank < 75
                else _("Harder than most test digits.")
                if rank < 97
                else _("Unusual for this model: it reconstructs almost every test digit better.")
            )
            left, right = st.columns(2)
            left.metric(_("Reconstruction MSE"), f"{errors[i]:.4f}")
            right.metric(
                _("Worse than this share of test digits"),
                f"{rank:.0f}%",
                help=(
                    _(
                        "Percentile among the {count:,} test digits of the classes it trained "
                        "on ({classes})."
                    )
                    if left_out
                    else _("Percentile among the {count:,} test digits.")
                ).format(count=len(model.normal_errors), classes=normal_classes),
            )
            st.caption(verdict)

if model is not None:
    st.subheader(_("Where your digits land"))
    view = model.view
    marks = {f"{chr(65 + i)}": point for i, point in enumerate(view.project(codes))}
    show_chart(
        latent_scatter(
            view.points,
            model.dataset.y_test,
            [_(c) for c in model.dataset.class_names],
            view.x_title,
            view.y_title,
            highlights=marks,
            height=520,
        ),
        key="mine.latent",
    )
    st.caption(
        _("Stars are your images, among the 10,000 test digits. {description}").format(
            description=view.description
        )
    )
    show_chart(
        error_histogram(
            model.normal_errors,
            marks={f"{chr(65 + i)}": float(e) for i, e in enumerate(errors)},
            title=(
                _(
                    "Your images' errors among the test digits' (the classes it trained "
                    "on: {classes})"
                )
                if left_out
                else _("Your images' errors among the test digits'")
            ).format(classes=normal_classes),
        ),
        key="mine.errors",
    )
