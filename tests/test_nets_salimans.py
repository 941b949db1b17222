"""Salimans et al. 2016 nets row by row against the reference code (openai/improved-gan,
train_mnist_feature_matching.py and train_cifar_feature_matching.py; numbers typed from there and from issue 7,
not from tfgans' code), plus serialization round trips."""

import numpy as np
import pytest
import keras

from tfgans import improved, presets
from tfgans.models.base import output_range
from tfgans.nets import salimans


def kinds(model):
    return [type(layer).__name__ for layer in model.layers]


def act(layer):
    return getattr(getattr(layer, "activation", None), "__name__", None)


def test_mnist_generator_rows():
    g = salimans.mnist_generator()
    assert g.input_shape == (None, 100) and g.output_shape == (None, 28, 28, 1)
    assert kinds(g) == ["Dense", "BatchNormalization", "Activation"] * 2 + ["WeightNormDense", "Reshape"]
    dense = [layer for layer in g.layers if isinstance(layer, keras.layers.Dense)]
    assert [d.units for d in dense] == [500, 500]
    # nn.batch_norm(..., g=None): the dense bias is dropped, batch norm has an offset and no scale.
    assert not any(d.use_bias for d in dense)
    bns = [layer for layer in g.layers if isinstance(layer, keras.layers.BatchNormalization)]
    assert all(bn.center and not bn.scale for bn in bns)
    assert [act(layer) for layer in g.layers if type(layer).__name__ == "Activation"] == ["softplus"] * 2
    out = g.layers[-2]
    assert out.units == 28 ** 2 and act(out) == "sigmoid"  # l2normalize(DenseLayer(784, sigmoid))
    assert out.train_scale and not out.data_init  # l2normalize: trainable W_scale, no init pass


def test_mnist_generator_with_sleepychords_softplus_output_draws_in_the_datas_range():
    # Sleepychord/ImprovedGAN-pytorch's Nets.py (the code Daw et al. ran): F.softplus(self.fc3(x)), nothing else.
    g = salimans.mnist_generator(output_activation="softplus")
    assert act(g.layers[-2]) == "softplus" and kinds(g) == kinds(salimans.mnist_generator())
    assert output_range(g) == (0.0, 1.0)  # the data's [0, 1]; to_uint8 clips what is above
    assert act(presets.get("semisup-mnist-daw").make_model(seed=0).generator.layers[-2]) == "softplus"
    with pytest.raises(ValueError, match="'sigmoid'.*'softplus'"):
        salimans.mnist_generator(output_activation="relu")


def test_mnist_discriminator_rows():
    d = salimans.mnist_discriminator()
    assert d.input_shape == (None, 28, 28, 1) and d.output_shape == (None, 10)
    noise = [layer.stddev for layer in d.layers if isinstance(layer, keras.layers.GaussianNoise)]
    assert noise == [0.3] + [0.5] * 5
    wn = [layer for layer in d.layers if isinstance(layer, improved.WeightNormDense)]
    assert [layer.units for layer in wn] == [1000, 500, 250, 250, 250, 10]
    assert [act(layer) for layer in wn] == ["relu"] * 5 + ["linear"]
    assert [layer.train_scale for layer in wn] == [False] * 5 + [True]  # train_scale=True on the last only
    assert kinds(d)[:2] == ["Flatten", "GaussianNoise"]
    # Each hidden layer is followed by its noise layer; the last 250-unit layer is layers[-3] (feature matching).
    for i, layer in enumerate(d.layers[2:-1]):
        assert isinstance(layer, improved.WeightNormDense if i % 2 == 0 else keras.layers.GaussianNoise)
    assert d.layers[-3].units == 250
    assert d.layers[-3].kernel_initializer.stddev == pytest.approx(0.1)  # theta ~ Normal(0.1)


def test_cifar10_generator_rows():
    g = salimans.cifar10_generator()
    assert g.input_shape == (None, 100)
    shapes = [tuple(layer.output.shape[1:]) for layer in g.layers]
    assert (4, 4, 512) in shapes and (8, 8, 256) in shapes and (16, 16, 128) in shapes
    assert g.output_shape == (None, 32, 32, 3)
    deconvs = [layer for layer in g.layers if "Conv2DTranspose" in type(layer).__name__]
    assert [(layer.filters, tuple(layer.kernel_size), tuple(layer.strides)) for layer in deconvs] == [
        (256, (5, 5), (2, 2)), (128, (5, 5), (2, 2)), (3, (5, 5), (2, 2))]
    assert isinstance(deconvs[-1], improved.WeightNormConv2DTranspose) and act(deconvs[-1]) == "tanh"
    assert deconvs[-1].train_scale and deconvs[-1].init_scale == pytest.approx(0.1)  # train_g, init_stdv=0.1
    assert [act(layer) for layer in g.layers if isinstance(layer, keras.layers.ReLU)] == [None] * 3
    assert sum(isinstance(layer, keras.layers.BatchNormalization) for layer in g.layers) == 3


def test_cifar10_discriminator_rows():
    d = salimans.cifar10_discriminator()
    assert d.input_shape == (None, 32, 32, 3) and d.output_shape == (None, 10)
    assert [layer.rate for layer in d.layers if isinstance(layer, keras.layers.Dropout)] == [0.2, 0.5, 0.5]
    assert isinstance(d.layers[0], keras.layers.Dropout)
    convs = [layer for layer in d.layers if isinstance(layer, improved.WeightNormConv2D)]
    assert [c.filters for c in convs] == [96, 96, 96, 192, 192, 192, 192, 192, 192]
    assert [c.kernel_size for c in convs] == [(3, 3)] * 7 + [(1, 1)] * 2  # two NIN layers
    assert [c.strides for c in convs] == [(1, 1), (1, 1), (2, 2)] * 2 + [(1, 1)] * 3
    assert [c.padding for c in convs] == [1] * 6 + [0, 0, 0]
    assert {act(c) for c in convs} == {"leaky_relu"} and not any(c.train_scale for c in convs)
    assert [tuple(c.output.shape[1:3]) for c in convs] == [(32, 32)] * 2 + [(16, 16)] * 3 + [(8, 8)] + [(6, 6)] * 3
    assert isinstance(d.layers[-2], keras.layers.GlobalAveragePooling2D)  # disc_layers[-2]: feature matching
    last = d.layers[-1]
    assert isinstance(last, improved.WeightNormDense) and last.units == 10 and act(last) == "linear"
    assert last.train_scale and last.init_scale == pytest.approx(0.1)


def test_leaky_relu_slope_is_the_references_0_2():
    d = salimans.cifar10_discriminator()
    conv = d.layers[1]
    assert float(conv.activation(np.array([-1.0], "float32"))[0]) == pytest.approx(-0.2)


@pytest.mark.parametrize("make", [salimans.mnist_generator, salimans.mnist_discriminator])
def test_nets_round_trip_through_config(make):
    net = make()
    copy = keras.Sequential.from_config(net.get_config())
    assert kinds(copy) == kinds(net)
    copy.set_weights(net.get_weights())
    x = np.random.RandomState(0).uniform(size=(2,) + net.input_shape[1:]).astype("float32")
    np.testing.assert_allclose(copy(x, training=False), net(x, training=False), atol=1e-5)
