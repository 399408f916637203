"""The figures' shared style: the regimes' colours and line styles, a journal style applied in a
context, fonts for Chinese, axis labels of swept parameters, new figures and saving them.

Importing govsim changes no global matplotlib setting. A style is applied with
:func:`figure_style`, which is a :func:`matplotlib.rc_context`::

    with figure_style("single"):
        fig, ax = plt.subplots(figsize=figure_size("single"))
        comparison_plots.plot_difference(runs, "resolved_within_7d", ax=ax)
        fig.savefig("gap.pdf")  # TrueType (Type 42) fonts

Files are drawn on figures made by :func:`new_figure`, which are not registered with pyplot:
they need no backend and no display, and a report never closes a user's figures.
"""

from __future__ import annotations

import contextlib
import functools
import warnings
from pathlib import Path

import matplotlib
import matplotlib.colors
import matplotlib.figure
import pandas as pd
from cycler import cycler

COLOURS = {"coarse": "#e69f00", "refined": "#1b4f8a"}
"""Orange and dark blue: told apart by hue and, in grayscale, by lightness (grey 162 and 70)."""
LINESTYLES = {"coarse": "--", "refined": "-"}
MARKERS = {"coarse": "s", "refined": "o"}
"""Each regime also has its own line style and marker, so that no figure depends on colour alone."""
DIFF_COLOUR = "#333333"
PHASE_CMAP = matplotlib.colors.LinearSegmentedColormap.from_list(
    "govsim_gap", ["#c97a00", "#f2c46d", "#f7f7f7", "#7fa3d1", "#0d2f5e"]
)
"""refined − coarse: orange where coarse does better, blue where refined does. The two ends differ
in lightness too (grey about 130 and 40), so the sign survives printing in grayscale; the
cells' signed numbers say it as well."""

CYCLE = cycler(color=[COLOURS["refined"], COLOURS["coarse"], DIFF_COLOUR, "#8c8c8c"] * 2) + cycler(
    linestyle=["-", "--", ":", "-.", ":", "-.", "-", "--"]
)
"""Lines of several series (groups of residents, say): eight pairs of colour and line style, no
two alike, told apart in grayscale by the line style."""

WIDTHS = {"single": 3.5, "double": 7.2}
"""Column widths of journals, in inches (89 mm and 183 mm)."""
FONT_SIZES = {
    "font.size": 8,
    "axes.titlesize": 8,
    "axes.labelsize": 8,
    "xtick.labelsize": 7,
    "ytick.labelsize": 7,
    "legend.fontsize": 7,
    "figure.titlesize": 9,
}
"""Readable at print size: 7-8 pt on a page."""

CJK_FONTS = [
    "WenQuanYi Micro Hei",
    "Noto Sans CJK SC",
    "Source Han Sans SC",
    "Microsoft YaHei",
    "PingFang SC",
    "SimHei",
]
"""Fonts tried, after matplotlib's default, for Chinese characters (the first one installed
draws them; Debian and Ubuntu: ``sudo apt-get install fonts-wqy-microhei``)."""
CJK_FILES = ("wqy", "notosanscjk", "sourcehansans", "msyh", "pingfang", "simhei")
"""File names of those fonts, looked for when matplotlib's cached font list has none of them."""


@functools.cache
def chinese_fonts() -> list[str]:
    """The installed fonts of :data:`CJK_FONTS`, registering any that was installed after
    matplotlib cached its font list."""
    from matplotlib import font_manager

    installed = {f.name for f in font_manager.fontManager.ttflist}
    if not any(f in installed for f in CJK_FONTS):
        for path in font_manager.findSystemFonts():
            if any(stem in Path(path).name.lower() for stem in CJK_FILES):
                font_manager.fontManager.addfont(path)
        installed = {f.name for f in font_manager.fontManager.ttflist}
    return [f for f in CJK_FONTS if f in installed]


NO_CHINESE_FONT = (
    "no Chinese font is installed: Chinese labels will show as boxes. Install one, e.g. on Debian or "
    "Ubuntu: sudo apt-get install fonts-wqy-microhei (any of {fonts} works)"
)


@functools.cache
def _warn_no_chinese_font() -> None:
    """Say once how to install a Chinese font, where a figure in Chinese is asked for and none is found."""
    warnings.warn(NO_CHINESE_FONT.format(fonts=", ".join(CJK_FONTS)), stacklevel=4)


