"""The headline figure of a regime comparison: its curves, bands, forest rows and title, on
hand-made cases with known answers and on a real tiny sweep."""

import shutil

import numpy as np
import pandas as pd
import pytest

from sim.measure import analysis
from sim.measure.curves import bands, curve_bands, resolution_curve, timeseries_bands, warmup_days
from sim.present.comparison_report import headline_title
from sim.present.jobs import read_job
from sim.present.report import build_report

NAN = np.nan


def needs(created_d, resolved_d, abandoned_d) -> pd.DataFrame:
    """An issues table from days (NaN: not resolved, not given up), in hours as saved."""
    return pd.DataFrame(
        {
            "created_h": 24.0 * np.asarray(created_d, float),
            "resolved_h": 24.0 * np.asarray(resolved_d, float),
            "abandoned_h": 24.0 * np.asarray(abandoned_d, float),
        }
    )


def test_cumulative_incidence_of_four_needs_by_hand():
    # Resolved at 1 d and 2 d, given up at 1.5 d, open at the horizon (10 d). At 1 d one of
    # four at risk is resolved: 1/4. The abandonment at 1.5 d leaves the survival at
    # 3/4 * 2/3 = 1/2; at 2 d one of the two at risk is resolved: 1/4 + 1/2 * 1/2 = 1/2.
    issues = needs([0, 0, 0, 0], [1, 2, NAN, NAN], [NAN, NAN, 1.5, NAN])
    curve = resolution_curve(issues, horizon_h=240.0, grid_days=[0.5, 1.0, 1.9, 2.0, 9.0, 10.5])
    assert curve["cif"].iloc[:5].tolist() == pytest.approx([0.0, 0.25, 0.25, 0.5, 0.5])
    assert np.isnan(curve["cif"].iloc[5]), "beyond the longest follow-up (10 d) the run cannot tell"


def test_needs_arising_in_the_warm_up_are_left_out():
    # Two needs of the warm-up (days 0-2), each resolved within half a day; after it, one
    # resolved a day after arising and one still open. Counted alone, the later needs give
    # 1/2 at 1 d; with the warm-up's needs it would be 3/4.
    issues = needs([0, 1, 2, 2], [0.5, 1.5, 3, NAN], [NAN] * 4)
    after = resolution_curve(issues, horizon_h=240.0, start_h=48.0, grid_days=[1.0])
    every = resolution_curve(issues, horizon_h=240.0, start_h=0.0, grid_days=[1.0])
    assert after["cif"].item() == pytest.approx(0.5), "needs of the warm-up must not count"
    assert every["cif"].item() == pytest.approx(0.75)


def spread_curves() -> pd.DataFrame:
    """Three seeds' non-decreasing curves whose spread closes by day 1: the pointwise t-band
    (t(0.975, 2) = 4.30) falls there and starts below 0."""
    day = np.arange(0, 3.01, 0.25)
    rows = []
    for seed, e in enumerate((-0.1, 0.0, 0.1)):
        cif = 0.1 + 0.15 * np.minimum(day, 2) + e * np.clip(1 - day, 0, None)  # slope >= 0.05
        rows.append(pd.DataFrame({"policy": "refined", "seed": seed, "day": day, "cif": cif}))
    return pd.concat(rows, ignore_index=True)


def test_the_band_of_a_curve_is_monotone_within_0_1_and_holds_the_pointwise_interval():
    curves = spread_curves()
    assert (curves.groupby("seed")["cif"].diff().dropna() >= 0).all(), "each seed's curve is non-decreasing"
    pointwise = bands(curves, ["policy", "day"], "cif")
    assert (pointwise["ci_high"].diff().dropna() < 0).any() and (pointwise["ci_low"] < 0).any(), (
        "the case must be one the pointwise band gets wrong, else the test proves nothing"
    )
    band = curve_bands(curves)
    assert (band["ci_low"].diff().dropna() >= 0).all() and (band["ci_high"].diff().dropna() >= 0).all()
    assert (band["ci_low"] >= 0).all() and (band["ci_high"] <= 1).all()
    assert ((band["ci_low"] <= band["mean"]) & (band["mean"] <= band["ci_high"])).all()
    assert (band["ci_low"] <= pointwise["ci_low"].clip(lower=0) + 1e-12).all(), "never narrower than pointwise"
    assert (band["ci_high"] >= pointwise["ci_high"].clip(upper=1) - 1e-12).all()
    # The mean is the seeds' mean, and the pointwise interval the t-interval of analysis.ci95.
    at = curves[curves["day"] == 0.5]["cif"]
    mean, lo, hi, n = analysis.ci95(at)
    row = pointwise[pointwise["day"] == 0.5].iloc[0]
    assert (row["mean"], row["ci_low"], row["ci_high"], row["n"]) == pytest.approx((mean, lo, hi, n))
    assert band.loc[band["day"] == 0.5, "mean"].item() == pytest.approx(at.mean())


