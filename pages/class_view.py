"""Class: what the server is doing for the whole class. Counts and settings only: no names,
no images, nothing a student typed or uploaded."""

import os
import threading

import streamlit as st

from ae_core.architectures import get_architecture
from ae_core.i18n import _, ngettext
from pages.ui.common import page_start
from pages.ui.service import training_service

page_start(
    _("The class on this server"),
    _(
        "For the teacher: the runs training and waiting, the models in memory "
        "and the server's memory. Nothing here identifies a student."
    ),
)


def memory_of_server() -> tuple[float, int]:
    """Resident memory (MB) of the server and its training processes, and its threads."""
    pids = [os.getpid(), *_children(os.getpid())]
    total = sum(_resident_kb(pid) for pid in pids) / 1024
    return total, threading.active_count()


def _children(pid: int) -> list[int]:
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as f:
            return [int(p) for p in f.read().split()]
    except OSError:
        return []


def _resident_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status") as f:
            return next(int(line.split()[1]) for line in f if line.startswith("VmRSS:"))
    except (OSError, StopIteration, ValueError):
        return 0


def run_state(snapshot) -> str:
    if snapshot.state not in ("starting", "running"):
        return _("waiting")
    return _("preparing a preset") if snapshot.prepared else _("training")


@st.fragment(run_every=3.0)
def class_status() -> None:
    view = training_service().class_view()
    memory, threads = memory_of_server()
    cols = st.columns(5)
    cols[0].metric(
        _("Training now"),
        _("{n_training} of {workers}").format(n_training=len(view.training), workers=view.workers),
        help=_("Training processes: ready.")
        if view.warm
        else _("Training processes: still starting (loading TensorFlow and the data)."),
    )
    cols[1].metric(_("Waiting"), len(view.waiting))
    cols[2].metric(_("Finished since start"), view.finished)
    cols[3].metric(
        _("Models in memory"),
        f"{view.models.models}",
        help=_(
            "{megabytes:.1f} MB of a {budget:.0f} MB budget; {evictions} dropped so far "
            "(read back from disk when needed)."
        ).format(
            megabytes=view.models.bytes / 2**20,
            budget=view.models.budget / 2**20,
            evictions=view.models.evictions,
        ),
    )
    cols[4].metric(
        _("Server memory"),
        _("{memory:,.0f} MB").format(memory=memory) if memory else _("n/a"),
        help=_("The server and its training processes; {threads} threads in the server.").format(
            threads=threads
        ),
    )
    rows = [
        {
            _("state"): run_state(s),
            # One type per column: a mix of numbers and blanks costs every redraw a failed
            # conversion to Arrow and a logged traceback.
            _("place"): str(s.queue_place or ""),
            _("architecture"): _(get_architecture(s.config.architecture).title),
            _("code size"): s.config.model.latent_dim,
            _("epochs"): s.config.train.epochs,
            _("images"): s.config.data.train_size or 60_000,
            _("progress"): f"{s.fraction:.0%}",
            _("sessions watching"): s.watchers,
        }
        for s in (*view.training, *view.waiting)
    ]
    if rows:
        st.dataframe(rows, hide_index=True)
    else:
        st.caption(_("Nothing is training or waiting right now."))
    if not view.warm:
        st.caption(_("The training processes are still starting: the first run waits for them."))
    if view.preparing:
        st.caption(
            ngettext(
                "Preparing {n} Home preset ahead, one at a time while nobody waits: "
                "a student who presses it then finds it trained.",
                "Preparing {n} Home presets ahead, one at a time while nobody waits: "
                "a student who presses one then finds it trained.",
                view.preparing,
            ).format(n=view.preparing)
        )
    st.caption(
        _(
            "{sessions} sessions are watching a run. Identical runs are trained once "
            "for everyone who asks; models stay in memory up to the budget, the "
            "least recently used first out."
        ).format(sessions=view.sessions)
    )


class_status()
