"""Processes 2, 3 and 7, detection (ODD 7.2, 7.3, 7.5): whether and when a resident reports a
need, and through which channel; reports that reach the state; needs given up unknown.

Finding needs on visits and faults on patrol is detection too, by staff: :mod:`sim.model.patrol`.
"""

from __future__ import annotations

import numpy as np

from sim.model.params import SERVICE_TYPES

FACILITY = SERVICE_TYPES.index("facility")


def willingness(propensity, trust, initial_trust: float, elasticity: float, ease):
    """Probability that a resident reports a need: propensity x (trust / initial)^e x ease.

    Low trust hides needs; high trust raises reporting (induced demand)."""
    return np.clip(propensity * (trust / initial_trust) ** elasticity * ease, 0.0, 1.0)


def repeat_report_after_h(e, rate_per_day, growth_per_day: float, cap: float):
    """Hours after a need arises at which its resident reports it unprompted: the time at which
    the cumulative hazard reaches ``e`` (an Exp(1) draw of the need), for a hazard that starts
    at ``rate_per_day`` and grows with the need as handling time does, x min(1 + growth x t,
    cap) at age t days. inf where the rate is 0."""
    e, rate = np.broadcast_arrays(np.asarray(e, dtype=float), np.asarray(rate_per_day, dtype=float))
    days = np.full(e.shape, np.inf)
    live = rate > 0
    e, rate = e[live], rate[live]
    if growth_per_day > 0 and cap > 1:
        t_cap = (cap - 1.0) / growth_per_day  # age at which the growth stops
        h_cap = rate * (t_cap + growth_per_day * t_cap**2 / 2)  # hazard accumulated by then
        growing = (np.sqrt(1.0 + 2.0 * growth_per_day * e / rate) - 1.0) / growth_per_day
        days[live] = np.where(e <= h_cap, growing, t_cap + (e - h_cap) / (rate * cap))
    else:
        days[live] = e / rate
    return days * 24.0


def decide_reporting(model, ids: np.ndarray) -> None:
    """When each new need would be reported, and through which channel: at once (after a
    short delay) with the resident's willingness, or else on a later day, with a daily
    hazard that rises as the need worsens (repeat reporting); never if neither comes."""
    iss, pop, sc = model.issues, model.population, model.scenario
    res = iss["resident_id"][ids]
    people = np.flatnonzero(res >= 0)
    faults = np.flatnonzero(res < 0)
    r = res[people]
    kind = pop.category[r].astype(np.int64) * 2 + pop.digital[r]  # the key of the channel table
    willing = np.zeros(len(ids))
    willing[people] = willingness(
        pop.propensity[r], pop.trust[r], sc.initial_trust, sc.trust_elasticity, model._channel_ease[kind]
    )
    code, cal, ease = model._fault_channel  # passers-by: a fault, or an event in public space
    facility = iss["service_type"][ids[faults]] == FACILITY
    willing[faults] = ease * np.where(facility, sc.facility_report_prob, sc.event_report_prob)
    decided = decision_time(model, ids, willing)
    report_h = np.full(len(ids), np.inf)
    channel = np.zeros(len(ids), dtype=np.int8)
    groups = [(people[kind == k], usable) for k, usable in enumerate(model._channel_usable) if usable]
    for sel, usable in [*groups, (faults, [(code, cal)])]:
        sel = sel[np.isfinite(decided[sel])]
        for code, cal in usable:  # the channel that opens first after the decision
            t = decided[sel] if cal.always_open else cal.next_open(decided[sel])
            sooner = t < report_h[sel]
            report_h[sel[sooner]] = t[sooner]
            channel[sel[sooner]] = code
    iss["report_h"][ids] = report_h
    iss["report_channel"][ids] = channel
    model._undetected = np.concatenate([model._undetected, ids])


def decision_time(model, ids: np.ndarray, willing: np.ndarray) -> np.ndarray:
    """When the resident decides to report each need (inf: never): at once with
    probability ``willing`` (after a delay), else when the repeat-reporting hazard strikes."""
    iss, sc = model.issues, model.scenario
    created = iss["created_h"][ids]
    prompt = np.where(iss["u_report"][ids] < willing, created + iss["e_delay"][ids] * sc.report_delay_h, np.inf)
    later = created + repeat_report_after_h(
        iss["e_report"][ids], sc.repeat_report_per_day * willing, sc.worsening_per_day, sc.worsening_cap
    )
    return np.fmin(prompt, later)


def learn_of_reports(model, t1: float) -> None:
    """Needs and faults reported before the day ends become known (their patience not yet
    run out); the rest wait for a visit, a patrol, a later report or their giving up."""
    iss = model.issues
    ids = model._undetected
    when = iss["report_h"][ids]
    known = (when < t1) & (when <= iss["give_up_h"][ids])
    make_known(model, ids[known], when[known], iss["report_channel"][ids[known]])
    model._undetected = ids[~known]


def make_known(model, ids: np.ndarray, when: np.ndarray, channel) -> None:
    """The state learns of ``ids`` at ``when`` through ``channel``: they go on to be routed."""
    model.issues["reported_h"][ids] = when
    model.issues["channel"][ids] = channel
    model._in_transit = np.concatenate([model._in_transit, ids])


def give_up_unknown(model, t1: float) -> None:
    """Needs and faults still unknown whose patience ran out today are given up on
    (abandoned, never known to the state)."""
    iss = model.issues
    ids = model._undetected
    lost = iss["give_up_h"][ids] < t1
    iss["abandoned_h"][ids[lost]] = iss["give_up_h"][ids[lost]]
    model._outcomes = np.concatenate([model._outcomes, ids[lost]])
    model._undetected = ids[~lost]
