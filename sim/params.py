"""Every parameter of govsim, declared once, with meaning, unit, range and source.

Two dataclasses carry all inputs of a run:

* :class:`Scenario` - the world: population, territory, demand, resident behaviour, the
  staffing budget. It is the same under every governance regime.
* :class:`Policy` - the regime dials. Its defaults are the coarse, type-based (类型化)
  status quo; ``configs/policy/refined.yaml`` switches dials to the individualised (个体化)
  setting. Nothing else distinguishes the regimes.

Each field's ``metadata`` holds ``unit``, ``source`` and, for numbers, ``range`` (inclusive
bounds) or, for choices, ``choices``. An uncertain number also has ``vary``: the range over
which the sensitivity analyses and scenario discovery sample it (:mod:`sim.design`). Unless its
source says otherwise, that range is an assumption: a calibrated value within about a factor of
two, an assumed one over the span that seems plausible. :func:`validate` checks a whole configuration against
them and names the key, the value and what is allowed. The tables in ``ODD.md`` are generated
from this file (``python -m sim.params``), so the two cannot drift apart.

Sources are abbreviated: "case book" is 《像绣花一样精细》 (see ``ODD.md``); "assumption" means a
modelling choice not backed by a figure, to be varied in sweeps.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field
from typing import Any

SERVICE_TYPES = ("environment", "housing", "welfare", "dispute", "safety", "facility")
"""Service lines. ``facility`` is for component faults (部件); the others are residents' needs."""

RESIDENT_TYPES = SERVICE_TYPES[:-1]
SPECIALIST_TYPES = ("housing", "safety", "facility")
"""Lines that need a specialist: a generalist front line takes longer on them (``generalist_time_factor``)."""
CHANNELS = ("counter", "hotline", "digital")
CALENDARS = {
    # A week starts on Monday 00:00 (t = 0 h). Every staffed calendar has 40 h a week, so
    # changing the hours never changes the staffing budget.
    "office": ("Mon-Fri 09-17",),
    # "8+3" staggered service (错时服务, case book): the same 8 hours a day, three of them moved
    # into the evening when employed residents are home.
    "staggered": ("Mon-Fri 09-12", "Mon-Fri 15-20"),
    # Round the clock: only for the queueing validation and for what-if runs; it is not a
    # 40-hour calendar, so it changes the budget and says so in the ODD.
    "always": ("Mon-Sun 00-24",),
    # Volunteers' hours (not staff: no 40-hour week): weekday evenings and weekend days, when
    # residents in work can give time. Assumption.
    "evenings_weekends": ("Mon-Fri 18-21", "Sat-Sun 09-17"),
}
STAFF_CALENDARS = ("office", "staggered", "always")
BUNDLE_DIALS = {
    # The policy dials by what they are: access is held equal between the presets (the same
    # channels and hours, configs/access), the other two bundles are what refined changes.
    "access": ("channels", "service_hours"),
    "individualisation": (
        "pool_level",
        "workers_per_grid",
        "patrol_share",
        "patrol_floor",
        "routing",
        "linkage",
        "competence",
        "remedy",
    ),
    "party": ("mobilisation", "pairing", "evaluation"),
}
"""The policy dials of each bundle (sim.analysis.BUNDLES, experiment=decomposition)."""
STAFF_WEEK_H = 40.0
"""Hours a week of one paid post (every staff calendar but ``always`` has 40)."""


CALIBRATED = "calibrated (python -m experiments.calibrate, results/calibration)"
"""Source prefix of the defaults set by the pattern-oriented calibration: each names the patterns
of experiments.patterns that pin it; their figures and sources are in ODD.md's references."""


class ConfigError(ValueError):
    """A configuration value is unknown, of the wrong kind or out of range."""


def _p(default: Any, unit: str, source: str, help: str, *, range=None, choices=None, vary=None):
    """Declare a parameter: default plus the metadata every parameter must carry. ``vary``
    (low, high) marks an uncertain number and gives the range over which the sensitivity
    analyses and scenario discovery sample it (:mod:`sim.design`)."""
    meta = {"unit": unit, "source": source, "help": help}
    if range is not None:
        meta["range"] = range
    if vary is not None:
        meta["vary"] = vary
    if choices is not None:
        meta["choices"] = choices
    if isinstance(default, (list, dict)):
        return field(default_factory=lambda: type(default)(default), metadata=meta)
    return field(default=default, metadata=meta)


@dataclass
class Category:
    """A resident category as type-based management sees it."""

    share: float = _p(0.2, "fraction", "assumption", "share of residents", range=(0, 1))
    need_rates: dict[str, float] = _p(
        {"environment": 0.3, "housing": 0.4, "welfare": 0.3, "dispute": 0.3, "safety": 0.1},
        "needs per resident per year",
        f"{CALIBRATED}: the level to the patterns 'volume' (12345 hotlines, 0.11-0.5 calls a resident-year; "
        "Dongcheng, ~0.5: ODD references) and 'workload, grid management' (Dongcheng, ~42 cases a staff member a "
        "month); the ratios between categories and types are an assumption",
        "category-average rate of needs arising, by service type",
    )
    propensity: float = _p(
        0.5,
        "probability",
        f"{CALIBRATED}: the level to the volume patterns (12345 hotlines, Dongcheng: ODD references); the "
        "ratios between categories are an assumption",
        "base willingness to report a need",
        range=(0, 1),
    )
    digital_access: float = _p(0.8, "probability", "assumption", "chance of using digital channels", range=(0, 1))
    away: list[str] = _p([], "weekly hours", "assumption", "hours away from home (e.g. at work)")


