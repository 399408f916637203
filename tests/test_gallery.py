"""The gallery's code (experiments/gallery.py, shown in docs/gallery.md) keeps working: every
figure is drawn from real runs (here short ones) into the figure the gallery makes, and every
section the page shows exists in the file."""

from __future__ import annotations

import re
from pathlib import Path

import matplotlib.pyplot as plt
import pytest

from experiments import gallery

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def data():
    patch = pytest.MonkeyPatch()
    patch.setattr(gallery, "DAYS", 40)  # short runs: the figures are drawn, not read
    patch.setattr(gallery, "WARMUP", 10)
    patch.setattr(gallery, "BASE", ["scenario=teaching", "days=40", "warmup_days=10"])
    patch.setattr(gallery, "SEEDS", range(3))
    patch.setattr(gallery, "FEW", range(2))
    yield gallery.sweeps(n_jobs=2)
    patch.undo()


def test_every_gallery_figure_is_drawn_from_runs(data, monkeypatch):
    monkeypatch.chdir(ROOT)  # the designs' and the lab's committed tables
    monkeypatch.setattr(gallery, "DAYS", 40)
    monkeypatch.setattr(gallery, "WARMUP", 10)
    figures = gallery.draw_all(data)
    try:
        assert set(figures) == set(re.findall(r"gallery/(\w+)\.png", (ROOT / "docs/gallery.md").read_text()))
        for name, fig in figures.items():
            assert fig.axes and any(ax.lines or ax.collections or ax.patches or ax.images for ax in fig.axes), name
    finally:
        for fig in figures.values():
            plt.close(fig)


def test_every_section_the_gallery_page_shows_is_in_the_file():
    page = (ROOT / "docs/gallery.md").read_text()
    shown = re.findall(r'--8<-- "experiments/gallery\.py:(\w+)"', page)
    source = (ROOT / "experiments/gallery.py").read_text()
    marked = set(re.findall(r"--8<-- \[start:(\w+)\]", source))
    assert shown and set(shown) <= marked, f"sections shown but not marked: {set(shown) - marked}"
