"""CFG-GAN (Johnson & Zhang 2018): the composite's steps by hand, the copies, the approximation, resume, float16,
the preset through ``tfgans train``. What every flavor must do (config, ``.keras``, export, XLA, bfloat16, two
replicas) is tests/test_flavors.py's."""

import numpy as np
import pytest
import tensorflow as tf
import keras

import tfgans
from tfgans import export
from tfgans.nets import johnson

SHAPE = (8, 8, 1)


def linear_d():
    return keras.Sequential([keras.Input(SHAPE), keras.layers.Flatten(), keras.layers.Dense(1)], name="linear_d")


def small_gan(d=None, **kwargs):
    g = johnson.dcganx_approximator(4, (16, 16, 1), width=4, depth=2) if d is None else \
        keras.Sequential([keras.Input((4,)), keras.layers.Dense(64, activation="tanh"), keras.layers.Reshape(SHAPE)])
    d = d or johnson.dcganx_discriminator((16, 16, 1), width=4, depth=2)
    options = dict(latent_dim=4, num_steps=3, eta=0.5, num_targets=16, approx_epochs=2, approx_batch_size=8, seed=0)
    gan = tfgans.CFGGAN(g, d, **{**options, **kwargs})
    gan.compile()
    return gan


def set_linear(d, w, b=0.0):
    d.layers[-1].kernel.assign(np.reshape(w, (-1, 1)).astype("float32"))
    d.layers[-1].bias.assign([b])


def test_a_linear_discriminator_moves_images_by_eta_w_per_step():
    gan = small_gan(linear_d(), eta=0.25)
    w = np.random.default_rng(0).normal(size=64).astype("float32")
    set_linear(gan.discriminator, w, b=3.0)
    for t in range(3):
        gan._store_copy(t)
    x = tf.random.stateless_normal([5, *SHAPE], seed=[1, 2])
    step = 0.25 * w.reshape(SHAPE)
    np.testing.assert_allclose(gan.move(x, 1), x + step, atol=1e-5)
    np.testing.assert_allclose(gan.move(x, 3), x + 3 * step, atol=1e-5)  # T * eta * w over T steps


def test_copies_are_distinct_frozen_and_applied_in_order():
    gan = small_gan(linear_d(), eta=1.0)
    ws = [np.full(64, v, "float32") for v in (1.0, 10.0, 100.0)]
    for t, w in enumerate(ws):
        set_linear(gan.discriminator, w)
        gan._store_copy(t)
    set_linear(gan.discriminator, np.full(64, -7.0, "float32"))  # a later D update: the copies keep theirs
    x = tf.zeros([2, *SHAPE])
    for k, expected in ((0, 0.0), (1, 1.0), (2, 11.0), (3, 111.0)):  # D_0 first, then D_1, ...
        np.testing.assert_allclose(gan.move(x, k), np.full((2, *SHAPE), expected), atol=1e-4)


def test_the_approximation_lowers_its_loss_and_restarts_its_optimizer_each_stage():
    gan = small_gan(approx_epochs=4)
    z = tf.random.stateless_normal([16, 4], seed=[0, 1])
    targets = tf.random.stateless_uniform([16, 16, 16, 1], seed=[0, 2], minval=-0.5, maxval=0.5)
    before = float(tf.reduce_sum(tf.square(gan.generator(z, training=True) - targets)) / 2 / 16)
    run = tf.function(lambda: gan._approximate(z, targets, tf.constant([3, 4], tf.int64)))
    first, second = run(), run()
    assert float(first["loss"]) < before
    # Nothing carries over between calls (a fresh RMSprop each stage): the same inputs give the same weights.
    for a, b in zip(tf.nest.flatten(first["weights"]), tf.nest.flatten(second["weights"])):
        np.testing.assert_array_equal(a, b)


def test_the_learning_rate_is_cut_on_a_rising_epoch_loss_at_most_three_times():
    z = tf.random.stateless_normal([16, 4], seed=[0, 1])
    targets = tf.random.stateless_uniform([16, 16, 16, 1], seed=[0, 2], minval=-0.5, maxval=0.5)
    wild = small_gan(approx_epochs=8, approx_decay=0.5)
    wild.g_optimizer.learning_rate.assign(50.0)  # steps so large the epoch loss keeps rising
    result = tf.function(lambda: wild._approximate(z, targets, tf.constant([3, 4], tf.int64)))()
    assert int(result["decays"]) == 3 and float(result["learning_rate"]) == pytest.approx(50.0 * 0.5 ** 3)
    # One full-batch minibatch of a net without batch norm and small steps: the loss falls every epoch.
    g = keras.Sequential([keras.Input((4,)), keras.layers.Dense(256, activation="tanh"),
                          keras.layers.Reshape((16, 16, 1))])
    calm = tfgans.CFGGAN(g, johnson.dcganx_discriminator((16, 16, 1), width=4, depth=2), latent_dim=4,
                         num_steps=3, num_targets=16, approx_epochs=3, approx_batch_size=16, seed=0)
    calm.compile()
    calm.g_optimizer.learning_rate.assign(1e-4)
    result = tf.function(lambda: calm._approximate(z, targets, tf.constant([3, 4], tf.int64)))()
    assert int(result["decays"]) == 0 and float(result["learning_rate"]) == pytest.approx(1e-4)