def default_categories() -> dict[str, Category]:
    """Jinshan-like mix. Shares and the relative rates and propensities of the categories are
    assumptions; the level of the need rates and of the propensities is calibrated (CALIBRATED)."""
    return {
        "employed": Category(
            0.45,
            {"environment": 0.066, "housing": 0.049, "welfare": 0.016, "dispute": 0.033, "safety": 0.016},
            1.0,
            0.95,
            ["Mon-Fri 08-18"],
        ),
        "elderly": Category(
            0.20,
            {"environment": 0.049, "housing": 0.082, "welfare": 0.246, "dispute": 0.049, "safety": 0.016},
            1.0,
            0.40,
            [],
        ),
        # Migrants (up to 35 % of residents lack local registration, case book: 820k vs 530k)
        # report less: complaint-driven management under-serves them (brief, patterns).
        "migrant": Category(
            0.20,
            {"environment": 0.049, "housing": 0.066, "welfare": 0.049, "dispute": 0.049, "safety": 0.033},
            0.58,
            0.85,
            ["Mon-Sat 08-19"],
        ),
        "assisted": Category(
            0.05,
            {"environment": 0.049, "housing": 0.082, "welfare": 0.328, "dispute": 0.049, "safety": 0.016},
            0.94,
            0.50,
            [],
        ),
        "family": Category(
            0.10,
            {"environment": 0.082, "housing": 0.066, "welfare": 0.082, "dispute": 0.049, "safety": 0.016},
            1.0,
            0.90,
            ["Mon-Fri 08-18"],
        ),
    }


@dataclass
class ServiceType:
    """A service line: how long its cases take and how long people wait for them."""

    service_h: float = _p(
        2.0,
        "hours",
        f"{CALIBRATED}: the level to the patterns 'busy front line' (Changzhou 2023; Li, Cai & Yang 2024), "
        "'grid closure' (Dongcheng) and the skew of closure times (NYC 311: ODD references); the ratios between "
        "lines are an assumption",
        "mean hands-on handling time",
        range=(0.01, 1000),
    )
    patience_days: float = _p(
        30.0,
        "days",
        f"{CALIBRATED}: the level to the volume and workload patterns (residents wait, and call again) and "
        "'grid closure' (Dongcheng, closure above 95 %: ODD references); the ratios between lines are an "
        "assumption",
        "mean time before a need is given up",
        range=(0.01, 1e6),
    )
    volunteer_eligible: bool = _p(
        False,
        "flag",
        "case book: 党员志愿者 join clean-up campaigns (environment); welfare visits and mediation (dispute) "
        "are an assumption",
        "volunteers may handle it",
    )


def default_service_types() -> dict[str, ServiceType]:
    """Handling times and patience: their ratios between lines are assumptions, their level is
    calibrated (CALIBRATED: the first uncalibrated values × 0.71 and × 0.41)."""
    return {
        "environment": ServiceType(1.05, 5.8, True),
        "housing": ServiceType(2.12, 12.4, False),
        "welfare": ServiceType(1.41, 12.4, True),
        "dispute": ServiceType(1.41, 4.2, True),
        "safety": ServiceType(0.71, 1.2, False),
        # Faults in components (部件) do not go away by themselves; they wait for repair long.
        "facility": ServiceType(1.05, 151.0, False),
    }


@dataclass(frozen=True)
class TableScale:
    """The level of a table of the scenario (every entry times one factor), declared as an
    uncertain number for the sensitivity analyses (:mod:`sim.design`); the ratios between the
    entries stay as they are."""

    table: str
    field: str
    vary: tuple[float, float]
    source: str
    help: str
    most: float | None = None
    """The largest value an entry may take (a probability: 1); a scaled entry stops there."""


TABLE_SCALES = {
    "scale.need_rates": TableScale(
        "categories",
        "need_rates",
        (0.5, 2.0),
        f"assumption: the calibrated level ({CALIBRATED}) within a factor of two",
        "every category's need rates, times this",
    ),
    "scale.service_h": TableScale(
        "service_types",
        "service_h",
        (0.5, 2.0),
        "assumption: the calibrated level within a factor of two",
        "every line's mean handling time, times this",
    ),
    "scale.patience_days": TableScale(
        "service_types",
        "patience_days",
        (0.5, 2.0),
        "assumption: the calibrated level within a factor of two",
        "every line's mean patience, times this",
    ),
    "scale.propensity": TableScale(
        "categories",
        "propensity",
        (0.6, 1.4),
        f"assumption: the calibrated level ({CALIBRATED}) within ±40 %; the calibration pins volume, which need "
        "rates and propensities share",
        "every category's base willingness to report, times this (at most 1)",
        most=1.0,
    ),
}
"""Uncertain levels of the tables above, by the name a design gives them."""


@dataclass(frozen=True)
class TableEntry:
    """One entry of a table of the scenario, declared as an uncertain number for the sensitivity
    analyses (:mod:`sim.design`): its name is its path in the configuration."""

    default: float
    vary: tuple[float, float]
    unit: str
    source: str
    help: str


TABLE_ENTRIES = {
    "scenario.channel_ease.hotline": TableEntry(
        0.91,
        (0.5, 1.0),
        "multiplier",
        f"{CALIBRATED}; varied from half as easy as in person to as easy (assumption)",
        "willingness to report by the 12345 hotline relative to in person",
    ),
    "scenario.channel_ease.digital": TableEntry(
        1.0,
        (0.5, 1.0),
        "multiplier",
        "assumption: WeChat/QR as easy as in person, varied down to half as easy",
        "willingness to report by app or WeChat relative to in person",
    ),
    "scenario.categories.migrant.propensity": TableEntry(
        0.58,
        (0.3, 0.9),
        "probability",
        "assumption: migrants report less (brief: complaint-driven management under-serves them); the ratio to "
        "the other categories is not measured, varied from half to 1.5 times",
        "migrants' base willingness to report a need",
    ),
}
"""Uncertain entries of the scenario's tables, by the name a design gives them (their path)."""


