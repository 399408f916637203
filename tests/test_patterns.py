"""The pattern table of real systems: measures by hand, the table's integrity, and the command
at a small size."""

import math
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from experiments import patterns

KPIS = {
    "issues_created": 1000,
    "unreported_share": 0.5,
    "window_days": 365,
    "report_to_resolution_mean_h": 90.0,
    "report_to_resolution_median_h": 30.0,
    "on_time_share": 0.995,
    "actually_solved_share": 0.82,
    "unreported_share_migrant": 0.6,
    "unreported_share_employed": 0.4,
}


def result(kpis=KPIS, issues=None, n_residents=100, warmup_days=0):
    config = SimpleNamespace(scenario=SimpleNamespace(n_residents=n_residents), warmup_days=warmup_days)
    return SimpleNamespace(kpis=kpis, issues=issues, config=config)


def issues(rows):
    cols = ["service_type", "status", "created_h", "reported_h", "dispatched_h", "started_h", "resolved_h"]
    return pd.DataFrame(rows, columns=cols)


def test_measures_by_hand():
    assert patterns.volume([result()]) == pytest.approx(5.0)  # 500 known / 100 residents / 1 year
    assert patterns.volume([result(KPIS | {"window_days": 730})]) == pytest.approx(2.5)
    assert patterns.report_to_resolution_skew(KPIS) == pytest.approx(3.0)  # NYC 311's shape
    assert patterns.solved_gap(KPIS) == pytest.approx(0.175)  # Shanghai 12345: 99.5 % against 82 %
    assert patterns.migrant_unreported_excess(KPIS) == pytest.approx(0.2)
    assert patterns.relative_rise(100.0, 137.0) == pytest.approx(0.37)  # Shanghai 12345, 2016
    # Kingman's M/M/1 shape at utilisations 0.9, 0.6, 0.45: waits 9, 1.5, 0.82 (in units of service)
    waits = [0.9 / 0.1, 0.6 / 0.4, 0.45 / 0.55]
    assert patterns.diminishing_returns(waits) == pytest.approx((9 - 1.5) / (9 - 0.45 / 0.55))  # 0.92
    assert patterns.diminishing_returns([3.0, 2.0, 1.0]) == pytest.approx(0.5)  # a straight line
    assert math.isnan(patterns.diminishing_returns([1.0, 1.2, 1.0]))  # staff saved nothing


def test_city_management_measures_count_only_known_environment_and_facility_cases_of_the_window():
    nan = np.nan
    table = issues(
        [
            ("environment", "resolved", 100.0, 100.0, 100.0, 101.0, 104.0),  # 4 h
            ("facility", "resolved", 100.0, 110.0, 110.0, 111.0, 120.0),  # 10 h
            ("facility", "open", 100.0, 110.0, 110.0, nan, nan),  # known, not closed
            ("environment", "open", 100.0, nan, nan, nan, nan),  # never known: not a case
            ("housing", "resolved", 100.0, 100.0, 100.0, 150.0, 200.0),  # not city management
            ("environment", "resolved", 1.0, 1.0, 1.0, 1.0, 1000.0),  # arose in the warm-up
        ]
    )
    window = patterns.cohort(result(issues=table, warmup_days=1))
    cases = patterns.city_management_cases(window)
    assert len(cases) == 3
    assert patterns.mean_handling_h(cases) == pytest.approx(7.0)
    assert patterns.closure_rate(cases) == pytest.approx(2 / 3)
    assert patterns.mean_wait_h(window) == pytest.approx((1 + 1 + 50) / 3)


def test_targets_hold_their_sources_and_the_table_is_whole():
    by_name = {p.name: p for p in patterns.PATTERNS}
    # The figures of the sources lie inside their own targets.
    assert by_name["skew of report → closure, type-based"].passes(9.0 / 2.9)
    assert by_name["process against outcome, type-based"].passes(0.995 - 0.82)
    assert by_name["volume, type-based"].passes(0.11) and by_name["volume, type-based"].passes(0.5)
    assert by_name["volume, grid management"].passes(40_000 * 12 / 900_000)
    assert by_name["workload, grid management"].passes(40_000 / 956)
    assert by_name["workload, grid management"].passes(40_000 / (956 + 441))
    assert by_name["induced demand, type-based"].passes(0.37) and by_name["induced demand, type-based"].passes(0.55)
    assert by_name["grid speed"].passes(6.9) and not by_name["grid speed"].passes(7.1)
    assert by_name["grid management finds more, before and after"].passes(6.0)
    assert by_name["grid management closes faster, before and after"].passes(168 / 6.5)
    assert by_name["busy front line, type-based"].passes(0.85) and not by_name["busy front line, type-based"].passes(
        0.6
    )
    assert not by_name["grid closure"].passes(float("nan"))
    # Every kind of pattern is there; at least two are held out of the fit, each with its reason;
    # the fitted ones describe both regimes; one pattern constrains the difference itself.
    assert len(by_name) == len(patterns.PATTERNS) >= 13
    held_out = [p for p in patterns.PATTERNS if not p.fitted]
    assert len(held_out) >= 2 and all(p.why for p in held_out)
    assert {p.regime for p in patterns.PATTERNS if p.fitted} == {"coarse", "refined"}
    assert any(p.contrast for p in patterns.PATTERNS)
    for p in patterns.PATTERNS:
        assert p.low < p.high and p.scale > 0 and p.source and "NOTES" not in p.source
        assert p.misfit(p.low) == 0 and p.misfit(p.low - p.scale) == pytest.approx(1.0)
        assert p.misfit(float("nan")) > 0
    assert by_name["queueing shape, type-based"].passes(0.92) and not by_name["queueing shape, type-based"].passes(0.5)
    for rate in (0.8623, 0.962, 0.923, 0.943, 0.82):  # every published resolution rate
        assert by_name["callback resolution, hotline"].passes(rate)
    for rate in (0.9154, 0.9599, 0.945, 0.941):  # every satisfaction rate (Shanghai's 0.93 too)
        assert by_name["callback satisfaction, hotline"].passes(rate)
    assert by_name["callback satisfaction follows resolution"].passes(4.45 / 9.97)


