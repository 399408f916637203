"""Observing a model: what its state says at a moment, as data.

Measurement is kept out of :mod:`sim.model.model`, which holds the daily step: these functions read a
:class:`~sim.model.model.GovernanceModel` and return tables and numbers, and never change it.

* :func:`issue_frame`: one row per issue, as known at the horizon (``issues.parquet``);
* :func:`time_use`: how staff and volunteers spent their hours, and the utilisation of every
  pool (the capacity table);
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.model.calendar import WEEK_H
from sim.model.issues import (
    CHANNEL_NAMES,
    DEPARTMENT,
    FRONT_LINE,
    HANDLER_NAMES,
    RATING_NAMES,
    STATUS_NAMES,
    label_column,
)
from sim.model.model import MONTH_DAYS
from sim.model.params import SERVICE_TYPES
from sim.model.queues import plain_sum


def issue_frame(model) -> pd.DataFrame:
    """One row per issue (the ``issues.parquet`` contract), as known at the model's last day."""
    v = at_horizon(model, model.day * 24.0)
    resolved = ~np.isnan(v["resolved_h"])
    # Intermediate arrays are dropped as soon as their column is made (``pop``, helper
    # functions): at district scale each is megabytes, and this is the run's peak memory.
    columns = {
        "issue_id": np.arange(len(v["resident_id"]), dtype=np.int64),
        "resident_id": v["resident_id"].astype(np.int64),
        **resident_columns(model.population, v["resident_id"]),
        "service_type": label_column(v["service_type"], SERVICE_TYPES),
        "community": v["community"].copy(),  # copies of the model's own columns: the
        "created_h": v["created_h"].copy(),  # frame is built without copying (below)
        "reported_h": v["reported_h"],
        "dispatched_h": v["dispatched_h"],
        "started_h": v["started_h"],
        "resolved_h": v["resolved_h"],
        "verified_h": v["verified_h"],
        "abandoned_h": v["abandoned_h"],
        "status": _status_column(resolved, v["abandoned_h"]),
        "channel": label_column(v.pop("channel"), CHANNEL_NAMES),
        "handler": label_column(v.pop("handler"), HANDLER_NAMES),
        "hops": v["hops"].astype(np.int16),
        "travel_h": np.where(resolved, v["travel_h"], np.nan),
        "work_h": np.where(resolved, v["work_h"], np.nan),
        "fit": v.pop("fit").astype(float),
        "solved": _solved_column(v.pop("solved")),
        "callback_score": v.pop("callback_score").astype(float),
        "rating": label_column(v.pop("rating") + 1, CALLBACK_ANSWERS),
    }
    # Every array above is new (see at_horizon), so the frame may take them as they are:
    # a second copy of 1.6 M rows would only add to the peak memory.
    return pd.DataFrame(columns, copy=False)


CALLBACK_ANSWERS = ("none", *RATING_NAMES)
"""Values of the ``rating`` column: "none" where no callback was made (a need never known, or
still open)."""


def resident_columns(pop, res: np.ndarray) -> dict:
    """Category of the resident ("component" for a fault) and whether they are
    registered in another community than the one they live in."""
    person = res >= 0
    who = np.maximum(res, 0)
    component = len(pop.category_names)  # code of "component": a fault has no resident
    category = np.where(person, pop.category[who], component)
    return {
        "category": label_column(category, [*pop.category_names, "component"]),
        "registered_elsewhere": person & (pop.registration[who] != pop.community[who]),
    }


def at_horizon(model, horizon_h: float) -> dict[str, np.ndarray]:
    """Issue columns as known at ``horizon_h``: starts and ends booked for later are
    not yet events (the case is still open at the horizon)."""
    v = dict(model.issues.view())
    for col in ("reported_h", "dispatched_h", "started_h", "resolved_h", "verified_h", "abandoned_h"):
        late = v[col] >= horizon_h
        v[col] = np.where(late, np.nan, v[col])  # a new array even when nothing is late
    unresolved = np.isnan(v["resolved_h"])
    v["fit"] = np.where(unresolved, np.nan, v["fit"])
    v["solved"] = np.where(unresolved, -1, v["solved"])
    v["channel"] = np.where(np.isnan(v["reported_h"]), 0, v["channel"])
    open_ = unresolved & np.isnan(v["abandoned_h"])  # not yet called back
    v["rating"] = np.where(open_, -1, v["rating"])
    v["callback_score"] = np.where(open_, np.nan, v["callback_score"])
    v["handler"] = np.where(np.isnan(v["dispatched_h"]), 0, v["handler"])
    return v


