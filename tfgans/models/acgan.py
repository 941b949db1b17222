"""AC-GAN (Odena et al. 2017, arXiv:1610.09585): a GAN whose discriminator also classifies.

The discriminator returns ``[batch, 1 + K]``: the real/fake logit, then K class logits from the same features
(the paper's auxiliary classifier). With ``L_S`` the real/fake loss and ``L_C`` the class loss (eq. 2, 3), the
discriminator descends ``L_S + L_C`` and the generator ``L_S' + L_C`` (``L_S'`` the non-saturating form, as in
``GAN``). The class of a generated image is the one its latent vector carries (``tfgans.layers.latent_class``),
so the generator keeps the unconditional interface ``G(z)`` and every sampler, evaluation and export of tfgans
draws a balanced mix of classes from the prior alone.

``conditioning="mask"`` swaps the auxiliary classifier for the class-conditional discriminator of Liu et al.
2020's self-conditioned GAN (arXiv:2006.10728; stevliu/self-conditioned-gan, ``LinearConditionalMaskLogits``,
after Mescheder et al. 2018's GAN_stability code): one real/fake logit per class, each image judged by its own
class's, and no classification loss.
"""

from __future__ import annotations

import tensorflow as tf
import keras

from tfgans import losses
from tfgans.layers import LatentClass, latent_class
from tfgans.models.gan import DCGAN

__all__ = ["ACGAN"]


