"""One object per browser session holds its training job, its models and its settings.

Everything a session owns lives in `st.session_state[SESSION_KEY]`; nothing mutable is
shared between sessions (the datasets are read-only arrays).
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import streamlit as st

from ae_core.i18n import _, lazy

if TYPE_CHECKING:  # only for the type checker: pages that need no TensorFlow stay light
    from ae_core.explorer import ModelExplorer
    from ae_core.run_config import RunConfig
    from ae_core.service import RunHandle
    from pages.ui.table_work import TableWork

SESSION_KEY = "autoencoder_lab"
RUNS_DIR_VARIABLE = "AE_RUNS_DIR"
# A session keeps at most this many models; the oldest (never the current one) is dropped.
MAX_MODELS = 10  # room for a lineup of every architecture and a couple more


@dataclass
class LabSession:
    # This session's own id: what the training service knows it by.
    id: str = field(default_factory=lambda: secrets.token_hex(8))
    job: RunHandle | None = None  # the run in progress or last finished, on the service
    job_collected: bool = False  # whether the finished run's model is in `models`
    job_label: str = ""  # the run's short name, "Run 3", for labels beside other models
    models: dict[str, ModelExplorer] = field(default_factory=dict)  # by model id, oldest first
    current: str | None = None  # the id of the model the pages show
    # Settings per architecture, kept across page switches (widget state is not).
    settings: dict[str, dict[str, Any]] = field(default_factory=dict)
    architecture: str = "deep"
    dataset: str = "mnist"
    run_counter: int = 0
    notices: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # shown as errors at the next page start
    refused: set[str] = field(default_factory=set)  # ids of saved runs that could not load
    saved: dict[str, Path] = field(default_factory=dict)  # model id -> folder it was saved to
    lineup: list[RunConfig] = field(default_factory=list)  # runs to start after this one
    table: TableWork | None = None  # the "Your table" page's table, run and result

    @property
    def current_model(self) -> ModelExplorer | None:
        return self.models.get(self.current) if self.current else None

    @property
    def current_name(self) -> str | None:
        model = self.current_model
        return model.name if model is not None else None

    def add_model(self, explorer: ModelExplorer, make_current: bool = True) -> None:
        self.models.pop(explorer.id, None)  # the same model again moves to the newest place
        self.models[explorer.id] = explorer
        if make_current or self.current is None:
            self.current = explorer.id
        while len(self.models) > MAX_MODELS:
            oldest = next(key for key in self.models if key != self.current)
            closed = self.models.pop(oldest)
            self.notices.append(
                lazy(
                    "To save memory, {name} was closed (a session keeps {MAX_MODELS} "
                    "models). Saved runs can be loaded again.",
                    name=closed.name,
                    MAX_MODELS=MAX_MODELS,
                )
            )

    def name_next_run(self, architecture_title: str, latent_dim: int) -> str:
        """Number the session's next run; its display name (the short one is `job_label`)."""
        self.run_counter += 1
        self.job_label = lazy("Run {number}", number=self.run_counter)
        # Lazy: the name is shown in whichever language the session reads at the time.
        return lazy(
            "{run}: {architecture}, code {latent_dim}",
            run=self.job_label,
            architecture=lazy(architecture_title),
            latent_dim=latent_dim,
        )


def lab() -> LabSession:
    if SESSION_KEY not in st.session_state:
        st.session_state[SESSION_KEY] = LabSession()
    return st.session_state[SESSION_KEY]


def runs_dir() -> Path:
    """Where runs are saved and listed: $AE_RUNS_DIR, or `runs/` beside the app."""
    value = os.environ.get(RUNS_DIR_VARIABLE, "").strip()
    return Path(value).expanduser() if value else Path(__file__).resolve().parents[2] / "runs"


