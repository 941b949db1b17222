"""GAN losses as pure functions of discriminator outputs (logits), in the style of TF-GAN's ``losses_impl``.

Each function takes logits (pre-sigmoid discriminator outputs) of shape ``[batch]`` or ``[batch, 1]`` and
returns a float32 scalar: the mean over the batch. Working on logits with ``softplus`` is the numerically
stable form of ``-log(sigmoid(x)) = softplus(-x)`` and ``-log(1 - sigmoid(x)) = softplus(x)``.
"""

from __future__ import annotations

import tensorflow as tf

__all__ = [
    "minimax_discriminator_loss",
    "minimax_generator_loss",
    "modified_generator_loss",
    "GENERATOR_LOSSES",
]


def _logits(x) -> tf.Tensor:
    # Mixed precision nets emit float16/bfloat16 logits; losses are always computed in float32.
    return tf.cast(tf.convert_to_tensor(x), tf.float32)


def minimax_discriminator_loss(real_logits, fake_logits, label_smoothing: float = 0.0) -> tf.Tensor:
    """Discriminator loss of Goodfellow et al. 2014 (arXiv:1406.2661), eq. 1.

    ``-E[log D(x)] - E[log(1 - D(G(z)))]``: binary cross-entropy with target 1 on real and 0 on fake, the two
    means added (as TF-GAN does). The same loss serves the minimax and the non-saturating generator.

    Args:
        real_logits: ``[batch]`` or ``[batch, 1]`` logits of real images.
        fake_logits: logits of generated images.
        label_smoothing: one-sided label smoothing (Salimans et al. 2016, arXiv:1606.03498, sec. 3.4):
            the real target becomes ``1 - label_smoothing``; the fake target stays 0.

    Returns:
        Scalar float32 loss.
    """
    real_logits, fake_logits = _logits(real_logits), _logits(fake_logits)
    real_target = 1.0 - label_smoothing
    # BCE(t, x) = t * softplus(-x) + (1 - t) * softplus(x)
    real_loss = real_target * tf.nn.softplus(-real_logits) + (1.0 - real_target) * tf.nn.softplus(real_logits)
    fake_loss = tf.nn.softplus(fake_logits)
    return tf.reduce_mean(real_loss) + tf.reduce_mean(fake_loss)


def minimax_generator_loss(fake_logits) -> tf.Tensor:
    """Generator loss of the original minimax game, ``E[log(1 - D(G(z)))]`` (Goodfellow et al. 2014, eq. 1).

    It saturates when the discriminator rejects samples confidently; kept for comparison.
    """
    return -tf.reduce_mean(tf.nn.softplus(_logits(fake_logits)))


def modified_generator_loss(fake_logits) -> tf.Tensor:
    """Non-saturating generator loss, ``-E[log D(G(z))]`` (Goodfellow et al. 2014, sec. 3).

    The heuristic the paper recommends in practice and the one DCGAN (Radford et al. 2015) trains with.
    """
    return tf.reduce_mean(tf.nn.softplus(-_logits(fake_logits)))


GENERATOR_LOSSES = {
    "non_saturating": modified_generator_loss,
    "minimax": minimax_generator_loss,
}
