"""The gallery of govsim's figures: each plot drawn from data into a figure of one's own, by the
code that ``docs/gallery.md`` shows beside it (the sections between the ``--8<--`` marks).

    python -m experiments.gallery            # about two minutes on two cores
    python -m experiments.gallery --out DIR  # elsewhere than docs/gallery/

The runs are small (the teaching scenario of 1,000 residents, 300 days of which the first 150
are a warm-up, three to five seeds): the gallery shows how each plot is called and what it
draws, not findings. The designed experiments' and the lab's plots read the committed tables of
``results/``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import matplotlib.figure

# --8<-- [start:imports]
import matplotlib.pyplot as plt
import pandas as pd

from sim.measure import ablation, analysis
from sim.measure.curves import curve_bands, resolution_curve, timeseries_bands
from sim.present import comparison_plots, design_plots, headline_plots, lab_report, run_plots
from sim.present.plot_style import figure_size, figure_style
from sim.study.batch import simulate_many
from sim.study.sweep import runs_from_results

# --8<-- [end:imports]

OUT = Path("docs/gallery")
DAYS, WARMUP = 300, 150
BASE = ["scenario=teaching", f"days={DAYS}", f"warmup_days={WARMUP}"]
SEEDS, FEW = range(5), range(3)
KPI = "resolved_within_7d"


def sweeps(n_jobs: int = -1) -> dict:
    """The small sweeps the gallery draws: the regimes compared on five seeds; over staffing; over
    load and staffing; three dials ablated."""
    # --8<-- [start:data]
    both = [[*BASE, f"policy={p}"] for p in ("coarse", "refined")]
    results, overrides = simulate_many(both, SEEDS, n_jobs)
    runs = runs_from_results(results, overrides)  # one row per run, as a sweep's runs.parquet
    staffing = [[*c, f"scenario.workers_per_10k={w}"] for c in both for w in (10, 20, 30)]
    over = runs_from_results(*simulate_many(staffing, FEW, n_jobs))
    grid = [[*c, f"scenario.demand_scale={d}"] for c in staffing for d in (1, 2)]
    phase = runs_from_results(*simulate_many(grid, FEW, n_jobs))
    dials = ("patrol", "routing", "remedy")
    variants = ["coarse", "refined", *(f"coarse+{d}" for d in dials), *(f"refined-{d}" for d in dials)]
    ablated = runs_from_results(*simulate_many([[*BASE, f"variant={v}"] for v in variants], FEW, n_jobs))
    # --8<-- [end:data]
    return {"results": results, "runs": runs, "over": over, "phase": phase, "ablated": ablated}


# --8<-- [start:levels]
def levels_and_gap(runs):
    """A single column: each regime's level and the paired gap, side by side."""
    with figure_style("single"):
        fig, (left, right) = plt.subplots(1, 2, figsize=figure_size("single", 2.4), layout="constrained")
        comparison_plots.plot_levels(runs, KPI, ax=left)
        comparison_plots.plot_difference(runs, KPI, ax=right)
        right.set_title("the gap, paired on seed")
    return fig


# --8<-- [end:levels]


# --8<-- [start:policies]
def policies(runs):
    """Four KPIs across a page: levels above, gaps below."""
    with figure_style("double"):
        fig = plt.figure(figsize=figure_size("double", 4.6), layout="constrained")
        comparison_plots.plot_policies(runs, list(analysis.KPIS)[:4], fig=fig, title="teaching town, 5 seeds")
    return fig


# --8<-- [end:policies]


# --8<-- [start:over]
def over_staffing(over):
    """A single column: levels and the gap along the staff per 10,000 residents."""
    x = "scenario.workers_per_10k"
    with figure_style("single"):
        fig, (top, bottom) = plt.subplots(2, 1, sharex=True, figsize=figure_size("single", 4.0), layout="constrained")
        comparison_plots.plot_levels_over(over, x, KPI, ax=top)
        comparison_plots.plot_difference_over(over, x, KPI, ax=bottom)
        top.set_xlabel("")
        top.legend()
    return fig


# --8<-- [end:over]


# --8<-- [start:phase]
def phase_map(phase):
    """The gap over load and staffing; cells whose interval covers zero hatched."""
    with figure_style("single"):
        fig, ax = plt.subplots(figsize=figure_size("single", 3.0), layout="constrained")
        comparison_plots.plot_phase(phase, "scenario.workers_per_10k", "scenario.demand_scale", KPI, ax=ax)
    return fig


# --8<-- [end:phase]


# --8<-- [start:ablation]
def ablation_effects(ablated):
    """Each dial's effect in coarse and in refined, for two KPIs across a page."""
    effects = ablation.ablation_effects(ablated, [KPI, "callback_satisfaction_rate"])
    with figure_style("double"):
        fig = plt.figure(figsize=figure_size("double", 2.4), layout="constrained")
        comparison_plots.plot_ablation(effects, [KPI, "callback_satisfaction_rate"], fig=fig)
    return fig


# --8<-- [end:ablation]


# --8<-- [start:headline]
def headline(results, runs):
    """The headline figure from runs made in Python: resolution curves, daily series, forests."""
    forest = analysis.forest_rows(runs)
    with figure_style("double"):
        fig = plt.figure(figsize=headline_plots.headline_size(forest), layout="constrained")
        bands = curve_bands(curves_of(results)), timeseries_bands(series_of(results))
        headline_plots.plot_headline(*bands, forest, fig=fig, warmup=WARMUP)
    return fig


