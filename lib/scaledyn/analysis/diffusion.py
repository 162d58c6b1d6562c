r"""Mean-squared displacement, the diffusion constant, and the Stokes–Einstein product.

**MSD.** From unwrapped positions (σ), averaged over the selected particles and over time origins
exactly as :func:`.isf.self_isf` averages F_s (same pairs, same lag pooling, same chunk errors:
:mod:`.time_origins`):

.. math::

    \langle\Delta r^2(t)\rangle = \Big\langle \frac{1}{N_\mathrm{sel}} \sum_{j\in\mathrm{sel}}
    |\mathbf r_j(t_0+t) - \mathbf r_j(t_0)|^2 \Big\rangle_{t_0}\quad [\sigma^2].

Known limits: ballistic motion gives :math:`v^2t^2`, Brownian motion :math:`2dDt`. With
``cage=`` (:class:`.cage.Cage`) the displacements are cage-relative.

**Diffusion constant.** :math:`D = \lim_{t\to\infty} \langle\Delta r^2\rangle/(2dt)` (σ²/τ). It is
fitted only where the MSD is diffusive: the *local exponent*
:math:`\alpha(t) = d\ln\langle\Delta r^2\rangle/d\ln t` (least-squares slope over the lags within a
factor ``span`` either side of t) lies within ``tolerance`` of 1, and :math:`t \ge` ``after_tau``·τα
when τα is given. The window is the longest run of consecutive such lags (at least ``min_points``).
On it, :math:`\langle\Delta r^2\rangle = 2dDt + c` is fitted by unweighted least squares; the
intercept c absorbs the ballistic and cage excess (a constant at long times), which a fit through
the origin would fold into D. The error of D is the scatter of the same fit on the chunk curves of
the MSD (contiguous chunks of origins, :mod:`.time_origins`): std (ddof = 1) over √n_chunks.
Without a diffusive window D is NaN and ``reason`` says why.

**Stokes–Einstein.** With the viscosity proportional to τα (Maxwell, a constant G∞),
:math:`D\propto T/\eta` makes :math:`D\tau_\alpha/T` constant; its growth on cooling measures the
breakdown. :math:`D\tau_\alpha` (constant if :math:`\eta\propto T\tau_\alpha`) is given as well.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numba import njit

from .._checks import float_array, int_scalar, real_scalar
from .stats import linear_lsq
from .time_origins import correlate, read_curve, write_curve

__all__ = ["MSDResult", "mean_squared_displacement", "read_msd", "local_exponent", "DiffusionFit",
           "diffusion_constant", "StokesEinstein", "stokes_einstein"]


@njit(cache=True)
def _msd_pairs(pos, sel, org, frm):
    """Per (origin, frame) pair: mean over the selected particles of |Δr|²."""
    out = np.empty(org.size)
    for p in range(org.size):
        s = 0.0
        for jj in range(sel.size):
            j = sel[jj]
            for c in range(pos.shape[2]):
                d = pos[frm[p], j, c] - pos[org[p], j, c]
                s += d * d
        out[p] = s / sel.size
    return out


@dataclass(frozen=True)
class MSDResult:
    """⟨Δr²(t)⟩ (σ²) on the grid of distinct lags ``t``: ``msd``, ``msd_err`` (chunk standard error),
    ``counts`` (origins per lag), ``msd_chunks`` (n_chunks × n_lags), ``dim`` and ``cage_cutoff``
    (σ; NaN for the standard MSD)."""

    t: np.ndarray
    msd: np.ndarray
    msd_err: np.ndarray
    counts: np.ndarray
    msd_chunks: np.ndarray
    dim: int
    cage_cutoff: float = float("nan")

    def write(self, path) -> None:
        """CSV: t, msd, msd_err, counts, one column per chunk; header ``# dim=…, cage_cutoff=…``."""
        names = ["t", "msd", "msd_err", "counts"] + [f"chunk{c}" for c in range(self.msd_chunks.shape[0])]
        write_curve(path, {"dim": self.dim, "cage_cutoff": float(self.cage_cutoff)}, names,
                    [self.t, self.msd, self.msd_err, self.counts, self.msd_chunks.T])


