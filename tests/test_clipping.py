"""Global-norm gradient clipping (Kapoor & Orozco, Table 1: max gradient norm 5.0) in ``GANModel.apply_loss``.

With SGD at learning rate 1 a step moves the weights by exactly the (clipped) gradient, so the size of the
weight change is the size of the gradient that was applied.
"""

import numpy as np
import pytest
import tensorflow as tf
import keras
from keras import layers

from tfgans.models import GAN

LOSS_SCALE = 1e3  # makes the gradient huge next to any clip_norm used here
D_KERNEL = np.array([[0.1], [-0.2], [0.3], [0.0]], "float32")
D_BIAS = np.array([0.05], "float32")


def tiny_gan(clip_norm, lr=1.0):
    g = keras.Sequential([keras.Input((2,)), layers.Dense(4), layers.Reshape((2, 2, 1))], name="g")
    d = keras.Sequential([keras.Input((2, 2, 1)), layers.Flatten(), layers.Dense(1)], name="d")
    d.set_weights([D_KERNEL, D_BIAS])
    gan = GAN(g, d, latent_dim=2, clip_norm=clip_norm, seed=0)
    gan.compile(g_optimizer=keras.optimizers.SGD(lr), d_optimizer=keras.optimizers.SGD(lr))
    return gan


def weights(net):
    return [v.numpy().copy() for v in net.trainable_variables]


def global_norm(arrays):
    return float(np.sqrt(sum(np.sum(np.square(a)) for a in arrays)))


def huge_images(n=4):
    # Flattened rows [1e3, 2e3, 0, -1e3] etc.: the logit's gradient w.r.t. the kernel is the mean image.
    base = np.array([1.0, 2.0, 0.0, -1.0], "float32") * 1e3
    return np.stack([base * (i + 1) for i in range(n)]).reshape(n, 2, 2, 1)


def d_step(gan, images):
    with tf.GradientTape() as tape:
        loss = LOSS_SCALE * tf.reduce_mean(gan.discriminator(images))
    gan.apply_loss(gan.d_optimizer, tape, loss, gan.discriminator.trainable_variables)


def expected_gradient(images):
    """d/dw of LOSS_SCALE * mean(x.w + b): kernel LOSS_SCALE * mean(x), bias LOSS_SCALE."""
    flat = images.reshape(len(images), -1)
    return [LOSS_SCALE * flat.mean(axis=0)[:, None], np.array([LOSS_SCALE], "float32")]


@pytest.mark.parametrize("clip_norm", [0.5, 5.0])
def test_clipped_step_is_the_gradient_rescaled_to_clip_norm(clip_norm):
    gan = tiny_gan(clip_norm)
    images = huge_images()
    before = weights(gan.discriminator)
    d_step(gan, images)
    change = [a - b for a, b in zip(weights(gan.discriminator), before)]
    grad = expected_gradient(images)
    assert global_norm(grad) > 1e6 * clip_norm  # the unclipped step would be huge
    assert global_norm(change) <= clip_norm * 1.0 + 1e-4  # lr 1: the update is the clipped gradient
    scale = clip_norm / global_norm(grad)
    for c, g in zip(change, grad):  # same direction as the raw gradient, only shorter
        np.testing.assert_allclose(c, -scale * g, rtol=1e-4, atol=1e-6)


def test_without_clip_norm_the_step_is_the_full_gradient():
    gan = tiny_gan(None)
    images = huge_images()
    before = weights(gan.discriminator)
    d_step(gan, images)
    change = [a - b for a, b in zip(weights(gan.discriminator), before)]
    np.testing.assert_allclose(global_norm(change), global_norm(expected_gradient(images)), rtol=1e-4)
    assert global_norm(change) > 5.0


def test_gradient_below_clip_norm_is_left_alone():
    gan = tiny_gan(clip_norm=1e9)
    images = huge_images()
    before = weights(gan.discriminator)
    d_step(gan, images)
    change = [a - b for a, b in zip(weights(gan.discriminator), before)]
    for c, g in zip(change, expected_gradient(images)):
        np.testing.assert_allclose(c, -g, rtol=1e-4)


@pytest.mark.parametrize("clip_norm, bounded", [(0.01, True), (None, False)])
def test_fit_step_moves_each_net_by_at_most_clip_norm(clip_norm, bounded):
    gan = tiny_gan(clip_norm)
    d_before, g_before = weights(gan.discriminator), weights(gan.generator)
    gan.fit(tf.data.Dataset.from_tensors(huge_images()), epochs=1, verbose=0)
    d_move = global_norm([a - b for a, b in zip(weights(gan.discriminator), d_before)])
    g_move = global_norm([a - b for a, b in zip(weights(gan.generator), g_before)])
    assert d_move > 0 and g_move > 0
    if bounded:
        assert d_move <= 0.01 + 1e-6 and g_move <= 0.01 + 1e-6
    else:
        assert d_move > 100 * 0.01


def test_clipping_under_mixed_float16_bounds_the_unscaled_step():
    # The loss-scaled gradient is clipped at clip_norm * loss scale, so after unscaling the step is clip_norm.
    keras.mixed_precision.set_global_policy("mixed_float16")
    gan = tiny_gan(0.5)
    # A loss scale of 16 keeps this test's float16 gradients (~250 * 16) finite, so the step is not skipped.
    opt = keras.optimizers.LossScaleOptimizer(keras.optimizers.SGD(1.0), initial_scale=16.0)
    gan.compile(g_optimizer=keras.optimizers.SGD(1.0), d_optimizer=opt)
    images = huge_images() / 1e4
    before = weights(gan.discriminator)
    d_step(gan, images)
    assert float(opt.scale_loss(1.0)) == 16.0  # finite gradients: the step was taken, the scale kept
    change = [a - b for a, b in zip(weights(gan.discriminator), before)]
    grad = expected_gradient(images)
    assert global_norm(grad) > 100
    np.testing.assert_allclose(global_norm(change), 0.5, rtol=2e-3)  # float16 gradients: looser tolerance


def test_clipped_step_under_two_replicas_matches_one_device(two_replicas):
    # The replicas see different halves of the batch with gradients in different directions: clipping each
    # replica's own gradient and averaging would give another step than clipping the global-batch gradient.
    images = huge_images(4)
    images[2:] = np.array([0.0, 0.0, 5e3, 0.0], "float32").reshape(1, 2, 2, 1)
    clip_norm = 0.5

    one = tiny_gan(clip_norm)
    d_step(one, images)

    strategy = two_replicas
    with strategy.scope():
        two = tiny_gan(clip_norm)
        two.d_optimizer.build(two.discriminator.trainable_variables)
    halves = strategy.experimental_distribute_values_from_function(
        lambda ctx: tf.constant(images[2 * ctx.replica_id_in_sync_group: 2 * ctx.replica_id_in_sync_group + 2])
    )

    @tf.function
    def step(x):
        strategy.run(lambda x: d_step(two, x), args=(x,))

    step(halves)
    for a, b in zip(weights(two.discriminator), weights(one.discriminator)):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
    change = [a - b for a, b in zip(weights(two.discriminator), [D_KERNEL, D_BIAS])]
    np.testing.assert_allclose(global_norm(change), clip_norm, rtol=1e-4)
