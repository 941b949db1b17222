"""GAN flavors: one ``keras.Model`` subclass per training algorithm, driven by ``compile()`` + ``fit()``."""

from tfgans.models.base import GANModel, output_range
from tfgans.models.gan import DCGAN, GAN

__all__ = ["GANModel", "GAN", "DCGAN", "output_range"]
