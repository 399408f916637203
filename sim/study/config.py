"""The one place where configuration reaches the model: Hydra's composed config is checked
against the dataclass schemas of :mod:`sim.model.params` and turned into a :class:`RunConfig`.

Hydra itself rejects unknown keys, wrong types and unknown group options. It lets
``+key=value`` additions through; :func:`to_run_config` rejects them, and checks ranges.
"""

from __future__ import annotations

import copy
import dataclasses
import difflib
import math
import typing
from pathlib import Path

from hydra import compose, initialize_config_dir
from hydra.core.config_store import ConfigStore
from hydra.core.global_hydra import GlobalHydra
from omegaconf import DictConfig, OmegaConf
from omegaconf.errors import OmegaConfBaseException

from sim.model.params import (
    CHANNELS,
    RESIDENT_TYPES,
    SERVICE_TYPES,
    Category,
    ConfigError,
    Policy,
    RunConfig,
    Scenario,
    ServiceType,
    validate,
)
from sim.study.design import Design, apply, check


def _config_dir() -> Path:
    """``configs/``: inside the installed package (a regular install), else at the top of
    the checkout (an editable install, or running from the repository)."""
    package = Path(__file__).resolve().parent.parent  # sim/
    installed = package / "configs"
    return installed if (installed / "config.yaml").exists() else package.parent / "configs"


CONFIG_DIR = _config_dir()


def _plain(override) -> str:
    """``key=value`` without ``+``/``~`` and with numbers written one way (``20.0`` -> ``20``),
    so that one configuration always gets one folder name."""
    key, _, value = str(override).lstrip("+~").partition("=")
    try:
        number = float(value)
    except ValueError:
        return f"{key}={value}"
    if not math.isfinite(number):
        return f"{key}={value}"
    return f"{key}={int(number) if number.is_integer() and abs(number) < 2**53 else repr(number)}"


def _short(text: str, limit: int = 80) -> str:
    """``text`` cut to ``limit`` characters, ending in a hash of the whole when cut, so that
    two different runs never share a name."""
    import hashlib

    text = text.replace("/", "-").replace(" ", "")
    return text if len(text) <= limit else f"{text[: limit - 10]}~{hashlib.sha1(text.encode()).hexdigest()[:8]}"


def run_name_extras(overrides) -> str:
    """The part of a single run's folder name that says what else was changed: the
    command line's overrides other than scenario, policy and seed (already in the name),
    e.g. ``_policy.patrol_share=0.3``."""
    skip = ("scenario", "policy", "seed", "progress")
    kept = sorted(item for item in map(_plain, overrides) if item.split("=")[0] not in skip)
    return "_" + _short(",".join(kept)) if kept else ""


def job_dirname(overrides) -> str:
    """A sweep job's folder: every override of the job (the experiment too, so that two
    experiments in one folder never share a run), sorted, numbers written one way."""
    kept = sorted(item for item in map(_plain, overrides) if item.split("=")[0] != "progress")
    return _short(",".join(kept), limit=200) or "defaults"


def design_rows(design) -> int:
    """The number of rows of a design (its node in the composed config): a designed
    experiment sweeps ``design.row=range(0,${govsim_design_rows:${design}})``."""
    from sim.study.design import n_rows

    try:
        return n_rows(OmegaConf.to_object(OmegaConf.merge(OmegaConf.structured(Design), design)))
    except (ConfigError, OmegaConfBaseException) as err:
        raise ConfigError(f"design: {err}") from None


for _name, _resolver in (
    ("govsim_run_extras", run_name_extras),
    ("govsim_job_dirname", job_dirname),
    ("govsim_design_rows", design_rows),
):
    if not OmegaConf.has_resolver(_name):
        OmegaConf.register_new_resolver(_name, _resolver)


@dataclasses.dataclass
class CommandConfig(RunConfig):
    """What the command composes: a run's configuration and, in a designed experiment
    (sensitivity analysis, scenario discovery), the design whose row the run takes."""

    design: Design | None = None


_cs = ConfigStore.instance()
_cs.store(name="run_schema", node=CommandConfig)
_cs.store(group="scenario", name="schema", node=Scenario)
_cs.store(group="policy", name="schema", node=Policy)
_cs.store(group="design", name="schema", node=Design)

# Dict-valued fields whose values are dataclasses: their keys are free, their values are not.
_DICT_VALUES = {("Scenario", "categories"): Category, ("Scenario", "service_types"): ServiceType}
_ALLOWED_TOP = {f.name for f in dataclasses.fields(CommandConfig)} | {"hydra", "experiment", "variant", "access"}


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


