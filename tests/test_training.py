import threading
import time

import numpy as np
import pytest
import tensorflow as tf

from ae_core.architectures import all_architectures
from ae_core.batch_gate import BatchGate, StopRelay
from ae_core.errors import TrainingError
from ae_core.metrics import per_image_mse
from ae_core.noise import add_noise
from ae_core.progress import BatchProgress, EpochReport
from ae_core.training import (
    build_autoencoder,
    make_optimizer,
    shuffled_batches,
    through_gate,
    train,
)
from tests.conftest import mean_image_mse, small_run

ALL = [a.name for a in all_architectures()]


@pytest.mark.parametrize("name", ALL)
def test_every_architecture_learns_to_reconstruct_better_than_the_mean_image(
    name, trained, small_mnist
):
    result = trained(name)
    assert result.status == "completed", result.message
    final = [r for r in result.history if r.stage == "Training"]
    assert len(final) == 3
    assert final[-1].train["loss"] < final[0].train["loss"]
    x_test = small_mnist.x_test
    mse = per_image_mse(x_test, result.autoencoder.reconstruct(x_test)).mean()
    baseline = mean_image_mse(small_mnist.x_train, x_test)
    assert mse < 0.8 * baseline, f"{name}: test MSE {mse:.4f} vs mean image {baseline:.4f}"


@pytest.mark.parametrize(
    ("name", "penalties"),
    [
        ("sparse", ["sparsity_loss"]),
        ("contractive", ["contractive_loss"]),
        ("vae", ["kl_loss"]),
        ("deep", []),
    ],
)
def test_history_reports_each_loss_term_and_they_add_up(name, penalties, trained):
    record = trained(name).history[-1]
    assert sorted(record.train) == sorted(["loss", "reconstruction_loss", *penalties])
    assert sorted(record.validation) == sorted(record.train)
    parts = record.train["reconstruction_loss"] + sum(record.train[p] for p in penalties)
    assert record.train["loss"] == pytest.approx(parts, rel=1e-4)


def test_progress_reports_batches_and_epochs_with_snapshots(small_mnist):
    events = []
    config = small_run("deep", latent_dim=2, epochs=2, train_size=640, batch_size=64)
    train(config, small_mnist, on_progress=events.append, report_every=2)
    batches = [e for e in events if isinstance(e, BatchProgress)]
    epochs = [e for e in events if isinstance(e, EpochReport)]
    assert len(batches) == 2 * 5  # 640 / 64 = 10 batches per epoch, a report every 2
    fractions = [b.fraction for b in batches]
    assert fractions == sorted(fractions) and fractions[-1] == pytest.approx(1.0)
    assert all(b.samples_per_second > 0 and b.eta_seconds >= 0 for b in batches)
    assert batches[-1].eta_seconds == pytest.approx(0.0)
    assert [e.epoch for e in epochs] == [1, 2]
    last = epochs[-1]
    assert last.originals.shape == last.reconstructions.shape == (10, 28, 28)
    assert last.codes.shape == (len(small_mnist.x_test), 2)
    assert last.code_labels.shape == (len(small_mnist.x_test),)
    assert set(last.validation) == {"loss", "reconstruction_loss"}
    assert not np.allclose(epochs[0].codes, last.codes)  # the latent space moves as it learns


def test_stop_from_another_thread_ends_the_run_within_one_batch_and_keeps_weights(small_mnist):
    stop = threading.Event()
    reported = threading.Event()
    config = small_run("dense", epochs=50, batch_size=64)

    def on_progress(event):
        if isinstance(event, BatchProgress):
            reported.set()
            stop.wait(timeout=30)  # hold the training thread until the stop is requested

    results = []
    worker = threading.Thread(
        target=lambda: results.append(
            train(config, small_mnist, on_progress=on_progress, stop=stop, report_every=3)
        )
    )
    worker.start()
    assert reported.wait(timeout=60)
    stop.set()
    worker.join(timeout=60)
    (result,) = results
    assert result.status == "stopped"
    assert "Stopped during epoch 1 of 50" in result.message
    assert result.samples_seen == 3 * 64  # the stop took effect before a 4th batch
    untrained = build_autoencoder(config)
    images = small_mnist.x_test[:20]
    assert not np.allclose(result.autoencoder.reconstruct(images), untrained.reconstruct(images))


def test_a_closed_gate_lets_no_further_batch_through_and_counts_only_those_taken(small_mnist):
    # The trainer lets Keras run several batches per call into the graph; the gate in the
    # input pipeline is what makes a stop land between two of them.
    gate = BatchGate()
    images = tf.constant(small_mnist.x_train[:640])
    batches = iter(shuffled_batches(images, images, np.arange(640), 32, gate))
    for _ in range(3):
        next(batches)
    assert gate.admitted == 3  # counted as the model takes them, never ahead
    gate.close()
    with pytest.raises(StopIteration):
        next(batches)
    assert gate.admitted == 3 and gate.closed
    gate.reset()
    assert not gate.closed and gate.admitted == 0


