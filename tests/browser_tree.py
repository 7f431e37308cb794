"""A model of how Streamlit's frontend keeps a page: where it throws and blanks the page.

The frontend places each delta at its path in a tree of blocks and elements, rebuilding
the blocks on the way down, and when a run finishes it prunes what that run did not touch
(its SetNodeByDeltaPathVisitor and ClearStaleNodeVisitor, Streamlit 1.67). Messages that
reach a browser in an order it cannot place make it throw, and the page goes blank. Used by
tests/test_fragment_queue.py on Streamlit's real queue, and by `bench.classroom
--trace-deltas` on what a real server sent each session.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

DONE = ForwardMsg.ScriptFinishedStatus.FINISHED_SUCCESSFULLY
FRAGMENT_DONE = ForwardMsg.ScriptFinishedStatus.FINISHED_FRAGMENT_RUN_SUCCESSFULLY
CUT_SHORT = ForwardMsg.ScriptFinishedStatus.FINISHED_EARLY_FOR_RERUN


def run_identity(msg: ForwardMsg) -> tuple[str, list[str]]:
    """A new_session message's run id and the fragments it reruns: in its metadata since
    Streamlit 1.67, in the new_session itself in 1.66."""
    if "run" in ForwardMsg.DESCRIPTOR.fields_by_name["metadata"].message_type.fields_by_name:
        run = msg.metadata.run
        return run.script_run_id, list(run.fragment_ids)
    session = msg.new_session
    return session.script_run_id, list(session.fragment_ids_this_run)


def set_run_identity(msg: ForwardMsg, run: str, fragments: list[str]) -> None:
    """Write a new_session message's run id and fragments where this Streamlit keeps them."""
    if "run" in ForwardMsg.DESCRIPTOR.fields_by_name["metadata"].message_type.fields_by_name:
        msg.metadata.run.script_run_id = run
        msg.metadata.run.fragment_ids.extend(fragments)
    else:
        msg.new_session.script_run_id = run
        msg.new_session.fragment_ids_this_run.extend(fragments)


class BrowserError(Exception):
    """Where Streamlit's frontend throws and blanks the page."""


@dataclass
class Node:
    kind: str  # "block", "element" or "cached element"
    run: str
    fragment: str = ""
    children: list[Node] = field(default_factory=list)


class BrowserTree:
    """The main area of a page (delta paths [0, ...]) as the frontend keeps it."""

    def __init__(self) -> None:
        self.main = Node("block", "")
        self.run = ""
        self.fragments: list[str] = []  # those the current run reruns ([]: the whole page)

    def receive(self, messages: list[ForwardMsg]) -> None:
        """Apply messages as a browser does, in order (raises BrowserError where it throws)."""
        for msg in messages:
            kind = msg.WhichOneof("type")
            if kind == "new_session":
                self.started(*run_identity(msg))
            elif kind == "script_finished":
                self.finished(msg.script_finished)
            elif kind == "ref_hash":
                self.place(list(msg.metadata.delta_path), "cached element")
            elif kind == "delta":
                block = msg.delta.WhichOneof("type") == "add_block"
                path = list(msg.metadata.delta_path)
                self.place(path, "block" if block else "element", msg.delta.fragment_id)

    def started(self, run: str, fragments: list[str]) -> None:
        self.run, self.fragments = run, fragments

    def finished(self, status: int) -> None:
        """The current run's end: a whole run that finished prunes what it did not draw; a
        fragment run, what it did not draw inside its fragments; a run cut short, nothing."""
        if status in (DONE, FRAGMENT_DONE):
            self._prune(self.main, self.run, self.fragments, None)

    def place(self, path: list[int], kind: str, fragment: str = "") -> None:
        """Set a delta at its path ([0, ...]: other areas than the main one are ignored)."""
        if not path or path[0] != 0:
            return
        path = path[1:]
        new = Node(kind, self.run, fragment)
        if kind == "block":  # a block replacing a block keeps its children
            old = self.at(path)
            if old is not None and old.kind == "block":
                new.children = old.children
        node = self.main
        for depth, index in enumerate(path):
            if node.kind != "block":
                raise BrowserError(f"'setIn' cannot be called on an ElementNode (at {path})")
            last = depth == len(path) - 1
            if index > len(node.children) or (index == len(node.children) and not last):
                raise BrowserError(f"Cannot set a node at a delta path ({path})")
            node.run = self.run  # the frontend rebuilds each block on the way down
            if not last:
                node = node.children[index]
            elif index == len(node.children):
                node.children.append(new)
            else:
                node.children[index] = new

    def at(self, path: list[int]) -> Node | None:
        node = self.main
        for index in path:
            if node.kind != "block" or index >= len(node.children):
                return None
            node = node.children[index]
        return node

    def _prune(
        self, node: Node, run: str, fragments: list[str], in_fragment: str | None
    ) -> Node | None:
        if node.kind != "block":
            if fragments and (not node.fragment or not in_fragment or node.run == run):
                return node
            return node if node.run == run else None
        inside = in_fragment
        if not fragments:
            if node.run != run:
                return None
        else:
            if in_fragment and node.run != run:
                return None
            if node.fragment in fragments and node.run == run:
                inside = node.fragment
        kept = [self._prune(child, run, fragments, inside) for child in node.children]
        node.children = [child for child in kept if child is not None]
        return node