def _did_you_mean(word: str, options, prefix: str = "") -> str:
    close = difflib.get_close_matches(word, list(options), n=3, cutoff=0.6)
    return f"did you mean {' or '.join(prefix + c for c in close)}? " if close else ""


# ---------------------------------------------------------------------------- command line

GROUPS = ("scenario", "policy", "experiment", "variant", "access", "design")
"""Config groups a user chooses from; their options are the YAML files in configs/<group>/."""


def group_options(group: str) -> list[str]:
    """The selectable options of a config group (the schemas are not among them)."""
    return sorted(p.stem for p in (CONFIG_DIR / group).glob("*.yaml"))


def check_overrides(args: list[str]) -> None:
    """Check command-line overrides against the schemas before Hydra composes anything, so
    that a misspelt key, an unknown choice or a value of the wrong type gets govsim's message
    (with the closest valid names) instead of Hydra's advice to append the key with ``+``.
    Whatever this cannot judge (free dictionary keys, Hydra's own keys) is left to Hydra."""
    from hydra.core.override_parser.overrides_parser import OverridesParser

    parser = OverridesParser.create()
    _check_flags(args)
    _check_design_chosen(args)
    multirun = _multirun(args)
    for arg in args:
        if arg.startswith("-") or "=" not in arg:
            continue
        try:
            (override,) = parser.parse_overrides([arg])
        except Exception as err:  # a syntax error, or a sweep of the wrong type
            lines = [ln for ln in str(err).splitlines() if ln.strip() and not ln.startswith(("See ", "Error parsing"))]
            reason = lines[0] if lines else type(err).__name__
            raise ConfigError(
                f"cannot read {arg}: {reason} (a value is key=value; a sweep key=a,b or key='range(0,5)'; "
                "the grammar: https://hydra.cc/docs/advanced/override_grammar/basic/)"
            ) from None
        key = override.key_or_group.lstrip("+~")
        if override.is_delete():
            continue
        if key.split(".")[0].split("/")[0] == "hydra":
            _check_hydra_key(key, arg)
            continue
        if override.is_sweep_override() and not multirun:
            raise ConfigError(
                f"{arg} is a sweep, which runs one job per value: add -m (python -m sim -m {arg}), or give one value"
            )
        values = _override_values(override)
        if key in GROUPS:
            _check_choices(key, values)
        else:
            _check_key(key, values)


HYDRA_FLAGS = (
    "-m", "--multirun", "-h", "--help", "--hydra-help", "--version", "-c", "--cfg", "-p", "--package",
    "-i", "--info", "-cp", "--config-path", "-cn", "--config-name", "-cd", "--config-dir", "--resolve",
    "-sc", "--shell-completion", "--experimental-rerun", "--run",
)  # fmt: skip
"""The command's own options (Hydra's); everything else is key=value."""


def _check_flags(args: list[str]) -> None:
    """An option Hydra does not have (``--days 30``) is most likely a key written as a flag."""
    for i, arg in enumerate(args):
        flag = arg.split("=")[0]
        if not arg.startswith("-") or flag in HYDRA_FLAGS:
            continue
        name = flag.lstrip("-")
        value = arg.partition("=")[2] or (args[i + 1] if i + 1 < len(args) and "=" not in args[i + 1] else "...")
        raise ConfigError(
            f"{arg} is not an option: govsim takes settings as key=value, write {name}={value} "
            "(python -m sim --help lists the options and keys)"
        )


def _multirun(args: list[str]) -> bool:
    """Whether the command runs a sweep: -m, or an experiment that sweeps (hydra.mode MULTIRUN)."""
    import yaml

    if "-m" in args or "--multirun" in args or "hydra.mode=MULTIRUN" in args:
        return True
    for arg in args:
        if arg.split("=")[0] == "experiment":
            path = CONFIG_DIR / "experiment" / f"{arg.split('=', 1)[1]}.yaml"
            try:
                node = yaml.safe_load(path.read_text()) or {}
            except (OSError, yaml.YAMLError):
                return True  # an unknown experiment is named later
            if (node.get("hydra") or {}).get("mode") == "MULTIRUN":
                return True
    return False


def _check_hydra_key(key: str, arg: str) -> None:
    """A ``hydra.*`` key must exist where Hydra's own schema fixes the keys (``hydra.run.dir``,
    ``hydra.sweep.subdir``, ``hydra.job.chdir``, ...); the launcher's and sweeper's keys depend
    on the plugin chosen and are left to Hydra. Adding one with ``+`` is left to Hydra too."""
    from hydra.conf import HydraConf

    if arg.startswith("+"):
        return
    schema, path = HydraConf, "hydra"
    for part in key.split(".")[1:]:
        if not dataclasses.is_dataclass(schema):
            return
        names = [f.name for f in dataclasses.fields(schema)]
        if part not in names:
            close = difflib.get_close_matches(part, names, n=3)
            hint = f"did you mean {', '.join(f'{path}.{c}' for c in close)}? " if close else ""
            raise ConfigError(f"unknown key '{key}': {hint}{path} accepts {', '.join(sorted(names))}")
        schema, path = typing.get_type_hints(schema)[part], f"{path}.{part}"


