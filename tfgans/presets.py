"""Presets: one table of (report, dataset) -> flavor, nets, data and optimizer settings.

A preset name is ``<flavor>-<dataset>-<source>`` where the source is the first author of the report or paper
(``dcgan-mnist-sun``); tfgans' own recipes (source ``tfgans``) are named by what they are (``dcgan-fast``), their nets
scale with the data; earlier names (``dcgan-mnist-fast``) are aliases.
``tfgans presets`` prints the table; ``tfgans train --preset NAME`` trains one.
"""

from __future__ import annotations

import dataclasses
import importlib
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, Optional, Tuple

__all__ = ["Preset", "SemiSupervisedPreset", "WassersteinPreset", "PRESETS", "SEMISUP_PRESETS", "ALIASES", "get",
           "canonical", "register", "names", "text_table", "markdown_table"]


class _net:
    """A net function named ``"<source>.<function>"`` of ``tfgans.nets``, imported when first called, so that
    the preset table (``tfgans presets``) is read without importing TensorFlow."""

    def __init__(self, path: str, **kwargs):
        self.path, self.kwargs = path, kwargs

    def __call__(self, *args, **kwargs):
        module, name = self.path.rsplit(".", 1)
        return getattr(importlib.import_module(f"tfgans.nets.{module}"), name)(*args, **{**self.kwargs, **kwargs})

    def __repr__(self):
        arguments = ", ".join(f"{key}={value!r}" for key, value in self.kwargs.items())
        return f"tfgans.nets.{self.path}" + (f"({arguments})" if arguments else "")


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
        data_kwargs: keyword arguments of ``tfgans.data.load`` (``pad_to``).
        scales: the nets take ``resolution`` and ``channels`` (tfgans.nets.fast), so the recipe trains on any
            28, 32 or 64 pixel data, grayscale or color (:meth:`for_shape`).
        shape: the ``(H, W, C)`` :meth:`for_shape` built the nets for (None: the dataset's).
    """

    name: str
    flavor: str
    generator: Callable[[], Any]
    discriminator: Callable[[], Any]
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
    data_kwargs: Dict = field(default_factory=dict)
    scales: bool = False
    shape: Optional[Tuple[int, int, int]] = None

    @property
    def needs_labels(self) -> bool:
        """Whether the flavor trains on ``(images, labels)`` (a conditional recipe)."""
        return bool(self.data_kwargs.get("with_labels"))

    def for_shape(self, shape, num_classes: Optional[int] = None) -> "Preset":
        """The preset for images of ``shape`` ``(H, W, C)`` (and ``num_classes`` classes, for a conditional
        recipe): itself when its nets make that shape, the same recipe with its nets built for it when they
        scale (:attr:`scales`).

        Raises:
            ValueError: the nets make another shape and do not scale; the message names both and the fix.
        """
        shape = tuple(int(v) for v in shape)
        classes = self.flavor_kwargs.get("num_classes")
        same_classes = not self.needs_labels or num_classes in (None, classes)
        if shape == tuple(self.image_shape) and same_classes:
            return self
        if not self.scales:
            h, w, c = self.image_shape
            raise ValueError(
                f"Preset {self.name!r} trains its report's nets, which make {h}x{w}x{c} images; the data are "
                f"{shape[0]}x{shape[1]}x{shape[2]}. Train a recipe whose nets scale with the data (`tfgans "
                f"presets` lists them: {', '.join(n for n in names() if get(n).scales)}), or pass --resolution "
                f"{h}" + (" with grayscale images" if c == 1 else "") + ".")
        if shape[0] != shape[1]:
            raise ValueError(f"The nets of {self.name!r} make square images; the data are {shape[0]}x{shape[1]}.")
        extra = {"resolution": shape[0], "channels": shape[2]}
        flavor_kwargs = dict(self.flavor_kwargs)
        if self.needs_labels and num_classes is not None:
            extra["num_classes"] = flavor_kwargs["num_classes"] = int(num_classes)
        nets = {role: _net(getattr(self, role).path, **{**getattr(self, role).kwargs, **extra})
                for role in ("generator", "discriminator")}
        return dataclasses.replace(self, flavor_kwargs=flavor_kwargs, shape=shape, **nets)

    @property
    def data_range(self):
        """``(low, high)`` of the data and of the generator's images (``value_range``'s numbers)."""
        from tfgans.data import VALUE_RANGES

        return VALUE_RANGES[self.value_range]

    @property
    def image_shape(self):
        """The ``(H, W, C)`` the nets train on: the dataset's, padded to ``data_kwargs["pad_to"]`` if set (or the
        shape :meth:`for_shape` built them for)."""
        from tfgans import data as data_lib

        if self.shape is not None:
            return self.shape
        h, w, c = data_lib.dataset_info(self.dataset).image_shape
        pad = self.data_kwargs.get("pad_to")
        return (pad, pad, c) if pad else (h, w, c)

    def make_model(self, seed: Optional[int] = None):
        """A fresh, uncompiled flavor instance with the preset's nets."""
        from tfgans import models

        flavor = getattr(models, self.flavor)
        return flavor(self.generator(), self.discriminator(), latent_dim=self.latent_dim, seed=seed,
                      **self.flavor_kwargs)

    @property
    def schedule_spans_epochs(self) -> bool:
        """Whether the learning rates decay over the run's epochs (so a run's epochs cannot change on resume)."""
        return bool(getattr(self, "lr_decay", False))

    def learning_rate(self, lr: float, net: str, epochs: int, steps_per_epoch: Optional[int]):
        """The learning rate (or schedule) of ``net`` (``"g"`` or ``"d"``); constant unless a subclass decays
        it over ``epochs`` of ``steps_per_epoch`` steps."""
        del net, epochs, steps_per_epoch
        return lr

    def make_optimizers(self, g_lr: Optional[float] = None, d_lr: Optional[float] = None,
                        epochs: Optional[int] = None, steps_per_epoch: Optional[int] = None):
        """``(g_optimizer, d_optimizer)``; learning rates default to the preset's, a decay spans ``epochs``
        (default the preset's) of ``steps_per_epoch`` (default: the training split's)."""
        import keras

        def make(lr, net):
            lr = self.learning_rate(lr, net, epochs or self.epochs, steps_per_epoch)
            return keras.optimizers.get(
                {"class_name": self.optimizer, "config": {"learning_rate": lr, **self.optimizer_kwargs}})
        return make(self.g_lr if g_lr is None else g_lr, "g"), make(self.d_lr if d_lr is None else d_lr, "d")

    def build(self, seed: Optional[int] = None, g_lr: Optional[float] = None, d_lr: Optional[float] = None,
              epochs: Optional[int] = None, steps_per_epoch: Optional[int] = None):
        """The flavor, compiled with the preset's optimizers (call under a strategy's scope to distribute)."""
        model = self.make_model(seed=seed)
        g_opt, d_opt = self.make_optimizers(g_lr, d_lr, epochs, steps_per_epoch)
        model.compile(g_optimizer=g_opt, d_optimizer=d_opt)
        return model

    def load_data(self, data_dir: Optional[str] = None, batch_size: Optional[int] = None, model=None, **kwargs):
        """The preset's training stream. A flavor that consumes several real batches per step (a WGAN
        critic's ``n_critic``, CFG-GAN's T x U) gets them in one element of ``batch_size`` times that count
        (``model``'s, or the preset's flavor settings' when no model is given)."""
        from tfgans import data as data_lib

        batch_size = batch_size or self.batch_size
        per_step = getattr(model, "real_batches_per_step", 1) if model is not None else self.real_batches_per_step()
        return data_lib.load(self.dataset, batch_size * per_step, data_dir=data_dir,
                             value_range=self.value_range, **{**self.data_kwargs, **kwargs})

    def batches_per_epoch(self, batch_size: Optional[int] = None, *, data_dir: Optional[str] = None,
                          split: str = "train", download: bool = False) -> int:
        """Training steps in one pass over ``split`` (the remainder dropped); 0 when it holds less than a step."""
        from tfgans import data as data_lib

        batch = (batch_size or self.batch_size) * self.real_batches_per_step()
        return data_lib.batches_per_epoch(self.dataset, batch, split=split, data_dir=data_dir, download=download)

    def validation_data(self, **kwargs):
        """Data ``fit`` evaluates after every epoch (``validation_data``); None for a GAN, the test split for a
        semi-supervised one."""
        del kwargs
        return None

    def real_batches_per_step(self) -> int:
        """Real batches one step of the preset's flavor consumes (``GANModel.real_batches_per_step``)."""
        from tfgans import models

        return getattr(models, self.flavor).real_batches_for(**self.flavor_kwargs)

    def replace(self, **changes) -> "Preset":
        return dataclasses.replace(self, **changes)


