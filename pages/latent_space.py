"""Latent space: every test image as a point, the decoder's map, and paths between images."""

import time

import numpy as np
import streamlit as st

from ae_core.figures import ImageRow, image_rows, kl_per_dimension, latent_scatter, manifold
from ae_core.latent import interpolate, to_plane
from ae_core.replay import Replay
from pages.ui.charts import show_chart
from pages.ui.common import model_page

REPLAY_SECONDS_PER_EPOCH = 0.6
COLLAPSED_KL = 0.05  # nats: a dimension below this tells the decoder next to nothing

session, model = model_page(
    "Latent space",
    "Where the encoder puts each of the 10,000 test {items}. Click a point to see its image.",
)
item, items = model.dataset.info.item, model.dataset.info.items

with st.spinner("Encoding all 10,000 test images (once per model)..."):
    view = model.view
dataset = model.dataset
class_names = dataset.class_names
points = view.points

dead = model.dead_units
if len(dead):
    st.warning(
        f"{len(dead)} of {model.latent_dim} code units never change (the same value for every "
        f"test {item}): they are dead and carry nothing. With ReLU codes or a strong sparsity "
        "penalty this happens when a unit stops firing during training; a smaller learning "
        "rate or penalty keeps more alive.",
        icon=":material/heart_broken:",
    )

if model.posterior is not None:
    shown_codes = st.radio(
        "Codes shown",
        ["mean", "sample"],
        format_func={
            "mean": "the mean of each image's Gaussian",
            "sample": "one sample from it (what the decoder trains on)",
        }.__getitem__,
        horizontal=True,
        key=f"latent.vae_codes.{model.id}",
    )
    samples = model.sampled_codes(seed=0) if shown_codes == "sample" else None
    if samples is not None:
        points = view.project(samples)

# Widgets whose range depends on the model get per-model keys, so switching models resets them.
per_model = model.id
scatter_key = f"latent.scatter.{per_model}"
pick_key, number_key = f"latent.pick.{per_model}", f"latent.number.{per_model}"


def take_click() -> None:
    """A click on the scatter picks its point, until another pick or Clear.

    The pick is kept here, not in the chart: drawing the star changes the figure, and a
    changed figure forgets its selection.
    """
    selection = st.session_state.get(scatter_key)
    points = selection["selection"]["points"] if selection else []
    picked = [p["customdata"] for p in points if "customdata" in p]
    if picked:
        st.session_state[pick_key] = st.session_state[number_key] = int(picked[0])


def take_number() -> None:
    st.session_state[pick_key] = st.session_state[number_key]


def clear_pick() -> None:
    st.session_state[pick_key] = st.session_state[number_key] = None


scatter_col, detail_col = st.columns([3, 1], gap="large")
highlights = {}
with detail_col:
    # The keyboard path to the same thing as a click: type a test image's number.
    st.number_input(
        "Test image #",
        min_value=0,
        max_value=len(dataset.x_test) - 1,
        value=None,
        step=1,
        placeholder="click a point, or type 0 to 9999",
        key=number_key,
        on_change=take_number,
    )
    index = st.session_state.get(pick_key)
    if index is not None:
        index = int(index)
        highlights[f"#{index}"] = points[index]
        st.markdown(f"**Test image #{index}** (label {class_names[dataset.y_test[index]]})")
        code = model.test_codes[index]
        show_chart(
            image_rows(
                [
                    ImageRow("original", dataset.x_test[[index]]),
                    ImageRow("decoded", model.decode(code)),
                ],
                cell_px=90,
            ),
            key="latent.picked",
        )
        shown = ", ".join(f"{v:.2f}" for v in code[:8])
        st.caption(f"Code: {shown}{' ...' if len(code) > 8 else ''}")
        st.button("Clear the pick", key="latent.clear", on_click=clear_pick)
    else:
        st.info(f"Click a point to see its {item} and what the decoder makes of its code.")

    if model.latent_dim == 2:
        st.markdown("**Decode any point**")
        lo, hi = np.percentile(view.points, [1, 99], axis=0)
        # A dead code unit (a ReLU that never fires) has no spread: give its slider a range.
        flat = hi - lo < 1e-6
        lo, hi = np.where(flat, lo - 0.5, lo), np.where(flat, hi + 0.5, hi)
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
        show_chart(
            image_rows(
                [ImageRow(f"({x:.1f}, {y:.1f})", model.decode(np.array([x, y])))], cell_px=90
            ),
            key="latent.decoded",
        )
with scatter_col:
    show_chart(
        latent_scatter(
            points,
            dataset.y_test,
            class_names,
            view.x_title,
            view.y_title,
            highlights=highlights,
        ),
        config={"displayModeBar": True, "displaylogo": False},
        on_select=take_click,
        selection_mode="points",
        key=scatter_key,
    )
    st.caption(view.description)

