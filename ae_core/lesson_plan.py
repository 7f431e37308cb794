"""A teacher's lesson file (TOML): which presets and pages a class sees, which Train settings
are fixed or hidden, and challenges with goals the app checks.

The file is read and validated completely before the server starts (`python -m ae_core serve
--lesson FILE`, or `check-lesson FILE`), so a mistake is found at the desk, not in class: each
problem is one `LessonFileError` naming the file, the line and what is wrong. See
`assets/lessons/first_lesson.toml` for an example with every section.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import tomllib

from ae_core.errors import AELabError, ConfigError
from ae_core.i18n import N_, _, lazy
from ae_core.presets import PRESETS, Preset

LESSON_FILE_VARIABLE = "AE_LESSON_FILE"
# Page keys are the page scripts' names (pages/<key>.py).
PAGE_KEYS = (
    "home",
    "learn",
    "train",
    "reconstructions",
    "latent_space",
    "denoising",
    "features",
    "anomalies",
    "compare",
    "my_digits",
    "table_codes",
    "class_view",
)
# The page a class lands on, and the one every preset opens to show its run.
ALWAYS_SHOWN = ("home", "train")
# What a goal can ask of a model's test figures, and how each is compared.
GOAL_FIGURES: dict[str, tuple[str, str]] = {
    "test_mse_below": ("test_mse", "<"),
    "test_bce_below": ("test_bce", "<"),
    "knn_accuracy_above": ("knn_accuracy", ">"),
}
GOAL_WORDS = {
    "test_mse": N_("test MSE"),
    "test_bce": N_("test BCE"),
    "knn_accuracy": N_("5-NN accuracy of the codes"),
}
SECTIONS = ("title", "intro", "pages", "presets", "train", "challenges")


class LessonFileError(AELabError):
    """A lesson file that cannot be used, with the line of the problem."""


@dataclass(frozen=True)
class Challenge:
    title: str
    text: str
    settings: dict[str, Any]  # each must equal the model's (architecture included)
    figures: dict[str, float]  # GOAL_FIGURES key -> limit

    def describe(self) -> str:
        from ae_core.architectures import get_architecture
        from ae_core.run_config import setting_label

        parts = [
            _(get_architecture(v).title) if k == "architecture" else f"{setting_label(k)} {v}"
            for k, v in self.settings.items()
        ]
        for key, limit in self.figures.items():
            figure, sign = GOAL_FIGURES[key]
            comparison = (
                _("{figure} below {limit:g}") if sign == "<" else _("{figure} above {limit:g}")
            )
            parts.append(comparison.format(figure=_(GOAL_WORDS[figure]), limit=limit))
        return _(", ").join(parts)

    def met_by(self, settings: Mapping[str, Any], figure: Callable[[str], float]) -> bool:
        """Whether a model with these flat settings meets the goal; `figure` computes a test
        figure by name (only asked for when the settings already match)."""
        for name, wanted in self.settings.items():
            have = settings.get(name)
            if isinstance(wanted, list | tuple):
                if tuple(have or ()) != tuple(wanted):
                    return False
            elif have != wanted:
                return False
        for key, limit in self.figures.items():
            name, sign = GOAL_FIGURES[key]
            value = figure(name)
            if not math.isfinite(value) or (value >= limit if sign == "<" else value <= limit):
                return False
        return True


@dataclass(frozen=True)
class LessonPlan:
    title: str = ""
    intro: str = ""
    pages: tuple[str, ...] = PAGE_KEYS
    presets: tuple[Preset, ...] = PRESETS
    architectures: tuple[str, ...] = ()  # offered on the Train page; () = every one
    fixed: dict[str, Any] = field(default_factory=dict)  # setting -> value, shown, locked
    hidden: tuple[str, ...] = ()  # settings not shown (their fixed or default value is used)
    challenges: tuple[Challenge, ...] = ()
    source: str = ""  # the file's name, for messages

    def shows(self, page: str) -> bool:
        return page in self.pages


NO_LESSON = LessonPlan()


def load_lesson_plan(path: Path) -> LessonPlan:
    """Read and validate a lesson file; any problem is a LessonFileError with its line."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise LessonFileError(
            lazy("{path}: cannot be read ({reason}).", path=path, reason=exc.strerror or exc)
        ) from None
    except UnicodeDecodeError:
        raise LessonFileError(lazy("{path}: is not UTF-8 text.", path=path)) from None
    return parse_lesson_plan(text, path.name)


def parse_lesson_plan(text: str, name: str = "lesson.toml") -> LessonPlan:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        line = re.search(r"line (\d+)", str(exc))
        where = lazy("line {line}", line=line.group(1)) if line else lazy("somewhere")
        problem = re.sub(r"\s*\(at line \d+, column \d+\)", "", str(exc))
        raise LessonFileError(
            lazy(
                "{name}, {where}: this is not valid TOML: {problem}.",
                name=name,
                where=where,
                problem=problem,
            )
        ) from None
    return _Reader(text, name).plan(data)


