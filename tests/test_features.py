"""A discriminator's intermediate features (tfgans.features.feature_model), which feature matching compares."""

import numpy as np
import pytest
import tensorflow as tf
import keras

from tfgans.features import feature_model


def _mlp():
    # Any net with an Input: plain Keras layers, a noise layer that only acts in training.
    return keras.Sequential([keras.Input((6,)), keras.layers.Dense(8, activation="relu", name="h1"),
                             keras.layers.GaussianNoise(0.5, name="noise"),
                             keras.layers.Dense(4, activation="relu", name="h2"), keras.layers.Dense(3, name="logits")],
                            name="mlp")


def test_feature_model_by_name_and_index_shares_the_weights():
    net = _mlp()
    x = tf.random.stateless_normal((5, 6), seed=[4, 4])
    by_name = feature_model(net, "h2")
    by_index = feature_model(net, -2)
    expected = net.get_layer("h2")(net.get_layer("h1")(x))
    np.testing.assert_allclose(by_name(x, training=False), expected, atol=1e-6)
    np.testing.assert_allclose(by_index(x, training=False), expected, atol=1e-6)
    net.get_layer("h1").bias.assign(net.get_layer("h1").bias + 1.0)  # same variables, not copies
    np.testing.assert_allclose(by_name(x, training=False),
                               net.get_layer("h2")(net.get_layer("h1")(x)), atol=1e-6)


def test_feature_model_errors_name_the_layers():
    with pytest.raises(ValueError, match="h1, noise, h2, logits"):
        feature_model(_mlp(), "h3")
    with pytest.raises(ValueError, match="out of range"):
        feature_model(_mlp(), 4)
    with pytest.raises(ValueError, match="no Input"):
        feature_model(keras.Sequential([keras.layers.Dense(2)]), 0)
