"""Latent space: every test image as a point, the decoder's map, and paths between images."""

import time

import numpy as np
import streamlit as st

from ae_core.figures import ImageRow, image_rows, kl_per_dimension, latent_scatter, manifold
from ae_core.i18n import _
from ae_core.latent import interpolate, to_plane
from ae_core.replay import Replay
from pages.ui.charts import show_chart
from pages.ui.common import model_page
from pages.ui.language import worded

REPLAY_SECONDS_PER_EPOCH = 0.6
COLLAPSED_KL = 0.05  # nats: a dimension below this tells the decoder next to nothing

session, model = model_page(
    _("Latent space"),
    _("Where the encoder puts each of the 10,000 test {items}. Click a point to see its image."),
)
item, items = _(model.dataset.info.item), _(model.dataset.info.items)

with st.spinner(_("Encoding all 10,000 test images (once per model)...")):
    view = model.view
dataset = model.dataset
class_names = [_(c) for c in dataset.class_names]
points = view.points

dead = model.dead_units
if len(dead):
    st.warning(
        _(
            "{n_dead} of {latent_dim} code units never change (the same value for "
            "every test {item}): they are dead and carry nothing. With ReLU codes or "
            "a strong sparsity penalty this happens when a unit stops firing during "
            "training; a smaller learning rate or penalty keeps more alive."
        ).format(n_dead=len(dead), latent_dim=model.latent_dim, item=item),
        icon=":material/heart_broken:",
    )

if model.posterior is not None:
    shown_codes = st.radio(
        _("Codes shown"),
        ["mean", "sample"],
        format_func=worded(
            {
                "mean": _("the mean of each image's Gaussian"),
                "sample": _("one sample from it (what the decoder trains on)"),
            }.__getitem__
        ),
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
        _("Test image #"),
        min_value=0,
        max_value=len(dataset.x_test) - 1,
        value=None,
        step=1,
        placeholder=_("click a point, or type 0 to 9999"),
        key=number_key,
        on_change=take_number,
    )
    index = st.session_state.get(pick_key)
    if index is not None:
        index = int(index)
        highlights[f"#{index}"] = points[index]
        st.markdown(
            _("**Test image #{index}** (label {label})").format(
                index=index, label=class_names[dataset.y_test[index]]
            )
        )
        code = model.test_codes[index]
        show_chart(
            image_rows(
                [
                    ImageRow(_("original"), dataset.x_test[[index]]),
                    ImageRow(_("decoded"), model.decode(code)),
                ],
                cell_px=90,
            ),
            key="latent.picked",
        )
        shown = ", ".join(f"{v:.2f}" for v in code[:8])
        st.caption(_("Code: {numbers}").format(numbers=shown + (" ..." if len(code) > 8 else "")))
        st.button(_("Clear the pick"), key="latent.clear", on_click=clear_pick)
    else:
        st.info(
            _("Click a point to see its {item} and what the decoder makes of its code.").format(
                item=item
            )
        )

    if model.latent_dim == 2:
        st.markdown(_("**Decode any point**"))
        lo, hi = np.percentile(view.points, [1, 99], axis=0)
        # A dead code unit (a ReLU that never fires) has no spread: give its slider a range.
        flat = hi - lo < 1e-6
        lo, hi = np.where(flat, lo - 0.5, lo), np.where(flat, hi + 0.5, hi)
        x, y = (
            st.slider(
                _("code {number}").format(number=i + 1),
                float(lo[i]),
                float(hi[i]),
                float((lo[i] + hi[i]) / 2),
                key=f"latent.{axis}.{per_model}",
            )
            for i, axis in enumerate("xy")
        )
        highlights[_("decoded")] = np.array([x, y])
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
    st.subheader(_("What each code dimension carries"))
    show_chart(kl_per_dimension(kl, COLLAPSED_KL), key="latent.kl")
    collapsed = np.flatnonzero(kl < COLLAPSED_KL)
    if len(collapsed) == len(kl):
        st.warning(
            _(
                "Every dimension's KL is near zero: the encoder gives every image the "
                "same Gaussian and the decoder ignores the code (posterior collapse). "
                "Lower beta and train again."
            ),
            icon=":material/warning:",
        )
    elif len(collapsed):
        listed = ", ".join(f"z{j + 1}" for j in collapsed)
        st.info(
            _(
                "{listed} carry almost nothing (KL below {COLLAPSED_KL} nats): the "
                "encoder leaves them at the prior and the decoder ignores them, a "
                "partial posterior collapse. It is common with a large code or a large "
                "beta."
            ).format(listed=listed, COLLAPSED_KL=COLLAPSED_KL),
            icon=":material/info:",
        )
    else:
        st.caption(_("Every dimension carries information about the image."))

