"""Command line for long runs: ``python -m scaledyn.md run --model binary3d --T 0.5 --steps 1000000 --out DIR``.

A run writes into ``DIR``:

* ``run.json`` — every parameter of the run (model, state point, algorithm constants, seed, code
  version, thread count, the command line), like a LAMMPS log header; at the end of each session
  also ``steps_by_threads``, the steps run on each thread count (``--threads auto``);
* ``thermo.csv`` — step, time, T, K, U, E (per particle), P, density, volume every ``--thermo-every``;
* ``traj.gsd`` — frames (wrapped positions + image flags, velocities) every ``--sample-every`` steps,
  or log-spaced in blocks with ``--log-block``;
* ``checkpoint.npz`` — written atomically every ``--checkpoint-every`` steps (after the step's other
  output), at step 0 and at the end;
* ``lock`` — the pid of the process running in ``DIR`` (an ``flock``, released when it dies).

``--resume`` continues from ``checkpoint.npz`` up to ``--steps`` (the same or more), bitwise as if the
run had not stopped (same ``threads`` in run.json: the number of parts the work is split into,
which ``--threads auto`` keeps at the Numba maximum whatever count it runs on); output written after the last checkpoint is discarded first
(each file rewritten atomically). The other arguments must be those of the original command
(``run.json``), else the resume is refused. A lock on ``DIR`` keeps a second process out; a fresh run
writes a checkpoint at step 0, so a run killed at any moment can be resumed. Every expected failure
(bad arguments, a blow-up, a corrupt or foreign file, an unwritable or full disk) is a one-line
``error:`` message and exit status 1.
The starting configuration is a lattice melted for ``--melt-steps`` at ``--melt-T`` (NVT, and NPT
for an NPT model) and, for NPT, compressed to the model's pressure; the step counter then restarts
at 0.

Temperature ladders (campaigns) are run by ``python -m scaledyn.campaign`` (:mod:`scaledyn.campaign`);
``python -m scaledyn.md campaign ...`` says so.
"""

import argparse
import json
import shlex
import sys
from pathlib import Path

import numba

from scaledyn import __version__

from .._checks import nonnegative_arg as _nonnegative
from .._checks import positive_arg as _positive
from .._checks import read_json

from . import (Checkpointer, GSDWriter, ThreadChooser, get_model, initial_state, load_checkpoint, log_schedule,
               simulate)
from ._threads import threads_arg
from .models import MODEL_NAMES
from .run import SimulationError
from .state import CheckpointError, FolderBusyError, FolderLock, atomic_write, discard_temporaries
from .trajectory import CSVThermo, truncate_outputs


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
    run.add_argument("--seed", type=_nonnegative(int), default=0)
    run.add_argument("--melt-T", type=_positive(float), default=2.0)
    run.add_argument("--melt-steps", type=_nonnegative(int), default=2000)
    run.add_argument("--thermo-every", type=_positive(int), default=1000)
    run.add_argument("--sample-every", type=_positive(int), default=None)
    run.add_argument("--log-block", type=_positive(int), default=None,
                     help="log-spaced sampling in blocks of this many steps (instead of --sample-every)")
    run.add_argument("--checkpoint-every", type=_positive(int), default=10000)
    run.add_argument("--resume", action="store_true", help="continue from OUT/checkpoint.npz")
    run.add_argument("--progress", action=argparse.BooleanOptionalAction, default=None)
    run.add_argument("--threads", type=threads_arg, default="auto",
                     help="Numba threads, or 'auto' (default): the fastest count up to NUMBA_NUM_THREADS, "
                          "probed during the run; bitwise the same trajectory as the maximum")
    add_campaign_parser(sub)
    return ap


def add_campaign_parser(sub) -> None:
    """``campaign``: moved to ``python -m scaledyn.campaign`` (the engine does not run ladders)."""
    c = sub.add_parser("campaign", help="moved: use python -m scaledyn.campaign", add_help=False)
    c.add_argument("rest", nargs=argparse.REMAINDER)


#: run.json fields a resume must reproduce (``--steps`` may grow; checkpoint period and progress bar
#: change no output)
RESUME_FIELDS = ("model", "n", "dim", "T", "pressure", "density", "dt", "seed", "melt_T", "melt_steps",
                 "thermo_every", "sample_every", "log_block")


def run_command(args) -> int:
    """The ``run`` command; every expected failure is a SystemExit with a one-line message."""
    threads_before = numba.get_num_threads()  # --threads N sets it for the run (main() may be called in-process)
    try:
        with FolderLock(args.out):
            return _run(args)
    except (FolderBusyError, CheckpointError, SimulationError, ValueError, TypeError) as exc:
        raise SystemExit(f"error: {exc}") from None
    except OSError as exc:  # unwritable or full disk, --out a file, ...
        raise SystemExit(f"error: cannot write the run in {args.out}: {exc}") from None
    finally:
        numba.set_num_threads(threads_before)


def _model_of(args):
    overrides = {k: v for k, v in (("n", args.n), ("density", args.density), ("dt", args.dt)) if v is not None}
    model = get_model(args.model, **overrides)
    if args.pressure is not None:
        if model.ensemble != "npt":
            raise ValueError(f"--pressure applies to NPT models only; {model.name} runs {model.ensemble.upper()} "
                             "(give --density instead)")
        model = model.with_(pressure=args.pressure)
    return model


