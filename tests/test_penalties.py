"""Critic penalties against values computed by hand: gradient penalty, interpolation weights, weight clipping."""

import math

import numpy as np
import pytest
import tensorflow as tf
import keras

from tfgans import penalties

SHAPE = (4, 3, 3, 2)  # [batch, H, W, C]


def _linear_critic(w):
    """D(x) = w . x per example; its gradient is w everywhere, so the penalty is gp_weight * (||w|| - 1)^2."""
    w = tf.constant(w, tf.float32)
    return lambda x, training=True: tf.reduce_sum(x * w, axis=[1, 2, 3])


def test_linear_critic_penalty_is_gp_weight_times_squared_norm_gap():
    rng = np.random.default_rng(0)
    w = rng.standard_normal(SHAPE[1:]).astype("float32")
    w *= 3.0 / np.linalg.norm(w)  # ||w|| = 3, so (||w|| - 1)^2 = 4
    real = rng.uniform(-1, 1, SHAPE).astype("float32")
    fake = rng.uniform(-1, 1, SHAPE).astype("float32")
    got = penalties.gradient_penalty(_linear_critic(w), real, fake, seed=tf.constant([1, 2], tf.int64))
    assert got.dtype == tf.float32 and got.shape == ()
    assert float(got) == pytest.approx(10.0 * 4.0, rel=1e-6)
    got = penalties.gradient_penalty(_linear_critic(w * 0.25), real, fake, seed=[3, 4], gp_weight=2.0)
    assert float(got) == pytest.approx(2.0 * (0.75 - 1.0) ** 2, rel=1e-5)


def test_interpolates_are_a_real_plus_one_minus_a_fake_with_one_a_per_example():
    # D(x) = ||x||^2 / 2 has gradient x, so the penalty reads the interpolates' norms. With real = 1 and
    # fake = 0 everywhere, x_hat = a * 1 and ||x_hat|| = a_i * sqrt(H W C) only if a is one value per example.
    critic = lambda x, training=True: 0.5 * tf.reduce_sum(tf.square(x), axis=[1, 2, 3])  # noqa: E731
    alpha = np.array([0.0, 0.25, 0.5, 1.0], np.float32)
    n = np.prod(SHAPE[1:])
    got = penalties.gradient_penalty(critic, np.ones(SHAPE, np.float32), np.zeros(SHAPE, np.float32),
                                     alpha=alpha, gp_weight=1.0)
    expected = np.mean([(a * math.sqrt(n) - 1.0) ** 2 for a in alpha])
    assert float(got) == pytest.approx(expected, rel=1e-5)


def test_interpolation_weights_are_uniform_per_example_and_reproducible():
    a = penalties.interpolation_weights(4000, tf.constant([5, 6], tf.int64)).numpy()
    assert a.shape == (4000,) and a.min() >= 0.0 and a.max() <= 1.0
    assert abs(a.mean() - 0.5) < 0.02 and abs(a.var() - 1.0 / 12) < 0.005  # U[0, 1], not N(0, 1)
    np.testing.assert_array_equal(a, penalties.interpolation_weights(4000, tf.constant([5, 6], tf.int64)))
    assert not np.allclose(a, penalties.interpolation_weights(4000, tf.constant([5, 7], tf.int64)))


def test_zero_critic_gradient_gives_a_finite_penalty_and_finite_weight_gradients():
    critic = keras.Sequential([keras.Input(SHAPE[1:]), keras.layers.Flatten(),
                               keras.layers.Dense(1, kernel_initializer="zeros")])
    real = np.ones(SHAPE, np.float32)
    with tf.GradientTape() as tape:
        gp = penalties.gradient_penalty(critic, real, -real, seed=[0, 0])
    grads = tape.gradient(gp, critic.trainable_variables)
    # ||grad|| = sqrt(0 + epsilon) ~ 0, so the penalty is ~ gp_weight; without epsilon its gradient is NaN.
    assert float(gp) == pytest.approx(10.0, rel=1e-4)
    assert all(np.all(np.isfinite(g)) for g in grads if g is not None)


def test_penalty_is_differentiable_with_respect_to_the_critic_weights():
    # For D(x) = w . x the penalty is gp_weight * (||w|| - 1)^2, whose gradient is 2 gp_weight (||w|| - 1) w / ||w||.
    critic = keras.Sequential([keras.Input(SHAPE[1:]), keras.layers.Flatten(),
                               keras.layers.Dense(1, use_bias=False)])
    w = critic.trainable_variables[0].numpy()
    norm = np.linalg.norm(w)
    with tf.GradientTape() as tape:
        gp = penalties.gradient_penalty(critic, np.zeros(SHAPE, np.float32), np.ones(SHAPE, np.float32),
                                        seed=[0, 1])
    grad = tape.gradient(gp, critic.trainable_variables[0]).numpy()
    np.testing.assert_allclose(grad, 2 * 10.0 * (norm - 1) * w / norm, rtol=1e-4, atol=1e-6)


def test_penalty_is_float32_under_mixed_precision():
    keras.mixed_precision.set_global_policy("mixed_bfloat16")
    critic = keras.Sequential([keras.Input(SHAPE[1:]), keras.layers.Conv2D(2, 3), keras.layers.Flatten(),
                               keras.layers.Dense(1)])
    gp = penalties.gradient_penalty(critic, np.ones(SHAPE, np.float32), np.zeros(SHAPE, np.float32), seed=[0, 0])
    assert gp.dtype == tf.float32 and np.isfinite(float(gp))


