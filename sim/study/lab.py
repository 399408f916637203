"""Each regime at its best, and the worst world for each: searches, scored on fresh seeds.

    python -m sim.lab                          # best against best at the town defaults
    python -m sim.lab search=worst             # the worlds where each regime does worst
    python -m sim.lab trials=90                # go on: a study resumes where it stopped
    python -m sim.lab scenario=teaching days=60 warmup_days=0 trials=6 train_seeds=1 fresh_seeds=3 out=/tmp/lab

``search=best`` tunes each regime's own dials (:data:`DIALS`) within the same budget, at one
world (the configuration the other ``key=value`` arguments make), for three objectives over all
needs (:data:`OBJECTIVES`): Optuna's multi-objective TPE (or ``sampler=nsga2``). Each regime's
preset is the first trial. The search sees ``train_seeds`` seeds (0, 1, ...); its Pareto front is
in-sample. The front's best member on each objective, and the preset, are then run again on
``fresh_seeds`` seeds the search never saw (1000, 1001, ...), and refined − coarse is compared
there, paired on seed, with 95% intervals. The report shows both, so that the optimism of a
regime tuned on its own noise is in view.

``search=worst`` moves every uncertain number within its declared range (:mod:`sim.study.design`,
the staffing budget included), both presets on the same seeds, to make coarse − refined on
``resolved_within_7d`` as large as it can (the world where refined does worst), and separately
refined − coarse (where coarse does worst). The ``top`` worlds of each are run again on fresh
seeds.

Studies live in ``<out>/journal.log`` (Optuna's journal): a killed search resumes, ``jobs``
processes share it, and a study made with other settings or other model code is refused (exit
2). Fresh-seed runs are kept one file each in ``<out>/fresh/``. Written to ``out`` (default
``results/lab/<search>``): ``trials.csv``, ``front.csv`` (best) or ``worst.csv`` (worst),
``fresh.csv``, ``report.md`` and ``figures/``.
"""

from __future__ import annotations

import copy
import dataclasses
import functools
import json
import multiprocessing
import os
import sys
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from sim.model.params import ConfigError, RunConfig, validate

REGIMES = ("coarse", "refined")
OBJECTIVES = {
    "resolved_within_7d": "maximize",
    "callback_satisfaction_rate": "maximize",
    "equity_gap_within_7d": "minimize",
}
"""What the best search optimises (:data:`sim.measure.analysis.KPIS`): timeliness and equity over
all needs, satisfaction as the callback measures it."""
HEADLINE = "resolved_within_7d"
KEPT = (
    *OBJECTIVES,
    "needs_met_share",
    "resolution_time_restricted_30d_h",
    "unreported_share",
    "utilisation_front_line",
)
FRESH_FROM = 1000
"""Fresh seeds are 1000, 1001, ...: never one the search trained on (0, 1, ...)."""
DEFAULTS = ("days=815", "warmup_days=450")
"""As the experiments: 450 days of warm-up, then a year measured."""
NARROW = ["environment", "welfare", "dispute"]
WIDE = ["environment", "welfare", "dispute", "housing", "facility"]


# --- settings ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class Settings:
    search: str = "best"
    trials: int = 60
    """Completed trials to reach, per study."""
    train_seeds: int = 2
    fresh_seeds: int = 10
    top: int = 3
    """Worst: worlds of each study run again on fresh seeds."""
    jobs: int = 2
    sampler: str = "tpe"
    sampler_seed: int = 0
    out: str = ""
    overrides: tuple[str, ...] = ()

    @property
    def folder(self) -> Path:
        return Path(self.out or f"results/lab/{self.search}")


def unusable(folder: Path) -> str | None:
    """Why ``folder`` cannot hold a study (None if it can), without making it."""
    existing = next((p for p in [folder, *folder.parents] if p.exists()), Path("."))
    if not existing.is_dir():
        return f"out={folder}: {existing} exists and is not a directory"
    if not os.access(existing, os.W_OK | os.X_OK):
        return f"out={folder}: {existing} is not writable"
    return None


