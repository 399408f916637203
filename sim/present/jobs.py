"""What a sweep's job folders hold, read for the report: a job's settings, its needs and its
daily series.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd


def _flat(params: dict) -> dict:
    """``{"scenario": {"n_residents": 1000}, "days": 20}`` -> ``{"scenario.n_residents": 1000,
    "days": 20}``: scalar settings only, one level down."""
    out = {}
    for key, value in params.items():
        if isinstance(value, dict):
            out |= {f"{key}.{k}": v for k, v in value.items() if not isinstance(v, (dict, list))}
        elif not isinstance(value, list):
            out[key] = value
    return out


def job_settings(job_dir: Path) -> dict:
    """A job's settings from its ``summary.json`` (dotted keys), or nothing if unreadable."""
    import json

    try:
        return _flat(json.loads((job_dir / "summary.json").read_text()).get("params") or {})
    except (OSError, ValueError, AttributeError):
        return {}


def _missing(value) -> bool:
    return value is None or (isinstance(value, float) and value != value)


def with_run(params: dict, run: dict) -> dict:
    """A job's settings ``params`` with its run's values over them: a swept value (a column of
    the runs) stands over the summary's settings, a missing one (the default) does not."""
    return params | {k: v for k, v in run.items() if not _missing(v)}


def read_issues(job_dir: Path, columns: list[str]) -> pd.DataFrame | None:
    """Some columns of a job's ``issues.parquet``; None if it is missing or of an older format."""
    try:
        return pd.read_parquet(Path(job_dir) / "issues.parquet", columns=columns)
    except (OSError, ValueError, KeyError):
        return None


def read_job(job_dir: Path) -> tuple[pd.DataFrame | None, pd.DataFrame | None, dict]:
    """A job folder's needs (``issues.parquet``: when each arose, was resolved, was given up),
    its daily series (``timeseries.parquet``: day, backlog, mean satisfaction, warm-up flag
    where written) and its settings (``summary.json``'s ``params``, as dotted keys such as
    ``scenario.n_residents``). None for a table that is missing or of an older format."""

    job_dir = Path(job_dir)
    issues = read_issues(job_dir, ["created_h", "resolved_h", "abandoned_h"])
    try:
        ts = pd.read_parquet(job_dir / "timeseries.parquet")
        ts = ts[[c for c in ("day", "backlog", "satisfaction_mean", "warmup") if c in ts]] if "day" in ts else None
    except (OSError, ValueError, KeyError):
        ts = None
    return issues, ts, job_settings(job_dir)
