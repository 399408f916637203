"""What ``python -m sim.lab`` writes: its studies as tables, the fresh-seed runs, the paired
comparisons and the figures (drawn from the saved tables)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from sim.measure.analysis import KPIS, ci95
from sim.present.plot_style import COLOURS, WIDTHS, axes_of, drawing, figure_of
from sim.study import lab
from sim.study.design import default_value
from sim.study.output import atomic_write

if TYPE_CHECKING:  # the types of the axes and figures the plots draw on
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure, SubFigure


# --- the studies as tables -----------------------------------------------------------------------
def trials_table(settings: lab.Settings) -> pd.DataFrame:
    """Every trial of every study: its parameters, objective values and kept KPIs."""
    frames = []
    for name in lab.study_names(settings):
        study = lab.open_study(settings, name)
        df = study.trials_dataframe(attrs=("number", "state", "values", "params", "user_attrs", "duration"))
        df = df.rename(columns=lambda c: c.removeprefix("params_").removeprefix("user_attrs_"))
        front = {t.number for t in study.best_trials} if settings.search == "best" else set()
        df.insert(0, "study", name)
        df["pareto"] = df["number"].isin(front)
        frames.append(df)
    table = pd.concat(frames, ignore_index=True)
    if "preset" not in table:
        table["preset"] = False
    table["preset"] = table["preset"].fillna(False).astype(bool)
    table["duration"] = table["duration"].dt.total_seconds()
    return table


def _complete(trials: pd.DataFrame) -> pd.DataFrame:
    return trials[trials["state"] == "COMPLETE"]


def best_candidates(trials: pd.DataFrame) -> list[lab.Candidate]:
    """Each regime's preset, and its front's best member on each objective."""
    out = []
    for regime in lab.REGIMES:
        name = f"best-{regime}"
        done = _complete(trials[trials["study"] == name])
        names = [d.name for d in lab.dials(regime)]
        picks = [("preset", done[done["preset"]])]
        front = done[done["pareto"]]
        for kpi, direction in lab.OBJECTIVES.items():
            order = front.sort_values(kpi, ascending=direction == "minimize")
            picks.append((f"best on {kpi}", order.head(1)))
        for label, row in picks:
            if len(row):
                r = row.iloc[0]
                dials = {k: (r[k] if isinstance(r[k], str) else float(r[k])) for k in names}
                out.append(lab.Candidate(name, int(r["number"]), label, regime, dials, {}))
    return out


def worst_candidates(settings: lab.Settings, trials: pd.DataFrame) -> list[lab.Candidate]:
    """The ``top`` worlds of each worst study, each under both regimes."""
    factors = lab.world_factors()
    names, whole = [f.name for f in factors], {f.name for f in factors if f.integer}
    out = []
    for study in lab.study_names(settings):
        done = _complete(trials[trials["study"] == study]).sort_values("values_0", ascending=False)
        for rank, (_, r) in enumerate(done.head(settings.top).iterrows(), start=1):
            world = {k: (int(r[k]) if k in whole else float(r[k])) for k in names}
            out += [lab.Candidate(study, int(r["number"]), f"{study} #{rank}", g, {}, world) for g in lab.REGIMES]
    return out


# --- paired comparisons on fresh seeds -------------------------------------------------------------
def paired(fresh: pd.DataFrame, coarse: tuple[str, int], refined: tuple[str, int], kpi: str) -> tuple:
    """refined − coarse on ``kpi`` over the fresh seeds both ran: mean, 95% interval, n."""
    a = fresh[(fresh["study"] == coarse[0]) & (fresh["trial"] == coarse[1])].drop_duplicates("seed")
    b = fresh[(fresh["study"] == refined[0]) & (fresh["trial"] == refined[1])].drop_duplicates("seed")
    m = b.set_index("seed")[kpi] - a.set_index("seed")[kpi]
    return ci95(m.dropna())


def best_comparison(trials: pd.DataFrame, fresh: pd.DataFrame) -> pd.DataFrame:
    """Refined − coarse for each pick (the presets, and each regime's best on each objective):
    in-sample (training seeds, unpaired means) and on fresh seeds (paired, 95% interval)."""
    rows = []
    for label in fresh["label"].unique():
        picks = {r: fresh[(fresh["label"] == label) & (fresh["regime"] == r)] for r in lab.REGIMES}
        if any(p.empty for p in picks.values()):
            continue
        keys = {r: (p["study"].iloc[0], int(p["trial"].iloc[0])) for r, p in picks.items()}
        for kpi in lab.KEPT:
            ins = {r: _in_sample(trials, *keys[r], kpi) for r in lab.REGIMES}
            mean, lo, hi, n = paired(fresh, keys["coarse"], keys["refined"], kpi)
            rows.append(
                {
                    "pick": label,
                    "kpi": kpi,
                    "coarse_trial": keys["coarse"][1],
                    "refined_trial": keys["refined"][1],
                    "in_sample_coarse": ins["coarse"],
                    "in_sample_refined": ins["refined"],
                    "in_sample_difference": ins["refined"] - ins["coarse"],
                    "fresh_coarse": picks["coarse"][kpi].mean(),
                    "fresh_refined": picks["refined"][kpi].mean(),
                    "difference": mean,
                    "ci_low": lo,
                    "ci_high": hi,
                    "n": n,
                }
            )
    return pd.DataFrame(rows)


def _in_sample(trials: pd.DataFrame, study: str, trial: int, kpi: str) -> float:
    row = trials[(trials["study"] == study) & (trials["number"] == trial)]
    return float(row[kpi].iloc[0]) if len(row) else np.nan


def optimism(trials: pd.DataFrame, fresh: pd.DataFrame) -> pd.DataFrame:
    """Each pick's objectives in-sample against fresh seeds: how much the search flattered it."""
    rows = []
    for (study, trial, regime), g in fresh.groupby(["study", "trial", "regime"], sort=False):
        label = ", ".join(g["label"].unique())
        runs = g.drop_duplicates("seed")
        for kpi, direction in lab.OBJECTIVES.items():
            ins, out = _in_sample(trials, study, trial, kpi), runs[kpi].mean()
            sign = 1 if direction == "maximize" else -1  # positive: the search saw it better than it is
            rows.append(
                {
                    "regime": regime,
                    "pick": label,
                    "trial": trial,
                    "kpi": kpi,
                    "in_sample": ins,
                    "fresh": out,
                    "optimism": sign * (ins - out),
                }
            )
    return pd.DataFrame(rows)


def worst_table(settings: lab.Settings, trials: pd.DataFrame, fresh: pd.DataFrame) -> pd.DataFrame:
    """Each top world: its margin in-sample and on fresh seeds (paired, 95% interval), both
    regimes' fresh means, and its parameters."""
    rows = []
    for (study, trial), g in fresh.groupby(["study", "trial"], sort=False):
        sign = 1 if study == "worst-for-refined" else -1  # the margin: how much the named regime loses
        by = {r: g[g["regime"] == r].drop_duplicates("seed").set_index("seed")[lab.HEADLINE] for r in lab.REGIMES}
        mean, lo, hi, n = ci95((sign * (by["coarse"] - by["refined"])).dropna())
        t = trials[(trials["study"] == study) & (trials["number"] == trial)].iloc[0]
        rows.append(
            {
                "study": study,
                "trial": trial,
                "label": g["label"].iloc[0],
                "margin_in_sample": float(t["values_0"]),
                "margin_fresh": mean,
                "ci_low": lo,
                "ci_high": hi,
                "n": n,
                "coarse_fresh": by["coarse"].mean(),
                "refined_fresh": by["refined"].mean(),
                **{f.name: t[f.name] for f in lab.world_factors()},
            }
        )
    return pd.DataFrame(rows)


# --- writing ----------------------------------------------------------------------------------------
def save_csv(table: pd.DataFrame, path: Path) -> None:
    atomic_write(path, lambda tmp: table.to_csv(tmp, index=False))


def save_text(text: str, path: Path) -> None:
    atomic_write(path, lambda tmp: Path(tmp).write_text(text))


def write(settings: lab.Settings) -> None:
    """Every table, the report and the figures of a finished (or stopped) search."""
    folder = settings.folder
    trials = trials_table(settings)
    save_csv(trials, folder / "trials.csv")
    if settings.search == "best":
        candidates = best_candidates(trials)
    else:
        candidates = worst_candidates(settings, trials)
    fresh = lab.fresh_table(settings, candidates)
    save_csv(fresh, folder / "fresh.csv")
    figures = folder / "figures"
    figures.mkdir(exist_ok=True)
    if settings.search == "best":
        comparison, flattered = best_comparison(trials, fresh), optimism(trials, fresh)
        save_csv(comparison, folder / "best_vs_best.csv")
        save_csv(flattered, folder / "optimism.csv")
        save_csv(trials[trials["pareto"]], folder / "front.csv")
        save_text(best_markdown(settings, trials, comparison, flattered), folder / "report.md")
        with drawing(figures / "pareto", (WIDTHS["double"], 3.2), []) as fig:
            plot_pareto(pd.read_csv(folder / "trials.csv"), pd.read_csv(folder / "fresh.csv"), fig)
    else:
        worst = worst_table(settings, trials, fresh)
        save_csv(worst, folder / "worst.csv")
        save_text(worst_markdown(settings, trials, worst), folder / "report.md")
        with drawing(figures / "history", (WIDTHS["single"], 2.6), [], width="single") as fig:
            plot_history(pd.read_csv(folder / "trials.csv"), fig.subplots())
    print((folder / "report.md").read_text())


def _header(settings: lab.Settings, trials: pd.DataFrame) -> str:
    done = _complete(trials).groupby("study").size()
    counts = ", ".join(f"{k} {v}" for k, v in done.items())
    seeds = f"seeds 0–{settings.train_seeds - 1}" if settings.train_seeds > 1 else "seed 0"
    return (
        f"`python -m sim.lab search={settings.search}` with {' '.join(settings.overrides)}. "
        f"Completed trials: {counts}; trained on {seeds}; scored on {settings.fresh_seeds} fresh seeds "
        f"({lab.FRESH_FROM}–{lab.FRESH_FROM + settings.fresh_seeds - 1}), never seen by the search.\n\n"
    )


def _num(x: float, kpi: str) -> str:
    if not np.isfinite(x):
        return "–"
    return f"{x:+.1f}" if kpi.endswith("_h") else f"{x:+.3f}"


def best_markdown(settings, trials, comparison: pd.DataFrame, flattered: pd.DataFrame) -> str:
    lines = [
        "# Best against best",
        "",
        _header(settings, trials),
        "Refined − coarse, each regime with its own dials tuned (its preset, and the best member of its "
        "in-sample Pareto front on each objective). In-sample: means over the training seeds; fresh: paired "
        "on fresh seeds, with a 95% interval.",
        "",
        "| pick | KPI | in-sample | fresh seeds | 95% interval |",
        "| --- | --- | --- | --- | --- |",
    ]
    for r in comparison.itertuples():
        label = KPIS.get(r.kpi, (r.kpi,))[0]
        lines.append(
            f"| {r.pick} | {label} | {_num(r.in_sample_difference, r.kpi)} | {_num(r.difference, r.kpi)} | "
            f"[{_num(r.ci_low, r.kpi)}, {_num(r.ci_high, r.kpi)}] |"
        )
    lines += [
        "",
        "## How much the search flattered each pick",
        "",
        "In-sample against fresh seeds; optimism > 0: the search saw it better than it is.",
        "",
    ]
    lines += ["| regime | pick | trial | objective | in-sample | fresh | optimism |", "| --- " * 7 + "|"]
    for r in flattered.itertuples():
        lines.append(
            f"| {r.regime} | {r.pick} | {r.trial} | {r.kpi} | {r.in_sample:.3f} | {r.fresh:.3f} | {r.optimism:+.3f} |"
        )
    lines += ["", "## Each regime's dials at its picks", ""]
    for regime in lab.REGIMES:
        names = [d.name for d in lab.dials(regime)]
        rows = trials[(trials["study"] == f"best-{regime}") & (trials["pareto"] | trials["preset"])]
        lines += [f"**{regime}** (Pareto front in-sample, and the preset):", ""]
        lines += ["| trial | preset | " + " | ".join(names) + " | " + " | ".join(lab.OBJECTIVES) + " |"]
        lines += ["| --- " * (2 + len(names) + len(lab.OBJECTIVES)) + "|"]
        for _, r in rows.sort_values("resolved_within_7d", ascending=False).iterrows():
            cells = [f"{r[n]:.2f}" if not isinstance(r[n], str) else r[n] for n in names]
            objectives = [f"{r[k]:.3f}" for k in lab.OBJECTIVES]
            lines.append(f"| {r['number']} | {'yes' if r['preset'] else ''} | " + " | ".join(cells + objectives) + " |")
        lines.append("")
    return "\n".join(lines) + "\n"


def worst_markdown(settings, trials, worst: pd.DataFrame) -> str:
    base = lab.base_config(settings, "refined")  # the one that patrols: every factor acts
    defaults = {f.name: default_value(base, f.name) for f in lab.world_factors()}
    spans = {f.name: f.high - f.low for f in lab.world_factors()}
    lines = [
        "# The worst world for each regime",
        "",
        _header(settings, trials),
        "Margin: how far the named regime falls behind the other on needs resolved within 7 days "
        "(worst-for-refined: coarse − refined; worst-for-coarse: refined − coarse), both presets on the same "
        "seeds. Each world is listed with the factors furthest from their defaults (in shares of their range).",
        "",
        "| world | margin in-sample | margin on fresh seeds | 95% interval | coarse | refined "
        "| furthest from default |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for _, r in worst.iterrows():
        far = sorted(defaults, key=lambda k: -abs(r[k] - defaults[k]) / spans[k])[:6]
        moved = "; ".join(f"{k.split('.', 1)[1]} {r[k]:.3g} ({defaults[k]:.3g})" for k in far)
        lines.append(
            f"| {r['label']} (trial {r['trial']}) | {r['margin_in_sample']:+.3f} | {r['margin_fresh']:+.3f} | "
            f"[{r['ci_low']:+.3f}, {r['ci_high']:+.3f}] | {r['coarse_fresh']:.3f} | {r['refined_fresh']:.3f} | "
            f"{moved} |"
        )
    return "\n".join(lines) + "\n"


# --- figures (from the saved tables) --------------------------------------------------------------------


def plot_pareto(trials: pd.DataFrame, fresh: pd.DataFrame, fig: Figure | SubFigure | None = None):
    """Each regime's trials and in-sample Pareto front over the headline against the other two
    objectives; the preset a star; each pick on fresh seeds a ring with its 95% interval.

    Args:
        trials: The lab's ``trials.csv``.
        fresh: Its ``fresh.csv`` (the picks re-run on fresh seeds).
        fig: A figure or subfigure to draw on; a new one when ``None``.

    Returns:
        The figure.
    """
    done = trials[trials["state"] == "COMPLETE"]
    others = [k for k in lab.OBJECTIVES if k != lab.HEADLINE]
    fig = figure_of(fig, (3.6 * len(others), 3.2))
    axes = fig.subplots(1, len(others), squeeze=False)[0]
    for ax, kpi in zip(axes, others):
        for regime in lab.REGIMES:
            mine, colour = done[done["study"] == f"best-{regime}"], COLOURS[regime]
            ax.scatter(mine[lab.HEADLINE], mine[kpi], s=10, color=colour, alpha=0.3, label=f"{regime}: trials")
            front = mine[mine["pareto"]].sort_values(lab.HEADLINE)
            ax.plot(
                front[lab.HEADLINE], front[kpi], "o", color=colour, ms=4, label=f"{regime}: Pareto front (3 objectives)"
            )
            preset = mine[mine["preset"]]
            ax.scatter(preset[lab.HEADLINE], preset[kpi], marker="*", s=180, color=colour, edgecolor="k", zorder=5)
            _fresh_rings(ax, fresh[fresh["regime"] == regime], kpi, colour)
        ax.set_xlabel(f"{KPIS[lab.HEADLINE][0]} (↑)")
        arrow = "↓" if lab.OBJECTIVES[kpi] == "minimize" else "↑"
        ax.set_ylabel(f"{KPIS[kpi][0]} ({arrow})")
    axes[0].legend(fontsize="x-small", loc="best")
    fig.suptitle(
        "Each regime tuned: trials and Pareto front in-sample (dots), presets (stars), "
        "picks on fresh seeds (rings, 95% intervals)"
    )
    return fig


def _fresh_rings(ax, fresh: pd.DataFrame, kpi: str, colour: str) -> None:
    for _, g in fresh.drop_duplicates(["trial", "seed"]).groupby("trial"):
        x, xlo, xhi, _ = ci95(g[lab.HEADLINE])
        y, ylo, yhi, _ = ci95(g[kpi])
        ax.errorbar(
            x, y, xerr=[[x - xlo], [xhi - x]], yerr=[[y - ylo], [yhi - y]], fmt="o", mfc="none", color=colour, ms=8
        )


def plot_history(trials: pd.DataFrame, ax: Axes | None = None):
    """The margin of each trial of each worst study, and the largest so far.

    Args:
        trials: The lab's ``trials.csv`` of a search for the worst.
        ax: The axes to draw on; a new figure's when ``None``.

    Returns:
        The axes.
    """
    ax = axes_of(ax, (4.5, 3.0))
    done = trials[trials["state"] == "COMPLETE"]
    for study, colour in zip(lab.study_names(lab.Settings(search="worst")), (COLOURS["refined"], COLOURS["coarse"])):
        mine = done[done["study"] == study].sort_values("number")
        ax.plot(mine["number"], mine["values_0"], ".", color=colour, alpha=0.5)
        ax.plot(mine["number"], mine["values_0"].cummax(), color=colour, label=f"{study}: largest so far")
    ax.axhline(0, color="k", lw=0.6)
    ax.set_xlabel("trial")
    ax.set_ylabel("margin in needs resolved within 7 days")
    ax.set_title("Adversarial search: how far each regime\ncan fall behind (training seeds)")
    ax.legend(fontsize="x-small")
    return ax
