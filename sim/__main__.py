"""``python -m sim [overrides]``: run one simulation and write its results.

Thin on purpose: compose (Hydra), check (``sim.config``), simulate (``sim.run``), write
(``sim.output``), print the KPI table.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import hydra
from hydra.core.hydra_config import HydraConfig
from omegaconf import DictConfig

from sim.config import to_run_config
from sim.output import write_results
from sim.params import ConfigError
from sim.report import kpi_table
from sim.run import simulate

CONFIG_DIR = str(Path(__file__).resolve().parent.parent / "configs")


def progress_printer(days: int, enabled: bool):
    if not enabled or not sys.stderr.isatty():
        return None
    step = max(1, days // 50)

    def show(day: int) -> None:
        if day % step == 0 or day == days:
            print(f"\r  day {day}/{days}", end="\n" if day == days else "", file=sys.stderr, flush=True)

    return show


@hydra.main(version_base="1.3", config_path=CONFIG_DIR, config_name="config")
def main(cfg: DictConfig) -> None:
    logging.getLogger("MESA").setLevel(logging.WARNING)  # Mesa logs every step at INFO
    try:
        run_cfg = to_run_config(cfg)
        result = simulate(run_cfg, progress=progress_printer(run_cfg.days, run_cfg.progress))
    except ConfigError as err:
        print(f"govsim: configuration error: {err}", file=sys.stderr)
        sys.exit(2)
    out_dir = Path(HydraConfig.get().runtime.output_dir)
    write_results(result, out_dir)
    print(kpi_table(result.kpis, title=f"{run_cfg.policy.name} / {run_cfg.scenario.name} / seed {run_cfg.seed}"))
    print(f"results: {out_dir}")


if __name__ == "__main__":
    main()
