"""Shared helpers: tests compose the real configs in configs/ with Hydra's compose API."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from sim.config import load_config
from sim.params import RunConfig
from sim.run import Result, simulate

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


@pytest.fixture
def out_dir(tmp_path: Path) -> Path:
    return tmp_path / "run"


# Both presets on seeds 0 and 1, teaching scale, 20 days: the smallest paired sweep, with its
# report (matched needs, headline). Sweeps cost mostly their report's figures (~15 s), so the
# tests that read such a sweep share this one instead of each making their own.
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
def compare_regimes_sweep(tmp_path_factory) -> Path:
    """The main study at a tiny size: both regimes, three seeds, 20 days of which 3 warm-up
    (joblib, as the experiment sets), once per session; read by test_headline and by
    test_experiments. Read-only, as paired_sweep."""
    path = tmp_path_factory.mktemp("compare_regimes")
    args = ("experiment=compare_regimes", "scenario=teaching", "days=20", "warmup_days=3", "seed=range(0,3)")
    done = cli(*args, f"hydra.sweep.dir={path}")
    assert done.returncode == 0, done.stderr
    return path
