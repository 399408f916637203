"""The commands as a person types them: in a real pseudo-terminal, where progress bars
start and every launcher pickles the sweep's callbacks with its jobs. CI and the other
tests run without a terminal and would not see a display that breaks a sweep."""

import pandas as pd
import pytest

from tests.conftest import in_terminal


@pytest.mark.parametrize("launcher", ["joblib", "submitit_local"])
def test_a_sweep_typed_in_a_terminal_runs_to_the_end(sweep_in_terminal, launcher):
    # `python -m sim -m hydra/launcher=... scenario=teaching policy=coarse,refined
    # seed=range(0,2)` at 20 days instead of 5 (longer runs, the same four jobs), typed once
    # per session for each launcher (tests/conftest.py): test_sweep compares its runs with
    # the basic launcher's.
    sweep_dir, code, shown = sweep_in_terminal(launcher)
    assert code == 0, shown[-3000:]
    assert "pickle" not in shown, shown[-3000:]
    runs = pd.read_parquet(sweep_dir / "runs.parquet")
    assert len(runs) == 4 and (runs["status"] == "ok").all()
    assert "4/4" in shown, f"the progress bar reaches 4 of 4 runs: {shown[-2000:]}"
    # One line per run, from the driver's display: the jobs print nothing over the bar.
    assert shown.count("[done]") == 4, shown


def test_the_main_study_runs_in_a_terminal(compare_regimes_in_terminal):
    """The README's main command (a named experiment on joblib), shrunk: the session's
    compare_regimes_in_terminal (tests/conftest.py), typed in a terminal once and also read by
    test_headline and test_experiments. It is 20 days with a 3-day warm-up on three seeds
    where this test ran 5 days without a warm-up on two: more runs and a warm-up, no less."""
    sweep_dir, code, shown = compare_regimes_in_terminal
    assert code == 0, shown[-3000:]
    assert (sweep_dir / "report" / "figure.png").exists()


def test_one_run_in_a_terminal_shows_days_and_the_table(tmp_path):
    code, shown = in_terminal("scenario=teaching", "days=30", f"hydra.run.dir={tmp_path / 'run'}")
    assert code == 0, shown
    assert "day" in shown and "satisfied or basically (满意率)" in shown, shown
    assert (tmp_path / "run" / "summary.json").exists()
