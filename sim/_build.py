"""The build backend: setuptools', after a check that the Python doing the install can run
govsim. pip resolves the dependencies before it compares the Python with ``requires-python``,
so on an older Python it would say only that no version of a dependency matches; this says
which Python is needed and which one is running."""

import sys
import tomllib
from pathlib import Path

from setuptools import build_meta as _setuptools
from setuptools.build_meta import *  # noqa: F403 (every hook not wrapped below)


def _needed() -> tuple[int, ...]:
    spec = tomllib.loads((Path(__file__).resolve().parent.parent / "pyproject.toml").read_text())
    return tuple(int(p) for p in spec["project"]["requires-python"].removeprefix(">=").split("."))


def _check() -> None:
    needed = _needed()
    if sys.version_info < needed:
        wanted = ".".join(map(str, needed))
        sys.exit(
            f"govsim needs Python {wanted} or newer; this install runs Python {sys.version.split()[0]} "
            f"({sys.executable}). Make the environment with python{wanted} (python{wanted} -m venv .venv) "
            "and install again."
        )


def get_requires_for_build_wheel(config_settings=None):
    _check()
    return _setuptools.get_requires_for_build_wheel(config_settings)


def get_requires_for_build_editable(config_settings=None):
    _check()
    return _setuptools.get_requires_for_build_editable(config_settings)


def get_requires_for_build_sdist(config_settings=None):
    _check()
    return _setuptools.get_requires_for_build_sdist(config_settings)
