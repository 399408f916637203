"""Many runs in this process (a notebook's), in parallel: the in-process counterpart of a
Hydra sweep, for lessons and quick studies. Its results go to
:func:`sim.study.sweep.runs_from_results` to make the sweep's table of runs."""

from __future__ import annotations

import dataclasses

from joblib import Parallel, delayed


def _on_every_seed(overrides: list[str], seeds: list[int]) -> list:
    from sim.study.config import load_config
    from sim.study.run import simulate

    # Composing a configuration costs about as much as a small run: once per configuration,
    # then only the seed changes (a run draws its random numbers from its seed alone).
    cfg = load_config(*overrides)
    return [simulate(dataclasses.replace(cfg, seed=seed)) for seed in seeds]


def simulate_many(configurations, seeds, n_jobs: int = -1) -> tuple[list, list[list[str]]]:
    """Run every configuration (a list of command-line overrides, as ``python -m sim`` takes
    them) on every seed, the configurations in parallel on ``n_jobs`` cores (-1: all).

    Returns the results (:class:`sim.study.run.Result`, configuration by configuration, seed by
    seed) and, for each, its overrides with the seed: ``runs_from_results(*simulate_many(...))``
    is the table of runs :mod:`sim.measure.analysis` takes. The results are those of one run at a time."""
    configurations, seeds = [list(c) for c in configurations], list(seeds)
    batches = Parallel(n_jobs=n_jobs)(delayed(_on_every_seed)(c, seeds) for c in configurations)
    results = [r for batch in batches for r in batch]
    overrides = [[*c, f"seed={seed}"] for c in configurations for seed in seeds]
    return results, overrides
