"""How fast is govsim, and how far is it from the floor of a Mesa model that steps every agent?

    python -m experiments.benchmark            # 3 repetitions of each workload (~8 min)
    python -m experiments.benchmark --quick    # 1 repetition, shorter floor measurement (~1 min)
    python -m experiments.benchmark --sweeps   # only the sweep overhead and the cost of a resume

Workloads (medians over the repetitions):

* district, coarse and refined (820,000 residents, 365 days): the command users type,
  ``python -m sim scenario=district policy=... progress=false``, in a subprocess; wall time
  and peak resident memory of that process (as ``/usr/bin/time -v`` reports it), and the
  run's own ``timings`` from its ``summary.json``: build, run, collect, write;
* town, coarse and refined (20,000 residents, 365 days): build and run timed in this process;
* scaling: the district command at 10,000, 50,000 and 200,000 residents (the 820,000 point is
  the district run itself), and the exponent b of time ~ residents^b fitted on log-log
  axes (b = 1: linear), for the whole command's wall time and for the simulation alone
  (build + run + collect + write, without interpreter start-up and imports);
* ``python -m sim experiment=compare_regimes`` (town, 2 policies x 20 seeds of 815 days, joblib
  on both cores, report included): wall time of the whole sweep command;
* sweep overhead: ``experiment=compare_regimes`` with 5 and 20 seeds (10 and 40 town runs,
  report left out) on every core: core-seconds beyond the runs' own simulation; one more run's
  share (the slope, the target) and the sweep's fixed cost (the rest);
* resume: the same finished sweep run again, 200 runs against 20 (teaching, 20 days): the
  driver's time per finished run (the slope);
* the Mesa floor: 820,000 plain Mesa agents with an empty ``step``, and
  ``model.agents.shuffle_do("step")`` timed over a few steps: what a design that steps every
  resident once a simulated day (or once an hour) would spend on that alone in a year,
  against govsim's district run time.

Writes ``results/benchmark/benchmark.json`` and the scaling plot
``results/benchmark/scaling.png``. Timings depend on the machine and on what else runs on it.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "results" / "benchmark"
POLICIES = ("coarse", "refined")
DISTRICT_RESIDENTS = 820_000
SCALING_RESIDENTS = (10_000, 50_000, 200_000)  # plus the district run itself
TARGETS = {
    "district_wall_s": 15.0,
    "district_peak_rss_mb": 1000.0,
    "town_build_run_s": 1.0,
    # experiment=compare_regimes: town, 2 policies x 20 seeds, both cores. Its runs simulate 815 days
    # (450 of warm-up, then a year measured): the earlier 30 s for 365-day runs, scaled by 815/365,
    # plus each run's staffing study.
    "compare_regimes_wall_s": 75.0,
    "scaling_exponent": 1.05,
    # A sweep should cost what its simulations cost: core-seconds per town run beyond the
    # simulation itself (composing, launching, writing), as a share of the simulation's time; and
    # the driver's time per finished run when a sweep is resumed.
    "sweep_overhead_share": 0.25,
    "resume_skip_s": 0.02,
    "times_under_daily_floor": 15.0,
}


# ------------------------------------------------------------------ one measured command
def measure_child(cmd: list[str]) -> dict:
    """Run ``cmd`` as this process's only child; its wall time and peak memory.

    Called in a fresh interpreter (``--measure``), so ``getrusage(RUSAGE_CHILDREN)`` -- the
    largest peak among the children waited for -- is exactly this command's peak, as
    ``/usr/bin/time`` reports it (``ru_maxrss``, in KiB on Linux).
    """
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    wall = time.perf_counter() - t0
    peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return {
        "returncode": proc.returncode,
        "wall_s": wall,
        "peak_rss_kib": peak_kib,  # what /usr/bin/time -v prints as "kbytes"
        "peak_rss_mb": peak_kib * 1024 / 1e6,  # decimal MB: the target is 1 GB = 1000 MB
        "stderr": proc.stderr[-2000:],
    }


def run_sim(overrides: list[str]) -> dict:
    """``python -m sim <overrides>`` in a subprocess: wall, peak memory and the run's timings."""
    with tempfile.TemporaryDirectory(prefix="govsim-bench-") as tmp:
        cmd = [sys.executable, "-m", "sim", *overrides, f"hydra.run.dir={tmp}", "progress=false"]
        wrapper = [sys.executable, "-m", "experiments.benchmark", "--measure", "--", *cmd]
        done = subprocess.run(wrapper, cwd=ROOT, capture_output=True, text=True, check=True)
        m = json.loads(done.stdout)
        if m.pop("returncode") != 0:
            raise RuntimeError(f"{' '.join(cmd)} failed:\n{m['stderr']}")
        timings = json.loads((Path(tmp) / "summary.json").read_text())["timings"]
    m.pop("stderr")
    return {**m, **timings, "sim_s": sum(timings.get(k, 0.0) for k in ("build_s", "run_s", "collect_s", "write_s"))}


