r"""Finite-size check: does a smaller system give the same τα and species concentrations?

The slowest state points cost steps × N. A smaller N may stand in for N = 4096 only where it changes
neither τα nor the quasi-species concentrations beyond their error bars, checked at temperatures run
with both sizes. For each shared temperature :func:`compare_sizes` gives

* :math:`z_\tau = (\tau_b - \tau_a)/\sqrt{\sigma_a^2 + \sigma_b^2}`, the τα difference in combined
  standard errors;
* over the species present above ``min_fraction`` in either run,
  :math:`\chi^2_C = \sum_i (C_{b,i} - C_{a,i})^2 / (\sigma_{a,i}^2 + \sigma_{b,i}^2)` with its number of
  species (degrees of freedom), its upper-tail probability, and the largest :math:`|z_i|`.

Errors are the campaign's block errors, treated as independent Gaussian.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import stats

from .campaign_data import CampaignData, combine, same_temperature

__all__ = ["SizeComparison", "compare_sizes", "add_small_system", "MIN_SHARED"]

#: Shared temperatures the smaller system must match before its other points are used (the issue: two).
MIN_SHARED = 2


@dataclass(frozen=True)
class SizeComparison:
    """Per shared temperature ``T`` (ascending): sizes ``n_a``, ``n_b``; ``tau_a``, ``tau_a_err``,
    ``tau_b``, ``tau_b_err`` and ``z_tau``; ``chi2_C``, ``dof_C``, ``p_C`` (χ² upper-tail
    probability) and ``max_z_C`` of the concentrations."""

    T: np.ndarray
    n_a: np.ndarray
    n_b: np.ndarray
    tau_a: np.ndarray
    tau_a_err: np.ndarray
    tau_b: np.ndarray
    tau_b_err: np.ndarray
    z_tau: np.ndarray
    chi2_C: np.ndarray
    dof_C: np.ndarray
    p_C: np.ndarray
    max_z_C: np.ndarray

    def consistent(self, z_max: float = 3.0, p_min: float = 1e-3) -> np.ndarray:
        """Per temperature: |z_τ| ≤ ``z_max`` and the concentration χ² has probability ≥ ``p_min``."""
        return (np.abs(self.z_tau) <= z_max) & (self.p_C >= p_min)


def _z(a, a_err, b, b_err):
    err = np.hypot(a_err, b_err)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(err > 0, (b - a) / err, np.where(a == b, 0.0, np.inf))


def compare_sizes(a: CampaignData, b: CampaignData, min_fraction: float = 0.005) -> SizeComparison:
    """Compare campaigns ``a`` and ``b`` of one model at their shared temperatures (see module doc).

    Raises ``ValueError`` if they are different models or species sets, share no temperature, or
    ``min_fraction`` is not in [0, 1).
    """
    if a.model != b.model or a.labels != b.labels:
        raise ValueError(f"cannot compare {a.model} ({len(a.labels)} species) with {b.model} "
                         f"({len(b.labels)} species): model or species set differ")
    if not (np.isfinite(min_fraction) and 0 <= min_fraction < 1):
        raise ValueError(f"min_fraction must be in [0, 1), got {min_fraction}")
    ia, ib = np.nonzero(same_temperature(a.T, b.T))
    if ia.size == 0:
        raise ValueError(f"no shared temperature: {a.T.tolist()} and {b.T.tolist()}")
    z_C = _z(a.C[ia], a.C_err[ia], b.C[ib], b.C_err[ib])
    present = (a.C[ia] >= min_fraction) | (b.C[ib] >= min_fraction)
    chi2 = np.where(present, z_C**2, 0.0).sum(axis=1)
    dof = present.sum(axis=1)
    return SizeComparison(
        T=a.T[ia], n_a=a.n[ia], n_b=b.n[ib],
        tau_a=a.tau[ia], tau_a_err=a.tau_err[ia], tau_b=b.tau[ib], tau_b_err=b.tau_err[ib],
        z_tau=_z(a.tau[ia], a.tau_err[ia], b.tau[ib], b.tau_err[ib]),
        chi2_C=chi2, dof_C=dof, p_C=stats.chi2.sf(chi2, np.maximum(dof, 1)),
        max_z_C=np.where(present, np.abs(z_C), 0.0).max(axis=1),
    )


def add_small_system(main: CampaignData, small: CampaignData | None, min_shared: int = MIN_SHARED,
                     **criteria) -> tuple[CampaignData, SizeComparison | None, str]:
    """``main`` plus the colder points of ``small`` — only if ``small`` has earned them.

    The points are added (:func:`~scaledyn.analysis.campaign_data.combine`) when the two systems share
    at least ``min_shared`` temperatures and agree at every one of them
    (:meth:`SizeComparison.consistent` with ``criteria``). Returns ``(data, comparison, status)``:
    ``comparison`` is None without shared temperatures; ``status`` says what was done and why.
    """
    if isinstance(min_shared, bool) or not isinstance(min_shared, (int, np.integer)) or min_shared < 1:
        raise ValueError(f"min_shared must be an integer >= 1, got {min_shared!r}")
    if small is None:
        return main, None, "no smaller system has finished a state point"
    try:
        comparison = compare_sizes(main, small)
    except ValueError as exc:
        if "no shared temperature" not in str(exc):
            raise
        return main, None, "the smaller system shares no temperature with the main one yet"
    if comparison.T.size < min_shared:
        return main, comparison, (f"the smaller system shares {comparison.T.size} of the {min_shared} "
                                  "temperatures needed to validate it; its other points are not used")
    if not comparison.consistent(**criteria).all():
        return main, comparison, "the two sizes disagree at a shared temperature; the smaller system is not used"
    data = combine(main, small)
    added = data.T.size - main.T.size
    used = "1 colder point of the smaller system is used" if added == 1 else \
        f"{added} colder points of the smaller system are used"
    return data, comparison, f"the sizes agree; {used}"
