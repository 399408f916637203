"""Comparisons of runs in a table of runs (``runs.parquet``): means, confidence intervals,
paired differences and levels, group contrasts, matched needs, the headline figure's forests
and the staff-time accounting. Pure functions on DataFrames; no model, no files.

Comparisons are paired: runs that differ only in the policy (or the ablated dial) and share a
seed faced the same residents and needs (common random numbers), so the difference is
computed per seed and its confidence interval comes from the spread of those differences.

The rest of the analysis of many runs builds on this: :mod:`sim.measure.ablation` (each
mechanism's effect, the decomposition over bundles), :mod:`sim.measure.curves` (the headline
figure's curves and daily bands) and :mod:`sim.measure.precision` (how many seeds).

Functions of a table of runs raise :class:`~sim.model.params.ConfigError`, naming what is wrong
and what is allowed, unless it is a DataFrame with rows (:func:`sim.study.sweep.read_runs` loads
a sweep's), ``by`` a list of its columns (a single name is refused: a KPI put there would group
unnoticed), each KPI known (:func:`_known_kpi`), each arm a value of its column (the default,
refined − coarse on ``policy``, gives no rows if one is missing) and no two runs of a pair alike.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from difflib import get_close_matches

import numpy as np
import pandas as pd
from scipy import stats

from sim.model.params import ConfigError

KPIS = {
    # key: (label, unit). The first four are the figures' panels. Over all needs unless marked
    # conditional (a denominator the regime itself sets): the callback's rates are over the
    # cases the state knew of, as a hotline publishes them.
    "resolved_within_7d": ("needs resolved within 7 days of arising", "cumulative incidence, all needs"),
    "needs_met_share": ("needs actually met", "share of all needs"),
    "callback_satisfaction_rate": ("satisfied at the callback (满意率)", "share of known cases; as hotlines publish"),
    "callback_resolution_rate": ("solved, as residents say at the callback (解决率)", "share of known cases"),
    "resolution_time_restricted_30d_h": ("time to resolution, capped at 30 days", "mean, hours, all needs"),
    "satisfaction_window_mean": ("residents' attitude (a survey of all)", "mean over the window, 0-1"),
    "callback_response_rate": ("taken up within a day (响应率)", "share of known cases; process"),
    "unreported_share": ("needs never known to the state", "share of all needs"),
    "on_time_share": ("closed within a week of report", "share of known cases; process"),
    "response_time_mean_h": ("response time of resolved needs", "mean, hours; conditional on resolution"),
    "satisfaction_known_window_mean": ("satisfaction, needs never known left out", "mean over the window, 0-1"),
    "equity_gap_within_7d": ("employed − migrants, resolved within 7 days", "difference of shares; equity"),
    "equity_gap_unknown": ("migrants − employed, needs never known", "difference of shares; equity"),
}
CITY_KPIS = {
    # City management as a district's grid system counts it (the replays of real reforms): the
    # environment needs, faults and events in public space known to the state.
    "city_cases_resolved": ("city-management cases closed", "count, needs followed 30 days"),
    "city_close_mean_h": ("report → closure, city management", "mean, hours; conditional on closure"),
    "city_closure_rate": ("city-management cases closed", "share of known cases"),
    "city_public_share": ("city-management cases the public reported", "share of known cases"),
    "city_cases_known": ("city-management cases known", "count, needs followed 30 days"),
}
GROUP_PREFIXES = ("resolved_within_7d_", "needs_met_share_", "callback_satisfaction_rate_", "satisfaction_mean_")
PAIR_CHECK = "needs_fingerprint"  # which needs arose: identical within a pair (common random numbers)
FALLBACK_CHECK = "issues_created"  # runs written before the fingerprint existed

RELEVANT = {
    "resolved_within_7d": 0.01,
    "callback_satisfaction_rate": 0.01,
    "callback_resolution_rate": 0.01,
    "callback_response_rate": 0.01,
    "satisfaction_window_mean": 0.005,
    "resolution_time_restricted_30d_h": 1.0,
    # Smallest effect that matters in practice (assumption, stated for the reader): one
    # percentage point of all needs (or of the cases called back), 0.005 on the 0-1 scale of
    # the residents' attitude, one hour. An effect
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
    "city_close_mean_h": -1,
}  # lower is better; the rest higher


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
    """Per group of ``by`` and KPI: mean, 95 % CI across seeds, and number of runs.

    Args:
        runs: A table of runs; runs whose ``status`` is not ``ok`` are left out.
        by: The columns to group by, a list (``[]``: one group).
        kpis: The KPIs; those the table lacks are left out.

    Returns:
        Columns ``by``, ``kpi``, ``mean``, ``ci_low``, ``ci_high``, ``n``: a row per group and KPI.

    Raises:
        ConfigError: ``runs`` is not a table with rows, ``by`` not a list of its columns, or a KPI unknown.
    """
    by, kpis = check_runs(runs, by, kpis)
    rows = []
    for key, g in _groups(_ok(runs), by):
        for k in kpis:
            if k in g:
                mean, lo, hi, n = ci95(g[k])
                rows.append({**key, "kpi": k, "mean": mean, "ci_low": lo, "ci_high": hi, "n": n})
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
    (those with a value under both arms).

    Args:
        runs: A table of runs; runs whose ``status`` is not ``ok`` are left out.
        by: The columns to group by, a list (``[]``: one group).
        column: The column whose values are the arms.
        treatment: The arm compared, a value of ``column``.
        control: The arm compared against, a value of ``column``.
        kpis: The KPIs; those the table lacks are left out.

    Returns:
        A row per group and KPI: ``by``, ``kpi``, ``difference``, CI, ``pairs``, ``excluded``, ``paired_ok``.

    Raises:
        ConfigError: ``runs``, ``by``, ``kpis`` or an arm is not as described above.
    """
    by, kpis = check_runs(runs, by, kpis, (column, treatment, control))
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
    arms present, same needs, a value under both), so levels and differences agree.

    Args:
        runs: A table of runs; runs whose ``status`` is not ``ok`` are left out.
        by: The columns to group by, a list (``[]``: one group).
        column: The column whose values are the arms.
        treatment: The arm compared, a value of ``column``.
        control: The arm compared against, a value of ``column``.
        kpis: The KPIs; those the table lacks are left out.

    Returns:
        A row per group, arm and KPI: ``by``, ``column``, ``kpi``, ``mean``, ``ci_low``, ``ci_high``, ``n``.

    Raises:
        ConfigError: ``runs``, ``by``, ``kpis`` or an arm is not as described above.
    """
    by, kpis = check_runs(runs, by, kpis, (column, treatment, control))
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
    ones.

    Args:
        runs: A table of runs with ``policy`` and the groups' KPIs (``needs_met_share_elderly``...).
        by: The columns to group by, a list (``[]``: one group).
        groups: Pairs of groups of residents (a, b), e.g. ``[("employed", "elderly")]``.
        kpis: The KPIs whose groups are compared, e.g. ``["resolved_within_7d"]``.

    Returns:
        Columns ``by``, ``kpi``, ``contrast``, ``difference``, ``ci_low``, ``ci_high``, ``pairs``.

    Raises:
        ConfigError: ``runs``, ``by``, ``groups`` or ``kpis`` is not as described above.
    """
    by, kpis = check_runs(runs, by, kpis, ("policy", "refined", "coarse"))
    present = sorted({name for k in kpis for name in group_names(runs, k)})
    for pair in groups if isinstance(groups, (list, tuple)) else [groups]:
        if not (isinstance(pair, (list, tuple)) and len(pair) == 2 and set(pair) <= set(present)):
            raise ConfigError(
                f"groups: {pair!r} is not a pair of groups (a, b) with columns of {', '.join(kpis)}: pass a list "
                f"of pairs, e.g. [('employed', 'elderly')]; the groups present are {', '.join(present) or 'none'}"
            )
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
    """(group, seed, control run, treatment run) for every pair that faced the same needs.

    Args:
        runs: A table of runs; runs whose ``status`` is not ``ok`` are left out.
        by: The columns to group by, a list (``[]``: one group).
        column: The column whose values are the arms.
        treatment: The arm compared, a value of ``column``.
        control: The arm compared against, a value of ``column``.

    Returns:
        An iterator of (group as {column: value}, seed, control run, treatment run), runs as rows.

    Raises:
        ConfigError: ``runs``, ``by`` or an arm is not as described above.
    """
    by, _ = check_runs(runs, by, arms=(column, treatment, control))
    pairs = ((key, *_pairs(g, column, treatment, control)) for key, g in _groups(_ok(runs), by))
    return ((key, seed, c.loc[seed], t.loc[seed]) for key, t, c, seeds, _ in pairs for seed in seeds)


