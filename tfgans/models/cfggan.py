"""CFG-GAN: composite functional gradient learning (Johnson & Zhang 2018, arXiv:1801.06309).

The generator is a composite: an approximator net G~ and T functional-gradient steps on frozen copies
D_0..D_{T-1} of the discriminator, x_0 = G~(z), x_{t+1} = x_t + eta * grad_x D_t(x_t). One ``train_step`` is
one stage of the authors' reference code (riejohnson/cfg-gan-pt, ``cfggan.py``; ``../shared/specs/cfggan.md``):

1. for t = 0..T-1, U times: one logistic-loss update of D on a fresh real batch against G~(z) moved t steps
   with this stage's copies D_0..D_{t-1}; then D_t := D (``icfg``);
2. approximation: N latents and their composite images x_T; G~ regresses onto them for ``approx_epochs``
   epochs of shuffled minibatches, loss sum((G~(z) - x_T)^2) / 2 / batch, with an RMSprop that starts afresh
   each stage and whose learning rate is multiplied by 0.1 after an epoch whose mean loss rose, at most 3
   times (``approximate``, ``_approximate``, ``OptimConfig.reduce_lr_``).

Before the first stage, G~ is fitted once to clamp(z W, -1, 1) for a random W ~ N(0, 0.01^2)
(``initialize_G``); the flag that this happened is checkpointed. As in the reference, the copies run in
training mode when moving images (batch norm on the moved batch: ``cfggan.py`` ``generate``, ``True``), G~ in
inference mode; ``copies_training_mode=False`` uses the copies' moving statistics instead.

The approximation trains G~'s weights as tensors inside graph loops (``stateless_call``) and writes them back
once per stage, so the stage is one traced step, the same on every replica: all replicas draw the same N
latents and compute the same targets (data parallelism splits the D updates' real batches only).
"""

from __future__ import annotations

from typing import Sequence

import tensorflow as tf
import keras

from tfgans import losses
from tfgans.models.base import GANModel

__all__ = ["CFGGAN", "reference_rmsprop"]


def reference_rmsprop(learning_rate: float = 2.5e-4) -> keras.optimizers.RMSprop:
    """The reference's RMSprop (``train_cfggan.py``: alpha 0.95, eps 1e-18 added to the root, PyTorch style).

    Keras adds epsilon under the root, sqrt(v + eps); eps = 1e-36 = (1e-18)^2 gives the same floor.
    """
    return keras.optimizers.RMSprop(learning_rate, rho=0.95, epsilon=1e-36)


