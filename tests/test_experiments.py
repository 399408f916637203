"""Every named experiment runs as one command at a small size; ablation variants are honest."""

import dataclasses

import pandas as pd
import pytest

from tests.conftest import cli, make_config

# Each experiment with its main axis cut to two values, so the smoke run stays small.
SMALL_AXES = {
    "compare_regimes": [],
    "staffing": ["scenario.workers_per_10k=10,20"],
    "heterogeneity": ["scenario.need_heterogeneity=0,1"],
    "mechanism_ablation": ["variant=coarse,coarse+patrol,refined,refined-patrol"],
    "information_cost": ["scenario.visit_h=0.1,0.4", "scenario.info_decay_days=90"],
}


@pytest.mark.parametrize("name", sorted(SMALL_AXES))
def test_experiment_runs_small_and_reports(name, tmp_path, request):
    if name == "compare_regimes":
        # This command is already run once per session for test_headline: compare_regimes_sweep
        # (tests/conftest.py), the same experiment at teaching scale and 20 days, with three
        # seeds and a 3-day warm-up instead of two seeds and 10 days: still measured after a
        # warm-up, and with more pairs to check. Its exit status is asserted there.
        sweep_dir = request.getfixturevalue("compare_regimes_sweep")
    else:
        done = cli(
            f"experiment={name}",
            "scenario=teaching",
            "days=20",
            "warmup_days=10",  # experiments measure after a warm-up; here a short one
            "seed=range(0,2)",
            *SMALL_AXES[name],
            f"hydra.sweep.dir={tmp_path}",
        )
        assert done.returncode == 0, done.stderr[-3000:]
        sweep_dir = tmp_path
    runs = pd.read_parquet(sweep_dir / "runs.parquet")
    assert (runs["status"] == "ok").all() and len(runs) >= 4
    assert (sweep_dir / "report" / "figure.png").exists()
    table = "effects.csv" if name == "mechanism_ablation" else "differences.csv"
    t = pd.read_csv(sweep_dir / "report" / table)
    assert len(t) > 0 and t["paired_ok"].all(), f"{name}: pairs must face identical needs"


DIALS = [f.name for f in dataclasses.fields(make_config().policy) if f.name != "name"]


def _dials(policy):
    return {k: getattr(policy, k) for k in DIALS}


def test_ablation_variants_switch_exactly_one_dial():
    coarse, refined = _dials(make_config("policy=coarse").policy), _dials(make_config("policy=refined").policy)
    from pathlib import Path

    names = sorted(p.stem for p in (Path(__file__).parent.parent / "configs" / "variant").glob("*.yaml"))
    for name in names:
        if name in ("coarse", "refined"):
            continue
        v = _dials(make_config(f"variant={name}").policy)
        base, other = (coarse, refined) if name.startswith("coarse+") else (refined, coarse)
        changed = {k for k in DIALS if v[k] != base[k]}
        assert len(changed) == 1, f"{name} changes {changed or 'nothing'} relative to its preset"
        (dial,) = changed
        assert v[dial] == other[dial], f"{name}: {dial}={v[dial]!r} is not the other preset's value {other[dial]!r}"
