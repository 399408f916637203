"""The scenario's tables: resident categories and service lines with their defaults, and the
levels (:data:`TABLE_SCALES`) and entries (:data:`TABLE_ENTRIES`) of those tables that the
sensitivity analyses vary."""

from __future__ import annotations

from dataclasses import dataclass

from sim.model.params.declare import CALIBRATED, _p


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
    uncertain number for the sensitivity analyses (:mod:`sim.study.design`); the ratios between the
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
    analyses (:mod:`sim.study.design`): its name is its path in the configuration."""

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