def read_msd(path) -> MSDResult:
    """Read a curve written by :meth:`MSDResult.write`; ValueError naming ``path`` if it is not one."""
    meta, data = read_curve(path, "an MSD curve written by MSDResult.write", {"dim": int, "cage_cutoff": float}, 4)
    return MSDResult(t=data[:, 0], msd=data[:, 1], msd_err=data[:, 2], counts=data[:, 3].astype(np.int64),
                     msd_chunks=data[:, 4:].T.copy(), **meta)


def mean_squared_displacement(times, positions, *, select=None, origins=None, max_lag: float | None = None,
                              n_chunks: int = 4, cage=None) -> MSDResult:
    """⟨Δr²(t)⟩ from **unwrapped** positions (n_frames, N, dim) in σ at strictly increasing ``times``.

    ``select``, ``origins``, ``max_lag``, ``n_chunks`` and ``cage`` as in :func:`.isf.self_isf`
    (None: all particles, every frame an origin, all lags, no cage).
    """
    curve, dim = correlate(times, positions, _msd_pairs, select=select, origins=origins, max_lag=max_lag,
                           n_chunks=n_chunks, cage=cage)
    return MSDResult(t=curve.t, msd=curve.mean, msd_err=curve.err, counts=curve.counts, msd_chunks=curve.chunks,
                     dim=dim, cage_cutoff=float("nan") if cage is None else cage.cutoff)


def local_exponent(t, msd, span: float = 2.0) -> np.ndarray:
    r""":math:`\alpha(t_i) = d\ln\mathrm{MSD}/d\ln t`: least-squares slope of ln MSD against ln t over
    the lags in :math:`[t_i/\mathrm{span}, t_i\,\mathrm{span}]`. NaN at t = 0, where MSD ≤ 0, or with
    fewer than 3 usable lags in the range. 1: diffusive; 2: ballistic; < 1: caged."""
    t = float_array(t, "t", ndim=1, min_size=2)
    msd = float_array(msd, "msd", ndim=1, min_size=2, finite=False)
    if msd.size != t.size:
        raise ValueError(f"msd and t must have the same length, got {msd.size} and {t.size}")
    span = real_scalar(span, "span", positive=True)
    if span <= 1.0:
        raise ValueError(f"span must be > 1, got {span}")
    ok = (t > 0) & np.isfinite(msd) & (msd > 0)
    x = np.log(np.where(ok, t, 1.0))
    y = np.log(np.where(ok, msd, 1.0))
    out = np.full(t.size, np.nan)
    for i in np.flatnonzero(ok):
        m = ok & (np.abs(x - x[i]) <= np.log(span))
        if m.sum() >= 3:
            out[i] = np.polyfit(x[m], y[m], 1)[0]
    return out


@dataclass(frozen=True)
class DiffusionFit:
    """Result of :func:`diffusion_constant`: ``D`` and ``D_err`` (σ²/τ, NaN without a window), the
    window ``t_min``–``t_max`` and its ``n_points`` lags, the fitted ``intercept`` c (σ²), and
    ``reason`` (None when fitted, else why not)."""

    D: float
    D_err: float
    t_min: float
    t_max: float
    n_points: int
    intercept: float
    reason: str | None = None


