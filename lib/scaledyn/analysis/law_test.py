r"""A fair test of relaxation laws on held-out temperatures: the protocol first, then the results.

Before a theory is judged, the rules are fixed (:class:`Protocol`) and enforced by code that sees
only the training data:

1. **Blind and training points.** The ``n_blind`` coldest state points are held out; every choice
   below is made from the others.
2. **The window** (:func:`plan`): the training temperatures where the laws are meant to hold, for a
   physical reason stated in the protocol — ``"barrier"``: below the height ΔU of the barrier that
   defines the quasi-species (the hump model; above it a particle crosses the barrier easily, the
   source's own caveat); ``"onset"``: at or below the onset :math:`T_A` of non-Arrhenius behaviour,
   measured on the training points (:func:`arrhenius_onset`); ``"all"``.
3. **Species and liquid set** from the training temperatures only (:func:`training_species`).

Every law is fitted to the same window points with the same weights, :math:`\sigma_{\ln\tau} =
\sigma_\tau/\tau` (:func:`fit_laws`): Eq. (12) of the quasi-species paper,
:math:`\tau_\alpha=\tau_\infty e^{\mu\xi/T}` (2 parameters, ξ measured), and the three-parameter VFT,
MYEGA and Avramov–Milchev laws (:mod:`scaledyn.vft`). Goodness of fit: χ²/dof and
AIC = χ² + 2k. A law's prediction of ln τ at a blind temperature carries its parameter covariance
(delta method), inflated by the Birge ratio max(1, χ²/dof) for every law alike; Eq. (12) adds the
error of ξ there, itself predicted by the species model fitted on the training points
(:func:`extrapolate_xi`). The **pull** of a blind point,

.. math:: z = \frac{\ln\tau_\mathrm{meas}-\ln\tau_\mathrm{pred}}
                {\sqrt{\sigma_\mathrm{pred}^2 + (\sigma_{\tau,\mathrm{meas}}/\tau_\mathrm{meas})^2}},

includes both errors; :math:`\sum z^2` over the blind points is compared with χ² of ``n_blind``
degrees of freedom (:func:`blind_test`). A law is *consistent* with the held-out data when that
probability is at least ``p_min``. Times in τ, temperatures in ε/k_B, lengths in σ.

Length (a little over 600 lines): the protocol (and the book's), the training-only selections, the fits, the blind test and
its summary are the steps of one test and share its two bootstraps (``_redrawn_fits``).
"""

from __future__ import annotations

import dataclasses
import warnings
from dataclasses import dataclass, field

import numpy as np
from scipy import stats as sps

from .. import vft
from .._checks import float_array, int_scalar, real_scalar, same_length
from .free_energy import fit_species
from .length_scale import correlation_length, fit_tau_xi, model_xi, predict_log_tau_err
from .species import SpeciesScheme, concentration_trend, select_species
from .stats import linear_lsq

__all__ = ["LAWS", "Protocol", "Plan", "NotTestable", "plan", "arrhenius_onset", "training_species", "extrapolate_xi",
           "extrapolate_density", "LawFit", "fit_laws", "BlindTest", "blind_test", "verdict", "NAMES", "FairTest",
           "fair_test", "try_fair_test", "summary", "hump_barrier", "book_protocol", "book_liquid", "book_test"]

#: The laws compared, in the order of every table: Eq. (12) and the three VFT-family laws.
LAWS = ("eq12", "vft", "myega", "am")
LN10 = np.log(10.0)


@dataclass(frozen=True)
class Protocol:
    """The rules of the test, fixed before any result (module doc).

    ``window``: "barrier" (T < ``barrier``, in ε), "onset" (T ≤ the measured onset) or "all";
    ``onset_hot``: the hottest training points that define the Arrhenius reference, ``onset_z``: the
    pull beyond which a point is non-Arrhenius; ``min_window``: fewest points a window may hold;
    ``species_threshold``: the paper's 0.5 % rule; ``p_min``: the probability below which the blind
    χ² rejects a law; ``density_points``: the coldest training points through which the density is
    extrapolated to the blind temperatures (:func:`extrapolate_density`).
    """

    n_blind: int = 3
    window: str = "onset"
    barrier: float | None = None
    onset_hot: int = 3
    onset_z: float = 3.0
    min_window: int = 5
    species_threshold: float = 0.005
    p_min: float = 0.05
    density_points: int = 3

    def __post_init__(self):
        int_scalar(self.n_blind, "n_blind")
        int_scalar(self.density_points, "density_points", minimum=2)
        int_scalar(self.onset_hot, "onset_hot", minimum=2)
        int_scalar(self.min_window, "min_window", minimum=4)
        if self.window not in ("barrier", "onset", "all"):
            raise ValueError(f"window must be 'barrier', 'onset' or 'all', got {self.window!r}")
        if self.window == "barrier":
            real_scalar(self.barrier, "barrier", positive=True)
        real_scalar(self.onset_z, "onset_z", positive=True)
        real_scalar(self.species_threshold, "species_threshold", positive=True)
        if not 0 < real_scalar(self.p_min, "p_min", positive=True) < 1:
            raise ValueError(f"p_min must be in (0, 1), got {self.p_min}")