if model.latent_dim == 2:
    st.subheader(_("The decoder's map of the plane"))
    st.markdown(
        _(
            "Each tile is what the decoder draws from the code at its position, on "
            "an evenly spaced grid across the area the test {items} occupy: the same "
            "plane as the scatter above."
        ).format(items=items)
    )
    steps = st.slider(_("Tiles per side"), 6, 24, 15, key=f"latent.steps.{per_model}")
    with st.spinner(_("Decoding the grid...")):
        images, xs, ys = model.manifold(steps)
    show_chart(manifold(images, xs, ys), key="latent.manifold")
else:
    st.info(
        _(
            "The decoder's map needs a 2-D code; this model's code has {latent_dim} "
            "numbers. Train with code size 2 (the 2-D preset) to see it."
        ).format(latent_dim=model.latent_dim),
        icon=":material/info:",
    )

st.subheader(_("Walk from one {item} to another").format(item=item))
st.markdown(
    _(
        "Pick two test images; the strip decodes codes on the straight line "
        "between their codes. A smooth latent space gives a smooth morph."
    )
)
first_of = {c: int(np.flatnonzero(dataset.y_test == c)[0]) for c in range(len(class_names))}
a_col, b_col, n_col = st.columns(3)
start = a_col.number_input(
    _("From test image #"), 0, len(dataset.x_test) - 1, first_of[3], key="latent.from"
)
end = b_col.number_input(
    _("To test image #"), 0, len(dataset.x_test) - 1, first_of[8], key="latent.to"
)
steps = n_col.slider(_("Steps"), 3, 16, 9, key="latent.walk_steps")
path = interpolate(model.test_codes[start], model.test_codes[end], steps)
show_chart(
    image_rows(
        [
            ImageRow(
                _("originals"),
                dataset.x_test[[start, end]],
                [
                    f"#{start} ({class_names[dataset.y_test[start]]})",
                    f"#{end} ({class_names[dataset.y_test[end]]})",
                ],
            ),
            ImageRow(
                _("decoded path"),
                model.decode(path),
                [f"{t:.2f}" for t in np.linspace(0, 1, steps)],
            ),
        ],
        cell_px=64,
    ),
    key="latent.walk",
)

if model.autoencoder.generative:
    st.subheader(_("New {items} from the prior").format(items=items))
    st.markdown(
        _(
            "A VAE learns codes that follow a standard normal distribution, so codes "
            "drawn at random from N(0, I) decode to new {items} nobody made."
        ).format(items=items)
    )
    sample_seed = st.session_state.setdefault("latent.sample_seed", 0)
    if st.button(_("Draw new samples"), icon=":material/casino:", key="latent.sample"):
        sample_seed = st.session_state["latent.sample_seed"] = sample_seed + 1
    samples = model.autoencoder.sample(16, np.random.default_rng(sample_seed))
    show_chart(
        image_rows([ImageRow("samples", samples)], columns=8, cell_px=64),
        key="latent.samples",
    )

# --- replay -------------------------------------------------------------------------------
st.subheader(_("Replay how it learned"))
replay = model.replay
if replay is None:
    st.caption(
        _(
            "This model has no replay: runs keep one from training, and saved runs "
            "from the version that saves it."
        )
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
        epoch_index = picked.slider(_("Epoch"), 1, len(replay), len(replay), key=step_key) - 1
        playing = play.button(_("Play"), icon=":material/play_arrow:", key=f"{step_key}.play")
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
                    title=_("Codes after epoch {epoch}").format(epoch=replay.epochs[index]),
                    height=420,
                    ranges=ranges,
                ),
                where=left,
                **({"key": f"{key}.scatter"} if key else {}),
            )
            show_chart(
                image_rows(
                    [
                        ImageRow(_("original"), replay.originals),
                        ImageRow(
                            _("epoch {epoch}").format(epoch=replay.epochs[index]),
                            replay.reconstructions[index],
                        ),
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
        _(
            "{n_code_labels:,} test {items} and one of each class, as the model saw "
            "them after each epoch; all frames share the final epoch's axes. "
            "{description}"
        ).format(
            n_code_labels=len(replay.code_labels), items=items, description=final_view.description
        )
    )
