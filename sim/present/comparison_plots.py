"""Figures comparing the regimes over a sweep, from tables of :mod:`sim.measure`; never runs or
imports the model. Each figure has a top row of levels by policy (mean and 95 % CI across
seeds) and a bottom row of paired differences (refined - coarse) with their 95 % CI; besides,
the phase diagram of the gap over two sweep axes, the ablation's and the decomposition's effects,
and the headline figure of a regime comparison (:func:`plot_headline`): resolution over time,
backlog and satisfaction by day, and forests of the paired differences.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib.lines
import matplotlib.patches
import matplotlib.ticker
import numpy as np
import pandas as pd
from matplotlib.ticker import MaxNLocator

from sim.measure.ablation import DIRECTIONS, EFFECT
from sim.measure.analysis import CITY_KPIS, KPIS, RELEVANT
from sim.measure.curves import SERIES
from sim.present.plot_style import COLOURS, DIFF_COLOUR, axis_label, plt, same_value, save_figure, value_text


def _label(kpi: str) -> str:
    label, unit = KPIS.get(kpi) or CITY_KPIS.get(kpi, (kpi, ""))
    return f"{label}\n({unit})" if unit else label


def _mark_if_empty(ax, values) -> None:
    """Say so on a panel whose KPI has no value in these runs (e.g. the time to resolution
    capped at 30 days, when fewer than 30 days are measured), instead of leaving it blank."""
    if not pd.Series(values, dtype=float).notna().any():
        ax.text(0.5, 0.5, "n/a: not defined\nin these runs", transform=ax.transAxes, ha="center", va="center")
        ax.set_xticks([])
        ax.set_yticks([])


def _grid(kpis, title):
    fig, axes = plt.subplots(2, len(kpis), figsize=(3.6 * len(kpis), 6.2), squeeze=False, constrained_layout=True)
    fig.suptitle(title)
    return fig, axes


def plot_policies(summary: pd.DataFrame, diffs: pd.DataFrame, kpis, path: Path, title: str) -> list[Path]:
    """No numeric sweep axis: levels per policy, and the paired difference."""
    fig, axes = _grid(kpis, title)
    for j, k in enumerate(kpis):
        s = summary[summary["kpi"] == k]
        ax = axes[0, j]
        for i, r in enumerate(s.itertuples()):
            ax.errorbar(
                i,
                r.mean,
                yerr=[[r.mean - r.ci_low], [r.ci_high - r.mean]],
                fmt="o",
                capsize=4,
                color=COLOURS.get(r.policy, "k"),
            )
        ax.set_xticks(range(len(s)), list(s["policy"]))
        ax.set_xlim(-0.6, len(s) - 0.4)
        ax.set_title(_label(k), fontsize=9)
        _mark_if_empty(ax, s["mean"])
        d = diffs[diffs["kpi"] == k]
        ax = axes[1, j]
        _mark_if_empty(ax, d["difference"])
        if len(d):
            r = d.iloc[0]
            ax.errorbar(
                0,
                r.difference,
                yerr=[[r.difference - r.ci_low], [r.ci_high - r.difference]],
                fmt="s",
                capsize=4,
                color=DIFF_COLOUR,
            )
        ax.axhline(0, color="grey", lw=0.8, ls="--")
        ax.set_xticks([0], ["refined - coarse"])
        ax.set_xlim(-0.6, 0.6)
    axes[0, 0].set_ylabel("mean, 95% CI across seeds")
    axes[1, 0].set_ylabel("paired difference, 95% CI")
    return save_figure(fig, path)


def plot_over(
    summary: pd.DataFrame, diffs: pd.DataFrame, x: str, kpis, path: Path, title: str, facet: str | None = None
) -> list[Path]:
    """A numeric sweep axis ``x`` (and optionally a second one, ``facet``, as line styles)."""
    fig, axes = _grid(kpis, title)
    styles = ["-", "--", ":", "-."]
    facets = list(pd.unique(summary[facet])) if facet else [None]
    for j, k in enumerate(kpis):
        ax, axd = axes[0, j], axes[1, j]
        for fi, fv in enumerate(facets):
            ls = styles[fi % len(styles)]
            s = summary[(summary["kpi"] == k) & (same_value(summary[facet], fv) if facet else True)]
            for policy, g in s.groupby("policy"):
                g = g.sort_values(x)
                label = f"{policy}" + (f", {axis_label(facet)}={value_text(fv)}" if facet else "")
                ax.plot(g[x], g["mean"], ls, marker="o", ms=3, color=COLOURS.get(policy, "k"), label=label)
                ax.fill_between(g[x], g["ci_low"], g["ci_high"], color=COLOURS.get(policy, "k"), alpha=0.18, lw=0)
            d = diffs[(diffs["kpi"] == k) & (same_value(diffs[facet], fv) if facet else True)].sort_values(x)
            axd.plot(
                d[x],
                d["difference"],
                ls,
                marker="s",
                ms=3,
                color=DIFF_COLOUR,
                label=f"{axis_label(facet)}={value_text(fv)}" if facet else None,
            )
            axd.fill_between(d[x], d["ci_low"], d["ci_high"], color=DIFF_COLOUR, alpha=0.18, lw=0)
        axd.axhline(0, color="grey", lw=0.8, ls="--")
        ax.set_title(_label(k), fontsize=9)
        axd.set_xlabel(axis_label(x))
        _mark_if_empty(ax, summary.loc[summary["kpi"] == k, "mean"])
        _mark_if_empty(axd, diffs.loc[diffs["kpi"] == k, "difference"])
    axes[0, 0].set_ylabel("mean, 95% CI across seeds")
    axes[1, 0].set_ylabel("refined - coarse (paired), 95% CI")
    axes[0, 0].legend(fontsize=7)
    if facet:
        axes[1, 0].legend(fontsize=7)
    return save_figure(fig, path)


def plot_phase(diffs: pd.DataFrame, x: str, y: str, kpis, path: Path, title: str) -> list[Path]:
    """Phase diagrams of refined − coarse over two numeric sweep axes, one panel per KPI: each
    cell's paired difference (blue where refined does better, brown where coarse does), the zero
    contour interpolated between cell centres, and cells whose 95% interval covers zero hatched
    ("no clear difference")."""
    from sim.measure.analysis import BETTER

    fig, axes = plt.subplots(1, len(kpis), figsize=(4.3 * len(kpis), 4.2), squeeze=False, constrained_layout=True)
    fig.suptitle(f"{title}\nrefined − coarse, paired on seed; hatched: the 95% interval covers 0", fontsize=10)
    for ax, k in zip(axes[0], kpis):
        d = diffs[diffs["kpi"] == k]
        xs, ys = sorted(d[x].dropna().unique()), sorted(d[y].dropna().unique())
        grid = d.pivot_table(index=y, columns=x, values="difference").reindex(index=ys, columns=xs)
        low = d.pivot_table(index=y, columns=x, values="ci_low").reindex(index=ys, columns=xs)
        high = d.pivot_table(index=y, columns=x, values="ci_high").reindex(index=ys, columns=xs)
        values = grid.to_numpy(dtype=float)
        if not np.isfinite(values).any():
            _mark_if_empty(ax, [])
            continue
        reach = np.nanmax(np.abs(values)) or 1.0
        cmap = "BrBG" if BETTER.get(k, 1) > 0 else "BrBG_r"  # blue-green where refined does better
        mesh = ax.imshow(values, origin="lower", cmap=cmap, vmin=-reach, vmax=reach, aspect="auto")
        if min(values.shape) > 1 and np.nanmin(values) < 0 < np.nanmax(values):
            ax.contour(values, levels=[0.0], colors="k", linewidths=1.4)
        unclear = (low.to_numpy(dtype=float) <= 0) & (high.to_numpy(dtype=float) >= 0)
        digits = 1 if KPIS.get(k, ("", ""))[1].startswith("mean, hours") else 3
        for (i, j), v in np.ndenumerate(values):
            if unclear[i, j]:
                ax.add_patch(matplotlib.patches.Rectangle((j - 0.5, i - 0.5), 1, 1, fill=False, hatch="///", lw=0))
            if np.isfinite(v):
                ink = "white" if abs(v) > 0.6 * reach else "black"  # legible on the darkest cells
                ax.text(j, i, f"{v:+.{digits}f}".replace("-", "−"), ha="center", va="center", fontsize=7, color=ink)
        ax.set_xticks(range(len(xs)), [value_text(v) for v in xs])
        ax.set_yticks(range(len(ys)), [value_text(v) for v in ys])
        ax.set_xlabel(axis_label(x))
        ax.set_ylabel(axis_label(y))
        ax.set_title(_label(k), fontsize=9)
        fig.colorbar(mesh, ax=ax, shrink=0.8, label="refined − coarse")
    return save_figure(fig, path)


def plot_ablation(effects: pd.DataFrame, kpis, path: Path, title: str) -> list[Path]:
    """Each dial's effect, one sign convention (:data:`sim.measure.ablation.EFFECT`): in coarse,
    (coarse+dial) − coarse; in refined, refined − (refined−dial). Right of zero: the refined
    setting of the dial raises the KPI."""
    fig, axes = plt.subplots(
        1,
        len(kpis),
        figsize=(3.8 * len(kpis), 0.45 * effects["dial"].nunique() + 1.8),
        squeeze=False,
        constrained_layout=True,
    )
    fig.suptitle(title)
    dials = sorted(effects["dial"].unique())
    in_coarse, in_refined = DIRECTIONS.values()
    offsets = {in_coarse: -0.18, in_refined: 0.18}
    colours = {in_coarse: COLOURS["coarse"], in_refined: COLOURS["refined"]}
    for j, k in enumerate(kpis):
        ax = axes[0, j]
        for direction, g in effects[effects["kpi"] == k].groupby("direction"):
            ys = [dials.index(d) + offsets[direction] for d in g["dial"]]
            ax.errorbar(
                g["difference"],
                ys,
                xerr=[g["difference"] - g["ci_low"], g["ci_high"] - g["difference"]],
                fmt="o",
                capsize=3,
                color=colours[direction],
                label=direction,
            )
        ax.axvline(0, color="grey", lw=0.8, ls="--")
        _mark_if_empty(ax, effects.loc[effects["kpi"] == k, "difference"])
        ax.xaxis.set_major_locator(MaxNLocator(5))  # signed tick labels need room
        ax.set_yticks(range(len(dials)), dials if j == 0 else [""] * len(dials))
        ax.set_title(_label(k), fontsize=9)
        ax.set_xlabel(f"{EFFECT}\n(paired; 95% CI per comparison)", fontsize=8)
    handles, labels = axes[0, 0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncol=2, fontsize=8)  # clear of the points
    return save_figure(fig, path)


DECOMPOSITION_PARTS = ("access", "individualisation", "party", "full gap", "at equal access")
DECOMPOSITION_COLOURS = ("#8c8c8c", COLOURS["refined"], "#9467bd", "k", COLOURS["coarse"])


REPLAY_COLOURS = ("#8c6d31", "#8c8c8c", "#d62728", "#ff7f0e", COLOURS["refined"], "#9467bd")
"""The reform's parts (sim.measure.ablation.REFORM_PARTS), in order; the gain in black."""
REPLAY_XLABEL = "after − before, and its parts\n(Shapley; paired, 95% CI)"


