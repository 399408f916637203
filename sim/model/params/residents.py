"""How the scenario's residents behave: when and how they report, and how satisfaction,
expectations and trust follow what they experience."""

from __future__ import annotations

from dataclasses import dataclass

from sim.model.params.declare import CALIBRATED, _p

CALLBACK_FIT = "calibrated (python -m experiments.callback, results/calibration/callback.md)"


@dataclass
class ResidentBehaviour:
    """Scenario fields: residents' behaviour."""

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
    callback_met_weight: float = _p(
        0.5,
        "weight",
        "assumption: at the callback the resident is asked whether the need was solved (12345's resolution rate, "
        "解决率), and whether it was is taken to weigh as much as how the case went",
        "weight of the need met (vs the case's quality: timeliness and fit, ODD 7.13) in the callback's score",
        range=(0, 1),
        vary=(0.3, 0.8),
    )
    callback_threshold: float = _p(
        -0.223,
        "score",
        f"{CALLBACK_FIT}: with callback_spread, to the share of callbacks at least basically satisfied when the "
        "need was solved (0.977) and when it was not (0.531), read from the 2021 and 2022 rates of the Beijing "
        "Economic-Technological Development Area (resolution 86.23 % → 96.20 %, satisfaction 91.54 % → 95.99 %: "
        "ODD references)",
        "callback score at which a resident is as likely as not to say at least 'basically satisfied'",
        range=(-2, 2),
        vary=(-0.32, -0.12),
    )
    callback_spread: float = _p(
        0.291,
        "score",
        f"{CALLBACK_FIT}: with callback_threshold (above)",
        "scale of the logistic spread of residents' ratings around their score (taste, mood, the call itself)",
        range=(0.001, 10),
        vary=(0.2, 0.4),
    )
    callback_satisfied_margin: float = _p(
        0.4,
        "score",
        "assumption: published rates add 'satisfied' and 'basically satisfied' together; the split between them "
        "is not published",
        "how far above the threshold a resident says 'satisfied' rather than 'basically satisfied'",
        range=(0, 10),
        vary=(0.2, 0.8),
    )
