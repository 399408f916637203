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
    # key: (label, unit). The first four are the figures' panels. Over all needs unless marked
    # conditional (a denominator the regime itself sets).
    "resolved_within_7d": ("needs resolved within 7 days of arising", "cumulative incidence, all needs"),
    "needs_met_share": ("needs actually met", "share of all needs"),
    "satisfaction_window_mean": ("satisfaction", "mean over the window, 0-1"),
    "resolution_time_restricted_30d_h": ("time to resolution, capped at 30 days", "mean, hours, all needs"),
    "unreported_share": ("needs never known to the state", "share of all needs"),
    "on_time_share": ("closed within a week of report", "share of known cases; process"),
    "response_time_mean_h": ("response time of resolved needs", "mean, hours; conditional on resolution"),
    "satisfaction_known_window_mean": ("satisfaction, needs never known left out", "mean over the window, 0-1"),
    "equity_gap_within_7d": ("employed − migrants, resolved within 7 days", "difference of shares; equity"),
    "equity_gap_unknown": ("migrants − employed, needs never known", "difference of shares; equity"),
}
GROUP_PREFIXES = ("resolved_within_7d_", "needs_met_share_", "satisfaction_mean_")
PAIR_CHECK = "needs_fingerprint"  # which needs arose: identical within a pair (common random numbers)
FALLBACK_CHECK = "issues_created"  # runs written before the fingerprint existed


def group_kpis(runs: pd.DataFrame) -> list[str]:
    """Per-group KPI columns (by category, and for residents registered elsewhere or here):
    the "for whom" of a comparison."""
    return [c for c in runs.columns if c.startswith(GROUP_PREFIXES)]


def swept_parameters(runs: pd.DataFrame) -> list[str]:
    """Columns that hold configuration keys given on the command line or by a sweep: dotted
    keys, the ablation ``variant``, the ``scenario`` choice and ``days`` (not seed or policy)."""
    return [c for c in runs.columns if "." in c or c in ("variant", "access", "scenario", "days")]


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


def _pairs(g: pd.DataFrame, column: str, treatment: str, control: str):
    """Treatment and control runs of one group, indexed by seed, and the seeds whose two runs
    faced the same needs (equal fingerprints); plus the seeds left out for failing that."""
    t = g[g[column] == treatment].set_index("seed")
    c = g[g[column] == control].set_index("seed")
    seeds = t.index.intersection(c.index)
    check = PAIR_CHECK if PAIR_CHECK in g and g[PAIR_CHECK].notna().all() else FALLBACK_CHECK
    if check in g:
        same = t.loc[seeds, check].to_numpy() == c.loc[seeds, check].to_numpy()
        return t, c, seeds[same], seeds[~same]
    return t, c, seeds, seeds[:0]


def _groups(runs: pd.DataFrame, by: list[str]):
    for key, g in runs.groupby(by, sort=True, dropna=False) if by else [((), runs)]:
        yield dict(zip(by, key if isinstance(key, tuple) else (key,))), g


def paired_differences(
    runs: pd.DataFrame,
    by: list[str],
    column: str = "policy",
    treatment: str = "refined",
    control: str = "coarse",
    kpis=tuple(KPIS),
) -> pd.DataFrame:
    """Treatment minus control, paired on seed within each group of ``by``.

    A pair whose runs did not face the same needs (their fingerprints differ) is left out:
    ``excluded`` counts them and ``paired_ok`` is False. ``pairs`` counts the pairs used
    (those with a value under both arms)."""
    rows = []
    for key, g in _groups(_ok(runs), by):
        t, c, seeds, bad = _pairs(g, column, treatment, control)
        if len(seeds) + len(bad) == 0:
            continue
        for k in kpis:
            if k in g:
                mean, lo, hi, n = ci95(t.loc[seeds, k].to_numpy(float) - c.loc[seeds, k].to_numpy(float))
                rows.append(
                    {
                        **key,
                        "kpi": k,
                        "difference": mean,
                        "ci_low": lo,
                        "ci_high": hi,
                        "pairs": n,
                        "excluded": len(bad),
                        "paired_ok": len(bad) == 0,
                    }
                )
    return pd.DataFrame(rows, columns=[*by, "kpi", "difference", "ci_low", "ci_high", "pairs", "excluded", "paired_ok"])


