"""Designs over the uncertain parameters: Morris screening, Sobol' (Saltelli), Latin hypercube
and a grid.

A design is a table of rows, each a value for every factor: the numbers of :mod:`sim.model.params`
marked with a ``vary`` range, the table entries of :data:`sim.model.params.TABLE_ENTRIES` and the
table levels of :data:`sim.model.params.TABLE_SCALES`. The staffing budget (:data:`BUDGET`) is a
factor only where a design asks for it (scenario discovery). The regime's dials are not
factors, but for how much a regime that patrols patrols (:data:`PATROL`, an assumption of its
preset): a regime that does not patrol keeps none, a structural zero.

A sweep runs the rows as jobs (``design.row=range(0,N)``, every row under each regime).
:func:`apply` gives a job its row: the sampled values and the seed. Rows that are compared in
the analysis share a seed (common random numbers): the points of one Morris trajectory, the
``k + 2`` points that Saltelli's estimators take from one base sample; every row of a Latin
hypercube has its own; the cells of a grid share their ``size`` seeds. Each regime runs every
row with the same values and seed, so refined − coarse is paired row by row.

The sample is drawn by SALib from the design's own seed, so a job and the report that
analyses the sweep draw the same table.
"""

from __future__ import annotations

import dataclasses
import functools
import itertools
from dataclasses import dataclass, field

import numpy as np

from sim.model.params import TABLE_ENTRIES, TABLE_SCALES, ConfigError, Policy, RunConfig, Scenario

METHODS = ("morris", "sobol", "lhs", "grid")
BUDGET = ("scenario.workers_per_10k", "scenario.dept_staff_per_10k")
"""The staffing budget: a choice, not an uncertainty; a factor of scenario discovery only."""
PATROL = ("policy.patrol_share",)
"""The policy's numbers with a ``vary`` range: they act only in a regime that patrols."""


@dataclass
class Design:
    """A design, as an experiment's config declares it (``design:`` in configs/experiment)."""

    method: str = "morris"
    size: int = 10
    """Morris: trajectories; Sobol': base samples (a power of two); LHS: rows; grid: seeds per cell."""
    factors: list[str] = field(default_factory=list)
    """Factor names (``scenario.<key>``, a table entry's path, ``scale.<table>`` or
    ``policy.<key>``); empty: every uncertain one (a grid needs them named)."""
    budget: bool = False
    """Add the staffing budget (:data:`BUDGET`) to the factors."""
    levels: int = 4
    """Morris: grid levels of each factor; grid: values of each factor, evenly spread over its range."""
    values: dict[str, list[float]] = field(default_factory=dict)
    """Grid: a factor's values, instead of ``levels`` spread over its range."""
    seed: int = 0
    """Seed of the sample (the runs' seeds are counted from the run's own ``seed``)."""
    row: int = 0
    """The row this job runs."""


@dataclass(frozen=True)
class Factor:
    name: str
    low: float
    high: float
    integer: bool
    unit: str
    source: str


def uncertain_factors() -> dict[str, Factor]:
    """Every uncertain number, by name: the scenario's fields with a ``vary`` range, the table
    entries, the table levels, then the patrol of the regimes that patrol."""
    found = _fields("scenario", Scenario)
    for name, entry in TABLE_ENTRIES.items():
        found[name] = Factor(name, *entry.vary, False, entry.unit, entry.source)
    for name, scale in TABLE_SCALES.items():
        found[name] = Factor(name, *scale.vary, False, "multiplier", scale.source)
    return found | _fields("policy", Policy)


def _fields(prefix: str, cls) -> dict[str, Factor]:
    found = {}
    for f in dataclasses.fields(cls):
        if "vary" in f.metadata:
            low, high = f.metadata["vary"]
            name = f"{prefix}.{f.name}"
            found[name] = Factor(name, low, high, f.type in (int, "int"), f.metadata["unit"], f.metadata["source"])
    return found


