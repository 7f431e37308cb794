"""Stop Streamlit from clearing Keras' process-wide state after every script run.

Streamlit's script runner calls `keras.backend.clear_session()` after each run
(`script_runner._clean_problem_modules`). That call is process-wide: it resets Keras' global
state and TensorFlow's kernel caches for every session at once. With the Train page redrawing
once a second, it ran under every session's training thread: measured, the 2-D preset took
71 s in the app against 11 s alone. The lab never needs it: each run builds its own seeded,
explicitly named model, and models are dropped with the session that owns them.
"""

from __future__ import annotations


def _keep_keras_state() -> None:
    """Streamlit's matplotlib cleanup is irrelevant here; Keras' must not happen."""


def install() -> bool:
    """Replace Streamlit's post-run cleanup; returns False if this Streamlit has none."""
    from streamlit.runtime.scriptrunner import script_runner

    if not hasattr(script_runner, "_clean_problem_modules"):
        return False
    script_runner._clean_problem_modules = _keep_keras_state
    return True
