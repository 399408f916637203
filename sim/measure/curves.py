"""The headline figure's curves: each run's cumulative incidence of resolution since a need
arose, and the mean over seeds with a 95 % band, of those curves and of the daily series
(backlog, satisfaction). Pure functions on tables; no model, no files.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from sim.measure.analysis import _check_columns, _check_table, _closest, _names
from sim.model.params import ConfigError

CIF_GRID_DAYS = np.arange(0.0, 30.0 + 1e-9, 0.25)
"""Days since a need arose at which the headline figure reads the cumulative incidence."""


def bands(table: pd.DataFrame, keys: list[str], value: str) -> pd.DataFrame:
    """Per group of ``keys`` (say policy and day), the mean of ``value`` over the runs in it
    (the seeds) with its Student-t 95 % CI, as :func:`~sim.measure.analysis.ci95` computes it (NaN interval from one
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
    ``horizon_h`` is censored there (:func:`sim.measure.metrics.cumulative_incidence`). NaN beyond the
    cohort's longest follow-up, where the run cannot tell. Columns ``day`` and ``cif``."""
    from sim.measure.metrics import competing_events, cumulative_incidence, step_at

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
    run can no longer tell (beyond its follow-up), so every point is a mean over the same runs.

    Args:
        curves: The runs' :func:`resolution_curve` tables stacked, each with ``arm`` and ``seed`` added.
        arm: The column that tells the arms apart (``policy``).

    Returns:
        A row per arm and day: ``arm``, ``day``, ``mean``, ``ci_low``, ``ci_high``, ``n``.

    Raises:
        ConfigError: ``curves`` is not a DataFrame with the columns ``arm``, ``seed``, ``day`` and ``cif``.
    """
    _check_table(curves, "curves", rows=False)
    _check_columns(curves, [arm, "seed", "day", "cif"], "curves", "stack resolution_curve tables with arm and seed")
    out = bands(curves, [arm, "day"], "cif")
    out = out[out["n"] == out[arm].map(curves.groupby(arm)["seed"].nunique())].copy()
    for _, g in out.groupby(arm, sort=False):
        g = g.sort_values("day")
        out.loc[g.index, "ci_high"] = g["ci_high"].cummax().clip(upper=1.0)
        out.loc[g.index, "ci_low"] = g["ci_low"][::-1].cummin()[::-1].clip(lower=0.0)
    return out


SERIES = {"backlog": "needs open (backlog)", "satisfaction_mean": "residents' attitude, mean (0-1)"}
SERIES_MAX = {"satisfaction_mean": 1.0}  # and every series is at least 0


def timeseries_bands(series: pd.DataFrame, arm: str = "policy", measures=tuple(SERIES)) -> pd.DataFrame:
    """Per arm, measure and day: the mean over runs with its 95 % CI across seeds, clipped to
    the measure's possible values (a backlog is never below 0, satisfaction stays in [0, 1]:
    with few seeds a t-interval can reach past them).

    Args:
        series: The runs' ``timeseries.parquet`` (or ``Result.timeseries``) stacked, each with
            ``arm`` and ``seed`` added.
        arm: The column that tells the arms apart (``policy``).
        measures: The daily measures, of :data:`SERIES` or columns of ``series``; those it lacks are left out.

    Returns:
        A row per arm, measure and day: ``arm``, ``measure``, ``day``, ``mean``, ``ci_low``, ``ci_high``, ``n``.

    Raises:
        ConfigError: ``series`` is not a DataFrame with the columns ``arm`` and ``day``, or a measure is unknown.
    """
    _check_table(series, "series", rows=False)
    _check_columns(series, [arm, "day"], "series", "stack the runs' time series with arm and seed")
    measures = _names(measures, "measures")
    for m in measures:
        if m not in SERIES and m not in series:
            known = ", ".join(SERIES)
            raise ConfigError(
                f"unknown measure {m!r}{_closest(m, [*SERIES, *series.columns])}; the measures are {known} "
                "(sim.measure.curves.SERIES) or a column of the table"
            )
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
