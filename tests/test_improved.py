"""The tricks of Salimans et al. 2016 (tfgans.improved) against numbers worked out by hand on tiny inputs."""

import math

import numpy as np
import pytest
import tensorflow as tf
import keras

from tfgans import improved, losses


def _set(layer, **values):
    for name, value in values.items():
        getattr(layer, name).assign(np.asarray(value, dtype="float32"))


def _roundtrip(layer):
    return type(layer).from_config(layer.get_config())


# --- minibatch discrimination ---------------------------------------------------------------------------------

X3 = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 2.0]], dtype="float32")


def _plain_mbd():
    # Two kernels of one dimension: kernel 0 reads the first feature, kernel 1 the second.
    layer = improved.MinibatchDiscrimination(num_kernels=2, dim_per_kernel=1, weight_norm=False)
    layer.build((None, 2))
    _set(layer, kernel=np.array([[[1.0], [0.0]], [[0.0], [1.0]]]))
    return layer


def test_minibatch_discrimination_sums_closeness_to_the_other_examples():
    out = _plain_mbd()(X3).numpy()
    e1, e2 = math.exp(-1), math.exp(-2)
    # kernel 0 projects to [0, 1, 0]: L1 distances 1, 0, 1; kernel 1 projects to [0, 0, 2]. Bias starts at -1.
    o = np.array([[1 + e1, 1 + e2], [2 * e1, 1 + e2], [1 + e1, 2 * e2]]) - 1.0
    assert out.shape == (3, 2 + 2)
    np.testing.assert_allclose(out[:, :2], X3)  # the input comes first, unchanged
    np.testing.assert_allclose(out[:, 2:], o, rtol=1e-6)


def test_minibatch_discrimination_leaves_out_self_and_adds_the_bias():
    layer = _plain_mbd()
    _set(layer, bias=[0.5, -0.25])
    out = layer(X3[:1]).numpy()  # a batch of one has no other example: o = bias
    np.testing.assert_allclose(out[0, 2:], [0.5, -0.25])


def test_minibatch_discrimination_weight_norm_normalises_each_column():
    layer = improved.MinibatchDiscrimination(num_kernels=1, dim_per_kernel=1)
    layer.build((None, 2))
    _set(layer, kernel=np.array([[[3.0]], [[4.0]]]), log_weight_scale=[[math.log(2.0)]], bias=[0.0])
    # T = 2 * [3, 4] / 5 = [1.2, 1.6]; projections of X3: 0, 1.2, 3.2.
    out = layer(X3).numpy()[:, 2]
    d01, d02, d12 = 1.2, 3.2, 2.0
    expected = [math.exp(-d01) + math.exp(-d02), math.exp(-d01) + math.exp(-d12),
                math.exp(-d02) + math.exp(-d12)]
    np.testing.assert_allclose(out, expected, rtol=1e-5)


def test_minibatch_discrimination_flattens_images_and_inits_from_data():
    layer = improved.MinibatchDiscrimination(num_kernels=4, dim_per_kernel=3)
    x = tf.random.stateless_normal((6, 2, 2, 1), seed=[1, 2])
    out = layer.initialize_from_batch(x)
    assert out.shape == (6, 4 + 4)
    # After init the closeness features have mean 0 over the batch (b = -mean f) ...
    np.testing.assert_allclose(np.mean(out.numpy()[:, 4:], axis=0), 0.0, atol=1e-5)
    # ... and each kernel's mean distance to the nearest other example is 2.
    _, dist = layer._distances(x)
    dist = dist.numpy() + 1e9 * np.eye(6)[:, None, :]
    np.testing.assert_allclose(dist.min(axis=2).mean(axis=0), 2.0, rtol=1e-4)
    with pytest.raises(ValueError, match="at least 2"):
        improved.MinibatchDiscrimination(2, 2).initialize_from_batch(x[:1])


def test_minibatch_discrimination_config_round_trip():
    layer = improved.MinibatchDiscrimination(num_kernels=7, dim_per_kernel=2, weight_norm=False)
    copy = _roundtrip(layer)
    assert (copy.num_kernels, copy.dim_per_kernel, copy.weight_norm) == (7, 2, False)
    assert copy.compute_output_shape((None, 5)) == (None, 12)


