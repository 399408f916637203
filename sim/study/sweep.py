"""Sweeps: skip finished runs, record failures, and gather every run into ``runs.parquet``.

Hydra has no resume, and skips ``on_multirun_end`` when a job fails or the driver is killed.
So the state of a sweep lives in its directory, one folder per job:

* ``summary.json`` (written last and atomically by :mod:`sim.study.output`) marks a finished run;
  a re-run of the same sweep skips a job whose summary matches its configuration;
* ``failed.json`` records a job that raised, with the error; a later success removes it.

:func:`collect_runs` rebuilds the table of runs from those files alone, whenever asked: by
the end-of-sweep callback, or by ``python -m sim.present.report SWEEP_DIR`` after a crash or kill.
:func:`runs_from_results` makes the same table from runs made in a notebook's own process.
This module reads files only; it never imports the model.
"""

from __future__ import annotations

import functools
import hashlib
import json
import math
import os
import sys
import threading
import time
import traceback
from pathlib import Path
from typing import Any

import pandas as pd
import yaml
from omegaconf import DictConfig

from sim.study.output import SUMMARY, atomic_write, json_safe

FAILED = "failed.json"
RUNS = "runs.parquet"
_META_KEYS = ("hydra", "experiment", "progress")


class SweepError(RuntimeError):
    """A sweep directory cannot be read: missing, empty, or not a sweep."""


# ---------------------------------------------------------------------------- jobs


_NOT_MODEL = ("progress",)  # keys that do not change a run's results


def finished(out_dir: Path, params: dict) -> bool:
    """True if ``out_dir`` holds a complete run of exactly these parameters, made by this
    code (the hash of the package's source: a change to the model or the metrics re-runs)."""
    from sim.study.output import code_hash

    try:
        summary = json.loads((Path(out_dir) / SUMMARY).read_text())
        done = {k: v for k, v in summary["params"].items() if k not in _NOT_MODEL}
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return False
    same_code = summary.get("code") == code_hash()
    return same_code and _comparable(done) == _comparable({k: v for k, v in params.items() if k not in _NOT_MODEL})


def _comparable(value: Any) -> Any:
    """JSON round trip, so tuples, floats and NaN compare as they were written."""
    return None if value is None else json.loads(json.dumps(json_safe(value), default=str, sort_keys=True))


def record_failure(out_dir: Path, err: BaseException) -> None:
    """Write ``failed.json`` with the error (and remove any stale summary)."""
    out_dir = Path(out_dir)
    (out_dir / SUMMARY).unlink(missing_ok=True)
    record = {
        "error": f"{type(err).__name__}: {err}",
        "traceback": "".join(traceback.format_exception(err)),
        "time": time.strftime("%Y-%m-%dT%H:%M:%S"),
    }
    atomic_write(out_dir / FAILED, lambda tmp: Path(tmp).write_text(json.dumps(record, indent=2)))


def clear_failure(out_dir: Path) -> None:
    (Path(out_dir) / FAILED).unlink(missing_ok=True)


@functools.cache
def configs_hash(config_dir: str) -> str:
    """A hash of every configuration file (a change to an experiment's YAML changes its runs)."""
    digest = hashlib.blake2b(digest_size=8)
    root = Path(config_dir)
    for path in sorted(root.rglob("*.yaml")):
        digest.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def job_fingerprint(overrides) -> str:
    """What makes a job's run, without composing its configuration: the code (:func:`code_hash`),
    the configuration files and the job's own overrides (as Hydra gives them to the job; the
    progress display left out). A finished job's summary keeps it, so a sweep's driver can tell
    which jobs are done by reading one small field (:func:`unfinished`)."""
    from sim.study.config import CONFIG_DIR, _plain
    from sim.study.output import code_hash

    kept = sorted(_plain(o) for o in overrides if str(o).lstrip("+~").split("=")[0] not in _NOT_MODEL)
    text = "\n".join([code_hash(), configs_hash(str(CONFIG_DIR)), *kept])
    return hashlib.blake2b(text.encode(), digest_size=16).hexdigest()


