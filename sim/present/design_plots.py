"""Figures of the designed experiments, from their indices and sample: Morris screening, Sobol'
indices, and scenario discovery's PRIM boxes.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import matplotlib.patches
import numpy as np
import pandas as pd

from sim.measure.analysis import KPIS
from sim.present.plot_style import COLOURS, DIFF_COLOUR, axis_label, plt, save_figure

ARM_COLOURS = {"coarse": COLOURS["coarse"], "refined": COLOURS["refined"]}
LABELLED = 5
"""Factors named in each panel of the sensitivity figures: the most influential ones."""


def _factor(name: str) -> str:
    return name.removeprefix("scenario.").replace("scale.", "level: ").replace("_", " ")


def _arm_title(arm: str, kpi: str) -> str:
    return f"{arm}\n{KPIS.get(kpi, (kpi,))[0]}"


def _design_grid(indices: pd.DataFrame, title: str, what: str, width: float = 3.8, height: float = 3.4):
    arms = list(dict.fromkeys(indices["arm"]))
    kpis = list(dict.fromkeys(indices["kpi"]))
    fig, axes = plt.subplots(
        len(kpis), len(arms), figsize=(width * len(arms), height * len(kpis)), squeeze=False, constrained_layout=True
    )
    fig.suptitle("\n".join([*textwrap.wrap(title, 60 * len(arms)), what]), fontsize=10)
    return fig, axes, arms, kpis


def plot_morris(indices: pd.DataFrame, path: Path, title: str) -> list[Path]:
    """μ*–σ plots, one per KPI (rows) and regime or difference (columns): each factor a dot at
    its mean absolute elementary effect μ* (with its 95% interval) and their spread σ; the
    most influential factors are named. σ/μ* above the dashed line (σ = μ*) means the effect
    depends on the other factors or is not monotonic."""
    if indices.empty:
        return []
    fig, axes, arms, kpis = _design_grid(indices, title, "Morris screening: μ* against σ")
    for i, kpi in enumerate(kpis):
        for j, arm in enumerate(arms):
            ax, part = axes[i, j], indices[(indices["kpi"] == kpi) & (indices["arm"] == arm)]
            colour = ARM_COLOURS.get(arm, DIFF_COLOUR)
            if part["sigma"].isna().all():
                ax.text(0.5, 0.9, "σ needs two trajectories or more", transform=ax.transAxes, ha="center", fontsize=7)
                part = part.assign(sigma=0.0)
            ax.errorbar(
                part["mu_star"],
                part["sigma"],
                xerr=part["mu_star_conf"],
                fmt="o",
                ms=3.5,
                color=colour,
                ecolor="#bbbbbb",
                elinewidth=0.8,
            )
            top = max(part["mu_star"].max(), part["sigma"].max(), 1e-12) * 1.1
            ax.plot([0, top], [0, top], ls="--", lw=0.7, color="#888888")
            named = part.nsmallest(LABELLED, "rank")
            for r in named[named["mu_star"] >= 0.15 * part["mu_star"].max()].itertuples():  # not the crowd at 0
                ax.annotate(
                    _factor(r.factor), (r.mu_star, r.sigma), fontsize=7, xytext=(3, 2), textcoords="offset points"
                )
            ax.set_xlim(0, top * 1.25)
            ax.set_ylim(0, top * 1.1)
            ax.set_title(_arm_title(arm, kpi), fontsize=8.5)
            ax.set_xlabel("μ* (KPI units per factor range)", fontsize=8)
            ax.set_ylabel("σ", fontsize=8)
            ax.tick_params(labelsize=7)
    return save_figure(fig, path)


def plot_sobol(indices: pd.DataFrame, path: Path, title: str) -> list[Path]:
    """First-order and total Sobol' indices with their 95% intervals, one panel per KPI (rows)
    and regime or difference (columns)."""
    if indices.empty:
        return []
    fig, axes, arms, kpis = _design_grid(
        indices, title, "Sobol' indices: first order S1 (light) and total ST (dark)", height=3.0
    )
    for i, kpi in enumerate(kpis):
        for j, arm in enumerate(arms):
            ax, part = axes[i, j], indices[(indices["kpi"] == kpi) & (indices["arm"] == arm)]
            part = part.sort_values("ST", ascending=True)
            y = np.arange(len(part))
            colour = ARM_COLOURS.get(arm, DIFF_COLOUR)
            ax.barh(y + 0.2, part["ST"], 0.4, xerr=part["ST_conf"], color=colour, label="ST", ecolor="#555555")
            ax.barh(
                y - 0.2, part["S1"], 0.4, xerr=part["S1_conf"], color=colour, alpha=0.45, label="S1", ecolor="#555555"
            )
            ax.set_yticks(y, [_factor(f) for f in part["factor"]], fontsize=7)
            ax.axvline(0, color="#888888", lw=0.7)
            ax.set_xlim(-0.25, 1.05)  # indices are shares of variance; wider intervals run off the panel
            ax.set_title(_arm_title(arm, kpi), fontsize=8.5)
            ax.tick_params(labelsize=7)
            if i == 0 and j == 0:
                ax.legend(fontsize=7, loc="lower right")
    return save_figure(fig, path)


def plot_boxes(x: pd.DataFrame, table: pd.DataFrame, boxes: dict, base: dict, path: Path, title: str) -> list[Path]:
    """For each target of scenario discovery (refined worse, or least ahead, on timeliness and
    on satisfaction): the design's rows over the two factors that PRIM's first box restricts
    most (rows of interest in red, the box shaded), and each box's limits as a share of every
    restricted factor's sampled range, with its coverage and density."""
    from sim.study.discovery import TARGETS, cases

    fig, axes = plt.subplots(len(TARGETS), 2, figsize=(11, 4.0 * len(TARGETS)), squeeze=False, constrained_layout=True)
    heading = "Scenario discovery (PRIM): where refined does worse, better, or is least ahead"
    fig.suptitle("\n".join([*textwrap.wrap(title, 120), heading]), fontsize=10)
    for i, (target, (kpi, which, meaning)) in enumerate(TARGETS.items()):
        found, (count, total) = boxes.get(target, []), base[target]
        left, limits = axes[i]
        title = f"{target}: {meaning} ({count} of {total} rows)"
        if found:
            _box_scatter(left, x, cases(table, kpi, which), found[0]["limits"])
        else:
            _advantage(left, table, kpi)
        left.set_title(title, fontsize=8.5)
        _box_limits(limits, found, count)
    return save_figure(fig, path)


