"""`bench.classroom --trace-deltas`: log what the Streamlit server sends each session.

Python imports this at start-up when this folder is on PYTHONPATH; it acts only in a
process started as `streamlit run` with AE_TRACE_FILE set. Every batch the server sends a
session is logged as one JSON line: the structure of each message (type, delta path, block
or element, fragment, run), never its content. Wraps two methods of Streamlit's own classes,
in the measured server only: a diagnosis, never part of the lab.
"""

import json
import os
import threading
import time

_PATH = os.environ.get("AE_TRACE_FILE")
with open("/proc/self/cmdline", "rb") as _file:
    _COMMAND = _file.read().split(b"\0")

if _PATH and b"streamlit" in _COMMAND and b"run" in _COMMAND:
    from streamlit.runtime import app_session

    _lock = threading.Lock()
    _out = open(_PATH, "a", buffering=1)  # noqa: SIM115 (open for the server's life)

    def _run_identity(msg):
        """The run id and rerun fragments: in the metadata since Streamlit 1.67, in the
        new_session itself in 1.66 (as tests/browser_tree.run_identity reads them)."""
        if msg.metadata.DESCRIPTOR.fields_by_name.get("run") is not None:
            return msg.metadata.run.script_run_id, list(msg.metadata.run.fragment_ids)
        return msg.new_session.script_run_id, list(msg.new_session.fragment_ids_this_run)

    def _shape(msg):
        kind = msg.WhichOneof("type")
        shape = {"t": kind}
        if kind in ("delta", "ref_hash"):
            shape["p"] = list(msg.metadata.delta_path)
        if kind == "delta":
            block = msg.delta.WhichOneof("type") == "add_block"
            shape["k"] = "block" if block else "element"
            shape["f"] = msg.delta.fragment_id
        elif kind == "new_session":
            shape["run"], shape["frs"] = _run_identity(msg)
        elif kind == "script_finished":
            shape["s"] = msg.script_finished
        return shape

    def _log(record):
        with _lock:
            _out.write(json.dumps({"ts": time.time(), **record}) + "\n")

    _flush = app_session.AppSession.flush_browser_queue
    _handle = app_session.AppSession.handle_backmsg

    def flush_browser_queue(self):
        messages = _flush(self)
        if messages:
            _log({"sid": self.id, "out": [_shape(m) for m in messages]})
        return messages

    def handle_backmsg(self, msg):
        if msg.WhichOneof("type") == "rerun_script":
            _log({"sid": self.id, "in": {"fragment": msg.rerun_script.fragment_id}})
        return _handle(self, msg)

    app_session.AppSession.flush_browser_queue = flush_browser_queue
    app_session.AppSession.handle_backmsg = handle_backmsg
