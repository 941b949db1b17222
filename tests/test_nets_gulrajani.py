"""Gulrajani et al.'s WGAN-GP reference nets, row by row against igul222/improved_wgan_training (gan_mnist.py,
gan_cifar.py, gan_cifar_resnet.py; numbers typed from that code, not from tfgans'), plus the residual blocks'
resampling by hand, the seed-000 options (no critic normalisation, Kaiming init) and serialization."""

import numpy as np
import pytest
import keras

from tfgans.nets import gulrajani
from conftest import layer_rows as rows


def kinds(model):
    return [type(layer).__name__ for layer in model.layers]


def conv_params(k, c_in, c_out):
    return k * k * c_in * c_out + c_out


# --- gan_mnist.py (DIM = 64, noise 128, MODE 'wgan-gp') -------------------------------------------------------------

def test_mnist_generator_matches_gan_mnist_py():
    g = gulrajani.mnist_generator()
    # Linear 128 -> 4*4*4*DIM, relu, reshape; Deconv2D 4DIM->2DIM k5, relu, crop [:7, :7]; Deconv2D 2DIM->DIM k5,
    # relu; Deconv2D DIM->1 k5, sigmoid. No batch norm outside MODE 'wgan'.
    assert kinds(g) == ["Dense", "ReLU", "Reshape", "Conv2DTranspose", "ReLU", "Cropping2D",
                        "Conv2DTranspose", "ReLU", "Conv2DTranspose"]
    r = rows(g)
    assert g.input_shape == (None, 128)
    assert r[0][1] == 4 * 4 * 4 * 64 and r[2][5] == (4, 4, 256)
    assert r[3][1:4] == (128, (5, 5), (2, 2)) and r[3][5] == (8, 8, 128)
    assert r[5][5] == (7, 7, 128)
    assert r[6][1:4] == (64, (5, 5), (2, 2)) and r[6][5] == (14, 14, 64)
    assert r[8][1:5] == (1, (5, 5), (2, 2), "sigmoid") and g.output_shape == (None, 28, 28, 1)
    crop = g.layers[5]
    assert crop.cropping == ((0, 1), (0, 1))  # keeps rows and columns 0..6 of 8, as output[:, :, :7, :7]
    out = g(np.random.default_rng(0).standard_normal((3, 128)).astype("float32")).numpy()
    assert out.min() >= 0.0 and out.max() <= 1.0


def test_mnist_generator_batch_norm_is_the_wgan_mode_switch():
    g = gulrajani.mnist_generator(batch_norm=True)
    assert kinds(g) == ["Dense", "BatchNormalization", "ReLU", "Reshape",
                        "Conv2DTranspose", "BatchNormalization", "ReLU", "Cropping2D",
                        "Conv2DTranspose", "BatchNormalization", "ReLU", "Conv2DTranspose"]


def test_mnist_critic_matches_gan_mnist_py():
    d = gulrajani.mnist_discriminator()
    assert kinds(d) == ["Conv2D", "LeakyReLU"] * 3 + ["Flatten", "Dense"]
    r = rows(d)
    assert d.input_shape == (None, 28, 28, 1)
    assert [x[1:4] for x in r if x[0] == "Conv2D"] == [(64, (5, 5), (2, 2)), (128, (5, 5), (2, 2)),
                                                       (256, (5, 5), (2, 2))]
    assert [x[5] for x in r if x[0] == "Conv2D"] == [(14, 14, 64), (7, 7, 128), (4, 4, 256)]
    assert all(layer.padding == "same" for layer in d.layers if hasattr(layer, "padding"))
    assert [layer.negative_slope for layer in d.layers if isinstance(layer, keras.layers.LeakyReLU)] == [0.2] * 3
    assert r[-2][5] == (4 * 4 * 4 * 64,) and r[-1][1] == 1 and r[-1][4] in (None, "linear")  # no sigmoid
    assert d.count_params() == conv_params(5, 1, 64) + conv_params(5, 64, 128) + conv_params(5, 128, 256) + 4097


@pytest.mark.parametrize("normalization, layer", [("batch", "BatchNormalization"),
                                                   ("layer", "GroupNormalization")])
def test_critic_normalization_sits_after_the_second_and_third_convs(normalization, layer):
    d = gulrajani.mnist_discriminator(normalization=normalization)
    assert kinds(d) == ["Conv2D", "LeakyReLU", "Conv2D", layer, "LeakyReLU", "Conv2D", layer, "LeakyReLU",
                        "Flatten", "Dense"]
    if normalization == "layer":  # tflib layernorm: per example over [H, W, C], one scale per channel
        assert d.layers[3].groups == 1 and d.layers[3].gamma.shape == (128,)
    with pytest.raises(ValueError, match="normalization must be None"):
        gulrajani.cifar10_discriminator(normalization="instance")


# --- gan_cifar.py (DIM = 128) ---------------------------------------------------------------------------------------

