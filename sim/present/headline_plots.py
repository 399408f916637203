"""The headline figure of a regime comparison and its panels: resolution of all needs over the
days after they arose, the backlog and the residents' attitude by day, and the forests of the
paired differences. Each panel takes ``ax=`` and returns it; :func:`plot_headline` takes
``fig=`` and returns it; nothing is saved or closed (as in :mod:`sim.present.comparison_plots`).
"""

from __future__ import annotations

import textwrap
from typing import TYPE_CHECKING

import matplotlib.lines
import matplotlib.ticker
import pandas as pd
from matplotlib.ticker import MaxNLocator

from sim.measure.analysis import KPIS, RELEVANT
from sim.measure.curves import SERIES
from sim.present.plot_style import COLOURS, LINESTYLES, axes_of, figure_of

if TYPE_CHECKING:  # the types of the axes and figures the plots draw on
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure, SubFigure

FAVOURS = {
    "refined": (COLOURS["refined"], "o", "refined better (95% CI clear of 0, by a relevant size)"),
    "coarse": (COLOURS["coarse"], "s", "coarse better (95% CI clear of 0, by a relevant size)"),
    "": ("#999999", "D", "no clear or no relevant difference"),
}
FAMILIES = {
    # family: (axis label, factor applied to the differences)
    "share": ("refined − coarse, percentage points", 100.0),
    "score": ("refined − coarse, residents' attitude (0-1 scale)", 1.0),
    "hours": ("refined − coarse, hours", 1.0),
}
CONDITIONAL = {"on_time_share": "known cases", "response_time_mean_h": "resolved needs"}
"""Process measures over a denominator the regime itself sets, named so in the figures."""
HIDDEN = 0.02
"""An interval narrower than this share of its axis is hidden by its marker (4.5 points wide)."""


def _band(ax, table: pd.DataFrame, arm: str, label: str) -> None:
    colour = COLOURS.get(arm, "k")
    ax.plot(table["day"], table["mean"], color=colour, ls=LINESTYLES.get(arm, "-"), lw=1.4, label=label)
    ax.fill_between(table["day"], table["ci_low"], table["ci_high"], color=colour, alpha=0.22, lw=0)


def _arm_label(arm: str, seeds: dict | None) -> str:
    n = (seeds or {}).get(arm)
    return f"{arm} (mean of {n} seeds, 95% band)" if n else arm


def plot_resolution(curves: pd.DataFrame, ax: Axes | None = None, warmup: int = 0, seeds: dict | None = None):
    """The share of all needs resolved by each day after they arose (cumulative incidence, giving
    up a competing event), per regime, mean with a 95% band across seeds.

    Args:
        curves: :func:`sim.measure.curves.curve_bands` of the runs' resolution curves.
        ax: The axes to draw on; a new figure's when ``None``.
        warmup: The warm-up in days (the needs counted arose after it), for the note.
        seeds: Runs per regime, for the legend.

    Returns:
        The axes.
    """
    ax = axes_of(ax, (3.4, 2.8))
    for arm, g in curves.groupby("policy", sort=True):
        _band(ax, g.sort_values("day"), arm, _arm_label(arm, seeds))
    ax.set_xlim(0, 30)
    ax.set_ylim(0, 1)
    ax.yaxis.set_major_formatter(matplotlib.ticker.PercentFormatter(1.0))
    ax.set_xlabel("days since the need arose")
    ax.set_ylabel("share of all needs resolved\n(cumulative incidence)")
    ax.set_title("Resolution of all needs")
    arisen = f"needs arising after the {warmup}-day warm-up" if warmup else "all needs of the run"
    note = f"{arisen};\ngiven up: a competing event;\nstill open at the end: censored"
    ax.text(0.98, 0.03, note, transform=ax.transAxes, ha="right", va="bottom", fontsize="x-small", color="#444444")
    ax.grid(color="#eeeeee", lw=0.6)
    ax.legend(fontsize="x-small", loc="upper left")
    return ax


