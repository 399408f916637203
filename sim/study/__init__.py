"""Making runs and asking them questions.

* :mod:`~sim.study.config`: Hydra's configuration composed and checked into a
  :class:`~sim.model.params.RunConfig`;
* :mod:`~sim.study.run`: one run as a function (``simulate``: configuration in, tables and
  KPIs out), and :mod:`~sim.study.output` its files;
* :mod:`~sim.study.sweep`, :mod:`~sim.study.batch`: many runs, resumable;
* :mod:`~sim.study.design`, :mod:`~sim.study.sensitivity`, :mod:`~sim.study.discovery`:
  designed experiments and what they find;
* :mod:`~sim.study.lab`: each regime at its best and at its worst (Optuna); ``python -m sim.lab``
  searches and writes the report.
"""
