"""Watching models while they run: two regimes stepping together on the same world, and
what one day of a model looks like (the map, the day's measures).

For the browser view (``sim.present.view``) and the lessons (``notebooks/``). Everything here reads a
model's state and returns data; nothing changes a model or draws (``sim.present.run_plots`` draws). It is
meant for the teaching scenario: each call looks at every issue of the run so far.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from sim.measure import metrics, observe
from sim.model.model import GovernanceModel
from sim.model.params import RunConfig
from sim.study.config import load_config

STATUSES = ("none", "unknown", "known", "handling")
"""A resident's need status on the map: no open need; a need the state does not know of; a
known need not yet being handled (routing or queue); a need being handled."""

WITHIN_DAYS = (1, 3, 7)


def open_issues(model: GovernanceModel) -> pd.DataFrame:
    """Issues open at the end of the model's last day (arisen, neither resolved nor given up),
    with their status code (index into :data:`STATUSES`)."""
    issues = observe.issue_frame(model)
    now = issues[issues["status"] == "open"].copy()
    now["code"] = np.where(now["started_h"].notna(), 3, np.where(now["reported_h"].notna(), 2, 1)).astype(np.int8)
    table = model.issues.view()
    now["x"], now["y"] = table["x"][now["issue_id"]], table["y"][now["issue_id"]]
    return now


def need_status(model: GovernanceModel, open_now: pd.DataFrame | None = None) -> np.ndarray:
    """Per resident, the furthest-behind status of their open needs (unknown before known
    before handled), as codes into :data:`STATUSES`; 0 where none is open."""
    open_now = open_issues(model) if open_now is None else open_now
    people = open_now[open_now["resident_id"] >= 0]
    status = np.full(len(model.population), len(STATUSES), dtype=np.int8)
    np.minimum.at(status, people["resident_id"].to_numpy(), people["code"].to_numpy())
    status[status == len(STATUSES)] = 0
    return status


def day_measures(model: GovernanceModel) -> dict[str, float]:
    """The measures the view charts, at the end of the model's last day: open needs (and how
    many of them the state knows of), the share of open needs unknown to it, the cumulative
    incidence of resolution within 1, 3 and 7 days over every need so far (``metrics``; NaN
    until a need can have been followed that long), and mean satisfaction by category."""
    horizon_h = model.day * 24.0
    issues = observe.issue_frame(model)
    open_now = issues["status"] == "open"
    known = open_now & issues["reported_h"].notna()
    backlog = int(open_now.sum())
    row = {
        "day": model.day,
        "backlog": backlog,
        "known_backlog": int(known.sum()),
        "share_unknown": (backlog - int(known.sum())) / backlog if backlog else np.nan,
    }
    resolution = metrics.resolution_kpis(issues, horizon_h)
    row |= {f"resolved_within_{d}d": resolution[f"resolved_within_{d}d"] for d in WITHIN_DAYS}
    pop = model.population
    counts = np.bincount(pop.category, minlength=len(pop.category_names))
    sums = np.bincount(pop.category, pop.satisfaction, minlength=len(pop.category_names))
    for name, n, s in zip(pop.category_names, counts, sums):
        row[f"satisfaction.{name}"] = s / n if n else np.nan
    row["satisfaction_mean"] = float(pop.satisfaction.mean())
    return row


@dataclass
class MapState:
    """What the map of one model shows (km): community squares, grid units, residents with
    their need status and satisfaction, grid workers where they last worked, open needs."""

    day: int
    side_km: float
    communities: np.ndarray  # (n, 2): lower-left corners
    units: np.ndarray  # (m, 4): x, y, width, height of each grid unit
    residents: pd.DataFrame  # x, y, status (code), satisfaction, category
    workers: np.ndarray  # (k, 2)
    issues: pd.DataFrame  # x, y, code, service_type
    extent: tuple[float, float, float, float] = field(default=(0.0, 1.0, 0.0, 1.0))


def grid_units(model: GovernanceModel) -> np.ndarray:
    """Rectangles (x, y, width, height) of the front line's grid units: one per community
    unless staff share one queue per grid unit (``policy.pool_level=grid``)."""
    terr = model.territory
    x0, y0 = terr.origin(np.arange(terr.n_communities))
    side = terr.side_km
    rects = []
    for c in range(terr.n_communities):
        bounds = model._comm_bounds[c]
        for col in range(len(bounds) - 1):
            left, right = bounds[col], bounds[col + 1]
            if not np.isfinite(right):
                break
            rows = int(model._comm_rows[c, col])
            for r in range(rows):
                rects.append((x0[c] + left * side, y0[c] + r / rows * side, (right - left) * side, side / rows))
    return np.array(rects, dtype=float).reshape(-1, 4)


def map_state(model: GovernanceModel) -> MapState:
    terr, pop = model.territory, model.population
    open_now = open_issues(model)
    x0, y0 = terr.origin(np.arange(terr.n_communities))
    workers = np.array([xy for pool in model.front_pools for xy in zip(pool.pos_x, pool.pos_y)], dtype=float)
    residents = pd.DataFrame(
        {
            "x": pop.x,
            "y": pop.y,
            "status": need_status(model, open_now),
            "satisfaction": pop.satisfaction,
            "category": np.asarray(pop.category_names)[pop.category],
        }
    )
    extent = (float(x0.min()), float(x0.max() + terr.side_km), float(y0.min()), float(y0.max() + terr.side_km))
    return MapState(
        day=model.day,
        side_km=terr.side_km,
        communities=np.column_stack([x0, y0]).astype(float),
        units=grid_units(model),
        residents=residents,
        workers=workers.reshape(-1, 2),
        issues=open_now[["x", "y", "code", "service_type"]].reset_index(drop=True),
        extent=extent,
    )


class Pair:
    """Two regimes on one world, stepping together.

    Both runs are built from the same scenario and seed, so they meet the same residents and
    the same needs (common random numbers): every difference between them is the regimes'.
    After each day both record :func:`day_measures` in ``history``.
    """

    def __init__(self, left: RunConfig, right: RunConfig):
        if left.scenario != right.scenario or left.seed != right.seed:
            raise ValueError("the two regimes of a pair need the same scenario and seed (the same world)")
        self.configs = (left, right)
        self.models = tuple(GovernanceModel(c.scenario, c.policy, seed=c.seed) for c in self.configs)
        self.history: tuple[list[dict], list[dict]] = ([], [])

    @classmethod
    def from_overrides(cls, shared: list[str], left: list[str], right: list[str]) -> Pair:
        """Compose both configurations as the command line would (``shared`` overrides, then
        each side's own): ``Pair.from_overrides(["scenario=teaching", "seed=1"],
        ["policy=coarse"], ["policy=refined"])``. A bad override raises ``ConfigError``."""
        return cls(load_config(*shared, *left), load_config(*shared, *right))

    @property
    def day(self) -> int:
        return self.models[0].day

    def step(self, days: int = 1) -> None:
        for _ in range(days):
            for model, history in zip(self.models, self.history):
                model.step()
                history.append(day_measures(model))

    def frames(self) -> tuple[pd.DataFrame, pd.DataFrame]:
        """Each side's history, one row per day."""
        return tuple(pd.DataFrame(h) for h in self.history)
