"""Replay what a server sent each session (`bench.classroom --trace-deltas FILE`) against a
model of Streamlit's frontend tree, and name every session whose page it would break.

    python -m bench.delta_trace FILE [--last 40]

This is how the blank pages of thirty-student classes were traced to Streamlit's queue
(pages/ui/fragment_queue.py): the one session whose page went blank was the one whose
messages the model could not place.
"""

from __future__ import annotations

import argparse
import json
from collections import defaultdict
from pathlib import Path

from tests.browser_tree import DONE, BrowserError, BrowserTree

TRACE_HOOK = Path(__file__).resolve().parent / "trace_hook"


def read_trace(path: Path) -> dict[str, list[dict]]:
    records: dict[str, list[dict]] = defaultdict(list)
    for line in path.read_text().splitlines():
        record = json.loads(line)
        records[record["sid"]].append(record)
    return records


def exposed_sessions(records: dict[str, list[dict]]) -> int:
    """Sessions in which a fragment run started before a finished whole-page run had been
    sent (both in one batch): where Streamlit's own queue dropped the page's fragments."""
    return sum(
        any(_fragment_run_after_page(r.get("out", [])) for r in lines) for lines in records.values()
    )


def _fragment_run_after_page(batch: list[dict]) -> bool:
    page_done = False
    for shape in batch:
        if shape["t"] == "script_finished" and shape["s"] == DONE:  # a whole page's end
            page_done = True
        elif shape["t"] == "new_session" and shape["frs"] and page_done:
            return True
    return False


def broken_sessions(records: dict[str, list[dict]]) -> dict[str, tuple[str, list[dict]]]:
    """For each session whose messages break the model: the error and the records up to it."""
    broken = {}
    for session, lines in records.items():
        tree, seen = BrowserTree(), []
        try:
            for record in lines:
                seen.append(record)
                for shape in record.get("out", []):
                    _apply(tree, shape)
        except BrowserError as exc:
            broken[session] = (str(exc), seen)
    return broken


def _apply(tree: BrowserTree, shape: dict) -> None:
    kind = shape["t"]
    if kind == "new_session":
        tree.started(shape["run"], shape["frs"])
    elif kind == "script_finished":
        tree.finished(shape["s"])
    elif kind == "ref_hash":
        tree.place(shape["p"], "cached element")
    elif kind == "delta":
        tree.place(shape["p"], shape["k"], shape["f"])


def print_broken(path: Path, last: int = 0) -> None:
    records = read_trace(path)
    broken = broken_sessions(records)
    print(
        f"  messages sent to {len(records)} sessions, replayed on a model of the browser's "
        f"tree: {len(broken)} would break the page; in {exposed_sessions(records)} a fragment "
        "run started before a finished page had been sent"
    )
    for session, (error, seen) in broken.items():
        print(f"    session {session[:8]}: {error}")
        start = seen[0]["ts"]
        for record in seen[-last:] if last else []:
            what = record.get("out") or record.get("in")
            print(f"      {record['ts'] - start:8.2f} {'out' if 'out' in record else 'in'}: {what}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("trace", type=Path)
    parser.add_argument("--last", type=int, default=10, help="records to print before a break")
    args = parser.parse_args()
    print_broken(args.trace, args.last)


if __name__ == "__main__":
    main()
