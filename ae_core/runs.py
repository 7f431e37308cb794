"""Saved runs: one folder per run, readable by people and by Keras.

    run.json       format, version, status, timings and the validated run configuration
    history.json   per-epoch losses
    metrics.json   the evaluation (test MSE/BCE, PCA baseline, denoising scores)
    encoder.keras  image -> code, a plain functional Keras model
    decoder.keras  code -> image, likewise

Loading never trusts a model file: the configuration is validated, the architecture is rebuilt
from it through the registry, and only the weights are read from the `.keras` archives. An
archive whose config would need unsafe deserialisation (a Lambda layer, or any class outside
Keras' built-ins) is refused before anything is read from it.
"""

from __future__ import annotations

import json
import logging
import math
import secrets
import shutil
import time
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ae_core.architectures import Autoencoder
from ae_core.errors import AELabError, RunFolderError
from ae_core.i18n import english, lazy
from ae_core.replay import Replay
from ae_core.run_config import RunConfig
from ae_core.training import EpochRecord, TrainingResult, build_autoencoder

log = logging.getLogger(__name__)

RUN_FORMAT = "autoencoder-lab-run"
RUN_VERSION = 1
PARTS = ("encoder", "decoder")
MAX_JSON_BYTES = 10 * 1024 * 1024
MAX_ARCHIVE_BYTES = 200 * 1024 * 1024
# Classes a plain functional autoencoder is made of; anything else is not ours.
SAFE_CLASSES = {
    "Functional",
    "InputLayer",
    "Dense",
    "Flatten",
    "Reshape",
    "Conv2D",
    "Conv2DTranspose",
}


@dataclass(frozen=True)
class SavedRun:
    folder: Path
    config: RunConfig
    autoencoder: Autoencoder
    history: list[EpochRecord]
    metrics: dict[str, Any]
    info: dict[str, Any]
    replay: Replay | None = None  # runs saved before replays were kept have none

    @property
    def name(self) -> str:
        return self.folder.name


@dataclass(frozen=True)
class RunSummary:
    """What a runs list shows without loading any model."""

    folder: Path
    architecture: str
    latent_dim: int
    created: str
    status: str
    test_mse: float | None
    # When the folder was written, from the file system: a field inside run.json could claim
    # any date (a `created` of 9999-... would otherwise sort first for everyone).
    modified: float = 0.0
    run_id: str = ""

    @property
    def name(self) -> str:
        return self.folder.name


def shown_name(path: Path) -> str:
    """How a file of a run is named to users: `run-name/file`, never a server path."""
    path = Path(path)
    return f"{path.parent.name}/{path.name}" if path.parent.name else path.name


def new_run_folder(root: Path, config: RunConfig) -> Path:
    """A fresh, unique folder name under `root` (sessions never overwrite each other)."""
    stamp = time.strftime("%Y%m%d-%H%M%S")
    name = f"{stamp}-{config.architecture}-k{config.model.latent_dim}-{secrets.token_hex(3)}"
    return Path(root) / name


def save_run(
    folder: Path, result: TrainingResult, metrics: dict[str, Any], replay: Replay | None = None
) -> Path:
    """Write a run to `folder` (which must not exist yet) and return it.

    Files are written to a hidden temporary folder that is renamed at the end, so a crash
    never leaves a half-written run that looks complete.
    """
    folder = Path(folder)
    if folder.exists():
        raise RunFolderError(
            lazy("{name} already exists; choose a new folder for this run.", name=folder.name)
        )
    # Unique per writer: two processes may save the same run into shared storage at once.
    staging = folder.with_name(f".{folder.name}.partial-{secrets.token_hex(4)}")
    staging.mkdir(parents=True)
    try:
        info = {
            "format": RUN_FORMAT,
            "version": RUN_VERSION,
            "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "status": result.status,
            "message": english(result.message),
            # The message again, to be shown in the reader's language when the run is opened.
            "message_text": result.message.as_dict() if isinstance(result.message, lazy) else None,
            "train_seconds": result.train_seconds,
            "samples_seen": result.samples_seen,
            "samples_per_second": result.samples_per_second,
            "run_id": result.config.run_id,
            "config": result.config.to_dict(),
        }
        _write_json(staging / "run.json", info)
        _write_json(staging / "history.json", [r.to_dict() for r in result.history])
        _write_json(staging / "metrics.json", metrics)
        for part in PARTS:
            getattr(result.autoencoder, part).save(staging / f"{part}.keras")
        if replay is not None:
            replay.save(staging)
        try:
            staging.rename(folder)
        except OSError:
            if not (folder / "run.json").is_file():
                raise
            # Another writer finished the same folder first; its copy stands.
            shutil.rmtree(staging, ignore_errors=True)
            raise RunFolderError(
                lazy("{name} already exists; choose a new folder for this run.", name=folder.name)
            ) from None
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return folder