class NotTestable(ValueError):
    """The protocol cannot run on these data: too few temperatures for the blind points and a
    window, or a window with fewer than ``min_window`` points. The test waits for more state points;
    the rules do not bend (:func:`try_fair_test` returns the reason)."""


@dataclass(frozen=True)
class Plan:
    """Indices (into the data, ascending T) of the ``train``, ``blind`` and ``window`` points
    (window ⊂ train), the measured onset ``T_onset`` (NaN if not used or not found) and the
    ``reason`` for the window in words."""

    train: np.ndarray
    blind: np.ndarray
    window: np.ndarray
    T_onset: float
    reason: str


def _ln_tau(tau, tau_err):
    tau = float_array(tau, "tau", ndim=1, positive=True)
    tau_err = float_array(tau_err, "tau_err", ndim=1)
    same_length("tau", tau, "tau_err", tau_err)
    if np.any(tau_err <= 0):
        raise ValueError("tau_err must be > 0 (every point needs an error bar)")
    return np.log(tau), tau_err / tau


def arrhenius_onset(T, tau, tau_err, n_hot: int = 3, z: float = 3.0) -> float:
    r"""The onset :math:`T_A` of non-Arrhenius behaviour: an Arrhenius law ln τ = a + E/T is fitted
    to the ``n_hot`` hottest points; going down in T, :math:`T_A` is the warmest point whose τα lies
    more than ``z`` combined standard errors above that law's extrapolation. NaN if none does."""
    T = float_array(T, "T", ndim=1, positive=True, min_size=3)
    y, s = _ln_tau(tau, tau_err)
    same_length("T", T, "tau", y)
    n_hot = int_scalar(n_hot, "n_hot", minimum=2)
    if n_hot >= T.size:
        raise ValueError(f"n_hot = {n_hot} leaves no point below the Arrhenius reference ({T.size} points)")
    order = np.argsort(-T)
    hot = order[:n_hot]
    X = np.column_stack([np.ones(T.size), 1.0 / T])
    fit = linear_lsq(X[hot], y[hot], s[hot])
    cov = fit.cov * max(1.0, fit.chi2 / fit.dof) if fit.dof > 0 else fit.cov
    for k in order[n_hot:]:
        pred = X[k] @ fit.coef
        sig = np.sqrt(X[k] @ cov @ X[k] + s[k] ** 2)
        if (y[k] - pred) / sig > z:
            return float(T[k])
    return float("nan")


def plan(T, tau, tau_err, protocol: Protocol) -> Plan:
    """Split the points (T ascending) into blind and training sets and choose the window from the
    training points alone (the blind points are never passed to the window rule)."""
    if not isinstance(protocol, Protocol):
        raise TypeError(f"protocol must be a Protocol, got {type(protocol).__name__}")
    T = float_array(T, "T", ndim=1, positive=True)
    if np.any(np.diff(T) <= 0):
        raise ValueError("T must be strictly increasing (sort the state points by temperature)")
    _ln_tau(tau, tau_err)
    if T.size < protocol.n_blind + protocol.min_window:
        raise NotTestable(f"{T.size} temperatures cannot hold {protocol.n_blind} blind points and a window of "
                         f"{protocol.min_window}")
    blind = np.arange(protocol.n_blind)
    train = np.arange(protocol.n_blind, T.size)
    T_on = float("nan")
    if protocol.window == "all":
        window, reason = train, "every training temperature"
    elif protocol.window == "barrier":
        window = train[T[train] < protocol.barrier]
        reason = f"training temperatures below the barrier height ΔU = {protocol.barrier:.4g}"
    else:
        tt, tu, te = (np.asarray(a, float)[train] for a in (T, tau, tau_err))
        T_on = arrhenius_onset(tt, tu, te, protocol.onset_hot, protocol.onset_z)
        if not np.isfinite(T_on):
            window, reason = train, "every training temperature (no onset of non-Arrhenius behaviour found)"
        else:
            window = train[T[train] <= T_on * (1 + 1e-12)]
            reason = f"training temperatures at or below the measured onset T_A = {T_on:.4g}"
    if window.size < protocol.min_window:
        raise NotTestable(f"the window holds {window.size} training points, fewer than min_window = "
                         f"{protocol.min_window}: {reason}")
    return Plan(train=train, blind=blind, window=window, T_onset=T_on, reason=reason)