kl = model.kl_per_dimension
if kl is not None:
    st.subheader("What each code dimension carries")
    show_chart(kl_per_dimension(kl, COLLAPSED_KL), key="latent.kl")
    collapsed = np.flatnonzero(kl < COLLAPSED_KL)
    if len(collapsed) == len(kl):
        st.warning(
            "Every dimension's KL is near zero: the encoder gives every image the same "
            "Gaussian and the decoder ignores the code (posterior collapse). Lower beta and "
            "train again.",
            icon=":material/warning:",
        )
    elif len(collapsed):
        listed = ", ".join(f"z{j + 1}" for j in collapsed)
        st.info(
            f"{listed} carry almost nothing (KL below {COLLAPSED_KL} nats): the encoder "
            "leaves them at the prior and the decoder ignores them, a partial posterior "
            "collapse. It is common with a large code or a large beta.",
            icon=":material/info:",
        )
    else:
        st.caption("Every dimension carries information about the image.")

if model.latent_dim == 2:
    st.subheader("The decoder's map of the plane")
    st.markdown(
        "Each tile is what the decoder draws from the code at its position, on an evenly "
        f"spaced grid across the area the test {items} occupy: the same plane as the scatter "
        "above."
    )
    steps = st.slider("Tiles per side", 6, 24, 15, key=f"latent.steps.{per_model}")
    with st.spinner("Decoding the grid..."):
        images, xs, ys = model.manifold(steps)
    show_chart(manifold(images, xs, ys), key="latent.manifold")
else:
    st.info(
        f"The decoder's map needs a 2-D code; this model's code has {model.latent_dim} numbers. "
        "Train with code size 2 (the 2-D preset) to see it.",
        icon=":material/info:",
    )

st.subheader(f"Walk from one {item} to another")
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
show_chart(
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
    key="latent.walk",
)

if model.autoencoder.generative:
    st.subheader(f"New {items} from the prior")
    st.markdown(
        "A VAE learns codes that follow a standard normal distribution, so codes drawn at "
        f"random from N(0, I) decode to new {items} nobody made."
    )
    sample_seed = st.session_state.setdefault("latent.sample_seed", 0)
    if st.button("Draw new samples", icon=":material/casino:", key="latent.sample"):
        sample_seed = st.session_state["latent.sample_seed"] = sample_seed + 1
    samples = model.autoencoder.sample(16, np.random.default_rng(sample_seed))
    show_chart(
        image_rows([ImageRow("samples", samples)], columns=8, cell_px=64),
        key="latent.samples",
    )

# --- replay -------------------------------------------------------------------------------
st.subheader("Replay how it learned")
replay = model.replay
if replay is None:
    st.caption(
        "This model has no replay: runs keep one from training, and saved runs from the "
        "version that saves it."
    )
else:
    final_view = to_plane(replay.codes[-1])
    frames = [final_view.project(codes) for codes in replay.codes]
    everything = np.concatenate(frames)
    low, high = np.percentile(everything, [0.5, 99.5], axis=0)
    margin = (high - low) * 0.05
    ranges = ((low[0] - margin[0], high[0] + margin[0]), (low[1] - margin[1], high[1] + margin[1]))
    step_key = f"latent.replay.{model.id}"
    if len(replay) > 1:
        picked, play = st.columns([4, 1])
        epoch_index = picked.slider("Epoch", 1, len(replay), len(replay), key=step_key) - 1
        playing = play.button("Play", icon=":material/play_arrow:", key=f"{step_key}.play")
    else:
        epoch_index, playing = 0, False
    screen = st.empty()

    def draw(index: int, key: str | None, replay: Replay = replay) -> None:
        with screen.container():
            left, right = st.columns([3, 2])
            show_chart(
                latent_scatter(
                    frames[index],
                    replay.code_labels,
                    class_names,
                    final_view.x_title,
                    final_view.y_title,
                    title=f"Codes after epoch {replay.epochs[index]}",
                    height=420,
                    ranges=ranges,
                ),
                where=left,
                **({"key": f"{key}.scatter"} if key else {}),
            )
            show_chart(
                image_rows(
                    [
                        ImageRow("original", replay.originals),
                        ImageRow(f"epoch {replay.epochs[index]}", replay.reconstructions[index]),
                    ],
                    columns=5,
                    cell_px=52,
                ),
                where=right,
                **({"key": f"{key}.images"} if key else {}),
            )

    if playing:  # every epoch in turn, then back to the one the slider shows
        for index in range(len(replay)):
            draw(index, None)
            time.sleep(REPLAY_SECONDS_PER_EPOCH)
    draw(epoch_index, step_key)
    st.caption(
        f"{len(replay.code_labels):,} test {items} and one of each class, as the model saw "
        f"them after each epoch; all frames share the final epoch's axes. {final_view.description}"
    )
