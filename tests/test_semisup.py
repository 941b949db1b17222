"""The semi-supervised GAN of Salimans et al. 2016: its losses against numpy, the balanced labeled data, the
flavor's training and evaluation at tiny size, the experiment command and the CIFAR-10 preset on mock data. What
every flavor must do (config, ``.keras``, export, XLA, bfloat16, two replicas) is tests/test_flavors.py's."""


import numpy as np
import pytest
import tensorflow as tf
import keras

import tfgans
from tfgans import cli, data, improved, losses, presets, semisup
from tfgans.models import SemiSupervisedGAN
from tfgans.record import read_record


def _lse(x):
    m = x.max(axis=1, keepdims=True)
    return (m + np.log(np.exp(x - m).sum(axis=1, keepdims=True))).ravel()


def _softplus(x):
    return np.log1p(np.exp(x))


LOGITS_UNL = np.array([[1.0, -2.0, 0.5], [0.0, 0.0, 0.0], [3.0, 1.0, -1.0]], "float32")
LOGITS_FAKE = np.array([[-1.0, -1.0, 2.0], [0.5, -3.0, 0.0]], "float32")


# --- losses --------------------------------------------------------------------------------------------------

def test_unlabeled_loss_matches_numpy():
    lu, lf = _lse(LOGITS_UNL), _lse(LOGITS_FAKE)
    expected = -0.5 * lu.mean() + 0.5 * _softplus(lu).mean() + 0.5 * _softplus(lf).mean()
    got = losses.semisupervised_unlabeled_loss(LOGITS_UNL, LOGITS_FAKE)
    assert got.dtype == tf.float32 and got.shape == ()
    assert float(got) == pytest.approx(expected, abs=1e-6)


def test_unlabeled_loss_is_the_gan_loss_with_a_fake_logit_of_zero():
    # D(x) = Z / (Z + 1): the real/fake cross-entropy with K+1 classes, the fake class's logit 0, halved.
    def d(x):
        z = np.exp(x).sum(axis=1)
        return z / (z + 1.0)

    expected = 0.5 * np.mean(-np.log(d(LOGITS_UNL))) + 0.5 * np.mean(-np.log(1.0 - d(LOGITS_FAKE)))
    assert float(losses.semisupervised_unlabeled_loss(LOGITS_UNL, LOGITS_FAKE)) == pytest.approx(expected, abs=1e-6)


def test_labeled_loss_is_k_way_cross_entropy():
    labels = np.array([0, 2, 1])
    expected = np.mean(_lse(LOGITS_UNL) - LOGITS_UNL[np.arange(3), labels])
    assert float(losses.semisupervised_labeled_loss(labels, LOGITS_UNL)) == pytest.approx(expected, abs=1e-6)


def test_feature_matching_loss_by_hand():
    real = np.array([[1.0, 2.0], [3.0, 2.0]], "float32")  # batch means [2, 2]
    fake = np.array([[0.0, 5.0], [0.0, 1.0], [0.0, 0.0]], "float32")  # batch means [0, 2]
    assert float(losses.feature_matching_loss(real, fake)) == pytest.approx((4.0 + 0.0) / 2)
    assert float(losses.feature_matching_loss(real, fake, "absolute")) == pytest.approx((2.0 + 0.0) / 2)
    images = np.ones((2, 2, 2, 1), "float32")  # features of any rank are flattened per example
    assert float(losses.feature_matching_loss(images, 0.0 * images)) == pytest.approx(1.0)
    with pytest.raises(ValueError, match="distance"):
        losses.feature_matching_loss(real, fake, "l3")


# --- the labeled subset -----------------------------------------------------------------------------------

LABELS = np.repeat(np.arange(10), 30)[np.random.RandomState(5).permutation(300)]


def test_select_labeled_is_balanced_and_reproducible():
    chosen = data.select_labeled(LABELS, 50, 10, seed=1)
    assert len(chosen) == 50 and len(set(chosen.tolist())) == 50
    assert np.bincount(LABELS[chosen], minlength=10).tolist() == [5] * 10
    np.testing.assert_array_equal(chosen, data.select_labeled(LABELS, 50, 10, seed=1))
    assert set(chosen.tolist()) != set(data.select_labeled(LABELS, 50, 10, seed=2).tolist())


