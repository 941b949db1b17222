"""WGAN (Arjovsky et al. 2017, arXiv:1701.07875) and WGAN-GP (Gulrajani et al. 2017, arXiv:1704.00028).

Both train with their paper's Algorithm 1: ``n_critic`` critic steps, each on its own real batch and its own
latent batch, then one generator step. They differ in how the critic is kept (roughly) 1-Lipschitz: WGAN
clips every critic weight to ``[-c, c]`` after each critic step, WGAN-GP adds a gradient penalty on
interpolates between real and generated samples.

Data feeding: one ``train_step`` consumes ``n_critic`` real batches, so it takes one dataset element of
``n_critic * batch_size`` images (``model.real_batches_per_step == n_critic``;
``tfgans.presets.Preset.load_data(model=...)`` batches that way). Critic step ``k`` takes images
``k, k + n_critic, k + 2 n_critic, ...`` of the element. Under ``tf.distribute`` each replica receives a
contiguous share of the element and splits it the same way, so every critic step sees, summed over
replicas, exactly the global batch it would see on one device.
"""

from __future__ import annotations

import tensorflow as tf
import keras

from tfgans import losses, penalties
from tfgans.distribute import replica_slice
from tfgans.models.base import GANModel

__all__ = ["WGAN", "WGANGP"]


class _WassersteinGAN(GANModel):
    """Algorithm 1 shared by WGAN and WGAN-GP; subclasses write ``critic_step`` and list their metrics.

    Args:
        generator, discriminator, latent_dim, seed, ...: see ``GANModel``. The discriminator is the critic:
            it returns unbounded values ``[batch, 1]`` (no sigmoid).
        n_critic: critic steps per generator step, each on a fresh real batch.
        gen_batch_multiple: the generator step's batch as a multiple of the critic's (Gulrajani et al.'s
            CIFAR-10 ResNet code: ``GEN_BS_MULTIPLE = 2``; 1 elsewhere).
    """

    real_batches_per_step = 5

    @classmethod
    def real_batches_for(cls, n_critic=5, **kwargs) -> int:
        return int(n_critic)

    def __init__(self, generator, discriminator, latent_dim=100, n_critic=5, gen_batch_multiple=1, **kwargs):
        super().__init__(generator, discriminator, latent_dim, **kwargs)
        if int(n_critic) != n_critic or n_critic < 1:
            raise ValueError(f"n_critic must be a positive integer (the papers use 5), got {n_critic}.")
        if int(gen_batch_multiple) != gen_batch_multiple or gen_batch_multiple < 1:
            raise ValueError(f"gen_batch_multiple must be a positive integer, got {gen_batch_multiple}.")
        self.n_critic = int(n_critic)
        self.gen_batch_multiple = int(gen_batch_multiple)
        self.real_batches_per_step = self.n_critic
        self.real_batches_name = "n_critic"
        self._check_no_sigmoid()

    def _check_no_sigmoid(self):
        for layer in reversed(self.discriminator.layers):
            activation = getattr(getattr(layer, "activation", None), "__name__", None)
            if activation == "sigmoid":
                raise ValueError(
                    f"The critic {self.discriminator.name!r} ends in a sigmoid, but a Wasserstein critic "
                    "returns unbounded values: build it without the final sigmoid (tfgans' discriminators "
                    "return logits, which is what a critic needs)."
                )
            if activation not in (None, "linear") or isinstance(layer, keras.layers.Activation):
                return
            if isinstance(layer, (keras.layers.Dense, keras.layers.Conv2D)):
                return

    # --- Algorithm 1 ---------------------------------------------------------------------------------------

    def train_step(self, data):
        reals = self.split_real_batches(data)
        batch_size = tf.shape(reals[0])[0]
        seeds = tf.unstack(self.step_seeds(2 * self.n_critic + 1))

        for k in range(self.n_critic):
            values = self.critic_step(reals[k], latent_seed=seeds[2 * k], penalty_seed=seeds[2 * k + 1])
            for name, value in values.items():
                self.trackers[name].update_state(value)

        g_loss = self.generator_step(batch_size * self.gen_batch_multiple, seeds[-1])
        return self.update_trackers(g_loss=g_loss)

    def critic_step(self, real, latent_seed, penalty_seed):
        """One critic update on ``real`` ``[batch, H, W, C]``; returns this step's tracked values."""
        raise NotImplementedError

    def fake_batch(self, batch_size, latent_seed):
        """``[batch_size, H, W, C]`` generated images for a critic step, from a fresh latent batch."""
        # Called outside the critic's tape: the critic step does not update the generator.
        return self.generator(self.sample_latent(batch_size, latent_seed), training=True)

    def generator_step(self, batch_size, seed):
        """Algorithm 1's generator update: descend ``-E[D(G(z))]`` on a fresh latent batch."""
        z = self.sample_latent(batch_size, seed)
        with tf.GradientTape() as tape:
            fake_values = self.discriminator(self.generator(z, training=True), training=True)
            g_loss = losses.wasserstein_generator_loss(fake_values)
        self.apply_loss(self.g_optimizer, tape, g_loss, self.generator.trainable_variables)
        self.update_generator_average()
        return g_loss

    def get_config(self):
        return {**super().get_config(), "n_critic": self.n_critic, "gen_batch_multiple": self.gen_batch_multiple}