# ------------------------------------------------------------------ workloads
def district(repeats: int) -> dict:
    out = {}
    for policy in POLICIES:
        runs = [run_sim(["scenario=district", f"policy={policy}"]) for _ in range(repeats)]
        out[policy] = {"runs": runs, "median": medians(runs)}
        report(f"district {policy}", out[policy]["median"])
    return out


def town(repeats: int) -> dict:
    """Build and run of the town scenario, in this process (no files)."""
    from sim.study.config import load_config
    from sim.study.run import build

    out = {}
    for policy in POLICIES:
        cfg = load_config("scenario=town", f"policy={policy}", "progress=false")
        runs = []
        for _ in range(repeats):
            t0 = time.perf_counter()
            model = build(cfg)
            t1 = time.perf_counter()
            model.run(cfg.days)
            t2 = time.perf_counter()
            runs.append({"build_s": t1 - t0, "run_s": t2 - t1, "build_run_s": t2 - t0})
            del model
        out[policy] = {"runs": runs, "median": medians(runs)}
        report(f"town {policy}", out[policy]["median"])
    return out


def compare_regimes(repeats: int) -> dict:
    """The main study as users run it: one sweep command, all cores, report included."""
    runs = []
    for _ in range(repeats):
        with tempfile.TemporaryDirectory(prefix="govsim-bench-") as tmp:
            cmd = [
                sys.executable,
                "-m",
                "sim",
                "experiment=compare_regimes",
                f"hydra.sweep.dir={tmp}",
                "progress=false",
            ]
            wrapper = [sys.executable, "-m", "experiments.benchmark", "--measure", "--", *cmd]
            m = json.loads(subprocess.run(wrapper, cwd=ROOT, capture_output=True, text=True, check=True).stdout)
            if m.pop("returncode") != 0:
                raise RuntimeError(f"{' '.join(cmd)} failed:\n{m['stderr']}")
            m.pop("stderr")
            runs.append(m)
    out = {"runs": runs, "median": medians(runs)}
    report("compare_regimes (40 town runs)", out["median"])
    return out


def sweep_command(sweep_dir: str, *overrides: str) -> list[str]:
    """A sweep as users type it, without its report (timed apart: it is not a run's cost)."""
    return [
        sys.executable,
        "-m",
        "sim",
        *overrides,
        f"hydra.sweep.dir={sweep_dir}",
        "progress=false",
        "+hydra.callbacks.sweep.report=false",
    ]


def timed(cmd: list[str]) -> float:
    t0 = time.perf_counter()
    done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed:\n{done.stderr[-2000:]}")
    return time.perf_counter() - t0


SWEEP_SEEDS = {"small": 5, "large": 20}
"""Seeds per policy of the two town sweeps whose difference gives the cost of one more run."""


def town_sweep(seeds: int) -> dict:
    """``experiment=compare_regimes`` with ``seeds`` seeds (both policies, 815 days, every core,
    report left out): wall time, and the simulation's own time (build, run, collect) summed
    over the runs from their summaries."""
    with tempfile.TemporaryDirectory(prefix="govsim-bench-") as tmp:
        wall = timed(sweep_command(tmp, "experiment=compare_regimes", f"seed=range(0,{seeds})"))
        timings = [json.loads(p.read_text())["timings"] for p in Path(tmp).glob("*/summary.json")]
    return {
        "runs": len(timings),
        "wall_s": wall,
        "sim_s": sum(t["build_s"] + t["run_s"] + t["collect_s"] for t in timings),
    }


