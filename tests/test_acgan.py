"""AC-GAN flavor and the class a latent vector carries: losses by hand, errors, the preset. What every flavor must
do (config, ``.keras``, export, XLA, bfloat16, two replicas) is tests/test_flavors.py's."""

from statistics import NormalDist

import numpy as np
import pytest
import tensorflow as tf
import keras

import tfgans
from tfgans.layers import LatentClass, latent_class
from conftest import tiny_discriminator, tiny_generator

K = 3


def _nets(num_classes=K, latent_dim=4):
    generator = keras.Sequential([keras.Input((latent_dim,)), LatentClass(num_classes),
                                  keras.layers.Dense(64, activation="tanh"), keras.layers.Reshape((8, 8, 1))])
    discriminator = keras.Sequential([keras.Input((8, 8, 1)), keras.layers.Flatten(),
                                      keras.layers.Dense(1 + num_classes)])
    return generator, discriminator


def _acgan(**kwargs):
    return tfgans.ACGAN(*_nets(), latent_dim=4, num_classes=K, seed=1, **kwargs)


def _labelled(images):
    # The class decides where the bright square sits: a learnable labelling.
    labels = np.arange(len(images)) % K
    moved = np.stack([np.roll(image, 2 * label, axis=1) for image, label in zip(images, labels)])
    return moved.astype(np.float32), labels.astype(np.int64)


def test_latent_class_splits_the_normal_prior_into_equally_likely_classes():
    edges = [NormalDist().inv_cdf(k / 10) for k in range(1, 10)]
    z0 = np.array([[e - 1e-4 for e in edges] + [e + 1e-4 for e in edges] + [-9.0, 0.0, 9.0]], np.float32).T
    got = latent_class(np.concatenate([z0, np.zeros_like(z0)], axis=1), 10).numpy()
    assert got.dtype == np.int32
    assert list(got) == list(range(9)) + list(range(1, 10)) + [0, 5, 9]
    draws = latent_class(tf.random.stateless_normal([100_000, 2], seed=[0, 0]), 10).numpy()
    np.testing.assert_allclose(np.bincount(draws, minlength=10) / len(draws), 0.1, atol=0.005)


def test_latent_class_layer_feeds_the_one_hot_class_and_the_rest_of_z():
    z = np.array([[0.0, 1.0, 2.0], [-3.0, 4.0, 5.0]], np.float32)
    np.testing.assert_array_equal(LatentClass(K)(z), [[0, 1, 0, 1, 2], [1, 0, 0, 4, 5]])
    clone = LatentClass.from_config(LatentClass(K).get_config())
    assert clone.num_classes == K and clone.compute_output_shape((None, 3)) == (None, 5)
    with pytest.raises(ValueError, match="num_classes must be an integer >= 2"):
        LatentClass(1)


def test_under_a_16_bit_policy_the_generator_reads_the_class_the_flavor_computes():
    # z_0 rounded to bfloat16 would cross a class boundary for about 0.2 % of draws (39 of these 20,000).
    keras.mixed_precision.set_global_policy("mixed_bfloat16")
    z = tf.random.stateless_normal([20_000, 3], seed=[0, 0])
    one_hot = LatentClass(10)(z)[:, :10]
    np.testing.assert_array_equal(np.argmax(one_hot, axis=1), latent_class(z, 10))


