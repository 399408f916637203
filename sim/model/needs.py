"""Process 1, needs arise (ODD 7.1): residents' needs at their personal rates and faults of
components, with every random number a need will use later (common random numbers)."""

from __future__ import annotations

import math

import numpy as np

from sim.model.params import SERVICE_TYPES, events_per_year, faults_per_year

FACILITY = SERVICE_TYPES.index("facility")
ENVIRONMENT = SERVICE_TYPES.index("environment")

DRAWS_UNIFORM = ("u_report", "u_solved")
DRAWS_EXPONENTIAL = ("e_delay", "e_service", "e_report")
DRAWS_NORMAL = ("n_then", "n_noise")


def arise_needs(model, t0: float) -> np.ndarray:
    """Needs of residents (personal rates), faults of components and events in public space
    (no owner: resident -1), for one day."""
    rng, pop, sc = model.needs_rng, model.population, model.scenario
    rate = pop.need_rate
    per_resident = model._per_resident_rate
    total = model._cum_rate[-1] if len(model._cum_rate) else 0.0
    n = rng.poisson(total * 24.0)
    res = np.minimum(np.searchsorted(model._cum_rate, rng.random(n) * total, side="right"), len(pop) - 1)
    u = rng.random(n) * per_resident[res]
    # Type of each need: where u falls among the resident's cumulative rates by type
    # (computed for today's residents only; the same numbers as a table for everyone).
    kind = (np.cumsum(rate[res], 1) < u[:, None]).sum(1)
    fault_rate = faults_per_year(sc) / 8760
    m = rng.poisson(fault_rate * 24.0)
    fault_comm = rng.integers(0, model.territory.n_communities, size=m)
    fx, fy = model.territory.random_points(fault_comm, rng)
    unowned = np.full(m, FACILITY)
    if sc.public_events_per_1k > 0:  # drawn only then: without events the stream is as it was
        k = rng.poisson(events_per_year(sc) / 365)
        event_comm = rng.integers(0, model.territory.n_communities, size=k)
        ex, ey = model.territory.random_points(event_comm, rng)
        fault_comm = np.concatenate([fault_comm, event_comm])
        fx, fy = np.concatenate([fx, ex]), np.concatenate([fy, ey])
        unowned = np.concatenate([unowned, np.full(k, ENVIRONMENT)])
        m += k
    total_new = n + m
    created = t0 + rng.random(total_new) * 24.0
    draws = {name: rng.random(total_new).astype(np.float32) for name in DRAWS_UNIFORM}
    draws |= {name: rng.standard_exponential(total_new).astype(np.float32) for name in DRAWS_EXPONENTIAL}
    draws["e_service"] = service_factor(draws["e_service"], sc.service_time_shape)
    draws |= {name: rng.standard_normal(total_new).astype(np.float32) for name in DRAWS_NORMAL}
    e_patience = rng.standard_exponential(total_new)
    draws["u_rating"] = model.rating_rng.random(total_new).astype(np.float32)
    kind = np.concatenate([kind, unowned]).astype(np.int8)
    lasts_h = model.patience_h[kind]
    lasts_h[n + (unowned == FACILITY).sum() :] = sc.event_days * 24.0  # events last their own time
    order = np.argsort(created, kind="stable")
    community = np.concatenate([pop.community[res], fault_comm])
    x = np.concatenate([pop.x[res], fx])
    y = np.concatenate([pop.y[res], fy])
    return model.issues.append(
        resident_id=np.concatenate([res, np.full(m, -1)])[order],
        service_type=kind[order],
        community=community[order],
        x=x[order],
        y=y[order],
        created_h=created[order],
        give_up_h=(created + e_patience * lasts_h)[order],
        **{k: v[order] for k, v in draws.items()},
    )


def service_factor(e, shape: float):
    """A case's hands-on time as a multiple of its line's mean: Weibull of shape ``shape`` and
    mean 1, from the case's Exp(1) draw ``e`` (so every shape keeps the same order of cases:
    common random numbers). Shape 1 returns ``e`` itself (exponential)."""
    if shape == 1.0:
        return e
    return (np.asarray(e, dtype=float) ** (1.0 / shape) / math.gamma(1.0 + 1.0 / shape)).astype(np.float32)
