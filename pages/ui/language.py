"""The one place that picks a session's language, and the switch in the sidebar.

The choice lives in the session's own state: `ae_core.i18n` asks for it (through the source
installed here) whenever something is translated while that session's script runs, so two
sessions never see each other's language, and a fragment that redraws on its own reads the
same choice as the page around it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from ae_core.i18n import (
    DEFAULT_LANGUAGE,
    LANGUAGES,
    current_language,
    from_accept_language,
    set_language_source,
    supported,
    use_language,
)
from pages.ui.address_memory import is_new, note

LANGUAGE_KEY = "lab.language"
SWITCH_KEY = "lab.language.switch"
QUERY_KEY = "lang"


def _session_language() -> str | None:
    # Asked from any thread: only a script run has a session (a training thread has none,
    # and its messages are translated later, when a page shows them).
    if get_script_run_ctx(suppress_warning=True) is None:
        return None
    return st.session_state.get(LANGUAGE_KEY)


def install() -> None:
    set_language_source(_session_language)


def choose_language() -> str:
    """This session's language: `?lang=` if the address names one (a shared link, a lesson),
    else what the session chose before, else the browser's language, else English."""
    asked = supported(st.query_params.get(QUERY_KEY))
    # A rerun asked for just after a switch can still name the language switched away from:
    # an address language is acted on once, when it is new (see address_memory).
    if asked is not None and is_new("language", asked):
        note("language", asked)
        st.session_state[LANGUAGE_KEY] = asked
    elif LANGUAGE_KEY not in st.session_state:
        st.session_state[LANGUAGE_KEY] = browser_language() or DEFAULT_LANGUAGE
    return st.session_state[LANGUAGE_KEY]


def browser_language() -> str | None:
    """The browser's language: its locale as Streamlit reports it, or Accept-Language."""
    locale = getattr(st.context, "locale", None)
    return supported(locale) or from_accept_language(st.context.headers.get("Accept-Language"))


def language_switch() -> None:
    """The sidebar's switch, labelled in both languages so either reader finds it (drawn by
    every page's header)."""
    choose_language()
    st.session_state[SWITCH_KEY] = st.session_state[LANGUAGE_KEY]
    st.sidebar.selectbox(
        "Language · 语言",
        list(LANGUAGES),
        format_func=LANGUAGES.__getitem__,
        key=SWITCH_KEY,
        on_change=_switched,
    )


def _switched() -> None:
    language = st.session_state[SWITCH_KEY]
    st.session_state[LANGUAGE_KEY] = language
    if QUERY_KEY in st.query_params:
        # A link that fixed the language would otherwise switch it back on the next reload.
        st.query_params[QUERY_KEY] = language
        note("language", language)


def worded(format_func: Callable[[Any], Any]) -> Callable[[Any], str]:
    """A widget's format function that keeps this run's language.

    Streamlit's test harness calls format functions again outside the script run, where no
    session (so no language) is known; the words must be those the page showed.
    """
    language = current_language()

    def formatted(value: Any) -> str:
        with use_language(language):
            return str(format_func(value))

    return formatted


# Pages translate as soon as they are imported, before any of them has drawn the switch.
install()
