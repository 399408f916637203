"""How many seeds: from a pilot sweep, the spread of each paired difference across seeds, the
half-width of its 95 % interval now, and the seeds that would give a target half-width
(``python -m sim.present.replications`` writes the table).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from sim.measure.ablation import _ablation_pairs
from sim.measure.analysis import KPIS, _groups, _ok, _pairs, unit_family

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
    :data:`HALF_WIDTHS`). An ablation's comparisons are its dials, both directions."""
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
