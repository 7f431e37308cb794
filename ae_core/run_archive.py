"""A saved run as one `.zip` to take home, and an uploaded `.zip` opened safely.

An uploaded archive is untrusted. Before anything is written, every member is checked: only
the files a run consists of, at the top level or in one folder, no links, no paths that climb
out, bounded sizes (each member and in all, read with a hard cap rather than trusting the
sizes the archive claims). The members are then written to a temporary folder and read by
`load_run`, which validates the configuration, rebuilds the network and refuses model files
with Lambda layers or foreign classes. The folder is removed whatever happens: nothing stays
on disk, and the run lives in memory.
"""

from __future__ import annotations

import io
import stat
import tempfile
import zipfile
from pathlib import Path, PurePosixPath

from ae_core.errors import RunFolderError
from ae_core.i18n import lazy
from ae_core.replay import FILE_NAME as REPLAY_FILE
from ae_core.runs import PARTS, SavedRun, load_run

RUN_FILES = frozenset({"run.json", "history.json", "metrics.json", REPLAY_FILE}) | {
    f"{part}.keras" for part in PARTS
}
MAX_MEMBER_BYTES = 40 * 1024 * 1024  # far above a run's largest file (a conv model, ~5 MB)
MAX_TOTAL_BYTES = 80 * 1024 * 1024
CHUNK = 1024 * 1024


def pack_run(folder: Path) -> bytes:
    """The run folder's files as a zip, inside one folder named after the run."""
    folder = Path(folder)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in sorted(RUN_FILES):
            path = folder / name
            if path.is_file():
                archive.write(path, f"{folder.name}/{name}")
    return buffer.getvalue()


def open_run_archive(data: bytes, name: str | None = None) -> SavedRun:
    """Check, unpack and load an uploaded run; RunFolderError says what is wrong."""
    name = name or lazy("the archive")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise RunFolderError(lazy("{name} is not a zip file.", name=name)) from exc
    with archive, tempfile.TemporaryDirectory(prefix="ae-upload-") as tmp:
        members = _checked_members(archive, name)
        folder = Path(tmp) / _run_name(members, name)
        folder.mkdir()
        total = 0
        for info, file_name in members:
            total += _extract(archive, info, folder / file_name, MAX_TOTAL_BYTES - total, name)
        return load_run(folder)  # its models are rebuilt in memory; the folder then goes


def _checked_members(archive: zipfile.ZipFile, name: str) -> list[tuple[zipfile.ZipInfo, str]]:
    members = []
    folders = set()
    for info in archive.infolist():
        if info.is_dir():
            continue
        path = PurePosixPath(info.filename.replace("\\", "/"))
        if path.is_absolute() or ".." in path.parts or len(path.parts) > 2:
            raise RunFolderError(
                lazy(
                    "{name} has a file outside its run folder: {filename!r}.",
                    name=name,
                    filename=info.filename,
                )
            )
        if stat.S_ISLNK(info.external_attr >> 16):
            raise RunFolderError(
                lazy(
                    "{name} contains a link ({filename!r}); runs have none.",
                    name=name,
                    filename=info.filename,
                )
            )
        if path.name not in RUN_FILES:
            raise RunFolderError(
                lazy(
                    "{name} contains {name2!r}, which is not part of a run (a run has {names}).",
                    name=name,
                    name2=path.name,
                    names=", ".join(sorted(RUN_FILES)),
                )
            )
        if info.file_size > MAX_MEMBER_BYTES:
            raise RunFolderError(
                lazy(
                    "{name}: {name2} is too large to be part of a run.", name=name, name2=path.name
                )
            )
        folders.add(path.parts[0] if len(path.parts) == 2 else "")
        members.append((info, path.name))
    if len(folders) > 1 or len({file for _, file in members}) != len(members):
        raise RunFolderError(
            lazy("{name} holds more than one run; upload one run per file.", name=name)
        )
    if "run.json" not in {file for _, file in members}:
        raise RunFolderError(lazy("{name} has no run.json: it is not a saved run.", name=name))
    return members


def _run_name(members: list[tuple[zipfile.ZipInfo, str]], name: str) -> str:
    parts = PurePosixPath(members[0][0].filename.replace("\\", "/")).parts
    stem = parts[0] if len(parts) == 2 else Path(name).stem
    # The name becomes a folder name and a label: keep it plain.
    cleaned = "".join(c if c.isalnum() or c in "-_." else "-" for c in stem).strip(".-")
    return cleaned[:80] or "uploaded-run"


def _extract(
    archive: zipfile.ZipFile, info: zipfile.ZipInfo, target: Path, budget: int, name: str
) -> int:
    """Copy one member with a hard cap on what is actually inflated (a zip bomb lies)."""
    limit = min(MAX_MEMBER_BYTES, budget)
    written = 0
    try:
        with archive.open(info) as source, target.open("wb") as sink:
            while chunk := source.read(CHUNK):
                written += len(chunk)
                if written > limit:
                    raise RunFolderError(
                        lazy(
                            "{name} unpacks to more than a run can be ({megabytes} MB): refused.",
                            name=name,
                            megabytes=limit // 2**20,
                        )
                    )
                sink.write(chunk)
    except (zipfile.BadZipFile, OSError, EOFError, RuntimeError) as exc:
        raise RunFolderError(
            lazy("{name} is damaged ({error}).", name=name, error=type(exc).__name__)
        ) from exc
    return written
