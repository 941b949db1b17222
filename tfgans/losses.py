"""GAN losses as pure functions of discriminator outputs (logits), in the style of TF-GAN's ``losses_impl``.

Each function takes logits (pre-sigmoid discriminator outputs) of shape ``[batch]`` or ``[batch, 1]`` and
returns a float32 scalar: the mean over the batch. Working on logits with ``softplus`` is the numerically
stable form of ``-log(sigmoid(x)) = softplus(-x)`` and ``-log(1 - sigmoid(x)) = softplus(x)``.
"""

from __future__ import annotations

import tensorflow as tf

from tfgans.distribute import global_batch_mean

__all__ = [
    "minimax_discriminator_loss",
    "minimax_generator_loss",
    "modified_generator_loss",
    "GENERATOR_LOSSES",
    "class_cross_entropy",
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


# --- Salimans et al. 2016, "Improved Techniques for Training GANs" (arXiv:1606.03498) ------------------------

__all__ += [
    "feature_matching_loss",
    "semisupervised_labeled_loss",
    "semisupervised_unlabeled_loss",
]

FEATURE_DISTANCES = ("squared", "absolute")


def feature_matching_loss(real_features, fake_features, distance: str = "squared") -> tf.Tensor:
    """Feature matching generator loss (Salimans et al. 2016, arXiv:1606.03498, sec. 3.1).

    ``||E_x f(x) - E_z f(G(z))||^2`` with ``f`` an intermediate discriminator layer, the expectations
    estimated by batch means (of the global batch under ``tf.distribute``: ``distribute.global_batch_mean``,
    so replicas take the step one device takes). As in the reference code the distance is averaged over the features
    (openai/improved-gan, ``train_mnist_feature_matching.py``: ``mean(square(m_gen - m_real))``); its
    CIFAR-10 script uses the mean absolute difference instead (``mean(abs(m1 - m2))``).

    Args:
        real_features: ``[batch, ...]`` features of real images.
        fake_features: ``[batch, ...]`` features of generated images (batch sizes may differ).
        distance: ``"squared"`` (MNIST reference, the paper's L2) or ``"absolute"`` (CIFAR-10 reference).

    Returns:
        Scalar float32 loss.
    """
    if distance not in FEATURE_DISTANCES:
        raise ValueError(f"distance must be one of {FEATURE_DISTANCES}, got {distance!r}.")
    real, fake = _logits(real_features), _logits(fake_features)
    real_mean = global_batch_mean(tf.reshape(real, [tf.shape(real)[0], -1]))
    fake_mean = global_batch_mean(tf.reshape(fake, [tf.shape(fake)[0], -1]))
    diff = real_mean - fake_mean
    return tf.reduce_mean(tf.square(diff) if distance == "squared" else tf.abs(diff))


def semisupervised_labeled_loss(labels, logits) -> tf.Tensor:
    """Supervised part of the semi-supervised GAN loss (Salimans et al. 2016, sec. 5, ``L_supervised``).

    The discriminator's K logits ``l`` are class scores with the fake class K+1 fixed at logit 0, so on a
    real labeled example ``-log p(y | x, y < K+1) = LSE(l) - l_y``: K-way softmax cross-entropy.

    Args:
        labels: ``[batch]`` integer classes in ``[0, K)``.
        logits: ``[batch, K]`` class logits.

    Returns:
        Scalar float32 mean cross-entropy.
    """
    return class_cross_entropy(labels, logits)


def class_cross_entropy(labels, logits) -> tf.Tensor:
    """Mean K-way softmax cross-entropy ``-log p(y | x)`` of ``[batch]`` integer labels under ``[batch, K]``
    class logits: the semi-supervised GAN's labeled loss and AC-GAN's class loss ``L_C`` (Odena et al. 2017,
    arXiv:1610.09585, eq. 3, negated)."""
    logits = _logits(logits)
    labels = tf.cast(tf.reshape(labels, [-1]), tf.int32)
    return tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=labels, logits=logits))


def semisupervised_unlabeled_loss(real_logits, fake_logits) -> tf.Tensor:
    """Unsupervised part of the semi-supervised GAN loss (Salimans et al. 2016, sec. 5, ``L_unsupervised``).

    With ``Z(x) = sum_k exp(l_k(x))`` and the fake logit fixed at 0, ``D(x) = Z / (Z + 1)``, so
    ``-log D(x) = -LSE(l) + softplus(LSE(l))`` and ``-log(1 - D(G(z))) = softplus(LSE(l))``. As in the
    reference code (``loss_unl``) each half is weighted 0.5:

    ``0.5 * (-mean LSE(l_unl) + mean softplus(LSE(l_unl))) + 0.5 * mean softplus(LSE(l_fake))``.

    Args:
        real_logits: ``[batch, K]`` logits of unlabeled real images.
        fake_logits: ``[batch, K]`` logits of generated images.

    Returns:
        Scalar float32 loss.
    """
    lse_real = tf.reduce_logsumexp(_logits(real_logits), axis=-1)
    lse_fake = tf.reduce_logsumexp(_logits(fake_logits), axis=-1)
    return (-0.5 * tf.reduce_mean(lse_real) + 0.5 * tf.reduce_mean(tf.nn.softplus(lse_real))
            + 0.5 * tf.reduce_mean(tf.nn.softplus(lse_fake)))


# --- Arjovsky et al. 2017, "Wasserstein GAN" (arXiv:1701.07875) ---------------------------------------------

__all__ += ["wasserstein_generator_loss", "wasserstein_discriminator_loss"]


def wasserstein_generator_loss(discriminator_gen_outputs) -> tf.Tensor:
    """WGAN generator loss, ``-E[D(G(z))]`` (Arjovsky et al. 2017, arXiv:1701.07875, Algorithm 1, line 10).

    Args:
        discriminator_gen_outputs: ``[batch]`` or ``[batch, 1]`` critic values of generated images (no sigmoid).

    Returns:
        Scalar float32 loss.
    """
    return -tf.reduce_mean(_logits(discriminator_gen_outputs))


def wasserstein_discriminator_loss(discriminator_real_outputs, discriminator_gen_outputs) -> tf.Tensor:
    """WGAN critic loss, ``E[D(G(z))] - E[D(x)]`` (Arjovsky et al. 2017, Algorithm 1, line 5).

    Minimising it maximises ``E[D(x)] - E[D(G(z))]``, the critic's estimate of the Wasserstein-1 distance
    (up to the Lipschitz constant), so the estimate is minus this loss.

    Args:
        discriminator_real_outputs: ``[batch]`` or ``[batch, 1]`` critic values of real images.
        discriminator_gen_outputs: critic values of generated images.

    Returns:
        Scalar float32 loss.
    """
    return tf.reduce_mean(_logits(discriminator_gen_outputs)) - tf.reduce_mean(_logits(discriminator_real_outputs))
