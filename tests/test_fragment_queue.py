"""A fragment run starting before the page's messages went out must not break the page.

The messages go through Streamlit's real `ForwardMsgQueue`, in the order traced in a
thirty-student class (pages/ui/fragment_queue.py); what reaches the browser is applied to
`BrowserTree` (tests/browser_tree.py), a model of the frontend's tree that raises where the
frontend throws.
"""

from __future__ import annotations

import pytest
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.runtime.forward_msg_queue import ForwardMsgQueue

from pages.ui import fragment_queue
from tests.browser_tree import (
    CUT_SHORT,
    DONE,
    FRAGMENT_DONE,
    BrowserError,
    BrowserTree,
    run_identity,
    set_run_identity,
)
from tests.page_support import assert_clean, new_app

pytestmark = pytest.mark.data_free


def started(run: str, fragments: tuple[str, ...] = ()) -> ForwardMsg:
    msg = ForwardMsg()
    msg.new_session.name = "app"
    set_run_identity(msg, run, list(fragments))
    return msg


def finished(status) -> ForwardMsg:
    msg = ForwardMsg()
    msg.script_finished = status
    return msg


def element(path: list[int], fragment: str = "", text: str = "x") -> ForwardMsg:
    msg = ForwardMsg()
    msg.metadata.delta_path.extend([0, *path])
    msg.delta.new_element.markdown.body = text
    msg.delta.fragment_id = fragment
    return msg


def block(path: list[int], fragment: str = "") -> ForwardMsg:
    msg = ForwardMsg()
    msg.metadata.delta_path.extend([0, *path])
    msg.delta.add_block.flex_container.SetInParent()
    msg.delta.fragment_id = fragment
    return msg


def cached(path: list[int]) -> ForwardMsg:
    """An element the browser already has, sent as its hash (no fragment id on it)."""
    msg = ForwardMsg()
    msg.metadata.delta_path.extend([0, *path])
    msg.ref_hash = "chart"
    return msg


PROGRESS, CHARTS = "progress-fragment", "charts-fragment"


def whole_page(run: str) -> list[ForwardMsg]:
    """The Train page's shape: settings, the two timed fragments, then the Save row."""
    return [
        started(run),
        element([0]),
        block([1], PROGRESS),
        element([1, 0], PROGRESS),
        block([2], CHARTS),
        block([2, 0], CHARTS),
        element([2, 0, 0], CHARTS),
        element([3], text="Save this run"),
        finished(DONE),
    ]


def charts_run(run: str, status) -> list[ForwardMsg]:
    """A timer run of the charts: the chart is unchanged, so it goes as its hash."""
    return [
        started(run, (CHARTS,)),
        block([2], CHARTS),
        block([2, 0], CHARTS),
        cached([2, 0, 0]),
        finished(status),
    ]


def deliver(clear, runs: list[list[ForwardMsg]], browser: BrowserTree) -> None:
    """Each run's messages through one queue, cleared as a session does when a run starts;
    nothing is sent until the end (the server's loop was busy with thirty tabs)."""
    queue = ForwardMsgQueue()
    for messages in runs:
        first = messages[0]
        fragments = run_identity(first)[1] or None
        clear(queue, retain_lifecycle_msgs=True, fragment_ids_this_run=fragments)
        for msg in messages:
            queue.enqueue(msg)
    browser.receive(queue.flush())


def traced_order() -> list[list[ForwardMsg]]:
    """A whole-page run, then the charts' timer runs that waited behind it: one cut short by
    the next, which completes; all before the queue was sent."""
    return [
        whole_page("page 2"),
        charts_run("charts 1", CUT_SHORT),
        charts_run("charts 2", FRAGMENT_DONE),
    ]


def a_browser_with_the_first_page() -> BrowserTree:
    browser = BrowserTree()
    deliver(fragment_queue.STREAMLIT_CLEAR, [whole_page("page 1")], browser)
    return browser


def test_streamlit_own_queue_breaks_the_page_in_the_traced_order():
    """Streamlit's own `clear` (1.66, 1.67): the page's fragment deltas are dropped, the browser
    prunes the fragments' places, and the cached chart of the cut-short run lands in the
    Save row. When this fails, Streamlit has mended it: remove pages/ui/fragment_queue.py."""
    browser = a_browser_with_the_first_page()
    with pytest.raises(BrowserError, match="cannot be called on an ElementNode"):
        deliver(fragment_queue.STREAMLIT_CLEAR, traced_order(), browser)


def test_streamlit_own_queue_loses_the_save_row_without_a_sound():
    """Without a cut-short run nothing throws, yet the charts take the Save row's place: in
    a traced class of thirty this met 23 students, who saw no Save button after training
    until they next clicked something."""
    browser = a_browser_with_the_first_page()
    deliver(
        fragment_queue.STREAMLIT_CLEAR,
        [whole_page("page 2"), charts_run("charts", FRAGMENT_DONE)],
        browser,
    )
    assert [child.kind for child in browser.main.children] == ["element", "block", "block"]


def test_with_the_fix_the_page_arrives_whole_in_the_traced_order():
    browser = a_browser_with_the_first_page()
    deliver(fragment_queue._clear, traced_order(), browser)
    assert [child.kind for child in browser.main.children] == [
        "element",
        "block",
        "block",
        "element",
    ]
    assert browser.at([2, 0, 0]).kind == "cached element"
    assert browser.at([2, 0, 0]).run == "charts 2"
    assert browser.at([3]).run == "page 2"  # the Save row stayed where it was


def test_with_the_fix_a_new_run_does_not_merge_into_a_waiting_one():
    """What Streamlit's clearing was for: a delta of the new run merged into the older run's
    waiting delta at the same place would reach the browser inside the older run, and be
    pruned with it (Streamlit PR #9381)."""
    queue = ForwardMsgQueue()
    for messages in traced_order()[1:]:
        fragment_queue._clear(queue, True, run_identity(messages[0])[1])
        for msg in messages:
            queue.enqueue(msg)
    sent = queue.flush()
    kinds = [m.WhichOneof("type") for m in sent]
    second = kinds.index("new_session", 1)
    assert kinds[second + 1 :].count("delta") + kinds[second + 1 :].count("ref_hash") == 3


def test_the_lab_installs_the_fix():
    at = new_app()
    ForwardMsgQueue.clear = fragment_queue.STREAMLIT_CLEAR  # as on a fresh server
    at.run()
    assert_clean(at)
    assert ForwardMsgQueue.clear is fragment_queue._clear
