"""Process 4, routing (ODD 7.6, 7.11, 7.18): known cases get their transfers (hops), their
handler and pool (with a command centre, city-management cases are dispatched by the centre);
eligible ones go to the party's volunteers while their branch has hours."""

from __future__ import annotations

import numpy as np

from sim.model.handling import CITY_LINES, service_h
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


MISROUTE_HOPS = 2
"""A misrouted case's extra hops: to the wrong department, and back to be sent on (推诿)."""


def route(model, t1: float) -> None:
    """Assign handler and dispatch time to issues that became known today."""
    iss, po, sc, pop = model.issues, model.policy, model.scenario, model.population
    ids = model._in_transit[np.isnan(iss["dispatched_h"][model._in_transit])]
    if len(ids) == 0:
        return
    kind = iss["service_type"][ids]
    res = iss["resident_id"][ids]
    front = model.front_line_types[kind]
    channel = iss["channel"][ids]
    reported = (channel == COUNTER) | (channel == HOTLINE) | (channel == DIGITAL)
    elsewhere = (res >= 0) & (pop.registration[np.maximum(res, 0)] != pop.community[np.maximum(res, 0)])
    # A command centre dispatches city-management cases itself: one hop, to the unit responsible.
    centre = po.command_centre & np.isin(kind, CITY_LINES)
    bounced = reported & elsewhere & (not po.linkage) & ~centre
    via_hotline = channel == HOTLINE
    h = hops(front, po.routing, via_hotline, sc.hierarchy_hops, bounced, sc.bounce_hops)
    misrouted, wrong_dept = detour(model, kind, front, sc.misroute_share)
    second, second_dept = detour(model, kind, front, sc.multi_dept_share)
    h, misrouted, wrong_dept = np.where(centre, 1, h), misrouted & ~centre, np.where(centre, -1, wrong_dept)
    called_in = second & ((po.routing == "grid_first") | centre)  # at once: no hop, no delay
    h = h + MISROUTE_HOPS * misrouted + np.where(second & ~called_in, min(2, sc.hierarchy_hops), 0)
    iss["hops"][ids] = h
    model.books["misrouted"] += int(misrouted.sum())
    model.books["second_department"] += int(second.sum())
    model.books["sent_to_registration"] += int(bounced.sum())
    handler = np.where(front, FRONT_LINE, DEPARTMENT).astype(np.int8)
    pool = kind.astype(np.int32)  # a department's pool is its service line
    local = ids[front]
    pool[front] = model.pool_of(iss["community"][local], iss["x"][local], iss["y"][local])
    wrong_front = np.full(len(ids), -1, dtype=np.int64)
    sent_wrong = bounced & front & (sc.bounce_hops > 0)
    if sent_wrong.any():
        wrong_front[sent_wrong] = registered_pool(model, res[sent_wrong])
    pass_on(model, t1 - 24.0, h, called_in, pool, handler, wrong_front, wrong_dept, second_dept)
    arrives = iss["reported_h"][ids] + np.where(centre, sc.centre_dispatch_h, h * sc.hop_delay_h)
    # A resident whose patience runs out while the case is passed between offices gives
    # up then: the case never reaches a queue (the offices it passed took their time).
    lost = iss["give_up_h"][ids] < arrives
    if lost.any():
        gone = ids[lost]
        iss["abandoned_h"][gone] = iss["give_up_h"][gone]
        model._in_transit = model._in_transit[~np.isin(model._in_transit, gone)]
        model._outcomes = np.concatenate([model._outcomes, gone])
        ids, kind, front, arrives = ids[~lost], kind[~lost], front[~lost], arrives[~lost]
        handler, pool, centre = handler[~lost], pool[~lost], centre[~lost]
    iss["dispatched_h"][ids] = arrives
    if po.backup == "partner":
        pool[front] = cover(model, pool[front], arrives[front])
    if po.mobilisation:  # a centre's cases go to the unit responsible, with its time limit: not volunteers
        handler = mobilise(model, ids, kind, handler, offered=~centre)
    iss["handler"][ids] = handler
    iss["pool"][ids] = pool


def detour(model, kind, front, share: float) -> tuple[np.ndarray, np.ndarray]:
    """Department cases that also go to another department, each with probability ``share``:
    which do, and the other department (-1 for none). Drawn only when ``share`` is above 0, so
    that the mechanism switched off leaves the random stream as it was."""
    other = np.full(len(kind), -1, dtype=np.int64)
    lines = np.array([k for k, p in enumerate(model.dept_pools) if p is not None], dtype=np.int64)
    if share <= 0 or len(lines) < 2:
        return np.zeros(len(kind), dtype=bool), other
    rng = model.policy_rng
    hit = ~front & (rng.random(len(kind)) < share)
    # Another line than the case's own: a uniform pick among the others.
    own = np.searchsorted(lines, kind[hit])
    pick = rng.integers(0, len(lines) - 1, size=int(hit.sum()))
    other[hit] = lines[pick + (pick >= own)]
    return hit, other


def registered_pool(model, res) -> np.ndarray:
    """The front-line pool at the centre of each resident's community of registration (-1 for a
    resident registered outside the territory, or for none)."""
    reg = np.where(res >= 0, model.population.registration[np.maximum(res, 0)], -1)
    out = np.full(len(res), -1, dtype=np.int64)
    inside = reg >= 0
    cx, cy = model._community_centre
    out[inside] = model.pool_of(reg[inside], cx[reg[inside]], cy[reg[inside]])
    return out


def pass_on(model, t0, h, called_in, pool, handler, wrong_front, wrong_dept, second_dept) -> None:
    """Charge the staff time of passing cases on (ODD 7.6): ``scenario.hop_staff_h`` at each of a
    hop's two ends. A wrong place a case went first (the community of registration, the wrong
    department) spends two ends (it receives the case and passes it on); the second department
    of a two-department case two (it receives it and reports back; ``called_in``: called in at
    once from the grid, a hop without delay); the handler's pool every other end. Booked today,
    before cases, as hours of the pools that bear them (``passing_on`` in their books)."""
    per_end = model.scenario.hop_staff_h
    if per_end <= 0:
        return
    ends = 2.0 * (h + called_in)
    by = {FRONT_LINE: np.zeros(len(model.front_pools)), DEPARTMENT: np.zeros(len(model.dept_pools))}
    for which, at in ((FRONT_LINE, wrong_front), (DEPARTMENT, wrong_dept), (DEPARTMENT, second_dept)):
        there = at >= 0
        np.add.at(by[which], at[there], 2.0 * per_end)
        ends = ends - 2.0 * there
    for which in (FRONT_LINE, DEPARTMENT):
        mine = handler == which
        np.add.at(by[which], pool[mine], np.maximum(ends[mine], 0.0) * per_end)
    for which, pools in ((FRONT_LINE, model.front_pools), (DEPARTMENT, model.dept_pools)):
        if by[which].any():
            cal = model.front_work_calendar if which == FRONT_LINE else model.dept_work_calendar
            pools.block(by[which], cal.clock(t0), kind="passing_on")


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


def mobilise(model, ids, kind, handler, offered=True):
    """Eligible cases go to the community's party volunteers while the branch has hours
    left this week (its weekly budget is its queue: a case it cannot take goes to staff).
    Volunteers start after mobilisation, in their own hours, travel from the community's
    centre, and a case that waited has grown like any other. Their times are set here."""
    iss, sc = model.issues, model.scenario
    eligible = np.flatnonzero(model.volunteer_eligible[kind] & offered)
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
