"""Validation: :func:`validate` checks a whole configuration against the declared ranges and
choices and against the rules that tie parameters together, and names the first bad key."""

from __future__ import annotations

import dataclasses
import math
from typing import Any

from sim.model.params.constants import CALENDARS, CHANNELS, RESIDENT_TYPES, SERVICE_TYPES, STAFF_WEEK_H
from sim.model.params.declare import ConfigError
from sim.model.params.derived import paid_budget, volunteer_work_bound_h
from sim.model.params.policy import Policy
from sim.model.params.run import RunConfig
from sim.model.params.scenario import Scenario


def _check_value(key: str, value: Any, meta: dict) -> None:
    if "range" in meta and value is not None and not isinstance(value, bool):
        lo, hi = meta["range"]
        if not (isinstance(value, (int, float)) and math.isfinite(value) and lo <= value <= hi):
            raise ConfigError(f"{key}={value!r} is out of range: allowed {lo} <= {key.split('.')[-1]} <= {hi}")
    if "choices" in meta and value not in meta["choices"]:
        raise ConfigError(f"{key}={value!r} is not allowed: choose one of {', '.join(meta['choices'])}")


def _check_dataclass(obj: Any, prefix: str) -> None:
    for f in dataclasses.fields(obj):
        key = f"{prefix}.{f.name}" if prefix else f.name
        value = getattr(obj, f.name)
        if dataclasses.is_dataclass(value):
            _check_dataclass(value, key)
        elif isinstance(value, dict):
            for k, v in value.items():
                if dataclasses.is_dataclass(v):
                    _check_dataclass(v, f"{key}.{k}")
        _check_value(key, value, f.metadata)


def _check_names(key: str, names, allowed) -> None:
    unknown = [n for n in names if n not in allowed]
    if unknown:
        raise ConfigError(f"{key} has unknown entries {unknown}: allowed {', '.join(allowed)}")
    twice = sorted({n for n in names if list(names).count(n) > 1})
    if twice:
        once = ",".join(dict.fromkeys(names))
        raise ConfigError(f"{key} names {', '.join(twice)} more than once: name each once, e.g. {key}=[{once}]")


def validate(cfg: RunConfig) -> RunConfig:
    """Check every value of a configuration; raise :class:`ConfigError` naming the first bad key."""
    _check_dataclass(cfg, "")
    sc, po = cfg.scenario, cfg.policy
    if cfg.warmup_days >= cfg.days:
        raise ConfigError(f"warmup_days={cfg.warmup_days} must be less than days={cfg.days}: nothing would be measured")
    if po.patrol_floor > po.patrol_share:
        raise ConfigError(
            f"policy.patrol_floor={po.patrol_floor} is more than policy.patrol_share={po.patrol_share}: the hours kept "
            "for patrol cannot exceed the most it may take; allowed 0 <= patrol_floor <= patrol_share"
        )
    _check_volunteer_posts(sc, po)
    _check_front_line_time(sc, po)
    _check_names("policy.channels", po.channels, CHANNELS)
    _check_names("policy.competence", po.competence, SERVICE_TYPES)
    _check_names("scenario.service_types", sc.service_types, SERVICE_TYPES)
    missing = [t for t in SERVICE_TYPES if t not in sc.service_types]
    if missing:
        raise ConfigError(f"scenario.service_types lacks {missing}: every type of {SERVICE_TYPES} needs an entry")
    _check_names("scenario.channel_ease", sc.channel_ease, CHANNELS)
    for name, ease in sc.channel_ease.items():
        _check_value(f"scenario.channel_ease.{name}", ease, {"range": (0, 1)})
    if not po.channels:
        raise ConfigError("policy.channels is empty: allowed any of " + ", ".join(CHANNELS))
    if not sc.categories:
        raise ConfigError("scenario.categories is empty: at least one category is needed")
    total = sum(c.share for c in sc.categories.values())
    if not math.isclose(total, 1.0, abs_tol=1e-6):
        raise ConfigError(f"scenario.categories shares sum to {total:.6g}: they must sum to 1")
    for cname, cat in sc.categories.items():
        _check_names(f"scenario.categories.{cname}.need_rates", cat.need_rates, RESIDENT_TYPES)
        for t, rate in cat.need_rates.items():
            _check_value(f"scenario.categories.{cname}.need_rates.{t}", rate, {"range": (0, 1000)})
        for spec in cat.away:
            _parse_or_raise(f"scenario.categories.{cname}.away", spec)
    return cfg


def _volunteer_posts(sc: Scenario, po: Policy) -> int:
    """Paid posts the volunteers stand in for, at most (sim.model.staffing.volunteer_posts, from
    the scenario's average and the bound on what they can give): none without mobilisation or
    with volunteers on top."""
    if not po.mobilisation or sc.volunteer_budget == "on_top":
        return 0
    hours = sc.volunteers_per_1k * sc.n_residents / 1000 * sc.volunteer_h_per_week
    return round(volunteer_work_bound_h(sc, po, hours) / STAFF_WEEK_H)


def _check_volunteer_posts(sc: Scenario, po: Policy) -> None:
    """Counted against the budget, the volunteers' hours must leave every line some paid staff."""
    if not po.mobilisation or sc.volunteer_budget == "on_top" or sc.servers is not None:
        return
    front, dept = paid_budget(sc)
    posts = _volunteer_posts(sc, po)
    if posts > front + dept - 1 - len(SERVICE_TYPES):
        raise ConfigError(
            f"scenario.volunteers_per_1k={sc.volunteers_per_1k} x scenario.volunteer_h_per_week="
            f"{sc.volunteer_h_per_week} can give cases up to about {posts * STAFF_WEEK_H:.0f} hours a week and so "
            f"stand in for up to {posts} paid posts, more than the budget of {front} "
            f"front-line + {dept} department posts can give while every line keeps staff: lower them, raise "
            "scenario.workers_per_10k, or set scenario.volunteer_budget=on_top"
        )


def _check_front_line_time(sc: Scenario, po: Policy) -> None:
    """Duties, the appraisal and the patrol floor must leave the front line time for cases."""
    from sim.model import workload  # local imports: neither depends on params
    from sim.model.calendar import week_mask

    hours = float(week_mask(CALENDARS[po.service_hours]).sum())
    budget = sum(paid_budget(sc))
    paid = budget - _volunteer_posts(sc, po) if sc.servers is None else budget
    duty = workload.duty_share(sc, budget, paid)
    # Records are reckoned over every paid post: a regime that keeps files puts most of its
    # posts on the front line (its real share, with its real staff, is checked when it is built).
    shares = workload.front_line_shares(sc, po, paid, sc.n_residents, hours, duty)
    if shares["cases"] < 0.01 and sc.servers is None:
        raise ConfigError(
            f"scenario.duty_share={sc.duty_share} (of the budget's hours; {duty:.2f} of each paid post's, with the "
            f"volunteers standing in for some posts), the appraisal ({shares['appraisal']:.2f} of the front line's "
            f"hours), person-level records (scenario.records_h_per_resident_year={sc.records_h_per_resident_year}: "
            f"{shares['records']:.2f}) and policy.patrol_floor={po.patrol_floor} leave {shares['cases']:.2f} of a "
            "front-line worker's time for cases: at least 0.01 must remain; lower them"
        )


def _parse_or_raise(key: str, spec: str) -> None:
    from sim.model.calendar import parse_spec  # local import: calendar has no dependency on params

    try:
        parse_spec(spec)
    except ValueError as err:
        raise ConfigError(f"{key}: {err}") from None
