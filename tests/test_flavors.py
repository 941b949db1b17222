"""Every GAN flavor through the same checks (``flavor_checks.run_flavor_test``): training, config, ``.keras``,
export served by plain TensorFlow, XLA, bfloat16 and two replicas. One case per flavor; a new flavor is one more
case. Flavor-specific behaviour (losses, penalties, the algorithm's details) stays in the flavor's own file."""

import numpy as np
import pytest
import keras
from keras import layers

import tfgans
from tfgans import improved
from conftest import tiny_discriminator, tiny_generator
from flavor_checks import CHECKS, PlainTensorFlow, run_flavor_test

pytestmark = pytest.mark.slow  # XLA compilations, two-replica steps, a TensorFlow process

LATENT, SHAPE, BATCH, K = 4, (8, 8, 1), 4, 3


@pytest.fixture(scope="module")
def plain_tf():
    """One process without tfgans that serves every flavor's export (starting it is most of the cost)."""
    with PlainTensorFlow() as server:
        yield server


def _images(n, shape=SHAPE, seed=0):
    """A bright square on dark ground, with noise: [n, *shape] in [-1, 1]."""
    rng = np.random.default_rng(seed)
    images = -np.ones((n, *shape), np.float32)
    images[:, 2:6, 2:6, :] = 1.0
    return np.clip(images + 0.1 * rng.standard_normal(images.shape), -1, 1).astype(np.float32)


# --- tiny nets ----------------------------------------------------------------------------------------------------

def conv_generator():
    """z -> Dense -> 4x4x4 -> synchronized batch norm -> transposed conv -> 8x8x1 tanh (a DCGAN's pieces)."""
    return keras.Sequential([keras.Input((LATENT,)), layers.Dense(64), layers.Reshape((4, 4, 4)),
                             layers.BatchNormalization(synchronized=True), layers.ReLU(),
                             layers.Conv2DTranspose(1, 3, strides=2, padding="same", activation="tanh")],
                            name="conv_generator")


def conv_discriminator(dropout=0.0, init="glorot_uniform"):
    """Strided conv -> LeakyReLU -> (tfgans' per-example Dropout) -> logit; no batch norm (R1, WGAN-GP)."""
    rows = [keras.Input(SHAPE), layers.Conv2D(4, 3, strides=2, padding="same", kernel_initializer=init),
            layers.LeakyReLU(0.2)]
    rows += [tfgans.layers.Dropout(dropout)] if dropout else []
    return keras.Sequential(rows + [layers.Flatten(), layers.Dense(1, kernel_initializer=init)],
                            name="conv_discriminator")


def class_generator():
    return keras.Sequential([keras.Input((LATENT,)), tfgans.layers.LatentClass(K),
                             layers.Dense(64, activation="tanh"), layers.Reshape(SHAPE)], name="class_generator")


def class_discriminator():
    return keras.Sequential([keras.Input(SHAPE), layers.Flatten(), layers.Dense(1 + K)], name="class_discriminator")


def approximator():
    # Plain batch norm: every replica fits the same targets (and CFG-GAN's graph loops cannot all-reduce).
    return keras.Sequential([keras.Input((LATENT,)), layers.Dense(16), layers.BatchNormalization(),
                             layers.ReLU(), layers.Dense(64, activation="tanh"), layers.Reshape(SHAPE)],
                            name="approximator")


def mlp_discriminator():
    return keras.Sequential([keras.Input(SHAPE), layers.Flatten(), layers.Dense(8), layers.LeakyReLU(0.2),
                             layers.Dense(1)], name="mlp_discriminator")


def semisup_generator():
    return keras.Sequential([keras.Input((LATENT,)), layers.Dense(8, activation="relu"),
                             improved.WeightNormDense(16, activation="sigmoid", train_scale=True),
                             layers.Reshape((4, 4, 1))], name="semisup_generator")


def semisup_discriminator():
    return keras.Sequential([keras.Input((4, 4, 1)), layers.Flatten(), tfgans.layers.GaussianNoise(0.1),
                             improved.WeightNormDense(12, activation="relu", name="features"),
                             improved.WeightNormDense(K, train_scale=True, name="logits")],
                            name="semisup_discriminator")


def _semisup_element(n=8):
    rng = np.random.default_rng(0)
    y = np.arange(n) % K
    x_lab = (rng.uniform(size=(n, 4, 4, 1)) * 0.2 + y[:, None, None, None] * 0.3).astype(np.float32)
    x_unl = rng.uniform(size=(n, 4, 4, 1)).astype(np.float32)
    return {"x_unl": x_unl, "x_unl2": x_unl[::-1].copy(), "x_lab": x_lab, "y_lab": y}


def _labelled(n=BATCH):
    labels = np.arange(n) % K
    images = np.stack([np.roll(image, 2 * label, axis=1) for image, label in zip(_images(n), labels)])
    return images, labels


def _adam(lr):
    return keras.optimizers.Adam(lr, beta_1=0.5)


# --- the flavors ----------------------------------------------------------------------------------------------

def _nets(generator, discriminator):
    return {"generator": generator, "discriminator": discriminator, "latent_dim": LATENT, "seed": 1}


