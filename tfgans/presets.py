"""Presets: one table of (report, dataset) -> flavor, nets, data and optimizer settings.

A preset name is ``<flavor>-<dataset>-<source>`` where the source is the first author of the report or paper
(``dcgan-mnist-sun``). ``tfgans presets`` prints the table; ``tfgans train --preset NAME`` trains one.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Callable, Dict, Optional

import keras

from tfgans import data as data_lib
from tfgans import models, nets

__all__ = ["Preset", "PRESETS", "get", "register", "names"]


@dataclass(frozen=True)
class Preset:
    """Everything needed to reproduce one report's run.

    Attributes:
        name: ``<flavor>-<dataset>-<source>``.
        flavor: class name in ``tfgans.models`` (``"DCGAN"``).
        generator, discriminator: zero-argument functions returning the nets.
        dataset: a ``tfgans.data`` dataset name.
        source: citation key of the report or paper (first author's surname).
        table: where in the source the nets and settings come from.
        batch_size, epochs, latent_dim: the source's values.
        value_range: ``"tanh"`` ([-1, 1]) or ``"sigmoid"`` ([0, 1]) scaling of the data.
        optimizer: a Keras optimizer name; ``g_lr``/``d_lr`` its learning rates; ``optimizer_kwargs`` the rest.
        flavor_kwargs: keyword arguments of the flavor (``n_critic``, ``gp_weight``, ...).
        description: one line for ``tfgans presets``.
    """

    name: str
    flavor: str
    generator: Callable[[], keras.Model]
    discriminator: Callable[[], keras.Model]
    dataset: str
    source: str
    table: str
    batch_size: int
    epochs: int
    g_lr: float
    d_lr: float
    optimizer: str = "adam"
    optimizer_kwargs: Dict = field(default_factory=dict)
    latent_dim: int = 100
    value_range: str = "tanh"
    flavor_kwargs: Dict = field(default_factory=dict)
    description: str = ""

    def make_model(self, seed: Optional[int] = None) -> models.GANModel:
        """A fresh, uncompiled flavor instance with the preset's nets."""
        flavor = getattr(models, self.flavor)
        return flavor(self.generator(), self.discriminator(), latent_dim=self.latent_dim, seed=seed,
                      **self.flavor_kwargs)

    def make_optimizers(self, g_lr: Optional[float] = None, d_lr: Optional[float] = None):
        """``(g_optimizer, d_optimizer)``; learning rates default to the preset's."""
        def make(lr):
            return keras.optimizers.get(
                {"class_name": self.optimizer, "config": {"learning_rate": lr, **self.optimizer_kwargs}}
            )
        return make(self.g_lr if g_lr is None else g_lr), make(self.d_lr if d_lr is None else d_lr)

    def build(self, seed: Optional[int] = None, g_lr: Optional[float] = None,
              d_lr: Optional[float] = None) -> models.GANModel:
        """The flavor, compiled with the preset's optimizers (call under a strategy's scope to distribute)."""
        model = self.make_model(seed=seed)
        g_opt, d_opt = self.make_optimizers(g_lr, d_lr)
        model.compile(g_optimizer=g_opt, d_optimizer=d_opt)
        return model

    def load_data(self, data_dir: Optional[str] = None, batch_size: Optional[int] = None,
                  model: Optional[models.GANModel] = None, **kwargs):
        """The preset's training stream. A flavor that consumes several real batches per step (a WGAN
        critic's ``n_critic``) gets them in one element of ``batch_size * model.real_batches_per_step``."""
        batch_size = batch_size or self.batch_size
        per_step = getattr(model, "real_batches_per_step", 1) if model is not None else 1
        return data_lib.load(self.dataset, batch_size * per_step, data_dir=data_dir,
                             value_range=self.value_range, **kwargs)

    def replace(self, **changes) -> "Preset":
        return dataclasses.replace(self, **changes)


PRESETS: Dict[str, Preset] = {}


def register(preset: Preset) -> Preset:
    if preset.name in PRESETS:
        raise ValueError(f"A preset named {preset.name!r} is already registered.")
    PRESETS[preset.name] = preset
    return preset


def names():
    return sorted(PRESETS)


def get(name: str) -> Preset:
    """Looks up a preset; an unknown name raises a ValueError listing the known ones."""
    if name not in PRESETS:
        import difflib

        close = difflib.get_close_matches(name, PRESETS, n=3)
        hint = f" Did you mean {', '.join(close)}?" if close else ""
        raise ValueError(
            f"Unknown preset {name!r}.{hint} Known presets: {', '.join(names())} (list them with "
            "`tfgans presets`)."
        )
    return PRESETS[name]


# --- Sun & Yang, "Implementing GAN on MNIST and SVHN" --------------------------------------------------------

register(Preset(
    name="dcgan-mnist-sun", flavor="DCGAN",
    generator=nets.sun.mnist_generator, discriminator=nets.sun.mnist_discriminator,
    dataset="mnist", source="sun", table="sec. 2.1 (generator 2.1.1, discriminator 2.1.2), 2.1.3",
    batch_size=256, epochs=100, g_lr=1e-3, d_lr=1e-4,
    description="DCGAN on MNIST, Sun & Yang's tables; Adam G 1e-3, D 1e-4, batch 256, 100 epochs",
))
register(Preset(
    name="dcgan-svhn-sun", flavor="DCGAN",
    generator=nets.sun.svhn_generator, discriminator=nets.sun.svhn_discriminator,
    dataset="svhn_cropped", source="sun", table="sec. 3.1 (generator 3.1.1, discriminator 3.1.2), 3.1.3",
    batch_size=256, epochs=200, g_lr=1e-3, d_lr=1e-4,
    description="DCGAN on SVHN (32x32x3), Sun & Yang's tables; Adam G 1e-3, D 1e-4, batch 256, 200 epochs",
))

# --- Chakkarwar, Arya & Jain, "Image Generation Using Generative Adversarial Networks" ---------------------

# The report names no optimizer; Adam(2e-4, beta_1=0.5) is Radford et al. 2015's. Its Fig. 7 (60 epochs,
# 28,020 batches) implies batch 128.
register(Preset(
    name="dcgan-mnist-chakkarwar", flavor="DCGAN",
    generator=nets.chakkarwar.mnist_generator, discriminator=nets.chakkarwar.mnist_discriminator,
    dataset="mnist", source="chakkarwar", table="Tables 2 and 3",
    batch_size=128, epochs=60, g_lr=2e-4, d_lr=2e-4, optimizer_kwargs={"beta_1": 0.5},
    description="DCGAN on MNIST, Chakkarwar et al. Tables 2-3; Adam 2e-4 (Radford), batch 128, 60 epochs",
))
# The vanilla GAN: Goodfellow et al. 2014's MLPs and reference training (mnist.yaml): SGD lr 0.1, momentum
# 0.5, batch 100, sigmoid output on [0, 1] data. The reference halves the discriminator objective,
# 0.5 * (BCE_real + BCE_fake); tfgans' loss is the plain sum, so the D learning rate 0.05 is the same step.
register(Preset(
    name="gan-mnist-chakkarwar", flavor="GAN",
    generator=nets.chakkarwar.gan_generator, discriminator=nets.chakkarwar.gan_discriminator,
    dataset="mnist", source="chakkarwar", table="sec. III (no table; Goodfellow et al. 2014 MLPs)",
    batch_size=100, epochs=60, g_lr=0.1, d_lr=0.05, optimizer="sgd", optimizer_kwargs={"momentum": 0.5},
    value_range="sigmoid",
    description="Vanilla MLP GAN on MNIST (Goodfellow 2014 nets and SGD), as compared in Chakkarwar et al.",
))
