"""tfgans: the GAN methods of five reports, reimplemented in Keras 3 / TensorFlow 2.

    import tfgans
    ds = tfgans.data.load("mnist", batch_size=256, data_dir="...")
    gan = tfgans.DCGAN(tfgans.nets.sun.mnist_generator(), tfgans.nets.sun.mnist_discriminator())
    gan.compile(g_optimizer=keras.optimizers.Adam(1e-3), d_optimizer=keras.optimizers.Adam(1e-4))
    gan.fit(ds, epochs=5, callbacks=[tfgans.callbacks.SampleGrid("runs/x")])
    tfgans.export.save_generator(gan, "saved_models/dcgan_mnist")

Flavors: ``GAN``/``DCGAN`` (Goodfellow et al. 2014), ``WGAN`` (Arjovsky et al. 2017), ``WGANGP``
(Gulrajani et al. 2017), ``SemiSupervisedGAN`` (Salimans et al. 2016). Evaluation (IS, FID, KID,
precision/recall) lives in ``tfgans.metrics`` and ``tfgans.evaluation``.
"""

__version__ = "0.1.0"

from tfgans import (  # noqa: E402
    callbacks,
    data,
    evaluation,
    export,
    images,
    improved,
    layers,
    losses,
    metrics,
    models,
    nets,
    penalties,
    presets,
    semisup,
    studies,
)
from tfgans.models import DCGAN, GAN, WGAN, WGANGP, GANModel, SemiSupervisedGAN  # noqa: E402

__all__ = [
    "DCGAN",
    "GAN",
    "GANModel",
    "SemiSupervisedGAN",
    "WGAN",
    "WGANGP",
    "callbacks",
    "data",
    "evaluation",
    "export",
    "images",
    "improved",
    "layers",
    "losses",
    "metrics",
    "models",
    "nets",
    "penalties",
    "presets",
    "semisup",
    "studies",
    "__version__",
]
