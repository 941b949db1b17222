"""Layer tables of the reports' nets, checked row by row against the reports' text (numbers typed from the
reports, not from tfgans' code), plus serialization round trips."""

import numpy as np
import pytest
import keras
import tensorflow as tf

from tfgans import layers as tfgans_layers
from tfgans import nets
from conftest import layer_rows as rows


def kinds(model):
    return [r[0] for r in rows(model)]


# --- Sun & Yang, sec. 2.1.1 / 2.1.2 / 3.1 -----------------------------------------------------------------------

def test_sun_mnist_generator_matches_section_2_1_1():
    g = nets.sun.mnist_generator()
    assert kinds(g) == ["Dense", "BatchNormalization", "LeakyReLU", "Reshape",
                        "Conv2DTranspose", "BatchNormalization", "LeakyReLU",
                        "Conv2DTranspose", "BatchNormalization", "LeakyReLU",
                        "Conv2DTranspose"]
    r = rows(g)
    assert g.input_shape == (None, 100)                       # "100x1 random noise vector"
    assert r[0][1] == 12544                                   # "12,544 neurons"
    assert r[3][5] == (7, 7, 256)                             # "reshape it to 7x7x256"
    assert r[4][1:4] == (128, (5, 5), (1, 1)) and r[4][5] == (7, 7, 128)
    assert r[7][1:4] == (64, (5, 5), (2, 2)) and r[7][5] == (14, 14, 64)
    assert r[10][1:5] == (1, (5, 5), (2, 2), "tanh") and r[10][5] == (28, 28, 1)
    assert all(layer.padding == "same" for layer in g.layers if hasattr(layer, "padding"))


def test_sun_mnist_discriminator_matches_section_2_1_2():
    d = nets.sun.mnist_discriminator()
    assert kinds(d) == ["Conv2D", "LeakyReLU", "Dropout"] * 3 + ["Flatten", "Dense"]
    r = rows(d)
    assert d.input_shape == (None, 28, 28, 1)
    assert [(x[1], x[2], x[3]) for x in r if x[0] == "Conv2D"] == [
        (64, (5, 5), (2, 2)), (128, (5, 5), (2, 2)), (256, (5, 5), (2, 2))]
    assert [layer.rate for layer in d.layers if isinstance(layer, keras.layers.Dropout)] == [0.3] * 3
    assert r[-1][1] == 1 and d.output_shape == (None, 1)


def test_sun_svhn_nets_match_section_3_1():
    g, d = nets.sun.svhn_generator(), nets.sun.svhn_discriminator()
    assert rows(g)[3][5] == (8, 8, 256)                       # "changed to 8x8x256"
    assert g.output_shape == (None, 32, 32, 3)                # "from 1 to 3"
    assert d.input_shape == (None, 32, 32, 3) and d.output_shape == (None, 1)
    assert kinds(d) == kinds(nets.sun.mnist_discriminator())  # "exactly the same"


# --- Chakkarwar et al., Tables 2 and 3 --------------------------------------------------------------------------

def test_chakkarwar_generator_matches_table_2():
    g = nets.chakkarwar.mnist_generator()
    convs = [r for r in rows(g) if r[0] == "Conv2DTranspose"]
    assert [(c[1], c[2], c[3]) for c in convs] == [(64, (5, 5), (2, 2)), (1, (5, 5), (2, 2))]
    assert rows(g)[3][5] == (7, 7, 128)                       # Linear: 128 feature maps
    assert kinds(g) == ["Dense", "BatchNormalization", "ReLU", "Reshape",
                        "Conv2DTranspose", "BatchNormalization", "ReLU",
                        "Conv2DTranspose", "Activation"]  # no BN before tanh: the text, not the table
    assert rows(g)[-1][4] == "tanh" and g.output_shape == (None, 28, 28, 1)


def test_chakkarwar_discriminator_matches_table_3():
    d = nets.chakkarwar.mnist_discriminator()
    assert kinds(d) == ["Conv2D", "BatchNormalization", "ELU", "Conv2D", "BatchNormalization", "ELU",
                        "Flatten", "Dense"]  # no BN on the logit: the text, not the table
    convs = [r for r in rows(d) if r[0] == "Conv2D"]
    assert [(c[1], c[2], c[3]) for c in convs] == [(64, (5, 5), (2, 2)), (128, (5, 5), (2, 2))]
    assert d.output_shape == (None, 1)