def sweep_overhead(repeats: int) -> dict:
    """What a town sweep costs beyond its simulations, on every core: core-seconds (cores x wall)
    less the runs' own simulation time. One more run's share is the slope between a sweep of 10
    and one of 40 runs; what is left is the sweep's fixed cost (start-up, the workers' imports,
    gathering the table), paid once per sweep."""
    cores = os.cpu_count() or 1
    runs = []
    for _ in range(repeats):
        small, large = (town_sweep(n) for n in SWEEP_SEEDS.values())
        extra = {k: cores * m["wall_s"] - m["sim_s"] for k, m in (("small", small), ("large", large))}
        per_run = (extra["large"] - extra["small"]) / (large["runs"] - small["runs"])
        sim_per_run = (large["sim_s"] - small["sim_s"]) / (large["runs"] - small["runs"])
        runs.append(
            {
                "large_wall_s": large["wall_s"],
                "sim_per_run_s": sim_per_run,
                "overhead_per_run_s": per_run,
                "overhead_share": per_run / sim_per_run,
                "fixed_core_s": extra["small"] - per_run * small["runs"],
                "overhead_share_at_40": extra["large"] / large["sim_s"],
            }
        )
    out = {"runs": runs, "median": medians(runs)}
    report("sweep overhead (town sweeps of 10 and 40 runs, report apart)", out["median"])
    return out


def resume_skip(repeats: int) -> dict:
    """Resuming a finished sweep: the driver's time per finished run, as the slope between a
    sweep of 200 runs and one of 20 (teaching scenario, 20 days: the runs' size does not
    matter once they are done), so that start-up and the end of the sweep cancel out."""
    sizes = {"large": 100, "small": 10}
    with tempfile.TemporaryDirectory(prefix="govsim-bench-") as tmp:
        commands = {
            k: sweep_command(
                f"{tmp}/{k}", "scenario=teaching", "days=20", "policy=coarse,refined", f"seed=range(0,{n})"
            )
            for k, n in sizes.items()
        }
        for cmd in commands.values():
            timed([*cmd, "-m"])
        runs = []
        for _ in range(repeats):
            walls = {k: timed([*cmd, "-m"]) for k, cmd in commands.items()}
            per_run = (walls["large"] - walls["small"]) / (2 * (sizes["large"] - sizes["small"]))
            runs.append({"large_wall_s": walls["large"], "small_wall_s": walls["small"], "skip_per_run_s": per_run})
    out = {"runs": runs, "median": medians(runs)}
    report("resume (200 and 20 finished runs)", out["median"])
    return out


def scaling(repeats: int, district_runs: dict) -> dict:
    out = {}
    for policy in POLICIES:
        points = []
        for n in SCALING_RESIDENTS:
            runs = [
                run_sim(["scenario=district", f"scenario.n_residents={n}", f"policy={policy}"]) for _ in range(repeats)
            ]
            points.append({"n_residents": n, **medians(runs)})
            report(f"scaling {policy} {n:,}", points[-1])
        points.append({"n_residents": DISTRICT_RESIDENTS, **district_runs[policy]["median"]})
        n, sim = [p["n_residents"] for p in points], [p["sim_s"] for p in points]
        out[policy] = {
            "points": points,
            "exponent_wall": loglog_slope(n, [p["wall_s"] for p in points]),
            "exponent_sim": loglog_slope(n, sim),
            # between neighbouring points: fixed costs flatten the small end, so the slope
            # at the large end is the one that says whether the cost per resident grows
            "exponent_sim_by_step": [loglog_slope(n[i : i + 2], sim[i : i + 2]) for i in range(len(n) - 1)],
        }
        print(
            f"  scaling {policy}: time ~ residents^{out[policy]['exponent_sim']:.2f} (simulation), "
            f"^{out[policy]['exponent_wall']:.2f} (whole command)"
        )
    return out


FLOOR_SCRIPT = """
import json, sys, time
import mesa

class Plain(mesa.Agent):
    def step(self):
        pass

n, steps = int(sys.argv[1]), int(sys.argv[2])
model = mesa.Model(rng=0)
t0 = time.perf_counter()
Plain.create_agents(model, n)
create = time.perf_counter() - t0
times = []
for _ in range(steps):
    t0 = time.perf_counter()
    model.agents.shuffle_do("step")
    times.append(time.perf_counter() - t0)
print(json.dumps({"create_s": create, "step_s": times}))
"""


