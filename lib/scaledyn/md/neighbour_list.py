r"""Cell list + Verlet neighbour list with a skin, in 2D and 3D periodic rectangular boxes.

Shaped like jax-md's neighbour lists: :func:`allocate` sizes the arrays (Python, may allocate),
:func:`build` fills them (Numba, never allocates the list) and reports the largest row it needed; the
caller grows the list and rebuilds when that exceeds the capacity — overflow is never silent.

The list is a *half* list: each pair within :math:`r_{c,ij} + \text{skin}` appears once, stored by the
particle whose cell comes first in a half stencil (or the lower index within a cell), so every
particle holds about half of its neighbours whatever its index. It is kept in two layouts: rows
``nbr[i, :counts[i]]`` (jax-md's "dense" format, what the build fills and checkpoints store) and the
same pairs flattened row by row into ``pairs[:, :npair]`` (jax-md's "sparse" format, what the force
loop reads: one flat loop over pairs split evenly between threads).

Rebuild criterion (:func:`needs_rebuild`, :func:`displacement_limit`; the displacement is measured in
the drift loop). Between builds the box may be rescaled isotropically by a factor
:math:`s = L/L_\text{build}` (barostat). Write each position as
:math:`\mathbf x_i = s\,\mathbf x_i^{0} + \boldsymbol\delta_i`. A pair now inside :math:`r_c` was at
build time closer than :math:`(r_c + 2\delta_\text{max})/s`, so the list is still complete while
:math:`2\delta_\text{max} \le s\,\text{skin} - |1-s|\,r_{c,\max}`. For :math:`s=1` this is the usual
"rebuild when a particle moved more than skin/2".

Cells: a grid of at least 3 cells of side :math:`\ge r_\text{list} = r_{c,\max}+\text{skin}` per
dimension; the 3^d-cell stencil then never visits a cell twice. Boxes with fewer cells but still
larger than :math:`2 r_\text{list}` use an O(N^2) search; smaller boxes are rejected (minimum image
would miss pairs). (Half cells searched two deep halve the candidate pairs but were slower here:
with ~1 particle per cell the gather's short, unpredictable loops cost more than the distance tests
they save; measurements in ``benchmarks/README.md``.)

Length (~530 lines): the cell list, the cell sort, the Verlet list and the flattened pair list share
one data layout (the cell-sorted particles and their cell starts feed the build directly) and its
private kernels; one module keeps that layout in one place.
"""

import math
from typing import NamedTuple

import numba
import numpy as np
from numba import njit, prange

from .potentials import FASTMATH, cutoff_sq


class Lists(NamedTuple):
    """The list arrays the kernels fill: rows ``nbr[i, :counts[i]]`` and their flat copy ``pairs``."""

    nbr: np.ndarray     # (N, capacity) int32
    counts: np.ndarray  # (N,) int32
    pairs: np.ndarray   # (2, N * capacity) int32


class Cells(NamedTuple):
    """Particles bucketed by cell: ``ncell`` per axis (z = 1 in 2D), stencil depth ``reach``
    (0: all-pairs search), and slots ``start[c]:start[c + 1]`` of cell c in ``order``."""

    ncell: np.ndarray  # (3,) int64
    reach: int
    start: np.ndarray  # (cells + 1,) int64
    order: np.ndarray  # (N,) int64


