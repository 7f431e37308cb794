import dataclasses

import pytest

from ae_core.config import DataConfig, TrainConfig
from ae_core.errors import ConfigError
from ae_core.run_config import RunConfig


@pytest.mark.data_free
@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"latent_dim": 0}, "Code size (latent_dim) must be at least 1; got 0"),
        ({"latent_dim": 2.5}, "Code size (latent_dim) must be a whole number"),
        ({"latent_dim": True}, "must be a whole number"),
        ({"epochs": 1000}, "Epochs (epochs) must be at most 500"),
        ({"learning_rate": -0.1}, "Learning rate (learning_rate) must be at least 1e-06"),
        ({"learning_rate": float("nan")}, "must be a finite number"),
        ({"batch_size": "many"}, "Batch size (batch_size) must be a whole number"),
        ({"optimizer": "adamw"}, "must be one of adam, adadelta, rmsprop, sgd; got 'adamw'"),
        ({"loss": "hinge"}, "must be one of bce, mse"),
        ({"hidden_widths": ()}, "Hidden layer widths (hidden_widths) needs between 1 and 5"),
        ({"hidden_widths": (256, 0)}, "must be at least 1; got 0"),
        ({"hidden_widths": "256,x"}, "must be a whole number; got 'x'"),
        ({"activation": "swish!"}, "Hidden activation (activation) must be one of"),
        ({"train_size": 5}, "Training images (train_size) must be at least 100"),
        ({"dataset": "cifar"}, "Dataset (dataset) must be one of mnist, fashion_mnist"),
        ({"beta": 1.0}, "The setting 'beta' does not apply to the deep architecture"),
        (
            {"output_activation": "linear"},
            "Binary cross-entropy needs pixel outputs between 0 and 1",
        ),
    ],
)
def test_bad_settings_are_refused_with_a_clear_message(settings, message):
    with pytest.raises(ConfigError) as error:
        RunConfig.create("deep", **settings)
    assert message in str(error.value)


@pytest.mark.data_free
def test_unknown_architecture_lists_the_known_ones():
    with pytest.raises(ConfigError, match="Unknown architecture 'resnet'; choose one of dense"):
        RunConfig.create("resnet")


@pytest.mark.data_free
def test_values_from_text_are_normalised():
    config = RunConfig.create(
        "deep", hidden_widths="512, 64", epochs="3", learning_rate="0.01", train_size=1000.0
    )
    assert config.model.hidden_widths == (512, 64)
    assert config.train.epochs == 3 and isinstance(config.train.epochs, int)
    assert config.train.learning_rate == pytest.approx(0.01)
    assert config.data.train_size == 1000


@pytest.mark.data_free
def test_round_trip_through_a_plain_dict_is_exact():
    config = RunConfig.create("sparse", sparsity="kl", latent_dim=16, seed=7, train_size=500)
    again = RunConfig.from_dict(config.to_dict())
    assert again == config
    assert again.to_dict()["model"]["hidden_widths"] == [256]


@pytest.mark.data_free
def test_from_dict_refuses_unknown_settings_and_parts():
    values = RunConfig.create("dense").to_dict()
    values["model"]["dropout"] = 0.5
    with pytest.raises(ConfigError, match="Unknown setting dropout for the model settings"):
        RunConfig.from_dict(values)
    with pytest.raises(ConfigError, match="Unknown part"):
        RunConfig.from_dict({**RunConfig.create("dense").to_dict(), "extra": {}})


@pytest.mark.data_free
def test_settings_are_frozen():
    config = TrainConfig()
    with pytest.raises(dataclasses.FrozenInstanceError):
        config.epochs = 3  # type: ignore[misc]


@pytest.mark.data_free
def test_learning_rate_defaults_to_what_suits_the_optimizer():
    assert TrainConfig(optimizer="adam").effective_learning_rate == pytest.approx(1e-3)
    assert TrainConfig(optimizer="adadelta").effective_learning_rate == pytest.approx(1.0)
    assert TrainConfig(optimizer="sgd", learning_rate=0.2).effective_learning_rate == 0.2


@pytest.mark.data_free
def test_value_kinds_describe_each_setting_for_widgets_and_flags():
    assert DataConfig.value_kind("train_size") == "int"
    assert DataConfig.is_optional("train_size")
    assert TrainConfig.value_kind("learning_rate") == "float"
    assert TrainConfig.value_kind("optimizer") == "str"
    from ae_core.architectures import get_architecture

    deep = get_architecture("deep").config_class
    assert deep.value_kind("hidden_widths") == "list"
    assert not deep.is_optional("latent_dim")


@pytest.mark.data_free
def test_replace_changes_settings_and_still_validates():
    config = RunConfig.create("conv", latent_dim=2)
    assert config.replace(epochs=9).train.epochs == 9
    with pytest.raises(ConfigError):
        config.replace(conv_filters=(8, 8, 8))
