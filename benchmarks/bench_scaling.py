"""Cost as the work grows: throughput and peak memory per particle of scaledyn.md and LAMMPS, N = 1k..256k.

    LD_LIBRARY_PATH=.venv/lib .venv/bin/python benchmarks/bench_scaling.py \\
        [--models binary3d hump2d] [--sizes 1024 4096 16384 65536 262144] \\
        [--parts prepare time phases memory] [--budget 1e8] [--repeats 2] [--analytic]
    LD_LIBRARY_PATH=.venv/lib .venv/bin/python benchmarks/bench_scaling.py --plot-only

The state points, thermostat and list settings are those of ``bench_md.py`` (binary3d T = 1.0,
rho = 0.826; hump2d T = 0.5, rho = 0.8; NVT Berendsen, dt = 0.005, skin 0.3). Parts:

* ``prepare``: an equilibrated state per model and N: melted from the lattice by
  ``bench_md.prepare`` for min(4000 steps, 2.5e8 atom-steps) but at least 2000 steps (20 tau at
  small N, 10 tau at 256k: the melt is local, its time does not grow with N; the cost would; U/N of
  both models levels off after ~1750 steps at N = 16384). Kept as checkpoints in ``--cache`` and reused by the other parts; U/N and list pairs per particle are
  recorded so that states of different N can be checked for being the same liquid.
* ``time``: ours with 2 threads and with 1 (``bench_md.ours``) and LAMMPS (``lammps_peer.benchmark``
  with ``bench_md``'s configurations: ``pair_style table`` serial / OPENMP / MPI, plus the analytic
  styles with ``--analytic``) on the same state, each run a fixed budget of atom-steps (steps =
  max(``--min-steps``, budget / N)). ``--repeats`` rounds each sweep all N, alternately up and down,
  and alternate the engines' order; every run is stored, the best is reported. LAMMPS's time is its
  own loop time (setup excluded); its steps per list build are recorded too.
* ``phases``: ours' kernels timed alone (``--phase-threads``, default all threads), in ns per
  particle: the list build (``neighbour_list.update``: wrap, cell sort, search) and its parts, the
  force loop (``forces.partial_forces``; also after a cache flush), the two kicks; list builds per
  step and minor page faults per build from a short run. What the cost per atom-step is made of.
* ``memory``: peak resident memory per particle. Each (engine, model, N) runs in a fresh subprocess
  (``--memory-steps`` steps from the cached state) that reports a peak in KiB:

  - ours: the child loads the checkpoint, frees what loading left over (``gc``, ``malloc_trim``),
    resets its high-water mark (``/proc/self/clear_refs``) and runs ``simulate`` (2 threads); the
    peak is ``VmHWM`` afterwards: state, neighbour list, per-build temporaries, plus interpreter,
    NumPy, Numba and the kernels loaded from the cache.
  - LAMMPS: ``lammps_peer`` runs the ``lmp`` executable as a subprocess of the child, so the peak is
    the child's ``getrusage(RUSAGE_CHILDREN).ru_maxrss`` (the ``lmp`` process: its libraries, the
    data file read, atoms, neighbour pages, ghosts). Serial and OPENMP (one process) with
    ``pair_style table``; MPI is not measured: ``ru_maxrss`` would be the largest rank, not their sum.

  Bytes per particle = (peak(N) - peak(N0)) / (N - N0) with N0 = 512 (``BASELINE_N``) measured the
  same way: the baseline removes what does not grow with N (interpreter, libraries, compiled kernels,
  LAMMPS's executable and tables).

Results are merged into ``--out`` (JSON, written atomically, one entry per model and N and part, so
a run may measure one model or part at a time), then the table, the flatness line and the plot
(``--plot``: cost per atom-step and bytes per particle against N) are made from everything stored.
The cost per atom-step is wall-clock µs per (particle x step) on the whole machine (2 cores). The
last line is ``scaling_flatness binary3d=<x> hump2d=<y>``: max/min of ours' (2 threads) cost per
atom-step over 4096 <= N <= 262144; the goal is <= 1.20 (flat within 20 %).
"""

