"""The fair test of relaxation laws: synthetic worlds with a known true law, calibrated pulls,
a protocol that cannot see the blind points, and bad input."""

import numpy as np
import pytest

from scaledyn import vft
from scaledyn.analysis import free_energy, law_test as lt, length_scale, species

HUMP = species.hump2d_scheme()
PAPER = free_energy.paper_hump_table()
T = np.array([0.11, 0.12, 0.13, 0.14, 0.15, 0.17, 0.2, 0.22, 0.25, 0.3])
RHO = 0.8


def eq12_world(rng, n_eff=20000, sigma_tau=0.05, mu=0.5, tau_inf=0.5):
    """Concentrations from Table II sampled as ``n_eff`` independent particles per temperature (4096
    particles in ~5 independent snapshots: multinomial errors, as block errors behave); τα from
    Eq. (12) with the true ξ and 5 % noise."""
    C_true = free_energy.model_concentrations(T, PAPER["H"], PAPER["g"], HUMP)
    C = np.array([rng.multinomial(n_eff, c) for c in C_true]) / n_eff
    C = np.clip(C, 0.5 / n_eff, None)
    xi_true = length_scale.correlation_length(RHO, species.liquid_concentration(C_true, HUMP), 2)
    tau = tau_inf * np.exp(mu * xi_true / T) * np.exp(sigma_tau * rng.standard_normal(T.size))
    return C, np.sqrt(C * (1 - C) / n_eff), tau, sigma_tau * tau


def test_eq12_blind_pulls_are_calibrated_when_eq12_is_true():
    # 200 synthetic campaigns: the whole protocol (species and liquid set from the 7 warm points,
    # Eq. 12 fitted there with the measured ξ, ξ at the 3 cold ones from the species model, one joint
    # bootstrap for the prediction error, pulls with both errors).
    rng = np.random.default_rng(7)
    pulls = []
    for _ in range(200):
        res = lt.fair_test(Synthetic(rng), lt.Protocol(window="all"), n_draw=20, rng=rng)
        pulls.extend(res.tests["eq12"].pull)
    pulls = np.array(pulls)
    assert abs(pulls.mean()) < 0.2 and 0.8 < pulls.std() < 1.25, (pulls.mean(), pulls.std())


def test_vft_blind_pulls_are_calibrated_when_vft_is_true():
    rng = np.random.default_rng(8)
    Tk = np.linspace(0.27, 0.80, 12)
    truth = vft.vft_log10_tau(Tk, -0.5, 2.0, 0.2) * np.log(10)
    pulls = []
    for _ in range(200):
        err = 0.04
        tau = np.exp(truth + err * rng.standard_normal(Tk.size))
        fits = lt.fit_laws(Tk[3:], tau[3:], err * tau[3:], laws=("vft",))
        pulls.extend(lt.blind_test(fits, Tk[:3], tau[:3], err * tau[:3])["vft"].pull)
    pulls = np.array(pulls)
    finite = np.isfinite(pulls)  # a fitted T0 above a blind T predicts an infinite τ: a miss, and rare
    assert finite.mean() > 0.95
    # the extrapolation of a curved law is slightly biased (mean ≈ 0.2 here); the errors are honest
    assert abs(pulls[finite].mean()) < 0.3 and 0.8 < pulls[finite].std() < 1.25, (pulls.mean(), pulls.std())