def test_cifar10_generator_matches_gan_cifar_py():
    g = gulrajani.cifar10_generator()
    assert kinds(g) == ["Dense", "BatchNormalization", "ReLU", "Reshape",
                        "Conv2DTranspose", "BatchNormalization", "ReLU",
                        "Conv2DTranspose", "BatchNormalization", "ReLU", "Conv2DTranspose"]
    r = rows(g)
    assert g.input_shape == (None, 128) and r[0][1] == 4 * 4 * 4 * 128 and r[3][5] == (4, 4, 512)
    assert [x[1:4] + (x[5],) for x in r if x[0] == "Conv2DTranspose"] == [
        (256, (5, 5), (2, 2), (8, 8, 256)), (128, (5, 5), (2, 2), (16, 16, 128)), (3, (5, 5), (2, 2), (32, 32, 3))]
    assert r[-1][4] == "tanh"


def test_cifar10_critic_matches_gan_cifar_py_without_batch_norm():
    d = gulrajani.cifar10_discriminator()
    assert kinds(d) == ["Conv2D", "LeakyReLU"] * 3 + ["Flatten", "Dense"]
    r = rows(d)
    assert d.input_shape == (None, 32, 32, 3)
    assert [x[1:4] + (x[5],) for x in r if x[0] == "Conv2D"] == [
        (128, (5, 5), (2, 2), (16, 16, 128)), (256, (5, 5), (2, 2), (8, 8, 256)), (512, (5, 5), (2, 2), (4, 4, 512))]
    assert r[-2][5] == (4 * 4 * 4 * 128,) and d.output_shape == (None, 1)


# --- gan_cifar_resnet.py (DIM_G = DIM_D = 128, unconditional) ------------------------------------------------------

def test_cifar10_resnet_generator_matches_gan_cifar_resnet_py():
    g = gulrajani.cifar10_resnet_generator()
    # Linear 128 -> 4*4*DIM_G, reshape; 3 ResidualBlock 'up' (3x3); Normalize; relu; Conv 3x3 -> 3; tanh.
    assert kinds(g) == ["Dense", "Reshape", "ResidualBlock", "ResidualBlock", "ResidualBlock",
                        "BatchNormalization", "ReLU", "Conv2D"]
    r = rows(g)
    assert r[0][1] == 4 * 4 * 128 and r[0][4] in (None, "linear")
    assert [x[5] for x in r[2:5]] == [(8, 8, 128), (16, 16, 128), (32, 32, 128)]
    assert all(block.resample == "up" and block.kernel_size == 3 and block.normalization == "batch"
               for block in g.layers[2:5])
    assert r[-1][1:3] == (3, (3, 3)) and r[-1][4] == "tanh" and g.output_shape == (None, 32, 32, 3)
    # Block: BN, relu, upsample + conv 3x3, BN, relu, conv 3x3; shortcut upsample + conv 1x1.
    block = g.layers[2]
    assert [type(x).__name__ for x in block.residual] == ["BatchNormalization", "ReLU", "UpSampling2D", "Conv2D",
                                                          "BatchNormalization", "ReLU", "Conv2D"]
    assert [type(x).__name__ for x in block.shortcut] == ["UpSampling2D", "Conv2D"]
    assert block.shortcut[1].kernel_size == (1, 1)
    block_params = 2 * conv_params(3, 128, 128) + conv_params(1, 128, 128) + 2 * 2 * 128  # + BN scale/offset
    trainable = sum(int(np.prod(w.shape)) for w in g.trainable_weights)
    assert trainable == (128 * 2048 + 2048) + 3 * block_params + 2 * 128 + conv_params(3, 128, 3)


def test_cifar10_resnet_critic_matches_gan_cifar_resnet_py():
    d = gulrajani.cifar10_resnet_discriminator()
    # OptimizedResBlockDisc1; ResidualBlock 'down'; 2 ResidualBlock None; relu; mean over H, W; Linear -> 1.
    assert kinds(d) == ["OptimizedResidualBlock", "ResidualBlock", "ResidualBlock", "ResidualBlock", "ReLU",
                        "GlobalAveragePooling2D", "Dense"]
    r = rows(d)
    assert [x[5] for x in r[:4]] == [(16, 16, 128), (8, 8, 128), (8, 8, 128), (8, 8, 128)]
    assert [b.resample for b in d.layers[1:4]] == ["down", None, None]
    assert all(b.normalization is None for b in d.layers[1:4])  # NORMALIZATION_D = False
    first = d.layers[0]
    assert [type(x).__name__ for x in first.residual] == ["Conv2D", "ReLU", "Conv2D", "AveragePooling2D"]
    assert [type(x).__name__ for x in first.shortcut] == ["AveragePooling2D", "Conv2D"]  # MeanPoolConv
    down = d.layers[1]
    assert [type(x).__name__ for x in down.residual] == ["ReLU", "Conv2D", "ReLU", "Conv2D", "AveragePooling2D"]
    assert [type(x).__name__ for x in down.shortcut] == ["Conv2D", "AveragePooling2D"]  # ConvMeanPool
    assert d.layers[2].shortcut == []  # identity skip when channels match and no resampling
    expected = (conv_params(1, 3, 128) + conv_params(3, 3, 128) + conv_params(3, 128, 128)  # first block
                + 2 * conv_params(3, 128, 128) + conv_params(1, 128, 128)  # 'down': two convs + shortcut
                + 2 * 2 * conv_params(3, 128, 128)  # two blocks, identity shortcuts
                + 128 + 1)  # Linear DIM_D -> 1
    assert d.count_params() == expected


