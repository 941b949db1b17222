"""Nets of Kapoor & Orozco, "Experiments with GANs" (Oxford): linear, DCGAN (with and without pooling), LSTM.

The report compares four GAN architectures on MNIST (sec. 3, Figure 1 a-d) under one set of fixed parameters
(Table 1) and a few tuned ones per architecture (Table 2):

Table 1 (unchanged): image 28 x 28 (size 784); batch 256; z 100; learning rate 1e-4; dropout probability
0.5; max gradient norm 5.0; layers 2; convolutional output channels 5; pooling kernel [2, 2], pooling stride
[1, 1]; max training epochs 500. Table 2 (tuned): linear model: layer one size, layer two size; conv model:
filter shape, stride, use pooling; LSTM model: number of units.

What the text fixes for every net (sec. 3): the generator maps random numbers to an MNIST image and "outputs
into a tanh function"; the discriminator maps an image to one value that "outputs into a sigmoid function";
"all models contained dropout"; no L2 regularisation. The discriminators here return the logit and the
sigmoid is applied inside the loss (``tfgans.losses``), the numerically stable form of the same function.

What the text does not fix, and what tfgans chose (each a keyword argument):

* Table 2's values and Figure 1's example architectures are not in the report's text (the figure is a
  drawing, the table's cells are empty in the copy). Defaults: linear layer sizes 256 -> 512 (generator)
  and 512 -> 256 (discriminator), filter shape 3 x 3 with stride 1 (the report's best DCGAN "was the one with
  the smallest stride and filter", sec. 4.3.2), 128 LSTM units.
* Hidden activation: ReLU. The report built its nets with TensorFlow 1.0, whose ``tf.nn`` had ``relu`` but
  no leaky ReLU (added in 1.4), and names no other; no batch normalisation (none is mentioned).
* Dropout (rate 0.5, Table 1) follows every hidden layer of both nets ("all models contained dropout"); the
  LSTM nets drop each LSTM layer's outputs, as ``tf.contrib.rnn.DropoutWrapper(output_keep_prob=0.5)`` did.
* Gradient clipping (max global norm 5.0, "all models besides the linear model", sec. 3) is a property of
  the optimisation, not of the nets: the presets pass ``clip_norm=5.0`` to the flavor
  (``GANModel.apply_loss``).
* Every net takes or makes ``[28, 28, 1]`` images so that one data pipeline serves all four. The report feeds
  the linear and LSTM nets the flattened 784-pixel array and the DCGANs 28 x 28 images (sec. 4.1); the linear
  and LSTM nets therefore flatten (discriminator, first row) or reshape (generator, last row) themselves.
"""

from __future__ import annotations

from typing import Tuple, Union

import keras
from keras import layers

from tfgans.layers import Dropout

__all__ = [
    "IMAGE_SHAPE",
    "linear_generator",
    "linear_discriminator",
    "dcgan_generator",
    "dcgan_discriminator",
    "dcgan_pool_generator",
    "dcgan_pool_discriminator",
    "lstm_generator",
    "lstm_discriminator",
]

#: Table 1: image height 28, width 28 (size 784), one grey channel.
IMAGE_SHAPE = (28, 28, 1)

#: Table 1: pooling kernel size and pooling stride of the DCGAN with pooling.
POOL_SIZE = (2, 2)
POOL_STRIDES = (1, 1)


def _check_positive(**values):
    for name, value in values.items():
        if int(value) != value or value < 1:
            raise ValueError(f"{name} must be a positive integer, got {value!r}.")


def _check_dropout(dropout):
    if not 0.0 <= dropout < 1.0:
        raise ValueError(f"dropout must be in [0, 1) (Table 1: 0.5; 0 turns it off), got {dropout}.")


# --- Linear (Figure 1a) -----------------------------------------------------------------------------------------


