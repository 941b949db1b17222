"""The preset table: every preset's nets fit its dataset, its data range matches its generator, names parse."""

import pytest
import tensorflow as tf
import keras

from conftest import REPO_ROOT
from tfgans import data, presets
from tfgans.models.base import output_range


@pytest.mark.parametrize("name", presets.names())
def test_preset_nets_fit_the_dataset_and_its_value_range(name):
    preset = presets.get(name)
    model = preset.make_model(seed=0)
    info = data.dataset_info(preset.dataset)
    assert model.image_shape == preset.image_shape  # the dataset's, or padded (CFG-GAN's MNIST)
    assert tuple(model.generator.output_shape[1:]) == preset.image_shape
    assert preset.image_shape[2] == info.image_shape[2] and preset.image_shape[0] >= info.image_shape[0]
    assert tuple(model.synthesize(keras.ops.zeros((1, model.latent_dim))).shape[1:]) == info.image_shape
    assert output_range(model.generator) == data.VALUE_RANGES[preset.value_range]
    # <flavor>-<dataset>-<source>; tfgans' own recipes are named by what they are (dcgan-fast).
    assert name.split("-")[-1] == preset.source or preset.source == "tfgans"
    assert preset.table and preset.description
    assert preset.dataset.split("_")[0] in name or preset.scales  # a recipe for any data names none
    g_opt, d_opt = preset.make_optimizers()
    model.compile(g_optimizer=g_opt, d_optimizer=d_opt)
    if not tf.config.list_physical_devices("GPU"):
        assert model.jit_compile is False  # Keras' "auto" never picks XLA on a CPU (8x slower there)
    assert float(keras.ops.convert_to_numpy(g_opt.learning_rate)) == pytest.approx(preset.g_lr)
    assert float(keras.ops.convert_to_numpy(d_opt.learning_rate)) == pytest.approx(preset.d_lr)


def test_sun_preset_has_the_reports_hyperparameters():
    p = presets.get("dcgan-mnist-sun")  # sec. 2.1.3: epoch 100, batch 256, G 1e-3, D 1e-4
    assert (p.batch_size, p.epochs, p.g_lr, p.d_lr, p.latent_dim) == (256, 100, 1e-3, 1e-4, 100)
    assert presets.get("dcgan-svhn-sun").epochs == 200  # sec. 3.1.3


def test_unknown_preset_suggests_close_names():
    with pytest.raises(ValueError, match="Did you mean dcgan-mnist-sun"):
        presets.get("dcgan-mnist-su")


def test_readme_preset_table_is_the_generated_one():
    readme = (REPO_ROOT / "README.md").read_text()
    start = readme.index("<!-- presets-table")
    table = readme[readme.index("\n", start) + 1: readme.index("<!-- /presets-table -->")].strip()
    assert table == presets.markdown_table(), "README is stale: paste `tfgans presets --markdown` into it"
    assert len(table.splitlines()) == 2 + len(presets.names())


def test_load_data_without_a_model_batches_what_the_flavor_takes_per_step(tfds_dir):
    # CFG-GAN: T x U = 15 batches of 64, MNIST padded to 32x32; WGAN: n_critic = 5 batches of 256.
    cfg = presets.get("cfggan-mnist-johnson").load_data(tfds_dir, split="test[:1000]")
    assert cfg.element_spec.shape.as_list() == [960, 32, 32, 1]
    assert presets.get("wgan-mnist-sun").load_data(tfds_dir).element_spec.shape.as_list() == [1280, 28, 28, 1]
    assert presets.get("dcgan-mnist-sun").load_data(tfds_dir).element_spec.shape.as_list() == [256, 28, 28, 1]
