"""The commands as a person types them: in a real pseudo-terminal, where progress bars
start and every launcher pickles the sweep's callbacks with its jobs. CI and the other
tests run without a terminal and would not see a display that breaks a sweep."""

import os
import select
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from tests.conftest import ROOT


def in_terminal(*args: str, cwd: Path = ROOT, timeout: float = 300) -> tuple[int, str]:
    """Run ``python -m sim ARGS`` with stdin, stdout and stderr on a new pseudo-terminal
    (of no reported size, as under ``script``); return its exit status and what it showed."""
    leader, follower = os.openpty()
    env = dict(os.environ, HYDRA_FULL_ERROR="0", TERM="xterm")
    env.pop("COLUMNS", None)
    proc = subprocess.Popen(
        [sys.executable, "-m", "sim", *args], stdin=follower, stdout=follower, stderr=follower, cwd=cwd, env=env
    )
    os.close(follower)
    shown, deadline = bytearray(), time.monotonic() + timeout
    while time.monotonic() < deadline:
        ready, _, _ = select.select([leader], [], [], 1.0)
        if not ready:
            if proc.poll() is not None:
                break
            continue
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the terminal closed: every process that held it has ended
            break
        if not chunk:
            break
        shown += chunk
    os.close(leader)
    try:
        code = proc.wait(timeout=max(1.0, deadline - time.monotonic()))
    except subprocess.TimeoutExpired:
        proc.kill()
        pytest.fail(f"python -m sim {' '.join(args)} did not end in {timeout} s:\n{shown.decode(errors='replace')}")
    return code, shown.decode(errors="replace")


@pytest.mark.parametrize("launcher", ["joblib", "submitit_local"])
def test_a_sweep_typed_in_a_terminal_runs_to_the_end(tmp_path, launcher):
    code, shown = in_terminal(
        "-m",
        f"hydra/launcher={launcher}",
        "scenario=teaching",
        "days=5",
        "policy=coarse,refined",
        "seed=range(0,2)",
        f"hydra.sweep.dir={tmp_path}",
    )
    assert code == 0, shown[-3000:]
    assert "pickle" not in shown, shown[-3000:]
    runs = pd.read_parquet(tmp_path / "runs.parquet")
    assert len(runs) == 4 and (runs["status"] == "ok").all()
    assert "4/4" in shown, f"the progress bar reaches 4 of 4 runs: {shown[-2000:]}"
    # One line per run, from the driver's display: the jobs print nothing over the bar.
    assert shown.count("[done]") == 4, shown


def test_the_main_study_runs_in_a_terminal(tmp_path):
    """The README's main command (a named experiment on joblib), shrunk."""
    code, shown = in_terminal(
        "experiment=compare_regimes",
        "scenario=teaching",
        "days=5",
        "warmup_days=0",
        "seed=range(0,2)",
        f"hydra.sweep.dir={tmp_path}",
    )
    assert code == 0, shown[-3000:]
    assert (tmp_path / "report" / "figure.png").exists()


def test_one_run_in_a_terminal_shows_days_and_the_table(tmp_path):
    code, shown = in_terminal("scenario=teaching", "days=30", f"hydra.run.dir={tmp_path / 'run'}")
    assert code == 0, shown
    assert "day" in shown and "satisfaction, mean" in shown, shown
    assert (tmp_path / "run" / "summary.json").exists()
