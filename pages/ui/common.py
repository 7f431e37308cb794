"""What every page shares: its header, the error boundary and the model chooser."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import streamlit as st

from ae_core.errors import AELabError
from ae_core.i18n import _, lazy, shown
from ae_core.progress import progress_line
from pages.ui.charts import projector_toggle
from pages.ui.entry import through_the_app
from pages.ui.language import language_switch, worded
from pages.ui.lesson_file import lesson_plan, show_lesson_sidebar
from pages.ui.run_files import run_files
from pages.ui.session import LabSession, collect_finished_job, continue_lineup, lab, runs_dir

if TYPE_CHECKING:  # only for the type checker: the Home page stays free of TensorFlow
    from ae_core.explorer import ModelExplorer
    from ae_core.jobs import JobSnapshot
    from ae_core.runs import RunSummary

SIDEBAR_REFRESH_SECONDS = 2.0


def page_start(title: str, intro: str | None = None) -> LabSession:
    """Title, intro and any pending notices; also picks up a training run that has finished."""
    through_the_app()
    language_switch()
    projector_toggle()
    st.title(title)
    if intro:
        st.caption(intro)
    session = lab()
    collect_finished_job(session)
    # Messages come and go between reruns; in one container that is always there, they leave
    # what follows at the same place in the page. A `run_every` fragment whose place moved
    # while the browser still had its timer running broke the page under load (the
    # frontend's "'setIn' cannot be called on an ElementNode"; Streamlit issue #15084).
    with st.container():
        with user_errors():
            continue_lineup(session)
        while session.notices:
            st.info(shown(session.notices.pop(0)))
        show_problems(session)
    show_lesson_sidebar(session, lesson_plan())
    return session


def show_problems(session: LabSession) -> None:
    """Errors kept for the page (e.g. a refused load in a widget callback), shown once."""
    while session.problems:
        st.error(shown(session.problems.pop(0)), icon=":material/error:")


@contextmanager
def user_errors() -> Iterator[None]:
    """Show problems the user can fix as a message instead of a traceback.

    Only `AELabError` is caught: Streamlit's own control flow (reruns, stops) derives from
    BaseException and passes through, and a programming error is not hidden.
    """
    try:
        yield
    except AELabError as exc:
        st.error(str(exc), icon=":material/error:")


CHOOSER_KEY = "model_choice"


def choose_model(session: LabSession) -> ModelExplorer | None:
    """Sidebar chooser over this session's models and the saved runs; returns the current one.

    The chooser keeps one widget key for the whole session, so a pick is never lost to a
    key change, and it always shows the model the pages show: a pick is loaded in the
    widget's callback, and a refused load puts the chooser back on the current model.
    """
    saved = saved_runs()
    names = model_names(session, saved)
    options = list(names)
    with st.sidebar:
        st.subheader(_("Model to explore"))
        _training_status(session)
        if not options:
            st.caption(_("No model yet."))
            run_files(session, None)
            return None
        if session.current not in session.models:
            # A new session starts on the newest saved run that loads; one that is refused
            # is reported once and not tried again by itself.
            for option in [o for o in options if o not in session.refused]:
                _load_choice(session, saved, option)
                if session.current == option:
                    break
        if session.current in options:
            st.session_state[CHOOSER_KEY] = session.current
        else:
            st.session_state.pop(CHOOSER_KEY, None)
        st.selectbox(
            _("Model"),
            options,
            format_func=worded(names.__getitem__),
            key=CHOOSER_KEY,
            on_change=lambda: _load_choice(session, saved, st.session_state[CHOOSER_KEY]),
            help=_("Models trained in this session, then runs saved in the runs folder."),
            label_visibility="collapsed",
        )
        model = session.current_model
        if model is not None:
            st.caption(model.describe())
    with st.sidebar:
        run_files(session, model)
    return model


def saved_runs() -> dict[str, RunSummary]:
    """The runs folder's runs that can be listed, by model id, newest first."""
    from ae_core.model_ids import saved_model_id
    from ae_core.runs import list_runs

    return {saved_model_id(run.name): run for run in list_runs(runs_dir())}


