r"""Pair potentials of the two glass formers, and the one kernel that turns them into forces.

Reduced units throughout: energy :math:`\varepsilon`, length :math:`\sigma` (:math:`\sigma_{ss}` for
the binary mixture), mass :math:`m`, time :math:`\tau=\sigma\sqrt{m/\varepsilon}`; pressure
:math:`\varepsilon/\sigma^d`.

A potential is *data*: an integer ``kind`` and a table ``params[ti, tj, :]`` of float64 coefficients
for each pair of particle types (the jax-md / atooms idea of species x species parameter arrays).
:func:`mie86_block` and :func:`hump_block` evaluate a potential over a block of pairs;
:func:`forces_energy_virial` loops over a flat half list of pairs and returns forces, the potential
energy and the virial in one pass.

Binary 8-6 mixture (``kind = MIE86``, the 3D model of Boue et al., arXiv:0905.3962, Eq. 1)
    .. math:: U(r) = \varepsilon_{ij}\left[(\sigma_{ij}/r)^8 - (\sigma_{ij}/r)^6 + a_0\right],
              \quad r \le r_c = \sqrt{8/6}\,\sigma_{ij},

    and 0 beyond; :math:`a_0 = 27/256` makes :math:`U(r_c) = 0`, and since :math:`r_c` is the
    minimum of the 8-6 form also :math:`U'(r_c) = 0`: the potential is purely repulsive.
    ``params[ti, tj] = [eps, sigma^2, rc^2, a0, ...]``.

Hump model (``kind = HUMP``, the 2D model, Eq. 3 and Table I)
    .. math:: U(r) = \varepsilon\left[(\sigma/r)^{12} - (\sigma/r)^6 + \tfrac14 + h_0\right],
              \ r\le r_0;\qquad
              U(r) = \varepsilon h_0 P\!\left(\frac{r-r_0}{r_\star-r_0}\right),\ r_0<r\le r_\star,

    with :math:`P(x)=\sum_{i=0}^7 a_i x^i`. We use :math:`r_0 = 2^{1/6}\sigma` exactly, as the
    paper's text says: it is the minimum of the 12-6 part, so :math:`U(r_0)=\varepsilon h_0` and
    :math:`U'(r_0)=0` on both sides (``a0 = 1``, ``a1 = 0``) — energy and force are continuous, which
    is what energy conservation needs. The second derivative then jumps by ~0.9 % at :math:`r_0`
    (the Table I coefficients match :math:`U''` only for the rounded :math:`r_0 = 1.12`, which would
    instead break the continuity of :math:`U` and :math:`F`); a jump in :math:`U''` is harmless for
    velocity Verlet. ``params[0, 0] = [eps, sigma^2, rstar^2, r0, r0^2, rstar, h0, a0..a7, 1/(rstar-r0)]``.

Sign convention: the block kernels compute :math:`u(r)` and
:math:`f_r = -u'(r)/r`, so the force on *i* from *j* is :math:`f_r\,(\mathbf r_i-\mathbf r_j)` and
the pair's virial is :math:`\mathbf r_{ij}\cdot\mathbf F_{ij} = f_r r^2`.
"""

import numpy as np
from numba import njit, prange

#: potential kinds (plain integers so that kernels branch on them without Python objects)
MIE86 = 0
HUMP = 1
KIND_NAMES = {MIE86: "mie86", HUMP: "hump"}

#: width of the per-pair parameter table
NPARAMS = 16

#: a0 of the 8-6 potential: -(min of x^8 - x^6) = 27/256, so that U(rc) = 0
A0_MIE86 = 27.0 / 256.0