def diffusion_constant(msd: MSDResult, *, tau_alpha: float | None = None, after_tau: float = 2.0,
                       tolerance: float = 0.1, span: float = 2.0, min_points: int = 4) -> DiffusionFit:
    """D from the diffusive part of ``msd`` (an :class:`MSDResult`); criterion and fit in the module
    docstring. ``tau_alpha`` (same time unit as ``msd.t``): only lags t ≥ ``after_tau``·τα count;
    ``tolerance``: allowed |α − 1|; ``span``: see :func:`local_exponent`."""
    if not isinstance(msd, MSDResult):
        raise TypeError(f"msd must be an MSDResult, got {type(msd).__name__}")
    t_start = 0.0
    if tau_alpha is not None:
        tau_alpha = real_scalar(tau_alpha, "tau_alpha", positive=True)
        t_start = real_scalar(after_tau, "after_tau", nonnegative=True) * tau_alpha
    tolerance = real_scalar(tolerance, "tolerance", positive=True)
    min_points = int_scalar(min_points, "min_points", minimum=2)
    alpha = local_exponent(msd.t, msd.msd, span)
    good = (msd.t >= t_start) & (np.abs(alpha - 1.0) <= tolerance)
    run = _longest_run(good)
    if run.size < min_points:
        seen = alpha[(msd.t >= t_start) & np.isfinite(alpha)]
        where = f"{seen.min():.3g} to {seen.max():.3g}" if seen.size else "undefined"
        reason = (f"no diffusive window: fewer than {min_points} consecutive lags with t >= {t_start:.4g} and a "
                  f"local exponent within 1 +/- {tolerance:g} (exponent there: {where})")
        return DiffusionFit(np.nan, np.nan, np.nan, np.nan, int(run.size), np.nan, reason)
    slope, intercept = _line(msd.t[run], msd.msd[run])
    per_chunk = []
    for row in msd.msd_chunks:
        ok = np.isfinite(row[run])
        if ok.sum() >= 2:
            per_chunk.append(_line(msd.t[run][ok], row[run][ok])[0])
    scale = 2.0 * msd.dim
    err = np.std(per_chunk, ddof=1) / np.sqrt(len(per_chunk)) / scale if len(per_chunk) >= 2 else np.nan
    return DiffusionFit(D=float(slope / scale), D_err=float(err), t_min=float(msd.t[run[0]]),
                        t_max=float(msd.t[run[-1]]), n_points=int(run.size), intercept=float(intercept))


def _line(t, y) -> tuple[float, float]:
    """(slope, intercept) of the unweighted least-squares line y = slope t + intercept."""
    fit = linear_lsq(np.column_stack([t, np.ones_like(t)]), y)
    return float(fit.coef[0]), float(fit.coef[1])


def _longest_run(mask: np.ndarray) -> np.ndarray:
    """Indices of the longest run of consecutive True entries (the first if tied; empty if none)."""
    best, start = np.array([], np.int64), None
    for i, v in enumerate(np.append(mask, False)):
        if v and start is None:
            start = i
        elif not v and start is not None:
            if i - start > best.size:
                best = np.arange(start, i)
            start = None
    return best


@dataclass(frozen=True)
class StokesEinstein:
    """Per temperature ``T``: ``D_tau`` = D·τα (σ²) and ``D_tau_over_T`` = D·τα/T (σ² k_B/ε), with
    errors propagated from independent errors of D and τα (relative errors in quadrature)."""

    T: np.ndarray
    D_tau: np.ndarray
    D_tau_err: np.ndarray
    D_tau_over_T: np.ndarray
    D_tau_over_T_err: np.ndarray


def stokes_einstein(T, D, D_err, tau_alpha, tau_alpha_err) -> StokesEinstein:
    r"""The Stokes–Einstein products over temperatures (module docstring):
    :math:`\sigma_{D\tau}/(D\tau) = \sqrt{(\sigma_D/D)^2 + (\sigma_\tau/\tau)^2}`, T exact.

    ``T`` (ε/k_B) finite and > 0; ``D`` (σ²/τ), ``tau_alpha`` (τ) > 0 and their one-sigma errors ≥ 0,
    all of one length; NaN (a point without D or τα) is allowed and gives NaN there.
    """
    T = float_array(T, "T", ndim=1, positive=True)
    arrays = {}
    for name, value in (("D", D), ("D_err", D_err), ("tau_alpha", tau_alpha), ("tau_alpha_err", tau_alpha_err)):
        arr = float_array(value, name, ndim=1, finite=False)
        if arr.size != T.size:
            raise ValueError(f"{name} must have the length of T ({T.size}), got {arr.size}")
        if np.any(np.isinf(arr)) or np.any(arr < 0) or (not name.endswith("err") and np.any(arr == 0)):
            raise ValueError(f"{name} must be {'>= 0' if name.endswith('err') else '> 0'} or NaN")
        arrays[name] = arr
    prod = arrays["D"] * arrays["tau_alpha"]
    rel = np.hypot(arrays["D_err"] / arrays["D"], arrays["tau_alpha_err"] / arrays["tau_alpha"])
    return StokesEinstein(T=T, D_tau=prod, D_tau_err=prod * rel, D_tau_over_T=prod / T,
                          D_tau_over_T_err=prod * rel / T)
