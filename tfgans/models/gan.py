"""GAN (Goodfellow et al. 2014, arXiv:1406.2661) and DCGAN (Radford et al. 2015, arXiv:1511.06434).

Both train with Algorithm 1 of Goodfellow et al. with k = 1: one discriminator step on a real batch and a
fake batch, then one generator step on a fresh latent batch (or, with ``simultaneous=True``, both steps on one
fake batch, as the TensorFlow DCGAN tutorial does). DCGAN is the same algorithm; the difference is the nets
(all-convolutional with batch norm), so ``DCGAN`` is ``GAN`` under the name users look for. ``r1_gamma`` adds
the R1 penalty of Mescheder et al. 2018 to the discriminator's loss, ``augment`` DiffAugment (Zhao et al. 2020)
to every image the discriminator sees.
"""

from __future__ import annotations

import tensorflow as tf
import keras

from tfgans import augment as augment_lib
from tfgans import losses, penalties
from tfgans.distribute import replica_slice
from tfgans.models.base import GANModel

__all__ = ["GAN", "DCGAN"]


@keras.saving.register_keras_serializable(package="tfgans")
class GAN(GANModel):
    """The original GAN, trained with ``fit``.

    Args:
        generator, discriminator, latent_dim, latent_distribution, latent_range, seed: see ``GANModel``.
            The discriminator returns logits ``[batch, 1]``; the sigmoid lives in the loss.
        generator_loss: ``"non_saturating"`` (``-log D(G(z))``, the paper's practical choice, default) or
            ``"minimax"`` (``log(1 - D(G(z)))``, eq. 1 as written).
        label_smoothing: one-sided label smoothing of the real target (0 = off; Salimans et al. use 0.1).
        simultaneous: both updates from one fake batch (the TensorFlow DCGAN tutorial's step: one generator
            forward, the generator's gradient through the discriminator as it was before its update) instead
            of Algorithm 1's alternation; a step then runs one generator forward and one discriminator forward
            of fakes fewer.
        r1_gamma: weight ``gamma`` of the R1 penalty on the discriminator's gradient at real images
            (``tfgans.penalties.r1_penalty``; 0 = off). The discriminator must then have no batch norm. The
            penalty's running mean is logged as ``r1``.
        r1_every: R1 on every ``r1_every``-th discriminator step only, weighted ``r1_every`` times (the lazy
            regularization of Karras et al. 2020, arXiv:1912.04958, sec. 3.1: the same expected penalty for
            fewer second derivatives).
        augment: DiffAugment (Zhao et al. 2020, arXiv:2006.10738; ``tfgans.augment``): a policy such as
            ``"translation,cutout"`` (of ``color``, ``brightness``, ``translation``, ``cutout``) applied to the
            real and the generated images wherever the discriminator sees them, in both nets' updates, with
            fresh draws a step from the model's seed; R1 is on the un-augmented real images, through the
            augmentation, as in the paper's StyleGAN2 code. None (default): no augmentation.
        grad_norms: also log ``d_norm`` and ``g_norm``, the global norms of each step's gradients (of the global
            batch, before ``clip_norm``; ``GANModel.apply_loss``), to see gradients vanish or explode (Kapoor et
            al.'s LSTM GAN, Fig. 4).
    """

    def __init__(self, generator, discriminator, latent_dim=100, generator_loss="non_saturating",
                 label_smoothing=0.0, simultaneous=False, r1_gamma=0.0, r1_every=1, augment=None,
                 grad_norms=False, **kwargs):
        super().__init__(generator, discriminator, latent_dim, **kwargs)
        self.grad_norms = bool(grad_norms)
        if self.grad_norms:
            self.metric_names = (*self.metric_names, "d_norm", "g_norm")  # recorded every step, as the losses
            for name in ("d_norm", "g_norm"):
                self.trackers[name] = keras.metrics.Mean(name=name)
        augment_lib.parse_policy(augment)  # raises on an unknown policy
        self.augment = ",".join(augment) if isinstance(augment, (list, tuple)) else (augment or None)
        if generator_loss not in losses.GENERATOR_LOSSES:
            raise ValueError(
                f"generator_loss must be one of {sorted(losses.GENERATOR_LOSSES)}, got {generator_loss!r}."
            )
        if not 0.0 <= label_smoothing < 1.0:
            raise ValueError(f"label_smoothing must be in [0, 1), got {label_smoothing}.")
        self.generator_loss = generator_loss
        self.label_smoothing = float(label_smoothing)
        self.simultaneous = bool(simultaneous)
        if not r1_gamma >= 0:
            raise ValueError(f"r1_gamma must be >= 0 (0 = no R1 penalty), got {r1_gamma}.")
        self.r1_gamma = float(r1_gamma)
        if int(r1_every) != r1_every or r1_every < 1:
            raise ValueError(f"r1_every must be a positive integer (1 = R1 on every step), got {r1_every}.")
        self.r1_every = int(r1_every)
        if self.r1_gamma and penalties.has_batch_norm(self.discriminator):
            raise ValueError(
                f"r1_gamma needs each example's own gradient, but discriminator {self.discriminator.name!r} has "
                "batch norm, which mixes the examples of a batch. Use a discriminator without batch norm "
                "(e.g. tfgans.nets.fast.mnist_discriminator) or r1_gamma=0."
            )
        if self.r1_gamma:
            self.trackers["r1"] = keras.metrics.Mean(name="r1")

    def train_step(self, data):
        real = self.real_images(data)
        batch_size = tf.shape(real)[0]
        d_seed, g_seed = tf.unstack(self.step_seeds(2))
        if self.simultaneous:
            return self.simultaneous_step(real, d_seed)
        real_seed, fake_seed, g_fake_seed = self.augment_seeds(d_seed)

        # Update the discriminator by ascending log D(x) + log(1 - D(G(z))) (minus R1's penalty, if any).
        z = self.sample_latent(batch_size, d_seed)
        with tf.GradientTape() as tape:
            fake = self.generator(z, training=True)
            real_logits, r1 = self.discriminate_real(real, real_seed)
            fake_logits = self.discriminate(fake, fake_seed)
            d_loss = losses.minimax_discriminator_loss(real_logits, fake_logits, self.label_smoothing)
            penalized = d_loss + r1
        self.apply_loss(self.d_optimizer, tape, penalized, self.discriminator.trainable_variables,
                        log_norm="d_norm")

        # Update the generator on a fresh latent batch.
        z = self.sample_latent(batch_size, g_seed)
        with tf.GradientTape() as tape:
            fake_logits = self.discriminate(self.generator(z, training=True), g_fake_seed)
            g_loss = losses.GENERATOR_LOSSES[self.generator_loss](fake_logits)
        self.apply_loss(self.g_optimizer, tape, g_loss, self.generator.trainable_variables, log_norm="g_norm")
        self.update_generator_average()

        return self.update_trackers(d_loss=d_loss, g_loss=g_loss, **self.r1_log(r1))

    def augment_seeds(self, seed):
        """Three stateless seeds for a step's augmentations (the D step's real and fake batches, the G step's
        fake batch), derived from ``seed`` so the latent draws stay those of a run without ``augment``; None
        each without ``augment``."""
        if not self.augment:
            return None, None, None
        return tf.unstack(tf.random.experimental.stateless_split(
            tf.random.experimental.stateless_fold_in(seed, 1), num=3))

    def augmented(self, images, seed):
        """``images`` under the ``augment`` policy drawn with ``seed`` (unchanged without ``augment``). Inside a
        replicated step each replica takes its rows of one draw for the global batch (``replica_slice``)."""
        if not self.augment or seed is None:
            return images
        uniforms = replica_slice(lambda n: augment_lib.draw(n, self.augment, seed), tf.shape(images)[0])
        return augment_lib.apply(images, self.augment, uniforms)

    def discriminate(self, images, seed=None, training=True):
        """The discriminator's outputs of ``images``, augmented first with ``seed`` under ``augment``."""
        return self.discriminator(self.augmented(images, seed), training=training)

    def discriminate_real(self, real, seed=None, select=None):
        """The discriminator's logits of ``real`` (augmented with ``seed`` under ``augment``), and R1's penalty
        on them (0 without ``r1_gamma`` or on a lazy step), on the gradient at the un-augmented images.
        ``select`` maps the discriminator's outputs to the logits judged (a conditional one's class logit)."""
        select = select or (lambda logits: logits)
        if not self.r1_gamma:
            return select(self.discriminate(real, seed)), tf.constant(0.0)
        judge = lambda images, training=True: select(self.discriminate(images, seed, training))  # noqa: E731
        if self.r1_every == 1:  # the penalty's own forward pass gives the logits
            return penalties.r1_penalty(judge, real, self.r1_gamma)
        logits = judge(real)
        due = self.d_optimizer.iterations % self.r1_every == 0
        r1 = tf.cond(due, lambda: penalties.r1_penalty(judge, real, self.r1_gamma * self.r1_every)[1],
                     lambda: tf.constant(0.0))
        return logits, r1

    def r1_log(self, r1) -> dict:
        return {"r1": r1} if self.r1_gamma else {}

    def simultaneous_step(self, real, seed):
        """Both nets step on the losses of one fake batch ``G(z)``, ``z`` drawn with ``seed``."""
        z = self.sample_latent(tf.shape(real)[0], seed)
        real_seed, fake_seed, _ = self.augment_seeds(seed)
        with tf.GradientTape() as d_tape, tf.GradientTape() as g_tape:
            fake = self.generator(z, training=True)
            real_logits, r1 = self.discriminate_real(real, real_seed)
            fake_logits = self.discriminate(fake, fake_seed)
            d_loss = losses.minimax_discriminator_loss(real_logits, fake_logits, self.label_smoothing)
            penalized = d_loss + r1
            g_loss = losses.GENERATOR_LOSSES[self.generator_loss](fake_logits)
        self.apply_loss(self.g_optimizer, g_tape, g_loss, self.generator.trainable_variables, log_norm="g_norm")
        self.update_generator_average()
        self.apply_loss(self.d_optimizer, d_tape, penalized, self.discriminator.trainable_variables,
                        log_norm="d_norm")
        return self.update_trackers(d_loss=d_loss, g_loss=g_loss, **self.r1_log(r1))

    def get_config(self):
        return {**super().get_config(), "generator_loss": self.generator_loss,
                "label_smoothing": self.label_smoothing, "simultaneous": self.simultaneous,
                "r1_gamma": self.r1_gamma, "r1_every": self.r1_every, "augment": self.augment,
                "grad_norms": self.grad_norms}


@keras.saving.register_keras_serializable(package="tfgans")
class DCGAN(GAN):
    """DCGAN (Radford et al. 2015): the GAN algorithm with convolutional nets (see ``tfgans.nets``)."""