def linear_generator(latent_dim: int = 100, layer_one_size: int = 256, layer_two_size: int = 512,
                     dropout: float = 0.5, activation: str = "relu") -> keras.Sequential:
    """Kapoor & Orozco, sec. 3 "Linear" / Figure 1a / Table 2 (Linear Model): an MLP generator.

    "Each successive layer of the generator increases in size": z [100] -> Dense(layer one) ->
    Dense(layer two) -> Dense(784, tanh) -> reshape [28, 28, 1]. Two hidden layers (Table 1: layers 2),
    each followed by dropout 0.5. The last row reshapes the report's flattened 784-pixel output into the
    image every tfgans pipeline carries.

    Args:
        latent_dim: size of z (Table 1: 100).
        layer_one_size, layer_two_size: Table 2's two layer sizes; ``layer_one_size < layer_two_size``.
        dropout: dropout rate after each hidden layer (Table 1: 0.5).
        activation: hidden activation (not named by the report; ReLU, see the module docstring).

    Raises:
        ValueError: the layer sizes do not grow, or a size or rate is out of range.
    """
    _check_positive(latent_dim=latent_dim, layer_one_size=layer_one_size, layer_two_size=layer_two_size)
    _check_dropout(dropout)
    if not layer_one_size < layer_two_size:
        raise ValueError(
            f"The linear generator's layers grow in size (Kapoor & Orozco, sec. 3), but layer_one_size="
            f"{layer_one_size} >= layer_two_size={layer_two_size}. Pass layer_one_size < layer_two_size."
        )
    h, w, c = IMAGE_SHAPE
    return keras.Sequential(
        [
            keras.Input((latent_dim,)),
            layers.Dense(layer_one_size, activation=activation),
            Dropout(dropout),
            layers.Dense(layer_two_size, activation=activation),
            Dropout(dropout),
            layers.Dense(h * w * c, activation="tanh"),  # the flattened 784-pixel image
            layers.Reshape(IMAGE_SHAPE),
        ],
        name="kapoor_linear_generator",
    )


def linear_discriminator(layer_one_size: int = 512, layer_two_size: int = 256, dropout: float = 0.5,
                         activation: str = "relu") -> keras.Sequential:
    """Kapoor & Orozco, sec. 3 "Linear" / Figure 1a / Table 2 (Linear Model): an MLP discriminator.

    "Each successive layer of the discriminator correspondingly decreases": [28, 28, 1] -> flatten [784] ->
    Dense(layer one) -> Dense(layer two) -> Dense(1), each hidden layer followed by dropout 0.5. Returns the
    logit; the report's sigmoid is applied inside the loss.

    Args:
        layer_one_size, layer_two_size: Table 2's two layer sizes; ``layer_one_size > layer_two_size``.
        dropout: dropout rate after each hidden layer (Table 1: 0.5).
        activation: hidden activation (ReLU, see the module docstring).

    Raises:
        ValueError: the layer sizes do not shrink, or a size or rate is out of range.
    """
    _check_positive(layer_one_size=layer_one_size, layer_two_size=layer_two_size)
    _check_dropout(dropout)
    if not layer_one_size > layer_two_size:
        raise ValueError(
            f"The linear discriminator's layers shrink in size (Kapoor & Orozco, sec. 3), but layer_one_size="
            f"{layer_one_size} <= layer_two_size={layer_two_size}. Pass layer_one_size > layer_two_size."
        )
    return keras.Sequential(
        [
            keras.Input(IMAGE_SHAPE),
            layers.Flatten(),  # the report's flattened 784-pixel input
            layers.Dense(layer_one_size, activation=activation),
            Dropout(dropout),
            layers.Dense(layer_two_size, activation=activation),
            Dropout(dropout),
            layers.Dense(1),  # logit; sigmoid in the loss
        ],
        name="kapoor_linear_discriminator",
    )


# --- Convolutional, without (Figure 1b) and with (Figure 1c) pooling ----------------------------------------


def _pool():
    # Table 1: kernel [2, 2], stride [1, 1]; "same" padding keeps the 28 x 28 size, so pooling smooths the
    # feature maps without shrinking them and the generator still ends at 28 x 28.
    return layers.MaxPooling2D(pool_size=POOL_SIZE, strides=POOL_STRIDES, padding="same")


