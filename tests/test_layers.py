"""tfgans.layers: the replica-aware Dropout and GaussianNoise (Maxout: tests/test_nets.py)."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from tfgans import layers


def _draw(layer, x, strategy=None):
    """The layer's training-mode output for the global batch ``x``, one device or split over ``strategy``."""
    if strategy is None:
        return layer(x, training=True).numpy()
    ds = strategy.experimental_distribute_dataset(tf.data.Dataset.from_tensors(x))
    out = strategy.run(tf.function(lambda batch: layer(batch, training=True)), args=(next(iter(ds)),))
    return np.concatenate([t.numpy() for t in strategy.experimental_local_results(out)])


@pytest.mark.parametrize("make", [lambda: layers.Dropout(0.5, seed=3), lambda: layers.GaussianNoise(0.5, seed=3)],
                         ids=["dropout", "noise"])
def test_two_replicas_draw_for_their_examples_what_one_device_draws(make, two_replicas):
    x = np.ones((8, 6), "float32")
    with two_replicas.scope():
        split = _draw(make(), x, two_replicas)
    whole = _draw(make(), x)
    np.testing.assert_allclose(split, whole, rtol=1e-6)
    assert not np.allclose(split[:4], split[4:])  # Keras' layers give both replicas the same draw


def test_dropout_keeps_the_expected_share_scaled_and_is_identity_at_inference():
    x = np.ones((200, 50), "float32")
    layer = layers.Dropout(0.3, seed=0)
    y = layer(x, training=True).numpy()
    np.testing.assert_allclose(np.unique(y), [0.0, 1 / 0.7], rtol=1e-6)
    assert abs((y == 0).mean() - 0.3) < 0.02
    np.testing.assert_array_equal(layer(x, training=False), x)
    np.testing.assert_array_equal(layers.GaussianNoise(1.0)(x, training=False), x)
    noise = layers.GaussianNoise(0.5, seed=0)(np.zeros((200, 50), "float32"), training=True).numpy()
    assert abs(noise.std() - 0.5) < 0.02 and abs(noise.mean()) < 0.02


def test_gaussian_noise_is_normal_to_a_million_draws_and_a_seed_fixes_it():
    from scipy import stats

    layer = layers.GaussianNoise(0.5, seed=2)
    zeros = np.zeros((1001, 999), "float32")  # an odd count: the last Box-Muller pair is half used
    z = layer(zeros, training=True).numpy().ravel() / 0.5
    assert z.shape == (1001 * 999,) and np.isfinite(z).all()
    # Kolmogorov-Smirnov distance to N(0, 1): 1.63 / sqrt(n) is its 1 % critical value.
    assert stats.kstest(z, "norm").statistic < 1.63 / np.sqrt(z.size)
    assert abs(stats.kurtosis(z)) < 0.02 and abs(z.mean()) < 5e-3
    assert not np.array_equal(z, layer(zeros, training=True).numpy().ravel() / 0.5)  # the seed moves on
    np.testing.assert_array_equal(layers.GaussianNoise(0.5, seed=2)(zeros, training=True).numpy().ravel() / 0.5, z)


def test_dropout_drops_the_rate_to_its_16_bit_resolution_and_its_gradient_is_its_mask():
    layer = layers.Dropout(0.3, seed=1)
    x = tf.ones((8, 5, 5, 7))  # an odd number of units: the last 32-bit draw is half used
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = layer(x, training=True)
    np.testing.assert_array_equal(tape.gradient(y, x), y)  # d(x * mask)/dx = mask, and y = mask for x = 1
    big = layer(tf.ones((1000, 1000)), training=True).numpy()
    assert abs((big == 0).mean() - round(0.3 * 2**16) / 2**16) < 2.5e-3  # 5 standard deviations of 10^6 draws
    assert not np.array_equal(big, layer(tf.ones((1000, 1000)), training=True).numpy())  # the seed moves on
    np.testing.assert_array_equal(layers.Dropout(0.3, seed=1)(x, training=True), y)  # a seed fixes the masks
    half = layers.Dropout(0.3, seed=1, dtype="mixed_bfloat16")(tf.ones((50, 40)), training=True)
    assert half.dtype == tf.bfloat16
    np.testing.assert_allclose(np.unique(half.numpy().astype("float32")), [0.0, 1 / 0.7], rtol=4e-3)


def test_they_round_trip_through_a_keras_file(tmp_path):
    net = keras.Sequential([keras.Input((4,)), layers.GaussianNoise(0.2), layers.Dropout(0.1), keras.layers.Dense(2)])
    path = str(tmp_path / "net.keras")
    net.save(path)
    loaded = keras.saving.load_model(path)
    assert [type(layer) for layer in loaded.layers] == [type(layer) for layer in net.layers]
    assert loaded.layers[1].rate == 0.1 and loaded.layers[0].stddev == 0.2