def arjovsky_rmsprop(learning_rate: float = 5e-5) -> keras.optimizers.RMSprop:
    """RMSprop as Arjovsky et al.'s reference code runs it (martinarjovsky/WassersteinGAN, ``main.py``:
    ``optim.RMSprop(lr=5e-5)``): PyTorch's defaults, rho (alpha) 0.99 and epsilon 1e-8, not Keras' 0.9 and 1e-7.
    Both add epsilon to the root, sqrt(v) + eps."""
    return keras.optimizers.RMSprop(learning_rate, rho=0.99, epsilon=1e-8)


@keras.saving.register_keras_serializable(package="tfgans")
class WGAN(_WassersteinGAN):
    """Wasserstein GAN with weight clipping (Arjovsky et al. 2017, arXiv:1701.07875, Algorithm 1).

    Per generator step: ``n_critic`` times { draw a real batch and a latent batch; descend the critic loss
    ``E[D(G(z))] - E[D(x)]``; clip every critic weight to ``[-c, c]`` }, then descend ``-E[D(G(z))]``.
    ``compile()`` without optimizers uses the paper's RMSprop with ``lr = 5e-5`` for both nets.

    Args:
        generator, discriminator, latent_dim, n_critic, gen_batch_multiple, seed, ...: see ``GANModel``
            and the module docstring; the critic returns unbounded values ``[batch, 1]``.
        clip_value: ``c``, 0.01 in the paper.

    Metrics (per-epoch means; critic values are means over the ``n_critic`` critic steps):
        d_loss: the critic loss. g_loss: the generator loss. wasserstein: the critic's estimate of the
        Wasserstein distance, ``E[D(x)] - E[D(G(z))] = -d_loss``. max_weight: ``max |w|`` of the critic
        after clipping (never above ``c``).

    Example::

        wgan = tfgans.WGAN(tfgans.nets.sun.mnist_generator(), tfgans.nets.sun.mnist_discriminator())
        wgan.compile()  # RMSprop(5e-5), Arjovsky et al.
        ds = tfgans.data.load("mnist", batch_size=64 * wgan.real_batches_per_step)
        wgan.fit(ds, epochs=5)
    """

    metric_names = ("d_loss", "g_loss", "wasserstein", "max_weight")

    def __init__(self, generator, discriminator, latent_dim=100, n_critic=5, clip_value=0.01, **kwargs):
        super().__init__(generator, discriminator, latent_dim, n_critic=n_critic, **kwargs)
        if not clip_value > 0:
            raise ValueError(f"clip_value must be positive (the paper's c = 0.01), got {clip_value}.")
        self.clip_value = float(clip_value)

    def compile(self, g_optimizer=None, d_optimizer=None, **kwargs):
        """Stores the optimizers; default :func:`arjovsky_rmsprop` for both (Arjovsky et al. 2017, Algorithm 1).

        The paper reports unstable training with momentum-based optimizers such as Adam on the critic.
        """
        super().compile(g_optimizer=g_optimizer or arjovsky_rmsprop(),
                        d_optimizer=d_optimizer or arjovsky_rmsprop(), **kwargs)

    def critic_step(self, real, latent_seed, penalty_seed):
        fake = self.fake_batch(tf.shape(real)[0], latent_seed)
        critic = self.discriminator
        with tf.GradientTape() as tape:
            d_loss = losses.wasserstein_discriminator_loss(critic(real, training=True), critic(fake, training=True))
        self.apply_loss(self.d_optimizer, tape, d_loss, critic.trainable_variables)
        penalties.clip_weights(critic.trainable_variables, self.clip_value)
        return {"d_loss": d_loss, "wasserstein": -d_loss,
                "max_weight": penalties.max_abs_weight(critic.trainable_variables)}

    def get_config(self):
        return {**super().get_config(), "clip_value": self.clip_value}


