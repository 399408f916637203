"""``python -m sim [overrides]``: run one simulation (or, with ``-m``, a sweep) and write results.

Thin on purpose: compose (Hydra), check (``sim.config``), simulate (``sim.run``), write
(``sim.output``), print the KPI table. In a sweep, each job also skips itself if its folder
already holds a finished run of the same configuration (resume), and records an error in
``failed.json`` instead of stopping the sweep.
"""

from __future__ import annotations

import logging
import sys
from dataclasses import asdict
from pathlib import Path

import hydra
from hydra.core.hydra_config import HydraConfig
from hydra.types import RunMode
from omegaconf import DictConfig

from sim.config import to_run_config
from sim.output import write_results
from sim.params import ConfigError, RunConfig
from sim.report import kpi_table
from sim.run import simulate
from sim.sweep import clear_failure, finished, record_failure

CONFIG_DIR = str(Path(__file__).resolve().parent.parent / "configs")


def progress_printer(days: int, enabled: bool):
    """Simulated days on stderr, only on a terminal and when asked."""
    if not enabled or not sys.stderr.isatty():
        return None
    step = max(1, days // 50)

    def show(day: int) -> None:
        if day % step == 0 or day == days:
            print(f"\r  day {day}/{days}", end="\n" if day == days else "", file=sys.stderr, flush=True)

    return show


def run_one(run_cfg: RunConfig, out_dir: Path, progress: bool) -> dict:
    result = simulate(run_cfg, progress=progress_printer(run_cfg.days, progress))
    write_results(result, out_dir)
    return result.kpis


def sweep_job(cfg: DictConfig, out_dir: Path) -> None:
    """One job of a sweep: skip if done, never raise (the error goes to failed.json)."""
    label = " ".join(HydraConfig.get().overrides.task) or "(defaults)"
    try:
        run_cfg = to_run_config(cfg)
        if finished(out_dir, asdict(run_cfg)):
            print(f"[skip] {label}: already finished")
            return
        kpis = run_one(run_cfg, out_dir, progress=False)
        clear_failure(out_dir)
        print(
            f"[done] {label}: satisfaction {kpis['satisfaction_mean']:.3f}, "
            f"served within a week {kpis['served_within_week_share']:.1%}"
        )
    except Exception as err:  # a failed job must not take the sweep down with it
        record_failure(out_dir, err)
        print(f"[FAIL] {label}: {type(err).__name__}: {err}", file=sys.stderr)


@hydra.main(version_base="1.3", config_path=CONFIG_DIR, config_name="config")
def main(cfg: DictConfig) -> None:
    logging.getLogger("MESA").setLevel(logging.WARNING)  # Mesa logs every step at INFO
    hc = HydraConfig.get()
    out_dir = Path(hc.runtime.output_dir)
    if hc.mode == RunMode.MULTIRUN:
        sweep_job(cfg, out_dir)
        return
    try:
        run_cfg = to_run_config(cfg)
        kpis = run_one(run_cfg, out_dir, progress=run_cfg.progress)
    except ConfigError as err:
        print(f"govsim: configuration error: {err}", file=sys.stderr)
        sys.exit(2)
    print(kpi_table(kpis, title=f"{run_cfg.policy.name} / {run_cfg.scenario.name} / seed {run_cfg.seed}"))
    print(f"results: {out_dir}")


if __name__ == "__main__":
    main()
