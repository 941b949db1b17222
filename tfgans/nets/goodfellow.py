"""Reference MLP nets of Goodfellow et al. 2014, "Generative Adversarial Nets" (arXiv:1406.2661).

Shapes from the paper's public reference code (``goodfeli/adversarial``, ``mnist.yaml``): the generator is
an MLP 100 -> 1200 ReLU -> 1200 ReLU -> 784 sigmoid on uniform noise (``noise: 'uniform'``, which the
reference's ``Generator.get_noise`` draws from U(-sqrt 3, sqrt 3), unit variance; the prior is the flavor's,
see the ``gan-mnist-chakkarwar`` preset); the discriminator is an MLP of two
maxout layers (240 units x 5 pieces) and a sigmoid unit, with dropout on each layer's input (keep 0.8 on
the pixels, 0.5 elsewhere). The sigmoid generator output means the data are scaled to [0, 1].
"""

from __future__ import annotations

import keras
from keras import layers

from tfgans.layers import Dropout, Maxout

__all__ = ["mnist_generator", "mnist_discriminator"]


def mnist_generator(latent_dim: int = 100, hidden_units: int = 1200,
                    image_shape=(28, 28, 1), irange: float = 0.05) -> keras.Sequential:
    """Goodfellow et al. 2014 MNIST generator (``mnist.yaml``): z -> 1200 ReLU -> 1200 ReLU -> 784 sigmoid.

    The 784 outputs are reshaped to ``image_shape`` so the nets take and make images like every other
    tfgans net. Weights start as the reference's ``irange: .05`` (uniform in [-0.05, 0.05]), biases at 0.
    Deviation: the reference starts the output bias at the data's pixel marginals
    (``init_sigmoid_bias_from_marginals``), which a net function cannot know; tfgans starts it at 0 (after two
    epochs of ``gan-mnist-chakkarwar``, FID 240 with 0 and 300 with the marginals, one seed each). With
    Keras' default (Glorot) weights instead, the discriminator wins within an epoch and the generator
    collapses (FID 840 after two epochs).
    """
    h, w, c = image_shape
    init = lambda: keras.initializers.RandomUniform(-irange, irange)  # noqa: E731
    return keras.Sequential(
        [
            keras.Input((latent_dim,)),
            layers.Dense(hidden_units, activation="relu", kernel_initializer=init()),  # h0
            layers.Dense(hidden_units, activation="relu", kernel_initializer=init()),  # h1
            layers.Dense(h * w * c, activation="sigmoid", kernel_initializer=init()),  # y
            layers.Reshape(image_shape),
        ],
        name="goodfellow_mnist_generator",
    )


def mnist_discriminator(image_shape=(28, 28, 1), maxout_units: int = 240, num_pieces: int = 5,
                        input_dropout: float = 0.2, hidden_dropout: float = 0.5,
                        irange: float = 0.005) -> keras.Sequential:
    """Goodfellow et al. 2014 MNIST discriminator (``mnist.yaml``): two maxout layers then a sigmoid unit.

    Dropout follows the reference cost (``AdversaryCost2``): input include probability 0.8 for ``h0``
    (dropout 0.2) and 0.5 for the later layers. Weights start as the reference's ``irange: .005`` (uniform
    in [-0.005, 0.005]), biases at 0. Returns a logit; the sigmoid lives in the loss.
    """
    init = lambda: keras.initializers.RandomUniform(-irange, irange)  # noqa: E731
    return keras.Sequential(
        [
            keras.Input(image_shape),
            layers.Flatten(),
            Dropout(input_dropout),
            Maxout(maxout_units, num_pieces, kernel_initializer=init()),  # h0
            Dropout(hidden_dropout),
            Maxout(maxout_units, num_pieces, kernel_initializer=init()),  # h1
            Dropout(hidden_dropout),
            layers.Dense(1, kernel_initializer=init()),  # y (sigmoid in the loss)
        ],
        name="goodfellow_mnist_discriminator",
    )