@dataclass(frozen=True)
class SemiSupervisedPreset(Preset):
    """A :class:`Preset` of ``SemiSupervisedGAN``: its data is ``tfgans.data.load_semisupervised``.

    Attributes:
        num_labeled: labeled examples by default (balanced over the classes).
        lr_decay: decay the learning rates linearly to 0 over the last third of the epochs
            (``tfgans.schedules.LinearDecayLastThird``, the reference's CIFAR-10 schedule).
    """

    num_labeled: int = 100
    lr_decay: bool = False

    def learning_rate(self, lr: float, net: str, epochs: int, steps_per_epoch: Optional[int]):
        if not self.lr_decay:
            return lr
        from tfgans import data as data_lib
        from tfgans.schedules import LinearDecayLastThird

        steps = steps_per_epoch or data_lib.dataset_info(self.dataset).num_train // self.batch_size
        return LinearDecayLastThird(lr, epochs, steps)

    def load_data(self, data_dir: Optional[str] = None, batch_size: Optional[int] = None,
                  model=None, num_labeled: Optional[int] = None, seed: Optional[int] = 0, download: bool = False,
                  **kwargs):
        """The training stream of ``load_semisupervised``; ``seed`` picks the labeled subset."""
        from tfgans import data as data_lib

        return data_lib.load_semisupervised(
            self.dataset, num_labeled or self.num_labeled, batch_size or self.batch_size,
            seed=0 if seed is None else seed, data_dir=data_dir, value_range=self.value_range,
            download=download, **kwargs)

    def batches_per_epoch(self, batch_size: Optional[int] = None, *, data_dir: Optional[str] = None,
                          split: str = "train", download: bool = False) -> int:
        """Steps in one pass over the unlabeled ``split``."""
        from tfgans import data as data_lib

        return data_lib.batches_per_epoch(self.dataset, batch_size or self.batch_size, split=split,
                                          data_dir=data_dir, download=download)

    def validation_data(self, *, batch_size: Optional[int] = None, data_dir: Optional[str] = None,
                        download: bool = False, **kwargs):
        """The test split, on which ``fit`` measures the classifier's errors after every epoch."""
        del kwargs
        return self.load_test(data_dir, batch_size=batch_size, download=download)

    def load_test(self, data_dir: Optional[str] = None, batch_size: Optional[int] = None,
                  download: bool = False):
        """The whole test split as ``(images, labels)`` batches, in order, for ``model.evaluate``."""
        from tfgans import data as data_lib

        return data_lib.load(self.dataset, batch_size or self.batch_size, split="test", data_dir=data_dir,
                             value_range=self.value_range, with_labels=True, shuffle=False,
                             drop_remainder=False, download=download)