def casework_h(pools, horizon_h: float) -> dict[str, float]:
    """Hours a group of pools gave to cases before ``horizon_h``: hands-on, travel and fixed
    time (documentation, triage). Time booked past the horizon is left out, from each part
    in proportion."""
    busy = plain_sum(p.busy_h for p in pools)
    committed = plain_sum(p.committed_h(horizon_h) for p in pools)
    kept = committed / busy if busy > 0 else 0.0
    travel = plain_sum(p.travel_total_h for p in pools) * kept
    fixed = plain_sum(p.fixed_total_h for p in pools) * kept
    before = overdue_h(pools, horizon_h) + passing_on_h(pools, horizon_h)
    return {"cases": committed - travel - fixed - before, "travel": travel, "documentation": fixed}


def before_cases_h(pools, horizon_h: float, kind: str) -> float:
    """Hours of ``kind`` the pools booked before cases (:data:`sim.model.queues.BEFORE_CASES`),
    before ``horizon_h``: booked like cases, so left out past the horizon in the same proportion."""
    booked = plain_sum(p.before_cases_h(kind) for p in pools)
    if booked == 0:
        return 0.0
    busy = plain_sum(p.busy_h for p in pools)
    return booked * plain_sum(p.committed_h(horizon_h) for p in pools) / busy


def overdue_h(pools, horizon_h: float) -> float:
    """Hours of overdue duties the pools did before cases (``duty_schedule=scheduled``)."""
    return before_cases_h(pools, horizon_h, "overdue")


def passing_on_h(pools, horizon_h: float) -> float:
    """Hours the pools spent receiving and passing on cases (each hop's two ends, ODD 7.6)."""
    return before_cases_h(pools, horizon_h, "passing_on")


def time_use(model, horizon_h: float) -> dict:
    """How staff and volunteers spent their time over the run to ``horizon_h``, in hours, and
    the utilisation of every pool (KPI names as in the README): the capacity table. The capacity
    is the paid hours and the volunteer hours that can be used (``volunteer_h_usable``: what the
    budget counts them for, ``sim.model.staffing.volunteer_usable_h``), not all the hours they
    have (``volunteer_h_available``).

    Every staff pool's books close: duties, appraisal, records, patrol or inspection,
    documentation, cases, travel and idle time sum to its paid hours. ``utilisation_<pool>``
    is the share of paid hours not idle; ``case_share_<pool>`` the share given to cases
    (hands-on, travel, documentation and triage)."""
    out = {**_front_line_books(model, horizon_h), **_volunteer_books(model, horizon_h)}
    for k, pool in enumerate(model.dept_pools):
        if pool is not None:
            out |= _department_books(model, pool, SERVICE_TYPES[k], horizon_h)
    if model.n_supervisors:
        out |= _supervisor_books(model, horizon_h)
    out |= {name: float(model.books[name]) for name in ("visits", "visits_home", "visits_intrusive")}
    out["cases_covered_by_partner"] = float(model.books["covered"])
    out["cases_misrouted"] = float(model.books["misrouted"])
    out["cases_second_department"] = float(model.books["second_department"])
    out["cases_sent_to_registration"] = float(model.books["sent_to_registration"])
    out |= _duty_deadlines(model, horizon_h)
    paid = sum(v for k, v in out.items() if k.startswith("paid_h_"))
    out["capacity_paid_h"] = paid
    out["volunteer_h_usable"] = model.volunteer_usable_h * horizon_h / WEEK_H
    out["capacity_total_h"] = paid + out["volunteer_h_usable"]
    return out


