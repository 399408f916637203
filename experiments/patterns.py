"""What real systems show: the patterns a calibrated govsim should reproduce.

Each pattern has a target range (its tolerance included), its source (cited by author and year:
ODD.md, references), the regime it describes (a type-based, hotline-centred system or grid
management), the runs it needs and how it is measured from them. Every pattern is measured
under both presets, so the table shows what each regime gives; the calibration fits a pattern
only on the regime it describes. A *contrast* pattern compares named regimes (a district before
and after grid management) and is measured once: it constrains the difference itself.

Held-out patterns (``fitted=False``) are fixed here, before any fit, and checked out of sample;
:func:`experiments.calibrate.loss` refuses them. A pattern the model's structure cannot meet is
held out with the reason (``why``), so that it cannot push other knobs to their bounds.

Measures are pure: the results of a pattern's runs in, one number out.
``python -m experiments.patterns`` measures the defaults against every pattern.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from sim.model.params import CITY_MANAGEMENT  # what Dongcheng's grid figures count (城市管理)

PRESETS = ("coarse", "refined")
# The regime without its digital channel (counter and hotline only): what it adds is induced demand.
WITHOUT_DIGITAL = ("policy.channels=[counter,hotline]",)
# The type-based status quo before grid management (office hours, no app, no city supervisors on
# the street: the reform brought them in), and the grid regime.
BEFORE, AFTER = ("policy=coarse", "access=basic", "policy.inspection_share=0"), ("policy=refined",)
# The staffing budget (front line and departments) at half, three quarters and all of the
# default: equal steps of staff.
STAFF_STEPS = (0.5, 0.75, 1.0)
# Dongcheng's grid system: 956 supervisors and grid managers for about 0.9 M residents, 10.6 per
# 10,000 (Dongcheng 2017). The town's budget (front line and departments) scaled to it.
DONGCHENG_STAFF_PER_10K = 956 / 90


def staffing(fraction: float) -> tuple[str, ...]:
    from sim.model.params import Scenario

    sc = Scenario()
    return (
        f"scenario.workers_per_10k={sc.workers_per_10k * fraction:g}",
        f"scenario.dept_staff_per_10k={sc.dept_staff_per_10k * fraction:g}",
    )


def dongcheng_staffing() -> tuple[str, ...]:
    """The staffing budget scaled to Dongcheng's, its volunteers on top (Dongcheng's staff figure
    counts no volunteers standing in for posts; counted, Jinshan's would take more hours than a
    budget a third of the size has free of its duties)."""
    from sim.model.params import Scenario

    sc = Scenario()
    fraction = round(DONGCHENG_STAFF_PER_10K / (sc.workers_per_10k + sc.dept_staff_per_10k), 3)
    return (*staffing(fraction), "scenario.volunteer_budget=on_top")


@dataclass(frozen=True)
class Pattern:
    name: str
    regime: str  # the preset it describes and is fitted on: "coarse" (type-based), "refined" (grid) or "replay"
    low: float  # the target range, tolerance included
    high: float
    source: str
    measure: Callable[[Sequence], float]  # the results of ``runs``, in order, to one number
    how: str  # how ``measure`` reads the runs, in words
    unit: str  # the measure's unit, short (a figure's axis)
    scale: float  # a misfit of this much (in the measure's units) counts 1 in the calibration's loss
    runs: tuple[tuple[str, ...], ...] = ((),)  # overrides of each run (on top of a preset unless a contrast)
    fitted: bool = True  # False: held out of the calibration, checked out of sample
    contrast: bool = False  # True: ``runs`` name their presets; measured once, not per preset
    why: str = ""  # why a held-out pattern is held out

    def passes(self, value: float) -> bool:
        return math.isfinite(value) and self.low <= value <= self.high

    def misfit(self, value: float) -> float:
        """How far ``value`` lies outside the target, in units of ``scale`` (0 inside)."""
        if not math.isfinite(value):
            return 10.0
        return max(self.low - value, value - self.high, 0.0) / self.scale


# --- measures: pure functions of runs ------------------------------------------------------
def cohort(result):
    """The needs that arose in the measured window (after the warm-up)."""
    issues = result.issues
    return issues[issues["created_h"] >= result.config.warmup_days * 24.0]


def window_years(k: dict) -> float:
    return k["window_days"] / 365.0


def known_per_resident_year(k: dict, n_residents: int) -> float:
    """Issues the state learnt of, per resident and year of the measured window."""
    known = k["issues_created"] * (1.0 - k["unreported_share"])
    return known / n_residents / window_years(k)


def volume(runs) -> float:
    r = runs[0]
    return known_per_resident_year(r.kpis, r.config.scenario.n_residents)


def known_per_front_post_month(runs) -> float:
    """Known issues per front-line post and month of the window (cases per grid staff member)."""
    k = runs[0].kpis
    known = k["issues_created"] * (1.0 - k["unreported_share"])
    return known / k["staff_front_line"] / (window_years(k) * 12.0)


def front_line_busy(runs) -> float:
    """Share of front-line posts whose demanded hours exceeded their paid hours over a month
    (``overloaded_post_share_front_line``): a share of people, as the surveys count them."""
    return float(runs[0].kpis["overloaded_post_share_front_line"])


def report_to_resolution_skew(k: dict) -> float:
    return k["report_to_resolution_mean_h"] / k["report_to_resolution_median_h"]


def solved_gap(k: dict) -> float:
    """On-time closure (process) minus the share of resolved needs actually solved (outcome)."""
    return k["on_time_share"] - k["actually_solved_share"]


def migrant_unreported_excess(k: dict) -> float:
    """How much more of migrants' needs than of the employed's never reach the state."""
    return k["unreported_share_migrant"] - k["unreported_share_employed"]


def city_management_cases(issues):
    """Known city-management cases: the environment needs and facility faults the state learnt of."""
    return issues[issues["service_type"].isin(CITY_MANAGEMENT) & issues["reported_h"].notna()]


def closure_rate(issues) -> float:
    return float((issues["status"] == "resolved").mean()) if len(issues) else float("nan")


def mean_handling_h(issues) -> float:
    """Mean report → resolution (h) of the resolved cases."""
    done = issues[issues["status"] == "resolved"]
    return float((done["resolved_h"] - done["reported_h"]).mean()) if len(done) else float("nan")


def relative_rise(before: float, after: float) -> float:
    return after / before - 1.0 if before > 0 else float("nan")


def ratio(numerator: float, denominator: float) -> float:
    return numerator / denominator if denominator > 0 else float("nan")


def mean_wait_h(issues) -> float:
    """Mean time a resolved case waited in its handler's queue (dispatch → start), h."""
    done = issues[issues["status"] == "resolved"]
    return float((done["started_h"] - done["dispatched_h"]).mean()) if len(done) else float("nan")


