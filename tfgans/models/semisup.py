"""Semi-supervised GAN of Salimans et al. 2016, "Improved Techniques for Training GANs" (arXiv:1606.03498).

The discriminator is a K-class classifier whose K logits ``l`` also decide real vs fake: the fake class
K+1 has its logit fixed at 0, so ``D(x) = Z(x) / (Z(x) + 1)`` with ``Z = sum_k exp(l_k)`` (sec. 5). Each
step, as in the paper's reference code (openai/improved-gan, ``train_mnist_feature_matching.py``):

1. discriminator: ``loss_lab + unlabeled_weight * loss_unl`` on a labeled batch, an unlabeled batch and a
   generated batch (``tfgans.losses.semisupervised_labeled_loss`` / ``semisupervised_unlabeled_loss``);
   then the moving average of its parameters is updated;
2. generator: feature matching (``tfgans.losses.feature_matching_loss``) between a fresh generated batch
   and a second unlabeled batch, on an intermediate discriminator layer.

``evaluate`` classifies with the moving average of the discriminator's parameters (the reference's
``test_batch`` with ``disc_avg_givens``) and reports the accuracy and the number of errors (``accuracy``,
``errors``), and with the average on, ``raw_errors``: the errors of the current parameters.
"""

from __future__ import annotations

from typing import Optional, Union

import tensorflow as tf
import keras

from tfgans import losses
from tfgans.averaging import ParameterEMA
from tfgans.features import feature_model
from tfgans.models.base import GANModel, step_logs
from tfgans.normalization import data_dependent_init

__all__ = ["SemiSupervisedGAN"]

_KEYS = ("x_unl", "x_lab", "y_lab")


