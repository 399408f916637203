"""Checks that can fail: mechanisms read from their events, and counts made independently.

The books of a run (tests/test_properties.py), created = resolved + abandoned + open
(tests/test_accounting.py) and Little's law (tests/test_queueing.py) are identities of the
output tables: they hold by construction. The tests here compare two sources that could
disagree: what each case booked against what its pool accumulated, arrivals against the rates
that drive them, and the routing rules against the hops each case took.
"""

from __future__ import annotations

import numpy as np
import pytest

from sim.measure import observe
from sim.model import routing
from sim.model.issues import CHANNEL_NAMES, DEPARTMENT, DIGITAL, FRONT_LINE, HOTLINE
from sim.model.model import GovernanceModel
from sim.model.queues import BEFORE_CASES
from tests.conftest import make_config

# No detours between departments (tests/test_coarseness.py checks those): the hops are the rules'.
SMALL_TOWN = (
    "scenario=teaching",
    "scenario.n_residents=4000",
    "access=basic",
    "scenario.misroute_share=0",
    "scenario.multi_dept_share=0",
)


def _model(*overrides: str, days: int) -> GovernanceModel:
    cfg = make_config(*overrides)
    model = GovernanceModel(cfg.scenario, cfg.policy, seed=cfg.seed)
    model.run(days)
    return model


# --- routing ----------------------------------------------------------------------------------


def test_the_routing_rules_give_each_channel_its_hops():
    front = np.array([True, True, False, False])
    hotline = np.array([True, False, True, False])
    none = np.zeros(4, dtype=bool)
    # Hierarchical: a hotline call to a front-line line climbs all four levels, a case raised in
    # the community starts there; a department case takes two hops either way.
    assert routing.hops(front, "hierarchical", hotline, 4, none, 2).tolist() == [4, 0, 2, 2]
    # Grid first: the grid handles what is within competence at once and escalates in one hop.
    assert routing.hops(front, "grid_first", hotline, 4, none, 2).tolist() == [0, 0, 1, 1]
    # 人户分离 without linkage: the bounce comes on top, under either rule.
    bounced = np.array([True, False, True, False])
    assert routing.hops(front, "grid_first", hotline, 4, bounced, 2).tolist() == [2, 0, 3, 1]


@pytest.fixture(scope="module")
def routed():
    """The type-based preset under each routing rule, on the same residents and needs, with the
    counter and the hotline only (access=basic: the app would take most reports) and no bounce."""
    common = (*SMALL_TOWN, "policy=coarse", "policy.linkage=true", "seed=3")
    return {rule: _model(*common, f"policy.routing={rule}", days=120) for rule in ("hierarchical", "grid_first")}


def _known(model) -> dict:
    v = model.issues.view()
    return {k: v[k] for k in ("hops", "channel", "handler", "reported_h", "dispatched_h")} | {
        "sent": np.isfinite(v["dispatched_h"]) & np.isin(v["handler"], (FRONT_LINE, DEPARTMENT))
    }


def test_hierarchical_routing_passes_hotline_calls_down_every_level(routed):
    sc = make_config(*SMALL_TOWN, "policy=coarse").scenario
    v = _known(routed["hierarchical"])
    hotline_front = v["sent"] & (v["channel"] == HOTLINE) & (v["handler"] == FRONT_LINE)
    local_front = v["sent"] & (v["channel"] != HOTLINE) & (v["handler"] == FRONT_LINE)
    dept = v["sent"] & (v["handler"] == DEPARTMENT)
    assert hotline_front.sum() > 20 and local_front.sum() > 20 and dept.sum() > 20, "each kind of case occurs"
    assert (v["hops"][hotline_front] == sc.hierarchy_hops).all()
    assert (v["hops"][local_front] == 0).all()
    assert (v["hops"][dept] == min(2, sc.hierarchy_hops)).all()


def test_grid_first_routing_handles_in_the_grid_and_escalates_in_one_hop(routed):
    v = _known(routed["grid_first"])
    front = v["sent"] & (v["handler"] == FRONT_LINE)
    dept = v["sent"] & (v["handler"] == DEPARTMENT)
    assert (v["hops"][front] == 0).all() and (v["hops"][dept] == 1).all()