def curves_of(results):
    """Each run's share of needs resolved by each day after they arose (those after the warm-up)."""
    return pd.concat(
        resolution_curve(r.issues, 24.0 * DAYS, 24.0 * WARMUP).assign(policy=r.config.policy.name, seed=r.config.seed)
        for r in results
    )


def series_of(results):
    """Each run's daily series, tagged with its regime and seed."""
    return pd.concat(r.timeseries.assign(policy=r.config.policy.name, seed=r.config.seed) for r in results)


# --8<-- [end:headline]


# --8<-- [start:compose]
def composed(results, runs, over):
    """Panels of different plots in one figure of one's own, lettered, with one's own labels."""
    with figure_style("double"):
        fig, (a, b, c) = plt.subplots(1, 3, figsize=figure_size("double", 2.4), layout="constrained")
        headline_plots.plot_resolution(curve_bands(curves_of(results)), ax=a, warmup=WARMUP)
        comparison_plots.plot_difference(runs, "needs_met_share", ax=b)
        comparison_plots.plot_difference_over(over, "scenario.workers_per_10k", KPI, ax=c)
        for ax, letter in zip((a, b, c), "abc"):
            ax.set_title(f"({letter})", loc="left", fontweight="bold")
        c.set_ylabel("refined − coarse, within 7 days")
    return fig


# --8<-- [end:compose]


# --8<-- [start:chinese]
def in_chinese(over):
    """Chinese labels: the style adds a Chinese font (Debian: fonts-wqy-microhei)."""
    with figure_style("single", lang="zh"):
        fig, ax = plt.subplots(figsize=figure_size("single", 2.6), layout="constrained")
        comparison_plots.plot_difference_over(over, "scenario.workers_per_10k", KPI, ax=ax)
        ax.set_xlabel("每万名居民的网格员人数")
        ax.set_ylabel("个体化 − 类型化\n(7 天内解决的需求,配对差)")
        ax.set_title("个体化的优势随人手而变")
    return fig


# --8<-- [end:chinese]


# --8<-- [start:one_run]
def one_run(results):
    """One run's daily series, in Chinese, and the life of thirty needs."""
    result = results[-1]  # refined, the last seed
    series = run_plots.plot_run(result.timeseries, lang="zh", title="个体化, 一次运行")
    timeline = run_plots.plot_issue_timeline(result.issues, lang="en", n=30, since_h=WARMUP * 24.0)
    return series, timeline


# --8<-- [end:one_run]


# --8<-- [start:designs]
def designs():
    """The designed experiments' plots, from their committed indices."""
    morris = pd.read_csv("results/figures/sensitivity_morris_morris.csv")
    sobol = pd.read_csv("results/figures/sensitivity_sobol_sobol.csv")
    with figure_style("double"):
        fig, (left, right) = plt.subplots(1, 2, figsize=figure_size("double", 3.4), layout="constrained")
        design_plots.plot_mu_sigma(morris, KPI, ax=left)  # refined − coarse
        design_plots.plot_sobol_bars(sobol, KPI, ax=right)
    return fig


# --8<-- [end:designs]


# --8<-- [start:lab]
def lab():
    """The lab's searches, from their committed trials."""
    worst = pd.read_csv("results/lab/worst/trials.csv")
    with figure_style("single"):
        fig, ax = plt.subplots(figsize=figure_size("single", 2.8), layout="constrained")
        lab_report.plot_history(worst, ax=ax)
    return fig


# --8<-- [end:lab]


def draw_all(data: dict) -> dict[str, matplotlib.figure.Figure]:
    """Every figure of the gallery, by the name of its file."""
    series, timeline = one_run(data["results"])
    return {
        "levels": levels_and_gap(data["runs"]),
        "policies": policies(data["runs"]),
        "over": over_staffing(data["over"]),
        "phase": phase_map(data["phase"]),
        "ablation": ablation_effects(data["ablated"]),
        "headline": headline(data["results"], data["runs"]),
        "compose": composed(data["results"], data["runs"], data["over"]),
        "chinese": in_chinese(data["over"]),
        "one_run": series,
        "timeline": timeline,
        "designs": designs(),
        "lab": lab(),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m experiments.gallery", description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=OUT, help="folder of the PNGs (default: docs/gallery)")
    parser.add_argument("--jobs", type=int, default=-1, help="cores to use (default: all)")
    args = parser.parse_args(argv)
    for needed in ("results/figures/sensitivity_morris_morris.csv", "results/lab/worst/trials.csv"):
        if not Path(needed).exists():
            parser.exit(2, f"{parser.prog}: error: {needed} not found: run it from the repository's top folder\n")
    figures = draw_all(sweeps(args.jobs))
    args.out.mkdir(parents=True, exist_ok=True)
    for name, fig in figures.items():
        target = args.out / f"{name}.png"
        partial = target.with_suffix(".partial.png")  # renamed into place: a killed run leaves no half a file
        fig.savefig(partial, dpi=110, bbox_inches="tight")
        partial.replace(target)
        plt.close(fig)
        print(f"wrote {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
