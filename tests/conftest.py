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
