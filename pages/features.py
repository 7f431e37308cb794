"""Features: what the hidden units learned to look for, and what each code unit draws."""

import streamlit as st

from ae_core.figures import ImageRow, image_rows
from pages.ui.charts import show_chart
from pages.ui.common import model_page

session, model = model_page(
    "Features",
    "Inside the network: the patterns its units respond to and the strokes its code units add.",
)

st.subheader("What the first layer looks for")
features = model.first_layer_features(limit=48)
if features is None:
    st.info(
        "This model's encoder starts with convolutions, whose 3×3 filters are too small to "
        "show as images. The code units below work for every architecture.",
        icon=":material/info:",
    )
else:
    st.markdown(
        "Each tile is one unit of the first hidden layer: its weight on every pixel, **red** "
        "where ink makes the unit fire, **blue** where ink holds it back. Sparse autoencoders "
        f"tend to learn strokes and edges; others learn blurrier, {model.dataset.info.item}-like "
        "blobs."
    )
    show_chart(
        image_rows([ImageRow("units", features, signed=True)], columns=12, cell_px=52),
        key="features.first_layer",
    )
    st.caption(f"The {len(features)} units with the largest weights, each scaled to its own range.")

st.subheader("What each code unit draws")
st.markdown(
    "Start from the average code, raise one code unit by two standard deviations and decode: "
    "the tile shows what changes (**red**: ink added, **blue**: ink removed)."
)
effects = model.code_unit_effects(limit=32)
peak = max(float(abs(effects).max()), 1e-6)
show_chart(
    image_rows([ImageRow("code units", effects / peak, signed=True)], columns=16, cell_px=52),
    key="features.code_units",
)
st.caption(
    f"Up to 32 of the {model.latent_dim} code units, those that vary most across test "
    f"{model.dataset.info.items}."
)
