"""Minibatch discrimination (tfgans.minibatch) against numbers worked out by hand on tiny inputs."""

import math

import numpy as np
import pytest
import tensorflow as tf

from tfgans.minibatch import MinibatchDiscrimination

X3 = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 2.0]], dtype="float32")


def _plain_mbd():
    # Two kernels of one dimension: kernel 0 reads the first feature, kernel 1 the second.
    layer = MinibatchDiscrimination(num_kernels=2, dim_per_kernel=1, weight_norm=False)
    layer.build((None, 2))
    layer.kernel.assign(np.array([[[1.0], [0.0]], [[0.0], [1.0]]], "float32"))
    return layer


def test_minibatch_discrimination_sums_closeness_to_the_other_examples():
    out = _plain_mbd()(X3).numpy()
    e1, e2 = math.exp(-1), math.exp(-2)
    # kernel 0 projects to [0, 1, 0]: L1 distances 1, 0, 1; kernel 1 projects to [0, 0, 2]. Bias starts at -1.
    o = np.array([[1 + e1, 1 + e2], [2 * e1, 1 + e2], [1 + e1, 2 * e2]]) - 1.0
    assert out.shape == (3, 2 + 2)
    np.testing.assert_allclose(out[:, :2], X3)  # the input comes first, unchanged
    np.testing.assert_allclose(out[:, 2:], o, rtol=1e-6)


def test_minibatch_discrimination_leaves_out_self_and_adds_the_bias():
    layer = _plain_mbd()
    layer.bias.assign(np.array([0.5, -0.25], "float32"))
    out = layer(X3[:1]).numpy()  # a batch of one has no other example: o = bias
    np.testing.assert_allclose(out[0, 2:], [0.5, -0.25])


def test_minibatch_discrimination_weight_norm_normalises_each_column():
    layer = MinibatchDiscrimination(num_kernels=1, dim_per_kernel=1)
    layer.build((None, 2))
    layer.kernel.assign(np.array([[[3.0]], [[4.0]]], "float32"))
    layer.log_weight_scale.assign(np.array([[math.log(2.0)]], "float32"))
    layer.bias.assign(np.zeros(1, "float32"))
    # T = 2 * [3, 4] / 5 = [1.2, 1.6]; projections of X3: 0, 1.2, 3.2.
    out = layer(X3).numpy()[:, 2]
    d01, d02, d12 = 1.2, 3.2, 2.0
    expected = [math.exp(-d01) + math.exp(-d02), math.exp(-d01) + math.exp(-d12),
                math.exp(-d02) + math.exp(-d12)]
    np.testing.assert_allclose(out, expected, rtol=1e-5)


def test_minibatch_discrimination_flattens_images_and_inits_from_data():
    layer = MinibatchDiscrimination(num_kernels=4, dim_per_kernel=3)
    x = tf.random.stateless_normal((6, 2, 2, 1), seed=[1, 2])
    out = layer.initialize_from_batch(x)
    assert out.shape == (6, 4 + 4)
    # After init the closeness features have mean 0 over the batch (b = -mean f) ...
    np.testing.assert_allclose(np.mean(out.numpy()[:, 4:], axis=0), 0.0, atol=1e-5)
    # ... and each kernel's mean distance to the nearest other example is 2.
    _, dist = layer._distances(x)
    dist = dist.numpy() + 1e9 * np.eye(6)[:, None, :]
    np.testing.assert_allclose(dist.min(axis=2).mean(axis=0), 2.0, rtol=1e-4)
    with pytest.raises(ValueError, match="at least 2"):
        MinibatchDiscrimination(2, 2).initialize_from_batch(x[:1])


def test_minibatch_discrimination_config_round_trip():
    layer = MinibatchDiscrimination(num_kernels=7, dim_per_kernel=2, weight_norm=False)
    copy = MinibatchDiscrimination.from_config(layer.get_config())
    assert (copy.num_kernels, copy.dim_per_kernel, copy.weight_norm) == (7, 2, False)


def test_minibatch_discrimination_needs_a_kernel():
    with pytest.raises(ValueError, match="num_kernels"):
        MinibatchDiscrimination(num_kernels=0)
