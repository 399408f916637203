"""Analysis of a table of runs (``runs.parquet``): means, confidence intervals, paired
differences and mechanism effects. Pure functions on DataFrames; no model, no files.

Comparisons are paired: runs that differ only in the policy (or the ablated dial) and share a
seed faced the same residents and needs (common random numbers), so the difference is
computed per seed and its confidence interval comes from the spread of those differences.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

KPIS = {
    # key: (label, unit)
    "served_within_week_share": ("needs served within a week of arising", "share of all needs"),
    "needs_met_share": ("needs actually met", "share of all needs"),
    "satisfaction_mean": ("satisfaction", "mean, 0-1"),
    "response_time_mean_h": ("response time of resolved needs", "mean, hours"),
    "unreported_share": ("needs never known to the state", "share of all needs"),
    "on_time_share": ("closed within a week of report", "share of known needs"),
}
GROUP_PREFIXES = ("served_within_week_share_", "needs_met_share_", "satisfaction_mean_")
PAIR_CHECK = "issues_created"  # identical within a pair when common random numbers hold


def group_kpis(runs: pd.DataFrame) -> list[str]:
    """Per-group KPI columns (by category, and for residents registered elsewhere or here):
    the "for whom" of a comparison."""
    return [c for c in runs.columns if c.startswith(GROUP_PREFIXES)]


def swept_parameters(runs: pd.DataFrame) -> list[str]:
    """Columns that hold configuration keys given on the command line or by a sweep: dotted
    keys, the ablation ``variant``, the ``scenario`` choice and ``days`` (not seed or policy)."""
    return [c for c in runs.columns if "." in c or c in ("variant", "scenario", "days")]


def varying_parameters(runs: pd.DataFrame) -> list[str]:
    """Swept parameters that take more than one value (a missing value counts as one: the
    default, in a folder that holds runs of different sweeps), except the ablation variant."""
    return [c for c in swept_parameters(runs) if c != "variant" and runs[c].nunique(dropna=False) > 1]


def numeric_axes(runs: pd.DataFrame) -> list[str]:
    """Varying parameters with numeric values, in column order."""
    return [c for c in varying_parameters(runs) if pd.api.types.is_numeric_dtype(runs[c])]


def duplicated_runs(runs: pd.DataFrame, by: list[str], arm: str = "policy") -> pd.DataFrame:
    """Runs that share their group, arm and seed: they would be paired with the wrong runs."""
    keys = [*by, arm, "seed"]
    ok = _ok(runs)
    return ok[ok.duplicated(keys, keep=False)] if all(k in ok for k in keys) else ok.iloc[0:0]


def ci95(values) -> tuple[float, float, float, int]:
    """Mean and Student-t 95 % confidence interval of the mean; NaN interval for n < 2."""
    v = np.asarray(values, dtype=float)
    v = v[~np.isnan(v)]
    n = len(v)
    if n == 0:
        return np.nan, np.nan, np.nan, 0
    mean = float(v.mean())
    if n < 2:
        return mean, np.nan, np.nan, n
    half = float(stats.t.ppf(0.975, n - 1) * v.std(ddof=1) / np.sqrt(n))
    return mean, mean - half, mean + half, n


def _ok(runs: pd.DataFrame) -> pd.DataFrame:
    return runs[runs["status"] == "ok"] if "status" in runs else runs


def summarise(runs: pd.DataFrame, by: list[str], kpis=tuple(KPIS)) -> pd.DataFrame:
    """Per group of ``by`` and KPI: mean, 95 % CI across seeds, and number of runs."""
    rows = []
    for key, g in _ok(runs).groupby(by, sort=True, dropna=False):
        key = key if isinstance(key, tuple) else (key,)
        for k in kpis:
            if k in g:
                mean, lo, hi, n = ci95(g[k])
                rows.append({**dict(zip(by, key)), "kpi": k, "mean": mean, "ci_low": lo, "ci_high": hi, "n": n})
    return pd.DataFrame(rows)


def paired_differences(
    runs: pd.DataFrame,
    by: list[str],
    column: str = "policy",
    treatment: str = "refined",
    control: str = "coarse",
    kpis=tuple(KPIS),
) -> pd.DataFrame:
    """Treatment minus control, paired on seed within each group of ``by``.

    ``pairs`` counts seeds present under both; ``paired_ok`` is False if a pair did not face
    the same needs (``issues_created`` differs), which would break the pairing."""
    runs = _ok(runs)
    rows = []
    groups = runs.groupby(by, sort=True, dropna=False) if by else [((), runs)]
    for key, g in groups:
        key = key if isinstance(key, tuple) else (key,)
        t = g[g[column] == treatment].set_index("seed")
        c = g[g[column] == control].set_index("seed")
        seeds = t.index.intersection(c.index)
        if len(seeds) == 0:
            continue
        same_needs = bool((t.loc[seeds, PAIR_CHECK] == c.loc[seeds, PAIR_CHECK]).all()) if PAIR_CHECK in g else True
        for k in kpis:
            if k in g:
                mean, lo, hi, n = ci95(t.loc[seeds, k].to_numpy() - c.loc[seeds, k].to_numpy())
                rows.append(
                    {
                        **dict(zip(by, key)),
                        "kpi": k,
                        "difference": mean,
                        "ci_low": lo,
                        "ci_high": hi,
                        "pairs": n,
                        "paired_ok": same_needs,
                    }
                )
    return pd.DataFrame(rows, columns=[*by, "kpi", "difference", "ci_low", "ci_high", "pairs", "paired_ok"])


def ablation_effects(runs: pd.DataFrame, kpis=tuple(KPIS)) -> pd.DataFrame:
    """Each dial's marginal effect, paired by seed, from the ``variant`` column.

    ``coarse+<dial>`` vs ``coarse``: the effect of switching the dial on alone;
    ``refined`` vs ``refined-<dial>``: what the dial contributes within the refined preset."""
    runs = _ok(runs)
    variants = set(runs["variant"])
    rows = []
    for v in sorted(variants):
        if v.startswith("coarse+"):
            dial, base, treat, ctrl, kind = v[len("coarse+") :], runs, v, "coarse", "switched on from coarse"
        elif v.startswith("refined-"):
            dial, base, treat, ctrl, kind = v[len("refined-") :], runs, "refined", v, "switched off from refined"
        else:
            continue
        diffs = paired_differences(base, [], column="variant", treatment=treat, control=ctrl, kpis=kpis)
        for r in diffs.to_dict("records"):
            rows.append({"dial": dial, "direction": kind, **r})
    return pd.DataFrame(rows)
