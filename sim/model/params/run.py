"""The configuration of one run: its scenario and policy, and the settings of the run itself
(seed, length, warm-up)."""

from __future__ import annotations

from dataclasses import dataclass, field

from sim.model.params.declare import _p
from sim.model.params.policy import Policy
from sim.model.params.scenario import Scenario


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
