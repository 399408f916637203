"""The Ray path (pip install "govsim[ray]"): a small design run on a Ray cluster started here
gives the same results as on joblib."""

from __future__ import annotations

import importlib.util
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from tests.conftest import ROOT, SMALL_DESIGN

INSTALLED = importlib.util.find_spec("hydra_plugins.hydra_ray_launcher") is not None
if not INSTALLED and os.environ.get("GOVSIM_REQUIRE_RAY"):
    pytest.fail('the Ray launcher is required here (GOVSIM_REQUIRE_RAY): pip install ".[ray]"', pytrace=False)
needs_ray = pytest.mark.skipif(not INSTALLED, reason='the Ray launcher is not installed (pip install ".[ray]")')


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def ray_head(tmp_path_factory):
    """A Ray head on this machine (two CPUs, loopback only), stopped at the end."""
    ray = shutil.which("ray", path=str(Path(sys.executable).parent))
    port = _free_port()
    head = subprocess.Popen(
        [
            ray,
            "start",
            "--head",
            "--block",  # in the foreground: ending this process ends the cluster
            f"--port={port}",
            "--num-cpus=2",
            "--node-ip-address=127.0.0.1",  # else Ray picks the address of the default route
            "--include-dashboard=false",
            "--disable-usage-stats",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        # Ray lowers its workers to nice 15: under other load (tests run in parallel) they would
        # barely run. A cluster of its own would leave them at 0; so does this one.
        env=dict(os.environ, RAY_USAGE_STATS_ENABLED="0", RAY_worker_niceness="0"),
    )
    address = f"127.0.0.1:{port}"
    try:
        _wait_for(address, head)
        yield address
    finally:
        head.terminate()
        try:
            head.wait(timeout=60)
        except subprocess.TimeoutExpired:
            head.kill()


def _wait_for(address: str, head: subprocess.Popen, timeout: float = 120) -> None:
    host, port = address.split(":")
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if head.poll() is not None:
            pytest.fail(f"ray start --head ended with status {head.returncode}")
        with socket.socket() as s:
            if s.connect_ex((host, int(port))) == 0:
                time.sleep(2)  # the port opens before the head accepts drivers
                return
        time.sleep(0.5)
    pytest.fail(f"no Ray head on {address} after {timeout} s")


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
    from sim.params import ConfigError

    monkeypatch.setattr(command, "OPTIONAL_LAUNCHERS", {"ray": ("no_such_module_here", 'pip install "govsim[ray]"')})
    with pytest.raises(ConfigError, match=r"govsim\[ray\]"):
        command.check_launcher(["hydra/launcher=ray_cluster"])
