"""The one place where configuration reaches the model: Hydra's composed config is checked
against the dataclass schemas of :mod:`sim.params` and turned into a :class:`RunConfig`.

Hydra itself rejects unknown keys, wrong types and unknown group options. It lets
``+key=value`` additions through; :func:`to_run_config` rejects them, and checks ranges.
"""

from __future__ import annotations

import dataclasses
import typing
from pathlib import Path

from hydra import compose, initialize_config_dir
from hydra.core.config_store import ConfigStore
from hydra.core.global_hydra import GlobalHydra
from omegaconf import DictConfig, OmegaConf
from omegaconf.errors import OmegaConfBaseException

from sim.params import Category, ConfigError, Policy, RunConfig, Scenario, ServiceType, validate

CONFIG_DIR = Path(__file__).resolve().parent.parent / "configs"

_cs = ConfigStore.instance()
_cs.store(name="run_schema", node=RunConfig)
_cs.store(group="scenario", name="schema", node=Scenario)
_cs.store(group="policy", name="schema", node=Policy)

# Dict-valued fields whose values are dataclasses: their keys are free, their values are not.
_DICT_VALUES = {("Scenario", "categories"): Category, ("Scenario", "service_types"): ServiceType}
_ALLOWED_TOP = {f.name for f in dataclasses.fields(RunConfig)} | {"hydra", "experiment", "variant"}


def _unknown_keys(node, schema, prefix: str) -> list[tuple[str, type]]:
    """(key, schema) for each key in ``node`` that the dataclass ``schema`` does not declare."""
    names = {f.name: f for f in dataclasses.fields(schema)}
    hints = typing.get_type_hints(schema)
    found = []
    for key in node:
        key = str(key)
        path = f"{prefix}.{key}" if prefix else key
        if key not in names:
            found.append((path, schema))
            continue
        value = node[key]
        hint = hints[key]
        if dataclasses.is_dataclass(hint) and isinstance(value, DictConfig):
            found += _unknown_keys(value, hint, path)
        elif (schema.__name__, key) in _DICT_VALUES and isinstance(value, DictConfig):
            for sub in value:
                if isinstance(value[sub], DictConfig):
                    found += _unknown_keys(value[sub], _DICT_VALUES[schema.__name__, key], f"{path}.{sub}")
    return found


def _allowed(schema) -> str:
    return ", ".join(f.name for f in dataclasses.fields(schema))


def to_run_config(cfg: DictConfig) -> RunConfig:
    """Check a composed config and return the typed, validated :class:`RunConfig`."""
    extra = [k for k in cfg if str(k) not in _ALLOWED_TOP]
    if extra:
        raise ConfigError(f"unknown top-level key(s) {extra}: allowed {', '.join(sorted(_ALLOWED_TOP))}")
    for section, schema in (("scenario", Scenario), ("policy", Policy)):
        unknown = _unknown_keys(cfg[section], schema, section)
        if unknown:
            path, where = unknown[0]
            parent = path.rsplit(".", 1)[0]
            raise ConfigError(f"unknown key '{path}': {parent} accepts {_allowed(where)}")
    plain = OmegaConf.masked_copy(cfg, [k for k in cfg if k in ("scenario", "policy", "seed", "days", "progress")])
    try:
        run = OmegaConf.to_object(OmegaConf.merge(OmegaConf.structured(RunConfig), plain))
    except OmegaConfBaseException as err:
        raise ConfigError(str(err).splitlines()[0]) from None
    return validate(run)


def load_config(*overrides: str) -> RunConfig:
    """Compose ``configs/config.yaml`` with command-line style overrides, from Python
    (notebooks, experiments, tests), and return the checked :class:`RunConfig`."""
    GlobalHydra.instance().clear()
    try:
        with initialize_config_dir(config_dir=str(CONFIG_DIR), version_base="1.3"):
            cfg = compose("config", overrides=list(overrides))
    finally:
        GlobalHydra.instance().clear()
    return to_run_config(cfg)