def _box_scatter(ax, x: pd.DataFrame, chosen: pd.Series, limits: list[dict]) -> None:
    """The rows over the box's two most significant factors, rows of interest in red, the box
    drawn over them."""
    dims = [lim["factor"] for lim in sorted(limits, key=lambda lim: lim["quasi_p"])][:2]
    dims += [c for c in x.columns if c not in dims][: 2 - len(dims)]
    xs = x.loc[chosen.index]
    ax.scatter(xs[dims[0]], xs[dims[1]], s=9, c=np.where(chosen, "#d62728", "#bbbbbb"), linewidths=0)
    span = {lim["factor"]: (lim["low"], lim["high"]) for lim in limits}
    (x0, x1), (y0, y1) = (span.get(d, (xs[d].min(), xs[d].max())) for d in dims)
    ax.add_patch(matplotlib.patches.Rectangle((x0, y0), x1 - x0, y1 - y0, fill=False, ec="#d62728", lw=1.2))
    for axis, d in zip((ax.set_xlabel, ax.set_ylabel), dims):
        axis(axis_label(d) if d.startswith("scenario.") else _factor(d), fontsize=8)


def _advantage(ax, table: pd.DataFrame, kpi: str) -> None:
    """Where no box is drawn: how refined − coarse spreads over the rows, zero marked."""
    from sim.study.sensitivity import DIFFERENCE

    if (DIFFERENCE, kpi) not in table.columns:  # not measured over this design's window (too short)
        ax.text(0.5, 0.5, "not measured: the window is too short", ha="center", va="center", transform=ax.transAxes)
        ax.set_axis_off()
        return
    diff = table[(DIFFERENCE, kpi)].dropna()
    ax.hist(diff, bins=30, color=DIFF_COLOUR, alpha=0.7)
    ax.axvline(0, color="#d62728", lw=1.2)
    ax.set_xlabel(f"refined − coarse: {KPIS.get(kpi, (kpi,))[0]}", fontsize=8)
    ax.set_ylabel("rows", fontsize=8)
    lo, hi = ax.get_xlim()
    ax.set_xlim(min(lo, -0.05 * (hi - lo)), hi)


def _box_limits(ax, found: list[dict], count: int) -> None:
    """Each box's restricted factors as bars over [0, 1] = the factor's sampled range."""
    from sim.study.discovery import SIGNIFICANT

    if not found:
        ax.text(
            0.5,
            0.5,
            "no such row: nothing to bound"
            if not count
            else "no box: too few such rows,\nor none denser than the whole",
            ha="center",
            va="center",
            fontsize=9,
        )
        ax.set_axis_off()
        return
    labels, y = [], 0
    for b in found:
        for lim in b["limits"]:
            span = lim["range_high"] - lim["range_low"] or 1.0
            lo, hi = (lim["low"] - lim["range_low"]) / span, (lim["high"] - lim["range_low"]) / span
            significant = lim["quasi_p"] < SIGNIFICANT
            ax.barh(y, hi - lo, left=lo, color="#d62728", alpha=0.65 if significant else 0.2)
            note = "" if significant else " (n.s.)"
            ax.text(
                1.02,
                y,
                f"{lim['low']:.3g} – {lim['high']:.3g}\nquasi-p {lim['quasi_p']:.2g}{note}",
                va="center",
                fontsize=7,
            )
            labels.append(f"box {b['box']}: {_factor(lim['factor'])}")
            y += 1
        labels[-1] += f"\n(coverage {b['coverage']:.2f}, density {b['density']:.2f})"
    ax.set_yticks(range(len(labels)), labels, fontsize=7)
    ax.set_xlim(0, 1.25)
    ax.set_xticks([0, 0.5, 1], ["low end", "middle", "high end"], fontsize=7)
    ax.invert_yaxis()
    ax.set_title("each box's limits within each factor's sampled range (pale: quasi-p ≥ 0.05)", fontsize=8.5)