def diminishing_returns(waits: Sequence[float]) -> float:
    """For waits at two equal steps of staff: the share of the wait saved over both steps that
    the first step saves. 0.5 is a straight line; above it, each step saves less than the one
    before. NaN if the two steps save nothing."""
    saved = waits[0] - waits[2]
    return (waits[0] - waits[1]) / saved if saved > 0 else float("nan")


def city_cases_rise(runs) -> float:
    """Known city-management cases after grid management against before (a ratio)."""
    before, after = (len(city_management_cases(cohort(r))) for r in runs)
    return ratio(after, before)


def city_closure_speed_up(runs) -> float:
    """Mean report → resolution of city-management cases before grid management against after."""
    before, after = (mean_handling_h(city_management_cases(cohort(r))) for r in runs)
    return ratio(before, after)


def kpi(key: str) -> Callable[[Sequence], float]:
    """The measure that reads one KPI of the first run."""

    def read(runs) -> float:
        return runs[0].kpis[key]

    read.__name__ = key
    return read


BETTER_REMEDIES = ("scenario.fit_tolerance=0.705",)  # remedies that fit more needs: the tolerance × 1.5


def satisfaction_per_resolution(runs) -> float:
    """How far the callback's satisfaction rate moves per unit of its resolution rate, from the
    first run to the second."""
    (a, b) = (r.kpis for r in runs)
    return ratio(
        b["callback_satisfaction_rate"] - a["callback_satisfaction_rate"],
        b["callback_resolution_rate"] - a["callback_resolution_rate"],
    )