def model_names(session: LabSession, saved: dict[str, RunSummary]) -> dict[str, str]:
    """Every model a session can open, by id: its own first, then saved runs."""
    names = {key: model.name for key, model in session.models.items()}
    for key, run in saved.items():
        names.setdefault(key, saved_name(run.name))
    return names


def open_model(session: LabSession, saved: dict[str, RunSummary], key: str) -> ModelExplorer:
    """A model by id: the session's own, or a saved run loaded into the session (not made
    current). A run that cannot be loaded raises its AELabError."""
    if key not in session.models:
        name = saved_name(saved[key].name)
        session.add_model(_load_saved(saved[key].folder, name), make_current=False)
    return session.models[key]


def _load_choice(session: LabSession, saved: dict[str, RunSummary], choice: str) -> None:
    """Make the model `choice` (an id) current, loading a saved run first; a refusal is a
    notice."""
    if choice not in session.models:
        name = saved_name(saved[choice].name)
        try:
            session.add_model(_load_saved(saved[choice].folder, name))
        except AELabError as exc:
            session.refused.add(choice)
            session.problems.append(
                lazy("{name} could not be loaded: {problem}", name=name, problem=exc)
            )
            return
    session.current = choice


def _load_saved(folder: Path, name: str) -> ModelExplorer:
    from ae_core.data import load_dataset
    from ae_core.explorer import ModelExplorer
    from ae_core.model_store import load_autoencoder
    from ae_core.runs import load_run
    from pages.ui.service import training_service

    run = load_run(folder)
    models = training_service().models
    key = f"saved:{run.folder}"
    # Kept in the server's memory budget like every model; read again from disk if dropped.
    models.put(key, run.autoencoder, reload=lambda: load_autoencoder(run.folder))
    return ModelExplorer.from_saved_run(
        name,
        run,
        load_dataset(run.config.data.dataset),
        source=lambda: models.get(key),
        shared=models.results(key),
    )


def _training_status(session: LabSession) -> None:
    """The session's run in the sidebar, refreshed every few seconds while it lasts.

    Only this small fragment reruns (not the page); when the run ends the whole page is
    redrawn once, so the new model appears in the chooser.
    """
    job = session.job
    if job is None or job.snapshot().finished:
        return

    @st.fragment(run_every=SIDEBAR_REFRESH_SECONDS)
    def status() -> None:
        snapshot = job.snapshot()
        if snapshot.finished:
            if not session.job_collected:
                st.rerun()
            return
        st.progress(snapshot.fraction, text=run_status_line(job.name, snapshot))
        st.page_link("pages/train.py", label=_("Watch it train"), icon=":material/monitoring:")

    status()


def run_status_line(name: str, snapshot: JobSnapshot) -> str:
    """The sidebar's short line: the place in the queue, or how far the run has got."""
    if snapshot.state == "queued":
        return progress_line(name, snapshot)
    return _("Training {name}: {fraction:.0%}").format(name=name, fraction=snapshot.fraction)


def saved_name(run_name: str) -> str:
    """How a saved run is named in the chooser."""
    return lazy("Saved run: {name}", name=run_name)


def model_page(title: str, intro: str) -> tuple[LabSession, ModelExplorer]:
    """Start a results page: header and model chooser; without a model, say what to do and
    stop the page there. `{items}` in the intro becomes the dataset's word ("digits")."""
    session = page_start(title)
    model = choose_model(session)
    items = model.dataset.info.items if model is not None else _("images")
    st.caption(intro.format(items=_(items)))
    show_problems(session)
    if model is None:
        no_model_yet()
        st.stop()
    return session, model


def no_model_yet() -> None:
    st.info(
        _(
            "There is no model to explore yet. Train one (a preset on the Home page takes "
            "under a minute on an idle server), or pick a saved run in the sidebar."
        ),
        icon=":material/info:",
    )
    left, right = st.columns(2)
    left.page_link("pages/home.py", label=_("Home: one-click presets"), icon=":material/home:")
    right.page_link("pages/train.py", label=_("Train a model"), icon=":material/model_training:")
