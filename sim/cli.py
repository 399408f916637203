"""``python -m sim [overrides]``: run one simulation (or, with ``-m``, a sweep) and write results.

Thin on purpose: check the command line (``sim.study.config``), compose (Hydra), simulate
(``sim.study.run``), write (``sim.study.output``), print the KPI table. Bad input stops the command with
govsim's message and exit status 2 before any folder is made. In a sweep, each job skips
itself if its folder already holds a finished run of the same configuration (resume), and
records an error in ``failed.json`` instead of stopping the sweep.
"""

from __future__ import annotations

import errno
import logging
import os
import re
import shutil
import sys
import time
import traceback
from dataclasses import asdict
from pathlib import Path
from typing import Any

import hydra
from hydra.core.hydra_config import HydraConfig
from hydra.experimental.callback import Callback
from hydra.types import RunMode
from omegaconf import DictConfig, OmegaConf

from sim.model.params import ConfigError, RunConfig
from sim.study.config import CONFIG_DIR, HYDRA_FLAGS, check_overrides, job_dirname, job_run_config, to_run_config
from sim.study.output import SUMMARY
from sim.study.sweep import (
    FAILED,
    RUNS,
    WATCHED,
    Progress,
    SweepError,
    clear_failure,
    done_line,
    finished,
    job_fingerprint,
    other_jobs,
    planned_jobs,
    progress_bar,
    record_failure,
    sweep_size,
    write_runs,
)

log = logging.getLogger("govsim")

USAGE_ERROR = 2  # bad input: a configuration error or an unusable output directory
_composed = False  # set once Hydra has composed the configuration (see cli)
_made: list[Path] = []  # the single run's folder, made by this command
_folder: list[Path] = []  # the folder the command writes to (a run's or a sweep's)


def fail(message: str) -> None:
    print(f"govsim: {message}", file=sys.stderr)
    sys.exit(USAGE_ERROR)


def usable_directory(path: Path) -> str | None:
    """Why ``path`` cannot hold results (None if it can): made here if missing."""
    try:
        path.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        return f"{path} exists and is not a directory"
    except OSError as err:
        return f"cannot create {path}: {err.strerror or err}"
    if not os.access(path, os.W_OK | os.X_OK):
        return f"{path} is not writable"
    return None


class Checks(Callback):
    """Runs in the driver after Hydra has composed the configuration, before it makes any
    folder: a rejected configuration or an unusable output directory leaves nothing behind."""

    def on_run_start(self, config: DictConfig, **kwargs: Any) -> None:
        global _composed
        _composed = True
        try:
            to_run_config(config)
        except ConfigError as err:
            fail(f"configuration error: {err}")
        self._check_dir(config, "hydra.run.dir")

    def on_multirun_start(self, config: DictConfig, **kwargs: Any) -> None:
        global _composed
        _composed = True  # each job checks its own configuration and records failures ...
        try:
            to_run_config(config)
        except ConfigError as err:  # ... but an error no swept value can mend stops the sweep
            if not mendable(str(err), config):
                fail(f"configuration error (every run of this sweep): {err}")
        self._check_dir(config, "hydra.sweep.dir")
        claim_folder(Path(str(config.hydra.sweep.dir)))

    @staticmethod
    def _check_dir(config: DictConfig, key: str) -> None:
        path = Path(str(OmegaConf.select(config, key)))
        _folder.append(path)
        new = not path.exists()
        if problem := usable_directory(path):
            fail(f"output directory: {problem} (set another with {key}=...)")
        if new and key == "hydra.run.dir":
            _made.append(path)


LOCK = ".govsim.lock"
_lock: list = []  # the open lock file of the sweep this command runs: held until it exits


def claim_folder(folder: Path) -> None:
    """One sweep at a time in a folder: take its lock, or stop (exit 2) naming the command that
    holds it. The operating system lets go of the lock when its holder ends, however it ends
    (kill -9 included), so a stopped sweep never blocks its resume."""
    import fcntl
    import socket

    folder.mkdir(parents=True, exist_ok=True)
    handle = open(folder / LOCK, "a+")  # held open while the sweep runs
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        handle.seek(0)
        holder = handle.read().strip() or "another command"
        handle.close()
        fail(
            f"{folder} is in use by another sweep ({holder}): two copies would compute the same runs twice. "
            "Wait for it to end, or stop it, then run this command again: it resumes where that one stopped."
        )
    handle.seek(0)
    handle.truncate()
    handle.write(f"pid {os.getpid()} on {socket.gethostname()}, started {time.strftime('%Y-%m-%d %H:%M:%S')}")
    handle.flush()
    _lock.append(handle)


