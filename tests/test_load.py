"""Regression: which regime does better as the load on a fixed staffing budget rises.

Four demand levels (every need rate and the fault rate times 0.5, 1, 2 and 4), the staffing
budget fixed, both presets on the same three seeds (common random numbers: paired). The
directions pinned here are what the runs show at the defaults; the comments name the mechanism.
A change of the model that turns them is a finding to report, not a test to loosen.
"""

from functools import cache

import numpy as np

from tests.conftest import run

LEVELS = (0.5, 1.0, 2.0, 4.0)
SEEDS = (0, 1, 2)
WINDOW = ("scenario=town", "days=300", "warmup_days=120")  # long enough for a backlog to build


@cache
def within_7d(policy: str, demand: float, seed: int) -> float:
    return run(*WINDOW, f"policy={policy}", f"scenario.demand_scale={demand}", f"seed={seed}").kpis[
        "resolved_within_7d"
    ]


def lead(demand: float) -> np.ndarray:
    """Refined − coarse in needs resolved within 7 days, seed by seed."""
    return np.array([within_7d("refined", demand, s) - within_7d("coarse", demand, s) for s in SEEDS])


def test_refined_resolves_more_within_a_week_at_every_load():
    leads = {d: lead(d) for d in LEVELS}
    # Measured (seeds 0-2): +0.055 to +0.071 at half today's demand, +0.054 to +0.065 at today's,
    # +0.056 to +0.058 at twice and +0.028 to +0.031 at four times. The sign turned with the
    # mechanisms of ODD 7.6 and 7.18: duties at the CASS week's 0.45 of the hours, done on a
    # schedule so that cases come first, and volunteers charged for the hours they can give
    # (about a third of theirs). The earlier model (duties 0.71 spread over every hour, all
    # volunteer hours counted) gave -0.087, -0.130, -0.184 and -0.112. Refined leads by at least
    # 0.015 in every seed at every level (the seeds' spread is about 0.01).
    assert all((v > 0.015).all() for v in leads.values()), {d: np.round(v, 3) for d, v in leads.items()}


def test_refineds_lead_narrows_as_the_load_rises():
    # Measured: +0.064 at half today's demand, +0.030 at four times (seeds 0-2). The heavier the
    # load, the more every hour counts, and refined spends more per case (generalists on the
    # specialist lines, tailoring, records); which of these narrows the lead is not isolated
    # here. At least 0.02 narrower (the seeds' spread is about 0.01).
    assert lead(4.0).mean() < lead(0.5).mean() - 0.02, (lead(0.5), lead(4.0))
