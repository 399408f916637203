"""Backup within the grid (policy.backup=partner, A/B roles): a busy grid unit's case goes to its
partner, which shortens the long waits of one-worker units at the cost of the partner's travel;
a regime whose front line is not cut into grid units has none (a structural zero)."""

from __future__ import annotations

from functools import cache

import numpy as np

from sim.model.institutions import partners
from tests.conftest import run

# Duties as the earlier model had them (0.71 of the budget's hours, spread over every hour): one-
# worker units then saturate, as the mechanism needs to show. At the defaults (0.45, scheduled)
# few cases wait a working day for their unit, and the partner takes a hundred or so a year.
TOWN = (
    "scenario=town",
    "days=240",
    "warmup_days=120",
    "seed=0",
    "scenario.duty_share=0.71",
    "scenario.duty_schedule=even",
)


@cache
def front_line(*overrides: str):
    """Front-line cases that started: their wait for a worker and their travel; the KPIs."""
    result = run(*TOWN, *overrides)
    d = result.issues
    cases = d[(d["handler"] == "front_line") & d["started_h"].notna()]
    return (cases["started_h"] - cases["dispatched_h"]).to_numpy(), cases["travel_h"].mean(), result.kpis


def test_units_pair_within_their_community():
    # Two communities: 5 units from pool 0, 1 unit at pool 5, and a pool above the grid (6).
    assert partners(7, [(0, 5), (5, 1)]).tolist() == [1, 0, 3, 2, 3, -1, -1]


def test_a_partner_shortens_the_long_waits_of_one_worker_units():
    alone, travel_alone, k_alone = front_line("policy=refined", "policy.backup=none")
    paired, travel_paired, k_paired = front_line("policy=refined", "policy.backup=partner")
    assert k_alone["cases_covered_by_partner"] == 0
    assert k_paired["cases_covered_by_partner"] > 500, k_paired["cases_covered_by_partner"]
    # The 90th percentile of the wait for a worker falls by at least a quarter (measured here:
    # 88 h -> 56 h, 599 cases covered), and the partner travels further (the cost: measured
    # 0.022 -> 0.029 h a case): at least a fifth more.
    assert np.percentile(paired, 90) < 0.75 * np.percentile(alone, 90), (
        np.percentile(alone, 90),
        np.percentile(paired, 90),
    )
    assert travel_paired > 1.2 * travel_alone, (travel_alone, travel_paired)


def test_without_grid_units_there_is_no_partner():
    *_, k = front_line("policy=coarse", "policy.backup=partner")
    assert k["cases_covered_by_partner"] == 0, "coarse pools its front line by town: nobody to pair (structural zero)"
