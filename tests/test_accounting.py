"""Every issue is accounted for; times are ordered; runs are reproducible; needs are paired."""

import itertools

import numpy as np
import pandas as pd
import pytest

from sim.study.output import write_results
from tests.conftest import run


@pytest.fixture(scope="module")
def refined():
    return run("scenario=teaching", "policy=refined", "days=60", "seed=3")


@pytest.mark.parametrize("days", [1, 7, 45])
@pytest.mark.parametrize("policy", ["coarse", "refined"])
def test_created_equals_resolved_abandoned_open(policy, days):
    k = run("scenario=teaching", f"policy={policy}", f"days={days}").kpis
    assert k["issues_created"] > 0, "a teaching run of a day or more has issues"
    assert k["issues_created"] == k["issues_resolved"] + k["issues_abandoned"] + k["issues_open"], (
        f"accounting broken at {days} days: {k['issues_created']} created vs "
        f"{k['issues_resolved']} + {k['issues_abandoned']} + {k['issues_open']}"
    )


def test_times_are_ordered_and_within_the_horizon(refined):
    d = refined.issues
    horizon = 60 * 24
    chain = ["created_h", "reported_h", "dispatched_h", "started_h", "resolved_h"]
    for a, b in itertools.pairwise(chain):
        both = d[a].notna() & d[b].notna()
        assert (d.loc[both, a] <= d.loc[both, b] + 1e-9).all(), f"{a} after {b} for some issue"
    for col in [*chain, "abandoned_h"]:
        assert (d[col].dropna() < horizon).all(), f"{col} beyond the horizon"
    assert not (d["resolved_h"].notna() & d["abandoned_h"].notna()).any(), "an issue both resolved and abandoned"
    for col in ("created_h", "reported_h", "dispatched_h", "started_h"):
        both = d[col].notna() & d["abandoned_h"].notna()
        assert (d.loc[both, col] <= d.loc[both, "abandoned_h"] + 1e-9).all(), f"{col} after abandoned_h"
    gave_up = d["status"] == "abandoned"
    assert d.loc[gave_up & d["dispatched_h"].notna(), "handler"].ne("none").all()
    assert (d.loc[gave_up & d["dispatched_h"].isna(), "handler"] == "none").all(), "a handler without a dispatch"
    resolved = d["status"] == "resolved"
    assert d.loc[resolved, "fit"].between(0, 1).all(), "fit outside [0, 1]"
    assert d.loc[~resolved, "fit"].isna().all(), "fit set for an issue not resolved"
    assert (d.loc[d["reported_h"].isna(), "channel"] == "none").all(), "unknown issue with a channel"


def test_timeseries_backlog_matches_issue_counts(refined):
    ts, d = refined.timeseries, refined.issues
    assert list(ts["day"]) == list(range(60)), "one row per simulated day, numbered from 0"
    end = 60 * 24
    open_at_end = ((d["created_h"] < end) & d["resolved_h"].isna() & d["abandoned_h"].isna()).sum()
    assert ts["backlog"].iloc[-1] == open_at_end, "last day's backlog = issues still open"
    assert ts["created"].sum() == len(d), "daily created counts add up to all issues"


def _files(path):
    return {name: (path / name).read_bytes() for name in ("issues.parquet", "timeseries.parquet", "residents.parquet")}


def test_same_seed_same_files_different_seed_different_results(tmp_path):
    a = run("scenario=teaching", "policy=refined", "days=30", "seed=11")
    b = run("scenario=teaching", "policy=refined", "days=30", "seed=11")
    c = run("scenario=teaching", "policy=refined", "days=30", "seed=12")
    write_results(a, tmp_path / "a")
    write_results(b, tmp_path / "b")
    assert _files(tmp_path / "a") == _files(tmp_path / "b"), "same seed and config must give identical files"
    pd.testing.assert_frame_equal(a.issues, b.issues)
    assert not a.issues["created_h"].equals(c.issues["created_h"]), "a different seed must give different needs"


def test_policies_face_the_same_needs():
    # Common random numbers: with one seed, both regimes meet the same residents and needs.
    coarse = run("scenario=teaching", "policy=coarse", "days=40", "seed=5")
    refined = run("scenario=teaching", "policy=refined", "days=40", "seed=5")
    cols = ["resident_id", "service_type", "created_h", "category"]
    pd.testing.assert_frame_equal(coarse.issues[cols], refined.issues[cols])
    pd.testing.assert_frame_equal(
        coarse.residents[["category", "community", "registered_elsewhere"]],
        refined.residents[["category", "community", "registered_elsewhere"]],
    )
    assert not np.allclose(coarse.issues["resolved_h"].fillna(-1), refined.issues["resolved_h"].fillna(-1)), (
        "the regimes should differ in what happens to the needs"
    )