def test_fit_runs_stages_logs_the_papers_quantities_and_samples_the_composite():
    gan = small_gan(crop=(14, 14))
    images = np.random.default_rng(0).uniform(-1, 1, (2 * 3 * 8, 16, 16, 1)).astype("float32")
    ds = tf.data.Dataset.from_tensor_slices(images).batch(3 * 8, drop_remainder=True)  # T batches per stage
    g_before = [w.numpy().copy() for w in gan.generator.trainable_weights]
    history = gan.fit(ds, epochs=1, verbose=0).history
    assert set(history) == {"d_loss", "g_loss", "g_approx", "ave_update", "g_norm", "d_norm"}
    assert all(np.isfinite(v[0]) for v in history.values()) and history["ave_update"][0] > 0
    assert float(gan.initialized.numpy()) == 1.0 and int(gan.d_optimizer.iterations) == 2 * 3
    assert any(not np.allclose(a, b.numpy()) for a, b in zip(g_before, gan.generator.trainable_weights))
    z = tf.random.stateless_normal([4, 4], seed=[5, 6])
    images = gan.synthesize(z)
    assert images.shape == (4, 14, 14, 1)  # the composite, cropped
    # G~'s images moved T steps along the stage's copies: not G~'s own.
    assert not np.allclose(images, gan.crop_images(gan.generator(z, training=False)), atol=1e-3)


def test_resume_takes_the_stage_an_uninterrupted_run_takes(tmp_path):
    from tfgans.callbacks import Checkpoint

    images = np.random.default_rng(0).uniform(-1, 1, (2 * 3 * 8, 16, 16, 1)).astype("float32")
    ds = tf.data.Dataset.from_tensor_slices(images).batch(3 * 8, drop_remainder=True)
    keras.utils.set_random_seed(0)
    straight = small_gan()
    straight.fit(ds, epochs=2, verbose=0)
    keras.utils.set_random_seed(0)
    first = small_gan()
    first.fit(ds, epochs=1, verbose=0, callbacks=[Checkpoint(str(tmp_path))])
    keras.utils.set_random_seed(1)  # other initial weights: everything must come from the checkpoint
    resumed = small_gan()
    resumed.fit(ds, epochs=2, verbose=0, callbacks=[Checkpoint(str(tmp_path))])
    for a, b in zip(straight.weights + straight.copies, resumed.weights + resumed.copies):
        np.testing.assert_allclose(a.numpy(), b.numpy(), atol=1e-5)


def test_bad_settings_are_clear_errors():
    with pytest.raises(ValueError, match="eta must be positive"):
        small_gan(eta=0.0)
    with pytest.raises(ValueError, match="num_steps must be an integer >= 1"):
        small_gan(num_steps=0)
    with pytest.raises(ValueError, match="num_targets=20 must be a multiple of approx_batch_size=8"):
        small_gan(num_targets=20)
    sigmoid = keras.Sequential([keras.Input(SHAPE), keras.layers.Flatten(), keras.layers.Dense(1, activation="sigmoid")])
    with pytest.raises(ValueError, match="ends in a sigmoid"):
        small_gan(sigmoid)
    gan = small_gan()
    short = tf.data.Dataset.from_tensor_slices(np.zeros((20, 16, 16, 1), "float32")).batch(20)
    with pytest.raises((ValueError, tf.errors.InvalidArgumentError),
                       match="not a multiple of num_steps \\* d_updates=3"):
        gan.fit(short, epochs=1, verbose=0)


def test_a_stage_runs_under_mixed_float16():
    keras.mixed_precision.set_global_policy("mixed_float16")  # mixed_bfloat16: tests/test_flavors.py
    gan = small_gan()
    images = np.random.default_rng(0).uniform(-1, 1, (3 * 8, 16, 16, 1)).astype("float32")
    history = gan.fit(tf.data.Dataset.from_tensor_slices(images).batch(3 * 8), epochs=1, verbose=0).history
    assert all(np.isfinite(v[0]) for v in history.values())
    assert gan.generate(2).dtype == tf.float32 and np.isfinite(gan.generate(2)).all()


@pytest.mark.slow
def test_tfgans_train_runs_a_cfggan_preset_with_grids_checkpoints_resume_and_export(tfds_dir, tmp_path,
                                                                                    monkeypatch, capsys):
    from tfgans import cli, presets

    name = "cfggan-mnist-zhu"
    small = presets.get(name).replace(
        generator=lambda: johnson.dcganx_approximator(100, (32, 32, 1), width=2, depth=3),
        discriminator=lambda: johnson.dcganx_discriminator((32, 32, 1), width=2, depth=3, batch_norm=False),
        flavor_kwargs={**presets.get(name).flavor_kwargs, "num_steps": 2, "num_targets": 8, "approx_epochs": 1,
                       "approx_batch_size": 4})
    monkeypatch.setitem(presets.PRESETS, name, small)
    out = str(tmp_path / "run")
    argv = ["train", "--preset", name, "--out", out, "--data-dir", tfds_dir, "--epochs", "1",
            "--steps-per-epoch", "2", "--batch-size", "4", "--num-samples", "4", "--verbose", "0"]
    assert cli.main(argv) == 0
    assert (tmp_path / "run" / "samples" / "epoch_0001.png").exists()
    images = export.sample_images(export.load_generator(out + "/generator"), 3, seed=0)
    assert images.shape == (3, 28, 28, 1)  # the composite, cropped to MNIST's size from the padded 32x32
    capsys.readouterr()
    assert cli.main(argv[:8] + ["2"] + argv[9:]) == 0  # two epochs: resumes after the first
    assert "resumed from" in capsys.readouterr().out