def test_a_wrong_law_fails_the_blind_test_and_the_right_one_passes():
    rng = np.random.default_rng(9)
    C, C_err, tau, tau_err = eq12_world(rng, sigma_tau=0.02)
    Ta = T[::-1]  # Arrhenius data with the same spread of τα: Eq. (12) with a fixed ξ is Arrhenius too
    tau_arr = 0.5 * np.exp(1.0 / T)
    p = lt.plan(T, tau, tau_err, lt.Protocol(window="all"))
    xi_tr = length_scale.correlation_length(RHO, species.liquid_concentration(C[p.train], HUMP), 2)
    fits = lt.fit_laws(T[p.train], tau[p.train], tau_err[p.train], xi=xi_tr)
    xi_bl, xi_bl_err = lt.extrapolate_xi(T[p.train], C[p.train], C_err[p.train], HUMP, RHO, T[p.blind], rng=1)
    res = lt.blind_test(fits, T[p.blind], tau[p.blind], tau_err[p.blind], xi_bl, xi_bl_err)
    assert res["eq12"].consistent and set(res) == set(lt.LAWS)
    # Eq. (12) fitted to data that are Arrhenius in T (not in ξ/T) misses the blind points
    fits_a = lt.fit_laws(T[p.train], tau_arr[p.train], 0.02 * tau_arr[p.train], xi=xi_tr, laws=("eq12",))
    res_a = lt.blind_test(fits_a, T[p.blind], tau_arr[p.blind], 0.02 * tau_arr[p.blind], xi_bl, xi_bl_err)
    assert not res_a["eq12"].consistent
    assert Ta.size == T.size


def test_onset_is_measured_on_training_points_and_the_plan_never_sees_the_blind_ones():
    Tk = np.array([0.30, 0.32, 0.34, 0.36, 0.38, 0.40, 0.45, 0.5, 0.6, 0.8, 1.0])
    ln_tau = -1.0 + 1.5 / Tk + 40.0 * np.clip(1 / Tk - 1 / 0.42, 0, None) ** 2  # Arrhenius above T = 0.42
    tau, err = np.exp(ln_tau), 0.03 * np.exp(ln_tau)
    T_A = lt.arrhenius_onset(Tk, tau, err, n_hot=3, z=3.0)
    assert 0.36 <= T_A <= 0.40
    prot = lt.Protocol(n_blind=2, window="onset", min_window=4)
    p = lt.plan(Tk, tau, err, prot)
    assert np.all(Tk[p.window] <= T_A) and set(p.window) <= set(p.train) and set(p.blind) == {0, 1}
    # the blind points can be anything: the window does not change
    tau2 = tau.copy()
    tau2[:2] *= np.array([1e3, 1e-2])
    p2 = lt.plan(Tk, tau2, err, prot)
    assert np.array_equal(p.window, p2.window) and p.T_onset == p2.T_onset
    barrier = lt.plan(Tk, tau, err, lt.Protocol(window="barrier", barrier=0.5, min_window=4))
    assert np.all(Tk[barrier.window] < 0.5)


def test_training_species_use_training_rows_only():
    C = free_energy.model_concentrations(T, PAPER["H"], PAPER["g"], HUMP)
    full = species.hump2d_scheme(counts=(0, 10))
    Cf = np.zeros((T.size, full.n_species))
    Cf[:, 2:7] = C
    Cf[0, 9] = 0.2          # a species present only at a blind temperature
    Cf[0] /= Cf[0].sum()
    S = lt.training_species(Cf[3:], full, T[3:])
    assert "9" not in S.labels and S.labels == ("2", "3", "4", "5", "6")
    assert [lab for lab, q in zip(S.labels, S.liquid) if q] == ["2", "5", "6"]   # Table II's liquid set
    assert "9" in lt.training_species(Cf, full, T).labels                     # would leak from all rows


def test_bad_input_is_named():
    with pytest.raises(ValueError, match="window must be"):
        lt.Protocol(window="hot")
    with pytest.raises(TypeError, match="barrier must be"):
        lt.Protocol(window="barrier")
    with pytest.raises(ValueError, match="tau_err must be > 0"):
        lt.fit_laws(T, np.ones(T.size), np.zeros(T.size), laws=("vft",))
    with pytest.raises(ValueError, match="needs xi"):
        lt.fit_laws(T, np.ones(T.size), np.ones(T.size))
    with pytest.raises(ValueError, match="strictly increasing"):
        lt.plan(T[::-1], np.ones(T.size), np.ones(T.size), lt.Protocol(window="all"))
    with pytest.raises(ValueError, match="cannot hold"):
        lt.plan(T[:5], np.ones(5), np.ones(5), lt.Protocol(window="all"))


