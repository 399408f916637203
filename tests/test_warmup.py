"""The settling criterion behind the experiments' warm-up, on series whose answer is known."""

import numpy as np

from experiments.warmup import FLOOR, settling_day


def test_an_exponential_approach_settles_after_a_few_time_constants_despite_noise():
    rng = np.random.default_rng(0)
    days = np.arange(1825)
    # A backlog rising to 200 with a 30-day time constant, and daily noise of 15 needs (7.5 %):
    # its trend is within 5 % of the movement after 3 time constants (90 days); the 90-day
    # moving average lags by up to one window. Noise alone must not postpone it to the end.
    backlog = 200 * (1 - np.exp(-days / 30)) + rng.normal(0, 15, len(days))
    assert 90 <= settling_day(backlog, 0.05, FLOOR["backlog"]) <= 90 + 90
    # A slower approach (time constant 150 days) of satisfaction, moving by 0.02: the floor of
    # 0.002 is 10 % of the movement, reached after ln(10) = 2.3 time constants (345 days).
    slow = 0.6 - 0.02 * (1 - np.exp(-days / 150)) + rng.normal(0, 0.0005, len(days))
    assert 345 <= settling_day(slow, 0.05, FLOOR["satisfaction_mean"]) <= 345 + 90


def test_a_flat_series_has_settled_from_the_start():
    flat = np.full(1000, 0.5) + np.random.default_rng(1).normal(0, 0.0001, 1000)
    assert settling_day(flat, 0.05, FLOOR["trust_mean"]) <= 90