def style_rc(width: str | None = None, lang: str = "en") -> dict:
    """The matplotlib settings of :func:`figure_style`.

    Args:
        width: ``"single"`` or ``"double"`` for a journal's column (fonts of 7-8 pt), or ``None``
            for the screen (matplotlib's sizes).
        lang: ``"en"``: matplotlib's font, Chinese characters (满意率 in the KPIs' names) in an
            installed Chinese font; ``"zh"``: the Chinese font first, for every character.
    """
    if width is not None and width not in WIDTHS:
        raise ValueError(f"width must be one of {sorted(WIDTHS)} or None, not {width!r}")
    if lang not in ("en", "zh"):
        raise ValueError(f"lang must be 'en' or 'zh', not {lang!r}")
    rc = {
        "pdf.fonttype": 42,  # TrueType in PDF and PostScript: editable text, accepted by journals
        "ps.fonttype": 42,
        "axes.prop_cycle": CYCLE,
        "savefig.dpi": 300 if width else 150,
        "axes.unicode_minus": lang == "en",  # a Chinese font may lack the minus sign
    }
    if width:
        rc |= FONT_SIZES
    default, chinese = matplotlib.rcParams["font.sans-serif"][0], chinese_fonts()
    if lang == "zh" and not chinese:
        _warn_no_chinese_font()
    if chinese:
        rc["font.family"] = [*chinese, default] if lang == "zh" else [default, *chinese]
    return rc


def figure_style(width: str | None = None, lang: str = "en"):
    """A context in which figures are drawn and saved in govsim's style (:func:`style_rc`): sizes
    for a journal's column or the screen, TrueType fonts in PDF, the regimes' colours and line
    styles, and an installed Chinese font (:data:`CJK_FONTS`) for Chinese characters.

    Args:
        width: ``"single"`` or ``"double"`` (a journal's column), or ``None`` (the screen).
        lang: ``"en"`` or ``"zh"`` (a figure in Chinese: the Chinese font for every character).
    """
    return matplotlib.rc_context(style_rc(width, lang))


def figure_size(width: str, height: float | None = None) -> tuple[float, float]:
    """A figure's size in inches for a journal's column (``"single"`` or ``"double"``); the height
    defaults to 0.75 of the width."""
    if width not in WIDTHS:
        raise ValueError(f"width must be one of {sorted(WIDTHS)}, not {width!r}")
    return WIDTHS[width], height or 0.75 * WIDTHS[width]


def new_figure(figsize: tuple[float, float]) -> matplotlib.figure.Figure:
    """A figure that pyplot does not know of (no backend, no display, nothing to close), laid
    out by constrained layout: the figures a report writes are drawn on these."""
    return matplotlib.figure.Figure(figsize=figsize, layout="constrained")


def axes_of(ax, figsize: tuple[float, float]):
    """The axes given, or those of a new pyplot figure (shown in a notebook)."""
    if ax is not None:
        return ax
    import matplotlib.pyplot as plt

    return plt.subplots(figsize=figsize, layout="constrained")[1]


def figure_of(fig, figsize: tuple[float, float]):
    """The figure (or subfigure) given, or a new pyplot figure (shown in a notebook)."""
    if fig is not None:
        return fig
    import matplotlib.pyplot as plt

    return plt.figure(figsize=figsize, layout="constrained")


def axis_label(param: str) -> str:
    """A swept key as an axis label with its unit, from the parameter declarations."""
    import dataclasses

    from sim.model.params import TABLE_ENTRIES, TABLE_SCALES, Policy, Scenario  # declarations only

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
    """A swept value as text; a missing one (NaN) is the default."""
    if isinstance(v, float):
        return "default" if v != v else f"{v:g}"
    return str(v)


def save_figure(fig, path: Path, width: str | None = None) -> list[Path]:
    """Save ``fig`` as ``path``.png and ``path``.pdf (TrueType fonts) and return both paths.
    The figure is left open: a figure made by :func:`new_figure` needs no closing."""
    path.parent.mkdir(parents=True, exist_ok=True)
    out = []
    with figure_style(width):
        for ext in ("png", "pdf"):
            p = path.with_name(f"{path.name}.{ext}")  # names may hold dots (figure_scenario.x=1)
            fig.savefig(p, bbox_inches="tight")
            out.append(p)
    return out


@contextlib.contextmanager
def drawing(path: Path, figsize: tuple[float, float], written: list, width: str | None = "double"):
    """Draw a figure for a file: ``with drawing(path, size, written) as fig: plot_x(..., fig=fig)``
    draws in govsim's style (a journal's page width by default) on a new figure, saves it as PNG
    and PDF and adds both paths to ``written``."""
    with figure_style(width):
        fig = new_figure(figsize)
        yield fig
    written.extend(save_figure(fig, path, width))
