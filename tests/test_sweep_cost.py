"""A sweep costs what its runs cost: finished runs are not launched again, jobs of one
configuration are composed and converted once per process, and what every job shares is sent
once. Each shortcut must give exactly what Hydra's own path gives."""

import dataclasses

import pandas as pd
import pytest
from hydra._internal.config_loader_impl import ConfigLoaderImpl
from hydra._internal.utils import create_config_search_path
from hydra.types import RunMode
from omegaconf import OmegaConf

from sim.cli import register_plugins
from sim.study.config import CONFIG_DIR, job_run_config, to_run_config
from tests.conftest import PAIRED_SWEEP, cli

register_plugins()
from hydra_plugins.govsim_sweeper.govsim_sweeper import ComposedOnce  # noqa: E402  (after Hydra's plugin scan)

JOBS = {
    "seeds": (
        ["experiment=compare_regimes"],
        [[f"seed={s}", f"policy={p}"] for s in (0, 1, 2) for p in ("coarse", "refined")],
    ),
    "design rows": (
        ["experiment=sensitivity_morris", "scenario=teaching", "days=30", "warmup_days=0", "design.size=2"],
        [[f"design.row={r}", f"policy={p}"] for r in (0, 1, 5, 9) for p in ("coarse", "refined")],
    ),
    "variants": (["experiment=mechanism_ablation"], [[f"variant={v}", "seed=3"] for v in ("coarse", "refined-patrol")]),
}


def composed(master_overrides, jobs, loader):
    master = loader.load_configuration("config", master_overrides, run_mode=RunMode.MULTIRUN)
    return [loader.load_sweep_config(master, [*job, *master_overrides]) for job in jobs]


@pytest.mark.parametrize("kind", list(JOBS))
def test_jobs_composed_once_per_configuration_are_hydras_own(kind):
    master_overrides, jobs = JOBS[kind]
    search_path = create_config_search_path(str(CONFIG_DIR))
    hydra = composed(master_overrides, jobs, ConfigLoaderImpl(config_search_path=search_path))
    once = composed(master_overrides, jobs, ComposedOnce(ConfigLoaderImpl(config_search_path=search_path)))
    for ours, theirs, job in zip(once, hydra, jobs):
        # The whole configuration, Hydra's part (the job's overrides, its folder's name) included.
        assert OmegaConf.to_container(ours, resolve=False) == OmegaConf.to_container(theirs, resolve=False), job
        assert OmegaConf.to_yaml(ours) == OmegaConf.to_yaml(theirs), job
    # One job's configuration is its own: changing it leaves the next job's alone.
    once[0].seed = 999
    again = composed(master_overrides, jobs[1:2], ComposedOnce(ConfigLoaderImpl(config_search_path=search_path)))
    assert again[0].seed == hydra[1].seed


@pytest.mark.parametrize("kind", list(JOBS))
def test_a_job_converted_from_its_shape_is_converted_in_full(kind):
    master_overrides, jobs = JOBS[kind]
    loader = ConfigLoaderImpl(config_search_path=create_config_search_path(str(CONFIG_DIR)))
    for cfg, job in zip(composed(master_overrides, jobs, loader), jobs):
        fast = job_run_config(cfg, f"sweep-{kind}", [*job, *master_overrides])
        assert fast == to_run_config(cfg), job
    first = job_run_config(cfg, f"sweep-{kind}", [*job, *master_overrides])
    first.scenario.categories.clear()  # a run may not change another's configuration
    assert job_run_config(cfg, f"sweep-{kind}", [*job, *master_overrides]) == to_run_config(cfg)
    assert dataclasses.is_dataclass(first)


def test_a_finished_sweep_run_again_launches_nothing_and_rewrites_nothing(paired_sweep, tmp_path):
    import shutil

    folder = tmp_path / "again"
    shutil.copytree(paired_sweep, folder)
    stamps = {p: p.stat().st_mtime_ns for p in folder.glob("*/summary.json")}
    again = cli("-m", *PAIRED_SWEEP, f"hydra.sweep.dir={folder}", "+hydra.callbacks.sweep.report=false")
    assert again.returncode == 0, again.stderr
    assert "4 of 4 runs already finished: not launched" in again.stderr
    assert "[skip]" not in again.stdout and "[done]" not in again.stdout  # no job was started
    assert all(p.stat().st_mtime_ns == t for p, t in stamps.items())
    assert len(pd.read_parquet(folder / "runs.parquet")) == 4


def test_the_cores_launcher_gives_hydras_files_and_bit_identical_results(paired_sweep, tmp_path):
    done = cli("-m", *PAIRED_SWEEP, "hydra/launcher=cores", "hydra.launcher.n_jobs=2", f"hydra.sweep.dir={tmp_path}")
    assert done.returncode == 0, done.stderr

    def table(folder):
        runs = pd.read_parquet(folder / "runs.parquet").sort_values(["policy", "seed"]).reset_index(drop=True)
        return runs.drop(columns=[c for c in runs if c.startswith("time_") or c in ("job", "version")])

    pd.testing.assert_frame_equal(table(paired_sweep), table(tmp_path), check_exact=True)
    for job in paired_sweep.glob("*/.hydra"):
        for name in ("config.yaml", "overrides.yaml"):
            assert (tmp_path / job.parent.name / ".hydra" / name).read_text() == (job / name).read_text()
