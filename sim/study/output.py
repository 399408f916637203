"""Writing a run's results: every file appears whole or not at all.

Each file is written to a temporary name in the same directory, flushed to disk and renamed
into place (``os.replace`` is atomic on POSIX), so a run killed mid-write leaves no
half-written result. ``summary.json`` is written last: its presence marks a finished run.
"""

from __future__ import annotations

import functools
import hashlib
import json
import math
import os
import subprocess
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

import sim
from sim.measure.metrics import needs_fingerprint
from sim.model.issues import text_column
from sim.study.run import Result, params_dict

SUMMARY = "summary.json"
_UMASK = os.umask(0)
os.umask(_UMASK)


def atomic_write(path: Path, write) -> None:
    """Call ``write(tmp_path)`` then move the file to ``path`` atomically."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    os.chmod(tmp, 0o666 & ~_UMASK)  # mkstemp makes it private; results are ordinary files
    try:
        write(tmp)
        with open(tmp, "rb") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def json_safe(value):
    """Replace NaN and infinities by None, recursively, so the JSON is standard."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_safe(v) for v in value]
    return value


def code_version() -> str:
    """Package version, plus the git commit when run from a checkout."""
    here = Path(__file__).resolve().parent
    try:
        commit = subprocess.run(
            ["git", "-C", str(here), "rev-parse", "--short", "HEAD"], capture_output=True, text=True, timeout=5
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "-C", str(here), "status", "--porcelain", "--untracked-files=no"],
            capture_output=True,
            text=True,
            timeout=5,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        commit, dirty = "", ""
    return f"{sim.__version__}+{commit}{'.dirty' if dirty else ''}" if commit else sim.__version__


READERS = (
    "__main__.py",
    "_build.py",
    "cli.py",
    "lab.py",
    "measure/ablation.py",
    "measure/analysis.py",
    "measure/curves.py",
    "measure/precision.py",
    "study/batch.py",
    "study/discovery.py",
    "study/lab.py",
    "study/sensitivity.py",
    "study/sweep.py",
)
"""Modules, by their path in ``sim/``, that only read, aggregate or display saved results or
live models, or launch runs: editing them cannot change a run's files, so they are left out of
:func:`code_hash`. Nothing that computes a result may live in them."""
READER_FOLDERS = ("present",)
"""Folders of ``sim/`` left out of :func:`code_hash` as a whole: the presentation layer only shows
results (reports, figures, the browser view), so every module in it is a reader."""


def is_reader(path: str) -> bool:
    """Whether a module is left out of :func:`code_hash`.

    Args:
        path: The module's path in ``sim/``, with ``/`` between folders (``present/report.py``).
    """
    return path in READERS or path.split("/", 1)[0] in READER_FOLDERS


@functools.cache
def code_hash() -> str:
    """A hash of the source that makes a run's results (every module of the package but the
    readers, :func:`is_reader`): runs made by other code (another commit, or edits not
    committed) are never taken for finished runs of this one."""
    root = Path(sim.__file__).resolve().parent
    digest = hashlib.blake2b(digest_size=8)
    for path in sorted(p for p in root.rglob("*.py") if not is_reader(p.relative_to(root).as_posix())):
        digest.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def summary(result: Result) -> dict:
    cfg = result.config
    return json_safe(
        {
            "seed": cfg.seed,
            "policy": cfg.policy.name,
            "scenario": cfg.scenario.name,
            "days": cfg.days,
            "version": code_version(),
            "code": code_hash(),
            "needs_fingerprint": needs_fingerprint(result.issues),
            "params": params_dict(cfg),
            "kpis": result.kpis,
            "timings": result.timings,
        }
    )


def remove_stale_temporaries(out_dir: Path) -> None:
    """Delete temporary files left by a run that was killed mid-write."""
    for tmp in Path(out_dir).glob(".*.tmp"):
        tmp.unlink(missing_ok=True)


def write_parquet(df: pd.DataFrame, path: Path) -> None:
    """Write a table as ``df.to_parquet(path, index=False)`` would, atomically.

    Label columns the run keeps as pandas Categoricals (``sim.model.issues.label_column``) are
    written as plain strings, the column type of the output contract.
    """
    table = pa.Table.from_pandas(_with_plain_strings(df), preserve_index=False)
    # Dictionary-encode the label columns only: on float and id columns with a value per row
    # the encoder tries a dictionary, overflows it and falls back, which cost ~0.3 s per
    # 1.6 M issues. The file holds the same columns and values.
    labels = [f.name for f in table.schema if pa.types.is_string(f.type) or pa.types.is_large_string(f.type)]
    atomic_write(path, lambda tmp: pq.write_table(table, tmp, compression="snappy", use_dictionary=labels))


def _with_plain_strings(df: pd.DataFrame) -> pd.DataFrame:
    """``df`` with every categorical column of strings turned into a string column."""
    labels = {
        name: col
        for name, col in df.items()
        if isinstance(col.dtype, pd.CategoricalDtype) and pd.api.types.is_string_dtype(col.cat.categories)
    }
    if not labels:
        return df
    plain = {}
    for name, col in labels.items():
        codes = col.cat.codes.to_numpy()
        if (codes < 0).any():  # missing labels: let pandas convert (slower, same result)
            plain[name] = col.astype(pd.Series(np.array(["x"])).dtype)
        else:
            plain[name] = text_column(codes, col.cat.categories)
    return df.assign(**plain)


def write_results(result: Result, out_dir: Path, fingerprint: str | None = None) -> Path:
    """Write issues, timeseries, residents and, last, the summary into ``out_dir``; a sweep's
    job adds its ``fingerprint`` (:func:`sim.study.sweep.job_fingerprint`) to the summary."""
    out_dir = Path(out_dir)
    remove_stale_temporaries(out_dir)
    t0 = time.perf_counter()
    write_parquet(result.issues, out_dir / "issues.parquet")
    write_parquet(result.timeseries, out_dir / "timeseries.parquet")
    write_parquet(result.residents, out_dir / "residents.parquet")
    result.timings["write_s"] = time.perf_counter() - t0  # reported in the summary's timings

    def dump(tmp):
        with open(tmp, "w") as fh:
            record = summary(result) | ({"fingerprint": fingerprint} if fingerprint else {})
            json.dump(record, fh, indent=2, ensure_ascii=False)

    atomic_write(out_dir / SUMMARY, dump)
    return out_dir / SUMMARY