def _check_design_chosen(args: list[str]) -> None:
    """``design.<key>=...`` needs a design: chosen on the command line or by the experiment."""
    keys = [a.split("=")[0].lstrip("+~") for a in args if "=" in a]
    if not any(k.startswith("design.") for k in keys) or "design" in keys:
        return
    experiments = [a.split("=", 1)[1] for a in args if a.split("=")[0] == "experiment"]
    if any(_experiment_design(e) for e in experiments):
        return
    raise ConfigError(
        f"{next(k for k in keys if k.startswith('design.'))} sets a design's key, but no design is chosen: "
        f"add design=<{'|'.join(group_options('design'))}>, or choose an experiment that has one"
    )


def _experiment_design(name: str) -> bool:
    """Whether the experiment ``name`` chooses a design (an ``override /design`` default)."""
    import yaml

    path = CONFIG_DIR / "experiment" / f"{name}.yaml"
    try:
        defaults = (yaml.safe_load(path.read_text()) or {}).get("defaults") or []
    except (OSError, yaml.YAMLError):
        return False
    return any(isinstance(d, dict) and "override /design" in d for d in defaults)


def _override_values(override) -> list:
    if override.is_sweep_override():
        if override.is_discrete_sweep():
            return list(override.sweep_iterator())
        return []  # an interval: its bounds are checked by the sweeper
    return [override.value()]


def _check_choices(group: str, values: list) -> None:
    options = group_options(group)
    for value in values:
        if value is None and group in ("experiment", "variant", "access", "design"):  # null: none chosen
            continue
        if str(value) not in options:
            raise ConfigError(
                f"{group}={value} is not a known {group}: {_did_you_mean(str(value), options)}"
                f"choose one of {', '.join(options)}"
            )


# Dictionaries whose keys are fixed names (the rest, such as categories, are free).
_DICT_KEYS = {
    ("Scenario", "service_types"): SERVICE_TYPES,
    ("Scenario", "channel_ease"): CHANNELS,
    ("Category", "need_rates"): RESIDENT_TYPES,
}


def _category_names() -> tuple[str, ...]:
    """Categories a scenario can name: the defaults and those the scenario files declare."""
    import yaml

    from sim.model.params import default_categories

    names = dict.fromkeys(default_categories())
    for path in sorted((CONFIG_DIR / "scenario").glob("*.yaml")):
        names |= dict.fromkeys((yaml.safe_load(path.read_text()) or {}).get("categories") or {})
    return tuple(names)


def _check_key(key: str, values: list) -> None:
    """Walk the dataclass schemas along ``key``; check each value against the leaf's type."""
    parts, schema, hint, walked = key.split("."), CommandConfig, CommandConfig, ""
    i = 0
    while i < len(parts):
        if schema is None:
            return  # below a list or a plain value: Hydra and validate() judge it
        part, fields = parts[i], {f.name for f in dataclasses.fields(schema)}
        if part not in fields:
            allowed = sorted(fields | ({"experiment", "variant", "access"} if not walked else set()))
            near = _did_you_mean(part, allowed, walked and walked + ".")
            listed = "(python -m sim.model.params lists every key)" if near else f"{walked or 'the top level'} accepts "
            raise ConfigError(f"unknown key '{key}': {near}{listed}{'' if near else ', '.join(allowed)}")
        hint = _dataclass_of(typing.get_type_hints(schema)[part])
        walked = f"{walked}.{part}" if walked else part
        owner, schema, i = schema.__name__, (hint if dataclasses.is_dataclass(hint) else None), i + 1
        if typing.get_origin(hint) is dict and i < len(parts):  # a dictionary: the next part is its key
            names = _DICT_KEYS.get((owner, part)) or (_category_names() if part == "categories" else None)
            if names is not None and parts[i] not in names:
                near = _did_you_mean(parts[i], names, walked + ".")
                raise ConfigError(f"unknown key '{key}': {near}{walked} has {', '.join(names)}")
            hint = typing.get_args(hint)[1]
            walked, schema, i = f"{walked}.{parts[i]}", _DICT_VALUES.get((owner, part)), i + 1
    for value in values:
        _check_type(key, value, hint)