@dataclass(frozen=True)
class WassersteinPreset(Preset):
    """A :class:`Preset` of ``WGAN`` / ``WGANGP``. A training step consumes ``n_critic`` real batches, so an
    epoch (one pass over the training split) has ``num_train // (n_critic * batch_size)`` generator steps.

    Attributes:
        lr_decay: decay both learning rates linearly to 0 over the run, by generator step
            (``gan_cifar_resnet.py``: ``LR * max(0, 1 - iteration / ITERS)``). The critic's optimizer counts
            critic steps, so its schedule spans ``n_critic`` times as many steps.
    """

    lr_decay: bool = False

    def learning_rate(self, lr: float, net: str, epochs: int, steps_per_epoch: Optional[int]):
        if not self.lr_decay:
            return lr
        import keras

        from tfgans import data as data_lib

        n_critic = self.flavor_kwargs.get("n_critic", 5)
        steps = steps_per_epoch or data_lib.dataset_info(self.dataset).num_train // (n_critic * self.batch_size)
        decay_steps = epochs * steps * (n_critic if net == "d" else 1)
        return keras.optimizers.schedules.PolynomialDecay(lr, decay_steps, end_learning_rate=0.0, power=1.0)


PRESETS: Dict[str, Preset] = {}


def register(preset: Preset) -> Preset:
    if preset.name in PRESETS:
        raise ValueError(f"A preset named {preset.name!r} is already registered.")
    PRESETS[preset.name] = preset
    return preset


#: Earlier names of presets, still accepted everywhere (run folders, shipped generators, the command line).
ALIASES = {"dcgan-mnist-fast": "dcgan-fast", "acgan-mnist-fast": "acgan-fast"}


def canonical(name: str) -> str:
    """The preset name ``name`` stands for (itself, or the name an alias of :data:`ALIASES` points to)."""
    return ALIASES.get(name, name)


def names():
    return sorted(PRESETS)


def get(name: str) -> Preset:
    """Looks up a preset by name or alias (:data:`ALIASES`); an unknown name raises a ValueError listing the
    known ones."""
    name = canonical(name)
    if name not in PRESETS:
        import difflib

        close = difflib.get_close_matches(name, PRESETS, n=3)
        hint = f" Did you mean {', '.join(close)}?" if close else ""
        raise ValueError(
            f"Unknown preset {name!r}.{hint} Known presets: {', '.join(names())} (list them with "
            "`tfgans presets`)."
        )
    return PRESETS[name]


# --- the preset table, for `tfgans presets` and the README -----------------------------------------------------

_COLUMNS = ("preset", "flavor", "dataset", "source", "table", "batch", "epochs")


def _rows():
    for name in names():
        p = get(name)
        yield (p.name, p.flavor, p.dataset, p.source, p.table, str(p.batch_size), str(p.epochs))


