"""The Ray path (pip install "govsim[ray]"): a small design run on a Ray cluster started here
gives the same results as on joblib."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from tests.conftest import ROOT, SMALL_DESIGN

INSTALLED = importlib.util.find_spec("hydra_plugins.hydra_ray_launcher") is not None
if not INSTALLED and os.environ.get("GOVSIM_REQUIRE_RAY"):
    pytest.fail('the Ray launcher is required here (GOVSIM_REQUIRE_RAY): pip install ".[ray]"', pytrace=False)
needs_ray = pytest.mark.skipif(not INSTALLED, reason='the Ray launcher is not installed (pip install ".[ray]")')


@pytest.fixture
def ray_head():
    """A Ray head on this machine (two CPUs, loopback only), stopped at the end."""
    from experiments.scaling import ray_head as head

    with head(2) as address:
        yield address


def _results(sweep_dir: Path) -> pd.DataFrame:
    runs = pd.read_parquet(sweep_dir / "runs.parquet")
    assert (runs["status"] == "ok").all(), runs[["job", "error"]]
    return runs.drop(columns=["version"]).sort_values("job").reset_index(drop=True)


@needs_ray
def test_a_design_on_a_ray_cluster_gives_joblibs_results(ray_head, small_design_sweep, tmp_path):
    on_ray = subprocess.run(
        [sys.executable, "-m", "sim", *SMALL_DESIGN, "hydra/launcher=ray_cluster", f"hydra.sweep.dir={tmp_path}"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=dict(os.environ, RAY_ADDRESS=ray_head),
        timeout=600,
    )
    assert on_ray.returncode == 0, on_ray.stderr[-3000:]
    ray, joblib = _results(tmp_path), _results(small_design_sweep)
    assert len(ray) == 2 * 2 * 5
    pd.testing.assert_frame_equal(ray, joblib)  # bit for bit: each run seeds itself from its row
    assert (tmp_path / "report" / "morris.csv").exists()


def test_a_ray_launcher_that_is_not_installed_is_named(monkeypatch):
    from sim import cli as command
    from sim.model.params import ConfigError

    monkeypatch.setattr(command, "OPTIONAL_LAUNCHERS", {"ray": ("no_such_module_here", 'pip install "govsim[ray]"')})
    with pytest.raises(ConfigError, match=r"govsim\[ray\]"):
        command.check_launcher(["hydra/launcher=ray_cluster"])
