"""tfgans: the GAN methods of five reports, reimplemented in Keras 3 / TensorFlow 2.

    import tfgans
    run = tfgans.train("dcgan-mnist-fast", "runs/fast", data_dir="...")   # a preset, resumable, exported
    ds = tfgans.data.load("mnist", batch_size=256, data_dir="...")
    gan = tfgans.DCGAN(tfgans.nets.sun.mnist_generator(), tfgans.nets.sun.mnist_discriminator())
    gan.compile(g_optimizer=keras.optimizers.Adam(1e-3), d_optimizer=keras.optimizers.Adam(1e-4))
    gan.fit(ds, epochs=5, callbacks=[tfgans.callbacks.SampleGrid("runs/x")])
    tfgans.export.save_generator(gan, "saved_models/dcgan_mnist")

Flavors: ``GAN``/``DCGAN`` (Goodfellow et al. 2014), ``WGAN`` (Arjovsky et al. 2017), ``WGANGP``
(Gulrajani et al. 2017), ``CFGGAN`` (Johnson & Zhang 2018), ``SemiSupervisedGAN`` (Salimans et al. 2016). Evaluation (IS, FID, KID,
precision/recall) lives in ``tfgans.metrics`` and ``tfgans.evaluation``; the reports' experiments in
``tfgans.reports`` (``tfgans reproduce``).
"""

__version__ = "0.1.0"

import importlib

_SUBMODULES = ("callbacks", "checkpoint", "cli", "data", "distribute", "evaluation", "experiment", "export",
               "figures", "files", "images", "improved", "layers", "losses", "metrics", "models", "nets", "penalties",
               "presets", "record", "reports", "runs", "sampling", "semisup", "training", "zoo")
_FLAVORS = ("ACGAN", "CFGGAN", "DCGAN", "GAN", "GANModel", "SemiSupervisedGAN", "WGAN", "WGANGP")

__all__ = [*_FLAVORS, *_SUBMODULES, "train", "__version__"]


def __getattr__(name):
    # Submodules and flavors are imported on first use, so that `tfgans --help`, `tfgans presets` and
    # `tfgans reproduce --list` answer without importing TensorFlow.
    if name in _SUBMODULES:
        return importlib.import_module(f"tfgans.{name}")
    if name in _FLAVORS:
        return getattr(importlib.import_module("tfgans.models"), name)
    if name == "train":
        return importlib.import_module("tfgans.training").train
    raise AttributeError(f"module 'tfgans' has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(__all__))
