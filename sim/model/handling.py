"""Process 5, handling (ODD 7.7-7.10): cases that reach their staff join the pool's queue
(:mod:`sim.model.queues`), first come first served, with their travel, their hands-on time
(grown while they waited) and their fixed time; each pool's open hours that cases take today
are kept for patrol and inspection, which get what cases leave."""

from __future__ import annotations

import numpy as np

from sim.model import workload
from sim.model.issues import DEPARTMENT, DIGITAL, FRONT_LINE
from sim.model.params import CITY_MANAGEMENT, SERVICE_TYPES
from sim.model.queues import PoolGroup, serve_pools

FACILITY = SERVICE_TYPES.index("facility")
CITY_LINES = [SERVICE_TYPES.index(t) for t in CITY_MANAGEMENT]
"""The lines a command centre dispatches and its supervisors verify, by index."""


def service_h(model, kind, handler) -> np.ndarray:
    """Mean hands-on time; a tailored remedy takes longer (front line and volunteers), and a
    generalist front line takes longer on the lines a specialist department would handle."""
    base = model.service_mean_h[kind]
    tailored = model.policy.remedy == "tailored"
    factor = np.where(tailored & (handler != DEPARTMENT), model.scenario.tailoring_time_factor, 1.0)
    generalist = np.where(
        (handler == FRONT_LINE) & model.specialist_types[kind], model.scenario.generalist_time_factor, 1.0
    )
    return base * np.where(kind == FACILITY, 1.0, factor) * generalist


def handle(model, t0: float, t1: float) -> None:
    """Cases that reach their handler today join its queue (FCFS by arrival; a case found
    yesterday joins today's). Each pool's open time today that cases take is kept for
    patrol and inspection, which get what cases leave."""
    iss = model.issues
    ids = model._in_transit
    due = iss["dispatched_h"][ids] < t1
    today, model._in_transit = ids[due], ids[~due]
    model._occupied = {which: carried(model, which, pools, t0, t1) for which, pools in staff_pools(model)}
    if len(today) == 0:
        return
    today = today[np.argsort(iss["dispatched_h"][today], kind="stable")]
    late = iss["give_up_h"][today] < iss["dispatched_h"][today]
    iss["abandoned_h"][today[late]] = iss["give_up_h"][today[late]]
    model._outcomes = np.concatenate([model._outcomes, today])
    today = today[~late]
    handler = iss["handler"][today]
    kind = iss["service_type"][today]
    work = iss["e_service"][today] * service_h(model, kind, handler)
    # Volunteers' cases were scheduled when they were routed (sim.model.routing.mobilise).
    for which, pools in staff_pools(model):
        sel = handler == which
        if sel.any():
            serve(model, which, pools, today[sel], work[sel], t0, t1)


def verify(model, ids: np.ndarray) -> None:
    """The seven steps' sixth (ODD 7.20): with the command centre and supervisors, each
    city-management case handled is verified on site by a supervisor, ``scenario.verify_h`` of
    their working time after it was handled (a case handled out of their hours waits for their
    next shift); the hours come out of the next day's walking."""
    if not model.policy.command_centre or model.n_supervisors == 0:
        return
    iss, cal = model.issues, model.supervisor_calendar
    done = ids[np.isin(iss["service_type"][ids], CITY_LINES) & np.isfinite(iss["resolved_h"][ids])]
    if len(done) == 0:
        return
    per_case = model.scenario.verify_h
    handled = iss["resolved_h"][done]
    iss["verified_h"][done] = np.maximum(cal.time_at_array(cal.clock_array(handled) + per_case), handled)
    model.verification_due_h += per_case * len(done)


def staff_pools(model):
    return ((FRONT_LINE, model.front_pools), (DEPARTMENT, model.dept_pools))


def calendar_of(model, which: int):
    """The hours the front line's or the departments' staff handle cases in."""
    return model.front_work_calendar if which == FRONT_LINE else model.dept_work_calendar


def carried(model, which: int, pools: PoolGroup, t0: float, t1: float) -> np.ndarray:
    """Per pool, the open hours of today that cases booked before today take."""
    cal = calendar_of(model, which)
    w0 = cal.clock(t0)
    return pools.busy_in_window(w0, cal.clock(t1) - w0)


def serve(model, which: int, pools: PoolGroup, ids: np.ndarray, work: np.ndarray, t0: float, t1: float) -> None:
    """Queue the cases ``ids`` (in dispatch order) at their pools, all pools at once; a
    case takes its travel, its hands-on ``work`` (grown while it waited) and its fixed
    time: documentation, and the triage of a report made through the digital channel."""
    iss, sc = model.issues, model.scenario
    fixed = sc.doc_h_per_case + sc.digital_triage_h * (iss["channel"][ids] == DIGITAL)
    out = serve_pools(
        pools,
        iss["pool"][ids],
        np.maximum(iss["dispatched_h"][ids], t0),
        iss["give_up_h"][ids],
        iss["created_h"][ids],
        iss["x"][ids].astype(float),
        iss["y"][ids].astype(float),
        work,
        sc.worsening_per_day / 24.0,
        sc.worsening_cap,
        fixed,
    )
    iss["started_h"][ids] = out.started_h
    iss["resolved_h"][ids] = out.resolved_h
    verify(model, ids)
    iss["abandoned_h"][ids] = np.where(np.isnan(out.resolved_h), out.abandoned_h, np.nan)
    iss["travel_h"][ids] = out.travel_h
    iss["work_h"][ids] = out.work_h
    cal = calendar_of(model, which)
    w0, w1 = cal.clock(t0), cal.clock(t1)
    overlap = workload.overlap_open_h(out.w_start, out.w_end, w0, w1)
    model._occupied[which] = model._occupied[which] + np.bincount(iss["pool"][ids], overlap, minlength=len(pools))
