"""Kapoor & Orozco, "Experiments with GANs": the four architectures against the report's text and Table 1.

Expected numbers come from the report (seed 002), not from tfgans.nets.kapoor: Table 1 fixes image 28 x 28
(784), z 100, dropout 0.5, 2 layers, 5 convolutional output channels, pooling kernel [2, 2] / stride [1, 1];
sec. 3 says the generator ends in tanh and the discriminator in a sigmoid (a logit here, the sigmoid in the
loss), the linear generator's layers grow and its discriminator's shrink, the conv and LSTM nets are "capped
with a fully connected linear layer", and pooling sits "in between convolutional layers".
"""

import numpy as np
import pytest
import keras
from keras import layers

from tfgans.models import output_range
from tfgans.nets import kapoor

# Table 1.
Z = 100
IMAGE = (28, 28, 1)
IMAGE_SIZE = 784
DROPOUT = 0.5
LAYERS = 2
CONV_CHANNELS = 5
POOL_KERNEL = (2, 2)
POOL_STRIDE = (1, 1)

ALL_NETS = [
    (kapoor.linear_generator, kapoor.linear_discriminator),
    (kapoor.dcgan_generator, kapoor.dcgan_discriminator),
    (kapoor.dcgan_pool_generator, kapoor.dcgan_pool_discriminator),
    (kapoor.lstm_generator, kapoor.lstm_discriminator),
]
NET_IDS = ["linear", "dcgan", "dcgan_pool", "lstm"]


def of_type(net, kind):
    return [layer for layer in net.layers if isinstance(layer, kind)]


def activation_name(layer):
    return getattr(layer.activation, "__name__", None)


@pytest.mark.parametrize("make_g, make_d", ALL_NETS, ids=NET_IDS)
def test_every_net_maps_z_100_to_28x28x1_images_and_images_to_one_logit(make_g, make_d):
    g, d = make_g(), make_d()
    assert g.input_shape == (None, Z)
    assert g.output_shape == (None, *IMAGE)
    assert d.input_shape == (None, *IMAGE)
    assert d.output_shape == (None, 1)
    images = g(np.random.default_rng(0).normal(size=(3, Z)).astype("float32"))
    assert images.shape == (3, *IMAGE)
    assert np.all(np.abs(images) <= 1.0)  # tanh output
    assert d(images).shape == (3, 1)


@pytest.mark.parametrize("make_g, make_d", ALL_NETS, ids=NET_IDS)
def test_generator_ends_in_tanh_and_discriminator_in_a_linear_logit(make_g, make_d):
    g, d = make_g(), make_d()
    assert output_range(g) == (-1.0, 1.0)
    last = d.layers[-1]
    assert isinstance(last, layers.Dense) and last.units == 1
    assert activation_name(last) == "linear"  # the report's sigmoid is applied in the loss


@pytest.mark.parametrize("make_g, make_d", ALL_NETS, ids=NET_IDS)
def test_every_net_has_dropout_0_5(make_g, make_d):
    for net in (make_g(), make_d()):
        rates = [layer.rate for layer in of_type(net, layers.Dropout)]
        assert len(rates) >= LAYERS
        assert rates == [DROPOUT] * len(rates)


@pytest.mark.parametrize("make_g, make_d", ALL_NETS, ids=NET_IDS)
def test_dropout_is_active_in_training_only(make_g, make_d):
    g = make_g()
    z = np.random.default_rng(1).normal(size=(4, Z)).astype("float32")
    np.testing.assert_allclose(g(z, training=False), g(z, training=False))
    assert not np.allclose(g(z, training=True), g(z, training=False))


# --- linear (Figure 1a) ---------------------------------------------------------------------------------------


