"""The part every GAN flavor shares: two nets, a latent prior, two optimizers and the loss trackers.

A flavor subclasses :class:`GANModel`, lists its trackers in ``metric_names`` and writes ``train_step`` as its
paper's algorithm box, calling :meth:`GANModel.sample_latent`, :meth:`GANModel.real_images` and
:meth:`GANModel.apply_loss`. Distribution, mixed precision and seeding live here so every flavor gets them.
"""

from __future__ import annotations

from typing import Optional, Sequence

import numpy as np
import tensorflow as tf
import keras

from tfgans.averaging import ParameterEMA
from tfgans.distribute import replica_slice

__all__ = ["GANModel", "output_range", "draw_latent"]


def step_logs(trackers) -> dict:
    """The running means of ``trackers`` as a ``train_step``/``test_step`` returns them.

    Under ``MultiWorkerMirroredStrategy``, Keras 3 reduces a step's outputs with ``strategy.reduce("MEAN", v,
    axis=0)``, which fails on scalars ("Invalid reduction dimension 0 for input with 0 dimensions",
    tensorflow/tensorflow#72388); a leading axis of 1 gives it the axis it reduces, and the result is a
    scalar again.
    """
    logs = {name: tracker.result() for name, tracker in trackers.items()}
    strategy = tf.distribute.get_strategy()
    if isinstance(strategy, tf.distribute.MultiWorkerMirroredStrategy) and strategy.extended._in_multi_worker_mode():
        logs = {name: tf.reshape(value, [1]) for name, value in logs.items()}
    return logs


def draw_latent(n, latent_dim: int, seed, distribution: str = "normal", latent_range=(-1.0, 1.0)) -> tf.Tensor:
    """``[n, latent_dim]`` latent vectors from the prior (N(0, 1), or U(``latent_range``)) with a stateless
    ``seed`` [2]: the one draw the models sample with and their SavedModel exports serve."""
    shape = tf.stack([n, latent_dim])
    if distribution == "normal":
        return tf.random.stateless_normal(shape, seed=seed)
    low, high = latent_range
    return tf.random.stateless_uniform(shape, seed=seed, minval=low, maxval=high)


def output_range(generator: keras.Model):
    """The value range of a generator's images, read off its last activation (tanh, sigmoid or softplus).

    A softplus output (Sleepychord/ImprovedGAN-pytorch's generator, for data in [0, 1]) draws in [0, 1]: its
    values above 1 are clipped when mapped to uint8.

    Raises:
        ValueError: the last activation is neither; pass the range explicitly instead.
    """
    for layer in reversed(generator.layers):
        activation = getattr(layer, "activation", None)
        name = getattr(activation, "__name__", None)
        if name == "tanh":
            return (-1.0, 1.0)
        if name in ("sigmoid", "softplus"):
            return (0.0, 1.0)
        if name not in (None, "linear"):
            break
        if isinstance(layer, (keras.layers.Dense, keras.layers.Conv2D, keras.layers.Conv2DTranspose)):
            break
    raise ValueError(
        f"Cannot tell the output range of generator {generator.name!r}: its last layer ends in neither tanh, "
        "sigmoid nor softplus. Pass value_range=(low, high) explicitly."
    )


