"""Runs made in process (sim.study.batch) are the runs the command line makes."""

from __future__ import annotations

import pytest

from sim.study.batch import simulate_many
from sim.study.config import load_config
from sim.study.run import simulate
from sim.study.sweep import runs_from_results


def test_simulate_many_gives_each_configuration_on_each_seed_as_one_run_at_a_time():
    configurations = [["scenario=teaching", "days=20", f"policy={p}"] for p in ("coarse", "refined")]
    results, overrides = simulate_many(configurations, [3, 4], n_jobs=2)
    assert overrides == [[*c, f"seed={s}"] for c in configurations for s in (3, 4)]
    alone = simulate(load_config(*overrides[3]))  # refined, seed 4, composed with its seed
    assert results[3].config == alone.config
    assert results[3].issues.equals(alone.issues)
    assert results[3].kpis == pytest.approx(alone.kpis, nan_ok=True)  # NaN where a 20-day run cannot measure
    runs = runs_from_results(results, overrides)
    assert list(zip(runs["policy"], runs["seed"])) == [("coarse", 3), ("coarse", 4), ("refined", 3), ("refined", 4)]
