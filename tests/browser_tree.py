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

    def receive(self, messages: list[ForwardMsg]) -> None:
        """Apply messages as a browser does, in order (raises BrowserError where it throws)."""
        for msg in messages:
            kind = msg.WhichOneof("type")
            if kind == "new_session":
                self.started(msg.metadata.run.script_run_id)
            elif kind == "script_finished":
                run = msg.metadata.run
                self.finished(run.script_run_id, msg.script_finished, list(run.fragment_ids))
            elif kind == "ref_hash":
                self.place(list(msg.metadata.delta_path), "cached element")
            elif kind == "delta":
                block = msg.delta.WhichOneof("type") == "add_block"
                path = list(msg.metadata.delta_path)
                self.place(path, "block" if block else "element", msg.delta.fragment_id)

    def started(self, run: str) -> None:
        self.run = run

    def finished(self, run: str, status: int, fragments: list[str]) -> None:
        """A run's end: a whole run that finished prunes what it did not draw; a fragment
        run, what it did not draw inside its fragments; a run cut short, nothing."""
        if status in (DONE, FRAGMENT_DONE):
            self._prune(self.main, run, fragments, None)

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
