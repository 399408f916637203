"""Properties that hold for every valid configuration, extremes included (hypothesis).

Configurations are drawn around the two presets on a small town: from one resident to a few
hundred, the smallest front-line budget to a large one, no volunteers to many, zero to large
heterogeneity, any set of channels (an empty one is refused with a clear ConfigError), office
to round-the-clock hours, patience from minutes to years, horizons of a day to two years. A
refusal by ``validate`` is a valid outcome; anything else raised is a failure. For each run:
every need is accounted for, its times are ordered, satisfaction and trust stay in [0, 1], and
every pool's books close: its time uses sum to its paid hours (loads up to ten times today's
demand, duties from none to 85 % of the week).

The default run draws 200 examples; ``pytest -m slow`` draws 1,000 more.
"""

from __future__ import annotations

import dataclasses
import functools
import itertools

import numpy as np
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from sim.model.params import CHANNELS, SERVICE_TYPES, STAFF_CALENDARS, ConfigError, validate
from sim.study.config import load_config
from sim.study.run import simulate

CHAIN = ["created_h", "reported_h", "dispatched_h", "started_h", "resolved_h"]


@functools.cache
def preset(name: str):
    """A composed configuration (composing takes longer than the runs drawn here: once each)."""
    return load_config("scenario=teaching", f"policy={name}")


@st.composite
def configurations(draw, long_horizons: bool = False):
    base = preset(draw(st.sampled_from(["coarse", "refined"])))
    patience = draw(st.sampled_from([0.01, 0.1, 1.0, 30.0, 3650.0]))  # x the default: minutes to years
    types = {
        k: dataclasses.replace(t, patience_days=t.patience_days * patience)
        for k, t in base.scenario.service_types.items()
    }
    scenario = dataclasses.replace(
        base.scenario,
        n_residents=draw(st.one_of(st.just(1), st.integers(1, 200))),
        demand_scale=draw(st.sampled_from([1.0, 10.0])),  # today's load, and ten times it
        duty_share=draw(st.sampled_from([0.0, 0.45, 0.85])),
        duty_schedule=draw(st.sampled_from(["even", "scheduled"])),
        duty_fixed_share=draw(st.sampled_from([0.0, 0.71, 1.0])),
        doc_h_per_case=draw(st.sampled_from([0.0, 0.25, 2.0])),
        hop_staff_h=draw(st.sampled_from([0.0, 0.1, 1.0])),
        misroute_share=draw(st.sampled_from([0.0, 0.2, 1.0])),
        multi_dept_share=draw(st.sampled_from([0.0, 0.3, 1.0])),
        communities_per_town=draw(st.integers(1, 3)),
        workers_per_10k=draw(st.sampled_from([0.01, 1.0, 20.0, 200.0])),  # 0.01: the one-post floor
        volunteers_per_1k=draw(st.sampled_from([0.0, 34.0, 300.0])),
        need_heterogeneity=draw(st.sampled_from([0.0, 0.5, 2.0])),
        service_types=types,
    )
    # All channels closed about one time in ten (it must be refused), otherwise one to three of
    # them: a band in the middle of 0-99, since hypothesis favours the ends of a range.
    closed = 45 <= draw(st.integers(0, 99)) < 55
    channels = [] if closed else sorted(draw(st.permutations(CHANNELS))[: draw(st.integers(1, len(CHANNELS)))])
    policy = dataclasses.replace(
        base.policy,
        channels=channels,
        service_hours=draw(st.sampled_from(STAFF_CALENDARS)),
        patrol_share=draw(st.sampled_from([0.0, 0.3, 0.9])),
        patrol_floor=draw(st.sampled_from([0.0, 0.05, 0.3])),  # above patrol_share it must be refused
        backup=draw(st.sampled_from(["none", "partner"])),
        fallback_after_days=draw(st.sampled_from([None, 1.0, 90.0])),
    )
    days = draw(st.integers(365, 730) if long_horizons else st.integers(1, 30))
    return dataclasses.replace(base, scenario=scenario, policy=policy, seed=draw(st.integers(0, 2**16)), days=days)


def check_run(cfg) -> None:
    try:
        cfg = validate(cfg)
    except ConfigError as err:  # a clear refusal: no channel, volunteers beyond the budget, ...
        event(f"refused: {str(err).split(' ')[0]}")
        return
    assert cfg.policy.channels, "an empty set of channels was not refused"
    event("ran")
    result = simulate(cfg)
    d, k = result.issues, result.kpis
    assert k["issues_created"] == k["issues_resolved"] + k["issues_abandoned"] + k["issues_open"]
    assert len(d) == k["issues_created"]
    for a, b in itertools.pairwise(CHAIN):
        both = d[a].notna() & d[b].notna()
        assert (d.loc[both, a] <= d.loc[both, b] + 1e-9).all(), f"{a} after {b}"
    gave_up = d["abandoned_h"].notna()
    assert (d.loc[gave_up, "abandoned_h"] >= d.loc[gave_up, "created_h"] - 1e-9).all(), "given up before arising"
    assert not (gave_up & d["resolved_h"].notna()).any(), "both resolved and given up"
    assert (d["service_type"].astype(str).isin(SERVICE_TYPES)).all()
    res = result.residents
    for col in ("satisfaction", "trust", "expectation"):
        assert res[col].between(0, 1).all(), f"{col} outside [0, 1]"
    for col in ("satisfaction_mean", "trust_mean"):
        assert result.timeseries[col].between(0, 1).all(), f"daily {col} outside [0, 1]"
    assert np.isfinite(result.timeseries["backlog"]).all()
    check_books(k)


def check_books(k: dict) -> None:
    """Every staff pool's time uses (duties, appraisal, records, patrol or inspection,
    documentation, cases, travel, idle) sum to its paid hours, none negative; volunteers book
    no more than the hours their branches had."""
    pools = [key.removeprefix("paid_h_") for key in k if key.startswith("paid_h_")]
    assert "front_line" in pools
    for pool in pools:
        paid = k[f"paid_h_{pool}"]
        uses = {key: v for key, v in k.items() if key.startswith(f"time_{pool}_") and key.endswith("_h")}
        assert "time_" + pool + "_idle_h" in uses, uses
        assert sum(uses.values()) == pytest.approx(paid, rel=1e-9, abs=1e-6), (pool, paid, uses)
        assert min(uses.values()) >= -1e-6 * max(paid, 1.0), (pool, uses)
    assert k["volunteer_h"] <= k["volunteer_h_allotted"] * (1 + 1e-12) + 1e-9


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(configurations())
def test_every_valid_configuration_keeps_the_books(cfg):
    check_run(cfg)


@pytest.mark.slow
@settings(max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(configurations())
def test_every_valid_configuration_keeps_the_books_many(cfg):
    check_run(cfg)


@pytest.mark.slow
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(configurations(long_horizons=True))
def test_long_horizons_keep_the_books(cfg):
    check_run(cfg)