def test_penalty_needs_a_seed_or_alpha():
    with pytest.raises(ValueError, match="seed"):
        penalties.gradient_penalty(_linear_critic(np.ones(SHAPE[1:])), np.ones(SHAPE), np.ones(SHAPE))


def test_clip_weights_clips_every_entry_and_keeps_the_inside_ones():
    v = keras.Variable(np.array([[-0.5, -0.01, 0.0], [0.004, 0.02, 3.0]], np.float32))
    b = keras.Variable(np.array([0.2, -0.003], np.float32))
    penalties.clip_weights([v, b], 0.01)
    np.testing.assert_array_equal(v.numpy(), np.array([[-0.01, -0.01, 0.0], [0.004, 0.01, 0.01]], np.float32))
    np.testing.assert_array_equal(b.numpy(), np.array([0.01, -0.003], np.float32))
    assert float(penalties.max_abs_weight([v, b])) == pytest.approx(0.01)
    with pytest.raises(ValueError, match="clip_value must be positive"):
        penalties.clip_weights([v], 0.0)


def test_clip_weights_inside_a_replica_context_clips_mirrored_variables(two_replicas):
    strategy = two_replicas
    with strategy.scope():
        dense = keras.layers.Dense(3, kernel_initializer=keras.initializers.RandomUniform(-1, 1),
                                   bias_initializer="ones")
        dense.build((None, 4))

    @tf.function
    def step():
        strategy.run(lambda: penalties.clip_weights(dense.trainable_variables, 0.05))

    step()
    for var in dense.trainable_variables:
        for local in strategy.experimental_local_results(var.value):
            assert np.abs(local.numpy()).max() <= 0.05 + 1e-7
    assert np.all(dense.bias.numpy() == np.float32(0.05))


def test_r1_of_a_linear_discriminator_is_half_gamma_times_the_squared_weight_norm():
    # D(x) = w . x has gradient w at every real image: R1 = gamma / 2 * ||w||^2, whatever the images.
    rng = np.random.default_rng(1)
    w = rng.standard_normal(SHAPE[1:]).astype("float32")
    w *= 3.0 / np.linalg.norm(w)
    real = tf.constant(rng.uniform(-1, 1, SHAPE).astype("float32"))
    logits, got = penalties.r1_penalty(_linear_critic(w), real, gamma=2.0)
    assert got.dtype == tf.float32 and got.shape == ()
    assert float(got) == pytest.approx(0.5 * 2.0 * 9.0, rel=1e-5)
    np.testing.assert_allclose(logits, np.sum(real.numpy() * w, axis=(1, 2, 3)), rtol=1e-5)
    assert float(penalties.r1_penalty(_linear_critic(w), real, gamma=0.0)[1]) == 0.0


def test_r1_weight_gradient_is_gamma_times_the_weights_of_a_linear_discriminator():
    critic = keras.Sequential([keras.Input(SHAPE[1:]), keras.layers.Flatten(), keras.layers.Dense(1)])
    real = tf.random.stateless_uniform(SHAPE, seed=[0, 1], minval=-1.0, maxval=1.0)
    with tf.GradientTape() as tape:
        _, penalty = penalties.r1_penalty(critic, real, gamma=10.0)
    kernel, bias = critic.trainable_variables
    grad_kernel, grad_bias = tape.gradient(penalty, [kernel, bias])
    np.testing.assert_allclose(grad_kernel, 10.0 * kernel.numpy(), rtol=1e-5, atol=1e-7)
    assert grad_bias is None or float(tf.reduce_max(tf.abs(grad_bias))) == 0.0


def test_r1_gamma_must_not_be_negative():
    with pytest.raises(ValueError, match="gamma must be >= 0"):
        penalties.r1_penalty(_linear_critic(np.ones(SHAPE[1:], np.float32)), tf.zeros(SHAPE), gamma=-1.0)


def test_has_batch_norm_finds_it_inside_nested_models():
    inner = keras.Sequential([keras.Input((4,)), keras.layers.Dense(4), keras.layers.BatchNormalization()])
    assert penalties.has_batch_norm(keras.Sequential([keras.Input((4,)), inner, keras.layers.Dense(1)]))
    assert not penalties.has_batch_norm(keras.Sequential([keras.Input((4,)), keras.layers.Dense(1)]))


def test_historical_averaging_penalty_by_hand():
    theta = [keras.Variable(np.array([1.0, 2.0], "float32")), keras.Variable(np.float32(3.0))]
    averages = [np.array([0.0, 4.0], "float32"), np.float32(1.0)]
    # (1 - 0)^2 + (2 - 4)^2 + (3 - 1)^2 = 9
    assert float(penalties.historical_averaging_penalty(theta, averages)) == pytest.approx(9.0)
    with pytest.raises(ValueError, match="one average per variable"):
        penalties.historical_averaging_penalty(theta, averages[:1])
    with pytest.raises(ValueError, match="shape"):
        penalties.historical_averaging_penalty(theta, [averages[1], averages[0]])
