"""Anomaly detection: the detector's scores (ROC, AUC, confusion) and the page that shows them."""

import numpy as np
import pytest

from ae_core.anomaly import confusion_at, roc
from ae_core.errors import ConfigError
from ae_core.run_config import RunConfig
from tests.page_support import SESSION_KEY, assert_clean, charts, new_app, train_from_page


def _pairwise_auc(normal, anomalous) -> float:
    """The definition: P(anomaly scores above a normal image), ties counted half."""
    a, n = np.asarray(anomalous)[:, None], np.asarray(normal)[None, :]
    return float(np.mean((a > n) + 0.5 * (a == n)))


@pytest.mark.data_free
def test_auc_of_known_cases():
    assert roc([0.1, 0.2], [0.3, 0.4]).auc == 1.0  # every anomaly above every normal image
    assert roc([0.3, 0.4], [0.1, 0.2]).auc == 0.0
    assert roc([0.5, 0.5], [0.5, 0.5]).auc == 0.5  # all tied: a coin toss
    # 0.25 beats two of three normal scores, 0.4 beats all three: 5 of 6 pairs.
    assert roc([0.1, 0.2, 0.3], [0.25, 0.4]).auc == pytest.approx(5 / 6)


@pytest.mark.data_free
def test_auc_matches_its_definition_with_ties():
    rng = np.random.default_rng(0)
    normal = np.round(rng.normal(0.0, 1.0, 300), 1)
    anomalous = np.round(rng.normal(0.8, 1.0, 200), 1)  # rounding makes many ties
    curve = roc(normal, anomalous)
    assert curve.auc == pytest.approx(_pairwise_auc(normal, anomalous), abs=1e-12)
    assert curve.false_positive_rate[0] == 0 and curve.true_positive_rate[-1] == 1.0
    assert np.all(np.diff(curve.false_positive_rate) >= 0)


@pytest.mark.data_free
def test_confusion_at_a_threshold():
    result = confusion_at(0.3, normal=[0.1, 0.2, 0.35, 0.5], anomalous=[0.25, 0.3, 0.9])
    assert (result.true_positives, result.false_negatives) == (2, 1)
    assert (result.false_positives, result.true_negatives) == (2, 2)
    assert result.precision == pytest.approx(0.5) and result.recall == pytest.approx(2 / 3)
    assert result.f1 == pytest.approx(2 * 0.5 * (2 / 3) / (0.5 + 2 / 3))
    assert confusion_at(10.0, [0.1], [0.2]).precision == 0.0  # nothing flagged


@pytest.mark.data_free
def test_scoring_needs_both_kinds_of_images():
    with pytest.raises(ConfigError, match="both normal and anomalous"):
        roc([], [0.1])
    with pytest.raises(ConfigError, match="finite"):
        confusion_at(0.1, [np.nan], [0.2])


@pytest.mark.data_free
def test_left_out_classes_are_part_of_a_runs_identity():
    plain = RunConfig.create("deep")
    config = RunConfig.create("deep", exclude_classes="7, 3, 7")
    assert config.data.exclude_classes == (3, 7)  # one order, no repeats
    assert config.run_id != plain.run_id
    assert RunConfig.from_dict(config.to_dict()) == config
    with pytest.raises(ConfigError, match="at most 9"):
        RunConfig.create("deep", exclude_classes="12")
    with pytest.raises(ConfigError, match="between 0 and 9 values"):
        RunConfig.create("deep", exclude_classes=list(range(10)))


def test_a_run_that_leaves_classes_out_never_trains_on_them(small_mnist):
    from ae_core.training import TrainingData, training_set

    config = RunConfig.create("deep", exclude_classes=(7,), train_size=1_000)
    _, labels = training_set(small_mnist, config)
    assert len(labels) == 1_000 and 7 not in labels and set(labels) == set(range(10)) - {7}
    data = TrainingData.from_dataset(small_mnist, config.replace(validation_size=100))
    assert len(data.x_val) == 100


@pytest.fixture(scope="module")
def detector_app(tmp_path_factory):
    patch = pytest.MonkeyPatch()
    patch.setenv("AE_RUNS_DIR", str(tmp_path_factory.mktemp("runs")))
    at = train_from_page(
        new_app().run(), architecture="deep", epochs=2, latent_dim=8, exclude_classes="2"
    )
    yield at
    patch.undo()


def test_the_detector_page_scores_the_left_out_digits(detector_app):
    at = detector_app
    at.switch_page("pages/anomalies.py").run()
    assert_clean(at)
    model = at.session_state[SESSION_KEY].current_model
    test = model.anomaly_test("left out")
    assert set(test.anomalous_labels) == {2} and 2 not in test.normal_labels
    threshold = at.slider[0].value
    expected = confusion_at(threshold, test.normal_errors, test.anomalous_errors)
    shown = {m.label: m.value for m in at.metric}
    assert shown["Precision"] == f"{expected.precision:.2f}"
    assert shown["Recall"] == f"{expected.recall:.2f}"
    auc = roc(test.normal_errors, test.anomalous_errors).auc
    assert shown["AUC"] == f"{auc:.3f}" and auc > 0.6  # the unseen 2s do stand out
    figure = charts(at)["anomaly.roc"]
    names = [t["name"] for t in figure["data"]]
    assert names[1].startswith("this model (AUC") and names[2].startswith("PCA-8 (AUC")
    # A stricter threshold flags fewer images: recall cannot rise.
    at.slider[0].set_value(min(threshold * 1.5, at.slider[0].max)).run()
    assert_clean(at)
    stricter = confusion_at(at.slider[0].value, test.normal_errors, test.anomalous_errors)
    assert at.slider[0].value > threshold
    assert {m.label: m.value for m in at.metric}["Recall"] == f"{stricter.recall:.2f}"
    assert stricter.recall <= expected.recall


def test_the_other_dataset_can_be_the_anomalies(detector_app):
    at = detector_app
    at.switch_page("pages/anomalies.py").run()
    at.radio(key="anomaly.source").set_value("fashion_mnist").run()
    assert_clean(at)
    assert "Fashion-MNIST images, a dataset it never saw" in "\n".join(c.value for c in at.caption)
    assert float(at.metric[3].value) > 0.5


def test_a_model_that_saw_every_class_offers_the_preset(runs):
    from tests.page_support import train_from_page as train

    at = train(new_app().run(), architecture="dense", epochs=1, latent_dim=4)
    at.switch_page("pages/anomalies.py").run()
    assert_clean(at)
    assert at.button(key="anomaly.preset")
    assert at.radio(key="anomaly.source").options == ["Fashion-MNIST test images"]
