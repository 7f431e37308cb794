"""Runs as files: download the model shown as a `.zip`, open a run `.zip` someone made."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

import streamlit as st

from ae_core.errors import AELabError
from ae_core.i18n import _, english, lazy
from pages.ui.session import LabSession
from pages.ui.uploads import read_once

if TYPE_CHECKING:
    from ae_core.explorer import ModelExplorer
    from ae_core.run_config import RunConfig

UPLOAD_KEY = "runs.upload"
OPENED_KEY = "runs.opened"  # file ids already opened, so a rerun does not open them again


def standalone_script(config: RunConfig) -> str:
    """The plain-Keras script for a configuration (TensorFlow is imported only when asked)."""
    from ae_core.export_script import standalone_script as script

    return script(config)


def run_archive_bytes(model: ModelExplorer) -> bytes:
    """A saved run's folder as it is; a model of this session written to a run folder first."""
    from ae_core.run_archive import pack_run
    from ae_core.runs import save_run

    if model.folder is not None and (model.folder / "run.json").is_file():
        return pack_run(model.folder)
    with tempfile.TemporaryDirectory(prefix="ae-download-") as tmp:
        metrics = {"test_mse": model.test_mse, "pca_mse": model.pca_mse}
        folder = Path(tmp) / archive_stem(model)
        save_run(folder, model.as_result(), metrics, model.replay)
        return pack_run(folder)


def archive_stem(model: ModelExplorer) -> str:
    text = f"{english(model.short_name)}-{model.config.architecture}-code{model.latent_dim}"
    return "".join(c if c.isalnum() or c in "-_" else "-" for c in text).strip("-").lower()


def run_files(session: LabSession, model: ModelExplorer | None) -> None:
    """The sidebar's folded panel: download the current model, or open a run file."""
    with st.expander(_("Runs as files"), icon=":material/folder_zip:"):
        if model is not None:
            st.download_button(
                _("Download this model (.zip)"),
                data=lambda: run_archive_bytes(model),
                file_name=f"{archive_stem(model)}.zip",
                mime="application/zip",
                on_click="ignore",
                key="runs.download",
                help=_(
                    "The run folder: settings, history, scores and the Keras models. Open it "
                    "here again, or with keras.saving.load_model in your own code."
                ),
            )
            st.download_button(
                _("Download a script that trains it (.py)"),
                data=lambda: standalone_script(model.config),
                file_name=f"{archive_stem(model)}.py",
                mime="text/x-python",
                on_click="ignore",
                key="runs.script",
                help=_(
                    "Plain Keras, nothing from this lab: the same network and loss, to run "
                    "and change on your own machine."
                ),
            )
        upload = st.file_uploader(
            _("Open a run (.zip)"),
            type=["zip"],
            key=UPLOAD_KEY,
            help=_("A run downloaded from this lab. It is checked before anything is loaded."),
        )
        if upload is not None and upload.file_id not in st.session_state.get(OPENED_KEY, []):
            st.session_state.setdefault(OPENED_KEY, []).append(upload.file_id)
            _open_upload(session, upload.name, read_once(upload))
            st.rerun()


def _open_upload(session: LabSession, name: str, data: bytes) -> None:
    from ae_core.data import load_dataset
    from ae_core.explorer import ModelExplorer
    from ae_core.model_ids import uploaded_model_id
    from ae_core.run_archive import open_run_archive

    try:
        run = open_run_archive(data, name)
        explorer = ModelExplorer.from_saved_run(
            lazy("Opened: {name}", name=run.name),
            run,
            load_dataset(run.config.data.dataset),
            model_id=uploaded_model_id(run.name),
        )
    except AELabError as exc:
        session.problems.append(lazy("{name} could not be opened: {exc}", name=name, exc=exc))
        return
    explorer.folder = None  # its files were only read, never kept
    session.add_model(explorer)
    session.notices.append(lazy("Opened {name}: it is now the model every page shows.", name=name))
