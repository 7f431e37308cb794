"""Reconstructions: originals vs reconstructions, differences, errors, and PCA beside them."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import streamlit as st

from ae_core.figures import ImageRow, error_histogram, image_rows, loss_curves
from pages.ui.alt_text import as_table
from pages.ui.charts import show_chart
from pages.ui.common import model_page

if TYPE_CHECKING:
    from ae_core.explorer import Order

ORDERS: dict[Order, str] = {"random": "random", "worst": "worst first", "best": "best first"}

session, model = model_page(
    "Reconstructions",
    "What comes out of the model, next to what went in, and next to PCA with the same code size.",
)
item, items = model.dataset.info.item, model.dataset.info.items

with st.spinner("Scoring all 10,000 test images (once per model)..."):
    errors, pca_errors = model.errors, model.pca_errors
k = model.latent_dim
better = (errors < pca_errors).mean()
cols = st.columns(4)
cols[0].metric("Test MSE per pixel", f"{model.test_mse:.4f}")
cols[1].metric(
    f"PCA with {k} components",
    f"{model.pca_mse:.4f}",
    delta=f"{model.test_mse - model.pca_mse:+.4f} for the model",
    delta_color="inverse",
)
cols[2].metric(f"Test {items} the model does better than PCA", f"{better:.0%}")
cols[3].metric("Code size", f"{k} numbers", help="PCA gets the same number of components.")

with st.expander("How this model was trained, and its saved evaluation"):
    if model.history:
        show_chart(loss_curves(model.history), key="recon.history")
    else:
        st.caption("No epoch finished, so there is no loss history.")
    st.caption(model.message or f"Status: {model.status}.")
    if model.metrics:
        shown = {k: v for k, v in model.metrics.items() if isinstance(v, int | float)}
        st.dataframe(
            [{"measure": name, "value": f"{value:.5g}"} for name, value in shown.items()],
            hide_index=True,
        )

# --- which images -----------------------------------------------------------------------
class_names = model.dataset.class_names
left, middle, right = st.columns([1, 2, 1])
count = left.slider("How many", 4, 32, 12, step=4, key="recon.count")
classes = middle.multiselect(
    "Which classes",
    list(range(len(class_names))),
    format_func=lambda c: class_names[c],
    placeholder="all classes",
    key="recon.classes",
)
order = right.radio(
    "Order",
    list(ORDERS),
    format_func=ORDERS.__getitem__,
    horizontal=True,
    key="recon.order",
)
seed = 0
if order == "random":
    seed = st.session_state.setdefault("recon.seed", 0)
    if right.button("Shuffle", icon=":material/shuffle:", key="recon.shuffle"):
        seed = st.session_state["recon.seed"] = seed + 1

indices = model.choose(count, classes or None, order, seed)
originals = model.dataset.x_test[indices]
reconstructions = model.reconstruct_test_images(indices)
rows = [
    ImageRow(
        "original", originals, [f"{class_names[model.dataset.y_test[i]]} · #{i}" for i in indices]
    ),
    ImageRow("reconstruction", reconstructions, [f"MSE {errors[i]:.4f}" for i in indices]),
    ImageRow("difference", reconstructions - originals, signed=True),
    ImageRow(
        f"PCA-{k}",
        model.pca_reconstruct_test_images(indices),
        [f"MSE {pca_errors[i]:.4f}" for i in indices],
    ),
]
show_chart(image_rows(rows, columns=min(count, 8), cell_px=58), key="recon.grid")
st.caption(
    "Difference = reconstruction − original: red where the model added ink, blue where it "
    "missed ink, black where it matched. PCA's images are its projections clipped to [0, 1], "
    "as pixels are, and its errors are computed on exactly those images."
)
as_table(rows, "These images")

# --- errors of all test images ------------------------------------------------------------
st.subheader(f"Which {items} are unusual?")
st.markdown(
    f"An autoencoder reconstructs typical {items} well and odd ones badly, so its error "
    "**ranks** the test images from most to least typical. Without examples known to be "
    "anomalies this is a ranking, not a detection: the threshold below decides how many are "
    "flagged, and nothing here can say whether they are right."
)
quantile = st.slider("Flag the worst", 0.5, 10.0, 2.0, step=0.5, format="%g%%", key="recon.flag")
threshold = float(np.sort(errors)[int(len(errors) * (1 - quantile / 100))])
show_chart(
    error_histogram(errors, pca_errors, baseline_name=f"PCA-{k}", threshold=threshold),
    key="recon.histogram",
)
flagged = model.flagged(threshold, 16)
selected = int((errors >= threshold).sum())
st.caption(
    f"The threshold {threshold:.4f} flags {selected:,} test images (the worst {quantile:g}%). "
    f"{len(flagged)} of them, from just above the threshold (first) to the worst (last):"
)
flagged_rows = [
    ImageRow(
        "flagged (label: MSE)",
        model.dataset.x_test[flagged],
        [f"{class_names[model.dataset.y_test[i]]}: {errors[i]:.3f}" for i in flagged],
    ),
    ImageRow("reconstruction", model.reconstruct_test_images(flagged)),
]
show_chart(image_rows(flagged_rows, columns=8, cell_px=52), key="recon.flagged")
as_table(flagged_rows, "The flagged images")