def load_run(folder: Path) -> SavedRun:
    """Validate and load a saved run; raises RunFolderError with the reason if it is not one.

    Messages name the run (its folder's name), never the server path it lives at.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise RunFolderError(
            lazy("{name} is not a folder, so it cannot be a saved run.", name=folder.name)
        )
    description = folder / "run.json"
    info = _read_json(description, lazy("the run description"))
    if not isinstance(info, dict) or info.get("format") != RUN_FORMAT:
        raise RunFolderError(
            lazy("{file} is not an Autoencoder Lab run description.", file=shown_name(description))
        )
    if info.get("version") != RUN_VERSION:
        raise RunFolderError(
            lazy(
                "{name} was saved in format version {version!r}; this version of "
                "Autoencoder Lab reads version {RUN_VERSION}.",
                name=folder.name,
                version=info.get("version"),
                RUN_VERSION=RUN_VERSION,
            )
        )
    try:
        config = RunConfig.from_dict(info.get("config"))  # type: ignore[arg-type]  # it checks
    except AELabError as exc:
        raise RunFolderError(
            lazy(
                "{file} has an invalid configuration: {exc}",
                file=shown_name(description),
                exc=exc,
            )
        ) from exc

    history_rows = _read_json(folder / "history.json", lazy("the training history"))
    metrics = _read_json(folder / "metrics.json", lazy("the metrics"))
    try:
        history = [EpochRecord(**row) for row in history_rows]
    except TypeError as exc:
        raise RunFolderError(
            lazy("{file} is not a training history.", file=shown_name(folder / "history.json"))
        ) from exc
    if not isinstance(metrics, dict):
        raise RunFolderError(
            lazy("{file} is not a table of metrics.", file=shown_name(folder / "metrics.json"))
        )

    ae = build_autoencoder(config)
    for part in PARTS:
        path = folder / f"{part}.keras"
        check_keras_archive(path)
        try:
            getattr(ae, part).load_weights(path)
        except Exception as exc:  # Keras raises several types for mismatched weights
            raise RunFolderError(
                lazy(
                    "The weights in {file} do not fit the {architecture} network described "
                    "in run.json ({error}: {detail}).",
                    file=shown_name(path),
                    architecture=config.architecture,
                    error=type(exc).__name__,
                    detail=_without_paths(_first_line(exc), folder),
                )
            ) from exc
    try:
        replay = Replay.load(folder)
    except RunFolderError as exc:  # the model is fine; only the playback is lost
        log.warning("%s", exc)
        replay = None
    return SavedRun(folder, config, ae, history, metrics, info, replay)


def list_runs(root: Path) -> list[RunSummary]:
    """Saved runs under `root`, newest folder first.

    Folders that are not runs are skipped, and so is any run that cannot be read, whatever
    the reason (damaged or absurdly nested JSON, a file that cannot be opened): each is logged
    on the server, and one bad folder never stops the others from being listed.
    """
    root = Path(root)
    try:
        folders = list(root.iterdir()) if root.is_dir() else []
    except OSError as exc:
        log.warning("cannot list the runs folder %s: %s", root, exc)
        return []
    summaries = []
    for folder in folders:
        if folder.name.startswith("."):
            continue
        try:
            summary = _summary(folder)
        except (AELabError, OSError, RecursionError, KeyError, TypeError, ValueError) as exc:
            log.warning("skipping the run folder %s: %s", folder, _first_line(exc))
            continue
        if summary is not None:
            summaries.append(summary)
    return sorted(summaries, key=lambda s: (s.modified, s.name), reverse=True)


def _summary(folder: Path) -> RunSummary | None:
    if not (folder / "run.json").is_file():
        return None
    info = _read_json(folder / "run.json", lazy("the run description"))
    metrics = _read_json(folder / "metrics.json", lazy("the metrics"))
    config = RunConfig.from_dict(info["config"])
    test_mse = metrics.get("test_mse") if isinstance(metrics, dict) else None
    return RunSummary(
        folder=folder,
        architecture=config.architecture,
        latent_dim=config.model.latent_dim,
        created=str(info.get("created", "")),
        status=str(info.get("status", "")),
        test_mse=test_mse if isinstance(test_mse, int | float) else None,
        modified=folder.stat().st_mtime,
        run_id=config.run_id,
    )


def check_keras_archive(path: Path) -> None:
    """Refuse a `.keras` file that is not a Keras archive of built-in layers only.

    This is what Keras' safe mode guards against (Lambda layers carry code), widened to any
    class outside the plain layers our networks use: such a file could only come from
    elsewhere, and rebuilding it would mean trusting it.
    """
    if not path.is_file():
        raise RunFolderError(
            lazy(
                "{file} is missing; a saved run needs {name}.",
                file=shown_name(path),
                name=path.name,
            )
        )
    name = shown_name(path)
    if not zipfile.is_zipfile(path):
        raise RunFolderError(
            lazy("{name} is not a Keras model file (.keras files are zip archives).", name=name)
        )
    try:
        with zipfile.ZipFile(path) as archive:
            members = {m.filename: m for m in archive.infolist()}
            missing = {"config.json", "model.weights.h5"} - set(members)
            if missing:
                raise RunFolderError(
                    lazy(
                        "{file} lacks {names}.",
                        file=shown_name(path),
                        names=", ".join(sorted(missing)),
                    )
                )
            if sum(m.file_size for m in members.values()) > MAX_ARCHIVE_BYTES:
                raise RunFolderError(
                    lazy("{name} is larger than any autoencoder this lab makes.", name=name)
                )
            if members["config.json"].file_size > MAX_JSON_BYTES:
                raise RunFolderError(
                    lazy("{file} has an implausibly large configuration.", file=shown_name(path))
                )
            model_config = json.loads(archive.read("config.json"))
    except (zipfile.BadZipFile, OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise RunFolderError(
            lazy("{file} is damaged ({error}).", file=shown_name(path), error=type(exc).__name__)
        ) from exc
    unsafe = sorted(_foreign_classes(model_config))
    if unsafe:
        raise RunFolderError(
            lazy(
                "{name} contains {names}, which would need unsafe deserialisation (code "
                "inside a model file). It was not loaded.",
                name=name,
                names=", ".join(unsafe),
            )
        )


def _foreign_classes(node: Any) -> set[str]:
    found: set[str] = set()
    if isinstance(node, dict):
        name, module = node.get("class_name"), node.get("module")
        if isinstance(name, str) and _is_unsafe_class(name, module):
            found.add(f"{name} ({module})" if module else name)
        for value in node.values():
            found |= _foreign_classes(value)
    elif isinstance(node, list):
        for value in node:
            found |= _foreign_classes(value)
    return found


def _is_unsafe_class(name: str, module: Any) -> bool:
    if name == "__keras_tensor__":
        return False  # Keras' marker for a connection between layers, not a class
    if name == "Lambda" or name.startswith("__"):
        return True  # Lambda layers and serialised functions (__lambda__) carry bytecode
    if module is None or not str(module).startswith("keras"):
        return True  # registered custom objects name their own module, or none at all
    is_layer = str(module).startswith(("keras.layers", "keras.src.models"))
    return is_layer and name not in SAFE_CLASSES


def _write_json(path: Path, value: Any) -> None:
    path.write_text(json.dumps(_finite(value), indent=2, allow_nan=False) + "\n")


def _finite(value: Any) -> Any:
    """JSON has no NaN: non-finite numbers (a diverged run's last loss) become null."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(v) for v in value]
    return value


def _read_json(path: Path, what: str) -> Any:
    name = shown_name(path)
    try:
        if not path.is_file():
            raise RunFolderError(
                lazy(
                    "{name} is missing; a saved run needs {what} ({name2}).",
                    name=name,
                    what=what,
                    name2=path.name,
                )
            )
        if path.stat().st_size > MAX_JSON_BYTES:
            raise RunFolderError(lazy("{name} is too large to be {what}.", name=name, what=what))
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        # Permissions, a link to something unreadable, a disk error: the run's own problem.
        raise RunFolderError(
            lazy("{name} cannot be read ({error}).", name=name, error=type(exc).__name__)
        ) from exc
    except UnicodeDecodeError as exc:
        raise _not_json(name, what, exc) from exc
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise _not_json(name, what, exc) from exc
    except RecursionError as exc:
        # Deeply nested brackets exhaust the parser's stack; no run description looks so.
        raise RunFolderError(
            lazy("{name} is nested too deeply to be {what}.", name=name, what=what)
        ) from exc


def _without_paths(text: str, folder: Path) -> str:
    """A library's message with the run's server path replaced by the run's name."""
    return text.replace(str(folder.resolve()), folder.name).replace(str(folder), folder.name)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else ""


def saved_message(info: Mapping[str, Any]) -> str:
    """A saved run's closing message, in the reader's language where it was saved as one."""
    plain = str(info.get("message", ""))
    return lazy.from_dict(info.get("message_text"), fallback=plain)


def _not_json(name: str, what: str, exc: Exception) -> RunFolderError:
    return RunFolderError(
        lazy("{name} is not valid JSON, so it is not {what}: {exc}", name=name, what=what, exc=exc)
    )
