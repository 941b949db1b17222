"""tfgans: the GAN methods of five reports, reimplemented in Keras 3 / TensorFlow 2.

    import tfgans
    ds = tfgans.data.load("mnist", batch_size=256, data_dir="...")
    gan = tfgans.DCGAN(tfgans.nets.sun.mnist_generator(), tfgans.nets.sun.mnist_discriminator())
    gan.compile(g_optimizer=keras.optimizers.Adam(1e-3), d_optimizer=keras.optimizers.Adam(1e-4))
    gan.fit(ds, epochs=5, callbacks=[tfgans.callbacks.SampleGrid("runs/x")])
    tfgans.export.save_generator(gan, "saved_models/dcgan_mnist")
"""

__version__ = "0.1.0"

from tfgans import data, layers, losses, models, nets, presets  # noqa: E402
from tfgans.models import DCGAN, GAN, GANModel  # noqa: E402

__all__ = ["DCGAN", "GAN", "GANModel", "data", "layers", "losses", "models", "nets", "presets", "__version__"]
