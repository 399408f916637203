"""Scientific tests: each mechanism moves its outcome in the expected direction.

Each compares two configurations with the same seeds (common random numbers: the same
residents and needs), so differences come from the dial alone. Tolerances are commented.
"""

from functools import cache

import numpy as np
import pytest

from tests.conftest import run

SEEDS = (0, 1, 2)
TOWN = ("scenario=town", "days=120")


@cache
def kpis(*overrides: str) -> dict:
    """The KPIs of one run, made once per module: a run is a pure function of its overrides
    (fixed seed, common random numbers; tests/test_accounting.py checks that the same seed
    gives the same files), so the tests below that compare against the same configuration
    (the defaults appear in three of them, staggered hours and linkage in two KPIs each)
    read one run instead of repeating it. The KPIs are only read, never changed."""
    return run(*overrides).kpis


def paired(key: str, a: tuple, b: tuple) -> tuple[np.ndarray, np.ndarray]:
    """KPI ``key`` under overrides ``a`` and ``b`` for each seed."""
    va = np.array([kpis(*TOWN, *a, f"seed={s}")[key] for s in SEEDS])
    vb = np.array([kpis(*TOWN, *b, f"seed={s}")[key] for s in SEEDS])
    return va, vb


def test_more_workers_shorten_response_time():
    # Refined's one-worker grid units queue cases behind each other and behind patrol, so more
    # staff (smaller grid units) shortens response there.
    few, many = paired(
        "response_time_mean_h",
        ("policy=refined", "scenario.workers_per_10k=15"),
        ("policy=refined", "scenario.workers_per_10k=30"),
    )
    # Every seed, and by at least 5 % on average. Measured with this model, seeds 0-2: 10 %
    # shorter, 48.2 h -> 43.3 h; the margin leaves room for half the effect to go before the
    # test fails. (With duties spread evenly at 0.71, the earlier model, one-worker units
    # saturated and doubling staff cut 37-39 %, 138 h -> 85 h; scheduled at 0.45 they rarely
    # do, and most of the time to respond is waiting for open hours, not for the worker.)
    assert (many < few).all(), f"doubling staff did not shorten response time in every seed: {few} -> {many}"
    assert many.mean() < 0.95 * few.mean(), f"doubling staff: {few.mean():.1f} h -> {many.mean():.1f} h"


def test_patrol_shortens_time_unknown():
    # Time a need stays unknown, over all needs (detection latency of detected needs alone
    # would rise with patrol, which finds old needs nobody would report). The facility
    # department's inspection is off, so that patrol is the only one walking public space.
    quiet = ("policy.inspection_share=0",)
    off, on = paired("unknown_time_mean_h", quiet, (*quiet, "policy.patrol_share=0.3"))
    # Every seed, and by at least a quarter: the margin it had before calibration, restored
    # (measured with this model, seeds 0-2: 32-35 % shorter, 43 h -> 29 h).
    assert (on < off).all(), f"patrol did not shorten the time needs stay unknown: {off} -> {on}"
    assert on.mean() < 0.75 * off.mean(), f"patrol: {off.mean():.0f} h -> {on.mean():.0f} h"


def test_staggered_hours_serve_employed_residents_sooner():
    # Employed residents are away 08-18 on weekdays: the 8+3 evening counter reaches them. With
    # the counter and the hotline only (access=basic), so that the app does not reach them first.
    basic = ("access=basic",)
    office, stag = paired("served_within_week_share_employed", basic, (*basic, "policy.service_hours=staggered"))
    # Share of employed residents' needs served within a week of arising: up in every seed,
    # by at least 4 points (measured with this model, seeds 0-2: +7.8 to +8.7 points).
    assert (stag > office).all(), f"staggered hours did not serve employed residents sooner: {office} -> {stag}"
    assert stag.mean() - office.mean() > 0.04, f"{office.mean():.3f} -> {stag.mean():.3f}"


