"""The modules' old names, from before the package was split by role, still import.

``import sim.plots``, ``from sim.run import simulate`` and ``python -m sim.report`` work as they
did, with one warning naming the new place. The old name is a thin module that hands every
attribute over from the new one, so a class or function is the same object under both names.
A module whose contents went to several new ones looks in each, in turn.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.util
import sys
import types
import warnings

MOVED = {
    "sim.params": ("sim.model.params",),
    "sim.calendar": ("sim.model.calendar",),
    "sim.world": ("sim.model.world",),
    "sim.agents": ("sim.model.agents",),
    "sim.issues": ("sim.model.issues",),
    "sim.workload": ("sim.model.workload",),
    "sim.institutions": ("sim.model.institutions", "sim.model.staffing"),
    "sim.handling": ("sim.model.queues", "sim.model.handling", "sim.model.staffing"),
    "sim.rules": (
        "sim.model.detection",
        "sim.model.routing",
        "sim.model.remedy",
        "sim.model.satisfaction",
        "sim.model.needs",
    ),
    "sim.information": ("sim.model.remedy", "sim.model.patrol"),
    "sim.metrics": ("sim.measure.metrics",),
    "sim.observe": ("sim.measure.observe", "sim.model.staffing"),
    "sim.analysis": ("sim.measure.analysis", "sim.measure.ablation", "sim.measure.curves", "sim.measure.precision"),
    "sim.run": ("sim.study.run",),
    "sim.config": ("sim.study.config",),
    "sim.output": ("sim.study.output",),
    "sim.sweep": ("sim.study.sweep",),
    "sim.batch": ("sim.study.batch",),
    "sim.design": ("sim.study.design",),
    "sim.sensitivity": ("sim.study.sensitivity",),
    "sim.discovery": ("sim.study.discovery",),
    "sim.replications": ("sim.present.replications",),
    "sim.report": (
        "sim.present.report",
        "sim.present.kpi_table",
        "sim.present.comparison_report",
        "sim.present.design_report",
        "sim.present.tables",
        "sim.present.jobs",
    ),
    "sim.plots": (
        "sim.present.comparison_plots",
        "sim.present.run_plots",
        "sim.present.design_plots",
        "sim.present.plot_style",
    ),
    "sim.view": ("sim.present.view",),
    "sim.live": ("sim.present.live",),
    "sim.terms": ("sim.present.terms",),
    "sim.lab_report": ("sim.present.lab_report",),
}
"""Old module name -> the modules that hold its contents now, the main one first. (``sim.model``
is the model's package now, and still gives :class:`~sim.model.model.GovernanceModel`; ``sim.lab``
is still the lab's command.)"""


class _OldName(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Finds the old names and loads each as a stand-in for its new modules."""

    def find_spec(self, name, path=None, target=None):
        if name not in MOVED:
            return None
        return importlib.util.spec_from_loader(name, self)

    def exec_module(self, module: types.ModuleType) -> None:
        new = MOVED[module.__name__]
        message = f"govsim: {module.__name__} is now {' and '.join(new)}; import it from there"
        # Shown at the user's import line, not in this file or the import system's frames.
        warnings.warn(message, FutureWarning, skip_file_prefixes=(__file__, "<frozen importlib"))
        real = [importlib.import_module(name) for name in new]

        def attribute(attr: str):
            for source in real:
                if hasattr(source, attr):
                    return getattr(source, attr)
            raise AttributeError(f"{module.__name__} (now {', '.join(new)}) has no attribute '{attr}'")

        module.__getattr__ = attribute
        module.__dir__ = lambda: sorted({a for source in real for a in dir(source)})
        module.__doc__ = real[0].__doc__

    def get_code(self, name: str):
        """``python -m <old name>`` runs the main new module's code as ``__main__``."""
        new = MOVED[name][0]
        print(f"govsim: python -m {name} is now python -m {new}", file=sys.stderr)
        spec = importlib.util.find_spec(new)
        if spec.submodule_search_locations is not None:  # a package runs its __main__
            new += ".__main__"
            spec = importlib.util.find_spec(new)
        return spec.loader.get_code(new)


def install() -> None:
    if not any(isinstance(f, _OldName) for f in sys.meta_path):
        sys.meta_path.append(_OldName())