def paired_levels(
    runs: pd.DataFrame,
    by: list[str],
    column: str = "policy",
    treatment: str = "refined",
    control: str = "coarse",
    kpis=tuple(KPIS),
) -> pd.DataFrame:
    """Each arm's mean and 95 % CI over exactly the seeds its paired differences use (both
    arms present, same needs, a value under both), so levels and differences agree."""
    rows = []
    for key, g in _groups(_ok(runs), by):
        t, c, seeds, _ = _pairs(g, column, treatment, control)
        for k in kpis:
            if k not in g or not len(seeds):
                continue
            both = seeds[t.loc[seeds, k].notna().to_numpy() & c.loc[seeds, k].notna().to_numpy()]
            for arm, frame in ((control, c), (treatment, t)):
                mean, lo, hi, n = ci95(frame.loc[both, k])
                rows.append({**key, column: arm, "kpi": k, "mean": mean, "ci_low": lo, "ci_high": hi, "n": n})
    return pd.DataFrame(rows, columns=[*by, column, "kpi", "mean", "ci_low", "ci_high", "n"])


def group_contrasts(runs: pd.DataFrame, by: list[str], groups: list[tuple[str, str]], kpis) -> pd.DataFrame:
    """How much more one group gains than another: per seed, (refined − coarse) for group
    ``a`` minus (refined − coarse) for group ``b``, with the paired 95 % CI. A statement such
    as "employed residents gain more than the elderly" needs this interval, not two overlapping
    ones."""
    rows = []
    for key, g in _groups(_ok(runs), by):
        t, c, seeds, _ = _pairs(g, "policy", "refined", "coarse")
        for kpi in kpis:
            for a, b in groups:
                ka, kb = f"{kpi}_{a}", f"{kpi}_{b}"
                if ka not in g or kb not in g or not len(seeds):
                    continue
                gain = {k: t.loc[seeds, k].to_numpy(float) - c.loc[seeds, k].to_numpy(float) for k in (ka, kb)}
                mean, lo, hi, n = ci95(gain[ka] - gain[kb])
                rows.append(
                    {**key, "kpi": kpi, "contrast": f"{a} − {b}".replace("_", " "), "difference": mean}
                    | {"ci_low": lo, "ci_high": hi, "pairs": n}
                )
    return pd.DataFrame(rows, columns=[*by, "kpi", "contrast", "difference", "ci_low", "ci_high", "pairs"])


def group_names(runs: pd.DataFrame, kpi: str = "needs_met_share") -> list[str]:
    """The resident groups that have per-group KPIs in ``runs`` (categories, registration)."""
    return [c[len(kpi) + 1 :] for c in runs.columns if c.startswith(kpi + "_")]


MATCHED = {
    # key: (label, unit). Over the needs that both regimes of a seed resolved, matched by
    # identity: the same needs, so no selection between the regimes.
    "matched_needs": ("needs resolved under both regimes", "count per run"),
    "matched_response_time_mean_h": ("response time, needs resolved under both", "mean, hours"),
    "matched_response_time_median_h": ("response time, needs resolved under both", "median, hours"),
    "matched_report_to_resolution_mean_h": ("report to resolution, needs resolved under both", "mean, hours"),
}


def paired_runs(runs: pd.DataFrame, by: list[str], column="policy", treatment="refined", control="coarse"):
    """(group, seed, control run, treatment run) for every pair that faced the same needs."""
    for key, g in _groups(_ok(runs), by):
        t, c, seeds, _ = _pairs(g, column, treatment, control)
        for seed in seeds:
            yield key, seed, c.loc[seed], t.loc[seed]


