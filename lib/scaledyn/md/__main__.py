"""Command line for long runs: ``python -m scaledyn.md run --model binary3d --T 0.5 --steps 1000000 --out DIR``.

A run writes into ``DIR``:

* ``run.json`` — every parameter of the run (model, state point, algorithm constants, seed, code
  version, thread count, the command line), like a LAMMPS log header;
* ``thermo.csv`` — step, time, T, K, U, E (per particle), P, density, volume every ``--thermo-every``;
* ``traj.gsd`` — frames (wrapped positions + image flags, velocities) every ``--sample-every`` steps,
  or log-spaced in blocks with ``--log-block``;
* ``checkpoint.npz`` — written atomically every ``--checkpoint-every`` steps and at the end.

``--resume`` continues from ``checkpoint.npz`` up to the same total ``--steps``, bitwise as if the run
had not stopped (same thread count); output written after the last checkpoint is discarded first.
The starting configuration is a lattice melted for ``--melt-steps`` at ``--melt-T`` (NVT, and NPT
for an NPT model) and, for NPT, compressed to the model's pressure; the step counter then restarts
at 0.

``python -m scaledyn.md campaign MODEL [--quick] --out DIR --workdir DIR`` runs a whole temperature
ladder as resumable state-point jobs (see :mod:`scaledyn.md.campaign`).
"""

import argparse
import json
import shlex
import sys
from pathlib import Path

import numba
import numpy as np

from scaledyn import __version__

from . import Checkpointer, GSDWriter, get_model, initial_state, load_checkpoint, log_schedule, simulate
from .models import MODEL_NAMES
from .state import CheckpointError
from .trajectory import CSVThermo, truncate_outputs


def _positive(kind):
    def parse(text):
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not a valid {kind.__name__}: {text!r}") from None
        if not np.isfinite(value) or value <= 0:
            raise argparse.ArgumentTypeError(f"must be > 0, got {text}")
        return value
    return parse


def build_parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="python -m scaledyn.md", description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="run (or resume) a simulation with checkpoints")
    run.add_argument("--model", required=True, choices=MODEL_NAMES)
    run.add_argument("--T", type=_positive(float), required=True, help="temperature (epsilon/k_B)")
    run.add_argument("--steps", type=_positive(int), required=True, help="total production steps")
    run.add_argument("--out", type=Path, required=True, help="output directory")
    run.add_argument("--n", type=_positive(int), default=None, help="number of particles (model default)")
    run.add_argument("--density", type=_positive(float), default=None, help="number density (model default)")
    run.add_argument("--pressure", type=_positive(float), default=None, help="NPT pressure (model default)")
    run.add_argument("--dt", type=_positive(float), default=None, help="time step (model default)")
    run.add_argument("--seed", type=int, default=0)
    run.add_argument("--melt-T", type=_positive(float), default=2.0)
    run.add_argument("--melt-steps", type=int, default=2000)
    run.add_argument("--thermo-every", type=_positive(int), default=1000)
    run.add_argument("--sample-every", type=_positive(int), default=None)
    run.add_argument("--log-block", type=_positive(int), default=None,
                     help="log-spaced sampling in blocks of this many steps (instead of --sample-every)")
    run.add_argument("--checkpoint-every", type=_positive(int), default=10000)
    run.add_argument("--resume", action="store_true", help="continue from OUT/checkpoint.npz")
    run.add_argument("--progress", action=argparse.BooleanOptionalAction, default=None)
    add_campaign_parser(sub)
    return ap


def add_campaign_parser(sub) -> None:
    """``campaign MODEL``: a temperature ladder of resumable state-point jobs (see .campaign)."""
    c = sub.add_parser("campaign", help="temperature ladder -> data/md/<model> summaries (resumable)")
    c.add_argument("model", choices=MODEL_NAMES)
    c.add_argument("--out", type=Path, default=None, help="summaries + manifest (default data/md/<model>)")
    c.add_argument("--workdir", type=Path, default=None, help="checkpoints, trajectories (default runs/<model>)")
    c.add_argument("--T", type=_positive(float), nargs="+", default=None, help="ladder (default: the model's)")
    c.add_argument("--n", type=_positive(int), default=None, help="particles (default 4096; 256 with --quick)")
    c.add_argument("--k", type=_positive(float), default=None, help="F_s wave number (sigma^-1)")
    c.add_argument("--seed", type=int, default=None)
    for name, help_ in (("equil-tau", "equilibration length in estimated tau_alpha"),
                        ("prod-tau", "production length in tau_alpha"),
                        ("min-tau", "extend production until it covers this many measured tau_alpha"),
                        ("block-tau", "log-sampling block length in estimated tau_alpha")):
        c.add_argument(f"--{name}", type=_positive(float), default=None, help=help_)
    c.add_argument("--workers", type=int, default=None, help="pool processes (0: in this process)")
    c.add_argument("--threads", type=_positive(int), default=None, help="Numba threads per job")
    c.add_argument("--scheduler", default=None, help="Dask scheduler address (needs dask.distributed)")
    c.add_argument("--step-budget", type=int, default=None, help="stop each job after this many steps")
    c.add_argument("--quick", action="store_true", help="tiny end-to-end check (N=256, 2 temperatures)")
    c.add_argument("--reanalyse", action="store_true",
                   help="recompute the summaries of finished points from their trajectories (no MD)")