def unfinished(sweep_dir: Path, jobs: list[list[str]]) -> list[list[str]]:
    """The jobs (each its list of overrides) that ``sweep_dir`` does not hold finished, by
    fingerprint: one read of each job's summary, no composition. A job it cannot vouch for (no
    summary, another fingerprint, a summary written before fingerprints) is kept: the job
    itself then checks its composed parameters (:func:`finished`), as before."""
    from sim.study.config import job_dirname
    from sim.study.output import code_hash

    sweep_dir = Path(sweep_dir)
    kept = []
    for job in jobs:
        try:
            with open(sweep_dir / job_dirname(job) / SUMMARY, "rb") as fh:
                summary = fh.read()
            done = _field(summary, "fingerprint") == job_fingerprint(job) and _field(summary, "code") == code_hash()
        except OSError:
            done = False
        if not done:
            kept.append(job)
    return kept


def _field(summary: bytes, name: str) -> str | None:
    """A top-level text field of a summary, found without parsing the whole (KPIs and
    parameters): the last ``"name": "..."`` in it (no parameter or KPI is named ``code`` or
    ``fingerprint``)."""
    key = b'"' + name.encode() + b'": "'
    at = summary.rfind(key)
    if at < 0:
        return None
    start = at + len(key)
    return summary[start : summary.find(b'"', start)].decode()


# ---------------------------------------------------------------------------- gathering


def _overrides(job_dir: Path) -> dict[str, Any]:
    """The job's own overrides (``.hydra/overrides.yaml``) as {key: value}."""
    path = job_dir / ".hydra" / "overrides.yaml"
    if not path.exists():
        return {}
    return parse_overrides(yaml.safe_load(path.read_text()) or [])


def parse_overrides(items) -> dict[str, Any]:
    """Command-line overrides (``["policy=refined", "scenario.workers_per_10k=10"]``) as
    {key: value}, values read as Hydra reads them; Hydra's own keys, ``experiment`` and
    ``progress`` left out. These become the columns of a sweep's swept parameters."""
    out = {}
    for item in items:
        key, _, value = str(item).partition("=")
        key = key.lstrip("+~")
        if key.split(".")[0] in _META_KEYS:
            continue
        try:
            out[key] = yaml.safe_load(value)
        except yaml.YAMLError:
            out[key] = value
        if isinstance(out[key], str):  # YAML reads 1e-1 as text; Hydra reads it as a number
            try:
                out[key] = float(out[key])
            except ValueError:
                pass
        if isinstance(out[key], (list, dict)):
            out[key] = json.dumps(out[key])
    return out


def _job_dirs(sweep_dir: Path) -> list[Path]:
    return sorted(p for p in sweep_dir.iterdir() if p.is_dir() and (p / ".hydra").is_dir())


def _row(job_dir: Path) -> dict[str, Any]:
    row: dict[str, Any] = {"job": job_dir.name, **_overrides(job_dir)}
    summary_path, failed_path = job_dir / SUMMARY, job_dir / FAILED
    if summary_path.exists():
        try:
            return row | _finished_row(json.loads(summary_path.read_text()))
        except (ValueError, KeyError, TypeError) as err:
            return row | {"status": "failed", "error": f"corrupt {SUMMARY}: {err}"}
    if failed_path.exists():
        try:
            return row | {"status": "failed", "error": json.loads(failed_path.read_text())["error"]}
        except (ValueError, KeyError) as err:
            return row | {"status": "failed", "error": f"corrupt {FAILED}: {err}"}
    return row | {"status": "unfinished", "error": "no result (killed, or still running)"}