HOTLINE_RATES = (
    "Beijing E-Town (development area) 2021 and 2022 (BDA 2023), Beijing's enterprise hotline 2019-21 (Beijing "
    "Youth Daily 2021), Beijing 12345's epidemic requests 2020 (Beijing Government Service Bureau 2021), Shanghai "
    "12345 2016 (The Paper 2017)"
)
CALLBACK_WHY = (
    "out of sample: the model's needs all call for a remedy that fits or not (a hotline also answers questions on "
    "the call), and a need not taken up in time is given up; the callback's own parameters cannot move it"
)

PATTERNS = (
    Pattern(
        "volume, type-based",
        "coarse",
        0.05,
        0.6,
        "Shanghai 12345 2016: 2.7 M calls for ~24.2 M residents, 0.11 a resident-year (The Paper 2017); Beijing "
        "12345 2020: 11.04 M for ~21.9 M, 0.5 (Beijing Government Service Bureau 2021)",
        volume,
        "known issues (created × (1 − never known)) per resident-year of the window",
        "known issues per resident-year",
        scale=0.1,
    ),
    Pattern(
        "volume, grid management",
        "refined",
        0.25,
        1.0,
        "Beijing Dongcheng to end 2015: about 40,000 cases a month for ~0.9 M residents, 0.5 a resident-year "
        "(Dongcheng 2017)",
        volume,
        "known issues per resident-year of the window",
        "known issues per resident-year",
        scale=0.1,
    ),
    Pattern(
        "workload, grid management",
        "refined",
        25.0,
        60.0,
        "Beijing Dongcheng to end 2015: about 40,000 cases a month for 432 city supervisors and 524 grid managers, "
        "about 42 each (29 with its 441 grid assistants), at 10.6 staff per 10,000 residents (Dongcheng 2017)",
        known_per_front_post_month,
        "known issues per front-line post and month, with the staffing budget scaled to Dongcheng's 10.6 posts "
        "per 10,000 residents",
        "known issues per front-line post-month",
        scale=5.0,
        runs=(dongcheng_staffing(),),
    ),
    Pattern(
        "busy front line, type-based",
        "coarse",
        0.7,
        0.95,
        "Changzhou 2023: 82.7 % of 162 community workers report a heavy workload with many tasks handed down "
        "(NBS Changzhou 2023); the burden of forms, meetings and inspections (General Office of the CPC Central "
        "Committee 2019); read as: most posts are given more hours of work in a month than they are paid for",
        front_line_busy,
        "share of front-line posts whose demanded hours (cases, duties, appraisal, records, patrol floor) exceeded "
        "their paid hours over a month (28 days), months after the warm-up",
        "share of posts",
        scale=0.05,
        fitted=False,
        why="a pattern about people, not hours: the duty share is set from time use (CASS), not fitted to it",
    ),
    Pattern(
        "busy front line, grid management",
        "refined",
        0.7,
        0.95,
        "grid workers overloaded with tasks pushed down to the grid (Li, Cai & Yang 2024) and kept at counters and "
        "screens (Wang 2022); read as: most posts are given more hours of work in a month than they are paid for",
        front_line_busy,
        "share of front-line posts whose demanded hours (cases, duties, appraisal, records, patrol floor) exceeded "
        "their paid hours over a month (28 days), months after the warm-up",
        "share of posts",
        scale=0.05,
        fitted=False,
        why="a pattern about people, not hours: the duty share is set from time use (CASS), not fitted to it",
    ),
    Pattern(
        "grid closure",
        "refined",
        0.95,
        1.0,
        "Beijing Dongcheng: closure above 95 % (Jiang 2010; Dongcheng 2017)",
        lambda runs: closure_rate(city_management_cases(cohort(runs[0]))),
        "share of known city-management cases resolved",
        "share of known cases",
        scale=0.02,
    ),
    Pattern(
        "process against outcome, type-based",
        "coarse",
        0.10,
        0.25,
        "Shanghai 12345 2016: on-time closure 99.5 % against an average solution rate of 82 % as the handling "
        "departments judge it (The Paper 2017), a gap of 0.175",
        lambda runs: solved_gap(runs[0].kpis),
        "on-time closure (every known case) minus the share of resolved needs actually solved",
        "on-time − actually solved",
        scale=0.03,
    ),
    # --- held out of the calibration: checked out of sample ----------------------------
    Pattern(
        "skew of report → closure, type-based",
        "coarse",
        2.0,
        4.0,
        "NYC 311 2004–16 open data: days to close, median 2.9, mean 9.0, a ratio of about 3 (an analysis of the "
        "open data, Datatellsme 2017; not an official figure)",
        lambda runs: report_to_resolution_skew(runs[0].kpis),
        "mean / median of report → resolution of resolved needs",
        "mean / median",
        scale=0.5,
        fitted=False,
        why="structure: with duties taking most of the week, a case's hours stretch over several working days and "
        "the working calendar, not the case, sets most of the time to closure; fitted, no knob values gave more "
        "than about 1.85 over seeds, and it pulled reporting and hop delays to the bounds of their ranges",
    ),
    Pattern(
        "skew of report → closure, no duties and staff round the clock",
        "coarse",
        2.0,
        4.0,
        "as above; a check of structure, not a pattern of its own",
        lambda runs: report_to_resolution_skew(runs[0].kpis),
        "as above, with no duties from above and staff handling cases round the clock (more hours than the "
        "budget's), changing only the working calendar and its duties",
        "mean / median",
        scale=0.5,
        runs=(("scenario.duty_share=0", "policy.service_hours=always"),),
        fitted=False,
        why="out of sample: a structural check of the row above; either change alone leaves the skew under 1.6",
    ),
    Pattern(
        "grid management finds more, before and after",
        "refined",
        3.0,
        12.0,
        "Beijing Dongcheng, five years of grid management: six times the cases handled before (Jiang 2010); "
        "before is the type-based status quo (coarse, basic access), after the grid regime",
        city_cases_rise,
        "known city-management cases (environment needs, facility faults) of refined against coarse with basic "
        "access, a ratio",
        "after / before",
        scale=1.0,
        runs=(BEFORE, AFTER),
        fitted=False,
        contrast=True,
        why="not at equal budget: the reform hired 400+ city supervisors whose whole job was to walk the "
        "streets and report, on top of the staff before; the model compares regimes at equal capacity, with "
        "the duties every post carries (fitted, it could not rise above about 1.1 and pushed other knobs)",
    ),
    Pattern(
        "grid management closes faster, before and after",
        "refined",
        13.0,
        52.0,
        "Beijing Dongcheng: the average time to close a problem fell from about a week to 6.5 hours (Jiang 2010), "
        "a ratio of about 26 (half to double it as the target)",
        city_closure_speed_up,
        "mean report → resolution of known city-management cases, coarse with basic access against refined, a ratio",
        "before / after",
        scale=5.0,
        runs=(BEFORE, AFTER),
        fitted=False,
        contrast=True,
        why="structure: the type-based hierarchy passes a case on in hours (hop delays of an hour or so, "
        "calibrated to NYC 311's skew), not in the days the old Dongcheng took, and the grid regime cannot "
        "close in 6.5 h (see grid speed)",
    ),
    Pattern(
        "grid speed",
        "refined",
        0.0,
        7.0,
        "Beijing Dongcheng: average handling time under 7 hours (Dongcheng 2017; 6.5 h in Jiang 2010)",
        lambda runs: mean_handling_h(city_management_cases(cohort(runs[0]))),
        "mean report → resolution (h) of resolved city-management cases (environment needs, facility faults)",
        "hours",
        scale=7.0,
        fitted=False,
        why="structure: a front line of 40-hour weeks leaves evening and weekend reports for the next shift; "
        "fitted, it drove handling times and delays to the bounds of their ranges",
    ),
    Pattern(
        "under-served groups, type-based",
        "coarse",
        0.05,
        1.0,
        "brief: complaint-driven management under-serves groups that report less (migrants)",
        lambda runs: migrant_unreported_excess(runs[0].kpis),
        "migrants' share of needs never known minus the employed's",
        "difference of shares",
        scale=0.05,
        fitted=False,
        why="out of sample",
    ),
    Pattern(
        "induced demand, type-based",
        "coarse",
        0.2,
        0.6,
        "Shanghai 12345 calls +37 % in 2016 (The Paper 2017), Beijing 12345 +55 % in 2020 (Beijing Government "
        "Service Bureau 2021), as channels widened",
        lambda runs: relative_rise(volume(runs[:1]), volume(runs[1:])),
        "relative rise of the known volume with the digital channel against counter and hotline alone",
        "relative rise of known volume",
        scale=0.1,
        runs=(WITHOUT_DIGITAL, ()),
        fitted=False,
        why="out of sample",
    ),
    Pattern(
        "induced demand, a hotline added to an office-hours counter",
        "coarse",
        0.2,
        0.6,
        "as above; a check of structure, not a pattern of its own",
        lambda runs: relative_rise(volume(runs[:1]), volume(runs[1:])),
        "relative rise of the known volume with a round-the-clock hotline against a counter in office hours "
        "alone: the same measure, another channel added to another base",
        "relative rise of known volume",
        scale=0.1,
        runs=(("access=basic", "policy.channels=[counter]"), ("access=basic",)),
        fitted=False,
        why="structure: a resident reports through the easiest channel open to them, so the rise is set by what "
        "is added to what: an app beside a round-the-clock hotline adds under a tenth (the row above), a hotline "
        "beside an office-hours counter about doubles the volume; the hotlines' 37-55 % lies between",
    ),
    Pattern(
        "queueing shape, type-based",
        "coarse",
        0.6,
        math.inf,
        "waits grow sharply as utilisation nears 1 (Kingman 1961), diminishing returns to staff (Borst, "
        "Mandelbaum & Reiman 2004)",
        lambda runs: diminishing_returns([mean_wait_h(cohort(r)) for r in runs]),
        "share of the queue wait saved by staffing from 50 % to 100 % of the budget that the first half of "
        "the increase (50 % to 75 %) saves",
        "share of the saving",
        scale=0.1,
        runs=tuple(staffing(f) if f != 1.0 else () for f in STAFF_STEPS),
        fitted=False,
        why="out of sample",
    ),
)


