"""Tests of scaledyn.vft: the laws, the fragility–strength algebra, E_eff, and the fits."""

import math

import numpy as np
import pytest

from scaledyn import vft

GLY = dict(log10_tau0=-14.0, D=15.0, T0=137.0)  # the seed's glycerol parameters


# ------------------------------------------------------------------------------------------ laws
def test_vft_tau_glycerol_seed_numbers():
    # tau(190 K) = 1e-14 exp(2055/53) s: about 690 s, not 100 s
    tau_g = vft.vft_tau(190.0, 1e-14, 15.0, 137.0)
    assert tau_g == pytest.approx(1e-14 * math.exp(2055.0 / 53.0), rel=1e-12)
    assert 680 < tau_g < 700
    # 100 s is reached at Tg = T0 + D T0 / (16 ln 10)
    tg = vft.vft_tg(**GLY, level=2.0)
    assert tg == pytest.approx(137.0 + 2055.0 / (16 * math.log(10)), rel=1e-12)
    assert vft.vft_log10_tau(tg, **GLY) == pytest.approx(2.0, abs=1e-12)


def test_vft_log10_matches_tau():
    T = np.linspace(150, 400, 11)
    assert np.allclose(np.log10(vft.vft_tau(T, 1e-14, 15, 137)), vft.vft_log10_tau(T, -14, 15, 137))


@pytest.mark.parametrize("law", [vft.myega_log10_tau, vft.am_log10_tau])
def test_myega_am_pass_through_tg_with_slope_m(law):
    Tg, m, L = 190.0, 53.0, -12.0
    assert law(Tg, L, Tg, m) == pytest.approx(2.0, abs=1e-12)
    # slope d log10 tau / d(Tg/T) at Tg equals m (finite difference in x = Tg/T)
    h = 1e-6
    up = law(Tg / (1 + h), L, Tg, m)
    dn = law(Tg / (1 - h), L, Tg, m)
    assert (up - dn) / (2 * h) == pytest.approx(m, rel=1e-6)
    # and tends to L at infinite temperature
    assert law(1e9, L, Tg, m) == pytest.approx(L, abs=1e-4)


def test_m_min():
    assert vft.m_min() == pytest.approx(16.0, abs=1e-12)
    assert vft.m_min(1e12, 1e-4) == pytest.approx(16.0, abs=1e-12)
    with pytest.raises(ValueError, match="tau_g"):
        vft.m_min(1e-15, 1e-14)


# ----------------------------------------------------------------------- fragility and strength
def test_fragility_strength_roundtrip():
    D = np.array([3.0, 6.7, 15.0, 147.0, 1e4])
    m = vft.fragility_from_strength(D)
    assert np.allclose(vft.strength_from_fragility(m), D, rtol=1e-12)
    # strong limit: D -> infinity gives the Arrhenius value m = m_min
    assert vft.fragility_from_strength(1e12) == pytest.approx(16.0, rel=1e-9)
    # smaller D means more fragile
    assert np.all(np.diff(m) < 0)


def test_fragility_formula_matches_direct_vft_slope():
    for D, T0 in [(15.0, 137.0), (5.0, 200.0), (100.0, 300.0)]:
        m_direct = vft.vft_fragility(-14.0, D, T0, level=2.0)
        assert m_direct == pytest.approx(vft.fragility_from_strength(D, 16.0), rel=1e-12)
        # and as a finite difference of log10 tau in Tg/T
        tg = vft.vft_tg(-14.0, D, T0)
        h = 1e-6
        fd = (vft.vft_log10_tau(tg / (1 + h), -14, D, T0) - vft.vft_log10_tau(tg / (1 - h), -14, D, T0)) / (2 * h)
        assert fd == pytest.approx(m_direct, rel=1e-6)


