"""Lesson files: the example reads, every mistake names its line, goals are checked."""

from __future__ import annotations

import math

import pytest

from ae_core.lesson_plan import (
    PAGE_KEYS,
    LessonFileError,
    load_lesson_plan,
    parse_lesson_plan,
)
from ae_core.presets import PRESETS
from tests.conftest import ROOT

pytestmark = pytest.mark.data_free
EXAMPLE = ROOT / "assets" / "lessons" / "first_lesson.toml"


def test_the_example_lesson_file_reads_with_every_section():
    plan = load_lesson_plan(EXAMPLE)
    assert plan.title == "Lesson 1: squeezing digits into two numbers"
    assert "**two numbers**" in plan.intro
    assert plan.pages == (
        "home",
        "learn",
        "train",
        "reconstructions",
        "latent_space",
        "compare",
        "class_view",
    )
    assert [p.key for p in plan.presets] == ["deep-2d", "dense-2d"]
    assert plan.presets[0].title == PRESETS[0].title  # a built-in with new text
    assert plan.presets[0].summary.startswith("Start here")
    assert plan.presets[1].config().model.latent_dim == 2
    assert plan.architectures == ("dense", "deep", "vae")
    assert plan.fixed == {"latent_dim": 2, "dataset": "mnist", "train_size": 20000}
    assert "optimizer" in plan.hidden
    assert [c.title for c in plan.challenges] == ["Beat 0.045", "Clusters you can trust"]
    assert plan.challenges[0].describe() == "Code size 2, test MSE below 0.045"


def test_no_file_means_the_usual_lab():
    plan = parse_lesson_plan("")
    assert plan.pages == PAGE_KEYS and plan.presets == PRESETS and not plan.challenges


def test_home_and_train_are_always_shown():
    plan = parse_lesson_plan('pages = ["learn"]')
    assert plan.pages == ("home", "learn", "train")
    assert not plan.shows("denoising")


@pytest.mark.parametrize(
    ("text", "line", "problem"),
    [
        ('title = "Lesson"\npages = ["home", "nope"]\n', 2, "unknown page 'nope'"),
        ('title = "unfinished\n', 1, "not valid TOML"),
        ('title = "a"\n\ncolour = "red"\n', 3, "unknown entry 'colour'"),
        ("title = 3\n", 1, "'title' must be text"),
        (
            '[[presets]]\nuse = "deep-2d"\n\n[[presets]]\nuse = "deep-9d"\n',
            5,
            "no built-in preset 'deep-9d'",
        ),
        (
            '[[presets]]\nkey = "x"\ntitle = "X"\narchitecture = "deep"\n'
            "settings = { latent_dim = 0 }\n",
            5,
            "latent_dim",
        ),
        (
            '[[presets]]\nkey = "x"\ntitle = "X"\narchitecture = "transformer"\n',
            4,
            "transformer",
        ),
        ('[[presets]]\nkey = "x"\ntitle = "X"\n', 1, "a new preset needs 'architecture'"),
        ("[train]\nfixed = { epochs = -1 }\n", 2, "epochs"),
        ('[train]\nhidden = ["colour"]\n', 2, "'colour' is not a setting"),
        ('[train]\narchitectures = ["deep", "gan"]\n', 2, "'architectures' lists names"),
        (
            '[[challenges]]\ntitle = "A"\ngoal = { test_mse_below = 0.05 }\n\n'
            '[[challenges]]\ntitle = "B"\ngoal = { test_mse_below = "low" }\n',
            7,
            "'test_mse_below' needs a number",
        ),
        ('[[challenges]]\ntitle = "A"\n', 1, "a challenge needs a goal"),
        (
            '[[challenges]]\ntitle = "A"\ngoal = { architecture = "vae", beta = -1 }\n',
            3,
            "beta",
        ),
    ],
)
def test_each_mistake_names_the_file_line_and_problem(text, line, problem):
    with pytest.raises(LessonFileError) as caught:
        parse_lesson_plan(text, "week3.toml")
    message = str(caught.value)
    assert message.startswith(f"week3.toml, line {line}: "), message
    assert problem in message


def test_an_unreadable_file_is_a_clear_error(tmp_path):
    with pytest.raises(LessonFileError, match="cannot be read"):
        load_lesson_plan(tmp_path / "missing.toml")
    (tmp_path / "latin.toml").write_bytes(b'title = "caf\xe9"\n')
    with pytest.raises(LessonFileError, match="not UTF-8"):
        load_lesson_plan(tmp_path / "latin.toml")


def test_a_goal_is_met_only_by_matching_settings_and_good_enough_figures():
    plan = parse_lesson_plan(
        '[[challenges]]\ntitle = "A"\n'
        'goal = { architecture = "vae", latent_dim = 2, test_mse_below = 0.05, '
        "knn_accuracy_above = 0.7 }\n"
    )
    goal = plan.challenges[0]
    asked = []

    def figures(values):
        def figure(name):
            asked.append(name)
            return values[name]

        return figure

    vae_2d = {"architecture": "vae", "latent_dim": 2}
    assert goal.met_by(vae_2d, figures({"test_mse": 0.04, "knn_accuracy": 0.8}))
    assert not goal.met_by(vae_2d, figures({"test_mse": 0.06, "knn_accuracy": 0.8}))
    assert not goal.met_by(vae_2d, figures({"test_mse": 0.04, "knn_accuracy": 0.7}))
    assert not goal.met_by(vae_2d, figures({"test_mse": math.nan, "knn_accuracy": 0.8}))
    asked.clear()
    assert not goal.met_by(
        {"architecture": "deep", "latent_dim": 2}, figures({"test_mse": 0.0, "knn_accuracy": 1})
    )
    assert asked == []  # a model with other settings is never scored
