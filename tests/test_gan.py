"""GAN / DCGAN flavor: the algorithm's effects, trackers, options, errors, serialization, mixed precision."""

import numpy as np
import pytest
import tensorflow as tf
import keras

import tfgans
from conftest import tiny_discriminator, tiny_generator


def _gan(**kwargs):
    return tfgans.GAN(tiny_generator(), tiny_discriminator(), latent_dim=4, seed=1, **kwargs)


def test_discriminator_steps_lower_d_loss_when_generator_is_frozen(tiny_images):
    gan = _gan()
    # A zero generator learning rate isolates Algorithm 1's discriminator update.
    gan.compile(g_optimizer=keras.optimizers.SGD(0.0), d_optimizer=keras.optimizers.Adam(5e-2))
    ds = tf.data.Dataset.from_tensor_slices(tiny_images).batch(8, drop_remainder=True)
    history = gan.fit(ds, epochs=10, verbose=0).history
    assert history["d_loss"][-1] < 0.5 * history["d_loss"][0], history["d_loss"]


def test_generator_steps_lower_g_loss_against_a_fixed_discriminator(tiny_images):
    gan = _gan()
    gan.compile(g_optimizer=keras.optimizers.Adam(1e-2), d_optimizer=keras.optimizers.SGD(0.0))
    ds = tf.data.Dataset.from_tensor_slices(tiny_images).batch(8, drop_remainder=True)
    history = gan.fit(ds, epochs=6, verbose=0).history
    assert history["g_loss"][-1] < history["g_loss"][0]


def test_each_step_updates_both_nets_and_metrics_reset_every_epoch(tiny_images):
    gan = _gan()
    gan.compile()
    g0 = [w.copy() for w in gan.generator.get_weights()]
    d0 = [w.copy() for w in gan.discriminator.get_weights()]
    counts = []
    # Keras resets the trackers listed in `metrics` before each epoch begins.
    probe = keras.callbacks.LambdaCallback(
        on_epoch_begin=lambda epoch, logs: counts.append(float(gan.trackers["d_loss"].count)))
    ds = tf.data.Dataset.from_tensor_slices(tiny_images[:16]).batch(8)
    history = gan.fit(ds, epochs=2, verbose=0, callbacks=[probe]).history
    assert set(history) == {"d_loss", "g_loss"} and len(history["d_loss"]) == 2
    assert counts == [0.0, 0.0]
    assert float(gan.trackers["d_loss"].count) == 2.0  # the second epoch's two batches only
    assert all(not np.allclose(a, b) for a, b in zip(g0, gan.generator.get_weights()))
    assert all(not np.allclose(a, b) for a, b in zip(d0, gan.discriminator.get_weights()))


def test_fit_accepts_labelled_batches(tiny_images):
    gan = _gan()
    gan.compile()
    labels = np.zeros(len(tiny_images), np.int64)
    ds = tf.data.Dataset.from_tensor_slices((tiny_images, labels)).batch(8)
    assert np.isfinite(gan.fit(ds, epochs=1, verbose=0).history["g_loss"][0])


@pytest.mark.parametrize("simultaneous", [True, False])
def test_a_simultaneous_step_is_the_tutorials_two_tapes_on_one_fake_batch(simultaneous, tiny_images):
    gan = _gan(simultaneous=simultaneous)
    gan.compile(g_optimizer=keras.optimizers.SGD(0.5), d_optimizer=keras.optimizers.SGD(0.5))
    real = tf.constant(tiny_images[:8])
    # The TensorFlow DCGAN tutorial's train_step, by hand, on the step's first latent draw.
    z = gan.sample_latent(8, gan.step_seeds(2)[0])
    with tf.GradientTape() as g_tape, tf.GradientTape() as d_tape:
        fake_logits = gan.discriminator(gan.generator(z))
        d_loss = tfgans.losses.minimax_discriminator_loss(gan.discriminator(real), fake_logits)
        g_loss = tfgans.losses.modified_generator_loss(fake_logits)
    expected = {net: [w - 0.5 * g for w, g in zip(getattr(gan, net).trainable_variables, tape.gradient(loss, getattr(
        gan, net).trainable_variables))] for net, tape, loss in [("generator", g_tape, g_loss),
                                                                 ("discriminator", d_tape, d_loss)]}
    gan.fit(tf.data.Dataset.from_tensors(real), epochs=1, verbose=0)
    for net in ("generator", "discriminator"):
        close = [np.allclose(w, e, atol=1e-6) for w, e in zip(getattr(gan, net).trainable_variables, expected[net])]
        # Algorithm 1's alternation shares the discriminator's step, not the generator's (a fresh fake batch
        # through the updated discriminator).
        assert all(close) == (simultaneous or net == "discriminator"), (net, close)