def test_the_verdict_is_computed_from_the_comparison():
    def bt(law, pulls):
        z = np.asarray(pulls, float)
        from scipy.stats import chi2
        p = float(chi2.sf(np.sum(z**2), z.size))
        return lt.BlindTest(law, z, z, z, z, z, float(np.sum(z**2)), p, int(np.sum(abs(z) <= 2)), p >= 0.05)

    tests = {"eq12": bt("eq12", [3.0, 4.0, 2.5]), "vft": bt("vft", [0.5, -0.2, 1.0]),
             "myega": bt("myega", [1.0, 1.5, 0.3]), "am": bt("am", [6.0, 5.0, 7.0])}
    v = lt.verdict(tests)
    assert not v["consistent"] and v["rank"] == 3 and v["best"] == "vft"
    assert v["consistent_laws"] == ["vft", "myega"] and "inconsistently" in v["text"] and "VFT predicts them best" in v["text"]
    assert v["text"].endswith("consistent with them: VFT, MYEGA") and "too" not in v["text"]
    tests["eq12"] = bt("eq12", [0.1, 0.2, -0.1])
    v = lt.verdict(tests)
    assert v["consistent"] and v["rank"] == 1 and "no competing law fitted to the same points predicts them better" in v["text"]
    assert v["text"].endswith("VFT, MYEGA are consistent too")
    with pytest.raises(ValueError, match="was not tested"):
        lt.verdict({"vft": tests["vft"]})


class Synthetic:
    """A campaign-like object (the attributes fair_test reads) from the Eq. (12) world."""

    def __init__(self, rng):
        full = species.hump2d_scheme(counts=(0, 8))
        C, C_err, tau, tau_err = eq12_world(rng)
        self.T, self.tau_alpha, self.tau_alpha_err = T, tau, tau_err
        self.C = np.zeros((T.size, full.n_species))
        self.C_err = np.full_like(self.C, 1e-4)
        self.C[:, 2:7], self.C_err[:, 2:7] = C, C_err
        self.density, self.dim, self.scheme = np.full(T.size, RHO), 2, full

    def columns(self, labels):
        return [self.scheme.index(lab) for lab in labels]

    def liquid_concentration(self, labels):
        idx = self.columns(labels)
        return self.C[:, idx].sum(axis=1), np.sqrt((self.C_err[:, idx] ** 2).sum(axis=1))


def test_fair_test_runs_the_protocol_end_to_end():
    d = Synthetic(np.random.default_rng(11))
    res = lt.fair_test(d, lt.Protocol(window="barrier", barrier=0.26), rng=3)
    assert res.liquid == ("2", "5", "6") and res.species.labels == ("2", "3", "4", "5", "6")
    assert np.all(d.T[res.plan.window] < 0.26) and set(res.tests) == set(lt.LAWS)
    assert res.tests["eq12"].consistent and res.verdict["text"].startswith("Eq. (12) predicts the 3 held-out")
    fixed = lt.fair_test(d, lt.Protocol(window="barrier", barrier=0.26), liquid=["2", "5", "6"], rng=3)
    assert np.allclose(fixed.xi, res.xi)


def test_a_pull_divides_by_both_errors():
    law = lt.LawFit("vft", 3, 5.0, 5, {}, _predict=lambda T, xi, xe: (np.zeros(T.size), np.full(T.size, 0.3)))
    tau = np.exp(np.array([0.5, -1.0]))
    res = lt.blind_test({"vft": law}, [0.2, 0.3], tau, 0.4 * tau)["vft"]
    assert res.pull == pytest.approx([1.0, -2.0])        # (ln τ_meas − ln τ_pred) / √(0.3² + 0.4²)
    assert res.chi2 == pytest.approx(5.0) and res.within2 == 2