@keras.saving.register_keras_serializable(package="tfgans")
class WGANGP(_WassersteinGAN):
    """WGAN with gradient penalty (Gulrajani et al. 2017, arXiv:1704.00028, Algorithm 1).

    Per generator step: ``n_critic`` times { draw a real batch, a latent batch and ``a ~ U[0, 1]`` per
    example; descend ``E[D(G(z))] - E[D(x)] + lambda * E[(||grad D(x_hat)|| - 1)^2]`` with
    ``x_hat = a x + (1 - a) G(z)`` }, then descend ``-E[D(G(z))]``. ``compile()`` without optimizers uses
    the paper's Adam(1e-4, beta_1=0.5, beta_2=0.9) for both nets. The critic must not use batch norm (the
    penalty is per example; layer norm is the paper's substitute): one that does raises a ValueError.

    Args:
        generator, discriminator, latent_dim, n_critic, gen_batch_multiple, seed, ...: see ``GANModel``
            and the module docstring.
        gp_weight: ``lambda``, 10 in the paper.

    Metrics (per-epoch means; critic values are means over the ``n_critic`` critic steps):
        d_loss: the critic loss including the penalty. g_loss: the generator loss. wasserstein: the critic's
        estimate ``E[D(x)] - E[D(G(z))]``. gp: the penalty term ``lambda * E[(||grad|| - 1)^2]``.
    """

    metric_names = ("d_loss", "g_loss", "wasserstein", "gp")

    def __init__(self, generator, discriminator, latent_dim=100, n_critic=5, gp_weight=10.0, **kwargs):
        super().__init__(generator, discriminator, latent_dim, n_critic=n_critic, **kwargs)
        if not gp_weight >= 0:
            raise ValueError(f"gp_weight must be non-negative (the paper's lambda = 10), got {gp_weight}.")
        self.gp_weight = float(gp_weight)
        self._check_no_batch_norm()

    def _check_no_batch_norm(self):
        # Batch norm makes each critic value depend on the whole batch, so the per-example gradient norm the
        # penalty constrains is no longer the critic's (Gulrajani et al., sec. 4, "No critic batch norm").
        if penalties.has_batch_norm(self.discriminator):
            raise ValueError(
                f"The critic {self.discriminator.name!r} uses batch normalization, which invalidates WGAN-GP's "
                "per-example gradient penalty. Build it without batch norm (the tfgans.nets.gulrajani critics "
                "default to none; normalization='layer' is the paper's substitute)."
            )

    def compile(self, g_optimizer=None, d_optimizer=None, **kwargs):
        """Stores the optimizers; default Adam(1e-4, beta_1=0.5, beta_2=0.9) for both (Gulrajani et al.)."""
        def adam():
            return keras.optimizers.Adam(1e-4, beta_1=0.5, beta_2=0.9)
        super().compile(g_optimizer=g_optimizer or adam(), d_optimizer=d_optimizer or adam(), **kwargs)

    def interpolation_weights(self, batch_size, seed):
        """``[batch_size]`` weights ``a ~ U[0, 1]`` of the interpolates, one per example (this replica's)."""
        return replica_slice(lambda n: penalties.interpolation_weights(n, seed), batch_size)

    def critic_step(self, real, latent_seed, penalty_seed):
        fake = self.fake_batch(tf.shape(real)[0], latent_seed)
        alpha = self.interpolation_weights(tf.shape(real)[0], penalty_seed)
        critic = self.discriminator
        with tf.GradientTape() as tape:
            w_loss = losses.wasserstein_discriminator_loss(critic(real, training=True), critic(fake, training=True))
            gp = penalties.gradient_penalty(critic, real, fake, alpha=alpha, gp_weight=self.gp_weight)
            d_loss = w_loss + gp
        self.apply_loss(self.d_optimizer, tape, d_loss, critic.trainable_variables)
        return {"d_loss": d_loss, "wasserstein": -w_loss, "gp": gp}

    def get_config(self):
        return {**super().get_config(), "gp_weight": self.gp_weight}
