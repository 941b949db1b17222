"""SavedModel export: identical images after the round trip, every image path through ``synthesize``, float16
weights, shipped generators, clear errors. That every flavor's export serves, in a process without tfgans, the
images the model generates is tests/test_flavors.py's ``export`` check."""

import json
import os

import numpy as np
import pytest
import tensorflow as tf
import keras

import tfgans
from tfgans import export
from conftest import tiny_discriminator, tiny_generator


@pytest.fixture
def gan():
    model = tfgans.GAN(tiny_generator(), tiny_discriminator(), latent_dim=4, seed=3,
                       latent_distribution="uniform", latent_range=(0.0, 1.0))
    model.compile()
    return model


def test_round_trip_gives_identical_images(gan, tmp_path):
    path = export.save_generator(gan, str(tmp_path / "gen"))
    loaded = tf.saved_model.load(path)
    z = np.random.default_rng(0).uniform(size=(5, 4)).astype("float32")
    served = loaded.signatures["serving_default"](z=tf.constant(z))["images"].numpy()
    expected = tfgans.data.to_uint8(gan.generator(z, training=False), (-1, 1)).numpy()
    assert served.dtype == np.uint8 and served.shape == (5, 8, 8, 1)
    np.testing.assert_array_equal(served, expected)
    # The count-and-seed signature draws from the model's prior exactly as GANModel.generate does.
    sampled = export.sample_images(loaded, 6, seed=11)
    np.testing.assert_array_equal(sampled, tfgans.data.to_uint8(gan.generate(6, seed=11)).numpy())
    assert not np.array_equal(sampled, export.sample_images(loaded, 6, seed=12))
    meta = json.load(open(os.path.join(path, export.METADATA_FILE)))
    assert meta["latent_dim"] == 4 and meta["latent_distribution"] == "uniform" and meta["value_range"] == [-1, 1]


def test_bare_generator_export_needs_a_known_range(tmp_path):
    import keras

    linear = keras.Sequential([keras.Input((4,)), keras.layers.Dense(64), keras.layers.Reshape((8, 8, 1))])
    with pytest.raises(ValueError, match="neither tanh, sigmoid nor softplus. Pass value_range"):
        export.save_generator(linear, str(tmp_path / "g"))
    path = export.save_generator(linear, str(tmp_path / "g"), value_range=(0, 1))
    assert export.sample_images(tf.saved_model.load(path), 2).shape == (2, 8, 8, 1)


def test_loading_something_that_is_not_a_saved_model_is_a_clear_error(tmp_path):
    with pytest.raises(FileNotFoundError, match="not a SavedModel directory"):
        export.load_generator(str(tmp_path))


def test_shipped_generators_are_found_by_preset_name(gan, tmp_path, monkeypatch, capsys):
    zoo = tmp_path / "zoo"
    export.save_generator(gan, str(zoo / "dcgan_mnist_fast"))
    monkeypatch.setenv("TFGANS_ZOO", str(zoo))
    assert export.shipped() == {"dcgan-fast": str(zoo / "dcgan_mnist_fast")}  # an earlier name stands for it
    np.testing.assert_array_equal(export.sample_images(export.load_generator("dcgan-mnist-fast"), 4, seed=1),
                                  tfgans.data.to_uint8(gan.generate(4, seed=1)).numpy())
    grid = tmp_path / "grid.png"
    assert tfgans.cli.main(["sample", "dcgan-mnist-fast", "--n", "4", "--out", str(grid)]) == 0 and grid.exists()
    images = tfgans.evaluation.load_generator_images("dcgan-mnist-fast", 3, seed=1)  # what `tfgans evaluate` reads
    assert images.shape == (3, 8, 8, 1)
    with pytest.raises(FileNotFoundError, match="No pretrained generator of preset 'dcgan-mnist-sun' is shipped"):
        export.load_generator("dcgan-mnist-sun")
    assert tfgans.cli.main(["sample", "dcgan-mnist-sun", "--out", str(tmp_path / "x.png")]) != 0
    assert "tfgans train --preset dcgan-mnist-sun" in capsys.readouterr().err


def test_export_stores_each_weight_once(tmp_path):
    gan = tfgans.DCGAN(tiny_generator(latent_dim=16, image_shape=(16, 16, 1)), tiny_discriminator((16, 16, 1)),
                       latent_dim=16)
    path = tfgans.export.save_generator(gan, str(tmp_path / "g"))
    weight_bytes = 4 * gan.generator.count_params()
    stored = sum(f.stat().st_size for f in (tmp_path / "g" / "variables").iterdir())
    assert weight_bytes <= stored < 1.5 * weight_bytes, (stored, weight_bytes)
    assert tfgans.export.sample_images(tfgans.export.load_generator(path), 2).shape == (2, 16, 16, 1)