@pytest.mark.parametrize("simultaneous", [False, True])
def test_r1_adds_gamma_times_the_weights_to_the_discriminators_step_and_is_logged(simultaneous, tiny_images):
    # The tiny discriminator is linear, D(x) = W . x + b: R1 = gamma / 2 ||W||^2 adds gamma * W to the kernel's
    # gradient (Mescheder et al. 2018, eq. 9) and nothing to the bias's.
    gamma, lr = 4.0, 0.1
    gan = _gan(r1_gamma=gamma, simultaneous=simultaneous)
    gan.compile(g_optimizer=keras.optimizers.SGD(0.0), d_optimizer=keras.optimizers.SGD(lr))
    real = tf.constant(tiny_images[:8])
    z = gan.sample_latent(8, gan.step_seeds(2)[0])
    kernel, bias = gan.discriminator.trainable_variables
    with tf.GradientTape() as tape:
        d_loss = tfgans.losses.minimax_discriminator_loss(gan.discriminator(real),
                                                          gan.discriminator(gan.generator(z)))
    grad_kernel, grad_bias = tape.gradient(d_loss, [kernel, bias])
    expected_r1 = 0.5 * gamma * float(tf.reduce_sum(tf.square(kernel)))
    expected = [kernel.numpy() - lr * (grad_kernel.numpy() + gamma * kernel.numpy()), bias.numpy() - lr * grad_bias]
    history = gan.fit(tf.data.Dataset.from_tensors(real), epochs=1, verbose=0).history
    assert history["r1"][0] == pytest.approx(expected_r1, rel=1e-5)
    for got, want in zip(gan.discriminator.trainable_variables, expected):
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)
    assert "r1" not in _gan().trackers


def test_lazy_r1_weighs_every_kth_step_k_times_and_skips_the_others(tiny_images):
    gamma, lr, every = 4.0, 0.1, 2
    gan = _gan(r1_gamma=gamma, r1_every=every)
    gan.compile(g_optimizer=keras.optimizers.SGD(0.0), d_optimizer=keras.optimizers.SGD(lr))
    ds = tf.data.Dataset.from_tensors(tf.constant(tiny_images[:8]))
    kernels, r1 = [], []
    for _ in range(3):  # D steps 0, 1, 2: R1 due on 0 and 2
        kernels.append(gan.discriminator.trainable_variables[0].numpy())
        r1.append(gan.fit(ds, epochs=1, verbose=0).history["r1"][0])
    assert r1[1] == 0.0
    for step in (0, 2):
        assert r1[step] == pytest.approx(0.5 * gamma * every * float(np.sum(np.square(kernels[step]))), rel=1e-5)


def test_minimax_generator_loss_is_negative_log_one_minus_d():
    gan = _gan(generator_loss="minimax")
    gan.compile()
    ds = tf.data.Dataset.from_tensor_slices(np.zeros((8, 8, 8, 1), np.float32)).batch(8)
    # log(1 - D) < 0 always, the non-saturating loss is > 0 always.
    assert gan.fit(ds, epochs=1, verbose=0).history["g_loss"][0] < 0


def test_latent_draws_differ_per_step_and_replica_and_repeat_for_a_step(two_replicas):
    gan = _gan()
    gan.compile()
    a, b = gan.step_seeds(2).numpy()
    assert not np.array_equal(a, b)
    np.testing.assert_array_equal(gan.step_seeds(2), gan.step_seeds(2))
    gan.g_optimizer.iterations.assign(1)
    assert not np.array_equal(gan.step_seeds(2)[0], a)
    strategy = two_replicas
    per_replica = strategy.run(lambda: gan.sample_latent(3, gan.step_seeds(1)[0]))
    z0, z1 = strategy.experimental_local_results(per_replica)
    assert not np.allclose(z0, z1)


def test_image_shape_mismatch_is_a_clear_error():
    gan = _gan()
    gan.compile()
    ds = tf.data.Dataset.from_tensor_slices(np.zeros((8, 28, 28, 1), np.float32)).batch(4)
    with pytest.raises(ValueError, match=r"images of shape \(28, 28, 1\).*takes \(8, 8, 1\)"):
        gan.fit(ds, epochs=1, verbose=0)


