"""Staffing a regime (ODD 5 steps 5-7, 7.15): the paid budget less the posts its volunteers
stand in for, the staffing study that measures the work each line will get, and the split of
the paid staff between the front line and the departments, in proportion to that work."""

from __future__ import annotations

import dataclasses
from typing import NamedTuple

import numpy as np

from sim.model import workload
from sim.model.handling import service_h
from sim.model.issues import DEPARTMENT, DIGITAL, FRONT_LINE, VOLUNTEER
from sim.model.params import (
    SERVICE_TYPES,
    STAFF_WEEK_H,
    ConfigError,
    Policy,
    Scenario,
    events_per_year,
    faults_per_year,
    volunteer_work_bound_h,
)
from sim.model.queues import plain_sum


class Budget(NamedTuple):
    """The staffing budget in posts (the same under every regime) and what of it is paid."""

    front_line: int  # the budget's front-line posts
    departments: int  # ... and department posts
    volunteer_posts: int  # posts the volunteers' hours stand in for (counted against the budget)

    @property
    def paid(self) -> int:
        return self.front_line + self.departments - self.volunteer_posts


def volunteer_usable_h(
    sc: Scenario, po: Policy, volunteers: np.ndarray, given_h_per_year: float | None = None
) -> float:
    """Hours a week the volunteers can actually give to cases (none without mobilisation).
    ``given_h_per_year``: the hours the staffing study saw them give (when they were free, to the
    cases they may take, before the residents gave up); without a study, at most their hours and
    the hands-on work of the lines they may do (:func:`~sim.model.params.volunteer_work_bound_h`)."""
    if not po.mobilisation:
        return 0.0
    hours = float(volunteers.sum() * sc.volunteer_h_per_week)
    if given_h_per_year is None:
        return volunteer_work_bound_h(sc, po, hours)
    return min(hours, given_h_per_year / workload.WEEKS_PER_YEAR)


def volunteer_posts(sc: Scenario, usable_h: float) -> int:
    """Paid posts the volunteers stand in for when they count against the budget: one per 40 of
    the hours a week they can actually give (:func:`volunteer_usable_h`); none on top."""
    return 0 if sc.volunteer_budget == "on_top" else round(usable_h / STAFF_WEEK_H)


def staffing_study(model, sc: Scenario, po: Policy, seed: int) -> np.ndarray:
    """Handling hours a year each line will receive under this regime, worked out the way an
    administration sizes its offices from experience: a pilot run of part of one town (at
    most ``staffing_pilot_residents``, at the scenario's density and community size),
    ``staffing_pilot_days`` long, staffed by the expected work, tells how much work each line
    is sent per need of each type that arises (the needs of its middle part, from a sixth of
    its length to two thirds, followed to its end: reports of lasting needs and faults build up
    over months); the scenario's own expected needs and faults a year turn that into work a
    year, so that lines with few cases in the pilot are not sized by its chance counts. The
    front line also keeps person-level records, where remedies are tailored. Returns the work a
    year of [front line, department of each line], and the hours a year the volunteers gave
    (measured the same way: what the budget is charged for them, :func:`volunteer_posts`)."""
    town_residents = sc.n_residents / sc.n_towns
    part = min(1.0, sc.staffing_pilot_residents / town_residents)
    town = dataclasses.replace(
        sc,
        staff_split="expected",
        arrival_rate_per_h=None,  # ``sc`` is already reduced (sim.model.params.queueing_reduction):
        mean_service_h=None,  # its per-resident rates carry over to the pilot's residents
        n_towns=1,
        n_residents=max(1, round(town_residents * part)),
        communities_per_town=max(1, round(sc.communities_per_town * part)),
        area_km2=sc.area_km2 / sc.n_towns * part,
    )
    pilot = type(model)(town, po, seed=seed)
    pilot.run(sc.staffing_pilot_days)
    days = sc.staffing_pilot_days
    window = days * 24.0 / 6, days * 24.0 * 2 / 3
    per_year = arising_per_year(model, sc)
    work = work_per_need(pilot, *window) @ per_year
    work[0] += workload.records_h_per_year(sc, po, sc.n_residents)
    return work, float(volunteer_h_per_need(pilot, *window) @ per_year)


def arising_per_year(model, sc) -> np.ndarray:
    """Needs, faults and events arising per year in the territory, by service type (events in
    public space are of the environment line)."""
    per_year = np.append(model.population.need_rate.sum(0) * 8760, faults_per_year(sc))
    per_year[SERVICE_TYPES.index("environment")] += events_per_year(sc)
    return per_year


def volunteer_h_per_need(model, from_h: float, to_h: float) -> np.ndarray:
    """Hours the volunteers gave (hands-on and travel) per need arising, by type, for the needs
    that arose in [``from_h``, ``to_h``): as :func:`work_per_need` counts staff work."""
    iss, n = model.issues.view(), len(SERVICE_TYPES)
    born, arisen = _arisen(iss, from_h, to_h)
    took = born & (iss["handler"] == VOLUNTEER)
    hours = np.bincount(
        iss["service_type"][took].astype(np.int64), iss["work_h"][took] + iss["travel_h"][took], minlength=n
    )
    return np.divide(hours, arisen, out=np.zeros(n), where=arisen > 0)


