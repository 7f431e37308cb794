"""A lesson file changes what the class sees: pages, presets, locked and hidden settings,
challenges ticked when reached, and a broken file stops the lab with its line."""

from __future__ import annotations

import pytest

from ae_core.lesson_plan import LESSON_FILE_VARIABLE
from pages.ui import lesson_file
from tests.conftest import ROOT
from tests.page_support import SESSION_KEY, assert_clean, new_app, texts

EXAMPLE = ROOT / "assets" / "lessons" / "first_lesson.toml"


@pytest.fixture
def lesson(monkeypatch, tmp_path):
    """Point the lab at a lesson file (the example, or text written for the test)."""

    def use(text: str | None = None):
        path = EXAMPLE
        if text is not None:
            path = tmp_path / "lesson.toml"
            path.write_text(text, encoding="utf-8")
        monkeypatch.setenv(LESSON_FILE_VARIABLE, str(path))
        lesson_file._plan_of.cache_clear()
        return path

    yield use
    lesson_file._plan_of.cache_clear()


@pytest.mark.data_free
def test_the_lesson_shows_its_pages_title_and_presets(lesson):
    lesson()
    at = new_app().run()
    assert_clean(at)
    assert "Lesson 1: squeezing digits into two numbers" in [s.value for s in at.subheader]
    assert "**two numbers**" in texts(at)
    assert [b.key for b in at.button] == ["preset.deep-2d", "preset.dense-2d"]
    assert "Start here: every digit becomes a point" in texts(at)
    assert "One layer each way." in texts(at)
    # The lesson's title in the sidebar, and its challenges, not yet reached.
    sidebar = [m.value for m in at.sidebar.markdown]
    assert "**Lesson 1: squeezing digits into two numbers**" in sidebar
    assert ":material/radio_button_unchecked: **Beat 0.045**" in sidebar
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page("pages/denoising.py")
    at.switch_page("pages/compare.py").run()
    assert_clean(at)


@pytest.mark.data_free
def test_the_train_page_offers_the_lessons_architectures_with_settings_locked_or_hidden(lesson):
    lesson()
    at = new_app().run()
    at.switch_page("pages/train.py").run()
    assert_clean(at)
    assert at.selectbox(key="train.architecture").options == [
        "Shallow dense",
        "Deep dense",
        "Variational (VAE)",
    ]
    arch = at.selectbox(key="train.architecture").value
    code = at.number_input(key=f"setting.{arch}.model.latent_dim.fixed")
    assert code.value == 2 and code.disabled
    keys = {w.key for kind in ("selectbox", "select_slider", "number_input") for w in at.get(kind)}
    assert not any(k.endswith((".optimizer", ".loss", ".batch_size")) for k in keys)
    assert "Fixed by the lesson: Code size 2, Dataset mnist, Training images 20000." in texts(at)


@pytest.mark.data_free
def test_a_broken_lesson_file_stops_the_lab_with_its_line(lesson):
    lesson('title = "Week 3"\n[train]\nfixed = { epochs = 0 }\n')
    at = new_app().run()
    assert_clean(at)
    message = at.error[0].value
    assert message.startswith("The lesson file cannot be used. lesson.toml, line 3: ")
    assert "Epochs (epochs) must be at least 1" in message
    assert not at.button and "check-lesson" in at.caption[0].value


def test_a_challenge_is_ticked_when_a_model_reaches_its_goal(lesson, runs):
    lesson(
        '[[challenges]]\ntitle = "Reachable"\ngoal = { latent_dim = 2, test_mse_below = 0.5 }\n'
        '[[challenges]]\ntitle = "Out of reach"\n'
        "goal = { latent_dim = 2, test_mse_below = 0.001 }\n"
        '[[challenges]]\ntitle = "Other model"\ngoal = { architecture = "vae" }\n'
    )
    from tests.page_support import train_from_page

    at = train_from_page(new_app().run(), latent_dim=2)
    assert_clean(at)
    model = at.session_state[SESSION_KEY].current_model
    sidebar = [m.value for m in at.sidebar.markdown]
    assert ":material/check_circle: **Reachable**" in sidebar
    assert ":material/radio_button_unchecked: **Out of reach**" in sidebar
    assert ":material/radio_button_unchecked: **Other model**" in sidebar
    assert f"Reached by {model.name}." in " ".join(c.value for c in at.sidebar.caption)
    assert model.test_mse < 0.5
