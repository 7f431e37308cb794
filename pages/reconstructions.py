"""Reconstructions: originals vs reconstructions, differences, errors, and PCA beside them."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import streamlit as st

from ae_core.figures import ImageRow, error_histogram, image_rows, loss_curves
from ae_core.i18n import N_, _, shown
from pages.ui.alt_text import as_table
from pages.ui.charts import show_chart
from pages.ui.common import model_page
from pages.ui.language import worded

if TYPE_CHECKING:
    from ae_core.explorer import Order

ORDERS: dict[Order, str] = {
    "random": N_("random"),
    "worst": N_("worst first"),
    "best": N_("best first"),
}

session, model = model_page(
    _("Reconstructions"),
    _(
        "What comes out of the model, next to what went in, and next to PCA with "
        "the same code size."
    ),
)
item, items = _(model.dataset.info.item), _(model.dataset.info.items)

with st.spinner(_("Scoring all 10,000 test images (once per model)...")):
    errors, pca_errors = model.errors, model.pca_errors
k = model.latent_dim
better = (errors < pca_errors).mean()
cols = st.columns(4)
cols[0].metric(_("Test MSE per pixel"), f"{model.test_mse:.4f}")
cols[1].metric(
    _("PCA with {k} components").format(k=k),
    f"{model.pca_mse:.4f}",
    delta=_("{difference:+.4f} for the model").format(difference=model.test_mse - model.pca_mse),
    delta_color="inverse",
)
cols[2].metric(
    _("Test {items} the model does better than PCA").format(items=items), f"{better:.0%}"
)
cols[3].metric(
    _("Code size"), _("{k} numbers").format(k=k), help=_("PCA gets the same number of components.")
)

with st.expander(_("How this model was trained, and its saved evaluation")):
    if model.history:
        show_chart(loss_curves(model.history), key="recon.history")
    else:
        st.caption(_("No epoch finished, so there is no loss history."))
    st.caption(shown(model.message) or _("Status: {status}.").format(status=model.status))
    if model.metrics:
        measures = {k: v for k, v in model.metrics.items() if isinstance(v, int | float)}
        st.dataframe(
            [{_("measure"): name, _("value"): f"{value:.5g}"} for name, value in measures.items()],
            hide_index=True,
        )

# --- which images -----------------------------------------------------------------------
class_names = [_(c) for c in model.dataset.class_names]
left, middle, right = st.columns([1, 2, 1])
count = left.slider(_("How many"), 4, 32, 12, step=4, key="recon.count")
classes = middle.multiselect(
    _("Which classes"),
    list(range(len(class_names))),
    format_func=worded(lambda c: class_names[c]),
    placeholder=_("all classes"),
    key="recon.classes",
)
order = right.radio(
    _("Order"),
    list(ORDERS),
    format_func=worded(lambda o: _(ORDERS[o])),
    horizontal=True,
    key="recon.order",
)
seed = 0
if order == "random":
    seed = st.session_state.setdefault("recon.seed", 0)
    if right.button(_("Shuffle"), icon=":material/shuffle:", key="recon.shuffle"):
        seed = st.session_state["recon.seed"] = seed + 1

indices = model.choose(count, classes or None, order, seed)
originals = model.dataset.x_test[indices]
reconstructions = model.reconstruct_test_images(indices)
rows = [
    ImageRow(
        _("original"),
        originals,
        [f"{class_names[model.dataset.y_test[i]]} · #{i}" for i in indices],
    ),
    ImageRow(_("reconstruction"), reconstructions, [f"MSE {errors[i]:.4f}" for i in indices]),
    ImageRow(_("difference"), reconstructions - originals, signed=True),
    ImageRow(
        f"PCA-{k}",
        model.pca_reconstruct_test_images(indices),
        [f"MSE {pca_errors[i]:.4f}" for i in indices],
    ),
]
show_chart(image_rows(rows, columns=min(count, 8), cell_px=58), key="recon.grid")
st.caption(
    _(
        "Difference = reconstruction − original: red where the model added ink, "
        "blue where it missed ink, black where it matched. PCA's images are its "
        "projections clipped to [0, 1], as pixels are, and its errors are "
        "computed on exactly those images."
    )
)
as_table(rows, _("These images"))

# --- errors of all test images ------------------------------------------------------------
st.subheader(_("Which {items} are unusual?").format(items=items))
st.markdown(
    _(
        "An autoencoder reconstructs typical {items} well and odd ones badly, so "
        "its error **ranks** the test images from most to least typical. Without "
        "examples known to be anomalies this is a ranking, not a detection: the "
        "threshold below decides how many are flagged, and nothing here can say "
        "whether they are right."
    ).format(items=items)
)
quantile = st.slider(_("Flag the worst"), 0.5, 10.0, 2.0, step=0.5, format="%g%%", key="recon.flag")
threshold = float(np.sort(errors)[int(len(errors) * (1 - quantile / 100))])
show_chart(
    error_histogram(errors, pca_errors, baseline_name=f"PCA-{k}", threshold=threshold),
    key="recon.histogram",
)
flagged = model.flagged(threshold, 16)
selected = int((errors >= threshold).sum())
st.caption(
    _(
        "The threshold {threshold:.4f} flags {selected:,} test images (the worst "
        "{quantile:g}%). {n_flagged} of them, from just above the threshold "
        "(first) to the worst (last):"
    ).format(threshold=threshold, selected=selected, quantile=quantile, n_flagged=len(flagged))
)
flagged_rows = [
    ImageRow(
        _("flagged (label: MSE)"),
        model.dataset.x_test[flagged],
        [f"{class_names[model.dataset.y_test[i]]}: {errors[i]:.3f}" for i in flagged],
    ),
    ImageRow(_("reconstruction"), model.reconstruct_test_images(flagged)),
]
show_chart(image_rows(flagged_rows, columns=8, cell_px=52), key="recon.flagged")
as_table(flagged_rows, _("The flagged images"))