def test_the_density_at_the_blind_points_comes_from_the_protocol_s_coldest_training_points():
    """An NPT-like campaign whose density bends over the training points: ξ at the blind points is
    predicted at the density extrapolated through the ``density_points`` coldest training points."""
    d = Synthetic(np.random.default_rng(12))
    d.density = RHO * (1.0 + 0.3 * (T - 0.3) ** 2)                 # curved in T
    res = {n: lt.fair_test(d, lt.Protocol(window="all", density_points=n), n_draw=10, rng=3) for n in (2, 5)}
    tr, bl = res[2].plan.train, res[2].plan.blind
    for n, r in res.items():
        rho_b = lt.extrapolate_density(T[tr], d.density[tr], T[bl], n_cold=n)
        S = r.species
        fit = free_energy.fit_species(T[tr], d.C[tr][:, d.columns(S.labels)], S, d.C_err[tr][:, d.columns(S.labels)])[3]
        np.testing.assert_allclose(r.xi_blind, length_scale.model_xi(T[bl], fit.H, fit.g, S, rho_b), rtol=1e-12)
    assert not np.allclose(res[2].xi_blind, res[5].xi_blind)
    assert lt.Protocol().density_points == 3
    with pytest.raises(ValueError, match="density_points"):
        lt.Protocol(density_points=1)


def test_a_window_too_small_is_not_testable_and_says_why_while_other_errors_are_raised():
    d = Synthetic(np.random.default_rng(13))
    # below 0.145 K the training points (T >= 0.14) hold only 0.14: a window of 1 < min_window
    res, why = lt.try_fair_test(d, lt.Protocol(window="barrier", barrier=0.145), n_draw=10, rng=1)
    assert res is None and "window holds 1 training points" in why and "min_window = 5" in why
    res, why = lt.try_fair_test(d, lt.Protocol(window="barrier", barrier=0.26), n_draw=10, rng=1)
    assert why is None and isinstance(res, lt.FairTest)
    with pytest.raises(TypeError, match="protocol must be a Protocol"):   # not "no data yet": raised
        lt.try_fair_test(d, "barrier")
    with pytest.raises(ValueError, match="no liquid species"):             # nor is a bad liquid set
        lt.try_fair_test(d, lt.Protocol(window="barrier", barrier=0.26), liquid=[], n_draw=10, rng=1)
    assert issubclass(lt.NotTestable, ValueError)                          # callers of plan() still catch it


def test_the_summary_carries_the_verdict_numbers_and_ranks_by_aic():
    d = Synthetic(np.random.default_rng(14))
    ft = lt.fair_test(d, lt.Protocol(window="barrier", barrier=0.26), n_draw=20, rng=3)
    s = lt.summary(ft, d.T)
    t, f = ft.tests["eq12"], ft.fits["eq12"]
    assert s["chi2_blind"] == pytest.approx(np.sum(t.pull ** 2)) and s["p"] == t.p_value
    assert s["pulls"] == tuple(t.pull) and s["n_blind"] == 3 and s["blind_T"] == tuple(T[:3])
    assert s["chi2_red"] == pytest.approx(f.chi2 / f.dof) and s["mu"] == f.params["mu"]
    assert s["mu_err"] > 0 and s["window_n"] == ft.plan.window.size and s["n_T"] == T.size
    aics = {n: ft.fits[n].aic for n in lt.LAWS}
    assert list(s["aic_order"]) == sorted(aics, key=aics.get)
    assert s["aic_rank"] == sorted(aics.values()).index(aics["eq12"]) + 1
    # a law whose fit failed is not ranked
    ft.fits["vft"] = lt.LawFit("vft", 3, float("nan"), 4, {}, error="RuntimeError: no fit")
    s2 = lt.summary(ft, d.T)
    assert "vft" not in s2["aic_order"] and len(s2["aic_order"]) == 3
    with pytest.raises(ValueError, match="T must hold"):
        lt.summary(ft, d.T[1:])


