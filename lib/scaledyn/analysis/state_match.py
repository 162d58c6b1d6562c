r"""Which state point reproduces a reference? Criteria on the quasi-species concentrations alone.

A scan measures concentrations :math:`C_i(x, T)` (mole fractions, with block errors) on a grid of a
state parameter x (a density or a pressure) at a few temperatures. Two criteria, chosen before any
dynamics is looked at:

* **mismatch** with reference concentrations (the hump model's Table II, Eq. 9 with the paper's
  :math:`H_i, g_i`): :math:`D^2(x) = \frac{1}{n_T}\sum_T \sum_i [C_i(x,T) - C_i^\mathrm{ref}(T)]^2`,
  the mean squared distance between the two distributions (unweighted, so that a species whose
  concentration is tiny and precisely measured cannot dominate);
* **unclassified fraction**: the mean over T of the fraction of particles outside a reference set
  of species (the binary mixture's 17 species, "other combinations have negligible concentration").

The concentrations vary smoothly with x, so they are interpolated between the grid points (a cubic
spline in x for every temperature and species) and the criterion is minimised on a fine grid
(:func:`match_state`): interpolating the criterion itself (e.g. a parabola through three points)
would bias the minimum, because a squared distance is not quadratic over a coarse bracket. The
error of the best x is the standard deviation of the minimum over a parametric bootstrap,
concentrations redrawn from Gaussians with their block errors. A minimum on the edge of the grid is
flagged: the state lies outside it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.interpolate import CubicSpline

from .._checks import float_array, int_scalar, nonnegative_errors

__all__ = ["concentration_mismatch", "unclassified_fraction", "StateMatch", "match_state"]


def concentration_mismatch(C, C_ref) -> np.ndarray:
    r""":math:`D^2 = \mathrm{mean}_T \sum_i (C_i - C_i^\mathrm{ref})^2` over the last two axes of ``C``
    (…, n_T, n_species); ``C_ref`` (n_T, n_species)."""
    C = float_array(C, "C")
    C_ref = float_array(C_ref, "C_ref", ndim=2)
    if C.ndim < 2 or C.shape[-2:] != C_ref.shape:
        raise ValueError(f"C must end with the shape of C_ref {C_ref.shape}, got {C.shape}")
    return np.mean(np.sum((C - C_ref) ** 2, axis=-1), axis=-1)


def unclassified_fraction(C, keep, other=None) -> np.ndarray:
    """Mean over T of the fraction of particles outside the species ``keep`` (boolean, n_species):
    the concentrations of the other recorded species plus ``other`` (the unrecorded fraction, same
    shape as C without its last axis). ``C`` (…, n_T, n_species)."""
    C = float_array(C, "C")
    keep = np.asarray(keep, dtype=bool)
    if C.ndim < 2 or keep.shape != C.shape[-1:]:
        raise ValueError(f"keep must have one flag per species ({C.shape[-1]}), got shape {keep.shape}")
    out = C[..., ~keep].sum(axis=-1)
    if other is not None:
        out = out + float_array(other, "other").reshape(out.shape)
    return out.mean(axis=-1)


def _fine_minimum(x_fine, f) -> np.ndarray:
    """x of the minimum of ``f`` (…, n_fine) on ``x_fine``."""
    return x_fine[np.argmin(f, axis=-1)]


@dataclass(frozen=True)
class StateMatch:
    """Result of :func:`match_state`: the grid ``x``, the criterion ``f`` (measured), the best
    ``x_best`` with its bootstrap error ``x_err``, ``at_edge`` (minimum on the grid's edge) and the
    bootstrap minima ``samples``."""

    x: np.ndarray
    f: np.ndarray
    x_best: float
    x_err: float
    at_edge: bool
    samples: np.ndarray


def match_state(x, C, C_err, criterion, n_boot: int = 500, n_fine: int = 401, rng=None) -> StateMatch:
    """Best state parameter and its error (module doc).

    ``x`` (n_x,) increasing; ``C``, ``C_err`` (n_x, n_T, n_species) concentrations and their block
    errors; ``criterion(C)`` maps an array (…, n_x, n_T, n_species) to (…, n_x) (e.g.
    ``lambda C: concentration_mismatch(C, C_ref)``). Bootstrap draws are clipped at C ≥ 0; ``f`` of
    the result is the criterion at the grid points, ``x_best`` the minimum on ``n_fine`` points.
    """
    x = float_array(x, "x", ndim=1, min_size=3)
    C = float_array(C, "C", ndim=3)
    if C.shape[0] != x.size:
        raise ValueError(f"C must have shape ({x.size}, n_T, n_species), got {C.shape}")
    C_err = nonnegative_errors(C_err, C, "C_err")
    if np.any(np.diff(x) <= 0):
        raise ValueError("x must be strictly increasing")
    n_boot = int_scalar(n_boot, "n_boot", minimum=10)
    n_fine = int_scalar(n_fine, "n_fine", minimum=x.size)
    rng = np.random.default_rng(rng)
    x_fine = np.linspace(x[0], x[-1], n_fine)
    best = float(_fine_minimum(x_fine, criterion(CubicSpline(x, C, axis=0)(x_fine))))
    samples = np.empty(n_boot)
    for lo in range(0, n_boot, 50):  # chunks keep the interpolated draws small in memory
        m = min(50, n_boot - lo)
        draws = np.clip(C + C_err * rng.standard_normal((m, *C.shape)), 0.0, None)
        samples[lo:lo + m] = _fine_minimum(x_fine, criterion(CubicSpline(x, draws, axis=1)(x_fine)))
    edge = best in (x[0], x[-1])
    return StateMatch(x=x, f=np.asarray(criterion(C), float), x_best=best, x_err=float(samples.std(ddof=1)),
                      at_edge=bool(edge), samples=samples)