@keras.saving.register_keras_serializable(package="tfgans")
class CFGGAN(GANModel):
    """CFG-GAN, trained with ``fit``: one step is one stage (see the module docstring).

    Args:
        generator: the approximator G~, z -> images (the composite's start).
        discriminator: D, images -> one value (no sigmoid: images move along its gradient).
        latent_dim, seed: see ``GANModel``; the prior is N(0, I), as the reference's.
        num_steps: T, functional-gradient steps (copies of D) per stage (the reference: 15).
        eta: the step size of a functional-gradient step (the reference's MNIST: 0.5 with a batch-normalised G~).
        d_updates: U, D updates per copy (1).
        num_targets: N, latents (and composite targets) G~ is fitted to each stage (640).
        approx_epochs: epochs of the approximation per stage (``cfg_x_epo``, 10).
        approx_batch_size: minibatch of the approximation (64, the reference's batch size).
        approx_decay, approx_max_decays: learning-rate factor after an epoch whose loss rose, and how often
            per stage at most (0.1, 3).
        copies_training_mode: run the copies of D in training mode when moving images (the reference).
        crop: see ``GANModel``: MNIST is trained padded to 32x32 and served 28x28 like every other MNIST
            generator.

    Metrics per epoch (means over its stages): ``d_loss`` (D's logistic loss), ``g_loss`` (-log sigmoid D(G~(z))
    with the stage's last D, as the copies run: the adversarial loss of the approximator's images), ``g_approx``
    (the approximation loss of the stage's last epoch, per image), ``ave_update`` (mean absolute change of a
    pixel in one functional step, over the targets and the T steps), ``g_norm`` and ``d_norm`` (global norms of
    G~'s gradient in the stage's last approximation minibatch and of D's gradient in its last update). Seed 000
    logs quantities of these names without defining them; these definitions are tfgans'.
    """

    metric_names: Sequence[str] = ("d_loss", "g_loss", "g_approx", "ave_update", "g_norm", "d_norm")

    @classmethod
    def real_batches_for(cls, num_steps=15, d_updates=1, **kwargs) -> int:
        return int(num_steps) * int(d_updates)

    def __init__(self, generator, discriminator, latent_dim: int = 100, num_steps: int = 15, eta: float = 0.5,
                 d_updates: int = 1, num_targets: int = 640, approx_epochs: int = 10, approx_batch_size: int = 64,
                 approx_decay: float = 0.1, approx_max_decays: int = 3, copies_training_mode: bool = True,
                 **kwargs):
        kwargs.setdefault("latent_distribution", "normal")
        super().__init__(generator, discriminator, latent_dim, **kwargs)
        if not eta > 0:
            raise ValueError(f"eta must be positive, got {eta}: it is the size of a functional-gradient step.")
        for name, value in (("num_steps", num_steps), ("d_updates", d_updates), ("approx_epochs", approx_epochs),
                            ("approx_batch_size", approx_batch_size)):
            if int(value) != value or value < 1:
                raise ValueError(f"{name} must be an integer >= 1, got {value}.")
        if num_targets < approx_batch_size or num_targets % approx_batch_size:
            raise ValueError(f"num_targets={num_targets} must be a multiple of approx_batch_size="
                             f"{approx_batch_size} (the approximation's epochs are whole minibatches).")
        if not 0 < approx_decay <= 1 or approx_max_decays < 0:
            raise ValueError(f"approx_decay must be in (0, 1] and approx_max_decays >= 0, got {approx_decay} "
                             f"and {approx_max_decays}.")
        if _ends_in_sigmoid(discriminator):
            raise ValueError(
                f"The discriminator {discriminator.name!r} ends in a sigmoid. CFG-GAN moves images along the "
                "gradient of D's raw value (the logistic loss takes logits); a sigmoid output saturates that "
                "gradient. Drop the final sigmoid.")
        self.num_steps, self.eta, self.d_updates = int(num_steps), float(eta), int(d_updates)
        self.num_targets, self.approx_epochs = int(num_targets), int(approx_epochs)
        self.approx_batch_size = int(approx_batch_size)
        self.approx_decay, self.approx_max_decays = float(approx_decay), int(approx_max_decays)
        self.copies_training_mode = bool(copies_training_mode)
        self.real_batches_per_step = self.num_steps * self.d_updates
        self.real_batches_name = "num_steps * d_updates"
        # D_0..D_{T-1}: each variable of D stacked T times. only_first_replica: all replicas hold the same D.
        self.copies = [keras.Variable(tf.zeros((self.num_steps, *v.shape), v.dtype), trainable=False,
                                      aggregation="only_first_replica", name=f"d_copy_{i}")
                       for i, v in enumerate(self._d_variables())]
        self.initialized = keras.Variable(0.0, trainable=False, aggregation="only_first_replica",
                                          name="approximator_initialized")

    def _d_variables(self):
        return list(self.discriminator.trainable_variables) + list(self.discriminator.non_trainable_variables)

    def compile(self, g_optimizer=None, d_optimizer=None, **kwargs):
        """Stores the optimizers; default :func:`reference_rmsprop` for both (lr 2.5e-4).

        ``d_optimizer`` updates D across stages. ``g_optimizer`` gives the approximation's RMSprop its
        ``learning_rate``, ``rho`` and ``epsilon``; that RMSprop starts afresh every stage (the reference
        creates a new one), so its state lives in the stage, not in the optimizer.
        """
        g_optimizer = g_optimizer or reference_rmsprop()
        if not isinstance(keras.optimizers.get(g_optimizer), keras.optimizers.RMSprop):
            raise ValueError("CFG-GAN's approximation runs the reference's RMSprop: pass a "
                             "keras.optimizers.RMSprop as g_optimizer (its learning_rate, rho and epsilon are used).")
        super().compile(g_optimizer=g_optimizer, d_optimizer=d_optimizer or reference_rmsprop(), **kwargs)

    # --- the composite ---------------------------------------------------------------------------------------

    def move(self, x, num_copies):
        """``x`` after ``num_copies`` functional-gradient steps with D_0, D_1, ... (a graph loop)."""
        d = self.discriminator
        n_trainable = len(d.trainable_variables)
        x = tf.cast(x, tf.float32)  # images move in float32 under a mixed-precision policy too

        def step(k, x):
            weights = [tf.gather(c.value, k) for c in self.copies]
            with tf.GradientTape() as tape:
                tape.watch(x)
                values, _ = d.stateless_call(weights[:n_trainable], weights[n_trainable:], x,
                                             training=self.copies_training_mode)
                total = tf.reduce_sum(tf.cast(values, tf.float32))
            return k + 1, x + self.eta * tape.gradient(total, x)

        _, x = tf.while_loop(lambda k, _: k < num_copies, step, (tf.constant(0), x),
                             maximum_iterations=self.num_steps)
        return x

    def synthesize(self, z):
        """The composite: G~(z) moved T steps, centre-cropped to ``crop``."""
        return self.crop_images(self.move(self.generator(z, training=False), self.num_steps))

    # --- one stage -------------------------------------------------------------------------------------------

    def step_counter(self):
        # G~'s RMSprop starts afresh each stage and never steps g_optimizer: D's updates (T x U a stage) count
        # the stages, so each stage draws fresh latents for its fakes, as the reference does.
        return tf.cast(self.d_optimizer.iterations, tf.int64)

    def train_step(self, data):
        reals = self.split_real_batches(data)
        seeds = tf.unstack(self.step_seeds(self.real_batches_per_step))
        shared = self._shared_seeds(3)  # the same on every replica: latents and shuffles of the approximation

        # G~ is fitted to a random linear projection of z once, before the first stage.
        z0 = self.sample_latent(self.num_targets, shared[0], shared=True)
        weights = tf.cond(self.initialized.value > 0, lambda: self._generator_weights(),
                          lambda: self._approximate(z0, self._projection_targets(z0), shared[0])["weights"])
        self._assign_generator(weights)
        self.initialized.assign(1.0)

        d = self.discriminator_phase(reals, seeds)  # D_0..D_{T-1}
        g = self.approximation_phase(shared[1], shared[2])  # G~ <- the composite's images
        return self.update_trackers(d_loss=d["loss"], d_norm=d["grad_norm"], **g)

    def discriminator_phase(self, reals, seeds):
        """D_t for t = 0..T-1, each after U updates against fakes moved t steps by D_0..D_{t-1} (``icfg``).

        Args:
            reals: T x U real batches ``[batch, H, W, C]``; seeds: as many stateless latent seeds.
        Returns:
            ``loss`` (mean logistic loss of the updates) and ``grad_norm`` (of the last update's gradient).
        """
        batch_size = tf.shape(reals[0])[0]
        d_losses = []
        for t in range(self.num_steps):
            for u in range(self.d_updates):
                z = self.sample_latent(batch_size, seeds[t * self.d_updates + u])
                fake = tf.stop_gradient(self.move(self.generator(z, training=False), t))
                with tf.GradientTape() as tape:
                    real_values = self.discriminator(reals[t * self.d_updates + u], training=True)
                    fake_values = self.discriminator(fake, training=True)
                    d_loss = losses.minimax_discriminator_loss(real_values, fake_values)
                scale = self.d_optimizer.scale_loss(tf.constant(1.0))  # before apply() updates it
                d_grads = self.apply_loss(self.d_optimizer, tape, d_loss, self.discriminator.trainable_variables)
                d_losses.append(d_loss)
            self._store_copy(t)
        norm = self.global_grad_norm(d_grads, scale, tf.distribute.get_strategy().num_replicas_in_sync)
        # 0 for a step the loss scale skipped (non-finite: the optimizer did not apply it).
        return {"loss": tf.add_n(d_losses) / len(d_losses), "grad_norm": tf.where(tf.math.is_finite(norm), norm, 0.0)}

    def approximation_phase(self, latent_seed, shuffle_seed):
        """G~ regresses onto the composite's images of N fresh latents (``approximate``).

        Returns:
            The stage's ``g_loss``, ``g_approx``, ``ave_update`` and ``g_norm`` (see the class docstring).
        """
        z = self.sample_latent(self.num_targets, latent_seed, shared=True)
        start = tf.cast(self.generator(z, training=False), tf.float32)
        targets = tf.stop_gradient(self._chunked(lambda zc: self.move(self.generator(zc, training=False),
                                                                      self.num_steps), z))
        n_trainable = len(self.discriminator.trainable_variables)
        last = [tf.gather(c.value, self.num_steps - 1) for c in self.copies]  # D_{T-1}: the stage's last D
        g_values, _ = self.discriminator.stateless_call(last[:n_trainable], last[n_trainable:],
                                                        start[:self.approx_batch_size],
                                                        training=self.copies_training_mode)
        approx = self._approximate(z, targets, shuffle_seed)
        self._assign_generator(approx["weights"])
        return {"g_loss": losses.modified_generator_loss(g_values), "g_approx": approx["loss"],
                "ave_update": tf.reduce_mean(tf.abs(targets - start)) / self.num_steps,
                "g_norm": approx["grad_norm"]}

    # --- pieces of a stage -----------------------------------------------------------------------------------

    def _shared_seeds(self, num):
        seed = tf.random.experimental.stateless_fold_in(tf.constant([self.seed, 1], tf.int64),
                                                        tf.cast(self.d_optimizer.iterations, tf.int64))
        return tf.unstack(tf.random.experimental.stateless_split(seed, num=num))

    def _store_copy(self, t):
        for copy, variable in zip(self.copies, self._d_variables()):
            copy.assign(tf.tensor_scatter_nd_update(copy.value, [[t]], tf.expand_dims(variable.value, 0)))

    def _chunked(self, fn, z):
        """``fn`` over ``z`` in chunks of the approximation batch (the reference generates targets so)."""
        b = self.approx_batch_size
        chunks = tf.reshape(z, [-1, b, self.latent_dim])
        out = tf.map_fn(fn, chunks, fn_output_signature=tf.TensorSpec([b, *self.image_shape], tf.float32))
        return tf.reshape(out, [-1, *self.image_shape])

    def _projection_targets(self, z):
        """``initialize_G``'s targets: clamp(z W, -1, 1), W ~ N(0, 0.01^2) [latent_dim, pixels]."""
        pixels = 1
        for size in self.image_shape:
            pixels *= size
        seed = tf.constant([self.seed, 2], tf.int64)
        w = 0.01 * tf.random.stateless_normal([self.latent_dim, pixels], seed=seed)
        return tf.reshape(tf.clip_by_value(z @ w, -1.0, 1.0), [-1, *self.image_shape])

    def _generator_weights(self):
        g = self.generator
        return [v.value + 0.0 for v in g.trainable_variables], [v.value + 0.0 for v in g.non_trainable_variables]

    def _assign_generator(self, weights):
        trainable, non_trainable = weights
        variables = list(self.generator.trainable_variables) + list(self.generator.non_trainable_variables)
        values = list(trainable) + list(non_trainable)
        context = tf.distribute.get_replica_context()
        if context is None or tf.distribute.get_strategy().num_replicas_in_sync == 1:
            for variable, value in zip(variables, values):
                variable.assign(value)
            return

        def assign(strategy, values):  # every replica computed the same weights: write them once
            for variable, value in zip(variables, values):
                strategy.extended.update(variable.value, lambda var, x: var.assign(x), args=(value,))

        context.merge_call(assign, args=(values,))

    def _approximate(self, z, targets, seed):
        """Fits a copy of G~'s weights to ``targets``: the reference's ``_approximate`` as graph loops.

        Returns:
            ``weights`` (trainable, non-trainable), ``loss`` (mean of the last epoch), ``grad_norm`` (of the last
            minibatch), ``decays`` (learning-rate cuts taken) and the final ``learning_rate``.
        """
        g = self.generator
        rmsprop = getattr(self.g_optimizer, "inner_optimizer", self.g_optimizer)  # under mixed_float16's wrapper
        rate = tf.cast(rmsprop.learning_rate, tf.float32)  # each stage starts at the optimizer's rate
        rho, eps = float(rmsprop.rho), float(rmsprop.epsilon)
        b, n = self.approx_batch_size, self.num_targets // self.approx_batch_size
        trainable, non_trainable = self._generator_weights()
        velocities = [tf.zeros_like(w) for w in trainable]  # a fresh RMSprop each stage

        def epoch(e, trainable, non_trainable, velocities, lr, last, decays, _, __):
            order = self._epoch_order(seed, e)
            zs = tf.reshape(tf.gather(z, order), [n, b, self.latent_dim])
            xs = tf.reshape(tf.gather(targets, order), [n, b, *self.image_shape])

            def minibatch(j, trainable, non_trainable, velocities, total, _):
                with tf.GradientTape() as tape:
                    tape.watch(trainable)
                    out, non_trainable = g.stateless_call(trainable, non_trainable, zs[j], training=True)
                    loss = tf.reduce_sum(tf.square(tf.cast(out, tf.float32) - xs[j])) / 2 / b
                grads = tape.gradient(loss, trainable)
                velocities = [rho * v + (1 - rho) * tf.square(gr) for v, gr in zip(velocities, grads)]
                trainable = [w - lr * gr / tf.sqrt(v + eps) for w, gr, v in zip(trainable, grads, velocities)]
                return j + 1, trainable, non_trainable, velocities, total + loss, tf.linalg.global_norm(grads)

            _, trainable, non_trainable, velocities, total, norm = tf.while_loop(
                lambda j, *_: j < n, minibatch, (0, trainable, non_trainable, velocities, 0.0, 0.0))
            mean = total / n
            decay = tf.logical_and(mean > last, decays < self.approx_max_decays)
            lr = tf.where(decay, lr * self.approx_decay, lr)
            return (e + 1, trainable, non_trainable, velocities, lr, mean, decays + tf.cast(decay, tf.int32), mean,
                    norm)

        result = tf.while_loop(
            lambda e, *_: e < self.approx_epochs, epoch,
            (0, trainable, non_trainable, velocities, rate, tf.constant(float("inf")), 0, 0.0, 0.0))
        _, trainable, non_trainable, _, lr, _, decays, last_loss, norm = result
        return {"weights": (trainable, non_trainable), "loss": last_loss, "grad_norm": norm, "decays": decays,
                "learning_rate": lr}

    def _epoch_order(self, seed, epoch):
        """The approximation's shuffle of the N targets in ``epoch`` (the same on every replica)."""
        return tf.random.experimental.stateless_shuffle(
            tf.range(self.num_targets), seed=tf.random.experimental.stateless_fold_in(seed, tf.cast(epoch, tf.int64)))

    # --- state ---------------------------------------------------------------------------------------------

    def checkpoint_state(self) -> dict:
        return {**super().checkpoint_state(), "initialized": self.initialized,
                **{f"d_copy_{i}": c for i, c in enumerate(self.copies)}}

    def get_config(self):
        return {**super().get_config(), "num_steps": self.num_steps, "eta": self.eta, "d_updates": self.d_updates,
                "num_targets": self.num_targets, "approx_epochs": self.approx_epochs,
                "approx_batch_size": self.approx_batch_size, "approx_decay": self.approx_decay,
                "approx_max_decays": self.approx_max_decays, "copies_training_mode": self.copies_training_mode}


def _ends_in_sigmoid(net) -> bool:
    layers = [layer for layer in getattr(net, "layers", []) if not isinstance(layer, keras.layers.InputLayer)]
    if not layers:
        return False
    activation = getattr(layers[-1], "activation", None)
    return getattr(activation, "__name__", None) == "sigmoid"
