"""Running averages of parameters (tfgans.averaging) against numbers worked out by hand."""

import numpy as np
import pytest
import keras

from tfgans.averaging import HistoricalAverage, ParameterEMA


def test_parameter_ema_is_bias_corrected():
    v = keras.Variable(np.float32(2.0))
    ema = ParameterEMA([v], rate=0.5)
    assert float(ema.values()[0]) == pytest.approx(2.0)  # no update yet: the parameter itself
    ema.update()  # a = 0.5 * 2 = 1, corrected by 1 - 0.5 -> 2
    assert float(ema.values()[0]) == pytest.approx(2.0)
    v.assign(4.0)
    ema.update()  # a = 1 + 0.5 * (4 - 1) = 2.5, corrected by 1 - 0.25 -> (0.5 * 4 + 0.25 * 2) / 0.75
    assert float(ema.values()[0]) == pytest.approx(2.5 / 0.75)
    assert ema.weights and all(w is not v for w in ema.weights)  # owns its averages only


def test_parameter_ema_ramp_up_bounds_the_half_life_by_the_steps_so_far():
    v = keras.Variable(np.float32(2.0))
    ema = ParameterEMA([v], rate=0.01, rampup=0.5)
    ema.update()  # the first update copies
    assert float(ema.values()[0]) == pytest.approx(2.0)
    v.assign(4.0)
    ema.update()  # t = 2: half-life 1 step, rate 1/2
    assert float(ema.values()[0]) == pytest.approx(3.0)
    v.assign(6.0)
    ema.update()  # t = 3: half-life 1.5 steps
    rate = 1 - 0.5 ** (1 / 1.5)
    assert float(ema.values()[0]) == pytest.approx(3.0 + rate * 3.0, rel=1e-5)
    for _ in range(1000):  # past 200 steps the half-life bound exceeds rate 0.01's 69 steps
        ema.update()
    v.assign(0.0)
    ema.update()
    assert float(ema.values()[0]) == pytest.approx(6.0 * 0.99, rel=1e-5)
    with pytest.raises(ValueError, match="ramp-up must be positive"):
        ParameterEMA([v], rate=0.01, rampup=0.0)


def test_historical_average_keeps_the_running_mean():
    v = keras.Variable(np.float32(1.0))
    history = HistoricalAverage([v])
    assert float(history.penalty()) == 0.0  # no history yet
    history.update()  # average 1
    v.assign(3.0)
    history.update()  # average (1 + 3) / 2 = 2
    v.assign(5.0)
    assert float(history.averages[0]) == pytest.approx(2.0)
    assert float(history.penalty()) == pytest.approx((5.0 - 2.0) ** 2)