@keras.saving.register_keras_serializable(package="tfgans")
class ACGAN(DCGAN):
    """AC-GAN, trained with ``fit`` on ``(images, labels)`` batches (``tfgans.data.load(..., with_labels=True)``).

    Args:
        generator: starts with ``tfgans.layers.LatentClass(num_classes)`` (e.g.
            ``tfgans.nets.fast.mnist_generator(num_classes=10)``).
        discriminator: ``[batch, H, W, C] -> [batch, 1 + num_classes]``.
        num_classes: K.
        class_weight: weight of ``L_C`` in both nets' losses (the paper: 1).
        fake_class_loss: the discriminator learns the class of generated images too (the paper's ``L_C``
            is over real and generated images); False trains its classifier on real images only.
        real_class_loss: the discriminator learns the class of real images (from the data's labels). False
            (with ``fake_class_loss``): no labels at all, InfoGAN's categorical code (Chen et al. 2016,
            arXiv:1606.03657): D's class head learns ``z``'s code of generated images, G makes it recognisable.
        conditioning: ``"auxiliary"`` (the paper's classifier) or ``"mask"`` (Liu et al.'s: the K class logits
            are K real/fake logits, an image is judged by its class's; the first output is unused, so the same
            nets serve both; ``class_weight`` and the class losses do not apply).
        latent_dim, r1_gamma, r1_every, augment, label_smoothing, generator_loss, g_ema_rate, ...: see
            ``GAN``.
            The prior must be the normal one (the class is read off ``z_0`` through the normal CDF).
    """

    metric_names = ("d_loss", "g_loss", "d_class", "g_class")

    def __init__(self, generator, discriminator, latent_dim=100, num_classes=10, class_weight=1.0,
                 fake_class_loss=True, real_class_loss=True, conditioning="auxiliary", **kwargs):
        if kwargs.get("simultaneous"):
            raise ValueError("ACGAN alternates its two updates (Algorithm 1); simultaneous=True is GAN's option.")
        if kwargs.get("grad_norms"):
            raise ValueError("grad_norms is logged by GAN's and DCGAN's steps; ACGAN's do not log it.")
        super().__init__(generator, discriminator, latent_dim, **kwargs)
        if int(num_classes) != num_classes or num_classes < 2:
            raise ValueError(f"num_classes must be an integer >= 2, got {num_classes}.")
        self.num_classes = int(num_classes)
        if not class_weight >= 0:
            raise ValueError(f"class_weight must be >= 0 (Odena et al. use 1), got {class_weight}.")
        self.class_weight = float(class_weight)
        self.fake_class_loss = bool(fake_class_loss)
        self.real_class_loss = bool(real_class_loss)
        if not (self.real_class_loss or self.fake_class_loss):
            raise ValueError("ACGAN needs real_class_loss or fake_class_loss (or both).")
        if conditioning not in ("auxiliary", "mask"):
            raise ValueError(f"conditioning={conditioning!r}: pass 'auxiliary' (Odena et al.'s classifier) or "
                             "'mask' (Liu et al. 2020's per-class real/fake logits).")
        if conditioning == "mask" and not (self.real_class_loss and self.fake_class_loss and class_weight == 1.0):
            raise ValueError("conditioning='mask' has no class loss to weigh or leave out, and judges real images "
                             "by their labels' logits: leave class_weight, fake_class_loss and real_class_loss at "
                             "their defaults.")
        self.conditioning = conditioning
        if conditioning == "mask":  # no classifier, no class losses to log
            self.metric_names = ("d_loss", "g_loss")
            for name in ("d_class", "g_class"):
                self.trackers.pop(name)  # pop untracks the metric (del would leave it in Keras' list)
        if self.latent_distribution != "normal":
            raise ValueError("ACGAN reads each latent vector's class off z_0 through the normal CDF: use "
                             f"latent_distribution='normal', not {self.latent_distribution!r}.")
        self._check_class_nets()

    def _check_class_nets(self):
        out = self.discriminator.outputs[0].shape if getattr(self.discriminator, "outputs", None) else None
        if out is not None and out[-1] != 1 + self.num_classes:
            raise ValueError(
                f"ACGAN's discriminator returns a real/fake logit and {self.num_classes} class logits, "
                f"[batch, {1 + self.num_classes}], but {self.discriminator.name!r} returns {tuple(out)}. Build it "
                f"with 1 + num_classes outputs (tfgans.nets.fast.mnist_discriminator(num_classes=...)).")
        readers = [layer for layer in self.generator._flatten_layers() if isinstance(layer, LatentClass)]
        if [layer.num_classes for layer in readers] != [self.num_classes]:
            raise ValueError(
                f"ACGAN's generator must read a class of {self.num_classes} off its latent vector, but "
                f"{self.generator.name!r} has {len(readers)} tfgans.layers.LatentClass layer(s) "
                f"{[layer.num_classes for layer in readers]}. Start it with LatentClass({self.num_classes}) "
                f"(tfgans.nets.fast.mnist_generator(num_classes={self.num_classes}) does).")

    def labels_of(self, data):
        if not isinstance(data, (tuple, list)) or len(data) < 2:
            raise ValueError("ACGAN trains on (images, labels) batches: load them with "
                             "tfgans.data.load(..., with_labels=True) (an ACGAN preset's load_data does).")
        return data[1]

    def class_logit(self, outputs, classes):
        """Liu et al.'s masked logit: each image's real/fake logit is its class's, ``[batch, 1]``."""
        classes = tf.reshape(tf.cast(classes, tf.int32), [-1])  # [batch] (labels may come as [batch, 1])
        return tf.gather(outputs[:, 1:], classes, batch_dims=1)[:, None]

    def masked_step(self, data):
        """Liu et al. 2020's conditional GAN step: both nets on the class logits, no classification loss."""
        real, labels = self.real_images(data), self.labels_of(data)
        batch_size = tf.shape(real)[0]
        d_seed, g_seed = tf.unstack(self.step_seeds(2))
        real_seed, fake_seed, g_fake_seed = self.augment_seeds(d_seed)

        z = self.sample_latent(batch_size, d_seed)
        with tf.GradientTape() as tape:
            fake = self.generator(z, training=True)
            real_out, r1 = self.discriminate_real(real, real_seed, lambda out: self.class_logit(out, labels))
            fake_out = self.class_logit(self.discriminate(fake, fake_seed), latent_class(z, self.num_classes))
            d_loss = losses.minimax_discriminator_loss(real_out, fake_out, self.label_smoothing)
            penalized = d_loss + r1
        self.apply_loss(self.d_optimizer, tape, penalized, self.discriminator.trainable_variables)

        z = self.sample_latent(batch_size, g_seed)
        with tf.GradientTape() as tape:
            fake_out = self.class_logit(self.discriminate(self.generator(z, training=True), g_fake_seed),
                                        latent_class(z, self.num_classes))
            g_loss = losses.GENERATOR_LOSSES[self.generator_loss](fake_out)
        self.apply_loss(self.g_optimizer, tape, g_loss, self.generator.trainable_variables)
        self.update_generator_average()
        return self.update_trackers(d_loss=d_loss, g_loss=g_loss, **self.r1_log(r1))

    def train_step(self, data):
        if self.conditioning == "mask":
            return self.masked_step(data)
        real = self.real_images(data)
        labels = self.labels_of(data) if self.real_class_loss else None
        batch_size = tf.shape(real)[0]
        d_seed, g_seed = tf.unstack(self.step_seeds(2))
        real_seed, fake_seed, g_fake_seed = self.augment_seeds(d_seed)

        # Update the discriminator on L_S + L_C (plus R1's penalty on the real/fake logit, if any).
        z = self.sample_latent(batch_size, d_seed)
        with tf.GradientTape() as tape:
            fake = self.generator(z, training=True)
            real_out, r1 = self.discriminate_real(real, real_seed)
            fake_out = self.discriminate(fake, fake_seed)
            d_loss = losses.minimax_discriminator_loss(real_out[:, :1], fake_out[:, :1], self.label_smoothing)
            d_class = losses.class_cross_entropy(labels, real_out[:, 1:]) if self.real_class_loss else 0.0
            if self.fake_class_loss:
                d_class += losses.class_cross_entropy(latent_class(z, self.num_classes), fake_out[:, 1:])
            penalized = d_loss + self.class_weight * d_class + r1
        self.apply_loss(self.d_optimizer, tape, penalized, self.discriminator.trainable_variables)

        # Update the generator on a fresh latent batch: fool the real/fake logit, be seen as z's class.
        z = self.sample_latent(batch_size, g_seed)
        with tf.GradientTape() as tape:
            fake_out = self.discriminate(self.generator(z, training=True), g_fake_seed)
            g_loss = losses.GENERATOR_LOSSES[self.generator_loss](fake_out[:, :1])
            g_class = losses.class_cross_entropy(latent_class(z, self.num_classes), fake_out[:, 1:])
            total = g_loss + self.class_weight * g_class
        self.apply_loss(self.g_optimizer, tape, total, self.generator.trainable_variables)
        self.update_generator_average()

        return self.update_trackers(d_loss=d_loss, g_loss=g_loss, d_class=d_class, g_class=g_class,
                                    **self.r1_log(r1))

    def get_config(self):
        return {**super().get_config(), "num_classes": self.num_classes, "class_weight": self.class_weight,
                "fake_class_loss": self.fake_class_loss, "real_class_loss": self.real_class_loss,
                "conditioning": self.conditioning}
