"""Sweeps as researchers run them: aggregation, failures, resume, report, launchers, kill."""

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from sim.study.sweep import SweepError, collect_runs, read_runs, runs_from_results
from tests.conftest import PAIRED_SWEEP, ROOT, cli, run, skipped

SMALL = ("scenario=teaching", "days=10")
SHORT = {
    "resolution_time_restricted_30d_h",
    "callback_satisfaction_rate",
    "callback_resolution_rate",
    "on_time_share",
    "equity_gap_within_7d",
    "equity_gap_unknown",
}
"""KPIs that 10 days may leave unmeasured in one seed or both: the 30-day KPIs (no pairs: the
callback's rates count needs followed 30 days), a week's on-time closure and the migrants' gaps
(too few cases known early enough, or no migrant's need). Every other KPI has every seed's pair."""


def sweep(tmp: Path, *args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    return cli("-m", *SMALL, *args, f"hydra.sweep.dir={tmp}", timeout=timeout)


def test_sweep_writes_one_row_per_run_with_params_and_kpis(tmp_path):
    done = sweep(tmp_path, "policy=coarse,refined", "seed=range(0,2)", "scenario.workers_per_10k=10,20")
    assert done.returncode == 0, done.stderr
    runs = pd.read_parquet(tmp_path / "runs.parquet")
    assert len(runs) == 8, f"2 policies x 2 seeds x 2 staffing levels, got {len(runs)}"
    assert (runs["status"] == "ok").all()
    assert {"policy", "seed", "scenario.workers_per_10k", "satisfaction_mean", "response_time_mean_h"} <= set(runs)
    assert sorted(runs["scenario.workers_per_10k"].unique()) == [10, 20]
    # Pairing: with one seed, both policies met the same needs.
    wide = runs.pivot_table(index=["seed", "scenario.workers_per_10k"], columns="policy", values="issues_created")
    assert (wide["coarse"] == wide["refined"]).all(), "paired runs must face identical needs"
    diffs = pd.read_csv(tmp_path / "report" / "differences.csv")
    measured = diffs["difference"].notna()
    assert diffs["paired_ok"].all()
    assert (diffs.loc[measured & ~diffs["kpi"].isin(SHORT), "pairs"] == 2).all()
    assert "resolution_time_restricted_30d_h" in set(diffs.loc[~measured, "kpi"])
    assert set(diffs.loc[~measured, "kpi"]) <= SHORT, diffs.loc[~measured, "kpi"]
    for name in ("figure.png", "figure.pdf", "summary.csv", "summary.md", "differences.md"):
        assert (tmp_path / "report" / name).stat().st_size > 0, f"report/{name} missing"


def test_failed_runs_are_listed_and_good_runs_still_aggregated(tmp_path):
    done = sweep(tmp_path, "scenario.workers_per_10k=-1,20")
    assert done.returncode != 0, "a sweep with a failed run must not exit 0"
    runs = pd.read_parquet(tmp_path / "runs.parquet")
    bad = runs[runs["status"] == "failed"]
    assert len(runs) == 2 and len(bad) == 1, runs[["job", "status", "error"]]
    assert "workers_per_10k" in bad["error"].iloc[0], "the error names the bad key"
    assert "workers_per_10k" in done.stderr


def test_rerun_skips_finished_runs(tmp_path):
    first = sweep(tmp_path, "seed=range(0,3)")
    assert first.returncode == 0, first.stderr
    stamps = {p: p.stat().st_mtime_ns for p in tmp_path.glob("*/summary.json")}
    again = sweep(tmp_path, "seed=range(0,4)")
    assert again.returncode == 0, again.stderr
    assert skipped(again) == 3 and again.stdout.count("[done]") == 1, again.stdout
    assert "3 of 4 runs already finished: not launched" in again.stderr  # the driver did not start them
    assert all(p.stat().st_mtime_ns == t for p, t in stamps.items()), "finished runs must not be rewritten"
    assert len(pd.read_parquet(tmp_path / "runs.parquet")) == 4


def test_report_rebuilds_from_job_folders_and_flags_corrupt_files(paired_sweep, tmp_path):
    # A copy of the shared sweep of tests/conftest.py (both policies, like the sweep this test
    # made; two seeds and 20 days instead of seed 0 and 10 days): the job folders to rebuild
    # from are the same kind, and the copy leaves the shared one untouched.
    copy = tmp_path / "sweep"
    shutil.copytree(paired_sweep, copy)
    (copy / "runs.parquet").unlink()
    job = next(copy.glob("*policy=coarse*"))
    (job / "summary.json").write_text('{"seed": 0, "kpis": ')  # truncated by hand
    done = subprocess.run(
        [sys.executable, "-m", "sim.present.report", str(copy)], capture_output=True, text=True, cwd=ROOT
    )
    assert done.returncode == 0, done.stderr
    runs = read_runs(copy)
    row = runs[runs["job"] == job.name].iloc[0]
    assert row["status"] == "failed" and "corrupt summary.json" in row["error"]
    (copy / "runs.parquet").write_bytes(b"not parquet")
    with pytest.raises(SweepError, match="cannot be read"):
        read_runs(copy)


def test_runs_made_in_process_give_the_sweeps_table(paired_sweep):
    # The runs of PAIRED_SWEEP, made one by one with simulate() as a notebook makes them: the
    # table of runs is the one the sweep's folders give, column for column (the swept keys
    # included), so sim.measure.analysis reads both alike.
    jobs = [["scenario=teaching", "days=20", f"policy={p}", f"seed={s}"] for p in ("coarse", "refined") for s in (0, 1)]
    made = runs_from_results([run(*job) for job in jobs], jobs)
    swept = collect_runs(paired_sweep)
    assert list(made.columns) == list(swept.columns)
    assert sorted(made["job"]) == sorted(swept["job"]), "jobs named as the sweep names its folders"
    made, swept = (t.sort_values("job").reset_index(drop=True) for t in (made, swept))
    pd.testing.assert_frame_equal(made, swept, check_dtype=False)
    with pytest.raises(ValueError, match="one list per result"):
        runs_from_results([run(*jobs[0])], jobs)


def test_report_on_a_wrong_directory_is_a_clear_error(tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "sim.present.report", str(tmp_path / "nope")], capture_output=True, text=True, cwd=ROOT
    )
    assert done.returncode == 2 and "not a directory" in done.stderr and "Traceback" not in done.stderr
    with pytest.raises(SweepError, match="no job folders"):
        collect_runs(tmp_path)


