"""The training service: trained once, a fair queue, sessions that leave release their runs.

Runs here are tiny (500 images) but real: they train in the service's worker processes.
"""

from __future__ import annotations

import functools
import time
from pathlib import Path

import numpy as np
import pytest

from ae_core.errors import TrainingError
from ae_core.model_store import ModelCache, model_bytes
from ae_core.run_config import RunConfig
from ae_core.service import TrainingService, one_process_pool
from ae_core.training import build_autoencoder


def tiny(epochs: int = 1, **settings) -> RunConfig:
    values = {"train_size": 500, "validation_size": 100, "epochs": epochs, "latent_dim": 2}
    return RunConfig.create("deep", **{**values, **settings})


@pytest.fixture(scope="module")
def service(tmp_path_factory):
    """One worker, so that runs wait for each other."""
    root = tmp_path_factory.mktemp("service-runs")
    service = TrainingService(lambda: root, workers=1).start()
    yield service
    service.shutdown()


def _until(condition, timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def test_identical_requests_share_one_run_and_its_progress(service):
    config = tiny(epochs=3, seed=11)
    first = service.request(config, "session-a")
    second = service.request(RunConfig.from_dict(config.to_dict()), "session-b")
    assert second.run_id == first.run_id
    _until(lambda: first.snapshot().progress is not None)
    # The second session sees the run's progress at once, not a run of its own.
    assert second.snapshot().progress is not None and second.snapshot().watchers == 2
    assert first.join(120) and second.join(1)
    assert first.snapshot().state == second.snapshot().state == "completed"
    assert service.class_view().finished >= 1
    model_a, model_b = first.result().autoencoder, second.result().autoencoder
    assert model_a is model_b  # one model in memory, shared read-only
    # A later request for the same configuration is answered at once.
    third = service.request(config, "session-c")
    assert third.snapshot().state == "completed" and third.result().autoencoder is model_a


def test_a_finished_run_shows_every_epoch_it_trained(service):
    """The result comes back from the worker on another channel than the progress: it used to
    overtake the last epoch's report, whose images and codes then never reached the page."""
    for seed in (21, 22, 23):
        handle = service.request(tiny(epochs=2, seed=seed), f"session-epochs-{seed}")
        assert handle.join(120)
        snapshot = handle.snapshot()
        assert snapshot.state == "completed"
        assert [report.epoch for report in snapshot.epochs] == [1, 2]
        assert snapshot.epochs[-1].reconstructions is not None


def test_the_queue_is_first_come_first_served_and_waiting_runs_can_be_cancelled(service):
    long_run = service.request(tiny(epochs=300, seed=21), "s1")
    second = service.request(tiny(seed=22), "s2")
    third = service.request(tiny(seed=23), "s3")
    _until(lambda: long_run.snapshot().state == "running")
    assert second.snapshot().queue_place == 1 and third.snapshot().queue_place == 2
    assert second.snapshot().expected_start >= 0.0
    with pytest.raises(TrainingError, match="already have a run waiting"):
        service.request(tiny(seed=24), "s2")  # one waiting run per session
    assert third.stop() == "cancelled"
    assert third.snapshot().state == "cancelled" and third.snapshot().finished
    assert long_run.stop() == "stopping"
    assert long_run.join(60) and long_run.snapshot().state == "stopped"
    assert second.join(120) and second.snapshot().state == "completed"
    assert third.result() is None


def test_stop_from_one_of_several_watchers_only_detaches_it(service):
    config = tiny(epochs=300, seed=31)
    a, b = service.request(config, "a"), service.request(config, "b")
    _until(lambda: a.snapshot().state == "running")
    assert a.stop() == "left"
    time.sleep(0.5)
    assert b.snapshot().state == "running" and b.snapshot().watchers == 1
    assert b.stop() == "stopping" and b.join(60)


def test_a_session_that_ends_releases_what_only_it_watched(service):
    running = service.request(tiny(epochs=300, seed=41), "leaving")
    _until(lambda: running.snapshot().state == "running")
    shared = service.request(tiny(seed=42), "staying")
    service.request(tiny(seed=42), "leaving")
    waiting_alone = service.request(tiny(seed=43), "leaving-too")
    service.release_session("leaving")
    service.release_session("leaving-too")
    assert running.join(60) and running.snapshot().state == "stopped"
    assert waiting_alone.snapshot().state == "cancelled"
    assert shared.join(120) and shared.snapshot().state == "completed"  # still watched
    view = service.class_view()
    assert not view.training and not view.waiting and view.sessions == 0


def test_a_session_gone_longer_than_the_grace_time_is_released(tmp_path):
    connected = {"here": True, "gone": False}
    service = TrainingService(
        lambda: tmp_path, workers=1, is_connected=connected.get, grace_seconds=1.0
    ).start()
    try:
        handle = service.request(tiny(epochs=300, seed=51), "gone")
        assert handle.join(60), "the janitor did not release the session"
        assert handle.snapshot().state in ("stopped", "cancelled")
    finally:
        service.shutdown()


def test_runs_training_at_once_stay_repeatable(tmp_path, small_mnist):
    """Two runs in two worker processes at once; each equals the same run trained alone."""
    from ae_core.training import train

    service = TrainingService(lambda: tmp_path, workers=2).start()
    try:
        configs = [tiny(epochs=2, seed=61), tiny(epochs=2, seed=62, latent_dim=3)]
        handles = [service.request(c, f"s{i}") for i, c in enumerate(configs)]
        assert all(h.join(180) for h in handles)
        for config, handle in zip(configs, handles, strict=True):
            alone = train(config).autoencoder
            together = handle.result().autoencoder
            for mine, theirs in zip(
                together.encoder.get_weights(), alone.encoder.get_weights(), strict=True
            ):
                np.testing.assert_allclose(mine, theirs, rtol=1e-5, atol=1e-6)
    finally:
        service.shutdown()


def test_a_class_longer_than_a_worker_s_life_keeps_training(tmp_path):
    """Each worker process is replaced after `runs_per_worker` runs; the queue goes on."""
    service = TrainingService(lambda: tmp_path, workers=2, runs_per_worker=2).start()
    try:
        handles = [service.request(tiny(seed=300 + i), f"student-{i}") for i in range(7)]
        for handle in handles:
            assert handle.join(240), f"{handle.snapshot().state}: the queue stalled"
        assert all(h.snapshot().state == "completed" for h in handles)
    finally:
        service.shutdown()


def _ended(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return True
    return state == "Z"


def test_a_worker_that_dies_fails_its_run_and_the_next_run_trains(tmp_path):
    """A training process killed mid-run (the system short of memory, say): its run ends
    with a message saying so, and the lane gets a new process for the runs after it."""
    import os
    import signal

    service = TrainingService(lambda: tmp_path, workers=1).start()
    try:
        doomed = service.request(tiny(epochs=300, seed=81), "a")
        _until(lambda: doomed.snapshot().state == "running")
        for pid in service.worker_pids():
            os.kill(pid, signal.SIGKILL)
        assert doomed.join(60)
        assert doomed.snapshot().state == "failed"
        assert "stopped unexpectedly" in doomed.snapshot().message
        after = service.request(tiny(seed=82), "b")
        assert after.join(180) and after.snapshot().state == "completed"
    finally:
        service.shutdown()


def test_workers_stand_back_for_the_server_s_own_threads(tmp_path, monkeypatch):
    """Pages answer first: the training processes run at a lower priority than the server."""
    import os

    monkeypatch.delenv("AE_WORKER_NICENESS", raising=False)  # the default

    from ae_core.worker import worker_niceness

    service = TrainingService(lambda: tmp_path, workers=2).start()
    try:
        _until(lambda: len(service.worker_pids()) == 2)
        workers = service.worker_pids()
        mine = os.getpriority(os.PRIO_PROCESS, 0)
        for pid in workers:
            assert os.getpriority(os.PRIO_PROCESS, pid) == min(19, mine + worker_niceness())
    finally:
        service.shutdown()


def test_a_worker_idle_after_training_gets_a_fresh_process(tmp_path):
    """Memory comes back after a class: a worker that trained and then sat idle is replaced
    by a fresh process (TensorFlow returns memory only when a process ends)."""
    service = TrainingService(lambda: tmp_path, workers=1, renew_idle_after=1.0).start()
    try:
        assert service.request(tiny(seed=91), "a").join(180)
        (trained_in,) = service.worker_pids()
        _until(lambda: service.worker_pids() - {trained_in})  # a fresh one has started
        _until(lambda: _ended(trained_in))
        assert service.request(tiny(seed=92), "b").join(180)  # the fresh one trains
    finally:
        service.shutdown()


EXIT_SECONDS = 30.0


def _slow_to_exit(release: Path, initializer, initargs) -> None:
    """A worker whose process takes EXIT_SECONDS to end once its pool lets it go (seen under
    load: a TensorFlow process idle for a minute and more on its way out), or until the file
    `release` appears (the test's end)."""
    import atexit

    def linger() -> None:
        deadline = time.monotonic() + EXIT_SECONDS
        while time.monotonic() < deadline and not release.exists():
            time.sleep(0.1)

    initializer(*initargs)
    atexit.register(linger)


def _slow_exit_pool(release: Path, initializer, initargs):
    return one_process_pool(_slow_to_exit, (release, initializer, initargs))


@pytest.mark.slow
def test_a_worker_on_its_way_out_holds_up_no_other_run(tmp_path):
    """Two runs train at once, each worker replaced after one run and slow to exit. The
    second run's weights come back when it ends, not once the first worker has exited:
    with one shared pool they waited behind that exit (a class's last runs sat for 100 s)."""
    release = tmp_path / "release"
    service = TrainingService(
        lambda: tmp_path,
        workers=2,
        runs_per_worker=1,
        pool_factory=functools.partial(_slow_exit_pool, release),
    ).start()
    try:
        handles = [service.request(tiny(epochs=e, seed=310 + e), f"s{e}") for e in (1, 2)]
        ended = []
        for handle in handles:
            assert handle.join(EXIT_SECONDS * 4)
            ended.append(time.monotonic())
        assert all(h.snapshot().state == "completed" for h in handles)
        assert abs(ended[1] - ended[0]) < EXIT_SECONDS / 2
    finally:
        release.touch()
        service.shutdown()


def test_a_finished_run_is_found_on_disk_by_a_new_server(tmp_path):
    config = tiny(seed=71)
    first = TrainingService(lambda: tmp_path, workers=1).start()
    try:
        handle = first.request(config, "s")
        assert handle.join(120)
        _until(lambda: (tmp_path / ".trained" / config.run_id / "run.json").is_file())
        weights = handle.result().autoencoder.decoder.get_weights()
    finally:
        first.shutdown()
    second = TrainingService(lambda: tmp_path, workers=1)  # no workers needed: nothing trains
    found = second.request(config, "t")
    assert found.snapshot().state == "completed" and found.join(0)
    for a, b in zip(found.result().autoencoder.decoder.get_weights(), weights, strict=True):
        np.testing.assert_array_equal(a, b)


def test_prepared_runs_train_when_nobody_waits_and_are_then_found_finished(tmp_path):
    """The Home presets are trained ahead: a student's run always goes first, a student who
    asks for a prepared run waits for it like for any run, and nobody can stop it."""
    service = TrainingService(lambda: tmp_path, workers=1).start()
    try:
        students_run = service.request(tiny(epochs=300, seed=81), "student-1")
        _until(lambda: students_run.snapshot().state == "running")
        unasked, asked = tiny(epochs=40, seed=82), tiny(seed=83)
        assert service.prepare([unasked, asked]) == 2
        assert service.prepare([unasked]) == 0  # known already
        assert service.class_view().preparing == 2
        second_student = service.request(tiny(seed=84), "student-2")
        assert second_student.snapshot().queue_place == 1  # before the prepared runs
        # A student asking for a prepared run that has not started queues like any request.
        waiting = service.request(asked, "student-3")
        assert waiting.snapshot().queue_place == 2
        assert service.class_view().preparing == 2  # still the server's, whoever waits
        ahead = service.watch(unasked.run_id, "teacher")
        assert ahead is not None and ahead.snapshot().queue_place is None
        assert ahead.snapshot().prepared and not second_student.snapshot().prepared

        assert students_run.stop() == "stopping" and students_run.join(60)
        assert second_student.join(120) and waiting.join(120)
        assert waiting.snapshot().state == "completed"
        assert ahead.snapshot().state in ("queued", "starting", "running")  # trained last

        # It trains with nobody waiting for it; a student attaching cannot stop it.
        _until(lambda: ahead.snapshot().state == "running")
        watcher = service.request(unasked, "student-4")
        assert watcher.stop() == "left"
        service.release_session("student-4")
        assert ahead.join(120) and ahead.snapshot().state == "completed"
        assert service.class_view().preparing == 0
        # Asked for now, it is finished at once, with its model.
        found = service.request(unasked, "student-5")
        assert found.snapshot().state == "completed" and found.result() is not None
        _until(lambda: (tmp_path / ".trained" / unasked.run_id / "run.json").is_file())
    finally:
        service.shutdown()
    # A new server prepares nothing that is stored already, and the Home page says so.
    again = TrainingService(lambda: tmp_path, workers=1)
    assert again.is_trained(unasked) and not again.is_trained(tiny(seed=86))
    assert again.prepare([unasked, asked]) == 0


def test_the_server_prepares_the_home_presets_once_it_has_warmed_up(monkeypatch):
    import pages.ui.service as server
    from ae_core.presets import PRESETS

    asked: list[str] = []

    class Recorder:
        def prepare(self, configs):
            asked.extend(config.run_id for config in configs)

    monkeypatch.setattr(server, "_service", None)
    monkeypatch.setattr(server, "training_service", Recorder)
    monkeypatch.setenv("AE_WARM_UP", "1")
    everything = [preset.config().run_id for preset in PRESETS]
    for setting, expected in (("1", everything), ("0", [])):
        asked.clear()
        monkeypatch.setenv("AE_PREPARE_PRESETS", setting)
        thread = server.warm_up_in_background()
        assert thread is not None
        thread.join(60)
        assert asked == expected


@pytest.mark.data_free
def test_the_memory_budget_drops_the_least_recently_used_model():
    models = {k: build_autoencoder(tiny(seed=i)) for i, k in enumerate("abc")}
    size = model_bytes(models["a"])
    cache = ModelCache(budget=2 * size)
    reloads = []

    def reload_of(key):
        def reload():
            reloads.append(key)
            return models[key]

        return reload

    cache.put("a", models["a"], reload_of("a"))
    cache.put("b", models["b"], reload_of("b"))
    results_of_b = cache.results("b")
    assert cache.results("b") is results_of_b  # one set per model, shared
    cache.get("a")  # a is now more recent than b
    cache.put("c", models["c"], reload_of("c"))
    assert "b" not in cache and "a" in cache and "c" in cache
    assert cache.results("b") is not results_of_b  # dropped with its model
    stats = cache.stats()
    assert stats.models == 2 and stats.bytes == 2 * size and stats.evictions == 1
    assert cache.get("b") is models["b"] and reloads == ["b"]  # read back when needed
    assert "a" not in cache  # ...which dropped the least recently used again
