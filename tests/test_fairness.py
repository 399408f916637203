"""A fair comparison: equal capacity, each regime at its best allocation, a realistic
type-based regime (repeat reporting, fallible visits, its own appraisal), volunteers that work
like staff, and satisfaction that settles. Each test composes the real configs."""

import numpy as np
import pytest

from sim.model import detection, satisfaction
from sim.model.calendar import WEEK_H
from sim.model.issues import VOLUNTEER
from sim.model.model import GovernanceModel
from tests.conftest import make_config, run

TOWN_YEAR = ("scenario=town", "days=365")
POST_YEAR_H = 40 * 365 / 7  # one paid post's hours in a year


@pytest.fixture(scope="module")
def year():
    """Both presets, a town year at the defaults, seed 0."""
    return {p: run(*TOWN_YEAR, f"policy={p}").kpis for p in ("coarse", "refined")}


def test_equal_total_handling_capacity(year):
    coarse, refined = year["coarse"], year["refined"]
    # Refined's volunteers give real hours, and those they can give to cases (the staffing
    # study's measure: about a third of all they have) count against its paid budget ...
    assert refined["volunteer_h_usable"] > 0.02 * refined["capacity_total_h"]
    assert refined["volunteer_h_usable"] < 0.6 * refined["volunteer_h_available"]
    assert refined["capacity_paid_h"] < coarse["capacity_paid_h"]
    # ... so that paid plus usable volunteer hours are equal, up to rounding the volunteers'
    # hours to whole posts (half a post-year at most).
    gap = abs(refined["capacity_total_h"] - coarse["capacity_total_h"])
    assert gap <= 0.5 * POST_YEAR_H, f"capacity differs by {gap:.0f} h (> half a post-year)"


def test_volunteers_on_top_are_extra_capacity():
    counted = run("scenario=town", "days=28", "policy=refined").kpis
    on_top = run("scenario=town", "days=28", "policy=refined", "scenario.volunteer_budget=on_top").kpis
    extra = on_top["capacity_total_h"] - counted["capacity_total_h"]
    # On top, the paid posts the volunteers stood in for come back (within one post's rounding).
    assert extra == pytest.approx(counted["volunteer_h_usable"], rel=0.35)


@pytest.mark.parametrize("policy", ["coarse", "refined"])
def test_no_line_is_saturated_at_the_defaults(year, policy):
    kpis = year[policy]
    use = {k: v for k, v in kpis.items() if k.startswith("case_load_")}
    assert "case_load_front_line" in use and len(use) >= 2, use  # departments are reported too
    # Staff follow the work each regime routes: no line's cases take more than 85 % of the
    # hours its duties and other fixed shares leave for them (a queue near saturation).
    assert max(use.values()) <= 0.85, use


def test_staff_follow_the_routed_work():
    cfg = make_config("scenario=town", "policy=coarse")
    routed = GovernanceModel(cfg.scenario, cfg.policy, seed=0)
    cfg.scenario.staff_split = "expected"
    expected = GovernanceModel(cfg.scenario, cfg.policy, seed=0)
    total = routed.front_staff_total + routed.line_staff.sum()
    # The same paid budget, split differently: coarse's front line learns of few needs, so
    # under the routed split it keeps fewer staff than the expected work of all needs implies.
    assert total == expected.front_staff_total + expected.line_staff.sum()
    assert routed.front_staff_total < expected.front_staff_total


def test_repeat_report_time_by_hand():
    # No growth: the hazard is constant, so an Exp(1) draw e is reached after e / rate days.
    assert detection.repeat_report_after_h(2.0, 0.5, 0.0, 3.0) == pytest.approx(96.0)
    # Growth 0.1/day to 3x (at 20 days): H(t) = rate (t + 0.05 t²); with rate 0.1, H(10) = 1.5.
    assert detection.repeat_report_after_h(1.5, 0.1, 0.1, 3.0) == pytest.approx(240.0)
    # Past the cap: H(20) = 0.1 (20 + 20) = 4; then 0.3 a day, so e = 4.3 is reached on day 21.
    assert detection.repeat_report_after_h(4.3, 0.1, 0.1, 3.0) == pytest.approx(21 * 24.0)
    assert np.isinf(detection.repeat_report_after_h(1.0, 0.0, 0.1, 3.0))


def test_repeat_reporting_raises_reporting_monotonically():
    rates = (0.0, 0.02, 0.1)
    unreported = [
        run("scenario=town", "days=120", "policy=coarse", f"scenario.repeat_report_per_day={r}").kpis[
            "unreported_share"
        ]
        for r in rates
    ]
    # Same needs (common random numbers), more chances to report: strictly fewer unreported,
    # and the effect is not negligible: at least a tenth of the unreported needs get reported
    # (measured at the calibrated defaults: 0.144 -> 0.137 -> 0.117, a fifth; most residents
    # report at once, so the repeat calls act on the few who wait).
    assert unreported[0] > unreported[1] > unreported[2], unreported
    assert unreported[2] < 0.9 * unreported[0], unreported


def test_a_fallible_visit_finds_fewer_needs():
    # At the calibrated defaults visits find almost no needs (most are reported within hours,
    # and duties leave few visits): a world where they can act. Free front-line time, slow
    # reporting, and no faults, so that every proactive find is a visit's.
    world = ("scenario=town", "days=90", "policy=refined", "scenario.duty_share=0", "scenario.report_delay_h=72")
    world = (*world, "scenario.facility_faults_per_1k=0")
    sure = run(*world, "scenario.visit_detection_prob=1.0").kpis
    unsure = run(*world, "scenario.visit_detection_prob=0.4").kpis
    # Visits find a need only 40 % of the time: fewer found (measured, seed 0: 0.027 -> 0.014;
    # a missed need may be found on a later visit or reported, so not 60 % fewer).
    assert unsure["proactive_share"] < 0.75 * sure["proactive_share"]


