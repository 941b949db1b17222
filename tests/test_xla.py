"""XLA: on a GPU, Keras' default ``jit_compile="auto"`` compiles the train step with XLA, which this CPU-only
machine never does by default. Each flavor's step must compile and compute the update it computes without XLA.

The draws are fixed tables here: XLA implements the stateless random ops with other bit streams than the TF
kernels (even for an explicit ``alg="philox"``), so the same seed gives other latents under XLA.
"""

import numpy as np
import pytest
import tensorflow as tf
import keras

import tfgans
from tfgans import SemiSupervisedGAN, improved

from conftest import tiny_generator
from test_distribute import FixedLatentDCGAN
from test_wgan import LATENT, N_CRITIC, FixedWGANGP, small_critic


class FixedLatentSemiSupervisedGAN(SemiSupervisedGAN):
    table = np.random.default_rng(3).uniform(size=(2, 6, 4)).astype("float32")

    def step_seeds(self, num):
        return tf.stack([tf.constant([0, i], tf.int64) for i in range(num)])

    def sample_latent(self, batch_size, seed, shared=False):
        return tf.gather(self.table, tf.cast(seed[1], tf.int32))[:batch_size]


def _dcgan():
    # Dropout off: Keras' Dropout draws differ under XLA too.
    return FixedLatentDCGAN(tfgans.nets.sun.mnist_generator(), tfgans.nets.sun.mnist_discriminator(dropout=0.0),
                            latent_dim=100, seed=0)


def _wgangp():
    return FixedWGANGP(tiny_generator(LATENT), small_critic(), latent_dim=LATENT, n_critic=N_CRITIC, seed=0)


def _semisup():
    g = keras.Sequential([keras.Input((4,)), keras.layers.Dense(8, activation="softplus"),
                          keras.layers.BatchNormalization(),
                          improved.WeightNormDense(16, activation="sigmoid", train_scale=True),
                          keras.layers.Reshape((4, 4, 1))])
    d = keras.Sequential([keras.Input((4, 4, 1)), keras.layers.Flatten(),
                          improved.WeightNormDense(12, activation="relu", name="features"),
                          improved.WeightNormDense(3, train_scale=True, name="logits")])
    return FixedLatentSemiSupervisedGAN(g, d, latent_dim=4, feature_layer="features", seed=0)


def _images(shape, n):
    return np.random.default_rng(0).uniform(-1, 1, (n,) + shape).astype("float32")


def _dcgan_stream():
    return tf.data.Dataset.from_tensor_slices(_images((28, 28, 1), 16)).batch(8)


def _wgangp_stream():
    return tf.data.Dataset.from_tensor_slices(_images((8, 8, 1), 4 * N_CRITIC)).batch(4 * N_CRITIC)


def _semisup_stream():
    x = (_images((4, 4, 1), 12) + 1) / 2
    element = {"x_unl": x.reshape(2, 6, 4, 4, 1), "x_unl2": x[::-1].reshape(2, 6, 4, 4, 1),
               "x_lab": x[::-1].reshape(2, 6, 4, 4, 1), "y_lab": np.arange(12).reshape(2, 6) % 3}
    return tf.data.Dataset.from_tensor_slices(element)


def _trained(make, stream, jit_compile):
    keras.utils.set_random_seed(0)
    model = make()
    # SGD: equal updates mean equal gradients.
    model.compile(g_optimizer=keras.optimizers.SGD(0.05), d_optimizer=keras.optimizers.SGD(0.01),
                  jit_compile=jit_compile)
    initial = [w.copy() for w in model.get_weights()]
    history = model.fit(stream(), epochs=1, verbose=0).history
    assert model.jit_compile is jit_compile
    return initial, model.get_weights(), history


@pytest.mark.slow
@pytest.mark.parametrize("make, stream", [(_dcgan, _dcgan_stream), (_wgangp, _wgangp_stream),
                                          (_semisup, _semisup_stream)], ids=["dcgan", "wgangp", "semisup"])
def test_xla_step_equals_the_graph_step(make, stream):
    initial, graph, graph_logs = _trained(make, stream, jit_compile=False)
    initial_xla, xla, xla_logs = _trained(make, stream, jit_compile=True)
    for a, b in zip(initial, initial_xla):
        np.testing.assert_array_equal(a, b)
    assert max(np.abs(a - b).max() for a, b in zip(graph, initial)) > 1e-4  # the steps moved the weights
    for got, want in zip(xla, graph):
        np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-5)
    for name, values in graph_logs.items():
        np.testing.assert_allclose(xla_logs[name], values, rtol=1e-4, atol=1e-5)


class FixedCFGGAN(tfgans.CFGGAN):
    """Fixed tables for every draw (latents, the initial projection, the approximation's shuffles)."""

    table = np.random.default_rng(4).standard_normal((16, 4)).astype("float32")

    def sample_latent(self, batch_size, seed, shared=False):
        return tf.constant(self.table)[:batch_size]

    def _projection_targets(self, z):
        return tf.reshape(tf.tanh(tf.tile(z, [1, 64])), [-1, 16, 16, 1])

    def _epoch_order(self, seed, epoch):
        return tf.roll(tf.range(self.num_targets), shift=3 * epoch + 1, axis=0)


def _cfggan_trained(jit_compile):
    from tfgans.nets import johnson

    keras.utils.set_random_seed(0)
    gan = FixedCFGGAN(johnson.dcganx_approximator(4, (16, 16, 1), width=4, depth=2),
                      johnson.dcganx_discriminator((16, 16, 1), width=4, depth=2), latent_dim=4, num_steps=2,
                      num_targets=16, approx_epochs=2, approx_batch_size=8, seed=0)
    # The reference's epsilon (1e-36 under the root) turns a gradient that is 0 up to rounding (a bias before
    # batch norm) into a full step of either sign; rounding differs under XLA, so the test takes a larger one.
    gan.compile(g_optimizer=keras.optimizers.RMSprop(2.5e-4, rho=0.95, epsilon=1e-6),
                d_optimizer=keras.optimizers.SGD(0.01), jit_compile=jit_compile)
    initial = [w.copy() for w in gan.get_weights()]
    stream = tf.data.Dataset.from_tensor_slices(_images((16, 16, 1), 2 * 8)).batch(2 * 8)
    history = gan.fit(stream, epochs=1, verbose=0).history
    return initial, gan.get_weights(), history


@pytest.mark.slow
def test_xla_stage_of_cfggan_equals_the_graph_stage():
    initial, graph, graph_logs = _cfggan_trained(jit_compile=False)
    _, xla, xla_logs = _cfggan_trained(jit_compile=True)
    assert max(np.abs(a - b).max() for a, b in zip(graph, initial)) > 1e-4
    for got, want in zip(xla, graph):
        np.testing.assert_allclose(got, want, rtol=1e-3, atol=1e-4)
    for name, values in graph_logs.items():
        np.testing.assert_allclose(xla_logs[name], values, rtol=1e-3, atol=1e-4)


def test_no_preset_compiles_with_xla_on_a_cpu():
    """XLA made a DCGAN step about 8x slower on the 2-core CPU: every preset's model, as ``tfgans train`` and
    ``tfgans reproduce`` build it, leaves Keras' "auto", which means no XLA without an accelerator."""
    if any(d.device_type != "CPU" for d in tf.config.list_physical_devices()):
        pytest.skip("an accelerator is present: 'auto' compiles with XLA there, as intended")
    for name in tfgans.presets.names():
        model = tfgans.presets.get(name).build(seed=0)
        assert model.jit_compile is False, name
