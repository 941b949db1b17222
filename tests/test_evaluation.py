"""tfgans.evaluation: extractors, the Evaluator and its cache, the Evaluate callback, the evaluate CLI."""

import json
import os

import numpy as np
import pytest
import tensorflow as tf
import keras

import tfgans
from tfgans import data as data_lib
from tfgans import callbacks, classifier, evaluation, extractors, metrics


@pytest.fixture(scope="module")
def tiny_classifier_path(tmp_path_factory):
    """An untrained classifier with 8 features: cheap, and deterministic features for the plumbing."""
    keras.utils.set_random_seed(0)
    path = str(tmp_path_factory.mktemp("classifier") / "tiny.keras")
    evaluation.make_classifier(width=2, feature_dim=8).save(path)
    return path


@pytest.fixture
def tiny_extractor(tiny_classifier_path):
    return evaluation.load_classifier("mnist", tiny_classifier_path)


@pytest.fixture(autouse=True)
def _fresh_reference_cache():
    evaluation._MEMORY_CACHE.clear()
    yield
    evaluation._MEMORY_CACHE.clear()


def _random_images(n, seed=0, shape=(28, 28, 1)):
    return np.random.default_rng(seed).integers(0, 256, size=(n, *shape), dtype=np.uint8)


# --- the classifier ---------------------------------------------------------------------------------------


def test_make_classifier_has_named_features_and_logits():
    model = evaluation.make_classifier()
    assert model.get_layer("features").units == 128
    assert model.get_layer("features").activation.__name__ == "relu"
    assert model.get_layer("logits").units == 10
    assert model.get_layer("logits").activation.__name__ == "linear"
    assert model.layers[-1].name == "logits"
    assert model.output_shape == (None, 10)
    assert model.count_params() * 4 < 4e6  # a few MB at most on disk


