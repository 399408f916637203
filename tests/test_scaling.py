"""The scaling measurement's figure and arguments (the measurement itself is run by hand:
python -m experiments.scaling, about two minutes on two cores)."""

import json
import subprocess
import sys

from experiments import scaling
from tests.conftest import ROOT


def test_the_figure_draws_a_saved_measurement(tmp_path):
    saved = {"runs": 20, "cores": [1, 2], "joblib": {"1": 30.0, "2": 17.5}, "ray": {"1": 31.0, "2": 18.5}}
    (tmp_path / "m.json").write_text(json.dumps(saved))  # keys become text, as in the saved file
    scaling.plot(json.loads((tmp_path / "m.json").read_text()), tmp_path / "m.png")
    assert (tmp_path / "m.png").stat().st_size > 10_000


def test_a_bad_seed_count_exits_2_naming_it():
    done = subprocess.run(
        [sys.executable, "-m", "experiments.scaling", "--seeds", "0"], capture_output=True, text=True, cwd=ROOT
    )
    assert done.returncode == 2 and "--seeds must be at least 1" in done.stderr