@dataclass
class Scenario:
    """The world in which a regime is tried. Defaults describe the ``town`` scenario."""

    name: str = _p("town", "-", "-", "scenario label")
    # --- territory and population -------------------------------------------------------
    n_residents: int = _p(
        20_000, "residents", "brief (town: tens of thousands)", "resident population", range=(1, 5_000_000)
    )
    n_towns: int = _p(1, "towns", "case book: 9 towns + 1 subdistrict + 2 zones", "number of towns", range=(1, 1000))
    communities_per_town: int = _p(
        6,
        "communities",
        "case book: ~820,000 residents in ~230 村居 ≈ 3,600 residents per community, so a town of 20,000 has "
        "about 6 (Jinshan's towns are larger: 230 / 12 ≈ 19 each, as in the district scenario)",
        "村居 per town",
        range=(1, 10_000),
    )
    area_km2: float = _p(
        15.0,
        "km²",
        "case book: Jinshan's density, 820,000 residents / 613 km² ≈ 1,340 per km², gives 15 km² for the town's 20,000",
        "land area of the territory",
        range=(0.001, 1e6),
    )
    registration_mismatch: float = _p(
        0.21,
        "fraction",
        "assumption: the case book's 2.91 亿 人户分离 (2017; 2.44 亿 of them floating population) over a national "
        "population of ~13.9 亿 that the case book does not give; drawn independently of the migrant category; "
        "vary 0.05-0.4",
        "share of residents registered in another community (人户分离)",
        range=(0, 1),
        vary=(0.05, 0.4),
    )
    need_heterogeneity: float = _p(
        0.5,
        "sigma",
        "assumption",
        "size of individual need deviations relative to differences between categories; "
        "0: categories describe people exactly",
        range=(0, 5),
        vary=(0.0, 1.5),
    )
    away_extra_h: int = _p(
        0,
        "hours",
        "assumption: the categories' hours away are a working day with its commute; longer commutes and "
        "overtime lengthen it, vary -2 to +3",
        "hours added to the end of every category's stretch away from home (negative: taken off)",
        range=(-12, 12),
        vary=(-2, 3),
    )
    categories: dict[str, Category] = field(
        default_factory=default_categories,
        metadata={"unit": "-", "source": "assumption", "help": "resident categories"},
    )
    service_types: dict[str, ServiceType] = field(
        default_factory=default_service_types, metadata={"unit": "-", "source": "assumption", "help": "service lines"}
    )
    facility_faults_per_1k: float = _p(
        49.0,
        "faults per 1,000 residents per year",
        f"{CALIBRATED}: scaled with the need rates to the volume and workload patterns (12345 hotlines, "
        "Dongcheng: ODD references)",
        "component faults (部件) arising in public space",
        range=(0, 1e5),
        vary=(25.0, 100.0),
    )
    demand_scale: float = _p(
        1.0,
        "multiplier",
        "-",
        "every need rate and the fault rate, times this: the load on a regime at a fixed staffing budget",
        range=(0, 1000),
    )
    facility_report_prob: float = _p(
        0.3,
        "probability",
        "assumption",
        "chance a passer-by reports a fault",
        range=(0, 1),
        vary=(0.1, 0.6),
    )
    # --- staffing budget (identical across regimes) -------------------------------------
    workers_per_10k: float = _p(
        20.0,
        "workers per 10,000 residents",
        "Jinshan, Tinglin town: each grid worker has 200+ households (ODD references: Dongfang Chengxiang Bao 2017), "
        "at 2.5 residents a household",
        "front-line staffing budget (grid workers or central staff)",
        range=(0.01, 10_000),
        vary=(5.0, 40.0),
    )
    dept_staff_per_10k: float = _p(
        12.0,
        "staff per 10,000 residents",
        "assumption",
        "department staff, split over service lines in proportion to expected workload",
        range=(0.01, 10_000),
        vary=(8.0, 16.0),
    )
    staff_split: str = _p(
        "routed",
        "-",
        "design choice: each regime at its best, with departments staffed for the caseload they get",
        "how staff are split between the front line and departments: 'routed' - in proportion to the work "
        "each line received in a staffing study (a pilot run of the same regime, staffing_pilot_days long, "
        "of staffing_pilot_residents) per hour a person there can handle; 'expected' - departments in proportion "
        "to the expected work of all needs, whoever routes them",
        choices=("routed", "expected"),
    )
    staffing_pilot_days: int = _p(
        182,
        "days",
        "assumption: half a year's caseload, measured over its second quarter, after reports of lasting needs "
        "and faults have built up (a year changes the split by ~2 points)",
        "length of the staffing study",
        range=(14, 3650),
    )
    staffing_pilot_residents: int = _p(
        2000,
        "residents",
        "assumption: large enough for the split between lines, small enough to cost a fraction of a run",
        "size of the staffing study's population (part of one town, at the scenario's density)",
        range=(100, 5_000_000),
    )
    volunteer_budget: str = _p(
        "counted",
        "-",
        "design choice: regimes compared at equal total handling capacity (paid plus volunteer hours)",
        "'counted' - volunteer hours replace paid front-line hours (one worker per 40 volunteer hours a week), "
        "so paid plus volunteer hours are the same under every regime; 'on_top' - volunteers are extra",
        choices=("counted", "on_top"),
    )
    travel_kmh: float = _p(
        15.0,
        "km/h",
        "assumption (e-bike in town traffic)",
        "travel speed of staff",
        range=(0.1, 1000),
        vary=(8.0, 30.0),
    )
    travel: bool = _p(True, "flag", "-", "whether staff travel to the issue (off for queueing validation)")
    # --- how paid posts spend their hours (every regime, every line) ---------------------
    duty_share: float = _p(
        0.71,
        "fraction of paid hours",
        f"{CALIBRATED}: to the patterns 'busy front line' (82.7 % of community workers report a heavy workload, NBS "
        "Changzhou 2023; grid workers overloaded, Li, Cai & Yang 2024: ODD references). No time share for grid or "
        "community workers was found; the nearest figure, county officials' week of about 8.4 h of meetings, "
        "5.3 h of documents and 4.3 h accompanying superiors (CASS survey, China Daily 2011), is 18 of 40 hours",
        "share of every paid post's hours (front line and departments, under every regime) taken by duties "
        "assigned from above: forms and statistics (填表报数), meetings, inspections, campaigns",
        range=(0, 0.9),
        vary=(0.36, 0.72),
    )
    doc_h_per_case: float = _p(
        0.25,
        "hours per case",
        "assumption: every case is recorded (留痕: a form and photos; ODD references: General Office of the CPC "
        "Central Committee and General Office of the State Council 2024 on 拍照留痕)",
        "documentation time of each case handled by staff (front line or department), besides its handling",
        range=(0, 100),
        vary=(0.05, 0.75),
    )
    doc_h_per_visit: float = _p(
        0.05,
        "hours per visit",
        "assumption: three minutes to log a visit in the household's file",
        "documentation time of each household visit that finds someone at home",
        range=(0, 100),
        vary=(0.0, 0.15),
    )
    records_h_per_resident_year: float = _p(
        0.2,
        "hours per resident per year",
        "assumption: about half an hour a year per household of 2.5 to keep its file (一户一档) up to date",
        "front-line time to keep person-level records, where remedies are tailored to the person",
        range=(0, 100),
        vary=(0.0, 0.25),
    )
    digital_triage_h: float = _p(
        0.1,
        "hours per report",
        "Beijing 12345: about six minutes from a call to a dispatched work order (ODD references: Beijing Youth "
        "Daily 2021); a message through the digital channel is read and turned into a case the same way",
        "time the handler spends to read, triage and answer a report made through the digital channel (its "
        "operating cost, counted in the handler's hours)",
        range=(0, 100),
        vary=(0.05, 0.25),
    )
    generalist_time_factor: float = _p(
        1.5,
        "multiplier",
        "assumption: a generalist takes longer on cases a specialist department would handle",
        "handling time of the front line on the specialist lines (housing, safety, facility) relative to their "
        "department",
        range=(1, 10),
        vary=(1.0, 2.5),
    )
    patrol_street_share: float = _p(
        0.3,
        "fraction of patrol hours",
        "assumption",
        "share of the front line's patrol hours spent walking public space (where component faults are found); "
        "the rest goes to household visits",
        range=(0, 1),
        vary=(0.1, 0.6),
    )
    inspection_km2_per_h: float = _p(
        0.05,
        "km² per hour",
        "assumption anchored on Beijing Dongcheng's city supervisors, one per 0.18 km² (ODD references: Jiang "
        "2010), taken to walk their beat in about half a working day",
        "public space checked for component faults per hour of street patrol or inspection",
        range=(0.0001, 100),
        vary=(0.02, 0.2),
    )
    # --- routing ------------------------------------------------------------------------
    hop_delay_h: float = _p(
        6.2,
        "hours",
        f"{CALIBRATED}: to the volume, closure and process patterns (12345 hotlines, Dongcheng: ODD references)",
        "delay per hierarchical hop",
        range=(0, 1000),
        vary=(3.1, 12.4),
    )
    hierarchy_hops: int = _p(
        4,
        "hops",
        "brief: hotline → district → department → town → community",
        "hops to the community under hierarchical routing",
        range=(0, 20),
        vary=(3, 5),
    )
    bounce_hops: int = _p(
        2, "hops", "assumption", "extra hops when routed by registration address", range=(0, 20), vary=(0, 4)
    )
    # --- information and remedies -------------------------------------------------------
    visit_h: float = _p(
        0.1,
        "hours per resident",
        "assumption (15 min per household of 2.5)",
        "worker time a visit costs",
        range=(0.001, 100),
        vary=(0.05, 0.4),
    )
    info_decay_days: float = _p(
        90.0,
        "days",
        "assumption",
        "e-folding time of the accuracy of individual information",
        range=(0.01, 1e6),
        vary=(30.0, 365.0),
    )
    fit_tolerance: float = _p(
        0.47,
        "need units",
        f"{CALIBRATED}: to the pattern 'process against outcome, type-based' (Shanghai 12345 2016, on-time "
        "99.5 % against a solution rate of 82 %: ODD references, The Paper 2017)",
        "width w of the remedy-fit kernel exp(-d²/2w²)",
        range=(0.01, 100),
        vary=(0.24, 0.94),
    )
    tailoring_time_factor: float = _p(
        1.2,
        "multiplier",
        "assumption",
        "handling time of a tailored remedy relative to a standard one",
        range=(1, 10),
        vary=(1.0, 2.0),
    )
    service_time_shape: float = _p(
        0.91,
        "Weibull shape",
        f"{CALIBRATED}: to the patterns of closure and process (ODD references); the skew of closure times "
        "(NYC 311, mean / median ≈ 3) is held out, since at this load the model cannot meet it; 1 would be "
        "exponential",
        "shape k of the hands-on handling time of a case (Weibull, mean service_h): the lower, the heavier the "
        "tail (mean / median 1.44 at k=1, 4.2 at k=0.5)",
        range=(0.2, 5),
        vary=(0.5, 1.2),
    )
    worsening_per_day: float = _p(
        0.02,
        "per day",
        "assumption",
        "growth of handling time per day a case waits",
        range=(0, 10),
        vary=(0.0, 0.05),
    )
    worsening_cap: float = _p(
        3.0, "multiplier", "assumption", "largest worsening of handling time", range=(1, 100), vary=(1.5, 5.0)
    )
    info_noise: float = _p(
        0.25,
        "need units",
        "assumption: what a visit or a case learns about a person is not exact",
        "standard deviation of the error in what staff learn of a person's needs at a contact (in units of the "
        "spread between categories, as the need deviation); a tailored remedy aims at what was learnt",
        range=(0, 10),
        vary=(0.0, 0.75),
    )
    visit_fatigue_days: float = _p(
        14.0,
        "days",
        "assumption: Shenzhen's grid workers visit each household about every half month (ODD references: "
        "Bianma Gushi 2021); more often is taken to intrude",
        "a visit that finds the resident at home within this many days of the last one intrudes",
        range=(0, 3650),
        vary=(7.0, 60.0),
    )
    visit_fatigue_cost: float = _p(
        0.02,
        "share per intrusive visit",
        "assumption",
        "share of their satisfaction and of their trust that a resident loses at an intrusive visit",
        range=(0, 1),
        vary=(0.0, 0.05),
    )
    visit_detection_prob: float = _p(
        0.39,
        "probability",
        f"{CALIBRATED}: to the patterns 'volume, grid management' and 'workload, grid management' (Dongcheng: "
        "ODD references)",
        "chance that a visit to a resident with a pending need surfaces it (each visit anew)",
        range=(0, 1),
        vary=(0.2, 0.8),
    )
    appraisal_overhead_h: float = _p(
        16.0,
        "hours per worker per period",
        "assumption: the case book calls the traditional appraisal heavy (考核任务重、形式化) without a figure; "
        "set equal to 四指同评's so that the evaluation dial changes incentives, not hours; vary 0-40",
        "front-line time spent on the traditional appraisal each evaluation period (when 四指同评 is off)",
        range=(0, 1000),
        vary=(0.0, 40.0),
    )
    # --- residents' behaviour -----------------------------------------------------------
    repeat_report_per_day: float = _p(
        0.17,
        "per day, per unit of willingness",
        f"{CALIBRATED}: to the volume and workload patterns (12345 hotlines, Dongcheng: ODD references); residents "
        "call again while a need persists (12345 repeat calls)",
        "daily hazard that a resident (or passer-by) who has not reported a pending need reports it now, "
        "times their willingness; it grows with the need as handling time does (worsening_per_day, up to "
        "worsening_cap). 0: a need is reported when it arises or never",
        range=(0, 10),
        vary=(0.085, 0.34),
    )
    report_delay_h: float = _p(
        2.8,
        "hours",
        f"{CALIBRATED}: to the volume and closure patterns (ODD references); near the lower bound (2 h) of its "
        "range 2-72",
        "mean time before a willing resident reports",
        range=(0, 10_000),
        vary=(1.4, 5.6),
    )
    channel_ease: dict[str, float] = _p(
        {"counter": 1.0, "hotline": 0.91, "digital": 1.0},
        "multiplier",
        f"hotline {CALIBRATED}: to the pattern 'volume, type-based' (12345 hotlines: ODD references); counter "
        "and digital: assumption",
        "willingness to report through each channel relative to in person (digital: WeChat/QR)",
    )
    trust_elasticity: float = _p(
        1.0,
        "exponent",
        "assumption (induced demand: Shanghai 12345 calls +37 % in 2016, ODD references: The Paper 2017)",
        "how reporting scales with trust: (trust/initial)^e",
        range=(0, 10),
        vary=(0.0, 2.0),
    )
    initial_satisfaction: float = _p(0.6, "[0,1]", "assumption", "satisfaction at start", range=(0, 1), vary=(0.4, 0.8))
    initial_expectation: float = _p(
        0.6, "[0,1]", "assumption", "expected quality at start", range=(0, 1), vary=(0.4, 0.8)
    )
    initial_trust: float = _p(
        0.5, "[0,1]", "assumption", "trust in government at start", range=(0.001, 1), vary=(0.3, 0.7)
    )
    timeliness_h: float = _p(
        72.0,
        "hours",
        "assumption (three days)",
        "response time at which timeliness falls to 1/e",
        range=(0.01, 1e5),
        vary=(24.0, 168.0),
    )
    timeliness_weight: float = _p(
        0.5,
        "weight",
        "assumption",
        "weight of timeliness (vs remedy fit) in perceived quality",
        range=(0, 1),
        vary=(0.2, 0.8),
    )
    satisfaction_rate: float = _p(
        0.3,
        "per experience",
        "assumption",
        "how far one experience moves satisfaction",
        range=(0, 1),
        vary=(0.1, 0.5),
    )
    negativity_bias: float = _p(
        2.0,
        "multiplier",
        "Olsen 2015: negative disconfirmation weighs more",
        "weight of disappointments",
        range=(1, 10),
        vary=(1.0, 3.0),
    )
    expectation_rate: float = _p(
        0.1,
        "per experience",
        "assumption (Van Ryzin 2004)",
        "adaptation of expectations",
        range=(0, 1),
        vary=(0.05, 0.3),
    )
    trust_rate: float = _p(
        0.2, "per experience", "assumption", "how far trust follows satisfaction", range=(0, 1), vary=(0.1, 0.4)
    )
    memory_days: float = _p(
        180.0,
        "days",
        "assumption: experiences fade; without it satisfaction and trust have no resting point "
        "(experiments.warmup); vary 90-1825",
        "e-folding time over which satisfaction and trust drift back to their initial values",
        range=(1, 1e6),
        vary=(90.0, 365.0),
    )
    waiting_erosion_per_day: float = _p(
        0.005,
        "per day",
        "assumption",
        "satisfaction lost per day a need is unmet",
        range=(0, 1),
        vary=(0.001, 0.01),
    )
    # --- party organisations ------------------------------------------------------------
    volunteers_per_1k: float = _p(
        34.0,
        "volunteers per 1,000 residents",
        "assumption: the case book's 28,000 party members and volunteers / 820,000 took part in two clean-up "
        "campaigns, not a standing weekly casework pool; vary 0-34",
        "volunteer pool of the branches",
        range=(0, 1000),
        vary=(0.0, 34.0),
    )
    volunteer_h_per_week: float = _p(
        0.5,
        "hours per volunteer per week",
        "assumption; varied up to 0.6 only: counted against the budget, more volunteer hours would leave refined's "
        "paid posts too few for the duties handed down at the upper end of their range",
        "time a volunteer gives",
        range=(0, 168),
        vary=(0.25, 0.6),
    )
    volunteer_hours: str = _p(
        "evenings_weekends",
        "-",
        "assumption: volunteers give time outside working hours",
        "when volunteers work: a calendar of sim.params.CALENDARS",
        choices=tuple(CALENDARS),
    )
    mobilisation_delay_h: float = _p(
        2.2,
        "hours",
        f"{CALIBRATED}: to the volume and workload patterns of grid management (Dongcheng: ODD references); at "
        "the lower bound (2 h) of its range 2-48",
        "time to mobilise volunteers for a case",
        range=(0, 1e4),
        vary=(1.1, 4.4),
    )
    pairs_per_branch: int = _p(
        2,
        "partners",
        "assumption: the case book's 700+ organisations in pairing (心联鑫) do not say how many partners each has",
        "pairing links per branch",
        range=(0, 100),
        vary=(0, 4),
    )
    evaluation_period_days: int = _p(
        182, "days", "case book: 四指同评 each half-year", "evaluation period", range=(1, 3650)
    )
    evaluation_overhead_h: float = _p(
        16.0,
        "hours per worker per period",
        "assumption (Sisyphus burden, case book)",
        "front-line time spent on 四指同评 reporting each period (it replaces the traditional appraisal)",
        range=(0, 1000),
        vary=(0.0, 40.0),
    )
    evaluation_gain: float = _p(
        0.5,
        "per score unit",
        "assumption",
        "how strongly a branch's score changes its effort",
        range=(0, 10),
        vary=(0.0, 1.0),
    )
    # --- queueing validation shortcuts (scenario=mmc) ----------------------------------
    servers: int | None = _p(
        None,
        "workers",
        "-",
        "if set: exact number of front-line workers (overrides workers_per_10k)",
        range=(1, 100_000),
    )
    arrival_rate_per_h: float | None = _p(
        None, "issues per hour", "-", "if set: one category, one service type, this total rate", range=(1e-6, 1e6)
    )
    mean_service_h: float | None = _p(
        None, "hours", "-", "if set: the mean handling time of every type", range=(1e-6, 1e4)
    )