PATTERNS = (
    *PATTERNS,
    Pattern(
        "callback response, hotline",
        "coarse",
        0.95,
        1.0,
        "response rates (响应率) of 98.01 % (Beijing E-Town 2022: BDA 2023) and 99.7 % (Beijing's enterprise "
        "hotline 2019-21: Beijing Youth Daily 2021)",
        kpi("callback_response_rate"),
        "share of known cases taken up within a day of being known (12345's 响应率; metrics.RESPONSE_H)",
        "share of known cases",
        scale=0.02,
        fitted=False,
        why="out of sample: a hotline answers by calling the resident back within limits counted in working "
        "time; here a case counts as answered when its handler starts on it within 24 clock hours, which a front "
        "line of 40-hour weeks cannot do for cases reported in the evening or at the weekend",
    ),
    Pattern(
        "callback resolution, hotline",
        "coarse",
        0.82,
        0.962,
        f"resolution rates (解决率) of 82 % to 96.2 %: {HOTLINE_RATES}",
        kpi("callback_resolution_rate"),
        "share of called-back cases whose need was met (12345's 解决率, as residents say)",
        "share of callbacks",
        scale=0.02,
        fitted=False,
        why=CALLBACK_WHY,
    ),
    Pattern(
        "callback satisfaction, hotline",
        "coarse",
        0.915,
        0.96,
        f"satisfaction rates (满意率) of 91.5 % to 96.0 %: {HOTLINE_RATES}",
        kpi("callback_satisfaction_rate"),
        "share of called-back cases rated satisfied or basically satisfied (12345's 满意率)",
        "share of callbacks",
        scale=0.02,
        fitted=False,
        why=CALLBACK_WHY + "; satisfaction follows resolution",
    ),
    Pattern(
        "callback satisfaction follows resolution",
        "coarse",
        0.3,
        0.6,
        "Beijing E-Town: resolution up 9.97 points and satisfaction up 4.45 from 2021 to 2022 (BDA 2023), 0.45 "
        "a point; the line through those two years passes within 1.0 points of the other Beijing pairs "
        "(results/calibration/callback.md)",
        satisfaction_per_resolution,
        "change of the satisfaction rate per change of the resolution rate, from the defaults to remedies that "
        "fit more needs (fit tolerance × 1.5)",
        "points per point",
        scale=0.1,
        runs=((), BETTER_REMEDIES),
        fitted=False,
        why="fitted by python -m experiments.callback, not by the calibration's knobs: the shares satisfied with "
        "the need solved and not come from the same two years, so the slope is close to their difference by "
        "construction; checked here in a world of better remedies, not independent evidence",
    ),
)


