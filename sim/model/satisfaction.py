"""Processes 8 and 9, what residents feel (ODD 7.13): outcomes of the day (remedy fit, then
expectation-disconfirmation), and the weekly fading of memories. Satisfaction, expectation and
trust move here; trust feeds back into reporting (:func:`sim.model.detection.willingness`)."""

from __future__ import annotations

import numpy as np

from sim.model import remedy


def timeliness(response_h, scale_h: float):
    """Perceived timeliness in [0, 1]: 1 for an instant response, 1/e after ``scale_h``."""
    return np.exp(-response_h / scale_h)


def experience(quality, expectation, negativity_bias: float):
    """Expectation-disconfirmation: quality, with a shortfall below expectation counted
    ``negativity_bias`` times (negative disconfirmation weighs more, Olsen 2015)."""
    shortfall = np.minimum(quality - expectation, 0.0)
    return np.clip(quality + (negativity_bias - 1.0) * shortfall, 0.0, 1.0)


def move_towards(current, target, rate: float):
    """Exponential smoothing: the update used for satisfaction, expectation and trust."""
    return current + rate * (target - current)


def feel_outcomes(model, t1: float) -> None:
    """Residents feel what happened today: remedy fit, timeliness, disconfirmation."""
    iss = model.issues
    ids = model._outcomes
    when = np.fmin(iss["resolved_h"][ids], iss["abandoned_h"][ids])
    now = when < t1
    today = ids[now][np.argsort(when[now], kind="stable")]
    model._outcomes = ids[~now]
    resolved = today[~np.isnan(iss["resolved_h"][today])]
    remedy.fit(model, resolved)
    people = today[iss["resident_id"][today] >= 0]
    # A resident with several outcomes today feels them in time order, one round each.
    while len(people):
        res = iss["resident_id"][people]
        _, first = np.unique(res, return_index=True)
        first = np.sort(first)
        update_residents(model, people[first])
        people = np.delete(people, first)


def update_residents(model, ids: np.ndarray) -> None:
    """Satisfaction, expectation and trust of the residents of ``ids`` (one outcome each)."""
    iss, sc, pop = model.issues, model.scenario, model.population
    res = iss["resident_id"][ids]
    created = iss["created_h"][ids]
    resolved = iss["resolved_h"][ids]
    done = ~np.isnan(resolved)
    end = np.where(done, resolved, iss["abandoned_h"][ids])
    waited_days = (end - created) / 24.0
    quality = np.where(
        done,
        sc.timeliness_weight * timeliness(end - created, sc.timeliness_h)
        + (1 - sc.timeliness_weight) * np.nan_to_num(iss["fit"][ids].astype(float)),
        0.0,
    )
    erosion = np.exp(-sc.waiting_erosion_per_day * waited_days)
    felt = experience(quality, pop.expectation[res], sc.negativity_bias)
    pop.satisfaction[res] = move_towards(pop.satisfaction[res] * erosion, felt, sc.satisfaction_rate)
    # The same, counting only needs the state knew of (the measure that leaves out needs
    # never known; it drives nothing).
    known = ~np.isnan(iss["reported_h"][ids])
    k = res[known]
    moved = move_towards(pop.satisfaction_known[k] * erosion[known], felt[known], sc.satisfaction_rate)
    pop.satisfaction_known[k] = moved
    pop.expectation[res] = move_towards(pop.expectation[res], quality, sc.expectation_rate)
    pop.trust[res] = move_towards(pop.trust[res], pop.satisfaction[res], sc.trust_rate)


def fade_memories(model) -> None:
    """Once a week, satisfaction and trust drift back towards their initial values
    (e-folding ``memory_days``): what happened long ago weighs less."""
    if (model.day + 1) % 7:
        return
    sc, pop = model.scenario, model.population
    keep = np.exp(-7.0 / sc.memory_days)
    pop.satisfaction[:] = sc.initial_satisfaction + keep * (pop.satisfaction - sc.initial_satisfaction)
    pop.satisfaction_known[:] = sc.initial_satisfaction + keep * (pop.satisfaction_known - sc.initial_satisfaction)
    pop.trust[:] = sc.initial_trust + keep * (pop.trust - sc.initial_trust)
