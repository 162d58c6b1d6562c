"""A/B throughput of two versions of ``scaledyn.md`` in one process, runs alternating.

    LD_LIBRARY_PATH=.venv/lib .venv/bin/python benchmarks/ab_md.py --b ../other-worktree/lib \
        [--a lib] [--model hump2d] [--rounds 10] [--steps 1000]

On a shared VM the speed of the same code drifts by +-30 % within minutes, so timings of two versions
taken one after the other (two processes, two commits) cannot resolve a 10 % change. Here both
versions live in one process (``--b``'s package is copied to a temporary directory under the name
``scaledyn_b``), start from the same state point and alternate in ABBA order, so both see the same
load. Reported: each version's per-round Matom-step/s, the best of each, and the median over rounds
of the ratio B/A of neighbouring runs, which is what to read.
"""

import argparse
import importlib
import shutil
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from bench_md import POINTS  # the state points of the LAMMPS benchmark (this script's folder is on sys.path)


def load_copy(lib: Path, name: str, tmp: Path):
    """Import ``lib/scaledyn`` as package ``name`` (a copy without compiled caches)."""
    src = lib / "scaledyn"
    if not (src / "md" / "__init__.py").is_file():
        raise SystemExit(f"ab_md: {lib} has no scaledyn/md package")
    shutil.copytree(src, tmp / name, ignore=shutil.ignore_patterns("__pycache__"))
    sys.path.insert(0, str(tmp))
    return importlib.import_module(f"{name}.md")


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--a", type=Path, default=Path(__file__).resolve().parents[1] / "lib",
                    help="lib/ directory of version A (default: this checkout)")
    ap.add_argument("--b", type=Path, required=True, help="lib/ directory of version B")
    ap.add_argument("--model", choices=sorted(POINTS), default="hump2d")
    ap.add_argument("--n", type=int, default=4096)
    ap.add_argument("--rounds", type=int, default=10)
    ap.add_argument("--steps", type=int, default=1000)
    args = ap.parse_args(argv)
    if args.rounds < 2 or args.steps < 1 or args.n < 2:
        raise SystemExit("ab_md: need --rounds >= 2, --steps >= 1, --n >= 2")
    pt = POINTS[args.model]
    with tempfile.TemporaryDirectory() as tmp:
        versions = {"A": load_copy(args.a, "scaledyn_a", Path(tmp)),
                    "B": load_copy(args.b, "scaledyn_b", Path(tmp))}
        runs = {}
        for key, md in versions.items():
            model = md.get_model(args.model, n=args.n, density=pt["density"])
            state = md.initial_state(model, T=pt["T"], seed=1)
            md.simulate(state, model, steps=args.steps, ensemble="nvt", T=pt["T"], progress=False)  # compile, melt
            runs[key] = (md, model, state)
        speed = {"A": [], "B": []}
        for r in range(args.rounds):
            for key in ("AB" if r % 2 == 0 else "BA"):
                md, model, state = runs[key]
                t0 = time.perf_counter()
                md.simulate(state, model, steps=args.steps, ensemble="nvt", T=pt["T"], progress=False)
                speed[key].append(args.n * args.steps / (time.perf_counter() - t0) / 1e6)
    a, b = np.array(speed["A"]), np.array(speed["B"])
    print(f"{args.model} N={args.n}, Matom-step/s per round")
    print(f"  A {args.a}: " + " ".join(f"{x:.1f}" for x in a))
    print(f"  B {args.b}: " + " ".join(f"{x:.1f}" for x in b))
    print(f"best A {a.max():.2f} B {b.max():.2f}; median B/A {np.median(b / a):.3f}")


if __name__ == "__main__":
    main()
