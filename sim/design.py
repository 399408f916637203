"""Designs over the uncertain parameters: Morris screening, Sobol' (Saltelli) and Latin hypercube.

A design is a table of rows, each a value for every factor: the numbers of :mod:`sim.params`
marked with a ``vary`` range, and the table levels of :data:`sim.params.TABLE_SCALES`. The
staffing budget (:data:`BUDGET`) is a factor only where a design asks for it (scenario
discovery); the regime's dials are never factors, they stay as each preset sets them.

A sweep runs the rows as jobs (``design.row=range(0,N)``, every row under each regime).
:func:`apply` gives a job its row: the sampled values and the seed. Rows that are compared in
the analysis share a seed (common random numbers): the points of one Morris trajectory, the
``k + 2`` points that Saltelli's estimators take from one base sample; every row of a Latin
hypercube has its own. Each regime runs every row with the same values and seed, so
refined − coarse is paired row by row.

The sample is drawn by SALib from the design's own seed, so a job and the report that
analyses the sweep draw the same table.
"""

from __future__ import annotations

import dataclasses
import functools
from dataclasses import dataclass, field

import numpy as np

from sim.params import TABLE_SCALES, ConfigError, RunConfig, Scenario

METHODS = ("morris", "sobol", "lhs")
BUDGET = ("scenario.workers_per_10k", "scenario.dept_staff_per_10k")
"""The staffing budget: a choice, not an uncertainty; a factor of scenario discovery only."""


@dataclass
class Design:
    """A design, as an experiment's config declares it (``design:`` in configs/experiment)."""

    method: str = "morris"
    size: int = 10
    """Morris: trajectories; Sobol': base samples (a power of two); LHS: rows."""
    factors: list[str] = field(default_factory=list)
    """Factor names (``scenario.<key>`` or ``scale.<table>``); empty: every uncertain one."""
    budget: bool = False
    """Add the staffing budget (:data:`BUDGET`) to the factors."""
    levels: int = 4
    """Morris: grid levels of each factor."""
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
    """Every uncertain number, by name: the scenario's fields with a ``vary`` range, then the
    table levels."""
    found = {}
    for f in dataclasses.fields(Scenario):
        if "vary" in f.metadata:
            low, high = f.metadata["vary"]
            name = f"scenario.{f.name}"
            found[name] = Factor(name, low, high, f.type in (int, "int"), f.metadata["unit"], f.metadata["source"])
    for name, scale in TABLE_SCALES.items():
        found[name] = Factor(name, *scale.vary, False, "multiplier", scale.source)
    return found


def factors(design: Design) -> list[Factor]:
    """The design's factors, in a fixed order; unknown names are a ConfigError."""
    known = uncertain_factors()
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
    return {"morris": k + 1, "sobol": k + 2, "lhs": 1}[design.method]


def check(design: Design) -> None:
    """A ConfigError naming what is wrong and what is allowed."""
    if design.method not in METHODS:
        raise ConfigError(f"design.method={design.method!r} is not allowed: choose one of {', '.join(METHODS)}")
    if design.size < 1 or (design.method == "sobol" and design.size & (design.size - 1)):
        what = "a power of two (Sobol' base samples)" if design.method == "sobol" else "at least 1"
        raise ConfigError(f"design.size={design.size} is not allowed: it must be {what}")
    if design.method == "morris" and design.levels < 2:
        raise ConfigError(f"design.levels={design.levels} is not allowed: a Morris grid has at least 2 levels")
    factors(design)
    rows = n_rows(design)
    if not 0 <= design.row < rows:
        raise ConfigError(f"design.row={design.row} is out of range: this design has rows 0 to {rows - 1}")


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


def sample(design: Design) -> np.ndarray:
    """The design's table: one row per job, one column per factor (as sampled, before the
    whole-number factors are rounded)."""
    names = tuple(f.name for f in factors(design))
    return _sample(design.method, design.size, names, design.levels, design.seed)


def n_rows(design: Design) -> int:
    """Rows of the design, without drawing it."""
    return design.size * block(design)


def row_values(design: Design, row: int) -> dict[str, float]:
    """The factors' values in one row, whole-number factors rounded."""
    values = sample(design)[row]
    return {f.name: (round(v) if f.integer else float(v)) for f, v in zip(factors(design), values)}


def apply(cfg: RunConfig, design: Design) -> RunConfig:
    """``cfg`` with the design's row applied: the factors' values, and the seed of its block
    counted from ``cfg.seed``."""
    check(design)
    scenario = cfg.scenario
    for name, value in row_values(design, design.row).items():
        scenario = set_factor(scenario, name, value)
    return dataclasses.replace(cfg, scenario=scenario, seed=cfg.seed + design.row // block(design))


def set_factor(scenario: Scenario, name: str, value: float) -> Scenario:
    """``scenario`` with one factor (``scenario.<key>`` or ``scale.<table>``) set to ``value``."""
    if name in TABLE_SCALES:
        scale = TABLE_SCALES[name]
        table = {
            key: dataclasses.replace(entry, **{scale.field: _scaled(getattr(entry, scale.field), value)})
            for key, entry in getattr(scenario, scale.table).items()
        }
        return dataclasses.replace(scenario, **{scale.table: table})
    return dataclasses.replace(scenario, **{name.removeprefix("scenario."): value})


def _scaled(entry, factor: float):
    """A table entry times ``factor`` (a number, or each number of a dictionary)."""
    if isinstance(entry, dict):
        return {k: v * factor for k, v in entry.items()}
    return entry * factor


def describe(design: Design) -> str:
    """One line: method, size, factors and rows."""
    k, rows = len(factors(design)), n_rows(design)
    unit = {"morris": "trajectories", "sobol": "base samples", "lhs": "rows"}[design.method]
    return f"{design.method}: {design.size} {unit} over {k} factors, {rows} rows (seeds in blocks of {block(design)})"