def test_select_labeled_rejects_unbalanced_or_too_large_subsets():
    with pytest.raises(ValueError, match="multiple of the 10 classes"):
        data.select_labeled(LABELS, 55, 10)
    with pytest.raises(ValueError, match="only 30"):
        data.select_labeled(LABELS, 310, 10)


@pytest.mark.slow
def test_load_semisupervised_mnist_stream(tfds_dir):
    ds = data.load_semisupervised("mnist", 20, batch_size=100, seed=3, data_dir=tfds_dir, value_range="sigmoid")
    assert int(ds.cardinality()) == 600  # the unlabeled stream: the whole train split
    images, labels = data.load_arrays("mnist", data_dir=tfds_dir)
    chosen = data.select_labeled(labels, 20, 10, seed=3)
    subset = {images[i].tobytes() for i in chosen}
    for batch in ds.take(2):
        assert batch["x_unl"].shape == batch["x_unl2"].shape == batch["x_lab"].shape == (100, 28, 28, 1)
        assert 0.0 <= float(tf.reduce_min(batch["x_unl"])) and float(tf.reduce_max(batch["x_unl"])) <= 1.0
        # 20 labels tiled as fresh permutations: a batch of 100 is 5 permutations, 10 per class exactly.
        assert np.bincount(batch["y_lab"].numpy(), minlength=10).tolist() == [10] * 10
        lab = np.round(batch["x_lab"].numpy() * 255).astype("uint8")
        assert {x.tobytes() for x in lab} == subset
    with pytest.raises(ValueError, match="multiple of the 10 classes"):
        data.load_semisupervised("mnist", 15, data_dir=tfds_dir)
    with pytest.raises(ValueError, match="exceeds"):
        data.load_semisupervised("mnist", 70000, data_dir=tfds_dir)


# --- the flavor at tiny size ----------------------------------------------------------------------------------

def _tiny_nets(num_classes=3):
    g = keras.Sequential([keras.Input((4,)), keras.layers.Dense(8, activation="relu"),
                          improved.WeightNormDense(16, activation="sigmoid", train_scale=True),
                          keras.layers.Reshape((4, 4, 1))], name="tiny_g")
    d = keras.Sequential([keras.Input((4, 4, 1)), keras.layers.Flatten(), keras.layers.GaussianNoise(0.1),
                          improved.WeightNormDense(12, activation="relu", name="features"),
                          improved.WeightNormDense(num_classes, train_scale=True, name="logits")], name="tiny_d")
    return g, d


def _tiny_stream(n=8, seed=0):
    rng = np.random.RandomState(seed)
    y = np.arange(n) % 3
    x_lab = (rng.uniform(size=(n, 4, 4, 1)) * 0.2 + y[:, None, None, None] * 0.3).astype("float32")
    x_unl = rng.uniform(size=(n, 4, 4, 1)).astype("float32")
    element = {"x_unl": x_unl, "x_unl2": x_unl[::-1].copy(), "x_lab": x_lab, "y_lab": y}
    return tf.data.Dataset.from_tensors(element), x_lab, y


def _model(**kwargs):
    g, d = _tiny_nets()
    model = SemiSupervisedGAN(g, d, latent_dim=4, feature_layer="features", seed=0, **kwargs)
    model.compile(g_optimizer=keras.optimizers.Adam(0.01, beta_1=0.5),
                  d_optimizer=keras.optimizers.Adam(0.01, beta_1=0.5))
    return model


def test_a_few_steps_lower_the_labeled_loss():
    model = _model()
    ds, x_lab, y = _tiny_stream()
    first = model.fit(ds, epochs=1, verbose=0).history
    assert set(first) == {"loss_lab", "loss_unl", "loss_gen", "train_err"}
    later = model.fit(ds.repeat(), epochs=1, steps_per_epoch=30, verbose=0).history
    assert later["loss_lab"][-1] < 0.5 * first["loss_lab"][0]
    assert np.isfinite(later["loss_unl"][-1]) and np.isfinite(later["loss_gen"][-1])
    assert float(model.initialized.numpy()) == 1.0  # the first fit ran the data-dependent init
    assert float(model.ema.steps.numpy()) == 31.0  # one average update per discriminator step