def _finished_row(s: dict) -> dict[str, Any]:
    """The columns of a finished run from its summary (``summary.json``'s contents)."""
    row = {
        "status": "ok",
        "error": None,
        "seed": s["seed"],
        "policy": s["policy"],
        "scenario": s["scenario"],
        "days": s["days"],
        "version": s.get("version"),
        "code": s.get("code"),
        "needs_fingerprint": s.get("needs_fingerprint"),
    }
    return row | {k: (math.nan if v is None else v) for k, v in s["kpis"].items()}


_FIRST = ["job", "status", "error", "policy", "seed", "scenario", "days"]


def _table(rows: list[dict]) -> pd.DataFrame:
    runs = pd.DataFrame(rows)
    return runs[[c for c in _FIRST if c in runs] + [c for c in runs if c not in _FIRST]]


def collect_runs(sweep_dir: str | Path) -> pd.DataFrame:
    """One row per job of a sweep directory: its swept parameters, status and KPIs.

    Args:
        sweep_dir: The sweep directory (``hydra.sweep.dir``): one folder per job.

    Returns:
        The table of runs, rebuilt from the job folders.

    Raises:
        SweepError: ``sweep_dir`` is not a path, not a directory, has no job folders, or holds
            runs made one at a time.
    """
    if not isinstance(sweep_dir, (str, os.PathLike)):
        raise SweepError(f"sweep_dir is a {type(sweep_dir).__name__}: give the sweep directory's path")
    sweep_dir = Path(sweep_dir)
    if not sweep_dir.is_dir():
        raise SweepError(f"{sweep_dir} is not a directory: give the sweep directory (hydra.sweep.dir)")
    jobs = _job_dirs(sweep_dir)
    if not jobs:
        raise SweepError(f"{sweep_dir} has no job folders (each with a .hydra/ folder): is it a sweep directory?")
    if single := [j.name for j in jobs if _single_run(j)]:
        raise SweepError(
            f"{sweep_dir} holds runs made one at a time (python -m sim without -m: {len(single)}, e.g. "
            f"{single[0]}), not the jobs of one sweep: a report compares the runs of one sweep "
            "(python -m sim -m ... or experiment=...)"
        )
    return _table([_row(j) for j in jobs])


def _single_run(job_dir: Path) -> bool:
    """Whether Hydra made this folder for a single run, not for a sweep's job."""
    try:
        return "\n  mode: RUN\n" in (job_dir / ".hydra" / "hydra.yaml").read_text()
    except OSError:  # no record of how it was made (a folder written by hand, as in tests)
        return False


def runs_from_results(results, overrides) -> pd.DataFrame:
    """The table of runs of :func:`collect_runs` (one row per run: its overrides as columns,
    ``status``, ``seed``, ``policy``, ``scenario``, ``days``, ``needs_fingerprint`` and every
    KPI), from runs made in this process with :func:`sim.study.run.simulate` instead of read from a
    sweep's folders: the table that :mod:`sim.measure.analysis` takes.

    ``overrides[i]`` is the list of command-line overrides that made ``results[i]`` (as given
    to :func:`sim.study.config.load_config`, e.g. ``["policy=refined", "seed=2",
    "scenario.workers_per_10k=10"]`` or ``["variant=coarse+patrol", "seed=0"]``); they become
    columns as a sweep's overrides do, so what varies between the runs keeps them apart."""
    from sim.measure.metrics import needs_fingerprint
    from sim.study.config import job_dirname
    from sim.study.output import code_hash, code_version

    results, overrides = list(results), [list(o) for o in overrides]
    if len(results) != len(overrides):
        raise ValueError(f"{len(results)} results but {len(overrides)} lists of overrides: give one list per result")
    if not results:
        raise ValueError("no results: nothing to tabulate")
    version, code = code_version(), code_hash()
    rows = []
    for result, items in zip(results, overrides):
        cfg = result.config
        summary = {
            "seed": cfg.seed,
            "policy": cfg.policy.name,
            "scenario": cfg.scenario.name,
            "days": cfg.days,
            "version": version,
            "code": code,
            "needs_fingerprint": needs_fingerprint(result.issues),
            "kpis": result.kpis,
        }
        rows.append({"job": job_dirname(items), **parse_overrides(items), **_finished_row(summary)})
    return _table(rows)


