"""Processes 3a and 6, supervision, patrol and inspection (ODD 7.20, 7.4, 7.5): city
supervisors, where a scenario hires them, walk their beats all their hours, finding faults and
events in public space; with the hours that cases and the fixed shares leave, the front line
visits households (learning of needs, refreshing what it knows, and tiring residents it visits
too often) and walks public space finding faults and events; the facility department inspects
public space with the hours its cases leave."""

from __future__ import annotations

import numpy as np

from sim.model import workload
from sim.model.calendar import WEEK_H
from sim.model.detection import make_known
from sim.model.issues import DEPARTMENT, FRONT_LINE, PATROL, SUPERVISOR, VISIT
from sim.model.params import SERVICE_TYPES

FACILITY = SERVICE_TYPES.index("facility")


def intrusive(previous_visit_h, visit_h, fatigue_days: float):
    """Whether a visit comes within ``fatigue_days`` of the last one that found the resident in."""
    return np.asarray(visit_h) - np.asarray(previous_visit_h) < fatigue_days * 24.0


def tire(value, cost: float):
    """Satisfaction or trust after an intrusive visit: a share ``cost`` of it is lost."""
    return np.asarray(value) * (1.0 - cost)


def patrol_and_inspect(model, t0: float, t1: float) -> None:
    """With the hours that today's cases, duties and appraisal leave (and at least its
    floor), the front line patrols: it visits households, learning of their needs and
    refreshing what it knows, and walks public space, finding component faults; the
    facility department inspects public space with the hours its cases leave. Needs found
    today are routed tomorrow (cases came first today)."""
    sc = model.scenario
    front = front_patrol(model, t0, t1)
    dept = inspection(model, t0, t1)
    if front is None and dept is None:
        return
    # Faults and events in public space (no owner), not yet known.
    faults = model._undetected[model.issues["resident_id"][model._undetected] < 0]
    if front is not None:
        hours, w0, open_h = front
        visit_households(model, hours * (1.0 - sc.patrol_street_share), w0, open_h)
        street = workload.coverage(hours * sc.patrol_street_share, sc.inspection_km2_per_h, model._pool_area)
        faults = find_faults(model, faults, street[fault_pool(model, faults)], model.front_work_calendar, w0, open_h)
    if dept is not None:
        hours, w0, open_h = dept
        cover = workload.coverage(hours, sc.inspection_km2_per_h, sc.area_km2)
        find_faults(model, faults, np.full(len(faults), float(cover)), model.dept_work_calendar, w0, open_h)


def supervise(model, t0: float, t1: float) -> None:
    """Process 3a (ODD 7.20): the city supervisors walk their beats all of today's open hours;
    each fault or event in public space still unknown is found with the share of public space
    they check in the day, at a moment of their shift, unless the public reports it first. They
    handle no case: they walk before reports are taken and cases routed, so what they find is
    routed today (staff patrol with what cases leave: process 6). Their draws are a stream of
    their own (``model.supervision_rng``), so that hiring them leaves the policy's draws alone."""
    n, cal, sc = model.n_supervisors, model.supervisor_calendar, model.scenario
    w0, w1 = cal.clock(t0), cal.clock(t1)
    if n == 0 or w1 <= w0:
        return
    # Verifying yesterday's handled cases comes first; they walk the hours it leaves.
    verifying = min(model.verification_due_h, n * (w1 - w0))
    model.verification_due_h -= verifying
    hours = n * (w1 - w0) - verifying
    model.books["verification_h"] += verifying
    model.books["supervision_h"] += hours
    cover = float(workload.coverage(hours, sc.inspection_km2_per_h, sc.area_km2))
    unowned = model._undetected[model.issues["resident_id"][model._undetected] < 0]
    find_faults(model, unowned, np.full(len(unowned), cover), cal, w0, w1 - w0, SUPERVISOR, model.supervision_rng)


