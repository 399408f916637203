"""Figures from saved results. Reads tables produced by :mod:`sim.analysis`; never runs or
imports the model. Each figure has a top row of levels by policy (mean and 95 % CI across
seeds) and a bottom row of paired differences (refined - coarse) with their 95 % CI; the
headline figure of a regime comparison (:func:`plot_headline`) shows resolution over time,
backlog and satisfaction by day, and forests of the paired differences.
"""

from __future__ import annotations

import itertools
import os
import sys
import textwrap
from pathlib import Path

import matplotlib
import matplotlib.lines
import matplotlib.patches
import matplotlib.ticker

if not os.environ.get("MPLBACKEND") and "matplotlib.pyplot" not in sys.modules:
    matplotlib.use("Agg")  # files only; a notebook (which sets MPLBACKEND) keeps its own backend
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.ticker import MaxNLocator

from sim.analysis import DIRECTIONS, EFFECT, KPIS, SERIES

COLOURS = {"coarse": "#8c6d31", "refined": "#3465a4"}
DIFF_COLOUR = "#444444"


def _label(kpi: str) -> str:
    label, unit = KPIS.get(kpi, (kpi, ""))
    return f"{label}\n({unit})" if unit else label


def axis_label(param: str) -> str:
    """A swept key as an axis label with its unit, from the parameter declarations."""
    import dataclasses

    from sim.params import TABLE_ENTRIES, TABLE_SCALES, Policy, Scenario  # declarations only

    if param in TABLE_SCALES:  # a table's level: what it scales, in multiples of the default
        return f"{TABLE_SCALES[param].help.split(', times this')[0]} (× default)"
    if param in TABLE_ENTRIES:
        return f"{TABLE_ENTRIES[param].help} ({TABLE_ENTRIES[param].unit})"
    section, _, name = param.partition(".")
    schema = {"scenario": Scenario, "policy": Policy}.get(section)
    unit = ""
    if schema is not None:
        fields = {f.name: f for f in dataclasses.fields(schema)}
        if name in fields:
            unit = fields[name].metadata.get("unit", "")
    label = (name or param).replace("_", " ")
    return f"{label} ({unit})" if unit and unit != "-" else label


def same_value(column: pd.Series, value) -> pd.Series:
    """``column == value``, where a missing value (the default) matches a missing value."""
    return column.isna() if pd.isna(value) else column == value


def value_text(v) -> str:
    if isinstance(v, float):
        return "default" if v != v else f"{v:g}"
    return str(v)


def _finish(fig, path: Path) -> list[Path]:
    path.parent.mkdir(parents=True, exist_ok=True)
    out = []
    for ext in ("png", "pdf"):
        p = path.with_name(f"{path.name}.{ext}")  # names may hold dots (figure_scenario.x=1)
        fig.savefig(p, dpi=150, bbox_inches="tight")
        out.append(p)
    plt.close(fig)
    return out


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
    return _finish(fig, path)


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
    return _finish(fig, path)


def plot_phase(diffs: pd.DataFrame, x: str, y: str, kpis, path: Path, title: str) -> list[Path]:
    """Phase diagrams of refined − coarse over two numeric sweep axes, one panel per KPI: each
    cell's paired difference (blue where refined does better, brown where coarse does), the zero
    contour interpolated between cell centres, and cells whose 95% interval covers zero hatched
    ("no clear difference")."""
    from sim.analysis import BETTER

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
    return _finish(fig, path)