def mie86_params(eps: np.ndarray, sigma: np.ndarray) -> np.ndarray:
    """Parameter table for the shifted 8-6 potential from symmetric ``eps`` and ``sigma`` matrices."""
    eps = np.asarray(eps, dtype=np.float64)
    sigma = np.asarray(sigma, dtype=np.float64)
    if eps.shape != sigma.shape or eps.ndim != 2 or eps.shape[0] != eps.shape[1]:
        raise ValueError(f"eps and sigma must be equal square matrices, got {eps.shape} and {sigma.shape}")
    table = np.zeros(eps.shape + (NPARAMS,))
    table[..., 0] = eps
    table[..., 1] = sigma**2
    table[..., 2] = (8.0 / 6.0) * sigma**2
    table[..., 3] = A0_MIE86
    return table


def hump_params(h0: float, rstar: float, coeffs, eps: float = 1.0, sigma: float = 1.0,
                r0: float | None = None) -> np.ndarray:
    """Parameter table (one type) for the hump potential; ``r0`` defaults to :math:`2^{1/6}\\sigma`."""
    coeffs = np.asarray(coeffs, dtype=np.float64)
    if coeffs.shape != (8,):
        raise ValueError(f"coeffs must hold the 8 polynomial coefficients a0..a7, got shape {coeffs.shape}")
    r0 = 2.0 ** (1.0 / 6.0) * sigma if r0 is None else float(r0)
    if not 0.0 < r0 < rstar:
        raise ValueError(f"need 0 < r0 < rstar, got r0={r0}, rstar={rstar}")
    table = np.zeros((1, 1, NPARAMS))
    table[0, 0, :7] = [eps, sigma**2, rstar**2, r0, r0**2, rstar, h0]
    table[0, 0, 7:15] = coeffs
    table[0, 0, 15] = 1.0 / (rstar - r0)
    return table


# Kernels may reassociate sums and fuse multiply-adds, but keep IEEE NaN/inf semantics (no "fast"
# nnan/ninf), otherwise the blow-up checks on non-finite energies could be optimised away.
FASTMATH = {"contract", "reassoc", "nsz", "arcp"}


@njit(cache=True, fastmath=FASTMATH, error_model="numpy")
def mie86_block(r2, sig2, rc2, a0, eps, fr, npair):
    """Shifted 8-6 :math:`f_r=-u'(r)/r` into ``fr`` for ``npair`` pairs (flat arrays; 0 beyond rc);
    returns the sums of :math:`u` and of the virial :math:`f_r r^2`.

    Only even powers of 1/r: no square root, one division. A branch-free loop over plain arrays,
    which LLVM vectorises, sums included (error_model="numpy": no zero-division checks in the loop;
    a running *minimum* would not vectorise, so the kernels take it in the gather loop instead).
    """
    e = 0.0
    w = 0.0
    for p in range(npair):
        ir2 = 1.0 / r2[p]
        q = sig2[p] * ir2
        q3 = q * q * q
        q4 = q3 * q
        inside = r2[p] < rc2[p]
        uu = eps[p] * (q4 - q3 + a0[p]) if inside else 0.0
        ff = eps[p] * (8.0 * q4 - 6.0 * q3) * ir2 if inside else 0.0
        fr[p] = ff
        e += uu
        w += ff * r2[p]
    return e, w


@njit(cache=True, fastmath=FASTMATH, error_model="numpy")
def hump_block(r2, hp, fr, npair):
    """Hump :math:`f_r=-u'(r)/r` into ``fr`` for ``npair`` pairs; returns the sums of :math:`u` and
    :math:`f_r r^2`; ``hp = params[0, 0]``.

    Both branches (12-6 core, polynomial) are evaluated and one is selected: in a Verlet list the
    branch would be unpredictable, and the branch-free loop vectorises.
    """
    eps, sig2, rstar2, r0, r02, h0, iw = hp[0], hp[1], hp[2], hp[3], hp[4], hp[6], hp[15]
    a0, a1, a2, a3, a4, a5, a6, a7 = hp[7], hp[8], hp[9], hp[10], hp[11], hp[12], hp[13], hp[14]
    e = 0.0
    w = 0.0
    for p in range(npair):
        x2 = r2[p]
        ir = 1.0 / np.sqrt(x2)
        ir2 = ir * ir
        q = sig2 * ir2
        q3 = q * q * q
        q6 = q3 * q3
        u_lj = eps * (q6 - q3 + 0.25 + h0)
        f_lj = eps * (12.0 * q6 - 6.0 * q3) * ir2
        x = (x2 * ir - r0) * iw
        poly = ((((((a7 * x + a6) * x + a5) * x + a4) * x + a3) * x + a2) * x + a1) * x + a0
        dpoly = (((((7.0 * a7 * x + 6.0 * a6) * x + 5.0 * a5) * x + 4.0 * a4) * x + 3.0 * a3) * x
                 + 2.0 * a2) * x + a1
        lj = x2 <= r02
        inside = x2 < rstar2
        uu = u_lj if lj else eps * h0 * poly
        ff = f_lj if lj else -eps * h0 * dpoly * iw * ir
        uu = uu if inside else 0.0
        ff = ff if inside else 0.0
        fr[p] = ff
        e += uu
        w += ff * x2
    return e, w


