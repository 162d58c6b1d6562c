"""Slow, obvious NumPy references of the Numba kernels (for the tests and for reading).

Every function here does the same physics as a kernel in :mod:`.potentials`, :mod:`.neighbour_list` or
:mod:`.integrators`, written for clarity: all pairs, dense arrays, no neighbour list.
"""

import numpy as np

from .potentials import HUMP, MIE86


def pair_energy(kind: int, params: np.ndarray, ti, tj, r) -> np.ndarray:
    """U(r) of Eq. (1) (``MIE86``) or Eq. (3) (``HUMP``), vectorised over r (0 beyond the cutoff)."""
    p = params[ti, tj]
    r = np.asarray(r, dtype=np.float64)
    p = np.broadcast_to(p, r.shape + (p.shape[-1],)) if p.ndim == 1 else p
    eps, s2, rc2 = p[..., 0], p[..., 1], p[..., 2]
    if kind == MIE86:
        sr2 = s2 / r**2
        u = eps * (sr2**4 - sr2**3 + p[..., 3])
    elif kind == HUMP:
        r0, rstar, h0 = p[..., 3], p[..., 5], p[..., 6]
        sr2 = s2 / r**2
        lj = eps * (sr2**6 - sr2**3 + 0.25 + h0)
        x = (r - r0) / (rstar - r0)
        poly = sum(p[..., 7 + k] * x**k for k in range(8))
        u = np.where(r <= r0, lj, eps * h0 * poly)
    else:
        raise ValueError(f"unknown potential kind {kind}")
    return np.where(r**2 < rc2, u, 0.0)


def pair_force_over_r(kind: int, params, ti, tj, r, h: float = 1e-6) -> np.ndarray:
    """:math:`-U'(r)/r` by a central finite difference of :func:`pair_energy` (independent check)."""
    du = (pair_energy(kind, params, ti, tj, r + h) - pair_energy(kind, params, ti, tj, r - h)) / (2 * h)
    return -du / r


def energy(kind: int, params, pos, types, box) -> float:
    """Total potential energy by a double loop over all pairs (minimum image)."""
    pos = np.asarray(pos, dtype=np.float64)
    box = np.asarray(box, dtype=np.float64)
    i, j = np.triu_indices(len(pos), 1)
    dx = pos[i] - pos[j]
    dx -= box * np.rint(dx / box)
    r = np.sqrt((dx**2).sum(1))
    return float(pair_energy(kind, params, types[i], types[j], r).sum())


def energy_forces_virial(kind: int, params, pos, types, box) -> tuple[float, np.ndarray, float]:
    """U, forces and virial W = sum_pairs r_ij . F_ij, all pairs, forces from the analytic f_r.

    ``f_r`` comes from the same closed forms as the kernel but written independently here.
    """
    pos = np.asarray(pos, dtype=np.float64)
    box = np.asarray(box, dtype=np.float64)
    n = len(pos)
    i, j = np.triu_indices(n, 1)
    dx = pos[i] - pos[j]
    dx -= box * np.rint(dx / box)
    r = np.sqrt((dx**2).sum(1))
    ti, tj = types[i], types[j]
    p = params[ti, tj]
    inside = r**2 < p[:, 2]
    u = pair_energy(kind, params, ti, tj, r)
    if kind == MIE86:
        s = np.sqrt(p[:, 1]) / r
        du = p[:, 0] * (-8 * s**8 + 6 * s**6) / r
    else:
        s = np.sqrt(p[:, 1]) / r
        r0, rstar, h0 = p[:, 3], p[:, 5], p[:, 6]
        x = (r - r0) / (rstar - r0)
        dpoly = sum(k * p[:, 7 + k] * x ** (k - 1) for k in range(1, 8))
        du = np.where(r <= r0, p[:, 0] * (-12 * s**12 + 6 * s**6) / r, p[:, 0] * h0 * dpoly / (rstar - r0))
    fr = np.where(inside, -du / r, 0.0)
    fij = fr[:, None] * dx
    forces = np.zeros_like(pos)
    np.add.at(forces, i, fij)
    np.add.at(forces, j, -fij)
    return float(u.sum()), forces, float((fr * r**2).sum())


def velocity_verlet_step(kind, params, pos, vel, force, types, masses, box, dt):
    """One NVE velocity-Verlet step with all-pairs forces; returns new (pos, vel, force, U)."""
    m = np.asarray(masses)[types][:, None]
    vel = vel + 0.5 * dt * force / m
    pos = pos + dt * vel
    u, force, _ = energy_forces_virial(kind, params, pos, types, box)
    vel = vel + 0.5 * dt * force / m
    return pos, vel, force, u
