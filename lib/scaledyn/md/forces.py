r"""The force kernel: forces, potential energy and virial of a flat pair list, shared between threads.

The potential is the parameter table's (:mod:`.potentials`): the loop below never names one. Sign
convention: the force on *i* from *j* is :math:`f_r\,(\mathbf r_i-\mathbf r_j)` with
:math:`f_r=-u'(r)/r`, and the pair's virial is :math:`\mathbf r_{ij}\cdot\mathbf F_{ij} = f_r r^2`.
"""

from typing import NamedTuple

import numpy as np
from numba import njit, prange

from .potentials import FASTMATH, block_energy, param_scratch


class ForceSum(NamedTuple):
    """Where a parallel force loop puts its results ("owner computes", :func:`partial_forces`).

    ``force[i]`` for the particles a thread owns; ``spill_j``/``spill_f``: forces on other threads'
    particles (at most one per pair, so as many slots as pairs); ``span[t] = (first slot, count)`` of
    thread t's spills.
    """

    force: np.ndarray    # (N, d)
    spill_j: np.ndarray  # (slots,) int32
    spill_f: np.ndarray  # (slots, d)
    span: np.ndarray     # (threads, 2) int64


#: pairs per block of the force loop: the block's scratch arrays (~10 kB) stay in L1
PAIR_BLOCK = 256


@njit(cache=True)
def owner_range(t, nt, n):
    """Particles ``[lo, hi)`` owned by thread ``t`` of ``nt``: the equal split that every per-particle
    loop of a step uses (force zeroing and accumulation, kicks, drift), so that each core keeps
    working on the same memory."""
    return t * n // nt, (t + 1) * n // nt


@njit(cache=True, fastmath=FASTMATH, error_model="numpy")
def _forces_pairs(dims, pair_range, own, params, pos, types, box, pairs, acc):
    # Pairs p0..p1-1 of the flat list in blocks: (1) gather separations (minimum image) and the type
    # pairs, (2) evaluate the potential over the block (vectorised), (3) scatter forces. One flat loop
    # per phase: no per-particle inner loop whose varying length the branch predictor would miss at
    # every row end (faster than looping over rows: benchmarks/README.md). Unsigned indices spare
    # Numba's negative-index wrap-around in the gathers.
    # Scatter: the thread owns every i (lo <= i < hi) and adds its force to ``acc.force`` in place; the
    # force on j goes the same way when the thread owns j too, else it is appended to the spill list
    # from slot p0 on (at most one spill per pair), for j's owner to add (:func:`add_spills`).
    # Returns U, W, min r^2 and the number of spills.
    p0, p1 = pair_range
    lo, hi = own
    f, spill_j, spill_f = acc.force, acc.spill_j, acc.spill_f
    d = len(dims)
    block = PAIR_BLOCK
    dx = np.empty((d, block))
    r2 = np.empty(block)
    fr = np.empty(block)
    ti = np.zeros(block, np.uint32)
    tj = np.zeros(block, np.uint32)
    scratch = param_scratch(params, block)
    typed = params.size > 1
    length = np.empty(d)
    inv = np.empty(d)
    for k in range(d):
        length[k] = box[k]
        inv[k] = 1.0 / box[k]
    span = hi - lo
    ns = p0
    e = 0.0
    w = 0.0
    r2min = np.inf
    for b0 in range(p0, p1, block):
        nb = min(block, p1 - b0)
        for q in range(nb):
            i = np.uint32(pairs[0, b0 + q])
            j = np.uint32(pairs[1, b0 + q])
            rr = 0.0
            for k in range(d):
                x = pos[i, k] - pos[j, k]
                x -= length[k] * np.rint(x * inv[k])
                dx[k, q] = x
                rr += x * x
            r2[q] = rr
            r2min = min(r2min, rr)
            if typed:
                ti[q] = np.uint32(types[i])
                tj[q] = np.uint32(types[j])
        eb, wb = block_energy(r2, params, ti, tj, scratch, fr, nb)
        e += eb
        w += wb
        for q in range(nb):
            i = np.uint32(pairs[0, b0 + q])
            j = np.uint32(pairs[1, b0 + q])
            for k in range(d):  # i is owned: the thread's pairs are those whose first particle it owns
                f[i, k] += fr[q] * dx[k, q]
            if 0 <= j - lo < span:  # false only for pairs that straddle two threads' slabs
                for k in range(d):
                    f[j, k] -= fr[q] * dx[k, q]
            else:
                spill_j[ns] = j
                for k in range(d):
                    spill_f[ns, k] = -fr[q] * dx[k, q]
                ns += 1
    return e, w, r2min, ns - p0


