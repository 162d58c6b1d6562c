r"""Self-intermediate scattering function :math:`F_s(k,t)` and the structural relaxation time τα.

.. math::

    F_s(k,t) = \Big\langle \frac{1}{N_\mathrm{sel}} \sum_{j\in\mathrm{sel}}
               e^{\,i\mathbf k\cdot[\mathbf r_j(t_0+t)-\mathbf r_j(t_0)]} \Big\rangle_{t_0,\;|\mathbf k|=k}

Eqs. (2) and (4) of Boué, Lerner, Procaccia & Zylberg (arXiv:0905.3962), averaged over time origins
:math:`t_0` and over wave vectors of modulus k. Displacements must be **unwrapped** (no periodic
folding). Units: lengths in σ, k in σ⁻¹, times in the unit of ``times`` (τ_LJ in the book).

Two isotropic averages are offered:

* ``method="exact"`` (default): the orientational average done analytically,
  :math:`\langle e^{i\mathbf k\cdot\Delta\mathbf r}\rangle_{\hat k} = \sin(k\Delta r)/(k\Delta r)` in 3D and
  :math:`J_0(k\Delta r)` in 2D. It is the complete average over the shell |k| = k for every particle,
  so it needs no assumption and has the smallest statistical noise; for an isotropic liquid it is also
  what any large set of directions gives.
* ``method="vectors"``: an explicit set of wave vectors of modulus k (a Fibonacci sphere in 3D, evenly
  spaced angles in 2D), as a simulation would use for a single direction set. It converges to the
  exact average as the number of vectors grows (tested); it is the one to use to look at one set of
  directions (e.g. to detect anisotropy). These vectors are not commensurate with the box, which is
  allowed for the self part computed from unwrapped displacements.

Only the real part is returned: the shell average is real, and for explicit vectors summing cos(k·Δr)
amounts to symmetrising the set under k → −k (the imaginary part has zero mean in a liquid without
net drift).

Sampling follows atooms: frames may be log-spaced in blocks (:func:`log_block_steps`), and every pair
(origin, later frame) contributes to the lag ``t_frame − t_origin``; lags that coincide (within
1e-9 of the time span) are averaged together. Choosing the block starts as origins
(:func:`block_origins`) gives the classic "many origins, log-spaced lags" estimator.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numba import njit

from .._checks import dimension, float_array, int_array, int_scalar, real_scalar
from .time_origins import correlate, lag_curve, read_curve, write_curve

__all__ = [
    "ISFResult",
    "self_isf",
    "read_isf",
    "tau_alpha",
    "isotropic_average",
    "wave_vectors",
    "log_block_steps",
    "block_origins",
]

INV_E = float(np.exp(-1.0))


# --------------------------------------------------------------------------------------------------
# Kernels
# --------------------------------------------------------------------------------------------------
@njit(cache=True)
def _bessel_j0(x):
    """J0(x) for x ≥ 0, rational/asymptotic approximation (Numerical Recipes; |error| < 1e-7)."""
    ax = abs(x)
    if ax < 8.0:
        y = x * x
        a1 = 57568490574.0 + y * (-13362590354.0 + y * (651619640.7 + y * (-11214424.18
                                  + y * (77392.33017 + y * (-184.9052456)))))
        a2 = 57568490411.0 + y * (1029532985.0 + y * (9494680.718 + y * (59272.64853
                                  + y * (267.8532712 + y * 1.0))))
        return a1 / a2
    z = 8.0 / ax
    y = z * z
    xx = ax - 0.785398164
    a1 = 1.0 + y * (-0.1098628627e-2 + y * (0.2734510407e-4 + y * (-0.2073370639e-5 + y * 0.2093887211e-6)))
    a2 = -0.1562499995e-1 + y * (0.1430488765e-3 + y * (-0.6911147651e-5 + y * (0.7621095161e-6
                                 - y * 0.934935152e-7)))
    return np.sqrt(0.636619772 / ax) * (np.cos(xx) * a1 - z * np.sin(xx) * a2)


@njit(cache=True)
def _sinc(x):
    """sin(x)/x with the Taylor series near 0."""
    if abs(x) < 1e-4:
        return 1.0 - x * x / 6.0
    return np.sin(x) / x


@njit(cache=True)
def _isotropic_values(x, dim):
    out = np.empty(x.size)
    for i in range(x.size):
        out[i] = _sinc(x[i]) if dim == 3 else _bessel_j0(x[i])
    return out


@njit(cache=True)
def _fs_pairs(pos, sel, org, frm, k, kvecs, exact):
    """Per (origin, frame) pair: mean over the selected particles of the isotropic average.

    ``exact``: sin(k|Δr|)/(k|Δr|) in 3D, J0(k|Δr|) in 2D; otherwise the mean of cos(k·Δr) over the
    rows of ``kvecs``.
    """
    dim = pos.shape[2]
    nk = kvecs.shape[0]
    out = np.empty(org.size)
    d = np.empty(dim)
    for p in range(org.size):
        s = 0.0
        for jj in range(sel.size):
            j = sel[jj]
            for c in range(dim):
                d[c] = pos[frm[p], j, c] - pos[org[p], j, c]
            if exact:
                x = k * np.sqrt(np.sum(d * d))
                s += _sinc(x) if dim == 3 else _bessel_j0(x)
            else:
                acc = 0.0
                for q in range(nk):
                    acc += np.cos(np.sum(kvecs[q] * d))
                s += acc / nk
        out[p] = s / sel.size
    return out


# --------------------------------------------------------------------------------------------------
# Public helpers
# --------------------------------------------------------------------------------------------------
def isotropic_average(kr, dim: int) -> np.ndarray:
    r"""Orientational average of :math:`e^{i\mathbf k\cdot\mathbf r}` at fixed :math:`|\mathbf k||\mathbf r| = kr`.

    3D: :math:`\sin(kr)/(kr)`; 2D: :math:`J_0(kr)` (dimensionless). ``kr`` ≥ 0, any shape.
    """
    dim = _check_dim(dim)
    x = float_array(kr, "kr", min_size=0)
    if np.any(x < 0):
        raise ValueError("kr must be >= 0")
    return _isotropic_values(x.ravel(), dim).reshape(x.shape)


def wave_vectors(k: float, dim: int, n: int) -> np.ndarray:
    """``n`` wave vectors of modulus ``k`` (σ⁻¹), spread uniformly over directions; shape (n, dim).

    3D: Fibonacci (golden-spiral) points on the sphere; 2D: angles π m/n, m = 0…n−1 (half a circle is
    enough because only cos(k·Δr), which is even in k, enters).
    """
    k = real_scalar(k, "k", positive=True)
    dim = _check_dim(dim)
    n = int_scalar(n, "n")
    m = np.arange(n, dtype=np.float64)
    if dim == 2:
        theta = np.pi * m / n
        return k * np.column_stack([np.cos(theta), np.sin(theta)])
    z = 1.0 - (2.0 * m + 1.0) / n
    rho = np.sqrt(1.0 - z * z)
    phi = np.pi * (3.0 - np.sqrt(5.0)) * m
    return k * np.column_stack([rho * np.cos(phi), rho * np.sin(phi), z])


def log_block_steps(n_blocks: int, n_per_block: int, base: int = 2) -> np.ndarray:
    """Integer sampling steps in atooms-style log-spaced blocks.

    Within a block the offsets are 0, 1, base, base², …, base^(n_per_block−2); the block period is
    base^(n_per_block−1), so block b starts at b·period and the steps are strictly increasing. The
    last sample (the start of block ``n_blocks``) closes the final block.
    """
    n_blocks = int_scalar(n_blocks, "n_blocks")
    n_per_block = int_scalar(n_per_block, "n_per_block", minimum=2)
    base = int_scalar(base, "base", minimum=2)
    offsets = np.concatenate([[0], base ** np.arange(n_per_block - 1)]).astype(np.int64)
    offsets = np.unique(offsets)
    period = int(base) ** (n_per_block - 1)
    steps = (np.arange(n_blocks, dtype=np.int64)[:, None] * period + offsets[None, :]).ravel()
    return np.append(steps, n_blocks * period)


def block_origins(steps, period: int) -> np.ndarray:
    """Indices of the frames whose step is a multiple of ``period`` (the block starts)."""
    steps = int_array(steps, "steps")
    period = int_scalar(period, "period")
    return np.flatnonzero(steps % period == 0)


@dataclass(frozen=True)
class ISFResult:
    """F_s(k, t) on the grid of distinct lags.

    ``t`` (lags, starting at 0), ``fs`` (mean over all origin pairs), ``fs_err`` (standard error from
    the scatter of the ``n_chunks`` origin chunks; NaN where fewer than two chunks have the lag),
    ``counts`` (number of origins per lag), ``fs_chunks`` (shape (n_chunks, n_lags), NaN where a
    chunk lacks the lag), ``k`` (σ⁻¹), ``dim`` and ``method``.
    """

    t: np.ndarray
    fs: np.ndarray
    fs_err: np.ndarray
    counts: np.ndarray
    fs_chunks: np.ndarray
    k: float
    dim: int
    method: str

    def tau_alpha(self, level: float = INV_E) -> tuple[float, float]:
        """τα where F_s crosses ``level`` (default 1/e), with its standard error.

        The value comes from the mean curve; the error is the standard error of the mean of the
        chunk values (std with ddof=1 over √n), NaN if fewer than two chunks cross.
        """
        tau = tau_alpha(self.t, self.fs, level)
        taus = []
        for row in self.fs_chunks:
            ok = np.isfinite(row)
            if ok.sum() >= 2:
                taus.append(tau_alpha(self.t[ok], row[ok], level))
        taus = np.array([x for x in taus if np.isfinite(x)])
        err = float(np.std(taus, ddof=1) / np.sqrt(taus.size)) if taus.size >= 2 else float("nan")
        return tau, err

    def write(self, path) -> None:
        """Write the curve to a CSV file: t, fs, fs_err, counts and one column per origin chunk.

        The header line ``# k=…, dim=…, method=…`` keeps the metadata; :func:`read_isf` reads it back.
        """
        names = ["t", "fs", "fs_err", "counts"] + [f"chunk{c}" for c in range(self.fs_chunks.shape[0])]
        write_curve(path, {"k": self.k, "dim": self.dim, "method": self.method}, names,
                    [self.t, self.fs, self.fs_err, self.counts, self.fs_chunks.T])


def self_isf(times, positions, k: float, *, select=None, origins=None, method: str = "exact",
             n_vectors: int = 64, max_lag: float | None = None, n_chunks: int = 4, cage=None) -> ISFResult:
    r"""Self-intermediate scattering function from unwrapped positions.

    Parameters
    ----------
    times : (n_frames,) array, strictly increasing (any time unit).
    positions : (n_frames, N, dim) array, **unwrapped** coordinates in σ, dim = 2 or 3.
    k : wave-vector modulus in σ⁻¹ (> 0); 5.1 for the binary3d large particles, 6.16 for hump2d.
    select : None (all particles), a boolean mask of length N, or integer particle indices.
    origins : frame indices used as time origins (default: every frame). For log-block sampling pass
        :func:`block_origins`.
    method : ``"exact"`` (analytic orientational average) or ``"vectors"`` (explicit wave vectors).
    n_vectors : number of wave vectors for ``method="vectors"``.
    max_lag : largest lag kept (default: all).
    n_chunks : the origins are split into this many contiguous chunks for the error bars (≥ 1; see
        :mod:`.time_origins`).
    cage : None, or a :class:`~scaledyn.analysis.cage.Cage` for the cage-relative F_s, built on the
        displacements relative to each particle's neighbours at the origin (same pairs, same average).

    Returns
    -------
    ISFResult
    """
    k = real_scalar(k, "k", positive=True)
    if method not in ("exact", "vectors"):
        raise ValueError(f"method must be 'exact' or 'vectors', got {method!r}")
    exact = method == "exact"

    def values(pos, sel, org, frm):
        kvecs = np.zeros((1, pos.shape[2])) if exact else wave_vectors(k, pos.shape[2], n_vectors)
        return _fs_pairs(pos, sel, org, frm, k, kvecs, exact)

    curve, dim = correlate(times, positions, values, select=select, origins=origins, max_lag=max_lag,
                           n_chunks=n_chunks, cage=cage)
    return ISFResult(t=curve.t, fs=curve.mean, fs_err=curve.err, counts=curve.counts, fs_chunks=curve.chunks,
                     k=k, dim=dim, method=method)


def read_isf(path) -> ISFResult:
    """Read a curve written by :meth:`ISFResult.write`; ValueError naming ``path`` if it is not one."""
    meta, data = read_curve(path, "an F_s(k, t) curve written by ISFResult.write",
                            {"k": float, "dim": int, "method": str}, 4)
    return ISFResult(t=data[:, 0], fs=data[:, 1], fs_err=data[:, 2], counts=data[:, 3].astype(np.int64),
                     fs_chunks=data[:, 4:].T.copy(), **meta)


def tau_alpha(t, fs, level: float = INV_E) -> float:
    r"""Time at which ``fs`` first drops below ``level`` (default 1/e), interpolated in log t.

    Between the two bracketing samples (t₁, f₁ ≥ level) and (t₂, f₂ < level):
    :math:`\ln\tau = \ln t_1 + (f_1-\ell)/(f_1-f_2)\,(\ln t_2-\ln t_1)` (linear in t if t₁ = 0).
    Returns NaN if the curve never crosses ``level`` or starts below it. ``t`` ≥ 0 strictly
    increasing; ``fs`` finite, same length.
    """
    t, fs = lag_curve(t, fs)
    level = real_scalar(level, "level")
    below = np.flatnonzero(fs < level)
    if below.size == 0 or below[0] == 0:
        return float("nan")
    i = below[0]
    t1, t2, f1, f2 = t[i - 1], t[i], fs[i - 1], fs[i]
    frac = (f1 - level) / (f1 - f2)
    if t1 <= 0.0:
        return float(t1 + frac * (t2 - t1))
    return float(np.exp(np.log(t1) + frac * (np.log(t2) - np.log(t1))))


# --------------------------------------------------------------------------------------------------
def _check_dim(dim, name: str = "dim") -> int:
    return dimension(dim, name)