def test_t0_from_fragility_reproduces_tau_g():
    p = vft.vft_from_tg_m(246.0, 81.0)
    assert vft.vft_log10_tau(246.0, **p) == pytest.approx(2.0, abs=1e-10)
    assert vft.vft_fragility(**p) == pytest.approx(81.0, rel=1e-10)


def test_strength_rejects_m_below_mmin():
    with pytest.raises(ValueError, match="m must exceed"):
        vft.strength_from_fragility(15.0)
    with pytest.raises(ValueError, match="D must be positive"):
        vft.fragility_from_strength(-1.0)


# -------------------------------------------------------------------------------- E_eff
@pytest.mark.parametrize("model,params", [
    ("vft", (-14.0, 15.0, 137.0)),
    ("myega", (-11.0, 190.0, 53.0)),
    ("am", (-11.0, 190.0, 53.0)),
])
def test_activation_energy_against_finite_differences(model, params):
    T = np.array([170.0, 190.0, 230.0, 300.0])
    law = vft.MODELS[model].log10
    h = 1e-7
    invT = 1.0 / T
    fd = (law(1 / (invT + h), *params, 2.0) - law(1 / (invT - h), *params, 2.0)) / (2 * h) * math.log(10)
    assert np.allclose(vft.activation_energy(model, T, *params), fd, rtol=1e-6)


def test_vft_activation_energy_closed_form_and_barrier():
    T = np.array([190.0])
    e = vft.vft_activation_energy(T, 15, 137)
    assert e[0] == pytest.approx(2055 * 190**2 / 53**2, rel=1e-12)
    assert np.allclose(e, vft.activation_energy("vft", T, -14, 15, 137))
    # the barrier k_B T ln(tau/tau0) is a different (smaller) number
    b = vft.vft_barrier(T, 15, 137)
    assert b[0] == pytest.approx(190 * 2055 / 53, rel=1e-12)
    assert b[0] < e[0]
    # E_eff(Tg) = ln10 m k_B Tg, in kelvin
    tg = vft.vft_tg(**GLY)
    assert vft.vft_activation_energy(tg, 15, 137) == pytest.approx(
        math.log(10) * vft.vft_fragility(**GLY) * tg, rel=1e-12)


# -------------------------------------------------------------------------------------- fits
def test_fit_recovers_noiseless_vft():
    T = np.linspace(185, 320, 30)
    tau = vft.vft_tau(T, 1e-14, 15, 137)
    r = vft.fit(T, tau, model="vft")
    assert r.params["log10_tau0"] == pytest.approx(-14.0, abs=1e-6)
    assert r.params["D"] == pytest.approx(15.0, rel=1e-6)
    assert r.params["T0"] == pytest.approx(137.0, rel=1e-7)
    assert r.fragility == pytest.approx(vft.fragility_from_strength(15.0), rel=1e-6)
    assert r.rms < 1e-8


@pytest.mark.parametrize("model,true", [
    ("vft", (-14.0, 15.0, 137.0)),
    ("myega", (-11.0, 190.0, 60.0)),
    ("am", (-11.0, 190.0, 60.0)),
])
def test_fit_recovers_noisy_parameters_within_uncertainty(model, true):
    rng = np.random.default_rng(20261121)
    T = np.linspace(192, 320, 60)
    sigma = 0.05
    law = vft.MODELS[model].log10
    y = law(T, *true, 2.0) + rng.normal(0, sigma, T.size)
    r = vft.fit(T, log10_tau=y, model=model, sigma=sigma)
    for name, t in zip(vft.MODELS[model].params, true):
        assert abs(r.params[name] - t) < 4 * r.stderr[name], (name, r.params[name], r.stderr[name])
    # chi^2 per degree of freedom near 1 when sigma is the true noise
    assert 0.6 < r.rss / (T.size - 3) < 1.5


