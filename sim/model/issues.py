"""Issues (事件) and component faults (部件) as records in a columnar table.

An issue is not an agent: it is a row that keeps its whole life. Times are hours from the
start of the run; NaN means "has not happened". The table grows by doubling, so appending a
day's issues is one slice assignment per column.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa

# Channels through which the state learned of an issue (column ``channel``).
# ``supervisor``: found by a city supervisor walking a beat (scenario.supervisors_per_10k).
CHANNEL_NAMES = ("none", "counter", "hotline", "digital", "visit", "patrol", "supervisor")
UNKNOWN, COUNTER, HOTLINE, DIGITAL, VISIT, PATROL, SUPERVISOR = range(7)
# Who handled it (column ``handler``).
HANDLER_NAMES = ("none", "front_line", "department", "volunteer")
NOBODY, FRONT_LINE, DEPARTMENT, VOLUNTEER = range(4)
STATUS_NAMES = ("open", "resolved", "abandoned")
# The callback's answer (column ``rating``), as hotlines ask it; -1 in the table: no callback.
RATING_NAMES = ("dissatisfied", "basically satisfied", "satisfied")

COLUMNS = {
    "resident_id": np.int32,  # -1 for a component fault or an event in public space (no owner)
    "service_type": np.int8,
    "community": np.int32,
    "x": np.float32,
    "y": np.float32,
    "created_h": np.float64,
    "report_h": np.float64,  # when the resident would report (inf: never)
    "reported_h": np.float64,  # when the state learned of it, by any channel
    "dispatched_h": np.float64,  # when it reached its handler's queue
    "started_h": np.float64,
    "resolved_h": np.float64,
    "verified_h": np.float64,  # when a supervisor verified the handling on site (command centre; NaN: not)
    "abandoned_h": np.float64,
    "give_up_h": np.float64,  # created + patience: the resident gives up if not started by then
    "channel": np.int8,
    "report_channel": np.int8,
    "handler": np.int8,
    "pool": np.int32,
    "hops": np.int8,
    "travel_h": np.float32,
    "work_h": np.float32,  # hands-on handling time actually spent
    "fit": np.float32,
    "solved": np.int8,  # -1 unknown, 0 not actually solved, 1 solved
    "callback_score": np.float32,  # the resident's score of the case at the callback (NaN: none)
    "rating": np.int8,  # the callback's answer (RATING_NAMES; -1: no callback)
    # common random numbers drawn when the issue arises (same under every policy)
    "u_report": np.float32,
    "e_delay": np.float32,
    "e_report": np.float32,  # when an unreported need is reported after all (repeat reporting)
    "e_service": np.float32,
    "u_solved": np.float32,
    "u_rating": np.float32,  # the resident's taste at the callback (its own stream, sim.model.model)
    "n_then": np.float32,  # what staff hold of the person's need: its drift since the last contact ...
    "n_noise": np.float32,  # ... and the error of that contact (standard normals; sim.model.information)
}
_NAN_COLUMNS = (
    "reported_h",
    "dispatched_h",
    "started_h",
    "resolved_h",
    "verified_h",
    "abandoned_h",
    "fit",
    "callback_score",
)
_BLANK = {name: np.nan for name in _NAN_COLUMNS} | {"solved": -1, "pool": -1, "rating": -1}  # other columns: 0


class IssueTable:
    """Growable columns, one per attribute; ``n`` rows are in use."""

    def __init__(self, capacity: int = 1024):
        self.n = 0
        self.cols = {name: self._blank(dtype, max(capacity, 16), name) for name, dtype in COLUMNS.items()}

    @staticmethod
    def _blank(dtype, size: int, name: str) -> np.ndarray:
        """Storage for a column. Spare capacity costs no memory: zeroed pages are mapped by
        the OS only when written, and columns blank at NaN or -1 get their blank value row
        by row as rows are appended (``append``), not all at once."""
        return np.empty(size, dtype=dtype) if name in _BLANK else np.zeros(size, dtype=dtype)

    def __getitem__(self, name: str) -> np.ndarray:
        return self.cols[name]

    def __len__(self) -> int:
        return self.n

    def append(self, **values: np.ndarray) -> np.ndarray:
        """Add rows; returns their ids. Columns not given keep their blank value."""
        m = len(next(iter(values.values())))
        self._reserve(self.n + m)
        ids = np.arange(self.n, self.n + m)
        for name, v in values.items():
            self.cols[name][self.n : self.n + m] = v
        for name, blank in _BLANK.items():
            if name not in values:
                self.cols[name][self.n : self.n + m] = blank
        self.n += m
        return ids

    def _reserve(self, size: int) -> None:
        cap = len(self.cols["created_h"])
        if size <= cap:
            return
        new_cap = max(size, 2 * cap)
        for name, old in self.cols.items():
            grown = self._blank(old.dtype, new_cap, name)
            grown[: self.n] = old[: self.n]
            self.cols[name] = grown

    def view(self) -> dict[str, np.ndarray]:
        """The used rows of every column (views, not copies)."""
        return {name: col[: self.n] for name, col in self.cols.items()}


def text_column(codes: np.ndarray, names) -> pd.api.extensions.ExtensionArray:
    """The strings ``names[codes]`` as a pandas column of the default string dtype.

    Built by Arrow (a ``take`` from the few names), which takes milliseconds for 1.6 M rows,
    where pandas takes about 0.4 s per column to convert a numpy array of strings. The result is
    the same column (same dtype, same values) that ``np.array(names)[codes]`` would give.
    """
    dtype = pd.Series(np.array(["x"])).dtype  # pandas' default for strings
    if getattr(dtype, "storage", None) != "pyarrow":
        return pd.array(np.array(names)[codes], dtype=dtype)
    strings = pa.array(list(names), pa.large_string()).take(pa.array(np.asarray(codes)))
    return pd.arrays.ArrowStringArray(strings, dtype=dtype)


def label_column(codes: np.ndarray, names) -> pd.Categorical:
    """The labels ``names[codes]`` as a pandas Categorical: one byte per row instead of a
    string object or Arrow string (about 16 bytes per row), which matters for 1.6 M issues.

    Categories are in sorted order, so grouping and sorting by the column give what the
    plain strings would give, and ``pd.util.hash_pandas_object`` hashes a categorical by
    its values, so the fingerprint of a table is unchanged. Files get plain strings back
    (``sim.study.output``), so the column types of the output contract do not change.
    """
    names = list(names)
    order = sorted(range(len(names)), key=names.__getitem__)
    rank = np.empty(len(names), dtype=np.int8)
    rank[order] = np.arange(len(names))
    return pd.Categorical.from_codes(rank[np.asarray(codes)], categories=[names[i] for i in order])