def plot_decomposition(
    parts: pd.DataFrame,
    kpis,
    path: Path,
    title: str,
    order=DECOMPOSITION_PARTS,
    colours=DECOMPOSITION_COLOURS,
    xlabel="refined's bundles − status quo\n(Shapley; paired, 95% CI)",
    names=None,
) -> list[Path]:
    """Per KPI: the full gap between the type-based status quo and Jinshan's package, its
    Shapley split over access, individualisation and party mobilisation, and the gap at equal
    access, each with its 95% interval over seeds (or the parts named in ``order``: a replay's
    gain and its parts, ``names`` renaming parts on the axis). ``parts`` holds one setting of the
    other swept parameters (one row per KPI and part): a figure per setting."""
    kpis = [k for k in kpis if k in set(parts["kpi"])]
    fig, axes = plt.subplots(1, len(kpis), figsize=(3.8 * len(kpis), 3.2), squeeze=False, constrained_layout=True)
    fig.suptitle(title)
    for j, k in enumerate(kpis):
        ax = axes[0, j]
        rows = parts[parts["kpi"] == k].set_index("part").reindex(order)
        ys = np.arange(len(order))[::-1]
        for y, (_, r), colour in zip(ys, rows.iterrows(), colours):
            ax.errorbar(
                r["mean"],
                y,
                xerr=[[r["mean"] - r["ci_low"]], [r["ci_high"] - r["mean"]]],
                fmt="o",
                capsize=3,
                color=colour,
            )
        ax.axvline(0, color="grey", lw=0.8, ls="--")
        ax.axhline(ys[list(order).index("full gap")] + 0.5, color="grey", lw=0.5)
        _mark_if_empty(ax, rows["mean"])
        ax.xaxis.set_major_locator(MaxNLocator(5))
        ticks = [(names or {}).get(part, part) for part in order]
        ax.set_yticks(ys, ticks if j == 0 else [""] * len(ys))
        ax.set_title(_label(k), fontsize=9)
        ax.set_xlabel(xlabel, fontsize=8)
    return save_figure(fig, path)


