"""tfgans.improved, the paper's name for Salimans et al.'s techniques, still offers every one of them, and models saved
when they were defined there still load."""

import json
import zipfile

import numpy as np
import pytest
import keras

from tfgans import averaging, features, improved, minibatch, normalization, schedules

HOMES = {"MinibatchDiscrimination": minibatch, "WeightNormDense": normalization, "WeightNormConv2D": normalization,
         "WeightNormConv2DTranspose": normalization, "VirtualBatchNormalization": normalization,
         "ReferenceBatchModel": normalization, "data_dependent_init": normalization, "feature_model": features,
         "HistoricalAverage": averaging, "ParameterEMA": averaging, "LinearDecayLastThird": schedules}


@pytest.mark.parametrize("name", improved.__all__)
def test_each_technique_is_its_home_modules_object(name):
    assert getattr(improved, name) is getattr(HOMES[name], name)


def test_serializable_names_are_unchanged():
    registered = {keras.saving.get_registered_name(getattr(improved, name)) for name in improved.__all__
                  if keras.saving.get_registered_object(f"tfgans>{name}") is not None}
    assert registered == {"tfgans>MinibatchDiscrimination", "tfgans>WeightNormDense", "tfgans>WeightNormConv2D",
                          "tfgans>WeightNormConv2DTranspose", "tfgans>VirtualBatchNormalization",
                          "tfgans>ReferenceBatchModel", "tfgans>LinearDecayLastThird"}


def _as_saved_before_the_split(config):
    """The config with every tfgans class's module as tfgans.improved, as files saved before the split name it."""
    if isinstance(config, dict):
        if str(config.get("registered_name", "")).startswith("tfgans>") and config.get("module") != "keras":
            config = {**config, "module": "tfgans.improved"}
        return {key: _as_saved_before_the_split(value) for key, value in config.items()}
    if isinstance(config, list):
        return [_as_saved_before_the_split(value) for value in config]
    return config


def test_a_keras_file_saved_from_tfgans_improved_loads(tmp_path):
    net = keras.Sequential([
        keras.Input((6, 6, 2)),
        improved.WeightNormConv2D(3, 3, padding=1, activation="leaky_relu"),
        improved.WeightNormConv2DTranspose(2, 3, strides=2),
        improved.VirtualBatchNormalization(reference_size=2),
        keras.layers.Flatten(),
        improved.MinibatchDiscrimination(3, 2),
        improved.WeightNormDense(2),
    ], name="net")
    x = np.random.RandomState(0).normal(size=(4, 6, 6, 2)).astype("float32")
    model = improved.ReferenceBatchModel(net, x[:2])
    model.compile(optimizer=keras.optimizers.Adam(improved.LinearDecayLastThird(1e-3, 3, 2)), loss="mse")
    model.optimizer.build(model.trainable_variables)
    expected = model(x)
    path, old = tmp_path / "new.keras", tmp_path / "old.keras"
    model.save(path)
    with zipfile.ZipFile(path) as new, zipfile.ZipFile(old, "w") as out:
        for item in new.infolist():
            data = new.read(item)
            if item.filename == "config.json":
                config = json.loads(data)
                assert config["module"] == "tfgans.normalization"
                data = json.dumps(_as_saved_before_the_split(config)).encode()
                assert b'"tfgans.normalization"' not in data and b'"tfgans.improved"' in data
            out.writestr(item, data)
    loaded = keras.saving.load_model(old)
    assert isinstance(loaded.net.layers[-2], improved.MinibatchDiscrimination)
    assert isinstance(loaded.optimizer._learning_rate, improved.LinearDecayLastThird)
    np.testing.assert_allclose(loaded(x), expected, atol=1e-5)