def collect_finished_job(session: LabSession) -> None:
    """Turn a finished training run into a session model (once), on whichever page runs."""
    job = session.job
    if job is None or session.job_collected:
        return
    snapshot = job.snapshot()
    if not snapshot.finished:
        return
    session.job_collected = True
    result = job.result()
    if result is None:  # failed or cancelled before any model existed; the Train page says why
        return
    if result.status == "diverged" and not result.history:
        return  # not one good epoch: nothing worth exploring
    if result.samples_seen == 0:
        session.notices.append(
            lazy(
                "{run} was stopped before its first batch, so nothing was trained; "
                "{current} stays the current model.",
                run=job.name,
                current=session.current_name,
            )
            if session.current_model is not None
            else lazy(
                "{run} was stopped before its first batch, so nothing was trained; there is "
                "still no model to explore.",
                run=job.name,
            )
        )
        return
    from ae_core.data import load_dataset
    from ae_core.explorer import ModelExplorer
    from ae_core.replay import Replay
    from pages.ui.service import training_service

    models = training_service().models
    key = job.model_key
    if key is None:  # a result always has its model in the cache; nothing to show otherwise
        return
    explorer = ModelExplorer.from_result(
        job.name,
        result,
        load_dataset(result.config.data.dataset),
        source=lambda: models.get(key),
        run_id=job.run_id,
        shared=models.results(key),
        short_name=session.job_label or None,
        replay=Replay.from_reports(snapshot.epochs),
    )
    # A diverged run keeps its last good weights but does not replace the current model.
    session.add_model(explorer, make_current=result.status != "diverged")


def start_training(session: LabSession, config: RunConfig) -> None:
    """Ask the server's training service for `config`: a new run, or one already there."""
    from ae_core.architectures import get_architecture
    from pages.ui.service import training_service, watcher_id

    if session.job is not None and not session.job.snapshot().finished:
        raise RuntimeError("a run is already in progress")  # pages disable Start meanwhile
    collect_finished_job(session)
    title = get_architecture(config.architecture).title
    name = session.name_next_run(title, config.model.latent_dim)
    session.job = training_service().request(config, watcher_id(session), name=name)
    session.job_collected = False


def continue_lineup(session: LabSession) -> None:
    """Start the next run of a lineup once the previous one has ended (on any page)."""
    if session.lineup and not is_training(session):
        start_training(session, session.lineup.pop(0))


def find_run_again(session: LabSession, run_id: str) -> bool:
    """After a reload, attach this new session to the run its address names, if it exists."""
    from ae_core.architectures import get_architecture
    from pages.ui.service import existing_service, watcher_id

    service = existing_service()
    if session.job is not None or service is None:
        return False
    handle = service.watch(run_id, watcher_id(session))
    if handle is None:
        return False
    config = handle.config
    handle.name = session.name_next_run(
        get_architecture(config.architecture).title, config.model.latent_dim
    )
    session.job, session.job_collected = handle, False
    return True


def job_model(session: LabSession) -> ModelExplorer | None:
    """The model the session's last run made, once it is collected."""
    from ae_core.model_ids import trained_model_id

    if session.job is None:
        return None
    return session.models.get(trained_model_id(session.job.run_id))


def save_trained_run(session: LabSession, model: ModelExplorer) -> Path:
    """Score a model this session trained on all test images and save it as a run folder."""
    from ae_core.errors import TrainingError
    from ae_core.evaluation import evaluate
    from ae_core.runs import new_run_folder, save_run

    result = session.job.result() if session.job is not None else None
    if result is None:
        raise TrainingError(_("This run has no trained model to save."))
    evaluation = evaluate(result.autoencoder, model.config, model.dataset)
    folder = save_run(
        new_run_folder(runs_dir(), model.config), result, evaluation.to_dict(), model.replay
    )
    session.saved[model.id] = folder
    return folder


def is_training(session: LabSession) -> bool:
    return session.job is not None and not session.job.snapshot().finished


def remember_settings(session: LabSession, config: RunConfig) -> None:
    """Store a config's values as the Train page's settings and reset its widgets to them."""
    session.architecture = config.architecture
    session.dataset = config.data.dataset
    session.settings[config.architecture] = {
        **config.model.to_dict(),
        **config.data.to_dict(),
        **config.train.to_dict(),
    }
    for key in [k for k in st.session_state if str(k).startswith("setting.")]:
        del st.session_state[key]