# The replay of Beijing Dongcheng's reform (experiment=replay_dongcheng; ODD 7.20): the district
# before, with its own conditions (configs/scenario/dongcheng.yaml), and after, every part of
# the reform switched on.
REPLAY = ("scenario=dongcheng", "policy.inspection_share=0")
REPLAY_BEFORE = (*REPLAY, "variant=dongcheng", "access=basic")
REPLAY_AFTER = (
    *REPLAY,
    "variant=dongcheng+individualisation+party",
    "access=modern",
    "scenario.workers_per_10k=25.8",
    "scenario.supervisors_per_10k=4.8",
    "policy.command_centre=true",
)
# The after with one structure changed: departments handle cases and supervisors verify them round
# the clock (a what-if with more hours than the budget's), to show what sets the replay's speed.
REPLAY_AFTER_ROUND_THE_CLOCK = (*REPLAY_AFTER, "scenario.department_hours=always", "scenario.supervisor_hours=always")
REPLAY_RUNS = (REPLAY_BEFORE, REPLAY_AFTER)
DONGCHENG = "Beijing Dongcheng's grid management of city management from October 2004"


def after_over_before(key: str) -> Callable[[Sequence], float]:
    """The measure: a KPI after the reform over the same KPI before it (the second run's over the
    first's)."""

    def read(runs) -> float:
        return ratio(runs[1].kpis[key], runs[0].kpis[key])

    read.__name__ = f"{key}_after_over_before"
    return read