@dataclass
class Policy:
    """Regime dials. The defaults are the coarse, type-based (类型化) status quo."""

    name: str = _p("coarse", "-", "-", "preset label")
    pool_level: str = _p(
        "town",
        "-",
        "brief: pooling vs locality (Larson)",
        "level at which front-line staff share one queue",
        choices=("grid", "community", "town"),
    )
    workers_per_grid: int = _p(
        1,
        "workers",
        "assumption: one worker per grid unit (网格员 does not occur in the case book; Tinglin: 200+ households per "
        "grid worker, ODD references: Dongfang Chengxiang Bao 2017)",
        "workers sharing a grid unit when pool_level=grid",
        range=(1, 1000),
    )
    patrol_share: float = _p(
        0.0,
        "fraction of paid hours",
        "assumption (refined's preset: 0.3); varied in the regimes that patrol, a structural zero in those that do not",
        "most of a front-line worker's hours spent on patrol (household visits and public space): patrol takes "
        "the hours that cases, duties and appraisal leave, up to this share",
        range=(0, 0.95),
        vary=(0.1, 0.5),
    )
    patrol_floor: float = _p(
        0.0,
        "fraction of paid hours",
        "assumption (refined's preset: 0.05)",
        "share of a front-line worker's hours kept for patrol even when cases wait (at most patrol_share)",
        range=(0, 0.95),
    )
    inspection_share: float = _p(
        0.3,
        "fraction of paid hours",
        "design choice: a type-based city inspects public space too (城管 patrols; Dongcheng's city supervisors, "
        "ODD references: Xinhua 2005, Jiang 2010); set as the front line's patrol so that neither regime's "
        "public space goes unwatched",
        "most of the facility department's hours spent inspecting public space for component faults: the hours "
        "its cases and duties leave, up to this share (no effect where the front line handles facility cases)",
        range=(0, 0.95),
    )
    service_hours: str = _p(
        "staggered",
        "-",
        "access held equal (configs/access): a modern type-based city's service centres keep extended and "
        "staggered hours too (延时错时服务, ODD references: State Council 2022); the case book's 8+3 hours",
        "worker shifts and counter opening hours",
        choices=STAFF_CALENDARS,
    )
    channels: list[str] = _p(
        ["counter", "hotline", "digital"],
        "-",
        "access held equal (configs/access): a modern type-based city has a 12345 hotline open round the clock "
        "with its app and WeChat entries (ODD references: General Office of the State Council 2020); the case "
        "book's WeChat and QR e-visits (电子走访, simplified to a residents' channel, ODD 7.17)",
        "reporting channels open to residents",
    )
    routing: str = _p(
        "hierarchical",
        "-",
        "case book: 需求在网格发现…问题在网格解决",
        "how a reported case reaches its handler",
        choices=("hierarchical", "grid_first"),
    )
    linkage: bool = _p(False, "flag", "case book: 村居联动", "route by residence instead of registration address")
    competence: list[str] = _p(
        ["environment", "welfare", "dispute"],
        "-",
        "case book: empowered grassroots staff (能力)",
        "service types the front line may resolve itself; others go to departments",
    )
    remedy: str = _p(
        "standard",
        "-",
        "case book: 类型化 vs 个体化",
        "category-standard or person-tailored remedies",
        choices=("standard", "tailored"),
    )
    mobilisation: bool = _p(
        False, "flag", "case book: 埭头人 volunteers", "party branches mobilise volunteers for eligible cases"
    )
    pairing: bool = _p(False, "flag", "case book: 区域化党建 心联鑫", "branches draw on paired branches' volunteers")
    evaluation: bool = _p(
        False,
        "flag",
        "case book: 四指同评",
        "half-yearly scoring of branches that moves their effort; it replaces the traditional appraisal",
    )


