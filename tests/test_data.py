"""Data pipelines: real MNIST from the offline dir, CIFAR-10 / SVHN shapes on tfds mock data, clear errors."""

import numpy as np
import pytest
import tensorflow as tf
import tensorflow_datasets as tfds

from tfgans import clusters, data


def test_mnist_batches_are_float_images_in_tanh_range(tfds_dir):
    ds = data.load("mnist", batch_size=64, data_dir=tfds_dir, split="test[:200]", seed=0)
    batches = list(ds.as_numpy_iterator())
    assert len(batches) == 3  # 200 // 64, remainder dropped
    x = batches[0]
    assert x.shape == (64, 28, 28, 1) and x.dtype == np.float32
    assert x.min() == pytest.approx(-1.0) and x.max() == pytest.approx(1.0)


def test_sigmoid_range_and_labels(tfds_dir):
    x, y = next(iter(data.load("mnist", 32, data_dir=tfds_dir, split="test[:64]", value_range="sigmoid",
                               with_labels=True)))
    assert x.shape == (32, 28, 28, 1) and y.shape == (32,)
    assert float(tf.reduce_min(x)) == 0.0 and float(tf.reduce_max(x)) == 1.0
    assert set(np.unique(y.numpy())) <= set(range(10))


def test_tfds_data_dir_environment_variable(tfds_dir, monkeypatch):
    monkeypatch.setenv("TFDS_DATA_DIR", tfds_dir)
    x = next(iter(data.load("fashion_mnist", 8, split="test[:16]")))
    assert x.shape == (8, 28, 28, 1)


def test_scale_and_to_uint8_are_inverse():
    pixels = tf.constant(np.arange(256, dtype=np.uint8).reshape(1, 16, 16, 1))
    for value_range in ("tanh", "sigmoid", (-3.0, 5.0)):
        assert np.array_equal(data.to_uint8(data.scale_images(pixels, value_range), value_range), pixels)


@pytest.mark.parametrize("name, shape", [("cifar10", (32, 32, 3)), ("svhn", (32, 32, 3))])
def test_cifar10_and_svhn_pipelines_on_mock_data(name, shape, tmp_path):
    with tfds.testing.mock_data(num_examples=20):
        ds = data.load(name, batch_size=8, data_dir=str(tmp_path), with_labels=True)
        x, y = next(iter(ds))
    assert x.shape == (8,) + shape and x.dtype == tf.float32
    assert float(tf.reduce_min(x)) >= -1.0 and float(tf.reduce_max(x)) <= 1.0
    assert y.shape == (8,)


def test_unknown_dataset_names_the_supported_ones():
    with pytest.raises(ValueError, match=r"Unknown dataset 'imagenet'.*mnist"):
        data.load("imagenet")


def test_missing_offline_data_says_where_it_looked_and_how_to_fix(tmp_path):
    with pytest.raises(data.DatasetNotFoundError) as err:
        data.load("mnist", data_dir=str(tmp_path))
    message = str(err.value)
    assert "'mnist' is not prepared" in message and str(tmp_path) in message
    assert "data_dir" in message and "TFDS_DATA_DIR" in message and "download=True" in message


def test_bad_batch_size_and_value_range():
    with pytest.raises(ValueError, match="batch_size"):
        data.load("mnist", batch_size=0)
    with pytest.raises(ValueError, match="value_range"):
        data.scale_images(tf.zeros([1], tf.uint8), "relu")


def test_pad_to_pads_with_the_background_value_of_the_range(tfds_dir):
    padded = data.load("mnist", batch_size=4, data_dir=tfds_dir, shuffle=False, pad_to=32, split="test[:4]")
    plain = data.load("mnist", batch_size=4, data_dir=tfds_dir, shuffle=False, split="test[:4]")
    x, y = next(iter(padded)).numpy(), next(iter(plain)).numpy()
    assert x.shape == (4, 32, 32, 1)
    np.testing.assert_array_equal(x[:, 2:30, 2:30], y)
    assert (x[:, :2] == -1).all() and (x[:, :, 30:] == -1).all()  # the background of [-1, 1] data
    with pytest.raises(ValueError, match="pad_to=20 is smaller"):
        data.load("mnist", batch_size=4, data_dir=tfds_dir, pad_to=20)