def mendable(error: str, config: DictConfig) -> bool:
    """Whether a swept value could mend this configuration error: the error names a swept
    key. A key typed on the command line with one value is fixed in every run, whatever a
    swept preset sets (``policy.patrol_share=1.2`` beats every ``policy=...``): its mentions
    do not count."""
    from hydra.core.override_parser.overrides_parser import OverridesParser

    task = list(OmegaConf.select(config, "hydra.overrides.task", default=[]) or [])
    fixed = {o.key_or_group for o in OverridesParser.create().parse_overrides(task) if not o.is_sweep_override()}
    for key in sorted(fixed, key=len, reverse=True):
        error = re.sub(rf"(?<![\w.]){re.escape(key)}(?![\w])", "", error)
    return any(key in error for key in swept_keys(config))


def swept_keys(config: DictConfig) -> set[str]:
    """The keys a sweep varies: sweep overrides on the command line and the sweeper's own
    parameters (a named experiment's axes)."""
    from hydra.core.override_parser.overrides_parser import OverridesParser

    task = list(OmegaConf.select(config, "hydra.overrides.task", default=[]) or [])
    keys = {o.key_or_group for o in OverridesParser.create().parse_overrides(task) if o.is_sweep_override()}
    params = OmegaConf.select(config, "hydra.sweeper.params", default=None) or {}
    return keys | set(params)


# ---------------------------------------------------------------------------- one run


def day_bar(days: int, enabled: bool):
    """A progress bar of simulated days on a terminal, or None."""
    if not (enabled and sys.stderr.isatty()):
        return None
    return progress_bar(total=days, unit="day", desc="simulating", leave=False, file=sys.stderr)


def run_one(run_cfg: RunConfig, out_dir: Path, progress: bool, fingerprint: str | None = None) -> dict:
    from sim.study.output import write_results
    from sim.study.run import simulate

    bar = day_bar(run_cfg.days, progress)
    try:
        result = simulate(run_cfg, progress=None if bar is None else lambda day: bar.update(day - bar.n))
    finally:
        if bar is not None:
            bar.close()
    write_results(result, out_dir, fingerprint)
    return result.kpis


def single_run(cfg: DictConfig, out_dir: Path) -> None:
    from sim.present.kpi_table import kpi_table

    run_cfg = to_run_config(cfg)  # checked already (Checks): cannot fail here
    title = f"{run_cfg.policy.name} / {run_cfg.scenario.name} / seed {run_cfg.seed} / {run_cfg.days} days"
    log.info("simulating %s", title)
    t0 = time.perf_counter()
    try:
        kpis = run_one(run_cfg, out_dir, progress=run_cfg.progress)
    except BaseException as err:  # a crash or Ctrl-C: the folder says so, and why
        if disk_full(err):
            stop_for_full_disk(err)  # here, before Hydra reports the job's error in its own words
        record_failure(out_dir, err)
        raise
    log.info("finished in %.1f s; results in %s", time.perf_counter() - t0, out_dir)
    print(kpi_table(kpis, title=title))
    print(f"results: {out_dir}")


# ---------------------------------------------------------------------------- a sweep's job


def sweep_job(cfg: DictConfig, out_dir: Path) -> None:
    """One job of a sweep: skip if done, never raise (the error goes to failed.json)."""
    task = list(HydraConfig.get().overrides.task)
    label = " ".join(task) or "(defaults)"
    say = os.environ.get(WATCHED) is None  # else the driver's progress display reports it

    def tell(line: str, stream=sys.stdout, exc_info: bool = False) -> None:
        log.info(line, exc_info=exc_info)  # run.log only: INFO stays off the terminal
        if say:
            print(line, file=stream, flush=True)

    try:
        run_cfg = job_run_config(cfg, str(out_dir.parent), task)
        if finished(out_dir, asdict(run_cfg)):
            tell(f"[skip] {label}: already finished")
            return
        kpis = run_one(run_cfg, out_dir, progress=False, fingerprint=job_fingerprint(task))
        clear_failure(out_dir)
        tell(done_line(label, kpis))
    except Exception as err:  # a failed job must not take the sweep down with it
        if disk_full(err):
            raise  # ... but a full disk takes every job down: the sweep stops and says so
        record_failure(out_dir, err)
        tell(f"[FAIL] {label}: {type(err).__name__}: {err}", sys.stderr, exc_info=not isinstance(err, ConfigError))


@hydra.main(version_base="1.3", config_path=str(CONFIG_DIR), config_name="config")
def main(cfg: DictConfig) -> None:
    logging.getLogger("MESA").setLevel(logging.WARNING)  # Mesa logs every step at INFO
    hc = HydraConfig.get()
    out_dir = Path(hc.runtime.output_dir)
    if hc.mode == RunMode.MULTIRUN:
        sweep_job(cfg, out_dir)
    else:
        single_run(cfg, out_dir)