def factors(design: Design) -> list[Factor]:
    """The design's factors, in a fixed order; unknown names are a ConfigError."""
    known = uncertain_factors()
    if design.method == "grid" and not design.factors:
        raise ConfigError(
            "design.factors is empty: a grid maps the factors it names, e.g. "
            "design.factors=[scenario.duty_share,scale.service_h]"
        )
    names = list(design.factors) or [n for n in known if n not in BUDGET]
    if design.budget:
        names += [n for n in BUDGET if n not in names]
    unknown = [n for n in names if n not in known]
    if unknown:
        raise ConfigError(f"design.factors has unknown entries {unknown}: allowed {', '.join(known)}")
    if len(set(names)) < len(names):
        raise ConfigError(f"design.factors names a factor twice: {names}")
    return [known[n] for n in names]


def problem(design: Design) -> dict:
    """The design's factors as SALib's ``problem``."""
    chosen = factors(design)
    return {
        "num_vars": len(chosen),
        "names": [f.name for f in chosen],
        "bounds": [[f.low, f.high] for f in chosen],
    }


def block(design: Design) -> int:
    """Consecutive rows that share a seed: a Morris trajectory, a Saltelli base sample."""
    k = len(factors(design))
    return {"morris": k + 1, "sobol": k + 2, "lhs": 1, "grid": 1}[design.method]


def check(design: Design) -> None:
    """A ConfigError naming what is wrong and what is allowed."""
    if design.method not in METHODS:
        raise ConfigError(f"design.method={design.method!r} is not allowed: choose one of {', '.join(METHODS)}")
    if design.size < 1 or (design.method == "sobol" and design.size & (design.size - 1)):
        what = "a power of two (Sobol' base samples)" if design.method == "sobol" else "at least 1"
        raise ConfigError(f"design.size={design.size} is not allowed: it must be {what}")
    if design.method in ("morris", "grid") and design.levels < 2:
        raise ConfigError(f"design.levels={design.levels} is not allowed: a {design.method} has at least 2 levels")
    chosen = [f.name for f in factors(design)]
    if design.method == "grid":
        _check_grid(design, chosen)
    elif design.values:
        raise ConfigError(f"design.values is set, but only a grid takes values: design.method={design.method}")
    rows = n_rows(design)
    if not 0 <= design.row < rows:
        raise ConfigError(f"design.row={design.row} is out of range: this design has rows 0 to {rows - 1}")


def _check_grid(design: Design, chosen: list[str]) -> None:
    for name, values in design.values.items():
        if name not in chosen:
            raise ConfigError(f"design.values names {name}, which is not one of design.factors: {chosen}")
        if not values:
            raise ConfigError(f"design.values.{name} is empty: give at least one value")


@functools.cache
def _sample(method: str, size: int, names: tuple[str, ...], levels: int, seed: int) -> np.ndarray:
    from SALib.sample import latin, morris, sobol

    known = uncertain_factors()
    spec = {"num_vars": len(names), "names": list(names), "bounds": [[known[n].low, known[n].high] for n in names]}
    if method == "morris":
        return morris.sample(spec, size, num_levels=levels, seed=seed)
    if method == "sobol":
        return sobol.sample(spec, size, calc_second_order=False, seed=seed)
    return latin.sample(spec, size, seed=seed)


def grid_values(design: Design) -> list[list[float]]:
    """Each factor's values on a grid: as given, or ``levels`` spread evenly over its range."""
    return [
        [float(v) for v in design.values[f.name]]
        if f.name in design.values
        else np.linspace(f.low, f.high, design.levels).tolist()
        for f in factors(design)
    ]


def sample(design: Design) -> np.ndarray:
    """The design's table: one row per job, one column per factor (as sampled, before the
    whole-number factors are rounded). A grid's rows are its cells in turn, each ``size``
    times (one row per seed)."""
    if design.method == "grid":
        cells = list(itertools.product(*grid_values(design)))
        return np.repeat(np.array(cells, dtype=float), design.size, axis=0)
    names = tuple(f.name for f in factors(design))
    return _sample(design.method, design.size, names, design.levels, design.seed)


def n_rows(design: Design) -> int:
    """Rows of the design, without drawing it."""
    if design.method == "grid":
        return int(np.prod([len(v) for v in grid_values(design)])) * design.size
    return design.size * block(design)


def seed_offset(design: Design, row: int) -> int:
    """The row's seed, counted from the run's own: shared within a block, or by a grid's cells."""
    return row % design.size if design.method == "grid" else row // block(design)