def before_over_after(key: str) -> Callable[[Sequence], float]:
    def read(runs) -> float:
        return ratio(runs[0].kpis[key], runs[1].kpis[key])

    read.__name__ = f"{key}_before_over_after"
    return read


def after(key: str) -> Callable[[Sequence], float]:
    def read(runs) -> float:
        return float(runs[-1].kpis[key])

    read.__name__ = f"{key}_after"
    return read


PATTERNS = (
    *PATTERNS,
    Pattern(
        "replay: Dongcheng handles more, before and after",
        "replay",
        3.0,
        12.0,
        f"{DONGCHENG}: after five years, six times the number of cases handled before (Jiang 2010)",
        after_over_before("city_cases_resolved"),
        "city-management cases closed (environment needs, faults and events in public space), the replay's after "
        "against its before",
        "after / before",
        scale=1.0,
        runs=REPLAY_RUNS,
        fitted=False,
        contrast=True,
        why="out of sample: the stock of public-space problems is set from Dongcheng's volume, its before's hop "
        "delay from the week it took to close",
    ),
    Pattern(
        "replay: Dongcheng closes faster, before and after",
        "replay",
        13.0,
        52.0,
        f"{DONGCHENG}: the average time to close a problem fell from about a week to 6.5 hours (Jiang 2010), a "
        "ratio of about 26 (half to double it as the target)",
        before_over_after("city_close_mean_h"),
        "mean report → closure of the city-management cases closed, the replay's before against its after",
        "before / after",
        scale=5.0,
        runs=REPLAY_RUNS,
        fitted=False,
        contrast=True,
        why="structure: the before's hop delay (60 h) is set so that it closes in about the week Jiang (2010) "
        "reports, so this ratio tests the after's time, which departments' and supervisors' office hours set "
        "(see grid speed); met before verification was modelled (13.7), just missed with it",
    ),
    Pattern(
        "replay: grid speed",
        "replay",
        0.0,
        7.0,
        "Beijing Dongcheng: city-management cases closed within 7 hours on average (Dongcheng 2017; 6.5 h in Jiang "
        "2010)",
        after("city_close_mean_h"),
        "mean report → closure (h) of the city-management cases closed, the replay's after",
        "hours",
        scale=7.0,
        runs=REPLAY_RUNS,
        fitted=False,
        contrast=True,
        why="structure: departments and supervisors keep office hours, so a case found, handled or to be "
        "verified late in the day waits for the next morning; the row below changes only that",
    ),
    Pattern(
        "replay: grid speed, departments and supervisors round the clock",
        "replay",
        0.0,
        7.0,
        "as above; a check of structure, not a pattern of its own",
        after("city_close_mean_h"),
        "as above, with departments handling cases and supervisors verifying them round the clock "
        "(scenario.department_hours and supervisor_hours=always): more hours than the budget's, so a what-if, "
        "changing only that",
        "hours",
        scale=7.0,
        runs=(REPLAY_BEFORE, REPLAY_AFTER_ROUND_THE_CLOCK),
        fitted=False,
        contrast=True,
        why="out of sample: a structural check, the same after with departments and supervisors round the clock",
    ),
    Pattern(
        "replay: cases from the public",
        "replay",
        0.035,
        0.15,
        "Beijing Dongcheng, 2004 to the end of 2015: 140,800 of the 1,928,900 cases filed came from the public "
        "(hotline, media, WeChat), 7.3 %; the rest its collectors found (Dongcheng 2017); half to double as the "
        "target",
        after("city_public_share"),
        "share of the known city-management cases reported through the public's channels (counter, hotline, "
        "digital), the replay's after",
        "share of known cases",
        scale=0.03,
        runs=REPLAY_RUNS,
        fitted=False,
        contrast=True,
        why="structure: here the public also reports residents' own environment needs (about a tenth of the known "
        "cases), and a passer-by reports an event before a supervisor's walk comes by in about 0.15 of those "
        "known; Dongcheng's 7 % counts the reports its grid system took, apart from its 12345 requests (ODD 7.20)",
    ),
    Pattern(
        "replay: grid closure",
        "replay",
        0.95,
        1.0,
        "Beijing Dongcheng: closure above 95 % a year (Dongcheng 2017; Jiang 2010)",
        after("city_closure_rate"),
        "share of the known city-management cases closed, the replay's after",
        "share of known cases",
        scale=0.02,
        runs=REPLAY_RUNS,
        fitted=False,
        contrast=True,
        why="out of sample",
    ),
)


