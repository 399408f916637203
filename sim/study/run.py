"""One run as a function: configuration in, result tables and KPIs out (no files, no Hydra)."""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
import time
from dataclasses import asdict, dataclass, field

import numpy as np
import pandas as pd

from sim.measure import metrics, observe
from sim.model.issues import label_column
from sim.model.model import GovernanceModel
from sim.model.params import RunConfig
from sim.model.world import Population


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
    return population_frame(model.population)


def population_frame(pop: Population) -> pd.DataFrame:
    """The ``residents.parquet`` table from the residents' arrays."""
    return pd.DataFrame(
        {
            "resident_id": np.arange(len(pop), dtype=np.int64),
            "category": label_column(pop.category, pop.category_names),
            "community": pop.community,
            "registered_elsewhere": pop.registration != pop.community,
            "digital": pop.digital,
            "satisfaction": pop.satisfaction,
            "satisfaction_known": pop.satisfaction_known,
            "expectation": pop.expectation,
            "trust": pop.trust,
        }
    )


def collect(model: GovernanceModel, cfg: RunConfig) -> Result:
    """Turn a finished model into result tables and the KPI dictionary."""
    return summarise(model_tables(model, cfg), cfg)


def model_tables(model: GovernanceModel, cfg: RunConfig, residents: bool = True) -> dict:
    """All that the results need from the model: the issue, daily and (unless ``residents``
    is False) resident tables and the staff's time use. Nothing after this reads the model
    (see ``simulate``)."""
    horizon_h = model.day * 24.0  # as far as the model has run (a notebook may stop early)
    tables = {
        "issues": observe.issue_frame(model),
        "daily": pd.DataFrame(model.daily),
        "time_use": observe.time_use(model, horizon_h) | observe.overloaded_shares(model, cfg.warmup_days),
        "horizon_h": horizon_h,
    }
    if residents:
        tables["residents"] = residents_frame(model)
    return tables


def summarise(tables: dict, cfg: RunConfig) -> Result:
    """The result of a run from its tables (``model_tables``): timeseries and KPIs.

    KPIs are measured over the window after ``cfg.warmup_days``: issue KPIs over the needs
    that arose in it (followed to the horizon), daily means over its days; the final state
    of the residents is reported as it is at the horizon."""
    issues, residents, horizon_h = tables["issues"], tables["residents"], tables["horizon_h"]
    ts = metrics.timeseries(issues, tables["daily"])
    ts["warmup"] = ts["day"] < cfg.warmup_days
    cohort = issues[issues["created_h"] >= cfg.warmup_days * 24.0] if cfg.warmup_days else issues
    kpis = metrics.issue_kpis(cohort, horizon_h)
    # Residents' needs (not component faults), with only the columns group_kpis reads.
    people = cohort.loc[
        cohort["resident_id"] >= 0,
        [
            "category",
            "registered_elsewhere",
            "status",
            "created_h",
            "reported_h",
            "resolved_h",
            "abandoned_h",
            "solved",
            "rating",
        ],
    ]
    kpis |= metrics.group_kpis(people, "category", horizon_h)
    kpis |= metrics.group_kpis(
        people, "registered_elsewhere", horizon_h, label=lambda v: "registered_elsewhere" if v else "registered_here"
    )
    del people, cohort
    kpis |= metrics.equity_kpis(kpis)
    kpis |= metrics.resident_kpis(residents)
    kpis |= metrics.window_means(ts)
    kpis |= {k: float(v) for k, v in tables["time_use"].items()}
    kpis |= metrics.workload_kpis(issues, cfg.warmup_days * 24.0, horizon_h, kpis)
    return Result(cfg, issues, ts, residents, kpis)


COLLECT_FROM_RESIDENTS = 100_000  # runs this large free their model at once (district: 820,000)


def simulate(cfg: RunConfig, progress=None) -> Result:
    """Build the model, run it for ``cfg.days`` days and collect the results."""
    t0 = time.perf_counter()
    model = build(cfg)
    t1 = time.perf_counter()
    model.run(cfg.days, progress=progress)
    t2 = time.perf_counter()
    # Read the results out of the model, then free it (at district scale ~0.5 GB: agents,
    # issue table, pools) before the KPIs and the files add their own memory. Agents and model
    # refer to each other, so only the cyclic collector frees them, and it might not run a
    # full pass for a long time. The residents' table needs only the population's arrays:
    # it is built after the rest is gone, which lowers the peak. A full collection takes time
    # in proportion to everything the process holds (0.1 s in a busy one), so small runs,
    # whose model weighs a few MB, leave it to the collector's own schedule.
    tables = model_tables(model, cfg, residents=False)
    population = model.population
    del model
    if cfg.scenario.n_residents >= COLLECT_FROM_RESIDENTS:
        gc.collect()
        release_free_memory()
    tables["residents"] = population_frame(population)
    del population
    result = summarise(tables, cfg)
    result.timings = {"build_s": t1 - t0, "run_s": t2 - t1, "collect_s": time.perf_counter() - t2}
    return result


def release_free_memory() -> None:
    """Ask the C allocator to hand memory freed by Python back to the operating system.

    After a district run is freed, glibc keeps ~0.35 GB of free heap pages mapped (the model's
    many small objects and mid-sized arrays left holes that it only returns from the top of
    its heap), so the process's resident memory would stay as high as with the model alive.
    ``malloc_trim`` returns those pages. Only on glibc (Linux); elsewhere it does nothing.
    """
    try:
        ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6").malloc_trim(0)
    except (OSError, AttributeError, TypeError):  # not glibc: nothing to do
        pass


def params_dict(cfg: RunConfig) -> dict:
    return asdict(cfg)
