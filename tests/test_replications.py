"""How many seeds (sim.measure.precision.replications, python -m sim.present.replications)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from sim.measure import ablation, precision
from sim.present.replications import main


def _half(n: int, sd: float) -> float:
    return stats.t.ppf(0.975, n - 1) * sd / np.sqrt(n)


@pytest.mark.parametrize(("sd", "half_width"), [(1.0, 0.5), (0.004, 0.001), (10.0, 5.0), (3.0, 0.2)])
def test_seeds_for_is_the_fewest_that_reach_the_half_width(sd, half_width):
    n = int(precision.seeds_for(sd, half_width))
    assert _half(n, sd) <= half_width
    assert n == 2 or _half(n - 1, sd) > half_width  # one fewer would not do
    # The normal approximation asks for fewer: the t interval is wider at small n.
    assert n >= (stats.norm.ppf(0.975) * sd / half_width) ** 2


def test_seeds_for_edge_cases():
    assert precision.seeds_for(0.0, 0.01) == 2  # no spread (a structural zero): the minimum
    assert np.isnan(precision.seeds_for(np.nan, 0.01))  # one pilot pair: unknown
    assert precision.seeds_for(1.0, 1e-4, most=1000) == np.inf


def _runs(diffs, kpi="resolved_within_7d"):
    rows = []
    for seed, d in enumerate(diffs):
        rows.append({"status": "ok", "policy": "coarse", "seed": seed, kpi: 0.5, "needs_fingerprint": str(seed)})
        rows.append({"status": "ok", "policy": "refined", "seed": seed, kpi: 0.5 + d, "needs_fingerprint": str(seed)})
    return pd.DataFrame(rows)


def test_replications_reads_the_spread_of_the_paired_differences():
    diffs = [0.10, 0.12, 0.08, 0.11, 0.09]
    table = precision.replications(_runs(diffs), [], kpis=["resolved_within_7d"])
    row = table.iloc[0]
    sd = np.std(diffs, ddof=1)
    assert row["pairs"] == 5 and row["sd"] == pytest.approx(sd)
    assert row["half_width"] == pytest.approx(_half(5, sd))
    assert row["target"] == precision.HALF_WIDTHS["share"]
    assert row["seeds_needed"] == precision.seeds_for(sd, 0.01)
    wider = precision.replications(_runs(diffs), [], kpis=["resolved_within_7d"], half_widths={"share": 0.001})
    assert wider.iloc[0]["seeds_needed"] > row["seeds_needed"]  # a narrower target needs more seeds


def test_an_ablation_is_read_dial_by_dial_in_both_directions():
    rows = []
    for seed in range(4):
        for variant, value in (("coarse", 0.3), ("coarse+patrol", 0.4 + 0.01 * seed), ("refined", 0.6)):
            rows.append(
                {
                    "status": "ok",
                    "variant": variant,
                    "policy": variant[:7].strip("+"),
                    "seed": seed,
                    "resolved_within_7d": value,
                    "needs_fingerprint": str(seed),
                }
            )
        rows.append(
            {
                "status": "ok",
                "variant": "refined-patrol",
                "policy": "refined",
                "seed": seed,
                "resolved_within_7d": 0.5,
                "needs_fingerprint": str(seed),
            }
        )
    table = precision.replications(pd.DataFrame(rows), [], kpis=["resolved_within_7d"])
    assert sorted(table["comparison"]) == sorted(f"patrol ({d})" for d in ablation.DIRECTIONS.values())
    in_coarse = table[table["comparison"].str.contains("in coarse")].iloc[0]
    assert in_coarse["sd"] == pytest.approx(np.std([0.0, 0.01, 0.02, 0.03], ddof=1))


def test_the_command_writes_its_table_and_refuses_bad_input(tmp_path, capsys):
    sweep = tmp_path / "sweep"
    sweep.mkdir()
    _runs([0.10, 0.12, 0.08, 0.11]).to_parquet(sweep / "runs.parquet")
    assert main([str(sweep), "--half-width", "share=0"]) == 2
    assert main([str(sweep), "--half-width", "speed=1"]) == 2
    assert main([str(tmp_path / "missing")]) == 2
    assert not (sweep / "report").exists()  # nothing written by a refused call
    err = capsys.readouterr().err
    assert "must be above 0" in err and "must be one of share, score, hours" in err
    assert main([str(sweep), "--half-width", "share=0.02"]) == 0
    text = (sweep / "report" / "replications.md").read_text()
    assert "needs resolved within 7 days" in text and "| 0.02 |" in text
    assert len(pd.read_csv(sweep / "report" / "replications.csv")) == 1