@dataclass
class RunConfig:
    """Top-level configuration composed by Hydra (``configs/config.yaml``)."""

    scenario: Scenario = field(default_factory=Scenario)
    policy: Policy = field(default_factory=Policy)
    seed: int = _p(0, "-", "-", "seed of the run's random number generator", range=(0, 2**63 - 1))
    days: int = _p(365, "days", "-", "simulated horizon (warm-up included)", range=(1, 36_500))
    warmup_days: int = _p(
        0,
        "days",
        "experiments.warmup: when the town settles under each preset, and how far later windows differ, is "
        "stated in the first line of results/figures/warmup.md; the named experiments use 450 with days=815, a "
        "year measured. 0 here, so that short exploratory runs need no warm-up: their KPIs are over the transient "
        "(window_days says how long)",
        "first days left out of the KPIs: issue KPIs count the needs arising after them, daily means "
        "average the days after them",
        range=(0, 36_499),
    )
    progress: bool = _p(True, "flag", "-", "show progress (simulated days; a sweep's runs and ETA) on a terminal")


def faults_per_year(sc: Scenario) -> float:
    """Component faults arising in the territory per year (at the scenario's demand level)."""
    return sc.facility_faults_per_1k * sc.n_residents / 1000 * sc.demand_scale


def paid_budget(sc: Scenario) -> tuple[int, int]:
    """Paid posts: the front-line budget and the department budget (at least one per line)."""
    front = max(1, round(sc.workers_per_10k * sc.n_residents / 10_000))
    return front, max(len(SERVICE_TYPES), round(sc.dept_staff_per_10k * sc.n_residents / 10_000))


