"""The trained-once store on disk, shared by processes (or app replicas) at once."""

from __future__ import annotations

import multiprocessing
from pathlib import Path

import numpy as np

from ae_core.model_store import TrainedStore
from ae_core.run_config import RunConfig
from ae_core.runs import load_run

CONFIG = {"train_size": 300, "validation_size": 100, "epochs": 1, "latent_dim": 2, "seed": 5}


def _train_then_store(root: str, barrier, results) -> None:
    """One replica: train the run, wait for the other, then both write it at once."""
    from ae_core.training import train

    config = RunConfig.create("deep", **CONFIG)
    result = train(config)
    barrier.wait(timeout=120)
    folder = TrainedStore(lambda: Path(root)).put(config.run_id, result)
    results.put(str(folder))


def test_two_processes_finishing_the_same_run_leave_one_good_copy(tmp_path):
    context = multiprocessing.get_context("spawn")
    barrier, results = context.Barrier(2), context.Queue()
    writers = [
        context.Process(target=_train_then_store, args=(str(tmp_path), barrier, results))
        for _ in range(2)
    ]
    for writer in writers:
        writer.start()
    for writer in writers:
        writer.join(timeout=300)
    assert [w.exitcode for w in writers] == [0, 0]
    config = RunConfig.create("deep", **CONFIG)
    folders = {results.get(timeout=5) for _ in writers}
    expected = tmp_path / ".trained" / config.run_id
    assert folders == {str(expected)}
    # One folder, nothing half-written beside it, and it loads.
    assert [p.name for p in (tmp_path / ".trained").iterdir()] == [config.run_id]
    run = load_run(expected)
    assert run.config == config and run.info["run_id"] == config.run_id
    codes = run.autoencoder.encode(np.zeros((1, 28, 28), np.float32))
    assert codes.shape == (1, 2)