def matched_resolution(control: pd.DataFrame, treatment: pd.DataFrame, start_h: float = 0.0) -> dict:
    """Per measure of :data:`MATCHED`, (control, treatment) over the needs arising after
    ``start_h`` that both runs resolved, matched by ``issue_id`` (common random numbers give a
    need the same id under both regimes; the arrival times are checked).

    Args:
        control: The control run's issues (``Result.issues``, or ``issues.parquet`` of its job).
        treatment: The treatment run's issues, of the same seed.
        start_h: Needs arising before this hour (the warm-up) are left out.

    Returns:
        {measure: (control, treatment)} for each measure of :data:`MATCHED`.

    Raises:
        ConfigError: ``control`` or ``treatment`` is not a table of issues.
        ValueError: The two runs' needs differ: they are not a pair of common random numbers.
    """
    cols = ["issue_id", "created_h", "reported_h", "resolved_h"]
    for name, issues in (("control", control), ("treatment", treatment)):
        _check_table(issues, name, rows=False)
        _check_columns(issues, cols, name, "pass a run's issues (Result.issues, or issues.parquet of its job)")
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
    """Per group and measure: each arm's mean over pairs, and the paired difference with its 95 % CI.

    Args:
        per_pair: A row per pair and measure: columns ``by``, ``kpi``, ``control``, ``treatment``.
        by: The columns to group by, a list (``[]``: one group).
        control: The column of the control's values.
        treatment: The column of the treatment's values.

    Returns:
        Columns ``by``, ``kpi``, ``control``, ``treatment``, ``difference``, ``ci_low``, ``ci_high``, ``pairs``.

    Raises:
        ConfigError: ``per_pair`` is not a DataFrame, or lacks a column named.
    """
    _check_table(per_pair, "per_pair", rows=False)
    by = _names(by, "by")
    _check_columns(per_pair, [*by, "kpi", control, treatment], "per_pair", "see matched_summary's arguments")
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


