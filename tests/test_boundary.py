"""Regression: one point on each side of the boundary between the regimes.

The phase diagram of load against staffing (``experiment=phase_load_staffing``,
results/figures/phase_load_staffing_phase.png) shows where each regime is ahead. With duties
scheduled at 0.45 of the hours and volunteers charged for the hours they can give (ODD 7.18,
7.11), refined is ahead at today's demand and coarse, narrowly, in the corner of four times
the demand with 10 front-line workers per 10,000: the reverse of the earlier model, where
coarse was ahead over most of the plane (-0.126 and -0.127 at the defaults) and refined in that
corner (+0.259, +0.252), because its volunteers, charged for all their hours, carried no duties
there. Both presets on the same two seeds (paired), a shorter window than the experiment's
(300 days, 120 of warm-up). A change of the model that moves either point across zero is a
finding to report, not a test to loosen.
"""

import numpy as np

from tests.conftest import run

WINDOW = ("scenario=town", "days=300", "warmup_days=120")
SEEDS = (0, 1)


def lead(demand: float, workers: float) -> np.ndarray:
    """Refined − coarse in needs resolved within 7 days of arising, seed by seed."""
    where = (f"scenario.demand_scale={demand}", f"scenario.workers_per_10k={workers}")
    within = {
        p: np.array([run(*WINDOW, *where, f"policy={p}", f"seed={s}").kpis["resolved_within_7d"] for s in SEEDS])
        for p in ("coarse", "refined")
    }
    return within["refined"] - within["coarse"]


def test_at_the_defaults_refined_is_ahead():
    # Today's demand, 20 per 10,000. Measured +0.065, +0.054; the band allows ±0.05 of model
    # drift around +0.06.
    gap = lead(1, 20)
    assert np.all((gap > 0.01) & (gap < 0.11)), gap


def test_with_four_times_the_demand_and_scarce_staff_coarse_is_ahead():
    # Four times the demand, 10 per 10,000: both front lines are saturated, and refined spends
    # more hours per case (generalists on the specialist lines, tailoring, records); which of
    # these turns the sign is not isolated here. Measured -0.024, -0.020: narrow, so the band
    # is one-sided, (-0.07, 0).
    gap = lead(4, 10)
    assert np.all((gap > -0.07) & (gap < 0.0)), gap
