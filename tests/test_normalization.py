"""Weight normalisation, virtual batch normalisation and data-dependent initialisation (tfgans.normalization)
against numbers worked out by hand on tiny inputs."""

import math

import numpy as np
import pytest
import tensorflow as tf
import keras

from tfgans.minibatch import MinibatchDiscrimination
from tfgans.normalization import (ReferenceBatchModel, VirtualBatchNormalization, WeightNormConv2D,
                                  WeightNormConv2DTranspose, WeightNormDense, data_dependent_init)


def _set(layer, **values):
    for name, value in values.items():
        getattr(layer, name).assign(np.asarray(value, dtype="float32"))


# --- weight normalisation ---------------------------------------------------------------------------------------

def test_weight_norm_dense_uses_g_times_unit_norm_kernel():
    layer = WeightNormDense(2, activation="relu")
    layer.build((None, 2))
    # Column 0 is [3, 4] (norm 5), column 1 is [0, -2] (norm 2).
    _set(layer, kernel=[[3.0, 0.0], [4.0, -2.0]], scale=[2.0, 3.0], bias=[0.5, 0.0])
    out = layer(np.array([[1.0, 1.0]], dtype="float32")).numpy()
    # unit 0: 2 * (3 + 4) / 5 + 0.5 = 3.3; unit 1: relu(3 * (-2) / 2) = 0
    np.testing.assert_allclose(out, [[3.3, 0.0]], rtol=1e-5)


def test_weight_norm_scale_is_trained_only_when_asked():
    fixed = WeightNormDense(3)
    fixed.build((None, 4))
    trained = WeightNormDense(3, train_scale=True)
    trained.build((None, 4))
    assert [w.name for w in fixed.trainable_weights] == ["kernel", "bias"]
    assert [w.name for w in trained.trainable_weights] == ["kernel", "scale", "bias"]


@pytest.mark.parametrize("init_scale", [1.0, 0.1])
def test_weight_norm_data_init_standardises_pre_activations(init_scale):
    layer = WeightNormDense(5, activation="relu", init_scale=init_scale)
    x = tf.random.stateless_normal((64, 7), seed=[3, 4]) * 3.0 + 1.0
    layer.initialize_from_batch(x)
    pre = (x @ layer.normalized_kernel() + layer.bias).numpy()
    np.testing.assert_allclose(pre.mean(axis=0), 0.0, atol=1e-4)
    np.testing.assert_allclose(pre.std(axis=0), init_scale, rtol=1e-3)


def test_weight_norm_without_data_init_is_left_alone():
    layer = WeightNormDense(3, data_init=False)
    x = tf.random.stateless_normal((16, 4), seed=[5, 6]) + 3.0
    layer.initialize_from_batch(x)
    np.testing.assert_allclose(layer.scale.numpy(), 1.0)
    np.testing.assert_allclose(layer.bias.numpy(), 0.0)


def test_weight_norm_conv_with_pixel_padding_matches_padded_valid_conv():
    layer = WeightNormConv2D(4, 3, strides=2, padding=1)
    x = tf.random.stateless_normal((2, 8, 8, 3), seed=[7, 8])
    out = layer(x)
    assert out.shape == (2, 4, 4, 4)  # (8 + 2 - 3) // 2 + 1, as Lasagne's pad=1
    w = layer.normalized_kernel()
    padded = tf.pad(x, [[0, 0], [1, 1], [1, 1], [0, 0]])
    np.testing.assert_allclose(out, tf.nn.conv2d(padded, w, 2, "VALID") + layer.bias, atol=1e-5)
    # each filter's kernel has norm g = 1 (up to the eps 1e-6 under the square root)
    np.testing.assert_allclose(np.sqrt(np.sum(np.square(w.numpy()), axis=(0, 1, 2))), 1.0, rtol=1e-4)
    assert layer.compute_output_shape((None, 8, 8, 3)) == (None, 4, 4, 4)


def test_weight_norm_conv_one_by_one_by_hand():
    layer = WeightNormConv2D(1, 1, padding="valid", use_bias=False)
    layer.build((None, 1, 1, 2))
    _set(layer, kernel=np.array([3.0, 4.0]).reshape(1, 1, 2, 1), scale=[10.0])
    out = layer(np.array([1.0, 2.0], dtype="float32").reshape(1, 1, 1, 2)).numpy()
    np.testing.assert_allclose(out.ravel(), [10.0 * (3 + 8) / 5], rtol=1e-5)


def test_weight_norm_conv_transpose_normalises_per_output_channel():
    layer = WeightNormConv2DTranspose(3, 5, strides=2, activation="tanh", train_scale=True)
    x = tf.random.stateless_normal((2, 4, 4, 6), seed=[9, 10])
    out = layer(x)
    assert out.shape == (2, 8, 8, 3)
    w = layer.normalized_kernel()  # [kh, kw, out, in]
    np.testing.assert_allclose(np.sqrt(np.sum(np.square(w.numpy()), axis=(0, 1, 3))), 1.0, rtol=1e-4)
    reference = keras.layers.Conv2DTranspose(3, 5, strides=2, padding="same", activation="tanh")
    reference.build(x.shape)
    reference.set_weights([w.numpy(), layer.bias.numpy()])
    np.testing.assert_allclose(out, reference(x), atol=1e-5)


