"""Shared helpers: tests compose the real configs in configs/ with Hydra's compose API.

The session fixtures below are made once per session, that is once in each pytest-xdist
worker whose tests use them (the suite runs on every core: pyproject.toml)."""

from __future__ import annotations

import os
import select
import subprocess
import sys
import time
from pathlib import Path

import pytest

from sim.model.params import RunConfig
from sim.study.config import load_config
from sim.study.run import Result, simulate

ROOT = Path(__file__).resolve().parent.parent


def make_config(*overrides: str) -> RunConfig:
    """Compose the real configs/config.yaml with overrides and return the checked RunConfig."""
    return load_config(*overrides)


def run(*overrides: str) -> Result:
    return simulate(make_config(*overrides))


def cli(*args: str, cwd: Path | None = None, timeout: float = 300) -> subprocess.CompletedProcess:
    """Run ``python -m sim`` as a user would, in a subprocess."""
    env = dict(os.environ, HYDRA_FULL_ERROR="0")
    return subprocess.run(
        [sys.executable, "-m", "sim", *args], capture_output=True, text=True, cwd=cwd or ROOT, env=env, timeout=timeout
    )


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


def unavailable(reason: str) -> None:
    """Skip a test that needs what this machine lacks; under CI (``GOVSIM_REQUIRE_ALL=1``, set by
    ``.ci/run``, which installs what the tests need) fail it instead, so that nothing CI should
    check is skipped unseen."""
    if os.environ.get("GOVSIM_REQUIRE_ALL") == "1":
        pytest.fail(f"{reason} (GOVSIM_REQUIRE_ALL=1: CI must run this test)")
    pytest.skip(reason)


@pytest.fixture
def out_dir(tmp_path: Path) -> Path:
    return tmp_path / "run"


# Both presets on seeds 0 and 1, teaching scale, 20 days: the smallest paired sweep, with its
# report (matched needs, headline). Sweeps cost mostly their report's figures (~15 s), so the
# tests that read such a sweep share this one instead of each making their own.
def skipped(done: subprocess.CompletedProcess) -> int:
    """Runs a re-run sweep found finished: those its driver did not launch (their summaries
    vouch for them) and those a launched job skipped itself (``[skip]``)."""
    import re

    found = re.search(r"\[sweep\] (\d+) of \d+ runs already finished", done.stderr)
    return (int(found.group(1)) if found else 0) + done.stdout.count("[skip]")


PAIRED_SWEEP = ("scenario=teaching", "days=20", "policy=coarse,refined", "seed=0,1")


@pytest.fixture(scope="session")
def paired_sweep(tmp_path_factory) -> Path:
    """``python -m sim -m`` with PAIRED_SWEEP (basic launcher), once per session. Read-only:
    a test that changes a sweep's folders works on its own copy (shutil.copytree)."""
    path = tmp_path_factory.mktemp("paired_sweep")
    done = cli("-m", *PAIRED_SWEEP, f"hydra.sweep.dir={path}")
    assert done.returncode == 0, done.stderr
    return path


@pytest.fixture(scope="session")
def sweep_in_terminal(tmp_path_factory):
    """``sweep_in_terminal(launcher)``: the runs of PAIRED_SWEEP on that Hydra launcher, typed
    in a pseudo-terminal (the seeds written range(0,2), as people type them), once per session
    for each launcher. Returns the sweep directory, the exit status and what the terminal
    showed. test_terminal checks what was shown; test_sweep checks that the runs equal
    paired_sweep's bit for bit. Read-only, as paired_sweep."""
    made = {}

    def get(launcher: str) -> tuple[Path, int, str]:
        if launcher not in made:
            path = tmp_path_factory.mktemp(f"{launcher}_in_terminal")
            args = ("scenario=teaching", "days=20", "policy=coarse,refined", "seed=range(0,2)")
            code, shown = in_terminal("-m", f"hydra/launcher={launcher}", *args, f"hydra.sweep.dir={path}")
            made[launcher] = (path, code, shown)
        return made[launcher]

    return get


@pytest.fixture(scope="session")
def compare_regimes_in_terminal(tmp_path_factory) -> tuple[Path, int, str]:
    """The main study at a tiny size, typed in a terminal as the README's command is: both
    regimes, three seeds, 20 days of which 3 warm-up (joblib, as the experiment sets), once
    per session. Returns the sweep directory, the exit status and what the terminal showed.
    test_terminal checks the command; test_headline and test_experiments read its files
    (through compare_regimes_sweep), which are the same with or without a terminal: only
    the progress display differs. Read-only, as paired_sweep."""
    path = tmp_path_factory.mktemp("compare_regimes")
    args = ("experiment=compare_regimes", "scenario=teaching", "days=20", "warmup_days=3", "seed=range(0,3)")
    code, shown = in_terminal(*args, f"hydra.sweep.dir={path}")
    return path, code, shown


@pytest.fixture(scope="session")
def compare_regimes_sweep(compare_regimes_in_terminal) -> Path:
    """The directory of compare_regimes_in_terminal, once the sweep has succeeded."""
    path, code, shown = compare_regimes_in_terminal
    assert code == 0, shown[-3000:]
    return path


# A small Morris design: four factors (two of them switched off in one regime), two
# trajectories, teaching scale, 20 days of which 10 warm-up; 20 runs on joblib (the
# experiment's own launcher). tests/test_designs.py reads its report; tests/test_ray.py runs
# the same design on Ray and compares.
SMALL_DESIGN = (
    "experiment=sensitivity_morris",
    "scenario=teaching",
    "days=20",
    "warmup_days=10",
    "design.size=2",
    "design.factors=[{}]".format(
        ",".join(
            [
                "scenario.visit_detection_prob",
                "scenario.tailoring_time_factor",
                "scenario.appraisal_overhead_h",
                "scale.need_rates",
            ]
        )
    ),
)


@pytest.fixture(scope="session")
def small_design_sweep(tmp_path_factory) -> Path:
    """``python -m sim`` with SMALL_DESIGN, once per session; read-only, as paired_sweep."""
    path = tmp_path_factory.mktemp("small_design")
    done = cli(*SMALL_DESIGN, "hydra.launcher.n_jobs=2", f"hydra.sweep.dir={path}")
    assert done.returncode == 0, done.stderr[-3000:]
    return path