def training_species(C_train, scheme: SpeciesScheme, T_train, threshold: float = 0.005, C_err_train=None,
                     liquid=None) -> SpeciesScheme:
    """The species (the paper's rule, C ≥ ``threshold`` at some training T) and, unless ``liquid``
    labels are given, the liquid set (concentration falls on cooling over the training T,
    :func:`~.species.concentration_trend`) — from training rows only."""
    sel = select_species(C_train, scheme, threshold=threshold)
    sub = scheme.subset(sel.labels)
    C = np.asarray(C_train, float)[:, [scheme.index(lab) for lab in sel.labels]]
    if liquid is None:
        err = None if C_err_train is None else np.asarray(C_err_train, float)[:, [scheme.index(lab) for lab in sel.labels]]
        trend = concentration_trend(T_train, C, sub, err)
        liquid = [lab for lab, q in zip(sub.labels, trend.liquid) if q]
    return sub.subset(sub.labels, liquid=[lab for lab in liquid if lab in sub.labels])


def extrapolate_density(T_train, rho_train, T_new, n_cold: int = 3) -> np.ndarray:
    """Number density at ``T_new``: a straight line through the ``n_cold`` coldest training points
    (constant for NVT data, where every ρ is the same)."""
    T_train = float_array(T_train, "T_train", ndim=1, positive=True, min_size=2)
    rho = float_array(rho_train, "rho_train", ndim=1, positive=True)
    same_length("T_train", T_train, "rho_train", rho)
    cold = np.argsort(T_train)[:min(int_scalar(n_cold, "n_cold", minimum=2), T_train.size)]
    out = np.polyval(np.polyfit(T_train[cold], rho[cold], 1), float_array(T_new, "T_new", positive=True))
    if np.any(out <= 0):
        raise ValueError("the extrapolated density is not positive: T_new is too far from the data")
    return out


def extrapolate_xi(T_train, C_train, C_err_train, scheme: SpeciesScheme, rho_new, T_new, n_draw: int = 200,
                   rng=None) -> tuple[np.ndarray, np.ndarray]:
    r"""ξ at ``T_new`` predicted by the species model fitted on the training points: free energies
    F_i(T) = H_i − T ln g_i (Eqs. 5–10), then :math:`C_\mathrm{liq}(T_\mathrm{new})` from Eq. (7) and
    ξ = (ρ C_liq)^{−1/d}. The error is the spread of ξ over a parametric bootstrap of the training
    concentrations (``n_draw`` redraws within their errors, each inverted and fitted anew): unlike
    independent draws of each species' (H, ln g), it keeps the correlations that the common reference
    species puts between the free energies. Species too rare to be fitted are dropped.
    Returns (ξ, σ_ξ), one per T_new."""
    T_train = float_array(T_train, "T_train", ndim=1, positive=True)
    T_new = float_array(T_new, "T_new", ndim=1, positive=True)
    rho_new = np.broadcast_to(float_array(rho_new, "rho_new", positive=True), T_new.shape)
    C_train = float_array(C_train, "C_train", ndim=2)
    C_err_train = float_array(C_err_train, "C_err_train", ndim=2)
    if C_err_train.shape != C_train.shape:
        raise ValueError(f"C_err_train must have shape {C_train.shape}, got {C_err_train.shape}")
    ref, _, _, fit = fit_species(T_train, C_train, scheme, C_err_train)
    ok = np.isfinite(fit.H) & np.isfinite(fit.ln_g)
    if not ok.all():
        keep = [lab for lab, k in zip(scheme.labels, ok) if k]
        cols = [scheme.index(lab) for lab in keep]
        scheme, C_train, C_err_train = scheme.subset(keep), C_train[:, cols], C_err_train[:, cols]
        ref, _, _, fit = fit_species(T_train, C_train, scheme, C_err_train, reference=ref)

    draws = [model_xi(T_new, fb.H, fb.g, scheme, rho_new)
             for _, fb in _redrawn_fits(T_train, C_train, C_err_train, scheme, ref, n_draw, np.random.default_rng(rng))]
    return model_xi(T_new, fit.H, fit.g, scheme, rho_new), np.std(draws, axis=0, ddof=1)