def write_runs(sweep_dir: Path) -> pd.DataFrame:
    """Rebuild ``runs.parquet`` in the sweep directory; returns the table."""
    runs = collect_runs(sweep_dir)
    atomic_write(Path(sweep_dir) / RUNS, lambda tmp: runs.to_parquet(tmp, index=False))
    return runs


def read_runs(path: str | Path) -> pd.DataFrame:
    """Read a sweep's table of runs, the one :mod:`sim.measure.analysis` takes.

    Args:
        path: The sweep directory (``hydra.sweep.dir``) or its ``runs.parquet``.

    Returns:
        The table of runs: a row per job, its swept parameters, status and KPIs.

    Raises:
        SweepError: ``path`` is not a path, does not exist, is a folder without ``runs.parquet``
            (the message says how to build it, or that the folder is no sweep), or cannot be read.
    """
    if not isinstance(path, (str, os.PathLike)):
        what = "a table already: pass it to sim.measure.analysis" if isinstance(path, pd.DataFrame) else "not a path"
        raise SweepError(f"read_runs takes a sweep directory or its {RUNS}; a {type(path).__name__} is {what}")
    path = Path(path)
    if not path.exists():
        raise SweepError(f"{path} does not exist: give a sweep directory (hydra.sweep.dir) or its {RUNS}")
    if path.is_dir() and not (path / RUNS).is_file():
        if not _job_dirs(path):
            raise SweepError(f"{path} has no {RUNS} and no job folders (each with a .hydra/ folder): is it a sweep?")
        raise SweepError(
            f"{path} has no {RUNS}: build it from the job folders with `python -m sim.present.report {path}`"
        )
    path = path / RUNS if path.is_dir() else path
    try:
        return pd.read_parquet(path)
    except FileNotFoundError:  # removed while being read
        raise SweepError(f"{path} does not exist: give a sweep directory (hydra.sweep.dir) or its {RUNS}") from None
    except Exception as err:  # pyarrow raises several types for a damaged file
        raise SweepError(
            f"{path} cannot be read ({type(err).__name__}: {err}); "
            "rebuild it from the job folders with `python -m sim.present.report SWEEP_DIR`"
        ) from None


# ---------------------------------------------------------------------------- progress


def _sweep_overrides(hydra_cfg: DictConfig):
    """The parsed overrides a basic-sweeper sweep expands: the command line's and the
    sweeper's own parameters (a named experiment's axes) that the command line leaves; None
    if they cannot be read."""
    from hydra.core.override_parser.overrides_parser import OverridesParser

    items = list(hydra_cfg.overrides.task)
    params = hydra_cfg.sweeper.get("params") or {}
    given = {str(o).split("=")[0] for o in items}
    items += [f"{k}={v}" for k, v in params.items() if k not in given]
    try:
        return OverridesParser.create().parse_overrides(items)
    except Exception:
        return None


def sweep_size(hydra_cfg: DictConfig) -> int | None:
    """Number of jobs of a basic-sweeper sweep: product of the sweep lengths in the command
    line overrides and in ``hydra.sweeper.params``."""
    parsed = _sweep_overrides(hydra_cfg)
    if parsed is None:
        return None
    return math.prod(len(list(o.sweep_string_iterator())) for o in parsed if o.is_sweep_override())


