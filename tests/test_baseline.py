"""Regression: small fixed-seed runs reproduce the pinned baseline (tests/baseline.json).

Optimisations must leave every number unchanged. A deliberate model change updates the
baseline with ``python -m tests.baseline``, in a commit that says why.
"""

import json

import pytest

from tests.baseline import BASELINE, CASES, fingerprint


@pytest.mark.parametrize("name", sorted(CASES))
def test_outputs_match_the_pinned_baseline(name):
    pinned = json.loads(BASELINE.read_text())[name]
    now = fingerprint(CASES[name])
    changed = {k: (pinned["kpis"].get(k), v) for k, v in now["kpis"].items() if not _same(pinned["kpis"], k, v)}
    assert not changed, f"{name}: KPIs differ from the baseline (pinned, now): {changed}"
    assert now["issues_hash"] == pinned["issues_hash"], f"{name}: the issue table differs from the baseline"


def _same(pinned: dict, key: str, value) -> bool:
    """Pinned and equal; a KPI with nothing to average over is null (NaN) in both."""
    if key not in pinned:
        return False
    if value is None or pinned[key] is None:
        return value is None and pinned[key] is None
    return pinned[key] == pytest.approx(value, rel=1e-9, abs=1e-12)