@pytest.mark.parametrize("fake_class_loss, real_class_loss", [(True, True), (False, True), (True, False)])
def test_a_step_descends_the_papers_losses_first_the_discriminators_then_the_generators(fake_class_loss,
                                                                                        real_class_loss, tiny_images):
    """D: L_S + L_C (real, and generated with fake_class_loss; Odena et al. eq. 2-3); then G, on a fresh draw
    through the updated D: the non-saturating L_S + L_C of z's class. Plain SGD, checked weight by weight.
    Without real_class_loss no label is read: InfoGAN's categorical code (Chen et al. 2016)."""
    lr = 0.1
    gan = _acgan(fake_class_loss=fake_class_loss, real_class_loss=real_class_loss)
    gan.compile(g_optimizer=keras.optimizers.SGD(lr), d_optimizer=keras.optimizers.SGD(lr))
    images, labels = _labelled(tiny_images[:8])
    d_seed, g_seed = tf.unstack(gan.step_seeds(2))
    G, D = gan.generator, gan.discriminator
    ce = tfgans.losses.class_cross_entropy

    z = gan.sample_latent(8, d_seed)
    with tf.GradientTape() as tape:
        real_out, fake_out = D(images), D(G(z))
        d_class = ((ce(labels, real_out[:, 1:]) if real_class_loss else 0)
                   + (ce(latent_class(z, K), fake_out[:, 1:]) if fake_class_loss else 0))
        d_total = tfgans.losses.minimax_discriminator_loss(real_out[:, :1], fake_out[:, :1]) + d_class
    new_d = [w - lr * g for w, g in zip(D.trainable_variables, tape.gradient(d_total, D.trainable_variables))]
    updated_d = keras.models.clone_model(D)
    updated_d.set_weights([w.numpy() for w in new_d])
    z = gan.sample_latent(8, g_seed)
    with tf.GradientTape() as tape:
        out = updated_d(G(z))
        g_class = ce(latent_class(z, K), out[:, 1:])
        g_total = tfgans.losses.modified_generator_loss(out[:, :1]) + g_class
    new_g = [w - lr * g for w, g in zip(G.trainable_variables, tape.gradient(g_total, G.trainable_variables))]

    data = (images, labels) if real_class_loss else images
    logs = gan.fit(tf.data.Dataset.from_tensors(data), epochs=1, verbose=0).history
    assert set(logs) == {"d_loss", "g_loss", "d_class", "g_class"}
    assert logs["d_class"][0] == pytest.approx(float(d_class), rel=1e-5)
    assert logs["g_class"][0] == pytest.approx(float(g_class), rel=1e-5)
    for got, want in zip(D.trainable_variables + G.trainable_variables, new_d + new_g):
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)


def test_masked_conditioning_judges_each_image_by_its_classs_logit(tiny_images):
    """Liu et al. 2020 (stevliu/self-conditioned-gan, LinearConditionalMaskLogits): D's real/fake logit of an
    image is the logit of its class (label, or z's class), no classification loss. Plain SGD, weight by weight."""
    lr = 0.1
    gan = _acgan(conditioning="mask")
    gan.compile(g_optimizer=keras.optimizers.SGD(lr), d_optimizer=keras.optimizers.SGD(lr))
    images, labels = _labelled(tiny_images[:8])
    d_seed, g_seed = tf.unstack(gan.step_seeds(2))
    G, D = gan.generator, gan.discriminator

    def pick(out, classes):  # written out: column 1 + class of each row
        return tf.stack([out[i, 1 + int(c)] for i, c in enumerate(np.asarray(classes))])[:, None]

    z = gan.sample_latent(8, d_seed)
    with tf.GradientTape() as tape:
        d_loss = tfgans.losses.minimax_discriminator_loss(pick(D(images), labels), pick(D(G(z)), latent_class(z, K)))
    new_d = [w - lr * g for w, g in zip(D.trainable_variables, tape.gradient(d_loss, D.trainable_variables))]
    updated_d = keras.models.clone_model(D)
    updated_d.set_weights([w.numpy() for w in new_d])
    z = gan.sample_latent(8, g_seed)
    with tf.GradientTape() as tape:
        g_loss = tfgans.losses.modified_generator_loss(pick(updated_d(G(z)), latent_class(z, K)))
    new_g = [w - lr * g for w, g in zip(G.trainable_variables, tape.gradient(g_loss, G.trainable_variables))]

    logs = gan.fit(tf.data.Dataset.from_tensors((images, labels)), epochs=1, verbose=0).history
    assert set(logs) == {"d_loss", "g_loss"}  # no class losses
    assert logs["d_loss"][0] == pytest.approx(float(d_loss), rel=1e-5)
    for got, want in zip(D.trainable_variables + G.trainable_variables, new_d + new_g):
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)


def test_masked_r1_penalizes_each_real_images_class_logit(tiny_images):
    # Linear D: the gradient of row i's class logit is w_(1 + label_i), so R1 is gamma / 2 mean_i ||w_(1+y_i)||^2.
    gamma = 4.0
    gan = _acgan(r1_gamma=gamma, conditioning="mask")
    gan.compile(g_optimizer=keras.optimizers.SGD(0.0), d_optimizer=keras.optimizers.SGD(0.0))
    kernel = gan.discriminator.trainable_variables[0].numpy()
    images, labels = _labelled(tiny_images[:8])
    history = gan.fit(tf.data.Dataset.from_tensors((images, labels)), epochs=1, verbose=0).history
    want = 0.5 * gamma * np.mean([np.sum(kernel[:, 1 + y] ** 2) for y in labels])
    assert history["r1"][0] == pytest.approx(want, rel=1e-5)