class NeighbourList:
    """Verlet list storage plus what is needed to decide when to rebuild.

    Attributes: ``nbr`` (N, capacity) int32, ``counts`` (N,) int32, ``pairs`` (2, N * capacity) int32
    (the flat copy; derived from ``nbr`` and ``counts`` when not given), ``ref_pos`` (N, d)
    positions at the last build, ``ref_box`` (d,) box at the last build, ``skin``, ``cut2`` (T, T)
    squared list radii :math:`(r_{c,ij}+\text{skin})^2`, ``rc_max``; ``builds`` counts the builds.
    """

    def __init__(self, nbr, counts, ref_pos, ref_box, skin, cut2, rc_max, builds=0, pairs=None):
        self.nbr = nbr
        self.counts = counts
        if pairs is None:
            pairs = np.zeros((2, nbr.size), np.int32)
            flatten(numba.get_num_threads(), Lists(nbr, counts, pairs))
        self.pairs = pairs
        self.ref_pos = ref_pos
        self.ref_box = ref_box
        self.skin = float(skin)
        self.cut2 = cut2
        self.rc_max = float(rc_max)
        self.builds = int(builds)

    @property
    def lists(self) -> Lists:
        """The arrays the build kernels fill (re-read after :meth:`grow`, which replaces them)."""
        return Lists(self.nbr, self.counts, self.pairs)

    @property
    def capacity(self) -> int:
        return self.nbr.shape[1]

    @property
    def npair(self) -> int:
        """Number of pairs in the list (the used length of ``pairs``)."""
        return int(self.counts.sum())

    def grow(self, need: int) -> None:
        """Reallocate for rows of ``need`` entries, with head-room so that a slowly densifying
        system does not regrow at every build (the contents are rebuilt next)."""
        cap = int(need * 1.25) + 4
        self.nbr = np.zeros((self.nbr.shape[0], cap), np.int32)
        self.pairs = np.zeros((2, self.nbr.size), np.int32)

    def copy(self) -> "NeighbourList":
        return NeighbourList(self.nbr.copy(), self.counts.copy(), self.ref_pos.copy(), self.ref_box.copy(),
                            self.skin, self.cut2.copy(), self.rc_max, self.builds, self.pairs.copy())


def list_radii(params: np.ndarray, skin: float) -> tuple[np.ndarray, float]:
    """Squared list radii :math:`(r_{c,ij}+\\text{skin})^2` per type pair and the largest cutoff."""
    rc = np.sqrt(cutoff_sq(params))
    return (rc + skin) ** 2, float(rc.max())


def check_box(box, rc_max: float, skin: float) -> None:
    """Raise ValueError unless every box side exceeds :math:`2(r_{c,\\max}+\\text{skin})`."""
    lmin = 2.0 * (rc_max + skin)
    if np.any(np.asarray(box) <= lmin):
        raise ValueError(
            f"box {np.asarray(box).tolist()} too small: every side must exceed 2*(rc+skin) = {lmin:.4g} "
            "for the minimum-image convention (use more particles or a smaller skin)")


def allocate(pos, types, box, params, skin: float, capacity: int | None = None,
             density_margin: float = 1.3) -> NeighbourList:
    """Allocate an (unbuilt) neighbour list; capacity from the density unless given.

    The estimate is the mean half-list size :math:`\\rho V_d(r_c+\\text{skin})/2` times
    ``density_margin``, plus 8; :func:`update` grows the list if a row ever needs more.
    """
    pos = np.asarray(pos, dtype=np.float64)
    n, d = pos.shape
    cut2, rc_max = list_radii(params, skin)
    check_box(box, rc_max, skin)
    if capacity is None:
        rho = n / float(np.prod(box))
        r = rc_max + skin
        vol = math.pi * r * r if d == 2 else 4.0 / 3.0 * math.pi * r**3
        capacity = int(density_margin * rho * vol / 2.0) + 8
    nl = NeighbourList(np.zeros((n, capacity), np.int32), np.zeros(n, np.int32), pos.copy(),
                      np.array(box, dtype=np.float64), skin, cut2, rc_max,
                      pairs=np.zeros((2, n * capacity), np.int32))
    return nl


def update(nl: NeighbourList, pos, types, box, image, vel=None, force=None, tag=None) -> NeighbourList:
    """Wrap positions into the box (updating image flags), then rebuild, growing the list if needed.

    With ``vel``, ``force`` and ``tag`` given, particles are first re-ordered by cell
    (:func:`sort_by_cell`). Returns the (possibly reallocated) list; arrays are modified in place.
    """
    check_box(box, nl.rc_max, nl.skin)
    dims = (0,) * pos.shape[1]
    wrap(dims, pos, box, image)
    nt = numba.get_num_threads()
    rlist = nl.rc_max + nl.skin
    start = None if tag is None else sort_by_cell(dims, box, rlist, pos, vel, force, image, types, tag)
    while True:
        if start is None:
            need = build(dims, nt, pos, types, box, nl.cut2, rlist, nl.lists)
        else:
            need = build_sorted(dims, nt, pos, types, box, nl.cut2, rlist, start, nl.lists)
        if need <= nl.capacity:
            break
        nl.grow(need)
    nl.ref_pos[:] = pos
    nl.ref_box[:] = box
    nl.builds += 1
    return nl


