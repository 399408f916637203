"""Issues (事件) and component faults (部件) as records in a columnar table.

An issue is not an agent: it is a row that keeps its whole life. Times are hours from the
start of the run; NaN means "has not happened". The table grows by doubling, so appending a
day's issues is one slice assignment per column.
"""

from __future__ import annotations

import numpy as np

# Channels through which the state learned of an issue (column ``channel``).
CHANNEL_NAMES = ("none", "counter", "hotline", "digital", "visit", "patrol")
UNKNOWN, COUNTER, HOTLINE, DIGITAL, VISIT, PATROL = range(6)
# Who handled it (column ``handler``).
HANDLER_NAMES = ("none", "front_line", "department", "volunteer")
NOBODY, FRONT_LINE, DEPARTMENT, VOLUNTEER = range(4)
STATUS_NAMES = ("open", "resolved", "abandoned")

COLUMNS = {
    "resident_id": np.int32,  # -1 for a component fault
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
    # common random numbers drawn when the issue arises (same under every policy)
    "u_report": np.float32,
    "e_delay": np.float32,
    "e_service": np.float32,
    "u_solved": np.float32,
}
_NAN_COLUMNS = ("reported_h", "dispatched_h", "started_h", "resolved_h", "abandoned_h", "fit")


class IssueTable:
    """Growable columns, one per attribute; ``n`` rows are in use."""

    def __init__(self, capacity: int = 1024):
        self.n = 0
        self.cols = {name: self._blank(dtype, max(capacity, 16), name) for name, dtype in COLUMNS.items()}

    @staticmethod
    def _blank(dtype, size: int, name: str) -> np.ndarray:
        if name in _NAN_COLUMNS:
            return np.full(size, np.nan, dtype=dtype)
        if name == "solved":
            return np.full(size, -1, dtype=dtype)
        if name == "pool":
            return np.full(size, -1, dtype=dtype)
        return np.zeros(size, dtype=dtype)

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
