"""Observing a model: what its state says at a moment, as data.

Measurement is kept out of :mod:`sim.model`, which holds the daily step: these functions read a
:class:`~sim.model.GovernanceModel` and return tables and numbers, and never change it.

* :func:`issue_frame`: one row per issue, as known at the horizon (``issues.parquet``);
* :func:`time_use`: how staff and volunteers spent their hours, and the utilisation of every
  pool (the capacity table);
* :func:`offered_work_h`: the handling hours each line was sent (the staffing study's measure).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.calendar import WEEK_H
from sim.handling import plain_sum
from sim.issues import CHANNEL_NAMES, DEPARTMENT, FRONT_LINE, HANDLER_NAMES, STATUS_NAMES, VOLUNTEER, label_column
from sim.params import SERVICE_TYPES


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
        "abandoned_h": v["abandoned_h"],
        "status": _status_column(resolved, v["abandoned_h"]),
        "channel": label_column(v.pop("channel"), CHANNEL_NAMES),
        "handler": label_column(v.pop("handler"), HANDLER_NAMES),
        "hops": v["hops"].astype(np.int16),
        "travel_h": np.where(resolved, v["travel_h"], np.nan),
        "work_h": np.where(resolved, v["work_h"], np.nan),
        "fit": v.pop("fit").astype(float),
        "solved": _solved_column(v.pop("solved")),
    }
    # Every array above is new (see at_horizon), so the frame may take them as they are:
    # a second copy of 1.6 M rows would only add to the peak memory.
    return pd.DataFrame(columns, copy=False)


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
    for col in ("reported_h", "dispatched_h", "started_h", "resolved_h", "abandoned_h"):
        late = v[col] >= horizon_h
        v[col] = np.where(late, np.nan, v[col])  # a new array even when nothing is late
    unresolved = np.isnan(v["resolved_h"])
    v["fit"] = np.where(unresolved, np.nan, v["fit"])
    v["solved"] = np.where(unresolved, -1, v["solved"])
    v["channel"] = np.where(np.isnan(v["reported_h"]), 0, v["channel"])
    v["handler"] = np.where(np.isnan(v["dispatched_h"]), 0, v["handler"])
    return v


def offered_work_h(model, since_h: float) -> np.ndarray:
    """Handling hours sent to each line from ``since_h`` to today: the front line, then
    each service line's department. Hands-on time as it was when the case arrived, plus the
    line's mean travel per case so far (the work a line is sent, whatever its staff)."""
    iss, sc, n = model.issues.view(), model.scenario, len(SERVICE_TYPES)
    sent = (iss["dispatched_h"] >= since_h) & (iss["dispatched_h"] < model.day * 24.0)
    handler, kind = iss["handler"][sent], iss["service_type"][sent].astype(np.int64)
    waited_days = (iss["dispatched_h"][sent] - iss["created_h"][sent]) / 24.0
    grown = np.minimum(1.0 + sc.worsening_per_day * waited_days, sc.worsening_cap)
    hands_on = iss["e_service"][sent] * model._service_h(kind, handler) * grown
    front, dept = handler == FRONT_LINE, handler == DEPARTMENT
    pools = list(model.front_pools)
    front_travel = plain_sum(p.travel_total_h for p in pools) / max(1, sum(p.served for p in pools))
    dept_travel = np.array([p.travel_total_h / max(1, p.served) if p else 0.0 for p in model.dept_pools])
    cases = np.bincount(kind[dept], minlength=n)
    per_dept = np.bincount(kind[dept], hands_on[dept], minlength=n) + cases * dept_travel
    return np.concatenate([[hands_on[front].sum() + front.sum() * front_travel], per_dept])


def time_use(model, horizon_h: float) -> dict:
    """Staff and volunteer time over the run to ``horizon_h``, in hours, and the
    utilisation of every pool (KPI names as in the README): the capacity table."""
    po = model.policy
    open_h = model.service_calendar.clock(horizon_h)
    workers = sum(p.n_servers for p in model.front_pools)
    capacity = sum(p.capacity_h(horizon_h) for p in model.front_pools)
    committed = plain_sum(p.committed_h(horizon_h) for p in model.front_pools)
    travel = plain_sum(p.travel_total_h for p in model.front_pools)
    iss = model.issues.view()
    by_volunteers = (iss["handler"] == VOLUNTEER) & (iss["resolved_h"] < horizon_h)
    volunteer_given = float((iss["work_h"][by_volunteers] + iss["travel_h"][by_volunteers]).astype(float).sum())
    # Volunteer hours of the weeks begun, the last one pro rata (as paid hours accrue).
    weeks = model.volunteer_weeks
    volunteer_h = sum(weeks[:-1]) + weeks[-1] * min(1.0, horizon_h / WEEK_H - (len(weeks) - 1)) if weeks else 0.0
    out = {
        "staff_front_line": workers,
        "paid_h_front_line": workers * open_h,
        "time_patrol_h": workers * open_h * po.patrol_share,  # patrol and household visits
        "time_evaluation_h": workers * open_h * (1 - po.patrol_share - model.handling_share()),
        "time_travel_h": travel,
        "time_handling_capacity_h": capacity,
        "utilisation_front_line": committed / capacity if capacity else float("nan"),
        "volunteer_h_available": volunteer_h,
        "volunteer_h": volunteer_given,  # hands-on and travel of the cases they resolved
        "utilisation_volunteers": volunteer_given / volunteer_h if volunteer_h else float("nan"),
    }
    for k, pool in enumerate(model.dept_pools):
        if pool is None:
            continue
        line = SERVICE_TYPES[k]
        dept_capacity = pool.capacity_h(horizon_h)
        out[f"staff_dept_{line}"] = pool.n_servers
        out[f"paid_h_dept_{line}"] = dept_capacity  # departments spend all their hours handling
        out[f"utilisation_dept_{line}"] = pool.committed_h(horizon_h) / dept_capacity if dept_capacity else float("nan")
        out["time_travel_h"] += pool.travel_total_h
    paid = sum(v for k, v in out.items() if k.startswith("paid_h_"))
    out["capacity_paid_h"] = paid
    out["capacity_total_h"] = paid + volunteer_h
    return out


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
