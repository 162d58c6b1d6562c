r"""Is ξ a length? The geometry of the liquid particles, and a dynamic length to set beside it.

Boué, Lerner, Procaccia & Zylberg (arXiv:0905.3962), Eq. (11), define
:math:`\xi=(\rho\,C_\mathrm{liq})^{-1/d}` (σ): the spacing of the liquid particles *if they were
placed at random*. This module measures how the liquid particles of a configuration are actually
placed. Lengths in σ, densities in σ⁻ᵈ, times in the unit of ``times``. (A little over 500
lines: the static and the dynamic parts share the contact graph and the permutation null.)

**Liquid particles.** :func:`liquid_mask`: a particle is liquid when its quasi-species
(:mod:`.species`: its type and neighbour count) is in the liquid set.

**Contacts.** Two particles are in contact when their minimum-image distance is below the cutoff
:math:`r_c(t_i,t_j)` of their types (the scheme's neighbour cutoff by default). With
:math:`n_{LL}` liquid–liquid contacts and :math:`k_i` the contacts of particle i,
:func:`contact_statistics` measures the probability that a contact of a liquid particle is liquid,

.. math:: P_{LL} = \frac{2 n_{LL}}{\sum_{i\in L} k_i},

and compares it with the random placement of the *labels* on the same particles: shuffling the
liquid labels uniformly over the N particles gives, for every ordered contact (i, j),
:math:`P(j\in L\mid i\in L)=(N_L-1)/(N-1)` exactly (the finite-N hypergeometric value), and the
ratio :math:`R=P_{LL}(N-1)/(N_L-1)` is 1 on average. R > 1: liquid particles touch each other more
often than random labels would (they cluster); R < 1: they avoid each other. The permutation null
(many shuffles of the labels, positions kept) gives the mean and standard deviation of R and the
z-score. Liquidity here is a low neighbour count, and a neighbour is reached through a contact, so
the degrees bias the plain null; ``expected_degree`` is the value of a null that keeps every
particle's number of contacts (a configuration model: each contact end of a liquid particle is
matched with a random other end, :math:`\sum_{i\in L}k_i(K_L-k_i)/[(2E-1)K_L]`, with
:math:`K_L=\sum_{i\in L}k_i` and E the number of contacts).

**Clusters.** :func:`clusters`: connected components of the selected particles linked by contacts
(:func:`scipy.sparse.csgraph.connected_components`), their size distribution :math:`n_s`, the
largest, and the size-weighted mean :math:`S=\sum_s s^2 n_s/\sum_s s\,n_s` (the mean size of the
cluster a randomly chosen selected particle belongs to), each beside the same permutation null.

**Spacing.** :func:`nearest_liquid_distance`: the mean distance :math:`\bar r_1` from a liquid
particle to the nearest other liquid particle (minimum image), beside ξ and the Poisson value at the
same number density :math:`\rho_L=N_L/V`,

.. math:: \bar r_1^\mathrm{Poisson}=\frac{\Gamma(1+1/d)}{(\rho_L V_d)^{1/d}},\qquad
          V_d=\frac{\pi^{d/2}}{\Gamma(1+d/2)},

so that, since :math:`\rho_L=\rho\,C_\mathrm{liq}`, random placement gives
:math:`\bar r_1/\xi=\Gamma(1+1/d)/V_d^{1/d}`: 0.554 in 3D and 0.5 in 2D. Real particles cannot
overlap, so the fairer null keeps the positions and shuffles the labels (``null_mean``). The
finite-N value (``binomial``: the other :math:`m=N_L-1` liquid particles uniform in V) is
:math:`R_V\,\Gamma(1+1/d)\,\Gamma(m+1)/\Gamma(m+1+1/d)` with :math:`R_V=(V/V_d)^{1/d}`.

**A dynamic length.** :func:`chi4`: with the overlap :math:`q_j(t_0,t)=\Theta(a-|\Delta\mathbf
r_j|)` and :math:`Q=\frac1N\sum_j q_j`,

.. math:: \chi_4(t)=N\big[\langle Q(t)^2\rangle-\langle Q(t)\rangle^2\big]

over time origins :math:`t_0` (unwrapped positions). Independent particles give
:math:`\chi_4=\langle q\rangle(1-\langle q\rangle)`; N particles moving together give N times that.
The peak height counts the particles that relax together; its time is t*.
:func:`mobile_clusters`: clusters of the fraction ``fraction`` of particles with the largest
displacement over a lag (t*), linked by contacts at the origin, against randomly chosen sets.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components
from scipy.special import gammaln

from .._checks import dimension, float_array, increasing, int_array, int_scalar, real_scalar
from .time_origins import group_lags as _group_lags, read_curve, write_curve
from .length_scale import correlation_length
from .neighbours import count_neighbours, periodic_pairs
from .species import SpeciesScheme, species_index

__all__ = ["liquid_mask", "contact_pairs", "ContactStats", "contact_statistics", "ClusterStats",
           "clusters", "NearestLiquid", "nearest_liquid_distance", "poisson_nearest_distance",
           "unit_ball_volume", "LiquidGeometry", "liquid_geometry", "Chi4Result", "chi4", "join_chi4", "read_chi4",
           "MobileClusters", "mobile_clusters"]


# --------------------------------------------------------------------------------------------------
# Input and contacts
# --------------------------------------------------------------------------------------------------
def _configuration(positions, box):
    """Validated (positions (N, d), box (d,)), d = 2 or 3."""
    pos = float_array(positions, "positions", ndim=2)
    dim = dimension(pos.shape[1], "positions' number of columns")
    box = float_array(box, "box", ndim=1, positive=True)
    if box.size != dim:
        raise ValueError(f"box must have {dim} side lengths, got {box.size}")
    return pos, box


def _mask(mask, n: int) -> np.ndarray:
    m = np.asarray(mask)
    if m.dtype != bool or m.shape != (n,):
        raise ValueError(f"mask must be a boolean array of shape ({n},), got dtype {m.dtype}, shape {m.shape}")
    return m


def _cutoff_matrix(cutoff, types, box) -> np.ndarray:
    rc = np.atleast_2d(float_array(cutoff, "cutoff", positive=True))
    if rc.shape == (1, 1):
        rc = np.full((types.max() + 1,) * 2, rc[0, 0])
    if rc.ndim != 2 or rc.shape[0] != rc.shape[1] or not np.allclose(rc, rc.T):
        raise ValueError(f"cutoff must be a scalar or a symmetric square matrix, got shape {rc.shape}")
    if types.min() < 0 or types.max() >= rc.shape[0]:
        raise ValueError(f"types must lie in [0, {rc.shape[0]}) (the size of the cutoff matrix)")
    if rc.max() > 0.5 * box.min():
        raise ValueError(f"cutoff {rc.max():.4g} exceeds half the smallest box side {0.5 * box.min():.4g}")
    return rc


def contact_pairs(positions, box, cutoff, types=None) -> tuple[np.ndarray, np.ndarray]:
    """Pairs (i, j), i ≠ j, each once, with minimum-image distance strictly below r_c(t_i, t_j).

    ``positions`` (N, d) in σ (unwrapped allowed), ``box`` (d,) in σ, ``cutoff`` a scalar or an
    (n_types, n_types) symmetric matrix in σ (≤ half the smallest box side), ``types`` (N,) or None.
    The same contacts as :func:`.neighbours.count_neighbours` counts.
    """
    pos, box = _configuration(positions, box)
    types = np.zeros(pos.shape[0], np.int64) if types is None else int_array(types, "types")
    if types.size != pos.shape[0]:
        raise ValueError(f"types must have length {pos.shape[0]}, got {types.size}")
    rc = _cutoff_matrix(cutoff, types, box)
    i, j, dx = periodic_pairs(pos, box, float(rc.max()))
    keep = np.sum(dx * dx, axis=1) < rc[types[i], types[j]] ** 2      # strict, as count_neighbours
    return i[keep], j[keep]


def liquid_mask(positions, box, types, scheme: SpeciesScheme, liquid_labels=None) -> np.ndarray:
    """Boolean (N,): is each particle's quasi-species in the liquid set?

    ``liquid_labels``: labels of the liquid species of ``scheme`` (default: the scheme's own liquid
    flags). Particles whose (type, count) is no species of the scheme ("other") are not liquid.
    ``types`` (N,) or None for one-type models.
    """
    if not isinstance(scheme, SpeciesScheme):
        raise TypeError(f"scheme must be a SpeciesScheme, got {type(scheme).__name__}")
    pos, box = _configuration(positions, box)
    if pos.shape[1] != scheme.dim:
        raise ValueError(f"positions must have {scheme.dim} columns for {scheme.name}, got {pos.shape[1]}")
    if liquid_labels is None:
        liquid = np.flatnonzero(scheme.liquid)
    else:
        if isinstance(liquid_labels, str):
            raise TypeError("liquid_labels must be a sequence of labels, not one string")
        bad = [lab for lab in liquid_labels if lab not in scheme.labels]
        if bad:
            raise ValueError(f"liquid_labels {bad!r} are not species of {scheme.name}: {scheme.labels}")
        liquid = [scheme.index(lab) for lab in liquid_labels]
    t = np.zeros(pos.shape[0], np.int64) if types is None else types
    idx = species_index(count_neighbours(pos, box, t, scheme.cutoff), t, scheme)
    return np.isin(idx, liquid) & (idx >= 0)


def _permutations(mask, n_perm, seed):
    """``n_perm`` shuffles of the labels (positions kept), one per row."""
    rng = np.random.default_rng(seed)
    return np.array([rng.permutation(mask) for _ in range(n_perm)])


# --------------------------------------------------------------------------------------------------
# Liquid–liquid contacts
# --------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ContactStats:
    """Result of :func:`contact_statistics`: ``p_ll`` (probability that a contact of a liquid particle
    is liquid), ``expected`` = (N_L − 1)/(N − 1), ``ratio`` = p_ll/expected, the permutation null's
    ``null_mean``/``null_std`` of the ratio and ``z`` = (ratio − null_mean)/null_std,
    ``expected_degree`` (the degree-preserving expectation of p_ll), ``n_liquid``, ``n`` and
    ``n_contacts``."""

    p_ll: float
    expected: float
    ratio: float
    null_mean: float
    null_std: float
    z: float
    expected_degree: float
    n_liquid: int
    n: int
    n_contacts: int


def _p_ll(masks, i, j, degree):
    """P_LL for each row of ``masks`` (n_rows, N)."""
    n_ll = np.sum(masks[:, i] & masks[:, j], axis=1)
    return 2.0 * n_ll / (masks @ degree)


def contact_statistics(positions, box, mask, cutoff, types=None, n_perm: int = 200, seed=0) -> ContactStats:
    """How often a liquid particle's contact is liquid, against shuffled labels (see module docstring).

    ``mask`` (N,) bool, the liquid particles (:func:`liquid_mask`), at least two of them and at least
    one with a contact; ``cutoff`` (σ) and ``types`` as in :func:`contact_pairs`; ``n_perm`` ≥ 2
    shuffles with the generator seeded by ``seed``.
    """
    pos, box = _configuration(positions, box)
    mask = _mask(mask, pos.shape[0])
    n_perm = int_scalar(n_perm, "n_perm", minimum=2)
    n, n_liq = mask.size, int(mask.sum())
    if n_liq < 2:
        raise ValueError(f"mask must select at least 2 particles, got {n_liq}")
    i, j = contact_pairs(pos, box, cutoff, types)
    degree = np.bincount(i, minlength=n) + np.bincount(j, minlength=n)
    k_liq = degree[mask]
    if k_liq.sum() == 0:
        raise ValueError("no selected particle has a contact: increase cutoff")
    expected = (n_liq - 1) / (n - 1)
    p_ll = float(_p_ll(mask[None], i, j, degree)[0])
    null = _p_ll(_permutations(mask, n_perm, seed), i, j, degree) / expected
    ratio = p_ll / expected
    sd = float(null.std(ddof=1))
    e_deg = float(np.sum(k_liq * (k_liq.sum() - k_liq)) / ((2 * i.size - 1) * k_liq.sum()))
    return ContactStats(p_ll=p_ll, expected=expected, ratio=ratio, null_mean=float(null.mean()), null_std=sd,
                        z=(ratio - float(null.mean())) / sd if sd > 0 else float("nan"),
                        expected_degree=e_deg, n_liquid=n_liq, n=n, n_contacts=int(i.size))


# --------------------------------------------------------------------------------------------------
# Clusters
# --------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ClusterStats:
    """Result of :func:`clusters`: ``sizes`` (descending), ``n_s`` (n_s[s] = number of clusters of
    size s), ``mean_size`` S = Σ s² n_s / Σ s n_s, ``largest``, and the permutation null's mean and
    standard deviation of both (``null_mean_size``, ``null_mean_size_std``, ``null_largest``,
    ``null_largest_std``)."""

    sizes: np.ndarray
    n_s: np.ndarray
    mean_size: float
    largest: int
    null_mean_size: float
    null_mean_size_std: float
    null_largest: float
    null_largest_std: float


def _cluster_sizes(mask, i, j) -> np.ndarray:
    """Sizes (descending) of the connected components of the selected particles."""
    sel = np.flatnonzero(mask)
    keep = mask[i] & mask[j]
    local = np.full(mask.size, -1)
    local[sel] = np.arange(sel.size)
    graph = coo_matrix((np.ones(keep.sum()), (local[i[keep]], local[j[keep]])), shape=(sel.size, sel.size))
    _, label = connected_components(graph, directed=False)
    return np.sort(np.bincount(label))[::-1]


def _weighted_mean_size(sizes) -> float:
    return float(np.sum(sizes.astype(float) ** 2) / np.sum(sizes))


def clusters(positions, box, mask, cutoff, types=None, n_perm: int = 100, seed=0) -> ClusterStats:
    """Connected clusters of the selected particles (``mask``) linked by contacts, with the null of
    the same number of particles chosen at random (labels shuffled, positions kept).

    Arguments as in :func:`contact_statistics`; ``mask`` must select at least one particle.
    """
    pos, box = _configuration(positions, box)
    mask = _mask(mask, pos.shape[0])
    n_perm = int_scalar(n_perm, "n_perm", minimum=2)
    if not mask.any():
        raise ValueError("mask must select at least one particle")
    i, j = contact_pairs(pos, box, cutoff, types)
    sizes = _cluster_sizes(mask, i, j)
    null = np.array([(_weighted_mean_size(s), s[0]) for s in
                     (_cluster_sizes(m, i, j) for m in _permutations(mask, n_perm, seed))])
    return ClusterStats(sizes=sizes, n_s=np.bincount(sizes), mean_size=_weighted_mean_size(sizes),
                        largest=int(sizes[0]), null_mean_size=float(null[:, 0].mean()),
                        null_mean_size_std=float(null[:, 0].std(ddof=1)), null_largest=float(null[:, 1].mean()),
                        null_largest_std=float(null[:, 1].std(ddof=1)))


# --------------------------------------------------------------------------------------------------
# Spacing of the liquid particles
# --------------------------------------------------------------------------------------------------
def unit_ball_volume(dim: int) -> float:
    """V_d = π^{d/2}/Γ(1 + d/2): π in 2D, 4π/3 in 3D."""
    dim = dimension(dim)
    return float(np.exp(0.5 * dim * np.log(np.pi) - gammaln(1 + 0.5 * dim)))


def poisson_nearest_distance(rho, dim: int) -> float:
    """Mean nearest-neighbour distance Γ(1 + 1/d)/(ρ V_d)^{1/d} (σ) of Poisson points of density
    ρ (σ⁻ᵈ)."""
    dim = dimension(dim)
    rho = real_scalar(rho, "rho", positive=True)
    return float(np.exp(gammaln(1 + 1 / dim)) / (rho * unit_ball_volume(dim)) ** (1 / dim))


@dataclass(frozen=True)
class NearestLiquid:
    """Result of :func:`nearest_liquid_distance` (σ): ``mean`` r̄₁ and its standard error ``err``
    (std/√N_L), ``xi`` = (ρ C_L)^{-1/d}, ``poisson`` (at ρ_L = N_L/V), ``binomial`` (the other
    N_L − 1 liquid particles uniform in V), the mean and standard deviation of r̄₁ when the labels
    are shuffled over the particles (``null_mean``, ``null_std``: random choice of the liquid
    particles among the real positions, which keeps the packing), ``c_liq`` = N_L/N and ``rho`` =
    N/V (σ⁻ᵈ)."""

    mean: float
    err: float
    xi: float
    poisson: float
    binomial: float
    null_mean: float
    null_std: float
    c_liq: float
    rho: float


def _nearest_distances(wrapped, box) -> np.ndarray:
    """Distance from each point to its nearest other point (minimum image)."""
    from scipy.spatial import cKDTree

    return cKDTree(wrapped, boxsize=box).query(wrapped, k=2)[0][:, 1]


def nearest_liquid_distance(positions, box, mask, n_perm: int = 50, seed=0) -> NearestLiquid:
    """Mean distance (σ, minimum image) from each liquid particle to the nearest other liquid one,
    beside ξ, the random-placement values and ``n_perm`` ≥ 2 shuffles of the labels. ``mask`` must
    select at least 2 particles; the largest nearest distance must stay below half the box side
    (otherwise the box is too small for the question)."""
    pos, box = _configuration(positions, box)
    mask = _mask(mask, pos.shape[0])
    n_perm = int_scalar(n_perm, "n_perm", minimum=2)
    n_liq, dim = int(mask.sum()), pos.shape[1]
    if n_liq < 2:
        raise ValueError(f"mask must select at least 2 particles, got {n_liq}")
    wrapped = np.mod(pos, box)
    wrapped[wrapped >= box] = 0.0                                   # np.mod may round up to the box
    r1 = _nearest_distances(wrapped[mask], box)
    if r1.max() >= 0.5 * box.min():
        raise ValueError("the box is too small for the nearest-liquid distances (some exceed L/2)")
    null = np.array([_nearest_distances(wrapped[m], box).mean() for m in _permutations(mask, n_perm, seed)])
    vol = float(np.prod(box))
    m = n_liq - 1
    binomial = (vol / unit_ball_volume(dim)) ** (1 / dim) * np.exp(gammaln(1 + 1 / dim) + gammaln(m + 1)
                                                                  - gammaln(m + 1 + 1 / dim))
    rho, c_liq = pos.shape[0] / vol, n_liq / pos.shape[0]
    return NearestLiquid(mean=float(r1.mean()), err=float(r1.std(ddof=1) / np.sqrt(n_liq)),
                         xi=correlation_length(rho, c_liq, dim).item(),
                         poisson=poisson_nearest_distance(n_liq / vol, dim), binomial=float(binomial),
                         null_mean=float(null.mean()), null_std=float(null.std(ddof=1)),
                         c_liq=c_liq, rho=rho)


@dataclass(frozen=True)
class LiquidGeometry:
    """Everything :func:`liquid_geometry` measures on one configuration: ``mask``, ``contacts``
    (:class:`ContactStats`), ``clusters`` (:class:`ClusterStats`), ``nearest`` (:class:`NearestLiquid`)."""

    mask: np.ndarray
    contacts: ContactStats
    clusters: ClusterStats
    nearest: NearestLiquid


def liquid_geometry(positions, box, types, scheme: SpeciesScheme, liquid_labels=None, cutoff=None,
                    n_perm: int = 100, seed=0) -> LiquidGeometry:
    """:func:`liquid_mask`, :func:`contact_statistics`, :func:`clusters` and
    :func:`nearest_liquid_distance` of one configuration; contacts within ``cutoff`` (σ; default the
    scheme's neighbour cutoff)."""
    mask = liquid_mask(positions, box, types, scheme, liquid_labels)
    rc = scheme.cutoff if cutoff is None else cutoff
    return LiquidGeometry(mask=mask, contacts=contact_statistics(positions, box, mask, rc, types, n_perm, seed),
                          clusters=clusters(positions, box, mask, rc, types, n_perm, seed),
                          nearest=nearest_liquid_distance(positions, box, mask, n_perm, seed))


# --------------------------------------------------------------------------------------------------
# Dynamic length: four-point susceptibility and mobile clusters
# --------------------------------------------------------------------------------------------------
def _trajectory(times, frames):
    times = float_array(times, "times", ndim=1, min_size=2)
    increasing(times, "times")
    frames = float_array(frames, "frames", ndim=3)
    if frames.shape[0] != times.size:
        raise ValueError(f"frames must have one frame per time ({times.size}), got {frames.shape[0]}")
    dimension(frames.shape[2], "frames' last axis (dimension)")
    return times, frames


@dataclass(frozen=True)
class Chi4Result:
    """Result of :func:`chi4`: lags ``t`` (from 0), ``chi4`` and its error ``chi4_err`` (scatter of the
    origin blocks; NaN where fewer than two blocks have the lag), the mean overlap ``q``, ``counts``
    (origins per lag), the peak time ``t_peak`` and height ``chi4_peak`` (± ``chi4_peak_err``), the
    number of particles ``n`` and the overlap radius ``a`` (σ)."""

    t: np.ndarray
    chi4: np.ndarray
    chi4_err: np.ndarray
    q: np.ndarray
    counts: np.ndarray
    t_peak: float
    chi4_peak: float
    chi4_peak_err: float
    n: int
    a: float

    def write(self, path) -> None:
        """CSV: t, chi4, chi4_err, q, counts; header ``# n=…, a=…`` (read back with :func:`read_chi4`)."""
        write_curve(path, {"n": self.n, "a": float(self.a)}, ["t", "chi4", "chi4_err", "q", "counts"],
                    [self.t, self.chi4, self.chi4_err, self.q, self.counts])


def _chi4_result(t, chi, err, q, counts, n, a) -> Chi4Result:
    """A :class:`Chi4Result` whose peak is the largest χ4 at a positive lag (lag 0 if there is none)."""
    positive = np.flatnonzero(t > 0)
    k = int(positive[np.argmax(chi[positive])]) if positive.size else 0
    return Chi4Result(t=t, chi4=chi, chi4_err=err, q=q, counts=np.asarray(counts, np.int64), t_peak=float(t[k]),
                      chi4_peak=float(chi[k]), chi4_peak_err=float(err[k]), n=int(n), a=float(a))


def read_chi4(path) -> Chi4Result:
    """Read a curve written by :meth:`Chi4Result.write`; ValueError naming ``path`` if it is not one."""
    meta, d = read_curve(path, "a chi4 curve written by Chi4Result.write", {"n": int, "a": float}, 5)
    return _chi4_result(d[:, 0], d[:, 1], d[:, 2], d[:, 3], d[:, 4].astype(np.int64), meta["n"], meta["a"])


def join_chi4(short: Chi4Result, long: Chi4Result) -> Chi4Result:
    """One χ4(t) from two measurements of the same trajectory: ``short`` (fine lags, few origins, e.g.
    log-spaced frames from block starts) below the first positive lag of ``long`` (a coarse, even grid
    of lags with many origins), ``long`` from there on. Both must have the same N and overlap radius
    a; the peak is taken again on the joined curve. Why: the χ4 peak needs many origins (its height is a
    variance over origins) while the short-time rise needs lags finer than an even grid affords."""
    if not (isinstance(short, Chi4Result) and isinstance(long, Chi4Result)):
        raise TypeError("short and long must be Chi4Result")
    if short.n != long.n or short.a != long.a:
        raise ValueError(f"cannot join chi4 of N = {short.n}, a = {short.a} with N = {long.n}, a = {long.a}")
    grid = long.t[long.t > 0]
    if grid.size == 0:
        raise ValueError("long has no positive lag")
    s = short.t < grid[0] * (1 - 1e-9)
    g = long.t > 0
    cat = lambda name: np.concatenate([getattr(short, name)[s], getattr(long, name)[g]])  # noqa: E731
    return _chi4_result(cat("t"), cat("chi4"), cat("chi4_err"), cat("q"), cat("counts"), long.n, long.a)


def _variance_by_lag(lag_id, n_lag, Q):
    """Mean of Q and ⟨Q²⟩ − ⟨Q⟩² per lag (NaN for lags without origins)."""
    cnt = np.bincount(lag_id, minlength=n_lag).astype(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.bincount(lag_id, weights=Q, minlength=n_lag) / cnt
        var = np.bincount(lag_id, weights=Q * Q, minlength=n_lag) / cnt - mean**2
    return mean, np.maximum(var, 0.0), cnt


def chi4(times, frames, a: float = 0.3, origins=None, max_lag: float | None = None,
         n_blocks: int = 4) -> Chi4Result:
    """Four-point susceptibility χ4(t) = N[⟨Q²⟩ − ⟨Q⟩²] of the overlap with radius ``a`` (σ).

    ``times`` (n_frames,) increasing; ``frames`` (n_frames, N, d) **unwrapped** positions in σ;
    ``origins``: frame indices used as time origins (default: all); every later frame of an origin
    up to ``max_lag`` (default: all) gives one lag (equal lags within 1e-9 of the span are pooled,
    as in :func:`.isf.self_isf`). Origins closer than a lag share part of their displacements, so
    the variance over origins of one trajectory is biased low, roughly by lag/(time span): use a
    trajectory much longer than t* (independent walkers, measured: −24 % on average over lags up
    to span/5; within 10 % for lags up to span/60).
    The error of χ4 is the scatter of the values from ``n_blocks`` contiguous blocks of origins over
    √n_blocks. The peak is the largest χ4 at a positive lag.
    """
    times, frames = _trajectory(times, frames)
    a = real_scalar(a, "a", positive=True)
    n_blocks = int_scalar(n_blocks, "n_blocks", minimum=2)
    org = np.arange(times.size - 1) if origins is None else int_array(origins, "origins")
    if org.size == 0 or org.min() < 0 or org.max() >= times.size - 1:
        raise ValueError(f"origins must be frame indices in [0, {times.size - 1})")
    span = times[-1] - times[0]
    max_lag = span if max_lag is None else real_scalar(max_lag, "max_lag", nonnegative=True)
    end = np.searchsorted(times, times[org] + max_lag * (1 + 1e-12) + 1e-12 * span, side="right")
    o = np.concatenate([np.full(e - k, k) for k, e in zip(org, end)])
    f = np.concatenate([np.arange(k, e) for k, e in zip(org, end)])
    # Q of the later frames of one origin at a time: memory O(n_frames N), not O(n_pairs N)
    Q = np.concatenate([np.mean(np.sum((frames[k:e] - frames[k]) ** 2, axis=2) < a * a, axis=1)
                        for k, e in zip(org, end)])
    lag_id, n_lag = _group_lags(times[f] - times[o], 1e-9 * span)
    n = frames.shape[1]
    q, var, cnt = _variance_by_lag(lag_id, n_lag, Q)
    t = np.bincount(lag_id, weights=times[f] - times[o], minlength=n_lag) / cnt
    blocks = np.array_split(org, min(n_blocks, org.size))
    block_of = np.zeros(times.size, np.int64)
    for b, members in enumerate(blocks):
        block_of[members] = b
    ob = block_of[o]
    per_block = np.array([n * _variance_by_lag(lag_id[ob == b], n_lag, Q[ob == b])[1] for b in range(len(blocks))])
    ok = np.isfinite(per_block)
    n_ok = ok.sum(axis=0)
    centred = np.where(ok, per_block - np.where(ok, per_block, 0).sum(axis=0) / np.maximum(n_ok, 1), 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        err = np.where(n_ok >= 2, np.sqrt(np.sum(centred**2, axis=0) / ((n_ok - 1) * n_ok)), np.nan)
    return _chi4_result(t, n * var, err, q, cnt.astype(np.int64), n, a)


@dataclass(frozen=True)
class MobileClusters:
    """Result of :func:`mobile_clusters`, averaged over time origins: ``mean_size`` (S of the mobile
    particles' clusters) and ``largest`` with their standard errors over origins, the same for
    random sets of as many particles (``null_mean_size``, ``null_largest``), the ``lag`` used,
    ``fraction`` and the number of origins ``n_origins``."""

    mean_size: float
    mean_size_err: float
    largest: float
    largest_err: float
    null_mean_size: float
    null_largest: float
    lag: float
    fraction: float
    n_origins: int


def mobile_clusters(times, frames, box, lag: float, cutoff, types=None, fraction: float = 0.05,
                    n_perm: int = 20, seed=0) -> MobileClusters:
    """Clusters of the most mobile particles: at every origin t0 with a frame at t0 + ``lag`` (within
    1e-9 of the span), the ``fraction`` of particles with the largest |r(t0 + lag) − r(t0)| are
    linked by contacts (``cutoff``, ``types`` as in :func:`contact_pairs`) at t0.

    ``frames`` (n_frames, N, d) unwrapped positions in σ, ``times`` increasing, ``box`` (d,) in σ,
    ``lag`` > 0 (e.g. the χ4 peak time t*), 0 < ``fraction`` < 1 (0.05–0.1 usual). The null draws
    ``n_perm`` random sets of the same size per origin.
    """
    times, frames = _trajectory(times, frames)
    lag = real_scalar(lag, "lag", positive=True)
    fraction = real_scalar(fraction, "fraction", positive=True)
    if fraction >= 1:
        raise ValueError(f"fraction must lie in (0, 1), got {fraction}")
    n_perm = int_scalar(n_perm, "n_perm", minimum=2)
    n = frames.shape[1]
    n_mobile = max(1, int(round(fraction * n)))
    later = np.searchsorted(times, times + lag - 1e-9 * (times[-1] - times[0]))
    pairs = [(k, m) for k, m in enumerate(later)
             if m < times.size and abs(times[m] - times[k] - lag) <= 1e-9 * (times[-1] - times[0])]
    if not pairs:
        raise ValueError(f"no pair of frames is lag = {lag} apart")
    rng = np.random.default_rng(seed)
    obs, null = [], []
    for k, m in pairs:
        i, j = contact_pairs(frames[k], box, cutoff, types)
        mobile = np.zeros(n, bool)
        mobile[np.argsort(np.sum((frames[m] - frames[k]) ** 2, axis=1))[-n_mobile:]] = True
        s = _cluster_sizes(mobile, i, j)
        obs.append((_weighted_mean_size(s), s[0]))
        for _ in range(n_perm):
            s = _cluster_sizes(rng.permutation(mobile), i, j)
            null.append((_weighted_mean_size(s), s[0]))
    obs, null = np.array(obs, float), np.array(null, float)
    err = obs.std(axis=0, ddof=1) / np.sqrt(len(obs)) if len(obs) > 1 else np.full(2, np.nan)
    return MobileClusters(mean_size=float(obs[:, 0].mean()), mean_size_err=float(err[0]),
                          largest=float(obs[:, 1].mean()), largest_err=float(err[1]),
                          null_mean_size=float(null[:, 0].mean()), null_largest=float(null[:, 1].mean()),
                          lag=lag, fraction=fraction, n_origins=len(obs))