def _kpis(sweep_dir: Path) -> pd.DataFrame:
    runs = pd.read_parquet(sweep_dir / "runs.parquet").sort_values(["policy", "seed"]).reset_index(drop=True)
    drop = [c for c in runs if c.startswith("time_") or c in ("job", "version")]
    return runs.drop(columns=drop)


@pytest.mark.parametrize("launcher", ["joblib", "submitit_local"])
def test_launchers_typed_in_a_terminal_give_bit_identical_results(paired_sweep, sweep_in_terminal, launcher):
    # Each launcher's runs against the basic launcher's (paired_sweep), to the bit. The
    # launcher's sweep is the one test_terminal types (tests/conftest.py: the same four runs,
    # 20 days); a terminal adds only the progress display, so the runs are those the
    # launcher makes without one, compared here instead of made a second time.
    sweep_dir, code, shown = sweep_in_terminal(launcher)
    assert code == 0, shown[-2000:]
    pd.testing.assert_frame_equal(_kpis(paired_sweep), _kpis(sweep_dir), check_exact=True)


# Slow: in the default suite, test_launchers_typed_in_a_terminal_give_bit_identical_results
# makes the same comparison for both launchers on the sweeps test_terminal types. This is
# the same comparison on sweeps made without a terminal (joblib without one is also run by
# test_experiments and test_trust; submitit_local only here).
@pytest.mark.slow
@pytest.mark.parametrize("launcher", ["joblib", "submitit_local"])
def test_launchers_give_bit_identical_results(paired_sweep, tmp_path, launcher):
    # The basic launcher's side is the shared sweep of tests/conftest.py; each launcher runs
    # the very same command. 20 days instead of 10: more numbers that must agree to the bit.
    other = cli("-m", *PAIRED_SWEEP, f"hydra/launcher={launcher}", f"hydra.sweep.dir={tmp_path / launcher}")
    assert other.returncode == 0, other.stderr[-2000:]
    pd.testing.assert_frame_equal(_kpis(paired_sweep), _kpis(tmp_path / launcher), check_exact=True)