class _Reader:
    """Validates the parsed file, pointing each problem at its line in the text."""

    def __init__(self, text: str, name: str):
        self.lines = text.splitlines()
        self.name = name

    def fail(self, problem: str, section: str = "", index: int = 0, key: str = "") -> None:
        raise LessonFileError(
            lazy(
                "{name}, line {line}: {problem}",
                name=self.name,
                line=self.line_of(section, index, key),
                problem=problem,
            )
        )

    def line_of(self, section: str, index: int, key: str) -> int:
        """The line of `key` in the index-th `[section]`/`[[section]]` (top level if none)."""
        start, seen = 0, -1
        if section:
            header = re.compile(rf"^\s*\[\[?\s*{re.escape(section)}\s*\]\]?\s*(#.*)?$")
            for number, line in enumerate(self.lines):
                if header.match(line):
                    seen += 1
                    if seen == index:
                        start = number
                        break
        key_line = re.compile(rf"^\s*{re.escape(key)}\s*=") if key else None
        for number in range(start, len(self.lines)):
            line = self.lines[number]
            if number > start and section and re.match(r"^\s*\[", line):
                break
            if not section and re.match(r"^\s*\[", line):
                break
            if key_line is not None and key_line.match(line):
                return number + 1
            if key and re.search(rf"\b{re.escape(key)}\s*=", line):
                return number + 1  # inside an inline table
        return start + 1

    def plan(self, data: dict[str, Any]) -> LessonPlan:
        for key in data:
            if key not in SECTIONS:
                self.fail(
                    lazy(
                        "unknown entry '{key}'; a lesson file has {names}.",
                        key=key,
                        names=", ".join(SECTIONS),
                    ),
                    key=key,
                )
        title = self.text(data, "title")
        intro = self.text(data, "intro")
        pages = self.pages(data.get("pages"))
        presets = self.presets(data.get("presets"))
        train = data.get("train", {})
        if not isinstance(train, dict):
            self.fail(lazy("'train' must be a table: [train]."), key="train")
        architectures, fixed, hidden = self.train(train)
        challenges = self.challenges(data.get("challenges", []))
        return LessonPlan(
            title=title,
            intro=intro,
            pages=pages,
            presets=presets,
            architectures=architectures,
            fixed=fixed,
            hidden=hidden,
            challenges=challenges,
            source=self.name,
        )

    def text(self, table: dict, key: str, section: str = "", index: int = 0) -> str:
        value = table.get(key, "")
        if not isinstance(value, str):
            self.fail(lazy("'{key}' must be text in quotes.", key=key), section, index, key)
        return value.strip()

    def pages(self, pages: Any) -> tuple[str, ...]:
        if pages is None:
            return PAGE_KEYS
        if not isinstance(pages, list) or not all(isinstance(p, str) for p in pages):
            self.fail(lazy("'pages' must be a list of page names in quotes."), key="pages")
        for page in pages:
            if page not in PAGE_KEYS:
                self.fail(
                    lazy(
                        "unknown page '{page}'; pages are {names}.",
                        page=page,
                        names=", ".join(PAGE_KEYS),
                    ),
                    key="pages",
                )
        return tuple(p for p in PAGE_KEYS if p in pages or p in ALWAYS_SHOWN)

    def presets(self, entries: Any) -> tuple[Preset, ...]:
        if entries is None:
            return PRESETS
        if not isinstance(entries, list):
            self.fail(lazy("presets are written as [[presets]] tables."), key="presets")
        built_in = {p.key: p for p in PRESETS}
        presets: list[Preset] = []
        for i, entry in enumerate(entries):
            at = ("presets", i)
            allowed = {"use", "key", "title", "summary", "architecture", "settings"}
            for key in entry:
                if key not in allowed:
                    self.fail(lazy("unknown preset entry '{key}'.", key=key), *at, key)
            if "use" in entry:
                base = built_in.get(entry["use"])
                if base is None:
                    self.fail(
                        lazy(
                            "no built-in preset '{preset}'; they are {names}.",
                            preset=entry["use"],
                            names=", ".join(built_in),
                        ),
                        *at,
                        "use",
                    )
                assert base is not None
                preset = Preset(
                    base.key,
                    self.text(entry, "title", *at) or base.title,
                    self.text(entry, "summary", *at) or base.summary,
                    base.architecture,
                    base.settings,
                    base.idle_seconds,
                )
            else:
                for key in ("key", "title", "architecture"):
                    if key not in entry:
                        self.fail(
                            lazy(
                                "a new preset needs '{key}' (or 'use' for a built-in one).", key=key
                            ),
                            *at,
                        )
                settings = entry.get("settings", {})
                if not isinstance(settings, dict):
                    self.fail(
                        lazy("'settings' must be a table: settings = { latent_dim = 2 }."), *at
                    )
                preset = Preset(
                    self.text(entry, "key", *at),
                    self.text(entry, "title", *at),
                    self.text(entry, "summary", *at),
                    str(entry["architecture"]),
                    dict(settings),
                )
                self.run_config(preset.architecture, preset.settings, *at)
            if any(p.key == preset.key for p in presets):
                self.fail(lazy("two presets have the key '{key}'.", key=preset.key), *at)
            presets.append(preset)
        if not presets:
            self.fail(lazy("'presets' is empty: leave it out to keep the built-in presets."))
        return tuple(presets)

    def run_config(self, architecture: str, settings: dict, section: str, index: int):
        from ae_core.run_config import RunConfig

        try:
            return RunConfig.create(architecture, **settings)
        except (ConfigError, KeyError, ValueError) as exc:
            key = next((k for k in settings if k in str(exc)), "architecture")
            self.fail(_sentence(exc), section, index, key)

    def train(self, train: dict) -> tuple[tuple[str, ...], dict[str, Any], tuple[str, ...]]:
        from ae_core.architectures import all_architectures

        names = [a.name for a in all_architectures()]
        for key in train:
            if key not in ("architectures", "fixed", "hidden"):
                self.fail(lazy("unknown entry '{key}' in [train].", key=key), "train", 0, key)
        architectures = train.get("architectures", [])
        if not isinstance(architectures, list) or any(a not in names for a in architectures):
            self.fail(
                lazy("'architectures' lists names from {names}.", names=", ".join(names)),
                "train",
                0,
                "architectures",
            )
        fixed = train.get("fixed", {})
        if not isinstance(fixed, dict):
            self.fail(lazy("'fixed' must be a table: fixed = { epochs = 5 }."), "train", 0, "fixed")
        for name, value in fixed.items():
            self.setting(name, value, architectures or names, "train", 0)
        hidden = train.get("hidden", [])
        if not isinstance(hidden, list):
            self.fail(lazy("'hidden' must be a list of setting names."), "train", 0, "hidden")
        for name in hidden:
            self.setting(name, None, architectures or names, "train", 0, key="hidden")
        return tuple(architectures), dict(fixed), tuple(hidden)

    def setting(self, name, value, architectures, section, index, key=None) -> None:
        """A setting some offered architecture has; with a value, one that it accepts."""
        from ae_core.run_config import RunConfig

        owners = [a for a in architectures if name in _setting_names(a)]
        if not owners:
            self.fail(
                lazy(
                    "'{name}' is not a setting of {names}.",
                    name=name,
                    names=", ".join(architectures),
                ),
                section,
                index,
                key or name,
            )
        if value is not None:
            try:
                RunConfig.create(owners[0], **{name: value})
            except (ConfigError, ValueError) as exc:
                self.fail(_sentence(exc), section, index, key or name)

    def challenges(self, entries: Any) -> tuple[Challenge, ...]:
        from ae_core.architectures import all_architectures

        if not isinstance(entries, list):
            self.fail(lazy("challenges are written as [[challenges]] tables."), key="challenges")
        names = [a.name for a in all_architectures()]
        challenges = []
        for i, entry in enumerate(entries):
            at = ("challenges", i)
            for key in entry:
                if key not in ("title", "text", "goal"):
                    self.fail(lazy("unknown challenge entry '{key}'.", key=key), *at, key)
            title = self.text(entry, "title", *at)
            if not title:
                self.fail(lazy("a challenge needs a 'title'."), *at)
            goal = entry.get("goal")
            if not isinstance(goal, dict) or not goal:
                self.fail(
                    lazy("a challenge needs a goal: goal = { test_mse_below = 0.045 }."),
                    *at,
                    "goal",
                )
            settings: dict[str, Any] = {}
            figures: dict[str, float] = {}
            for key, value in goal.items():
                if key in GOAL_FIGURES:
                    if not isinstance(value, int | float) or isinstance(value, bool):
                        self.fail(lazy("'{key}' needs a number.", key=key), *at, key)
                    figures[key] = float(value)
                elif key == "architecture":
                    if value not in names:
                        self.fail(
                            lazy(
                                "unknown architecture '{got}'; they are {names}.",
                                got=value,
                                names=", ".join(names),
                            ),
                            *at,
                            key,
                        )
                    settings[key] = value
                else:
                    arch = goal.get("architecture")
                    self.setting(key, value, [arch] if arch in names else names, *at)
                    settings[key] = value
            challenges.append(Challenge(title, self.text(entry, "text", *at), settings, figures))
        return tuple(challenges)


def _setting_names(architecture: str) -> set[str]:
    from ae_core.architectures import get_architecture
    from ae_core.config import DataConfig, TrainConfig

    arch = get_architecture(architecture).config_class
    return set(arch.params()) | set(DataConfig.params()) | set(TrainConfig.params())


def _sentence(exc: Exception) -> str:
    text = str(exc.args[0]) if exc.args else str(exc)
    return text if text.endswith(".") else text + "."