def front_patrol(model, t0: float, t1: float):
    """Today's patrol hours of each front-line pool (None without patrol or open hours)."""
    po, cal = model.policy, model.front_work_calendar
    if po.patrol_share <= 0:
        return None
    w0, w1 = cal.clock(t0), cal.clock(t1)
    if w1 <= w0:
        return None
    servers, share = model._front_staff, model.front_case_share
    slack = np.maximum(servers * (w1 - w0) - model._occupied[FRONT_LINE], 0.0)
    if model.scenario.duty_schedule == "scheduled":  # the floor, too, from what cases and duties leave
        # Patrol's most and floor are shares of the paid hours, meetings included.
        paid_h = model.service_calendar.clock(t1) - model.service_calendar.clock(t0)
        hours, floor = workload.patrol_from_slack_h(slack, servers, paid_h, po.patrol_share, po.patrol_floor)
        model.books["patrol_floor_h"] += float(floor.sum())
        extra = hours - floor
    else:
        hours, extra = workload.patrol_h(slack, share, servers, w1 - w0, po.patrol_share, po.patrol_floor)
    model.books["patrol_extra_h"] += float(extra.sum())
    return hours, w0, w1 - w0


def inspection(model, t0: float, t1: float):
    """Today's inspection hours of the facility department (None if it has no such
    department, no inspection or no open hours)."""
    pool = model.dept_pools[FACILITY]
    if pool is None or model.policy.inspection_share <= 0:
        return None
    cal = model.dept_work_calendar
    w0, w1 = cal.clock(t0), cal.clock(t1)
    if w1 <= w0:
        return None
    slack = max(pool.n_servers * (w1 - w0) - model._occupied[DEPARTMENT][FACILITY], 0.0)
    # Inspection's most is a share of the paid hours, meetings included (duties scheduled).
    paid_h = model.office_calendar.clock(t1) - model.office_calendar.clock(t0)
    _, extra = workload.patrol_h(slack, pool.share, pool.n_servers, paid_h, model.policy.inspection_share, 0.0)
    model.books["inspection_h"] += float(extra)
    return float(extra), w0, w1 - w0


def visit_households(model, hours: np.ndarray, w0: float, open_h: float) -> None:
    """Visits of random households of each pool at random moments of the shift, each
    costing ``visit_h`` and, where someone is home, ``doc_h_per_visit`` to log: those at
    home tell of their pending needs (each with ``visit_detection_prob``), refresh what
    staff know of them, and lose some satisfaction and trust if visited too soon again."""
    sc, pop, rng = model.scenario, model.population, model.policy_rng
    sizes = model._pool_sizes
    n_visits = np.floor(hours / (sc.visit_h + sc.doc_h_per_visit) + rng.random(len(hours))).astype(int)
    n_visits = np.where(sizes > 0, n_visits, 0)
    pool = np.repeat(np.arange(len(sizes)), n_visits)
    who = model._pool_members[model._pool_offsets[pool] + (rng.random(len(pool)) * sizes[pool]).astype(int)]
    when = model.front_work_calendar.time_at_array(w0 + rng.random(len(pool)) * open_h)
    # Nobody answers the door of an absent resident (their category's hours away).
    hour = np.floor(when).astype(np.int64) % WEEK_H
    home = ~model._away_hours[pop.category[who], hour]
    who, when = who[home], when[home]
    model.visit_log_h += np.bincount(pool[home], minlength=len(sizes)) * sc.doc_h_per_visit
    model.books["visits"] += len(pool)
    model.books["visits_home"] += len(who)
    if len(who) == 0:
        return
    order = np.argsort(when, kind="stable")  # in time order: fatigue counts the visit before
    who, when = who[order], when[order]
    tire_visited(model, who, when)
    # Each resident's last visit today is the contact that refreshes what staff know.
    _, last = np.unique(who[::-1], return_index=True)
    last = len(who) - 1 - last
    pop.record_contact(who[last], when[last])
    find_needs(model, who, when)


