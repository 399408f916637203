"""Pure metric functions: saved or returned tables in, numbers out.

Column names of the outputs are stable and documented in the README ("Output contract").
Times are hours; a KPI that has no cases to average over is NaN, never 0.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.model.params import CITY_MANAGEMENT

ON_TIME_H = 168.0
"""Process target: a case reported and closed within a week counts as on time (assumption,
in the spirit of 12345's on-time closure rate). The same week is the outcome yardstick of
``served_within_week_share``: needs resolved within a week of *arising*, out of all needs."""


RESOLVED, ABANDONED = 1, 2  # competing events of a need; 0: still open at the horizon (censored)
CIF_DAYS = (1, 3, 7, 30)
RESTRICT_H = 720.0
"""Cumulative incidence of resolution is read at 1, 3, 7 and 30 days after a need arises; the
restricted mean time to resolution is taken over the first 30 days (assumption: a month is
the longest wait the case book's service promises consider)."""


def competing_events(issues: pd.DataFrame, horizon_h: float) -> tuple[np.ndarray, np.ndarray]:
    """Time from arising to resolution, abandonment or the horizon (h), and which it was."""
    resolved = issues["resolved_h"].to_numpy(float)
    abandoned = issues["abandoned_h"].to_numpy(float)
    event = np.where(~np.isnan(resolved), RESOLVED, np.where(~np.isnan(abandoned), ABANDONED, 0))
    end = np.where(event == RESOLVED, resolved, np.where(event == ABANDONED, abandoned, horizon_h))
    return end - issues["created_h"].to_numpy(float), event


def cumulative_incidence(time_h: np.ndarray, event: np.ndarray, kinds: int = 2) -> tuple[np.ndarray, np.ndarray]:
    """Aalen–Johansen cumulative incidence of each of ``kinds`` competing events (codes 1..kinds;
    0 = censored): the distinct times and an array (kinds, times). All needs count, resolved or
    not: a need still open at the horizon is censored there, one given up is a competing event.

    The estimator of scikit-survival's ``cumulative_incidence_competing_risks`` (the tests check
    that they agree), vectorised: the library counts subject by subject in Python, which takes
    37 s on a district year of 1.6 million needs against 0.5 s here."""
    times, index = np.unique(time_h, return_inverse=True)
    counts = np.stack([np.bincount(index[event == k], minlength=len(times)) for k in range(kinds + 1)])
    at_risk = len(time_h) - np.concatenate([[0], np.cumsum(counts.sum(0))[:-1]])
    survival = np.cumprod(1 - counts[1:].sum(0) / at_risk)
    before = np.concatenate([[1.0], survival[:-1]])
    return times, np.cumsum(counts[1:] / at_risk * before, axis=1)


def step_at(times: np.ndarray, values: np.ndarray, at: np.ndarray) -> np.ndarray:
    """A right-continuous step function (value ``values[i]`` from ``times[i]`` on, 0 before)."""
    i = np.searchsorted(times, at, side="right") - 1
    return np.where(i >= 0, values[np.clip(i, 0, None)], 0.0)


def restricted_mean_h(times: np.ndarray, incidence: np.ndarray, limit_h: float) -> float:
    """Mean of min(time to resolution, limit): the area under 1 − incidence up to ``limit_h``
    (a need given up counts as unresolved to the limit)."""
    inside = times < limit_h
    knots = np.concatenate([[0.0], times[inside], [limit_h]])
    values = np.concatenate([[0.0], incidence[inside]])
    return float(np.sum(np.diff(knots) * (1 - values)))


def resolution_kpis(issues: pd.DataFrame, horizon_h: float) -> dict[str, float]:
    """Over all needs of the cohort: the cumulative incidence of resolution at 1, 3, 7 and 30
    days (``resolved_within_<d>d``), of abandonment at 30 days, and the restricted mean time to
    resolution within 30 days. NaN where the cohort's follow-up is shorter than the time asked."""
    keys = [f"resolved_within_{d}d" for d in CIF_DAYS] + ["abandoned_within_30d", "resolution_time_restricted_30d_h"]
    if len(issues) == 0:
        return dict.fromkeys(keys, np.nan)
    time_h, event = competing_events(issues, horizon_h)
    times, cif = cumulative_incidence(time_h, event)
    followed = horizon_h - issues["created_h"].min()  # the longest follow-up in the cohort
    at = np.array([24.0 * d for d in CIF_DAYS])
    resolved = np.where(at <= followed, step_at(times, cif[0], at), np.nan)
    out = dict(zip(keys, resolved.tolist()))
    out["abandoned_within_30d"] = (
        float(step_at(times, cif[1], np.array([RESTRICT_H]))[0]) if followed >= RESTRICT_H else np.nan
    )
    out["resolution_time_restricted_30d_h"] = (
        restricted_mean_h(times, cif[0], RESTRICT_H) if followed >= RESTRICT_H else np.nan
    )
    return out


def _within_week(issues: pd.DataFrame) -> float:
    return _share(((issues["resolved_h"] - issues["created_h"]) <= ON_TIME_H).sum(), len(issues))


def _stats(prefix: str, values: pd.Series) -> dict[str, float]:
    v = values.dropna().to_numpy()
    if len(v) == 0:
        return {f"{prefix}_mean_h": np.nan, f"{prefix}_median_h": np.nan, f"{prefix}_p90_h": np.nan}
    return {
        f"{prefix}_mean_h": float(v.mean()),
        f"{prefix}_median_h": float(np.median(v)),
        f"{prefix}_p90_h": float(np.quantile(v, 0.9)),
    }


def _share(num, den) -> float:
    return float(num) / float(den) if den else np.nan


def unknown_time_mean_h(issues: pd.DataFrame, horizon_h: float) -> float:
    """Mean time a need stays unknown to the state, over *all* needs: until it is reported or
    discovered, or, if it never is, until it is given up or the run ends (a restricted mean).
    Unlike the detection latency of the needs that were detected, it cannot improve by
    leaving hard-to-find needs undiscovered."""
    if len(issues) == 0:
        return np.nan
    end = issues["reported_h"].fillna(issues["abandoned_h"]).fillna(horizon_h)
    return float((end - issues["created_h"]).mean())


def on_time_share(issues: pd.DataFrame, horizon_h: float) -> float:
    """Process, as 12345 counts it, but over every known case: of the cases known at least a
    week before the horizon, the share resolved within a week of being known. A case given up
    after it became known, or still open, counts as late (not left out, which would leave only
    the cases a regime closed)."""
    reported = issues["reported_h"].to_numpy(float)
    followed = reported + ON_TIME_H <= horizon_h  # NaN (never known) compares False
    took = issues["resolved_h"].to_numpy(float)[followed] - reported[followed]
    return _share((took <= ON_TIME_H).sum(), followed.sum())


RESPONSE_H = 24.0
"""The callback's response rate (响应率) counts a known case as answered when its handler took it
up within a day of learning of it (assumption: the ordinary time limit of published grid and
hotline assessment schemes; varied by recomputing from ``issues.parquet``)."""
SATISFIED = ("basically satisfied", "satisfied")


def callback_kpis(issues: pd.DataFrame, horizon_h: float) -> dict[str, float]:
    """The rates a 12345 hotline publishes, from the callback after every known case of a
    resident (column ``rating``; needs never known and component faults get no call): the
    response rate (响应率, of known cases followed a day, taken up within :data:`RESPONSE_H`), the
    resolution rate as residents judge it (解决率, called-back cases whose need was met) and the
    satisfaction rate (满意率, called-back cases rated satisfied or basically satisfied). The
    last two count the needs that arose at least :data:`RESTRICT_H` before the horizon, so that
    a case still open at the end (not yet called back) is not left out of a cohort that had the
    time to close it."""
    residents = issues["resident_id"].to_numpy() >= 0
    reported = issues["reported_h"].to_numpy(float)
    followed = residents & (reported + RESPONSE_H <= horizon_h)  # NaN (never known) compares False
    took = issues["started_h"].to_numpy(float)[followed] - reported[followed]
    rates = called_back_rates(issues, horizon_h)
    return {
        "callback_cases": rates.pop("cases"),
        "callback_response_rate": _share((took <= RESPONSE_H).sum(), followed.sum()),
        **{f"callback_{k}": v for k, v in rates.items()},
    }


def called_back_rates(issues: pd.DataFrame, horizon_h: float) -> dict[str, float]:
    """Cases called back among the needs followed :data:`RESTRICT_H`, and their resolution and
    satisfaction rates, and the share rated 'satisfied'."""
    followed = issues["created_h"].to_numpy(float) + RESTRICT_H <= horizon_h
    called = issues.loc[followed & (issues["rating"] != "none").to_numpy(), ["rating", "solved"]]
    return {
        "cases": len(called),
        "resolution_rate": _share((called["solved"] == 1).sum(), len(called)),
        "satisfaction_rate": _share(called["rating"].isin(SATISFIED).sum(), len(called)),
        "satisfied_share": _share((called["rating"] == "satisfied").sum(), len(called)),
    }


EQUITY = ("migrant", "employed")
"""The groups of the equity KPIs: migrants, whom complaint-driven management under-serves,
against the employed (brief, patterns)."""


def equity_kpis(kpis: dict) -> dict[str, float]:
    """The gap between the groups of :data:`EQUITY`, from their group KPIs: in needs resolved
    within 7 days (the employed's minus the migrants') and in needs never known (the migrants'
    minus the employed's); positive where migrants fare worse. NaN without both groups."""
    worse, better = EQUITY
    get = lambda key: kpis.get(key, np.nan)  # noqa: E731
    return {
        "equity_gap_within_7d": get(f"resolved_within_7d_{better}") - get(f"resolved_within_7d_{worse}"),
        "equity_gap_unknown": get(f"unreported_share_{worse}") - get(f"unreported_share_{better}"),
    }


def issue_kpis(issues: pd.DataFrame, horizon_h: float) -> dict[str, float]:
    """Counts, times and rates over all issues of a run that ended at ``horizon_h``."""
    n = len(issues)
    resolved = issues["status"] == "resolved"
    abandoned = issues["status"] == "abandoned"
    known = issues["reported_h"].notna()
    # Only the columns used below: a whole-row copy of 1.6 M issues would double the memory.
    r = issues.loc[resolved, ["created_h", "reported_h", "resolved_h", "fit", "solved"]]
    k = {
        "issues_created": n,
        "issues_resolved": int(resolved.sum()),
        "issues_abandoned": int(abandoned.sum()),
        "issues_open": int((issues["status"] == "open").sum()),
        **_stats("response_time", r["resolved_h"] - r["created_h"]),
        **_stats("report_to_resolution", r["resolved_h"] - r["reported_h"]),
        **_stats("detection_latency", issues.loc[known, "reported_h"] - issues.loc[known, "created_h"]),
        "unknown_time_mean_h": unknown_time_mean_h(issues, horizon_h),
        "served_within_week_share": _within_week(issues),
        "unreported_share": _share((~known).sum(), n),
        "resolution_rate": _share(resolved.sum(), n),
        "abandonment_rate": _share(abandoned.sum(), n),
        "known_resolution_rate": _share(resolved.sum(), known.sum()),
        "on_time_share": on_time_share(issues, horizon_h),
        "fit_mean": float(r["fit"].mean()) if len(r) else np.nan,
        "actually_solved_share": float(r["solved"].mean()) if len(r) else np.nan,
        "needs_met_share": _share((issues["solved"] == 1).sum(), n),
        "proactive_share": _share(issues["channel"].isin(["visit", "patrol", "supervisor"]).sum(), known.sum()),
        **resolution_kpis(issues, horizon_h),
        **callback_kpis(issues, horizon_h),
        **city_kpis(issues, horizon_h),
    }
    return k


PUBLIC = ("counter", "hotline", "digital")
"""The channels through which the public reports (the rest: found by staff)."""


def closed_h(cases: pd.DataFrame) -> pd.Series:
    """When each resolved case was closed on the records: when a supervisor verified it (with a
    command centre), else when it was handled. A case handled but not yet verified at the
    horizon counts as closed when handled."""
    if "verified_h" not in cases:
        return cases["resolved_h"]
    return cases["verified_h"].fillna(cases["resolved_h"])


def city_kpis(issues: pd.DataFrame, horizon_h: float) -> dict[str, float]:
    """City management as a district's grid system counts it (ODD 7.20): of the environment
    needs, faults and events in public space known to the state that arose at least
    :data:`RESTRICT_H` before the horizon (so that cases still open at the end do not count as
    not closed), how many were closed, the share closed, their mean report → resolution (h) and
    the share the public reported."""
    followed = issues["created_h"] <= horizon_h - RESTRICT_H
    city = issues[followed & issues["service_type"].isin(CITY_MANAGEMENT) & issues["reported_h"].notna()]
    done = city[city["status"] == "resolved"]
    return {
        "city_cases_known": len(city),
        "city_cases_resolved": len(done),
        "city_closure_rate": _share(len(done), len(city)),
        "city_close_mean_h": float((closed_h(done) - done["reported_h"]).mean()) if len(done) else np.nan,
        "city_public_share": _share(city["channel"].isin(PUBLIC).sum(), len(city)),
    }


def group_kpis(issues: pd.DataFrame, by: str, horizon_h: float, label=None) -> dict[str, float]:
    """Per value of column ``by``: response time of resolved needs, share never known, share
    served within a week of arising (of all needs: free of the selection in response times),
    share actually met, and the callback's resolution and satisfaction rates (with the number of
    cases called back, their denominator)."""
    out = {}
    used = ["status", "created_h", "reported_h", "resolved_h", "abandoned_h", "solved", "rating"]
    key = issues[by]
    # One group at a time, in the order of groupby(by, sort=True): the same rows in the same
    # order, without groupby's sorted copy of the whole table (1.6 M rows at district scale).
    for value in sorted(key.dropna().unique()):
        g = issues.loc[key == value, used]
        name = label(value) if label else value
        r = g[g["status"] == "resolved"]
        out[f"response_time_mean_h_{name}"] = float((r["resolved_h"] - r["created_h"]).mean()) if len(r) else np.nan
        out[f"unreported_share_{name}"] = _share(g["reported_h"].isna().sum(), len(g))
        out[f"served_within_week_share_{name}"] = _within_week(g)
        out[f"needs_met_share_{name}"] = _share((g["solved"] == 1).sum(), len(g))
        out[f"resolved_within_7d_{name}"] = resolution_kpis(g, horizon_h)["resolved_within_7d"]
        rates = called_back_rates(g, horizon_h)
        out[f"callback_resolution_rate_{name}"] = rates["resolution_rate"]
        out[f"callback_satisfaction_rate_{name}"] = rates["satisfaction_rate"]
        out[f"callback_cases_{name}"] = rates["cases"]  # the denominator of the two above
        out[f"needs_{name}"] = len(g)  # the denominator of the shares above
    return out


def needs_fingerprint(issues: pd.DataFrame) -> str:
    """A hash of which needs arose: who (resident, or -1 for a component fault), of what
    type, and when. Two runs of one seed under different regimes must agree on it: that is
    what common random numbers promise, and what makes their difference a paired one."""
    import hashlib

    digest = hashlib.blake2b(digest_size=8)
    digest.update(np.ascontiguousarray(issues["resident_id"].to_numpy(dtype=np.int64)).tobytes())
    digest.update(np.ascontiguousarray(issues["created_h"].to_numpy(dtype=np.float64)).tobytes())
    types = issues["service_type"]
    codes = types.cat.codes if isinstance(types.dtype, pd.CategoricalDtype) else pd.factorize(types, sort=True)[0]
    labels = types.cat.categories if isinstance(types.dtype, pd.CategoricalDtype) else sorted(types.unique())
    digest.update(",".join(map(str, labels)).encode())
    digest.update(np.ascontiguousarray(np.asarray(codes, dtype=np.int16)).tobytes())
    return digest.hexdigest()


def gini(values) -> float:
    """Gini coefficient of non-negative values (0: all equal)."""
    v = np.sort(np.asarray(values, dtype=float))
    if len(v) == 0 or v.sum() == 0:
        return np.nan
    i = np.arange(1, len(v) + 1)
    return float((2 * (i * v).sum() / (len(v) * v.sum())) - (len(v) + 1) / len(v))


def resident_kpis(residents: pd.DataFrame) -> dict[str, float]:
    """Satisfaction and trust at the end of the run, overall, by category, and inequality."""
    out = {
        "satisfaction_mean": float(residents["satisfaction"].mean()),
        "satisfaction_p10": float(residents["satisfaction"].quantile(0.1)),
        "satisfaction_gini": gini(residents["satisfaction"]),
        "trust_mean": float(residents["trust"].mean()),
    }
    for cat, g in residents.groupby("category", sort=True):
        out[f"satisfaction_mean_{cat}"] = float(g["satisfaction"].mean())
    return out


def daily_counts(issues: pd.DataFrame, days: int) -> pd.DataFrame:
    """Per day: issues created, resolved and abandoned that day; at the day's end the backlog
    (created, neither resolved nor abandoned, known or not) and the known backlog."""
    edges = np.arange(days + 1) * 24.0

    def per_day(col):
        t = issues[col].dropna().to_numpy()
        return np.histogram(t, bins=edges)[0]

    def by_end(col):
        t = np.sort(issues[col].dropna().to_numpy())
        return np.searchsorted(t, edges[1:], side="left")

    created, resolved, abandoned = per_day("created_h"), per_day("resolved_h"), per_day("abandoned_h")
    backlog = by_end("created_h") - by_end("resolved_h") - by_end("abandoned_h")
    known = by_end("reported_h") - _closed_known_by(issues, edges[1:])
    return pd.DataFrame(
        {
            "day": np.arange(days),
            "created": created,
            "resolved": resolved,
            "abandoned": abandoned,
            "backlog": backlog,
            "known_backlog": known,
        }
    )


def _closed_known_by(issues: pd.DataFrame, ends: np.ndarray) -> np.ndarray:
    known = issues["reported_h"].notna()
    closed = issues.loc[known, "resolved_h"].fillna(issues.loc[known, "abandoned_h"]).dropna().to_numpy()
    return np.searchsorted(np.sort(closed), ends, side="left")


def timeseries(issues: pd.DataFrame, daily_state: pd.DataFrame) -> pd.DataFrame:
    """The ``timeseries.parquet`` table: daily counts joined with the residents' daily means."""
    counts = daily_counts(issues, len(daily_state))
    return counts.merge(daily_state, on="day", how="left")


def window_means(ts: pd.DataFrame) -> dict[str, float]:
    """Means over the measurement window (the days not marked ``warmup``): satisfaction (also
    leaving out needs never known to the state) and trust as the window's time-average, the
    backlog, and the window's length in days."""
    window = ts[~ts["warmup"]] if "warmup" in ts else ts
    return {
        "satisfaction_window_mean": float(window["satisfaction_mean"].mean()),
        "satisfaction_known_window_mean": float(window["satisfaction_known_mean"].mean())
        if "satisfaction_known_mean" in window
        else np.nan,
        "trust_window_mean": float(window["trust_mean"].mean()),
        "backlog_mean": float(window["backlog"].mean()),
        "window_days": len(window),
    }


DAYS_PER_MONTH = 365.25 / 12


def workload_kpis(issues: pd.DataFrame, since_h: float, horizon_h: float, staff: dict) -> dict[str, float]:
    """Cases per post and month over [``since_h``, ``horizon_h``): the known cases the front
    line was sent, per front-line post (``cases_per_front_post_month``), and every known case,
    per paid post of the front line and departments (``known_per_post_month``), as workload
    figures of real systems count them (cases a month per staff member). ``staff`` holds the
    run's head counts (``staff_front_line``, ``staff_dept_<line>``)."""
    months = (horizon_h - since_h) / 24.0 / DAYS_PER_MONTH
    dispatched = issues["dispatched_h"].to_numpy(float)
    sent = (dispatched >= since_h) & (dispatched < horizon_h)
    front = sent & (issues["handler"] == "front_line").to_numpy()
    reported = issues["reported_h"].to_numpy(float)
    known = (reported >= since_h) & (reported < horizon_h)
    front_posts = staff.get("staff_front_line", 0.0)
    posts = front_posts + sum(v for k, v in staff.items() if k.startswith("staff_dept_"))
    return {
        "cases_per_front_post_month": _share(front.sum(), front_posts * months) if months > 0 else np.nan,
        "known_per_post_month": _share(known.sum(), posts * months) if months > 0 else np.nan,
    }


def littles_law(issues: pd.DataFrame, ts: pd.DataFrame) -> tuple[float, float]:
    """(time-average number in system, arrival rate x mean time in system), both over the
    horizon of ``ts``, with time in system clipped at the horizon. Little's law: L = λW."""
    horizon = len(ts) * 24.0
    end = issues["resolved_h"].fillna(issues["abandoned_h"]).fillna(horizon).clip(upper=horizon)
    sojourn = (end - issues["created_h"]).clip(lower=0)
    lam = len(issues) / horizon
    return float(ts["backlog"].mean()), float(lam * sojourn.mean())