def _redrawn_fits(T, C, C_err, scheme, ref, n_draw, rng):
    """``n_draw`` times: the concentrations redrawn within their errors (kept positive, as measured
    ones are) and the species model refitted with the same references; yields (C_b, fit_b)."""
    floor = np.where(C > 0, C, np.inf).min() / 2
    for _ in range(int_scalar(n_draw, "n_draw", minimum=10)):
        Cb = np.clip(C + C_err * rng.standard_normal(C.shape), floor, None)
        yield Cb, fit_species(T, Cb, scheme, C_err, reference=ref)[3]


@dataclass
class LawFit:
    """One law fitted to the window points: ``law``, number of parameters ``k``, ``chi2``, ``dof``,
    ``aic`` (χ² + 2k), ``params`` (dict), and a predictor of (ln τ, σ) at new temperatures
    (:meth:`predict`; Eq. 12 needs ξ there). ``error`` is the reason a fit failed (then the numbers
    are NaN and every prediction is NaN); ``note`` a warning of the fit (e.g. a parameter on its
    bound: VFT with T0 → 0 is Arrhenius), kept with the result rather than printed;
    ``param_errors`` the one-sigma errors of ``params`` where known (Eq. 12: μ and τ∞, from the
    covariance inflated by the Birge ratio, as the predictions use it)."""

    law: str
    k: int
    chi2: float
    dof: int
    params: dict
    error: str | None = None
    note: str | None = None
    _predict: object = field(default=None, repr=False)
    param_errors: dict = field(default_factory=dict)

    @property
    def chi2_red(self) -> float:
        return self.chi2 / self.dof if self.dof > 0 else float("nan")

    @property
    def aic(self) -> float:
        return self.chi2 + 2 * self.k

    @property
    def birge(self) -> float:
        """max(1, χ²/dof): the factor on the parameter covariance used for predictions."""
        r = self.chi2_red
        return max(1.0, r) if np.isfinite(r) else 1.0

    def predict(self, T, xi=None, xi_err=None) -> tuple[np.ndarray, np.ndarray]:
        """(ln τ, σ of ln τ) at temperatures ``T``; NaN if the fit failed; ln τ = +inf where a
        VFT-family law diverges (T at or below its T0)."""
        T = float_array(T, "T", ndim=1, positive=True)
        if self.error is not None:
            return np.full(T.size, np.nan), np.full(T.size, np.nan)
        return self._predict(T, xi, xi_err)


def _eq12(T, tau, tau_err, xi, xi_err=None) -> LawFit:
    # Errors in x = ξ/T bias μ low (attenuation) unless they enter the weights: the effective
    # variance σ² = σ_lnτ² + (μ σ_ξ/T)², iterated to a fixed point (three passes suffice).
    fit = fit_tau_xi(T, tau, xi, tau_err)
    if xi_err is not None:
        for _ in range(3):
            eff = tau * np.sqrt((tau_err / tau) ** 2 + (fit.mu * xi_err / T) ** 2)
            fit = fit_tau_xi(T, tau, xi, eff)
    law = LawFit("eq12", 2, fit.chi2, fit.dof, {"mu": fit.mu, "tau_inf": fit.tau_inf})
    birge_fit = dataclasses.replace(fit, cov=fit.cov * law.birge)
    law.param_errors = {"mu": fit.mu_err * np.sqrt(law.birge), "tau_inf": fit.tau_inf_err * np.sqrt(law.birge)}

    def predict(Tn, xin, xie):
        if xin is None:
            raise ValueError("Eq. (12) needs xi at the new temperatures")
        xin = np.broadcast_to(float_array(xin, "xi", positive=True), Tn.shape)
        ln = np.log(fit.tau_inf) + fit.mu * xin / Tn
        return ln, predict_log_tau_err(birge_fit, Tn, xin, xie)

    law._predict = predict
    return law