def test_linear_generator_layers_grow_to_784_tanh():
    g = kapoor.linear_generator(layer_one_size=128, layer_two_size=300)
    dense = of_type(g, layers.Dense)
    assert [x.units for x in dense] == [128, 300, IMAGE_SIZE]  # two hidden layers that grow, then 784
    assert [activation_name(x) for x in dense][-1] == "tanh"
    assert isinstance(g.layers[-1], layers.Reshape)  # the flattened output becomes the 28x28x1 image


def test_linear_discriminator_flattens_784_then_layers_shrink():
    d = kapoor.linear_discriminator(layer_one_size=300, layer_two_size=64)
    assert isinstance(d.layers[0], layers.Flatten)
    assert d.layers[0].output.shape == (None, IMAGE_SIZE)
    assert [x.units for x in of_type(d, layers.Dense)] == [300, 64, 1]


def test_linear_defaults_have_two_hidden_layers_each_way():
    g, d = kapoor.linear_generator(), kapoor.linear_discriminator()
    g_hidden = [x.units for x in of_type(g, layers.Dense)][:-1]
    d_hidden = [x.units for x in of_type(d, layers.Dense)][:-1]
    assert len(g_hidden) == len(d_hidden) == LAYERS
    assert g_hidden[0] < g_hidden[1] and d_hidden[0] > d_hidden[1]


@pytest.mark.parametrize("make, sizes", [
    (kapoor.linear_generator, dict(layer_one_size=512, layer_two_size=256)),
    (kapoor.linear_discriminator, dict(layer_one_size=256, layer_two_size=512)),
])
def test_linear_layer_sizes_in_the_wrong_order_raise(make, sizes):
    with pytest.raises(ValueError, match="layer_one_size"):
        make(**sizes)


# --- convolutional, without and with pooling (Figures 1b, 1c) ----------------------------------------------


@pytest.mark.parametrize("pool", [False, True])
def test_dcgan_discriminator_two_convs_of_5_channels_then_dense_cap(pool):
    d = kapoor.dcgan_discriminator(filter_shape=4, stride=1, use_pooling=pool)
    convs = of_type(d, layers.Conv2D)
    assert len(convs) == LAYERS
    assert [c.filters for c in convs] == [CONV_CHANNELS] * LAYERS
    assert all(c.kernel_size == (4, 4) and c.strides == (1, 1) for c in convs)
    assert isinstance(d.layers[-2], layers.Flatten) and isinstance(d.layers[-1], layers.Dense)
    pools = of_type(d, layers.MaxPooling2D)
    assert len(pools) == (1 if pool else 0)


@pytest.mark.parametrize("pool", [False, True])
def test_dcgan_generator_dense_cap_then_two_transposed_convs(pool):
    g = kapoor.dcgan_generator(filter_shape=(2, 2), stride=1, use_pooling=pool)
    assert isinstance(g.layers[0], layers.Dense)  # the fully connected layer turns z into a feature map
    deconvs = of_type(g, layers.Conv2DTranspose)
    assert len(deconvs) == LAYERS
    assert deconvs[0].filters == CONV_CHANNELS and deconvs[-1].filters == IMAGE[-1]
    assert all(c.kernel_size == (2, 2) and c.strides == (1, 1) for c in deconvs)
    assert activation_name(deconvs[-1]) == "tanh"
    assert len(of_type(g, layers.MaxPooling2D)) == (1 if pool else 0)


@pytest.mark.parametrize("make", [kapoor.dcgan_pool_generator, kapoor.dcgan_pool_discriminator])
def test_pooling_is_2x2_stride_1_between_the_two_convolutions(make):
    net = make()
    (pool,) = of_type(net, layers.MaxPooling2D)
    assert pool.pool_size == POOL_KERNEL and pool.strides == POOL_STRIDE
    conv_kinds = (layers.Conv2D, layers.Conv2DTranspose)
    conv_at = [i for i, layer in enumerate(net.layers) if isinstance(layer, conv_kinds)]
    pool_at = net.layers.index(pool)
    assert conv_at[0] < pool_at < conv_at[1]
    # A stride-1 pool keeps the map at 28 x 28: nothing of the small MNIST images is downsampled away.
    assert pool.output.shape[1:3] == IMAGE[:2]