def matched_resolution(control: pd.DataFrame, treatment: pd.DataFrame, start_h: float = 0.0) -> dict:
    """Per measure of :data:`MATCHED`, (control, treatment) over the needs arising after
    ``start_h`` that both runs resolved, matched by ``issue_id`` (common random numbers give a
    need the same id under both regimes; the arrival times are checked)."""
    cols = ["issue_id", "created_h", "reported_h", "resolved_h"]
    both = control[cols].merge(treatment[cols], on="issue_id", suffixes=("_c", "_t"))
    if not np.array_equal(both["created_h_c"].to_numpy(), both["created_h_t"].to_numpy()):
        raise ValueError("the two runs' needs differ: they are not a pair of common random numbers")
    both = both[(both["created_h_c"] >= start_h) & both["resolved_h_c"].notna() & both["resolved_h_t"].notna()]
    wait = {arm: both[f"resolved_h_{arm}"] - both["created_h_c"] for arm in "ct"}
    handled = {arm: both[f"resolved_h_{arm}"] - both[f"reported_h_{arm}"] for arm in "ct"}
    return {
        "matched_needs": (len(both), len(both)),
        "matched_response_time_mean_h": (wait["c"].mean(), wait["t"].mean()),
        "matched_response_time_median_h": (wait["c"].median(), wait["t"].median()),
        "matched_report_to_resolution_mean_h": (handled["c"].mean(), handled["t"].mean()),
    }


def matched_summary(per_pair: pd.DataFrame, by: list[str], control="coarse", treatment="refined") -> pd.DataFrame:
    """Per group and measure: each arm's mean over pairs, and the paired difference with its
    95 % CI. ``per_pair`` has the columns of ``by``, ``kpi``, ``control`` and ``treatment``."""
    rows = []
    for key, g in _groups(per_pair, [*by, "kpi"]):
        mean, lo, hi, n = ci95((g[treatment] - g[control]).to_numpy(float))
        rows.append(
            key
            | {control: g[control].mean(), treatment: g[treatment].mean(), "difference": mean}
            | {"ci_low": lo, "ci_high": hi, "pairs": n}
        )
    order = {k: i for i, k in enumerate(MATCHED)}
    out = pd.DataFrame(rows, columns=[*by, "kpi", control, treatment, "difference", "ci_low", "ci_high", "pairs"])
    return out.sort_values([*by, "kpi"], key=lambda s: s.map(order) if s.name == "kpi" else s, kind="stable")


# ---------------------------------------------------------------------------- mechanism ablation

# One sign convention for every effect: the KPI with the dial set as in refined, minus the KPI
# with the dial set as in coarse, the other dials held at the preset named by the direction.
EFFECT = "KPI(dial as in refined) − KPI(dial as in coarse)"
DIRECTIONS = {
    "coarse+": "in coarse: (coarse+dial) − coarse",
    "refined-": "in refined: refined − (refined−dial)",
}

RELEVANT = {
    "resolved_within_7d": 0.01,
    "satisfaction_window_mean": 0.005,
    "resolution_time_restricted_30d_h": 1.0,
    # Smallest effect that matters in practice (assumption, stated for the reader): one
    # percentage point of all needs, 0.005 on the 0-1 satisfaction scale, one hour. An effect
    # whose familywise interval lies within +/- this is reported as negligible.
    "served_within_week_share": 0.01,
    "needs_met_share": 0.01,
    "satisfaction_mean": 0.005,
    "response_time_mean_h": 1.0,
    "unreported_share": 0.01,
    "on_time_share": 0.01,
    "satisfaction_known_window_mean": 0.005,
    "equity_gap_within_7d": 0.01,
    "equity_gap_unknown": 0.01,
}
BETTER = {
    "response_time_mean_h": -1,
    "resolution_time_restricted_30d_h": -1,
    "unreported_share": -1,
    "equity_gap_within_7d": -1,
    "equity_gap_unknown": -1,
}  # lower is better; the rest higher


def ablation_effects(runs: pd.DataFrame, kpis=tuple(KPIS), by: list[str] | None = None) -> pd.DataFrame:
    """Each dial's effect (:data:`EFFECT`), paired by seed within each group of ``by``.

    From the ``variant`` column: ``coarse+<dial>`` against ``coarse`` (the dial alone, in
    coarse) and ``refined`` against ``refined-<dial>`` (what it adds within refined). Each row
    also has a familywise interval and a verdict (:func:`familywise`)."""
    by = list(by or [])
    rows = []
    for dial, direction, treat, ctrl in _ablation_pairs(runs):
        diffs = paired_differences(runs, by, column="variant", treatment=treat, control=ctrl, kpis=kpis)
        rows += [{"dial": dial, "direction": direction, **r} for r in diffs.to_dict("records")]
    return familywise(pd.DataFrame(rows), by)