# --- weight normalisation ---------------------------------------------------------------------------------------

def test_weight_norm_dense_uses_g_times_unit_norm_kernel():
    layer = improved.WeightNormDense(2, activation="relu")
    layer.build((None, 2))
    # Column 0 is [3, 4] (norm 5), column 1 is [0, -2] (norm 2).
    _set(layer, kernel=[[3.0, 0.0], [4.0, -2.0]], scale=[2.0, 3.0], bias=[0.5, 0.0])
    out = layer(np.array([[1.0, 1.0]], dtype="float32")).numpy()
    # unit 0: 2 * (3 + 4) / 5 + 0.5 = 3.3; unit 1: relu(3 * (-2) / 2) = 0
    np.testing.assert_allclose(out, [[3.3, 0.0]], rtol=1e-5)


def test_weight_norm_scale_is_trained_only_when_asked():
    fixed = improved.WeightNormDense(3)
    fixed.build((None, 4))
    trained = improved.WeightNormDense(3, train_scale=True)
    trained.build((None, 4))
    assert [w.name for w in fixed.trainable_weights] == ["kernel", "bias"]
    assert [w.name for w in trained.trainable_weights] == ["kernel", "scale", "bias"]


@pytest.mark.parametrize("init_scale", [1.0, 0.1])
def test_weight_norm_data_init_standardises_pre_activations(init_scale):
    layer = improved.WeightNormDense(5, activation="relu", init_scale=init_scale)
    x = tf.random.stateless_normal((64, 7), seed=[3, 4]) * 3.0 + 1.0
    layer.initialize_from_batch(x)
    pre = (x @ layer.normalized_kernel() + layer.bias).numpy()
    np.testing.assert_allclose(pre.mean(axis=0), 0.0, atol=1e-4)
    np.testing.assert_allclose(pre.std(axis=0), init_scale, rtol=1e-3)


def test_weight_norm_without_data_init_is_left_alone():
    layer = improved.WeightNormDense(3, data_init=False)
    x = tf.random.stateless_normal((16, 4), seed=[5, 6]) + 3.0
    layer.initialize_from_batch(x)
    np.testing.assert_allclose(layer.scale.numpy(), 1.0)
    np.testing.assert_allclose(layer.bias.numpy(), 0.0)


def test_weight_norm_conv_with_pixel_padding_matches_padded_valid_conv():
    layer = improved.WeightNormConv2D(4, 3, strides=2, padding=1)
    x = tf.random.stateless_normal((2, 8, 8, 3), seed=[7, 8])
    out = layer(x)
    assert out.shape == (2, 4, 4, 4)  # (8 + 2 - 3) // 2 + 1, as Lasagne's pad=1
    w = layer.normalized_kernel()
    padded = tf.pad(x, [[0, 0], [1, 1], [1, 1], [0, 0]])
    np.testing.assert_allclose(out, tf.nn.conv2d(padded, w, 2, "VALID") + layer.bias, atol=1e-5)
    # each filter's kernel has norm g = 1 (up to the eps 1e-6 under the square root)
    np.testing.assert_allclose(np.sqrt(np.sum(np.square(w.numpy()), axis=(0, 1, 2))), 1.0, rtol=1e-4)
    assert layer.compute_output_shape((None, 8, 8, 3)) == (None, 4, 4, 4)


def test_weight_norm_conv_one_by_one_by_hand():
    layer = improved.WeightNormConv2D(1, 1, padding="valid", use_bias=False)
    layer.build((None, 1, 1, 2))
    _set(layer, kernel=np.array([3.0, 4.0]).reshape(1, 1, 2, 1), scale=[10.0])
    out = layer(np.array([1.0, 2.0], dtype="float32").reshape(1, 1, 1, 2)).numpy()
    np.testing.assert_allclose(out.ravel(), [10.0 * (3 + 8) / 5], rtol=1e-5)