# ---------------------------------------------------------------------------- headline forests


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
    smallest relevant size (:data:`RELEVANT`), else ``""``.

    Args:
        runs: A table of runs of one setting, under the policies coarse and refined.
        kpis: The headline KPIs; those the table lacks are left out.
        group_kpi: The KPI shown by group of residents (columns ``<group_kpi>_<group>``).

    Returns:
        A row per KPI and group: the columns above, ``base``, ``difference``, CI and ``pairs``.

    Raises:
        ConfigError: ``runs`` is not a table with rows, or a KPI unknown.
    """
    kpis = check_runs(runs, kpis=[*_names(kpis, "kpis"), group_kpi])[1][:-1]
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
    that group and arm has the key.

    Args:
        runs: A table of runs; runs whose ``status`` is not ``ok`` are left out.
        by: The columns to group by, a list (``[]``: one group).
        arm: The column whose values become the table's columns (``policy``, or ``variant``).

    Returns:
        Columns ``by``, ``key`` (the accounting column) and one per arm.

    Raises:
        ConfigError: ``runs`` is not a table with rows, ``by`` not a list of its columns, or ``arm`` not a column.
    """
    by, _ = check_runs(runs, by)
    _check_columns(runs, [arm], "arm", "the arms are the values of a column such as policy or variant")
    ok = _ok(runs)
    keys = accounting_keys(ok)
    arms = sorted(ok[arm].dropna().unique(), key=lambda a: (a not in ("coarse", "refined"), a)) if arm in ok else []
    rows = []
    for group, g in _groups(ok, by):
        for k in keys:
            rows.append({**group, "key": k, **{a: g.loc[g[arm] == a, k].mean() for a in arms}})
    return pd.DataFrame(rows, columns=[*by, "key", *arms])


# ---------------------------------------------------------------------------- argument checks


def _closest(name, candidates) -> str:
    found = get_close_matches(str(name), list(dict.fromkeys(map(str, candidates))), n=3)
    return f" (closest: {', '.join(found)})" if found else ""