def test_mismatched_nets_and_options_are_clear_errors():
    with pytest.raises(ValueError, match="latent vectors of size 4, but latent_dim=100"):
        tfgans.GAN(tiny_generator(), tiny_discriminator(), latent_dim=100)
    with pytest.raises(ValueError, match=r"makes images of shape \(8, 8, 1\).*takes \(28, 28, 1\)"):
        tfgans.GAN(tiny_generator(), tfgans.nets.sun.mnist_discriminator(), latent_dim=4)
    with pytest.raises(ValueError, match="generator_loss"):
        _gan(generator_loss="hinge")
    with pytest.raises(ValueError, match="latent_distribution"):
        _gan(latent_distribution="cauchy")
    with pytest.raises(ValueError, match="r1_gamma must be >= 0"):
        _gan(r1_gamma=-1.0)
    with pytest.raises(ValueError, match="r1_every must be a positive integer"):
        _gan(r1_gamma=1.0, r1_every=0)
    with pytest.raises(ValueError, match="batch norm, which mixes the examples"):
        tfgans.DCGAN(tfgans.nets.chakkarwar.mnist_generator(), tfgans.nets.chakkarwar.mnist_discriminator(),
                     r1_gamma=1.0)


def test_get_config_round_trip_keeps_options_and_nets():
    gan = _gan(generator_loss="minimax", label_smoothing=0.1, latent_distribution="uniform",
               latent_range=(0.0, 1.0), clip_norm=5.0, simultaneous=True, r1_gamma=0.5, r1_every=4)
    clone = tfgans.GAN.from_config(gan.get_config())
    assert (clone.generator_loss, clone.label_smoothing, clone.latent_distribution, clone.latent_range,
            clone.seed, clone.clip_norm, clone.simultaneous, clone.r1_gamma, clone.r1_every) == (
        "minimax", 0.1, "uniform", (0.0, 1.0), 1, 5.0, True, 0.5, 4)
    assert [type(x) for x in clone.generator.layers] == [type(x) for x in gan.generator.layers]
    z = clone.sample_latent(100, tf.constant([0, 0], tf.int64)).numpy()
    assert z.min() >= 0.0 and z.max() <= 1.0


def test_mixed_bfloat16_trains_with_float32_weights_and_losses(tiny_images):
    keras.mixed_precision.set_global_policy("mixed_bfloat16")
    gan = tfgans.DCGAN(tfgans.nets.chakkarwar.mnist_generator(latent_dim=8),
                       tfgans.nets.chakkarwar.mnist_discriminator(), latent_dim=8, seed=0)
    gan.compile()
    assert gan.generator.layers[0].compute_dtype == "bfloat16"
    ds = tf.data.Dataset.from_tensor_slices(np.zeros((4, 28, 28, 1), np.float32)).batch(4)
    history = gan.fit(ds, epochs=1, verbose=0).history
    assert np.isfinite(history["d_loss"][0]) and np.isfinite(history["g_loss"][0])
    assert all(w.dtype == "float32" for w in gan.generator.trainable_weights)


def test_mixed_float16_wraps_optimizers_in_loss_scaling():
    keras.mixed_precision.set_global_policy("mixed_float16")
    gan = _gan()
    gan.compile(g_optimizer=keras.optimizers.Adam(1e-3), d_optimizer="adam")
    assert isinstance(gan.g_optimizer, keras.optimizers.LossScaleOptimizer)
    assert isinstance(gan.d_optimizer, keras.optimizers.LossScaleOptimizer)
    ds = tf.data.Dataset.from_tensor_slices(np.zeros((8, 8, 8, 1), np.float32)).batch(8)
    assert np.isfinite(gan.fit(ds, epochs=1, verbose=0).history["d_loss"][0])


