"""Losses against values computed by hand: sigmoid(x) = 1 / (1 + e^-x)."""

import math

import numpy as np
import pytest
import tensorflow as tf

from tfgans import losses

REAL = [2.0, -1.0, 0.5, 3.0]
FAKE = [-2.0, 0.0, 1.0, -0.5]


def _sig(x):
    return 1.0 / (1.0 + math.exp(-x))


def test_discriminator_loss_matches_cross_entropy_by_hand():
    expected = (np.mean([-math.log(_sig(x)) for x in REAL])
                + np.mean([-math.log(1.0 - _sig(x)) for x in FAKE]))
    got = losses.minimax_discriminator_loss(tf.constant(REAL), tf.constant(FAKE))
    assert got.dtype == tf.float32 and got.shape == ()
    assert float(got) == pytest.approx(expected, abs=1e-5)


def test_one_sided_label_smoothing_changes_only_the_real_target():
    t = 0.9
    expected = (np.mean([-(t * math.log(_sig(x)) + (1 - t) * math.log(1 - _sig(x))) for x in REAL])
                + np.mean([-math.log(1.0 - _sig(x)) for x in FAKE]))
    got = losses.minimax_discriminator_loss(tf.constant(REAL), tf.constant(FAKE), label_smoothing=0.1)
    assert float(got) == pytest.approx(expected, abs=1e-5)


def test_generator_losses():
    non_saturating = np.mean([-math.log(_sig(x)) for x in FAKE])
    minimax = np.mean([math.log(1.0 - _sig(x)) for x in FAKE])
    assert float(losses.modified_generator_loss(tf.constant(FAKE))) == pytest.approx(non_saturating, abs=1e-5)
    assert float(losses.minimax_generator_loss(tf.constant(FAKE))) == pytest.approx(minimax, abs=1e-5)


def test_losses_take_column_logits_and_low_precision_and_stay_finite():
    col = tf.constant(FAKE, shape=[4, 1], dtype=tf.bfloat16)
    got = losses.modified_generator_loss(col)
    assert got.dtype == tf.float32
    assert float(got) == pytest.approx(np.mean([-math.log(_sig(x)) for x in FAKE]), abs=2e-2)
    # Saturated logits: -log(sigmoid(-100)) = 100, finite where log(sigmoid(x)) would underflow to -inf.
    assert float(losses.modified_generator_loss(tf.constant([-100.0]))) == pytest.approx(100.0, rel=1e-6)


def test_one_sided_label_smoothing_targets_point_nine_on_real_and_zero_on_fake():
    # Real target 0.9: the real term's gradient vanishes where sigmoid(logit) = 0.9, at logit log 9.
    real = tf.Variable([math.log(9.0)])
    fake = tf.Variable([0.0])
    with tf.GradientTape() as tape:
        loss = losses.minimax_discriminator_loss(real, fake, label_smoothing=0.1)
    g_real, g_fake = tape.gradient(loss, [real, fake])
    assert float(g_real[0]) == pytest.approx(0.0, abs=1e-6)
    assert float(g_fake[0]) == pytest.approx(0.5, abs=1e-6)  # d softplus(x)/dx = sigmoid(0): fake target 0
    expected = -(0.9 * math.log(0.9) + 0.1 * math.log(0.1)) + math.log(2.0)
    assert float(loss) == pytest.approx(expected, abs=1e-5)
