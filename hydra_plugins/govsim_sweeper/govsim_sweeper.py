"""Hydra's basic sweeper, made to cost what its runs cost.

* Jobs the sweep folder already holds finished, by the same code, configuration files and
  overrides, are not launched at all (:func:`sim.study.sweep.unfinished`: one read of each job's
  summary). Hydra's launchers would compose each one's configuration and start a job only for
  it to skip itself.
* Before launching, the basic sweeper composes every job's configuration in the driver, to
  catch errors early: one job of each configuration is enough (jobs that differ only in
  ``seed`` or ``design.row`` compose alike; govsim checks each row's values in the job).
* Each launcher composes every job's configuration again where the job runs (about 0.13 s, a
  tenth of a town run). Jobs that differ only in ``seed`` or ``design.row`` are composed once
  per process and configuration, and each job's copy gets its own values and its own record of
  its overrides (:class:`ComposedOnce`): the same configuration, field for field, as Hydra's
  (tests/test_sweep_cost.py), with every launcher.

Jobs, their folders and their results are those of the basic sweeper.
"""

from __future__ import annotations

import copy
import sys
import uuid
from pathlib import Path

from hydra._internal.core_plugins.basic_sweeper import BasicSweeper
from hydra.types import HydraContext

_COMPOSED: dict = {}
"""(sweep, configuration) -> a composed configuration, in each process that runs jobs."""


def _key(override: str) -> str:
    return override.lstrip("+~").split("=", 1)[0]


def shape(job) -> tuple[str, ...]:
    """A job's overrides without its row values (``sim.study.config.ROW_KEYS``): jobs of one shape
    compose alike. (govsim is imported here, not at the top: Hydra's plugin scan imports this
    module for every Hydra program in the environment.)"""
    from sim.study.config import ROW_KEYS

    return tuple(o for o in job if _key(o) not in ROW_KEYS)


class ComposedOnce:
    """Hydra's config loader, composing one job of each shape per process and copying it for
    the others. Launchers pickle it with every job; the copies it keeps stay in the process
    (``_COMPOSED``), under a name drawn for this sweep."""

    def __init__(self, loader) -> None:
        self.loader = loader
        self.sweep = uuid.uuid4().hex

    def __getattr__(self, name):
        if name in ("loader", "sweep"):  # not set yet (while unpickling)
            raise AttributeError(name)
        return getattr(self.loader, name)

    def load_sweep_config(self, master_config, sweep_overrides):
        job = list(sweep_overrides)
        key = (self.sweep, shape(job))
        if key not in _COMPOSED or any(o.startswith(("+", "~")) for o in job):
            _COMPOSED[key] = self.loader.load_sweep_config(master_config, job)
            return copy.deepcopy(_COMPOSED[key])
        try:
            return self._copy_for(_COMPOSED[key], master_config, job)
        except Exception:  # anything unforeseen: compose it as Hydra would
            return self.loader.load_sweep_config(master_config, job)

    @staticmethod
    def _copy_for(composed, master_config, job):
        """``composed`` with ``job``'s row values and record of overrides, as Hydra's
        ``ConfigLoaderImpl.load_configuration`` and ``load_sweep_config`` set them."""
        from hydra._internal.config_loader_impl import get_overrides_dirname
        from hydra.core.override_parser.overrides_parser import OverridesParser
        from omegaconf import OmegaConf, open_dict

        from sim.study.config import ROW_KEYS

        cfg = copy.deepcopy(composed)
        parsed = OverridesParser.create().parse_overrides(job)
        for override in parsed:
            if override.get_key_element() in ROW_KEYS:
                OmegaConf.update(cfg, override.get_key_element(), override.value(), merge=True)
        names = cfg.hydra.job.config.override_dirname
        with open_dict(cfg.hydra):
            cfg.hydra.overrides.task = [o.input_line for o in parsed]
            cfg.hydra.job.override_dirname = get_overrides_dirname(
                overrides=parsed, kv_sep=names.kv_sep, item_sep=names.item_sep, exclude_keys=names.exclude_keys
            )
        OmegaConf.copy_cache(from_config=master_config, to_config=cfg)
        return cfg


class GovsimSweeper(BasicSweeper):
    def setup(self, *, hydra_context, task_function, config) -> None:
        context = HydraContext(
            config_loader=ComposedOnce(hydra_context.config_loader), callbacks=hydra_context.callbacks
        )
        super().setup(hydra_context=context, task_function=task_function, config=config)

    def split_arguments(self, overrides, max_batch_size):  # an instance method here: it needs the folder
        from sim.study.sweep import unfinished

        (jobs,) = BasicSweeper.split_arguments(overrides, None)
        todo = unfinished(Path(self.config.hydra.sweep.dir), jobs)
        if len(todo) < len(jobs):
            print(
                f"[sweep] {len(jobs) - len(todo)} of {len(jobs)} runs already finished: not launched", file=sys.stderr
            )
        if not todo:
            return []
        return list(BasicSweeper.split_overrides_to_chunks(todo, max_batch_size))

    def validate_batch_is_legal(self, batch) -> None:
        shapes = {}
        for job in batch:
            shapes.setdefault(shape(job), job)
        super().validate_batch_is_legal(list(shapes.values()))
