"""How many seeds: from a pilot sweep, the spread of each paired difference across seeds, the
half-width of its 95 % interval now, and the seeds that would give a target half-width
(``python -m sim.present.replications`` writes the table).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
from scipy import stats

from sim.measure.ablation import _ablation_pairs
from sim.measure.analysis import (
    KPIS,
    _groups,
    _ok,
    _pairs,
    check_runs,
    duplicated_runs,
    unit_family,
    varying_parameters,
)
from sim.model.params import ConfigError

HALF_WIDTHS = {"share": 0.01, "score": 0.002, "hours": 5.0}
"""Default target half-widths of a 95 % interval of a paired difference, by unit family
(:func:`~sim.measure.analysis.unit_family`): one percentage point of needs, 0.002 on the 0-1
satisfaction scale (about a fifth of refined's calibrated lead), five hours. Assumption: choose
your own."""


def seeds_for(sd: float, half_width: float, confidence: float = 0.95, most: int = 100_000) -> float:
    """The fewest seeds n (at least 2) whose Student-t interval of a mean, with standard
    deviation ``sd`` across seeds, is at most ``half_width`` wide on each side: t(n-1) sd / √n.
    NaN if ``sd`` is unknown; more than ``most`` gives inf."""
    if not np.isfinite(sd) or half_width <= 0:
        return np.nan
    q = 0.5 + confidence / 2
    n = max(2, int(np.ceil((stats.norm.ppf(q) * sd / half_width) ** 2)))  # the normal's answer, a lower bound
    while n <= most and stats.t.ppf(q, n - 1) * sd / np.sqrt(n) > half_width:
        n += 1
    return float(n) if n <= most else np.inf


def _comparisons(runs: pd.DataFrame, by: list[str]):
    """(label, column, treatment, control) of each paired comparison in a sweep: refined −
    coarse, or each ablated dial in both directions (:func:`~sim.measure.ablation.ablation_effects`)."""
    ok = _ok(runs)
    if "variant" in ok and ok["variant"].notna().any():
        for dial, direction, treat, ctrl in _ablation_pairs(ok):
            yield f"{dial} ({direction})", "variant", treat, ctrl
    else:
        yield "refined − coarse", "policy", "refined", "coarse"


def replications(
    runs: pd.DataFrame, by: list[str], kpis=tuple(KPIS), half_widths=None, confidence: float = 0.95
) -> pd.DataFrame:
    """From a pilot sweep: for each comparison, group of ``by`` and KPI, the spread of the
    paired differences across seeds, the half-width of their interval now, and the seeds
    that would give the target half-width (``half_widths`` by unit family, default
    :data:`HALF_WIDTHS`). An ablation's comparisons are its dials, both directions.

    Args:
        runs: A pilot sweep's table of runs; runs whose ``status`` is not ``ok`` are left out.
        by: The columns to group by, a list (``[]``: one group).
        kpis: The KPIs; those the table lacks are left out.
        half_widths: Target half-widths by unit family (``share``, ``score``, ``hours``),
            each replacing the default of :data:`HALF_WIDTHS`.
        confidence: The confidence level of the intervals, strictly between 0 and 1.

    Returns:
        A row per comparison, group and KPI: ``comparison``, the columns of ``by``, ``kpi``,
        ``pairs``, ``sd``, ``half_width``, ``target``, ``seeds_needed``.

    Raises:
        ConfigError: ``runs`` is not a table with rows, ``by`` not a list of its columns or one
            that leaves runs of the same arm and seed in a group, a KPI unknown, ``half_widths``
            names an unknown family, or ``confidence`` is out of range.
    """
    by, kpis = check_runs(runs, by, kpis)
    arm = "variant" if "variant" in _ok(runs) and _ok(runs)["variant"].notna().any() else "policy"
    if len(dup := duplicated_runs(runs, by, arm)):
        raise ConfigError(
            f"{len(dup)} runs share their {arm}, seed and group of by={by}: they cannot be paired; "
            f"add to by what else varies ({', '.join(varying_parameters(runs)) or 'nothing does'})"
        )
    families = ", ".join(HALF_WIDTHS)
    if not isinstance(half_widths, (Mapping, type(None))) or set(half_widths or {}) - set(HALF_WIDTHS):
        raise ConfigError(f"half_widths={half_widths!r}: pass a dict of unit families ({families}) to half-widths")
    if not isinstance(confidence, (int, float)) or not 0 < confidence < 1:
        raise ConfigError(f"confidence={confidence!r}: allowed strictly between 0 and 1, e.g. 0.95")
    targets = {**HALF_WIDTHS, **(half_widths or {})}
    q = 0.5 + confidence / 2
    rows = []
    for label, column, treat, ctrl in _comparisons(runs, by):
        for key, g in _groups(_ok(runs), by):
            t, c, seeds, _ = _pairs(g, column, treat, ctrl)
            for k in kpis:
                if k not in g or not len(seeds):
                    continue
                d = t.loc[seeds, k].to_numpy(float) - c.loc[seeds, k].to_numpy(float)
                d = d[~np.isnan(d)]
                sd = float(d.std(ddof=1)) if len(d) > 1 else np.nan
                now = float(stats.t.ppf(q, len(d) - 1) * sd / np.sqrt(len(d))) if len(d) > 1 else np.nan
                target = targets[unit_family(k)]
                rows.append(
                    {
                        "comparison": label,
                        **key,
                        "kpi": k,
                        "pairs": len(d),
                        "sd": sd,
                        "half_width": now,
                        "target": target,
                        "seeds_needed": seeds_for(sd, target, confidence),
                    }
                )
    columns = ["comparison", *by, "kpi", "pairs", "sd", "half_width", "target", "seeds_needed"]
    return pd.DataFrame(rows, columns=columns)