def test_weight_norm_conv_transpose_normalises_per_output_channel():
    layer = improved.WeightNormConv2DTranspose(3, 5, strides=2, activation="tanh", train_scale=True)
    x = tf.random.stateless_normal((2, 4, 4, 6), seed=[9, 10])
    out = layer(x)
    assert out.shape == (2, 8, 8, 3)
    w = layer.normalized_kernel()  # [kh, kw, out, in]
    np.testing.assert_allclose(np.sqrt(np.sum(np.square(w.numpy()), axis=(0, 1, 3))), 1.0, rtol=1e-4)
    reference = keras.layers.Conv2DTranspose(3, 5, strides=2, padding="same", activation="tanh")
    reference.build(x.shape)
    reference.set_weights([w.numpy(), layer.bias.numpy()])
    np.testing.assert_allclose(out, reference(x), atol=1e-5)


@pytest.mark.parametrize("layer", [
    improved.WeightNormDense(3, activation="relu", train_scale=True, init_scale=0.1, data_init=False),
    improved.WeightNormConv2D(5, 3, strides=2, padding=1, activation="leaky_relu"),
    improved.WeightNormConv2DTranspose(2, 5, strides=2, activation="tanh", init_scale=0.1),
])
def test_weight_norm_config_round_trip(layer):
    config = layer.get_config()
    copy = type(layer).from_config(config)
    assert copy.get_config() == config


def test_bad_layer_arguments_raise_clear_errors():
    with pytest.raises(ValueError, match="padding"):
        improved.WeightNormConv2D(4, 3, padding="full")
    with pytest.raises(ValueError, match="init_scale"):
        improved.WeightNormDense(4, init_scale=0.0)
    with pytest.raises(ValueError, match="num_kernels"):
        improved.MinibatchDiscrimination(num_kernels=0)


def test_saved_model_file_with_the_custom_layers_reloads(tmp_path):
    net = keras.Sequential([
        keras.Input((4, 4, 1)),
        improved.WeightNormConv2D(2, 3, padding=1, activation="relu"),
        keras.layers.Flatten(),
        improved.MinibatchDiscrimination(3, 2),
        improved.WeightNormDense(2),
    ])
    x = tf.random.stateless_normal((3, 4, 4, 1), seed=[1, 1])
    improved.data_dependent_init(net, x)
    path = str(tmp_path / "net.keras")
    net.save(path)
    np.testing.assert_allclose(keras.saving.load_model(path)(x), net(x), atol=1e-6)


# --- data-dependent init and feature models -----------------------------------------------------------------

def _mlp():
    return keras.Sequential([
        keras.Input((6,)),
        improved.WeightNormDense(8, activation="relu", name="h1"),
        keras.layers.GaussianNoise(0.5, name="noise"),
        improved.WeightNormDense(4, activation="relu", name="h2"),
        improved.WeightNormDense(3, name="logits"),
    ], name="mlp")


def test_data_dependent_init_walks_the_layers_in_order():
    net = _mlp()
    x = tf.random.stateless_normal((200, 6), seed=[2, 2]) * 5.0
    improved.data_dependent_init(net, x, training=False)
    # The last layer was initialised on what the layers before it output after their own init.
    h = net.get_layer("h2")(net.get_layer("h1")(x))
    pre = (h @ net.get_layer("logits").normalized_kernel() + net.get_layer("logits").bias).numpy()
    np.testing.assert_allclose(pre.mean(axis=0), 0.0, atol=1e-4)
    np.testing.assert_allclose(pre.std(axis=0), 1.0, rtol=1e-3)


def test_data_dependent_init_needs_a_sequential():
    inputs = keras.Input((2,))
    functional = keras.Model(inputs, improved.WeightNormDense(2)(inputs))
    with pytest.raises(TypeError, match="Sequential"):
        improved.data_dependent_init(functional, np.zeros((2, 2), "float32"))


def test_feature_model_by_name_and_index_shares_the_weights():
    net = _mlp()
    x = tf.random.stateless_normal((5, 6), seed=[4, 4])
    by_name = improved.feature_model(net, "h2")
    by_index = improved.feature_model(net, -2)
    expected = net.get_layer("h2")(net.get_layer("h1")(x))
    np.testing.assert_allclose(by_name(x, training=False), expected, atol=1e-6)
    np.testing.assert_allclose(by_index(x, training=False), expected, atol=1e-6)
    net.get_layer("h1").bias.assign(net.get_layer("h1").bias + 1.0)  # same variables, not copies
    np.testing.assert_allclose(by_name(x, training=False),
                               net.get_layer("h2")(net.get_layer("h1")(x)), atol=1e-6)