def test_the_generator_step_moves_only_the_generator_by_feature_matching():
    model = _model(ema_rate=None, data_init_examples=0)
    ds, _, _ = _tiny_stream()
    element = next(iter(ds))
    model.train_step(element)  # creates the optimizers' slots
    g_before = [v.numpy().copy() for v in model.generator.trainable_variables]
    d_before = [v.numpy().copy() for v in model.discriminator.trainable_variables]
    model.train_step(element)
    assert any(not np.allclose(a, v.numpy()) for a, v in zip(g_before, model.generator.trainable_variables))
    assert any(not np.allclose(a, v.numpy()) for a, v in zip(d_before, model.discriminator.trainable_variables))


def test_evaluate_reports_accuracy_and_the_number_of_errors():
    model = _model(ema_rate=None, data_init_examples=0)
    logits = model.discriminator.get_layer("logits")
    # Make the classifier a fixed rule: class 2 for every image (features >= 0 after ReLU, zero kernel).
    logits.kernel.assign(np.full(logits.kernel.shape, 1e-3, "float32"))
    logits.bias.assign(np.array([0.0, 0.0, 5.0], "float32"))
    images = np.zeros((10, 4, 4, 1), "float32")
    labels = np.array([2, 2, 0, 1, 2, 2, 2, 0, 2, 2])
    test = tf.data.Dataset.from_tensor_slices((images, labels)).batch(4)  # last batch partial
    result = model.evaluate(test, verbose=0, return_dict=True)
    assert result == {"accuracy": pytest.approx(0.7), "errors": pytest.approx(3.0)}


def test_evaluate_uses_the_moving_average_of_the_discriminator():
    model = _model(ema_rate=1.0, data_init_examples=0)  # rate 1: the average is the last update's parameters
    logits = model.discriminator.get_layer("logits")
    logits.kernel.assign(np.full(logits.kernel.shape, 1e-3, "float32"))
    logits.bias.assign(np.array([5.0, 0.0, 0.0], "float32"))  # predicts class 0
    model.ema.update()
    logits.bias.assign(np.array([0.0, 0.0, 5.0], "float32"))  # the current parameters predict class 2
    test = tf.data.Dataset.from_tensor_slices((np.zeros((6, 4, 4, 1), "float32"), np.zeros(6, "int64"))).batch(3)
    result = model.evaluate(test, verbose=0, return_dict=True)
    assert result["errors"] == pytest.approx(0.0) and result["accuracy"] == pytest.approx(1.0)
    assert result["raw_errors"] == pytest.approx(6.0)


def test_bad_inputs_raise_clear_errors():
    model = _model(data_init_examples=0)
    with pytest.raises(ValueError, match="load_semisupervised"):
        model.train_step({"x_unl": tf.zeros((2, 4, 4, 1))})
    with pytest.raises(ValueError, match="class logits"):
        g, _ = _tiny_nets()
        SemiSupervisedGAN(g, keras.Sequential([keras.Input((4, 4, 1)), keras.layers.Flatten(),
                                               keras.layers.Dense(1)]), latent_dim=4)
    with pytest.raises(ValueError, match="no layer named"):
        SemiSupervisedGAN(*_tiny_nets(), latent_dim=4, feature_layer="nope")


# --- presets, command -----------------------------------------------------------------------------------------

def test_presets_follow_the_reference_code():
    mnist = presets.get("semisup-mnist-salimans")
    assert (mnist.batch_size, mnist.epochs, mnist.g_lr, mnist.d_lr, mnist.num_labeled) == (100, 300, 0.003, 0.003, 100)
    assert mnist.optimizer_kwargs["beta_1"] == 0.5 and mnist.value_range == "sigmoid"
    cifar = presets.get("semisup-cifar10-salimans")
    assert (cifar.g_lr, cifar.epochs, cifar.num_labeled, cifar.lr_decay) == (3e-4, 1200, 4000, True)
    g_opt, _ = cifar.make_optimizers(epochs=3, steps_per_epoch=10)
    assert float(g_opt.learning_rate) == pytest.approx(3e-4)  # step 0: no decay yet
    assert isinstance(g_opt._learning_rate, improved.LinearDecayLastThird)
    # Daw et al.'s variant changes the generator's output and nothing else, for their code's 10 epochs.
    import dataclasses
    daw = presets.get("semisup-mnist-daw")
    differ = {f.name for f in dataclasses.fields(mnist) if getattr(mnist, f.name) != getattr(daw, f.name)}
    assert differ == {"name", "source", "table", "description", "generator", "epochs"} and daw.epochs == 10
    assert daw.generator.kwargs == {"output_activation": "softplus"}


