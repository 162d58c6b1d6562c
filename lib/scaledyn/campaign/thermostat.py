r"""Does the thermostat change τα? A finished state point rerun without one (NVE) and compared.

The campaigns couple every state point to a Berendsen thermostat (time constant ``tau_T``; binary3d
also to a Berendsen barostat). Berendsen rescaling is weak and global, but it does not generate the
canonical ensemble and it perturbs every trajectory a little; a reader may ask whether the measured
structural relaxation time τα depends on it. :func:`thermostat_check` answers at one state point:

1. start from the state at the end of that point's production (``WORKDIR/T…/prod/checkpoint.npz``,
   already equilibrated at T, at its last volume for the NPT model);
2. run the same number of steps at constant N, V, E (velocity Verlet only), writing frames on the same
   log-spaced block schedule (:func:`~scaledyn.md.run.log_schedule`) and thermo rows, checkpointed and
   resumable (scratch in ``WORKDIR/T…/nve/run/``);
3. measure :math:`F_s(k,t)` and τα exactly as the campaign does (same k, particles, origins, lags),
   and compare with the thermostatted value:
   :math:`z = (\tau_\mathrm{NVE} - \tau_\mathrm{B})/\sqrt{\sigma_\mathrm{NVE}^2 + \sigma_\mathrm{B}^2}`,
   agreement within :data:`~.jobs.AGREEMENT_SIGMA`.

The NVE run's mean kinetic temperature, its total-energy drift (first against last tenth of the
run, per particle, in ε) and the standard deviation of the total energy per particle (a
thermostat would make it of order T·√(c_v/N)) are recorded too: they say at which T the NVE τα was measured and that the
integration conserved energy. The result is written atomically to ``OUT/T…/thermostat.json``.

Units: reduced (ε, σ, m, τ = σ√(m/ε), k_B = 1).
"""

from __future__ import annotations

import argparse
import math
from pathlib import Path

import numpy as np

from .._checks import read_json as _read_json
from ..md.run import Checkpointer, log_schedule, simulate
from ..md.trajectory import CSVThermo, GSDWriter, read_unwrapped
from .jobs import AGREEMENT_SIGMA, agree, block_fs
from .settings import DEFAULT_K
from .store import (CampaignError, PointLock, atomic_write, code_version, fresh_folder, load_point_checkpoint,
                    now, read_json, to_json, truncate_point)

__all__ = ["thermostat_check", "read_thermostat_check", "RESULT_FILE"]

RESULT_FILE = "thermostat.json"
_KEYS = ("model", "T", "tau_nve", "tau_nve_err", "tau_thermostat", "tau_thermostat_err", "z", "agree")