@pytest.mark.parametrize("flavor", ["DCGAN", "WGANGP"])
def test_keras_file_keeps_both_optimizers_so_a_loaded_model_trains_on_identically(flavor, tiny_images, tmp_path):
    import warnings

    # Dropout: its seed state is saved too, so the loaded model draws the original's next masks.
    critic = keras.Sequential([keras.Input((8, 8, 1)), keras.layers.Flatten(), keras.layers.Dropout(0.5),
                               keras.layers.Dense(1)])
    gan = getattr(tfgans, flavor)(tiny_generator(), critic, latent_dim=4, seed=0)
    gan.compile(g_optimizer=keras.optimizers.Adam(1e-3, beta_1=0.5),
                d_optimizer=keras.optimizers.Adam(2e-4, beta_1=0.5, beta_2=0.9))
    per_step = 4 * getattr(gan, "real_batches_per_step", 1)
    ds = tf.data.Dataset.from_tensor_slices(tiny_images).batch(per_step, drop_remainder=True).take(1)
    gan.fit(ds, epochs=1, verbose=0)
    path = str(tmp_path / "gan.keras")
    gan.save(path)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        loaded = keras.models.load_model(path)
    assert not [w for w in caught if "compile()" in str(w.message)]
    for mine, theirs in [(gan.g_optimizer, loaded.g_optimizer), (gan.d_optimizer, loaded.d_optimizer)]:
        assert type(theirs) is type(mine) and theirs.get_config() == mine.get_config()
        assert int(theirs.iterations.numpy()) == int(mine.iterations.numpy()) > 0
        for a, b in zip(mine.variables, theirs.variables):  # Adam's moments too
            np.testing.assert_array_equal(a.numpy(), b.numpy())
    gan.fit(ds, epochs=1, verbose=0)
    loaded.fit(ds, epochs=1, verbose=0)
    for a, b in zip(gan.get_weights(), loaded.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-7)


def test_a_dataset_without_a_single_batch_is_a_clear_error(tiny_images):
    gan = _gan()
    gan.compile()
    ds = tf.data.Dataset.from_tensor_slices(tiny_images).batch(64, drop_remainder=True)  # 32 images
    with pytest.raises(ValueError, match="no batch"):
        gan.fit(ds, epochs=1, verbose=0)
    assert int(gan.g_optimizer.iterations.numpy()) == 0


def test_the_generator_average_is_what_the_model_samples_and_exports(tiny_images, tmp_path):
    """g_ema_rate: a <- a + r (w - a) after each generator step, bias-corrected; synthesize, the export and a
    .keras reload use it, training the live weights."""
    gan = _gan(g_ema_rate=0.5)
    gan.compile(g_optimizer=keras.optimizers.Adam(5e-2), d_optimizer=keras.optimizers.Adam(5e-2))
    seen = []
    probe = keras.callbacks.LambdaCallback(
        on_train_batch_end=lambda batch, logs: seen.append([w.copy() for w in gan.generator.get_weights()]))
    ds = tf.data.Dataset.from_tensor_slices(tiny_images[:16]).batch(8)
    gan.fit(ds, epochs=1, verbose=0, callbacks=[probe])
    (w1, b1), (w2, b2) = seen
    # Two steps of rate 1/2 from a = 0: a = w1/4 + w2/2, corrected by 1 - (1/2)^2: (w1 + 2 w2) / 3.
    averaged = [a.numpy() for a in gan.g_ema.values()]
    np.testing.assert_allclose(averaged[0], (w1 + 2 * w2) / 3, rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(averaged[1], (b1 + 2 * b2) / 3, rtol=1e-5, atol=1e-7)

    z = gan.sample_latent(5, tf.constant([0, 0], tf.int64))
    live = gan.generator(z, training=False).numpy()
    images = gan.synthesize(z).numpy()
    dense = keras.activations.tanh(z.numpy() @ averaged[0] + averaged[1]).numpy().reshape(live.shape)
    np.testing.assert_allclose(images, dense, rtol=1e-5, atol=1e-6)
    assert not np.allclose(images, live, atol=1e-3)

    path = tfgans.export.save_generator(gan, str(tmp_path / "gen"))
    np.testing.assert_array_equal(tfgans.export.sample_images(tf.saved_model.load(path), 6, seed=2),
                                  tfgans.data.to_uint8(gan.generate(6, seed=2)).numpy())
    gan.save(str(tmp_path / "gan.keras"))
    loaded = keras.saving.load_model(str(tmp_path / "gan.keras"))
    assert loaded.g_ema_rate == 0.5
    np.testing.assert_allclose(loaded.synthesize(z).numpy(), images, rtol=1e-6)
    assert "g_ema" in gan.checkpoint_state()
    with pytest.raises(ValueError, match="rate must be in"):
        _gan(g_ema_rate=0.0)
    with pytest.raises(ValueError, match="pass g_ema_rate too"):
        _gan(g_ema_rampup=0.05)
    ramped = _gan(g_ema_rate=1e-3, g_ema_rampup=0.05)
    ramped.save(str(tmp_path / "ramped.keras"))
    assert keras.saving.load_model(str(tmp_path / "ramped.keras")).g_ema.rampup == 0.05
