"""GAN / DCGAN flavor: the algorithm's effects, trackers, options, errors, float16 loss scaling, the generator
average. What every flavor must do (config, ``.keras``, export, XLA, bfloat16, two replicas) is
tests/test_flavors.py's."""

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


def test_metrics_reset_every_epoch(tiny_images):
    gan = _gan()
    gan.compile()
    counts = []
    # Keras resets the trackers listed in `metrics` before each epoch begins.
    probe = keras.callbacks.LambdaCallback(
        on_epoch_begin=lambda epoch, logs: counts.append(float(gan.trackers["d_loss"].count)))
    ds = tf.data.Dataset.from_tensor_slices(tiny_images[:16]).batch(8)
    history = gan.fit(ds, epochs=2, verbose=0, callbacks=[probe]).history
    assert set(history) == {"d_loss", "g_loss"} and len(history["d_loss"]) == 2
    assert counts == [0.0, 0.0]
    assert float(gan.trackers["d_loss"].count) == 2.0  # the second epoch's two batches only


def test_labelled_batches_train_as_their_images_alone(tiny_images):
    plain, labelled = _gan(), _gan()
    labelled.set_weights(plain.get_weights())
    for gan in (plain, labelled):
        gan.compile(g_optimizer=keras.optimizers.SGD(0.1), d_optimizer=keras.optimizers.SGD(0.1))
    initial = plain.get_weights()
    labels = np.arange(16) % 10
    plain.fit(tf.data.Dataset.from_tensor_slices(tiny_images[:16]).batch(8), epochs=1, verbose=0)
    labelled.fit(tf.data.Dataset.from_tensor_slices((tiny_images[:16], labels)).batch(8), epochs=1, verbose=0)
    assert max(np.abs(a - b).max() for a, b in zip(plain.get_weights(), initial)) > 1e-3
    for got, want in zip(labelled.get_weights(), plain.get_weights()):
        np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-7)


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


@pytest.mark.parametrize("simultaneous", [False, True])
def test_gradient_norms_are_the_norms_of_the_steps_sgd_took_before_clipping(simultaneous, tiny_images):
    # Under SGD a step moves the weights by lr times the gradient it applied: its norm is ||w1 - w0|| / lr. With
    # clip_norm below it the step is the clipped one, and the norm logged is still the gradient's own.
    lr, logged, initial = 0.1, {}, None
    for clip_norm in (None, 1e-3):
        gan = _gan(grad_norms=True, simultaneous=simultaneous, clip_norm=clip_norm)
        initial = initial or gan.get_weights()
        gan.set_weights(initial)
        gan.compile(g_optimizer=keras.optimizers.SGD(lr), d_optimizer=keras.optimizers.SGD(lr))
        before = {net: [v.numpy() for v in getattr(gan, net).trainable_variables]
                  for net in ("generator", "discriminator")}
        history = gan.fit(tf.data.Dataset.from_tensors(tf.constant(tiny_images[:8])), epochs=1, verbose=0).history
        for net, name in (("generator", "g_norm"), ("discriminator", "d_norm")):
            moved = np.sqrt(sum(np.sum((v.numpy() - b) ** 2)
                                for v, b in zip(getattr(gan, net).trainable_variables, before[net])))
            assert moved / lr == pytest.approx(clip_norm or history[name][0], rel=1e-4)
            logged.setdefault(name, []).append(history[name][0])
    # The discriminator's gradient is taken on the same weights and batch in both runs: clipping changes nothing
    # it logs.
    assert logged["d_norm"][1] == pytest.approx(logged["d_norm"][0], rel=1e-5) and logged["d_norm"][1] > 1e-3
    assert "g_norm" not in _gan().trackers
    assert tfgans.GAN.from_config(_gan(grad_norms=True).get_config()).grad_norms
    with pytest.raises(ValueError, match="grad_norms"):
        tfgans.ACGAN(tiny_generator(), tiny_discriminator(), latent_dim=4, grad_norms=True)


def test_gradient_norms_are_the_global_batchs_on_two_replicas(two_replicas, tiny_images):
    # Each replica takes its slice of one global latent draw, so two replicas take the one-replica step: the norm
    # logged is the whole batch's gradient's, before clipping, on either.
    ds = tf.data.Dataset.from_tensors(tf.constant(tiny_images[:8]))
    one = _gan(grad_norms=True, clip_norm=1e-3)
    initial = one.get_weights()
    one.compile(g_optimizer=keras.optimizers.SGD(0.1), d_optimizer=keras.optimizers.SGD(0.1))
    expected = one.fit(ds, epochs=1, verbose=0).history
    with two_replicas.scope():
        two = _gan(grad_norms=True, clip_norm=1e-3)
        two.set_weights(initial)
        two.compile(g_optimizer=keras.optimizers.SGD(0.1), d_optimizer=keras.optimizers.SGD(0.1))
    got = two.fit(ds, epochs=1, verbose=0).history
    for name in ("d_norm", "g_norm"):
        assert got[name][0] == pytest.approx(expected[name][0], rel=1e-4) and got[name][0] > 1e-3


