"""The pattern table of real systems: measures by hand, and the command at a small size."""

import pytest

from experiments import patterns

KPIS = {
    "issues_created": 1000,
    "unreported_share": 0.5,
    "n_residents": 100,
    "window_days": 365,
    "report_to_resolution_mean_h": 90.0,
    "report_to_resolution_median_h": 30.0,
    "on_time_share": 0.995,
    "actually_solved_share": 0.82,
    "known_resolution_rate": 0.97,
    "unreported_share_migrant": 0.6,
    "unreported_share_employed": 0.4,
}


def test_measures_by_hand():
    assert patterns.known_per_resident_year(KPIS) == pytest.approx(5.0)  # 500 known / 100 residents / 1 year
    assert patterns.known_per_resident_year(KPIS | {"window_days": 730}) == pytest.approx(2.5)
    assert patterns.report_to_resolution_skew(KPIS) == pytest.approx(3.0)  # NYC 311's shape
    assert patterns.solved_gap(KPIS) == pytest.approx(0.175)  # Shanghai 12345: 99.5 % against 82 %
    assert patterns.migrant_unreported_excess(KPIS) == pytest.approx(0.2)


def test_each_regime_is_measured_on_its_own_patterns_and_targets_hold_their_sources():
    coarse = {r["pattern"]: r for r in patterns.evaluate(KPIS, "coarse")}
    refined = {r["pattern"]: r for r in patterns.evaluate(KPIS, "refined")}
    assert coarse and refined and not set(coarse) & set(refined)
    by_name = {p.name: p for p in patterns.PATTERNS}
    # The figures of NOTES lie inside their own targets.
    assert by_name["skew of report → closure, type-based"].passes(9.0 / 2.9)
    assert by_name["process against outcome, type-based"].passes(0.995 - 0.82)
    assert by_name["volume, type-based"].passes(0.11) and by_name["volume, type-based"].passes(0.5)
    assert by_name["volume, grid management"].passes(40_000 * 12 / 900_000)
    assert not by_name["grid closure"].passes(float("nan"))


def test_the_command_writes_the_table(tmp_path):
    out = tmp_path / "patterns.md"
    assert patterns.main(["--seeds", "2", "--days", "40", "--warmup", "10", "--out", str(out)]) == 0
    text = out.read_text()
    assert all(p.name in text for p in patterns.PATTERNS)
    assert "Not calibrated yet" in text