def test_the_same_sweep_started_twice_runs_once(tmp_path):
    # long enough (100 town runs) that the first copy still runs, on a loaded machine, when the
    # second has started, been refused and exited; it is killed then
    args = ["-m", "scenario=town", "days=400", "seed=range(0,100)", f"hydra.sweep.dir={tmp_path}"]
    first = subprocess.Popen(
        [sys.executable, "-m", "sim", *args], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        start_new_session=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        lock = tmp_path / ".govsim.lock"
        while not (lock.exists() and lock.read_text()) and time.monotonic() < deadline:
            time.sleep(0.05)
        second = cli(*args)  # an impatient user, a re-submitted job: refused, naming the first
        assert second.returncode == 2, second.stderr[-2000:]
        assert f"is in use by another sweep (pid {first.pid} on" in second.stderr and "resumes" in second.stderr
        assert first.poll() is None, "the first copy must still be running for this test to mean anything"
    finally:
        if first.poll() is None:
            os.killpg(first.pid, signal.SIGKILL)
        first.wait()


def test_killed_sweep_completes_on_rerun_with_every_run_once(tmp_path):
    args = ["-m", "scenario=teaching", "days=60", "seed=range(0,8)", f"hydra.sweep.dir={tmp_path}"]
    proc = subprocess.Popen(
        [sys.executable, "-m", "sim", *args],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    deadline = time.monotonic() + 120
    while len(list(tmp_path.glob("*/summary.json"))) < 3 and time.monotonic() < deadline:
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGKILL)  # driver and any workers, mid-sweep
    proc.wait()
    before = {p.parent.name: p.read_bytes() for p in tmp_path.glob("*/summary.json")}
    assert 3 <= len(before) < 8, f"the kill should land mid-sweep, {len(before)} runs had finished"
    again = cli(*args)  # the killed sweep's lock file is left behind, and does not block the resume
    assert again.returncode == 0, again.stderr
    runs = pd.read_parquet(tmp_path / "runs.parquet")
    assert len(runs) == 8 and (runs["status"] == "ok").all() and runs["seed"].is_unique
    assert skipped(again) == len(before), "runs finished before the kill are skipped"
    for name, content in before.items():
        assert (tmp_path / name / "summary.json").read_bytes() == content, f"{name} was redone"
    jobs = [p for p in tmp_path.iterdir() if (p / ".hydra").is_dir()]
    assert len(jobs) == 8
    for job in jobs:
        assert not list(job.glob(".*.tmp")), f"temporary file left in {job.name}"
        json.loads((job / "summary.json").read_text())
        for table in ("issues", "timeseries", "residents"):
            pd.read_parquet(job / f"{table}.parquet")  # every file whole


def test_progress_reports_each_run_once_as_it_ends(tmp_path):
    import io
    import pickle

    from sim.cli import SweepCallback
    from sim.study.sweep import Progress

    for i in range(3):
        (tmp_path / f"job{i}").mkdir()
    kpis = {"needs_met_share": 0.5, "resolved_within_7d": 0.25}
    (tmp_path / "job0" / "summary.json").write_text(json.dumps({"kpis": kpis}))
    shown = io.StringIO()
    p = Progress(tmp_path, total=3, stream=shown)
    assert "1 runs finished before" in shown.getvalue(), "a resumed sweep says what it found"
    (tmp_path / "job1" / "summary.json").write_text(json.dumps({"kpis": kpis}))
    (tmp_path / "job2" / "failed.json").write_text(json.dumps({"error": "ConfigError: bad"}))
    lines = p.poll()
    assert lines == ["[done] job1: resolved within 7 days 25.0%, needs met 50.0%", "[FAIL] job2: ConfigError: bad"]
    assert p.poll() == [], "each run is reported once"
    assert p.bar.n == 2 and p.failed == 1
    p.bar.close()
    # Launchers pickle the callbacks with every job: the display must stay behind.
    callback = SweepCallback()
    callback._progress = p
    assert pickle.loads(pickle.dumps(callback))._progress is None


def test_sweep_size_counts_the_product_of_axes():
    from omegaconf import OmegaConf

    from sim.study.sweep import sweep_size

    hydra_cfg = OmegaConf.create(
        {
            "overrides": {"task": ["policy=coarse,refined", "days=5"]},
            "sweeper": {"params": {"seed": "range(0,20)", "policy": "coarse"}},
        }
    )
    assert sweep_size(hydra_cfg) == 40, "the command line replaces the config's policy axis"


def test_categorical_sweeps_stay_apart_and_progress_does_not_block_resume(tmp_path):
    done = sweep(tmp_path, "policy=coarse,refined", "policy.routing=hierarchical,grid_first", "seed=0,1")
    assert done.returncode == 0, done.stderr
    diffs = pd.read_csv(tmp_path / "report" / "differences.csv")
    assert set(diffs["policy.routing"]) == {"hierarchical", "grid_first"}, "a categorical axis keeps runs apart"
    full = diffs.dropna(subset=["difference"]).query("kpi not in @SHORT")
    assert (full["pairs"] == 2).all(), "two seeds give two pairs per routing value"
    again = sweep(
        tmp_path, "policy=coarse,refined", "policy.routing=hierarchical,grid_first", "seed=0,1", "progress=false"
    )
    assert skipped(again) == 8, "progress does not change results, so runs are reused"


def test_a_report_on_runs_made_one_at_a_time_is_refused(tmp_path):
    for name in ("a", "b"):
        (tmp_path / name / ".hydra").mkdir(parents=True)
        (tmp_path / name / ".hydra" / "hydra.yaml").write_text("hydra:\n  mode: RUN\n  searchpath: []\n")
    with pytest.raises(SweepError, match="runs made one at a time"):
        collect_runs(tmp_path)


def test_a_sweep_says_how_to_resume_it():
    from omegaconf import OmegaConf

    from sim.cli import resume_hint

    def hint(task, sweep_dir="results/sweeps/${now:%H-%M-%S}"):
        config = OmegaConf.create({"hydra": {"overrides": {"task": task}, "sweep": {"dir": sweep_dir}}})
        return resume_hint(config, Path("results/sweeps/12-00-00"))

    assert hint(["seed=0,1"]) == "to resume, re-run it with hydra.sweep.dir=results/sweeps/12-00-00"
    assert hint(["seed=0,1"], "results/sweeps/compare_regimes") == "re-run the same command to resume"