def test_conditioning_and_class_losses_are_checked_and_kept_in_the_config():
    with pytest.raises(ValueError, match="'auxiliary'.*'mask'"):
        _acgan(conditioning="projection")
    for ignored in ({"real_class_loss": False}, {"fake_class_loss": False}, {"class_weight": 0.5}):
        with pytest.raises(ValueError, match="no class loss to weigh or leave out"):
            _acgan(conditioning="mask", **ignored)
    assert tfgans.ACGAN.from_config(_acgan(conditioning="mask").get_config()).conditioning == "mask"
    with pytest.raises(ValueError, match="real_class_loss or fake_class_loss"):
        _acgan(fake_class_loss=False, real_class_loss=False)
    assert tfgans.ACGAN.from_config(_acgan(real_class_loss=False).get_config()).real_class_loss is False


def test_a_few_steps_teach_the_discriminator_the_classes(tiny_images):
    gan = _acgan(fake_class_loss=False)
    gan.compile(g_optimizer=keras.optimizers.SGD(0.0), d_optimizer=keras.optimizers.Adam(2e-2))
    ds = tf.data.Dataset.from_tensor_slices(_labelled(tiny_images)).batch(8)
    history = gan.fit(ds, epochs=8, verbose=0).history
    assert history["d_class"][-1] < 0.3 * history["d_class"][0], history["d_class"]


def test_r1_penalizes_the_real_fake_logit_only(tiny_images):
    # Linear D: R1 of column 0 is gamma / 2 ||w_0||^2, whatever the class columns' weights.
    gamma = 4.0
    gan = _acgan(r1_gamma=gamma, fake_class_loss=False)
    gan.compile(g_optimizer=keras.optimizers.SGD(0.0), d_optimizer=keras.optimizers.SGD(0.0))
    kernel = gan.discriminator.trainable_variables[0].numpy()
    history = gan.fit(tf.data.Dataset.from_tensors(_labelled(tiny_images[:8])), epochs=1, verbose=0).history
    assert history["r1"][0] == pytest.approx(0.5 * gamma * float(np.sum(kernel[:, 0] ** 2)), rel=1e-5)


def test_mismatched_nets_options_and_unlabelled_data_are_clear_errors(tiny_images):
    generator, discriminator = _nets()
    with pytest.raises(ValueError, match=r"class logits, \[batch, 4\]"):
        tfgans.ACGAN(generator, tiny_discriminator(), latent_dim=4, num_classes=K)
    with pytest.raises(ValueError, match=r"read a class of 3 off its latent vector.*0 tfgans.layers.LatentClass"):
        tfgans.ACGAN(tiny_generator(), discriminator, latent_dim=4, num_classes=K)
    with pytest.raises(ValueError, match=r"read a class of 5 .*\[3\]"):
        tfgans.ACGAN(generator, _nets(5)[1], latent_dim=4, num_classes=5)
    with pytest.raises(ValueError, match="latent_distribution='normal'"):
        tfgans.ACGAN(generator, discriminator, latent_dim=4, num_classes=K, latent_distribution="uniform")
    with pytest.raises(ValueError, match="simultaneous=True is GAN's option"):
        tfgans.ACGAN(generator, discriminator, latent_dim=4, num_classes=K, simultaneous=True)
    with pytest.raises(ValueError, match="class_weight must be >= 0"):
        tfgans.ACGAN(generator, discriminator, latent_dim=4, num_classes=K, class_weight=-1.0)
    gan = _acgan()
    gan.compile()
    with pytest.raises(ValueError, match=r"with_labels=True"):
        gan.fit(tf.data.Dataset.from_tensor_slices(tiny_images).batch(8), epochs=1, verbose=0)
    assert int(gan.d_optimizer.iterations.numpy()) == 0


def test_the_fast_acgan_preset_streams_labels_and_its_prior_carries_every_class(tfds_dir):
    preset = tfgans.presets.get("acgan-mnist-fast")
    model = preset.build(seed=0)
    ds = preset.load_data(tfds_dir, model=model, seed=0, split="test[:64]")
    images, labels = next(iter(ds))
    assert images.shape == (32, 28, 28, 1) and labels.shape == (32,)
    model.fit(ds, epochs=1, verbose=0)
    # The generator takes z alone (what the export serves, tests/test_flavors.py): its prior carries every class.
    assert model.generate(6, seed=1).shape == (6, 28, 28, 1)
    z = model.sample_latent(200, tf.constant([1, 0], tf.int64))
    assert set(latent_class(z, 10).numpy()) == set(range(10))
