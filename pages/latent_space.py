"""Latent space: every test digit as a point, the decoder's map, and paths between digits."""

import numpy as np
import streamlit as st

from ae_core.figures import ImageRow, image_rows, latent_scatter, manifold
from ae_core.latent import interpolate
from pages.ui.common import model_page

CHART = {"displayModeBar": False}

session, model = model_page(
    "Latent space",
    "Where the encoder puts each of the 10,000 test digits. Click a point to see its digit.",
)

with st.spinner("Encoding all 10,000 test images (once per model)..."):
    view = model.view
dataset = model.dataset
class_names = dataset.class_names

# Widgets whose range depends on the model get per-model keys, so switching models resets them.
per_model = f"{model.name}"
scatter_key = f"latent.scatter.{per_model}"
scatter_col, detail_col = st.columns([3, 1], gap="large")
highlights = {}
with detail_col:
    # The scatter's selection from the last click is in session state before it is redrawn,
    # so the panel can be filled first and the scatter can mark what it shows.
    selection = st.session_state.get(scatter_key)
    points = selection["selection"]["points"] if selection else []
    picked = [p["customdata"] for p in points if "customdata" in p]
    if picked:
        index = int(picked[0])
        highlights[f"#{index}"] = view.points[index]
        st.markdown(f"**Test image #{index}** (label {class_names[dataset.y_test[index]]})")
        code = model.test_codes[index]
        st.plotly_chart(
            image_rows(
                [
                    ImageRow("original", dataset.x_test[[index]]),
                    ImageRow("decoded", model.decode(code)),
                ],
                cell_px=90,
            ),
            config=CHART,
            key="latent.picked",
        )
        shown = ", ".join(f"{v:.2f}" for v in code[:8])
        st.caption(f"Code: {shown}{' ...' if len(code) > 8 else ''}")
    else:
        st.info("Click a point to see its digit and what the decoder makes of its code.")

    if model.latent_dim == 2:
        st.markdown("**Decode any point**")
        lo, hi = np.percentile(view.points, [1, 99], axis=0)
        x, y = (
            st.slider(
                f"code {i + 1}",
                float(lo[i]),
                float(hi[i]),
                float((lo[i] + hi[i]) / 2),
                key=f"latent.{axis}.{per_model}",
            )
            for i, axis in enumerate("xy")
        )
        highlights["decoded"] = np.array([x, y])
        st.plotly_chart(
            image_rows(
                [ImageRow(f"({x:.1f}, {y:.1f})", model.decode(np.array([x, y])))], cell_px=90
            ),
            config=CHART,
            key="latent.decoded",
        )
with scatter_col:
    st.plotly_chart(
        latent_scatter(
            view.points,
            dataset.y_test,
            class_names,
            view.x_title,
            view.y_title,
            highlights=highlights,
        ),
        config={"displayModeBar": True, "displaylogo": False},
        on_select="rerun",
        selection_mode="points",
        key=scatter_key,
    )
    st.caption(view.description)

if model.latent_dim == 2:
    st.subheader("The decoder's map of the plane")
    st.markdown(
        "Each tile is what the decoder draws from the code at its position, on an evenly "
        "spaced grid across the area the test digits occupy: the same plane as the scatter above."
    )
    steps = st.slider("Tiles per side", 6, 24, 15, key=f"latent.steps.{per_model}")
    with st.spinner("Decoding the grid..."):
        images, xs, ys = model.manifold(steps)
    st.plotly_chart(manifold(images, xs, ys), config=CHART, key="latent.manifold")
else:
    st.info(
        f"The decoder's map needs a 2-D code; this model's code has {model.latent_dim} numbers. "
        "Train with code size 2 (the 2-D preset) to see it.",
        icon=":material/info:",
    )

st.subheader("Walk from one digit to another")
st.markdown(
    "Pick two test images; the strip decodes codes on the straight line between their codes. "
    "A smooth latent space gives a smooth morph."
)
first_of = {c: int(np.flatnonzero(dataset.y_test == c)[0]) for c in range(len(class_names))}
a_col, b_col, n_col = st.columns(3)
start = a_col.number_input(
    "From test image #", 0, len(dataset.x_test) - 1, first_of[3], key="latent.from"
)
end = b_col.number_input(
    "To test image #", 0, len(dataset.x_test) - 1, first_of[8], key="latent.to"
)
steps = n_col.slider("Steps", 3, 16, 9, key="latent.walk_steps")
path = interpolate(model.test_codes[start], model.test_codes[end], steps)
st.plotly_chart(
    image_rows(
        [
            ImageRow(
                "originals",
                dataset.x_test[[start, end]],
                [
                    f"#{start} ({class_names[dataset.y_test[start]]})",
                    f"#{end} ({class_names[dataset.y_test[end]]})",
                ],
            ),
            ImageRow(
                "decoded path", model.decode(path), [f"{t:.2f}" for t in np.linspace(0, 1, steps)]
            ),
        ],
        cell_px=64,
    ),
    config=CHART,
    key="latent.walk",
)

if model.autoencoder.generative:
    st.subheader("New digits from the prior")
    st.markdown(
        "A VAE learns codes that follow a standard normal distribution, so codes drawn at "
        "random from N(0, I) decode to new digits nobody wrote."
    )
    sample_seed = st.session_state.setdefault("latent.sample_seed", 0)
    if st.button("Draw new samples", icon=":material/casino:", key="latent.sample"):
        sample_seed = st.session_state["latent.sample_seed"] = sample_seed + 1
    samples = model.autoencoder.sample(16, np.random.default_rng(sample_seed))
    st.plotly_chart(
        image_rows([ImageRow("samples", samples)], columns=8, cell_px=64),
        config=CHART,
        key="latent.samples",
    )