def _vft_family(name, T, tau, tau_err) -> LawFit:
    sigma10 = tau_err / (tau * LN10)
    try:
        with warnings.catch_warnings(record=True) as caught:  # a parameter on its bound: kept as a note
            warnings.simplefilter("always", vft.FitWarning)
            fit = vft.fit(T, tau, model=name, sigma=sigma10)
    except (ValueError, RuntimeError) as exc:
        return LawFit(name, 3, float("nan"), T.size - 3, {}, error=f"{type(exc).__name__}: {exc}")
    chi2 = float(np.sum((fit.residuals / sigma10) ** 2))
    notes = [str(w.message) for w in caught if issubclass(w.category, vft.FitWarning)]
    law = LawFit(name, 3, chi2, T.size - 3, dict(fit.params), note="; ".join(notes) or None)
    names = list(fit.params)
    p0 = np.array([fit.params[n] for n in names])
    cov = np.asarray(fit.cov, float) * law.birge

    def log10_at(p, Tn):
        try:
            return dataclasses.replace(fit, params=dict(zip(names, p))).log10_tau(Tn)
        except ValueError:  # VFT below its T0: the law predicts an infinite τ
            return np.full(Tn.size, np.inf)

    def predict(Tn, xin, xie):
        y = log10_at(p0, Tn)
        if not np.all(np.isfinite(y)):
            return y * LN10, np.full(Tn.size, np.nan)
        J = np.empty((Tn.size, p0.size))
        for j in range(p0.size):  # central differences: the delta method for any of the three laws
            h = 1e-6 * max(abs(p0[j]), 1e-3)
            up, dn = p0.copy(), p0.copy()
            up[j] += h
            dn[j] -= h
            J[:, j] = (log10_at(up, Tn) - log10_at(dn, Tn)) / (2 * h)
        var = np.einsum("ij,jk,ik->i", J, cov, J)
        return y * LN10, np.sqrt(np.maximum(var, 0.0)) * LN10

    law._predict = predict
    return law


def fit_laws(T, tau, tau_err, xi=None, xi_err=None, laws=LAWS) -> dict[str, LawFit]:
    """The ``laws`` (default all of :data:`LAWS`) fitted to the same points with the same weights
    (Eq. 12 needs ``xi``; with ``xi_err`` its weights include the error of ξ, see :func:`_eq12`).
    A fit that fails is kept with its ``error`` (no law silently disappears)."""
    T = float_array(T, "T", ndim=1, positive=True, min_size=4)
    _ln_tau(tau, tau_err)
    same_length("T", T, "tau", np.asarray(tau))
    tau, tau_err = np.asarray(tau, float), np.asarray(tau_err, float)
    unknown = set(laws) - set(LAWS)
    if unknown:
        raise ValueError(f"laws must be among {LAWS}, got {sorted(unknown)}")
    out = {}
    if "eq12" in laws:
        if xi is None:
            raise ValueError("Eq. (12) needs xi at the fitted temperatures")
        xi = float_array(xi, "xi", ndim=1, positive=True)
        same_length("T", T, "xi", xi)
        if xi_err is not None:
            xi_err = float_array(xi_err, "xi_err", ndim=1)
            same_length("xi", xi, "xi_err", xi_err)
        out["eq12"] = _eq12(T, tau, tau_err, xi, xi_err)
    for name in LAWS[1:]:
        if name in laws:
            out[name] = _vft_family(name, T, tau, tau_err)
    return out


@dataclass(frozen=True)
class BlindTest:
    """One law's blind predictions: per blind point ``ln_pred``, ``sigma_pred``, ``ln_meas``,
    ``sigma_meas`` and ``pull``; ``chi2`` = Σ pull², its ``p_value`` (χ² with as many degrees of
    freedom as blind points), ``within2`` (points with |pull| ≤ 2) and ``consistent`` (p ≥ p_min)."""

    law: str
    ln_pred: np.ndarray
    sigma_pred: np.ndarray
    ln_meas: np.ndarray
    sigma_meas: np.ndarray
    pull: np.ndarray
    chi2: float
    p_value: float
    within2: int
    consistent: bool


def blind_test(fits: dict, T_blind, tau_blind, tau_blind_err, xi_blind=None, xi_blind_err=None,
               p_min: float = 0.05) -> dict[str, BlindTest]:
    """Predict the blind points with every fitted law and compute the pulls (module doc)."""
    T_blind = float_array(T_blind, "T_blind", ndim=1, positive=True)
    ln_meas, s_meas = _ln_tau(tau_blind, tau_blind_err)
    same_length("T_blind", T_blind, "tau_blind", ln_meas)
    return {name: _scored(name, *law.predict(T_blind, xi_blind, xi_blind_err), ln_meas, s_meas, p_min,
                          failed=law.error is not None)
            for name, law in fits.items()}