# ---------------------------------------------------------------------------- headline figure

FAVOURS = {
    "refined": (COLOURS["refined"], "refined better (95% CI clear of 0, by a relevant size)"),
    "coarse": (COLOURS["coarse"], "coarse better (95% CI clear of 0, by a relevant size)"),
    "": ("#999999", "no clear or no relevant difference"),
}
FAMILIES = {
    # family: (axis label, factor applied to the differences)
    "share": ("refined − coarse, percentage points", 100.0),
    "score": ("refined − coarse, residents' attitude (0-1 scale)", 1.0),
    "hours": ("refined − coarse, hours", 1.0),
}


def _band(ax, x, table: pd.DataFrame, arm: str, label: str) -> None:
    colour = COLOURS.get(arm, "k")
    ax.plot(table[x], table["mean"], color=colour, lw=1.6, label=label)
    ax.fill_between(table[x], table["ci_low"], table["ci_high"], color=colour, alpha=0.22, lw=0)


CONDITIONAL = {"on_time_share": "known cases", "response_time_mean_h": "resolved needs"}
"""Process measures over a denominator the regime itself sets, named so in the figures."""
HIDDEN = 0.02
"""An interval narrower than this share of its axis is hidden by its marker (4.5 points wide)."""


def _forest_label(row, hidden: bool = False) -> str:
    if row.group:
        text = f"resolved within 7 days: {row.group}"
    else:
        text = KPIS.get(row.kpi, (row.kpi.replace("_", " "), ""))[0]
        notes = [f"conditional on {CONDITIONAL[row.kpi]}"] if row.kpi in CONDITIONAL else []
        notes += ["lower is better"] if row.better < 0 else []
        text += f" ({'; '.join(notes)})" if notes else ""
    return f"{text} †" if hidden else text