@pytest.mark.parametrize("layer", [
    WeightNormDense(3, activation="relu", train_scale=True, init_scale=0.1, data_init=False),
    WeightNormConv2D(5, 3, strides=2, padding=1, activation="leaky_relu"),
    WeightNormConv2DTranspose(2, 5, strides=2, activation="tanh", init_scale=0.1),
])
def test_weight_norm_config_round_trip(layer):
    config = layer.get_config()
    copy = type(layer).from_config(config)
    assert copy.get_config() == config


def test_bad_layer_arguments_raise_clear_errors():
    with pytest.raises(ValueError, match="padding"):
        WeightNormConv2D(4, 3, padding="full")
    with pytest.raises(ValueError, match="init_scale"):
        WeightNormDense(4, init_scale=0.0)


def test_saved_model_file_with_the_custom_layers_reloads(tmp_path):
    net = keras.Sequential([
        keras.Input((4, 4, 1)),
        WeightNormConv2D(2, 3, padding=1, activation="relu"),
        keras.layers.Flatten(),
        MinibatchDiscrimination(3, 2),
        WeightNormDense(2),
    ])
    x = tf.random.stateless_normal((3, 4, 4, 1), seed=[1, 1])
    data_dependent_init(net, x)
    path = str(tmp_path / "net.keras")
    net.save(path)
    np.testing.assert_allclose(keras.saving.load_model(path)(x), net(x), atol=1e-6)


# --- data-dependent initialisation ----------------------------------------------------------------------------

def _mlp():
    return keras.Sequential([
        keras.Input((6,)),
        WeightNormDense(8, activation="relu", name="h1"),
        keras.layers.GaussianNoise(0.5, name="noise"),
        WeightNormDense(4, activation="relu", name="h2"),
        WeightNormDense(3, name="logits"),
    ], name="mlp")


def test_data_dependent_init_walks_the_layers_in_order():
    net = _mlp()
    x = tf.random.stateless_normal((200, 6), seed=[2, 2]) * 5.0
    data_dependent_init(net, x, training=False)
    # The last layer was initialised on what the layers before it output after their own init.
    h = net.get_layer("h2")(net.get_layer("h1")(x))
    pre = (h @ net.get_layer("logits").normalized_kernel() + net.get_layer("logits").bias).numpy()
    np.testing.assert_allclose(pre.mean(axis=0), 0.0, atol=1e-4)
    np.testing.assert_allclose(pre.std(axis=0), 1.0, rtol=1e-3)


def test_data_dependent_init_needs_a_sequential():
    inputs = keras.Input((2,))
    functional = keras.Model(inputs, WeightNormDense(2)(inputs))
    with pytest.raises(TypeError, match="Sequential"):
        data_dependent_init(functional, np.zeros((2, 2), "float32"))


# --- virtual batch normalisation --------------------------------------------------------------------------

def test_virtual_batch_norm_by_hand():
    layer = VirtualBatchNormalization(reference_size=2, epsilon=0.0)
    # reference rows 1 and 3: mean 2, E[x^2] 5. Example 5: mean (5 + 2 * 2) / 3 = 3,
    # E[x^2] = (25 + 2 * 5) / 3 = 35 / 3, variance 35 / 3 - 9 = 8 / 3.
    out = layer(np.array([[1.0], [3.0], [5.0]], dtype="float32")).numpy().ravel()
    np.testing.assert_allclose(out, [-1.0, 1.0, 2.0 / math.sqrt(8.0 / 3.0)], rtol=1e-5)


def test_reference_batch_model_makes_each_output_independent_of_its_batch():
    net = keras.Sequential([keras.Input((3,)), keras.layers.Dense(4),
                            VirtualBatchNormalization(reference_size=5), keras.layers.Dense(2)])
    reference = np.random.RandomState(0).normal(size=(5, 3)).astype("float32")
    model = ReferenceBatchModel(net, reference)
    x = np.random.RandomState(1).normal(size=(4, 3)).astype("float32")
    alone = np.concatenate([model(x[i:i + 1]).numpy() for i in range(4)])
    np.testing.assert_allclose(model(x).numpy(), alone, atol=1e-5)
    assert not model.reference.trainable


def test_reference_batch_model_checks_sizes_and_round_trips():
    net = keras.Sequential([keras.Input((3,)), VirtualBatchNormalization(reference_size=2)])
    with pytest.raises(ValueError, match="reference_size=3"):
        ReferenceBatchModel(net, np.zeros((3, 3)))
    with pytest.raises(ValueError, match="no VirtualBatchNormalization"):
        ReferenceBatchModel(keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)]),
                                     np.zeros((2, 3)))
    vbn = VirtualBatchNormalization(reference_size=4, epsilon=1e-3, center=False)
    assert VirtualBatchNormalization.from_config(vbn.get_config()).get_config() == vbn.get_config()


def test_layers_and_data_init_run_under_mixed_precision():
    keras.mixed_precision.set_global_policy("mixed_bfloat16")  # conftest resets the policy afterwards
    net = keras.Sequential([
        keras.Input((4, 4, 2)),
        WeightNormConv2D(3, 3, padding=1, activation="leaky_relu"),
        WeightNormConv2DTranspose(2, 3, strides=2),
        keras.layers.Flatten(),
        MinibatchDiscrimination(3, 2),
        VirtualBatchNormalization(reference_size=2),
        WeightNormDense(2),
    ])
    x = tf.random.stateless_normal((4, 4, 4, 2), seed=[8, 8])
    out = data_dependent_init(net, x)
    assert out.dtype == tf.bfloat16 and net(x).shape == (4, 2)
    assert net.layers[0].scale.dtype == "float32" and np.all(np.isfinite(net.layers[0].scale.numpy()))
