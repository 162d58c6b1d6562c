r"""Small statistics shared by the analyses: block averages of correlated time series and weighted
linear least squares with parameter covariances.

All the fits of the analysis package are linear in their parameters once written in the right
variables (F = H − T ln g is linear in T; ln τ = ln τ∞ + μ ξ/T is linear in ξ/T; ln g of the
Gaussian model is quadratic in n), so one small, tested solver serves them all.

Two poolings of independent estimates: :func:`pooled_difference` (is a quantity systematically larger
in the second half of many runs? one z for all of them) and :func:`replica_mean` (the mean of
independent replicas with the error from their scatter).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import stats as sps

from .._checks import float_array, int_scalar

__all__ = ["block_average", "LinearFit", "linear_lsq", "chi2_probability", "PooledDifference", "pooled_difference",
           "replica_mean"]


def block_average(samples, n_blocks: int = 10) -> tuple[np.ndarray, np.ndarray]:
    """Mean of a time series (one column per observable) and its error from block averaging.

    ``samples`` (n_samples, n_observables), in time order. The snapshots are cut into ``n_blocks``
    contiguous blocks (fewer if there are fewer snapshots); the error is the standard deviation of
    the block means (ddof=1) over √n_blocks, which accounts for correlations shorter than a block.
    """
    s = float_array(samples, "samples", ndim=2)
    n_blocks = int_scalar(n_blocks, "n_blocks", minimum=2)
    nb = min(n_blocks, s.shape[0])
    if nb < 2:
        raise ValueError("samples must hold at least 2 snapshots for an error bar")
    blocks = np.array([b.mean(axis=0) for b in np.array_split(s, nb)])
    return s.mean(axis=0), blocks.std(axis=0, ddof=1) / np.sqrt(nb)


@dataclass(frozen=True)
class LinearFit:
    """Result of :func:`linear_lsq` for the model ``y = X @ coef``.

    ``cov`` is the covariance of ``coef``: with ``sigma`` given it is the absolute one,
    (Xᵀ W X)⁻¹ with W = diag(1/σ²); without, it is scaled by the residual variance RSS/(n − p)
    (NaN if n ≤ p). ``r2`` is the (weighted) coefficient of determination, ``chi2`` the weighted
    sum of squared residuals and ``dof`` = n − p.
    """

    coef: np.ndarray
    cov: np.ndarray
    residuals: np.ndarray
    r2: float
    chi2: float
    dof: int

    @property
    def err(self) -> np.ndarray:
        """One-sigma uncertainties of ``coef`` (square roots of the covariance diagonal)."""
        return np.sqrt(np.diag(self.cov))


def linear_lsq(X: np.ndarray, y: np.ndarray, sigma: np.ndarray | None = None) -> LinearFit:
    """Solve the (weighted) linear least-squares problem ``min Σ ((y − X c)/σ)²``.

    ``X`` has shape (n, p) with n ≥ p and full column rank; ``y`` and ``sigma`` shape (n,).
    Callers validate their inputs; this helper only checks the rank.
    """
    n, p = X.shape
    w = np.ones(n) if sigma is None else 1.0 / sigma**2
    sw = np.sqrt(w)
    A = X * sw[:, None]
    b = y * sw
    coef, _, rank, _ = np.linalg.lstsq(A, b, rcond=None)
    if rank < p:
        raise ValueError(f"the fit is degenerate: {n} usable point(s) do not determine {p} parameter(s)")
    residuals = y - X @ coef
    chi2 = float(np.sum(w * residuals**2))
    dof = n - p
    cov = np.linalg.inv(A.T @ A)
    if sigma is None:
        cov = cov * (chi2 / dof if dof > 0 else np.nan)
    ybar = np.sum(w * y) / np.sum(w)
    ss_tot = float(np.sum(w * (y - ybar) ** 2))
    r2 = 1.0 - chi2 / ss_tot if ss_tot > 0 else (1.0 if chi2 == 0 else 0.0)
    return LinearFit(coef=coef, cov=cov, residuals=residuals, r2=float(r2), chi2=chi2, dof=dof)


def chi2_probability(chi2, dof):
    """Upper-tail probability P(χ²_dof ≥ ``chi2``) of a fit (scalars or arrays); NaN where ``dof`` < 1
    or ``chi2`` is NaN. A small value rejects the model within the error bars."""
    scalar = np.ndim(chi2) == 0 and np.ndim(dof) == 0
    chi2 = float_array(chi2, "chi2", finite=False)
    dof = float_array(dof, "dof")
    if np.any(chi2 < 0):
        raise ValueError("chi2 must be >= 0")
    with np.errstate(invalid="ignore"):
        p = np.where(dof >= 1, sps.chi2.sf(chi2, np.maximum(dof, 1.0)), np.nan)
    return float(p.reshape(-1)[0]) if scalar else p


@dataclass(frozen=True)
class PooledDifference:
    r"""Result of :func:`pooled_difference`: per run ``z`` = (b − a)/√(σ_a² + σ_b²); the pooled
    ``z_pooled`` = Σz/√n (Stouffer) with its two-sided probability ``p_value`` under "no
    difference"; ``n`` runs; ``n_positive`` runs with b > a; ``mean_relative`` the mean of (b − a)/a."""

    z: np.ndarray
    z_pooled: float
    p_value: float
    n: int
    n_positive: int
    mean_relative: float