def test_feature_model_errors_name_the_layers():
    with pytest.raises(ValueError, match="h1, noise, h2, logits"):
        improved.feature_model(_mlp(), "h3")
    with pytest.raises(ValueError, match="out of range"):
        improved.feature_model(_mlp(), 4)
    with pytest.raises(ValueError, match="no Input"):
        improved.feature_model(keras.Sequential([keras.layers.Dense(2)]), 0)


# --- virtual batch normalisation --------------------------------------------------------------------------

def test_virtual_batch_norm_by_hand():
    layer = improved.VirtualBatchNormalization(reference_size=2, epsilon=0.0)
    # reference rows 1 and 3: mean 2, E[x^2] 5. Example 5: mean (5 + 2 * 2) / 3 = 3,
    # E[x^2] = (25 + 2 * 5) / 3 = 35 / 3, variance 35 / 3 - 9 = 8 / 3.
    out = layer(np.array([[1.0], [3.0], [5.0]], dtype="float32")).numpy().ravel()
    np.testing.assert_allclose(out, [-1.0, 1.0, 2.0 / math.sqrt(8.0 / 3.0)], rtol=1e-5)


def test_reference_batch_model_makes_each_output_independent_of_its_batch():
    net = keras.Sequential([keras.Input((3,)), keras.layers.Dense(4),
                            improved.VirtualBatchNormalization(reference_size=5), keras.layers.Dense(2)])
    reference = np.random.RandomState(0).normal(size=(5, 3)).astype("float32")
    model = improved.ReferenceBatchModel(net, reference)
    x = np.random.RandomState(1).normal(size=(4, 3)).astype("float32")
    alone = np.concatenate([model(x[i:i + 1]).numpy() for i in range(4)])
    np.testing.assert_allclose(model(x).numpy(), alone, atol=1e-5)
    assert not model.reference.trainable


def test_reference_batch_model_checks_sizes_and_round_trips():
    net = keras.Sequential([keras.Input((3,)), improved.VirtualBatchNormalization(reference_size=2)])
    with pytest.raises(ValueError, match="reference_size=3"):
        improved.ReferenceBatchModel(net, np.zeros((3, 3)))
    with pytest.raises(ValueError, match="no VirtualBatchNormalization"):
        improved.ReferenceBatchModel(keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)]),
                                     np.zeros((2, 3)))
    vbn = improved.VirtualBatchNormalization(reference_size=4, epsilon=1e-3, center=False)
    assert _roundtrip(vbn).get_config() == vbn.get_config()


# --- parameter averages, schedules, label smoothing --------------------------------------------------------

def test_parameter_ema_is_bias_corrected():
    v = keras.Variable(np.float32(2.0))
    ema = improved.ParameterEMA([v], rate=0.5)
    assert float(ema.values()[0]) == pytest.approx(2.0)  # no update yet: the parameter itself
    ema.update()  # a = 0.5 * 2 = 1, corrected by 1 - 0.5 -> 2
    assert float(ema.values()[0]) == pytest.approx(2.0)
    v.assign(4.0)
    ema.update()  # a = 1 + 0.5 * (4 - 1) = 2.5, corrected by 1 - 0.25 -> (0.5 * 4 + 0.25 * 2) / 0.75
    assert float(ema.values()[0]) == pytest.approx(2.5 / 0.75)
    assert ema.weights and all(w is not v for w in ema.weights)  # owns its averages only


def test_parameter_ema_ramp_up_bounds_the_half_life_by_the_steps_so_far():
    v = keras.Variable(np.float32(2.0))
    ema = improved.ParameterEMA([v], rate=0.01, rampup=0.5)
    ema.update()  # the first update copies
    assert float(ema.values()[0]) == pytest.approx(2.0)
    v.assign(4.0)
    ema.update()  # t = 2: half-life 1 step, rate 1/2
    assert float(ema.values()[0]) == pytest.approx(3.0)
    v.assign(6.0)
    ema.update()  # t = 3: half-life 1.5 steps
    rate = 1 - 0.5 ** (1 / 1.5)
    assert float(ema.values()[0]) == pytest.approx(3.0 + rate * 3.0, rel=1e-5)
    for _ in range(1000):  # past 200 steps the half-life bound exceeds rate 0.01's 69 steps
        ema.update()
    v.assign(0.0)
    ema.update()
    assert float(ema.values()[0]) == pytest.approx(6.0 * 0.99, rel=1e-5)
    with pytest.raises(ValueError, match="ramp-up must be positive"):
        improved.ParameterEMA([v], rate=0.01, rampup=0.0)


