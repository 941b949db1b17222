"""Learning-rate schedules (tfgans.schedules) against the reference code's formulas."""

import pytest

from tfgans.schedules import LinearDecayLastThird


def test_linear_decay_over_the_last_third():
    schedule = LinearDecayLastThird(3e-4, epochs=1200, steps_per_epoch=10)
    # The reference: lr * min(3 - epoch / 400, 1).
    for epoch, factor in [(0, 1.0), (799, 1.0), (800, 1.0), (1000, 0.5), (1199, 3 - 1199 / 400)]:
        assert float(schedule(epoch * 10 + 9)) == pytest.approx(3e-4 * factor, rel=1e-4)
    copy = LinearDecayLastThird.from_config(schedule.get_config())
    assert float(copy(10000)) == pytest.approx(float(schedule(10000)))
