"""MirroredStrategy: one step on two replicas (two logical CPUs) equals one step on one device."""

import numpy as np
import pytest
import tensorflow as tf
import keras

import tfgans

BATCH, LATENT = 8, 100


class FixedLatentDCGAN(tfgans.DCGAN):
    """Draws row i of a fixed table for global example i, so both setups see the same latent vectors."""

    table = np.random.default_rng(1).standard_normal((2, BATCH, LATENT)).astype("float32")

    def sample_latent(self, batch_size, seed, shared=False):
        context = tf.distribute.get_replica_context()
        start = context.replica_id_in_sync_group * batch_size
        # seed[1] differs between the D and G draws of a step; pick a table per draw.
        draw = tf.cast(tf.math.floormod(seed[1], 2), tf.int32)
        return tf.slice(tf.gather(self.table, draw), [start, 0], [batch_size, LATENT])

    def step_seeds(self, num):
        return tf.stack([tf.constant([0, i], tf.int64) for i in range(num)])


def _model():
    # Dropout off: replicas would draw other masks than one device.
    model = FixedLatentDCGAN(tfgans.nets.sun.mnist_generator(), tfgans.nets.sun.mnist_discriminator(dropout=0.0),
                             latent_dim=LATENT, seed=0)
    # SGD keeps the update proportional to the gradient, so equal updates mean equal gradients.
    model.compile(g_optimizer=keras.optimizers.SGD(0.1), d_optimizer=keras.optimizers.SGD(0.1))
    return model


@pytest.mark.slow
def test_two_replica_step_matches_one_device(two_replicas):
    images = np.random.default_rng(0).uniform(-1, 1, (BATCH, 28, 28, 1)).astype("float32")
    ds = tf.data.Dataset.from_tensor_slices(images).batch(BATCH)

    single = _model()
    initial = [w.copy() for w in single.get_weights()]
    single.fit(ds, epochs=1, verbose=0)

    strategy = two_replicas
    with strategy.scope():
        mirrored = _model()
        mirrored.set_weights(initial)
    history = mirrored.fit(ds, epochs=1, verbose=0).history

    moved = [np.abs(a - b).max() for a, b in zip(single.get_weights(), initial)]
    assert max(moved) > 1e-3  # the step did something
    for got, want in zip(mirrored.get_weights(), single.get_weights()):
        np.testing.assert_allclose(got, want, rtol=1e-4, atol=2e-5)
    assert np.isfinite(history["d_loss"][0])


@pytest.mark.slow
def test_adam_trains_under_mirrored_strategy(two_replicas):
    """Adam's slots must exist before the replicated step; fit() creates them in the strategy's scope."""
    images = np.random.default_rng(0).uniform(-1, 1, (2 * BATCH, 28, 28, 1)).astype("float32")
    ds = tf.data.Dataset.from_tensor_slices(images).batch(BATCH)
    strategy = two_replicas
    with strategy.scope():
        model = tfgans.DCGAN(tfgans.nets.sun.mnist_generator(), tfgans.nets.sun.mnist_discriminator(),
                             latent_dim=LATENT, seed=0)
        model.compile(g_optimizer=keras.optimizers.Adam(1e-3), d_optimizer=keras.optimizers.Adam(1e-4))
        before = [w.copy() for w in model.generator.get_weights()]
    history = model.fit(ds, epochs=1, verbose=0).history
    assert model.g_optimizer.iterations.numpy() == 2
    assert np.isfinite(history["g_loss"][0]) and np.isfinite(history["d_loss"][0])
    assert max(np.abs(a - b).max() for a, b in zip(model.generator.get_weights(), before)) > 0


@pytest.mark.slow
def test_two_replicas_draw_the_latents_and_penalty_weights_one_device_draws(two_replicas):
    """Without fixed draws: each replica takes its slice of one global draw (GANModel.sample_latent,
    WGANGP.interpolation_weights), so the step is the one-device step."""
    images = np.random.default_rng(0).uniform(-1, 1, (5 * BATCH, 28, 28, 1)).astype("float32")
    ds = tf.data.Dataset.from_tensor_slices(images).batch(5 * BATCH)  # n_critic=5 batches per step

    def build():
        keras.utils.set_random_seed(0)
        model = tfgans.WGANGP(tfgans.nets.sun.mnist_generator(), tfgans.nets.sun.mnist_discriminator(dropout=0.0),
                              latent_dim=LATENT, seed=3)
        model.compile(g_optimizer=keras.optimizers.SGD(0.01), d_optimizer=keras.optimizers.SGD(0.01))
        return model

    single = build()
    initial = [w.copy() for w in single.get_weights()]
    single.fit(ds, epochs=1, verbose=0)
    with two_replicas.scope():
        mirrored = build()
        mirrored.set_weights(initial)
    mirrored.fit(ds, epochs=1, verbose=0)
    # Six updates with a second-order penalty accumulate more rounding than one step: 1e-4 (replica-own draws
    # would differ by the size of the updates).
    for got, want in zip(mirrored.get_weights(), single.get_weights()):
        np.testing.assert_allclose(got, want, rtol=1e-3, atol=1e-4)


@pytest.mark.slow
def test_two_replicas_take_the_acgan_step_one_device_takes(two_replicas):
    """Labels split with their images, latent classes with their latents, R1 per example: the same step."""
    rng = np.random.default_rng(0)
    images = rng.uniform(-1, 1, (BATCH, 28, 28, 1)).astype("float32")
    ds = tf.data.Dataset.from_tensor_slices((images, np.arange(BATCH) % 10)).batch(BATCH)

    def build():
        keras.utils.set_random_seed(0)
        model = tfgans.ACGAN(tfgans.nets.fast.mnist_generator(num_classes=10),
                             tfgans.nets.fast.mnist_discriminator(num_classes=10), num_classes=10, r1_gamma=1.0,
                             seed=3)
        model.compile(g_optimizer=keras.optimizers.SGD(0.1), d_optimizer=keras.optimizers.SGD(0.1))
        return model

    single = build()
    initial = [w.copy() for w in single.get_weights()]
    logs = single.fit(ds, epochs=1, verbose=0).history
    with two_replicas.scope():
        mirrored = build()
        mirrored.set_weights(initial)
    mirrored_logs = mirrored.fit(ds, epochs=1, verbose=0).history
    assert max(np.abs(a - b).max() for a, b in zip(single.get_weights(), initial)) > 1e-3
    for got, want in zip(mirrored.get_weights(), single.get_weights()):
        np.testing.assert_allclose(got, want, rtol=1e-4, atol=2e-5)
    for name in ("d_class", "g_class"):
        assert mirrored_logs[name][0] == pytest.approx(logs[name][0], rel=1e-4)
