"""One run as a function: configuration in, result tables and KPIs out (no files, no Hydra)."""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field

import numpy as np
import pandas as pd

from sim import metrics
from sim.model import GovernanceModel
from sim.params import RunConfig


@dataclass
class Result:
    """Everything a run produces, as data."""

    config: RunConfig
    issues: pd.DataFrame
    timeseries: pd.DataFrame
    residents: pd.DataFrame
    kpis: dict[str, float]
    timings: dict[str, float] = field(default_factory=dict)


def build(cfg: RunConfig) -> GovernanceModel:
    return GovernanceModel(cfg.scenario, cfg.policy, seed=cfg.seed)


def residents_frame(model: GovernanceModel) -> pd.DataFrame:
    pop = model.population
    return pd.DataFrame(
        {
            "resident_id": np.arange(len(pop), dtype=np.int64),
            "category": np.array(pop.category_names)[pop.category],
            "community": pop.community,
            "registered_elsewhere": pop.registration != pop.community,
            "digital": pop.digital,
            "satisfaction": pop.satisfaction,
            "expectation": pop.expectation,
            "trust": pop.trust,
        }
    )


def collect(model: GovernanceModel, cfg: RunConfig) -> Result:
    """Turn a finished model into result tables and the KPI dictionary."""
    issues = model.issue_frame()
    ts = metrics.timeseries(issues, pd.DataFrame(model.daily))
    residents = residents_frame(model)
    kpis = metrics.issue_kpis(issues, cfg.days * 24.0)
    people = issues[issues["resident_id"] >= 0]
    kpis |= metrics.group_kpis(people, "category")
    kpis |= metrics.group_kpis(
        people, "registered_elsewhere", label=lambda v: "registered_elsewhere" if v else "registered_here"
    )
    kpis |= metrics.resident_kpis(residents)
    kpis["backlog_mean"] = float(ts["backlog"].mean())
    kpis |= {
        f"time_{k}" if not k.startswith(("utilisation", "volunteer")) else k: float(v)
        for k, v in model.time_use(cfg.days * 24.0).items()
    }
    return Result(cfg, issues, ts, residents, kpis)


def simulate(cfg: RunConfig, progress=None) -> Result:
    """Build the model, run it for ``cfg.days`` days and collect the results."""
    t0 = time.perf_counter()
    model = build(cfg)
    t1 = time.perf_counter()
    model.run(cfg.days, progress=progress)
    t2 = time.perf_counter()
    result = collect(model, cfg)
    result.timings = {"build_s": t1 - t0, "run_s": t2 - t1, "collect_s": time.perf_counter() - t2}
    return result


def params_dict(cfg: RunConfig) -> dict:
    return asdict(cfg)