def _manifest(args, model) -> dict:
    return {"code": f"scaledyn {__version__}", "command": shlex.join(sys.argv), "model": model.name,
            "n": model.n, "dim": model.dim, "ensemble": model.ensemble, "T": args.T,
            "pressure": model.pressure if model.ensemble == "npt" else None, "density": model.density,
            "dt": model.dt, "tau_T": model.tau_T, "tau_P": model.tau_P, "bulk_modulus": model.bulk_modulus,
            "skin": model.skin, "seed": args.seed, "melt_T": args.melt_T, "melt_steps": args.melt_steps,
            "thermo_every": args.thermo_every, "sample_every": args.sample_every, "log_block": args.log_block,
            "steps": args.steps, "threads": numba.get_num_threads(), 
            "thread_choice": "auto" if args.threads == "auto" else "fixed",
            "threading_layer": numba.config.THREADING_LAYER}


def _resume_state(out: Path, manifest: dict):
    """The checkpoint's state and model, after checking that this command is the one that started
    the run (else the continuation would silently mix two runs)."""
    state, saved_model, meta = load_checkpoint(out / "checkpoint.npz")
    run_json = out / "run.json"
    old = read_json(run_json, ("model",), hint="; it records the run being resumed")
    changed = [f"{k} {old[k]!r} -> {manifest[k]!r}" for k in RESUME_FIELDS if k in old and old[k] != manifest[k]]
    if saved_model.name != manifest["model"]:
        changed.append(f"model {saved_model.name!r} (checkpoint) -> {manifest['model']!r}")
    if changed:
        raise ValueError(f"--resume with other arguments than {run_json} records ({'; '.join(changed)}): "
                         "repeat the original command with --resume, or choose another --out")
    if meta.get("threads") != numba.get_num_threads():
        print(f"warning: checkpoint written with {meta.get('threads')} threads, now "
              f"{numba.get_num_threads()}: the continuation is valid but not bitwise identical",
              file=sys.stderr)
    return state, saved_model


def _run(args) -> int:
    out: Path = args.out
    ckpt = out / "checkpoint.npz"
    if args.sample_every and args.log_block:
        raise ValueError("give at most one of --sample-every and --log-block")
    model = _model_of(args)
    if args.threads != "auto":
        numba.set_num_threads(args.threads)  # also the parts of the work (checkpoints record it)
    threads = ThreadChooser(numba.get_num_threads()) if args.threads == "auto" else args.threads
    manifest = _manifest(args, model)
    discard_temporaries(out)  # orphaned by a kill; we hold the folder's lock
    if args.resume:
        if not ckpt.exists():
            raise ValueError(f"cannot resume: {ckpt} does not exist (run without --resume to start)")
        state, model = _resume_state(out, manifest)
        if state.step > args.steps:
            raise ValueError(f"checkpoint is at step {state.step}, beyond --steps {args.steps}")
        truncate_outputs(out, state.step)
    else:
        if ckpt.exists():
            raise ValueError(f"{ckpt} exists; use --resume to continue it or choose another --out")
        state = initial_state(model, T=args.melt_T, seed=args.seed)
        if args.melt_steps:
            simulate(state, model, steps=args.melt_steps, ensemble=model.ensemble, T=args.melt_T,
                     progress=args.progress, threads=threads)
        state.step = 0
        # without a checkpoint, output here is the step-0 output of a start that was killed: replace it
        for name in ("thermo.csv", "traj.gsd"):
            (out / name).unlink(missing_ok=True)
        atomic_write(out / "run.json", json.dumps(manifest, indent=2) + "\n")
        Checkpointer(ckpt, 1)(state, model)  # from here on, --resume continues this run
    observers = [CSVThermo(out / "thermo.csv", args.thermo_every)]
    if args.sample_every:
        observers.append(GSDWriter(out / "traj.gsd", every=args.sample_every, mode="a"))
    elif args.log_block:
        observers.append(GSDWriter(out / "traj.gsd", steps=log_schedule(args.steps, args.log_block), mode="a"))
    # last: a checkpoint at step s must follow every output of step s, else a kill between the two
    # loses that output for good (the resume starts after s)
    observers.append(Checkpointer(ckpt, args.checkpoint_every))
    first_step = state.step
    simulate(state, model, steps=args.steps - state.step, T=args.T, observers=observers, progress=args.progress,
             threads=threads)
    Checkpointer(ckpt, 1)(state, model)
    if isinstance(threads, ThreadChooser):
        used = threads.steps_by_threads
    else:
        used = {threads: (0 if args.resume else args.melt_steps) + state.step - first_step}
    run_json = read_json(out / "run.json", ("model",))
    run_json["steps_by_threads"] = {str(k): v for k, v in used.items()}  # this session's (melt included)
    atomic_write(out / "run.json", json.dumps(run_json, indent=2) + "\n")
    print(f"done: {model.name} at step {state.step}, output in {out} (steps per thread count: "
          + ", ".join(f"{k}: {v}" for k, v in used.items()) + ")")
    return 0


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else [str(a) for a in argv]
    args = build_parser().parse_args(argv)
    args.argv = argv
    if args.command == "run":
        return run_command(args)
    if args.command == "campaign":
        raise SystemExit("error: the campaign command moved: use `python -m scaledyn.campaign "
                         + shlex.join(args.rest) + "` (same options)")
    return 2  # pragma: no cover


if __name__ == "__main__":
    sys.exit(main())