@njit(cache=True)
def cutoff_sq(params):
    """Squared cutoff of each type pair (``params[..., 2]`` for both kinds)."""
    return params[:, :, 2].copy()


#: pairs per block of the force loop: the block's scratch arrays (~10 kB) stay in L1
PAIR_BLOCK = 256


@njit(cache=True)
def owner_range(t, nt, n):
    """Particles ``[lo, hi)`` owned by thread ``t`` of ``nt``: the equal split that every per-particle
    loop of a step uses (force zeroing and accumulation, kicks, drift), so that each core keeps
    working on the same memory."""
    return t * n // nt, (t + 1) * n // nt


@njit(cache=True, fastmath=FASTMATH, error_model="numpy")
def _forces_pairs(dims, p0, p1, lo, hi, kind, params, pos, types, box, pairs, f, spill_j, spill_f):
    # Pairs p0..p1-1 of the flat list in blocks: (1) gather separations (minimum image) and per-pair
    # parameters into flat arrays, (2) evaluate the potential over the block (vectorised), (3) scatter
    # forces. One flat loop per phase: no per-particle inner loop whose varying length the branch
    # predictor would miss at every row end (faster than looping over rows: benchmarks/README.md).
    # Unsigned indices spare Numba's negative-index wrap-around in the gathers.
    # Scatter: the thread owns every i (lo <= i < hi) and adds its force to ``f`` in place; the force
    # on j goes the same way when the thread owns j too, else it is appended to the spill list
    # (spill_j, spill_f) from slot p0 on (at most one spill per pair), for j's owner to add
    # (:func:`add_spills`). Returns U, W, min r^2 and the number of spills.
    d = len(dims)
    block = PAIR_BLOCK
    dx = np.empty((d, block))
    r2 = np.empty(block)
    fr = np.empty(block)
    sig2 = np.empty(block)
    rc2 = np.empty(block)
    a0 = np.empty(block)
    eps = np.empty(block)
    hp = params[0, 0].copy()
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
            if kind == MIE86:
                ti = np.uint32(types[i])
                tj = np.uint32(types[j])
                eps[q] = params[ti, tj, 0]
                sig2[q] = params[ti, tj, 1]
                rc2[q] = params[ti, tj, 2]
                a0[q] = params[ti, tj, 3]
        if kind == MIE86:
            eb, wb = mie86_block(r2, sig2, rc2, a0, eps, fr, nb)
        else:
            eb, wb = hump_block(r2, hp, fr, nb)
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
def forces_energy_virial(dims, nt, kind, params, pos, types, box, pairs, npair, forces):
    """Forces (written into ``forces``), potential energy U, virial W and min pair r^2.

    ``dims`` is a length-d tuple whose *type* fixes the dimension at compile time, so the loops over
    Cartesian components are unrolled. ``pairs[:, :npair]`` is the flat half list (each pair
    ``(i, j)`` once, sorted by ``i`` as :func:`.neighbour_list.build` writes it; ValueError otherwise).
    Periodic minimum image in a rectangular box. The virial is
    :math:`W=\\sum_{pairs} \\mathbf r_{ij}\\cdot\\mathbf F_{ij}`, so the configurational pressure
    is :math:`W/(dV)`. The hump kind reads ``params[0, 0]`` only (one particle type).

    Work is shared between ``nt`` threads as in :func:`partial_forces` ("owner computes"), then the
    spilled forces are added by their owners (:func:`add_spills`). Callers pass
    ``nt = numba.get_num_threads()`` read at every call: a fixed count would silently pin the loop to
    fewer threads. (Calling ``get_num_threads`` inside the kernel would work too, but makes Numba
    refuse to cache it.)
    """
    for p in range(1, npair):
        if pairs[0, p] < pairs[0, p - 1]:
            raise ValueError("forces_energy_virial: pairs must be sorted by their first particle")
    spill_j = np.empty(npair, np.int32)
    spill_f = np.empty((npair, len(dims)))
    spill = np.empty((nt, 2), np.int64)
    u, w, r2min = partial_forces(dims, nt, kind, params, pos, types, box, pairs, npair, forces, spill_j, spill_f,
                                 spill)
    add_spills(forces, spill_j, spill_f, spill)
    return u, w, r2min