def _forest(ax, rows: pd.DataFrame, family: str) -> None:
    """One forest of a unit family: the difference and its 95 % CI per row, coloured by the
    side it favours; a dashed line at 0, and which side is better written under the axis."""
    xlabel, factor = FAMILIES[family]
    ys = list(range(len(rows)))[::-1]  # first row on top
    ends = [0.0]
    for y, row in zip(ys, rows.itertuples()):
        if pd.isna(row.difference):
            ax.text(0, y, " n/a", va="center", ha="left", fontsize=7, color="#666666")
            continue
        colour = FAVOURS[row.favours][0]
        d, lo, hi = (factor * v for v in (row.difference, row.ci_low, row.ci_high))
        err = None if pd.isna(lo) else [[d - lo], [hi - d]]
        ax.errorbar(d, y, xerr=err, fmt="o", ms=4.5, capsize=2.5, color=colour, lw=1.3)
        ends += [v for v in (d, lo, hi) if pd.notna(v)]
    ax.axvline(0, color="#555555", lw=0.9, ls="--")
    # The smallest relevant size of the family's KPIs, shaded around 0 and always in view: a
    # difference within it is read against it, not blown up to fill the axis.
    relevant = {factor * RELEVANT[k] for k in rows["kpi"] if k in RELEVANT}
    shaded = len(relevant) == 1
    if shaded:
        r = relevant.pop()
        ax.axvspan(-r, r, color="#f2f2f2", lw=0, zorder=0)
        ends += [-r, r]
    grouped = (rows["group"] != "").to_numpy()
    if grouped.any() and not grouped.all():  # overall rows above, rows by resident group below
        ax.axhline(ys[int(grouped.argmax())] + 0.5, color="#bbbbbb", lw=0.8)
    lo, hi = min(ends), max(ends)
    pad = 0.12 * (hi - lo) or 1.0
    ax.set_xlim(lo - pad, hi + pad)  # zero always in view
    ax.xaxis.set_major_locator(MaxNLocator(5))  # signed tick labels need room
    ax.set_ylim(-0.7, len(rows) - 0.3)
    span = hi - lo + 2 * pad
    hidden = [factor * (r.ci_high - r.ci_low) < HIDDEN * span for r in rows.itertuples()]  # NaN: not hidden
    ax.set_yticks(ys, [_forest_label(r, h) for r, h in zip(rows.itertuples(), hidden)], fontsize=7.5)
    ax.tick_params(axis="x", labelsize=7.5)
    ax.grid(axis="x", color="#eeeeee", lw=0.6)
    better = set(rows["better"])
    if better == {1}:
        side = "← coarse better   |   refined better →"
    elif better == {-1}:
        side = "← refined better   |   coarse better →"
    else:
        side = "← lower under refined   |   higher under refined →"
    note = "\n† the 95% interval is narrower than its marker" if any(hidden) else ""
    note += "\nshaded: smaller than the smallest relevant size" if shaded else ""
    ax.set_xlabel(f"{xlabel}\n{side}{note}", fontsize=8)