def test_a_curve_stops_where_a_seed_has_no_follow_up():
    curves = spread_curves()
    curves.loc[(curves["seed"] == 2) & (curves["day"] > 2), "cif"] = NAN
    band = curve_bands(curves)
    assert band["day"].max() == 2.0 and (band["n"] == 3).all(), "every point a mean over the same seeds"


def test_time_series_bands_and_the_warm_up_days():
    rows = []
    for policy in ("coarse", "refined"):
        for seed in range(3):
            rows.append(
                pd.DataFrame(
                    {"policy": policy, "seed": seed, "day": np.arange(6)}
                    | {"backlog": np.arange(6) + seed, "satisfaction_mean": 0.5 + 0.01 * seed}
                    | {"warmup": np.arange(6) < 2}
                )
            )
    series = pd.concat(rows, ignore_index=True)
    band = timeseries_bands(series)
    row = band[(band["policy"] == "coarse") & (band["measure"] == "backlog") & (band["day"] == 4)].iloc[0]
    assert (row["mean"], row["ci_low"], row["ci_high"]) == pytest.approx(analysis.ci95([4, 5, 6])[:3])
    assert set(band["measure"]) == {"backlog", "satisfaction_mean"}
    assert warmup_days(series) == 2
    assert warmup_days(series.drop(columns="warmup"), default=7) == 7, "old runs: the settings say"


def paired_runs() -> pd.DataFrame:
    """Four seeds; per seed, refined − coarse = the stated difference plus a little noise."""
    noise = (-0.01, 0.01, -0.005, 0.005)
    differences = {
        "resolved_within_7d": 0.1,  # higher is better: refined better
        "response_time_mean_h": -20.0,  # lower is better: refined better
        "unreported_share": 0.1,  # lower is better: coarse better
        "needs_met_share": 0.0,  # no clear difference
        "satisfaction_window_mean": 0.02,
        "resolved_within_7d_elderly": -0.2,  # coarse better for this group
        "resolved_within_7d_registered_here": 0.2,
    }
    rows = []
    for seed, e in enumerate(noise):
        base = {"status": "ok", "seed": seed, "needs_fingerprint": str(seed)}
        rows.append(base | {"policy": "coarse"} | dict.fromkeys(differences, 0.3))
        rows.append(base | {"policy": "refined"} | {k: 0.3 + d + e for k, d in differences.items()})
    return pd.DataFrame(rows)


def test_a_sure_but_negligible_gap_favours_neither_regime():
    # On-time closure 0.0002 lower under refined on every seed (noise 1e-6): the interval
    # excludes 0, but the gap is far below the smallest relevant size (0.01 of needs).
    rows = []
    for seed, e in enumerate((-1e-6, 1e-6, 0.0, 2e-6)):
        base = {"status": "ok", "seed": seed, "needs_fingerprint": str(seed)}
        rows += [
            base | {"policy": "coarse", "on_time_share": 0.9},
            base | {"policy": "refined", "on_time_share": 0.8998 + e},
        ]
    row = analysis.forest_rows(pd.DataFrame(rows), kpis=["on_time_share"]).set_index("kpi").loc["on_time_share"]
    assert row["ci_high"] < 0 and row["favours"] == ""


def test_forest_rows_follow_the_sign_convention():
    rows = analysis.forest_rows(paired_runs()).set_index("kpi")
    assert rows.loc["response_time_mean_h", "difference"] == pytest.approx(-20.0), "refined − coarse"
    favours = rows["favours"].to_dict()
    assert favours == {
        "resolved_within_7d": "refined",
        "response_time_mean_h": "refined",  # lower is better
        "unreported_share": "coarse",  # more needs never known under refined
        "needs_met_share": "",
        "satisfaction_window_mean": "refined",
        "resolved_within_7d_elderly": "coarse",
        "resolved_within_7d_registered_here": "refined",
    }, favours
    assert rows.loc["response_time_mean_h", "better"] == -1 and rows.loc["resolved_within_7d", "better"] == 1
    assert rows["family"].to_dict() == {
        "resolved_within_7d": "share",
        "response_time_mean_h": "hours",
        "unreported_share": "share",
        "needs_met_share": "share",
        "satisfaction_window_mean": "score",
        "resolved_within_7d_elderly": "share",
        "resolved_within_7d_registered_here": "share",
    }
    assert rows.loc["resolved_within_7d_registered_here", "group"] == "registered here"
    assert rows.loc["resolved_within_7d", "group"] == ""