def test_a_stream_started_at_batch_k_is_the_whole_stream_after_k_batches(tfds_dir):
    def batches(start, n):
        ds = data.load("mnist", 64, data_dir=tfds_dir, split="test[:200]", seed=3, start=start)
        return [b for b in ds.take(n).as_numpy_iterator()]

    whole = batches(0, 7)  # 3 batches per epoch: epochs 0, 1 and a batch of epoch 2
    for k in (1, 3, 4):
        for a, b in zip(whole[k:], batches(k, 7 - k)):
            np.testing.assert_array_equal(a, b)
    assert not np.array_equal(whole[0], whole[3])  # each epoch has its own order
    assert data.batches_per_epoch("mnist", 64, split="test[:200]", data_dir=tfds_dir) == 3
    with pytest.raises(ValueError, match="start must be"):
        data.load("mnist", 64, data_dir=tfds_dir, split="test[:200]", start=-1)


def test_a_semisupervised_stream_started_at_batch_k_is_the_whole_stream_after_k_batches():
    def batches(start, n):
        ds = data.load_semisupervised("mnist", 20, batch_size=30, seed=1, start=start)
        return [b for b in ds.take(n).as_numpy_iterator()]

    with tfds.testing.mock_data(num_examples=250):
        whole = batches(0, 20)  # 8 batches per epoch; the 20 labels repeat every 2/3 batch
        for k in (1, 8, 13):
            for a, b in zip(whole[k:], batches(k, 20 - k)):
                for key in a:
                    np.testing.assert_array_equal(a[key], b[key])
    assert not np.array_equal(whole[0]["x_unl"], whole[8]["x_unl"])
    assert not np.array_equal(whole[0]["x_unl"], whole[0]["x_unl2"])


def test_every_pipeline_shards_by_examples_and_runs_without_the_autotune_thread(tfds_dir):
    # Autotuning off: TensorFlow 2.21 deletes an autotuned iterator only when its autotune thread wakes.
    with tfds.testing.mock_data(num_examples=64):
        semisupervised = data.load_semisupervised("mnist", 20, batch_size=8, seed=1)
    pipelines = [data.load("mnist", 8, data_dir=tfds_dir, split="test[:64]"),
                 data.load("mnist", 8, data_dir=tfds_dir, split="test[:64]", start=2, with_labels=True),
                 semisupervised]
    for ds in pipelines:
        options = ds.options()
        assert options.autotune.enabled is False
        assert options.experimental_distribute.auto_shard_policy == tf.data.experimental.AutoShardPolicy.DATA
        # With these options each pipeline still yields its full batches of 8 (images, labels, or the dict's).
        first = next(iter(ds))
        assert [int(t.shape[0]) for t in tf.nest.flatten(first)] == [8] * len(tf.nest.flatten(first)), first
        assert all(tf.nest.flatten(tf.nest.map_structure(lambda spec, t: spec.is_compatible_with(t),
                                                         ds.element_spec, first))), (ds.element_spec, first)


def test_cluster_labels_are_balanced_k_means_ids_of_the_split(tfds_dir):
    ds = data.load("mnist", 100, split="train[:500]", data_dir=tfds_dir, cluster_labels=5, shuffle=False)
    images, labels = map(np.concatenate, zip(*[(x.numpy(), y.numpy()) for x, y in ds]))
    assert images.shape == (500, 28, 28, 1) and labels.dtype == np.int64
    assert sorted(np.bincount(labels)) == [100] * 5
    np.testing.assert_array_equal(labels, clusters.cluster_labels(data.to_uint8(images).numpy(), 5))
    resumed = data.load("mnist", 100, split="train[:500]", data_dir=tfds_dir, cluster_labels=5, seed=3, start=7)
    stream = data.load("mnist", 100, split="train[:500]", data_dir=tfds_dir, cluster_labels=5, seed=3, start=0)
    for (x, y), (x2, y2) in zip(resumed.take(3), stream.skip(7).take(3)):
        np.testing.assert_array_equal(y, y2)
        np.testing.assert_array_equal(x, x2)
    with pytest.raises(ValueError, match="with_labels .* or cluster_labels"):
        data.load("mnist", 100, split="train[:500]", data_dir=tfds_dir, cluster_labels=5, with_labels=True)
