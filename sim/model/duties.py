"""Duties with a schedule (ODD 7.18, ``scenario.duty_schedule=scheduled``): processes 5a and 5b.

Meetings hold whole hours of each week, out of the hours staff handle cases in (built into the
pools' calendars: :func:`sim.model.institutions.schedule_duties`). The rest (forms and
statistics, the appraisal, person-level records) is a quota each week that staff work off in the
hours the day's cases leave, before patrol or inspection (5b). Cases come first until the deadline:
what is still undone when a week ends is done first thing the next week, before any case, and
the cases wait behind it (5a). With duties spread evenly (``even``) both are no-ops.
"""

from __future__ import annotations

import numpy as np

from sim.model.handling import calendar_of, staff_pools
from sim.model.issues import FRONT_LINE


def _quota(model, which: int, pools) -> np.ndarray:
    """Each pool's hours of duties that can be put off this week (0 for an empty slot), and the
    sum by kind in ``model.duty_set_h``. A file's upkeep is charged once: the hours a pool spent
    last week logging its visits in the files are upkeep already done, so they come off its
    records (ODD 7.18)."""
    per_post = model.duty_quota_h["front_line" if which == FRONT_LINE else "departments"]
    servers = np.array([p.n_servers if p is not None else 0 for p in pools], dtype=float)
    by_kind = {kind: hours * servers for kind, hours in per_post.items()}
    if which == FRONT_LINE:
        by_kind["records"] = np.maximum(by_kind["records"] - model.visit_log_h, 0.0)
        model.visit_log_h = np.zeros(len(pools))
    total = model.duty_set_h.setdefault(which, dict.fromkeys(by_kind, 0.0))
    for kind, hours in by_kind.items():
        total[kind] += float(hours.sum())
    return sum(by_kind.values())


def start_week(model, t0: float) -> None:
    """5a. On the first day of each week what is overdue from the last is booked before any
    case, and the week's quota is set."""
    if model.scenario.duty_schedule != "scheduled" or model.day % 7:
        return
    for which, pools in staff_pools(model):
        overdue = model.duty_backlog.get(which)
        if overdue is not None:
            pools.block(overdue, calendar_of(model, which).clock(t0))
        else:
            model.duty_done_h[which] = np.zeros(len(pools))
        model.duty_backlog[which] = _quota(model, which, pools)


def work_off(model, t0: float, t1: float) -> None:
    """5b. In the hours the day's cases leave, staff work off the week's duties, before patrol
    or inspection (which get what is left: ``model._occupied``)."""
    if model.scenario.duty_schedule != "scheduled":
        return
    for which, pools in staff_pools(model):
        cal = calendar_of(model, which)
        open_h = cal.clock(t1) - cal.clock(t0)
        servers = np.array([p.n_servers if p is not None else 0 for p in pools], dtype=float)
        slack = np.maximum(servers * open_h - model._occupied[which], 0.0)
        done = np.minimum(slack, model.duty_backlog[which])
        model.duty_backlog[which] = model.duty_backlog[which] - done
        model._occupied[which] = model._occupied[which] + done
        model.duty_done_h[which] = model.duty_done_h[which] + done
