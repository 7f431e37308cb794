"""The lab's languages: gettext catalogs, and which language the current reader reads.

Messages are English in the source and marked for Babel's extractor:

- `_("...")` translates now, into the current reader's language (pages, figures, checks that
  run while a page is drawn);
- `lazy("... {n} ...", n=3)` is a message made where nobody reads it yet (a training thread, a
  worker process, an error that crosses into the page): a `str` whose value is the English
  text, so it can be compared, logged and saved as before, and which is put into the reader's
  language only when shown (`str()`, `format()`, f-strings);
- `N_("...")` only marks a constant (a label in a table); whoever shows it calls `_()` on it.

Whose language is "current": the language set with `use_language` in this context (the CLI,
tests), else the one the page layer's `set_language_source` reports for the session whose
script is running (pages keep it in that session's state, so sessions never see each other's),
else English. The catalogs live in `ae_core/locale/<lang>/LC_MESSAGES/messages.mo`, made from
the `.po` files by Babel (see README, "Translating").
"""

from __future__ import annotations

import gettext as _gettext
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache
from pathlib import Path
from typing import Any

LOCALE_DIR = Path(__file__).resolve().parent / "locale"
DOMAIN = "messages"
DEFAULT_LANGUAGE = "en"
# The language each one is offered under, in its own words.
LANGUAGES = {"en": "English", "zh": "简体中文"}

_chosen: ContextVar[str | None] = ContextVar("ae_lab_language", default=None)
_language_source: Callable[[], str | None] | None = None


def supported(code: str | None) -> str | None:
    """The lab's language for a code such as "zh", "zh-CN", "zh_Hans_CN" or "en-GB"; None if
    the lab does not speak it."""
    if not code:
        return None
    base = code.strip().replace("_", "-").split("-")[0].lower()
    return base if base in LANGUAGES else None


def from_accept_language(header: str | None) -> str | None:
    """The first language of a browser's `Accept-Language` header that the lab speaks, by the
    header's own preference weights."""
    choices = []
    for position, part in enumerate((header or "").split(",")):
        code, _sep, params = part.strip().partition(";")
        weight = 1.0
        if params.strip().startswith("q="):
            try:
                weight = float(params.strip()[2:])
            except ValueError:
                continue
        if (language := supported(code)) is not None and weight > 0:
            choices.append((-weight, position, language))
    return min(choices)[2] if choices else None


def from_environment() -> str | None:
    """The language of the terminal, as gettext reads it (LANGUAGE, LC_ALL, LC_MESSAGES,
    LANG), for the command line."""
    for variable in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(variable, "")
        for code in value.split(":"):
            if (language := supported(code.split(".")[0])) is not None:
                return language
    return None


def set_language_source(source: Callable[[], str | None] | None) -> None:
    """Where the current reader's language comes from when no context chose one (the page
    layer reports the running session's choice)."""
    global _language_source
    _language_source = source


def current_language() -> str:
    chosen = _chosen.get()
    if chosen is not None:
        return chosen
    if _language_source is not None and (language := supported(_language_source())):
        return language
    return DEFAULT_LANGUAGE


@contextmanager
def use_language(code: str) -> Iterator[None]:
    """Everything inside reads in `code` (for this thread or task only)."""
    language = supported(code) or DEFAULT_LANGUAGE
    token = _chosen.set(language)
    try:
        yield
    finally:
        _chosen.reset(token)


@cache
def _catalog(language: str) -> _gettext.NullTranslations:
    if language == DEFAULT_LANGUAGE:
        return _gettext.NullTranslations()
    return _gettext.translation(DOMAIN, LOCALE_DIR, languages=[language], fallback=True)


def _(message: str) -> str:
    """`message` in the current reader's language."""
    return _catalog(current_language()).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """The singular or plural form for `n`, in the current reader's language."""
    return _catalog(current_language()).ngettext(singular, plural, n)


def N_(message: str) -> str:
    """Marks a constant for translation; whoever shows it translates it with `_()`."""
    return message


class lazy(str):  # lower case: used like a function, as gettext's helpers are
    """A message put into the reader's language when it is shown, not when it is made.

    Its value as a plain string is the English text (with `params` filled in), so it behaves
    like the message always did for comparisons, logs and files. Parameters that are
    themselves `lazy` are translated along with it.
    """

    msgid: str
    params: dict[str, Any]

    def __new__(cls, msgid: str, /, **params: Any) -> lazy:
        # The plain value stays English all through, even with lazy parts made while a
        # Chinese page was drawn.
        plain = {k: english(v) if isinstance(v, lazy) else v for k, v in params.items()}
        text = super().__new__(cls, msgid.format(**plain) if params else msgid)
        text.msgid = msgid
        text.params = params
        return text

    def __str__(self) -> str:
        template = _(self.msgid)
        if not self.params:
            return template
        return template.format(**{k: shown(v) for k, v in self.params.items()})

    def __format__(self, spec: str) -> str:
        return format(str(self), spec)

    def __reduce__(self) -> tuple[Any, ...]:
        # Pickled for worker processes: rebuilt from the message and its parameters.
        return (_rebuild, (self.msgid, self.params))

    def as_dict(self) -> dict[str, Any]:
        """For files (JSON): the message and its parameters, rebuilt by `lazy.from_dict`."""
        params = {k: v.as_dict() if isinstance(v, lazy) else v for k, v in self.params.items()}
        return {"msgid": self.msgid, "params": params}

    @classmethod
    def from_dict(cls, data: Any, fallback: str = "") -> str:
        """A message saved with `as_dict`, or `fallback` (plain text) if there is none."""
        if isinstance(data, dict) and isinstance(data.get("msgid"), str):
            params = {
                k: cls.from_dict(v, fallback="") if isinstance(v, dict) else v
                for k, v in dict(data.get("params") or {}).items()
            }
            try:
                return cls(data["msgid"], **params)
            except (KeyError, IndexError, ValueError, TypeError):
                return fallback
        return fallback


def _rebuild(msgid: str, params: dict[str, Any]) -> lazy:
    return lazy(msgid, **params)


def english(text: str) -> str:
    """The English text of a message, lazy or not (for file names, ids and logs)."""
    return str.__str__(text)


def shown(text: str) -> str:
    """A message as the reader should see it: lazy ones translated, plain ones as they are."""
    return str(text) if isinstance(text, lazy) else text


def message_of(exc: BaseException) -> str:
    """An error's message, still lazy if it was made so (`str(exc)` would fix its language)."""
    first = exc.args[0] if exc.args else None
    return first if isinstance(first, lazy) else str(exc)


def unexpected_failure(exc: BaseException) -> str:
    """What a run that failed by a bug says (the details are in the server log)."""
    return lazy(
        "Training failed unexpectedly: {error}: {detail}", error=type(exc).__name__, detail=str(exc)
    )