def test_chakkarwar_discriminator_separates_real_from_fake_batches():
    # With BN on the logit every training batch's mean logit is BN's beta: D could not learn this at all.
    keras.utils.set_random_seed(0)
    d = nets.chakkarwar.mnist_discriminator(sync_batch_norm=False)
    optimizer = keras.optimizers.Adam(1e-3)
    real, fake = np.ones((16, 28, 28, 1), np.float32), -np.ones((16, 28, 28, 1), np.float32)
    bce = keras.losses.BinaryCrossentropy(from_logits=True)
    for _ in range(40):
        with tf.GradientTape() as tape:
            loss = bce(tf.ones((16, 1)), d(real, training=True)) + bce(tf.zeros((16, 1)), d(fake, training=True))
        optimizer.apply_gradients(zip(tape.gradient(loss, d.trainable_variables), d.trainable_variables))
    assert float(loss) < 0.05


def test_chakkarwar_text_batch_norm_drops_first_and_output_rows():
    d = nets.chakkarwar.mnist_discriminator(table_batch_norm=False)
    assert kinds(d) == ["Conv2D", "ELU", "Conv2D", "BatchNormalization", "ELU", "Flatten", "Dense"]
    g = nets.chakkarwar.mnist_generator(table_batch_norm=False)
    assert kinds(g)[-2:] == ["Conv2DTranspose", "Activation"]


# --- Goodfellow et al. 2014 reference MLPs (vanilla GAN of Chakkarwar et al.) --------------------------------

def test_goodfellow_mlps_match_reference_mnist_yaml():
    g = nets.chakkarwar.gan_generator()
    assert [(r[0], r[1], r[4]) for r in rows(g)[:3]] == [
        ("Dense", 1200, "relu"), ("Dense", 1200, "relu"), ("Dense", 784, "sigmoid")]
    assert g.output_shape == (None, 28, 28, 1)
    d = nets.chakkarwar.gan_discriminator()
    maxouts = [layer for layer in d.layers if isinstance(layer, tfgans_layers.Maxout)]
    assert [(m.units, m.num_pieces) for m in maxouts] == [(240, 5), (240, 5)]
    assert [layer.rate for layer in d.layers if isinstance(layer, keras.layers.Dropout)] == [0.2, 0.5, 0.5]
    assert d.output_shape == (None, 1)


def test_goodfellow_mlps_start_at_the_reference_irange_and_the_preset_draws_uniform_noise():
    from tfgans import presets

    g, d = nets.goodfellow.mnist_generator(), nets.goodfellow.mnist_discriminator()
    for net, irange in ((g, 0.05), (d, 0.005)):
        kernels = [w for w in net.weights if "kernel" in w.path]
        assert len(kernels) == 3
        for kernel in kernels:
            values = kernel.numpy()
            assert np.abs(values).max() <= irange and np.abs(values).max() > 0.9 * irange
    gan = presets.get("gan-mnist-chakkarwar").make_model(seed=0)
    z = gan.sample_latent(4096, tf.constant([0, 0], tf.int64)).numpy()
    assert gan.latent_distribution == "uniform"
    assert -3 ** 0.5 <= z.min() < -1.6 and 1.6 < z.max() <= 3 ** 0.5  # U(-sqrt 3, sqrt 3): unit variance
    assert z.var() == pytest.approx(1.0, abs=0.05)


def test_maxout_takes_the_max_over_pieces():
    layer = tfgans_layers.Maxout(units=2, num_pieces=3)
    layer.build((None, 1))
    # Kernel [1, 6]: pieces of unit 0 are columns 0..2, of unit 1 columns 3..5.
    layer.dense.kernel.assign(np.array([[1.0, -2.0, 0.5, 3.0, 0.0, -1.0]], np.float32))
    out = layer(np.array([[2.0], [-1.0]], np.float32)).numpy()
    np.testing.assert_allclose(out, [[2.0, 6.0], [2.0, 1.0]])


@pytest.mark.parametrize("make", [
    nets.sun.mnist_generator, nets.sun.mnist_discriminator, nets.chakkarwar.mnist_discriminator,
    nets.goodfellow.mnist_discriminator,
])
def test_nets_round_trip_through_get_config(make):
    net = make()
    clone = keras.Sequential.from_config(net.get_config())
    clone.set_weights(net.get_weights())
    x = np.random.default_rng(0).standard_normal((2,) + tuple(net.input_shape[1:])).astype("float32")
    np.testing.assert_allclose(clone(x, training=False), net(x, training=False), rtol=1e-5, atol=1e-6)


# --- Johnson & Zhang 2018 (CFG-GAN) reference nets and Zhu et al.'s variants ---------------------------------