@njit(parallel=True, cache=True)
def wrap(dims, pos, box, image):
    """Map positions into [0, L) and count the crossings in ``image`` (unwrapped = pos + image*L)."""
    d = len(dims)
    for i in prange(pos.shape[0]):
        for k in range(d):
            shift = np.floor(pos[i, k] / box[k])
            if shift != 0.0:
                pos[i, k] -= shift * box[k]
                # rounding can leave pos == L exactly; fold it back
                if pos[i, k] >= box[k]:
                    pos[i, k] -= box[k]
                    shift += 1.0
                image[i, k] += np.int64(shift)


@njit(cache=True)
def _cell_grid(dims, box, rlist):
    """Cells per dimension (z = 1 in 2D) of side >= rlist, and the stencil depth: 1, or 0 when some
    dimension has fewer than 3 cells (then all pairs are searched)."""
    d = len(dims)
    ncell = np.ones(3, np.int64)
    reach = 1
    for k in range(d):
        ncell[k] = int(box[k] / rlist)
        if ncell[k] < 3:
            reach = 0
    return ncell, reach


@njit(cache=True)
def half_stencil(dims, box, ncell, reach, rlist):
    """Cell offsets o in [-K, K]^d with o > 0 lexicographically whose cells can hold a partner.

    An offset is kept when the smallest distance between a point of the home cell and one of cell
    o, :math:`\\sum_k (\\max(|o_k|-1, 0)\\,a_k)^2` (a_k the cell side), is below rlist^2; the
    home cell itself (o = 0) is handled separately. Returns an (m, 3) int64 array.
    """
    d = len(dims)
    side = 2 * reach + 1
    out = np.zeros((side**d, 3), np.int64)
    m = 0
    for c in range(side**d):
        o = np.zeros(3, np.int64)
        rest = c
        gap2 = 0.0
        for k in range(d - 1, -1, -1):
            o[k] = rest % side - reach
            rest //= side
            g = max(abs(o[k]) - 1, 0) * box[k] / ncell[k]
            gap2 += g * g
        first = 0  # sign of the first non-zero component, scanning from the slowest axis
        for k in range(d - 1, -1, -1):
            if first == 0 and o[k] != 0:
                first = 1 if o[k] > 0 else -1
        if first > 0 and gap2 < rlist * rlist:
            for k in range(3):  # element by element: a row assignment compiles Numba's shape-error
                out[m, k] = o[k]  # message formatting, seconds of a cold start (benchmarks/README.md)
            m += 1
    return out[:m]


@njit(parallel=True, cache=True)
def _cell_index(dims, pos, box, ncell):
    # cell of each particle, x fastest (2D: a single layer of cells in z)
    n = pos.shape[0]
    d = len(dims)
    cell = np.empty(n, np.int64)
    for i in prange(n):
        c = 0
        for k in range(d - 1, -1, -1):
            ck = int(pos[i, k] / box[k] * ncell[k])
            ck = min(max(ck, 0), ncell[k] - 1)
            c = c * ncell[k] + ck
        cell[i] = c
    return cell


@njit(cache=True)
def _counting_sort(cell, ntot):
    # start[c]..start[c+1] index the particles of cell c in ``order`` (stable: a sorted input
    # gives the identity)
    n = cell.shape[0]
    start = np.zeros(ntot + 1, np.int64)
    for i in range(n):
        start[cell[i] + 1] += 1
    for c in range(ntot):
        start[c + 1] += start[c]
    fill = start[:-1].copy()
    order = np.empty(n, np.int64)
    for i in range(n):
        order[fill[cell[i]]] = i
        fill[cell[i]] += 1
    return start, order


@njit(cache=True)
def _bucket(dims, pos, box, rlist):
    # the cell grid of side >= rlist (:func:`_cell_grid`) and the particles bucketed by cell
    # (:func:`_counting_sort`): what both the sort and the list build start from
    ncell, reach = _cell_grid(dims, box, rlist)
    start, order = _counting_sort(_cell_index(dims, pos, box, ncell), ncell[0] * ncell[1] * ncell[2])
    return Cells(ncell, reach, start, order)