def text_table(verbose: bool = False) -> str:
    """The presets as aligned text columns (``tfgans presets``); ``verbose`` adds each description."""
    rows = [_COLUMNS, *_rows()]
    widths = [max(len(r[i]) for r in rows) for i in range(len(_COLUMNS))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip() for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    if verbose:
        lines += [""] + [f"{name}: {get(name).description}" for name in names()]
    return "\n".join(lines)


def markdown_table() -> str:
    """The presets as a Markdown table (``tfgans presets --markdown``, the README's table)."""
    lines = ["| " + " | ".join(_COLUMNS) + " |", "|" + "---|" * len(_COLUMNS)]
    lines += ["| " + " | ".join(row) + " |" for row in _rows()]
    return "\n".join(lines)


# === The presets, by source; the comments say where their values come from ===================================

# --- Sun & Yang, "Implementing GAN on MNIST and SVHN" --------------------------------------------------------

register(Preset(
    name="dcgan-mnist-sun", flavor="DCGAN",
    generator=_net("sun.mnist_generator"), discriminator=_net("sun.mnist_discriminator"),
    dataset="mnist", source="sun", table="sec. 2.1 (generator 2.1.1, discriminator 2.1.2), 2.1.3",
    batch_size=256, epochs=100, g_lr=1e-3, d_lr=1e-4,
    description="DCGAN on MNIST, Sun & Yang's tables; Adam G 1e-3, D 1e-4, batch 256, 100 epochs",
))
register(Preset(
    name="dcgan-svhn-sun", flavor="DCGAN",
    generator=_net("sun.svhn_generator"), discriminator=_net("sun.svhn_discriminator"),
    dataset="svhn_cropped", source="sun", table="sec. 3.1 (generator 3.1.1, discriminator 3.1.2), 3.1.3",
    batch_size=256, epochs=200, g_lr=1e-3, d_lr=1e-4,
    description="DCGAN on SVHN (32x32x3), Sun & Yang's tables; Adam G 1e-3, D 1e-4, batch 256, 200 epochs",
))

# --- tfgans' own recipe: a good MNIST generator in minutes on a CPU -----------------------------------------

#: Clusters of ``selfcond-fast``: finer clusters are purer (MNIST's digits: 59 % of a cluster's images share its
#: most common label at 10 clusters, 81 % at 50) and condition the generator better (benchmarks/README.md).
SELFCOND_CLUSTERS = 50

# How both recipes were tuned, lever by lever with dates, steps and FIDs: benchmarks/README.md.
# The nets scale with the data (tfgans.nets.fast.generator/discriminator at 28, 32 or 64 pixels, 1 or 3 channels):
# `tfgans train --preset dcgan-fast --images DIR` trains the recipe on a folder. MNIST is its default dataset.
register(Preset(
    name="dcgan-fast", flavor="DCGAN",
    generator=_net("fast.generator"), discriminator=_net("fast.discriminator"),
    dataset="mnist", source="tfgans", scales=True,
    table="tfgans.nets.fast (Radford et al. 2015's nets by resolution, R1, G average; not a report's)",
    batch_size=32, epochs=25, g_lr=1.6e-3, d_lr=1.6e-3, optimizer_kwargs={"beta_1": 0.0, "beta_2": 0.99},
    flavor_kwargs={"r1_gamma": 1.0, "r1_every": 4, "g_ema_rate": 1e-3, "g_ema_rampup": 0.05},
    description="tfgans' fast DCGAN: narrow nets for 28/32/64 px, Adam 1.6e-3 (0, 0.99), batch 32, lazy R1, G "
                "average; MNIST in 10 CPU-minutes",
))
register(Preset(
    name="acgan-fast", flavor="ACGAN",
    generator=_net("fast.generator", num_classes=10),
    discriminator=_net("fast.discriminator", num_classes=10),
    dataset="mnist", source="tfgans", scales=True,
    table="tfgans.nets.fast with num_classes (AC-GAN on the fast recipe; not a report's)",
    batch_size=32, epochs=5, g_lr=1.6e-3, d_lr=1.6e-3, optimizer_kwargs={"beta_1": 0.0, "beta_2": 0.99},
    flavor_kwargs={"num_classes": 10, "r1_gamma": 1.0, "r1_every": 4, "g_ema_rate": 1e-3, "g_ema_rampup": 0.05},
    data_kwargs={"with_labels": True},
    description="tfgans' fast AC-GAN: dcgan-fast trained with the labels (a folder's subfolders), Adam beta "
                "(0, 0.99); G(z) draws every class",
))

# Self-conditioned (Liu et al. 2020, arXiv:2006.10728): acgan-fast's recipe on k-means clusters of the training
# images instead of labels (tfgans.clusters), so no labels are needed; G(z) draws the clusters at their frequency.
# The discriminator's head is Liu et al.'s (ACGAN(conditioning="mask"): a real/fake logit per cluster, no
# classifier) on the fast nets: FID 2.3 against 6.3 with AC-GAN's classifier at 12,500 steps (benchmarks/README.md).
register(Preset(
    name="selfcond-fast", flavor="ACGAN",
    generator=_net("fast.generator", num_classes=SELFCOND_CLUSTERS),
    discriminator=_net("fast.discriminator", num_classes=SELFCOND_CLUSTERS),
    dataset="mnist", source="tfgans", scales=True,
    table=f"tfgans.nets.fast with {SELFCOND_CLUSTERS} classes: a conditional GAN on the data's k-means clusters, Liu "
          "et al. 2020's per-class logits (not a report's)",
    batch_size=32, epochs=13, g_lr=1.6e-3, d_lr=1.6e-3, optimizer_kwargs={"beta_1": 0.0, "beta_2": 0.99},
    flavor_kwargs={"num_classes": SELFCOND_CLUSTERS, "conditioning": "mask", "r1_gamma": 1.0, "r1_every": 4,
                   "g_ema_rate": 1e-3, "g_ema_rampup": 0.05},
    data_kwargs={"cluster_labels": SELFCOND_CLUSTERS},
    description="tfgans' best unconditional recipe: the fast nets conditioned on the data's own "
                f"{SELFCOND_CLUSTERS} k-means clusters (self-conditioned GAN, Liu et al. 2020), no labels needed",
))

# --- Chakkarwar, Arya & Jain, "Image Generation Using Generative Adversarial Networks" ---------------------

# The report names no optimizer; Adam(2e-4, beta_1=0.5) is Radford et al. 2015's. Its Fig. 7 (60 epochs,
# 28,020 batches) implies batch 128.
register(Preset(
    name="dcgan-mnist-chakkarwar", flavor="DCGAN",
    generator=_net("chakkarwar.mnist_generator"), discriminator=_net("chakkarwar.mnist_discriminator"),
    dataset="mnist", source="chakkarwar", table="Tables 2 and 3",
    batch_size=128, epochs=60, g_lr=2e-4, d_lr=2e-4, optimizer_kwargs={"beta_1": 0.5},
    description="DCGAN on MNIST, Chakkarwar et al. Tables 2-3; Adam 2e-4 (Radford), batch 128, 60 epochs",
))
# The vanilla GAN: Goodfellow et al. 2014's MLPs and reference training (mnist.yaml): SGD lr 0.1, momentum
# 0.5, batch 100, sigmoid output on [0, 1] data, z ~ U(-sqrt 3, sqrt 3) (mnist.yaml's ``noise: 'uniform'`` as
# adversarial/__init__.py Generator.get_noise draws it). The reference halves the discriminator objective,
# 0.5 * (BCE_real + BCE_fake); tfgans' loss is the plain sum, so the D learning rate 0.05 is the same step.
register(Preset(
    name="gan-mnist-chakkarwar", flavor="GAN",
    generator=_net("chakkarwar.gan_generator"), discriminator=_net("chakkarwar.gan_discriminator"),
    dataset="mnist", source="chakkarwar", table="sec. III (no table; Goodfellow et al. 2014 MLPs)",
    batch_size=100, epochs=60, g_lr=0.1, d_lr=0.05, optimizer="sgd", optimizer_kwargs={"momentum": 0.5},
    value_range="sigmoid", flavor_kwargs={"latent_distribution": "uniform", "latent_range": (-3 ** 0.5, 3 ** 0.5)},
    description="Vanilla MLP GAN on MNIST (Goodfellow 2014 nets and SGD), as compared in Chakkarwar et al.",
))

# --- Kapoor & Orozco, "Experiments with GANs" ------------------------------------------------------------------

# Table 1 for all four: batch 256, z 100, Adam lr 1e-4 (TensorFlow's default betas: the report names no
# others), dropout 0.5 (in the nets), max gradient norm 5.0 for "all models besides the linear model"
# (sec. 3), 500 max epochs. The report's discriminators end in a sigmoid: the non-saturating GAN loss on logits.
register(Preset(
    name="linear-mnist-kapoor", flavor="GAN",
    generator=_net("kapoor.linear_generator"), discriminator=_net("kapoor.linear_discriminator"),
    dataset="mnist", source="kapoor", table="Table 1, Table 2 (linear), Fig. 1a",
    batch_size=256, epochs=500, g_lr=1e-4, d_lr=1e-4,
    description="Linear (MLP) GAN on MNIST, Kapoor & Orozco; Adam 1e-4, batch 256, no gradient clipping",
))
register(Preset(
    name="dcgan-mnist-kapoor", flavor="DCGAN",
    generator=_net("kapoor.dcgan_generator"), discriminator=_net("kapoor.dcgan_discriminator"),
    dataset="mnist", source="kapoor", table="Table 1, Table 2 (conv, no pooling), Fig. 1b",
    batch_size=256, epochs=500, g_lr=1e-4, d_lr=1e-4, flavor_kwargs={"clip_norm": 5.0},
    description="DCGAN without pooling on MNIST, Kapoor & Orozco; 5 channels, stride 1; Adam 1e-4, clip 5.0",
))
register(Preset(
    name="dcgan-pool-mnist-kapoor", flavor="DCGAN",
    generator=_net("kapoor.dcgan_pool_generator"), discriminator=_net("kapoor.dcgan_pool_discriminator"),
    dataset="mnist", source="kapoor", table="Table 1, Table 2 (conv, pooling), Fig. 1c",
    batch_size=256, epochs=500, g_lr=1e-4, d_lr=1e-4, flavor_kwargs={"clip_norm": 5.0},
    description="DCGAN with 2x2/stride-1 pooling on MNIST, Kapoor & Orozco; Adam 1e-4, clip 5.0",
))
register(Preset(
    name="lstm-mnist-kapoor", flavor="GAN",
    generator=_net("kapoor.lstm_generator"), discriminator=_net("kapoor.lstm_discriminator"),
    dataset="mnist", source="kapoor", table="Table 1, Table 2 (LSTM), Fig. 1d",
    batch_size=256, epochs=500, g_lr=1e-4, d_lr=1e-4, flavor_kwargs={"clip_norm": 5.0},
    description="LSTM GAN on MNIST (images as 28 rows), Kapoor & Orozco; 2 LSTM layers; Adam 1e-4, clip 5.0",
))

# --- Salimans et al. 2016, "Improved Techniques for Training GANs" (semi-supervised; report: Daw et al.) ------

# The reference code's Adam (openai/improved-gan, nn.py adam_updates) divides by sqrt(v_hat + 1e-8) with the
# bias-corrected v_hat. Keras divides by sqrt(v) + epsilon with the uncorrected v, i.e. by
# sqrt(v_hat) + epsilon / sqrt(1 - beta_2^t) in the reference's terms. epsilon 1e-4 gives the reference's
# floor of 1e-4 only once the bias correction fades: the floor is 3.2e-3 at step 1, 1.3e-4 at step 1,000 and
# within 3% of 1e-4 from step 3,000 (about 5 MNIST epochs of 600 steps). An approximation, not a match.
register(SemiSupervisedPreset(
    name="semisup-mnist-salimans", flavor="SemiSupervisedGAN",
    generator=_net("salimans.mnist_generator"), discriminator=_net("salimans.mnist_discriminator"),
    dataset="mnist", source="salimans",
    table="reference code train_mnist_feature_matching.py (report: Daw et al., MNIST table)",
    batch_size=100, epochs=300, g_lr=0.003, d_lr=0.003, optimizer_kwargs={"beta_1": 0.5, "epsilon": 1e-4},
    value_range="sigmoid", num_labeled=100,
    flavor_kwargs={"feature_layer": -3, "feature_distance": "squared", "ema_rate": 1e-4},
    description="Semi-supervised GAN on MNIST, feature matching, 100 labels; Adam 0.003, batch 100, 300 epochs",
))
# Daw et al.'s Conclusion blames the gap to the paper on the change the code they ran names in its README
# (Sleepychord/ImprovedGAN-pytorch): a Softplus generator output instead of the Sigmoid. This preset makes that
# change alone (not that code's smaller departures, listed in tfgans.reports.daw), so `tfgans reproduce daw` can
# set it beside the reference nets at the same length.
register(PRESETS["semisup-mnist-salimans"].replace(
    name="semisup-mnist-daw", source="daw", epochs=10,  # that code's --epochs default (ImprovedGAN.py)
    generator=_net("salimans.mnist_generator", output_activation="softplus"),
    table="semisup-mnist-salimans with a Softplus generator output (Sleepychord/ImprovedGAN-pytorch's Nets.py, "
          "the code Daw et al. ran)",
    description="semisup-mnist-salimans with the generator's output Softplus instead of Sigmoid, the change "
                "the code Daw et al. ran names, for that code's 10 epochs",
))
register(SemiSupervisedPreset(
    name="semisup-cifar10-salimans", flavor="SemiSupervisedGAN",
    generator=_net("salimans.cifar10_generator"), discriminator=_net("salimans.cifar10_discriminator"),
    dataset="cifar10", source="salimans",
    table="reference code train_cifar_feature_matching.py (report: Daw et al., CIFAR-10 table)",
    batch_size=100, epochs=1200, g_lr=3e-4, d_lr=3e-4, optimizer_kwargs={"beta_1": 0.5, "epsilon": 1e-4},
    value_range="tanh", num_labeled=4000, lr_decay=True,
    flavor_kwargs={"feature_layer": -2, "feature_distance": "absolute", "ema_rate": 1e-4},
    description="Semi-supervised GAN on CIFAR-10, feature matching, 4000 labels; Adam 3e-4 decayed over the "
                "last third of 1200 epochs",
))

#: The semi-supervised preset of each dataset (``tfgans semisup --dataset``).
SEMISUP_PRESETS = {"mnist": "semisup-mnist-salimans", "cifar10": "semisup-cifar10-salimans"}

# --- Wasserstein GANs: Sun & Yang's WGAN (sec. 4); Gulrajani et al. 2017's WGAN-GP reference runs -----------

# Sun & Yang sec. 4: "The generator and discriminator are exactly the same as the GAN. The hyperparameters are
# the same except this time we only train 50 epoches": their DCGAN nets (dropout 0.3 in the critic) and Adam
# with G 1e-3, D 1e-4, batch 256. The report changes only the loss, so the learning rates are the report's,
# not Arjovsky et al.'s RMSprop 5e-5 (which WGAN.compile() uses by default and the paper recommends over
# momentum methods for a clipped critic); the rest is Algorithm 1: n_critic 5, clip 0.01.
register(WassersteinPreset(
    name="wgan-mnist-sun", flavor="WGAN",
    generator=_net("sun.mnist_generator"), discriminator=_net("sun.mnist_discriminator"),
    dataset="mnist", source="sun", table="sec. 4, 4.1 (nets: sec. 2.1; hyperparameters: sec. 2.1.3)",
    batch_size=256, epochs=50, g_lr=1e-3, d_lr=1e-4, flavor_kwargs={"n_critic": 5, "clip_value": 0.01},
    description="WGAN (clipping 0.01, n_critic 5) on MNIST with Sun & Yang's DCGAN nets; Adam G 1e-3, "
                "D 1e-4, batch 256, 50 epochs",
))
register(WassersteinPreset(
    name="wgan-svhn-sun", flavor="WGAN",
    generator=_net("sun.svhn_generator"), discriminator=_net("sun.svhn_discriminator"),
    dataset="svhn_cropped", source="sun", table="sec. 4, 4.2 (nets: sec. 3.1; hyperparameters: sec. 3.1.3)",
    batch_size=256, epochs=50, g_lr=1e-3, d_lr=1e-4, flavor_kwargs={"n_critic": 5, "clip_value": 0.01},
    description="WGAN (clipping 0.01, n_critic 5) on SVHN with Sun & Yang's DCGAN nets; Adam G 1e-3, "
                "D 1e-4, batch 256, 50 epochs",
))

# Gulrajani et al.'s code (igul222/improved_wgan_training) counts generator iterations; an epoch here is one
# pass over the training split, n_critic * batch_size real images per generator step:
# gan_mnist.py: BATCH_SIZE 50, 200,000 iterations, 60,000 // 250 = 240 steps/epoch -> 833 epochs;
# gan_cifar.py: BATCH_SIZE 64, 200,000 iterations, 50,000 // 320 = 156 steps/epoch -> 1282 epochs;
# gan_cifar_resnet.py: BATCH_SIZE 64 (generator batch 128), 100,000 iterations -> 641 epochs, Adam 2e-4
# with beta_1 0 decayed linearly to 0. Deviation: the ResNet script scales pixels by 1/256 and adds uniform
# dequantisation noise [0, 1/128); tfgans.data scales by 1/255 without noise.
register(WassersteinPreset(
    name="wgangp-mnist-gulrajani", flavor="WGANGP",
    generator=_net("gulrajani.mnist_generator"), discriminator=_net("gulrajani.mnist_discriminator"),
    dataset="mnist", source="gulrajani", table="reference code gan_mnist.py, MODE 'wgan-gp' (arXiv:1704.00028)",
    batch_size=50, epochs=833, g_lr=1e-4, d_lr=1e-4, optimizer_kwargs={"beta_1": 0.5, "beta_2": 0.9},
    latent_dim=128, value_range="sigmoid", flavor_kwargs={"n_critic": 5, "gp_weight": 10.0},
    description="WGAN-GP on MNIST, Gulrajani et al.'s nets (DIM 64, sigmoid); Adam 1e-4 (0.5, 0.9), batch 50, "
                "200k generator steps",
))
register(WassersteinPreset(
    name="wgangp-cifar10-gulrajani", flavor="WGANGP",
    generator=_net("gulrajani.cifar10_generator"), discriminator=_net("gulrajani.cifar10_discriminator"),
    dataset="cifar10", source="gulrajani", table="reference code gan_cifar.py, MODE 'wgan-gp' (arXiv:1704.00028)",
    batch_size=64, epochs=1282, g_lr=1e-4, d_lr=1e-4, optimizer_kwargs={"beta_1": 0.5, "beta_2": 0.9},
    latent_dim=128, flavor_kwargs={"n_critic": 5, "gp_weight": 10.0},
    description="WGAN-GP on CIFAR-10, Gulrajani et al.'s DCGAN-style nets (DIM 128); Adam 1e-4 (0.5, 0.9), "
                "batch 64, 200k generator steps",
))
register(WassersteinPreset(
    name="wgangp-cifar10-resnet-gulrajani", flavor="WGANGP",
    generator=_net("gulrajani.cifar10_resnet_generator"), discriminator=_net("gulrajani.cifar10_resnet_discriminator"),
    dataset="cifar10", source="gulrajani",
    table="reference code gan_cifar_resnet.py, CONDITIONAL = False (arXiv:1704.00028)",
    batch_size=64, epochs=641, g_lr=2e-4, d_lr=2e-4, optimizer_kwargs={"beta_1": 0.0, "beta_2": 0.9},
    latent_dim=128, lr_decay=True, flavor_kwargs={"n_critic": 5, "gp_weight": 10.0, "gen_batch_multiple": 2},
    description="WGAN-GP on CIFAR-10, Gulrajani et al.'s ResNet (128 channels); Adam 2e-4 (0, 0.9) decayed "
                "linearly to 0, batch 64 (G 128), 100k generator steps",
))


# --- Johnson & Zhang 2018, CFG-GAN (reference code), and Zhu, Gu & Liu's reproduction (seed 000) -------------

# train_cfggan.py: batch 64, z ~ N(0, I) 100-d, RMSprop(lr 2.5e-4, alpha 0.95, eps 1e-18 outside the root: Keras
# epsilon 1e-36 under it, tfgans.models.cfggan.reference_rmsprop) for D and the approximator, T = 15, U = 1,
# N = 640, 10 approximation epochs; 10,000 stages of T batches: 9.6M images, 160 MNIST epochs. MNIST is
# padded to 32x32 (data.py); the composite is served cropped to 28x28.
_CFG = dict(flavor="CFGGAN", batch_size=64, g_lr=2.5e-4, d_lr=2.5e-4, optimizer="rmsprop",
            optimizer_kwargs={"rho": 0.95, "epsilon": 1e-36})
_MNIST32 = dict(dataset="mnist", data_kwargs={"pad_to": 32})
register(Preset(
    name="cfggan-mnist-johnson", generator=_net("johnson.mnist_approximator"),
    discriminator=_net("johnson.mnist_discriminator"), source="johnson", epochs=160,
    table="reference code train_cfggan.py, MNIST defaults: dcganx 32/3, T 15, eta 0.5 (arXiv:1801.06309)",
    flavor_kwargs={"num_steps": 15, "eta": 0.5, "crop": (28, 28)}, **_CFG, **_MNIST32,
    description="CFG-GAN on MNIST padded to 32x32, the reference's dcganx nets with batch norm; T 15, eta 0.5, "
                "RMSprop 2.5e-4, batch 64",
))
# SVHN: the reference trains on train + extra; tfgans on train (73,257 images: 10,000 stages are 131 epochs).
register(Preset(
    name="cfggan-svhn-johnson", generator=_net("johnson.svhn_approximator"),
    discriminator=_net("johnson.svhn_discriminator"), dataset="svhn_cropped", source="johnson", epochs=131,
    table="reference code train_cfggan.py, SVHN defaults: dcganx 64/3, T 15, eta 0.25 (arXiv:1801.06309)",
    flavor_kwargs={"num_steps": 15, "eta": 0.25}, **_CFG,
    description="CFG-GAN on SVHN, the reference's dcganx nets (width 64); T 15, eta 0.25, RMSprop 2.5e-4, batch 64",
))
# Seed 000's tips: no batch norm in D, Kaiming init (tfgans.nets.zhu); otherwise the reference's MNIST row.
register(Preset(
    name="cfggan-mnist-zhu", generator=_net("zhu.mnist_approximator"), discriminator=_net("zhu.mnist_discriminator"),
    source="zhu", epochs=160, table="seed 000 tips (no BN in D, Kaiming init) on the reference's MNIST row",
    flavor_kwargs={"num_steps": 15, "eta": 0.5, "crop": (28, 28)}, **_CFG, **_MNIST32,
    description="CFG-GAN on MNIST (32x32), dcganx nets without BN in D, Kaiming init; T 15, eta 0.5",
))
# The reference code has no CIFAR-10 defaults: the SVHN row (width 64, eta 0.25), as seed 000 gives none.
register(Preset(
    name="cfggan-cifar10-zhu", generator=_net("zhu.cifar10_approximator"),
    discriminator=_net("zhu.cifar10_discriminator"), dataset="cifar10", source="zhu", epochs=192,
    table="seed 000 tips on the reference's SVHN row (the reference has no CIFAR-10 defaults)",
    flavor_kwargs={"num_steps": 15, "eta": 0.25}, **_CFG,
    description="CFG-GAN on CIFAR-10, dcganx width 64 without BN in D, Kaiming init; T 15, eta 0.25",
))
# Seed 000's baseline: WGAN-GP on the same nets (Gulrajani et al.'s Adam 1e-4 (0.5, 0.9), n_critic 5, lambda 10).
_WGANGP_ZHU = dict(flavor="WGANGP", batch_size=64, g_lr=1e-4, d_lr=1e-4,
                   optimizer_kwargs={"beta_1": 0.5, "beta_2": 0.9}, source="zhu")
register(WassersteinPreset(
    name="wgangp-mnist-zhu", generator=_net("zhu.mnist_approximator"), discriminator=_net("zhu.mnist_discriminator"),
    epochs=160, table="seed 000's WGAN-GP baseline on the cfggan-mnist-zhu nets (Gulrajani et al.'s settings)",
    flavor_kwargs={"n_critic": 5, "gp_weight": 10.0, "crop": (28, 28)}, **_WGANGP_ZHU, **_MNIST32,
    description="WGAN-GP on MNIST (32x32) with the cfggan-mnist-zhu nets; Adam 1e-4 (0.5, 0.9), n_critic 5, GP 10",
))
register(WassersteinPreset(
    name="wgangp-cifar10-zhu", generator=_net("zhu.cifar10_approximator"),
    discriminator=_net("zhu.cifar10_discriminator"), dataset="cifar10", epochs=192,
    table="seed 000's WGAN-GP baseline on the cfggan-cifar10-zhu nets (Gulrajani et al.'s settings)",
    flavor_kwargs={"n_critic": 5, "gp_weight": 10.0}, **_WGANGP_ZHU,
    description="WGAN-GP on CIFAR-10 with the cfggan-cifar10-zhu nets; Adam 1e-4 (0.5, 0.9), n_critic 5, GP 10",
))