def _targets(p: Pattern, presets) -> tuple[str | None, ...]:
    """The presets a pattern is measured under: those named (default: the regime it
    describes); a contrast once, under None (its runs name their presets)."""
    if p.contrast:
        return (None,)
    return tuple(presets) if presets is not None else (p.regime,)


def run_plan(patterns=PATTERNS, presets=None) -> list[tuple[str | None, tuple[str, ...]]]:
    """The distinct runs (preset, overrides) the patterns need, in a stable order."""
    plan = []
    for p in patterns:
        for preset in _targets(p, presets):
            for overrides in p.runs:
                if (preset, overrides) not in plan:
                    plan.append((preset, overrides))
    return plan


def measure_all(results: dict, patterns=PATTERNS, presets=None) -> dict[tuple[str, str | None], float]:
    """Each pattern's value from ``results`` ((preset, overrides) → the result of that run), by
    (pattern, preset)."""
    out = {}
    for p in patterns:
        for preset in _targets(p, presets):
            runs = [results[(preset, o)] for o in p.runs]
            out[(p.name, preset)] = float("nan") if None in runs else float(p.measure(runs))
    return out


def fitted_value(values: dict, p: Pattern) -> float:
    """The value a pattern is judged on: under the regime it describes (a contrast: its own)."""
    return values[(p.name, None if p.contrast else p.regime)]