LEAST = {"trials": 1, "train_seeds": 1, "fresh_seeds": 2, "top": 1, "jobs": 1, "sampler_seed": 0}
CHOICES = {"search": ("best", "worst"), "sampler": ("tpe", "nsga2")}
OWN_KEYS = (*CHOICES, *LEAST, "out")
SET_HERE = {
    "policy": "every study runs both presets",
    "seed": "train_seeds= and fresh_seeds= choose the seeds",
    "hydra.mode": "the lab runs its own processes",
}


def parse(argv: list[str]) -> Settings:
    """``key=value`` arguments: the lab's own (:data:`OWN_KEYS`), the rest configuration
    overrides as ``python -m sim`` takes them. A ConfigError names what is wrong."""
    own, overrides = {}, dict(o.split("=", 1) for o in DEFAULTS)
    for arg in argv:
        key, eq, value = arg.partition("=")
        if not eq:
            raise ConfigError(f"'{arg}' is not key=value: write e.g. trials=40 (keys: {', '.join(OWN_KEYS)})")
        if key in OWN_KEYS:
            own[key] = value
        elif key.lstrip("+~") in SET_HERE:
            raise ConfigError(f"{key}= is set by sim.lab itself ({SET_HERE[key.lstrip('+~')]}): leave it out")
        else:
            overrides[key] = value
    for key, allowed in CHOICES.items():
        if key in own and own[key] not in allowed:
            raise ConfigError(f"{key}={own[key]} is not allowed: choose one of {', '.join(allowed)}")
    for key, least in LEAST.items():
        if key in own:
            try:
                own[key] = int(own[key])
            except ValueError:
                raise ConfigError(f"{key}={own[key]} is not a whole number (at least {least})") from None
            if own[key] < least:
                raise ConfigError(f"{key}={own[key]} is too small: at least {least}")
    return Settings(**own, overrides=tuple(f"{k}={v}" for k, v in overrides.items()))


def base_config(settings: Settings, regime: str) -> RunConfig:
    """The regime's configuration at the study's world, a copy of its own (composing one costs
    about 0.13 s, a tenth of a town run: once per process and regime)."""
    return copy.deepcopy(_composed(settings.overrides, regime))


@functools.cache
def _composed(overrides: tuple[str, ...], regime: str) -> RunConfig:
    from sim.study.config import load_config

    return load_config(*overrides, f"policy={regime}", "progress=false")


# --- what is searched -------------------------------------------------------------------------
@dataclass(frozen=True)
class Dial:
    """A regime's own dial the best search may set (its preset value is the first trial's)."""

    name: str
    low: float = 0.0
    high: float = 0.0
    choices: tuple = ()
    regimes: tuple[str, ...] = REGIMES
    what: str = ""


DIALS = (
    Dial("pool_level", choices=("grid", "community", "town"), what="level at which the front line shares a queue"),
    Dial("competence", choices=("narrow", "wide"), what="front line resolves 3 service types (narrow) or all 5"),
    Dial("inspection_share", 0.0, 0.6, what="most of the facility department's hours on inspection"),
    Dial("patrol_share", 0.0, 0.6, regimes=("refined",), what="most of the front line's hours on patrol and visits"),
    Dial("patrol_floor", 0.0, 1.0, regimes=("refined",), what="patrol kept whatever the load, × patrol_share"),
)
"""Not dials here: the split of posts between the front line and departments, which each regime's
staffing study already sets for the work its lines get (``scenario.staff_split=routed``: a dial
for it moved nothing); service hours and channels, held equal (configs/access); and the
mechanisms that make a regime what it is (remedy, routing, linkage, party), as its preset."""


def dials(regime: str) -> tuple[Dial, ...]:
    return tuple(d for d in DIALS if regime in d.regimes)