def test_the_error_of_mu_is_the_birge_inflated_covariance():
    rng = np.random.default_rng(15)
    C, C_err, tau, tau_err = eq12_world(rng, sigma_tau=0.05)
    xi = length_scale.correlation_length(RHO, species.liquid_concentration(C, HUMP), 2)
    plain = length_scale.fit_tau_xi(T, tau, xi, tau_err)
    for scale in (1.0, 0.2):            # error bars 5x too small: χ²/dof ≈ 25, μ's error grows by ≈ 5
        f = lt.fit_laws(T, tau, scale * tau_err, xi=xi, laws=("eq12",))["eq12"]
        ref = length_scale.fit_tau_xi(T, tau, xi, scale * tau_err)
        assert f.param_errors["mu"] == pytest.approx(ref.mu_err * np.sqrt(max(1.0, ref.chi2_red)))
    assert plain.mu_err > 0


def test_colder_points_only_grow_the_onset_window_so_the_rule_holds_as_a_ladder_extends():
    # a ladder shaped like binary3d at p = 2.55 (14 points, tau_alpha 0.7-38, onset near 0.16): the
    # window below the onset is too small; three colder points become the blind ones, the present blind
    # points move into training, the onset (set by the warm points) stays, and the window grows
    Tk = np.array([0.13, 0.135, 0.14, 0.145, 0.15, 0.16, 0.17, 0.18, 0.2, 0.22, 0.25, 0.3, 0.4, 0.5])
    tau = np.array([37.9, 26.5, 20.8, 15.2, 12.2, 8.99, 6.48, 5.20, 3.60, 2.86, 2.09, 1.46, 0.936, 0.702])
    err = np.array([3.8, 1.3, 0.59, 0.51, 0.45, 0.30, 0.21, 0.075, 0.072, 0.024, 0.023, 0.006, 0.002, 0.001])
    prot = lt.Protocol(n_blind=3, window="onset")
    with pytest.raises(lt.NotTestable, match="the window holds"):
        lt.plan(Tk, tau, err, prot)
    T_on = lt.arrhenius_onset(Tk[3:], tau[3:], err[3:], prot.onset_hot, prot.onset_z)
    cold = np.array([0.115, 0.12, 0.125])
    T2 = np.concatenate([cold, Tk])
    tau2 = np.concatenate([tau[0] * np.exp(8.0 * (1 / cold - 1 / Tk[0])), tau])
    p = lt.plan(T2, tau2, np.concatenate([0.1 * tau2[:3], err]), prot)
    assert np.array_equal(T2[p.blind], cold) and p.T_onset == T_on
    assert set(T2[p.window]) == set(Tk[Tk <= T_on]) and p.window.size >= prot.min_window


def test_the_book_protocol_is_the_stated_one():
    from scaledyn.md import models
    from scaledyn.md.reference import pair_energy

    dU = lt.hump_barrier()
    hm = models.hump2d()
    r0 = 2 ** (1 / 6)
    well = pair_energy(hm.potential, hm.params, 0, 0, np.array([r0]))[0]          # bottom of the well at r0
    top = pair_energy(hm.potential, hm.params, 0, 0, np.linspace(1.25, 1.45, 20001)).max()  # the hump near 1.32
    assert dU == pytest.approx(top - well, abs=1e-6) and 0.2 < dU < 0.5
    ph, pb = lt.book_protocol("hump2d"), lt.book_protocol("binary3d")
    assert ph.window == "barrier" and ph.barrier == dU and ph.n_blind == pb.n_blind == 3 and pb.window == "onset"
    assert lt.book_liquid("hump2d") == ["2", "5", "6"] and lt.book_liquid("binary3d") is None
    d = Synthetic(np.random.default_rng(16))
    res, why = lt.book_test(d, "hump2d", n_draw=10)
    assert why is None and np.all(d.T[res.plan.window] < dU) and res.liquid == ("2", "5", "6")
    with pytest.raises(ValueError, match="model must be"):
        lt.book_protocol("lj")