# ---------------------------------------------------------------------------- a full disk

FULL = (errno.ENOSPC, errno.EDQUOT)


def disk_full(err: BaseException) -> bool:
    return isinstance(err, OSError) and err.errno in FULL


def reporting_disk_full(run_and_report):
    """Hydra's ``run_and_report`` (which prints any error as a traceback), with a full disk
    told in govsim's words: the file it could not write, and that what is written is kept."""

    def run(func):
        def guarded():
            try:
                return func()
            except OSError as err:
                if not disk_full(err):
                    raise
                stop_for_full_disk(err)

        return run_and_report(guarded)

    return run


def stop_for_full_disk(err: OSError) -> None:
    """Say what could not be written and that what is written is kept; exit 1 by SystemExit,
    which Hydra neither catches nor prints with a traceback."""
    for folder in _made:  # a single run's folder, left without results
        if not (folder / SUMMARY).exists():
            shutil.rmtree(folder, ignore_errors=True)
    where = err.filename or (_folder or ["its folder"])[-1]
    print(
        f"govsim: {os.strerror(err.errno).lower()}: could not write {where}. Runs already finished are kept: "
        "free some space, then re-run the same command; a sweep resumes where it stopped.",
        file=sys.stderr,
    )
    sys.exit(1)


OPTIONAL_LAUNCHERS = {"ray": ("hydra_plugins.hydra_ray_launcher", 'pip install "govsim[ray]"')}


def check_launcher(args: list[str]) -> None:
    """A launcher that comes with an optional extra must be installed: say which."""
    import importlib.util

    for arg in args:
        key, _, value = arg.partition("=")
        if key.lstrip("+") != "hydra/launcher":
            continue
        for prefix, (module, install) in OPTIONAL_LAUNCHERS.items():
            if value.startswith(prefix) and importlib.util.find_spec(module) is None:
                raise ConfigError(f"hydra/launcher={value} needs Hydra's {prefix} launcher, not installed: {install}")


def register_plugins() -> None:
    """Make govsim's sweeper and launcher known to Hydra. A regular install puts them where
    Hydra's plugin scan finds them; an editable install maps them in a way the scan cannot
    walk, so name them here."""
    from hydra.core.plugins import Plugins

    plugins = Plugins.instance()  # first: Hydra's scan re-executes the modules it finds
    from hydra_plugins.govsim_sweeper.govsim_launcher import GovsimJoblibLauncher
    from hydra_plugins.govsim_sweeper.govsim_sweeper import GovsimSweeper

    plugins.register(GovsimSweeper)
    plugins.register(GovsimJoblibLauncher)


TAKES_VALUE = ("-c", "--cfg", "-i", "--info", "-p", "--package", "-cp", "--config-path", "-cn", "--config-name",
               "-cd", "--config-dir", "-sc", "--shell-completion", "--experimental-rerun")  # fmt: skip


def flags_first(args: list[str]) -> list[str]:
    """The options (``-m``, ``--cfg job``...) before the overrides, wherever they were typed:
    Hydra's parser takes them only there (``python -m sim policy=refined -m seed=1,2``)."""
    flags, overrides, i = [], [], 0
    while i < len(args):
        arg = args[i]
        if arg.startswith("-") and "=" not in arg:
            after = args[i + 1] if i + 1 < len(args) else "-"
            unknown = arg not in HYDRA_FLAGS and "=" not in after  # --days 30: kept together for the message
            takes = (arg in TAKES_VALUE or unknown) and not after.startswith("-")
            flags += args[i : i + 1 + takes]
            i += 1 + takes
        else:
            overrides.append(arg)
            i += 1
    return flags + overrides


def cli() -> None:
    """The command: govsim's own checks around Hydra's entry point.

    Hydra exits with status 1 for every error. Those raised while it composes the
    configuration (before :class:`Checks` has seen it) are bad input, so they exit with 2;
    the rest (a crash, a sweep with failed runs) keep 1.
    """
    register_plugins()
    import hydra._internal.utils as hydra_utils  # the function main's errors go through

    if not getattr(hydra_utils.run_and_report, "govsim", False):
        hydra_utils.run_and_report = reporting_disk_full(hydra_utils.run_and_report)
        hydra_utils.run_and_report.govsim = True
    sys.argv[1:] = flags_first(sys.argv[1:])
    try:
        check_overrides(sys.argv[1:])
        check_launcher(sys.argv[1:])
    except ConfigError as err:
        fail(f"configuration error: {err}")
    try:
        main()
    except SystemExit as done:
        if done.code == 1 and not _composed:
            sys.exit(USAGE_ERROR)
        raise
    except KeyboardInterrupt:
        for folder in _made:  # a single run's folder, interrupted before the run began
            if not (folder / SUMMARY).exists() and not (folder / FAILED).exists():
                shutil.rmtree(folder, ignore_errors=True)
        print(
            "\ngovsim: interrupted. Finished runs are kept; re-running a sweep into the same folder "
            "(the one it named at its start) resumes it.",
            file=sys.stderr,
        )
        sys.exit(130)


