"""Pure analysis functions on hand-made run tables."""

import numpy as np
import pandas as pd
import pytest

from sim.measure import ablation, analysis, curves


def runs_table():
    rows = []
    for seed in range(5):
        for policy, bump in (("coarse", 0.0), ("refined", 0.1)):
            rows.append(
                {
                    "status": "ok",
                    "policy": policy,
                    "seed": seed,
                    "issues_created": 100 + seed,
                    "satisfaction_mean": 0.5 + 0.01 * seed + bump,
                    "scenario.workers_per_10k": 20,
                }
            )
    return pd.DataFrame(rows)


def test_ci95_matches_the_t_interval():
    mean, lo, hi, n = analysis.ci95([1.0, 2.0, 3.0, 4.0])
    assert mean - lo == pytest.approx(hi - mean), "symmetric interval"
    assert (mean, n) == (2.5, 4)
    # t(0.975, 3) = 3.182; sd = 1.291; half-width = 3.182 * 1.291 / 2 = 2.054
    assert hi - mean == pytest.approx(2.054, abs=1e-3)
    assert np.isnan(analysis.ci95([1.0])[1]), "no interval from one value"


def test_paired_difference_removes_seed_noise():
    d = analysis.paired_differences(runs_table(), [], kpis=["satisfaction_mean"]).iloc[0]
    # Every pair differs by exactly 0.1: the paired interval is degenerate at 0.1, although
    # the levels vary by seed.
    assert d["difference"] == pytest.approx(0.1) and d["ci_high"] - d["ci_low"] == pytest.approx(0, abs=1e-12)
    assert d["pairs"] == 5 and d["paired_ok"]


def test_pairing_breach_is_flagged():
    runs = runs_table()
    runs.loc[(runs["policy"] == "refined") & (runs["seed"] == 2), "issues_created"] += 1
    d = analysis.paired_differences(runs, [], kpis=["satisfaction_mean"]).iloc[0]
    assert not d["paired_ok"], "pairs that met different needs must be flagged"


def test_failed_runs_are_left_out():
    runs = runs_table()
    runs.loc[0, "status"] = "failed"
    d = analysis.paired_differences(runs, [], kpis=["satisfaction_mean"]).iloc[0]
    assert d["pairs"] == 4


def test_ablation_effects_have_the_right_sign():
    rows = []
    for seed in range(3):
        for variant, value in (("coarse", 0.4), ("coarse+patrol", 0.5), ("refined", 0.7), ("refined-patrol", 0.65)):
            rows.append(
                {
                    "status": "ok",
                    "variant": variant,
                    "seed": seed,
                    "issues_created": 10,
                    "satisfaction_mean": value + 0.01 * seed,
                }
            )
    e = ablation.ablation_effects(pd.DataFrame(rows), kpis=["satisfaction_mean"]).set_index("direction")
    # One convention: KPI(dial as in refined) - KPI(dial as in coarse), in both presets.
    in_coarse, in_refined = ablation.DIRECTIONS.values()
    assert e.loc[in_coarse, "difference"] == pytest.approx(0.5 - 0.4)
    assert e.loc[in_refined, "difference"] == pytest.approx(0.7 - 0.65)


def test_daily_bands_stay_within_what_the_measure_can_be():
    # Three seeds, one far from the others: the t-interval of the mean reaches below 0 needs
    # and above full satisfaction; the band is cut at those bounds, the mean is left alone.
    series = pd.DataFrame(
        {"policy": "coarse", "seed": [0, 1, 2], "day": 0, "backlog": [0, 0, 30], "satisfaction_mean": [0.99, 1.0, 0.5]}
    )
    b = curves.timeseries_bands(series).set_index("measure")
    assert b.loc["backlog", "ci_low"] == 0 and b.loc["backlog", "mean"] == 10
    assert b.loc["satisfaction_mean", "ci_high"] == 1.0 and b.loc["satisfaction_mean", "ci_low"] > 0


def test_shapley_values_split_a_gap_by_hand_and_add_up_whatever_the_order():
    from sim.measure.ablation import shapley_values

    def game(**worth):
        names = {"": (), "a": ("access",), "i": ("individualisation",), "p": ("party",)}
        return {frozenset(b for ch in key for b in names[ch]): v for key, v in worth.items()}

    # Access and individualisation each add 1 alone and 3 together (an interaction of 1, split
    # evenly between them); party adds nothing.
    value = game(**{"": 0, "a": 1, "i": 1, "p": 0, "ai": 3, "ap": 1, "ip": 1, "aip": 3})
    phi = shapley_values(value)
    assert phi == pytest.approx({"access": 1.5, "individualisation": 1.5, "party": 0.0})
    assert sum(phi.values()) == pytest.approx(value[frozenset(("access", "individualisation", "party"))])