import argparse
import ctypes
import datetime
import gc
import json
import os
import platform
import re
import resource
import subprocess
import sys
import time
from pathlib import Path

import numba
import numpy as np

import bench_md  # reused: state points, ours(), lammps(), prepare() (this script's folder is on sys.path)
from bench_md import POINTS
from scaledyn import md
from scaledyn.md import forces as fo
from scaledyn.md import integrators as it
from scaledyn.md import lammps_peer
from scaledyn.md import neighbour_list as nb
from scaledyn.md.state import atomic_write, dims_of

HERE = Path(__file__).resolve().parent
SIZES = (1024, 4096, 16384, 65536, 262144)
PARTS = ("prepare", "time", "phases", "memory")
#: the particle numbers over which the cost per atom-step must stay flat, and by how much (max/min)
FLAT_RANGE = (4096, 262144)
FLAT_GOAL = 1.20
#: memory baseline: small, but with >= 3 list cells per side in both models (the same kernels as large N)
BASELINE_N = 512
#: smaller N are left out of the memory plot: (N - N0) * bytes is within the baseline's noise (~0.5 MB)
#: there, and LAMMPS grows its per-atom arrays in chunks of 16384 atoms
MEMORY_PLOT_MIN_N = 16384
MAX_N = 4 * 1024 * 1024  # a guard against typos: 4M particles need GBs
TABLE_CONFIGS = [c for c in bench_md.LAMMPS_CONFIGS if c[0]]  # pair_style table: serial, omp, mpi
MEMORY_LAMMPS = [(True, "serial", 1), (True, "omp", 2)]  # one process each (see docstring)


# ---------------------------------------------------------------------------------------------------
# arguments and small pure helpers (tested in tests/test_bench_scaling.py)

def check_sizes(sizes, models) -> list[int]:
    """Sorted unique particle numbers; ValueError naming the bad value unless every N lies in
    (BASELINE_N, MAX_N] and gives every model a box with at least 3 list cells per side."""
    out = sorted(set(sizes))
    for n in out:
        if isinstance(n, bool) or not isinstance(n, (int, np.integer)):
            raise ValueError(f"particle numbers must be integers, got {n!r}")
        if not BASELINE_N < n <= MAX_N:
            raise ValueError(f"N = {n} out of range: need {BASELINE_N} < N <= {MAX_N} "
                             f"(N0 = {BASELINE_N} is the memory baseline)")
    for name in models:
        model = md.get_model(name, n=BASELINE_N, density=POINTS[name]["density"])
        side = (BASELINE_N / model.density) ** (1.0 / model.dim)
        if side < 3 * (model.rc_max + model.skin):  # keep BASELINE_N honest if a model changes
            raise ValueError(f"BASELINE_N = {BASELINE_N} gives {name} fewer than 3 list cells per side")
    return out


