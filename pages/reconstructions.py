"""Reconstructions: originals vs reconstructions, differences, errors, and PCA beside them."""

import streamlit as st

from ae_core.figures import ImageRow, error_histogram, image_rows
from pages.ui.common import model_page

CHART = {"displayModeBar": False}

session, model = model_page(
    "Reconstructions",
    "What comes out of the model, next to what went in, and next to PCA with the same code size.",
)

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
cols[2].metric("Digits the model does better than PCA", f"{better:.0%}")
cols[3].metric("Code size", f"{k} numbers", help="PCA gets the same number of components.")

# --- which digits -----------------------------------------------------------------------
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
    ["random", "worst", "best"],
    format_func={"random": "random", "worst": "worst first", "best": "best first"}.get,
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
reconstructions = model.reconstruct(indices)
rows = [
    ImageRow(
        "original", originals, [f"{class_names[model.dataset.y_test[i]]} · #{i}" for i in indices]
    ),
    ImageRow("reconstruction", reconstructions, [f"MSE {errors[i]:.4f}" for i in indices]),
    ImageRow("difference", reconstructions - originals, signed=True),
    ImageRow(
        f"PCA-{k}", model.pca_reconstruct(indices), [f"MSE {pca_errors[i]:.4f}" for i in indices]
    ),
]
st.plotly_chart(image_rows(rows, columns=min(count, 8), cell_px=58), config=CHART, key="recon.grid")
st.caption(
    "Difference = reconstruction − original: red where the model added ink, blue where it "
    "missed ink, black where it matched."
)

# --- errors of all test images ------------------------------------------------------------
st.subheader("Which digits are unusual?")
st.markdown(
    "An autoencoder reconstructs typical digits well and odd ones badly, so the error is a "
    "simple **anomaly score**: images above a threshold are flagged for a closer look."
)
quantile = st.slider("Flag the worst", 0.5, 10.0, 2.0, step=0.5, format="%g%%", key="recon.flag")
threshold = float(sorted(errors)[int(len(errors) * (1 - quantile / 100))])
st.plotly_chart(
    error_histogram(errors, pca_errors, baseline_name=f"PCA-{k}", threshold=threshold),
    config=CHART,
    key="recon.histogram",
)
flagged = model.choose(16, None, "worst")
st.caption(
    f"{(errors >= threshold).sum():,} test images have an error of at least {threshold:.4f} "
    f"(the worst {quantile:g}%). The {len(flagged)} most unusual:"
)
st.plotly_chart(
    image_rows(
        [
            ImageRow(
                "unusual (label: MSE)",
                model.dataset.x_test[flagged],
                [f"{class_names[model.dataset.y_test[i]]}: {errors[i]:.3f}" for i in flagged],
            ),
            ImageRow("reconstruction", model.reconstruct(flagged)),
        ],
        columns=8,
        cell_px=52,
    ),
    config=CHART,
    key="recon.flagged",
)
