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

The modules stand in layers, bottom to top. A module imports only modules of its own layer or below, and no
import cycle forms within a layer (``tests/test_layering.py`` holds the same table and checks it); a package's
name stands for all its modules:

    0 foundations: files, runs, images, distribute, clusters, data
    1 nets and layers: layers, minibatch, normalization, features, nets
    2 maths: losses, penalties, metrics, averaging, schedules, augment, improved
    3 flavors: models
    4 model services: extractors, classifier, evaluation, sampling, export, checkpoint, record, callbacks, presets
    5 training: training
    6 experiments: reports, figures, experiment, semisup, zoo
    7 the command line: cli, tfgans (this module's lazy attributes)
"""

__version__ = "0.1.0"

import importlib

_SUBMODULES = ("augment", "averaging", "callbacks", "checkpoint", "classifier", "cli", "clusters", "data", "distribute", "evaluation",
               "experiment", "export", "extractors", "features", "figures", "files", "images", "improved", "layers",
               "losses", "metrics", "minibatch", "models", "nets", "normalization", "penalties", "presets", "record",
               "reports", "runs", "sampling", "schedules", "semisup", "training", "zoo")
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
