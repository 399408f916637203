"""The behavioural rules of the model as small pure functions on arrays.

Each function is one equation of the ODD submodels; the model calls them with its state.
"""

from __future__ import annotations

import math

import numpy as np


def willingness(propensity, trust, initial_trust: float, elasticity: float, ease):
    """Probability that a resident reports a need: propensity x (trust / initial)^e x ease.

    Low trust hides needs; high trust raises reporting (induced demand)."""
    return np.clip(propensity * (trust / initial_trust) ** elasticity * ease, 0.0, 1.0)


def repeat_report_after_h(e, rate_per_day, growth_per_day: float, cap: float):
    """Hours after a need arises at which its resident reports it unprompted: the time at which
    the cumulative hazard reaches ``e`` (an Exp(1) draw of the need), for a hazard that starts
    at ``rate_per_day`` and grows with the need as handling time does, x min(1 + growth x t,
    cap) at age t days. inf where the rate is 0."""
    e, rate = np.broadcast_arrays(np.asarray(e, dtype=float), np.asarray(rate_per_day, dtype=float))
    days = np.full(e.shape, np.inf)
    live = rate > 0
    e, rate = e[live], rate[live]
    if growth_per_day > 0 and cap > 1:
        t_cap = (cap - 1.0) / growth_per_day  # age at which the growth stops
        h_cap = rate * (t_cap + growth_per_day * t_cap**2 / 2)  # hazard accumulated by then
        growing = (np.sqrt(1.0 + 2.0 * growth_per_day * e / rate) - 1.0) / growth_per_day
        days[live] = np.where(e <= h_cap, growing, t_cap + (e - h_cap) / (rate * cap))
    else:
        days[live] = e / rate
    return days * 24.0


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


def remedy_fit(error, tolerance: float):
    """Fit in [0, 1] of a remedy that misses a person's need by ``error`` (in units of the
    spread between categories). A category-standard remedy aims at the category profile, so
    its error is the person's deviation from it; a tailored one aims at what staff hold of the
    person (:func:`sim.information.tailoring_error`)."""
    return np.exp(-(np.asarray(error, dtype=float) ** 2) / (2.0 * tolerance**2))


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


def service_factor(e, shape: float):
    """A case's hands-on time as a multiple of its line's mean: Weibull of shape ``shape`` and
    mean 1, from the case's Exp(1) draw ``e`` (so every shape keeps the same order of cases:
    common random numbers). Shape 1 returns ``e`` itself (exponential)."""
    if shape == 1.0:
        return e
    return (np.asarray(e, dtype=float) ** (1.0 / shape) / math.gamma(1.0 + 1.0 / shape)).astype(np.float32)
