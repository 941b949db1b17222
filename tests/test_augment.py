"""DiffAugment (tfgans.augment) and the GAN's ``augment`` option: shapes, gradients, seeded draws, the identity
at zero strength, what each operation does to an image."""

import numpy as np
import pytest
import tensorflow as tf
import keras

import tfgans
from tfgans import augment
from conftest import tiny_discriminator, tiny_generator

SEED = tf.constant([3, 4], tf.int64)


def _images(n=6, side=16, channels=1):
    return tf.random.stateless_uniform([n, side, side, channels], seed=[1, 2], minval=-1.0, maxval=1.0)


@pytest.mark.parametrize("policy", ["color", "brightness", "translation", "cutout", "translation,cutout",
                                    "color,translation,cutout"])
def test_each_policy_keeps_shape_and_dtype_and_passes_gradients(policy):
    x = _images(channels=3)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = augment.diff_augment(x, policy, SEED)
        loss = tf.reduce_sum(tf.square(y))
    grad = tape.gradient(loss, x)
    assert y.shape == x.shape and y.dtype == x.dtype
    assert grad is not None and np.isfinite(grad.numpy()).all() and np.abs(grad.numpy()).sum() > 0


def test_a_seed_gives_the_same_images_and_another_seed_others():
    x = _images()
    policy = "color,translation,cutout"
    first, again = augment.diff_augment(x, policy, SEED), augment.diff_augment(x, policy, SEED)
    other = augment.diff_augment(x, policy, tf.constant([3, 5], tf.int64))
    np.testing.assert_array_equal(first.numpy(), again.numpy())
    assert not np.allclose(first.numpy(), other.numpy())


def test_zero_strength_and_no_policy_are_the_identity():
    x = _images(channels=3)
    for policy in ("color,translation,cutout", "translation", "cutout", "color"):
        u = augment.draw(x.shape[0], policy, SEED)
        np.testing.assert_array_equal(augment.apply(x, policy, u, strength=0.0).numpy(), x.numpy())
    for policy in (None, ""):
        np.testing.assert_array_equal(augment.diff_augment(x, policy, SEED).numpy(), x.numpy())
    # A tiny strength rounds the shift and the square to 0 pixels: the geometric operations are the identity.
    u = augment.draw(x.shape[0], "translation,cutout", SEED)
    np.testing.assert_array_equal(augment.apply(x, "translation,cutout", u, strength=0.01).numpy(), x.numpy())


def test_translation_moves_an_image_by_at_most_an_eighth_of_its_side_and_fills_with_zero():
    x = np.full([64, 16, 16, 1], -1.0, np.float32)
    x[:, 8, 8, 0] = 1.0  # one bright pixel on a -1 background
    y = augment.diff_augment(tf.constant(x), "translation", SEED).numpy()
    shifts = set()
    for image in y:
        rows, cols = np.nonzero(image[..., 0] == 1.0)
        assert len(rows) == 1
        shifts.add((rows[0] - 8, cols[0] - 8))
        assert max(abs(rows[0] - 8), abs(cols[0] - 8)) <= 2  # 16 / 8
        assert set(np.unique(image)) <= {-1.0, 0.0, 1.0}  # uncovered border rows/columns are 0
    assert len(shifts) > 5  # per image


def test_cutout_zeroes_one_square_of_half_the_side():
    x = tf.ones([32, 16, 16, 1])
    y = augment.diff_augment(x, "cutout", SEED).numpy()[..., 0]
    for image in y:
        rows, cols = np.nonzero(image == 0.0)
        assert 0 < len(rows) <= 64
        assert rows.max() - rows.min() < 8 and cols.max() - cols.min() < 8
        assert len(rows) == (rows.max() - rows.min() + 1) * (cols.max() - cols.min() + 1)  # a rectangle
    assert (y == 0).sum(axis=(1, 2)).max() == 64  # an 8 x 8 square when it lies inside


def test_color_changes_each_image_by_its_own_draw():
    x = tf.zeros([8, 4, 4, 1])
    y = augment.diff_augment(x, "brightness", SEED).numpy()
    offsets = y[:, 0, 0, 0]
    np.testing.assert_allclose(y, np.broadcast_to(offsets[:, None, None, None], y.shape))
    assert np.all(np.abs(offsets) <= 0.5) and len(set(offsets.round(6))) == 8


def test_replicas_slices_of_one_draw_are_the_rows_of_the_global_draw():
    # GAN.augmented draws for the global batch and each replica takes its rows (tfgans.distribute.replica_slice).
    policy = "translation,cutout"
    assert augment.num_draws(policy) == 4
    whole = augment.draw(8, policy, SEED)
    x = _images(n=8)
    np.testing.assert_array_equal(augment.apply(x[4:], policy, whole[4:]).numpy(),
                                  augment.apply(x, policy, whole).numpy()[4:])


def test_unknown_policy_is_refused_with_the_known_names():
    with pytest.raises(ValueError, match="cutout"):
        augment.parse_policy("translation,rotation")
    with pytest.raises(ValueError, match="rotation"):
        tfgans.GAN(tiny_generator(), tiny_discriminator(), latent_dim=4, augment="rotation")


def test_gan_with_augment_trains_and_keeps_it_in_its_config(tiny_images):
    gan = tfgans.DCGAN(tiny_generator(), tiny_discriminator(), latent_dim=4, seed=1, augment="translation,cutout",
                       r1_gamma=1.0, r1_every=2)
    gan.compile(g_optimizer=keras.optimizers.Adam(1e-3), d_optimizer=keras.optimizers.Adam(1e-3))
    ds = tf.data.Dataset.from_tensor_slices(tiny_images[:32]).batch(8, drop_remainder=True)
    history = gan.fit(ds, epochs=1, verbose=0).history
    assert all(np.isfinite(history[k][-1]) for k in ("d_loss", "g_loss", "r1"))
    assert gan.get_config()["augment"] == "translation,cutout"
    assert tfgans.DCGAN.from_config(gan.get_config()).augment == "translation,cutout"
    assert tfgans.GAN(tiny_generator(), tiny_discriminator(), latent_dim=4).get_config()["augment"] is None


def test_augmented_steps_draw_the_latents_of_a_plain_run_and_differ_from_it(tiny_images):
    # The augmentation's seeds are folded off the step's, so a policy changes the D inputs, not the latents.
    runs = []
    for policy in (None, "translation"):
        keras.utils.set_random_seed(0)
        gan = tfgans.GAN(tiny_generator(), tiny_discriminator(), latent_dim=4, seed=1, augment=policy)
        gan.compile(g_optimizer=keras.optimizers.SGD(0.1), d_optimizer=keras.optimizers.SGD(0.1))
        runs.append(gan)
    runs[1].set_weights(runs[0].get_weights())
    seed = runs[0].step_seeds(2)[0]
    np.testing.assert_array_equal(runs[0].sample_latent(8, seed).numpy(), runs[1].sample_latent(8, seed).numpy())
    ds = tf.data.Dataset.from_tensor_slices(tiny_images[:16]).batch(8, drop_remainder=True)
    for gan in runs:
        gan.fit(ds, epochs=1, verbose=0)
    assert max(np.abs(a - b).max() for a, b in zip(runs[0].get_weights(), runs[1].get_weights())) > 1e-6
