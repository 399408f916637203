"""Shared helpers: tests compose the real configs in configs/ with Hydra's compose API."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from hydra import compose, initialize_config_dir
from hydra.core.global_hydra import GlobalHydra

from sim.config import to_run_config
from sim.params import RunConfig
from sim.run import Result, simulate

ROOT = Path(__file__).resolve().parent.parent
CONFIG_DIR = str(ROOT / "configs")


def make_config(*overrides: str) -> RunConfig:
    """Compose configs/config.yaml with overrides and return the checked RunConfig."""
    GlobalHydra.instance().clear()
    with initialize_config_dir(config_dir=CONFIG_DIR, version_base="1.3"):
        cfg = compose("config", overrides=list(overrides))
    GlobalHydra.instance().clear()
    return to_run_config(cfg)


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