def test_format_row_uses_the_tables_units():
    rows = [{"errors": 100, "accuracy": 0.99}, {"errors": 110, "accuracy": 0.989}]
    assert semisup.format_row("mnist", 100, rows) == "| 100 | 93 ± 6.5 | 433 ± 7.9 | 105 ± 7.1 |"
    rows = [{"errors": 2000, "accuracy": 0.8}, {"errors": 2200, "accuracy": 0.78}]
    assert semisup.format_row("cifar10", 4000, rows) == "| 4000 | 18.63 ± 2.32 | 21.3 ± 2.95 | 21.00 ± 1.41 |"


def test_command_rejects_bad_arguments():
    parser = cli.build_parser()
    args = parser.parse_args(["semisup", "--seeds", "0"])
    with pytest.raises(ValueError, match="--seeds"):
        args.func(args)
    args = parser.parse_args(["semisup", "--table", "--num-labeled", "100"])
    with pytest.raises(ValueError, match="--table"):
        args.func(args)


def test_command_prints_each_seed_and_the_table(capsys, monkeypatch, tmp_path):
    import json

    calls = []

    def fake_run_seed(dataset, num_labeled, seed, **kwargs):  # the training itself is tested above
        calls.append((dataset, num_labeled, seed, kwargs["epochs"]))
        errors = 90 + 10 * seed
        return {"errors": errors, "accuracy": 1 - errors / 10000, "epochs": kwargs["epochs"], "seconds": 1.0,
                "curve": [{"epoch": 1, "errors": errors}]}

    monkeypatch.setattr(semisup, "run_seed", fake_run_seed)
    parser = cli.build_parser()
    out_json = str(tmp_path / "r.json")
    args = parser.parse_args(["semisup", "--table", "--seeds", "2", "--epochs", "5", "--json", out_json])
    assert args.func(args) == 0
    assert calls == [("mnist", n, s, 5) for n in (20, 50, 100, 200) for s in (0, 1)]
    out = capsys.readouterr().out
    assert "mnist, 100 labels, seed 1: 100 test errors (1.00%) after 5 epochs" in out
    assert "| 20 | 1677 ± 452 | 1952 ± 226.7 | 95 ± 7.1 |" in out
    assert "| 100 | 93 ± 6.5 | 433 ± 7.9 | 95 ± 7.1 |" in out
    assert json.load(open(out_json))["results"]["200"][1]["errors"] == 100


def test_checkpoint_keeps_the_average_and_the_init_flag(tmp_path):
    ds, _, _ = _tiny_stream()
    model = _model(ema_rate=0.5)
    model.fit(ds, epochs=2, verbose=0, callbacks=[tfgans.callbacks.Checkpoint(str(tmp_path))])
    fresh = _model(ema_rate=0.5)
    assert tfgans.callbacks.Checkpoint(str(tmp_path)).restore(fresh) == 2
    assert float(fresh.ema.steps.numpy()) == 2.0 and float(fresh.initialized.numpy()) == 1.0
    for a, b in zip(model.ema.averages, fresh.ema.averages):
        np.testing.assert_allclose(a.numpy(), b.numpy())