# --- resampling by hand ---------------------------------------------------------------------------------------------

def _shortcut_only_block(resample, channels_in=2):
    """A block whose main convs are zero and whose 1x1 shortcut sums the channels: output = shortcut path."""
    block = gulrajani.ResidualBlock(1, resample, kernel_initializer="zeros", shortcut_initializer="ones")
    block.build((None, 4, 4, channels_in))
    return block


def test_down_block_mean_pools_like_the_reference_strided_slices():
    x = np.random.default_rng(0).standard_normal((2, 4, 4, 2)).astype("float32")
    got = _shortcut_only_block("down")(x).numpy()
    s = x.sum(axis=-1)  # the 1x1 ones-kernel conv
    # ConvMeanPool: add_n of output[::2, ::2], [1::2, ::2], [::2, 1::2], [1::2, 1::2], over 4.
    expected = (s[:, ::2, ::2] + s[:, 1::2, ::2] + s[:, ::2, 1::2] + s[:, 1::2, 1::2]) / 4
    np.testing.assert_allclose(got[..., 0], expected, rtol=1e-5, atol=1e-6)


def test_up_block_repeats_each_pixel_like_depth_to_space_of_four_copies():
    x = np.random.default_rng(1).standard_normal((2, 4, 4, 2)).astype("float32")
    got = _shortcut_only_block("up")(x).numpy()
    s = x.sum(axis=-1)
    expected = np.repeat(np.repeat(s, 2, axis=1), 2, axis=2)  # out[2i + a, 2j + b] = in[i, j]
    assert got.shape == (2, 8, 8, 1)
    np.testing.assert_allclose(got[..., 0], expected, rtol=1e-5, atol=1e-6)


def test_down_block_first_conv_keeps_the_input_channels():
    block = gulrajani.ResidualBlock(8, "down")
    block.build((None, 8, 8, 4))
    convs = [x for x in block.residual if isinstance(x, keras.layers.Conv2D)]
    assert [c.filters for c in convs] == [4, 8]  # conv_1: input_dim -> input_dim; conv_2: -> output_dim
    with pytest.raises(ValueError, match="resample"):
        gulrajani.ResidualBlock(8, "sideways")


# --- initialisation (reference vs Kaiming), serialization ------------------------------------------------------------

def test_reference_initialisers_and_kaiming_override():
    d = gulrajani.cifar10_resnet_discriminator()
    first = d.layers[0]
    main, shortcut = first.residual[0], first.shortcut[1]
    # tflib Conv2D he_init=True: uniform with variance 4 / (fan_in + fan_out); he_init=False shortcut: Glorot.
    assert isinstance(main.kernel_initializer, keras.initializers.VarianceScaling)
    assert (main.kernel_initializer.scale, main.kernel_initializer.mode,
            main.kernel_initializer.distribution) == (2.0, "fan_avg", "uniform")
    assert isinstance(shortcut.kernel_initializer, keras.initializers.GlorotUniform)
    assert isinstance(d.layers[-1].kernel_initializer, keras.initializers.GlorotUniform)  # tflib Linear default
    kaiming = gulrajani.cifar10_resnet_discriminator(kernel_initializer="he_normal")
    convs = [x for x in kaiming.layers[0].residual + kaiming.layers[0].shortcut if hasattr(x, "kernel_initializer")]
    assert all(isinstance(c.kernel_initializer, keras.initializers.HeNormal) for c in convs)
    mnist = gulrajani.mnist_generator(kernel_initializer="he_normal")
    assert all(isinstance(x.kernel_initializer, keras.initializers.HeNormal) for x in mnist.layers
               if hasattr(x, "kernel_initializer"))


@pytest.mark.parametrize("net", [gulrajani.cifar10_resnet_generator, gulrajani.cifar10_resnet_discriminator])
def test_resnet_nets_round_trip_through_config_with_the_same_outputs(net):
    model = net()
    clone = keras.Sequential.from_config(model.get_config())
    clone.set_weights(model.get_weights())
    shape = (2,) + tuple(model.input_shape[1:])
    x = np.random.default_rng(0).standard_normal(shape).astype("float32")
    np.testing.assert_allclose(clone(x, training=False), model(x, training=False), rtol=1e-5, atol=1e-5)
    block = gulrajani.ResidualBlock(16, "up", normalization="layer", kernel_initializer="he_normal")
    again = gulrajani.ResidualBlock.from_config(block.get_config())
    assert (again.filters, again.resample, again.normalization, again.kernel_initializer) == \
        (16, "up", "layer", "he_normal")