@njit(cache=True, fastmath=FASTMATH, error_model="numpy")
def forces_energy_virial(dims, nt, params, pos, types, box, pairs, npair, forces):
    """Forces (written into ``forces``), potential energy U, virial W and min pair r^2.

    ``params`` is the potential's parameter table (module docstring). ``dims`` is a length-d tuple
    whose *type* fixes the dimension at compile time, so the loops over Cartesian components are
    unrolled. ``pairs[:, :npair]`` is the flat half list (each pair ``(i, j)`` once, sorted by ``i``
    as :func:`.neighbour_list.build` writes it; ValueError otherwise). Periodic minimum image in a
    rectangular box. The virial is :math:`W=\\sum_{pairs} \\mathbf r_{ij}\\cdot\\mathbf F_{ij}`, so
    the configurational pressure is :math:`W/(dV)`.

    Work is shared between ``nt`` threads as in :func:`partial_forces` ("owner computes"), then the
    spilled forces are added by their owners (:func:`add_spills`). Callers pass
    ``nt = numba.get_num_threads()`` read at every call: a fixed count would silently pin the loop to
    fewer threads. (Calling ``get_num_threads`` inside the kernel would work too, but makes Numba
    refuse to cache it.)
    """
    for p in range(1, npair):
        if pairs[0, p] < pairs[0, p - 1]:
            raise ValueError("forces_energy_virial: pairs must be sorted by their first particle")
    acc = ForceSum(forces, np.empty(npair, np.int32), np.empty((npair, len(dims))), np.zeros((nt, 2), np.int64))
    u, w, r2min = partial_forces(dims, nt, params, pos, types, box, pairs, npair, acc)
    add_spills(acc)
    return u, w, r2min


# inline="always": Numba pastes the body into the kick's parallel loop instead of calling it, and the
# call's reference counting of its array arguments (atomic operations on counters both threads
# share) disappears (timings in benchmarks/README.md). The force loop's body, tried the same way,
# got slower: it stays a call. Helpers called inside a parallel loop take plain arrays, not records:
# a record handed into the loop body slowed it down (benchmarks/README.md).
@njit(inline="always")
def collect_spills(lo, hi, forces, spill_j, spill_f, span):
    """Add the spilled forces on particles ``lo..hi-1`` into ``forces``, in thread then slot order
    (deterministic: the same sums whatever the timing). Called by the owner of that range; the
    arrays are those of a :class:`ForceSum`."""
    for u in range(span.shape[0]):
        s0 = span[u, 0]
        for ss in range(span[u, 1]):
            s = s0 + ss
            i = np.int64(spill_j[s])
            if lo <= i < hi:
                for k in range(forces.shape[1]):
                    forces[i, k] += spill_f[s, k]


@njit(parallel=True, cache=True)
def add_spills(acc):
    """Complete the forces of :func:`partial_forces`: each owner adds the spills aimed at its
    particles (:func:`collect_spills`)."""
    forces, spill_j, spill_f, span = acc
    nt = span.shape[0]
    n = forces.shape[0]
    for t in prange(nt):
        lo, hi = owner_range(t, nt, n)
        collect_spills(lo, hi, forces, spill_j, spill_f, span)


@njit(parallel=True, cache=True, fastmath=FASTMATH, error_model="numpy")
def partial_forces(dims, nt, params, pos, types, box, pairs, npair, acc):
    """The force loop of :func:`forces_energy_virial` without the final spill pass ("owner computes").

    Thread t owns the particles :func:`owner_range` ``(t, nt, N)`` and takes the pairs whose first
    particle it owns (found by bisection: ``pairs[0, :npair]`` must be sorted, as the list build
    writes it). It zeroes and accumulates its own particles' forces in ``acc.force`` in place; a force
    on another thread's particle goes to the spill list (:class:`ForceSum`), slots from the thread's
    first pair on. Particles are sorted by cell at every list build, so each thread owns a slab of
    space and only pairs straddling two slabs spill; the force array stays in its owner's cache.
    The integrator adds the spills in its next pass over the particles (:func:`.integrators.kick`).
    Returns U, W and the min pair r^2.
    """
    forces = acc.force
    span = acc.span
    n = pos.shape[0]
    split = np.empty(nt + 1, np.int64)
    split[0] = 0
    for t in range(1, nt):
        lo, _ = owner_range(t, nt, n)
        split[t] = np.searchsorted(pairs[0, :npair], lo)
    split[nt] = npair
    e_t = np.zeros(nt)
    w_t = np.zeros(nt)
    r2min_t = np.full(nt, np.inf)
    for t in prange(nt):
        lo, hi = owner_range(t, nt, n)
        forces[lo:hi] = 0.0
        span[t, 0] = split[t]
        e_t[t], w_t[t], r2min_t[t], span[t, 1] = _forces_pairs(
            dims, (split[t], split[t + 1]), (lo, hi), params, pos, types, box, pairs, acc)
    return e_t.sum(), w_t.sum(), r2min_t.min()
