"""Train: pick an architecture and its settings, see the network, watch it learn."""

from __future__ import annotations

import functools

import streamlit as st

from ae_core.architectures import all_architectures, get_architecture
from ae_core.config import DataConfig, TrainConfig
from ae_core.drawings import network_diagram
from ae_core.epoch_drawings import PictureRow, codes_drawing, image_rows_drawing, loss_drawing
from ae_core.errors import ConfigError
from ae_core.i18n import _, current_language, lazy
from ae_core.latent import to_plane
from ae_core.lessons import lesson
from ae_core.progress import progress_line
from ae_core.run_config import RunConfig, setting_label
from pages.ui.charts import drawing_scale, show_drawing
from pages.ui.common import page_start, user_errors
from pages.ui.folding import fold, folding_box
from pages.ui.language import worded
from pages.ui.lesson_file import lesson_plan, page_link
from pages.ui.lesson_view import show_lesson
from pages.ui.run_files import standalone_script
from pages.ui.service import training_service
from pages.ui.session import (
    find_run_again,
    is_training,
    job_model,
    save_trained_run,
    start_training,
)
from pages.ui.settings_form import settings_widgets
from pages.ui.setup_address import (
    apply_setup_from_address,
    run_from_address,
    write_run_to_address,
    write_setup_to_address,
)

session = page_start(
    _("Train a model"),
    _(
        "Settings that do not apply to the chosen architecture are hidden. "
        "Changing them during a run only affects the next run."
    ),
)
# A reload opens a new session: the address names the run, so the page finds it again
# instead of offering a second Start for the same tab.
if (named_run := run_from_address()) is not None:
    find_run_again(session, named_run)
if session.job is not None:
    write_run_to_address(session.job.run_id)
running_job = session.job if is_training(session) else None
running = running_job is not None
# An address with a setup (shared by a teacher, say) fills in the settings below.
apply_setup_from_address(session)

# --- what to train --------------------------------------------------------------------
plan = lesson_plan()  # a teacher's lesson may offer fewer architectures, fix or hide settings
architectures = {
    a.name: a for a in all_architectures() if not plan.architectures or a.name in plan.architectures
}
if session.architecture not in architectures:
    session.architecture = next(iter(architectures))
pick_left, pick_right = st.columns([1, 2])
with pick_left:
    arch_name = st.selectbox(
        _("Architecture"),
        list(architectures),
        index=list(architectures).index(session.architecture),
        format_func=worded(lambda n: _(architectures[n].title)),
        key="train.architecture",
    )
session.architecture = arch_name
architecture = get_architecture(arch_name)
with pick_right:
    st.markdown(
        _("**{title}.** {description}").format(
            title=_(architecture.title), description=_(architecture.description)
        )
    )
    with st.expander(_("The maths of this model")):
        run_loss = session.settings.get(arch_name, {}).get("loss", TrainConfig().loss)
        show_lesson(lesson(arch_name), loss=run_loss)

stored = session.settings.setdefault(arch_name, {})
FOLDED_ON_START = ("train.model_box", "train.data_box", "train.network_box")
# Once a run exists the page is about watching it: the settings fold away, and folded they
# are not drawn at all (one click opens them). Their widgets were most of what a tab drew
# to open this page on a run, thirty tabs at once when a class presses one preset
# (bench/README.md). A press of Start folds them, yet draws them this once: a value typed
# just before the press reaches the server with it, in this run only.
start_pressed = bool(st.session_state.get("train.start"))
first_visit = session.job is None and not start_pressed
if start_pressed:
    fold(FOLDED_ON_START)
with folding_box(_("Model settings"), "train.model_box", first_visit) as model_box:
    values = settings_widgets(
        architecture.config_class,
        stored,
        key=f"setting.{arch_name}.model",
        fixed=plan.fixed,
        hidden=plan.hidden,
        drawn=model_box.open or start_pressed,
    )
with folding_box(_("Data and training settings"), "train.data_box", first_visit) as data_box:
    for settings_class, part in ((DataConfig, "data"), (TrainConfig, "train")):
        values = settings_widgets(
            settings_class,
            values,
            key=f"setting.{arch_name}.{part}",
            columns=3,
            fixed=plan.fixed,
            hidden=plan.hidden,
            drawn=data_box.open or start_pressed,
        )
if plan.fixed:
    fixed = ", ".join(f"{setting_label(name)} {value}" for name, value in plan.fixed.items())
    st.caption(_("Fixed by the lesson: {settings}.").format(settings=fixed))
session.settings[arch_name] = values


@st.cache_data(show_spinner=False, max_entries=64)
def network_layers(config_json: dict):
    """The layers of the network a config describes (plain data, safe to share)."""
    from ae_core.training import build_autoencoder

    return build_autoencoder(RunConfig.from_dict(config_json)).layers()