def plot_ablation(effects: pd.DataFrame, kpis, path: Path, title: str) -> list[Path]:
    """Each dial's effect, one sign convention (:data:`sim.analysis.EFFECT`): in coarse,
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
    return _finish(fig, path)


DECOMPOSITION_PARTS = ("access", "individualisation", "party", "full gap", "at equal access")
DECOMPOSITION_COLOURS = ("#8c8c8c", COLOURS["refined"], "#9467bd", "k", COLOURS["coarse"])


def plot_decomposition(parts: pd.DataFrame, kpis, path: Path, title: str) -> list[Path]:
    """Per KPI: the full gap between the type-based status quo and Jinshan's package, its
    Shapley split over access, individualisation and party mobilisation, and the gap at equal
    access, each with its 95% interval over seeds."""
    kpis = [k for k in kpis if k in set(parts["kpi"])]
    fig, axes = plt.subplots(1, len(kpis), figsize=(3.8 * len(kpis), 3.2), squeeze=False, constrained_layout=True)
    fig.suptitle(title)
    for j, k in enumerate(kpis):
        ax = axes[0, j]
        rows = parts[parts["kpi"] == k].set_index("part").reindex(DECOMPOSITION_PARTS)
        ys = np.arange(len(DECOMPOSITION_PARTS))[::-1]
        for y, (_, r), colour in zip(ys, rows.iterrows(), DECOMPOSITION_COLOURS):
            ax.errorbar(
                r["mean"],
                y,
                xerr=[[r["mean"] - r["ci_low"]], [r["ci_high"] - r["mean"]]],
                fmt="o",
                capsize=3,
                color=colour,
            )
        ax.axvline(0, color="grey", lw=0.8, ls="--")
        ax.axhline(1.5, color="grey", lw=0.5)
        _mark_if_empty(ax, rows["mean"])
        ax.xaxis.set_major_locator(MaxNLocator(5))
        ax.set_yticks(ys, DECOMPOSITION_PARTS if j == 0 else [""] * len(ys))
        ax.set_title(_label(k), fontsize=9)
        ax.set_xlabel("refined's bundles − status quo\n(Shapley; paired, 95% CI)", fontsize=8)
    return _finish(fig, path)


# ---------------------------------------------------------------------------- headline figure

FAVOURS = {
    "refined": (COLOURS["refined"], "refined better (95% CI clear of 0, by a relevant size)"),
    "coarse": (COLOURS["coarse"], "coarse better (95% CI clear of 0, by a relevant size)"),
    "": ("#999999", "no clear or no relevant difference"),
}
FAMILIES = {
    # family: (axis label, factor applied to the differences)
    "share": ("refined − coarse, percentage points", 100.0),
    "score": ("refined − coarse, satisfaction (0-1 scale)", 1.0),
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
    """The headline figure of a regime comparison, from :func:`sim.analysis.curve_bands`,
    :func:`~sim.analysis.timeseries_bands` and :func:`~sim.analysis.forest_rows`:

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
    axes[0].set_title("Backlog and satisfaction by day", fontsize=10)
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
    return _finish(fig, path)


# ------------------------------------------------------------------ a single run
# Figures of one run or one live model, in English or Chinese (labels from sim.terms). They
# draw on the axes they are given (the browser view makes its own figures) or make a figure.

CJK_FONTS = [
    "WenQuanYi Micro Hei",
    "Noto Sans CJK SC",
    "Source Han Sans SC",
    "Microsoft YaHei",
    "PingFang SC",
    "SimHei",
]
"""Fonts tried, after matplotlib's default, for Chinese characters (the first one installed
draws them; Debian: fonts-wqy-microhei)."""
CJK_FILES = ("wqy", "notosanscjk", "sourcehansans", "msyh", "pingfang", "simhei")
"""File names of those fonts, looked for when matplotlib's cached font list has none of them."""

STATUS_COLOURS = ("#d9d9d9", "#d62728", "#ff7f0e", "#2ca02c")  # none, unknown, known, handling
PHASE_COLOURS = {"unknown": "#d62728", "routing": "#9467bd", "queue": "#ff7f0e", "handling": "#2ca02c"}
WITHIN_STYLES = {1: ":", 3: "--", 7: "-"}


def use_chinese_fonts() -> None:
    """Let matplotlib fall back to an installed Chinese font for characters its default font
    lacks (a figure in English looks as before)."""
    from matplotlib import font_manager

    installed = {f.name for f in font_manager.fontManager.ttflist}
    if not any(f in installed for f in CJK_FONTS):  # installed after matplotlib cached its font list?
        for path in font_manager.findSystemFonts():
            if any(stem in Path(path).name.lower() for stem in CJK_FILES):
                font_manager.fontManager.addfont(path)
        installed = {f.name for f in font_manager.fontManager.ttflist}
    extra = [f for f in CJK_FONTS if f in installed]
    if extra:
        plt.rcParams["font.family"] = [plt.rcParams["font.sans-serif"][0], *extra]