def plot_headline(
    curves: pd.DataFrame,
    series: pd.DataFrame,
    forest: pd.DataFrame,
    path: Path,
    title: str,
    warmup: int = 0,
    seeds: dict | None = None,
) -> list[Path]:
    """The headline figure of a regime comparison, from :func:`sim.measure.curves.curve_bands`,
    :func:`~sim.measure.curves.timeseries_bands` and :func:`~sim.measure.analysis.forest_rows`:

    1. cumulative incidence of resolution of all needs against days since they arose, per
       policy, mean with a 95 % band across seeds;
    2. backlog and mean satisfaction by day, the ``warmup`` days shaded;
    3. forests of the paired differences refined − coarse with 95 % CIs, one per unit family.

    ``seeds`` gives the number of runs per policy, for the legends."""
    fig = plt.figure(figsize=(18, 6.8), layout="constrained")
    fig.suptitle(title, fontsize=12.5)
    left, middle, right = fig.subfigures(1, 3, width_ratios=[1.0, 1.0, 1.25], wspace=0.03)
    seeds = seeds or {}

    def legend_label(arm):
        n = seeds.get(arm)
        return f"{arm} (mean of {n} seeds, 95% band)" if n else arm

    ax = left.subplots()
    for arm, g in curves.groupby("policy", sort=True):
        _band(ax, "day", g.sort_values("day"), arm, legend_label(arm))
    ax.set_xlim(0, 30)
    ax.set_ylim(0, 1)
    ax.yaxis.set_major_formatter(matplotlib.ticker.PercentFormatter(1.0))
    ax.set_xlabel("days since the need arose")
    ax.set_ylabel("share of all needs resolved (cumulative incidence)")
    ax.set_title("Resolution of all needs: residents' needs and component faults", fontsize=10)
    arisen = f"needs arising after the {warmup}-day warm-up" if warmup else "all needs of the run"
    ax.text(
        0.98,
        0.03,
        f"{arisen}; given up: a competing event;\nstill open at the end: censored",
        transform=ax.transAxes,
        ha="right",
        va="bottom",
        fontsize=7.5,
        color="#444444",
    )
    ax.grid(color="#eeeeee", lw=0.6)
    ax.legend(fontsize=8, loc="upper left")

    axes = middle.subplots(2, 1, sharex=True)
    for ax, measure in zip(axes, SERIES):
        part = series[series["measure"] == measure]
        for arm, g in part.groupby("policy", sort=True):
            _band(ax, "day", g.sort_values("day"), arm, legend_label(arm))
        if warmup:
            ax.axvspan(0, warmup, color="#d9d9d9", alpha=0.7, lw=0)
            ax.text(warmup / 2, 0.97, "warm-up", transform=ax.get_xaxis_transform(), ha="center", va="top", fontsize=8)
        ax.set_ylabel(SERIES[measure], fontsize=9)
        ax.grid(color="#eeeeee", lw=0.6)
    axes[0].set_title("Backlog and residents' attitude by day", fontsize=10)
    axes[-1].set_xlabel("day of the run")
    axes[-1].xaxis.set_major_locator(matplotlib.ticker.MaxNLocator(integer=True))
    axes[0].legend(fontsize=8, loc="best")

    families = [f for f in FAMILIES if (forest["family"] == f).any()]
    if families:
        sizes = [int((forest["family"] == f).sum()) + 1.6 for f in families]
        axes = right.subplots(len(families), 1, height_ratios=sizes, squeeze=False)[:, 0]
        for ax, family in zip(axes, families):
            _forest(ax, forest[forest["family"] == family], family)
        pairs = forest["pairs"].max()
        axes[0].set_title(f"Refined − coarse, paired on seed ({pairs:.0f} pairs), 95% CI", fontsize=10)
        handles = [
            matplotlib.lines.Line2D([], [], marker="o", ls="", color=c, label=text) for c, text in FAVOURS.values()
        ]
        right.legend(handles=handles, loc="outside lower center", ncol=3, fontsize=7.5, frameon=False)
    return save_figure(fig, path)
