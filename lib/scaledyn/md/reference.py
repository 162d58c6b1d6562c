"""Slow, obvious NumPy references of the Numba kernels (for the tests and for reading).

Every function here does the same physics as a kernel in :mod:`.potentials`, :mod:`.neighbour_list` or
:mod:`.integrators`, written for clarity: all pairs, dense arrays, no neighbour list.
"""

import numpy as np


def _mie86_u(p, r):
    sr2 = p["sigma2"] / r**2
    return p["eps"] * (sr2**4 - sr2**3 + p["shift"])


def _mie86_du(p, r):
    s = np.sqrt(p["sigma2"]) / r
    return p["eps"] * (-8 * s**8 + 6 * s**6) / r


def _hump_u(p, r):
    sr2 = p["sigma2"] / r**2
    lj = p["eps"] * (sr2**6 - sr2**3 + 0.25 + p["h0"])
    x = (r - p["r0"]) * p["inv_width"]
    poly = sum(p[f"a{k}"] * x**k for k in range(8))
    return np.where(r <= p["r0"], lj, p["eps"] * p["h0"] * poly)


def _hump_du(p, r):
    s = np.sqrt(p["sigma2"]) / r
    x = (r - p["r0"]) * p["inv_width"]
    dpoly = sum(k * p[f"a{k}"] * x ** (k - 1) for k in range(1, 8))
    return np.where(r <= p["r0"], p["eps"] * (-12 * s**12 + 6 * s**6) / r,
                    p["eps"] * p["h0"] * dpoly * p["inv_width"])


#: U(r) and U'(r) of each potential, written independently of the kernels' pair functions
_REFERENCE = {"mie86": (_mie86_u, _mie86_du), "hump": (_hump_u, _hump_du)}


def _reference(potential: str):
    if potential not in _REFERENCE:
        raise ValueError(f"no NumPy reference for potential {potential!r}; known: {sorted(_REFERENCE)}")
    return _REFERENCE[potential]


def pair_energy(potential: str, params: np.ndarray, ti, tj, r) -> np.ndarray:
    """U(r) of Eq. (1) (``"mie86"``) or Eq. (3) (``"hump"``), vectorised over r (0 beyond the cutoff)."""
    r = np.asarray(r, dtype=np.float64)
    p = np.broadcast_to(params[ti, tj], r.shape)
    return np.where(r**2 < p["rc2"], _reference(potential)[0](p, r), 0.0)


def pair_force_over_r(potential: str, params, ti, tj, r, h: float = 1e-6) -> np.ndarray:
    """:math:`-U'(r)/r` by a central finite difference of :func:`pair_energy` (independent check)."""
    du = (pair_energy(potential, params, ti, tj, r + h) - pair_energy(potential, params, ti, tj, r - h)) / (2 * h)
    return -du / r


def energy(potential: str, params, pos, types, box) -> float:
    """Total potential energy by a double loop over all pairs (minimum image)."""
    pos = np.asarray(pos, dtype=np.float64)
    box = np.asarray(box, dtype=np.float64)
    i, j = np.triu_indices(len(pos), 1)
    dx = pos[i] - pos[j]
    dx -= box * np.rint(dx / box)
    r = np.sqrt((dx**2).sum(1))
    return float(pair_energy(potential, params, types[i], types[j], r).sum())


def energy_forces_virial(potential: str, params, pos, types, box) -> tuple[float, np.ndarray, float]:
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
    inside = r**2 < p["rc2"]
    u = pair_energy(potential, params, ti, tj, r)
    du = _reference(potential)[1](p, r)
    fr = np.where(inside, -du / r, 0.0)
    fij = fr[:, None] * dx
    forces = np.zeros_like(pos)
    np.add.at(forces, i, fij)
    np.add.at(forces, j, -fij)
    return float(u.sum()), forces, float((fr * r**2).sum())


def velocity_verlet_step(potential, params, pos, vel, force, types, masses, box, dt):
    """One NVE velocity-Verlet step with all-pairs forces; returns new (pos, vel, force, U)."""
    m = np.asarray(masses)[types][:, None]
    vel = vel + 0.5 * dt * force / m
    pos = pos + dt * vel
    u, force, _ = energy_forces_virial(potential, params, pos, types, box)
    vel = vel + 0.5 * dt * force / m
    return pos, vel, force, u