def test_a_step_with_a_non_finite_gradient_is_not_counted_in_the_gradient_norms(tiny_images):
    # What the loss scale of mixed_float16 skips: the norms' running means stay finite and count only real steps.
    gan = _gan(grad_norms=True)
    gan.compile(g_optimizer=keras.optimizers.SGD(0.0), d_optimizer=keras.optimizers.SGD(0.0))
    good = tf.constant(tiny_images[:8])
    bad = tf.tensor_scatter_nd_update(good, [[0, 0, 0, 0]], [np.inf])
    gan.fit(tf.data.Dataset.from_tensor_slices(tf.stack([good, good, bad])), epochs=1, verbose=0)
    assert float(gan.trackers["d_norm"].count) == 2.0 and np.isfinite(float(gan.trackers["d_norm"].result()))


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


@pytest.mark.parametrize("generator_loss", ["minimax", "non_saturating"])
def test_the_generator_loss_is_the_papers_through_the_updated_discriminator(generator_loss, tiny_images):
    """minimax: E[log(1 - D(G(z)))] (eq. 1); non-saturating: -E[log D(G(z))] (sec. 3). Algorithm 1 takes it on
    the step's second latent draw, through the discriminator its first update left."""
    gan = _gan(generator_loss=generator_loss)
    gan.compile(g_optimizer=keras.optimizers.SGD(0.1), d_optimizer=keras.optimizers.SGD(0.5))
    fake = gan.generator(gan.sample_latent(8, gan.step_seeds(2)[1])).numpy()  # the generator before its update
    d_before = gan.discriminator(fake).numpy()
    g_loss = gan.fit(tf.data.Dataset.from_tensors(tiny_images[:8]), epochs=1, verbose=0).history["g_loss"][0]
    d = 1.0 / (1.0 + np.exp(-gan.discriminator(fake).numpy().astype(np.float64)))  # D after its update
    expected = np.mean(np.log(1.0 - d)) if generator_loss == "minimax" else -np.mean(np.log(d))
    assert g_loss == pytest.approx(expected, rel=1e-5)
    assert not np.allclose(gan.discriminator(fake).numpy(), d_before)  # the discriminator did step first


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


def test_mixed_float16_wraps_optimizers_in_loss_scaling_and_takes_the_float32_step(tiny_images):
    gan = _gan(grad_norms=True)
    initial = gan.get_weights()
    gan.compile(g_optimizer=keras.optimizers.SGD(0.1), d_optimizer=keras.optimizers.SGD(0.1))
    ds = tf.data.Dataset.from_tensors(tiny_images[:8])
    full = gan.fit(ds, epochs=1, verbose=0).history
    keras.mixed_precision.set_global_policy("mixed_float16")
    half = _gan(grad_norms=True)
    half.set_weights(initial)
    half.compile(g_optimizer=keras.optimizers.SGD(0.1), d_optimizer="sgd")
    assert isinstance(half.g_optimizer, keras.optimizers.LossScaleOptimizer)
    assert isinstance(half.d_optimizer, keras.optimizers.LossScaleOptimizer)
    half.d_optimizer.inner_optimizer.learning_rate.assign(0.1)
    history = half.fit(ds, epochs=1, verbose=0).history
    assert np.isfinite(history["d_loss"][0]) and np.isfinite(history["g_loss"][0])
    # Neither step was skipped for an overflow, and the unscaled updates are the float32 ones up to float16's
    # rounding: a loss scale left in the gradients would make them thousands of times larger.
    assert int(half.g_optimizer.iterations) == int(half.d_optimizer.iterations) == 1
    assert all(w.dtype == "float32" for w in half.weights)
    for got, want, start in zip(half.get_weights(), gan.get_weights(), initial):
        np.testing.assert_allclose(got - start, want - start, rtol=0.05, atol=2e-3)
    for name in ("d_norm", "g_norm"):  # unscaled too
        assert history[name][0] == pytest.approx(full[name][0], rel=0.05)


def test_a_dataset_without_a_single_batch_is_a_clear_error(tiny_images):
    gan = _gan()
    gan.compile()
    ds = tf.data.Dataset.from_tensor_slices(tiny_images).batch(64, drop_remainder=True)  # 32 images
    with pytest.raises(ValueError, match="no batch"):
        gan.fit(ds, epochs=1, verbose=0)
    assert int(gan.g_optimizer.iterations.numpy()) == 0


def test_the_generator_average_is_what_the_model_samples(tiny_images):
    """g_ema_rate: a <- a + r (w - a) after each generator step, bias-corrected; synthesize uses it (and so do
    generate, the export and a .keras reload: tests/test_flavors.py's DCGAN), training the live weights."""
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
    np.testing.assert_array_equal(gan.generate(5, seed=0), images)
    assert "g_ema" in gan.checkpoint_state()
    with pytest.raises(ValueError, match="rate must be in"):
        _gan(g_ema_rate=0.0)
    with pytest.raises(ValueError, match="pass g_ema_rate too"):
        _gan(g_ema_rampup=0.05)