FLAVORS = {
    "GAN": dict(
        cls=tfgans.GAN,
        init_kwargs={**_nets(tiny_generator, tiny_discriminator), "label_smoothing": 0.1, "r1_gamma": 1.0,
                     "clip_norm": 0.5},
        data=_images(BATCH),
        compile_kwargs={"g_optimizer": _adam(1e-3), "d_optimizer": _adam(2e-2)},
        config_kwargs={"generator_loss": "minimax", "label_smoothing": 0.2, "latent_distribution": "uniform",
                       "latent_range": [0.0, 1.0], "clip_norm": 5.0, "simultaneous": True, "r1_gamma": 0.5,
                       "r1_every": 4, "crop": [6, 6], "g_ema_rate": 0.01, "g_ema_rampup": 0.05},
    ),
    "DCGAN": dict(
        cls=tfgans.DCGAN,
        init_kwargs={**_nets(conv_generator, lambda: conv_discriminator(dropout=0.3)), "simultaneous": True,
                     "g_ema_rate": 0.5},
        data=_images(BATCH),
        compile_kwargs={"g_optimizer": _adam(1e-3), "d_optimizer": _adam(2e-2)},
        config_kwargs={"simultaneous": False, "r1_gamma": 2.0},
    ),
    "WGAN": dict(
        cls=tfgans.WGAN,
        # A critic that starts inside the clipping box [-c, c].
        init_kwargs={**_nets(tiny_generator, lambda: conv_discriminator(init=keras.initializers.RandomUniform(
            -0.05, 0.05))), "n_critic": 2, "clip_value": 0.05},
        data=_images(2 * BATCH),
        compile_kwargs={"g_optimizer": keras.optimizers.RMSprop(1e-3), "d_optimizer": keras.optimizers.RMSprop(1e-3)},
        config_kwargs={"n_critic": 3, "clip_value": 0.02, "gen_batch_multiple": 2},
    ),
    "WGANGP": dict(
        cls=tfgans.WGANGP,
        init_kwargs={**_nets(tiny_generator, conv_discriminator), "n_critic": 2, "gen_batch_multiple": 2},
        data=_images(2 * BATCH),
        compile_kwargs={"g_optimizer": _adam(1e-3), "d_optimizer": _adam(1e-2)},
        config_kwargs={"n_critic": 4, "gp_weight": 5.0},
        # Five updates, one of them through a second-order penalty: more rounding than one step.
        rtol=1e-3, atol=1e-4,
    ),
    "ACGAN": dict(
        cls=tfgans.ACGAN,
        init_kwargs={**_nets(class_generator, class_discriminator), "num_classes": K, "r1_gamma": 1.0},
        data=_labelled(),
        compile_kwargs={"g_optimizer": _adam(1e-3), "d_optimizer": _adam(2e-2)},
        config_kwargs={"class_weight": 0.5, "fake_class_loss": False, "r1_every": 2},
        falls=("d_loss", "d_class"),
    ),
    # Liu et al. 2020's per-class real/fake logits, with lazy R1 on the selected logit.
    "ACGAN-mask": dict(
        cls=tfgans.ACGAN,
        init_kwargs={**_nets(class_generator, class_discriminator), "num_classes": K, "conditioning": "mask",
                     "r1_gamma": 1.0, "r1_every": 2},
        data=_labelled(),
        compile_kwargs={"g_optimizer": _adam(1e-3), "d_optimizer": _adam(2e-2)},
        config_kwargs={"conditioning": "mask", "r1_every": 3},
    ),
    "CFGGAN": dict(
        cls=tfgans.CFGGAN,
        init_kwargs={**_nets(approximator, mlp_discriminator), "num_steps": 2, "eta": 0.5, "num_targets": 16,
                     "approx_epochs": 2, "approx_batch_size": 8},
        data=_images(2 * BATCH),
        compile_kwargs={"d_optimizer": keras.optimizers.RMSprop(1e-3)},
        # The approximation needs an RMSprop; a larger epsilon than the reference's 1e-36, under which a
        # gradient that is 0 up to rounding (a bias before batch norm) takes a full step of either sign.
        step_optimizers={"g_optimizer": keras.optimizers.RMSprop(2.5e-4, rho=0.95, epsilon=1e-6),
                         "d_optimizer": keras.optimizers.SGD(0.05, momentum=0.5)},
        config_kwargs={"num_steps": 3, "eta": 0.25, "d_updates": 2, "num_targets": 32, "approx_epochs": 3,
                       "approx_batch_size": 16, "approx_decay": 0.5, "approx_max_decays": 2,
                       "copies_training_mode": False, "crop": [6, 6]},
    ),
    "SemiSupervisedGAN": dict(
        cls=tfgans.SemiSupervisedGAN,
        init_kwargs={**_nets(semisup_generator, semisup_discriminator), "feature_layer": "features",
                     "ema_rate": 0.5},
        data=_semisup_element(),
        compile_kwargs={"g_optimizer": _adam(1e-2), "d_optimizer": _adam(1e-2)},
        config_kwargs={"feature_distance": "absolute", "unlabeled_weight": 0.5, "ema_rate": 1e-3,
                       "data_init_examples": 64, "feature_layer": -2},
        falls=("loss_lab",),
    ),
}


@pytest.mark.parametrize("name", list(FLAVORS))
def test_flavor(name, request, plain_tf, tmp_path):
    case = dict(FLAVORS[name])
    try:
        strategy, checks, why = request.getfixturevalue("two_replicas"), CHECKS, None
    except pytest.skip.Exception as no_devices:  # the other checks still run
        strategy, checks, why = None, tuple(check for check in CHECKS if check != "replicas"), str(no_devices)
    run_flavor_test(case.pop("cls"), case.pop("init_kwargs"), case.pop("data"), strategy=strategy,
                    plain_tf=plain_tf, tmp_path=tmp_path, checks=checks, **case)
    if strategy is None:
        pytest.skip(f"every check passed but 'replicas', not run: {why}")
