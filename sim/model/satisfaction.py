"""Processes 8 and 9, what residents feel (ODD 7.13): outcomes of the day (remedy fit, the
callback, then expectation-disconfirmation), and the weekly fading of memories. Satisfaction,
expectation and trust move here; trust feeds back into reporting
(:func:`sim.model.detection.willingness`).

Two measures of satisfaction come from here, as real systems have two:

* the **callback** (回访): every case the state knew of is rated by its resident when it is
  closed or given up, as a 12345 hotline calls back (:func:`callback_score`, :func:`rating`);
  needs the state never knew of get no call;
* the **attitude** of every resident (``Population.satisfaction``), contact or not, which a
  survey of the public would sample: it moves with each outcome and fades between them."""

from __future__ import annotations

import numpy as np

from sim.model import remedy


def timeliness(response_h, scale_h: float):
    """Perceived timeliness in [0, 1]: 1 for an instant response, 1/e after ``scale_h``."""
    return np.exp(-response_h / scale_h)


def disconfirmed(quality, expectation, negativity_bias: float):
    """Expectation-disconfirmation: quality, with a shortfall below expectation counted
    ``negativity_bias`` times (negative disconfirmation weighs more, Olsen 2015). Below 0 when
    the shortfall outweighs the quality."""
    shortfall = np.minimum(quality - expectation, 0.0)
    return quality + (negativity_bias - 1.0) * shortfall


def experience(quality, expectation, negativity_bias: float):
    """What an outcome does to a resident's attitude: :func:`disconfirmed`, within [0, 1]."""
    return np.clip(disconfirmed(quality, expectation, negativity_bias), 0.0, 1.0)


def case_quality(resolved, response_h, fit, timeliness_h: float, timeliness_weight: float):
    """Quality Q of a case in [0, 1] (ODD 7.13): timeliness and remedy fit, weighted; 0 for a
    need given up."""
    q = timeliness_weight * timeliness(response_h, timeliness_h) + (1 - timeliness_weight) * np.nan_to_num(fit)
    return np.where(resolved, q, 0.0)


def callback_score(quality, met, expectation, met_weight: float, negativity_bias: float):
    """What a resident makes of a case at the callback: whether the need was met and how the
    case went (quality Q), weighted, then judged against what they expected (a shortfall counted
    ``negativity_bias`` times, :func:`disconfirmed`): a need given up scores below one handled
    and not solved."""
    return disconfirmed(met_weight * np.asarray(met, float) + (1 - met_weight) * quality, expectation, negativity_bias)


def rating(score, u, threshold: float, spread: float, satisfied_margin: float):
    """The callback's answer, 0 dissatisfied, 1 basically satisfied, 2 satisfied: the score plus
    the resident's taste (logistic of scale ``spread``, from the uniform draw ``u``) against
    ``threshold``, and ``satisfied_margin`` above it for 'satisfied'."""
    u = np.clip(np.asarray(u, float), 1e-9, 1 - 1e-9)
    latent = np.asarray(score, float) + spread * np.log(u / (1 - u))
    return (latent >= threshold).astype(np.int8) + (latent >= threshold + satisfied_margin)


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
    quality = case_quality(done, end - created, iss["fit"][ids].astype(float), sc.timeliness_h, sc.timeliness_weight)
    call_back(model, ids, quality)
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


def call_back(model, ids: np.ndarray, quality: np.ndarray) -> None:
    """The callback of the cases of ``ids`` (one per resident, ``quality`` their Q) that the
    state knew of, rated against what each resident expected before this outcome moves it."""
    iss, sc = model.issues, model.scenario
    known = ~np.isnan(iss["reported_h"][ids])
    cases = ids[known]
    expectation = model.population.expectation[iss["resident_id"][cases]]
    met = iss["solved"][cases] == 1
    score = callback_score(quality[known], met, expectation, sc.callback_met_weight, sc.negativity_bias)
    iss["callback_score"][cases] = score
    iss["rating"][cases] = rating(
        score, iss["u_rating"][cases], sc.callback_threshold, sc.callback_spread, sc.callback_satisfied_margin
    )


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