class _MovedGAN(tfgans.GAN):
    """A flavor whose images are more than its generator: one functional-gradient step on D, as CFG-GAN's
    composite takes T of them. Everything that draws images must show these, not the bare generator's."""

    def synthesize(self, z):
        x = self.generator(z, training=False)
        with tf.GradientTape() as tape:
            tape.watch(x)
            total = tf.reduce_sum(self.discriminator(x, training=False))
        return tf.clip_by_value(x + 0.5 * tape.gradient(total, x), -1.0, 1.0)


def test_every_image_path_draws_through_synthesize(tmp_path):
    from tfgans import callbacks, sampling

    gan = _MovedGAN(tiny_generator(), tiny_discriminator(), latent_dim=4, seed=3)
    gan.compile()
    gan.discriminator.layers[-1].kernel.assign(tf.fill([64, 1], 0.1))  # a D whose gradient moves images visibly
    z = np.random.default_rng(0).normal(size=(5, 4)).astype("float32")
    moved = tfgans.data.to_uint8(gan.synthesize(tf.constant(z))).numpy()
    bare = tfgans.data.to_uint8(gan.generator(z, training=False)).numpy()
    assert not np.array_equal(moved, bare)
    # generate, evaluation's sampling rule, the sample grid and both export signatures.
    np.testing.assert_array_equal(sampling.sample_generator(gan, 6, seed=2),
                                  tfgans.data.to_uint8(gan.generate(6, seed=sampling._chunk_seed(2, 0))).numpy())
    grid = callbacks.SampleGrid(str(tmp_path / "samples"), num_samples=4)
    grid.set_model(gan)
    grid.on_train_begin()
    grid.on_epoch_end(0)
    expected_grid = tfgans.images.make_grid(tfgans.data.to_uint8(gan.synthesize(grid.latents)).numpy())
    from PIL import Image

    np.testing.assert_array_equal(np.asarray(Image.open(grid.last_path)), expected_grid[..., 0])
    path = export.save_generator(gan, str(tmp_path / "gen"))
    loaded = tf.saved_model.load(path)
    np.testing.assert_array_equal(loaded.signatures["serving_default"](z=tf.constant(z))["images"].numpy(), moved)
    np.testing.assert_array_equal(export.sample_images(loaded, 6, seed=11),
                                  tfgans.data.to_uint8(gan.generate(6, seed=11)).numpy())


@pytest.mark.parametrize("flavor", [tfgans.GAN, _MovedGAN])
def test_float16_weights_halve_the_export_and_shift_images_by_at_most_one_level(flavor, tmp_path):
    # A discriminator four times the generator's size, so that storing it by mistake would show.
    discriminator = keras.Sequential([keras.Input((16, 16, 1)), keras.layers.Flatten(), keras.layers.Dense(64),
                                      keras.layers.Dense(1)])
    gan = flavor(tiny_generator(latent_dim=16, image_shape=(16, 16, 1)), discriminator, latent_dim=16, seed=0)
    full = export.sample_images(export.load_generator(export.save_generator(gan, str(tmp_path / "f32"))), 64)
    half = export.load_generator(export.save_generator(gan, str(tmp_path / "f16"), weights_dtype="float16"))
    # The weights the images read, stored once at 2 bytes: the generator's, and the discriminator's only
    # where a gradient step on it moves the images.
    weight_bytes = 2 * (gan.generator.count_params() + (flavor is _MovedGAN) * gan.discriminator.count_params())
    stored = sum(f.stat().st_size for f in (tmp_path / "f16" / "variables").iterdir())
    assert weight_bytes <= stored < 1.5 * weight_bytes, (stored, weight_bytes)
    difference = np.abs(export.sample_images(half, 64).astype(int) - full)
    assert difference.max() <= 1 and difference.mean() < 0.05
    assert json.load(open(tmp_path / "f16" / export.METADATA_FILE))["weights_dtype"] == "float16"
    with pytest.raises(ValueError, match="weights_dtype must be one of"):
        export.save_generator(gan, str(tmp_path / "bf16"), weights_dtype="bfloat16")
    assert not (tmp_path / "bf16").exists()