def queueing_reduction(sc: Scenario) -> Scenario:
    """Apply the queueing-validation shortcuts, if set: with ``arrival_rate_per_h`` every
    resident is alike (one category, one service type, Poisson arrivals at that total rate,
    always reporting through a 24/7 channel), there are no component faults, and
    ``mean_service_h`` sets the mean handling time of every type."""
    if sc.arrival_rate_per_h is not None:
        per_year = sc.arrival_rate_per_h * 8760 / sc.n_residents
        only = Category(1.0, {"environment": per_year}, 1.0, 1.0, [])
        sc = dataclasses.replace(sc, categories={"resident": only}, facility_faults_per_1k=0.0)
    if sc.mean_service_h is not None:
        types = {k: dataclasses.replace(v, service_h=sc.mean_service_h) for k, v in sc.service_types.items()}
        sc = dataclasses.replace(sc, service_types=types)
    return sc


# ---------------------------------------------------------------------------- validation


def _check_value(key: str, value: Any, meta: dict) -> None:
    if "range" in meta and value is not None and not isinstance(value, bool):
        lo, hi = meta["range"]
        if not (isinstance(value, (int, float)) and math.isfinite(value) and lo <= value <= hi):
            raise ConfigError(f"{key}={value!r} is out of range: allowed {lo} <= {key.split('.')[-1]} <= {hi}")
    if "choices" in meta and value not in meta["choices"]:
        raise ConfigError(f"{key}={value!r} is not allowed: choose one of {', '.join(meta['choices'])}")