# ---------------------------------------------------------------------------- a sweep's driver


def resume_hint(config: DictConfig, sweep_dir: Path) -> str:
    """How to resume this sweep: the same command, if its folder is fixed (a named experiment,
    or hydra.sweep.dir given); else the folder must be named, since the default one is new
    each time (it holds the time of day)."""
    if "${now:" not in str(OmegaConf.to_container(config.hydra.sweep, resolve=False).get("dir", "")):
        return "re-run the same command to resume"
    return f"to resume, re-run it with hydra.sweep.dir={sweep_dir}"


def check_other_jobs(config: DictConfig, sweep_dir: Path) -> None:
    """Runs of another command in this sweep's folder: the report reads every run there. A
    design's report reads one design only, so a designed sweep refuses them (exit 2, nothing
    run); any other sweep says how many there are, since they join its report."""
    planned = planned_jobs(config.hydra, job_dirname)
    others = [] if planned is None else other_jobs(sweep_dir, planned)
    if not others:
        return
    where = f"{sweep_dir} holds {len(others)} runs that this command does not ask for (e.g. {others[0]})"
    if OmegaConf.select(config, "design") is not None:
        fail(
            f"{where}: a design's report reads the rows of one design; give this one its own folder "
            "(hydra.sweep.dir=...) or remove them"
        )
    print(
        f"[sweep] {where}: the report includes them (another seed set or setting); give hydra.sweep.dir=... "
        "to keep this command's runs apart",
        file=sys.stderr,
    )


class SweepCallback(Callback):
    """Hydra callback: progress while the sweep runs; ``runs.parquet`` and the report at
    the end. (Hydra skips ``on_multirun_end`` if the driver dies; ``sim.present.report`` redoes it.)"""

    def __init__(self, report: bool = True) -> None:
        self.report = report
        self._progress: Progress | None = None

    def __getstate__(self) -> dict:
        # Launchers (joblib, submitit, Ray) pickle the callbacks with every job; the progress
        # display, with its thread and locks, stays in the driver.
        return {"report": self.report, "_progress": None}

    def on_multirun_start(self, config: DictConfig, **kwargs: Any) -> None:
        sweep_dir = Path(config.hydra.sweep.dir)
        check_other_jobs(config, sweep_dir)
        print(f"[sweep] writing to {sweep_dir} ({resume_hint(config, sweep_dir)})", file=sys.stderr)
        if config.get("progress", True) and sys.stderr.isatty() and sys.stdout.isatty():
            self._progress = Progress(sweep_dir, sweep_size(config.hydra)).start()
            os.environ[WATCHED] = "1"  # inherited by the jobs' processes, started after this

    @staticmethod
    def _report(sweep_dir: Path, runs) -> bool:
        """Build the report; on failure say why and how to retry, and return False."""
        from sim.present.report import build_report

        try:
            for path in build_report(sweep_dir, runs):
                print(f"[sweep] wrote {path}", file=sys.stderr)
        except SweepError as err:
            print(f"[sweep] no report: {err}", file=sys.stderr)
            return False
        except Exception:
            traceback.print_exc()
            print(
                f"[sweep] the report failed; the runs are kept: python -m sim.present.report {sweep_dir}",
                file=sys.stderr,
            )
            return False
        return True

    def on_multirun_end(self, config: DictConfig, **kwargs: Any) -> None:
        if self._progress is not None:
            self._progress.stop()
            os.environ.pop(WATCHED, None)
        sweep_dir = Path(config.hydra.sweep.dir)
        runs = write_runs(sweep_dir)
        bad = runs[runs["status"] != "ok"]
        print(f"[sweep] {len(runs) - len(bad)} runs ok, {len(bad)} failed: {sweep_dir / RUNS}", file=sys.stderr)
        for r in bad.itertuples():
            print(f"[sweep]   {r.job}: {r.error}", file=sys.stderr)
        if self.report and len(bad) < len(runs) and not self._report(sweep_dir, runs):
            sys.exit(1)  # Hydra would only warn about an exception raised here
        if len(bad):
            # The good runs are aggregated above; the exit status still tells scripts and
            # schedulers that the sweep is not complete.
            sys.exit(1)