def dcgan_generator(latent_dim: int = 100, filter_shape: Union[int, Tuple[int, int]] = 3, stride: int = 1,
                    use_pooling: bool = False, channels: int = 5, dropout: float = 0.5,
                    activation: str = "relu") -> keras.Sequential:
    """Kapoor & Orozco, sec. 3 "Convolutional" / Figure 1b (1c with pooling) / Table 2 (Conv Model).

    "A series of deconvolutional layers for the generator ... capped with a fully connected linear layer":
    z [100] -> Dense(s*s*5) -> reshape [s, s, 5] -> Conv2DTranspose(5, filter, stride) [-> max pool 2x2,
    stride 1] -> Conv2DTranspose(1, filter, stride, tanh) -> [28, 28, 1], with ``s = 28 / stride**2``
    (28 at the report's best stride 1). Two transposed convolutions (Table 1: layers 2) with 5 output
    channels (Table 1) except the last, which writes the image's single channel. ReLU and dropout 0.5 after
    the dense row and the hidden transposed convolution; pooling (``use_pooling``, Table 2) sits between the
    two transposed convolutions, as in the discriminator. The dense row is placed at the latent end, the
    mirror of the discriminator's (Figure 1b is not in the text): it turns z into a feature map.

    Args:
        latent_dim: size of z (Table 1: 100).
        filter_shape: kernel size, an int or (h, w) (Table 2: filter shape).
        stride: stride of both transposed convolutions (Table 2); 28 must be divisible by ``stride**2``.
        use_pooling: max pooling 2x2 / stride 1 between the transposed convolutions (Table 2, Table 1).
        channels: output channels of the hidden transposed convolution (Table 1: 5).
        dropout: dropout rate (Table 1: 0.5).
        activation: hidden activation (ReLU, see the module docstring).

    Raises:
        ValueError: the stride cannot reach 28 x 28, or a size or rate is out of range.
    """
    _check_positive(latent_dim=latent_dim, stride=stride, channels=channels)
    _check_dropout(dropout)
    h, w, c = IMAGE_SHAPE
    if h % (stride * stride) or w % (stride * stride):
        raise ValueError(
            f"Two transposed convolutions of stride {stride} grow the map by {stride * stride}, which does not "
            f"divide the image size {h}; use stride 1 (the report's best) or 2."
        )
    start = (h // (stride * stride), w // (stride * stride))
    rows = [
        keras.Input((latent_dim,)),
        layers.Dense(start[0] * start[1] * channels, activation=activation),  # the fully connected cap
        Dropout(dropout),
        layers.Reshape((start[0], start[1], channels)),
        layers.Conv2DTranspose(channels, filter_shape, strides=stride, padding="same", activation=activation),
    ]
    if use_pooling:
        rows.append(_pool())
    rows += [
        Dropout(dropout),
        layers.Conv2DTranspose(c, filter_shape, strides=stride, padding="same", activation="tanh"),
    ]
    name = "kapoor_dcgan_pool_generator" if use_pooling else "kapoor_dcgan_generator"
    return keras.Sequential(rows, name=name)


def dcgan_discriminator(filter_shape: Union[int, Tuple[int, int]] = 3, stride: int = 1,
                        use_pooling: bool = False, channels: int = 5, dropout: float = 0.5,
                        activation: str = "relu") -> keras.Sequential:
    """Kapoor & Orozco, sec. 3 "Convolutional" / Figure 1b (1c with pooling) / Table 2 (Conv Model).

    "Convolutional layers for the discriminator ... capped with a fully connected linear layer":
    [28, 28, 1] -> Conv2D(5, filter, stride) [-> max pool 2x2, stride 1] -> Conv2D(5, filter, stride) ->
    flatten -> Dense(1). Two convolutions (Table 1: layers 2) of 5 output channels (Table 1), each followed
    by ReLU and dropout 0.5; pooling (``use_pooling``, Table 2) "in between convolutional layers" with
    Table 1's kernel [2, 2] and stride [1, 1]. Returns the logit; the sigmoid is applied inside the loss.

    Args:
        filter_shape: kernel size, an int or (h, w) (Table 2: filter shape).
        stride: stride of both convolutions (Table 2; the report's best is 1).
        use_pooling: max pooling between the convolutions (Table 2: use pooling).
        channels: output channels of each convolution (Table 1: 5).
        dropout: dropout rate (Table 1: 0.5).
        activation: hidden activation (ReLU, see the module docstring).
    """
    _check_positive(stride=stride, channels=channels)
    _check_dropout(dropout)
    rows = [
        keras.Input(IMAGE_SHAPE),
        layers.Conv2D(channels, filter_shape, strides=stride, padding="same", activation=activation),
    ]
    if use_pooling:
        rows.append(_pool())
    rows += [
        Dropout(dropout),
        layers.Conv2D(channels, filter_shape, strides=stride, padding="same", activation=activation),
        Dropout(dropout),
        layers.Flatten(),
        layers.Dense(1),  # the fully connected cap: a logit, sigmoid in the loss
    ]
    name = "kapoor_dcgan_pool_discriminator" if use_pooling else "kapoor_dcgan_discriminator"
    return keras.Sequential(rows, name=name)


def dcgan_pool_generator(latent_dim: int = 100, **kwargs) -> keras.Sequential:
    """Kapoor & Orozco, Figure 1c: :func:`dcgan_generator` with ``use_pooling=True`` (max pool 2x2, stride 1)."""
    return dcgan_generator(latent_dim, use_pooling=True, **kwargs)


def dcgan_pool_discriminator(**kwargs) -> keras.Sequential:
    """Kapoor & Orozco, Figure 1c: :func:`dcgan_discriminator` with ``use_pooling=True``."""
    return dcgan_discriminator(use_pooling=True, **kwargs)


# --- LSTM (Figure 1d) -------------------------------------------------------------------------------------------


def lstm_generator(latent_dim: int = 100, units: int = 128, dropout: float = 0.5) -> keras.Sequential:
    """Kapoor & Orozco, sec. 3 "LSTM" / Figure 1d / Table 2 (LSTM Model): an LSTM generator.

    "Multiple LSTM layers ... capped with a fully connected linear layer": z [100] is fed at each of 28 time
    steps -> LSTM(units) -> LSTM(units) -> Dense(28, tanh) per step -> [28, 28, 1]: the image is written
    one 28-pixel row per step, and the rows in order are the report's flattened 784-pixel output. Two LSTM
    layers (Table 1: layers 2), each output followed by dropout 0.5. LSTM cells as Keras' ``LSTM`` (tanh
    cell, sigmoid gates, no peepholes: ``tf.contrib.rnn.LSTMCell``'s defaults).

    Args:
        latent_dim: size of z (Table 1: 100).
        units: LSTM units of each layer (Table 2: number of units).
        dropout: dropout rate on each LSTM layer's outputs (Table 1: 0.5).
    """
    _check_positive(latent_dim=latent_dim, units=units)
    _check_dropout(dropout)
    h, w, c = IMAGE_SHAPE
    return keras.Sequential(
        [
            keras.Input((latent_dim,)),
            layers.RepeatVector(h),  # the same z drives every row step
            layers.LSTM(units, return_sequences=True),
            Dropout(dropout),
            layers.LSTM(units, return_sequences=True),
            Dropout(dropout),
            layers.Dense(w * c, activation="tanh"),  # the fully connected cap, applied to each row step
            layers.Reshape(IMAGE_SHAPE),
        ],
        name="kapoor_lstm_generator",
    )


def lstm_discriminator(units: int = 128, dropout: float = 0.5) -> keras.Sequential:
    """Kapoor & Orozco, sec. 3 "LSTM" / Figure 1d / Table 2 (LSTM Model): an LSTM discriminator.

    [28, 28, 1] -> a sequence of 28 rows of 28 pixels (the flattened 784-pixel input read 28 pixels per
    step) -> LSTM(units) -> LSTM(units, last step) -> Dense(1). Two LSTM layers (Table 1: layers 2), each
    output followed by dropout 0.5. Returns the logit; the sigmoid is applied inside the loss.

    Args:
        units: LSTM units of each layer (Table 2: number of units).
        dropout: dropout rate on each LSTM layer's outputs (Table 1: 0.5).
    """
    _check_positive(units=units)
    _check_dropout(dropout)
    h, w, c = IMAGE_SHAPE
    return keras.Sequential(
        [
            keras.Input(IMAGE_SHAPE),
            layers.Reshape((h, w * c)),  # rows as time steps
            layers.LSTM(units, return_sequences=True),
            Dropout(dropout),
            layers.LSTM(units),
            Dropout(dropout),
            layers.Dense(1),  # the fully connected cap: a logit, sigmoid in the loss
        ],
        name="kapoor_lstm_discriminator",
    )
