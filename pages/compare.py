"""Compare runs: two to four models side by side on the same test images."""

import streamlit as st

from ae_core.figures import ImageRow, compare_losses, image_rows, latent_scatter
from ae_core.i18n import _
from ae_core.presets import LINEUP_SETTINGS, lineup
from pages.ui.alt_text import as_table
from pages.ui.charts import show_chart
from pages.ui.common import model_names, open_model, page_start, saved_runs, user_errors
from pages.ui.language import worded
from pages.ui.session import is_training, remember_settings, start_training

SHOWN = 8

session = page_start(
    _("Compare runs"),
    _(
        "Two to four models side by side: their losses, their scores on all test "
        "images, the same test images reconstructed by each, and their latent "
        "spaces."
    ),
)
saved = saved_runs()
names = model_names(session, saved)

with st.container(border=True):
    configs = lineup()
    settings = LINEUP_SETTINGS
    st.markdown(
        _(
            "**Every architecture, one code size.** Train all {n_configs} in turn "
            "with a {latent_dim}-D code, {train_size:,} images and {epochs} epochs each "
            "(about a minute on an idle server), then compare them here."
        ).format(
            n_configs=len(configs),
            latent_dim=settings["latent_dim"],
            train_size=settings["train_size"],
            epochs=settings["epochs"],
        )
    )
    if session.lineup:
        st.caption(
            _("Training the lineup: {n_lineup} more after the one in progress.").format(
                n_lineup=len(session.lineup)
            )
        )
    if st.button(
        _("Train them in turn"),
        key="compare.lineup",
        disabled=is_training(session),
        icon=":material/playlist_play:",
    ):
        with user_errors():
            first, *rest = configs
            remember_settings(session, first)
            session.lineup = rest
            start_training(session, first)
            st.rerun()

if len(names) < 2:
    st.info(
        _(
            "Comparing needs at least two models: train another on the Train page "
            "(or save runs to the runs folder), then come back."
        ),
        icon=":material/info:",
    )
    st.page_link("pages/train.py", label=_("Open the Train page"), icon=":material/model_training:")
    st.stop()

first = [session.current] if session.current in names else []
default = (first + [key for key in names if key not in first])[:2]
chosen = st.multiselect(
    _("Models to compare"),
    list(names),
    default=default,
    max_selections=4,
    format_func=worded(names.__getitem__),
    help=_("This session's models, then runs saved in the runs folder."),
    key="compare.models",
)
if len(chosen) < 2:
    st.info(_("Pick at least two models."), icon=":material/info:")
    st.stop()

models = []
with st.spinner(_("Loading and scoring every test image...")):
    for key in chosen:
        with user_errors():
            models.append(open_model(session, saved, key))
if len(models) < 2:
    st.stop()

st.subheader(_("Scores on all test images"))
st.dataframe([model.summary() for model in models], hide_index=True)
st.caption(
    _(
        "Test MSE and BCE: reconstruction error per pixel over all test images "
        "(lower is better). PCA MSE: PCA with as many components as each code, "
        "the baseline to beat. 5-NN accuracy: how often a test image's 5 nearest "
        "codes share its label, i.e. how well the code keeps classes apart "
        "without ever being told them."
    )
)

show_chart(
    compare_losses({model.short_name: model.history for model in models}), key="compare.losses"
)

datasets = {model.dataset.name for model in models}
if len(datasets) == 1:
    st.subheader(_("The same test images, reconstructed by each"))
    reference = models[0]
    indices = reference.choose(SHOWN, None, "random", seed=0)
    rows = [ImageRow(_("original"), reference.dataset.x_test[indices])]
    for model in models:
        errors = model.errors[indices]
        rows.append(
            ImageRow(
                model.short_name,
                model.reconstruct_test_images(indices),
                [f"MSE {e:.4f}" for e in errors],
            )
        )
    show_chart(image_rows(rows, cell_px=64), key="compare.reconstructions")
    as_table(rows, _("These images"))
else:
    st.info(_("These models were trained on different datasets, so no test image is shared."))

st.subheader(_("Their latent spaces"))
columns = st.columns(len(models))
for column, model in zip(columns, models, strict=True):
    view = model.view
    with column:
        show_chart(
            latent_scatter(
                view.points,
                model.dataset.y_test,
                model.dataset.class_names,
                view.x_title,
                view.y_title,
                title=model.short_name,
                height=420,
            ),
            key=f"compare.latent.{model.id}",
        )
        st.caption(view.description)
st.caption(_("Colours are the same classes in every plot."))