def melt_steps(n: int) -> int:
    """NVT steps that melt the lattice of N particles: 4000, or 2.5e8 atom-steps, at least 2000."""
    return int(max(2000, min(4000, 2.5e8 // n)))


def timed_steps(n: int, budget: float, min_steps: int) -> int:
    """Steps of one timed run: ``budget`` atom-steps, at least ``min_steps``."""
    return int(max(min_steps, round(budget / n)))


def flatness(costs: dict, lo: int = FLAT_RANGE[0], hi: int = FLAT_RANGE[1]) -> float | None:
    """max/min of ``costs`` ({N: cost}) over lo <= N <= hi; None with fewer than two such N."""
    vals = [c for n, c in costs.items() if lo <= int(n) <= hi and c is not None]
    return max(vals) / min(vals) if len(vals) >= 2 else None


def per_particle(peak_kib: float, base_kib: float, n: int, n0: int = BASELINE_N) -> float:
    """Bytes per particle of a peak resident size above the baseline's (both KiB)."""
    return (peak_kib - base_kib) * 1024.0 / (n - n0)


def merge(results: dict, model: str, n: int, part: str, value) -> dict:
    """``results[model][str(n)][part] = value`` (JSON keys are strings), creating levels as needed."""
    results.setdefault(model, {}).setdefault(str(n), {})[part] = value
    return results


def load_results(path: Path) -> dict:
    if not path.exists():
        return {"meta": {}, "results": {}}
    data = json.loads(path.read_text())
    if not isinstance(data, dict) or not isinstance(data.get("results"), dict):
        raise SystemExit(f"bench_scaling: {path} is not a results file of this script")
    return data


def save_results(path: Path, data: dict) -> None:
    atomic_write(path, json.dumps(data, indent=1, sort_keys=True) + "\n")


def machine() -> dict:
    cpu = re.search(r"model name\s*:\s*(.*)", Path("/proc/cpuinfo").read_text())
    try:
        commit = subprocess.run(["git", "-C", str(HERE), "rev-parse", "--short", "HEAD"],
                                capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        commit = "?"
    return {"cpu": cpu.group(1) if cpu else platform.processor(), "cores": os.cpu_count(),
            "loadavg_at_start": os.getloadavg()[0],  # a busy machine shows here (quiet.sh pauses only the campaign)
            "numba": numba.__version__, "commit": commit,
            "when": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")}


# ---------------------------------------------------------------------------------------------------
# states

def state_path(cache: Path, name: str, n: int) -> Path:
    return cache / f"{name}-{n}.npz"


def equilibrated(cache: Path, name: str, n: int):
    """(model, state, point) at N from the cache, or melted (``bench_md.prepare``) and cached."""
    path = state_path(cache, name, n)
    melt = melt_steps(n)
    if path.exists():
        state, model, meta = md.load_checkpoint(path)
        if meta["extra"].get("melt") == melt and model.name == name:
            return model, state, POINTS[name]
    model, state, pt = bench_md.prepare(name, n, melt=melt)
    md.save_checkpoint(path, state, model, extra={"melt": melt})
    return model, state, pt


def describe(state, model) -> dict:
    """U/N, T and neighbour-list pairs per particle of a prepared state (same liquid at every N?)."""
    th = md.thermo(state, model)
    return {"U": th["U"], "T": th["T"], "pairs_per_particle": state.nl.npair / state.n,
            "melt_steps": melt_steps(state.n)}


# ---------------------------------------------------------------------------------------------------
# timing

def time_round(name, model, state, T, steps, configs, runs: dict, builds: dict, reverse: bool) -> None:
    """One timed run of each engine: ours (2 threads, 1 thread, ``bench_md.ours``) and each LAMMPS
    configuration (``lammps_peer.benchmark``), in reversed order when ``reverse``; atom-steps per
    second appended to ``runs[key]``, LAMMPS's steps per neighbour-list build to ``builds[key]``."""
    engines = [("scaledyn", numba.get_num_threads()), ("scaledyn_1thread", 1)] + [("lammps", c) for c in configs]
    for key, what in (engines[::-1] if reverse else engines):
        if key == "lammps":
            table, mode, threads = what
            r = lammps_peer.benchmark(state, model, steps, T, mode=mode, threads=threads, table=table)
            key = bench_md.lammps_key(name, table, mode)
            runs.setdefault(key, []).append(r["atom_steps_per_s"])
            m = re.search(r"Neighbor list builds = (\d+)", r["log"])
            if m and int(m.group(1)):
                builds.setdefault(key, []).append(steps / int(m.group(1)))
        else:
            runs.setdefault(key, []).append(bench_md.ours(state, model, steps, T, what))


def time_sizes(name, ready: dict, T, args, configs) -> dict:
    """{N: {"speed": best per engine, "runs": every run, "steps": ...}} for the prepared ``ready``
    ({N: (model, state)}). Rounds sweep all N (alternately up and down) and, within an N, alternate the
    engines' order: a drift of the machine's speed during the run then hits every N and engine alike
    instead of tilting the cost-against-N curve. With ``args.max_minutes`` a round is started only if
    it is expected (as long as the previous one) to end in time (quiet windows are limited)."""
    runs = {n: {} for n in ready}
    builds = {n: {} for n in ready}
    last = 0.0
    for r in range(args.repeats):
        if args.max_minutes and r and time.perf_counter() - args.t_start + last > 60 * args.max_minutes:
            print(f"  {name}: stopped after {r} round(s): another would pass --max-minutes {args.max_minutes:g}")
            break
        r0 = time.perf_counter()
        for n in (sorted(ready) if r % 2 == 0 else sorted(ready, reverse=True)):
            model, state = ready[n]
            t0 = time.perf_counter()
            steps = timed_steps(n, args.budget, args.min_steps)
            time_round(name, model, state, T, steps, configs, runs[n], builds[n], r % 2 == 1)
            print(f"  {name} N={n} round {r + 1} ({time.perf_counter() - t0:.0f} s): "
                  + ", ".join(f"{k} {v[-1] / 1e6:.2f}" for k, v in runs[n].items()) + " Matom-step/s")
        last = time.perf_counter() - r0
    return {n: {"speed": {k: max(v) for k, v in rn.items()}, "runs": rn, "lammps_steps_per_build": builds[n],
                "steps": timed_steps(n, args.budget, args.min_steps), "repeats": len(rn["scaledyn"])}
            for n, rn in runs.items()}


def _best_seconds(fn, min_total: float = 1.0, rounds: int = 5) -> float:
    # best over ``rounds`` of the mean time of calls repeated for at least ``min_total`` seconds
    fn()
    best = np.inf
    for _ in range(rounds):
        k, t0 = 0, time.perf_counter()
        while True:
            fn()
            k += 1
            dt = time.perf_counter() - t0
            if dt >= min_total / rounds:
                break
        best = min(best, dt / k)
    return best


def _cold_seconds(fn, calls: int = 8) -> float:
    """Best time of ``fn`` right after 64 MiB (twice the L3) were written: what a kernel costs when the
    rest of the step has pushed its arrays out of the caches (the flush itself is not timed; it runs
    on one core, so with two threads the other core's L2 keeps its data)."""
    flush = np.zeros(64 * 2**20 // 8)
    fn()
    best = np.inf
    for _ in range(calls):
        flush += 1.0
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def phase_key(threads: int, nmax: int) -> str:
    """Results key of the phases measured on ``threads`` threads: "phases" for all of them."""
    return "phases" if threads == nmax else f"phases_{threads}thread"


def phases(model, state, T) -> dict:
    """ns per particle of each kernel of a step, timed alone on a copy of ``state`` (all threads),
    repeated (warm caches), and the force loop after a cache flush (``force_cold``), plus list builds
    per step and minor page faults per build over a 400-step run."""
    s = state.copy()
    nt = numba.get_num_threads()
    dims = dims_of(s.dim)
    nl = s.nl
    rlist = nl.rc_max + nl.skin
    masses = np.asarray(model.masses, dtype=np.float64)
    atoms = it.Particles(s.pos, s.vel, s.force, s.types, s.tag, s.image, s.box, masses)
    out = {}
    out["build"] = _best_seconds(lambda: nb.update(nl, s.pos, s.types, s.box, s.image, s.vel, s.force, s.tag))
    out["sort"] = _best_seconds(lambda: nb.sort_by_cell(dims, s.box, rlist, s.pos, s.vel, s.force, s.image,
                                                        s.types, s.tag))
    start = nb.sort_by_cell(dims, s.box, rlist, s.pos, s.vel, s.force, s.image, s.types, s.tag)
    out["search"] = _best_seconds(lambda: nb.build_sorted(dims, nt, s.pos, s.types, s.box, nl.cut2, rlist, start,
                                                          nl.lists))
    npair = nl.npair
    pairs = nl.pairs
    acc = fo.ForceSum(s.force, np.empty(pairs.shape[1], np.int32), np.empty((pairs.shape[1], s.dim)),
                      np.zeros((nt, 2), np.int64))
    out["force"] = _best_seconds(lambda: fo.partial_forces(dims, nt, model.params, s.pos, s.types, s.box, pairs,
                                                           npair, acc))
    out["force_cold"] = _cold_seconds(lambda: fo.partial_forces(dims, nt, model.params, s.pos, s.types, s.box, pairs,
                                                                npair, acc))
    # dt = 0: the same arithmetic without moving the particles or heating them
    out["kick"] = _best_seconds(lambda: it.kick(dims, nt, atoms, acc, 0.0))
    out["kick_drift"] = _best_seconds(lambda: it.kick_drift(dims, nt, atoms, 0.0, 1.0, nl.ref_pos, 1.0, 1.0))
    res = {k: v * 1e9 / s.n for k, v in out.items()}
    run = state.copy()
    steps = 400
    b0 = run.nl.builds
    f0 = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    md.simulate(run, model, steps=steps, ensemble="nvt", T=T, progress=False, threads=nt)
    faults = resource.getrusage(resource.RUSAGE_SELF).ru_minflt - f0
    builds = run.nl.builds - b0
    res["steps_per_build"] = steps / max(builds, 1)
    res["minor_faults_per_build"] = faults / max(builds, 1)
    res["pairs_per_particle"] = npair / s.n
    # what a step costs from these parts: force + two kicks + a build every steps_per_build steps
    res["step_sum"] = res["force"] + res["kick"] + res["kick_drift"] + res["build"] / res["steps_per_build"]
    return res


# ---------------------------------------------------------------------------------------------------
# memory (each measurement in its own process)

def _status_kib(field: str) -> int:
    return int(re.search(rf"^{field}:\s+(\d+) kB", Path("/proc/self/status").read_text(), re.M).group(1))


def memory_child(engine: str, path: str, steps: int) -> None:
    """Run in a fresh process (``_memory_child`` argv): print ``{"peak_kib": ...}`` for ``engine``
    ("ours" or ``lammps_<mode>_table``) running ``steps`` steps from the checkpoint ``path``."""
    state, model, _ = md.load_checkpoint(path)
    T = POINTS[model.name]["T"]
    if engine == "ours":
        gc.collect()
        ctypes.CDLL("libc.so.6").malloc_trim(0)  # return the loader's freed temporaries to the OS
        Path("/proc/self/clear_refs").write_text("5")  # reset VmHWM to the current resident size
        md.simulate(state, model, steps=steps, ensemble="nvt", T=T, progress=False,
                    threads=numba.get_num_threads())
        peak = _status_kib("VmHWM")
    else:
        mode = engine.split("_")[1]
        lammps_peer.benchmark(state, model, steps, T, mode=mode, threads=1 if mode == "serial" else 2, table=True)
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss  # KiB, the lmp process
    print(json.dumps({"peak_kib": peak}))


def measure_peak(engine: str, path: Path, steps: int) -> float:
    """Peak resident KiB of ``engine`` in a fresh subprocess (:func:`memory_child`)."""
    cmd = [sys.executable, str(Path(__file__).resolve()), "_memory_child", engine, str(path), str(steps)]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=1800)
    if proc.returncode != 0:
        raise RuntimeError(f"memory child {engine} {path.name} failed:\n{proc.stderr[-3000:]}")
    return float(json.loads(proc.stdout.strip().splitlines()[-1])["peak_kib"])


def memory(cache: Path, name: str, sizes, steps: int, repeats: int) -> dict:
    """{N: {engine: bytes per particle}} and the baseline peaks (KiB) at N0 = BASELINE_N; each peak the
    smallest of ``repeats`` runs (a peak can only be raised by noise: allocator timing, page granularity)."""
    engines = ["ours"] + [bench_md.lammps_key(name, t, m) for t, m, _ in MEMORY_LAMMPS]
    equilibrated(cache, name, BASELINE_N)
    base_path = state_path(cache, name, BASELINE_N)
    measure_peak("ours", base_path, steps)  # first child: fills the kernel cache if it had to compile
    def peak(e, path):
        return min(measure_peak(e, path, steps) for _ in range(repeats))

    base = {e: peak(e, base_path) for e in engines}
    out = {}
    for n in sizes:
        equilibrated(cache, name, n)
        peaks = {e: peak(e, state_path(cache, name, n)) for e in engines}
        out[n] = {"bytes_per_particle": {e: per_particle(peaks[e], base[e], n) for e in engines},
                  "peak_kib": peaks, "baseline_kib": base, "steps": steps}
        print(f"  {name} N={n} memory: " + ", ".join(f"{e} {v:.0f} B" for e, v in
                                                      out[n]["bytes_per_particle"].items()))
    return out


# ---------------------------------------------------------------------------------------------------
# report

def fastest_lammps(speed: dict) -> tuple[str, float]:
    key = max((k for k in speed if k.startswith("lammps")), key=speed.get)
    return key, speed[key]


def table_rows(results: dict, models) -> list[str]:
    """The markdown table of everything stored (a row per model and N)."""
    head = ("| model | N | ours 2 thr | ours 1 thr | LAMMPS fastest (config) | ratio | µs/atom-step ours |"
            " µs/atom-step LAMMPS | B/particle ours | B/particle LAMMPS serial |")
    rows = [head, "|" + "---|" * (head.count("|") - 1)]
    for name in models:
        for n_key in sorted(results.get(name, {}), key=int):
            e = results[name][n_key]
            sp = e.get("time", {}).get("speed", {})
            mem = e.get("memory", {}).get("bytes_per_particle", {})
            if not (sp or mem):
                continue
            cells = [name, n_key]
            if sp:
                lk, lv = fastest_lammps(sp)
                cells += [f"{sp['scaledyn'] / 1e6:.2f}", f"{sp['scaledyn_1thread'] / 1e6:.2f}",
                          f"{lv / 1e6:.2f} ({lk.removeprefix('lammps_')})", f"{sp['scaledyn'] / lv:.2f}",
                          f"{1e6 / sp['scaledyn']:.4f}", f"{1e6 / lv:.4f}"]
            else:
                cells += ["—"] * 6
            lserial = bench_md.lammps_key(name, True, "serial")
            cells += [f"{mem['ours']:.0f}" if "ours" in mem else "—",
                      f"{mem[lserial]:.0f}" if lserial in mem else "—"]
            rows.append("| " + " | ".join(cells) + " |")
    return rows


def costs(results: dict, name: str, key: str = "scaledyn") -> dict:
    """{N: µs per atom-step} of one engine configuration (``lammps_fastest``: LAMMPS's best)."""
    out = {}
    for n_key, e in results.get(name, {}).items():
        sp = e.get("time", {}).get("speed")
        if sp:
            v = fastest_lammps(sp)[1] if key == "lammps_fastest" else sp.get(key)
            if v:
                out[int(n_key)] = 1e6 / v
    return out


def plot(results: dict, models, path: Path) -> None:
    """Cost per atom-step (a) and peak memory per particle (b) against N, both models, both engines."""
    from scaledyn.plotting import PALETTE, figure, panel_labels
    import matplotlib
    matplotlib.use("Agg")
    from matplotlib.ticker import FuncFormatter, NullFormatter
    fig, (ax, bx) = figure(2, width=10.0, height=5.2)
    for c, name in enumerate(models):
        col = PALETTE[c]
        for key, style, label in (("scaledyn", "-o", "ours, 2 threads"), ("scaledyn_1thread", ":s", "ours, 1 thread"),
                                  ("lammps_fastest", "--^", "LAMMPS, fastest")):
            cc = costs(results, name, key)
            if cc:
                ns = sorted(cc)
                ax.plot(ns, [cc[n] for n in ns], style, color=col, label=f"{name}: {label}",
                        alpha=1.0 if key == "scaledyn" else 0.75)
        ours = costs(results, name)
        inside = [v for n, v in ours.items() if FLAT_RANGE[0] <= n <= FLAT_RANGE[1]]
        if inside:  # the goal band: within 20 % of the cheapest N in the range
            ax.axhspan(min(inside), FLAT_GOAL * min(inside), color=col, alpha=0.12, lw=0)
        for key, style, label in (("ours", "-o", "ours"), (bench_md.lammps_key(name, True, "serial"), "--^",
                                                            "LAMMPS serial"),
                                  (bench_md.lammps_key(name, True, "omp"), ":v", "LAMMPS OpenMP")):
            mem = {int(k): e["memory"]["bytes_per_particle"][key] for k, e in results.get(name, {}).items()
                   if key in e.get("memory", {}).get("bytes_per_particle", {}) and int(k) >= MEMORY_PLOT_MIN_N}
            if mem:
                ns = sorted(mem)
                bx.plot(ns, [mem[n] for n in ns], style, color=col, label=f"{name}: {label}")
    sizes = sorted({int(n) for m in models for n in results.get(m, {})})
    for a in (ax, bx):
        a.set_xscale("log", base=2)
        a.set_xticks(sizes, [f"{n // 1024}k" if n % 1024 == 0 else str(n) for n in sizes])
        a.minorticks_off()
        a.set_xlabel("particles N")
        if a.get_legend_handles_labels()[0]:  # below the axes: the curves fill the panel
            a.legend(fontsize=8, ncol=2, loc="upper center", bbox_to_anchor=(0.5, -0.16))
    ax.set_yscale("log")
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
    ax.yaxis.set_minor_formatter(NullFormatter())
    ax.set_yticks([0.02, 0.03, 0.05, 0.07, 0.1, 0.15, 0.2])
    ax.set_ylabel("wall time per atom-step (µs)")
    ax.set_title(f"cost per atom-step (band: {FLAT_GOAL:.2f} x cheapest, 4k-256k)", fontsize=10)
    bx.set_ylabel("peak resident memory per particle (bytes)")
    bx.set_ylim(bottom=0)
    bx.set_title(f"(peak(N) - peak({BASELINE_N})) / (N - {BASELINE_N}), N >= {MEMORY_PLOT_MIN_N // 1024}k",
                 fontsize=10)
    panel_labels([ax, bx])
    fig.savefig(path)


def report(data: dict, models, plot_path: Path | None) -> None:
    res = data["results"]
    print("\n".join(table_rows(res, models)))
    for name in models:
        e = res.get(name, {})
        for key in sorted({k for v in e.values() for k in v if k.startswith("phases")}):
            ph = {int(k): v[key] for k, v in e.items() if key in v}
            print(f"{name} {key}, ns per particle: N, build (sort, search), force, kick, kick_drift, "
                  "step sum; steps per build (LAMMPS serial's), minor page faults per build")
            lserial = bench_md.lammps_key(name, True, "serial")
            for n in sorted(ph):
                p = ph[n]
                lb = e[str(n)].get("time", {}).get("lammps_steps_per_build", {}).get(lserial)
                cold = f" [cold {p['force_cold']:5.1f}]" if "force_cold" in p else ""
                print(f"  {n:7d} {p['build']:7.1f} ({p['sort']:6.1f}, {p['search']:6.1f}) {p['force']:7.1f}{cold} "
                      f"{p['kick']:6.2f} {p['kick_drift']:6.2f} {p['step_sum']:7.1f}; {p['steps_per_build']:5.2f} "
                      f"({'—' if not lb else f'{np.mean(lb):.2f}'}) {p['minor_faults_per_build']:6.0f}")
    if plot_path is not None and any(costs(res, m) or any("memory" in v for v in res.get(m, {}).values())
                                     for m in models):
        plot(res, models, plot_path)
        print(f"plot: {plot_path}")
    for label, key in (("scaling_flatness_lammps", "lammps_fastest"), ("scaling_flatness_1thread", "scaledyn_1thread"),
                       ("scaling_flatness", "scaledyn")):
        vals = {m: flatness(costs(res, m, key)) for m in models}
        print(label + " " + " ".join(f"{m}={'n/a' if v is None else f'{v:.2f}'}" for m, v in vals.items())
              + (f"  (goal <= {FLAT_GOAL:.2f} over N = {FLAT_RANGE[0]}..{FLAT_RANGE[1]})" if key == "scaledyn" else ""))


# ---------------------------------------------------------------------------------------------------

def parse_args(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--models", nargs="+", choices=list(POINTS), default=list(POINTS))
    ap.add_argument("--sizes", nargs="+", type=int, default=list(SIZES), metavar="N")
    ap.add_argument("--parts", nargs="+", choices=PARTS, default=list(PARTS))
    ap.add_argument("--budget", type=float, default=1e8, help="atom-steps per timed run (default 1e8)")
    ap.add_argument("--min-steps", type=int, default=100, help="fewest steps per timed run (default 100)")
    ap.add_argument("--repeats", type=int, default=2, help="rounds over all N (default 2)")
    ap.add_argument("--max-minutes", type=float, default=None,
                    help="start no timing round that would end later than this many minutes after the start")
    ap.add_argument("--analytic", action="store_true", help="also time LAMMPS's analytic pair styles (slow)")
    ap.add_argument("--memory-steps", type=int, default=100, help="steps of each memory run (default 100)")
    ap.add_argument("--memory-repeats", type=int, default=2, help="runs per peak, smallest kept (default 2)")
    ap.add_argument("--phase-threads", type=int, nargs="+", default=[numba.get_num_threads()],
                    help="thread counts of the phases part (default: all Numba threads)")
    ap.add_argument("--out", type=Path, default=HERE / "scaling.json")
    ap.add_argument("--plot", type=Path, default=HERE / "scaling.png")
    ap.add_argument("--cache", type=Path, default=HERE.parent / ".cache" / "bench_scaling",
                    help="equilibrated states (checkpoints)")
    ap.add_argument("--plot-only", action="store_true", help="no measurement: table, flatness, plot from --out")
    args = ap.parse_args(argv)
    args.t_start = time.perf_counter()
    try:
        args.sizes = check_sizes(args.sizes, args.models)
    except ValueError as exc:
        ap.error(str(exc))
    if not (1e5 <= args.budget <= 1e11):
        ap.error(f"--budget must be between 1e5 and 1e11 atom-steps, got {args.budget:g}")
    if any(not 1 <= k <= numba.get_num_threads() for k in args.phase_threads):
        ap.error(f"--phase-threads must lie in 1..{numba.get_num_threads()}, got {args.phase_threads}")
    if args.max_minutes is not None and not args.max_minutes > 0:
        ap.error(f"--max-minutes must be > 0, got {args.max_minutes:g}")
    for opt in ("min_steps", "repeats", "memory_steps", "memory_repeats"):
        if getattr(args, opt) < 1:
            ap.error(f"--{opt.replace('_', '-')} must be >= 1, got {getattr(args, opt)}")
    return args


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["_memory_child"]:
        return memory_child(argv[1], argv[2], int(argv[3]))
    args = parse_args(argv)
    sys.stdout.reconfigure(line_buffering=True)
    data = load_results(args.out)
    if not args.plot_only:
        meta = machine()
        print(f"{meta['cpu']}, {meta['cores']} cores, numba {meta['numba']}, threads {numba.get_num_threads()}, "
              f"commit {meta['commit']}, load average {meta['loadavg_at_start']:.2f}")
        configs = list(bench_md.LAMMPS_CONFIGS) if args.analytic else TABLE_CONFIGS
        for name in args.models:
            T = POINTS[name]["T"]
            if "memory" in args.parts:
                for n, v in memory(args.cache, name, args.sizes, args.memory_steps,
                                      args.memory_repeats).items():
                    merge(data["results"], name, n, "memory", {**v, **meta})
                save_results(args.out, data)
            if not {"prepare", "time", "phases"} & set(args.parts):
                continue
            ready = {}
            for n in args.sizes:
                t0 = time.perf_counter()
                model, state, _ = equilibrated(args.cache, name, n)
                merge(data["results"], name, n, "state", describe(state, model))
                bench_md.ours(state, model, 20, T, 1)  # load the kernels before anything is timed
                print(f"{name} N={n}: state ready ({time.perf_counter() - t0:.0f} s), "
                      f"U/N {data['results'][name][str(n)]['state']['U']:.4f}, "
                      f"pairs/particle {state.nl.npair / n:.2f}")
                if "phases" in args.parts:
                    nmax = numba.get_num_threads()
                    for k in args.phase_threads:
                        numba.set_num_threads(k)
                        try:
                            merge(data["results"], name, n, phase_key(k, nmax), {**phases(model, state, T), **meta})
                        finally:
                            numba.set_num_threads(nmax)
                ready[n] = (model, state)
            if "time" in args.parts:
                for n, v in time_sizes(name, ready, T, args, configs).items():
                    merge(data["results"], name, n, "time", {**v, **meta})
            save_results(args.out, data)
    report(data, args.models, args.plot)


if __name__ == "__main__":
    main()
