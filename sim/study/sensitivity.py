"""Sensitivity analysis of a designed sweep (:mod:`sim.study.design`): Morris elementary effects and
Sobol' indices, computed by SALib, of each regime's headline KPIs and of the paired
refined − coarse difference. Pure functions on the table of runs; no model, no files.

A design's rows come in blocks (a Morris trajectory, a Saltelli base sample) that the
estimators need whole. A block with a failed or missing run in either regime is left out,
and the tables say how many blocks were used.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from sim.measure.analysis import KPIS
from sim.study import design as designs

OUTCOMES = tuple(KPIS)[:4]
"""The headline KPIs, over all needs after warm-up (sim.measure.analysis.KPIS)."""
DIFFERENCE = "refined − coarse"
ARMS = ("coarse", "refined", DIFFERENCE)
ROW = "design.row"


def outcome_table(runs: pd.DataFrame, n_rows: int, kpis=OUTCOMES) -> pd.DataFrame:
    """One row per design row (0 .. n_rows - 1), one column per (arm, KPI): each regime's KPI
    and the paired refined − coarse difference; NaN where a run is missing or failed. A KPI
    that no run measured (a horizon too short for it) is left out."""
    ok = runs[runs["status"] == "ok"]
    wide = ok.pivot_table(index=ROW, columns="policy", values=list(kpis), aggfunc="first")
    wide = wide.reindex(range(n_rows))
    columns = {}
    for kpi in kpis:
        coarse = wide[(kpi, "coarse")] if (kpi, "coarse") in wide else pd.Series(np.nan, index=wide.index)
        refined = wide[(kpi, "refined")] if (kpi, "refined") in wide else pd.Series(np.nan, index=wide.index)
        columns["coarse", kpi], columns["refined", kpi], columns[DIFFERENCE, kpi] = coarse, refined, refined - coarse
    table = pd.DataFrame(columns)
    table.columns = pd.MultiIndex.from_tuples(table.columns, names=["arm", "kpi"])
    table.index.name = ROW
    measured = [kpi for kpi in kpis if table.xs(kpi, axis=1, level="kpi").notna().any().any()]
    return table.loc[:, table.columns.get_level_values("kpi").isin(measured)]


def complete_rows(table: pd.DataFrame, block: int) -> np.ndarray:
    """The rows of the blocks in which every run of both regimes finished."""
    whole = table.notna().all(axis=1).to_numpy().reshape(-1, block).all(axis=1)
    return np.flatnonzero(np.repeat(whole, block))


def morris_indices(design: designs.Design, table: pd.DataFrame, seed: int = 0) -> pd.DataFrame:
    """μ*, its 95% bootstrap interval, μ and σ of every factor, for each arm and KPI, from the
    complete trajectories. μ* is in the KPI's unit per the factor's whole range."""
    from SALib.analyze import morris

    problem, block = designs.problem(design), designs.block(design)
    rows = complete_rows(table, block)
    if not len(rows):
        return pd.DataFrame()
    x = designs.sample(design)[rows]
    found = []
    for arm, kpi in table.columns:
        y = table[(arm, kpi)].to_numpy()[rows]
        with warnings.catch_warnings():  # one trajectory: σ is undefined (NaN), and numpy says so
            warnings.simplefilter("ignore", RuntimeWarning)
            result = morris.analyze(problem, x, y, num_levels=design.levels, conf_level=0.95, seed=seed)
        for i, name in enumerate(problem["names"]):
            found.append(
                {
                    "arm": arm,
                    "kpi": kpi,
                    "factor": name,
                    "mu_star": result["mu_star"][i],
                    "mu_star_conf": result["mu_star_conf"][i],
                    "mu": result["mu"][i],
                    "sigma": result["sigma"][i],
                    # every elementary effect exactly zero: the factor cannot act in this regime
                    # (a structural zero), or never did in these runs; not a finding either way
                    "no_effect": bool(result["mu_star"][i] == 0 and not result["sigma"][i] > 0),
                    "trajectories": len(rows) // block,
                }
            )
    return _ranked(pd.DataFrame(found), "mu_star")


def sobol_indices(design: designs.Design, table: pd.DataFrame, seed: int = 0) -> pd.DataFrame:
    """First-order (S1) and total (ST) Sobol' indices with 95% bootstrap intervals, for each arm
    and KPI, from the complete base samples."""
    from SALib.analyze import sobol

    problem, block = designs.problem(design), designs.block(design)
    rows = complete_rows(table, block)
    if not len(rows):
        return pd.DataFrame()
    found = []
    for arm, kpi in table.columns:
        y = table[(arm, kpi)].to_numpy()[rows]
        if np.ptp(y) == 0:  # no variance: no indices (a structural zero, not a finding)
            result = {k: np.full(len(problem["names"]), np.nan) for k in ("S1", "S1_conf", "ST", "ST_conf")}
        else:
            result = sobol.analyze(problem, y, calc_second_order=False, conf_level=0.95, seed=seed)
        for i, name in enumerate(problem["names"]):
            found.append(
                {
                    "arm": arm,
                    "kpi": kpi,
                    "factor": name,
                    **{k: result[k][i] for k in ("S1", "S1_conf", "ST", "ST_conf")},
                    "base_samples": len(rows) // block,
                }
            )
    return _ranked(pd.DataFrame(found), "ST")


def _ranked(indices: pd.DataFrame, by: str) -> pd.DataFrame:
    """Indices sorted within each arm and KPI, largest first, with the rank."""
    indices = indices.sort_values(["arm", "kpi", by], ascending=[True, True, False], kind="stable")
    indices["rank"] = indices.groupby(["arm", "kpi"]).cumcount() + 1
    order = {**{arm: i for i, arm in enumerate(ARMS)}, **{kpi: i for i, kpi in enumerate(KPIS)}}
    return indices.sort_values(
        ["arm", "kpi", "rank"], key=lambda c: c.map(order) if c.name in ("arm", "kpi") else c, kind="stable"
    )


def top_factors(indices: pd.DataFrame, by: str, n: int, arm: str = DIFFERENCE) -> list[str]:
    """The ``n`` factors ranked highest on any KPI of ``arm``, by their best rank."""
    part = indices[indices["arm"] == arm]
    best = part.groupby("factor")["rank"].min().sort_values(kind="stable")
    score = part.groupby("factor")[by].max()
    return list(pd.DataFrame({"rank": best, "score": -score}).sort_values(["rank", "score"]).index[:n])


def wins(table: pd.DataFrame) -> pd.DataFrame:
    """Over the design's rows: in how many refined did better than coarse on each KPI (higher
    is better but for the capped time to resolution), with the spread of the difference."""
    from sim.measure.analysis import BETTER

    found = []
    for kpi in table[DIFFERENCE].columns:
        diff = table[(DIFFERENCE, kpi)].dropna()
        sign = BETTER.get(kpi, 1)  # -1 where lower is better
        found.append(
            {
                "kpi": kpi,
                "rows": len(diff),
                "refined_better": int((sign * diff > 0).sum()),
                "refined_worse": int((sign * diff < 0).sum()),
                "difference_p05": diff.quantile(0.05),
                "difference_median": diff.median(),
                "difference_p95": diff.quantile(0.95),
            }
        )
    return pd.DataFrame(found)
