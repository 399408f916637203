"""Quantities derived from a scenario: its fault rate, its paid posts, and the scenario reduced
to the textbook queue."""

from __future__ import annotations

import dataclasses

from sim.model.params.constants import SERVICE_TYPES
from sim.model.params.scenario import Scenario
from sim.model.params.tables import Category


def events_per_year(sc: Scenario) -> float:
    """Events in public space with no owner arising in the territory per year (at the scenario's
    demand level)."""
    return sc.public_events_per_1k * sc.n_residents / 1000 * sc.demand_scale


def faults_per_year(sc: Scenario) -> float:
    """Component faults arising in the territory per year (at the scenario's demand level)."""
    return sc.facility_faults_per_1k * sc.n_residents / 1000 * sc.demand_scale


def paid_budget(sc: Scenario) -> tuple[int, int]:
    """Paid posts: the front-line budget and the department budget (at least one per line)."""
    front = max(1, round(sc.workers_per_10k * sc.n_residents / 10_000))
    return front, max(len(SERVICE_TYPES), round(sc.dept_staff_per_10k * sc.n_residents / 10_000))


def volunteer_work_bound_h(sc: Scenario, po, volunteer_h_per_week: float) -> float:
    """Hours a week that volunteers giving ``volunteer_h_per_week`` can give to cases, at most,
    reckoned before a run: no more than their hours, nor than the hands-on work the scenario's
    needs are expected to bring to the lines they may do (volunteer-eligible lines that the
    regime's front line handles)."""
    lines = [t for t in SERVICE_TYPES[:-1] if sc.service_types[t].volunteer_eligible and t in po.competence]
    shares = sum(c.share for c in sc.categories.values())
    per_year = sum(
        c.share / shares * c.need_rates.get(t, 0.0) * sc.service_types[t].service_h
        for c in sc.categories.values()
        for t in lines
    )
    work_week = sc.n_residents * sc.demand_scale * per_year / (365.0 / 7.0)
    return min(volunteer_h_per_week, work_week)


def queueing_reduction(sc: Scenario) -> Scenario:
    """Apply the queueing-validation shortcuts, if set: with ``arrival_rate_per_h`` every
    resident is alike (one category, one service type, Poisson arrivals at that total rate,
    always reporting through a 24/7 channel), there are no component faults, and
    ``mean_service_h`` sets the mean handling time of every type."""
    if sc.arrival_rate_per_h is not None:
        per_year = sc.arrival_rate_per_h * 8760 / sc.n_residents
        only = Category(1.0, {"environment": per_year}, 1.0, 1.0, [])
        no_public_space = {"facility_faults_per_1k": 0.0, "public_events_per_1k": 0.0}
        sc = dataclasses.replace(sc, categories={"resident": only}, **no_public_space)
    if sc.mean_service_h is not None:
        types = {k: dataclasses.replace(v, service_h=sc.mean_service_h) for k, v in sc.service_types.items()}
        sc = dataclasses.replace(sc, service_types=types)
    return sc