def plot_daily(
    series: pd.DataFrame, measure: str = "backlog", ax: Axes | None = None, warmup: int = 0, seeds: dict | None = None
):
    """One daily measure per regime (the backlog, or the residents' mean attitude), mean with a
    95% band across seeds, the warm-up shaded.

    Args:
        series: :func:`sim.measure.curves.timeseries_bands` of the runs' daily series.
        measure: A key of :data:`sim.measure.curves.SERIES`.
        ax: The axes to draw on; a new figure's when ``None``.
        warmup: The warm-up in days, shaded.
        seeds: Runs per regime, for the legend.

    Returns:
        The axes.
    """
    ax = axes_of(ax, (3.4, 1.8))
    part = series[series["measure"] == measure]
    for arm, g in part.groupby("policy", sort=True):
        _band(ax, g.sort_values("day"), arm, _arm_label(arm, seeds))
    if warmup:
        ax.axvspan(0, warmup, color="#d9d9d9", alpha=0.7, lw=0)
        ax.text(warmup / 2, 0.97, "warm-up", transform=ax.get_xaxis_transform(), ha="center", va="top")
    ax.set_ylabel(SERIES.get(measure, measure))
    ax.set_xlabel("day of the run")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.grid(color="#eeeeee", lw=0.6)
    return ax


def _forest_label(row, hidden: bool = False) -> str:
    if row.group:
        text = f"resolved within 7 days: {row.group}"
    else:
        text = KPIS.get(row.kpi, (row.kpi.replace("_", " "), ""))[0]
        notes = [f"conditional on {CONDITIONAL[row.kpi]}"] if row.kpi in CONDITIONAL else []
        notes += ["lower is better"] if row.better < 0 else []
        text += f" ({'; '.join(notes)})" if notes else ""
    return f"{text} †" if hidden else text


def plot_forest(forest: pd.DataFrame, family: str = "share", ax: Axes | None = None):
    """The paired differences refined − coarse of one unit family with their 95% intervals, one
    row each, marked by the side they favour; a dashed line at 0, the smallest relevant size
    shaded around it, and which side is better written under the axis.

    Args:
        forest: :func:`sim.measure.analysis.forest_rows` of a table of runs.
        family: A key of :data:`FAMILIES` (``share``, ``score`` or ``hours``).
        ax: The axes to draw on; a new figure's when ``None``.

    Returns:
        The axes.
    """
    rows = forest[forest["family"] == family]
    ax = axes_of(ax, (6.0, 0.22 * len(rows) + 1.0))
    xlabel, factor = FAMILIES[family]
    ys = list(range(len(rows)))[::-1]  # first row on top
    ends = [0.0]
    for y, row in zip(ys, rows.itertuples()):
        if pd.isna(row.difference):
            ax.text(0, y, " n/a", va="center", ha="left", fontsize="x-small", color="#666666")
            continue
        colour, marker, _ = FAVOURS[row.favours]
        d, lo, hi = (factor * v for v in (row.difference, row.ci_low, row.ci_high))
        err = None if pd.isna(lo) else [[d - lo], [hi - d]]
        ax.errorbar(d, y, xerr=err, fmt=marker, ms=4, capsize=2, color=colour, lw=1.1)
        ends += [v for v in (d, lo, hi) if pd.notna(v)]
    ax.axvline(0, color="#555555", lw=0.9, ls="--")
    # The smallest relevant size of the family's KPIs, shaded around 0 and always in view: a
    # difference within it is read against it, not blown up to fill the axis.
    relevant = {factor * RELEVANT[k] for k in rows["kpi"] if k in RELEVANT}
    shaded = len(relevant) == 1
    if shaded:
        r = relevant.pop()
        ax.axvspan(-r, r, color="#ececec", lw=0, zorder=0)
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
    ax.set_yticks(ys, [_forest_label(r, h) for r, h in zip(rows.itertuples(), hidden)])
    ax.grid(axis="x", color="#eeeeee", lw=0.6)
    better = set(rows["better"])
    if better == {1}:
        side = "← coarse better   |   refined better →"
    elif better == {-1}:
        side = "← refined better   |   coarse better →"
    else:
        side = "← lower under refined   |   higher under refined →"
    note = "; † the 95% interval is narrower than its marker" if any(hidden) else ""
    note += "; shaded: smaller than the smallest relevant size" if shaded else ""
    ax.set_xlabel(f"{xlabel}    {side}\n{note.removeprefix('; ')}".strip())
    return ax


