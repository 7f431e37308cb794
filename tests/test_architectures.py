import numpy as np
import pytest

from ae_core.architectures import all_architectures, get_architecture
from ae_core.run_config import RunConfig
from ae_core.training import build_autoencoder
from tests.conftest import PRODUCT_ARCHITECTURES

ALL = [a.name for a in all_architectures()]


@pytest.mark.data_free
def test_the_registry_holds_every_architecture_of_the_product():
    assert ALL == PRODUCT_ARCHITECTURES
    for arch in all_architectures():
        assert arch.title and arch.description and arch.config_class.architecture == arch.name


@pytest.mark.data_free
@pytest.mark.parametrize("name", ALL)
@pytest.mark.parametrize("latent_dim", [1, 2, 32])
def test_every_architecture_maps_images_to_codes_and_back(name, latent_dim):
    ae = build_autoencoder(RunConfig.create(name, latent_dim=latent_dim))
    images = np.random.default_rng(0).random((5, 28, 28), dtype=np.float32)
    codes = ae.encode(images)
    assert codes.shape == (5, latent_dim)
    decoded = ae.decode(codes)
    assert decoded.shape == (5, 28, 28)
    assert decoded.min() >= 0.0 and decoded.max() <= 1.0  # sigmoid output by default
    assert np.allclose(ae.reconstruct(images), decoded, atol=1e-5)


@pytest.mark.data_free
def test_the_same_seed_gives_the_same_initial_weights_and_another_seed_does_not():
    a = build_autoencoder(RunConfig.create("conv", seed=5))
    b = build_autoencoder(RunConfig.create("conv", seed=5))
    c = build_autoencoder(RunConfig.create("conv", seed=6))
    for wa, wb in zip(a.model.get_weights(), b.model.get_weights(), strict=True):
        assert np.array_equal(wa, wb)
    assert not np.array_equal(a.encoder.get_weights()[0], c.encoder.get_weights()[0])


@pytest.mark.data_free
def test_layers_of_one_model_get_different_initial_weights():
    ae = build_autoencoder(RunConfig.create("deep", hidden_widths=(64, 64, 64)))
    kernels = [w for w in ae.encoder.get_weights() if w.shape == (64, 64)]
    assert len(kernels) == 2 and not np.array_equal(kernels[0], kernels[1])


@pytest.mark.data_free
def test_deep_widths_are_mirrored_in_the_decoder():
    ae = build_autoencoder(RunConfig.create("deep", hidden_widths=(300, 100), latent_dim=7))
    dense = [info for info in ae.layers() if info.kind == "Dense"]
    assert [info.output_shape for info in dense] == [(300,), (100,), (7,), (100,), (300,), (784,)]
    assert sum(info.parameters for info in ae.layers()) == ae.count_parameters()


@pytest.mark.data_free
def test_conv_has_a_dense_bottleneck_and_convolutions_on_both_sides():
    ae = build_autoencoder(RunConfig.create("conv", conv_filters=(16, 32), latent_dim=5))
    kinds = [(info.part, info.kind) for info in ae.layers()]
    assert kinds.count(("encoder", "Conv2D")) == 2
    assert kinds.count(("decoder", "Conv2DTranspose")) == 2  # 7 -> 14 -> 28 pixels
    code = next(info for info in ae.layers() if info.name == "code")
    assert code.kind == "Dense" and code.output_shape == (5,)


@pytest.mark.data_free
def test_sparse_kl_uses_sigmoid_codes_and_l1_uses_relu():
    kl = build_autoencoder(RunConfig.create("sparse", sparsity="kl"))
    l1 = build_autoencoder(RunConfig.create("sparse", sparsity="l1"))
    activation = {
        ae: next(i for i in ae.layers() if i.name == "code").activation for ae in (kl, l1)
    }
    assert activation[kl] == "sigmoid" and activation[l1] == "relu"
    assert kl.model.penalty_names == ("sparsity_loss", "weight_decay")
    assert l1.model.penalty_names == ("sparsity_loss",)


@pytest.mark.data_free
def test_denoising_declares_its_training_noise_and_body():
    ae = build_autoencoder(
        RunConfig.create("denoising", body="dense", noise_type="masking", noise_level=0.25)
    )
    assert ae.training_noise == ("masking", 0.25)
    assert not any(info.kind == "Conv2D" for info in ae.layers())


@pytest.mark.data_free
def test_vae_can_sample_new_images_and_others_cannot():
    vae = build_autoencoder(RunConfig.create("vae", latent_dim=2))
    samples = vae.sample(6, np.random.default_rng(0))
    assert samples.shape == (6, 28, 28)
    with pytest.raises(ValueError):
        build_autoencoder(RunConfig.create("deep")).sample(2, np.random.default_rng(0))


@pytest.mark.data_free
def test_stacked_has_one_pretraining_stage_per_encoder_layer_sharing_its_weights():
    ae = build_autoencoder(RunConfig.create("stacked", hidden_widths=(64, 32), latent_dim=4))
    assert [s.title for s in ae.pretraining] == [
        "Pretraining layer 1 of 3 (784 -> 64)",
        "Pretraining layer 2 of 3 (64 -> 32)",
        "Pretraining layer 3 of 3 (32 -> 4)",
    ]
    first_stage_kernel = ae.pretraining[0].model.encoder.get_layer("encoder_dense_1").kernel
    assert first_stage_kernel is ae.encoder.get_layer("encoder_dense_1").kernel
    assert ae.pretraining[0].inputs_from is None
    assert ae.pretraining[2].inputs_from.output.shape[-1] == 32


@pytest.mark.data_free
def test_unknown_architecture_is_a_config_error():
    from ae_core.errors import ConfigError

    with pytest.raises(ConfigError):
        get_architecture("transformer")