def overloaded_shares(model, warmup_days: float) -> dict:
    """Busy as the surveys mean it (a share of people, not of hours): the share of posts whose
    demanded hours exceeded their paid hours over a month (``MONTH_DAYS``), over the months that
    began after the warm-up, for the front line and the departments. A post's demanded hours are
    the work booked at its pool that month (cases with their travel, documentation and passing
    on; overdue duties), shared by its staff, and its fixed shares: duties, the appraisal,
    records and the patrol floor (the same total whether duties are spread evenly or scheduled).
    Posts count alike, months alike; NaN without a whole month after the warm-up."""
    out = {}
    months = [
        m for m in zip([(0, None, None), *model.booked_by_month], model.booked_by_month) if m[0][0] >= warmup_days
    ]
    front = 1.0 - model.shares["cases"]
    for k, name, pools, cal, fixed in (
        (1, "front_line", model.front_pools, model.service_calendar, front),
        (2, "departments", model.dept_pools, model.office_calendar, model.duty_share),
    ):
        servers = np.array([p.n_servers if p is not None else 0 for p in pools], dtype=float)
        paid = cal.hours_per_week * MONTH_DAYS / 7.0
        shares = []
        for before, now in months:
            booked = now[k] - (before[k] if before[k] is not None else 0.0)
            over = booked > servers * paid * (1.0 - fixed)
            shares.append(servers[over].sum() / servers.sum() if servers.sum() else np.nan)
        out[f"overloaded_post_share_{name}"] = float(np.mean(shares)) if shares else float("nan")
    return out


def _close(out: dict, pool: str, paid: float, uses: dict[str, float], casework: dict[str, float], share: float):
    """The books of one pool: its paid hours, each use, what is left idle, its utilisation, the
    share of its hours given to cases (``casework``) and its queue's load: the share of the
    hours left for cases (``share`` of paid hours, after the fixed shares) that cases took."""
    out[f"paid_h_{pool}"] = paid
    for use, hours in uses.items():
        out[f"time_{pool}_{use}_h"] = hours
    idle = paid - plain_sum(uses.values())
    out[f"time_{pool}_idle_h"] = idle
    out[f"utilisation_{pool}"] = 1.0 - idle / paid if paid else float("nan")
    out[f"case_share_{pool}"] = plain_sum(casework.values()) / paid if paid else float("nan")
    out[f"case_load_{pool}"] = plain_sum(casework.values()) / (paid * share) if paid and share else float("nan")
    return out


def _front_line_books(model, horizon_h: float) -> dict:
    sc, shares = model.scenario, model.shares
    workers = sum(p.n_servers for p in model.front_pools)
    paid = workers * model.service_calendar.clock(horizon_h)
    work = casework_h(model.front_pools, horizon_h)
    visit_doc = model.books["visits_home"] * sc.doc_h_per_visit
    if sc.duty_schedule == "scheduled":
        fixed, share = _scheduled_duties(model, FRONT_LINE, list(range(len(model.front_pools))), paid, horizon_h)
        patrol = model.books["patrol_floor_h"] + model.books["patrol_extra_h"]
    else:
        fixed = {use: paid * shares[use] for use in ("duties", "appraisal", "records")}
        share = shares["cases"]
        patrol = paid * shares["patrol_floor"] + model.books["patrol_extra_h"]
    uses = {
        **fixed,
        "patrol": patrol - visit_doc,  # household visits and public space
        "documentation": work["documentation"] + visit_doc,
        "passing_on": passing_on_h(model.front_pools, horizon_h),
        "cases": work["cases"],
        "travel": work["travel"],
    }
    return _close({"staff_front_line": workers}, "front_line", paid, uses, work, share)


def _supervisor_books(model, horizon_h: float) -> dict:
    """City supervisors walk their beats all their paid hours but those they verify cases in
    (patrol, verification); they handle no case."""
    n = model.n_supervisors
    paid = n * model.supervisor_calendar.clock(horizon_h)
    uses = {"patrol": model.books["supervision_h"], "verification": model.books["verification_h"]}
    return _close({"staff_supervisors": n}, "supervisors", paid, uses, {}, 0.0)