def tire_visited(model, who: np.ndarray, when: np.ndarray) -> None:
    """Visits within ``visit_fatigue_days`` of the resident's previous one intrude."""
    sc, pop = model.scenario, model.population
    for w, t in _in_rounds(who, when):
        hit = intrusive(pop.last_visit_h[w], t, sc.visit_fatigue_days)
        pop.last_visit_h[w] = t
        w = w[hit]
        model.books["visits_intrusive"] += len(w)
        pop.satisfaction[w] = tire(pop.satisfaction[w], sc.visit_fatigue_cost)
        pop.satisfaction_known[w] = tire(pop.satisfaction_known[w], sc.visit_fatigue_cost)
        pop.trust[w] = tire(pop.trust[w], sc.visit_fatigue_cost)


def find_needs(model, who: np.ndarray, when: np.ndarray) -> None:
    """Pending needs of the residents found at home (``who`` at ``when``, in time order)
    surface, each visit anew with ``visit_detection_prob``, at the first visit after the
    need arose that catches it."""
    iss, rng = model.issues, model.policy_rng
    ids = model._undetected
    cand = ids[np.isin(iss["resident_id"][ids], who)]
    if len(cand) == 0:
        return
    # Every (need, visit) pair of the need's resident, in visit order.
    by_res = np.argsort(who, kind="stable")
    first = np.searchsorted(who[by_res], iss["resident_id"][cand], side="left")
    count = np.searchsorted(who[by_res], iss["resident_id"][cand], side="right") - first
    need = np.repeat(np.arange(len(cand)), count)
    visit_t = when[by_res][np.repeat(first, count) + _ranks(count)]
    created = iss["created_h"][cand][need]
    ok = (visit_t >= created) & (visit_t <= iss["give_up_h"][cand][need]) & (visit_t < iss["report_h"][cand][need])
    caught = ok & (rng.random(len(need)) < model.scenario.visit_detection_prob)
    found_t = np.full(len(cand), np.inf)
    np.minimum.at(found_t, need[caught], visit_t[caught])
    found = np.isfinite(found_t)
    make_known(model, cand[found], found_t[found], VISIT)
    model._undetected = ids[~np.isin(ids, cand[found])]


def fault_pool(model, faults: np.ndarray) -> np.ndarray:
    iss = model.issues
    return model.pool_of(iss["community"][faults], iss["x"][faults], iss["y"][faults])


def find_faults(model, faults, chance, cal, w0: float, open_h: float, channel=PATROL, rng=None) -> np.ndarray:
    """Each pending fault or event in public space is found with ``chance`` (the day's share of
    its public space checked), at a random moment of the shift (if it has arisen and is not yet
    reported by then), and becomes known through ``channel``; draws from ``rng`` (default: the
    policy's stream). Returns those still unknown."""
    iss, rng = model.issues, rng or model.policy_rng
    if len(faults) == 0:
        return faults
    hit = rng.random(len(faults)) < chance
    when = cal.time_at_array(w0 + rng.random(len(faults)) * open_h)
    found = hit & (when >= iss["created_h"][faults]) & (when < iss["report_h"][faults])
    found &= when <= iss["give_up_h"][faults]
    make_known(model, faults[found], when[found], channel)
    model._undetected = model._undetected[~np.isin(model._undetected, faults[found])]
    return faults[~found]


def _in_rounds(who: np.ndarray, when: np.ndarray):
    """Split visits (in time order) into rounds in which each resident appears once: the
    first visit of each, then the second, and so on."""
    while len(who):
        _, first = np.unique(who, return_index=True)
        first = np.sort(first)
        yield who[first], when[first]
        keep = np.ones(len(who), dtype=bool)
        keep[first] = False
        who, when = who[keep], when[keep]


def _ranks(count: np.ndarray) -> np.ndarray:
    """0 .. count[i] - 1 for each i, concatenated."""
    starts = np.cumsum(count) - count
    return np.arange(int(count.sum())) - np.repeat(starts, count)
