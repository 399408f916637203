"""Figures of one run or one live model, in English or Chinese (labels from
:mod:`sim.present.terms`): its time series, the life of some needs, the map and the live charts.
They draw on the axes they are given (the browser view makes its own figures) or make a figure.
"""

from __future__ import annotations

import functools
import itertools
from typing import TYPE_CHECKING

import matplotlib
import matplotlib.lines
import matplotlib.patches
import matplotlib.text
import numpy as np
import pandas as pd
from matplotlib.ticker import MaxNLocator

from sim.present.plot_style import COLOURS, figure_style

if TYPE_CHECKING:  # the types of the axes and figures the plots draw on
    from matplotlib.axes import Axes

STATUS_COLOURS = ("#d9d9d9", "#d62728", "#ff7f0e", "#2ca02c")  # none, unknown, known, handling
PHASE_COLOURS = {"unknown": "#d62728", "routing": "#9467bd", "queue": "#ff7f0e", "handling": "#2ca02c"}
WITHIN_STYLES = {1: ":", 3: "--", 7: "-"}


def _subplots(*grid, figsize, **options):
    import matplotlib.pyplot as plt  # a figure of one's own: shown in a notebook

    return plt.subplots(*grid, figsize=figsize, layout="constrained", **options)


def _axes(ax, figsize):
    return (ax.figure, ax) if ax is not None else _subplots(figsize=figsize)


def _in_language(plot):
    """Draw in govsim's style, changing no global setting; Chinese labels (``lang="zh"``, the
    plot's second argument) take an installed Chinese font, those of axes made before the call
    (a title) too."""

    @functools.wraps(plot)
    def draw(*args, **kwargs):
        lang = kwargs.get("lang", args[1] if len(args) > 1 else "en")
        with figure_style(lang=lang if lang in ("en", "zh") else "en"):
            fig = plot(*args, **kwargs)
            if lang != "en":
                family = matplotlib.rcParams["font.family"]
                for text in fig.findobj(matplotlib.text.Text):
                    text.set_fontfamily(family)
        return fig

    return draw


@_in_language
def plot_map(state, lang: str = "en", colour_by: str = "status", ax: Axes | None = None):
    """The map of one model (:class:`sim.present.live.MapState`): communities (solid) and grid units
    (dashed), residents coloured by need status or satisfaction, grid workers (black
    triangles) where they last worked, open needs (rings, coloured by status)."""
    import matplotlib.colors as mcolors
    from matplotlib.patches import Rectangle

    from sim.present.live import STATUSES
    from sim.present.terms import term

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


@_in_language
def plot_live(
    history: pd.DataFrame, lang: str = "en", axes: np.ndarray | list[Axes] | None = None, limits: dict | None = None
):
    """The four live charts of one model's history (:meth:`sim.present.live.Pair.frames`): open needs
    (and the known ones), the share of open needs unknown to the state, cumulative resolution
    within 1, 3 and 7 days, and satisfaction by group. ``limits`` (panel -> (low, high)) puts
    two regimes' charts on the same scale."""
    from sim.present.terms import term

    limits = {**SHARE_LIMITS, **(limits or {})}
    if axes is None:
        fig, axes = _subplots(2, 2, figsize=(7, 4.6))
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


@_in_language
def plot_run(ts: pd.DataFrame, lang: str = "en", title: str = ""):
    """The time series of one run (``timeseries.parquet`` or ``Result.timeseries``): needs
    arising, resolved and given up per day (7-day means), open needs (all and known), and mean
    satisfaction; the warm-up (days marked ``warmup``) shaded and left of a dashed line."""
    from sim.present.terms import term

    fig, axes = _subplots(3, 1, figsize=(8, 6.5), sharex=True)
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


@_in_language
def plot_issue_timeline(
    issues: pd.DataFrame,
    lang: str = "en",
    n: int = 30,
    since_h: float = 0.0,
    horizon_h: float | None = None,
    ax: Axes | None = None,
):
    """The life of ``n`` needs that arose from ``since_h`` on, one bar each, from arising
    (hour 0): unknown to the state, passed between offices, waiting in a queue, being
    handled; a cross where the resident gave up, an arrow where the need is still open at
    ``horizon_h`` (default: the last event in ``issues``). Time is on a log-like axis (hours)."""
    from sim.present.terms import term

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
