"""Uploads read once: keep what a page made of a file, give its bytes back straight away.

Streamlit keeps every uploaded file's bytes in its upload store until the browser removes it
or the session is shut down, and a session that simply expires after its tab closed is never
shut down: forty 10 MB uploads stayed in the server's memory for good. A page that has read a
file has no further use for its bytes, so it removes them from the store at once; the file's
name stays listed in the uploader, and what was made of it lives in the page's own state.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
from typing import Any

from streamlit import runtime
from streamlit.runtime.scriptrunner import get_script_run_ctx
from streamlit.runtime.uploaded_file_manager import UploadedFile


def read_once(file: UploadedFile) -> bytes:
    """The file's bytes; the upload store forgets them (this session's copy only)."""
    data = file.getvalue()
    ctx = get_script_run_ctx()
    if runtime.exists() and ctx is not None:
        # Streamlit's memory store has it; the manager's protocol does not declare it.
        store: Any = runtime.get_instance().uploaded_file_mgr
        store.remove_file(ctx.session_id, file.file_id)
    file.close()
    return data


def give_memory_back() -> None:
    """Ask the C allocator to return freed memory to the system.

    Python frees large buffers (uploads, decoded photos) but glibc keeps the pages in its
    arenas, so the server's memory never shrinks; malloc_trim hands them back. Elsewhere
    (macOS, musl) this does nothing.
    """
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


@functools.cache
def _malloc_trim():
    name = ctypes.util.find_library("c")
    try:
        return getattr(ctypes.CDLL(name), "malloc_trim", None) if name else None
    except OSError:
        return None