def planned_jobs(hydra_cfg: DictConfig, name) -> set[str] | None:
    """The folder names of the jobs this sweep will run, as the basic sweeper expands them
    (``name``: a job's overrides -> its folder name); None if they cannot be worked out."""
    from hydra._internal.core_plugins.basic_sweeper import BasicSweeper

    if not str(hydra_cfg.sweeper.get("_target_", "")).endswith((".BasicSweeper", ".GovsimSweeper")):
        return None  # another sweeper (Optuna, Ax...) chooses its own jobs
    parsed = _sweep_overrides(hydra_cfg)
    if parsed is None:
        return None
    try:
        (batches,) = BasicSweeper.split_arguments(parsed, None)
    except Exception:  # a sweep the basic sweeper cannot expand: Hydra will say so itself
        return None
    return {name(job) for job in batches}


def other_jobs(sweep_dir: Path, planned: set[str]) -> list[str]:
    """Job folders already in ``sweep_dir`` that this sweep does not plan (another command's)."""
    if not Path(sweep_dir).is_dir():
        return []
    return [p.name for p in _job_dirs(Path(sweep_dir)) if p.name not in planned]


WATCHED = "GOVSIM_SWEEP_WATCHED"
"""Set by the driver while its progress display reports each run; jobs then stay quiet."""


def progress_bar(**kwargs):
    """A tqdm bar sized to the terminal, or to 80 x 24 where the terminal reports no size
    (tqdm would then draw nothing)."""
    import shutil

    from tqdm import tqdm

    size = shutil.get_terminal_size()
    return tqdm(ncols=size.columns, nrows=size.lines, **kwargs)


def done_line(label: str, kpis: dict) -> str:
    met, week = kpis.get("needs_met_share", math.nan), kpis.get("resolved_within_7d", math.nan)
    return f"[done] {label}: resolved within 7 days {week:.1%}, needs met {met:.1%}"


class Progress:
    """A progress bar (tqdm) of a sweep's runs, with a line for each run as it ends.

    It lives in the driver and learns what happened from the sweep's folder alone (a new
    ``summary.json`` or ``failed.json``), so it works with every launcher, and the jobs,
    which may run in other processes or on other machines, print nothing over it.
    """

    def __init__(self, sweep_dir: Path, total: int | None, every_s: float = 0.5, stream=sys.stderr):
        self.sweep_dir, self.every_s, self.stream = Path(sweep_dir), every_s, stream
        self._seen = self._results()
        done = sum(name == SUMMARY for _, name in self._seen)
        self.bar = progress_bar(total=total, initial=done, unit="run", desc="sweep", file=stream)
        if done:
            self.bar.write(
                f"[sweep] {done} runs finished before: those of the same configuration are skipped", self.stream
            )
        self.failed = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)

    def _results(self) -> dict[tuple[str, str], int]:
        """(job, file name) -> modification time of every summary and failure record."""
        if not self.sweep_dir.is_dir():
            return {}
        found = {}
        for name in (SUMMARY, FAILED):
            for path in self.sweep_dir.glob(f"*/{name}"):
                try:
                    found[path.parent.name, name] = path.stat().st_mtime_ns
                except OSError:  # replaced while we looked
                    continue
        return found

    def poll(self) -> list[str]:
        """Write a line for each run that ended since the last poll and advance the bar;
        returns those lines."""
        now = self._results()
        new = sorted(k for k, t in now.items() if self._seen.get(k) != t)
        self._seen = now
        lines = []
        for job, name in new:
            lines.append(self._describe(job, name))
            self.bar.write(lines[-1], self.stream)
            if name == SUMMARY:
                self.bar.update(1)
            else:
                self.failed += 1
                self.bar.set_postfix(failed=self.failed)
        return lines

    def _describe(self, job: str, name: str) -> str:
        try:
            record = json.loads((self.sweep_dir / job / name).read_text())
            return done_line(job, record["kpis"]) if name == SUMMARY else f"[FAIL] {job}: {record['error']}"
        except (OSError, ValueError, KeyError, TypeError):
            return f"[{'done' if name == SUMMARY else 'FAIL'}] {job}"

    def _loop(self) -> None:
        while not self._stop.wait(self.every_s):
            self.poll()

    def start(self) -> Progress:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join()
        self.poll()
        self.bar.close()
