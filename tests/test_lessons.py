"""The maths of each model: one lesson per architecture, on the Learn and Train pages."""

import pytest

from ae_core.architectures import all_architectures
from ae_core.lessons import LESSONS, RECONSTRUCTION, lesson
from tests.conftest import ROOT
from tests.page_support import assert_clean, new_app

pytestmark = pytest.mark.data_free


def latex(at) -> list[str]:
    """The formulas on the page, without the $$ Streamlit wraps them in."""
    return [f.value.strip().removeprefix("$$").removesuffix("$$").strip() for f in at.latex]


def test_every_architecture_has_one_lesson_and_each_points_at_a_real_page():
    assert sorted(item.architecture for item in LESSONS) == sorted(
        a.name for a in all_architectures()
    )
    for item in LESSONS:
        assert (ROOT / item.page).exists(), item.page
        for formula in (*item.formulas, *RECONSTRUCTION.values()):
            assert formula.count("{") == formula.count("}"), formula
            assert formula.count(r"\left") == formula.count(r"\right"), formula


def test_the_learn_page_walks_through_every_model_in_order():
    at = new_app().run()
    at.switch_page("pages/learn.py").run()
    assert_clean(at)
    headings = [h.value for h in at.subheader]
    assert headings[1:] == [f"{n}. {item.title}" for n, item in enumerate(LESSONS, start=1)]
    shown = latex(at)
    assert shown[:2] == [RECONSTRUCTION["mse"], RECONSTRUCTION["bce"]]
    assert shown[2:] == [formula for item in LESSONS for formula in item.formulas]


def test_the_train_page_writes_out_the_chosen_models_loss(runs):
    at = new_app().run()
    at.switch_page("pages/train.py").run()
    at.selectbox(key="train.architecture").set_value("vae").run()
    assert_clean(at)
    shown = latex(at)
    assert shown == [*lesson("vae").formulas, RECONSTRUCTION["bce"]]
    assert any(r"\mathrm{KL}" in formula for formula in shown)
