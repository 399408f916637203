"""Run the named experiments and copy their figures and tables into ``results/figures/``,
the copies the README shows and links.

    python -m experiments.publish                      # all eight, at their full size
    python -m experiments.publish staffing heterogeneity
    python -m experiments.publish --no-run             # copy the reports already made
    python -m experiments.publish sensitivity_morris   # a designed experiment (named only)
    python -m experiments.publish phase_top_two        # the map of the top two Sobol' factors (named only)
    python -m experiments.publish lab_best lab_worst   # the lab's searches (named only)
    python -m experiments.publish replay_dongcheng     # the replay of a real reform (named only)
    python -m experiments.publish --redraw sensitivity_morris sensitivity_sobol  # their figures, from the tables

With all eight, it also runs ``compare_regimes`` with volunteers on top of the budget
(10 seeds, ``results/sweeps/compare_regimes/volunteers_on_top/``) and writes
``results/figures/findings.md``, the README's table of findings. With compare_regimes, it writes
``results/figures/compare_regimes_capacity.md`` with volunteers counted and on top side by side.

Each experiment runs as ``python -m sim experiment=<name>`` would (resumable: runs of the same
configuration and code are reused) and writes ``results/sweeps/<name>/town_<days>d/``, with the
experiment's own ``days`` (configs/experiment/<name>.yaml).
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
from pathlib import Path

EXPERIMENTS = (
    "compare_regimes",
    "decomposition",
    "load",
    "staffing",
    "heterogeneity",
    "mechanism_ablation",
    "information_cost",
    "phase_load_staffing",
)
DESIGNED = {"sensitivity_morris": "morris", "sensitivity_sobol": "sobol", "scenario_discovery": "boxes"}
"""Designed experiments, published when named (20 to 40 minutes each on two cores), with the
analysis each writes: its figure and table, how often refined won, and the rows' values and
outcomes (CSV) from which the analysis can be redone without the runs."""
MAPS = ("phase_top_two",)
"""Maps of a grid design over the two factors that sensitivity_sobol ranks highest, published
when named (after the Sobol' analysis that chooses the factors): its phase diagram and tables."""
REPLAYS = {"replay_dongcheng": "dongcheng"}
"""Replays of real reforms, published when named (about 9 minutes on two cores), by the scenario
they run in: the split of each gain over the reform's parts (``replay``) and the capacity table."""
LAB = {"lab_best": ("best", "pareto"), "lab_worst": ("worst", "history")}
"""The lab's searches (``python -m sim.lab search=...``, 4 to 6 and 7 to 9 minutes on two cores), published
when named: the report and the figure."""
TABLES = ("summary", "differences", "matched", "effects", "decomposition", "for_whom", "for_whom_contrasts", "capacity")
ON_TOP = ("compare_regimes", "volunteers_on_top", ("scenario.volunteer_budget=on_top", "seed=range(0,10)"))
"""A labelled variant: refined's volunteers as extra hours, not counted against its budget."""
# The README's table of findings: refined - coarse under each condition, from the experiments'
# differences.csv (experiment, the slice as {column: value}, the row's label).
CONDITIONS = (
    ("compare_regimes", {}, "default (compare_regimes, 20 seeds)"),
    ("volunteers_on_top", {}, "volunteers on top of the budget, not counted (compare_regimes, 10 seeds)"),
    ("load", {"scenario.demand_scale": 0.5}, "half today's demand (load, 5 seeds)"),
    ("load", {"scenario.demand_scale": 4.0}, "four times today's demand (load, 5 seeds)"),
    ("heterogeneity", {"scenario.need_heterogeneity": 0.0}, "homogeneous needs, sigma = 0 (heterogeneity, 5 seeds)"),
    ("staffing", {"scenario.workers_per_10k": 10}, "scarce staff, 10 per 10k (staffing, 5 seeds)"),
    ("staffing", {"scenario.workers_per_10k": 40}, "ample staff, 40 per 10k (staffing, 5 seeds)"),
    (
        "information_cost",
        {"scenario.visit_h": 0.4, "scenario.info_decay_days": 90},
        "costly visits, 0.4 h per resident (information_cost, 4 seeds)",
    ),
)
DEFAULT_BUDGET = (
    "Counted is the default: at equal capacity the hours volunteers can actually give to cases (when they are "
    "free, to the cases they may take, before the resident gives up; measured by the staffing study) replace paid "
    "posts one for one, so that neither regime gets hours the other lacks; on top shows what refined gains if the "
    "volunteers are extra."
)
"""The reason for counting volunteers against the budget, above the capacity table of both."""
FINDINGS = (
    "resolved_within_7d",
    "needs_met_share",
    "callback_satisfaction_rate",
    "callback_resolution_rate",
    "satisfaction_window_mean",
    "resolution_time_restricted_30d_h",
)
SWEEPS, FIGURES = Path("results/sweeps"), Path("results/figures")


def sweep_dir(name: str) -> Path:
    """Where ``python -m sim experiment=<name>`` writes at town scale (a replay: in its own scenario; or
    the on-top variant)."""
    if name == ON_TOP[1]:
        return SWEEPS / ON_TOP[0] / name
    from omegaconf import OmegaConf

    from sim.study.config import CONFIG_DIR

    days = OmegaConf.load(Path(CONFIG_DIR) / "experiment" / f"{name}.yaml").days
    return SWEEPS / name / f"{REPLAYS.get(name, 'town')}_{days}d"


def run(name: str) -> None:
    if name in LAB:
        done = subprocess.run([sys.executable, "-m", "sim.lab", f"search={LAB[name][0]}"])
        if done.returncode != 0:
            sys.exit(f"python -m sim.lab search={LAB[name][0]} failed (exit {done.returncode})")
        return
    extra = [*ON_TOP[2], f"hydra.sweep.dir={sweep_dir(name)}"] if name == ON_TOP[1] else []
    experiment = ON_TOP[0] if name == ON_TOP[1] else name
    done = subprocess.run([sys.executable, "-m", "sim", f"experiment={experiment}", *extra])
    if done.returncode != 0:
        sys.exit(f"experiment={experiment} {' '.join(extra)} failed (exit {done.returncode})")


def publish(name: str) -> list[Path]:
    """Copy the experiment's figures and tables; returns the files written."""
    if name in LAB:
        return publish_lab(name)
    report = sweep_dir(name) / "report"
    if name in DESIGNED:
        return publish_design(name, report)
    if name in REPLAYS:
        return publish_replay(name, report)
    # The main figure: figure.png, or one per slice of a third swept axis, each named by its values.
    sliced = sorted(report.glob("figure_*.png"))
    if not (report / "figure.png").exists() and not sliced:
        sys.exit(f"{report} has no figure: run the experiment first")
    FIGURES.mkdir(parents=True, exist_ok=True)
    copies = [(report / "figure.png", FIGURES / f"{name}.png")] if (report / "figure.png").exists() else []
    copies += [(source, FIGURES / f"{name}_{source.name}") for source in sliced]
    for figure in ("headline", "decomposition", "phase"):
        if (report / f"{figure}.png").exists():
            copies.append((report / f"{figure}.png", FIGURES / f"{name}_{figure}.png"))
    # The decomposition's every slice (the experiment sweeps visit fatigue on and off besides its
    # arms): decomposition_<setting>.png, each named by its values in its file name and title. A
    # headline's slices are the axes its figure already draws; they stay in the report.
    copies += [(source, FIGURES / f"{name}_{source.name}") for source in sorted(report.glob("decomposition_*.png"))]
    copies += [(report / f"{t}.md", FIGURES / f"{name}_{t}.md") for t in TABLES if (report / f"{t}.md").exists()]
    for source, target in copies:
        shutil.copyfile(source, target)
    return [target for _, target in copies]


def publish_design(name: str, report: Path) -> list[Path]:
    analysis = DESIGNED[name]
    if not (report / f"{analysis}.png").exists():
        sys.exit(f"{report} has no {analysis}.png: run the experiment first")
    FIGURES.mkdir(parents=True, exist_ok=True)
    copies = [(report / f"{analysis}.png", FIGURES / f"{name}.png")]
    copies += [(report / f"{t}.md", FIGURES / f"{name}_{t}.md") for t in (analysis, "wins")]
    copies += [(report / f"{t}.csv", FIGURES / f"{name}_{t}.csv") for t in (analysis, "design", "outcomes")]
    for source, target in copies:
        shutil.copyfile(source, target)
    return [target for _, target in copies]


def redraw_design(name: str) -> Path:
    """Draw a screening's figure again from its published indices (Morris or Sobol'), with the
    title of its published table: the figure follows the plots' code without the runs."""
    import re

    import pandas as pd

    from sim.present import design_plots
    from sim.present.plot_style import WIDTHS, figure_style, new_figure

    analysis = DESIGNED[name]
    if analysis not in ("morris", "sobol"):
        sys.exit(f"{name}: only a screening's figure (morris, sobol) is drawn from its published table")
    indices = pd.read_csv(FIGURES / f"{name}_{analysis}.csv")
    title = re.match(r"\*\*(.+?)\*\*:", (FIGURES / f"{name}_{analysis}.md").read_text()).group(1)
    plot, row = (design_plots.plot_morris, 2.3) if analysis == "morris" else (design_plots.plot_sobol, 2.1)
    target = FIGURES / f"{name}.png"
    with figure_style("double"):
        fig = new_figure((WIDTHS["double"], row * indices["kpi"].nunique() + 0.6))
        plot(indices, fig, title)
        fig.savefig(target.with_suffix(".partial.png"), bbox_inches="tight")
    target.with_suffix(".partial.png").replace(target)
    return target


def publish_replay(name: str, report: Path) -> list[Path]:
    if not (report / "replay.png").exists():
        sys.exit(f"{report} has no replay.png: run the experiment first")
    FIGURES.mkdir(parents=True, exist_ok=True)
    copies = [(report / "replay.png", FIGURES / f"{name}.png")]
    copies += [(report / f"{t}.md", FIGURES / f"{name}_{t}.md") for t in ("replay", "capacity")]
    for source, target in copies:
        shutil.copyfile(source, target)
    return [target for _, target in copies]


def publish_lab(name: str) -> list[Path]:
    search, figure = LAB[name]
    folder = Path("results/lab") / search
    if not (folder / "report.md").exists():
        sys.exit(f"{folder} has no report.md: run python -m sim.lab search={search} first")
    FIGURES.mkdir(parents=True, exist_ok=True)
    copies = [
        (folder / "report.md", FIGURES / f"{name}.md"),
        (folder / "figures" / f"{figure}.png", FIGURES / f"{name}_{figure}.png"),
    ]
    for source, target in copies:
        shutil.copyfile(source, target)
    return [target for _, target in copies]


def findings() -> Path:
    """``results/figures/findings.md``: the README's table, from the saved differences."""
    import pandas as pd

    from sim.measure.analysis import KPIS
    from sim.present.kpi_table import decimals, number

    header = "| condition | " + " | ".join(f"{KPIS[k][0]} ({KPIS[k][1]})" for k in FINDINGS) + " |"
    lines = [header, "| --- |" + " ---: |" * len(FINDINGS)]
    for name, where, label in CONDITIONS:
        diffs = pd.read_csv(sweep_dir(name) / "report" / "differences.csv")
        for column, value in where.items():
            diffs = diffs[diffs[column] == value]
        cells = []
        for kpi in FINDINGS:
            (row,) = diffs[diffs["kpi"] == kpi].to_dict("records")
            digits = decimals(kpi)
            lo, hi = (number(row[c], digits, signed=True) for c in ("ci_low", "ci_high"))
            cells.append(f"{number(row['difference'], digits, signed=True)} [{lo}, {hi}]")
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    path = FIGURES / "findings.md"
    path.write_text("\n".join(lines) + "\n")
    return path


def capacity_both(counted: Path, on_top: Path):
    """Two ``capacity.csv`` (volunteers counted against the budget, and on top of it) side by
    side: per quantity (and setting of the swept parameters), coarse and refined counted, then
    coarse and refined on top; blank where one of them has no such quantity."""
    import pandas as pd

    frames = {}
    for budget, path in (("counted", counted), ("on top", on_top)):
        table = pd.read_csv(path)
        keys = list(table.columns[: list(table.columns).index("key") + 1])
        frames[budget] = table.set_index(keys)[[a for a in ("coarse", "refined") if a in table]]
    both = pd.concat(frames, axis=1, sort=False)
    both.columns = [f"{arm}, {budget}" for budget, arm in both.columns]
    return both.reset_index()


def _seeds(name: str) -> str:
    runs = sweep_dir(name) / "runs.parquet"
    if not runs.exists():
        return ""
    import pandas as pd

    return f", {pd.read_parquet(runs, columns=['seed'])['seed'].nunique()} seeds"


def capacity() -> Path:
    """``results/figures/compare_regimes_capacity.md``: the capacity table of compare_regimes with
    volunteers counted and on top side by side, from the two reports' ``capacity.csv``, then the
    measured ledger of the default; without the on-top report, the default's copy, saying so."""
    import pandas as pd

    from sim.present.comparison_report import readable_capacity
    from sim.present.ledger_table import ledger_markdown
    from sim.present.tables import markdown

    counted, on_top = (sweep_dir(n) / "report" for n in ("compare_regimes", ON_TOP[1]))
    path = FIGURES / "compare_regimes_capacity.md"
    if not (on_top / "capacity.csv").exists():
        note = f"Volunteers counted only: the sweep with volunteers on top ({on_top.parent}) has not been run."
        path.write_text(f"{note}\n\n{(counted / 'capacity.md').read_text()}")
        return path
    caption = (
        "**compare_regimes**: staff and staff time per policy, mean over seeds, with volunteers counted against the "
        f"paid budget (the default; {counted.parent}{_seeds('compare_regimes')}) and on top of it ({on_top.parent}"
        f"{_seeds(ON_TOP[1])}): head counts of staff, hours over the run, utilisation as the share of a pool's "
        "paid hours not idle (duties included; volunteers: of the hours allotted, those booked); blank where "
        "those runs record no such quantity."
    )
    table = markdown(capacity_both(counted / "capacity.csv", on_top / "capacity.csv"), caption, readable_capacity)
    if (counted / "ledger.csv").exists():
        ledger = ledger_markdown(pd.read_csv(counted / "ledger.csv"), "policy", " (volunteers counted)")
    else:
        ledger = f"No measured ledger: {counted} predates it (python -m sim.present.report {counted.parent} adds it).\n"
    path.write_text(f"{DEFAULT_BUDGET}\n\n{table}\n{ledger}")
    return path


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m experiments.publish", description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "names",
        nargs="*",
        metavar="NAME",
        help=f"any of {', '.join(EXPERIMENTS)} (default: these eight), or of "
        f"{', '.join((*DESIGNED, *MAPS, *LAB, *REPLAYS))}",
    )
    parser.add_argument("--no-run", action="store_true", help="only copy the reports already made")
    parser.add_argument(
        "--redraw",
        action="store_true",
        help="draw the figures of sensitivity_morris or sensitivity_sobol again from their published tables",
    )
    args = parser.parse_args(argv)
    known = (*EXPERIMENTS, *DESIGNED, *MAPS, *LAB, *REPLAYS)
    unknown = [n for n in args.names if n not in known]
    if unknown:
        parser.error(f"unknown experiment(s) {', '.join(unknown)}: choose from {', '.join(known)}")
    if args.redraw:
        screenings = [n for n in DESIGNED if DESIGNED[n] in ("morris", "sobol")]
        if not args.names or set(args.names) - set(screenings):
            parser.error(f"--redraw draws the figures of {', '.join(screenings)}: name one or both")
        for name in args.names:
            print(f"wrote {redraw_design(name)}")
        return 0
    for name in args.names or (*EXPERIMENTS, ON_TOP[1]):
        if not args.no_run:
            run(name)
        for path in publish(name):
            print(f"wrote {path}")
    if not args.names or "compare_regimes" in args.names:
        print(f"wrote {capacity()}")
    if not args.names:
        print(f"wrote {findings()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