def test_every_hop_costs_its_delay_between_report_and_dispatch(routed):
    sc = make_config(*SMALL_TOWN, "policy=coarse").scenario
    for model in routed.values():
        v = _known(model)
        wait = v["dispatched_h"][v["sent"]] - v["reported_h"][v["sent"]]
        np.testing.assert_allclose(wait, v["hops"][v["sent"]] * sc.hop_delay_h, atol=1e-3)
    # Hence hierarchical routing dispatches hotline cases later, by the hops it adds.
    hier, grid = (_known(routed[r]) for r in ("hierarchical", "grid_first"))
    mean_hops = {r: v["hops"][v["sent"]].mean() for r, v in (("hierarchical", hier), ("grid_first", grid))}
    assert mean_hops["hierarchical"] > mean_hops["grid_first"] + 0.5, mean_hops


def test_without_linkage_residents_registered_elsewhere_bounce():
    sc = make_config(*SMALL_TOWN).scenario
    runs = {on: _model(*SMALL_TOWN, "policy=coarse", f"policy.linkage={on}", days=90) for on in (True, False)}
    for linked, model in runs.items():
        pop, v = model.population, _known(model)
        res = model.issues.view()["resident_id"]
        elsewhere = (res >= 0) & (pop.registration[np.maximum(res, 0)] != pop.community[np.maximum(res, 0)])
        reported = np.isin(v["channel"], [CHANNEL_NAMES.index(c) for c in ("counter", "hotline", "digital")])
        front, hotline = v["handler"] == FRONT_LINE, v["channel"] == HOTLINE
        base = routing.hops(front, "hierarchical", hotline, sc.hierarchy_hops, 0, 0)
        extra = v["hops"] - base
        moved = v["sent"] & reported
        assert (extra[moved & elsewhere] == (0 if linked else sc.bounce_hops)).all(), f"linkage={linked}"
        assert (extra[moved & ~elsewhere] == 0).all()
        assert (moved & elsewhere).sum() > 10


# --- books from the events themselves ----------------------------------------------------------


@pytest.mark.parametrize("policy", ["coarse", "refined"])
def test_what_cases_booked_is_what_their_pools_accumulated(policy):
    model = _model("scenario=teaching", f"policy={policy}", days=90)
    sc, v = model.scenario, model.issues.view()
    started = np.isfinite(v["started_h"])
    fixed = sc.doc_h_per_case + sc.digital_triage_h * (v["channel"] == DIGITAL)
    booked = np.nan_to_num(v["work_h"]) + np.nan_to_num(v["travel_h"]) + fixed
    for which, pools in ((FRONT_LINE, model.front_pools), (DEPARTMENT, model.dept_pools)):
        cases = started & (v["handler"] == which)
        pools = [p for p in pools if p is not None]
        assert cases.sum() == sum(p.served for p in pools), "cases started = cases the pools served"
        # The pools' hours also hold what they booked before cases: passing cases on and overdue duties.
        before = sum(p.before_cases_h(kind) for p in pools for kind in BEFORE_CASES)
        assert booked[cases].sum() == pytest.approx(sum(p.busy_h for p in pools) - before, rel=1e-6)
        assert v["travel_h"][cases].sum() == pytest.approx(sum(p.travel_total_h for p in pools), rel=1e-6)
    # The books at the horizon leave out only what is booked past it: never more than was booked.
    books = observe.time_use(model, model.day * 24.0)
    front = started & (v["handler"] == FRONT_LINE)
    visit_doc = model.books["visits_home"] * sc.doc_h_per_visit
    casework = books["time_front_line_cases_h"] + books["time_front_line_travel_h"]
    casework += books["time_front_line_documentation_h"] - visit_doc
    done = front & (v["resolved_h"] < model.day * 24.0)
    assert booked[done].sum() - 1e-6 <= casework <= booked[front].sum() + 1e-6


def test_arrivals_follow_the_rates_that_drive_them():
    model = _model("scenario=teaching", "policy=coarse", days=120)
    expected = model._expected_issues_per_day() * model.day
    created = len(model.issues.view()["created_h"])
    # Poisson: within four standard deviations of the rate's expectation.
    assert abs(created - expected) < 4 * np.sqrt(expected), f"{created} needs and faults, {expected:.0f} expected"