def test_traditional_appraisal_costs_coarse_time_and_four_indicator_evaluation_replaces_it():
    coarse = make_config("scenario=town", "policy=coarse", "scenario.appraisal_overhead_h=40")
    model = GovernanceModel(coarse.scenario, coarse.policy, seed=0)
    period_h = coarse.scenario.evaluation_period_days / 7 * 40
    assert model.shares["appraisal"] == pytest.approx(40 / period_h)
    four = make_config(
        "scenario=town",
        "policy=coarse",
        "policy.evaluation=true",
        "scenario.appraisal_overhead_h=40",
        "scenario.evaluation_overhead_h=0",
    )
    model = GovernanceModel(four.scenario, four.policy, seed=0)
    assert model.shares["appraisal"] == 0.0  # 四指同评 in place of the old appraisal


def test_volunteers_work_in_their_hours_travel_and_face_worsening():
    result = run("scenario=town", "days=60", "policy=refined")
    issues = result.issues
    vol = issues[(issues["handler"] == "volunteer") & issues["resolved_h"].notna()]
    assert len(vol) > 50
    cfg = result.config
    # They start after mobilisation, in their calendar (evenings and weekends) ...
    assert (vol["started_h"] >= vol["dispatched_h"] + cfg.scenario.mobilisation_delay_h - 1e-9).all()
    hour = np.floor(vol["started_h"].to_numpy()).astype(int) % WEEK_H
    weekday_hour, day = hour % 24, hour // 24
    evening = (day < 5) & (weekday_hour >= 18) & (weekday_hour < 21)
    weekend = (day >= 5) & (weekday_hour >= 9) & (weekday_hour < 17)
    assert (evening | weekend).all()
    # ... travel to the case, and a case that waited took longer (worsening).
    assert (vol["travel_h"] > 0).mean() > 0.9
    assert VOLUNTEER == 3  # the handler code the table above was labelled from


def test_satisfaction_and_trust_drift_back_to_their_initial_values():
    cfg = make_config("scenario=teaching", "policy=coarse")
    model = GovernanceModel(cfg.scenario, cfg.policy, seed=0)
    model.population.satisfaction[:] = 0.0
    model.population.trust[:] = 0.0
    model.day = 6
    satisfaction.fade_memories(model)
    keep = np.exp(-7 / cfg.scenario.memory_days)
    sc = cfg.scenario
    assert model.population.satisfaction == pytest.approx(sc.initial_satisfaction * (1 - keep))
    assert model.population.trust == pytest.approx(sc.initial_trust * (1 - keep))


def test_volunteers_standing_in_for_more_posts_than_the_budget_are_refused():
    from sim.model.params import ConfigError

    with pytest.raises(ConfigError, match="volunteer_budget=on_top"):
        # Two front-line and six department posts: the volunteers' usable hours (about two
        # posts' worth, bounded by the work of the lines they may do) leave a line without staff.
        make_config("scenario=town", "policy=refined", "scenario.workers_per_10k=1", "scenario.dept_staff_per_10k=3")


def test_a_staffing_study_too_small_to_see_work_keeps_the_whole_budget():
    # 20 residents: the study sees no routed work, so the split falls back to the expected
    # rule instead of dropping the posts it could not place.
    cfg = make_config("scenario=teaching", "policy=coarse", "scenario.n_residents=20", "scenario.workers_per_10k=5000")
    model = GovernanceModel(cfg.scenario, cfg.policy, seed=0)
    front, dept = 10, 6  # 5,000 per 10k of 20 residents; departments at least one per line
    assert model.front_staff_total + model.line_staff.sum() == front + dept


@pytest.mark.parametrize("seed", [7, 8])
def test_no_pool_gives_more_hours_than_it_has_under_load(seed):
    from tests.test_properties import check_books

    # Scarce staff (about the fewest the duties leave room for) and ten times today's demand:
    # every line is as busy as it can be.
    loaded = ("scenario=town", "days=120", "policy=refined", "scenario.workers_per_10k=10", "scenario.demand_scale=10")
    kpis = run(*loaded, f"seed={seed}").kpis
    check_books(kpis)
    assert kpis["utilisation_volunteers"] <= 1.0, kpis["utilisation_volunteers"]
    assert kpis["utilisation_front_line"] > 0.95, "the front line should be all but fully busy"


def test_no_headline_kpi_is_identical_under_both_presets(year):
    from sim.measure.analysis import KPIS

    # A measure that cannot tell the regimes apart at the defaults is degenerate (on-time
    # closure that leaves late cases out read 1.0000 against 0.9998 once); each must differ.
    same = [k for k in KPIS if year["coarse"][k] == year["refined"][k]]
    assert not same, f"identical under both presets: {same}"
    assert all(np.isfinite(year[p][k]) for p in year for k in KPIS)


def test_the_same_duties_and_equal_hours_free_of_them(year):
    def duties(k):
        return sum(v for key, v in k.items() if key.startswith("time_") and key.endswith("_duties_h"))

    coarse, refined = year["coarse"], year["refined"]
    # The duties handed down are the world's: the same hours under both regimes (refined shares
    # them among fewer paid posts, since its volunteers stand in for some) ...
    assert duties(refined) == pytest.approx(duties(coarse), rel=0.01), (duties(coarse), duties(refined))
    # ... so paid plus volunteer hours left after duties are equal too, up to rounding the
    # volunteers' hours to whole posts (half a post-year at most).
    free = {p: k["capacity_total_h"] - duties(k) for p, k in year.items()}
    assert abs(free["refined"] - free["coarse"]) <= 0.5 * POST_YEAR_H, free