def _department_books(model, pool, line: str, horizon_h: float) -> dict:
    row = SERVICE_TYPES.index(line)
    paid = pool.n_servers * model.office_calendar.clock(horizon_h)
    work = casework_h([pool], horizon_h)
    uses, share = {"duties": paid * model.duty_share}, pool.share
    if model.scenario.duty_schedule == "scheduled":
        fixed, share = _scheduled_duties(model, DEPARTMENT, [row], paid, horizon_h)
        uses = {"duties": fixed["duties"]}
    if line == "facility":
        uses["inspection"] = model.books["inspection_h"]
    uses |= {"passing_on": passing_on_h([pool], horizon_h)} | work
    return _close({f"staff_dept_{line}": pool.n_servers}, f"dept_{line}", paid, uses, work, share)


def _scheduled_duties(model, which: int, rows: list[int], paid: float, horizon_h: float) -> tuple[dict, float]:
    """With duties scheduled: the hours the pools ``rows`` (of the front line or the departments)
    spent on duties, the appraisal and records (meetings, what they worked off in the hours cases
    left, and what they did before cases once overdue), and the share of paid hours outside
    meetings, which cases may take."""
    front = which == FRONT_LINE
    group = model.front_pools if front else model.dept_pools
    work_cal = model.front_work_calendar if front else model.dept_work_calendar
    quota = model.duty_quota_h["front_line" if front else "departments"]
    pools = [group[i] for i in rows]
    meetings = paid - sum(p.n_servers for p in pools) * work_cal.clock(horizon_h)
    done = model.duty_done_h.get(which)
    put_off = (float(done[rows].sum()) if done is not None else 0.0) + overdue_h(pools, horizon_h)
    quota = model.duty_set_h.get(which, quota)  # the quotas set, by kind (records net of visit logs)
    total = sum(quota.values())
    out = {use: put_off * hours / total if total else 0.0 for use, hours in quota.items()}
    out["duties"] += meetings
    return out, (1.0 - meetings / paid if paid else float("nan"))


def _duty_deadlines(model, horizon_h: float) -> dict:
    """With duties scheduled, how they met their deadline: the hours of duties (and appraisal and
    records) the front line and the departments worked off in the hours cases left, and those
    done first thing in a week, before any case, because they were overdue. NaN with duties
    spread evenly (no deadline)."""
    out = {}
    for which, pools, name in (
        (FRONT_LINE, model.front_pools, "front_line"),
        (DEPARTMENT, model.dept_pools, "departments"),
    ):
        done = model.duty_done_h.get(which)
        present = [p for p in pools if p is not None]
        scheduled = model.scenario.duty_schedule == "scheduled"
        out[f"duties_worked_off_h_{name}"] = float(done.sum()) if scheduled and done is not None else float("nan")
        out[f"duties_overdue_h_{name}"] = overdue_h(present, horizon_h) if scheduled else float("nan")
    return out


def _volunteer_books(model, horizon_h: float) -> dict:
    """Volunteers: the hours their branches had (weeks begun: in full for the books, the last
    pro rata for the capacity that paid hours are compared with) and the hours booked to cases
    (hands-on and travel), which a branch's weekly hours bound."""
    weeks = model.volunteer_weeks
    allotted = plain_sum(weeks)
    available = sum(weeks[:-1]) + weeks[-1] * min(1.0, horizon_h / WEEK_H - (len(weeks) - 1)) if weeks else 0.0
    booked = plain_sum(b.hours_booked for b in model.branches)
    return {
        "volunteer_h_available": available,
        "volunteer_h_allotted": allotted,
        "volunteer_h": booked,
        "time_volunteers_idle_h": allotted - booked,
        "utilisation_volunteers": booked / allotted if allotted else float("nan"),
    }


def _status_column(resolved: np.ndarray, abandoned_h: np.ndarray) -> pd.Categorical:
    """``resolved``, ``abandoned`` or ``open`` at the horizon."""
    code = {name: np.int8(STATUS_NAMES.index(name)) for name in STATUS_NAMES}
    abandoned = ~np.isnan(abandoned_h)
    return label_column(
        np.where(resolved, code["resolved"], np.where(abandoned, code["abandoned"], code["open"])), STATUS_NAMES
    )


def _solved_column(solved: np.ndarray) -> np.ndarray:
    """1 or 0 where known, NaN where not (-1 in the table)."""
    out = solved.astype(float)
    out[solved < 0] = np.nan
    return out