def row_values(design: Design, row: int) -> dict[str, float]:
    """The factors' values in one row, whole-number factors rounded."""
    values = sample(design)[row]
    return {f.name: (round(v) if f.integer else float(v)) for f, v in zip(factors(design), values)}


def apply(cfg: RunConfig, design: Design) -> RunConfig:
    """``cfg`` with the design's row applied: the factors' values, and the row's seed counted
    from ``cfg.seed``."""
    check(design)
    cfg = set_values(cfg, row_values(design, design.row))
    return dataclasses.replace(cfg, seed=cfg.seed + seed_offset(design, design.row))


def set_values(cfg: RunConfig, values: dict[str, float]) -> RunConfig:
    """``cfg`` with factors set (:func:`set_factor`; :data:`PATROL` in a regime that patrols)."""
    scenario, policy = cfg.scenario, cfg.policy
    for name, value in values.items():
        if name in PATROL:
            policy = _set_patrol(policy, name, value)
        else:
            scenario = set_factor(scenario, name, value)
    return dataclasses.replace(cfg, scenario=scenario, policy=policy)


def _set_patrol(policy: Policy, name: str, value: float) -> Policy:
    """A regime that patrols takes the value (its floor at most its share); one that does not
    keeps none: a structural zero."""
    if policy.patrol_share <= 0:
        return policy
    policy = dataclasses.replace(policy, **{name.removeprefix("policy."): value})
    return dataclasses.replace(policy, patrol_floor=min(policy.patrol_floor, policy.patrol_share))


def set_factor(scenario: Scenario, name: str, value: float) -> Scenario:
    """``scenario`` with one factor (``scenario.<key>``, a table entry's path or
    ``scale.<table>``) set to ``value``."""
    if name in TABLE_SCALES:
        scale = TABLE_SCALES[name]
        table = {
            key: dataclasses.replace(entry, **{scale.field: _scaled(getattr(entry, scale.field), value, scale.most)})
            for key, entry in getattr(scenario, scale.table).items()
        }
        return dataclasses.replace(scenario, **{scale.table: table})
    return _set_path(scenario, name.removeprefix("scenario.").split("."), value, name)


def _set_path(node, path: list[str], value, name: str):
    """``node`` (a dataclass or a dictionary) with the entry at ``path`` replaced."""
    key, rest = path[0], path[1:]
    if isinstance(node, dict):
        if key not in node:
            raise ConfigError(f"{name}: the scenario has no entry {key!r} (it has {', '.join(node)})")
        return {**node, key: _set_path(node[key], rest, value, name) if rest else value}
    return dataclasses.replace(node, **{key: _set_path(getattr(node, key), rest, value, name) if rest else value})


def default_value(cfg: RunConfig, name: str) -> float:
    """A factor's value in ``cfg`` (a table level: 1)."""
    if name in TABLE_SCALES:
        return 1.0
    if name in PATROL:
        return float(getattr(cfg.policy, name.removeprefix("policy.")))
    return float(_get_path(cfg.scenario, name))


def _get_path(scenario: Scenario, name: str):
    """The value of a factor named by its path (``scenario.channel_ease.hotline``)."""
    node = scenario
    for key in name.removeprefix("scenario.").split("."):
        node = node[key] if isinstance(node, dict) else getattr(node, key)
    return node


def _scaled(entry, factor: float, most: float | None = None):
    """A table entry times ``factor`` (a number, or each number of a dictionary), at most ``most``."""
    if isinstance(entry, dict):
        return {k: _scaled(v, factor, most) for k, v in entry.items()}
    return entry * factor if most is None else min(entry * factor, most)


def describe(design: Design) -> str:
    """One line: method, size, factors and rows."""
    k, rows = len(factors(design)), n_rows(design)
    if design.method == "grid":
        cells = " × ".join(str(len(v)) for v in grid_values(design))
        return f"grid: {cells} values of {k} factors, {design.size} seeds per cell, {rows} rows"
    unit = {"morris": "trajectories", "sobol": "base samples", "lhs": "rows"}[design.method]
    return f"{design.method}: {design.size} {unit} over {k} factors, {rows} rows (seeds in blocks of {block(design)})"
