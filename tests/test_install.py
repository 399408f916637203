"""A regular (non-editable) install, used from another folder, as researchers install
tools into their own environments; and the README's install command on too old a Python."""

import re
import shutil
import subprocess
import sys
import venv
from pathlib import Path

import pytest

from tests.conftest import ROOT, unavailable


def _site_packages(python: str) -> str:
    code = "import sysconfig; print(sysconfig.get_paths()['purelib'])"
    return subprocess.run([python, "-c", code], capture_output=True, text=True, check=True).stdout.strip()


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """A fresh venv with govsim installed from a wheel built out of a copy of the sources.

    Its dependencies come from the test environment (a path entry, not an install) to keep
    the test fast; govsim itself is the wheel's copy, not this checkout. For the same reason
    the venv is made without its own pip (ensurepip takes ~5 s): the venv's python runs the
    test environment's pip through that path entry, which installs into the venv all the same.
    """
    tmp = tmp_path_factory.mktemp("install")
    src = tmp / "src"
    ignore = shutil.ignore_patterns("__pycache__")
    shutil.copytree(ROOT / "sim", src / "sim", ignore=ignore)
    shutil.copytree(ROOT / "configs", src / "configs", ignore=ignore)
    shutil.copytree(ROOT / "hydra_plugins", src / "hydra_plugins", ignore=ignore)
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, src / name)
    wheels = tmp / "wheels"
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(wheels), str(src)],
        capture_output=True,
        text=True,
    )
    assert built.returncode == 0, built.stderr[-3000:]
    env_dir = tmp / "venv"
    venv.create(env_dir, with_pip=False)
    python = str(env_dir / "bin" / "python")
    (Path(_site_packages(python)) / "deps.pth").write_text(_site_packages(sys.executable) + "\n")
    (wheel,) = wheels.glob("govsim-*.whl")
    done = subprocess.run(
        [python, "-m", "pip", "install", "-q", "--no-deps", "--no-index", str(wheel)], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return env_dir


def test_a_regular_install_runs_from_another_folder(installed, tmp_path):
    python = str(installed / "bin" / "python")
    where = subprocess.run(
        [python, "-c", "import sim; print(sim.__file__)"], capture_output=True, text=True, cwd=tmp_path
    )
    assert str(installed) in where.stdout, f"sim must come from the install, not the checkout: {where.stdout}"
    done = subprocess.run(
        [python, "-m", "sim", "scenario=teaching", "days=5"], capture_output=True, text=True, cwd=tmp_path
    )
    assert done.returncode == 0, done.stderr[-3000:]
    (run,) = (tmp_path / "results" / "runs").iterdir()
    assert (run / "summary.json").exists()
    code = "from sim.study.config import load_config as c; print(c('scenario=teaching', 'policy=refined').policy.name)"
    from_python = subprocess.run([python, "-c", code], capture_output=True, text=True, cwd=tmp_path)
    assert from_python.stdout.strip() == "refined", from_python.stderr[-3000:]


def test_a_regular_install_sweeps_with_govsims_sweeper_and_launcher(installed, tmp_path):
    # Hydra finds plugins by walking its hydra_plugins namespace: the wheel must put govsim's
    # sweeper and launcher there, and a resumed sweep must launch nothing.
    python = str(installed / "bin" / "python")
    sweep = [python, "-m", "sim", "-m", "scenario=teaching", "days=5", "seed=0,1", "hydra/launcher=cores"]
    sweep += ["hydra.launcher.n_jobs=2", f"hydra.sweep.dir={tmp_path / 'sweep'}"]
    first = subprocess.run(sweep, capture_output=True, text=True, cwd=tmp_path)
    assert first.returncode == 0, first.stderr[-3000:]
    again = subprocess.run(sweep, capture_output=True, text=True, cwd=tmp_path)
    assert again.returncode == 0 and "2 of 2 runs already finished: not launched" in again.stderr, again.stderr


def test_install_leaves_nothing_untracked_in_the_checkout():
    ignored = subprocess.run(
        ["git", "check-ignore", "build/x", "out/x", "govsim.egg-info/x"], capture_output=True, text=True, cwd=ROOT
    )
    if ignored.returncode == 128:
        unavailable("not a git checkout")
    # build/ and *.egg-info/ are left by pip install; out/ by the README's example.
    assert ignored.stdout.split() == ["build/x", "out/x", "govsim.egg-info/x"], "git must ignore them"


def _readme_install_command() -> str:
    text = (ROOT / "README.md").read_text()
    section = text.split("## Install and run", 1)[1]
    return re.search(r"```bash\n(.+?)\n```", section, re.S).group(1).strip()


def _old_python() -> str | None:
    for candidate in [*sorted(Path.home().glob(".pyenv/versions/3.11*/bin/python3")), Path("/usr/bin/python3.11")]:
        if candidate.exists():
            return str(candidate)
    return None


def test_readme_install_command_stops_early_on_an_old_python(tmp_path):
    old = _old_python()
    if old is None:
        unavailable("no Python 3.11 on this machine")
    first = _readme_install_command().split("&&")[0].strip()
    assert first.startswith("python3 "), f"the README's command starts by checking the Python version: {first}"
    done = subprocess.run(first.replace("python3", old, 1), shell=True, capture_output=True, text=True, cwd=tmp_path)
    assert done.returncode != 0, "Python 3.11 must be refused before pip runs"
    assert "3.12" in done.stderr and "Traceback" not in done.stderr, done.stderr


def test_pip_install_on_an_old_python_names_the_python_it_needs(tmp_path):
    """Every install path (``pip install .``, ``pip install git+...``) builds govsim with the
    Python doing the install, and the build says which Python is needed (sim/_build.py), where
    pip alone would say only that no version of Mesa matches."""
    old = _old_python()
    if old is None:
        unavailable("no Python 3.11 on this machine")
    env_dir = tmp_path / "venv311"
    subprocess.run([old, "-m", "venv", str(env_dir)], check=True)
    done = subprocess.run(
        [str(env_dir / "bin" / "python"), "-m", "pip", "install", str(ROOT)], capture_output=True, text=True
    )
    output = done.stdout + done.stderr
    assert done.returncode != 0
    assert "govsim needs Python 3.12 or newer; this install runs Python 3.11" in output, output[-3000:]


def test_the_test_extra_leaves_the_users_runtime_as_it_is():
    """The Ray launcher pins older cloudpickle, joblib and python-dateutil: in the test extra it
    would run the tests on other versions than a user's install gets. It has its own extra and
    its own CI environment."""
    import tomllib

    extras = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["optional-dependencies"]
    assert not [r for r in extras["test"] if r.startswith("hydra-ray-launcher")]
    assert [r for r in extras["ray"] if r.startswith("hydra-ray-launcher")]
    assert "GOVSIM_REQUIRE_RAY=1 .venv-ray/bin/python -m pytest tests/test_ray.py" in (ROOT / ".ci" / "run").read_text()
