"""Party organisations at work (ODD 7.11, 7.14): each week the branches start with the
volunteer hours they can mobilise (process 0); each evaluation period 四指同评 scores them and
the score moves their effort (process 10). Volunteers take cases in routing
(:func:`sim.model.routing.mobilise`)."""

from __future__ import annotations

import numpy as np


def mobilise_volunteers_weekly(model) -> None:
    """Each week the branches start with the volunteer hours they can mobilise."""
    if model.day % 7 == 0 and model.policy.mobilisation:
        for b in model.branches:
            b.refill(model.scenario.volunteer_h_per_week)
        model.volunteer_weeks.append(sum(b.hours_left for b in model.branches))


def evaluate_branches(model) -> None:
    """四指同评: each period, branches get base points, additions for resolved cases and
    satisfied residents, deductions for abandoned ones; the score moves their effort."""
    sc, po = model.scenario, model.policy
    if not po.evaluation or (model.day + 1) % sc.evaluation_period_days:
        return
    iss = model.issues.view()
    t1 = (model.day + 1) * 24.0
    t0 = t1 - sc.evaluation_period_days * 24.0
    nc = model.territory.n_communities
    comm = iss["community"]
    resolved = np.bincount(comm[(iss["resolved_h"] >= t0) & (iss["resolved_h"] < t1)], minlength=nc)
    abandoned = np.bincount(comm[(iss["abandoned_h"] >= t0) & (iss["abandoned_h"] < t1)], minlength=nc)
    closed = np.maximum(resolved + abandoned, 1)
    sat = np.bincount(model.population.community, model.population.satisfaction, nc) / np.maximum(
        np.bincount(model.population.community, minlength=nc), 1
    )
    score = 60 + 30 * resolved / closed + 20 * sat - 20 * abandoned / closed
    for b, s in zip(model.branches, score):
        b.score = float(s)
        b.effort = float(np.clip(b.effort * (1 + sc.evaluation_gain * (s - score.mean()) / 100), 0.5, 2.0))