def _dataclass_of(hint):
    """``X`` for ``X | None`` when X is a dataclass (the optional design), else ``hint``."""
    inner = [a for a in typing.get_args(hint) if a is not type(None)]
    return inner[0] if len(inner) == 1 and dataclasses.is_dataclass(inner[0]) else hint


def _check_type(key: str, value, hint) -> None:
    optional = type(None) in typing.get_args(hint)
    base = next((a for a in typing.get_args(hint) if a is not type(None)), hint) if optional else hint
    if value is None:
        if not optional:
            raise ConfigError(f"{key}=null: {key} needs a value")
        return
    if base is bool and not isinstance(value, bool):
        raise ConfigError(f"{key}={value}: {key} is true or false")
    if typing.get_origin(base) is list and not isinstance(value, list):
        raise ConfigError(f"{key}={value}: {key} is a list: write {key}=[{value}] (several: {key}=[a,b])")
    if base is int and (isinstance(value, (bool, float)) or not _is_int(value)):
        whole = f" (write {key}={int(float(value))})" if _is_int(value) and not isinstance(value, bool) else ""
        raise ConfigError(f"{key}={value}: {key} must be a whole number, written without a point or exponent{whole}")
    if base is float and (isinstance(value, bool) or not _is_number(value)):
        raise ConfigError(f"{key}={value}: {key} must be a number")


def _is_int(value) -> bool:
    try:
        return float(value) == int(float(value))
    except (TypeError, ValueError, OverflowError):
        return False


def _is_number(value) -> bool:
    try:
        float(value)
    except (TypeError, ValueError):
        return False
    return True


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
            names = [f.name for f in dataclasses.fields(where)]
            hint = _did_you_mean(path.rsplit(".", 1)[-1], names, parent + ".")
            raise ConfigError(f"unknown key '{path}': {hint}{parent} accepts {_allowed(where)}")
    return with_row(*_parts(cfg))


def _parts(cfg: DictConfig) -> tuple[RunConfig, Design | None]:
    fields = {f.name for f in dataclasses.fields(RunConfig)}  # the design is applied by with_row
    plain = OmegaConf.masked_copy(cfg, [k for k in cfg if k in fields])
    try:
        run = OmegaConf.to_object(OmegaConf.merge(OmegaConf.structured(RunConfig), plain))
        design = OmegaConf.to_object(cfg.design) if cfg.get("design") is not None else None
    except OmegaConfBaseException as err:
        raise ConfigError(str(err).splitlines()[0]) from None
    return run, design


def with_row(run: RunConfig, design: Design | None) -> RunConfig:
    """The checked configuration of ``run`` with ``design``'s row applied (if any)."""
    if design is None:
        return validate(run)
    validate(run)  # the configuration around the design ...
    check(design)  # ... the design ...
    try:  # ... and the configuration its row makes
        return validate(apply(run, design))
    except ConfigError as err:
        raise ConfigError(f"row {design.row} of the design makes an invalid configuration: {err}") from None


ROW_KEYS = ("seed", "design.row")
_SHAPES: dict = {}
"""(sweep folder, a job's overrides but its seed and row) -> its configuration and design,
unchecked: the jobs of one shape differ in nothing else."""


def job_run_config(cfg: DictConfig, sweep: str, overrides) -> RunConfig:
    """:func:`to_run_config` for a sweep's job, the same configuration. Jobs whose overrides
    differ only in ``seed`` and ``design.row`` differ only there: the first of a shape in this
    process is converted in full (about 0.06 s), the others copy it with their own seed and row;
    every job's configuration is then checked as :func:`to_run_config` checks it."""
    shape = (sweep, tuple(sorted(o for o in overrides if str(o).lstrip("+~").split("=")[0] not in ROW_KEYS)))
    if shape not in _SHAPES:
        if len(_SHAPES) >= 64:  # a sweep has a few shapes; a long-lived worker may see many sweeps
            _SHAPES.clear()
        _SHAPES[shape] = _parts(cfg)
    run, design = copy.deepcopy(_SHAPES[shape])  # the model must never share a job's objects
    run = dataclasses.replace(run, seed=int(cfg.seed))
    if design is not None:
        design = dataclasses.replace(design, row=int(cfg.design.row))
    return with_row(run, design)


def load_config(*overrides: str) -> RunConfig:
    """Compose ``configs/config.yaml`` with command-line style overrides, from Python
    (notebooks, experiments, tests), and return the checked :class:`RunConfig`."""
    check_overrides(list(overrides))
    GlobalHydra.instance().clear()
    try:
        with initialize_config_dir(config_dir=str(CONFIG_DIR), version_base="1.3"):
            cfg = compose("config", overrides=list(overrides))
    finally:
        GlobalHydra.instance().clear()
    return to_run_config(cfg)