def test_every_pattern_is_measured_under_both_presets_and_a_contrast_once():
    plan = patterns.run_plan(presets=patterns.PRESETS)
    assert len(plan) == len(set(plan))
    assert ("coarse", ()) in plan and ("refined", ()) in plan
    assert (None, patterns.BEFORE) in plan and (None, patterns.AFTER) in plan
    for p in patterns.PATTERNS:
        for preset in (None,) if p.contrast else patterns.PRESETS:
            assert all((preset, o) in plan for o in p.runs), p.name
    # The fit needs only the runs of the regime each fitted pattern describes.
    fitted = [p for p in patterns.PATTERNS if p.fitted]
    fit = patterns.run_plan(fitted)
    needed = {(None if p.contrast else p.regime, o) for p in fitted for o in p.runs}
    assert set(fit) == needed and len(fit) < len(plan)


def test_the_command_writes_the_table(tmp_path):
    out = tmp_path / "patterns.md"
    assert patterns.main(["--seeds", "2", "--days", "40", "--warmup", "10", "--out", str(out)]) == 0
    text = out.read_text()
    assert all(p.name in text for p in patterns.PATTERNS)
    assert "held out" in text and "| coarse (mean" in text


# Patterns the model does not meet at the defaults (README, "Calibration"; ODD 6.1, 7.17; the
# five-seed table is results/figures/patterns.md): the test expects them to fail, and says so if
# one ever passes.
UNMET = {
    p.name: f"held out: {p.why}"
    for p in patterns.PATTERNS
    if not p.fitted and not p.why.startswith(("out of", "fitted by"))
}
UNMET |= {
    # The callback's levels (ODD 7.13): residents see their need met in about 0.6 of the cases
    # they are called back on (0.82-0.96 on the hotlines), and satisfaction follows it; a case
    # counts as answered only when its handler starts on it.
    "callback response, hotline": "out of sample: 0.56 of known cases taken up within a day",
    "callback resolution, hotline": "out of sample: about 0.6 of called-back needs met",
    "callback satisfaction, hotline": "out of sample: about 0.78, following resolution",
    "induced demand, type-based": "out of sample: the digital channel adds under a tenth to the known volume where "
    "the hotline and staggered hours already reach most residents",
}
# Fitted, and missed narrowly at the rounded defaults over five seeds (workload 24.7 [24.4, 25.0]
# against at least 25; grid closure 0.940 [0.936, 0.944] against at least 0.95: the search traded
# them against a busy type-based front line). Within about 0.01 of their edge, on two seeds they
# can fall either side, so they are neither asserted met nor unmet here.
# The replay's grid closure (0.952 [0.950, 0.953] over five seeds, against at least 0.95) and its
# speed-up (12.8 [12.6, 13.0], against at least 13) are likewise at their edge
# (results/figures/patterns.md).
BORDERLINE = {
    "workload, grid management",
    "grid closure",
    "replay: grid closure",
    "replay: Dongcheng closes faster, before and after",
}
EXPERIMENT_WINDOW = ("days=815", "warmup_days=450")  # as configs/experiment/*.yaml
SEEDS = (2, 3)  # not the calibration's own seeds (0 and 1): out of sample


@pytest.fixture(scope="module")
def at_defaults():
    """Every pattern at the default scenario, as the experiments run it, on two seeds the
    calibration did not fit, on the regime it describes (a contrast on its own runs)."""
    per_seed = [patterns.simulate_plan(EXPERIMENT_WINDOW, seed) for seed in SEEDS]
    return {p.name: float(np.mean([patterns.fitted_value(s, p) for s in per_seed])) for p in patterns.PATTERNS}


@pytest.mark.parametrize(
    "pattern",
    [
        pytest.param(
            p, id=p.name, marks=[pytest.mark.xfail(strict=True, reason=UNMET[p.name])] if p.name in UNMET else []
        )
        for p in patterns.PATTERNS
        if p.name not in BORDERLINE
    ],
)
def test_the_default_scenario_meets_the_pattern(at_defaults, pattern):
    # The tolerance is the pattern's own target range (experiments.patterns), nothing added.
    assert pattern.passes(at_defaults[pattern.name]), f"{pattern.name}: {at_defaults[pattern.name]:.3g}"