def mesa_floor(n_agents: int, steps: int) -> dict:
    """Time ``shuffle_do("step")`` over ``n_agents`` plain Mesa agents with an empty step."""
    done = subprocess.run(
        [sys.executable, "-c", FLOOR_SCRIPT, str(n_agents), str(steps)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    m = json.loads(done.stdout)
    per_step = statistics.median(m["step_s"])
    floor = {
        "agents": n_agents,
        "create_s": m["create_s"],
        "step_s": m["step_s"],
        "per_step_s": per_step,
        "per_agent_step_ns": per_step / n_agents * 1e9,
        "year_daily_steps_s": per_step * 365,
        "year_hourly_steps_s": per_step * 365 * 24,
    }
    print(
        f"  Mesa floor: {per_step:.3f} s per step of {n_agents:,} agents "
        f"({floor['per_agent_step_ns']:.0f} ns per agent); a year of daily steps "
        f"{floor['year_daily_steps_s']:.0f} s, hourly {floor['year_hourly_steps_s']:.0f} s"
    )
    return floor


# ------------------------------------------------------------------ summaries
def medians(runs: list[dict]) -> dict:
    keys = [k for k, v in runs[0].items() if isinstance(v, (int, float))]
    return {k: statistics.median(r[k] for r in runs) for k in keys}


def loglog_slope(x, y) -> float:
    """Least-squares slope of log(y) on log(x)."""
    import numpy as np

    return float(np.polyfit(np.log(x), np.log(y), 1)[0])


def report(label: str, m: dict) -> None:
    parts = [f"{k.removesuffix('_s')} {v:.2f} s" for k, v in m.items() if k.endswith("_s")]
    if "peak_rss_mb" in m:
        parts.append(f"peak {m['peak_rss_mb']:.0f} MB")
    print(f"  {label}: " + ", ".join(parts), flush=True)


def checks(result: dict) -> dict:
    """Each target of the issue, met or not (medians)."""
    out = {}
    for p in POLICIES:
        d, t = result["district"][p]["median"], result["town"][p]["median"]
        out[f"district_{p}_wall_s<={TARGETS['district_wall_s']:g}"] = d["wall_s"] <= TARGETS["district_wall_s"]
        out[f"district_{p}_peak_mb<={TARGETS['district_peak_rss_mb']:g}"] = (
            d["peak_rss_mb"] <= TARGETS["district_peak_rss_mb"]
        )
        out[f"town_{p}_build_run_s<={TARGETS['town_build_run_s']:g}"] = t["build_run_s"] <= TARGETS["town_build_run_s"]
        b = result["scaling"][p]["exponent_wall"]
        out[f"scaling_{p}_exponent<={TARGETS['scaling_exponent']:g}"] = b <= TARGETS["scaling_exponent"]
        under = 1 / result["govsim_vs_floor"][p]["run_over_daily_floor"]
        out[f"district_{p}_times_under_daily_floor>={TARGETS['times_under_daily_floor']:g}"] = (
            under >= TARGETS["times_under_daily_floor"]
        )
    out |= sweep_checks(result)
    wall = result["compare_regimes"]["median"]["wall_s"]
    out[f"compare_regimes_wall_s<={TARGETS['compare_regimes_wall_s']:g}"] = wall <= TARGETS["compare_regimes_wall_s"]
    return out


def sweep_checks(result: dict) -> dict:
    share = result["sweep_overhead"]["median"]["overhead_share"]
    skip = result["resume_skip"]["median"]["skip_per_run_s"]
    return {
        f"sweep_overhead_share<={TARGETS['sweep_overhead_share']:g}": share <= TARGETS["sweep_overhead_share"],
        f"resume_skip_s<={TARGETS['resume_skip_s']:g}": skip <= TARGETS["resume_skip_s"],
    }


def plot(result: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    fig, ax = plt.subplots(figsize=(6.5, 4.5))
    for policy, colour in zip(POLICIES, ("tab:blue", "tab:orange")):
        s = result["scaling"][policy]
        n = np.array([p["n_residents"] for p in s["points"]])
        for key, style, what in (("wall_s", "o-", "whole command"), ("sim_s", "s--", "simulation")):
            y = np.array([p[key] for p in s["points"]])
            b = s["exponent_wall" if key == "wall_s" else "exponent_sim"]
            ax.plot(n, y, style, color=colour, label=f"{policy}, {what} (slope {b:.2f})")
    ref = np.array([SCALING_RESIDENTS[0], DISTRICT_RESIDENTS])
    end = result["scaling"]["refined"]["points"][-1]["sim_s"]
    ax.plot(ref, end * ref / ref[-1], ":", color="grey", label="linear through the largest run (slope 1)")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("residents (count, log scale)")
    ax.set_ylabel("time for 365 simulated days (s, log scale)")
    ax.set_title("govsim: time against population, 365 days")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    from sim.study.output import atomic_write

    atomic_write(path, lambda tmp: fig.savefig(tmp, format="png", dpi=120))
    plt.close(fig)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="one repetition and a shorter floor measurement")
    parser.add_argument(
        "--repeats", type=int, default=None, help="repetitions per workload (default 3, 1 with --quick)"
    )
    parser.add_argument("--sweeps", action="store_true", help="only the two sweep targets, once (writes nothing)")
    parser.add_argument("--measure", action="store_true", help=argparse.SUPPRESS)  # internal: one measured child
    parser.add_argument("cmd", nargs=argparse.REMAINDER, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.sweeps:  # the two sweep targets alone: a quick check while working on the sweep machinery
        for name, ok in sweep_checks({"sweep_overhead": sweep_overhead(1), "resume_skip": resume_skip(1)}).items():
            print(f"  {'ok  ' if ok else 'MISS'} {name}")
        return
    if args.measure:
        print(json.dumps(measure_child([c for c in args.cmd if c != "--"])))
        return
    repeats = args.repeats or (1 if args.quick else 3)

    from sim.study.output import atomic_write, code_version

    print(f"govsim benchmark: {repeats} repetition(s) per workload", flush=True)
    result = {
        "meta": {
            "version": code_version(),
            "python": platform.python_version(),
            "machine": platform.machine(),
            "cpus": os.cpu_count(),
            "repeats": repeats,
            "started": time.strftime("%Y-%m-%dT%H:%M:%S"),
        },
        "targets": TARGETS,
    }
    result["district"] = district(repeats)
    result["town"] = town(repeats)
    result["scaling"] = scaling(repeats, result["district"])
    result["compare_regimes"] = compare_regimes(repeats)
    result["sweep_overhead"] = sweep_overhead(repeats)
    result["resume_skip"] = resume_skip(repeats)
    result["mesa_floor"] = mesa_floor(DISTRICT_RESIDENTS, 2 if args.quick else 5)
    floor_year = result["mesa_floor"]["year_daily_steps_s"]
    result["govsim_vs_floor"] = {
        p: {
            "run_s": result["district"][p]["median"]["run_s"],
            "run_over_daily_floor": result["district"][p]["median"]["run_s"] / floor_year,
            "build_run_over_daily_floor": (
                result["district"][p]["median"]["build_s"] + result["district"][p]["median"]["run_s"]
            )
            / floor_year,
            "run_over_hourly_floor": result["district"][p]["median"]["run_s"] / (floor_year * 24),
        }
        for p in POLICIES
    }
    for p, r in result["govsim_vs_floor"].items():
        print(
            f"  district {p}: 365 simulated days in {r['run_s']:.1f} s = {r['run_over_daily_floor']:.2f} x "
            "the time Mesa needs only to step 820,000 empty agents once a day"
        )
    result["checks"] = checks(result)
    for name, ok in result["checks"].items():
        print(f"  {'ok  ' if ok else 'MISS'} {name}")

    atomic_write(OUT / "benchmark.json", lambda tmp: Path(tmp).write_text(json.dumps(result, indent=2) + "\n"))
    plot(result, OUT / "scaling.png")
    print(f"wrote {OUT / 'benchmark.json'} and {OUT / 'scaling.png'}")


if __name__ == "__main__":
    main()
