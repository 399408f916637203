"""What the scenario's staff learn of a person and how well a remedy fits: visits, the decay and
noise of what is known, the fit of remedies, handling times and the traditional appraisal."""

from __future__ import annotations

from dataclasses import dataclass

from sim.model.params.declare import CALIBRATED, _p


@dataclass
class InformationAndRemedies:
    """Scenario fields: information and remedies."""

    visit_h: float = _p(
        0.1,
        "hours per resident",
        "assumption (15 min per household of 2.5)",
        "worker time a visit costs",
        range=(0.001, 100),
        vary=(0.05, 0.4),
        ledger=("cost", "refined (patrol)", "the front line's patrol time, per household visit", "patrol"),
    )
    info_decay_days: float = _p(
        90.0,
        "days",
        "assumption",
        "e-folding time of the accuracy of individual information",
        range=(0.01, 1e6),
        vary=(30.0, 365.0),
        ledger=("cost", "refined (tailored remedies)", "the fit of a tailored remedy (an outcome: needs solved)", ""),
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
        ledger=("cost", "refined (tailored remedies)", "hands-on time of the front line and volunteers", "cases"),
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
        ledger=(
            "cost",
            "refined (visits); structural zero under coarse, which does not visit",
            "the satisfaction and trust of residents visited too often (an outcome)",
            "",
        ),
    )
    visit_detection_prob: float = _p(
        0.39,
        "probability",
        f"{CALIBRATED}: to the patterns 'volume, grid management' and 'workload, grid management' (Dongcheng: "
        "ODD references)",
        "chance that a visit to a resident with a pending need surfaces it (each visit anew)",
        range=(0, 1),
        vary=(0.2, 0.8),
        ledger=("benefit", "refined (visits)", "needs found before residents report them (a delay removed)", ""),
    )
    appraisal_overhead_h: float = _p(
        16.0,
        "hours per worker per period",
        "assumption: the case book calls the traditional appraisal heavy (考核任务重、形式化) without a figure; "
        "set equal to 四指同评's so that the evaluation dial changes incentives, not hours; vary 0-40",
        "front-line time spent on the traditional appraisal each evaluation period (when 四指同评 is off)",
        range=(0, 1000),
        vary=(0.0, 40.0),
        ledger=("cost", "coarse (and any regime without 四指同评)", "the front line's time", "appraisal"),
    )