def test_johnson_dcganx_discriminator_matches_the_reference_code():
    d = nets.johnson.mnist_discriminator()
    convs = [(r[1], r[2], r[3], r[5]) for r in rows(d) if r[0] == "Conv2D"]
    assert convs == [(32, (5, 5), (2, 2), (16, 16, 32)), (64, (5, 5), (2, 2), (8, 8, 64)),
                     (64, (1, 1), (1, 1), (8, 8, 64)), (128, (5, 5), (2, 2), (4, 4, 128)),
                     (128, (1, 1), (1, 1), (4, 4, 128))]
    conv_layers = [x for x in d.layers if isinstance(x, keras.layers.Conv2D)]
    assert [x.use_bias for x in conv_layers] == [True, False, False, False, False]  # the reference's key typo
    assert kinds(d).count("BatchNormalization") == 4 and kinds(d)[-1] == "Dense" and d.output_shape == (None, 1)
    assert "BatchNormalization" not in kinds(nets.zhu.mnist_discriminator())  # seed 000: no BN in D


def test_johnson_dcganx_approximator_matches_the_reference_code():
    g = nets.johnson.mnist_approximator()
    assert rows(g)[1][5] == (4, 4, 128)  # linear to 128 x 4 x 4, no batch norm
    assert kinds(g)[:3] == ["Dense", "Reshape", "ReLU"]
    ups = [(r[1], r[5]) for r in rows(g) if r[0] == "Conv2DTranspose"]
    assert ups == [(64, (8, 8, 64)), (32, (16, 16, 32)), (1, (32, 32, 1))]
    assert rows(g)[-1][4] == "tanh" and g.output_shape == (None, 32, 32, 1)
    bn = [x for x in g.layers if isinstance(x, keras.layers.BatchNormalization)][0]
    gamma = bn.gamma.numpy()
    assert 0 <= gamma.min() and gamma.max() <= 1 and gamma.std() > 0.1  # gamma ~ U(0, 1)
    assert (bn.epsilon, bn.momentum) == (1e-5, 0.9)  # PyTorch's eps and momentum 0.1


def test_johnson_initialisation_and_the_fc_approximator():
    keras.utils.set_random_seed(0)
    d = nets.johnson.svhn_discriminator()
    first = d.layers[0].kernel.numpy()
    assert d.input_shape == (None, 32, 32, 3) and abs(first.std() - 0.01) < 0.002  # N(0, 0.01)
    dense = d.layers[-1].kernel.numpy()
    assert abs(dense.std() - (2 / dense.shape[0]) ** 0.5) < 0.2 * (2 / dense.shape[0]) ** 0.5  # Kaiming
    kaiming = nets.zhu.cifar10_discriminator().layers[0].kernel.numpy()
    assert abs(kaiming.std() - (2 / (5 * 5 * 3)) ** 0.5) < 0.03
    fc = nets.johnson.mnist_fc_approximator()
    assert [r[1] for r in rows(fc) if r[0] == "Dense"] == [512, 512, 1024] and fc.output_shape == (None, 32, 32, 1)
    with pytest.raises(ValueError, match="divisible by 2\\^depth"):
        nets.johnson.dcganx_discriminator((28, 28, 1))


def test_johnson_resnet4_nets_match_the_reference_shapes():
    d = nets.johnson.resnet4_discriminator()
    assert [tuple(x.output.shape[1:]) for x in d.layers[:4]] == [(32, 32, 64), (16, 16, 128), (8, 8, 256),
                                                                  (4, 4, 512)]
    assert d.output_shape == (None, 1)
    g = nets.johnson.resnet4_approximator()
    assert rows(g)[1][5] == (4, 4, 512)
    assert [tuple(x.output.shape[1:]) for x in g.layers[2:6]] == [(8, 8, 256), (16, 16, 128), (32, 32, 64),
                                                                   (64, 64, 64)]
    assert g.output_shape == (None, 64, 64, 3) and rows(g)[-1][4] == "tanh"
    block = d.layers[1]
    assert not block.conv0.use_bias and not block.conv1.use_bias  # the reference's key typo, as in dcganx
    restored = keras.Sequential.from_config(d.get_config())
    assert restored.count_params() == d.count_params()


# --- tfgans' fast nets: Radford et al. 2015's DCGAN pattern at 28, 32 and 64 px -----------------------------------