def _check_dataclass(obj: Any, prefix: str) -> None:
    for f in dataclasses.fields(obj):
        key = f"{prefix}.{f.name}" if prefix else f.name
        value = getattr(obj, f.name)
        if dataclasses.is_dataclass(value):
            _check_dataclass(value, key)
        elif isinstance(value, dict):
            for k, v in value.items():
                if dataclasses.is_dataclass(v):
                    _check_dataclass(v, f"{key}.{k}")
        _check_value(key, value, f.metadata)


def _check_names(key: str, names, allowed) -> None:
    unknown = [n for n in names if n not in allowed]
    if unknown:
        raise ConfigError(f"{key} has unknown entries {unknown}: allowed {', '.join(allowed)}")
    twice = sorted({n for n in names if list(names).count(n) > 1})
    if twice:
        once = ",".join(dict.fromkeys(names))
        raise ConfigError(f"{key} names {', '.join(twice)} more than once: name each once, e.g. {key}=[{once}]")


def validate(cfg: RunConfig) -> RunConfig:
    """Check every value of a configuration; raise :class:`ConfigError` naming the first bad key."""
    _check_dataclass(cfg, "")
    sc, po = cfg.scenario, cfg.policy
    if cfg.warmup_days >= cfg.days:
        raise ConfigError(f"warmup_days={cfg.warmup_days} must be less than days={cfg.days}: nothing would be measured")
    if po.patrol_floor > po.patrol_share:
        raise ConfigError(
            f"policy.patrol_floor={po.patrol_floor} is more than policy.patrol_share={po.patrol_share}: the hours kept "
            "for patrol cannot exceed the most it may take; allowed 0 <= patrol_floor <= patrol_share"
        )
    _check_volunteer_posts(sc, po)
    _check_front_line_time(sc, po)
    _check_names("policy.channels", po.channels, CHANNELS)
    _check_names("policy.competence", po.competence, SERVICE_TYPES)
    _check_names("scenario.service_types", sc.service_types, SERVICE_TYPES)
    missing = [t for t in SERVICE_TYPES if t not in sc.service_types]
    if missing:
        raise ConfigError(f"scenario.service_types lacks {missing}: every type of {SERVICE_TYPES} needs an entry")
    _check_names("scenario.channel_ease", sc.channel_ease, CHANNELS)
    for name, ease in sc.channel_ease.items():
        _check_value(f"scenario.channel_ease.{name}", ease, {"range": (0, 1)})
    if not po.channels:
        raise ConfigError("policy.channels is empty: allowed any of " + ", ".join(CHANNELS))
    if not sc.categories:
        raise ConfigError("scenario.categories is empty: at least one category is needed")
    total = sum(c.share for c in sc.categories.values())
    if not math.isclose(total, 1.0, abs_tol=1e-6):
        raise ConfigError(f"scenario.categories shares sum to {total:.6g}: they must sum to 1")
    for cname, cat in sc.categories.items():
        _check_names(f"scenario.categories.{cname}.need_rates", cat.need_rates, RESIDENT_TYPES)
        for t, rate in cat.need_rates.items():
            _check_value(f"scenario.categories.{cname}.need_rates.{t}", rate, {"range": (0, 1000)})
        for spec in cat.away:
            _parse_or_raise(f"scenario.categories.{cname}.away", spec)
    return cfg


