"""Autoencoders on table rows: they learn the planted groups, stop, and survive divergence."""

from __future__ import annotations

import io
import json
import threading
import zipfile

import numpy as np
import pytest

from ae_core.errors import ConfigError
from ae_core.table_training import (
    TableModelConfig,
    TableTrainingJob,
    build_table_autoencoder,
    train_table,
)
from ae_core.tables import TableSetup, prepare_table, read_table
from tests.conftest import ROOT

pytestmark = pytest.mark.data_free
EXAMPLE = ROOT / "assets" / "tables" / "gene_terms.csv"


@pytest.fixture(scope="module")
def genes():
    table = read_table(EXAMPLE.read_bytes(), EXAMPLE.name)
    return table, prepare_table(table, TableSetup(id_column="gene"))


def knn_accuracy(codes: np.ndarray, labels: np.ndarray, k: int = 5) -> float:
    """Leave-one-out k-nearest-neighbour accuracy of predicting the label from the code."""
    distances = ((codes[:, None] - codes[None]) ** 2).sum(-1)
    np.fill_diagonal(distances, np.inf)
    neighbours = np.argsort(distances, axis=1)[:, :k]
    votes = [np.unique(labels[n], return_counts=True) for n in neighbours]
    predicted = np.array([kinds[np.argmax(counts)] for kinds, counts in votes])
    return float(np.mean(predicted == labels))


def test_the_example_table_has_four_planted_groups(genes):
    table, prepared = genes
    assert table.suggested_id_column() == "gene"
    assert sorted(set(table.column("pathway"))) == [
        "apoptosis",
        "cell cycle",
        "immune response",
        "lipid metabolism",
    ]
    assert prepared.values.shape == (240, 48)


@pytest.mark.parametrize("architecture", ["dense", "deep", "variational"])
def test_codes_separate_the_planted_groups_far_better_than_chance(genes, architecture):
    table, prepared = genes
    config = TableModelConfig(architecture=architecture, latent_dim=4, epochs=40)
    result, state, message = train_table(prepared, config)
    assert state == "completed", message
    assert result is not None and result.codes.shape == (240, 4)
    pathways = table.column("pathway")[prepared.kept_rows]
    # Four equal groups: guessing is right a quarter of the time.
    assert knn_accuracy(result.codes, pathways) > 0.6
    # And it reconstructs held-out rows better than predicting each column's mean does.
    validation = prepared.validation
    baseline = float(np.mean((validation - prepared.train.mean(axis=0)) ** 2))
    assert np.mean(result.errors[prepared.validation_rows]) < baseline


def test_the_same_seed_gives_the_same_codes_even_with_two_runs_at_once(genes):
    _, prepared = genes
    config = TableModelConfig(latent_dim=3, epochs=3, seed=5)
    jobs = [TableTrainingJob(prepared, config).start() for _ in range(2)]
    assert all(job.join(60) for job in jobs)
    first, second = (job.snapshot().result for job in jobs)
    assert first is not None and second is not None
    assert np.array_equal(first.codes, second.codes)
    other, _, _ = train_table(prepared, TableModelConfig(latent_dim=3, epochs=3, seed=6))
    assert other is not None and not np.allclose(other.codes, first.codes)


def test_stop_ends_the_run_within_a_batch_and_keeps_the_model(genes):
    _, prepared = genes
    stop = threading.Event()
    epochs_seen = []

    def on_epoch(epoch, loss, val_loss):
        epochs_seen.append(epoch)
        if epoch == 2:
            stop.set()

    config = TableModelConfig(epochs=200, batch_size=8)
    result, state, message = train_table(prepared, config, stop, on_epoch=on_epoch)
    assert state == "stopped" and epochs_seen == [1, 2]
    assert result is not None and np.isfinite(result.codes).all()
    assert "Stopped after 2 full epoch(s)" in message


def test_a_diverging_run_stops_and_keeps_the_last_good_epoch(genes):
    _, prepared = genes
    config = TableModelConfig(epochs=10)
    model = build_table_autoencoder(config, len(prepared.features), bounded=True)
    kept = {}

    def poison_after_epoch_two(epoch, loss, val_loss):
        if epoch == 2:
            kept["weights"] = [w.copy() for w in model.get_weights()]
            model.set_weights([np.full_like(w, np.nan) for w in model.get_weights()])

    result, state, message = train_table(
        prepared, config, on_epoch=poison_after_epoch_two, model=model
    )
    assert state == "diverged"
    assert "epoch 3" in message and "put back to the end of epoch 2" in message
    assert result is not None and result.epochs_trained == 2
    assert np.isfinite(result.codes).all()
    assert all(
        np.array_equal(a, b) for a, b in zip(model.get_weights(), kept["weights"], strict=True)
    )


def test_divergence_in_the_first_epoch_leaves_no_model_and_says_why(genes):
    table, _ = genes
    prepared = prepare_table(table, TableSetup(id_column="gene", scaling="standardise"))
    huge = prepared.values * np.float32(1e30)  # squares overflow: the loss is inf at once
    poisoned = type(prepared)(**{**prepared.__dict__, "values": huge})
    result, state, message = train_table(poisoned, TableModelConfig(epochs=3))
    assert result is None and state == "diverged"
    assert "Lower the learning rate" in message


def test_the_encoder_archive_holds_a_model_and_the_scaling_it_expects(genes, tmp_path):
    import keras

    _, prepared = genes
    result, _, _ = train_table(prepared, TableModelConfig(architecture="variational", epochs=2))
    assert result is not None
    with zipfile.ZipFile(io.BytesIO(result.encoder_archive())) as archive:
        assert sorted(archive.namelist()) == ["README.txt", "encoder.keras", "preprocessing.json"]
        preprocessing = json.loads(archive.read("preprocessing.json"))
        (tmp_path / "encoder.keras").write_bytes(archive.read("encoder.keras"))
    assert preprocessing["columns"] == list(prepared.features)
    assert preprocessing["scaling"] == "minmax"
    encoder = keras.models.load_model(tmp_path / "encoder.keras")
    # The saved encoder gives the codes the page showed (the mean code of the VAE).
    assert np.allclose(encoder.predict(prepared.values, verbose=0), result.codes, atol=1e-5)


def test_model_settings_are_checked_in_one_place():
    with pytest.raises(ConfigError, match="code size"):
        TableModelConfig(latent_dim=0)
    with pytest.raises(ConfigError, match="choose one of dense, deep, variational"):
        TableModelConfig(architecture="conv")