def simulate_plan(common: Sequence[str], seed: int, patterns=PATTERNS, adjust=None, presets=None) -> dict:
    """Run every run the patterns need at one seed (with ``common`` overrides, and ``adjust``
    applied to each composed configuration) and measure the patterns (:func:`measure_all`)."""
    from sim.model.params import ConfigError, validate
    from sim.study.config import load_config
    from sim.study.run import simulate

    results = {}
    for preset, overrides in run_plan(patterns, presets):
        policy = () if preset is None else (f"policy={preset}",)
        try:  # a regime that cannot run there (its duties and volunteers leave no time): NaN
            cfg = load_config(*policy, f"seed={seed}", "progress=false", *common, *overrides)
            if adjust is not None:
                adjust(cfg)
                validate(cfg)
            results[(preset, overrides)] = simulate(cfg)
        except ConfigError:
            results[(preset, overrides)] = None
    return measure_all(results, patterns, presets)


def _cell(values, p: Pattern) -> str:
    from scipy import stats

    v = np.asarray(values, dtype=float)
    mean = float(np.mean(v))
    half = stats.t.ppf(0.975, len(v) - 1) * v.std(ddof=1) / len(v) ** 0.5 if len(v) > 1 else float("nan")
    mark = "" if p.passes(mean) else " ✗"
    return f"{mean:.3g} [{mean - half:.3g}, {mean + half:.3g}]{mark}"


def table(values: dict[tuple[str, str | None], list[float]], patterns=PATTERNS) -> str:
    """The pattern table in Markdown: the target; each preset's mean over seeds with a 95%
    interval (✗: outside the target); whether the regime the pattern describes meets it; fitted
    or held out (and why); the source."""
    lines = [
        "| pattern | describes | target | coarse (mean, 95% CI over seeds) | refined | met | use | source "
        "| measured as |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for p in patterns:
        if p.contrast:
            cells = [_cell(values[(p.name, None)], p)] * 2
            cells[0] = f"({'replay' if p.regime == 'replay' else 'contrast'}) " + cells[0]
            cells[1] = "(the same)"
        else:
            cells = [_cell(values[(p.name, preset)], p) for preset in PRESETS]
        mean = float(np.mean(fitted_value(values, p)))
        verdict = "yes" if p.passes(mean) else "**no**"
        use = "fitted" if p.fitted else f"held out: {p.why}"
        lines.append(
            f"| {p.name} | {p.regime} | {p.low:g} – {p.high:g} | {cells[0]} | {cells[1]} | {verdict} | {use} "
            f"| {p.source} | {p.how} |"
        )
    return "\n".join(lines) + "\n"


def per_seed_values(per_seed: list[dict]) -> dict:
    """{(pattern, preset): [value per seed]} from :func:`simulate_plan`'s results per seed."""
    return {key: [s[key] for s in per_seed] for key in per_seed[0]}


def main(argv=None) -> int:
    import argparse

    parser = argparse.ArgumentParser(
        prog="python -m experiments.patterns",
        description="Measure the town defaults, under both presets, against the patterns of real systems.",
    )
    parser.add_argument("--seeds", type=int, default=5, help="seeds (default 5)")
    parser.add_argument("--days", type=int, default=815, help="horizon (default 815, as the experiments)")
    parser.add_argument("--warmup", type=int, default=450, help="warm-up days (default 450)")
    parser.add_argument("--out", default="results/figures/patterns.md", help="where to write the table")
    args = parser.parse_args(argv)
    if args.seeds < 2 or args.warmup >= args.days:
        parser.error("--seeds must be at least 2 and --warmup less than --days")
    common = (f"days={args.days}", f"warmup_days={args.warmup}")
    values = per_seed_values([simulate_plan(common, seed, presets=PRESETS) for seed in range(args.seeds)])
    text = (
        f"Patterns of real systems against the town defaults, under both presets ({args.seeds} seeds, {args.days} "
        f"days, the first {args.warmup} a warm-up; `python -m experiments.patterns`). Sources: ODD.md, "
        "references.\n\n" + table(values)
    )
    return write(args.out, text)


def write(path, text: str) -> int:
    """Write a table (and its folder) and print it: the end of a command that measures."""
    from pathlib import Path

    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text)
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