def _scored(name, ln_pred, s_pred, ln_meas, s_meas, p_min, failed=False) -> BlindTest:
    with np.errstate(invalid="ignore"):
        pull = (ln_meas - ln_pred) / np.sqrt(s_pred**2 + s_meas**2)
    pull = np.where(np.isposinf(ln_pred), -np.inf, pull)
    chi2 = float(np.sum(pull**2))
    p = float("nan") if failed else float(sps.chi2.sf(chi2, pull.size)) if np.isfinite(chi2) else 0.0
    return BlindTest(name, ln_pred, s_pred, ln_meas, s_meas, pull, chi2, p, int(np.sum(np.abs(pull) <= 2)),
                     bool(p >= p_min))


NAMES = {"eq12": "Eq. (12)", "vft": "VFT", "myega": "MYEGA", "am": "Avramov–Milchev"}


def verdict(tests: dict[str, BlindTest], law: str = "eq12") -> dict:
    """The verdict on ``law`` from the comparison: whether the held-out data are consistent with it
    (blind χ² probability ≥ p_min), its rank by blind Σz² among the laws, the laws that are
    consistent, and a sentence saying so. Only laws whose fit succeeded are ranked."""
    if law not in tests:
        raise ValueError(f"law {law!r} was not tested (tested: {sorted(tests)})")
    ranked = sorted((t for t in tests.values() if np.isfinite(t.chi2)), key=lambda t: t.chi2)
    names = [t.law for t in ranked]
    rank = names.index(law) + 1 if law in names else None
    ok = [t.law for t in ranked if t.consistent]
    t = tests[law]
    n = t.pull.size
    head = (f"{NAMES[law]} predicts the {n} held-out temperatures "
            + ("consistently with their errors" if t.consistent else "inconsistently with their errors")
            + f" (Σz² = {t.chi2:.3g} for {n} points, p = {t.p_value:.2g}; {t.within2} of {n} within 2σ)")
    if rank is None:
        tail = "; its fit failed"
    elif rank == 1:
        tail = "; no competing law fitted to the same points predicts them better"
    else:
        tail = f"; {NAMES[names[0]]} predicts them best (Σz² = {ranked[0].chi2:.3g})"
    others = [NAMES[x] for x in ok if x != law]
    if t.consistent:
        tail += (", and " + ", ".join(others) + (" is" if len(others) == 1 else " are") + " consistent too"
                 if others else ", and no competing law is consistent with them")
    else:
        tail += ("; consistent with them: " + ", ".join(others) if others
                 else ", and no competing law is consistent with them either")
    return {"consistent": t.consistent, "rank": rank, "n_laws": len(ranked), "consistent_laws": ok,
            "best": names[0] if names else None, "text": head + tail}


@dataclass(frozen=True)
class FairTest:
    """Everything :func:`fair_test` decided and measured: the ``plan``, the training ``species``
    scheme and ``liquid`` labels, measured ``xi`` and ``xi_err`` (all state points), the ``fits`` on
    the window, ξ predicted at the blind points (``xi_blind``, ``xi_blind_err``), the blind
    ``tests`` and the ``verdict`` on Eq. (12)."""

    plan: Plan
    species: SpeciesScheme
    liquid: tuple
    xi: np.ndarray
    xi_err: np.ndarray
    fits: dict
    xi_blind: np.ndarray
    xi_blind_err: np.ndarray
    tests: dict
    verdict: dict


def _eq12_joint_sigma(data, S, liq, p, rho_b, n_draw, rng) -> np.ndarray:
    """σ of Eq. (12)'s ln τ at the blind points from one bootstrap of everything the prediction uses:
    the training concentrations (hence ξ on the window *and* the species model that predicts ξ at the
    blind points, whose errors are correlated) and the window's τα. Adding the parameter covariance
    and the error of the predicted ξ in quadrature would count their common noise twice."""
    tr, bl, w = p.train, p.blind, p.window
    cols = data.columns(S.labels)
    C, E = data.C[tr][:, cols], data.C_err[tr][:, cols]
    liq_cols = [S.index(lab) for lab in liq]
    in_tr = np.searchsorted(tr, w)
    ref = fit_species(data.T[tr], C, S, E)[0]
    T_w, tau_w, err_w = data.T[w], data.tau_alpha[w], data.tau_alpha_err[w]
    draws = []
    for Cb, fb in _redrawn_fits(data.T[tr], C, E, S, ref, n_draw, rng):
        if not (np.all(np.isfinite(fb.H)) and np.all(np.isfinite(fb.ln_g))):
            continue
        xi_bl = model_xi(data.T[bl], fb.H, fb.g, S, rho_b)
        xi_w = correlation_length(data.density[w], Cb[in_tr][:, liq_cols].sum(axis=1), data.dim)
        tau_b = tau_w * np.exp(err_w / tau_w * rng.standard_normal(w.size))
        law = _eq12(T_w, tau_b, err_w, xi_w)
        draws.append(law.predict(data.T[bl], xi_bl)[0])
    if len(draws) < 10:
        raise ValueError("the species model could not be refitted on the bootstrap draws")
    return np.std(draws, axis=0, ddof=1)


