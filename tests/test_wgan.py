"""WGAN / WGAN-GP flavors: Wasserstein losses by hand, Algorithm 1's effects (clipping, n_critic real batches,
critic progress), metrics, errors, and the presets on mock data. What every flavor must do (config, ``.keras``,
export, XLA, bfloat16, two replicas) is tests/test_flavors.py's."""

import numpy as np
import pytest
import tensorflow as tf
import tensorflow_datasets as tfds
import keras

from conftest import tiny_generator
from tfgans import losses, presets
from tfgans.models import WGAN, WGANGP
from tfgans.nets import gulrajani

FLAVORS = [WGAN, WGANGP]
REAL = [2.0, -1.0, 0.5, 3.0]
FAKE = [-2.0, 0.0, 1.0, -0.5]


def small_critic(image_shape=(8, 8, 1), init="glorot_uniform"):
    """A conv critic without dropout or batch norm (Wasserstein critics return unbounded values)."""
    return keras.Sequential(
        [keras.Input(image_shape), keras.layers.Conv2D(4, 3, strides=2, padding="same", kernel_initializer=init),
         keras.layers.LeakyReLU(0.2), keras.layers.Flatten(), keras.layers.Dense(1, kernel_initializer=init)],
        name="small_critic",
    )


def _model(flavor, **kwargs):
    return flavor(tiny_generator(), small_critic(), latent_dim=4, seed=1, **kwargs)


def _ds(images, batch):
    return tf.data.Dataset.from_tensor_slices(images).batch(batch, drop_remainder=True)


# --- losses -----------------------------------------------------------------------------------------------------

def test_wasserstein_losses_match_the_means_by_hand():
    d = losses.wasserstein_discriminator_loss(tf.constant(REAL), tf.constant(FAKE))
    g = losses.wasserstein_generator_loss(tf.constant(FAKE))
    assert d.dtype == tf.float32 and d.shape == () and g.shape == ()
    assert float(d) == pytest.approx((-2.0 + 0.0 + 1.0 - 0.5) / 4 - (2.0 - 1.0 + 0.5 + 3.0) / 4, abs=1e-6)
    assert float(g) == pytest.approx(0.375, abs=1e-6)
    # [batch, 1] critic outputs in bfloat16 (mixed precision) give the same float32 loss.
    d16 = losses.wasserstein_discriminator_loss(tf.constant(REAL, tf.bfloat16)[:, None],
                                                tf.constant(FAKE, tf.bfloat16)[:, None])
    assert d16.dtype == tf.float32 and float(d16) == pytest.approx(float(d), abs=1e-6)


# --- Algorithm 1 --------------------------------------------------------------------------------------------------

def test_after_one_wgan_step_every_critic_weight_lies_in_the_clip_range(tiny_images):
    wgan = WGAN(tiny_generator(), small_critic(init=keras.initializers.RandomUniform(-1.0, 1.0)), latent_dim=4,
                seed=1, clip_value=0.02)
    wgan.compile()
    before = max(np.abs(w).max() for w in wgan.discriminator.get_weights())
    assert before > 0.5  # the initial weights lie far outside [-c, c]
    history = wgan.fit(_ds(tiny_images[:10], 10), epochs=1, verbose=0).history
    for w in wgan.discriminator.trainable_weights:
        assert np.abs(w.numpy()).max() <= 0.02 + 1e-8, w.path
    assert 0.0 < history["max_weight"][0] <= 0.02 + 1e-8


# A clipped critic (|w| <= 0.01) can only reach small values, hence its small margin; it starts inside the box.
@pytest.mark.parametrize("flavor, init, lr, margin", [
    (WGAN, keras.initializers.RandomUniform(-0.01, 0.01), 1e-3, 0.005),
    (WGANGP, "glorot_uniform", 1e-2, 0.1),
])
def test_critic_steps_lower_the_critic_loss_on_tiny_data(flavor, init, lr, margin, tiny_images):
    model = flavor(tiny_generator(), small_critic(init=init), latent_dim=4, seed=1)
    # A frozen generator isolates the critic's part of Algorithm 1.
    model.compile(g_optimizer=keras.optimizers.SGD(0.0), d_optimizer=keras.optimizers.Adam(lr))
    history = model.fit(_ds(tiny_images[:20], 10), epochs=4, verbose=0).history
    assert history["d_loss"][-1] < history["d_loss"][0] - margin, history["d_loss"]
    assert history["wasserstein"][-1] > history["wasserstein"][0]