def test_a_stop_request_ends_a_multi_batch_call_early(small_mnist):
    """A stop set by another thread while one call of 20 batches runs: the relay closes the
    gate and the call ends after the batches already taken."""
    config = small_run("dense", batch_size=32)
    model = build_autoencoder(config).model
    model.compile(optimizer=make_optimizer(config.train), steps_per_execution=20)
    images = tf.constant(small_mnist.x_train[:640])
    gate = BatchGate()
    stop = threading.Event()
    made = []

    def slowly(x, y):  # 50 ms a batch; the stop comes while the third is being made
        def make() -> None:
            made.append(1)
            if len(made) == 3:
                threading.Thread(target=stop.set).start()
            time.sleep(0.05)

        tf.py_function(make, [], [])
        return x, y

    batches = shuffled_batches(images, images, np.arange(640), 32).map(slowly)
    with StopRelay(stop, gate):
        model.fit(through_gate(batches, gate), shuffle=False, verbose=0)
    trained = int(model.optimizer.iterations)
    assert trained in (2, 3) and trained == gate.admitted  # within a batch of the stop


def test_a_diverging_run_stops_with_a_reason_and_keeps_finite_weights(small_mnist):
    # A linear network: with ReLUs a huge step can kill every unit, which is finite, not NaN.
    config = small_run(
        "deep",
        activation="linear",
        loss="mse",
        output_activation="linear",
        optimizer="sgd",
        learning_rate=100.0,
    )
    events = []
    result = train(config, small_mnist, on_progress=events.append, report_every=1)
    assert result.status == "diverged"
    assert "NaN or infinite" in result.message and "smaller learning rate" in result.message
    assert "it was 100" in result.message
    assert all(np.isfinite(w).all() for w in result.autoencoder.model.get_weights())
    assert np.isfinite(result.autoencoder.reconstruct(small_mnist.x_test[:10])).all()
    assert not any(isinstance(e, EpochReport) for e in events[-1:])


def test_a_run_is_repeatable_from_its_seed_even_when_two_train_at_once(small_mnist):
    config = small_run("conv", epochs=1, train_size=512, latent_dim=4)
    alone = train(config, small_mnist).autoencoder.model.get_weights()
    together = [None, None]

    def run(slot, seed):
        together[slot] = train(config.replace(seed=seed), small_mnist).autoencoder

    threads = [threading.Thread(target=run, args=(0, 0)), threading.Thread(target=run, args=(1, 1))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for a, b in zip(alone, together[0].model.get_weights(), strict=True):
        np.testing.assert_allclose(a, b, rtol=0, atol=1e-6)
    other = together[1].model.get_weights()
    assert not np.allclose(alone[1], other[1])


def test_denoising_autoencoder_removes_noise_it_was_trained_on(trained, small_mnist):
    ae = trained("denoising").autoencoder
    clean = small_mnist.x_test
    noisy = add_noise(clean, *ae.training_noise, np.random.default_rng(0))
    before = per_image_mse(clean, noisy).mean()
    after = per_image_mse(clean, ae.reconstruct(noisy)).mean()
    assert after < 0.6 * before


def test_stacked_pretrains_every_layer_before_fine_tuning(trained):
    stages = [r.stage for r in trained("stacked").history]
    assert stages == [
        "Pretraining layer 1 of 3 (784 -> 256)",
        "Pretraining layer 2 of 3 (256 -> 128)",
        "Pretraining layer 3 of 3 (128 -> 8)",
        "Training",
        "Training",
        "Training",
    ]


def _code_activity(small_mnist, **settings):
    config = small_run("sparse", latent_dim=32, epochs=2, **settings)
    ae = train(config, small_mnist).autoencoder
    return ae.encode(small_mnist.x_test)


def test_l1_penalty_makes_codes_sparser(small_mnist):
    plain = _code_activity(small_mnist, sparsity="l1", l1_weight=0.0)
    sparse = _code_activity(small_mnist, sparsity="l1", l1_weight=1e-3)
    assert (sparse == 0).mean() > (plain == 0).mean() + 0.2
    assert np.abs(sparse).mean() < 0.5 * np.abs(plain).mean()


def test_kl_penalty_pulls_mean_activations_towards_the_target(small_mnist):
    settings = {"sparsity": "kl", "sparsity_target": 0.05, "weight_decay": 0.0}
    free = _code_activity(small_mnist, sparsity_weight=0.0, **settings).mean(axis=0)
    pulled = _code_activity(small_mnist, sparsity_weight=0.05, **settings).mean(axis=0)
    assert np.abs(pulled - 0.05).mean() < 0.5 * np.abs(free - 0.05).mean()


def test_contractive_penalty_makes_the_encoder_less_sensitive(small_mnist):
    import tensorflow as tf

    def jacobian_norm(weight):
        config = small_run("contractive", latent_dim=16, epochs=2, contractive_weight=weight)
        ae = train(config, small_mnist).autoencoder
        x = tf.constant(small_mnist.x_test[:100])
        with tf.GradientTape() as tape:
            tape.watch(x)
            code = ae.encoder(x)
        return float(tf.reduce_mean(tf.reduce_sum(tape.batch_jacobian(code, x) ** 2, [1, 2, 3])))

    assert jacobian_norm(1e-2) < 0.5 * jacobian_norm(0.0)


def test_training_refuses_a_dataset_other_than_the_configured_one(small_mnist):
    with pytest.raises(TrainingError, match="needs fashion_mnist"):
        train(small_run("dense", dataset="fashion_mnist"), small_mnist)


def test_a_stop_before_the_first_batch_trains_nothing_and_says_so(small_mnist):
    import threading

    from ae_core.training import NOTHING_TRAINED, train

    stop = threading.Event()
    stop.set()
    result = train(small_run("dense"), small_mnist, stop=stop)
    assert result.status == "stopped" and result.samples_seen == 0
    assert result.message == NOTHING_TRAINED and not result.history