TOP_ROW, LEGEND = 2.8, 0.4
"""Heights in inches of the headline's top row (curves) and of its legend."""


def _forest_height(forest: pd.DataFrame, family: str) -> float:
    """Inches for a forest of a family: a row per difference and room for its axis's labels."""
    return 0.19 * int((forest["family"] == family).sum()) + 0.85


def headline_size(forest: pd.DataFrame, width: float = 7.2) -> tuple[float, float]:
    """The size in inches of :func:`plot_headline` at ``width`` (a page's width by default)."""
    families = [f for f in FAMILIES if (forest["family"] == f).any()]
    return width, TOP_ROW + sum(_forest_height(forest, f) for f in families) + LEGEND + 0.4


def plot_headline(
    curves: pd.DataFrame,
    series: pd.DataFrame,
    forest: pd.DataFrame,
    fig: Figure | SubFigure | None = None,
    title: str | None = None,
    warmup: int = 0,
    seeds: dict | None = None,
):
    """The headline figure of a regime comparison: resolution of all needs over the days after
    they arose (:func:`plot_resolution`) beside the backlog and the residents' attitude by day
    (:func:`plot_daily`) above, and the forests of the paired differences (:func:`plot_forest`)
    below. :func:`sim.present.comparison_report.headline_data` reads its tables from a sweep.

    Args:
        curves: :func:`sim.measure.curves.curve_bands` of the runs' resolution curves.
        series: :func:`sim.measure.curves.timeseries_bands` of their daily series.
        forest: :func:`sim.measure.analysis.forest_rows` of the table of runs.
        fig: A figure or subfigure to draw on; a new one when ``None``.
        title: The figure's title.
        warmup: The warm-up in days.
        seeds: Runs per regime, for the legends.

    Returns:
        The figure.
    """
    families = [f for f in FAMILIES if (forest["family"] == f).any()]
    sizes = [_forest_height(forest, f) for f in families]
    fig = figure_of(fig, headline_size(forest))
    top, bottom = fig.subfigures(2, 1, height_ratios=[TOP_ROW, sum(sizes) + LEGEND or 1.0], hspace=0.02)
    left, middle = top.subfigures(1, 2, width_ratios=[1.0, 1.0], wspace=0.02)
    plot_resolution(curves, left.subplots(), warmup, seeds)
    axes = middle.subplots(len(SERIES), 1, sharex=True)
    for ax, measure in zip(axes, SERIES):
        plot_daily(series, measure, ax, warmup, seeds)
    for ax in axes[:-1]:
        ax.set_xlabel("")
    axes[0].set_title("Backlog and residents' attitude by day")
    if families:
        axes = bottom.subplots(len(families), 1, height_ratios=sizes, squeeze=False)[:, 0]
        for ax, family in zip(axes, families):
            plot_forest(forest, family, ax)
        pairs = forest["pairs"].max()
        axes[0].set_title(f"Refined − coarse, paired on seed ({pairs:.0f} pairs), 95% CI")
        handles = [
            matplotlib.lines.Line2D([], [], marker=m, ls="", color=c, label=text) for c, m, text in FAVOURS.values()
        ]
        bottom.legend(handles=handles, loc="outside lower center", ncol=2, fontsize="x-small", frameon=False)
    if title:
        fig.suptitle("\n".join(textwrap.wrap(title, 100)))
    return fig