def preset_dials(cfg: RunConfig, regime: str) -> dict:
    """The dials' values in a regime's preset."""
    po = cfg.policy
    values = {
        "pool_level": po.pool_level,
        "competence": "wide" if set(po.competence) >= set(WIDE) else "narrow",
        "inspection_share": po.inspection_share,
        "patrol_share": po.patrol_share,
        "patrol_floor": po.patrol_floor / po.patrol_share if po.patrol_share else 0.0,
    }
    return {d.name: values[d.name] for d in dials(regime)}


def set_dials(cfg: RunConfig, values: dict) -> RunConfig:
    """``cfg`` with the dials set (the budget as it was); a ConfigError if invalid."""
    po = cfg.policy
    changes = {k: values[k] for k in ("pool_level", "inspection_share", "patrol_share") if k in values}
    if "competence" in values:
        changes["competence"] = list(WIDE if values["competence"] == "wide" else NARROW)
    if "patrol_floor" in values:
        changes["patrol_floor"] = values["patrol_floor"] * values.get("patrol_share", po.patrol_share)
    return validate(dataclasses.replace(cfg, policy=dataclasses.replace(po, **changes)))


def world_factors():
    """Every uncertain number and the staffing budget (:mod:`sim.study.design`)."""
    from sim.study.design import Design, factors

    return factors(Design(method="lhs", budget=True))


def set_world(cfg: RunConfig, values: dict) -> RunConfig:
    from sim.study.design import set_values

    return validate(set_values(cfg, values))


def space(settings: Settings) -> dict:
    """What a study searches over, as text: part of the settings a resume must match."""
    if settings.search == "best":
        return {r: [f"{d.name}{list(d.choices) if d.choices else [d.low, d.high]}" for d in dials(r)] for r in REGIMES}
    return {"world": [f"{f.name}[{f.low:g},{f.high:g}]" for f in world_factors()]}


def check_window(settings: Settings, cfg: RunConfig) -> None:
    """Refuse a measured window too short for the search's objectives (ConfigError): the
    callback's satisfaction rate counts needs followed 30 days, needs resolved within 7 days
    need 7. A NaN objective would fail every trial, and the search would never end."""
    from sim.measure.metrics import ON_TIME_H, RESTRICT_H

    need_h = RESTRICT_H if settings.search == "best" else ON_TIME_H
    window = cfg.days - cfg.warmup_days
    if window * 24.0 <= need_h:
        raise ConfigError(
            f"days={cfg.days} warmup_days={cfg.warmup_days}: the {settings.search} search measures needs followed "
            f"{need_h / 24:g} days after the warm-up; days − warmup_days must be more than {need_h / 24:g} "
            f"(it is {window})"
        )


def measured(kpis: dict, keys) -> tuple:
    """The objectives of a trial; an error (not a failed trial, which Optuna would retry for
    ever) if one cannot be measured."""
    values = tuple(kpis[k] for k in keys)
    missing = [k for k, v in zip(keys, values) if not np.isfinite(v)]
    if missing:
        raise ValueError(f"the search's objective {', '.join(missing)} is NaN: nothing to measure it over")
    return values


# --- one evaluation: a configuration on one seed (in a worker process) -------------------------
def run_kpis(settings: Settings, regime: str, dial_values: dict, world: dict, seed: int) -> dict:
    """The kept KPIs of one run: ``regime`` with its dials and the world set, on ``seed``."""
    from sim.study.run import simulate

    cfg = set_world(base_config(settings, regime), world)
    cfg = set_dials(cfg, dial_values) if dial_values else cfg
    kpis = simulate(dataclasses.replace(cfg, seed=seed)).kpis
    return {k: float(kpis.get(k, np.nan)) for k in KEPT}


def mean_kpis(settings: Settings, regime: str, dial_values: dict, world: dict, seeds) -> dict:
    runs = [run_kpis(settings, regime, dial_values, world, s) for s in seeds]
    return {k: float(np.mean([r[k] for r in runs])) for k in KEPT}


# --- the studies --------------------------------------------------------------------------------
def study_names(settings: Settings) -> tuple[str, ...]:
    if settings.search == "best":
        return tuple(f"best-{r}" for r in REGIMES)
    return ("worst-for-refined", "worst-for-coarse")