def pooled_difference(a, a_err, b, b_err) -> PooledDifference:
    r"""One pooled test of "b and a differ systematically" over n independent runs (e.g. τα of the
    first half ``a`` and the second half ``b`` of each production run: residual ageing makes b > a).

    Per run :math:`z_i = (b_i - a_i)/\sqrt{\sigma_{a,i}^2 + \sigma_{b,i}^2}` (independent Gaussian
    errors: the variance of a difference is the sum of the variances), and over the runs
    (Stouffer) :math:`Z = \sum_i z_i/\sqrt{n}`, a standard normal variable when no run differs. Z
    pools the *signs and sizes* of small differences that no single run resolves; it does not say
    which run drifted. Arrays of one shape (n ≥ 1), errors > 0; NaN entries are rejected (select the
    runs first).
    """
    a, b = float_array(a, "a", ndim=1), float_array(b, "b", ndim=1)
    a_err = float_array(a_err, "a_err", ndim=1, positive=True)
    b_err = float_array(b_err, "b_err", ndim=1, positive=True)
    if not a.size == a_err.size == b.size == b_err.size:
        raise ValueError(f"a, a_err, b, b_err must have the same length, got {a.size}, {a_err.size}, "
                         f"{b.size}, {b_err.size}")
    z = (b - a) / np.hypot(a_err, b_err)
    zp = float(z.sum() / np.sqrt(z.size))
    with np.errstate(divide="ignore", invalid="ignore"):
        rel = float(np.mean((b - a) / a)) if np.all(a != 0) else float("nan")
    return PooledDifference(z=z, z_pooled=zp, p_value=float(2 * sps.norm.sf(abs(zp))), n=int(z.size),
                            n_positive=int(np.sum(b > a)), mean_relative=rel)


def replica_mean(values, axis: int = 0) -> tuple[np.ndarray, np.ndarray]:
    r"""Mean over independent replicas and its standard error from their scatter,
    :math:`\bar x = \frac1n\sum_r x_r`, :math:`\sigma_{\bar x} = s/\sqrt n` with the sample standard
    deviation s (ddof = 1). ``values``: replicas along ``axis`` (at least 2; NaN rejected). The error
    knows nothing of each replica's own error bar: it is what the replicas actually scatter by, which
    includes the seed and melt dependence that one run's block errors cannot see."""
    v = float_array(values, "values")
    axis = int(axis)
    if not -v.ndim <= axis < v.ndim:
        raise ValueError(f"axis {axis} is out of range for values of shape {v.shape}")
    n = v.shape[axis]
    if n < 2:
        raise ValueError(f"need at least 2 replicas along axis {axis} for a scatter, got {n}")
    return v.mean(axis=axis), v.std(axis=axis, ddof=1) / np.sqrt(n)