@pytest.mark.parametrize("flavor", FLAVORS)
def test_generator_step_lowers_the_generator_loss_against_a_fixed_critic(flavor, tiny_images):
    model = _model(flavor)
    model.compile(g_optimizer=keras.optimizers.Adam(5e-2), d_optimizer=keras.optimizers.SGD(0.0))
    history = model.fit(_ds(tiny_images[:10], 5), epochs=4, verbose=0).history
    assert history["g_loss"][-1] < history["g_loss"][0], history["g_loss"]


class RecordingWGANGP(WGANGP):
    """Records, eagerly, the batch size of every latent draw and the real batches the critic is given."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.latent_sizes, self.critic_reals = [], []

    def sample_latent(self, batch_size, seed, shared=False):
        self.latent_sizes.append(int(batch_size))
        return super().sample_latent(batch_size, seed)

    def critic_step(self, real, latent_seed, penalty_seed):
        self.critic_reals.append(real.numpy())
        return super().critic_step(real, latent_seed, penalty_seed)


def test_each_critic_step_gets_its_own_real_batch_and_latents_and_g_batch_multiple(tiny_images):
    model = RecordingWGANGP(tiny_generator(), small_critic(), latent_dim=4, seed=1, n_critic=3,
                            gen_batch_multiple=2)
    model.compile(run_eagerly=True)
    assert model.real_batches_per_step == 3
    element = tiny_images[:12]  # one element = n_critic * batch = 3 * 4 images
    model.fit(_ds(element, 12), epochs=1, verbose=0)
    # Three critic draws of 4 latents, then one generator draw of gen_batch_multiple * 4.
    assert model.latent_sizes == [4, 4, 4, 8]
    assert len(model.critic_reals) == 3
    seen = np.concatenate(model.critic_reals)
    # Together the critic steps see each image of the element exactly once (critic step k: images k, k+3, ...).
    assert sorted(map(bytes, seen)) == sorted(map(bytes, element))
    np.testing.assert_array_equal(model.critic_reals[1], element[1::3])


@pytest.mark.parametrize("flavor, extra", [(WGAN, "max_weight"), (WGANGP, "gp")])
def test_metrics_per_epoch_and_their_relations(flavor, extra, tiny_images):
    model = _model(flavor)
    model.compile()
    history = model.fit(_ds(tiny_images[:20], 10), epochs=2, verbose=0).history
    assert set(history) == {"d_loss", "g_loss", "wasserstein", extra} and len(history["d_loss"]) == 2
    assert float(model.trackers["d_loss"].count) == 2 * 5  # this epoch's 2 steps x n_critic critic steps
    if flavor is WGAN:
        assert history["wasserstein"][0] == pytest.approx(-history["d_loss"][0], abs=1e-6)
    else:  # d_loss = -(Wasserstein estimate) + gradient penalty
        assert history["d_loss"][1] == pytest.approx(-history["wasserstein"][1] + history["gp"][1], abs=1e-5)
        assert history["gp"][0] > 0


def test_default_optimizers_are_the_papers():
    wgan, gp = _model(WGAN), _model(WGANGP)
    wgan.compile()
    gp.compile()
    assert isinstance(wgan.d_optimizer, keras.optimizers.RMSprop)
    assert float(wgan.d_optimizer.learning_rate) == pytest.approx(5e-5)
    # PyTorch's RMSprop defaults, as Arjovsky et al.'s main.py runs it, not Keras' rho 0.9, eps 1e-7.
    for optimizer in (wgan.g_optimizer, wgan.d_optimizer):
        assert (optimizer.rho, optimizer.epsilon) == (0.99, 1e-8)
    assert isinstance(gp.g_optimizer, keras.optimizers.Adam)
    assert (float(gp.g_optimizer.learning_rate), gp.g_optimizer.beta_1, gp.g_optimizer.beta_2) == \
        pytest.approx((1e-4, 0.5, 0.9))
    assert gp.g_optimizer is not gp.d_optimizer


# --- errors -------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("flavor", FLAVORS)
def test_batch_not_divisible_by_n_critic_is_a_clear_error(flavor, tiny_images):
    model = _model(flavor)
    model.compile()
    with pytest.raises(ValueError, match=r"yields 8 images per step, not a multiple of n_critic=5.*5 \* batch_size"):
        model.fit(_ds(tiny_images, 8), epochs=1, verbose=0)
    # A dataset of unknown batch size (no drop_remainder) fails when the odd batch arrives.
    model = _model(flavor)
    model.compile()
    ragged = tf.data.Dataset.from_tensor_slices(tiny_images[:12]).batch(10)  # batches of 10 and 2
    with pytest.raises(tf.errors.InvalidArgumentError, match="not a multiple of n_critic=5"):
        model.fit(ragged, epochs=1, verbose=0)


def test_bad_options_and_sigmoid_critic_are_clear_errors():
    with pytest.raises(ValueError, match="n_critic"):
        _model(WGAN, n_critic=0)
    with pytest.raises(ValueError, match="clip_value"):
        _model(WGAN, clip_value=-0.01)
    with pytest.raises(ValueError, match="gp_weight"):
        _model(WGANGP, gp_weight=-1.0)
    sigmoid_critic = keras.Sequential([keras.Input((8, 8, 1)), keras.layers.Flatten(),
                                       keras.layers.Dense(1, activation="sigmoid")])
    with pytest.raises(ValueError, match="ends in a sigmoid"):
        WGANGP(tiny_generator(), sigmoid_critic, latent_dim=4)
    with pytest.raises(ValueError, match="batch normalization.*normalization='layer'"):
        WGANGP(gulrajani.mnist_generator(), gulrajani.mnist_discriminator(normalization="batch"), latent_dim=128)
    # The weight-clipping WGAN's reference critic does use batch norm (gan_mnist.py, MODE 'wgan').
    WGAN(gulrajani.mnist_generator(batch_norm=True), gulrajani.mnist_discriminator(normalization="batch"),
         latent_dim=128)


# --- presets --------------------------------------------------------------------------------------------------------

def _train_preset_briefly(name, batch_size, **load_kwargs):
    preset = presets.get(name)
    model = preset.build(seed=0)
    ds = preset.load_data(batch_size=batch_size, model=model, **load_kwargs)
    element = next(iter(ds))
    assert element.shape[0] == 5 * batch_size  # n_critic real batches per generator step
    before = [w.copy() for w in model.get_weights()]
    history = model.fit(ds.take(2), epochs=1, verbose=0).history
    assert all(np.isfinite(v[0]) for v in history.values()), history
    changed = [not np.allclose(a, b) for a, b in zip(before, model.get_weights())]
    assert sum(changed) > len(changed) // 2
    return model, history


@pytest.mark.slow
@pytest.mark.parametrize("name", ["wgan-svhn-sun", "wgangp-cifar10-gulrajani", "wgangp-cifar10-resnet-gulrajani"])
def test_cifar10_and_svhn_presets_train_on_mock_data(name, tmp_path):
    with tfds.testing.mock_data(num_examples=20):
        model, history = _train_preset_briefly(name, batch_size=2, data_dir=str(tmp_path))
    extra = "max_weight" if name.startswith("wgan-") else "gp"
    assert extra in history
    if extra == "max_weight":
        assert history["max_weight"][0] <= 0.01 + 1e-8


@pytest.mark.slow
@pytest.mark.parametrize("name", ["wgan-mnist-sun", "wgangp-mnist-gulrajani"])
def test_mnist_presets_train_on_offline_mnist(name, tfds_dir):
    model, _ = _train_preset_briefly(name, batch_size=2, data_dir=tfds_dir, split="train[:40]")
    low, high = (0.0, 1.0) if name == "wgangp-mnist-gulrajani" else (-1.0, 1.0)
    images = model.generate(4).numpy()
    assert images.min() >= low and images.max() <= high


def test_wasserstein_presets_hold_the_sources_settings():
    sun = presets.get("wgan-mnist-sun")
    assert (sun.flavor, sun.batch_size, sun.epochs, sun.g_lr, sun.d_lr) == ("WGAN", 256, 50, 1e-3, 1e-4)
    mnist = presets.get("wgangp-mnist-gulrajani")
    # gan_mnist.py: BATCH_SIZE 50, ITERS 200000 generator steps of 5 x 50 images over 60,000 -> ~833 epochs.
    assert (mnist.batch_size, mnist.latent_dim, mnist.value_range) == (50, 128, "sigmoid")
    assert mnist.epochs == round(200000 / (60000 // 250))
    g_opt, d_opt = mnist.make_optimizers()
    assert (float(g_opt.learning_rate), g_opt.beta_1, g_opt.beta_2) == pytest.approx((1e-4, 0.5, 0.9))
    resnet = presets.get("wgangp-cifar10-resnet-gulrajani")
    assert resnet.epochs * (50000 // 320) == pytest.approx(100000, rel=1e-3)
    assert resnet.flavor_kwargs["gen_batch_multiple"] == 2
    g_opt, d_opt = resnet.make_optimizers(epochs=2, steps_per_epoch=10)
    # LR * max(0, 1 - iteration / ITERS): linear to 0 over the 20 generator steps (100 critic steps).
    assert float(g_opt.learning_rate) == pytest.approx(2e-4) and g_opt.beta_1 == 0.0
    assert float(g_opt._learning_rate(10)) == pytest.approx(1e-4) and float(g_opt._learning_rate(20)) == 0.0
    assert float(d_opt._learning_rate(50)) == pytest.approx(1e-4) and float(d_opt._learning_rate(100)) == 0.0