def test_dcgan_without_pooling_has_no_pooling_layer():
    for net in (kapoor.dcgan_generator(), kapoor.dcgan_discriminator()):
        assert not [x for x in net.layers if "pool" in type(x).__name__.lower()]
        assert "pool" not in net.name


def test_dcgan_defaults_are_the_reports_best_stride_1():
    for net in (kapoor.dcgan_generator(), kapoor.dcgan_discriminator()):
        convs = of_type(net, (layers.Conv2D, layers.Conv2DTranspose))
        assert all(c.strides == (1, 1) for c in convs)


def test_dcgan_stride_2_still_makes_and_takes_28x28():
    g = kapoor.dcgan_generator(stride=2, filter_shape=5)
    d = kapoor.dcgan_discriminator(stride=2, filter_shape=5)
    assert g.layers[2].output.shape == (None, 7, 7, CONV_CHANNELS)  # 28 / 2 / 2
    assert g.output_shape == (None, *IMAGE)
    assert [c.strides for c in of_type(d, layers.Conv2D)] == [(2, 2)] * 2
    assert d(g(np.zeros((2, Z), "float32"))).shape == (2, 1)


def test_dcgan_stride_that_cannot_reach_28_raises():
    with pytest.raises(ValueError, match="stride"):
        kapoor.dcgan_generator(stride=3)


# --- LSTM (Figure 1d) ------------------------------------------------------------------------------------------


def test_lstm_discriminator_reads_28_rows_through_two_lstm_layers():
    d = kapoor.lstm_discriminator(units=16)
    assert d.layers[0].output.shape == (None, 28, 28)  # 28 time steps of 28 pixels
    lstms = of_type(d, layers.LSTM)
    assert [x.units for x in lstms] == [16] * LAYERS
    assert lstms[0].return_sequences and not lstms[1].return_sequences
    assert isinstance(d.layers[-1], layers.Dense)


def test_lstm_generator_writes_28_rows_through_two_lstm_layers_and_a_tanh_cap():
    g = kapoor.lstm_generator(units=16)
    lstms = of_type(g, layers.LSTM)
    assert [x.units for x in lstms] == [16] * LAYERS
    assert all(x.return_sequences for x in lstms)
    (cap,) = of_type(g, layers.Dense)
    assert cap.output.shape == (None, 28, 28) and activation_name(cap) == "tanh"


def test_lstm_generator_rows_depend_on_the_row_step():
    # The same z drives every step; the LSTM state must still make rows differ (an image, not 28 copies).
    g = kapoor.lstm_generator(units=8)
    image = g(np.random.default_rng(2).normal(size=(1, Z)).astype("float32"))[0, :, :, 0].numpy()
    assert not np.allclose(image[0], image[-1])


# --- bad input and serialisation ----------------------------------------------------------------------------


@pytest.mark.parametrize("make, kwargs, match", [
    (kapoor.linear_generator, dict(dropout=1.0), "dropout"),
    (kapoor.lstm_discriminator, dict(units=0), "units"),
    (kapoor.dcgan_discriminator, dict(channels=-5), "channels"),
])
def test_bad_arguments_raise_clear_errors(make, kwargs, match):
    with pytest.raises(ValueError, match=match):
        make(**kwargs)


@pytest.mark.parametrize("make_g, make_d", ALL_NETS, ids=NET_IDS)
def test_config_round_trip_gives_the_same_net(make_g, make_d):
    for net in (make_g(), make_d()):
        clone = keras.Sequential.from_config(net.get_config())
        clone.set_weights(net.get_weights())
        x = np.random.default_rng(3).normal(size=(2, *net.input_shape[1:])).astype("float32")
        np.testing.assert_allclose(clone(x), net(x), rtol=1e-5, atol=1e-6)
        assert clone.name == net.name
