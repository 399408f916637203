"""What one more core buys: the same town sweep on 1, 2, ... cores, with joblib and on a local
Ray cluster of as many worker processes.

    python -m experiments.scaling                 # 20 town runs on each launcher and core count
    python -m experiments.scaling --seeds 20      # 40 runs each

For each core count k (1 to this machine's cores) the sweep ``experiment=compare_regimes
seed=range(0,SEEDS)`` (both policies, 815 days, report left out) runs into a new folder with
``hydra/launcher=cores hydra.launcher.n_jobs=k`` and with ``hydra/launcher=ray_cluster`` on a Ray
head started here with ``--num-cpus=k`` (its start is not timed). Writes
``results/benchmark/scaling_cores.json`` and ``results/benchmark/scaling_cores.png``: wall time
and speed-up against one core, beside the ideal line. Needs the Ray launcher
(``pip install "govsim[ray]"``) for the Ray side; without it, joblib alone.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from experiments.benchmark import OUT, ROOT, sweep_command, timed
from experiments.view_screenshot import free_port, stop


@contextlib.contextmanager
def ray_head(cpus: int):
    """A Ray head on this machine with ``cpus`` CPUs (loopback only); yields its address."""
    ray = shutil.which("ray", path=str(Path(sys.executable).parent))
    port = free_port()
    # --block: in the foreground, so that ending this process ends the cluster; the loopback
    # address, else Ray picks the address of the default route.
    cmd = [ray, "start", "--head", "--block", f"--port={port}", f"--num-cpus={cpus}"]
    cmd += ["--node-ip-address=127.0.0.1", "--include-dashboard=false", "--disable-usage-stats"]
    # Ray lowers its workers to nice 15: under other load (tests running in parallel) they would
    # barely run. A cluster of its own would leave them at 0; so does this one.
    env = dict(os.environ, RAY_USAGE_STATS_ENABLED="0", RAY_worker_niceness="0")
    head = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    try:
        deadline = time.monotonic() + 120
        while True:
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", port)) == 0:
                    break
            if head.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("ray start --head did not come up")
            time.sleep(0.5)
        time.sleep(2)  # the port opens before the head accepts drivers
        yield f"127.0.0.1:{port}"
    finally:
        stop(head, 60)


def sweep_wall(seeds: int, launcher: list[str], env: dict | None = None) -> float:
    with tempfile.TemporaryDirectory(prefix="govsim-scaling-") as tmp:
        cmd = sweep_command(tmp, "experiment=compare_regimes", f"seed=range(0,{seeds})", *launcher)
        if env is None:
            return timed(cmd)
        t0 = time.perf_counter()
        done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, env=env)
        if done.returncode != 0:
            raise RuntimeError(f"{' '.join(cmd)} failed:\n{done.stderr[-2000:]}")
        return time.perf_counter() - t0


def measure(seeds: int) -> dict:
    cores = os.cpu_count() or 1
    out = {"runs": 2 * seeds, "cores": list(range(1, cores + 1)), "joblib": {}, "ray": {}}
    for k in out["cores"]:
        out["joblib"][k] = sweep_wall(seeds, ["hydra/launcher=cores", f"hydra.launcher.n_jobs={k}"])
        print(f"  joblib, {k} core(s): {out['joblib'][k]:.1f} s", flush=True)
    if importlib.util.find_spec("hydra_plugins.hydra_ray_launcher") is None:
        print('  Ray: not installed (pip install "govsim[ray]"): skipped', flush=True)
        return out
    for k in out["cores"]:
        with ray_head(k) as address:
            env = dict(os.environ, RAY_ADDRESS=address)
            out["ray"][k] = sweep_wall(seeds, ["hydra/launcher=ray_cluster"], env)
        print(f"  Ray, {k} worker process(es): {out['ray'][k]:.1f} s", flush=True)
    return out


def plot(result: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(5.5, 4), layout="constrained")
    cores = result["cores"]
    for name, colour in (("joblib", "tab:blue"), ("ray", "tab:orange")):
        walls = {int(k): v for k, v in result[name].items()}
        if walls:
            ks = sorted(walls)
            label = f"{name} (1 core: {walls[1]:.0f} s)"
            ax.plot(ks, [walls[1] / walls[k] for k in ks], "o-", color=colour, label=label)
    ax.plot(cores, cores, ":", color="grey", label="ideal: k times faster")
    ax.set_xticks(cores)
    ax.set_xlabel("cores (joblib workers, or Ray worker CPUs)")
    ax.set_ylabel("speed-up against one core (joblib's, or Ray's)")
    ax.set_title(f"One town sweep of {result['runs']} runs (815 days), report apart", fontsize=9)
    ax.legend(fontsize=8)
    fig.savefig(path, dpi=130)
    plt.close(fig)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m experiments.scaling", description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=int, default=10, help="seeds per policy (default 10: 20 runs)")
    args = parser.parse_args(argv)
    if args.seeds < 1:
        parser.error(f"--seeds must be at least 1 (got {args.seeds})")
    from sim.study.output import atomic_write

    result = measure(args.seeds) | {"measured": time.strftime("%Y-%m-%dT%H:%M:%S")}
    atomic_write(OUT / "scaling_cores.json", lambda tmp: Path(tmp).write_text(json.dumps(result, indent=2) + "\n"))
    plot(json.loads((OUT / "scaling_cores.json").read_text()), OUT / "scaling_cores.png")
    print(f"wrote {OUT / 'scaling_cores.json'} and {OUT / 'scaling_cores.png'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
