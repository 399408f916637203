"""Run the named experiments and copy their figures and tables into ``results/figures/``,
the copies the README shows and links.

    python -m experiments.publish                      # all five, at their full size
    python -m experiments.publish staffing heterogeneity
    python -m experiments.publish --no-run             # copy the reports already made

Each experiment runs as ``python -m sim experiment=<name>`` would (resumable: runs of the same
configuration and code are reused) and writes ``results/sweeps/<name>/town_365d/``.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
from pathlib import Path

EXPERIMENTS = ("compare_regimes", "staffing", "heterogeneity", "mechanism_ablation", "information_cost")
TABLES = ("differences", "effects", "for_whom", "for_whom_contrasts")
SWEEPS, FIGURES = Path("results/sweeps"), Path("results/figures")


def run(name: str) -> None:
    done = subprocess.run([sys.executable, "-m", "sim", f"experiment={name}"])
    if done.returncode != 0:
        sys.exit(f"experiment={name} failed (exit {done.returncode})")


def publish(name: str) -> list[Path]:
    """Copy the experiment's main figure and tables; returns the files written."""
    report = SWEEPS / name / "town_365d" / "report"
    if not (report / "figure.png").exists():
        sys.exit(f"{report} has no figure: run the experiment first")
    FIGURES.mkdir(parents=True, exist_ok=True)
    copies = [(report / "figure.png", FIGURES / f"{name}.png")]
    copies += [(report / f"{t}.md", FIGURES / f"{name}_{t}.md") for t in TABLES if (report / f"{t}.md").exists()]
    for source, target in copies:
        shutil.copyfile(source, target)
    return [target for _, target in copies]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m experiments.publish", description=__doc__.split("\n\n")[0])
    parser.add_argument("names", nargs="*", metavar="NAME", help=f"any of {', '.join(EXPERIMENTS)} (default: all)")
    parser.add_argument("--no-run", action="store_true", help="only copy the reports already made")
    args = parser.parse_args(argv)
    unknown = [n for n in args.names if n not in EXPERIMENTS]
    if unknown:
        parser.error(f"unknown experiment(s) {', '.join(unknown)}: choose from {', '.join(EXPERIMENTS)}")
    for name in args.names or EXPERIMENTS:
        if not args.no_run:
            run(name)
        for path in publish(name):
            print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
