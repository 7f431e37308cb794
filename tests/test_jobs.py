import time

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
