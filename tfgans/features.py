"""A discriminator's intermediate features: what feature matching (Salimans et al. 2016, arXiv:1606.03498,
sec. 3.1; ``tfgans.losses.feature_matching_loss``) compares between real and generated images."""

from __future__ import annotations

from typing import Union

import keras

__all__ = ["feature_model"]


def feature_model(discriminator: keras.Model, layer: Union[int, str]) -> keras.Model:
    """The discriminator up to an intermediate layer, for feature matching (Salimans et al. 2016, sec. 3.1).

    The returned model shares the discriminator's layers (and weights): ``f(x)`` in
    ``||E f(x) - E f(G(z))||^2``.

    Args:
        discriminator: a built Sequential or functional model (with an ``Input``).
        layer: the layer's name, or its index in ``discriminator.layers`` (negative counts from the end;
            the reference code's MNIST net matches ``layers[-3]``, its CIFAR-10 net ``layers[-2]``).

    Raises:
        ValueError: no such layer, or the discriminator has no symbolic input to build from.
    """
    if not getattr(discriminator, "inputs", None):
        raise ValueError(
            f"Cannot build a feature model from {discriminator.name!r}: it has no Input. Start the Sequential "
            "with keras.Input(shape) so its intermediate layers have symbolic outputs."
        )
    names = [l.name for l in discriminator.layers]
    if isinstance(layer, str):
        if layer not in names:
            raise ValueError(f"The discriminator {discriminator.name!r} has no layer named {layer!r}. "
                             f"Its layers: {', '.join(names)}.")
        target = discriminator.get_layer(layer)
    else:
        index = int(layer)
        if not -len(names) <= index < len(names):
            raise ValueError(f"Feature layer index {index} is out of range for {discriminator.name!r}, which "
                             f"has {len(names)} layers ({', '.join(names)}).")
        target = discriminator.layers[index]
    return keras.Model(discriminator.inputs, target.output, name=f"{discriminator.name}_features")
