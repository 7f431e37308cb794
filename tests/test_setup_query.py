"""A Train page setup in the address: shared by copying it, restored by opening it."""

import pytest

from ae_core.architectures import all_architectures
from ae_core.errors import ConfigError
from ae_core.run_config import RunConfig
from ae_core.setup_query import from_query, to_query
from tests.page_support import SESSION_KEY, assert_clean, new_app

pytestmark = pytest.mark.data_free


@pytest.mark.parametrize("architecture", [a.name for a in all_architectures()])
def test_address_round_trip_for_every_architecture(architecture):
    plain = RunConfig.create(architecture)
    assert to_query(plain) == {"arch": architecture}  # defaults stay out of the address
    changed = plain.replace(
        latent_dim=3, seed=11, learning_rate=0.002, train_size=None, exclude_classes=(4, 9)
    )
    query = to_query(changed)
    assert query["latent_dim"] == "3" and query["exclude_classes"] == "4,9"
    assert from_query(query) == changed
    assert to_query(from_query(query)) == query  # stable: address -> settings -> address


def test_a_bad_address_says_what_is_wrong():
    with pytest.raises(ConfigError, match="no architecture"):
        from_query({"latent_dim": "2"})
    with pytest.raises(ConfigError, match="whole number"):
        from_query({"arch": "deep", "latent_dim": "two"})
    with pytest.raises(ConfigError, match="does not apply"):
        from_query({"arch": "deep", "beta": "4"})
    assert from_query({"arch": "deep", "run": "abc", "lang": "zh"}) == RunConfig.create("deep")


def _train_page_at(query: dict[str, str]):
    at = new_app()
    for key, value in query.items():
        at.query_params[key] = value
    at.run()
    at.switch_page("pages/train.py").run()
    return at


def test_opening_an_address_restores_its_setup_and_the_page_keeps_it_current(runs):
    at = _train_page_at({"arch": "vae", "latent_dim": "3", "beta": "4", "seed": "7"})
    assert_clean(at)
    assert at.selectbox(key="train.architecture").value == "vae"
    lab = at.session_state[SESSION_KEY]
    assert lab.settings["vae"]["beta"] == 4.0 and lab.settings["vae"]["seed"] == 7
    expected = {"arch": "vae", "latent_dim": "3", "beta": "4", "seed": "7"}
    assert dict(at.query_params) == expected
    at.number_input(key="setting.vae.train.seed").set_value(8).run()
    assert at.query_params["seed"] == "8"  # a change on screen is in the address at once


def test_a_broken_address_is_reported_and_the_page_still_works(runs):
    at = _train_page_at({"arch": "deep", "latent_dim": "lots"})
    assert_clean(at)
    assert "The setup in this address was not used" in at.error[0].value
    assert "whole number" in at.error[0].value
    assert at.button(key="train.start")  # the page is usable with its own settings


def test_a_late_address_does_not_undo_a_change_made_meanwhile(runs):
    """A rerun carries the address the browser had when it asked: a second change made
    before the browser took in the first change's address brings the older one along."""
    at = _train_page_at({})
    _seed_then_epochs_on_a_late_address(at, late=dict(at.query_params))
    assert (at.query_params["seed"], at.query_params["epochs"]) == ("104", "1")


def _seed_then_epochs_on_a_late_address(at, late: dict[str, str]) -> None:
    """Seed 104, then 1 epoch asked for with the address `late` (the browser has not taken
    in the seed's address yet): both settings must stay."""
    at.number_input(key="setting.deep.train.seed").set_value(104).run()
    assert at.query_params["seed"] == "104"
    at.query_params.clear()
    at.query_params.update(late)
    at.number_input(key="setting.deep.train.epochs").set_value(1).run()
    assert_clean(at)
    assert at.number_input(key="setting.deep.train.seed").value == 104
    assert at.number_input(key="setting.deep.train.epochs").value == 1


def test_a_late_copy_of_the_opened_link_does_not_undo_a_change(runs):
    """A link written by hand (not in the page's own spelling) is read once: a late rerun
    still carrying it must not put its settings back over the student's change."""
    link = {"arch": "deep", "learning_rate": "0.0020"}
    at = _train_page_at(link)
    assert at.query_params["learning_rate"] == "0.002"  # the page's spelling from now on
    _seed_then_epochs_on_a_late_address(at, late=link)
    assert at.query_params["seed"] == "104"
