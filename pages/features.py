"""Features: what the hidden units learned to look for, and what each code unit draws."""

import streamlit as st

from ae_core.figures import ImageRow, image_rows
from ae_core.i18n import _
from pages.ui.charts import show_chart
from pages.ui.common import model_page

session, model = model_page(
    _("Features"),
    _("Inside the network: the patterns its units respond to and the strokes its code units add."),
)

st.subheader(_("What the first layer looks for"))
features = model.first_layer_features(limit=48)
if features is None:
    st.info(
        _(
            "This model's encoder starts with convolutions, whose 3×3 filters are "
            "too small to show as images. The code units below work for every "
            "architecture."
        ),
        icon=":material/info:",
    )
else:
    st.markdown(
        _(
            "Each tile is one unit of the first hidden layer: its weight on every "
            "pixel, **red** where ink makes the unit fire, **blue** where ink holds "
            "it back. Sparse autoencoders tend to learn strokes and edges; others "
            "learn blurrier, {item}-like blobs."
        ).format(item=_(model.dataset.info.item))
    )
    show_chart(
        image_rows([ImageRow(_("units"), features, signed=True)], columns=12, cell_px=52),
        key="features.first_layer",
    )
    st.caption(
        _("The {n_features} units with the largest weights, each scaled to its own range.").format(
            n_features=len(features)
        )
    )

st.subheader(_("What each code unit draws"))
st.markdown(
    _(
        "Start from the average code, raise one code unit by two standard "
        "deviations and decode: the tile shows what changes (**red**: ink added, "
        "**blue**: ink removed)."
    )
)
effects = model.code_unit_effects(limit=32)
peak = max(float(abs(effects).max()), 1e-6)
show_chart(
    image_rows([ImageRow(_("code units"), effects / peak, signed=True)], columns=16, cell_px=52),
    key="features.code_units",
)
st.caption(
    _("Up to 32 of the {latent_dim} code units, those that vary most across test {items}.").format(
        latent_dim=model.latent_dim, items=_(model.dataset.info.items)
    )
)
