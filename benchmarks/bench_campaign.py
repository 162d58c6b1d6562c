"""Wall time of a short campaign ladder for each workers x threads choice (issue 22, item 5).

    LD_LIBRARY_PATH=.venv/lib .venv/bin/python benchmarks/bench_campaign.py [--models hump2d binary3d]
        [--rounds 2] [--scale 1.0]

A campaign runs a ladder of state points, each an independent job of unequal length (colder points
run longer). With 2 cores there are three ways to spend them:

* ``2x1``: two pool workers, one Numba thread each (both cores busy until the last job, which then
  runs alone on one core);
* ``1x2``: one worker at a time on two threads (the OpenMP scaling of one job: 1.4-1.6 on these
  models, below the 2.0 of two independent jobs);
* ``2xauto``: the default, two workers whose jobs choose 1 or 2 threads as they run
  (:class:`scaledyn.md.ThreadChooser`): one each while both run, two for the job left alone.

The script runs the same short ladder from scratch (melt, equilibration, production, analysis:
everything a real job does, with run lengths of a few estimated tau_alpha) into a temporary
directory with each choice, rounds alternating the order, and prints each choice's best wall time
and ``campaign_fastest <model>/<shape>=<choice> ...``. Two ladder shapes, five temperatures of the
model's default ladder each, N = 4096 (``--scale`` multiplies every run length):

* ``balanced``: the longest job about as long as the others together, as planned production ladders
  are (two workers stay busy to the end);
* ``tail``: one cold job several times longer than the rest, as when production runs extend
  themselves at the coldest points (it runs alone for most of the ladder's time).

Every change to the package's sources clears Numba's cache (``scaledyn._numba_cache``), so each
choice first runs a tiny untimed ladder: the first timed run must not pay the compilation.
"""

import argparse
import sys
import tempfile
import time
from pathlib import Path

from scaledyn.campaign import settings as cs
from scaledyn.campaign.runner import run_campaign

#: temperatures of the short ladders (subsets of the default ladders), by model and shape
LADDERS = {"binary3d": {"balanced": (1.0, 0.6, 0.45, 0.4, 0.36), "tail": (1.0, 0.6, 0.45, 0.4, 0.32)},
           "hump2d": {"balanced": (0.5, 0.3, 0.22, 0.18, 0.15), "tail": (0.5, 0.3, 0.22, 0.18, 0.13)}}
CHOICES = {"2x1": (2, 1), "1x2": (1, 2), "2xauto": (None, "auto")}


def short_settings(model: str, shape: str, scale: float) -> cs.Settings:
    """The short ladder's settings: real N and pipeline, run lengths of a few estimated τα."""
    return cs.Settings(model=model, temperatures=LADDERS[model][shape], melt_steps=1000,
                       equil_tau=2.0 * scale, min_equil_time=5.0 * scale, prod_tau=6.0 * scale,
                       min_prod_time=10.0 * scale, block_tau=1.0, min_tau=1.0, max_extensions=0,
                       species_frames=10, checkpoint_every=10**9)


def run_once(settings: cs.Settings, choice: str) -> float:
    """Wall time (s) of the whole ladder with ``choice`` (a key of :data:`CHOICES`), from scratch."""
    workers, threads = CHOICES[choice]
    with tempfile.TemporaryDirectory(prefix="bench_campaign_") as tmp:
        t0 = time.perf_counter()
        report = run_campaign(settings, Path(tmp) / "out", Path(tmp) / "work", workers=workers,
                              threads=threads, log=lambda *_: None)
        seconds = time.perf_counter() - t0
    if report["failed"] or report["incomplete"]:
        raise RuntimeError(f"bench_campaign: {choice} did not finish its ladder: {report}")
    return seconds


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--models", nargs="+", default=["hump2d", "binary3d"], choices=sorted(LADDERS))
    ap.add_argument("--rounds", type=int, default=2, help="alternating rounds (best time kept)")
    ap.add_argument("--scale", type=float, default=1.0, help="multiplies every run length")
    ap.add_argument("--choices", nargs="+", default=list(CHOICES), choices=list(CHOICES))
    ap.add_argument("--shapes", nargs="+", default=["balanced", "tail"], choices=["balanced", "tail"])
    args = ap.parse_args(argv)
    if args.rounds < 1 or not args.scale > 0:
        raise SystemExit("bench_campaign: need --rounds >= 1 and --scale > 0")
    sys.stdout.reconfigure(line_buffering=True)
    fastest = {}
    for model in args.models:
        for choice in args.choices:  # compile (or load) every kernel the timed runs need, untimed
            run_once(cs.quick_settings(model), choice)
        for shape in args.shapes:
            settings = short_settings(model, shape, args.scale)
            jobs = [cs.plan_job(settings, T, "o", "w") for T in settings.temperatures]
            print(f"{model} {shape}: N={settings.n}, T={settings.temperatures}, steps per job "
                  f"{[j.equil_steps + j.prod_steps for j in jobs]}")
            best = {}
            for r in range(args.rounds):
                for choice in (args.choices if r % 2 == 0 else args.choices[::-1]):
                    s = run_once(settings, choice)
                    best[choice] = min(best.get(choice, float("inf")), s)
                    print(f"  round {r + 1} {choice:7s} {s:7.1f} s")
            key = f"{model}/{shape}"
            fastest[key] = min(best, key=best.get)
            print("  best: " + ", ".join(f"{c} {t:.1f} s ({t / best[fastest[key]]:.2f})" for c, t in best.items()))
    print("campaign_fastest " + " ".join(f"{m}={c}" for m, c in fastest.items()))


if __name__ == "__main__":
    main()