def settings_record(settings: Settings) -> dict:
    """What makes two studies comparable: a study resumes only with the same record (the
    model's code included: trials made by other code are not mixed with this code's)."""
    from sim.study.output import code_hash

    return {
        "code": code_hash(),
        "search": settings.search,
        "train_seeds": settings.train_seeds,
        "overrides": sorted(settings.overrides),
        "space": json.dumps(space(settings), sort_keys=True),
        "objectives": list(OBJECTIVES) if settings.search == "best" else [HEADLINE],
        "sampler": settings.sampler,
    }


def storage(settings: Settings):
    from optuna.storages import JournalStorage
    from optuna.storages.journal import JournalFileBackend

    return JournalStorage(JournalFileBackend(str(settings.folder / "journal.log")))


def sampler(settings: Settings, worker: int):
    import optuna

    seed = settings.sampler_seed + worker
    if settings.sampler == "nsga2":
        return optuna.samplers.NSGAIISampler(seed=seed, population_size=max(4, min(20, settings.trials // 4)))
    return optuna.samplers.TPESampler(seed=seed, multivariate=True, constant_liar=True)


def open_study(settings: Settings, name: str, worker: int = 0):
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    where = storage(settings)
    try:  # loading writes nothing: a refused resume leaves the journal as it was
        return optuna.load_study(study_name=name, storage=where, sampler=sampler(settings, worker))
    except KeyError:
        if name.startswith("best"):
            directions = list(OBJECTIVES.values())
        else:
            directions = ["maximize"]
        return optuna.create_study(
            study_name=name, storage=where, directions=directions, sampler=sampler(settings, worker)
        )


def prepare(settings: Settings) -> None:
    """Open (or resume) every study: refuse one made with other settings (ConfigError); fail
    the trials a killed search left running (no worker is alive when this runs); make each
    regime's preset the best search's first trial."""
    from optuna.trial import TrialState

    wanted = settings_record(settings)
    for name in study_names(settings):
        study = open_study(settings, name)
        kept = study.user_attrs.get("settings")
        if kept is not None and kept != wanted:
            changed = "; ".join(f"{k}: {kept.get(k)} → {v}" for k, v in wanted.items() if kept.get(k) != v)
            raise ConfigError(
                f"{settings.folder} holds a study made with other settings ({changed}); "
                "resume it with its settings, or give another out="
            )
        if kept is None:
            study.set_user_attr("settings", wanted)
            if name.startswith("best"):
                regime = name.removeprefix("best-")
                study.enqueue_trial(preset_dials(base_config(settings, regime), regime), user_attrs={"preset": True})
        for t in study.get_trials(deepcopy=False, states=(TrialState.RUNNING,)):
            study.tell(t.number, state=TrialState.FAIL)


def suggest(trial, items) -> dict:
    values = {}
    for item in items:
        if getattr(item, "choices", ()):
            values[item.name] = trial.suggest_categorical(item.name, list(item.choices))
        elif getattr(item, "integer", False):
            values[item.name] = trial.suggest_int(item.name, int(item.low), int(item.high))
        else:
            values[item.name] = trial.suggest_float(item.name, item.low, item.high)
    return values


def objective_for(settings: Settings, name: str):
    import optuna

    seeds = range(settings.train_seeds)

    def best(trial):
        regime = name.removeprefix("best-")
        values = suggest(trial, dials(regime))
        try:  # an invalid set (no time left for cases) is pruned, before or as the model is built
            set_dials(base_config(settings, regime), values)
            kpis = mean_kpis(settings, regime, values, {}, seeds)
        except ConfigError as err:
            trial.set_user_attr("invalid", str(err))
            raise optuna.TrialPruned() from None
        for k, v in kpis.items():
            trial.set_user_attr(k, v)
        return measured(kpis, OBJECTIVES)

    def worst(trial):
        world = suggest(trial, world_factors())
        try:  # a world that leaves no time for cases is pruned, before or as the model is built
            means = {r: mean_kpis(settings, r, {}, world, seeds) for r in REGIMES}
        except ConfigError as err:
            trial.set_user_attr("invalid", str(err))
            raise optuna.TrialPruned() from None
        for r, kpis in means.items():
            for k, v in kpis.items():
                trial.set_user_attr(f"{r}:{k}", v)
        sign = 1 if name == "worst-for-refined" else -1
        (coarse,), (refined,) = (measured(means[r], [HEADLINE]) for r in REGIMES)
        return sign * (coarse - refined)

    return best if settings.search == "best" else worst


def search_worker(settings: Settings, name: str, worker: int) -> None:
    from optuna.study import MaxTrialsCallback
    from optuna.trial import TrialState

    study = open_study(settings, name, worker)
    done = MaxTrialsCallback(settings.trials, states=(TrialState.COMPLETE,))

    def report(study, trial):
        if trial.values is not None:
            shown = ", ".join(f"{v:.4g}" for v in trial.values)
            print(f"{name} trial {trial.number}: {shown}", flush=True)

    if len(study.get_trials(states=(TrialState.COMPLETE,))) < settings.trials:
        study.optimize(objective_for(settings, name), callbacks=[done, report], gc_after_trial=True)


def workers(n: int) -> ProcessPoolExecutor:
    """``n`` worker processes started afresh (spawn): forking a process that runs threads
    (Optuna's, a test runner's) can leave a child deadlocked."""
    return ProcessPoolExecutor(n, mp_context=multiprocessing.get_context("spawn"))


def search(settings: Settings) -> None:
    prepare(settings)
    for name in study_names(settings):
        if settings.jobs == 1:
            search_worker(settings, name, 0)
            continue
        with workers(settings.jobs) as pool:
            for f in [pool.submit(search_worker, settings, name, w) for w in range(settings.jobs)]:
                f.result()


# --- fresh seeds ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Candidate:
    """A configuration to run again on fresh seeds: a regime, its dials and its world."""

    study: str
    trial: int
    label: str
    regime: str
    dials: dict
    world: dict


def fresh_path(settings: Settings, c: Candidate, seed: int) -> Path:
    return settings.folder / "fresh" / f"{c.study}-{c.trial}-{c.regime}-{seed}.json"


def fresh_run(settings: Settings, c: Candidate, seed: int) -> dict:
    """One fresh-seed run, kept in its own file (a killed evaluation loses nothing)."""
    from sim.study.output import atomic_write

    path = fresh_path(settings, c, seed)
    if path.exists():
        return json.loads(path.read_text())
    kpis = run_kpis(settings, c.regime, c.dials, c.world, seed)
    atomic_write(path, lambda tmp: Path(tmp).write_text(json.dumps(kpis)))
    return kpis


def fresh_table(settings: Settings, candidates: list[Candidate]) -> pd.DataFrame:
    """Every candidate on every fresh seed: one row per run."""
    seeds = range(FRESH_FROM, FRESH_FROM + settings.fresh_seeds)
    tasks = [(c, s) for c in candidates for s in seeds]
    with workers(settings.jobs) as pool:
        runs = list(pool.map(fresh_run, [settings] * len(tasks), *zip(*tasks)))
    return pd.DataFrame(
        [
            {"study": c.study, "trial": c.trial, "label": c.label, "regime": c.regime, "seed": s, **kpis}
            for (c, s), kpis in zip(tasks, runs)
        ]
    )


def help_text() -> str:
    """The module's description as plain text, and the lab's own keys with their defaults."""
    import re

    text = re.sub(r":\w+:`([^`]+)`", r"\1", __doc__).replace("``", "`")
    keys = ", ".join(f"{f.name}={f.default}" for f in dataclasses.fields(Settings) if f.name != "overrides")
    return f"{text}\nThe lab's own keys (defaults): {keys.replace('out=', 'out=results/lab/<search>')}.\n" + (
        "Every other key=value is a configuration override, as python -m sim takes it (e.g. scenario=teaching).\n"
    )


if __name__ == "__main__":
    sys.exit("govsim: the lab runs as python -m sim.lab (it searches, then writes the report)")
