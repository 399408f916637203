"""Figures an author composes: every comparison plot draws on the axes or figure it is given and
returns it, saving and closing nothing; the style is applied in a context, never on import;
PDFs embed TrueType fonts; the regimes stay apart in grayscale."""

from __future__ import annotations

import itertools
import os
import subprocess
import sys
import warnings
from pathlib import Path

import matplotlib
import matplotlib.colors
import matplotlib.figure
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from sim.model.params import ConfigError
from sim.present import comparison_plots, headline_plots, plot_style

KPI = "resolved_within_7d"


def _runs(axes: dict | None = None, seeds: int = 4) -> pd.DataFrame:
    """A table of runs as a sweep writes it: both regimes on each seed (same needs), a KPI that
    refined raises by 0.05 and that grows with staff, over the settings of ``axes``."""
    rng = np.random.default_rng(1)
    axes = axes or {}
    settings = [dict(zip(axes, values)) for values in itertools.product(*axes.values())]
    rows = []
    for setting in settings:
        for seed in range(seeds):
            base = 0.7 + 0.001 * setting.get("scenario.workers_per_10k", 0) + rng.normal(0, 0.01)
            for policy, gain in (("coarse", 0.0), ("refined", 0.05)):
                value = base + gain + rng.normal(0, 0.003)
                rows.append(
                    {**setting, "policy": policy, "seed": seed, "status": "ok", "needs_fingerprint": f"n{seed}"}
                    | {KPI: value, "needs_met_share": value - 0.1}
                )
    return pd.DataFrame(rows)


def test_importing_govsim_changes_no_matplotlib_setting():
    code = (
        "import matplotlib as m; before = dict(m.rcParams); backend = m.get_backend();"
        "import sim, sim.cli, sim.lab, sim.present.report, sim.present.comparison_plots, sim.present.design_plots,"
        " sim.present.run_plots, sim.present.lab_report, sim.present.headline_plots;"
        "changed = {k for k in before if before[k] != m.rcParams[k]};"
        "assert not changed, changed; assert m.get_backend() == backend, m.get_backend(); print('same')"
    )
    env = {k: v for k, v in os.environ.items() if k != "MPLBACKEND"}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120)
    assert out.returncode == 0 and "same" in out.stdout, out.stderr[-2000:]


def test_each_panel_draws_on_the_axes_it_is_given_and_closes_nothing():
    one = _runs()
    over = _runs({"scenario.workers_per_10k": [10.0, 20.0, 30.0]})
    grid = _runs({"scenario.workers_per_10k": [10.0, 20.0], "scenario.demand_scale": [1.0, 2.0]})
    open_before = plt.get_fignums()
    fig = matplotlib.figure.Figure(figsize=(7.2, 4.0), layout="constrained")
    axes = fig.subplots(2, 3).flat
    drawn = [
        comparison_plots.plot_levels(one, KPI, ax=next(axes)),
        comparison_plots.plot_difference(one, KPI, ax=next(axes)),
        comparison_plots.plot_levels_over(over, "scenario.workers_per_10k", KPI, ax=next(axes)),
        comparison_plots.plot_difference_over(over, "scenario.workers_per_10k", KPI, ax=next(axes)),
        comparison_plots.plot_phase(grid, "scenario.workers_per_10k", "scenario.demand_scale", KPI, ax=next(axes)),
    ]
    assert all(ax.figure is fig for ax in drawn), "each returns the axes it was given"
    assert all(ax.lines or ax.collections or ax.images for ax in drawn), "each drew something"
    assert plt.get_fignums() == open_before, "no pyplot figure was made or closed"
    fig.savefig(os.devnull, format="png")  # still open and drawable: nothing closed it


def test_the_gap_over_staff_is_drawn_as_the_data_say():
    over = _runs({"scenario.workers_per_10k": [10.0, 20.0, 30.0]})
    ax = comparison_plots.plot_difference_over(
        over, "scenario.workers_per_10k", KPI, ax=matplotlib.figure.Figure().subplots()
    )
    x, y = ax.lines[0].get_data()
    assert list(x) == [10.0, 20.0, 30.0]
    assert np.allclose(y, 0.05, atol=0.005), "refined's gain of 0.05, within the noise of 4 seeds (sd 0.004)"


def test_figures_of_several_panels_draw_into_a_users_subfigure():
    over = _runs({"scenario.workers_per_10k": [10.0, 20.0]})
    fig = matplotlib.figure.Figure(figsize=(7.2, 6.0), layout="constrained")
    top, bottom = fig.subfigures(2, 1)
    assert comparison_plots.plot_over(over, "scenario.workers_per_10k", [KPI], fig=top) is top
    assert comparison_plots.plot_policies(_runs(), [KPI, "needs_met_share"], fig=bottom) is bottom
    assert len(top.axes) == 2 and len(bottom.axes) == 4, "levels above differences, a column per KPI"


def test_a_plot_of_one_setting_refuses_runs_of_several():
    over = _runs({"scenario.workers_per_10k": [10.0, 20.0]})
    with pytest.raises(ConfigError, match=r"scenario\.workers_per_10k.*plot_over"):
        comparison_plots.plot_difference(over, KPI, ax=matplotlib.figure.Figure().subplots())


def test_a_plot_given_a_path_says_how_to_load_the_table():
    with pytest.raises(ConfigError, match=r"is a path, not a table: load the table with sim\.study\.sweep\.read_runs"):
        comparison_plots.plot_difference("results/sweeps/x", ax=matplotlib.figure.Figure().subplots())