# inline="always": Numba pastes the body into the kick's parallel loop instead of calling it, and the
# call's reference counting of its array arguments (atomic operations on counters both threads
# share) disappears (timings in benchmarks/README.md). The force loop's body, tried the same way,
# got slower: it stays a call.
@njit(inline="always")
def collect_spills(lo, hi, forces, spill_j, spill_f, spill):
    """Add the spilled forces on particles ``lo..hi-1`` into ``forces``, in thread then slot order
    (deterministic: the same sums whatever the timing). Called by the owner of that range."""
    for u in range(spill.shape[0]):
        s0 = spill[u, 0]
        for ss in range(spill[u, 1]):
            s = s0 + ss
            i = np.int64(spill_j[s])
            if lo <= i < hi:
                for k in range(forces.shape[1]):
                    forces[i, k] += spill_f[s, k]


@njit(parallel=True, cache=True)
def add_spills(forces, spill_j, spill_f, spill):
    """Complete the forces of :func:`partial_forces`: each owner adds the spills aimed at its
    particles (:func:`collect_spills`)."""
    nt = spill.shape[0]
    n = forces.shape[0]
    for t in prange(nt):
        lo, hi = owner_range(t, nt, n)
        collect_spills(lo, hi, forces, spill_j, spill_f, spill)


@njit(parallel=True, cache=True, fastmath=FASTMATH, error_model="numpy")
def partial_forces(dims, nt, kind, params, pos, types, box, pairs, npair, forces, spill_j, spill_f, spill):
    """The force loop of :func:`forces_energy_virial` without the final spill pass ("owner computes").

    Thread t owns the particles :func:`owner_range` ``(t, nt, N)`` and takes the pairs whose first
    particle it owns (found by bisection: ``pairs[0, :npair]`` must be sorted, as the list build
    writes it). It zeroes and accumulates its own particles' forces in place; a force on another
    thread's particle goes to the spill list, slots from the thread's first pair on;
    ``spill[t] = (first slot, count)``. Particles are sorted by cell at every list build, so each
    thread owns a slab of space and only pairs straddling two slabs spill (2.5 % for hump2d, N = 4096,
    two threads); the force array stays in its owner's cache (per-thread full-size force buffers,
    zeroed and summed every step, moved half of it between cores).
    The integrator adds the spills in its next pass over the particles (:func:`.integrators.kick`).
    ``spill_j``/``spill_f`` need ``npair`` slots (at most one spill per pair). Returns U, W and the
    min pair r^2.
    """
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
        spill[t, 0] = split[t]
        e_t[t], w_t[t], r2min_t[t], spill[t, 1] = _forces_pairs(
            dims, split[t], split[t + 1], lo, hi, kind, params, pos, types, box, pairs, forces, spill_j, spill_f)
    return e_t.sum(), w_t.sum(), r2min_t.min()
