"""Unbiased time measures over all needs, and the measurement window after warm-up."""

import numpy as np
import pandas as pd
import pytest

from sim.measure import metrics
from sim.model.params import ConfigError
from tests.conftest import make_config, run


def test_cumulative_incidence_matches_a_hand_computation():
    # Five needs: resolved at 1 h, given up at 2 h, open at 2 h (censored), resolved at 3 h,
    # open at 5 h. At risk: 5, 4, 2, 1. Resolution: 1/5 = 0.2 at 1 h; unchanged at 2 h (the
    # survival drops to 0.8 * 3/4 = 0.6); 0.2 + 0.6 * 1/2 = 0.5 at 3 h. Abandonment: 0.8 * 1/4.
    time_h = np.array([1.0, 2.0, 2.0, 3.0, 5.0])
    event = np.array([1, 2, 0, 1, 0])
    times, cif = metrics.cumulative_incidence(time_h, event)
    at = np.array([0.5, 1.0, 2.0, 3.0, 5.0])
    assert metrics.step_at(times, cif[0], at) == pytest.approx([0.0, 0.2, 0.2, 0.5, 0.5])
    assert metrics.step_at(times, cif[1], at) == pytest.approx([0.0, 0.0, 0.2, 0.2, 0.2])
    # Mean of min(time to resolution, 4 h): 1 h at 0, 0.8 of [1, 3), 0.5 of [3, 4) -> 1 + 1.6 + 0.5.
    assert metrics.restricted_mean_h(times, cif[0], 4.0) == pytest.approx(3.1)


def test_cumulative_incidence_agrees_with_scikit_survival():
    import sksurv.nonparametric as sksurv  # in the test extra: a missing one fails

    rng = np.random.default_rng(3)
    time_h = np.round(rng.exponential(100, 5000), 1)  # rounded: many ties, as in real runs
    event = rng.choice([0, 1, 2], size=5000, p=[0.15, 0.6, 0.25])
    times, cif = metrics.cumulative_incidence(time_h, event)
    ref_times, ref = sksurv.cumulative_incidence_competing_risks(event, time_h)
    np.testing.assert_allclose(times, ref_times)
    np.testing.assert_allclose(cif, ref[1:], atol=1e-12)


def test_resolution_measures_cover_all_needs_and_are_ordered():
    k = run("scenario=teaching", "policy=refined", "days=90").kpis
    curve = [k[f"resolved_within_{d}d"] for d in metrics.CIF_DAYS]
    assert curve == sorted(curve), f"a cumulative incidence cannot fall: {curve}"
    assert k["resolved_within_30d"] + k["abandoned_within_30d"] <= 1 + 1e-12
    assert 0 < k["resolution_time_restricted_30d_h"] <= metrics.RESTRICT_H
    # Over all needs, the share resolved within a week cannot exceed the share of resolved
    # needs among those that were; the conditional response time is blind to that.
    assert k["resolved_within_7d"] <= k["resolution_rate"] + 0.05  # 0.05: censoring of late needs


def test_short_runs_do_not_report_times_they_did_not_follow():
    k = run("scenario=teaching", "days=10").kpis
    assert not np.isnan(k["resolved_within_7d"])
    assert np.isnan(k["resolved_within_30d"]) and np.isnan(k["resolution_time_restricted_30d_h"])


def test_on_time_share_counts_every_known_case_and_late_or_given_up_ones_as_late():
    result = run("scenario=teaching", "days=60")
    issues, horizon = result.issues, 60 * 24.0
    # Every case known at least a week before the end, closed in time or not (given up after it
    # became known, or still open: late), not only the cases a regime closed.
    followed = issues[issues["reported_h"] + metrics.ON_TIME_H <= horizon]
    in_time = (followed["resolved_h"] - followed["reported_h"]) <= metrics.ON_TIME_H
    assert result.kpis["on_time_share"] == pytest.approx(in_time.mean())
    late = followed[~in_time]
    assert len(late) and (late["status"] != "resolved").any(), "cases given up or open count as late"
    closed_only = followed[followed["status"] == "resolved"]
    closed_in_time = ((closed_only["resolved_h"] - closed_only["reported_h"]) <= metrics.ON_TIME_H).mean()
    assert result.kpis["on_time_share"] < closed_in_time, "counting only closed cases flatters the process"
    assert result.kpis["on_time_share"] > result.kpis["resolved_within_7d"], "process looks better than outcome"


def test_kpis_are_measured_after_the_warm_up():
    result = run("scenario=teaching", "days=60", "warmup_days=20")
    issues, k = result.issues, result.kpis
    assert k["issues_created"] == int((issues["created_h"] >= 20 * 24).sum()), "needs of the window only"
    assert len(issues) > k["issues_created"], "issues.parquet keeps every need"
    ts = result.timeseries
    assert len(ts) == 60 and ts["warmup"].sum() == 20 and k["window_days"] == 40
    window = ts.loc[~ts["warmup"], "satisfaction_mean"].mean()
    assert k["satisfaction_window_mean"] == pytest.approx(window)


def test_a_warm_up_as_long_as_the_run_is_refused():
    with pytest.raises(ConfigError, match="warmup_days=30 must be less than days=30"):
        make_config("scenario=teaching", "days=30", "warmup_days=30")


def test_no_warm_up_measures_every_need():
    result = run("scenario=teaching", "days=20")
    assert result.kpis["issues_created"] == len(result.issues)
    assert not result.timeseries["warmup"].any()
    assert isinstance(result.timeseries, pd.DataFrame)


def test_matched_comparison_uses_only_needs_resolved_under_both():
    from sim.measure import analysis

    nan = float("nan")
    control = pd.DataFrame(
        {
            "issue_id": [0, 1, 2, 3],
            "created_h": [0.0, 10.0, 20.0, 30.0],
            "reported_h": [1.0, 12.0, nan, nan],
            "resolved_h": [50.0, 40.0, nan, nan],  # needs 2 and 3 never known: never resolved
        }
    )
    treatment = control.assign(reported_h=[1.0, 11.0, 100.0, nan], resolved_h=[30.0, 20.0, 300.0, nan])
    m = analysis.matched_resolution(control, treatment)
    # Need 2, found late and resolved only under the treatment, would lengthen its mean response
    # time (a selection effect); matched, only needs 0 and 1 count: 50 and 30 h against 30 and 10 h.
    assert m["matched_needs"] == (2, 2)
    assert m["matched_response_time_mean_h"] == pytest.approx((40.0, 20.0))
    assert m["matched_report_to_resolution_mean_h"] == pytest.approx(((49 + 28) / 2, (29 + 9) / 2))
    with pytest.raises(ValueError, match="not a pair"):
        analysis.matched_resolution(control, treatment.assign(created_h=[0.0, 10.0, 20.0, 31.0]))


def test_regime_reports_include_the_matched_comparison(paired_sweep):
    # paired_sweep (tests/conftest.py) is this test's own sweep, made once and shared: the same
    # command, `python -m sim -m scenario=teaching days=20 policy=coarse,refined seed=0,1`.
    matched = pd.read_csv(paired_sweep / "report" / "matched.csv").set_index("kpi")
    assert matched.loc["matched_needs", "pairs"] == 2 and matched.loc["matched_needs", "coarse"] > 0
    assert matched.loc["matched_needs", "coarse"] == matched.loc["matched_needs", "refined"]
