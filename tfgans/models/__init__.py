"""GAN flavors: one ``keras.Model`` subclass per training algorithm, driven by ``compile()`` + ``fit()``."""

from tfgans.models.acgan import ACGAN
from tfgans.models.base import GANModel, output_range
from tfgans.models.cfggan import CFGGAN
from tfgans.models.gan import DCGAN, GAN
from tfgans.models.semisup import SemiSupervisedGAN
from tfgans.models.wgan import WGAN, WGANGP

__all__ = ["GANModel", "ACGAN", "CFGGAN", "GAN", "DCGAN", "SemiSupervisedGAN", "WGAN", "WGANGP", "output_range"]