class GANModel(keras.Model):
    """Base of all GAN flavors.

    Args:
        generator: maps ``[batch, latent_dim]`` latent vectors to images ``[batch, H, W, C]``.
        discriminator: maps images to ``[batch, 1]`` logits (or critic values).
        latent_dim: size of the latent vector ``z``.
        latent_distribution: ``"normal"`` (N(0, 1), the prior of most later DCGAN code, e.g. TensorFlow's
            DCGAN tutorial) or ``"uniform"`` (U(``latent_range``): Radford et al. 2015 draw U(-1, 1) in paper
            and code, Goodfellow et al. 2014's MNIST reference U(-sqrt 3, sqrt 3), Salimans et al. 2016 U(0, 1)).
        latent_range: bounds of the uniform prior.
        seed: seeds the latent draws. Draws are stateless functions of (seed, generator step, replica), so
            replicas draw different vectors and a resumed run draws what the uninterrupted one would have.
        clip_norm: if set, every update's gradient is clipped to this global norm before it is applied
            (Kapoor & Orozco, Table 1: 5.0). Under ``tf.distribute`` the norm is that of the global-batch
            gradient, as on one device.
        g_ema_rate: if set, an exponential moving average of the generator's weights (batch norm statistics
            included), ``a <- a + g_ema_rate * (w - a)`` after every generator step, is what the model samples,
            evaluates and exports (:meth:`synthesize`); training uses the live weights (Karras et al. 2018,
            arXiv:1710.10196, sec. A.1: decay 0.999, i.e. rate 1e-3). Bias-corrected
            (``tfgans.improved.ParameterEMA``), so early samples are not shrunk towards 0.
        g_ema_rampup: with ``g_ema_rate``, bounds the average's half-life by this fraction of the generator
            steps so far (Karras et al. 2020, arXiv:2006.06676: 0.05), so a short run's average forgets its
            first weights; None for a constant rate.
    """

    #: Names of the per-epoch loss trackers; each becomes a ``keras.metrics.Mean`` in ``self.trackers``.
    metric_names: Sequence[str] = ("d_loss", "g_loss")

    #: Real batches one ``train_step`` consumes. A flavor with several critic steps per generator step sets
    #: it (WGAN: ``n_critic``) and receives them as one element of ``real_batches_per_step * batch_size``.
    real_batches_per_step: int = 1
    #: How the flavor's arguments name that count, for error messages.
    real_batches_name: str = "real_batches_per_step"

    @classmethod
    def real_batches_for(cls, **kwargs) -> int:
        """``real_batches_per_step`` of the flavor built with ``kwargs`` (without building it)."""
        del kwargs
        return 1

    def __init__(
        self,
        generator: keras.Model,
        discriminator: keras.Model,
        latent_dim: int = 100,
        latent_distribution: str = "normal",
        latent_range=(-1.0, 1.0),
        seed: Optional[int] = None,
        clip_norm: Optional[float] = None,
        crop: Optional[Sequence[int]] = None,
        g_ema_rate: Optional[float] = None,
        g_ema_rampup: Optional[float] = None,
        **kwargs,
    ):
        super().__init__(**kwargs)
        if latent_distribution not in ("normal", "uniform"):
            raise ValueError(
                f"latent_distribution must be 'normal' or 'uniform', got {latent_distribution!r}."
            )
        self.generator = generator
        self.discriminator = discriminator
        self.latent_dim = int(latent_dim)
        self.latent_distribution = latent_distribution
        self.latent_range = tuple(float(v) for v in latent_range)
        self.seed = int(np.random.randint(0, 2**31 - 1)) if seed is None else int(seed)
        if clip_norm is not None and not clip_norm > 0:
            raise ValueError(f"clip_norm must be positive (or None for no clipping), got {clip_norm}.")
        self.clip_norm = None if clip_norm is None else float(clip_norm)
        self.crop = tuple(int(v) for v in crop) if crop else None
        shape = self.image_shape
        if self.crop and shape and (len(self.crop) != 2 or self.crop[0] > shape[0] or self.crop[1] > shape[1]):
            raise ValueError(f"crop={self.crop} must be (height, width) within the images {shape[:2]}.")
        self._check_nets()
        # The nets arrive built; marking the pair built stops Keras from tracing call() on a data batch
        # (images are not latents) when it builds a model before distributed training.
        self.built = bool(generator.built and discriminator.built)
        self.trackers = {name: keras.metrics.Mean(name=name) for name in self.metric_names}
        self.g_ema_rate = None if g_ema_rate is None else float(g_ema_rate)
        if g_ema_rampup is not None and g_ema_rate is None:
            raise ValueError(f"g_ema_rampup={g_ema_rampup} ramps up a generator average: pass g_ema_rate too "
                             "(Karras et al.: 1e-3 with g_ema_rampup=0.05).")
        self.g_ema_rampup = None if g_ema_rampup is None else float(g_ema_rampup)
        # Trainable weights first: synthesize splits the averages at their count for stateless_call.
        weights = list(generator.trainable_variables) + list(generator.non_trainable_variables)
        self.g_ema = (ParameterEMA(weights, self.g_ema_rate, self.g_ema_rampup, name="g_ema")
                      if self.g_ema_rate is not None else None)

    def _check_nets(self):
        g_in = self.generator.inputs[0].shape if getattr(self.generator, "inputs", None) else None
        if g_in is not None and g_in[-1] is not None and g_in[-1] != self.latent_dim:
            raise ValueError(
                f"The generator {self.generator.name!r} takes latent vectors of size {g_in[-1]}, but "
                f"latent_dim={self.latent_dim}. Pass latent_dim={g_in[-1]} or build the generator with "
                f"latent_dim={self.latent_dim}."
            )
        g_out = self.generator.outputs[0].shape if getattr(self.generator, "outputs", None) else None
        d_in = self.image_shape
        if g_out is not None and d_in is not None and tuple(g_out[1:]) != d_in:
            raise ValueError(
                f"The generator {self.generator.name!r} makes images of shape {tuple(g_out[1:])} but the "
                f"discriminator {self.discriminator.name!r} takes {d_in}. Use a matching pair of nets."
            )

    @property
    def image_shape(self):
        """The ``(H, W, C)`` the discriminator takes, or None if it was built without an input."""
        if getattr(self.discriminator, "inputs", None):
            return tuple(self.discriminator.inputs[0].shape[1:])
        return None

    # --- compile / metrics -------------------------------------------------------------------------------

    def compile(self, g_optimizer=None, d_optimizer=None, **kwargs):
        """Stores the two optimizers (Adam(2e-4, beta_1=0.5), Radford et al. 2015, when not given).

        Under the ``mixed_float16`` policy each is wrapped in ``keras.optimizers.LossScaleOptimizer`` so
        small float16 gradients do not underflow; ``mixed_bfloat16`` needs no loss scaling.
        """
        super().compile(**kwargs)
        self.g_optimizer = self._wrap(g_optimizer or keras.optimizers.Adam(2e-4, beta_1=0.5))
        self.d_optimizer = self._wrap(d_optimizer or keras.optimizers.Adam(2e-4, beta_1=0.5))

    @staticmethod
    def _wrap(optimizer):
        optimizer = keras.optimizers.get(optimizer)
        policy = keras.mixed_precision.dtype_policy()
        if policy.name == "mixed_float16" and not isinstance(optimizer, keras.optimizers.LossScaleOptimizer):
            optimizer = keras.optimizers.LossScaleOptimizer(optimizer)
        return optimizer

    @property
    def metrics(self):
        # Listing the trackers here lets Keras reset them at the start of every epoch.
        return list(self.trackers.values())

    def update_trackers(self, **values):
        """Records this step's values and returns the running means, Keras' logs for the progress bar."""
        for name, value in values.items():
            self.trackers[name].update_state(value)
        return step_logs(self.trackers)

    def fit(self, x=None, *args, **kwargs):
        # A tf.data pipeline shuffles itself (tfgans.data.load does); Keras warns on every fit otherwise.
        if isinstance(x, tf.data.Dataset):
            kwargs.setdefault("shuffle", False)
            if int(x.cardinality()) == 0:
                # Keras would go on and run a step anyway.
                raise ValueError(
                    "The dataset yields no batch: it holds fewer examples than one batch (with the remainder "
                    "dropped; a Wasserstein flavor takes n_critic batches per step). Lower the batch size or "
                    "use more data."
                )
        if hasattr(self, "g_optimizer"):
            # Slots created lazily inside the replicated step would not be mirrored (Adam under
            # MirroredStrategy fails there), so create them now.
            self.build_optimizers()
        return super().fit(x, *args, **kwargs)

    def _maybe_symbolic_build(self, iterator=None, data_batch=None):
        # Under a strategy, Keras 3 (<= 3.15, backend/tensorflow/trainer.py) learns the input shapes by
        # all-reducing a batch drawn from the training iterator, before it checks whether anything needs
        # building. Under MultiWorkerMirroredStrategy that reduce fails for a dict batch (the semi-supervised
        # stream) and costs a collective per fit; built nets need none of it (one device skips it too).
        if all(layer.built for layer in self._flatten_layers(include_self=False)):
            return
        super()._maybe_symbolic_build(iterator=iterator, data_batch=data_batch)

    # --- pieces a train_step calls -------------------------------------------------------------------------

    def real_images(self, data):
        """The image tensor of a batch (``images`` or ``(images, labels)``), checked against the nets."""
        images = data[0] if isinstance(data, (tuple, list)) else data
        expected = self.image_shape
        if expected is not None and tuple(images.shape[1:]) != expected:
            raise ValueError(
                f"The dataset yields images of shape {tuple(images.shape[1:])} but the discriminator "
                f"{self.discriminator.name!r} takes {expected}. Load the dataset the nets were built for "
                f"or build the nets for this image shape."
            )
        return images

    # --- several real batches per step --------------------------------------------------------------------------------------------

    def split_real_batches(self, data):
        """Splits one element of ``real_batches_per_step * batch`` images into that many batches
        ``[batch, H, W, C]`` (a WGAN's ``n_critic``, CFG-GAN's ``T * U``).

        Batch ``k`` holds images ``k, k + n, ...``: interleaving, not contiguous chunks, so the
        split commutes with tf.distribute's contiguous sharding of the element over replicas.

        Raises:
            ValueError: the element's size is not a multiple of ``real_batches_per_step`` (checked when
                tracing if the size is static, else when the step runs).
        """
        real = self.real_images(data)
        n = self.real_batches_per_step
        per_step = self.real_batches_name
        replicas = tf.distribute.get_strategy().num_replicas_in_sync
        where = f" per replica ({replicas} replicas)" if replicas > 1 else ""
        fix = (
            f"A {type(self).__name__} takes {per_step}={n} real batches per step, as one dataset "
            f"element of {n} * batch_size images: batch the dataset with {n} * batch_size and "
            "drop_remainder=True (Preset.load_data(model=model) does"
            + (f"; under tf.distribute the global batch must be a multiple of {n} * {replicas})." if replicas > 1
               else ").")
        )
        size = real.shape[0]
        if size is not None and size % n:
            raise ValueError(f"The dataset yields {size} images{where} per step, not a multiple of {per_step}={n}. "
                             + fix)
        checks = []
        if size is None:
            checks.append(tf.debugging.assert_equal(
                tf.math.floormod(tf.shape(real)[0], n), 0,
                message=f"The dataset yields a batch{where} whose size is not a multiple of {per_step}={n}. "
                + fix))
        with tf.control_dependencies(checks):
            grouped = tf.reshape(real, tf.concat([[-1, n], tf.shape(real)[1:]], axis=0))
        return [grouped[:, k] for k in range(n)]

    def step_counter(self) -> tf.Tensor:
        """A counter that every training step advances (int64): the generator's optimizer steps. A flavor whose
        step does not step that optimizer (CFG-GAN) counts another."""
        return tf.cast(self.g_optimizer.iterations, tf.int64)

    def step_seeds(self, num: int) -> tf.Tensor:
        """``num`` stateless seeds ``[num, 2]`` for this training step, distinct per step, the same on every
        replica: per-example draws (:meth:`sample_latent`, :func:`replica_slice`) take the replica's slice of
        one global draw, so a run does not depend on how many replicas share the global batch."""
        seed = tf.constant([self.seed, 0], dtype=tf.int64)
        seed = tf.random.experimental.stateless_fold_in(seed, self.step_counter())
        seed = tf.random.experimental.stateless_fold_in(seed, 0)  # (replica 0: the streams of earlier versions)
        return tf.random.experimental.stateless_split(seed, num=num)

    def sample_latent(self, batch_size, seed, shared: bool = False) -> tf.Tensor:
        """Draws ``[batch_size, latent_dim]`` latent vectors from the prior with a stateless ``seed`` [2].

        Inside a replicated step this replica's examples of the global batch (:func:`replica_slice`); with
        ``shared``, the same vectors on every replica (CFG-GAN's replicated approximation).
        """
        def draw(n):
            return draw_latent(n, self.latent_dim, seed, self.latent_distribution, self.latent_range)

        return draw(batch_size) if shared else replica_slice(draw, batch_size)

    def apply_loss(self, optimizer, tape: tf.GradientTape, loss, variables, log_norm: Optional[str] = None):
        """Takes one optimizer step on ``loss``, a replica's mean over its own examples, recorded on ``tape``.

        Under ``tf.distribute`` the optimizer sums gradients over replicas, so the gradient is scaled by
        ``1 / replicas``: the step is then the gradient of the mean over the global batch. The loss-scale
        factor of ``mixed_float16`` (``optimizer.scale_loss``) enters the same way, before backpropagation,
        and ``optimizer.apply`` unscales it. With ``clip_norm`` the global-batch gradient is clipped by its
        global norm before the step. Returns the gradient it applied. ``log_norm`` names a tracker (``d_norm``) that
        records the global norm of the global batch's gradient before clipping, unscaled; a step whose gradient is
        not finite (one the loss scale of mixed_float16 skips) is not recorded. No tracker of that name: no-op.
        """
        replicas = tf.distribute.get_strategy().num_replicas_in_sync
        factor = optimizer.scale_loss(tf.constant(1.0 / replicas, dtype=loss.dtype))
        grads = tape.gradient(loss, variables, output_gradients=factor)
        if log_norm is not None and log_norm in self.trackers:
            self._log_norm(self.trackers[log_norm], optimizer, grads, replicas)
        if self.clip_norm is not None:
            grads = self._clip(optimizer, grads, replicas)
        optimizer.apply(grads, variables)
        return grads

    def update_generator_average(self):
        """``a <- a + g_ema_rate * (w - a)`` for the generator's weights after its step, when the flavor keeps
        their average (``g_ema_rate``; Karras et al. 2018, arXiv:1710.10196, sec. A.1); a no-op otherwise."""
        if self.g_ema is not None:
            self.g_ema.update()

    @staticmethod
    def global_grad_norm(grads, scale, replicas):
        """The global norm of the global batch's gradient from a replica's share ``grads`` (as ``apply_loss``
        computes them), without the loss ``scale`` they were computed under (read before ``apply`` updates it);
        ``nan``/``inf`` for a step the loss scale of mixed_float16 skips."""
        if replicas > 1:  # each replica holds its share of the global gradient: their sum is the gradient
            grads = tf.distribute.get_replica_context().all_reduce(tf.distribute.ReduceOp.SUM, grads)
        return tf.linalg.global_norm([tf.cast(g, tf.float32) for g in grads]) / tf.cast(scale, tf.float32)

    def _log_norm(self, tracker, optimizer, grads, replicas):
        norm = self.global_grad_norm(grads, optimizer.scale_loss(tf.constant(1.0)), replicas)
        finite = tf.math.is_finite(norm)
        tracker.update_state(tf.where(finite, norm, 0.0), sample_weight=tf.cast(finite, tf.float32))

    def _clip(self, optimizer, grads, replicas):
        scale = optimizer.scale_loss(tf.constant(1.0))  # loss scale of mixed_float16, else 1
        if replicas > 1:
            # Clip the global gradient (the sum over replicas), then hand each replica its share of it:
            # the optimizer's own all-reduce sums the shares back to the clipped global gradient.
            grads = tf.distribute.get_replica_context().all_reduce(tf.distribute.ReduceOp.SUM, grads)
        grads, _ = tf.clip_by_global_norm(grads, self.clip_norm * scale)
        return [g / replicas for g in grads] if replicas > 1 else grads

    # --- inference ---------------------------------------------------------------------------------------

    def call(self, z, training=False):
        """``model(z)``: the images users sample, see and serve, :meth:`synthesize` (the generator's average,
        cropped, or CFG-GAN's composite). The live generator of training is ``model.generator``."""
        del training
        return self.synthesize(z)

    def synthesize(self, z) -> tf.Tensor:
        """The images of latent vectors ``z [N, latent_dim]``: what users sample, see and serve.

        Every path that draws images from a trained model goes through this method: :meth:`generate`, the
        sample grids (``tfgans.callbacks.SampleGrid``), evaluation (``tfgans.sampling``, ``Evaluate``,
        ``tfgans evaluate``) and the SavedModel export (``tfgans.export.save_generator``). It is the generator
        in inference mode; a flavor whose generator is more than one net (CFG-GAN's composite of an
        approximator and functional-gradient steps) overrides it. Must be traceable by ``tf.function``.
        """
        if self.g_ema is None:
            return self.crop_images(self.generator(z, training=False))
        averages = self.g_ema.values()
        n = len(self.generator.trainable_variables)
        images, _ = self.generator.stateless_call(averages[:n], averages[n:], z, training=False)
        return self.crop_images(images)

    def crop_images(self, images):
        """The centre ``crop`` of ``images [N, H, W, C]`` (unchanged without ``crop``)."""
        if not self.crop:
            return images
        height, width = self.crop
        if height > images.shape[1] or width > images.shape[2]:
            raise ValueError(f"crop={self.crop} is larger than the generator's images {tuple(images.shape[1:3])}.")
        top, left = (images.shape[1] - height) // 2, (images.shape[2] - width) // 2
        return images[:, top:top + height, left:left + width, :]

    def generate(self, num_samples: int, seed: int = 0) -> tf.Tensor:
        """``num_samples`` images of :meth:`synthesize`, reproducible for a given seed (an int or a scalar
        tensor, so that a traced ``generate`` serves every seed)."""
        z = self.sample_latent(num_samples, tf.stack([tf.cast(seed, tf.int64), tf.constant(0, tf.int64)]))
        return self.synthesize(z)

    def build_optimizers(self):
        """Creates the optimizers' slot variables now (a checkpoint restores into existing variables), in the
        model's strategy scope (slots made elsewhere would not be mirrored)."""
        if self.d_optimizer.built and self.g_optimizer.built:
            return
        with self.distribute_strategy.scope():
            self.d_optimizer.build(self.discriminator.trainable_variables)
            self.g_optimizer.build(self.generator.trainable_variables)

    def checkpoint_state(self) -> dict:
        """The objects a training checkpoint holds (``tfgans.callbacks.Checkpoint``); flavors with more
        training state (a parameter average, an init flag) add theirs."""
        state = {"generator": self.generator, "discriminator": self.discriminator,
                 "g_optimizer": self.g_optimizer, "d_optimizer": self.d_optimizer}
        if self.seed_states():
            state["seed_states"] = self.seed_states()
        if self.g_ema is not None:
            state["g_ema"] = self.g_ema
        return state

    def seed_states(self) -> list:
        """The state variables of the nets' random layers (Dropout, GaussianNoise), in layer order.

        Keras keeps them out of ``tf.train.Checkpoint`` and ``.keras`` files (a ``SeedGenerator`` is not
        tracked), so a reloaded Dropout would draw other masks than the original's next step: the checkpoint
        and :meth:`save_own_variables` store them explicitly.
        """
        states = []
        for net in (self.generator, self.discriminator):
            for layer in net._flatten_layers(include_self=True):
                states.extend(generator.state for generator in getattr(layer, "_seed_generators", ()))
        return states

    def save_own_variables(self, store):
        super().save_own_variables(store)
        for i, state in enumerate(self.seed_states()):
            store[f"seed_state_{i}"] = state.numpy()

    def load_own_variables(self, store):
        keys = list(store.keys())
        own = {key: store[key] for key in keys if not key.startswith("seed_state_")}
        super().load_own_variables(own)
        for i, state in enumerate(self.seed_states()):
            if f"seed_state_{i}" in keys:  # files written before seed states were saved have none
                state.assign(store[f"seed_state_{i}"])

    # --- serialization -----------------------------------------------------------------------------------

    def get_config(self):
        return {
            "generator": keras.saving.serialize_keras_object(self.generator),
            "discriminator": keras.saving.serialize_keras_object(self.discriminator),
            "latent_dim": self.latent_dim,
            "latent_distribution": self.latent_distribution,
            "latent_range": list(self.latent_range),
            "seed": self.seed,
            "clip_norm": self.clip_norm,
            "crop": list(self.crop) if self.crop else None,
            "g_ema_rate": self.g_ema_rate,
            "g_ema_rampup": self.g_ema_rampup,
            "name": self.name,
        }

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        config["generator"] = keras.saving.deserialize_keras_object(config["generator"])
        config["discriminator"] = keras.saving.deserialize_keras_object(config["discriminator"])
        return cls(**config)

    def get_compile_config(self):
        # Keras records only ``optimizer``; a GAN's are ``g_optimizer`` and ``d_optimizer``.
        config = super().get_compile_config()
        if config is None or not hasattr(self, "g_optimizer"):
            return config
        return {**config, "g_optimizer": keras.optimizers.serialize(self.g_optimizer),
                "d_optimizer": keras.optimizers.serialize(self.d_optimizer)}

    def compile_from_config(self, config):
        """Recompiles a model read by ``keras.models.load_model`` with its two optimizers, and creates
        their slots so the saved optimizer state loads into them: the loaded model resumes training."""
        config = dict(config)
        g_optimizer = keras.optimizers.deserialize(config.pop("g_optimizer")) if "g_optimizer" in config else None
        d_optimizer = keras.optimizers.deserialize(config.pop("d_optimizer")) if "d_optimizer" in config else None
        config = keras.saving.deserialize_keras_object(config)
        config.pop("optimizer", None)
        self.compile(g_optimizer=g_optimizer, d_optimizer=d_optimizer, **config)
        if self.generator.built and self.discriminator.built:
            self.build_optimizers()
