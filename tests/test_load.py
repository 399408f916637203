"""Regression: which regime does better as the load on a fixed staffing budget rises.

Four demand levels (every need rate and the fault rate times 0.5, 1, 2 and 4), the staffing
budget fixed, both presets on the same three seeds (common random numbers: paired). The
directions pinned here are what the runs show at the calibrated defaults; the comments name the
mechanism. A change of the model that turns them is a finding to report, not a test to loosen.
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


def test_coarse_resolves_more_within_a_week_at_every_load():
    leads = {d: lead(d) for d in LEVELS}
    # Measured (seeds 0-2): -0.087, -0.130, -0.184, -0.112 at 0.5, 1, 2 and 4 times today's
    # demand. Refined's paid posts are fewer (volunteers stand in for some) yet carry the same
    # duties from above, and they keep a file on every household, so fewer of its front-line
    # hours are left for cases; its visits find little that residents do not report within
    # hours. Coarse leads by at least
    # 0.05 in every seed at every level (the seeds' spread is about 0.01).
    assert all((v < -0.05).all() for v in leads.values()), {d: np.round(v, 3) for d, v in leads.items()}


def test_coarses_lead_grows_from_half_to_twice_todays_demand():
    # The heavier the load, the more refined's smaller share of case hours queues its cases
    # (measured: -0.087 at half, -0.184 at twice today's demand). At four times both fronts are
    # saturated and the gap narrows again (-0.112), so no monotone trend is pinned beyond twice.
    assert lead(2.0).mean() < lead(0.5).mean() - 0.05, (lead(0.5), lead(2.0))