def reference_fast_mnist_nets(num_classes):
    """The 28x28x1 fast pair as tfgans shipped it before the nets scaled with the resolution (typed out here)."""
    g = keras.Sequential([
        keras.Input((100,)),
        *([tfgans_layers.LatentClass(num_classes)] if num_classes else []),
        keras.layers.Dense(7 * 7 * 64, use_bias=False), keras.layers.BatchNormalization(synchronized=True),
        keras.layers.ReLU(), keras.layers.Reshape((7, 7, 64)),
        keras.layers.Conv2DTranspose(32, 4, strides=2, padding="same", use_bias=False),
        keras.layers.BatchNormalization(synchronized=True), keras.layers.ReLU(),
        keras.layers.Conv2DTranspose(1, 4, strides=2, padding="same", activation="tanh"),
    ], name="fast_mnist_generator")
    d = keras.Sequential([
        keras.Input((28, 28, 1)),
        keras.layers.Conv2D(32, 4, strides=2, padding="same"), keras.layers.LeakyReLU(0.2),
        keras.layers.Conv2D(64, 4, strides=2, padding="same"), keras.layers.LeakyReLU(0.2),
        keras.layers.Flatten(), keras.layers.Dense(1 + num_classes),
    ], name="fast_mnist_discriminator")
    return g, d


@pytest.mark.parametrize("num_classes, g_params, d_params", [(0, 359553, 36513), (10, 387777, 67883)])
def test_fast_mnist_nets_are_those_the_shipped_generator_and_checkpoints_hold(num_classes, g_params, d_params):
    keras.utils.set_random_seed(0)
    g, d = nets.fast.mnist_generator(num_classes=num_classes), nets.fast.mnist_discriminator(num_classes=num_classes)
    keras.utils.set_random_seed(0)
    g0, d0 = reference_fast_mnist_nets(num_classes)
    assert (g.count_params(), d.count_params()) == (g_params, d_params)
    assert (g.name, d.name) == (g0.name, d0.name)

    def configs(net):
        return [(type(x).__name__, {k: v for k, v in x.get_config().items() if k != "name"}) for x in net.layers]

    assert configs(g) == configs(g0) and configs(d) == configs(d0)
    for new, old in zip(g.weights + d.weights, g0.weights + d0.weights):  # the same seed, the same start
        np.testing.assert_array_equal(new.numpy(), old.numpy())
    z = np.random.default_rng(1).standard_normal((2, 100)).astype("float32")
    np.testing.assert_array_equal(d(g(z, training=False)), d0(g0(z, training=False)))


def test_fast_nets_scale_with_the_resolution_as_radford_et_al():
    g, d = nets.fast.generator(resolution=64, channels=3), nets.fast.discriminator(resolution=64, channels=3)
    assert rows(g)[3][5] == (4, 4, 256)  # 4x4, width * 8
    ups = [(r[1], r[2], r[3], r[5]) for r in rows(g) if r[0] == "Conv2DTranspose"]
    assert ups == [(128, (4, 4), (2, 2), (8, 8, 128)), (64, (4, 4), (2, 2), (16, 16, 64)),
                   (32, (4, 4), (2, 2), (32, 32, 32)), (3, (4, 4), (2, 2), (64, 64, 3))]
    assert rows(g)[-1][4] == "tanh" and kinds(g).count("BatchNormalization") == 4  # none at the output
    downs = [(r[1], r[3], r[5]) for r in rows(d) if r[0] == "Conv2D"]
    assert downs == [(32, (2, 2), (32, 32, 32)), (64, (2, 2), (16, 16, 64)), (128, (2, 2), (8, 8, 128)),
                     (256, (2, 2), (4, 4, 256))]
    assert "BatchNormalization" not in kinds(d) and d.output_shape == (None, 1)  # R1 needs no batch statistics
    x = g(np.random.default_rng(0).standard_normal((2, 100)).astype("float32"), training=False)
    assert x.shape == (2, 64, 64, 3) and d(x).shape == (2, 1)
    assert keras.Sequential.from_config(g.get_config()).count_params() == g.count_params()

    g32 = nets.fast.generator(resolution=32, channels=3, num_classes=10)
    d32 = nets.fast.discriminator(resolution=32, channels=3, num_classes=10)
    assert rows(g32)[4][5] == (4, 4, 128) and g32.output_shape == (None, 32, 32, 3)  # 4 -> 8 -> 16 -> 32
    assert d32.input_shape == (None, 32, 32, 3) and d32.output_shape == (None, 11)
    assert nets.fast.generator(resolution=28, channels=3).output_shape == (None, 28, 28, 3)  # 7 -> 14 -> 28
    with pytest.raises(ValueError, match="pass one of 28, 32, 64"):
        nets.fast.discriminator(resolution=48)
