"""Learning-rate schedules (tfgans.schedules) against the reference code's formulas."""

import pytest

from tfgans.schedules import DecayToZero, LinearDecayLastThird


def test_linear_decay_over_the_last_third():
    schedule = LinearDecayLastThird(3e-4, epochs=1200, steps_per_epoch=10)
    # The reference: lr * min(3 - epoch / 400, 1).
    for epoch, factor in [(0, 1.0), (799, 1.0), (800, 1.0), (1000, 0.5), (1199, 3 - 1199 / 400)]:
        assert float(schedule(epoch * 10 + 9)) == pytest.approx(3e-4 * factor, rel=1e-4)
    copy = LinearDecayLastThird.from_config(schedule.get_config())
    assert float(copy(10000)) == pytest.approx(float(schedule(10000)))


@pytest.mark.parametrize("shape, middle", [("linear", 0.5), ("cosine", 0.5)])
def test_decay_to_zero_holds_then_decays_over_the_last_fraction(shape, middle):
    schedule = DecayToZero(1e-3, steps=1000, fraction=0.4, shape=shape)
    assert float(schedule(0)) == pytest.approx(1e-3) and float(schedule(600)) == pytest.approx(1e-3)
    assert float(schedule(800)) == pytest.approx(1e-3 * middle, rel=1e-4)  # half way through the decay
    assert float(schedule(900)) < float(schedule(700)) and float(schedule(1000)) == pytest.approx(0.0, abs=1e-9)
    assert float(schedule(5000)) == pytest.approx(0.0, abs=1e-9)
    # The cosine stays above the line early in the decay.
    if shape == "cosine":
        assert float(schedule(650)) > 1e-3 * (1 - 50 / 400)
    assert float(DecayToZero.from_config(schedule.get_config())(900)) == pytest.approx(float(schedule(900)))


def test_decay_to_zero_refuses_bad_arguments():
    with pytest.raises(ValueError, match="fraction"):
        DecayToZero(1e-3, steps=10, fraction=0.0)
    with pytest.raises(ValueError, match="shape"):
        DecayToZero(1e-3, steps=10, shape="step")
