import time

import pytest

from ae_core.jobs import TrainingJob
from tests.conftest import small_run


def _wait(job, timeout=120):
    assert job.join(timeout), "training thread did not finish"
    return job.snapshot()


def test_a_job_trains_in_the_background_and_keeps_every_epoch(small_mnist):
    job = TrainingJob(small_run("deep", latent_dim=2, epochs=2), small_mnist).start()
    first = job.snapshot()
    assert first.state in ("starting", "running") and not first.finished
    done = _wait(job)
    assert done.state == "completed" and done.finished and done.fraction == 1.0
    assert [e.epoch for e in done.epochs] == [1, 2]
    assert done.latest_epoch.codes.shape[1] == 2
    assert done.result.autoencoder.latent_dim == 2
    assert "Trained for 2 epochs" in done.message


def test_a_job_can_be_stopped_and_reports_it(small_mnist):
    job = TrainingJob(small_run("dense", epochs=200), small_mnist, report_every=1).start()
    deadline = time.monotonic() + 60
    while job.snapshot().progress is None and time.monotonic() < deadline:
        time.sleep(0.02)
    job.stop()
    done = _wait(job)
    assert done.state == "stopped" and job.stop_requested
    assert done.result is not None and "Stopped" in done.message


def test_errors_in_the_thread_become_a_message(small_mnist):
    job = TrainingJob(small_run("dense", dataset="fashion_mnist"), small_mnist).start()
    done = _wait(job)
    assert done.state == "failed" and done.result is None
    assert "needs fashion_mnist" in done.message


@pytest.mark.data_free
def test_the_progress_line_says_where_a_run_is():
    from ae_core.jobs import JobSnapshot
    from ae_core.progress import BatchProgress, progress_line
    from ae_core.run_config import RunConfig

    config = RunConfig.create("deep")

    def snapshot(state, progress=None, **extra):
        return JobSnapshot(state, config, progress, (), None, "Preparing...", 12.4, **extra)

    queued = snapshot("queued", queue_place=3, expected_start=41.6)
    assert progress_line("Run 2", queued) == "Run 2: number 3 in the queue, starts in about 42 s"
    assert progress_line("Run 2", snapshot("starting")) == "Preparing..."
    batch = BatchProgress("Training", 2, 5, 30, 157, 0.25, 0.12345, 9_876.0, float("nan"))
    line = progress_line("Run 2", snapshot("running", batch))
    assert line == (
        "Run 2 · Training · epoch 2/5 · batch 30/157 · loss 0.1235 · 9,876 images/s · ETA --"
    )
    assert progress_line("Run 2", snapshot("stopped")) == "Run 2 · stopped after 12 s"