def _volunteer_posts(sc: Scenario, po: Policy) -> int:
    """Paid posts the volunteers' hours stand in for (sim.institutions.volunteer_fte, from the
    scenario's average): none without mobilisation or with volunteers on top."""
    if not po.mobilisation or sc.volunteer_budget == "on_top":
        return 0
    return round(sc.volunteers_per_1k * sc.n_residents / 1000 * sc.volunteer_h_per_week / STAFF_WEEK_H)


def _check_volunteer_posts(sc: Scenario, po: Policy) -> None:
    """Counted against the budget, the volunteers' hours must leave every line some paid staff."""
    if not po.mobilisation or sc.volunteer_budget == "on_top" or sc.servers is not None:
        return
    front, dept = paid_budget(sc)
    posts = _volunteer_posts(sc, po)
    if posts > front + dept - 1 - len(SERVICE_TYPES):
        raise ConfigError(
            f"scenario.volunteers_per_1k={sc.volunteers_per_1k} x scenario.volunteer_h_per_week="
            f"{sc.volunteer_h_per_week} stand in for about {posts} paid posts, more than the budget of {front} "
            f"front-line + {dept} department posts can give while every line keeps staff: lower them, raise "
            "scenario.workers_per_10k, or set scenario.volunteer_budget=on_top"
        )


def _check_front_line_time(sc: Scenario, po: Policy) -> None:
    """Duties, the appraisal and the patrol floor must leave the front line time for cases."""
    from sim import workload  # local imports: neither depends on params
    from sim.calendar import week_mask

    hours = float(week_mask(CALENDARS[po.service_hours]).sum())
    budget = sum(paid_budget(sc))
    paid = budget - _volunteer_posts(sc, po) if sc.servers is None else budget
    duty = workload.duty_share(sc, budget, paid)
    # Records are reckoned over every paid post: a regime that keeps files puts most of its
    # posts on the front line (its real share, with its real staff, is checked when it is built).
    shares = workload.front_line_shares(sc, po, paid, sc.n_residents, hours, duty)
    if shares["cases"] < 0.01 and sc.servers is None:
        raise ConfigError(
            f"scenario.duty_share={sc.duty_share} (of the budget's hours; {duty:.2f} of each paid post's, with the "
            f"volunteers standing in for some posts), the appraisal ({shares['appraisal']:.2f} of the front line's "
            f"hours), person-level records (scenario.records_h_per_resident_year={sc.records_h_per_resident_year}: "
            f"{shares['records']:.2f}) and policy.patrol_floor={po.patrol_floor} leave {shares['cases']:.2f} of a "
            "front-line worker's time for cases: at least 0.01 must remain; lower them"
        )


def _parse_or_raise(key: str, spec: str) -> None:
    from sim.calendar import parse_spec  # local import: calendar has no dependency on params

    try:
        parse_spec(spec)
    except ValueError as err:
        raise ConfigError(f"{key}: {err}") from None


def parameter_rows() -> list[dict[str, str]]:
    """One row per parameter (for the ODD table): key, default, unit, range, source, meaning."""
    rows = []
    for prefix, cls in (("scenario", Scenario), ("policy", Policy), ("", RunConfig)):
        for f in dataclasses.fields(cls):
            if prefix == "" and f.name in ("scenario", "policy"):
                continue
            m = f.metadata
            default = f.default if f.default is not dataclasses.MISSING else "(table)"
            allowed = m.get("range") or m.get("choices") or ""
            rows.append(
                {
                    "key": f"{prefix}.{f.name}" if prefix else f.name,
                    "default": str(default),
                    "unit": m.get("unit", ""),
                    "allowed": " – ".join(map(str, allowed)) if "range" in m else " / ".join(allowed),
                    "varied": " – ".join(map(str, m["vary"])) if "vary" in m else "",
                    "source": m.get("source", ""),
                    "meaning": m.get("help", ""),
                }
            )
    for name, entry in TABLE_ENTRIES.items():
        rows.append(
            {
                "key": name,
                "default": str(entry.default),
                "unit": entry.unit,
                "allowed": "",
                "varied": " – ".join(map(str, entry.vary)),
                "source": entry.source,
                "meaning": entry.help,
            }
        )
    for name, scale in TABLE_SCALES.items():
        rows.append(
            {
                "key": name,
                "default": "1",
                "unit": "multiplier",
                "allowed": "",
                "varied": " – ".join(map(str, scale.vary)),
                "source": scale.source,
                "meaning": scale.help,
            }
        )
    return rows


def print_table() -> None:
    """The parameter table in Markdown, for ODD.md; a reader that stops early (``| head``)
    ends it quietly, as Unix tools do."""
    import os
    import sys

    columns = ("key", "default", "unit", "allowed", "varied", "source", "meaning")
    lines = ["| " + " | ".join(columns) + " |", "|" + " --- |" * len(columns)]
    lines += ["| " + " | ".join(r[k].replace("|", "/") for k in columns) + " |" for r in parameter_rows()]
    try:
        print("\n".join(lines), flush=True)
    except BrokenPipeError:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # nothing left to flush at exit
        sys.exit(0)


if __name__ == "__main__":
    print_table()