config = None
# The settings' error, or the export and the network: one container either way, so the live
# progress below keeps its place in the page (see page_start).
with st.container():
    try:
        config = RunConfig.create(arch_name, **values)
    except ConfigError as exc:
        st.error(str(exc), icon=":material/error:")
    if config is not None:
        write_setup_to_address(config)  # copying the address now shares this exact setup
        st.download_button(
            _("Export these settings as a Python script"),
            data=functools.partial(standalone_script, config),
            file_name=f"autoencoder_{config.architecture}.py",
            mime="text/x-python",
            on_click="ignore",
            icon=":material/code:",
            key="train.export",
            help=_(
                "A standalone script in plain Keras (no part of this lab) that builds "
                "and trains this exact network with this loss."
            ),
        )
        with folding_box(_("Network"), "train.network_box", first_visit) as network_box:
            if network_box.open:
                with st.spinner(_("Drawing the network...")):
                    layers = network_layers(config.to_dict())
                    show_drawing(network_diagram(layers, scale=drawing_scale()))

# --- start and stop -------------------------------------------------------------------
start_col, stop_col, note_col = st.columns([1, 1, 4])
# A press of Start is acted on before the buttons are drawn (a keyed button's press is in
# session state from the top of the run it triggers), so this run already draws a started
# run: Start disabled, the queue place below. Acting on the button's return value took a
# second full rerun, and on a class server every rerun is CPU that the students' tabs and
# the training share.
if start_pressed and config is not None and not running:
    # Not remember_settings: the settings above are this config already, and its reset of the
    # widgets' state would break the widgets this run has drawn.
    with note_col, user_errors():  # beside the buttons: the live progress keeps its place
        start_training(session, config)
    if session.job is not None:
        write_run_to_address(session.job.run_id)
    running_job = session.job if is_training(session) else None
    running = running_job is not None
start_col.button(
    _("Start training"),
    type="primary",
    icon=":material/play_arrow:",
    disabled=running or config is None,
    key="train.start",
)
waiting = running_job is not None and running_job.snapshot().state == "queued"
if (
    stop_col.button(
        _("Cancel") if waiting else _("Stop"),
        icon=":material/stop:",
        disabled=not running,
        key="train.stop",
    )
    and running_job is not None
):
    if session.lineup:  # Stop ends the whole lineup, not just the run in front
        session.notices.append(
            lazy(
                "The {n_lineup} runs still waiting in the lineup were cancelled.",
                n_lineup=len(session.lineup),
            )
        )
        session.lineup.clear()
    outcome = running_job.stop()
    if outcome == "left":
        # Others started the same run: it goes on for them; this session steps out of it.
        session.notices.append(
            lazy(
                "You left {name}: it keeps training for the others who started the same "
                "run. Your previous model stays the current one.",
                name=running_job.name,
            )
        )
        session.job = None
        st.query_params.pop("run", None)  # or the address would attach it again
        st.rerun()
    note_col.caption(
        _("Cancelled.") if outcome == "cancelled" else _("Stopping after the current batch...")
    )


# --- live progress ----------------------------------------------------------------------
def per_epoch(name: str, epoch_key: tuple, build):
    """A figure that changes once per epoch, built once per epoch.

    The fragment below redraws every few seconds for every watching session; building the
    latent scatter and the image grid took most of a redraw's 110 ms (measured), although
    they only change when an epoch ends.
    """
    cache = st.session_state.setdefault("train.figures", {})
    # A language switch or the projector view redraws them.
    epoch_key = (*epoch_key, current_language(), drawing_scale())
    if cache.get(name, (None,))[0] != epoch_key:
        cache[name] = (epoch_key, build())
    return cache[name][1]


@st.cache_data(show_spinner=False, max_entries=32)
def shared_plane(codes):
    """An epoch's codes in a plane, computed once for every session watching the run (each
    gets its own copy): a PCA of 2,000 codes took up to 0.3 s on a server that trains."""
    return to_plane(codes)


# Redraws cost the server CPU that training needs: the progress every 2 s while a run trains
# (its line carries the running loss), every 3 s while it waits in the queue. The charts
# change once an epoch and redraw on their own, every 5 s, not with every progress redraw.
# With the shared PCA above, five tabs watching one run cost the server 0.13-0.14 of a core
# against 0.39-0.41 before (bench.watching); the browsers' share did not fall, as charts
# that have changed cost the same to draw.
CHART_SECONDS = 5.0