@njit(cache=True)
def _permute(dims, order, pos, vel, force, image, types, tag):
    # a[:] = a[order] for every per-particle array (serial: a parallel version was slower, see benchmarks/)
    n = pos.shape[0]
    d = len(dims)
    tpos = pos.copy()
    tvel = vel.copy()
    tforce = force.copy()
    timage = image.copy()
    ttypes = types.copy()
    ttag = tag.copy()
    for i in range(n):
        o = np.uint32(order[i])
        for k in range(d):
            pos[i, k] = tpos[o, k]
            vel[i, k] = tvel[o, k]
            force[i, k] = tforce[o, k]
            image[i, k] = timage[o, k]
        types[i] = ttypes[o]
        tag[i] = ttag[o]


@njit(cache=True)
def sort_by_cell(dims, box, rlist, pos, vel, force, image, types, tag):
    """Re-order particles by cell (in place) so that neighbours are close in memory; return the cell
    starts (particles of cell c are now ``start[c]:start[c + 1]``) for :func:`build_sorted`.

    Done at every list build: the force loop's reads of neighbour positions and its scattered force
    writes then stay in L1/L2, and each thread's range of particles (:func:`.forces.owner_range`)
    is a compact slab of space. The grid is the one :func:`build` uses. ``tag[i]`` keeps the original
    id of the particle now stored at slot i.
    """
    cells = _bucket(dims, pos, box, rlist)
    _permute(dims, cells.order, pos, vel, force, image, types, tag)
    return cells.start