def _energy_drift(rows) -> float:
    """Total energy per particle: mean of the last tenth of the run minus that of the first tenth."""
    e = np.asarray(rows["E"], float)
    m = max(1, e.size // 10)
    return float(np.mean(e[-m:]) - np.mean(e[:m]))


def thermostat_check(out_point, work_point, *, threads: int = 1, step_budget: int | None = None,
                     log=print) -> dict | None:
    """Rerun the finished state point ``out_point`` (``OUT/T…``, with its ``summary.json``) at constant
    energy from the end of its production in ``work_point`` (``WORKDIR/T…``) and compare τα; see the
    module doc. Resumes from ``work_point/nve/run/checkpoint.npz``; ``step_budget`` caps the MD steps
    of this call (None: no cap). Returns the dict written to ``out_point/thermostat.json``, or None
    if the budget ran out first (call again to continue).

    Raises ``FileNotFoundError`` naming the missing summary or production checkpoint, and
    ``CampaignError`` if that production has not reached its final target.
    """
    out_point, work_point = Path(out_point), Path(work_point)
    summary_path = out_point / "summary.json"
    if not summary_path.exists():
        raise FileNotFoundError(f"{summary_path}: the state point has not finished (no summary)")
    summary = read_json(summary_path, ("model", "T", "tau_alpha", "k"))
    ck_prod = work_point / "prod" / "checkpoint.npz"
    if not ck_prod.exists():
        raise FileNotFoundError(f"{ck_prod}: no production checkpoint to start the NVE run from")
    if step_budget is not None and (isinstance(step_budget, bool) or int(step_budget) != step_budget
                                    or step_budget < 0):
        raise ValueError(f"step_budget must be a non-negative integer or None, got {step_budget!r}")
    lock = work_point / "nve"
    nve = lock / "run"          # replaced wholesale by a fresh start; the lock lives one level up
    lock.mkdir(exist_ok=True)
    with PointLock(lock):
        if (nve / "checkpoint.npz").exists():
            state, model, meta = load_point_checkpoint(nve / "checkpoint.npz")
            plan = meta["extra"]
            truncate_point(nve, state.step)
        else:
            state, model, meta = load_point_checkpoint(ck_prod)
            plan = meta["extra"]
            if state.step < plan["target"]:
                raise CampaignError(f"{ck_prod}: production stopped at step {state.step} of {plan['target']}")
            fresh_folder(nve)
            state.step = 0
        target, block = plan["target"], plan["block"]
        every = max(1, min(20_000, target // 20))
        observers = [CSVThermo(nve / "thermo.csv", 100),
                     GSDWriter(nve / "traj.gsd", steps=log_schedule(target, block), mode="a"),
                     Checkpointer(nve / "checkpoint.npz", every, plan)]
        log(f"{out_point.name}: NVE from step {state.step} to {target}")
        n = target - state.step if step_budget is None else min(target - state.step, int(step_budget))
        simulate(state, model, steps=n, ensemble="nve", progress=False, threads=threads, observers=observers)
        Checkpointer(nve / "checkpoint.npz", 1, plan)(state, model)
        if state.step < target:
            return None
        steps, pos, _ = read_unwrapped(nve / "traj.gsd")
        sel_type = DEFAULT_K[summary["model"]][1]
        types = state.by_tag(state.types)
        select = None if sel_type is None else types == sel_type
        fs = block_fs(steps, pos, model.dt, block, float(summary["k"]), select)
        tau, tau_err = fs.tau_alpha()
        rows = np.genfromtxt(nve / "thermo.csv", delimiter=",", names=True)
    tb, tb_err = summary["tau_alpha"]["value"], summary["tau_alpha"]["err"]
    sig = math.hypot(tau_err, tb_err)
    result = {
        "model": summary["model"], "T": summary["T"], "ensemble_compared": f"nve vs {summary.get('ensemble', '?')}",
        "tau_nve": tau, "tau_nve_err": tau_err, "tau_thermostat": tb, "tau_thermostat_err": tb_err,
        "z": (tau - tb) / sig if sig > 0 else None, "agree": agree(tau, tau_err, tb, tb_err),
        "n_sigma": AGREEMENT_SIGMA, "steps": target, "dt": model.dt,
        "T_kinetic_nve": float(np.mean(rows["T"])), "T_kinetic_nve_std": float(np.std(rows["T"])),
        "energy_drift_per_particle": _energy_drift(rows),
        "energy_std_per_particle": float(np.std(rows["E"])), "E_per_particle": float(np.mean(rows["E"])),
        "code": code_version(), "finished": now(),
    }
    atomic_write(out_point / RESULT_FILE, to_json(result))
    log(f"{out_point.name}: tau NVE {tau:.4g} ± {tau_err:.2g}, thermostat {tb:.4g} ± {tb_err:.2g}")
    return result


def read_thermostat_check(out_point) -> dict | None:
    """The :func:`thermostat_check` result of ``out_point``, or None if it has not been run there.
    ``ValueError`` names a damaged file."""
    path = Path(out_point) / RESULT_FILE
    return _read_json(path, _KEYS) if path.exists() else None


def main(argv=None) -> None:
    p = argparse.ArgumentParser(prog="python -m scaledyn.campaign.thermostat", description=__doc__.split("\n")[0])
    p.add_argument("out_point", type=Path, help="finished state point folder OUT/T<T> (with summary.json)")
    p.add_argument("work_point", type=Path, help="its scratch folder WORKDIR/T<T> (with prod/checkpoint.npz)")
    p.add_argument("--threads", type=int, default=1)
    args = p.parse_args(argv)
    if args.threads < 1:
        raise SystemExit(f"error: --threads must be >= 1, got {args.threads}")
    try:
        thermostat_check(args.out_point, args.work_point, threads=args.threads)
    except (FileNotFoundError, CampaignError, ValueError) as exc:
        raise SystemExit(f"error: {exc}") from exc


if __name__ == "__main__":
    main()