def _check_table(table, name: str = "runs", rows: bool = True) -> None:
    """Raise :class:`ConfigError` unless ``table`` is a DataFrame (with rows, if ``rows``)."""
    load = "sim.study.sweep.read_runs(path)" if name == "runs" else "pandas.read_parquet(path)"
    if isinstance(table, (str, os.PathLike)):
        raise ConfigError(f"{name}={str(table)!r} is a path, not a table: load the table with {load}")
    if not isinstance(table, pd.DataFrame):
        raise ConfigError(f"{name} is a {type(table).__name__}, not a table: pass a DataFrame ({load} loads one)")
    if rows and not len(table):
        raise ConfigError(f"{name} is an empty table (no rows): there is nothing to compare")


def _names(value, name: str) -> list[str]:
    """``value`` as a list of names, or :class:`ConfigError` (for a single name too)."""
    if isinstance(value, str):
        raise ConfigError(f"{name}={value!r} is a single name: pass a list, e.g. {name}=[{value!r}]")
    names = list(value) if isinstance(value, Iterable) and not isinstance(value, pd.DataFrame) else [value]
    if not all(isinstance(n, str) for n in names):
        raise ConfigError(f"{name}={value!r}: pass a list of names ([] for none)")
    return names


def _check_columns(table: pd.DataFrame, columns, name: str, allowed: str) -> None:
    """Raise :class:`ConfigError` naming the first of ``columns`` not in ``table``, and ``allowed``."""
    for c in columns:
        if c not in table.columns:
            raise ConfigError(f"{name}: {c!r} is not a column of the table{_closest(c, table.columns)}; {allowed}")


def _known_kpi(kpi: str, columns) -> bool:
    """In :data:`KPIS`, :data:`CITY_KPIS` or ``columns``, the base of a group's KPIs, or a group's KPI
    (:data:`GROUP_PREFIXES`) where ``columns`` hold none of that prefix (runs kept no groups)."""
    if kpi in columns or kpi in KPIS or kpi in CITY_KPIS or f"{kpi}_" in GROUP_PREFIXES:
        return True
    prefix = next((p for p in GROUP_PREFIXES if kpi.startswith(p)), None)
    return prefix is not None and not any(str(c).startswith(prefix) for c in columns)


def check_runs(runs, by=(), kpis=(), arms=None) -> tuple[list[str], list[str]]:
    """``by`` and ``kpis`` as lists once checked with ``arms`` (column, treatment, control), by the
    rules of this module's docstring; else :class:`ConfigError` naming what is wrong."""
    _check_table(runs)
    by, kpis = _names(by, "by"), _names(kpis, "kpis")
    usable = ", ".join(dict.fromkeys(c for c in ("policy", "variant", *swept_parameters(runs)) if c in runs))
    _check_columns(runs, by, "by", f"group by columns such as {usable} ([] for one group)")
    for k in kpis:
        if not _known_kpi(k, runs.columns):
            raise ConfigError(
                f"unknown KPI {k!r}{_closest(k, [*KPIS, *CITY_KPIS, *runs.columns])}; known are those of "
                "sim.measure.analysis.KPIS and CITY_KPIS, the groups' (group_kpis(runs)) and any column of the table"
            )
    if arms:
        column, treatment, control = arms
        _check_columns(runs, [column], "column", "the arms are the values of a column such as policy or variant")
        if treatment == control:
            raise ConfigError(f"treatment and control are both {treatment!r}: name two values of column {column!r}")
        present = sorted(runs[column].dropna().unique(), key=str)
        for name, value in (("treatment", treatment), ("control", control)):
            if value not in present and tuple(arms) != ("policy", "refined", "coarse"):
                shown = ", ".join(map(str, present[:12])) + (", ..." if len(present) > 12 else "")
                raise ConfigError(f"{name}={value!r} is not a value of column {column!r}; values present: {shown}")
        if len(dup := duplicated_runs(runs, by, column)):
            raise ConfigError(
                f"{len(dup)} runs share their {column}, seed and group of by={by}: they cannot be paired; "
                f"add to by what else varies ({', '.join(varying_parameters(runs)) or 'nothing does'})"
            )
    return by, kpis