@keras.saving.register_keras_serializable(package="tfgans")
class SemiSupervisedGAN(GANModel):
    """Semi-supervised GAN with feature matching, trained with ``fit`` on ``tfgans.data.load_semisupervised``.

    Training elements are dicts ``{"x_unl", "x_lab", "y_lab"}`` and optionally ``"x_unl2"`` (the real batch
    of feature matching; ``"x_unl"`` is reused when absent). ``evaluate`` takes ``(images, labels)``
    batches (``tfgans.data.load(..., split="test", with_labels=True)``).

    Args:
        generator: ``[batch, latent_dim] -> [batch, H, W, C]``.
        discriminator: ``[batch, H, W, C] -> [batch, K]`` class logits (no fake-class output: its logit is
            fixed at 0).
        latent_dim: size of ``z``.
        feature_layer: the discriminator layer feature matching compares, by name or index in
            ``discriminator.layers`` (the reference: the last 250-unit layer on MNIST, ``-3`` in
            ``tfgans.nets.salimans.mnist_discriminator``; global pooling on CIFAR-10, ``-2``).
        feature_distance: ``"squared"`` (MNIST reference) or ``"absolute"`` (CIFAR-10 reference); see
            ``tfgans.losses.feature_matching_loss``.
        unlabeled_weight: weight of ``loss_unl`` in the discriminator's loss (the reference: 1).
        ema_rate: step size of the moving average of the discriminator's trainable parameters used by
            ``evaluate`` (the reference: 1e-4); ``None`` evaluates with the parameters themselves.
        data_init_examples: real images for the data-dependent initialisation that the first ``fit`` runs
            (:meth:`data_init`; the reference: 500); 0 skips it.
        latent_distribution, latent_range: the prior; the reference draws ``z ~ U(0, 1)^100``.
        seed, clip_norm: see ``GANModel``.
    """

    metric_names = ("loss_lab", "loss_unl", "loss_gen", "train_err")

    def __init__(self, generator, discriminator, latent_dim: int = 100,
                 feature_layer: Union[int, str] = -3, feature_distance: str = "squared",
                 unlabeled_weight: float = 1.0, ema_rate: Optional[float] = 1e-4, data_init_examples: int = 500,
                 latent_distribution: str = "uniform", latent_range=(0.0, 1.0), **kwargs):
        super().__init__(generator, discriminator, latent_dim, latent_distribution=latent_distribution,
                         latent_range=latent_range, **kwargs)
        if feature_distance not in losses.FEATURE_DISTANCES:
            raise ValueError(f"feature_distance must be one of {losses.FEATURE_DISTANCES}, got "
                             f"{feature_distance!r}.")
        if unlabeled_weight < 0:
            raise ValueError(f"unlabeled_weight must be non-negative, got {unlabeled_weight}.")
        out = discriminator.outputs[0].shape if getattr(discriminator, "outputs", None) else None
        if out is None or len(out) != 2 or out[-1] is None or out[-1] < 2:
            raise ValueError(
                f"The discriminator {discriminator.name!r} must output [batch, K] class logits with K >= 2 "
                f"(one per class; the fake class is implicit), got output shape {out}."
            )
        self.num_classes = int(out[-1])
        self.feature_layer = feature_layer
        self.feature_distance = feature_distance
        self.unlabeled_weight = float(unlabeled_weight)
        self.features = feature_model(discriminator, feature_layer)
        self.ema_rate = None if ema_rate is None else float(ema_rate)
        self.ema = (ParameterEMA(discriminator.trainable_variables, self.ema_rate, name="d_ema")
                    if self.ema_rate is not None else None)
        if data_init_examples < 0:
            raise ValueError(f"data_init_examples must be >= 0 (0 skips the init), got {data_init_examples}.")
        self.data_init_examples = int(data_init_examples)
        # Saved with the weights, so a resumed or reloaded model is not initialised a second time.
        self.initialized = keras.Variable(0.0, trainable=False, aggregation="only_first_replica",
                                          name="data_initialized")
        self.eval_trackers = {
            "accuracy": keras.metrics.Mean(name="accuracy"),
            "errors": keras.metrics.Sum(name="errors"),
        }
        if self.ema is not None:
            # The current parameters' errors too, to see how far the slow average lags behind them.
            self.eval_trackers["raw_errors"] = keras.metrics.Sum(name="raw_errors")

    @property
    def metrics(self):
        # Training and evaluation report different trackers. Listing only the current phase's lets Keras
        # read them in cross-replica context (summed over replicas) when the step's logs match them.
        if getattr(self, "_evaluating", False):
            return list(self.eval_trackers.values())
        return list(self.trackers.values())

    def evaluate(self, *args, **kwargs):
        """Keras' ``evaluate``: ``{"accuracy", "errors"}`` (and ``"raw_errors"``) on ``(images, labels)``."""
        previous, self._evaluating = getattr(self, "_evaluating", False), True
        try:
            return super().evaluate(*args, **kwargs)
        finally:
            self._evaluating = previous

    # --- data ----------------------------------------------------------------------------------------------

    def _unpack(self, data):
        if not isinstance(data, dict) or any(k not in data for k in _KEYS):
            got = sorted(data) if isinstance(data, dict) else type(data).__name__
            raise ValueError(
                f"SemiSupervisedGAN trains on dicts with keys {list(_KEYS)} (and optionally 'x_unl2'), got "
                f"{got}. Build the stream with tfgans.data.load_semisupervised(name, num_labeled, ...)."
            )
        x_unl = self.real_images(data["x_unl"])
        x_lab = self.real_images(data["x_lab"])
        x_unl2 = self.real_images(data["x_unl2"]) if "x_unl2" in data else x_unl
        return x_unl, x_unl2, x_lab, data["y_lab"]

    # --- training ----------------------------------------------------------------------------------------

    def data_init(self, images, latent_batch_size: int = 100, seed: int = 0):
        """Data-dependent initialisation of both nets' weight-normalised layers, before training.

        The reference code runs one ``init=True`` pass before its first step: the discriminator on 500
        training images, the generator on one batch of latent vectors
        (``tfgans.normalization.data_dependent_init``).

        Args:
            images: ``[n, H, W, C]`` real images (the reference: 500 from the training split).
            latent_batch_size: latent vectors for the generator's pass (the reference: the batch size, 100).
            seed: seeds those latent vectors.
        """
        images = self.real_images(tf.convert_to_tensor(images))
        data_dependent_init(self.generator, self.sample_latent(latent_batch_size, tf.constant([seed, 1], tf.int64)))
        data_dependent_init(self.discriminator, images)
        self.initialized.assign(1.0)

    def fit(self, x=None, *args, **kwargs):
        """Keras' ``fit``; the first call first runs :meth:`data_init` on ``data_init_examples`` unlabeled
        images of ``x`` (a dataset of ``load_semisupervised`` dicts) and one batch of latent vectors, as the
        reference does before training."""
        with self.distribute_strategy.scope():
            if self.data_init_examples and not float(self.initialized.numpy()):
                images, batch_size = self._init_images(x)
                self.data_init(images, latent_batch_size=batch_size, seed=self.seed)
            if not (self.d_optimizer.built and self.g_optimizer.built):
                # Slots made inside the replicated step would not be mirrored (Adam under MirroredStrategy).
                self.build_optimizers()
        return super().fit(x, *args, **kwargs)

    def _init_images(self, x):
        """Up to ``data_init_examples`` unlabeled images and the batch size (the generator's init batch)."""
        if isinstance(x, dict) and "x_unl" in x:
            images = x["x_unl"][: self.data_init_examples]
            return images, min(len(images), 100)
        if isinstance(x, tf.data.Dataset):
            images, count = [], 0
            for batch in x:
                images.append(self._unpack(batch)[0])
                count += int(images[-1].shape[0])
                if count >= self.data_init_examples:
                    break
            return tf.concat(images, axis=0)[: self.data_init_examples], int(images[0].shape[0])
        raise ValueError(
            "SemiSupervisedGAN.fit initialises its weight-normalised layers from the first images of a "
            "tf.data.Dataset (tfgans.data.load_semisupervised) or a dict with 'x_unl'; for other inputs call "
            "model.data_init(images) first, or build the model with data_init_examples=0."
        )

    def train_step(self, data):
        x_unl, x_unl2, x_lab, y_lab = self._unpack(data)
        batch_size = tf.shape(x_unl)[0]
        d_seed, g_seed = tf.unstack(self.step_seeds(2))

        # Discriminator: classify the labeled batch; real vs fake through D(x) = Z / (Z + 1).
        fake = self.generator(self.sample_latent(batch_size, d_seed), training=True)
        with tf.GradientTape() as tape:
            logits_lab = self.discriminator(x_lab, training=True)
            logits_unl = self.discriminator(x_unl, training=True)
            logits_fake = self.discriminator(fake, training=True)
            loss_lab = losses.semisupervised_labeled_loss(y_lab, logits_lab)
            loss_unl = losses.semisupervised_unlabeled_loss(logits_unl, logits_fake)
            d_loss = loss_lab + self.unlabeled_weight * loss_unl
        self.apply_loss(self.d_optimizer, tape, d_loss, self.discriminator.trainable_variables)
        if self.ema is not None:
            self.ema.update()

        # Generator: match the mean features of a fresh generated batch to those of real data.
        real_features = self.features(x_unl2, training=True)
        with tf.GradientTape() as tape:
            fake = self.generator(self.sample_latent(batch_size, g_seed), training=True)
            loss_gen = losses.feature_matching_loss(real_features, self.features(fake, training=True),
                                                    self.feature_distance)
        self.apply_loss(self.g_optimizer, tape, loss_gen, self.generator.trainable_variables)
        self.update_generator_average()

        wrong = tf.not_equal(tf.argmax(logits_lab, axis=-1), tf.cast(tf.reshape(y_lab, [-1]), tf.int64))
        train_err = tf.reduce_mean(tf.cast(wrong, tf.float32))
        return self.update_trackers(loss_lab=loss_lab, loss_unl=loss_unl, loss_gen=loss_gen, train_err=train_err)

    # --- evaluation --------------------------------------------------------------------------------------

    def classify(self, images, use_ema: bool = True) -> tf.Tensor:
        """``[batch, K]`` class logits in inference mode, with the averaged parameters when ``use_ema``."""
        if use_ema and self.ema is not None:
            non_trainable = [v.value for v in self.discriminator.non_trainable_variables]
            logits, _ = self.discriminator.stateless_call(self.ema.values(), non_trainable, images,
                                                          training=False)
            return logits
        return self.discriminator(images, training=False)

    def test_step(self, data):
        if not isinstance(data, (tuple, list)) or len(data) != 2:
            raise ValueError(
                "SemiSupervisedGAN.evaluate takes (images, labels) batches, e.g. tfgans.data.load(name, 100, "
                "split='test', with_labels=True, shuffle=False, drop_remainder=False)."
            )
        images, labels = self.real_images(data[0]), tf.cast(tf.reshape(data[1], [-1]), tf.int64)
        correct = tf.cast(tf.equal(tf.argmax(self.classify(images), axis=-1), labels), tf.float32)
        self.eval_trackers["accuracy"].update_state(correct)
        self.eval_trackers["errors"].update_state(1.0 - correct)
        if "raw_errors" in self.eval_trackers:
            raw = tf.equal(tf.argmax(self.classify(images, use_ema=False), axis=-1), labels)
            self.eval_trackers["raw_errors"].update_state(1.0 - tf.cast(raw, tf.float32))
        return step_logs(self.eval_trackers)

    def checkpoint_state(self) -> dict:
        state = {**super().checkpoint_state(), "initialized": self.initialized}
        if self.ema is not None:
            state["ema"] = self.ema
        return state

    def get_config(self):
        return {**super().get_config(), "feature_layer": self.feature_layer,
                "feature_distance": self.feature_distance, "unlabeled_weight": self.unlabeled_weight,
                "ema_rate": self.ema_rate, "data_init_examples": self.data_init_examples}