def test_fit_uncertainties_are_calibrated():
    # over many noisy realisations the D estimate scatters by about its reported standard error
    rng = np.random.default_rng(7)
    T = np.linspace(195, 330, 40)
    y0 = vft.vft_log10_tau(T, -14, 15, 137)
    est, err = [], []
    for _ in range(40):
        r = vft.fit(T, log10_tau=y0 + rng.normal(0, 0.03, T.size), model="vft", sigma=0.03)
        est.append(r.params["D"])
        err.append(r.stderr["D"])
    ratio = np.std(est) / np.mean(err)
    assert 0.6 < ratio < 1.5


def test_fit_all_prefers_the_true_law_by_aic():
    rng = np.random.default_rng(3)
    T = np.linspace(190, 330, 80)
    y = vft.vft_log10_tau(T, -14, 15, 137) + rng.normal(0, 0.02, T.size)
    res = vft.fit_all(T, log10_tau=y, sigma=0.02)
    assert set(res) == {"vft", "myega", "am"}
    assert res["vft"].aic < res["am"].aic


def test_fit_viscosity_level():
    T = np.linspace(500, 900, 25)
    p = dict(log10_tau0=-4.0, D=20.0, T0=300.0)  # a viscosity law in Pa s
    y = vft.vft_log10_tau(T, **p)
    r = vft.fit(T, log10_tau=y, level=12.0)
    assert r.tg == pytest.approx(vft.vft_tg(**p, level=12.0), rel=1e-6)
    assert vft.vft_log10_tau(r.tg, **p) == pytest.approx(12.0, abs=1e-6)


def test_linearised_fit_returns_input_for_vft_data():
    T = np.linspace(142, 240, 200)
    tau = vft.vft_tau(T, 1e-14, 15, 137)
    lin = vft.linearised_vft_fit(T, tau, 137.0)
    assert lin["slope"] == pytest.approx(2055.0, rel=1e-10)
    assert lin["intercept"] == pytest.approx(math.log(1e-14), rel=1e-10)
    assert lin["r2"] == pytest.approx(1.0, abs=1e-12)


# ------------------------------------------------------------------------------ bad input
def test_rejects_T_at_or_below_T0():
    with pytest.raises(ValueError, match="T must be above"):
        vft.vft_log10_tau([150, 137], -14, 15, 137)
    with pytest.raises(ValueError, match="T must be above"):
        vft.vft_activation_energy(100.0, 15, 137)


@pytest.mark.parametrize("kwargs,match", [
    (dict(T=[200, 210, 220, 230], tau=[1, 0, 1, 1]), "tau must be positive"),
    (dict(T=[200, 210, 220, 230], tau=[1, -2, 1, 1]), "tau must be positive"),
    (dict(T=[200, 210, 220, 230], tau=[1, 2, 3]), "same shape"),
    (dict(T=[200, np.nan, 220, 230], tau=[1, 2, 3, 4]), "T contains NaN"),
    (dict(T=[200, 210, 220, 230], tau=[1, np.nan, 3, 4]), "tau contains NaN"),
    (dict(T=[200, 210, 220], tau=[1, 2, 3]), "at least 4"),
    (dict(T=[-200, 210, 220, 230], tau=[1, 2, 3, 4]), "T must be positive"),
])
def test_fit_rejects_bad_data(kwargs, match):
    with pytest.raises(ValueError, match=match):
        vft.fit(kwargs["T"], kwargs["tau"])


def test_fit_rejects_bad_options():
    T = np.linspace(200, 300, 10)
    tau = vft.vft_tau(T, 1e-14, 15, 137)
    with pytest.raises(ValueError, match="model must be one of"):
        vft.fit(T, tau, model="arrhenius")
    with pytest.raises(ValueError, match="exactly one"):
        vft.fit(T, tau, log10_tau=np.log10(tau))
    with pytest.raises(ValueError, match="sigma must be positive"):
        vft.fit(T, tau, sigma=0.0)
    with pytest.raises(ValueError, match="p0"):
        vft.fit(T, tau, p0=[1, 2])