@pytest.mark.slow
def test_run_seed_writes_a_resumable_run_folder(tmp_path):
    import os

    import tensorflow_datasets as tfds

    out = str(tmp_path / "run")
    with tfds.testing.mock_data(num_examples=200):
        result = semisup.run_seed("mnist", 10, 0, epochs=2, steps_per_epoch=2, batch_size=4, out_dir=out)
        assert [row["epoch"] for row in result["curve"]] == [1, 2]
        assert {"errors", "raw_errors", "accuracy", "loss_lab", "seconds"} <= set(result["curve"][-1])
        assert result["errors"] == result["curve"][-1]["errors"] and result["seconds"] > 0
        assert os.path.exists(os.path.join(out, "progress.json")) and os.listdir(os.path.join(out, "checkpoints"))
        assert sorted(os.listdir(os.path.join(out, "samples"))) == ["epoch_0001.png", "epoch_0002.png"]
        assert os.listdir(os.path.join(out, "logs", "train")) and os.listdir(os.path.join(out, "logs", "samples"))
        assert semisup.read_curve(out) == result["curve"]
        with pytest.raises(FileNotFoundError, match="epochs.csv"):
            semisup.read_curve(str(tmp_path))
        again = semisup.run_seed("mnist", 10, 0, epochs=2, steps_per_epoch=2, batch_size=4, out_dir=out)
        assert again["curve"] == result["curve"]  # finished: read back, not retrained
        more = semisup.run_seed("mnist", 10, 0, epochs=3, steps_per_epoch=2, batch_size=4, out_dir=out)
        assert [row["epoch"] for row in more["curve"]] == [1, 2, 3] and more["curve"][:2] == result["curve"]
        with pytest.raises(ValueError, match="other settings"):
            semisup.run_seed("mnist", 20, 0, epochs=3, steps_per_epoch=2, batch_size=4, out_dir=out)


def test_a_seed_folder_of_an_earlier_version_is_read_and_resumed(tmp_path):
    """Earlier `tfgans semisup --out` folders kept curve.csv (epochs from 0, val_ prefixes) and settings.json."""
    import json

    folder = tmp_path / "mnist_100labels_seed1"
    folder.mkdir()
    (folder / "settings.json").write_text(json.dumps({"dataset": "mnist", "num_labeled": 100, "seed": 1,
                                                      "epochs": 300, "batch_size": 100, "steps_per_epoch": None}))
    (folder / "curve.csv").write_text("epoch,loss_gen,val_errors,val_raw_errors,val_accuracy,seconds\n"
                                      "0,6.8,2273.0,2356.0,0.7727,117.2\n1,4.7,2147.0,2298.0,0.7853,128.5\n")
    curve = semisup.read_curve(str(folder))
    assert [(row["epoch"], row["errors"], row["step"]) for row in curve] == [(1, 2273.0, 600), (2, 2147.0, 1200)]
    assert curve[1]["seconds"] == pytest.approx(128.5, abs=0.01)
    assert not (folder / "curve.csv").exists() and (folder / "epochs.csv").exists()
    # No CPU clock then: the migrated rows leave it empty rather than pass wall time off as CPU time.
    assert "cpu_minutes" not in read_record(str(folder)).epochs[0]


# --- CIFAR-10 on mock data ------------------------------------------------------------------------------------

@pytest.mark.slow
def test_cifar10_preset_trains_a_few_steps_on_mock_data():
    import tensorflow_datasets as tfds

    preset = presets.get("semisup-cifar10-salimans")
    with tfds.testing.mock_data(num_examples=40):
        train = preset.load_data(batch_size=4, num_labeled=20, seed=0)
        test = preset.load_test(batch_size=8)
        model = preset.build(seed=0, epochs=2, steps_per_epoch=2)
        model.data_init_examples = 8
        history = model.fit(train, epochs=1, steps_per_epoch=2, verbose=0).history
        result = model.evaluate(test, verbose=0, return_dict=True)
    assert all(np.isfinite(v[-1]) for v in history.values())
    assert 0.0 <= result["accuracy"] <= 1.0
    assert result["errors"] == pytest.approx(round((1.0 - result["accuracy"]) * 40), abs=0.5)
    assert model.generate(2).shape == (2, 32, 32, 3)


@pytest.mark.slow
def test_two_replicas_train_and_count_test_errors_over_the_global_batch(two_replicas):
    strategy = two_replicas
    ds, x_lab, y = _tiny_stream()
    with strategy.scope():
        model = _model(ema_rate=0.5)
    history = model.fit(ds, epochs=1, verbose=0).history
    assert all(np.isfinite(v[0]) for v in history.values())
    assert float(model.ema.steps.numpy()) == 1.0  # one update per step, not one per replica
    assert float(model.initialized.numpy()) == 1.0
    test = tf.data.Dataset.from_tensor_slices((x_lab, y)).batch(8)
    result = model.evaluate(test, verbose=0, return_dict=True)
    assert result["errors"] + 8 * result["accuracy"] == pytest.approx(8.0)  # both halves of the batch counted
