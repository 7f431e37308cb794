"""Keep what waits to be sent when a fragment run starts (a fix for Streamlit's queue).

When any run starts, Streamlit clears the session's queue of messages not yet sent
(`ForwardMsgQueue.clear`). For a fragment run it drops the waiting deltas of that fragment,
from every run still in the queue. On a busy server a fragment's timer can start a run right
after a whole-page run, before the page's messages went out; the browser then gets the page
without the fragment's place, prunes the fragment's old place when the page ends, and what
came after it moves up. Elements the browser has cached are sent as a reference to their hash,
which carries no fragment id: those are kept while their parents are dropped, and the browser
fails to place one ("Cannot set a node at a delta path", "'setIn' cannot be called on an
ElementNode"): the page goes blank for good. Traced message by message in a thirty-student
class on the Train page, whose progress and charts are timed fragments (bench/README.md).

With this fix a starting fragment run drops nothing: the browser gets every run as its script
wrote it, in order, and a run cut short is told apart by its own "finished early" message.
Only the index that merges a new delta into a waiting one at the same place is reset, which
is the reason Streamlit clears for fragment runs at all (a merged delta would reach the
browser inside the older run, Streamlit PR #9381). The cost is sending the deltas of a
fragment run that was cut short, which the next run replaces.

Plan to remove: `tests/test_fragment_queue.py` replays the traced order through Streamlit's
own `clear` and expects the browser's tree to break; once a Streamlit release keeps those
messages that test fails, and this module goes.
"""

from __future__ import annotations

from typing import Any

from streamlit.runtime.forward_msg_queue import ForwardMsgQueue

STREAMLIT_CLEAR = ForwardMsgQueue.clear


def _clear(
    self: ForwardMsgQueue,
    retain_lifecycle_msgs: bool = False,
    fragment_ids_this_run: list[str] | None = None,
) -> None:
    if retain_lifecycle_msgs and fragment_ids_this_run is not None:
        self._delta_index_map = {}  # the new run's deltas follow the waiting ones
        return
    STREAMLIT_CLEAR(self, retain_lifecycle_msgs, fragment_ids_this_run)


def install() -> bool:
    """Use the fixed `clear`; False if this Streamlit's queue is not the one the fix knows.
    app.py calls it on every script run: once in place, nothing is checked again."""
    if ForwardMsgQueue.clear is _clear:
        return True
    probe: Any = ForwardMsgQueue()
    if not isinstance(getattr(probe, "_delta_index_map", None), dict):
        return False
    if "fragment_ids_this_run" not in STREAMLIT_CLEAR.__code__.co_varnames:
        return False
    ForwardMsgQueue.clear = _clear  # type: ignore[method-assign]
    return True
