"""The figures' shared style: the matplotlib backend, the regimes' colours, fonts for Chinese,
axis labels of swept parameters, and saving a figure as PNG and PDF.

Every module that draws takes ``plt`` from here, so the backend is chosen before pyplot is
first imported.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import matplotlib

if not os.environ.get("MPLBACKEND") and "matplotlib.pyplot" not in sys.modules:
    matplotlib.use("Agg")  # files only; a notebook (which sets MPLBACKEND) keeps its own backend
import matplotlib.pyplot as plt  # the drawing modules take plt from here, after the backend
import pandas as pd

COLOURS = {"coarse": "#8c6d31", "refined": "#3465a4"}
DIFF_COLOUR = "#444444"

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


def save_figure(fig, path: Path) -> list[Path]:
    """Save ``fig`` as ``path``.png and ``path``.pdf, close it, and return both paths."""
    path.parent.mkdir(parents=True, exist_ok=True)
    out = []
    for ext in ("png", "pdf"):
        p = path.with_name(f"{path.name}.{ext}")  # names may hold dots (figure_scenario.x=1)
        fig.savefig(p, dpi=150, bbox_inches="tight")
        out.append(p)
    plt.close(fig)
    return out