def test_the_title_says_scale_horizon_and_budget_in_words():
    runs = pd.DataFrame(
        {
            "policy": ["coarse", "refined"] * 2,
            "days": 365,
            "warmup_days": 0,
            "scenario.n_residents": 20_000,
            "scenario.volunteer_budget": "counted",
            "staff_front_line": [40, 40, 40, 40],
            "staff_dept_housing": [24, 24, 24, 24],
        }
    )
    assert headline_title(runs) == (
        "A town of 20,000 residents, 365 days (no warm-up) — equal budget: 64 paid staff, "
        "volunteer hours counted against it"
    )
    unequal = runs.assign(staff_front_line=[36, 40, 36, 40], **{"scenario.volunteer_budget": "on_top"})
    assert headline_title(unequal.assign(warmup_days=30)) == (
        "A town of 20,000 residents, 365 days (the first 30 a warm-up) — "
        "volunteers on top of the paid staff; paid staff coarse 60, refined 64"
    )
    # A staffing sweep: paid staff differ between a policy's runs, so no single count is named.
    swept = runs.assign(staff_front_line=[10, 10, 80, 80])
    assert headline_title(swept) == (
        "A town of 20,000 residents, 365 days (no warm-up) — equal capacity: volunteer hours count against the "
        "paid budget"
    )
    bare = runs[["policy", "days", "scenario.n_residents"]]  # runs made before the accounting
    assert headline_title(bare) == "A town of 20,000 residents, 365 days"


# ---------------------------------------------------------------------------- a real tiny sweep


@pytest.fixture
def sweep_dir(compare_regimes_sweep):
    """Both regimes, three seeds, 20 days of which 3 warm-up: the session's
    compare_regimes_sweep (tests/conftest.py), the sweep this module made for itself, now
    made once and also read by test_experiments."""
    return compare_regimes_sweep


def test_a_real_sweep_gets_its_headline_figure(sweep_dir, tmp_path):
    sweep_dir = shutil.copytree(sweep_dir, tmp_path / "sweep")  # a copy: the shared sweep stays whole
    shutil.rmtree(sweep_dir / "report")
    written = build_report(sweep_dir)
    for name in ("headline.png", "headline.pdf", "capacity.md", "capacity.csv"):
        assert sweep_dir / "report" / name in written, f"report/{name} not written"
        assert (sweep_dir / "report" / name).stat().st_size > 0


def test_real_curves_agree_with_the_runs_kpi_and_their_band_is_sound(sweep_dir):
    runs = pd.read_parquet(sweep_dir / "runs.parquet")
    curves = []
    for run in runs.itertuples():
        issues, series, params = read_job(sweep_dir / run.job)
        assert params["warmup_days"] == 3 and "warmup" in series
        curve = resolution_curve(issues, 24.0 * run.days, 24.0 * params["warmup_days"])
        # The model's own KPI counts the needs after the warm-up: the curve must agree at 7 d.
        assert curve.loc[curve["day"] == 7, "cif"].item() == pytest.approx(run.resolved_within_7d, abs=1e-12)
        curves.append(curve.assign(policy=run.policy, seed=run.seed))
    band = curve_bands(pd.concat(curves))
    for _, b in band.groupby("policy"):
        for column in ("mean", "ci_low", "ci_high"):
            assert (b[column].diff().dropna() >= -1e-12).all(), f"{column} must not fall"
        assert ((0 <= b["ci_low"]) & (b["ci_low"] <= b["mean"]) & (b["mean"] <= b["ci_high"])).all()
        assert (b["ci_high"] <= 1).all()


def test_a_real_sweep_titles_its_headline_in_words(sweep_dir):
    runs = pd.read_parquet(sweep_dir / "runs.parquet")
    settings = pd.DataFrame([read_job(sweep_dir / j)[2] for j in runs["job"]]).assign(policy=runs["policy"])
    title = headline_title(settings)
    assert title.startswith("A town of 1,000 residents, 20 days (the first 3 a warm-up)"), title
