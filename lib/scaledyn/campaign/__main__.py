"""Command line: ``python -m scaledyn.campaign MODEL [options]`` runs a temperature ladder of
resumable state-point jobs into ``--out`` (summaries + manifest); see :mod:`scaledyn.campaign`.

Exit status: 0 when every point is done, 1 if a point failed (its error is in the manifest),
3 if a ``--step-budget`` left points incomplete (rerun the same command to continue), 2 for bad
arguments.
"""

from __future__ import annotations

import argparse
import shlex
import sys
from pathlib import Path

from .._checks import positive_arg as _positive
from ..md._threads import threads_arg
from ..md.models import MODEL_NAMES
from . import settings as cs
from .jobs import reanalyse
from .runner import run_campaign
from .store import CampaignError


def build_parser() -> argparse.ArgumentParser:
    c = argparse.ArgumentParser(prog="python -m scaledyn.campaign", description=__doc__.splitlines()[0])
    c.add_argument("model", choices=MODEL_NAMES)
    c.add_argument("--out", type=Path, default=None, help="summaries + manifest (default data/md/<model>)")
    c.add_argument("--workdir", type=Path, default=None, help="checkpoints, trajectories (default runs/<model>)")
    c.add_argument("--T", type=_positive(float), nargs="+", default=None, help="ladder (default: the model's)")
    c.add_argument("--n", type=_positive(int), default=None, help="particles (default 4096; 256 with --quick)")
    c.add_argument("--density", type=_positive(float), default=None, help="number density (NVT models)")
    c.add_argument("--pressure", type=_positive(float), default=None, help="pressure (NPT models)")
    c.add_argument("--k", type=_positive(float), default=None, help="F_s wave number (sigma^-1)")
    c.add_argument("--seed", type=int, default=None, help="base seed (a replica: another seed and --out)")
    for name, help_ in (("equil-tau", "equilibration length in estimated tau_alpha"),
                        ("prod-tau", "production length in tau_alpha"),
                        ("min-tau", "extend production until it covers this many measured tau_alpha"),
                        ("block-tau", "log-sampling block length in estimated tau_alpha"),
                        ("min-equil-time", "shortest equilibration (tau)"),
                        ("min-prod-time", "shortest production (tau)")):
        c.add_argument(f"--{name}", type=_positive(float), default=None, help=help_)
    c.add_argument("--tau-anchors", type=_positive(float), nargs="+", default=None, metavar="T TAU",
                   help="measured (T, tau_alpha) pairs for the run-length estimate at this state point")
    c.add_argument("--species-frames", type=_positive(int), default=None,
                   help="evenly spaced snapshots for the species counts")
    c.add_argument("--workers", type=int, default=None, help="pool processes (0: in this process)")
    c.add_argument("--threads", type=threads_arg, default="auto",
                   help="Numba threads per job, or 'auto' (default: one worker per core, each job choosing "
                        "1..cores threads as it runs)")
    c.add_argument("--scheduler", default=None, help="Dask scheduler address (needs dask.distributed)")
    c.add_argument("--step-budget", type=int, default=None, help="stop each job after this many steps")
    c.add_argument("--quick", action="store_true", help="tiny end-to-end check (N=256, 2 temperatures)")
    c.add_argument("--reanalyse", action="store_true",
                   help="recompute the summaries of finished points from their trajectories (no MD)")
    return c


def settings_from(args) -> cs.Settings:
    """The :class:`~.settings.Settings` the parsed arguments ask for."""
    if args.tau_anchors is not None and len(args.tau_anchors) % 2:
        raise ValueError("--tau-anchors takes pairs: T1 TAU1 T2 TAU2 ...")
    anchors = None if args.tau_anchors is None else tuple(zip(args.tau_anchors[::2], args.tau_anchors[1::2]))
    given = {"temperatures": args.T, "n": args.n, "k": args.k, "seed": args.seed, "equil_tau": args.equil_tau,
             "prod_tau": args.prod_tau, "min_tau": args.min_tau, "block_tau": args.block_tau,
             "min_equil_time": args.min_equil_time, "min_prod_time": args.min_prod_time,
             "density": args.density, "pressure": args.pressure, "tau_anchors": anchors,
             "species_frames": args.species_frames}
    given = {k: (tuple(v) if k == "temperatures" else v) for k, v in given.items() if v is not None}
    if args.quick:
        return cs.quick_settings(args.model, **given)
    return cs.Settings(**{"model": args.model, "temperatures": cs.DEFAULT_LADDERS[args.model], **given})


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else [str(a) for a in argv]
    args = build_parser().parse_args(argv)
    if args.workers is not None and args.workers < 0:
        raise SystemExit(f"error: --workers must be >= 0, got {args.workers}")
    if args.step_budget is not None and args.step_budget < 0:
        raise SystemExit(f"error: --step-budget must be >= 0, got {args.step_budget}")
    out = args.out or Path("data/md") / args.model
    try:
        settings = settings_from(args)
        if args.reanalyse:
            done = reanalyse(settings, out, args.workdir)
            print(f"campaign {args.model}: reanalysed {len(done)}")
            return 0
        report = run_campaign(settings, out, args.workdir, workers=args.workers, threads=args.threads,
                              scheduler=args.scheduler, step_budget=args.step_budget,
                              command="python -m scaledyn.campaign " + shlex.join(argv))
    except (ValueError, TypeError, CampaignError) as exc:
        raise SystemExit(f"error: {exc}") from None
    except OSError as exc:  # an unwritable or full disk, --out a file, ...
        raise SystemExit(f"error: cannot write the campaign ({exc})") from None
    print(f"campaign {args.model}: " + ", ".join(f"{k} {len(v)}" for k, v in report.items()))
    return 1 if report["failed"] else 3 if report["incomplete"] else 0


if __name__ == "__main__":
    sys.exit(main())