def fair_test(data, protocol: Protocol, liquid=None, n_draw: int = 200, rng=None) -> FairTest:
    """The whole protocol on one campaign (module doc). ``data`` is a campaign's arrays sorted by T
    (a :class:`scaledyn.campaign.data.CampaignData` or any object with ``T``, ``tau_alpha``,
    ``tau_alpha_err``, ``C``, ``C_err``, ``density``, ``dim``, ``scheme``, ``columns(labels)`` and
    ``liquid_concentration(labels)``). ``liquid``: fixed liquid labels (e.g. the source's, chosen
    without our data); default: chosen from the training points. Only training rows reach the
    choices; the blind rows are used for the pulls alone. Eq. (12)'s prediction error comes from a
    joint bootstrap (:func:`_eq12_joint_sigma`); the other laws' from their covariances."""
    p = plan(data.T, data.tau_alpha, data.tau_alpha_err, protocol)
    tr, bl, w = p.train, p.blind, p.window
    S = training_species(data.C[tr], data.scheme, data.T[tr], protocol.species_threshold, data.C_err[tr],
                         liquid=liquid)
    liq = tuple(lab for lab, q in zip(S.labels, S.liquid) if q)
    if not liq:
        raise ValueError("no liquid species: no concentration falls on cooling over the training temperatures")
    c_liq, c_err = data.liquid_concentration(liq)
    xi, xi_err = correlation_length(data.density, c_liq, data.dim, c_err)
    fits = fit_laws(data.T[w], data.tau_alpha[w], data.tau_alpha_err[w], xi=xi[w], xi_err=xi_err[w])
    rho_b = extrapolate_density(data.T[tr], data.density[tr], data.T[bl], n_cold=protocol.density_points)
    cols = data.columns(S.labels)
    rng = np.random.default_rng(rng)
    xi_b, xe_b = extrapolate_xi(data.T[tr], data.C[tr][:, cols], data.C_err[tr][:, cols], S, rho_b, data.T[bl],
                                n_draw=n_draw, rng=rng)
    tests = blind_test(fits, data.T[bl], data.tau_alpha[bl], data.tau_alpha_err[bl], xi_b, xe_b, protocol.p_min)
    # the same Birge inflation as the other laws' covariances (σ scales as its square root)
    s_joint = _eq12_joint_sigma(data, S, liq, p, rho_b, n_draw, rng) * np.sqrt(fits["eq12"].birge)
    t = tests["eq12"]
    tests["eq12"] = _scored("eq12", t.ln_pred, s_joint, t.ln_meas, t.sigma_meas, protocol.p_min)
    return FairTest(plan=p, species=S, liquid=liq, xi=xi, xi_err=xi_err, fits=fits, xi_blind=xi_b,
                    xi_blind_err=xe_b, tests=tests, verdict=verdict(tests))


def try_fair_test(data, protocol: Protocol, liquid=None, n_draw: int = 200, rng=None
                  ) -> tuple[FairTest | None, str | None]:
    """``(fair_test(...), None)``, or ``(None, reason)`` when the protocol cannot run on these data
    (:class:`NotTestable`: too few temperatures, or a window smaller than ``min_window``). Any other
    error is raised: only "not enough data yet" is a result."""
    try:
        return fair_test(data, protocol, liquid=liquid, n_draw=n_draw, rng=rng), None
    except NotTestable as exc:
        return None, str(exc)


