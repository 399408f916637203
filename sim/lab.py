"""``python -m sim.lab``: each regime at its best, and the worst world for each.

The command over two layers: it checks the command line, searches (:mod:`sim.study.lab`) and
writes the tables, report and figures (:mod:`sim.present.lab_report`). ``--help`` says how.

Before the package was split by role this module was the lab itself: a name it no longer has
(``from sim.lab import Settings``) is handed over from :mod:`sim.study.lab`, with a warning
naming the new place.
"""

from __future__ import annotations

import sys
import warnings

from sim.model.params import ConfigError
from sim.present import lab_report
from sim.study import lab


def main(argv=None) -> int:
    """Search, then write the report; 2 (nothing written) for bad input, 0 when done."""
    argv = sys.argv[1:] if argv is None else argv
    if any(a in ("-h", "--help") for a in argv):
        print(lab.help_text())
        return 0
    try:
        settings = lab.parse(argv)
        for regime in lab.REGIMES:  # a bad override is refused before anything is written
            lab.check_window(settings, lab.base_config(settings, regime))
        problem = lab.unusable(settings.folder)
        if problem:
            raise ConfigError(problem)
        settings.folder.mkdir(parents=True, exist_ok=True)
        lab.prepare(settings)
    except ConfigError as err:
        print(f"govsim: {err}", file=sys.stderr)
        return 2
    lab.search(settings)
    lab_report.write(settings)
    return 0


def __getattr__(name: str):
    """The lab's names from before the split (:mod:`sim._moved` does the same for whole modules)."""
    if name.startswith("__") or not hasattr(lab, name):
        raise AttributeError(f"module 'sim.lab' has no attribute {name!r}")
    warnings.warn(
        f"govsim: sim.lab.{name} is now sim.study.lab.{name}; import it from there", FutureWarning, stacklevel=2
    )
    return getattr(lab, name)


if __name__ == "__main__":
    sys.exit(main())