def test_scalar_parameters_validated():
    with pytest.raises(ValueError, match="D must be positive"):
        vft.vft_log10_tau(200.0, -14, -1.0, 137)
    with pytest.raises(TypeError, match="D must be a real number"):
        vft.vft_log10_tau(200.0, -14, "15", 137)
    with pytest.raises(ValueError, match="tau0 must be positive"):
        vft.vft_tau(200.0, 0.0, 15, 137)
    with pytest.raises(ValueError, match="log10_tau_inf must be below"):
        vft.myega_log10_tau(200.0, 3.0, 190.0, 53.0)


# ------------------------------------------------------------------ reliability (issues 19, 21)
def test_laws_are_TauLaw_not_Model():
    """vft's law registry has its own class name, distinct from the simulation models of scaledyn.md."""
    assert not hasattr(vft, "Model")
    assert all(isinstance(law, vft.TauLaw) for law in vft.MODELS.values())


@pytest.mark.parametrize("model", ["vft", "myega", "am"])
@pytest.mark.parametrize(
    "case",
    [
        lambda T: 2.0 - 0.05 * (300.0 - T),                              # faster on cooling
        lambda T: np.full(T.size, 1.0),                                  # flat
        lambda T: np.random.default_rng(1).normal(0.0, 1.0, T.size),     # noise
    ],
    ids=["faster-on-cooling", "flat", "noise"],
)
def test_fit_refuses_data_that_do_not_slow_down(model, case):
    T = np.linspace(200.0, 300.0, 20)
    with pytest.raises(ValueError, match="must grow on cooling"):
        vft.fit(T, log10_tau=case(T), model=model)


def test_fit_warns_when_a_parameter_is_pinned():
    """Data that slow down less than Arrhenius: the best VFT runs to T0 -> 0 (on its bound) and
    D -> inf; say so and report no fake error."""
    T = np.linspace(200.0, 300.0, 20)
    y = 5.0 - 0.004 * (T - 200.0)
    with pytest.warns(vft.FitWarning, match="T0"):
        r = vft.fit(T, log10_tau=y, model="vft")
    assert "T0" in r.pinned and math.isnan(r.stderr["T0"]) and math.isnan(r.tg_err)


def test_regular_fit_has_no_pinned_parameters():
    T = np.linspace(195.0, 300.0, 30)
    y = vft.vft_log10_tau(T, **GLY) + np.random.default_rng(3).normal(0, 0.02, T.size)
    import warnings as _w

    with _w.catch_warnings():
        _w.simplefilter("error", vft.FitWarning)
        r = vft.fit(T, log10_tau=y, sigma=0.02)
    assert r.pinned == ()


@pytest.mark.parametrize("model", ["vft", "myega", "am"])
def test_delta_method_errors_agree_with_monte_carlo(model):
    """The delta-method errors of Tg and m must match a Monte Carlo propagation of the covariance.

    Parameters are drawn from N(popt, cov) and pushed through the law's own Tg(p) and m(p); with
    errors of a few per cent the propagation is linear, so the spreads agree to the Monte Carlo
    accuracy (~1 % for 40 000 draws). A wrong gradient in the delta method shows up as a mismatch.
    """
    T = np.linspace(195.0, 300.0, 36)
    y = vft.vft_log10_tau(T, **GLY) + np.random.default_rng(7).normal(0.0, 0.05, T.size)
    r = vft.fit(T, log10_tau=y, model=model, sigma=0.05)
    law = vft.MODELS[model]
    draws = np.random.default_rng(11).multivariate_normal(np.array(r.p), r.cov, size=40000)
    tg = law.tg(*draws.T, r.level)
    m = law.fragility(*draws.T, r.level)
    assert np.std(tg) == pytest.approx(r.tg_err, rel=0.05)
    assert np.std(m) == pytest.approx(r.fragility_err, rel=0.05)
