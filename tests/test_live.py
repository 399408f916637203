"""Watching live models (sim.present.live), the words shown (sim.present.terms) and the plots of one run."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

from sim.measure import observe
from sim.present import run_plots
from sim.present.live import STATUSES, Pair, day_measures, grid_units, map_state, need_status, open_issues
from sim.present.terms import LANGUAGES, TERMS, term

TEACHING = ["scenario=teaching", "seed=3"]


@pytest.fixture(scope="module")
def pair():
    p = Pair.from_overrides(TEACHING, ["policy=coarse"], ["policy=refined"])
    p.step(40)
    return p


def test_both_regimes_meet_the_same_needs(pair):
    coarse, refined = (observe.issue_frame(m) for m in pair.models)
    assert pair.day == 40 and all(m.day == 40 for m in pair.models)
    assert len(coarse) > 20  # ~1.4 needs a day in the teaching town
    for col in ("resident_id", "service_type", "created_h"):
        assert coarse[col].equals(refined[col]), col


def test_a_pair_refuses_two_worlds():
    from sim.study.config import load_config

    with pytest.raises(ValueError, match="same scenario and seed"):
        Pair(load_config(*TEACHING, "policy=coarse"), load_config("scenario=teaching", "seed=4", "policy=refined"))


def test_need_status_is_the_furthest_behind_open_need(pair):
    model = pair.models[0]
    now = open_issues(model)
    status = need_status(model, now)
    horizon = model.day * 24.0
    assert ((now["created_h"] < horizon) & now["resolved_h"].isna() & now["abandoned_h"].isna()).all()
    people = now[now["resident_id"] >= 0]
    expected = people.groupby("resident_id")["code"].min()
    assert (status[expected.index] == expected.to_numpy()).all()
    others = np.setdiff1d(np.arange(len(status)), expected.index)
    assert (status[others] == 0).all()
    assert status.max() < len(STATUSES)


def test_day_measures_agree_with_the_issue_table(pair):
    for model, history in zip(pair.models, pair.history):
        row = day_measures(model)
        assert row == pytest.approx(history[-1], nan_ok=True)
        now = open_issues(model)
        assert row["backlog"] == len(now)
        assert row["share_unknown"] == pytest.approx((now["code"] == 1).mean())
        r1, r3, r7 = (row[f"resolved_within_{d}d"] for d in (1, 3, 7))
        assert 0 <= r1 <= r3 <= r7 <= 1  # cumulative incidence grows with time


def test_grid_units_tile_the_communities(pair):
    for model in pair.models:
        units = grid_units(model)
        area = model.territory.n_communities * model.territory.side_km**2
        assert units[:, 2:].prod(1).sum() == pytest.approx(area)  # no gap, no overlap in area
    coarse, refined = (len(grid_units(m)) for m in pair.models)
    assert coarse == pair.models[0].territory.n_communities  # pooled: one unit per community
    assert refined == len(pair.models[1].front_pools)  # one grid worker's unit each


def test_map_and_live_plots_draw_what_they_are_given(pair):
    state = map_state(pair.models[1])
    fig = run_plots.plot_map(state, "zh")
    ax = fig.axes[0]
    assert len(ax.patches) == len(state.units) + len(state.communities)
    assert "地图" in ax.get_title()
    limits = run_plots.live_limits(pair.frames())
    fig = run_plots.plot_live(pair.frames()[0], "en", limits=limits)
    assert [a.get_title() for a in fig.axes] == [term(k, "en") for k in run_plots.LIVE_PANELS]
    assert fig.axes[0].get_ylim()[1] >= max(f["backlog"].max() for f in pair.frames())


def test_run_plots_mark_the_warm_up():
    from sim.study.config import load_config
    from sim.study.run import simulate

    result = simulate(load_config("scenario=teaching", "days=60", "warmup_days=20"))
    fig = run_plots.plot_run(result.timeseries, "en")
    spans = list(fig.axes[0].patches)  # the shaded warm-up
    assert spans and spans[0].get_x() == 0 and spans[0].get_width() == pytest.approx(20)
    fig = run_plots.plot_issue_timeline(result.issues, "zh", n=12)
    assert len(fig.axes[0].get_yticklabels()) == 12


def test_every_term_has_both_languages_and_every_use_is_declared():
    assert all(len(pair) == len(LANGUAGES) and all(pair) for pair in TERMS.values())
    used = set()
    for module in ("sim/present/view.py", "sim/present/run_plots.py"):
        used |= set(re.findall(r"term\(\s*\"([a-z_0-9.]+)\"", (Path(__file__).parents[1] / module).read_text()))
    assert used and used <= set(TERMS), used - set(TERMS)
    with pytest.raises(ValueError, match="allowed en, zh"):
        term("title", "fr")


def test_terms_name_every_category_and_service_line():
    from sim.model.params import CHANNELS, SERVICE_TYPES, STAFF_CALENDARS
    from sim.study.config import load_config

    cats = load_config("scenario=teaching").scenario.categories
    assert set(cats) | set(SERVICE_TYPES) <= set(TERMS)
    assert {f"channel.{c}" for c in CHANNELS} | {f"service_hours.{c}" for c in STAFF_CALENDARS} <= set(TERMS)