def test_linear_decay_over_the_last_third():
    schedule = improved.LinearDecayLastThird(3e-4, epochs=1200, steps_per_epoch=10)
    # The reference: lr * min(3 - epoch / 400, 1).
    for epoch, factor in [(0, 1.0), (799, 1.0), (800, 1.0), (1000, 0.5), (1199, 3 - 1199 / 400)]:
        assert float(schedule(epoch * 10 + 9)) == pytest.approx(3e-4 * factor, rel=1e-4)
    copy = improved.LinearDecayLastThird.from_config(schedule.get_config())
    assert float(copy(10000)) == pytest.approx(float(schedule(10000)))


def test_one_sided_label_smoothing_targets_point_nine_on_real_and_zero_on_fake():
    # Real target 0.9: the real term's gradient vanishes where sigmoid(logit) = 0.9, at logit log 9.
    real = tf.Variable([math.log(9.0)])
    fake = tf.Variable([0.0])
    with tf.GradientTape() as tape:
        loss = losses.minimax_discriminator_loss(real, fake, label_smoothing=0.1)
    g_real, g_fake = tape.gradient(loss, [real, fake])
    assert float(g_real[0]) == pytest.approx(0.0, abs=1e-6)
    assert float(g_fake[0]) == pytest.approx(0.5, abs=1e-6)  # d softplus(x)/dx = sigmoid(0): fake target 0
    expected = -(0.9 * math.log(0.9) + 0.1 * math.log(0.1)) + math.log(2.0)
    assert float(loss) == pytest.approx(expected, abs=1e-5)


# --- historical averaging ------------------------------------------------------------------------------

def test_historical_averaging_penalty_by_hand():
    from tfgans import penalties

    theta = [keras.Variable(np.array([1.0, 2.0], "float32")), keras.Variable(np.float32(3.0))]
    averages = [np.array([0.0, 4.0], "float32"), np.float32(1.0)]
    # (1 - 0)^2 + (2 - 4)^2 + (3 - 1)^2 = 9
    assert float(penalties.historical_averaging_penalty(theta, averages)) == pytest.approx(9.0)
    with pytest.raises(ValueError, match="one average per variable"):
        penalties.historical_averaging_penalty(theta, averages[:1])
    with pytest.raises(ValueError, match="shape"):
        penalties.historical_averaging_penalty(theta, [averages[1], averages[0]])


def test_historical_average_keeps_the_running_mean():
    v = keras.Variable(np.float32(1.0))
    history = improved.HistoricalAverage([v])
    assert float(history.penalty()) == 0.0  # no history yet
    history.update()  # average 1
    v.assign(3.0)
    history.update()  # average (1 + 3) / 2 = 2
    v.assign(5.0)
    assert float(history.averages[0]) == pytest.approx(2.0)
    assert float(history.penalty()) == pytest.approx((5.0 - 2.0) ** 2)


def test_layers_and_data_init_run_under_mixed_precision():
    keras.mixed_precision.set_global_policy("mixed_bfloat16")  # conftest resets the policy afterwards
    net = keras.Sequential([
        keras.Input((4, 4, 2)),
        improved.WeightNormConv2D(3, 3, padding=1, activation="leaky_relu"),
        improved.WeightNormConv2DTranspose(2, 3, strides=2),
        keras.layers.Flatten(),
        improved.MinibatchDiscrimination(3, 2),
        improved.VirtualBatchNormalization(reference_size=2),
        improved.WeightNormDense(2),
    ])
    x = tf.random.stateless_normal((4, 4, 4, 2), seed=[8, 8])
    out = improved.data_dependent_init(net, x)
    assert out.dtype == tf.bfloat16 and net(x).shape == (4, 2)
    assert net.layers[0].scale.dtype == "float32" and np.all(np.isfinite(net.layers[0].scale.numpy()))