@pytest.mark.xfail(
    strict=True,
    reason="a known limit of the channel rule (ODD 7.3): a resident reports only through the easiest channel open to "
    "them at some hour, so an evening counter draws employed residents away from the 24-hour hotline, and needs "
    "that arise after Friday's counter closes wait for Monday evening; measured with this model (seeds 0-2), never "
    "reported rises from 0.077 to 0.167 with staggered hours",
)
def test_staggered_hours_let_more_employed_residents_report():
    # The assertion of the model before calibration, kept as a failing pin until the channel
    # rule lets a resident call the hotline when the counter is shut (issue 28, costs that cut
    # both ways): it then passes, and strict xfail makes that visible.
    basic = ("access=basic",)
    office, stag = paired("unreported_share_employed", basic, (*basic, "policy.service_hours=staggered"))
    assert stag.mean() < office.mean() - 0.05, "evening hours should let more employed residents report"


def test_linkage_serves_residents_registered_elsewhere_sooner():
    # The saving is the bounce, bounce_hops x hop_delay_h: at a hop delay of 12 h (half a working
    # day; the calibrated 1.1 h would make it 2 h, within the seeds' noise) linkage removes
    # 2 x 12 h; at least 20 h sooner (measured with this model, seeds 0-2: 26-28 h).
    slow_hops = ("scenario.hop_delay_h=12",)
    off, on = paired("response_time_mean_h_registered_elsewhere", slow_hops, (*slow_hops, "policy.linkage=true"))
    assert (on < off).all(), f"村居联动 did not speed up 人户分离 residents: {off} -> {on}"
    assert off.mean() - on.mean() > 20, f"{off.mean():.1f} h -> {on.mean():.1f} h"
    here_off, here_on = paired("response_time_mean_h_registered_here", slow_hops, (*slow_hops, "policy.linkage=true"))
    # Residents registered where they live are not bounced either way: within 5 %.
    assert here_on.mean() == pytest.approx(here_off.mean(), rel=0.05), "linkage should not change the others"


def tailoring_gains(noise: float) -> dict[float, np.ndarray]:
    """Per sigma, the gain in remedy fit of tailored over standard remedies, seed by seed."""
    gains = {}
    for sigma in (0.0, 0.5, 1.5):
        common = (f"scenario.need_heterogeneity={sigma}", "policy.patrol_share=0.2", f"scenario.info_noise={noise}")
        std, tai = paired("fit_mean", common, (*common, "policy.remedy=tailored"))
        gains[sigma] = tai - std
    return gains


def test_tailoring_advantage_grows_with_heterogeneity_and_vanishes_at_zero():
    gains = tailoring_gains(noise=0.0)
    # sigma = 0 and exact information: categories describe people exactly, nothing to tailor.
    assert (gains[0.0] == 0).all(), f"tailoring changed the fit at sigma=0: {gains[0.0]}"
    # Measured with this model (seeds 0-2): gains 0.023-0.030 at 0.5 (mean 0.026) and
    # 0.031-0.041 at 1.5 (mean 0.035), so growth of +0.009 on average (+0.001 to +0.016 by seed).
    # The first margin it had (+0.05 growth, with idle staff) cannot hold now: with duties taking
    # most of the week visits are rare and files stale, and a stale file aims the remedy where
    # the person no longer is, the more so the more people differ. Margins: about half of each
    # measured mean, so that losing half the mechanism fails the test.
    assert gains[0.5].mean() > 0.015, f"tailoring should help at sigma=0.5: {gains}"
    assert gains[1.5].mean() > gains[0.5].mean() + 0.004, f"fit advantage should grow with sigma: {gains}"


def test_tailoring_to_noisy_information_costs_where_people_do_not_differ():
    # sigma = 0 with what a contact learns in error (the default noise): the tailored remedy
    # aims at the error, the standard one at the need; every seed loses, by at least 0.01
    # (measured with this model, seeds 0-2: -0.024 to -0.026).
    loss = tailoring_gains(noise=0.25)[0.0]
    assert (loss < -0.01).all(), loss
