"""Process 4, routing (ODD 7.6, 7.11): known cases get their transfers (hops), their handler
and pool; eligible ones go to the party's volunteers while their branch has hours."""

from __future__ import annotations

import numpy as np

from sim.model.handling import service_h
from sim.model.issues import COUNTER, DEPARTMENT, DIGITAL, FRONT_LINE, HOTLINE, VOLUNTEER


def hops(front_line, routing: str, via_hotline, hierarchy_hops: int, bounced, bounce_hops: int):
    """Administrative transfers before a case reaches its handler.

    Hierarchical: a hotline call enters at the top and travels hotline → district →
    department → town → community (``hierarchy_hops``); a case raised at the community
    (counter, WeChat/QR, a worker's visit) starts there. A department case takes two hops
    either way (to the department via district or town). Grid-first: the grid handles what is
    within competence at once, whatever the channel, and escalates the rest in one hop. A case
    routed by registration address for a resident living elsewhere (人户分离) bounces
    ``bounce_hops`` more."""
    to_dept = min(2, hierarchy_hops)
    if routing == "hierarchical":
        h = np.where(front_line, np.where(via_hotline, hierarchy_hops, 0), to_dept)
    else:
        h = np.where(front_line, 0, 1)
    return h + np.where(bounced, bounce_hops, 0)


def route(model, t1: float) -> None:
    """Assign handler and dispatch time to issues that became known today."""
    iss, po, sc, pop = model.issues, model.policy, model.scenario, model.population
    ids = model._in_transit[np.isnan(iss["dispatched_h"][model._in_transit])]
    if len(ids) == 0:
        return
    kind = iss["service_type"][ids]
    res = iss["resident_id"][ids]
    front = model.front_line_types[kind]
    reported = np.isin(iss["channel"][ids], (COUNTER, HOTLINE, DIGITAL))
    elsewhere = (res >= 0) & (pop.registration[np.maximum(res, 0)] != pop.community[np.maximum(res, 0)])
    bounced = reported & elsewhere & (not po.linkage)
    via_hotline = iss["channel"][ids] == HOTLINE
    h = hops(front, po.routing, via_hotline, sc.hierarchy_hops, bounced, sc.bounce_hops)
    iss["hops"][ids] = h
    arrives = iss["reported_h"][ids] + h * sc.hop_delay_h
    # A resident whose patience runs out while the case is passed between offices gives
    # up then: the case never reaches a queue.
    lost = iss["give_up_h"][ids] < arrives
    if lost.any():
        gone = ids[lost]
        iss["abandoned_h"][gone] = iss["give_up_h"][gone]
        model._in_transit = model._in_transit[~np.isin(model._in_transit, gone)]
        model._outcomes = np.concatenate([model._outcomes, gone])
        ids, kind, front, arrives = ids[~lost], kind[~lost], front[~lost], arrives[~lost]
    iss["dispatched_h"][ids] = arrives
    handler = np.where(front, FRONT_LINE, DEPARTMENT).astype(np.int8)
    pool = kind.astype(np.int32)  # a department's pool is its service line
    local = ids[front]
    pool[front] = model.pool_of(iss["community"][local], iss["x"][local], iss["y"][local])
    if po.backup == "partner":
        pool[front] = cover(model, pool[front], arrives[front])
    if po.mobilisation:
        handler = mobilise(model, ids, kind, handler)
    iss["handler"][ids] = handler
    iss["pool"][ids] = pool


def cover(model, pool: np.ndarray, arrives: np.ndarray) -> np.ndarray:
    """A/B roles: a case whose grid unit has more than ``policy.backup_after_h`` of work queued
    ahead of it (as the unit's queue stood when the day began) goes to the unit's partner, if
    the partner's queue is shorter. The partner travels from where it last worked, and its own
    residents' cases wait behind the case it covers."""
    partner = model._partner[pool]
    clock = model.front_work_calendar.clock_array(arrives)
    ahead = np.maximum(model.front_pools.earliest_free(pool) - clock, 0.0)
    ahead_partner = np.maximum(model.front_pools.earliest_free(np.maximum(partner, 0)) - clock, 0.0)
    moved = (partner >= 0) & (ahead > model.policy.backup_after_h) & (ahead_partner < ahead)
    model.books["covered"] += int(moved.sum())
    return np.where(moved, partner, pool)


def mobilise(model, ids, kind, handler):
    """Eligible cases go to the community's party volunteers while the branch has hours
    left this week (its weekly budget is its queue: a case it cannot take goes to staff).
    Volunteers start after mobilisation, in their own hours, travel from the community's
    centre, and a case that waited has grown like any other. Their times are set here."""
    iss, sc = model.issues, model.scenario
    eligible = np.flatnonzero(model.volunteer_eligible[kind])
    order = eligible[np.argsort(iss["reported_h"][ids[eligible]], kind="stable")]
    rows = ids[order]
    cal = model.volunteer_calendar
    start = cal.next_open(iss["dispatched_h"][rows] + sc.mobilisation_delay_h)
    grown = np.minimum(1.0 + sc.worsening_per_day * (start - iss["created_h"][rows]) / 24.0, sc.worsening_cap)
    hands_on = iss["e_service"][rows] * service_h(model, kind[order], VOLUNTEER) * grown
    cx, cy = model._community_centre
    comm = iss["community"][rows]
    travel = (np.abs(cx[comm] - iss["x"][rows]) + np.abs(cy[comm] - iss["y"][rows])) / sc.travel_kmh
    travel = travel if sc.travel else np.zeros(len(rows))
    booked = hands_on + travel
    # Volunteers are offered a case only if they can start before the resident gives up.
    in_time = (start <= iss["give_up_h"][rows]).tolist()
    branches, pairing = model.branches, model.policy.pairing
    offers = zip(in_time, comm.tolist(), booked.tolist())
    taken = np.array([ok and branches[c].take(h, pairing) is not None for ok, c, h in offers], dtype=bool)
    took = rows[taken]
    iss["started_h"][took] = start[taken]
    iss["resolved_h"][took] = cal.end_at_array(cal.clock_array(start[taken]) + booked[taken])
    iss["travel_h"][took] = travel[taken]
    iss["work_h"][took] = hands_on[taken]
    handler[order[taken]] = VOLUNTEER
    return handler