def test_a_plot_names_an_unknown_kpi_instead_of_failing_in_pandas():
    with pytest.raises(ConfigError, match=r"unknown KPI 'needs_met' \(closest: needs_met_share"):
        comparison_plots.plot_difference(_runs(), "needs_met", ax=matplotlib.figure.Figure().subplots())


def test_the_headline_draws_into_a_given_figure():
    days = np.arange(31.0)
    curves = pd.concat(
        pd.DataFrame({"policy": p, "day": days, "mean": 1 - np.exp(-days / s), "ci_low": 0.0, "ci_high": 1.0})
        for p, s in (("coarse", 4.0), ("refined", 3.0))
    )
    series = pd.concat(
        pd.DataFrame({"policy": p, "measure": m, "day": days, "mean": 1.0, "ci_low": 0.9, "ci_high": 1.1})
        for p in ("coarse", "refined")
        for m in headline_plots.SERIES
    )
    from sim.measure import analysis

    forest = analysis.forest_rows(_runs(), [KPI, "needs_met_share"])
    fig = plot_style.new_figure(headline_plots.headline_size(forest))
    assert headline_plots.plot_headline(curves, series, forest, fig=fig, title="t", warmup=5) is fig
    assert len(fig.axes) >= 4, "resolution, two daily panels and a forest"


def test_pdfs_embed_truetype_fonts_and_the_style_leaves_no_trace(tmp_path):
    before = dict(matplotlib.rcParams)
    written: list = []
    with plot_style.drawing(tmp_path / "gap", plot_style.figure_size("single"), written, width="single") as fig:
        comparison_plots.plot_difference(_runs(), KPI, ax=fig.subplots())
    assert [p.name for p in written] == ["gap.png", "gap.pdf"]
    pdf = (tmp_path / "gap.pdf").read_bytes()
    assert b"/Type3" not in pdf and (b"/TrueType" in pdf or b"/CIDFontType2" in pdf), "Type 42 (TrueType) fonts"
    assert dict(matplotlib.rcParams) == before, "the style is undone on leaving the context"


def _grey(colour) -> float:
    r, g, b = matplotlib.colors.to_rgb(colour)
    return 255 * (0.299 * r + 0.587 * g + 0.114 * b)  # what a grayscale print keeps (ITU-R BT.601)


def test_the_regimes_stay_apart_in_grayscale():
    # 60 of 255 grey levels: told apart at a glance on paper (the old palette's were 17 apart).
    assert abs(_grey(plot_style.COLOURS["coarse"]) - _grey(plot_style.COLOURS["refined"])) > 60
    assert plot_style.LINESTYLES["coarse"] != plot_style.LINESTYLES["refined"]
    assert plot_style.MARKERS["coarse"] != plot_style.MARKERS["refined"]
    ends = plot_style.PHASE_CMAP(0.0), plot_style.PHASE_CMAP(1.0)
    assert abs(_grey(ends[0]) - _grey(ends[1])) > 60, "the gap's sign survives grayscale"


def test_journal_sizes_and_bad_style_arguments():
    assert plot_style.figure_size("single")[0] == pytest.approx(3.5)
    assert plot_style.figure_size("double")[0] == pytest.approx(7.2)
    with plot_style.figure_style("double"):
        assert matplotlib.rcParams["font.size"] <= 8 and matplotlib.rcParams["pdf.fonttype"] == 42
    with pytest.raises(ValueError, match=r"\['double', 'single'\]"):
        plot_style.figure_style("a4")
    with pytest.raises(ValueError, match="'en' or 'zh'"):
        plot_style.figure_style(None, "fr")


@pytest.mark.skipif(not plot_style.chinese_fonts(), reason="no Chinese font installed (fonts-wqy-microhei)")
def test_chinese_labels_draw_in_a_chinese_font_when_asked():
    fig = plot_style.new_figure((3.5, 2.5))
    with plot_style.figure_style("single", "zh"):
        ax = fig.subplots()
        ax.set_title("满意率 −0.05")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # "Glyph ... missing from font(s)" fails the test
        fig.savefig(os.devnull, format="png")


def test_a_figure_in_chinese_without_a_chinese_font_says_how_to_install_one(monkeypatch):
    monkeypatch.setattr(plot_style, "chinese_fonts", lambda: [])
    plot_style._warn_no_chinese_font.cache_clear()  # said once per process
    with pytest.warns(UserWarning, match="sudo apt-get install fonts-wqy-microhei"):
        plot_style.style_rc("single", "zh")
    plot_style._warn_no_chinese_font.cache_clear()


def test_a_screenings_figure_is_drawn_again_from_its_published_table(tmp_path, monkeypatch):
    from experiments import publish

    root = Path(__file__).resolve().parents[1] / "results" / "figures"
    for suffix in ("csv", "md"):
        name = f"sensitivity_sobol_sobol.{suffix}"
        (tmp_path / name).write_bytes((root / name).read_bytes())
    monkeypatch.setattr(publish, "FIGURES", tmp_path)
    written = publish.redraw_design("sensitivity_sobol")
    assert written == tmp_path / "sensitivity_sobol.png" and written.stat().st_size > 10_000
    assert not list(tmp_path.glob("*.partial.png")), "written under another name, then renamed into place"
