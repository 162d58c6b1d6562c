r"""Thermodynamics from the quasi-species model, compared with the system's own (paper §V).

Energies per particle in ε, T in ε/k_B, heat capacities per particle in k_B.

**Model heat capacity.** In the independent-species model every group g (central type, fraction
:math:`x_g`) is a canonical ensemble of species with weights :math:`g_i e^{-H_i/T}`, so

.. math:: \frac{dC_i}{dT} = C_i\,\frac{H_i-\langle H\rangle_g}{T^2},\qquad
          \frac{d}{dT}\sum_i C_i e_i = \sum_g x_g\,\frac{\langle eH\rangle_g-\langle e\rangle_g\langle H\rangle_g}{T^2}

for any species property :math:`e_i` (averages within the group, normalised to 1). With
:math:`e_i = H_i` this is the variance form :math:`C = \sum_g x_g\,\mathrm{Var}_g(H)/T^2 \ge 0` (a
Schottky-type heat capacity: Eq. (14)'s enthalpy gives :math:`C_p` of the configurational part).
With :math:`e_i = (E/2)\,i` — the *energy* of Eq. (15) of the hump model — it is a covariance,
:math:`\mathrm{Cov}(i,H)`, which is **not** sign-definite: that is why the paper's Fig. 16 shows a
negative specific heat at low T. Both are derived analytically here and checked against finite
differences in the tests.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.optimize import brentq, minimize_scalar

from .._checks import dimension, float_array, optional_errors, real_scalar, same_length
from .free_energy import model_concentrations
from .species import SpeciesScheme
from .stats import linear_lsq

__all__ = [
    "mean_species_value", "model_species_average", "model_species_derivative",
    "model_enthalpy", "model_heat_capacity",
    "system_enthalpy", "OffsetComparison", "compare_up_to_constant",
    "hump_model_energy", "hump_model_heat_capacity", "BondEnergyFit", "fit_bond_energy",
    "heat_capacity_fd", "particle_energies", "species_mean",
    "HeatCapacityFeatures", "heat_capacity_features", "schottky_peak",
]


def mean_species_value(C, e) -> np.ndarray:
    """Σ_i C_i e_i over the last axis (e.g. Eq. 14 LHS with e = H, or Σ C_i i with e = i)."""
    C = float_array(C, "C")
    e = float_array(e, "e", ndim=1)
    if C.shape[-1] != e.size:
        raise ValueError(f"C has {C.shape[-1]} species along its last axis but e has {e.size}")
    return C @ e


def _species_values(e, scheme: SpeciesScheme, H) -> np.ndarray:
    e = H if e is None else float_array(e, "e", ndim=1)
    if e.size != scheme.n_species:
        raise ValueError(f"e must have {scheme.n_species} entries, got {e.size}")
    return e


def model_species_average(T, H, g, scheme: SpeciesScheme, e=None) -> np.ndarray:
    """Σ_i C_i(T) e_i with the model concentrations of Eq. (7); e defaults to H (enthalpy)."""
    H = float_array(H, "H", ndim=1)
    C = model_concentrations(T, H, g, scheme)
    return C @ _species_values(e, scheme, H)


def model_species_derivative(T, H, g, scheme: SpeciesScheme, e=None) -> np.ndarray:
    r"""Analytic d/dT Σ_i C_i(T) e_i = Σ_g x_g Cov_g(e, H)/T² (see the module docstring)."""
    H = float_array(H, "H", ndim=1)
    e = _species_values(e, scheme, H)
    T = float_array(T, "T", ndim=1, positive=True)
    C = model_concentrations(T, H, g, scheme)
    out = np.zeros(T.size)
    for grp, x in enumerate(scheme.fractions):
        m = scheme.central_type == grp
        p = C[:, m] / x  # probabilities within the group
        eh = p @ (e[m] * H[m])
        out += x * (eh - (p @ e[m]) * (p @ H[m]))
    return out / T**2


def model_enthalpy(T, H, g, scheme: SpeciesScheme) -> np.ndarray:
    """Model enthalpy per particle Σ_i C_i(T) H_i (Eq. 14 LHS with Eq. 7), up to a constant."""
    return model_species_average(T, H, g, scheme)


def model_heat_capacity(T, H, g, scheme: SpeciesScheme) -> np.ndarray:
    r"""Configurational C_p per particle of the species model, Σ_g x_g Var_g(H)/T² ≥ 0 (k_B)."""
    return model_species_derivative(T, H, g, scheme)


def system_enthalpy(u, p, v) -> np.ndarray:
    r"""Eq. (14) RHS per particle: :math:`u + p\,v` with u = (1/2N)Σ⟨U(r_ij)⟩ and v = ⟨V⟩/N.

    (The paper writes "pV(T)"; per particle it must be p⟨V⟩/N.) Arrays broadcast together.
    """
    u = float_array(u, "u")
    p = float_array(p, "p")
    v = float_array(v, "v", positive=True)
    return u + p * v


@dataclass(frozen=True)
class OffsetComparison:
    """``model + offset`` against ``system``: the fitted ``offset`` and its error, the ``residuals``
    (system − model − offset), the ``ratio`` (model + offset)/system as in Fig. 14 of the paper, and
    ``rms`` of the residuals."""

    offset: float
    offset_err: float
    residuals: np.ndarray
    ratio: np.ndarray
    rms: float


def compare_up_to_constant(model, system, system_err=None) -> OffsetComparison:
    """Compare two curves equal up to an additive constant (Eq. 14: enthalpies have an arbitrary zero).

    The offset is the (weighted) mean of system − model. Needs ≥ 2 points.
    """
    model = float_array(model, "model", ndim=1, min_size=2)
    system = float_array(system, "system", ndim=1)
    same_length("model", model, "system", system)
    system_err = optional_errors(system_err, system, "system_err")
    fit = linear_lsq(np.ones((model.size, 1)), system - model, system_err)
    off = float(fit.coef[0])
    with np.errstate(divide="ignore"):
        ratio = (model + off) / system
    return OffsetComparison(offset=off, offset_err=float(fit.err[0]), residuals=fit.residuals,
                            ratio=ratio, rms=float(np.sqrt(np.mean(fit.residuals**2))))


def hump_model_energy(T, H, g, scheme: SpeciesScheme, E: float) -> np.ndarray:
    r"""Eq. (15) LHS: :math:`u(T) = (E/2)\sum_i C_i(T)\,i + (d/2)\,T` per particle.

    E (ε) is the energy per bound neighbour; (d/2) T is the potential energy of the vibrations around
    the ground state (T in 2D, as in the paper). ``scheme.n_neighbours`` supplies i.
    """
    E = real_scalar(E, "E")
    T = float_array(T, "T", ndim=1, positive=True)
    return 0.5 * E * model_species_average(T, H, g, scheme, scheme.n_neighbours.astype(float)) \
        + 0.5 * scheme.dim * T


def hump_model_heat_capacity(T, H, g, scheme: SpeciesScheme, E: float) -> np.ndarray:
    r"""d/dT of Eq. (15) LHS: :math:`C_v = d/2 + (E/2)\,\mathrm{Cov}(i,H)/T^2` per particle (k_B).

    Not sign-definite: it turns negative where species with more bound neighbours have *lower*
    enthalpy-weighted populations as T falls (see the module docstring).
    """
    E = real_scalar(E, "E")
    return 0.5 * E * model_species_derivative(T, H, g, scheme, scheme.n_neighbours.astype(float)) \
        + 0.5 * scheme.dim


@dataclass(frozen=True)
class HeatCapacityFeatures:
    """Result of :func:`heat_capacity_features`: the highest maximum ``C_peak`` of the model heat
    capacity at ``T_peak``; ``T_zero``, the highest temperature below which C < 0 (NaN if C does not
    change sign in the range); ``T_cfg``, the same for the configurational part C − d/2 of Eq. (15)
    (for the variance form, ``E`` None, the configurational part is C itself)."""

    T_peak: float
    C_peak: float
    T_zero: float
    T_cfg: float


def _last_sign_change(f, T, values) -> float:
    """Highest T where ``values`` (= f on the grid ``T``) goes from < 0 to ≥ 0, refined by Brent."""
    up = np.flatnonzero((values[:-1] < 0) & (values[1:] >= 0))
    if up.size == 0:
        return float("nan")
    k = int(up[-1])
    return float(brentq(f, T[k], T[k + 1], xtol=1e-12)) if values[k + 1] != 0 else float(T[k + 1])


def heat_capacity_features(T_lo: float, T_hi: float, H, g, scheme: SpeciesScheme, E: float | None = None,
                           n_grid: int = 2001) -> HeatCapacityFeatures:
    r"""Peak and sign changes of the species-model heat capacity on [``T_lo``, ``T_hi``] (ε/k_B).

    With ``E`` (ε per bound neighbour) the heat capacity is that of Eq. (15),
    :func:`hump_model_heat_capacity`; without, the variance form :func:`model_heat_capacity`. The
    curve is scanned on ``n_grid`` (≥ 3) equally spaced temperatures; the highest grid maximum is
    refined by a bounded minimiser between its neighbours, each last sign change by Brent's method.
    """
    T_lo = real_scalar(T_lo, "T_lo", positive=True)
    T_hi = real_scalar(T_hi, "T_hi", positive=True)
    if T_hi <= T_lo:
        raise ValueError(f"T_hi must exceed T_lo, got T_lo={T_lo}, T_hi={T_hi}")
    if not isinstance(n_grid, (int, np.integer)) or isinstance(n_grid, bool) or n_grid < 3:
        raise ValueError(f"n_grid must be an integer >= 3, got {n_grid!r}")
    if not isinstance(scheme, SpeciesScheme):
        raise TypeError(f"scheme must be a SpeciesScheme, got {type(scheme).__name__}")
    if E is None:
        def cap(T):
            return model_heat_capacity(np.atleast_1d(T), H, g, scheme)
        base = 0.0
    else:
        E = real_scalar(E, "E")

        def cap(T):
            return hump_model_heat_capacity(np.atleast_1d(T), H, g, scheme, E)
        base = 0.5 * scheme.dim
    T = np.linspace(T_lo, T_hi, int(n_grid))
    C = cap(T)
    k = int(np.argmax(C))
    a, b = T[max(k - 1, 0)], T[min(k + 1, T.size - 1)]
    peak = minimize_scalar(lambda t: -cap(t)[0], bounds=(a, b), method="bounded", options={"xatol": 1e-10})
    T_peak, C_peak = (float(peak.x), float(-peak.fun)) if -peak.fun >= C[k] else (float(T[k]), float(C[k]))
    return HeatCapacityFeatures(
        T_peak=T_peak, C_peak=C_peak,
        T_zero=_last_sign_change(lambda t: cap(t)[0], T, C),
        T_cfg=_last_sign_change(lambda t: cap(t)[0] - base, T, C - base))


def schottky_peak(delta: float) -> tuple[float, float, float]:
    r"""The heat-capacity peak of a two-level system with gap ``delta`` (ε) and equal degeneracies:
    :math:`C = x^2 e^x/(1+e^x)^2` with x = Δ/T is largest where :math:`x\tanh(x/2) = 2`. Returns
    ``(x_star, T_star, C_max)`` with T* = Δ/x* (x* ≈ 2.3994, C_max ≈ 0.4392 k_B)."""
    delta = real_scalar(delta, "delta", positive=True)
    x = float(brentq(lambda x: x * np.tanh(0.5 * x) - 2.0, 1.0, 4.0, xtol=1e-14))
    return x, delta / x, float(x * x * np.exp(x) / (1.0 + np.exp(x)) ** 2)


@dataclass(frozen=True)
class BondEnergyFit:
    """Fit of Eq. (15): ``E`` (ε per bound neighbour) and its error, ``offset`` (0 unless fitted),
    ``r2`` and ``residuals`` of the energy per particle."""

    E: float
    E_err: float
    offset: float
    offset_err: float
    r2: float
    residuals: np.ndarray


def fit_bond_energy(T, u, mean_n, dim: int = 2, u_err=None, offset: bool = False) -> BondEnergyFit:
    r"""Fit E in :math:`u(T) - (d/2)T = (E/2)\,\bar n(T)` [+ offset], Eq. (15).

    ``u`` is the measured potential energy per particle (1/2N)Σ⟨U(r_ij)⟩, ``mean_n`` the measured
    Σ_i C_i i at the same temperatures. The paper quotes E ≈ 0.83 with no offset (energies measured
    from the zero of the potential); ``offset=True`` frees a constant as a check.
    """
    T = float_array(T, "T", ndim=1, positive=True, min_size=2)
    u = float_array(u, "u", ndim=1)
    n = float_array(mean_n, "mean_n", ndim=1)
    same_length("T", T, "u", u)
    same_length("T", T, "mean_n", n)
    dim = dimension(dim)
    u_err = optional_errors(u_err, u, "u_err")
    cols = [0.5 * n] + ([np.ones(T.size)] if offset else [])
    fit = linear_lsq(np.column_stack(cols), u - 0.5 * dim * T, u_err)
    return BondEnergyFit(E=float(fit.coef[0]), E_err=float(fit.err[0]),
                         offset=float(fit.coef[1]) if offset else 0.0,
                         offset_err=float(fit.err[1]) if offset else 0.0, r2=fit.r2, residuals=fit.residuals)


def heat_capacity_fd(T, U, U_err=None):
    r"""Finite-difference heat capacity dU/dT of tabulated energies (per particle, k_B).

    Second-order differences on a possibly non-uniform grid (:func:`numpy.gradient`); one-sided at
    the ends. With ``U_err`` the error of the interior points is
    :math:`\sqrt{\sigma_{i+1}^2+\sigma_{i-1}^2}/(T_{i+1}-T_{i-1})` (exact on a uniform grid, independent
    errors) and :math:`\sqrt{\sigma_1^2+\sigma_0^2}/(T_1-T_0)` at the ends. Returns ``(C, C_err)``
    (C_err NaN without U_err). ``T`` strictly increasing, ≥ 3 points.
    """
    T = float_array(T, "T", ndim=1, min_size=3)
    if np.any(np.diff(T) <= 0):
        raise ValueError("T must be strictly increasing")
    U = float_array(U, "U", ndim=1)
    same_length("T", T, "U", U)
    C = np.gradient(U, T, edge_order=2)
    err = np.full(T.size, np.nan)
    U_err = optional_errors(U_err, U, "U_err")
    if U_err is not None:
        err[1:-1] = np.hypot(U_err[2:], U_err[:-2]) / (T[2:] - T[:-2])
        err[0] = np.hypot(U_err[1], U_err[0]) / (T[1] - T[0])
        err[-1] = np.hypot(U_err[-1], U_err[-2]) / (T[-1] - T[-2])
    return C, err


def particle_energies(positions, box, pair_energy, cutoff: float, types=None) -> np.ndarray:
    r"""Potential energy of each particle, :math:`e_p=\tfrac12\sum_{j\ne p}U(r_{pj})` (ε), so that
    :math:`\sum_p e_p` is the total potential energy.

    ``positions`` (N, d) and ``box`` (d,) in σ (periodic, minimum image); ``pair_energy(ti, tj, r)``
    returns U(r) in ε for arrays of types and distances, e.g.
    ``lambda ti, tj, r: scaledyn.md.reference.pair_energy(model.potential, model.params, ti, tj, r)``;
    ``cutoff`` (σ) the range of the potential (pairs farther apart are not visited; it must be below
    half the smallest box side); ``types`` (N,) integers (default all 0). Pairs are found with
    :func:`scaledyn.analysis.neighbours.periodic_pairs` (a periodic k-d tree).
    """
    from .neighbours import periodic_pairs

    pos = float_array(positions, "positions", ndim=2)
    box = float_array(box, "box", ndim=1, positive=True)
    if box.size != pos.shape[1]:
        raise ValueError(f"box must have {pos.shape[1]} entries, got {box.size}")
    if not callable(pair_energy):
        raise TypeError("pair_energy must be callable as pair_energy(ti, tj, r)")
    cutoff = real_scalar(cutoff, "cutoff", positive=True)
    if cutoff >= 0.5 * box.min():
        raise ValueError(f"cutoff must be below half the smallest box side ({0.5 * box.min():.4g}), got {cutoff}")
    n = pos.shape[0]
    types = np.zeros(n, dtype=np.int64) if types is None else np.asarray(types)
    if types.shape != (n,) or not np.issubdtype(types.dtype, np.integer):
        raise ValueError(f"types must be {n} integers")
    i, j, dx = periodic_pairs(pos, box, cutoff)
    u = np.asarray(pair_energy(types[i], types[j], np.sqrt(np.sum(dx**2, axis=1))), dtype=float)
    e = np.zeros(n)
    np.add.at(e, i, 0.5 * u)
    np.add.at(e, j, 0.5 * u)
    return e


def species_mean(values, species, n_species: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Mean of a per-particle quantity over the particles of each species, its standard error and
    the number of particles: ``species`` (N,) holds the species index of each particle (−1 or any
    value outside 0…n_species−1 = not a species). Species with < 2 particles get NaN errors."""
    v = float_array(values, "values", ndim=1)
    s = np.asarray(species)
    if s.shape != v.shape or not np.issubdtype(s.dtype, np.integer):
        raise ValueError("species must be integers with the shape of values")
    mean, err, count = np.full(n_species, np.nan), np.full(n_species, np.nan), np.zeros(n_species, dtype=np.int64)
    for k in range(n_species):
        x = v[s == k]
        count[k] = x.size
        if x.size:
            mean[k] = x.mean()
        if x.size > 1:
            err[k] = x.std(ddof=1) / np.sqrt(x.size)
    return mean, err, count