@st.fragment(run_every=(3.0 if waiting else 2.0) if running else None)
def live_progress():
    job = session.job
    if job is None:
        st.info(_("Press **Start training**, or pick a preset on the Home page."))
        return
    snapshot = job.snapshot()
    if snapshot.finished and not session.job_collected:
        st.rerun()  # the whole page redraws once: buttons, model list, save
    if waiting and snapshot.state != "queued":
        st.rerun()  # out of the queue: Cancel becomes Stop, and the redraws speed up
    st.progress(snapshot.fraction, text=progress_line(job.name, snapshot))
    if snapshot.state == "completed":
        st.success(snapshot.message, icon=":material/check_circle:")
    elif snapshot.state == "stopped":
        st.warning(snapshot.message, icon=":material/pause_circle:")
    elif snapshot.state in ("diverged", "failed"):
        st.error(snapshot.message, icon=":material/error:")
    elif snapshot.state == "cancelled":
        st.info(snapshot.message, icon=":material/cancel:")
    if snapshot.state == "queued":
        st.caption(
            _(
                "The server trains {workers} run(s) at a time and the rest wait their "
                "turn, first come, first served. The estimate assumes each run ahead "
                "takes what it usually does."
            ).format(workers=training_service().workers)
        )
    if snapshot.watchers > 1 and not snapshot.finished:
        st.caption(
            _(
                "{watchers} sessions asked for exactly this run, so it is trained once "
                "for all of them."
            ).format(watchers=snapshot.watchers)
        )


@st.fragment(run_every=CHART_SECONDS if running else None)
def epoch_charts() -> None:
    """The latest epoch's reconstructions, the loss curve and the codes."""
    job = session.job
    if job is None:
        return
    snapshot = job.snapshot()
    from ae_core.data import dataset_info

    info = dataset_info(job.config.data.dataset)
    report = snapshot.latest_epoch
    epoch_key = (job.run_id, len(snapshot.epochs), snapshot.finished)
    if report is not None and report.originals is not None and report.reconstructions is not None:
        originals, reconstructions = report.originals, report.reconstructions
        grid = per_epoch(
            "reconstructions",
            epoch_key,
            lambda: image_rows_drawing(
                [
                    PictureRow(_("original"), originals, [_(c) for c in info.class_names]),
                    PictureRow(_("epoch {epoch}").format(epoch=report.epoch), reconstructions),
                ],
                title=_("Test {items} and their reconstructions, refreshed every epoch").format(
                    items=_(info.items)
                ),
                cell=56,
                scale=drawing_scale(),
            ),
        )
        show_drawing(grid)
        st.caption(
            _(
                "Above: one test image of each class ({classes}), then the model's "
                "reconstruction of each after epoch {epoch}."
            ).format(classes=", ".join(_(c) for c in info.class_names), epoch=report.epoch)
        )
    chart_col, latent_col = st.columns([1, 1], gap="large")
    with chart_col:
        if snapshot.epochs:
            curves = per_epoch(
                "loss", epoch_key, lambda: loss_drawing(snapshot.epochs, scale=drawing_scale())
            )
            show_drawing(curves)
        else:
            st.caption(
                _("The loss curve appears after the first epoch; the running loss is above.")
            )
    with latent_col:
        if report is None or report.codes is None or report.code_labels is None:
            st.caption(_("Reconstructions and the latent space appear after the first epoch."))
        else:
            codes, labels = report.codes, report.code_labels
            # numpy's BLAS threads compete with the training's: measured, a PCA that takes
            # 3 ms alone took up to 0.3 s.
            view = per_epoch("latent view", epoch_key, lambda: shared_plane(codes))
            scatter = per_epoch(
                "latent",
                epoch_key,
                lambda: codes_drawing(
                    view.points,
                    labels,
                    info.class_names,
                    view.x_title,
                    view.y_title,
                    title=_("Codes of {n_codes:,} test {items} after epoch {epoch}").format(
                        n_codes=len(codes), items=_(info.items), epoch=report.epoch
                    ),
                    scale=drawing_scale(),
                ),
            )
            show_drawing(scatter)
            st.caption(view.description)


live_progress()
epoch_charts()


# --- after a run ---------------------------------------------------------------------
model = job_model(session)
if model is not None and not running:
    st.divider()
    saved_to = session.saved.get(model.id)
    left, right = st.columns([1, 3])
    if saved_to is not None:
        right.success(
            _(
                "Saved to the runs folder as **{name}**: every session can now open it "
                "from the sidebar."
            ).format(name=saved_to.name),
            icon=":material/save:",
        )
    elif left.button(_("Save this run"), icon=":material/save:", key="train.save"):
        with user_errors(), st.spinner(_("Scoring the model on all test images and saving...")):
            save_trained_run(session, model)
            st.rerun()
    page_link(
        "pages/reconstructions.py",
        right,
        label=_("Explore the reconstructions"),
        icon=":material/compare:",
    )
    page_link(
        "pages/latent_space.py",
        right,
        label=_("Explore the latent space"),
        icon=":material/scatter_plot:",
    )