def campaign_command(args) -> int:
    from . import campaign as cp

    if args.workers is not None and args.workers < 0:
        raise SystemExit(f"error: --workers must be >= 0, got {args.workers}")
    if args.step_budget is not None and args.step_budget < 0:
        raise SystemExit(f"error: --step-budget must be >= 0, got {args.step_budget}")
    given = {"temperatures": args.T, "n": args.n, "k": args.k, "seed": args.seed, "equil_tau": args.equil_tau,
             "prod_tau": args.prod_tau, "min_tau": args.min_tau, "block_tau": args.block_tau}
    given = {k: (tuple(v) if k == "temperatures" else v) for k, v in given.items() if v is not None}
    try:
        if args.quick:
            settings = cp.quick_settings(args.model, **given)
        else:
            settings = cp.Settings(**{"model": args.model, "temperatures": cp.DEFAULT_LADDERS[args.model], **given})
        if args.reanalyse:
            done = cp.reanalyse(settings, args.out or Path("data/md") / args.model, args.workdir)
            print(f"campaign {args.model}: reanalysed {len(done)}")
            return 0
        report = cp.run_campaign(settings, args.out or Path("data/md") / args.model, args.workdir,
                                 workers=args.workers, threads=args.threads, scheduler=args.scheduler,
                                 step_budget=args.step_budget,
                                 command="python -m scaledyn.md " + shlex.join(args.argv))
    except (ValueError, TypeError, cp.CampaignError) as exc:
        raise SystemExit(f"error: {exc}") from None
    print(f"campaign {args.model}: " + ", ".join(f"{k} {len(v)}" for k, v in report.items()))
    return 1 if report["failed"] else 3 if report["incomplete"] else 0


def run_command(args) -> int:
    out: Path = args.out
    ckpt = out / "checkpoint.npz"
    if args.sample_every and args.log_block:
        raise SystemExit("error: give at most one of --sample-every and --log-block")
    if args.melt_steps < 0:
        raise SystemExit(f"error: --melt-steps must be >= 0, got {args.melt_steps}")
    overrides = {k: v for k, v in (("n", args.n), ("density", args.density), ("dt", args.dt)) if v is not None}
    try:
        model = get_model(args.model, **overrides)
        if args.pressure is not None:
            model = model.with_(pressure=args.pressure)
    except (ValueError, TypeError) as exc:
        raise SystemExit(f"error: {exc}") from None
    if args.resume:
        try:
            state, saved_model, meta = load_checkpoint(ckpt)
        except CheckpointError as exc:
            raise SystemExit(f"error: cannot resume: {exc}") from None
        if saved_model.name != model.name:
            raise SystemExit(f"error: checkpoint holds model {saved_model.name}, not {model.name}")
        model = saved_model
        if meta.get("threads") != numba.get_num_threads():
            print(f"warning: checkpoint written with {meta.get('threads')} threads, now "
                  f"{numba.get_num_threads()}: the continuation is valid but not bitwise identical",
                  file=sys.stderr)
        truncate_outputs(out, state.step)
    else:
        if ckpt.exists():
            raise SystemExit(f"error: {ckpt} exists; use --resume to continue it or choose another --out")
        out.mkdir(parents=True, exist_ok=True)
        state = initial_state(model, T=args.melt_T, seed=args.seed)
        if args.melt_steps:
            simulate(state, model, steps=args.melt_steps, ensemble=model.ensemble, T=args.melt_T,
                     progress=args.progress)
        state.step = 0
    manifest = {"code": f"scaledyn {__version__}", "command": shlex.join(sys.argv), "model": model.name,
                "n": model.n, "dim": model.dim, "ensemble": model.ensemble, "T": args.T,
                "pressure": model.pressure if model.ensemble == "npt" else None, "density": model.density,
                "dt": model.dt, "tau_T": model.tau_T, "tau_P": model.tau_P, "bulk_modulus": model.bulk_modulus,
                "skin": model.skin, "seed": args.seed, "melt_T": args.melt_T, "melt_steps": args.melt_steps,
                "steps": args.steps, "threads": numba.get_num_threads(),
                "threading_layer": numba.config.THREADING_LAYER}
    if not args.resume:
        (out / "run.json").write_text(json.dumps(manifest, indent=2) + "\n")
    observers = [CSVThermo(out / "thermo.csv", args.thermo_every),
                 Checkpointer(ckpt, args.checkpoint_every)]
    if args.sample_every:
        observers.append(GSDWriter(out / "traj.gsd", every=args.sample_every, mode="a"))
    elif args.log_block:
        observers.append(GSDWriter(out / "traj.gsd", steps=log_schedule(args.steps, args.log_block), mode="a"))
    remaining = args.steps - state.step
    if remaining < 0:
        raise SystemExit(f"error: checkpoint is at step {state.step}, beyond --steps {args.steps}")
    simulate(state, model, steps=remaining, T=args.T, observers=observers, progress=args.progress)
    Checkpointer(ckpt, 1)(state, model)
    print(f"done: {model.name} at step {state.step}, output in {out}")
    return 0


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else [str(a) for a in argv]
    args = build_parser().parse_args(argv)
    args.argv = argv
    if args.command == "run":
        return run_command(args)
    if args.command == "campaign":
        return campaign_command(args)
    return 2  # pragma: no cover


if __name__ == "__main__":
    sys.exit(main())