def summary(ft: FairTest, T, law: str = "eq12") -> dict:
    """The verdict numbers of one :class:`FairTest` as a flat dict (for a table of several ladders):
    ``n_T``, ``T_min``, ``T_max``, ``blind_T`` (tuple), ``window_n``, ``window_T`` ("lo–hi"),
    ``consistent``; for ``law``: ``chi2_blind`` (Σz²), ``p``, ``within2``, ``n_blind``, ``chi2_red``
    (on the window), ``pulls``, ``sigma_pred``, ``sigma_meas`` (tuples, per blind point) and, for
    Eq. (12), ``mu`` and ``mu_err``; ``aic_rank`` and ``blind_rank`` of ``law`` among the laws whose
    fit succeeded (1: lowest AIC on the window / lowest blind Σz²), ``aic_order`` (law names by AIC)
    and ``consistent_laws``. ``T`` are the campaign's temperatures (ascending, as given to
    :func:`fair_test`)."""
    if not isinstance(ft, FairTest):
        raise TypeError(f"ft must be a FairTest, got {type(ft).__name__}")
    if law not in ft.tests:
        raise ValueError(f"law {law!r} was not tested (tested: {sorted(ft.tests)})")
    T = float_array(T, "T", ndim=1, positive=True)
    if T.size != ft.xi.size:
        raise ValueError(f"T must hold the campaign's {ft.xi.size} temperatures, got {T.size}")
    ok = [n for n, f in ft.fits.items() if f.error is None and np.isfinite(f.aic)]
    by_aic = sorted(ok, key=lambda n: ft.fits[n].aic)
    by_blind = sorted((n for n in ok if np.isfinite(ft.tests[n].chi2)), key=lambda n: ft.tests[n].chi2)
    f, t, p = ft.fits[law], ft.tests[law], ft.plan
    return {
        "n_T": int(T.size), "T_min": float(T.min()), "T_max": float(T.max()),
        "blind_T": tuple(float(x) for x in T[p.blind]), "window_n": int(p.window.size),
        "window_T": f"{T[p.window].min():.3g}–{T[p.window].max():.3g}", "consistent": bool(t.consistent),
        "chi2_blind": float(t.chi2), "p": float(t.p_value), "within2": int(t.within2), "n_blind": int(t.pull.size),
        "chi2_red": float(f.chi2_red), "pulls": tuple(float(z) for z in t.pull),
        "sigma_pred": tuple(float(s) for s in t.sigma_pred), "sigma_meas": tuple(float(s) for s in t.sigma_meas),
        "mu": float(f.params.get("mu", float("nan"))), "mu_err": float(f.param_errors.get("mu", float("nan"))),
        "aic_rank": by_aic.index(law) + 1 if law in by_aic else None,
        "blind_rank": by_blind.index(law) + 1 if law in by_blind else None,
        "aic_order": tuple(by_aic), "consistent_laws": tuple(ft.verdict["consistent_laws"]),
    }


def hump_barrier() -> float:
    """ΔU of the hump model's pair potential (ε): the top of the hump beyond the well minus the bottom
    of the well (its first local minimum; the potential is shifted, so beyond the cutoff U = 0 may lie
    below the well), on a fine grid of r in [1.0, 1.6] σ. The "barrier" window of :func:`book_protocol`."""
    from ..md import models
    from ..md.reference import pair_energy

    hm = models.hump2d()
    r = np.linspace(1.0, 1.6, 60001)
    U = pair_energy(hm.potential, hm.params, 0, 0, r)
    k = int(np.argmax(np.diff(U) > 0))          # the first local minimum: the bottom of the well, r0 = 2^(1/6) σ
    return float(U[k:].max() - U[k])


def book_protocol(model: str) -> Protocol:
    """The protocol the book applies (chapters 6 and 7), fixed before any result: three blind points;
    hump2d: the window below :func:`hump_barrier`; binary3d: at or below the measured onset."""
    if model == "hump2d":
        return Protocol(n_blind=3, window="barrier", barrier=hump_barrier())
    if model == "binary3d":
        return Protocol(n_blind=3, window="onset")
    raise ValueError(f"model must be 'binary3d' or 'hump2d', got {model!r}")


def book_liquid(model: str):
    """The liquid set fixed without our data (the source's, hump2d), or None: chosen from the training
    points (binary3d, whose list the source gives for a state point it does not state)."""
    if model == "hump2d":
        from .species import hump2d_scheme

        s = hump2d_scheme()
        return [lab for lab, q in zip(s.labels, s.liquid) if q]
    if model == "binary3d":
        return None
    raise ValueError(f"model must be 'binary3d' or 'hump2d', got {model!r}")


def book_test(data, model: str, n_draw: int = 100, rng=2026) -> tuple[FairTest | None, str | None]:
    """:func:`try_fair_test` of ``data`` with :func:`book_protocol` and :func:`book_liquid` of ``model``:
    the one call chapters 6 and 7 make on every ladder."""
    return try_fair_test(data, book_protocol(model), liquid=book_liquid(model), n_draw=n_draw, rng=rng)
