"""Regression: one point on each side of the boundary between the regimes.

The phase diagram of load against staffing (``experiment=phase_load_staffing``,
results/figures/phase_load_staffing_phase.png) has coarse ahead over most of the plane and
refined ahead in one corner: four times today's demand with 10 front-line workers per 10,000.
Both presets on the same two seeds (paired), a shorter window than the experiment's (300 days,
120 of warm-up), which gives the same differences there (−0.126 and −0.127 here against −0.127
and −0.134 over 815 days at the defaults; +0.259 and +0.252 against +0.246 and +0.240 in the
corner). A change of the model that moves either point across zero is a finding to report, not
a test to loosen.
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


def test_at_the_calibrated_defaults_coarse_is_ahead():
    # Today's demand, 20 per 10,000: refined's generalists, grid units, tailored remedies and
    # patrol cost more hours than they save where duties fill 71% of the budget's hours.
    # Measured −0.126, −0.127; the band allows ±0.05 of model drift around −0.13.
    gap = lead(1, 20)
    assert np.all((gap > -0.18) & (gap < -0.08)), gap


def test_with_four_times_the_demand_and_scarce_staff_refined_is_ahead():
    # Four times the demand, 10 per 10,000: the duties, a fixed total, take nearly all of the
    # few paid posts' hours, and refined's volunteers, who carry none, take up the cases
    # (without them refined resolves 1.8% within a week here, seed 0). Measured +0.259, +0.252;
    # the band allows ±0.08 of model drift around +0.25.
    gap = lead(4, 10)
    assert np.all((gap > 0.17) & (gap < 0.33)), gap