use_chinese_fonts()


def _axes(ax, figsize):
    if ax is not None:
        return ax.figure, ax
    fig, ax = plt.subplots(figsize=figsize, constrained_layout=True)
    return fig, ax


def plot_map(state, lang: str = "en", colour_by: str = "status", ax=None):
    """The map of one model (:class:`sim.live.MapState`): communities (solid) and grid units
    (dashed), residents coloured by need status or satisfaction, grid workers (black
    triangles) where they last worked, open needs (rings, coloured by status)."""
    import matplotlib.colors as mcolors
    from matplotlib.patches import Rectangle

    from sim.live import STATUSES
    from sim.terms import term

    fig, ax = _axes(ax, (5, 3.2))
    for x, y, w, h in state.units:
        ax.add_patch(Rectangle((x, y), w, h, fill=False, ls="--", lw=0.7, ec="#888888"))
    for x, y in state.communities:
        ax.add_patch(Rectangle((x, y), state.side_km, state.side_km, fill=False, lw=1.4, ec="#333333"))
    res = state.residents
    if colour_by == "status":
        cmap = mcolors.ListedColormap(STATUS_COLOURS)
        order = res.sort_values("status")  # residents with an open need drawn on top
        ax.scatter(order["x"], order["y"], c=order["status"], cmap=cmap, vmin=-0.5, vmax=3.5, s=4, lw=0)
        handles = [
            matplotlib.lines.Line2D([], [], marker="o", ls="", color=c, label=term(f"status.{s}", lang))
            for s, c in zip(STATUSES, STATUS_COLOURS)
        ]
    else:
        points = ax.scatter(res["x"], res["y"], c=res["satisfaction"], cmap="RdYlGn", vmin=0.3, vmax=0.9, s=4, lw=0)
        fig.colorbar(points, ax=ax, label=term("satisfaction", lang), shrink=0.8)
        handles = []
    issues = state.issues
    if len(issues):
        colours = [STATUS_COLOURS[c] for c in issues["code"]]
        ax.scatter(issues["x"], issues["y"], s=60, facecolors="none", edgecolors=colours, lw=1.5)
    ax.scatter(state.workers[:, 0], state.workers[:, 1], marker="^", s=40, c="black", zorder=3)
    handles += [
        matplotlib.lines.Line2D([], [], marker="^", ls="", color="black", label=term("grid_worker", lang)),
        matplotlib.lines.Line2D([], [], marker="o", ls="", mfc="none", mec="#555555", label=term("open_issue", lang)),
        matplotlib.lines.Line2D([], [], ls="--", color="#888888", label=term("grid_unit", lang)),
    ]
    x0, x1, y0, y1 = state.extent
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_aspect("equal")
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_title(f"{term('map', lang)} · {term('day_n', lang, n=state.day)}", fontsize=9)
    ax.legend(handles=handles, fontsize=6.5, loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
    return fig


LIVE_PANELS = ("backlog", "share_unknown", "resolved_within", "satisfaction_by_category")
SHARE_LIMITS = {"share_unknown": (-0.02, 1.02), "resolved_within": (-0.02, 1.02)}  # panels drawn 0-1


def plot_live(history: pd.DataFrame, lang: str = "en", axes=None, limits: dict | None = None):
    """The four live charts of one model's history (:meth:`sim.live.Pair.frames`): open needs
    (and the known ones), the share of open needs unknown to the state, cumulative resolution
    within 1, 3 and 7 days, and satisfaction by group. ``limits`` (panel -> (low, high)) puts
    two regimes' charts on the same scale."""
    from sim.terms import term

    limits = {**SHARE_LIMITS, **(limits or {})}
    if axes is None:
        fig, axes = plt.subplots(2, 2, figsize=(7, 4.6), constrained_layout=True)
    axes = list(getattr(axes, "flat", axes))
    fig = axes[0].figure
    day = history["day"] if len(history) else pd.Series(dtype=float)
    a = axes[0]
    if len(history):
        a.plot(day, history["backlog"], color="#444444", label=term("backlog", lang))
        a.plot(day, history["known_backlog"], color=STATUS_COLOURS[2], label=term("known_backlog", lang))
        axes[1].plot(day, history["share_unknown"], color=STATUS_COLOURS[1])
        for d, style in WITHIN_STYLES.items():
            axes[2].plot(
                day, history[f"resolved_within_{d}d"], ls=style, color="#2ca02c", label=term(f"within_{d}d", lang)
            )
        for col in [c for c in history if c.startswith("satisfaction.")]:
            name = col.split(".", 1)[1]
            axes[3].plot(day, history[col], label=term(name, lang))
    if a.lines:  # above the curves: the panel keeps its top part for the legend (live_limits)
        a.legend(fontsize=6, loc="upper left", handlelength=1.2, borderpad=0.3, labelspacing=0.2)
    for ax, size, ncol in ((axes[2], 6.5, 1), (axes[3], 6, 2)):
        if ax.lines:
            ax.legend(fontsize=size, ncol=ncol)
    last = float(day.max()) if len(history) else 0.0
    for ax, panel in zip(axes, LIVE_PANELS):
        ax.set_title(term(panel, lang), fontsize=8.5)
        ax.set_xlabel(term("day", lang), fontsize=7.5)
        ax.tick_params(labelsize=7)
        ax.xaxis.set_major_locator(MaxNLocator(4, integer=True))
        ax.yaxis.set_major_locator(MaxNLocator(4))  # few ticks: the view redraws these every day
        ax.set_xlim(0, max(7.0, last))
        if panel in limits:
            ax.set_ylim(*limits[panel])
    return fig


def live_limits(histories) -> dict:
    """Common y ranges for the live charts of several histories (so two regimes compare)."""
    frames = [h for h in histories if len(h)]
    if not frames:
        return {}
    both = pd.concat(frames)
    sat = both[[c for c in both if c.startswith("satisfaction.")]]
    low, high = float(sat.min().min()), float(sat.max().max())
    pad = max(0.01, (high - low) * 0.1)
    return {
        **SHARE_LIMITS,
        "backlog": (0, max(1.0, float(both["backlog"].max()) * 1.7)),  # the top part for the legend
        "satisfaction_by_category": (low - pad, high + pad),
    }


def plot_run(ts: pd.DataFrame, lang: str = "en", title: str = ""):
    """The time series of one run (``timeseries.parquet`` or ``Result.timeseries``): needs
    arising, resolved and given up per day (7-day means), open needs (all and known), and mean
    satisfaction; the warm-up (days marked ``warmup``) shaded and left of a dashed line."""
    from sim.terms import term

    fig, axes = plt.subplots(3, 1, figsize=(8, 6.5), sharex=True, constrained_layout=True)
    day = ts["day"]
    for col, colour in (("created", "#444444"), ("resolved", "#2ca02c"), ("abandoned", "#d62728")):
        axes[0].plot(day, ts[col].rolling(7, min_periods=1).mean(), color=colour, label=term(col, lang))
    axes[0].set_ylabel(f"{term('needs', lang)} {term('per_day', lang)}", fontsize=8)
    axes[0].legend(fontsize=7)
    axes[1].plot(day, ts["backlog"], color="#444444", label=term("backlog", lang))
    axes[1].plot(day, ts["known_backlog"], color=STATUS_COLOURS[2], label=term("known_backlog", lang))
    axes[1].legend(fontsize=7)
    axes[2].plot(day, ts["satisfaction_mean"], color=COLOURS["refined"])
    axes[2].set_ylabel(term("satisfaction_mean", lang), fontsize=8)
    axes[2].set_xlabel(term("day", lang))
    warm = int(ts["warmup"].sum()) if "warmup" in ts else 0
    for ax in axes:
        if warm:
            ax.axvspan(day.min(), warm, color="#eeeeee", zorder=0)
            ax.axvline(warm, color="#888888", ls="--", lw=0.8)
    if warm:
        axes[2].text(
            warm / 2,
            0.04,
            term("warmup", lang),
            transform=axes[2].get_xaxis_transform(),
            ha="center",
            va="bottom",
            fontsize=7,
            color="#666666",
        )
    if title:
        fig.suptitle(title)
    return fig


def plot_issue_timeline(
    issues: pd.DataFrame, lang: str = "en", n: int = 30, since_h: float = 0.0, horizon_h: float | None = None, ax=None
):
    """The life of ``n`` needs that arose from ``since_h`` on, one bar each, from arising
    (hour 0): unknown to the state, passed between offices, waiting in a queue, being
    handled; a cross where the resident gave up, an arrow where the need is still open at
    ``horizon_h`` (default: the last event in ``issues``). Time is on a log-like axis (hours)."""
    from sim.terms import term

    events = ["created_h", "reported_h", "dispatched_h", "started_h", "resolved_h", "abandoned_h"]
    horizon_h = float(np.nanmax(issues[events].to_numpy(float))) if horizon_h is None else horizon_h
    rows = issues[issues["created_h"] >= since_h].head(n).reset_index(drop=True)
    fig, ax = _axes(ax, (8, 0.22 * max(len(rows), 5) + 1.2))
    marks = ("created_h", "reported_h", "dispatched_h", "started_h", "resolved_h")
    for y, r in rows.iterrows():
        t = [r[m] - r["created_h"] for m in marks]
        gave_up = pd.notna(r["abandoned_h"])
        still_open = not gave_up and pd.isna(r["resolved_h"])
        end = r["abandoned_h"] - r["created_h"] if gave_up else horizon_h - r["created_h"] if still_open else None
        for (a, b), phase in zip(itertools.pairwise(t), PHASE_COLOURS):
            stop = b if pd.notna(b) else end
            if pd.isna(a) or stop is None:
                break
            ax.barh(y, stop - a, left=a, height=0.6, color=PHASE_COLOURS[phase], lw=0)
        if end is not None:
            ax.plot(end, y, "x" if gave_up else ">", color="black", ms=5)
    ax.set_xscale("symlog", linthresh=1.0)
    names = [f"{term(r.service_type, lang)} · {term(r.category, lang)}" for r in rows.itertuples()]
    ax.set_yticks(range(len(rows)), names, fontsize=6.5)
    ax.invert_yaxis()
    ax.set_xlabel(term("timeline_x", lang))
    ax.set_title(term("timeline_title", lang), fontsize=10)
    handles = [matplotlib.patches.Patch(color=c, label=term(f"phase.{p}", lang)) for p, c in PHASE_COLOURS.items()]
    for marker, key in (("x", "event.abandoned"), (">", "event.open")):
        handles.append(matplotlib.lines.Line2D([], [], marker=marker, ls="", color="black", label=term(key, lang)))
    ax.legend(handles=handles, fontsize=7, loc="lower right")
    return fig


# ---------------------------------------------------------------------------- designed experiments

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
    return _finish(fig, path)


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
    return _finish(fig, path)


def plot_boxes(x: pd.DataFrame, table: pd.DataFrame, boxes: dict, base: dict, path: Path, title: str) -> list[Path]:
    """For each target of scenario discovery (refined worse, or least ahead, on timeliness and
    on satisfaction): the design's rows over the two factors that PRIM's first box restricts
    most (rows of interest in red, the box shaded), and each box's limits as a share of every
    restricted factor's sampled range, with its coverage and density."""
    from sim.discovery import TARGETS, cases

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
    return _finish(fig, path)


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
    from sim.sensitivity import DIFFERENCE

    diff = table[(DIFFERENCE, kpi)].dropna()
    ax.hist(diff, bins=30, color=DIFF_COLOUR, alpha=0.7)
    ax.axvline(0, color="#d62728", lw=1.2)
    ax.set_xlabel(f"refined − coarse: {KPIS.get(kpi, (kpi,))[0]}", fontsize=8)
    ax.set_ylabel("rows", fontsize=8)
    lo, hi = ax.get_xlim()
    ax.set_xlim(min(lo, -0.05 * (hi - lo)), hi)


def _box_limits(ax, found: list[dict], count: int) -> None:
    """Each box's restricted factors as bars over [0, 1] = the factor's sampled range."""
    from sim.discovery import SIGNIFICANT

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