def _ablation_pairs(runs: pd.DataFrame):
    """(dial, direction, treatment variant, control variant) of each ablated dial in the runs:
    ``coarse+<dial>`` against ``coarse``, and ``refined`` against ``refined-<dial>``."""
    for v in sorted(set(_ok(runs)["variant"].dropna())):
        for prefix, direction in DIRECTIONS.items():
            if v.startswith(prefix):
                treat, ctrl = (v, "coarse") if prefix == "coarse+" else ("refined", v)
                yield v[len(prefix) :], direction, treat, ctrl


def familywise(effects: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    """Bonferroni-adjusted 95 % intervals over the family of effects of each KPI (within each
    group of ``by``), and a verdict per effect:

    * ``structural zero``: every paired difference is exactly 0 (the dial cannot act there);
    * ``better`` / ``worse``: the familywise interval excludes 0 and the effect is at least
      the :data:`RELEVANT` size, in the KPI's good or bad direction;
    * ``negligible``: the familywise interval lies within +/- the relevant size;
    * ``unclear``: anything else (too few seeds to tell);
    * ``n/a``: the KPI has no value in these runs."""
    if effects.empty:
        return effects.assign(family=[], fw_low=[], fw_high=[], verdict=[])
    out = effects.copy()
    out["family"] = out.groupby([*by, "kpi"], dropna=False)["kpi"].transform("size")
    n = out["pairs"].to_numpy(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        se = (out["ci_high"] - out["ci_low"]).to_numpy() / 2 / stats.t.ppf(0.975, n - 1)
        half = stats.t.ppf(1 - 0.025 / out["family"].to_numpy(), n - 1) * se
    out["fw_low"], out["fw_high"] = out["difference"] - half, out["difference"] + half
    out["verdict"] = [_verdict(r) for r in out.to_dict("records")]
    return out


def _verdict(r: dict) -> str:
    if r["pairs"] >= 2 and r["difference"] == 0 and r["ci_low"] == 0 and r["ci_high"] == 0:
        return "structural zero"
    if np.isnan(r["difference"]):
        return "n/a"  # the KPI is not defined in these runs (e.g. a horizon shorter than its cap)
    if r["pairs"] < 2 or np.isnan(r["fw_low"]):
        return "unclear"
    size = RELEVANT.get(r["kpi"], 0.0)
    if -size < r["fw_low"] and r["fw_high"] < size:
        return "negligible"
    if (r["fw_low"] > 0 or r["fw_high"] < 0) and abs(r["difference"]) >= size:
        return "better" if np.sign(r["difference"]) == BETTER.get(r["kpi"], 1) else "worse"
    return "unclear"


# ---------------------------------------------------------------------------- headline figure

CIF_GRID_DAYS = np.arange(0.0, 30.0 + 1e-9, 0.25)
"""Days since a need arose at which the headline figure reads the cumulative incidence."""


def bands(table: pd.DataFrame, keys: list[str], value: str) -> pd.DataFrame:
    """Per group of ``keys`` (say policy and day), the mean of ``value`` over the runs in it
    (the seeds) with its Student-t 95 % CI, as :func:`ci95` computes it (NaN interval from one
    run), and ``n``. Missing values are left out; a group with none is left out."""
    values = table.dropna(subset=[value])
    out = values.groupby(keys, sort=True)[value].agg(mean="mean", sd="std", n="count").reset_index()
    n = out["n"].to_numpy(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        half = np.where(n > 1, stats.t.ppf(0.975, np.maximum(n - 1, 1)) * out["sd"].to_numpy() / np.sqrt(n), np.nan)
    out["ci_low"], out["ci_high"] = out["mean"] - half, out["mean"] + half
    return out[[*keys, "mean", "ci_low", "ci_high", "n"]]


def resolution_curve(
    issues: pd.DataFrame, horizon_h: float, start_h: float = 0.0, grid_days=CIF_GRID_DAYS
) -> pd.DataFrame:
    """One run's cumulative incidence of resolution at ``grid_days`` days since a need arose.

    Over all needs arising from ``start_h`` on (the end of the warm-up), residents' needs and
    component faults alike; a need given up is a competing event, one still open at
    ``horizon_h`` is censored there (:func:`sim.metrics.cumulative_incidence`). NaN beyond the
    cohort's longest follow-up, where the run cannot tell. Columns ``day`` and ``cif``."""
    from sim.metrics import competing_events, cumulative_incidence, step_at

    grid = np.asarray(grid_days, dtype=float)
    cohort = issues[issues["created_h"] >= start_h]
    if cohort.empty:
        return pd.DataFrame({"day": grid, "cif": np.nan})
    time_h, event = competing_events(cohort, horizon_h)
    times, cif = cumulative_incidence(time_h, event)
    at = 24.0 * grid
    followed = horizon_h - cohort["created_h"].min()
    return pd.DataFrame({"day": grid, "cif": np.where(at <= followed, step_at(times, cif[0], at), np.nan)})


def curve_bands(curves: pd.DataFrame, arm: str = "policy") -> pd.DataFrame:
    """Per arm and day: the mean cumulative incidence over the runs, with a 95 % band across
    seeds. ``curves`` has one row per run and day: ``arm``, ``seed``, ``day``, ``cif``.

    The band is the pointwise t-interval (:func:`bands`) widened to its monotone envelope (the
    upper limit the highest so far, the lower the lowest from then on) and clipped to [0, 1]:
    a cumulative incidence cannot fall or leave [0, 1], and the widened band still holds every
    pointwise interval, so it is never narrower than the t-interval. The curve stops where a
    run can no longer tell (beyond its follow-up), so every point is a mean over the same runs."""
    out = bands(curves, [arm, "day"], "cif")
    out = out[out["n"] == out[arm].map(curves.groupby(arm)["seed"].nunique())].copy()
    for _, g in out.groupby(arm, sort=False):
        g = g.sort_values("day")
        out.loc[g.index, "ci_high"] = g["ci_high"].cummax().clip(upper=1.0)
        out.loc[g.index, "ci_low"] = g["ci_low"][::-1].cummin()[::-1].clip(lower=0.0)
    return out


SERIES = {"backlog": "needs open (backlog)", "satisfaction_mean": "mean satisfaction of residents (0-1)"}
SERIES_MAX = {"satisfaction_mean": 1.0}  # and every series is at least 0


def timeseries_bands(series: pd.DataFrame, arm: str = "policy", measures=tuple(SERIES)) -> pd.DataFrame:
    """Per arm, measure and day: the mean over runs with its 95 % CI across seeds, clipped to
    the measure's possible values (a backlog is never below 0, satisfaction stays in [0, 1]:
    with few seeds a t-interval can reach past them). ``series`` stacks the runs'
    ``timeseries.parquet`` with ``arm`` and ``seed`` columns added."""
    parts = [bands(series, [arm, "day"], m).assign(measure=m) for m in measures if m in series]
    columns = [arm, "measure", "day", "mean", "ci_low", "ci_high", "n"]
    if not parts:
        return pd.DataFrame(columns=columns)
    out = pd.concat(parts, ignore_index=True)[columns]
    out["ci_low"] = out["ci_low"].clip(lower=0.0)
    out["ci_high"] = out["ci_high"].clip(upper=out["measure"].map(SERIES_MAX))  # no bound where NaN
    return out


def warmup_days(series: pd.DataFrame, default: int = 0) -> int:
    """Days marked ``warmup`` in stacked time series (the longest of any run); ``default``
    where the column is missing (runs written before it existed) or marks none."""
    if "warmup" in series and series["warmup"].astype(bool).any():
        return int(series.loc[series["warmup"].astype(bool), "day"].max()) + 1
    return int(default)


def unit_family(kpi: str) -> str:
    """``share`` (a share of needs or cases, 0-1), ``hours`` or ``score`` (0-1 scores such as
    satisfaction): KPIs of one family can share an axis."""
    unit = KPIS.get(kpi, ("", ""))[1]
    if kpi.endswith("_h") or "hours" in unit:
        return "hours"
    if "share" in unit or "incidence" in unit or kpi.endswith("_share") or kpi.startswith("resolved_within_"):
        return "share"
    return "score"


def forest_rows(runs: pd.DataFrame, kpis=tuple(KPIS), group_kpi: str = "resolved_within_7d") -> pd.DataFrame:
    """Paired differences refined − coarse (one comparison: the runs of one setting) of the
    headline ``kpis`` present, and of ``group_kpi`` by resident group, one row each with:
    ``group`` ("" overall), ``family`` (:func:`unit_family`), ``better`` (+1 if higher is better
    for that KPI, -1 if lower, :data:`BETTER`) and ``favours``: ``refined`` or ``coarse`` when
    the 95 % CI excludes 0 on that policy's better side and the difference is at least the
    smallest relevant size (:data:`RELEVANT`), else ``""``."""
    overall = paired_differences(runs, [], kpis=[k for k in kpis if k in runs])
    overall = overall.assign(group="", base=overall["kpi"])
    names = group_names(runs, group_kpi)
    groups = paired_differences(runs, [], kpis=[f"{group_kpi}_{g}" for g in names])
    groups = groups.assign(group=groups["kpi"].str[len(group_kpi) + 1 :].str.replace("_", " "), base=group_kpi)
    rows = pd.concat([overall, groups], ignore_index=True) if len(groups) else overall
    rows["family"] = rows["base"].map(unit_family)
    rows["better"] = rows["base"].map(lambda k: BETTER.get(k, 1)).astype(int)
    gain_low = np.where(rows["better"] > 0, rows["ci_low"], -rows["ci_high"])  # the CI in the better direction
    gain_high = np.where(rows["better"] > 0, rows["ci_high"], -rows["ci_low"])
    size = rows["base"].map(lambda k: RELEVANT.get(k, 0.0)).to_numpy()
    relevant = rows["difference"].abs().to_numpy() >= size  # a sure but tiny gap favours nobody
    rows["favours"] = np.where(relevant & (gain_low > 0), "refined", np.where(relevant & (gain_high < 0), "coarse", ""))
    columns = ["kpi", "base", "group", "family", "better", "difference", "ci_low", "ci_high", "pairs", "favours"]
    return rows[columns]


# ---------------------------------------------------------------------------- staff-time accounting

ACCOUNTING_PREFIXES = (
    "staff_",
    "paid_h_",
    "volunteer_h",
    "capacity_",
    "time_",
    "utilisation",
    "case_share_",
    "case_load_",
    "cases_per_front_post_month",
    "known_per_post_month",
    "visits",
)
"""KPI columns of the staff-time accounting: staff per line, paid hours per line, volunteer
hours, capacity, each pool's hours by use (duties, appraisal, records, patrol or inspection,
documentation, cases, travel, idle), utilisation (hours not idle), the share of hours on cases,
cases per post and month, household visits."""


def accounting_keys(runs: pd.DataFrame) -> list[str]:
    """The staff-time accounting columns of ``runs``, in the order of
    :data:`ACCOUNTING_PREFIXES`, then as they come."""
    return [c for p in ACCOUNTING_PREFIXES for c in runs.columns if c.startswith(p)]


def capacity_table(runs: pd.DataFrame, by: list[str], arm: str = "policy") -> pd.DataFrame:
    """Mean over seeds of every staff-time accounting column, per group of ``by`` (rows, one
    per ``key``) and value of ``arm`` (columns: coarse and refined first). NaN where no run of
    that group and arm has the key."""
    ok = _ok(runs)
    keys = accounting_keys(ok)
    arms = sorted(ok[arm].dropna().unique(), key=lambda a: (a not in ("coarse", "refined"), a)) if arm in ok else []
    rows = []
    for group, g in _groups(ok, by):
        for k in keys:
            rows.append({**group, "key": k, **{a: g.loc[g[arm] == a, k].mean() for a in arms}})
    return pd.DataFrame(rows, columns=[*by, "key", *arms])


# ---------------------------------------------------------------------------- replications

HALF_WIDTHS = {"share": 0.01, "score": 0.002, "hours": 5.0}
"""Default target half-widths of a 95 % interval of a paired difference, by unit family
(:func:`unit_family`): one percentage point of needs, 0.002 on the 0-1 satisfaction scale
(about a fifth of refined's calibrated lead), five hours. Assumption: choose your own."""


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
    coarse, or each ablated dial in both directions (:func:`ablation_effects`)."""
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


# ---------------------------------------------------------------------------- decomposition

BUNDLES = ("access", "individualisation", "party")
"""The three bundles that tell refined from the type-based status quo: access (channels and
hours: configs/access), individualisation (grid units, patrol and visits, grid-first routing,
村居联动, competence, tailored remedies) and party mobilisation (volunteers, pairing, 四指同评)."""
ARMS = {
    # (variant, access) -> the bundles switched to refined's
    ("coarse", "basic"): (),
    ("coarse+individualisation", "basic"): ("individualisation",),
    ("coarse+party", "basic"): ("party",),
    ("refined", "basic"): ("individualisation", "party"),
    ("coarse", "modern"): ("access",),
    ("coarse+individualisation", "modern"): ("access", "individualisation"),
    ("coarse+party", "modern"): ("access", "party"),
    ("refined", "modern"): BUNDLES,
}
"""The runs of a decomposition (``experiment=decomposition``) by the bundles they switch on."""


def is_decomposition(runs: pd.DataFrame) -> bool:
    """Whether the runs hold every arm of a decomposition (and nothing else)."""
    ok = _ok(runs)
    if not {"variant", "access"} <= set(ok.columns):
        return False
    arms = set(zip(ok["variant"], ok["access"]))
    return arms == set(ARMS)


def shapley_values(value: dict[frozenset, float], players=BUNDLES) -> dict[str, float]:
    """Each player's Shapley value of the game ``value`` (coalition -> worth): the mean of its
    marginal contribution over every order in which the players can join. The values add up
    to the worth of all minus the worth of none, whatever the order, which a step-by-step
    decomposition does not give."""
    from itertools import combinations
    from math import factorial

    n = len(players)
    out = {}
    for p in players:
        others = [q for q in players if q != p]
        total = 0.0
        for size in range(n):
            weight = factorial(size) * factorial(n - size - 1) / factorial(n)
            for s in combinations(others, size):
                total += weight * (value[frozenset((*s, p))] - value[frozenset(s)])
        out[p] = total
    return out


def decomposition(runs: pd.DataFrame, kpis, by: list[str]) -> pd.DataFrame:
    """Per group of ``by`` (access aside) and KPI: the gap between the type-based status quo
    (coarse, basic access) and Jinshan's full package (refined, modern access), its Shapley
    split over :data:`BUNDLES`, and the gap at equal (modern) access, each computed seed by
    seed (the eight arms of a seed face the same needs) with its mean and 95 % interval, and
    each bundle's share of the full gap (of the means)."""
    ok = _ok(runs)
    by = [c for c in by if c not in ("access", "variant")]
    rows = []
    for group, g in _groups(ok, by):
        per_seed = {}
        for seed, s in g.groupby("seed"):
            arms = {ARMS[(v, a)]: r for v, a, r in zip(s["variant"], s["access"], s.to_dict("records"))}
            if len(arms) != len(ARMS) or len({r.get(PAIR_CHECK) for r in arms.values()}) > 1:
                continue  # an arm missing, or not the same needs
            per_seed[seed] = {frozenset(k): r for k, r in arms.items()}
        for kpi in kpis:
            parts = {name: [] for name in (*BUNDLES, "full gap", "at equal access")}
            for arms in per_seed.values():
                worth = {k: float(r[kpi]) for k, r in arms.items()}
                for name, v in shapley_values(worth).items():
                    parts[name].append(v)
                parts["full gap"].append(worth[frozenset(BUNDLES)] - worth[frozenset()])
                parts["at equal access"].append(worth[frozenset(BUNDLES)] - worth[frozenset({"access"})])
            full = np.mean(parts["full gap"]) if parts["full gap"] else np.nan
            for name, values in parts.items():
                mean, lo, hi, n = ci95(values)
                share = mean / full if name in BUNDLES and full else np.nan
                rows.append(
                    {
                        **group,
                        "kpi": kpi,
                        "part": name,
                        "mean": mean,
                        "ci_low": lo,
                        "ci_high": hi,
                        "share": share,
                        "pairs": n,
                    }
                )
    return pd.DataFrame(rows, columns=[*by, "kpi", "part", "mean", "ci_low", "ci_high", "share", "pairs"])