def test_extractor_gives_features_and_logits_of_the_classifier(tiny_classifier_path, tiny_extractor):
    images = _random_images(5)
    features, logits = tiny_extractor(images)
    assert features.shape == (5, 8) and logits.shape == (5, 10)
    model = keras.saving.load_model(tiny_classifier_path)
    # the extractor scales uint8 to [-1, 1] itself, as the classifier was trained on tanh-range data
    expected = model(data_lib.scale_images(images, "tanh"), training=False).numpy()
    np.testing.assert_allclose(logits, expected, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("dataset, threshold", [("mnist", 0.990), ("fashion_mnist", 0.91)])
def test_shipped_classifier_records_required_test_accuracy(dataset, threshold):
    model_path = os.path.join(evaluation.CLASSIFIER_DIR, f"{dataset}.keras")
    with open(os.path.join(evaluation.CLASSIFIER_DIR, f"{dataset}.json")) as f:
        record = json.load(f)
    assert record["dataset"] == dataset
    assert record["test_accuracy"] >= threshold
    assert os.path.getsize(model_path) < 5 * 2**20
    assert record["sha256"] == classifier._file_hash(model_path)  # the record belongs to this file


def test_shipped_classifiers_are_package_data_so_a_plain_install_has_them():
    import configparser
    import fnmatch

    package_dir = os.path.dirname(os.path.abspath(tfgans.__file__))
    assert os.path.dirname(evaluation.SHIPPED_CLASSIFIER_DIR) == package_dir
    config = configparser.ConfigParser()
    config.read(os.path.join(os.path.dirname(package_dir), "setup.cfg"))
    patterns = [p.strip() for p in config["options.package_data"]["tfgans"].split(",")]
    for dataset in ("mnist", "fashion_mnist"):
        for suffix in (".keras", ".json"):
            name = f"classifiers/{dataset}{suffix}"
            assert os.path.isfile(os.path.join(package_dir, name))
            assert any(fnmatch.fnmatch(name, p) for p in patterns), f"{name} is not in setup.cfg package_data"


def test_shipped_mnist_classifier_classifies_test_images(tfds_dir):
    extractor = evaluation.load_extractor("mnist")
    ds = data_lib.load("mnist", 500, split="test", data_dir=tfds_dir, with_labels=True, shuffle=False)
    images, labels = next(iter(ds))
    images = data_lib.to_uint8(images, "tanh").numpy()
    features, logits = extractor(images)
    assert features.shape == (500, 128)
    assert np.mean(np.argmax(logits, axis=1) == labels.numpy()) >= 0.98


def test_train_classifier_refuses_rgb_datasets():
    with pytest.raises(ValueError, match="InceptionV3"):
        evaluation.train_classifier("cifar10")


def test_missing_classifier_says_how_to_train_it(tmp_path):
    with pytest.raises(evaluation.WeightsNotFoundError, match="tfgans classifier train mnist"):
        evaluation.load_classifier("mnist", str(tmp_path / "nope.keras"))


# --- InceptionV3 ------------------------------------------------------------------------------------------


@pytest.mark.slow
def test_inception_plumbing_with_random_weights():
    with pytest.warns(UserWarning, match="random weights"):
        extractor = evaluation.inception_extractor(weights=None, image_shape=(32, 32, 3), batch_size=2)
    assert extractor.fingerprint is None  # random weights are never cached on disk
    features, logits = extractor(_random_images(3, shape=(32, 32, 3)))
    assert features.shape == (3, 2048) and logits.shape == (3, 1000)
    assert np.all(np.isfinite(features)) and np.all(features >= 0)  # pool of ReLU activations
    with pytest.raises(evaluation.ImageFormatError, match=r"\[N, 32, 32, 3\]"):
        extractor(_random_images(2))


def test_inception_without_weights_says_how_to_get_them(tmp_path, monkeypatch):
    monkeypatch.delenv("TFGANS_INCEPTION_WEIGHTS", raising=False)
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras"))
    monkeypatch.setenv("HOME", str(tmp_path))
    with pytest.raises(evaluation.WeightsNotFoundError, match=r"keras.applications.InceptionV3\(\)"):
        evaluation.load_extractor("cifar10")
    with pytest.raises(evaluation.WeightsNotFoundError, match="does not exist"):
        evaluation.inception_weights_path(str(tmp_path / "missing.h5"))
    weights = tmp_path / "keras" / "models" / evaluation.INCEPTION_WEIGHTS_FILE
    weights.parent.mkdir(parents=True)
    weights.write_bytes(b"")
    assert evaluation.inception_weights_path() == str(weights)  # the Keras cache is found
    monkeypatch.setenv("TFGANS_INCEPTION_WEIGHTS", str(tmp_path / "elsewhere.h5"))
    with pytest.raises(evaluation.WeightsNotFoundError, match="TFGANS_INCEPTION_WEIGHTS"):
        evaluation.inception_weights_path()


# --- bad images -------------------------------------------------------------------------------------------


def test_float_images_are_refused_with_the_fix(tiny_extractor):
    images = _random_images(4).astype(np.float32) / 127.5 - 1.0
    with pytest.raises(evaluation.ImageFormatError, match="to_uint8"):
        tiny_extractor(images)
    # with their range they are converted, and give the figures of the uint8 images
    np.testing.assert_allclose(tiny_extractor(images, value_range=(-1, 1))[1],
                               tiny_extractor(data_lib.to_uint8(images, (-1, 1)))[1], rtol=1e-6)
    with pytest.raises(evaluation.ImageFormatError, match="outside value_range"):
        tiny_extractor(images * 255.0, value_range=(-1, 1))


def test_wrong_image_shape_is_refused(tiny_extractor):
    with pytest.raises(evaluation.ImageFormatError, match=r"\[N, 28, 28, 1\]; got shape \[2, 32, 32, 3\]"):
        tiny_extractor(_random_images(2, shape=(32, 32, 3)))
    features, _ = tiny_extractor(_random_images(2)[..., 0])  # [N, 28, 28]: the channel axis is implied
    assert features.shape[0] == 2


# --- the Evaluator ----------------------------------------------------------------------------------------


def test_real_split_against_itself(tfds_dir, tiny_extractor):
    evaluator = evaluation.Evaluator("mnist", tfds_dir, num_samples=200, extractor=tiny_extractor)
    real = data_lib.load_images("mnist", split="test", data_dir=tfds_dir, num_examples=200)
    results = evaluator.evaluate_images(real)
    assert set(results) == {"fid", "kid", "kid_std", "is", "is_std", "precision", "recall"}
    assert abs(results["fid"]) < 1e-6
    assert results["precision"] == 1.0 and results["recall"] == 1.0
    noise = evaluator.evaluate_images(_random_images(200))
    assert noise["fid"] > 1e-3 and noise["kid"] > results["kid"] and noise["precision"] < 1.0


def test_class_confidences_are_asked_for_and_refused_for_many_classes(tfds_dir, tiny_extractor):
    evaluator = evaluation.Evaluator("mnist", tfds_dir, num_samples=100, extractor=tiny_extractor,
                                     metrics=["fid", "classes"])
    real = data_lib.load_images("mnist", split="test", data_dir=tfds_dir, num_examples=100)
    features, logits = tiny_extractor(real)
    results = evaluator.evaluate_images(real)
    assert set(results) == {"fid"} | {f"conf_{c}" for c in range(tiny_extractor.num_classes)}
    np.testing.assert_allclose([results[f"conf_{c}"] for c in range(tiny_extractor.num_classes)],
                               metrics.class_confidence(logits).numpy())
    many = evaluation.FeatureExtractor(keras.Model(tiny_extractor.model.inputs, [
        tiny_extractor.model.outputs[0], keras.layers.Dense(11)(tiny_extractor.model.outputs[0])]),
        tiny_extractor.image_shape, tiny_extractor.preprocess, "eleven-class net")
    with pytest.raises(ValueError, match="at most 10; the eleven-class net has 11"):
        evaluation.Evaluator("mnist", tfds_dir, num_samples=100, extractor=many, metrics=["classes"])
    with pytest.raises(ValueError, match="Unknown metrics"):
        evaluation.check_metrics("fid,klasses")


def test_evaluator_figures_match_metrics_on_extracted_features(tfds_dir, tiny_extractor):
    evaluator = evaluation.Evaluator("mnist", tfds_dir, num_samples=100, extractor=tiny_extractor,
                                     metrics=["fid", "precision"])
    fake = _random_images(100, seed=4)
    results = evaluator.evaluate_images(fake)
    assert set(results) == {"fid", "precision"}
    real_features, _ = tiny_extractor(data_lib.load_images("mnist", split="test", data_dir=tfds_dir,
                                                           num_examples=100))
    fake_features, _ = tiny_extractor(fake)
    assert results["fid"] == pytest.approx(
        float(metrics.frechet_distance_from_activations(real_features, fake_features)), rel=1e-9)
    assert results["precision"] == float(metrics.precision_recall(real_features, fake_features)[0])


def test_reference_is_computed_once_and_cached(tfds_dir, tiny_extractor, monkeypatch, tmp_path):
    calls = []
    load_images = data_lib.load_images

    def counting_load_images(*args, **kwargs):
        calls.append(kwargs.get("split"))
        return load_images(*args, **kwargs)

    monkeypatch.setattr(data_lib, "load_images", counting_load_images)
    kwargs = dict(data_dir=tfds_dir, num_samples=50, extractor=tiny_extractor, cache_dir=str(tmp_path))
    evaluator = evaluation.Evaluator("mnist", **kwargs)
    first = evaluator.evaluate_images(_random_images(50))
    evaluator.evaluate_images(_random_images(50, seed=1))
    evaluation.Evaluator("mnist", **kwargs).evaluate_images(_random_images(50))  # memory cache
    assert calls == ["test"]
    assert len(list(tmp_path.glob("mnist-test-50-*.npz"))) == 1
    evaluation._MEMORY_CACHE.clear()
    again = evaluation.Evaluator("mnist", **kwargs).evaluate_images(_random_images(50))  # disk cache
    assert calls == ["test"]
    assert again == first
    evaluation.Evaluator("mnist", **{**kwargs, "num_samples": 60}).evaluate_images(_random_images(60))
    assert calls == ["test", "test"]  # another sample count is another reference


def test_too_few_samples_for_the_covariance_warns_with_the_number_needed(tfds_dir, tiny_classifier_path,
                                                                         tmp_path):
    path = str(tmp_path / "wide.keras")
    evaluation.make_classifier(width=2, feature_dim=32).save(path)
    extractor = evaluation.load_classifier("mnist", path)
    evaluator = evaluation.Evaluator("mnist", tfds_dir, num_samples=40, extractor=extractor)
    with pytest.warns(metrics.FewSamplesWarning, match="at least 33 samples"):
        evaluator.evaluate_images(_random_images(20))


def test_num_samples_larger_than_the_split_is_refused(tfds_dir, tiny_extractor, monkeypatch):
    monkeypatch.setattr(data_lib, "load_images", lambda *a, **k: _random_images(30))
    evaluator = evaluation.Evaluator("mnist", tfds_dir, num_samples=50, extractor=tiny_extractor)
    with pytest.raises(ValueError, match="has 30 images, fewer than num_samples=50"):
        evaluator.evaluate_images(_random_images(50))


def test_unknown_metric_is_refused(tiny_extractor):
    with pytest.raises(ValueError, match="Unknown metrics \\['inception'\\]"):
        evaluation.Evaluator("mnist", metrics=["fid", "inception"], extractor=tiny_extractor)


# --- generators by path -----------------------------------------------------------------------------------


class _Sampler(tf.Module):
    """The `sample` signature of a tfgans export, without a network."""

    @tf.function(input_signature=[tf.TensorSpec([], tf.int32, name="n"), tf.TensorSpec([], tf.int64, name="seed")])
    def sample(self, n, seed):
        x = tf.random.stateless_uniform(tf.stack([n, 28, 28, 1]), seed=tf.stack([seed, tf.constant(0, tf.int64)]),
                                        minval=0, maxval=256, dtype=tf.int32)
        return {"images": tf.cast(x, tf.uint8)}


@pytest.fixture
def sampler_path(tmp_path):
    module = _Sampler()
    path = str(tmp_path / "sampler")
    tf.saved_model.save(module, path, signatures={"sample": module.sample})
    return path


def test_savedmodel_generator_is_sampled_in_reproducible_chunks(sampler_path):
    images = evaluation.load_generator_images(sampler_path, 2500, seed=7)
    assert images.shape == (2500, 28, 28, 1) and images.dtype == np.uint8
    np.testing.assert_array_equal(images, evaluation.load_generator_images(sampler_path, 2500, seed=7))
    assert not np.array_equal(images[:1000], images[1000:2000])  # chunks draw different images
    assert not np.array_equal(images, evaluation.load_generator_images(sampler_path, 2500, seed=8))


def test_npz_generator(tmp_path):
    images = _random_images(30)
    np.savez(tmp_path / "a.npz", images=images, labels=np.zeros(30))
    np.testing.assert_array_equal(evaluation.load_generator_images(str(tmp_path / "a.npz"), 20), images[:20])
    np.savez(tmp_path / "b.npz", images)  # no "images" key: the first array
    np.testing.assert_array_equal(evaluation.load_generator_images(str(tmp_path / "b.npz"), 100), images)


def test_generator_path_that_is_neither_savedmodel_nor_npz(tmp_path):
    with pytest.raises(FileNotFoundError, match="does not exist"):
        evaluation.load_generator_images(str(tmp_path / "missing"), 10)
    with pytest.raises(ValueError, match="not a SavedModel"):
        evaluation.load_generator_images(str(tmp_path), 10)
    (tmp_path / "images.png").write_bytes(b"x")
    with pytest.raises(ValueError, match="neither a SavedModel directory nor an .npz"):
        evaluation.load_generator_images(str(tmp_path / "images.png"), 10)


# --- the callback -----------------------------------------------------------------------------------------


def _tiny_gan(seed=0):
    keras.utils.set_random_seed(seed)
    generator = keras.Sequential([keras.Input((4,)), keras.layers.Dense(28 * 28),
                                  keras.layers.Reshape((28, 28, 1)), keras.layers.Activation("tanh")])
    discriminator = keras.Sequential([keras.Input((28, 28, 1)), keras.layers.Flatten(), keras.layers.Dense(1)])
    gan = tfgans.GAN(generator, discriminator, latent_dim=4, seed=seed)
    gan.compile()
    return gan


def test_evaluate_callback_adds_figures_to_history_and_later_callbacks(tfds_dir, tiny_extractor):
    gan = _tiny_gan()
    evaluator = evaluation.Evaluator("mnist", tfds_dir, num_samples=64, extractor=tiny_extractor)
    data = tf.data.Dataset.from_tensor_slices(tf.random.uniform([16, 28, 28, 1], -1, 1)).batch(8)
    seen = []
    recorder = keras.callbacks.LambdaCallback(on_epoch_end=lambda epoch, logs: seen.append(dict(logs)))
    callback = callbacks.Evaluate(every_n_epochs=2, num_samples=64, dataset="mnist", evaluator=evaluator,
                                   metrics=["fid", "is", "recall"])
    history = gan.fit(data, epochs=4, verbose=0, callbacks=[callback, recorder])
    for name in ("fid", "is", "recall"):
        assert len(history.history[name]) == 2  # epochs 2 and 4
    assert "kid" not in history.history
    assert "fid" not in seen[0] and "fid" in seen[1]  # a callback after Evaluate (TensorBoard) sees them
    # the figures are those of the model's draw with the callback's seed, as `tfgans evaluate` computes them
    assert history.history["fid"][-1] == pytest.approx(
        evaluator.evaluate_generator(gan, num_samples=64, seed=0)["fid"], rel=1e-9)


def test_evaluate_callback_needs_a_dataset():
    with pytest.raises(ValueError, match="dataset="):
        callbacks.Evaluate(every_n_epochs=1)


@pytest.mark.slow
def test_exported_generator_evaluates_to_the_models_figures(tfds_dir, tiny_extractor, tmp_path):
    export = pytest.importorskip("tfgans.export")
    gan = _tiny_gan(seed=3)
    path = export.save_generator(gan, str(tmp_path / "generator"))
    np.testing.assert_array_equal(evaluation.load_generator_images(path, 1500, seed=2),
                                  evaluation.sample_generator(gan, 1500, seed=2))


# --- command line -----------------------------------------------------------------------------------------


def _parse(argv):
    from tfgans import cli

    return cli.build_parser().parse_args(argv)


def test_cli_prints_generator_and_reference_lines(tfds_dir, tiny_classifier_path, tmp_path, capsys):
    np.savez(tmp_path / "noise.npz", images=_random_images(100))
    args = _parse(["evaluate", str(tmp_path / "noise.npz"), "--dataset", "mnist", "--num-samples", "100",
                   "--data-dir", tfds_dir, "--classifier", tiny_classifier_path, "--json", str(tmp_path / "r.json")])
    assert args.func(args) == 0
    out = capsys.readouterr().out
    assert "FID" in out and "precision" in out and "MNIST score" in out
    assert "noise.npz" in out and "real train (reference)" in out
    with open(tmp_path / "r.json") as f:
        record = json.load(f)
    assert record["reference"]["fid"] < record["generator"]["fid"]  # real train is closer to test than noise
    assert record["generator"]["num_samples"] == record["reference"]["num_samples"] == 100


def test_cli_reports_bad_generator_path_without_traceback(tmp_path, tiny_classifier_path, capsys):
    args = _parse(["evaluate", str(tmp_path), "--dataset", "mnist", "--classifier", tiny_classifier_path])
    assert args.func(args) == 2
    assert "not a SavedModel" in capsys.readouterr().err
    np.savez(tmp_path / "float.npz", images=np.zeros((10, 28, 28, 1), np.float32))
    args = _parse(["evaluate", str(tmp_path / "float.npz"), "--dataset", "mnist", "--num-samples", "10",
                   "--classifier", tiny_classifier_path])
    assert args.func(args) == 2
    assert "uint8" in capsys.readouterr().err


def test_cli_classifier_train_refuses_rgb_dataset(capsys):
    args = _parse(["classifier", "train", "cifar10"])
    assert args.func(args) == 2
    assert "InceptionV3" in capsys.readouterr().err


def test_grayscale_arrays_without_the_channel_axis_are_accepted(tiny_classifier_path):
    extractor = evaluation.load_classifier("mnist", tiny_classifier_path)
    images = np.random.default_rng(0).integers(0, 256, (5, 28, 28), dtype=np.uint8)
    np.testing.assert_array_equal(extractor.check_images(images), images[..., None])
    with pytest.raises(evaluation.ImageFormatError, match=r"got shape \[5, 28, 27\]"):
        extractor.check_images(images[:, :, :27])


# --- images with NaN or infinite values -------------------------------------------------------------------


def _float_images_with_nonfinite(n, bad, seed=0):
    images = _random_images(n, seed).astype(np.float32) / 127.5 - 1.0
    images[:bad - 1, 3, 4, 0] = np.nan
    images[bad - 1, 0, 0, 0] = np.inf
    return images


def test_nan_images_are_refused_with_the_count_before_any_feature(tfds_dir, tiny_extractor, monkeypatch):
    evaluator = evaluation.Evaluator("mnist", tfds_dir, num_samples=200, extractor=tiny_extractor)
    monkeypatch.setattr(evaluation.Evaluator, "reference", lambda self: pytest.fail("reference computed"))
    monkeypatch.setattr(tiny_extractor, "_forward", lambda x: pytest.fail("features computed"))
    images = _float_images_with_nonfinite(200, bad=3)
    for value_range in ((-1, 1), None):  # with or without its range: the NaN error, not the dtype one
        with pytest.raises(evaluation.NonFiniteImagesError,
                           match=r"the generator produced 3 of 200 images with NaN or infinite values: the run "
                                 r"diverged; evaluate an earlier checkpoint"):
            evaluator.evaluate_images(images, value_range=value_range)
    with pytest.raises(ValueError, match="200 of 200 images"):  # the NaN error is a ValueError (the CLI's)
        evaluator.evaluate_images(np.full((200, 28, 28, 1), np.nan, np.float16), value_range=(-1, 1))
    # out of range, finite: the error it always gave
    with pytest.raises(evaluation.ImageFormatError, match="outside value_range"):
        evaluator.evaluate_images(_random_images(200).astype(np.float32), value_range=(-1, 1))


def test_uint8_images_are_not_copied_or_scanned_by_the_check(tiny_extractor, monkeypatch):
    images = _random_images(300)
    monkeypatch.setattr(np, "isfinite", lambda *a, **k: pytest.fail("uint8 images scanned for NaN"))
    assert tiny_extractor.check_images(images) is images
    assert extractors.count_nonfinite(images) == 0


def test_a_diverged_gan_is_refused_in_sample_generator_and_the_callback(tfds_dir, tiny_extractor, monkeypatch):
    gan = _tiny_gan()
    dense = gan.generator.layers[0]
    kernel = dense.kernel.numpy()
    kernel[0, 5] = np.nan  # one pixel of every image
    dense.kernel.assign(kernel)
    with pytest.raises(evaluation.NonFiniteImagesError, match="produced 1500 of 1500 images"):
        evaluation.sample_generator(gan, 1500, seed=1)  # the count spans chunks of 1000
    pictures = evaluation.sample_generator(gan, 10, seed=1, check_finite=False)  # for a grid of the divergence
    assert pictures.dtype == np.uint8 and pictures.shape == (10, 28, 28, 1)
    evaluator = evaluation.Evaluator("mnist", tfds_dir, num_samples=64, extractor=tiny_extractor)
    monkeypatch.setattr(evaluation.Evaluator, "reference", lambda self: pytest.fail("reference computed"))
    callback = callbacks.Evaluate(every_n_epochs=1, num_samples=64, dataset="mnist", evaluator=evaluator)
    callback.set_model(gan)
    with pytest.raises(evaluation.NonFiniteImagesError, match="64 of 64 images"):
        callback.on_epoch_end(0, {})


def test_cli_refuses_nan_images_with_the_count(tmp_path, tiny_classifier_path, capsys):
    np.savez(tmp_path / "nan.npz", images=_float_images_with_nonfinite(40, bad=5))
    args = _parse(["evaluate", str(tmp_path / "nan.npz"), "--dataset", "mnist", "--num-samples", "40",
                   "--classifier", tiny_classifier_path, "--value-range", "tanh"])
    assert args.func(args) == 2
    assert "produced 5 of 40 images with NaN or infinite values" in capsys.readouterr().err


# --- the reference statistics cache on disk ---------------------------------------------------------------


def _cached_evaluator(tfds_dir, extractor, cache_dir, **kwargs):
    return evaluation.Evaluator("mnist", tfds_dir, num_samples=300, extractor=extractor, cache_dir=str(cache_dir),
                                metrics=["fid", "kid", "precision", "recall"], **kwargs)


def _truncate(path):
    data = path.read_bytes()
    path.write_bytes(data[:len(data) // 2])


def _garbage(path):
    path.write_bytes(np.random.default_rng(0).bytes(5000))


def _wrong_keys(path):
    np.savez(path, features=np.zeros((300, 8), np.float32), mean=np.zeros(8))


def _wrong_shapes(path):
    with np.load(path) as cached:
        arrays = dict(cached)
    arrays["sigma"] = arrays["sigma"][:4, :4]
    np.savez(path, **arrays)


@pytest.mark.parametrize("damage", [_truncate, _garbage, _wrong_keys, _wrong_shapes])
def test_damaged_cache_is_rebuilt_with_a_warning_naming_it(tfds_dir, tiny_extractor, tmp_path, capsys, damage):
    fake = _random_images(300, seed=5)
    fresh = _cached_evaluator(tfds_dir, tiny_extractor, tmp_path).evaluate_images(fake)
    (path,) = tmp_path.glob("mnist-test-300-*.npz")
    assert capsys.readouterr().err == ""
    damage(path)
    evaluation._MEMORY_CACHE.clear()
    rebuilt = _cached_evaluator(tfds_dir, tiny_extractor, tmp_path).evaluate_images(fake)
    err = capsys.readouterr().err
    assert f"tfgans: warning: reference statistics cache {path} is damaged (" in err
    assert err.rstrip().endswith("recomputing it") and err.count("\n") == 1
    assert rebuilt["fid"] == pytest.approx(fresh["fid"], rel=1e-9, abs=1e-12)
    assert rebuilt == pytest.approx(fresh)
    evaluation._MEMORY_CACHE.clear()  # and the rewritten file reads back without a warning
    assert _cached_evaluator(tfds_dir, tiny_extractor, tmp_path).evaluate_images(fake) == rebuilt
    assert capsys.readouterr().err == ""
    assert sorted(p.name for p in tmp_path.iterdir()) == [path.name]


def _savez_that_fails_midway(error):
    def failing(file, *args, **kwargs):
        file.write(b"PK\x03\x04 half of a zip archive")
        raise error

    return failing


def test_failed_cache_write_leaves_no_partial_file(tfds_dir, tiny_extractor, tmp_path, monkeypatch, capsys):
    fake = _random_images(300, seed=5)
    fresh = _cached_evaluator(tfds_dir, tiny_extractor, tmp_path / "fresh").evaluate_images(fake)
    evaluation._MEMORY_CACHE.clear()
    cache = tmp_path / "cache"
    # a full disk mid-write: a warning, the figures all the same, and nothing in the cache folder
    failing = _savez_that_fails_midway(OSError(28, "No space left on device"))
    monkeypatch.setattr(np, "savez", failing)
    assert _cached_evaluator(tfds_dir, tiny_extractor, cache).evaluate_images(fake) == fresh
    err = capsys.readouterr().err
    assert "could not write the reference statistics cache" in err and "No space left" in err
    assert list(cache.iterdir()) == []
    # any other failure propagates, and leaves nothing behind either
    evaluation._MEMORY_CACHE.clear()
    failing = _savez_that_fails_midway(RuntimeError("killed mid-write"))
    monkeypatch.setattr(np, "savez", failing)
    with pytest.raises(RuntimeError, match="killed mid-write"):
        _cached_evaluator(tfds_dir, tiny_extractor, cache).reference()
    assert list(cache.iterdir()) == []


def test_leftover_temporary_files_of_dead_writers_are_cleaned(tfds_dir, tiny_extractor, tmp_path):
    import subprocess
    import sys

    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    evaluator = _cached_evaluator(tfds_dir, tiny_extractor, tmp_path)
    name = os.path.basename(evaluator.cache_path)
    leftover = tmp_path / f".{name}.tmp-{dead.pid}"
    leftover.write_bytes(b"PK\x03\x04 half")
    mine = tmp_path / f".other.npz.tmp-{os.getpid()}"  # a live writer's (this process): left alone
    mine.write_bytes(b"")
    evaluator.reference()
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([name, mine.name])


# --- reference statistics files ---------------------------------------------------------------------------


def test_saved_reference_stats_give_the_same_figures_without_the_data(tfds_dir, tiny_extractor, tmp_path,
                                                                       monkeypatch, capsys):
    fake = _random_images(300, seed=6)
    direct = evaluation.Evaluator("mnist", tfds_dir, num_samples=300, extractor=tiny_extractor)
    expected = direct.evaluate_images(fake)
    path = str(tmp_path / "stats" / "mnist_test.npz")
    assert direct.save_reference(path) == path
    assert sorted(os.listdir(tmp_path / "stats")) == ["mnist_test.npz"]
    evaluation._MEMORY_CACHE.clear()
    monkeypatch.setattr(data_lib, "load_images", lambda *a, **k: pytest.fail("real data read"))
    from_file = evaluation.Evaluator("mnist", num_samples=300, extractor=tiny_extractor, reference_stats=path)
    assert from_file.evaluate_images(fake) == expected
    meta = from_file.reference().meta
    assert (meta["dataset"], meta["split"], meta["num_samples"], meta["extractor"], meta["path"]) == (
        "mnist", "test", 300, tiny_extractor.name, path)
    assert meta["fingerprint"] == tiny_extractor.fingerprint
    # another neighbourhood size: the radii come from the stored features
    k5 = evaluation.Evaluator("mnist", num_samples=300, extractor=tiny_extractor, reference_stats=path, k=5,
                              metrics=["precision"])
    real_features = direct.reference().features
    fake_features, _ = tiny_extractor(fake)
    assert k5.evaluate_images(fake)["precision"] == float(metrics.precision_recall(real_features, fake_features,
                                                                                   k=5)[0])
    assert k5.reference().meta["k"] == 5
    assert capsys.readouterr().err == ""


def test_reference_stats_of_another_extractor_or_damaged_are_refused(tfds_dir, tiny_extractor, tmp_path):
    path = str(tmp_path / "mnist_test.npz")
    evaluation.Evaluator("mnist", tfds_dir, num_samples=300, extractor=tiny_extractor).save_reference(path)
    keras.utils.set_random_seed(1)
    other_path = str(tmp_path / "other.keras")
    evaluation.make_classifier(width=2, feature_dim=8).save(other_path)  # same shapes, other weights
    other = evaluation.load_classifier("mnist", other_path)
    assert other.fingerprint != tiny_extractor.fingerprint
    with pytest.raises(evaluation.ReferenceStatsError, match=r"fingerprint .*compare features of one network"):
        evaluation.Evaluator("mnist", extractor=other, reference_stats=path).evaluate_images(_random_images(300))
    wide_path = str(tmp_path / "wide.keras")
    evaluation.make_classifier(width=2, feature_dim=16).save(wide_path)
    wide = evaluation.load_classifier("mnist", wide_path)
    with pytest.raises(evaluation.ReferenceStatsError, match="8-d features and 10 logits, but the mnist classifier "
                                                             "gives 16-d features"):
        evaluation.Evaluator("mnist", extractor=wide, reference_stats=path).reference()
    with pytest.raises(FileNotFoundError, match="missing.npz.*--save-stats"):
        evaluation.Evaluator("mnist", extractor=tiny_extractor, reference_stats=str(tmp_path / "missing.npz")
                             ).reference()
    _truncate(tmp_path / "mnist_test.npz")
    with pytest.raises(evaluation.ReferenceStatsError, match=f"{path} is damaged"):
        evaluation.Evaluator("mnist", extractor=tiny_extractor, reference_stats=path).reference()
    np.savez(path, features=np.zeros((3, 8)), logits=np.zeros((3, 10)), mu=np.zeros(8), sigma=np.zeros((8, 8)),
             radii=np.zeros(3))  # consistent arrays but not written by tfgans
    with pytest.raises(evaluation.ReferenceStatsError, match="not a tfgans reference statistics file"):
        evaluation.Evaluator("mnist", extractor=tiny_extractor, reference_stats=path).reference()