def _arisen(iss, from_h: float, to_h: float) -> tuple[np.ndarray, np.ndarray]:
    """The issues that arose in [``from_h``, ``to_h``), and how many of each type."""
    born = (iss["created_h"] >= from_h) & (iss["created_h"] < to_h)
    return born, np.bincount(iss["service_type"][born].astype(np.int64), minlength=len(SERVICE_TYPES))


def work_per_need(model, from_h: float, to_h: float) -> np.ndarray:
    """Handling hours each line is sent per need (or fault) arising, by type: a table of the
    front line, then each service line's department (rows), by service type (columns), from
    the needs of each type that arose in [``from_h``, ``to_h``) and were sent to staff by the
    model's last day. A case counts with its line's mean hands-on time, grown by its wait to
    dispatch, its fixed time (documentation, triage) and the line's mean travel per case: the
    work it brings, without the noise of its own handling-time draw. Volunteers' cases are
    not staff work."""
    iss, sc, n = model.issues.view(), model.scenario, len(SERVICE_TYPES)
    born, arisen = _arisen(iss, from_h, to_h)
    sent = born & np.isfinite(iss["dispatched_h"]) & np.isin(iss["handler"], (FRONT_LINE, DEPARTMENT))
    handler, kind = iss["handler"][sent], iss["service_type"][sent].astype(np.int64)
    waited_days = (iss["dispatched_h"][sent] - iss["created_h"][sent]) / 24.0
    grown = np.minimum(1.0 + sc.worsening_per_day * waited_days, sc.worsening_cap)
    work = service_h(model, kind, handler) * grown
    work = work + sc.doc_h_per_case + sc.digital_triage_h * (iss["channel"][sent] == DIGITAL)
    front_pools = list(model.front_pools)
    front_travel = plain_sum(p.travel_total_h for p in front_pools) / max(1, sum(p.served for p in front_pools))
    dept_travel = np.array([p.travel_total_h / max(1, p.served) if p else 0.0 for p in model.dept_pools])
    line = np.where(handler == FRONT_LINE, 0, 1 + kind)
    work = work + np.where(handler == FRONT_LINE, front_travel, dept_travel[kind])
    table = np.zeros((n + 1, n))
    np.add.at(table, (line, kind), work)
    return np.divide(table, arisen, out=np.zeros_like(table), where=arisen > 0)


def split_staff(model, sc: Scenario, po: Policy, budget: Budget, routed: np.ndarray | None) -> tuple[int, np.ndarray]:
    """Front-line staff and department staff per service line, from the whole paid budget
    (front line plus departments, less the posts volunteers stand in for).

    With ``routed`` (work per line from :func:`staffing_study`: the front line, then each
    service line's department) staff follow that work per hour a person there can handle,
    each department at least one. Without it, departments are sized by the expected work of
    all needs of their line and the front line gets the budget of the lines it handles
    itself (staff follow the work, 力量下沉)."""
    n = len(SERVICE_TYPES)
    paid = budget.paid
    has_dept = ~model.front_line_types
    floor = np.concatenate([[1], has_dept.astype(int)])  # every line that exists has someone
    if routed is None or not np.any(routed > 0):  # no study, or one too small to see any work
        rates = arising_per_year(model, sc)
        lines = largest_remainder(budget.departments - n, rates * model.service_mean_h) + 1
        front, depts = paid - int(lines[has_dept].sum()), np.where(has_dept, lines, 0)
    elif paid >= floor.sum():
        # Planned for: duties and appraisal everywhere, and the front line's patrol at its
        # most (a regime that patrols staffs its front line for it); departments are staffed
        # for their cases, and the facility department inspects with the hours they leave.
        hours_per_week = model.service_calendar.hours_per_week
        shares = [workload.planned_case_share(sc, po, hours_per_week, model.duty_share)]
        shares += [workload.department_share(model.duty_share)] * len(SERVICE_TYPES)
        need = np.where(np.concatenate([[True], has_dept]), routed / np.maximum(shares, 0.05), 0.0)
        staff = largest_remainder(paid - int(floor.sum()), need) + floor
        front, depts = int(staff[0]), staff[1:]
    else:
        front, depts = 0, None
    if front < 1:
        raise ConfigError(
            f"the volunteers' hours (scenario.volunteers_per_1k={sc.volunteers_per_1k} x scenario.volunteer_h_per_week="
            f"{sc.volunteer_h_per_week}) stand in for {budget.volunteer_posts} paid posts, more than the budget of "
            f"{budget.front_line} front-line + {budget.departments} department posts can give while every line keeps "
            "staff: lower them or set scenario.volunteer_budget=on_top"
        )
    return front, depts


def largest_remainder(total: int, weights: np.ndarray) -> np.ndarray:
    """Split an integer total in proportion to weights, exactly (Hamilton's method)."""
    weights = np.asarray(weights, dtype=float)
    if weights.sum() <= 0:
        return np.zeros(len(weights), dtype=int)
    raw = total * weights / weights.sum()
    base = np.floor(raw).astype(int)
    rest = total - base.sum()
    order = np.argsort(-(raw - base), kind="stable")
    base[order[:rest]] += 1
    return base
