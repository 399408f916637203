"""The lab at a small size: best against best and the worst worlds, each searched, scored on
fresh seeds, resumed after kill -9, and refused with other settings."""

import os
import signal
import subprocess
import sys
import time

import pandas as pd
import pytest

from sim.lab import main
from sim.study import lab
from sim.study.config import load_config

# 31 days: the callback's satisfaction rate, an objective, counts needs followed 30 days.
SMALL = ["scenario=teaching", "days=31", "warmup_days=0", "train_seeds=1", "fresh_seeds=2", "jobs=1"]


def run(*args):
    return subprocess.run([sys.executable, "-m", "sim.lab", *args], capture_output=True, text=True)


def test_the_dials_keep_the_posts_and_the_preset_is_its_own_dials():
    for regime in lab.REGIMES:
        cfg = load_config(f"policy={regime}")
        preset = lab.preset_dials(cfg, regime)
        same = lab.set_dials(cfg, preset)
        assert same.policy == cfg.policy
        assert same.scenario.workers_per_10k == pytest.approx(cfg.scenario.workers_per_10k)
    cfg = load_config("policy=refined")
    moved = lab.set_dials(cfg, {"patrol_share": 0.4, "patrol_floor": 0.25, "competence": "narrow"})
    assert moved.scenario == cfg.scenario  # the budget and the world as they were
    assert moved.policy.patrol_floor == pytest.approx(0.1)  # a quarter of the most it may patrol
    assert moved.policy.competence == lab.NARROW
    assert moved.policy.remedy == "tailored"  # what makes the regime what it is stays


def test_best_against_best_is_scored_on_fresh_seeds_and_resumes(tmp_path):
    out = tmp_path / "best"
    assert main([*SMALL, "trials=3", f"out={out}"]) == 0
    trials = pd.read_csv(out / "trials.csv")
    done = trials[trials["state"] == "COMPLETE"]
    assert set(done.groupby("study").size()) == {3}
    assert done["preset"].sum() == 2  # each regime's preset is a trial
    fresh = pd.read_csv(out / "fresh.csv")
    assert set(fresh["seed"]) == {lab.FRESH_FROM, lab.FRESH_FROM + 1}  # never a training seed
    comparison = pd.read_csv(out / "best_vs_best.csv")
    assert {"preset", "best on resolved_within_7d"} <= set(comparison["pick"])
    assert (comparison.loc[comparison["kpi"] == "resolved_within_7d", "n"] == 2).all()  # paired on both seeds
    # The presets' refined − coarse on fresh seeds is the same paired difference a plain run gives.
    row = comparison[(comparison["pick"] == "preset") & (comparison["kpi"] == "resolved_within_7d")].iloc[0]
    plain = {
        r: [lab.run_kpis(lab.parse(SMALL), r, {}, {}, s)["resolved_within_7d"] for s in (1000, 1001)]
        for r in lab.REGIMES
    }
    expected = sum(b - a for a, b in zip(plain["coarse"], plain["refined"])) / 2
    assert row["difference"] == pytest.approx(expected)
    assert (out / "figures" / "pareto.png").stat().st_size > 10_000
    assert "flattered" in (out / "report.md").read_text()

    assert main([*SMALL, "trials=4", f"out={out}"]) == 0  # goes on from 3
    trials = pd.read_csv(out / "trials.csv")
    assert set(trials[trials["state"] == "COMPLETE"].groupby("study").size()) == {4}

    # A study made with other settings is not resumed: exit 2, the journal as it was.
    before = (out / "journal.log").read_bytes()
    refused = run(*SMALL[:-2], "train_seeds=2", "jobs=1", "trials=5", f"out={out}")
    assert refused.returncode == 2 and "other settings" in refused.stderr and "train_seeds: 1 → 2" in refused.stderr
    assert (out / "journal.log").read_bytes() == before


def _completed(out, name) -> int:
    settings = lab.parse([*SMALL, f"out={out}"])
    from optuna.trial import TrialState

    return len(lab.open_study(settings, name).get_trials(states=(TrialState.COMPLETE,)))


def test_the_worst_search_resumes_after_kill_9(tmp_path):
    out = tmp_path / "worst"
    args = [sys.executable, "-m", "sim.lab", "search=worst", *SMALL, "trials=6", "top=1", f"out={out}"]
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.time() + 120
    while time.time() < deadline and not ((out / "journal.log").exists() and _completed(out, "worst-for-refined") >= 2):
        time.sleep(0.5)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    kept = _completed(out, "worst-for-refined")
    assert 2 <= kept < 6, "the search was killed part-way"

    done = run("search=worst", *SMALL, "trials=6", "top=1", f"out={out}")
    assert done.returncode == 0, done.stderr
    trials = pd.read_csv(out / "trials.csv")
    complete = trials[trials["state"] == "COMPLETE"]
    assert (complete.groupby("study").size() >= 6).all()
    worst = pd.read_csv(out / "worst.csv")
    assert list(worst["study"]) == ["worst-for-refined", "worst-for-coarse"]  # top=1: one world each
    best_found = complete[complete["study"] == "worst-for-refined"]["values_0"].max()
    assert worst.iloc[0]["margin_in_sample"] == pytest.approx(best_found)
    factors = [f.name for f in lab.world_factors()]
    assert set(factors) <= set(worst.columns) and "scenario.workers_per_10k" in factors  # the budget too
    for f in lab.world_factors():  # every world within the declared ranges
        assert worst[f.name].between(f.low, f.high).all(), f.name


@pytest.mark.parametrize(
    "bad, says",
    [
        (["trials=0"], "trials=0 is too small"),
        (["search=median"], "choose one of best, worst"),
        (["policy=refined"], "policy= is set by sim.lab"),
        (["scenario.duty_sharee=0.5"], "duty_sharee"),
        (["--trials", "3"], "is not key=value"),
        (["days=30", "warmup_days=0"], "days − warmup_days must be more than 30 (it is 30)"),
    ],
)
def test_bad_input_exits_2_and_writes_nothing(tmp_path, bad, says):
    done = run(*bad, f"out={tmp_path / 'x'}")
    assert done.returncode == 2 and says in done.stderr, done.stderr
    assert "Traceback" not in done.stderr
    assert not (tmp_path / "x").exists()


def test_a_dial_set_that_leaves_no_time_for_cases_is_pruned_and_the_search_goes_on(tmp_path):
    settings = lab.parse([*SMALL, "trials=2", f"out={tmp_path}"])
    lab.prepare(settings)  # the studies, each regime's preset its first trial
    study = lab.open_study(settings, "best-refined")
    never = {"pool_level": "grid", "competence": "wide", "inspection_share": 0.3, "patrol_share": 0.6}
    study.enqueue_trial(never | {"patrol_floor": 1.0})  # patrol kept at 0.6 of the week, whatever the load
    lab.search_worker(settings, "best-refined", 0)
    trials = lab.open_study(settings, "best-refined").trials
    states = [t.state.name for t in trials]
    assert states.count("PRUNED") == 1 and states.count("COMPLETE") == 2, states
    (pruned,) = [t for t in trials if t.state.name == "PRUNED"]
    assert "leave" in pruned.user_attrs["invalid"] and pruned.params["patrol_floor"] == 1.0
