"""Hydra's joblib launcher, with what every job shares sent once.

Hydra's joblib launcher hands each job the sweep's context, its configuration, the task and the
state of Hydra's singletons, and joblib pickles them again for every job: about 0.2 s of the
driver's time a job, on the cores the runs need. Here they are pickled once per sweep and each
worker process unpickles them once (:data:`_SHARED`). Each job then runs as Hydra's
``execute_job`` runs it, in the same folder with the same files; what comes back to the driver
is the job's status and return value (its configuration stays in its folder, ``.hydra/``).
"""

from __future__ import annotations

import hashlib
import logging
import pickle
from pathlib import Path

from hydra.core.singleton import Singleton
from hydra.core.utils import JobReturn, configure_log, setup_globals
from hydra_plugins.hydra_joblib_launcher._core import execute_job, process_joblib_cfg
from hydra_plugins.hydra_joblib_launcher.joblib_launcher import JoblibLauncher

log = logging.getLogger(__name__)

_SHARED: dict = {}
"""token -> (context, configuration, task, singleton state), in each worker process."""


def run_job_shared(idx: int, overrides, token: str, payload: bytes) -> JobReturn:
    if token not in _SHARED:
        _SHARED.clear()  # one sweep's at a time
        _SHARED[token] = pickle.loads(payload)
    ret = execute_job(idx, overrides, *_SHARED[token])
    ret.cfg = ret.hydra_cfg = None  # the driver reads the status and return value only
    return ret


class GovsimJoblibLauncher(JoblibLauncher):
    def launch(self, job_overrides, initial_job_idx: int):
        import cloudpickle
        from joblib import Parallel, delayed

        setup_globals()
        configure_log(self.config.hydra.hydra_logging, self.config.hydra.verbose)
        Path(str(self.config.hydra.sweep.dir)).mkdir(parents=True, exist_ok=True)
        joblib_cfg = dict(self.joblib, backend="loky")  # as Hydra's: loky, the one backend Hydra works with
        process_joblib_cfg(joblib_cfg)
        log.info(f"Joblib.Parallel({joblib_cfg}) is launching {len(job_overrides)} jobs")
        shared = (self.hydra_context, self.config, self.task_function, Singleton.get_state())
        payload = cloudpickle.dumps(shared)
        token = hashlib.blake2b(payload, digest_size=16).hexdigest()
        runs = Parallel(**joblib_cfg)(
            delayed(run_job_shared)(initial_job_idx + idx, list(overrides), token, payload)
            for idx, overrides in enumerate(job_overrides)
        )
        assert all(isinstance(r, JobReturn) for r in runs)
        return runs
