r"""Neighbour counts with periodic boundaries: a Numba cell list and a brute-force NumPy reference.

Particle j ≠ i is a neighbour of i when its minimum-image distance is strictly below the cutoff of
the pair of types, :math:`|\mathbf r_{ij}| < r_c(t_i, t_j)`. Boxes are orthorhombic (2D or 3D) with
side lengths ``box`` (σ); positions may be unwrapped (they are folded into the box here).

The minimum-image convention needs every cutoff ≤ L/2 in every direction, otherwise a particle could
be a neighbour through two images; such boxes are rejected. The cell list uses
⌊L/r_max⌋ cells per direction and visits each *distinct* neighbouring cell once, so boxes with only
one or two cells per direction (small boxes) are handled exactly.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from .._checks import float_array, int_array

__all__ = ["count_neighbours", "count_neighbours_bruteforce", "periodic_pairs"]


@njit(cache=True)
def _neighbour_cells(c, n):
    """Distinct cells c−1, c, c+1 (periodic) among n cells per direction."""
    if n == 1:
        out = np.empty(1, dtype=np.int64)
        out[0] = 0
        return out
    if n == 2:
        out = np.empty(2, dtype=np.int64)
        out[0] = 0
        out[1] = 1
        return out
    out = np.empty(3, dtype=np.int64)
    out[0] = (c - 1) % n
    out[1] = c
    out[2] = (c + 1) % n
    return out


@njit(cache=True)
def _count_cell_list(pos, box, types, rc2, ncell):
    """Counts per particle; ``pos`` (N, 3) folded into [0, box), ``ncell`` (3,) cells per direction."""
    n = pos.shape[0]
    ncx, ncy, ncz = ncell[0], ncell[1], ncell[2]
    cell = np.empty(n, dtype=np.int64)
    cidx = np.empty((n, 3), dtype=np.int64)
    head = -np.ones(ncx * ncy * ncz, dtype=np.int64)
    nxt = -np.ones(n, dtype=np.int64)
    for i in range(n):
        for d in range(3):
            c = int(pos[i, d] / box[d] * ncell[d])
            if c >= ncell[d]:
                c = ncell[d] - 1
            if c < 0:
                c = 0
            cidx[i, d] = c
        cell[i] = (cidx[i, 0] * ncy + cidx[i, 1]) * ncz + cidx[i, 2]
        nxt[i] = head[cell[i]]
        head[cell[i]] = i
    counts = np.zeros(n, dtype=np.int64)
    for i in range(n):
        for cx in _neighbour_cells(cidx[i, 0], ncx):
            for cy in _neighbour_cells(cidx[i, 1], ncy):
                for cz in _neighbour_cells(cidx[i, 2], ncz):
                    j = head[(cx * ncy + cy) * ncz + cz]
                    while j >= 0:
                        if j != i:
                            r2 = 0.0
                            for d in range(3):
                                dx = pos[j, d] - pos[i, d]
                                dx -= box[d] * np.round(dx / box[d])
                                r2 += dx * dx
                            if r2 < rc2[types[i], types[j]]:
                                counts[i] += 1
                        j = nxt[j]
    return counts


def _prepare(positions, box, types, cutoff):
    """Validate and return (pos (N,dim) folded, box (dim,), types (N,), cutoff matrix)."""
    pos = float_array(positions, "positions", ndim=2)
    dim = pos.shape[1]
    if dim not in (2, 3):
        raise ValueError(f"positions must have 2 or 3 columns, got {dim}")
    box = float_array(box, "box", ndim=1, positive=True)
    if box.size != dim:
        raise ValueError(f"box must have {dim} side lengths, got {box.size}")
    n = pos.shape[0]
    if types is None:
        types = np.zeros(n, dtype=np.int64)
    else:
        types = int_array(types, "types")
        if types.size != n:
            raise ValueError(f"types must have length {n}, got {types.size}")
        if types.min() < 0:
            raise ValueError("types must be >= 0")
    rc = np.atleast_2d(float_array(cutoff, "cutoff", positive=True))
    if rc.shape == (1, 1):
        rc = np.full((types.max() + 1,) * 2, rc[0, 0])
    if rc.ndim != 2 or rc.shape[0] != rc.shape[1] or not np.allclose(rc, rc.T):
        raise ValueError(f"cutoff must be a scalar or a symmetric square matrix, got shape {rc.shape}")
    if types.max() >= rc.shape[0]:
        raise ValueError(f"types must be < {rc.shape[0]} (size of the cutoff matrix)")
    if rc.max() > 0.5 * box.min():
        raise ValueError(f"cutoff {rc.max():.4g} exceeds half the smallest box side {0.5 * box.min():.4g}"
                         " (minimum image would be ambiguous)")
    pos = pos - box * np.floor(pos / box)
    return pos, box, types, rc


def count_neighbours(positions, box, types=None, cutoff=1.0) -> np.ndarray:
    """Number of neighbours of each particle (Numba cell list, O(N)).

    Parameters
    ----------
    positions : (N, dim) coordinates in σ, dim = 2 or 3 (unwrapped allowed).
    box : (dim,) orthorhombic box side lengths in σ.
    types : (N,) integer types 0…n_types−1 (default: all 0).
    cutoff : scalar or (n_types, n_types) symmetric matrix of cutoffs r_c(t_i, t_j) in σ.

    Returns
    -------
    (N,) int64 array of counts.
    """
    pos, box, types, rc = _prepare(positions, box, types, cutoff)
    dim = pos.shape[1]
    ncell = np.maximum(np.floor(box / rc.max()).astype(np.int64), 1)
    if dim == 2:
        pos = np.column_stack([pos, np.zeros(pos.shape[0])])
        box = np.append(box, 1.0)
        ncell = np.append(ncell, 1)
    return _count_cell_list(np.ascontiguousarray(pos), box, types, rc**2, ncell.astype(np.int64))


def count_neighbours_bruteforce(positions, box, types=None, cutoff=1.0) -> np.ndarray:
    """Slow O(N²) NumPy reference of :func:`count_neighbours` (same arguments and result)."""
    pos, box, types, rc = _prepare(positions, box, types, cutoff)
    d = pos[None, :, :] - pos[:, None, :]
    d -= box * np.round(d / box)
    r2 = np.sum(d * d, axis=-1)
    np.fill_diagonal(r2, np.inf)
    return np.sum(r2 < rc[types[:, None], types[None, :]] ** 2, axis=1).astype(np.int64)


def periodic_pairs(positions, box, cutoff: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Pairs closer than ``cutoff`` under minimum image: ``(i, j, dx)`` with ``dx = r_j − r_i`` (σ).

    ``positions`` (N, d) may be unwrapped; ``box`` (d,) in σ. Each unordered pair appears once (the
    order of :meth:`scipy.spatial.cKDTree.query_pairs` on the folded positions). Callers check that
    ``cutoff`` is below half the smallest box side.
    """
    from scipy.spatial import cKDTree

    wrapped = np.mod(positions, box)
    wrapped[wrapped >= box] = 0.0                                   # np.mod may round up to the box
    pairs = cKDTree(wrapped, boxsize=box).query_pairs(cutoff, output_type="ndarray")
    i, j = pairs[:, 0], pairs[:, 1]
    dx = wrapped[j] - wrapped[i]
    dx -= box * np.rint(dx / box)
    return i, j, dx