@njit(parallel=True, cache=True)
def flatten(nt, lists):
    """Copy the rows ``nbr[i, :counts[i]]`` into ``pairs[:, :npair]`` as ``(i, j)`` columns, row by
    row (:class:`Lists`); return ``npair``. ``pairs`` needs at least ``counts.sum()`` columns."""
    nbr, counts, pairs = lists
    n = counts.shape[0]
    first = np.empty(n + 1, np.int64)  # column of each row's first pair
    first[0] = 0
    for i in range(n):
        first[i + 1] = first[i] + counts[i]
    if first[n] > pairs.shape[1]:
        raise ValueError("flatten: pairs has fewer columns than the list has pairs")
    for t in prange(nt):
        for i in range(t * n // nt, (t + 1) * n // nt):
            c = first[i]
            for m in range(counts[i]):
                pairs[0, c + m] = i
                pairs[1, c + m] = nbr[i, m]
    return first[n]


@njit(cache=True, fastmath=FASTMATH)
def build(dims, nt, pos, types, box, cut2, rlist, lists):
    """Fill ``nbr``/``counts`` and the flat ``pairs`` of ``lists`` (:class:`Lists`, :func:`flatten`)
    for positions inside the box; return the largest row needed (when it exceeds the capacity, ``pairs`` is left stale).

    Particles are bucketed by cell (:func:`_cell_grid`; cell-ordered copies ``spos``: sequential
    memory). For each cell the candidates — the cell's own particles followed by those of its half
    stencil (:func:`half_stencil`) — are gathered once into a contiguous buffer, shifted by the
    box period where the stencil wraps around, so that the distance scan needs no minimum image.
    The particle at position p of its cell then scans the buffer from p+1 on, which takes each pair
    exactly once with no per-candidate index test. Candidates are appended branch-free (always
    written, counted only if within range). Every particle holds about half of its neighbours, so
    equal index ranges per thread are balanced. Rows longer than the capacity are truncated and the
    return value tells the caller to grow the list and call again (see :func:`update`).
    """
    n = pos.shape[0]
    d = len(dims)
    cells = _bucket(dims, pos, box, rlist)
    order = cells.order
    spos = np.empty((n, d))
    stypes = np.empty(n, np.int64)
    for s in range(n):
        for k in range(d):
            spos[s, k] = pos[order[s], k]
        stypes[s] = types[order[s]]
    return _search(dims, nt, spos, stypes, cells, box, cut2, rlist, lists)


@njit(cache=True)
def build_sorted(dims, nt, pos, types, box, cut2, rlist, start, lists):
    """:func:`build` for particles already in cell order, with the cell starts ``start`` that
    :func:`sort_by_cell` returned: no second bucketing, no sorted copies. The same list as
    :func:`build` (which would find the identity order)."""
    ncell, reach = _cell_grid(dims, box, rlist)
    cells = Cells(ncell, reach, start, np.arange(pos.shape[0]))
    return _search(dims, nt, pos, types, cells, box, cut2, rlist, lists)


@njit(cache=True)
def _search(dims, nt, spos, stypes, cells, box, cut2, rlist, lists):
    # pair search over cell-ordered copies (slot s holds particle cells.order[s]), then the flat copy
    if cells.reach == 0:
        need = _build_all_pairs(dims, nt, spos, stypes, cells.order, box, cut2, lists)
    else:
        need = _build_stencil(dims, nt, spos, stypes, cells, box, cut2, rlist, lists)
    if need <= lists.nbr.shape[1]:
        flatten(nt, lists)
    return need


@njit(parallel=True, cache=True, fastmath=FASTMATH, error_model="numpy")
def _build_stencil(dims, nt, spos, stypes, cells, box, cut2, rlist, lists):
    # the cell-list search of :func:`build`: cells split between threads by their first slot
    n = spos.shape[0]
    ncell, start = cells.ncell, cells.start
    ntot = ncell[0] * ncell[1] * ncell[2]
    stencil = half_stencil(dims, box, ncell, cells.reach, rlist)
    occ = 0
    for c in range(ntot):
        occ = max(occ, start[c + 1] - start[c])
    need_t = np.zeros(nt, np.int64)
    order, reach = cells.order, cells.reach
    nbr, counts = lists.nbr, lists.counts
    for t in prange(nt):
        # this thread owns the cells whose first slot lies in its slot range
        c0 = np.searchsorted(start[:ntot], t * n // nt)
        c1 = np.searchsorted(start[:ntot], (t + 1) * n // nt)
        need_t[t] = _build_cells(dims, c0, c1, spos, stypes, order, start, ncell, stencil, reach, box, cut2, occ,
                                 nbr, counts)
    return need_t.max()


# Called inside the parallel loop of _build_stencil, so it takes plain arrays, not the Cells and Lists
# records (a record handed into a parallel loop body made the build 20 % slower: benchmarks/README.md).
@njit(inline="always", fastmath=FASTMATH, error_model="numpy")  # see forces.collect_spills
def _build_cells(dims, c0, c1, spos, stypes, order, start, ncell, stencil, reach, box, cut2, occ, nbr, counts):
    # cells c0..c1-1 (at most ``occ`` particles per cell): gather candidates (structure of arrays, periodic images pre-shifted), then
    # per particle a vectorised distance pass over the contiguous buffer and a compaction pass.
    # Loops run over range(count) from zero with the offset added inside: with Numba's range(a, b)
    # LLVM vectorised the distance pass badly; scalars are hoisted out of loops (benchmarks/README.md).
    d = len(dims)
    cap = nbr.shape[1]
    ntypes = cut2.shape[0]
    maxcand = occ * (stencil.shape[0] + 1)
    cx = np.empty(maxcand)
    cy = np.empty(maxcand)
    cz = np.empty(maxcand)
    ccut = np.empty((ntypes, maxcand))
    cidx = np.empty(maxcand, np.int32)
    close = np.empty(maxcand, np.bool_)
    row = np.empty(maxcand, np.int32)
    # per axis, cell index and periodic shift of home + offset (home + offset + reach indexes the
    # table): table look-ups instead of integer divisions in the gather loop
    wrapped = np.zeros((3, ncell.max() + 2 * reach), np.int64)
    shifted = np.zeros((3, ncell.max() + 2 * reach))
    for k in range(d):
        for h in range(-reach, ncell[k] + reach):
            wrapped[k, h + reach] = h % ncell[k]
            shifted[k, h + reach] = box[k] * ((h - h % ncell[k]) // ncell[k])
    nx = ncell[0]
    ny = ncell[1]
    need = 0
    for c in range(c0, c1):
        own = start[c + 1] - start[c]
        if own == 0:
            continue
        hx = c % nx + reach
        hy = (c // nx) % ny + reach
        hz = c // (nx * ny) + reach
        m = 0
        for o in range(-1, stencil.shape[0]):  # o = -1: the home cell
            gx = hx + (0 if o < 0 else stencil[o, 0])
            gy = hy + (0 if o < 0 else stencil[o, 1])
            gz = hz + (0 if o < 0 else stencil[o, 2])
            cn = wrapped[0, gx] + nx * wrapped[1, gy]
            if d == 3:
                cn += nx * ny * wrapped[2, gz]
            sx = shifted[0, gx]
            sy = shifted[1, gy]
            sz = shifted[2, gz] if d == 3 else 0.0
            s0 = start[cn]
            for ss in range(start[cn + 1] - s0):
                s = s0 + ss
                cx[m] = spos[s, 0] + sx
                cy[m] = spos[s, 1] + sy
                if d == 3:
                    cz[m] = spos[s, 2] + sz
                ts = np.uint32(stypes[s])
                for t in range(ntypes):
                    ccut[t, m] = cut2[t, ts]
                cidx[m] = order[s]
                m += 1
        for p in range(own):
            # the particle at position p scans the buffer from p+1 on: each pair exactly once
            ti = stypes[start[c] + p]
            xp = cx[p]
            yp = cy[p]
            zp = cz[p] if d == 3 else 0.0
            cc = ccut[ti]
            nq = m - p - 1
            for qq in range(nq):
                q = qq + p + 1
                x = xp - cx[q]
                y = yp - cy[q]
                r2 = x * x + y * y
                if d == 3:
                    z = zp - cz[q]
                    r2 += z * z
                close[q] = r2 < cc[q]
            k = 0
            for qq in range(nq):  # branch-free append: always written, counted only if close
                q = qq + p + 1
                row[k] = cidx[q]
                k += 1 if close[q] else 0
            i = np.uint32(cidx[p])
            kk = min(k, cap)
            for a in range(kk):
                nbr[i, a] = row[a]
            counts[i] = kk
            need = max(need, k)
    return need


@njit(parallel=True, cache=True, fastmath=FASTMATH)
def _build_all_pairs(dims, nt, spos, stypes, order, box, cut2, lists):
    # O(N^2) for boxes with < 3 cells per side; the parity rule keeps rows balanced
    n = spos.shape[0]
    d = len(dims)
    nbr, counts = lists.nbr, lists.counts
    cap = nbr.shape[1]
    inv = np.empty(d)
    for k in range(d):
        inv[k] = 1.0 / box[k]
    need_t = np.zeros(nt, np.int64)
    for t in prange(nt):
        row = np.empty(n + 1, np.int32)
        need = 0
        for si in range(t * n // nt, (t + 1) * n // nt):
            i = order[si]
            k = 0
            for s in range(n):
                j = order[s]
                if j != i and (j > i) == ((i + j) % 2 == 0):
                    r2 = 0.0
                    for a in range(d):
                        x = spos[si, a] - spos[s, a]
                        x -= box[a] * np.rint(x * inv[a])
                        r2 += x * x
                    row[k] = j
                    k += 1 if r2 < cut2[stypes[si], stypes[s]] else 0
            for s in range(min(k, cap)):
                nbr[i, s] = row[s]
            counts[i] = min(k, cap)
            need = max(need, k)
        need_t[t] = need
    return need_t.max()


@njit(cache=True)
def displacement_limit(scale, skin, rc_max):
    """Largest squared displacement :math:`\\delta^2` since the last build for which the list is
    still complete (module docstring): :math:`(s\\,\\text{skin} - |1-s|\\,r_{c,\\max})^2/4`, or -1
    (every displacement is too large) when box scaling has used up the skin."""
    allowed = scale * skin - abs(1.0 - scale) * rc_max
    return 0.25 * allowed * allowed if allowed > 0.0 else -1.0


@njit(cache=True)
def needs_rebuild(max_disp_sq, scale, skin, rc_max):
    """The completeness criterion of the module docstring (True: rebuild now)."""
    return max_disp_sq > displacement_limit(scale, skin, rc_max)


def brute_force_pairs(pos, types, box, params, skin: float = 0.0) -> set:
    """All pairs (i<j) within :math:`r_{c,ij}+\\text{skin}`: an O(N^2) NumPy reference for tests."""
    pos = np.asarray(pos, dtype=np.float64)
    box = np.asarray(box, dtype=np.float64)
    cut2, _ = list_radii(params, skin)
    dx = pos[:, None, :] - pos[None, :, :]
    dx -= box * np.rint(dx / box)
    r2 = (dx**2).sum(-1)
    close = r2 < cut2[types[:, None], types[None, :]]
    i, j = np.nonzero(np.triu(close, 1))
    return set(zip(i.tolist(), j.tolist()))


def list_pairs(nl: NeighbourList) -> set:
    """The pairs held by a neighbour list, as a set of (min, max) index tuples."""
    pairs = set()
    for i in range(nl.nbr.shape[0]):
        for j in nl.nbr[i, : nl.counts[i]]:
            pairs.add((min(i, int(j)), max(i, int(j))))
    return pairs
