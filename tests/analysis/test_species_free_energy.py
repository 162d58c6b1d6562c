"""Quasi-species: species assignment, inversion round trips, H/g fits, Gaussian model, ξ and τα fits."""

import numpy as np
import pytest

from scaledyn.analysis import free_energy, length_scale, species, stats

HUMP = species.hump2d_scheme()
BIN = species.binary3d_scheme()


def binary_truth():
    """A plausible binary parameter set: Gaussian degeneracies (Eq. 8) and enthalpies falling with n."""
    n = BIN.n_neighbours.astype(float)
    small = BIN.central_type == 0
    g = np.where(small, free_energy.gaussian_degeneracy(n, 4.65, 1.55), free_energy.gaussian_degeneracy(n, 7.5, 2.0))
    H = np.where(small, 0.35 * (4.65 - n), 0.3 * (7.5 - n))
    return H, g


def test_schemes():
    assert BIN.n_species == 17 and HUMP.n_species == 5
    assert [BIN.labels[i] for i in np.flatnonzero(BIN.liquid)] == \
        ["s3", "s4", "s5", "s6", "s7", "l6", "l7", "l8", "l9", "l10", "l11"]
    assert [HUMP.labels[i] for i in np.flatnonzero(HUMP.liquid)] == ["2", "5", "6"]
    assert np.allclose(BIN.cutoff, np.sqrt(8 / 6) * np.array([[1.0, 1.2], [1.2, 1.4]]))
    # r_c is where the 8-6 force vanishes: d/dr (r^-8 - r^-6) = 0 at r = (8/6)^(1/2)
    r = BIN.cutoff[0, 0]
    assert -8 * r**-9 + 6 * r**-7 == pytest.approx(0.0, abs=1e-12)
    with pytest.raises(ValueError, match="label"):
        HUMP.index("7")


def test_wide_scheme_restricted_to_the_paper_species_gives_the_paper_concentrations():
    rng = np.random.default_rng(3)
    box = np.full(3, 7.0)
    pos = rng.uniform(0, 7.0, (300, 3))
    types = rng.integers(0, 2, 300)
    wide = species.binary3d_scheme(small=(0, 18), large=(0, 24))
    assert wide.n_species == 44 and wide.labels[0] == "s0" and wide.labels[-1] == "l24"
    c_wide, other_wide = species.snapshot_concentrations(pos, box, types, wide)
    c, other = species.snapshot_concentrations(pos, box, types, BIN)
    paper = wide.subset(BIN.labels)
    assert paper.labels == BIN.labels and np.array_equal(paper.liquid, BIN.liquid)
    assert np.array_equal(paper.n_neighbours, BIN.n_neighbours)
    assert np.allclose(c_wide[[wide.index(lab) for lab in BIN.labels]], c)
    assert other == pytest.approx(other_wide + c_wide.sum() - c.sum())
    # another liquid set; unknown or repeated labels are errors
    sub = wide.subset(["s5", "s6", "l9"], liquid=["s5"])
    assert sub.liquid.tolist() == [True, False, False]
    with pytest.raises(ValueError, match="label"):
        wide.subset(["s5", "s99"])
    with pytest.raises(ValueError, match="distinct"):
        wide.subset(["s5", "s5"])
    with pytest.raises(ValueError, match="small"):
        species.binary3d_scheme(small=(5, 3))
    with pytest.raises(ValueError, match="counts"):
        species.hump2d_scheme(counts=(-1, 4))
    assert species.hump2d_scheme(counts=(0, 10), liquid=(2,)).liquid.sum() == 1


def test_snapshot_concentrations_square_lattice():
    g = np.arange(8.0)
    pos = np.array([(x, y) for x in g for y in g])
    c, other = species.snapshot_concentrations(pos, [8.0, 8.0], None, HUMP)
    assert c[HUMP.index("4")] == 1.0 and other == 0.0
    # remove one site: its 4 neighbours drop to i = 3
    c, other = species.snapshot_concentrations(pos[1:], [8.0, 8.0], None, HUMP)
    assert c[HUMP.index("3")] == pytest.approx(4 / 63) and c[HUMP.index("4")] == pytest.approx(59 / 63)


def test_trajectory_concentrations_matches_snapshots():
    rng = np.random.default_rng(6)
    frames = rng.uniform(0.0, 6.0, (3, 40, 3))
    types = rng.integers(0, 2, 40)
    boxes = np.array([[6.0] * 3, [6.2] * 3, [5.9] * 3])
    samples, other = species.trajectory_concentrations(frames, boxes, types, BIN)
    for f, b, c, o in zip(frames, boxes, samples, other):
        c1, o1 = species.snapshot_concentrations(f, b, types, BIN)
        assert np.array_equal(c, c1) and o == o1
    assert np.allclose(samples.sum(axis=1) + other, 1.0)
    with pytest.raises(ValueError, match="box"):
        species.trajectory_concentrations(frames, boxes[:2], types, BIN)


def test_species_index_other():
    idx = species.species_index([2, 10, 5, 15], [0, 0, 1, 1], BIN)
    assert idx.tolist() == [-1, BIN.index("s10"), -1, -1]


@pytest.mark.parametrize("scheme", [HUMP, BIN], ids=["hump", "binary"])
def test_inversion_round_trip(scheme):
    rng = np.random.default_rng(3)
    T = np.linspace(0.2, 1.0, 7)
    F = rng.normal(0.0, 0.5, (T.size, scheme.n_species))
    C = free_energy.concentrations_from_free_energies(T, F, scheme)
    # each central type holds its fraction x_g: the factor 2 of Eq. (5)
    for grp, x in enumerate(scheme.fractions):
        assert np.allclose(C[:, scheme.central_type == grp].sum(axis=1), x)
    F_back, _ = free_energy.free_energies(T, C, scheme)
    refs = [np.flatnonzero(scheme.central_type == grp)[0] for grp in range(scheme.fractions.size)]
    shift = F[:, refs][:, scheme.central_type]           # F is recovered up to one constant per group
    assert np.allclose(F_back, F - shift, atol=1e-12)
    assert np.allclose(free_energy.concentrations_from_free_energies(T, F_back, scheme), C, atol=1e-14)


def test_low_temperature_does_not_underflow():
    p = free_energy.paper_hump_table()
    C = free_energy.model_concentrations([1e-3], p["H"], p["g"], HUMP)
    assert np.all(np.isfinite(C)) and C[0, HUMP.index("4")] == pytest.approx(1.0)


def test_fit_recovers_noiseless_hump_table():
    p = free_energy.paper_hump_table()
    assert p["i"].tolist() == [2, 3, 4, 5, 6] and p["H"][0] == 0 and p["g"][0] == 1
    T = np.linspace(0.1, 0.5, 9)
    F, _ = free_energy.free_energies(T, free_energy.model_concentrations(T, p["H"], p["g"], HUMP), HUMP, reference="2")
    fit = free_energy.fit_free_energies(T, F)
    assert np.allclose(fit.H, p["H"], atol=1e-12)
    assert np.allclose(fit.g, p["g"], rtol=1e-12)
    assert np.all(fit.r2 > 1 - 1e-12)
    # another reference shifts H and ln g by constants
    F4, _ = free_energy.free_energies(T, free_energy.model_concentrations(T, p["H"], p["g"], HUMP), HUMP, reference="4")
    fit4 = free_energy.fit_free_energies(T, F4)
    assert np.allclose(fit4.H, p["H"] - p["H"][2]) and np.allclose(fit4.g, p["g"] / p["g"][2])


def test_fit_recovers_binary_from_multinomial_noise():
    H, g = binary_truth()
    T = np.linspace(0.5, 1.2, 8)
    C_true = free_energy.model_concentrations(T, H, g, BIN)
    rng = np.random.default_rng(11)
    n_part = 4096 * 40                                       # 40 independent snapshots of 4096 particles
    counts = np.array([rng.multinomial(n_part, c / c.sum()) for c in C_true])
    C = counts / n_part
    C_err = np.sqrt(np.maximum(counts, 1)) / n_part
    F, F_err = free_energy.free_energies(T, C, BIN, C_err=C_err, reference=["s5", "l8"])
    fit = free_energy.fit_free_energies(T, F, F_err)
    H_ref = H - np.where(BIN.central_type == 0, H[BIN.index("s5")], H[BIN.index("l8")])
    lng_ref = np.log(g) - np.where(BIN.central_type == 0, np.log(g[BIN.index("s5")]), np.log(g[BIN.index("l8")]))
    ok = fit.n_points >= 3
    assert ok.sum() >= 14
    pull_H = (fit.H[ok] - H_ref[ok]) / np.where(fit.H_err[ok] > 0, fit.H_err[ok], 1)
    pull_g = (fit.ln_g[ok] - lng_ref[ok]) / np.where(fit.ln_g_err[ok] > 0, fit.ln_g_err[ok], 1)
    assert np.all(np.abs(pull_H) < 4) and np.all(np.abs(pull_g) < 4)
    assert np.sqrt(np.mean(pull_H**2)) < 2.0                 # the error bars are not wildly small
    assert fit.H_err[BIN.index("s5")] == 0 and fit.H[BIN.index("l8")] == 0


def test_fit_uses_residual_scale_without_errors():
    T = np.linspace(0.2, 0.6, 6)
    rng = np.random.default_rng(5)
    F = (0.3 - T * np.log(2.0))[:, None] + rng.normal(0, 0.01, (T.size, 1))
    fit = free_energy.fit_free_energies(T, F)
    assert abs(fit.H[0] - 0.3) < 4 * fit.H_err[0] and 0 < fit.H_err[0] < 0.05
    assert abs(fit.g[0] - 2.0) < 4 * fit.g_err[0]
    assert np.allclose(np.nansum(fit.residuals**2), np.sum((F[:, 0] - (fit.H[0] - T * fit.ln_g[0]))**2))


def test_gaussian_degeneracy_fit():
    p = free_energy.paper_binary_gaussian()
    n = np.arange(3, 11)
    g = 3.7 * free_energy.gaussian_degeneracy(n, p["small"]["n_mp"], p["small"]["sigma2"])
    fit = free_energy.fit_gaussian_degeneracy(n, g)
    assert fit.n_mp == pytest.approx(4.65) and fit.sigma2 == pytest.approx(1.55) and fit.amplitude == pytest.approx(3.7)
    rng = np.random.default_rng(8)
    g_noisy = g * np.exp(rng.normal(0, 0.05, n.size))
    fit = free_energy.fit_gaussian_degeneracy(n, g_noisy, g_err=0.05 * g_noisy)
    assert abs(fit.n_mp - 4.65) < 4 * fit.n_mp_err and abs(fit.sigma2 - 1.55) < 4 * fit.sigma2_err
    with pytest.raises(ValueError, match="concave"):
        free_energy.fit_gaussian_degeneracy(n, np.exp(0.1 * (n - 5.0) ** 2))


def test_liquid_concentration_and_xi():
    p = free_energy.paper_hump_table()
    T = np.array([0.5])
    C = free_energy.model_concentrations(T, p["H"], p["g"], HUMP)
    w = p["g"] * np.exp(-p["H"] / 0.5)
    assert species.liquid_concentration(C, HUMP)[0] == pytest.approx((w[0] + w[3] + w[4]) / w.sum())
    c, ce = 0.2, 0.01
    xi, xi_err = length_scale.correlation_length(0.8, c, 2, c_liq_err=ce)
    assert xi == pytest.approx((0.8 * 0.2) ** -0.5)
    num = (length_scale.correlation_length(0.8, c + 1e-6, 2) - length_scale.correlation_length(0.8, c - 1e-6, 2)) / 2e-6
    assert xi_err == pytest.approx(abs(num) * ce, rel=1e-6)
    assert length_scale.correlation_length(1.0, 0.125, 3) == pytest.approx(2.0)


def test_tau_xi_fit():
    T = np.linspace(0.4, 1.0, 7)
    xi = 1.0 + 1.0 / T
    tau = length_scale.predict_tau(T, xi, mu=0.37, tau_inf=0.8)
    fit = length_scale.fit_tau_xi(T, tau, xi)
    assert fit.mu == pytest.approx(0.37) and fit.tau_inf == pytest.approx(0.8) and fit.r2 == pytest.approx(1.0)
    rng = np.random.default_rng(9)
    noisy = tau * np.exp(rng.normal(0, 0.05, T.size))
    fit = length_scale.fit_tau_xi(T, noisy, xi, tau_err=0.05 * noisy)
    assert abs(fit.mu - 0.37) < 4 * fit.mu_err and fit.mu_err < 0.1


def test_bad_input():
    T = np.array([0.2, 0.3])
    C = np.full((2, 5), 0.2)
    with pytest.raises(ValueError, match="C must have shape"):
        free_energy.free_energies(T, C[:, :4], HUMP)
    with pytest.raises(ValueError, match="T"):
        free_energy.free_energies([0.2, -0.3], C, HUMP)
    bad = C.copy()
    bad[0, 1] = np.nan
    with pytest.raises(ValueError, match="C"):
        free_energy.free_energies(T, bad, HUMP)
    bad = C.copy()
    bad[:, 0] = 0.0
    with pytest.raises(ValueError, match="reference"):
        free_energy.free_energies(T, bad, HUMP)
    with pytest.raises(ValueError, match="reference"):
        free_energy.free_energies(T, np.full((2, 17), 0.05), BIN, reference=["s3", "s4"])
    with pytest.raises(ValueError, match="g"):
        free_energy.model_concentrations(T, np.zeros(5), -np.ones(5), HUMP)
    with pytest.raises(ValueError, match="H and g"):
        free_energy.model_concentrations(T, np.zeros(4), np.ones(4), HUMP)
    with pytest.raises(ValueError, match="fractions"):
        species.binary3d_scheme((0.6, 0.6))
    with pytest.raises(ValueError, match="dim"):
        length_scale.correlation_length(1.0, 0.1, 1)
    with pytest.raises(ValueError, match="c_liq"):
        length_scale.correlation_length(1.0, 0.0, 3)
    with pytest.raises(ValueError, match="same length"):
        length_scale.fit_tau_xi([0.5, 0.6], [1.0, 2.0, 3.0], [1.0, 1.0])
    with pytest.raises(ValueError, match="degenerate"):
        length_scale.fit_tau_xi([0.5, 0.5], [1.0, 2.0], [1.0, 1.0])
    with pytest.raises(ValueError, match="positions"):
        species.snapshot_concentrations(np.zeros((4, 3)), [5.0] * 3, None, HUMP)
    with pytest.raises(ValueError, match="n_blocks"):
        stats.block_average(np.ones((10, 5)), n_blocks=1)


def test_block_average_blocks():
    rng = np.random.default_rng(4)
    s = rng.normal(0.3, 0.01, (1000, 2))
    mean, err = stats.block_average(s, n_blocks=20)
    assert np.allclose(mean, s.mean(axis=0)) and np.all(np.abs(err / (0.01 / np.sqrt(1000)) - 1) < 0.5)


# --------------------------------------------------------------------------------------------------
# Data-driven species choice, the one-call fit, parameter draws and τα prediction errors
# --------------------------------------------------------------------------------------------------
WIDE_BIN = species.binary3d_scheme(small=(0, 18), large=(0, 24))


def test_select_species_threshold_contiguity_and_excluded():
    C = np.zeros((3, WIDE_BIN.n_species))
    C[:, WIDE_BIN.index("s9")] = [0.20, 0.25, 0.30]
    C[:, WIDE_BIN.index("s11")] = [0.30, 0.25, 0.196]
    C[:, WIDE_BIN.index("s10")] = [0.001, 0.002, 0.001]      # below threshold but inside the kept range
    C[:, WIDE_BIN.index("s13")] = [0.004, 0.003, 0.003]      # below threshold everywhere, outside
    C[:, WIDE_BIN.index("l14")] = [0.5, 0.5, 0.5]
    sel = species.select_species(C, WIDE_BIN, threshold=0.005)
    assert sel.labels == ("s9", "s10", "s11", "l14")
    assert np.allclose(sel.excluded, [0.004, 0.003, 0.003])
    assert np.allclose(sel.max_C, [0.30, 0.002, 0.30, 0.5])
    loose = species.select_species(C, WIDE_BIN, threshold=0.005, contiguous=False)
    assert loose.labels == ("s9", "s11", "l14")
    assert np.allclose(loose.excluded, [0.005, 0.005, 0.004])
    with pytest.raises(ValueError, match="threshold"):
        species.select_species(C, WIDE_BIN, threshold=0.9)
    with pytest.raises(ValueError, match="columns"):
        species.select_species(C[:, :5], WIDE_BIN)


def test_reference_species_is_the_most_abundant_everywhere():
    p = free_energy.paper_hump_table()
    C = free_energy.model_concentrations(np.linspace(0.1, 0.5, 5), p["H"], p["g"], HUMP)
    assert species.reference_species(C, HUMP) == ("4",)
    H, g = binary_truth()
    Cb = free_energy.model_concentrations([0.4, 0.6], H, g, BIN)
    refs = species.reference_species(Cb, BIN)
    assert refs[0].startswith("s") and refs[1].startswith("l")
    Cb[:, BIN.central_type == 1] = 0.0
    with pytest.raises(ValueError, match="central type 1"):
        species.reference_species(Cb, BIN)


def test_concentration_trend_recovers_activation_enthalpies():
    T = np.linspace(0.2, 0.6, 7)
    delta = np.array([0.3, -0.1, 0.0001, 0.8, -0.5])
    C = 0.1 * np.exp(-delta[None, :] / T[:, None])
    tr = species.concentration_trend(T, C, HUMP)
    assert np.allclose(tr.delta, delta, atol=1e-10)
    assert tr.liquid.tolist() == [True, False, True, True, False]
    # only the two coldest points: same answer for an exact Arrhenius law
    assert np.allclose(species.concentration_trend(T, C, HUMP, n_low=2).delta, delta, atol=1e-9)
    # a species that vanishes at the coldest temperature is liquid even without a fit
    C2 = C.copy()
    C2[:, 1] = 0.0
    C2[-1, 1] = 0.01
    tr2 = species.concentration_trend(T, C2, HUMP)
    assert np.isnan(tr2.delta[1]) and tr2.liquid[1]
    with pytest.raises(ValueError, match="n_low"):
        species.concentration_trend(T, C, HUMP, n_low=1)
    with pytest.raises(ValueError, match="C must be"):
        species.concentration_trend(T, -C, HUMP)


def test_concentration_trend_is_enthalpy_above_group_average():
    """In the species model d ln C_i / d(1/T) = -(H_i - <H>): a narrow window measures that."""
    p = free_energy.paper_hump_table()
    T0 = 0.2
    T = np.array([T0 * 0.999, T0 * 1.001])
    C = free_energy.model_concentrations(T, p["H"], p["g"], HUMP)
    C0 = free_energy.model_concentrations([T0], p["H"], p["g"], HUMP)[0]
    tr = species.concentration_trend(T, C, HUMP)
    assert np.allclose(tr.delta, p["H"] - C0 @ p["H"], atol=1e-5)
    assert sorted(np.array(HUMP.labels)[tr.liquid]) == ["2", "5", "6"]     # the paper's liquid set


def test_fit_species_round_trip_and_chi2():
    p = free_energy.paper_hump_table()
    T = np.linspace(0.12, 0.5, 8)
    C = free_energy.model_concentrations(T, p["H"], p["g"], HUMP)
    ref, F, F_err, fit = free_energy.fit_species(T, C, HUMP, reference=("2",))
    assert ref == ("2",) and F_err is None
    assert np.allclose(fit.H, p["H"], atol=1e-10) and np.allclose(fit.g, p["g"])
    # default reference: the abundant species 4; noisy multinomial data give chi2/dof of order one
    rng = np.random.default_rng(9)
    n = 400_000
    chis = []
    for _ in range(20):
        Cm = np.array([rng.multinomial(n, c) for c in C]) / n
        Ce = np.sqrt(Cm * (1 - Cm) / n)
        ref, F, F_err, fit = free_energy.fit_species(T, Cm, HUMP, Ce)
        assert ref == ("4",)
        chis.append(np.nanmean(fit.chi2_red))
    assert 0.6 < np.mean(chis) < 1.5
    # curved free energies: chi2/dof >> 1
    bend = np.exp(-(30 * (T - 0.3) ** 2)[:, None] * np.array([0, 0.5, 0, 0.5, 1.0]))
    Cb = C * bend
    Cb /= Cb.sum(axis=1, keepdims=True)
    Ceb = np.sqrt(Cb * (1 - Cb) / n)
    fit_b = free_energy.fit_species(T, Cb, HUMP, Ceb)[3]
    assert np.nanmax(fit_b.chi2_red) > 50


def test_fit_species_skips_unobserved_points():
    p = free_energy.paper_hump_table()
    T = np.linspace(0.12, 0.5, 6)
    C = free_energy.model_concentrations(T, p["H"], p["g"], HUMP)
    Ce = 1e-3 * np.ones_like(C)
    C[0, 0], Ce[0, 0] = 0.0, 0.0                     # species 2 never seen at the coldest point
    ref, F, F_err, fit = free_energy.fit_species(T, C, HUMP, Ce, reference=("4",))
    assert np.isnan(F_err[0, 0]) and fit.n_points[0] == T.size - 1
    assert np.isfinite(fit.H[0])


def test_species_fit_sample_statistics():
    p = free_energy.paper_hump_table()
    T = np.linspace(0.12, 0.5, 8)
    C = free_energy.model_concentrations(T, p["H"], p["g"], HUMP)
    rng = np.random.default_rng(4)
    n = 200_000
    Cm = np.array([rng.multinomial(n, c) for c in C]) / n
    fit = free_energy.fit_species(T, Cm, HUMP, np.sqrt(Cm * (1 - Cm) / n), reference=("2",))[3]
    H, g = fit.sample(20_000, rng=1)
    assert H.shape == (20_000, 5) and np.all(g > 0)
    assert np.allclose(H.mean(axis=0), fit.H, atol=4 * fit.H_err.max() / np.sqrt(20_000) + 1e-12)
    assert np.allclose(H.std(axis=0), fit.H_err, rtol=0.05, atol=1e-12)
    assert np.allclose(np.log(g).std(axis=0), fit.ln_g_err, rtol=0.05, atol=1e-12)
    k = 1
    corr = np.corrcoef(H[:, k], np.log(g[:, k]))[0, 1]
    assert corr == pytest.approx(fit.cov_H_lng[k] / (fit.H_err[k] * fit.ln_g_err[k]), abs=0.03)
    bad = free_energy.SpeciesFit(**{**fit.__dict__, "H": np.full(5, np.nan)})
    with pytest.raises(ValueError, match="NaN"):
        bad.sample(3)
    with pytest.raises(ValueError, match="positive"):
        fit.sample(0)


def test_predict_log_tau_err_matches_monte_carlo():
    rng = np.random.default_rng(12)
    T = np.linspace(0.32, 1.0, 10)
    xi = 1.2 + 0.3 / T
    tau = length_scale.predict_tau(T, xi, mu=0.4, tau_inf=0.7)
    rel = 0.05
    T_new, xi_new = 0.28, 1.2 + 0.3 / 0.28
    preds, errs = [], []
    for _ in range(2000):
        noisy = tau * np.exp(rng.normal(0, rel, T.size))
        fit = length_scale.fit_tau_xi(T, noisy, xi, tau_err=rel * noisy)
        preds.append(np.log(length_scale.predict_tau(T_new, xi_new, fit.mu, fit.tau_inf)))
        errs.append(length_scale.predict_log_tau_err(fit, T_new, xi_new))
    assert np.std(preds) == pytest.approx(np.mean(errs), rel=0.1)
    assert fit.cov.shape == (2, 2) and fit.dof == T.size - 2 and 0.1 < fit.chi2_red < 5
    # an error of ξ adds in quadrature
    e0 = length_scale.predict_log_tau_err(fit, T_new, xi_new)
    e1 = length_scale.predict_log_tau_err(fit, T_new, xi_new, xi_err=0.1)
    assert e1 ** 2 == pytest.approx(e0 ** 2 + (fit.mu * 0.1 / T_new) ** 2)
    # a poor fit inflates the prediction error by sqrt(chi2/dof), never deflates it
    bad = length_scale.fit_tau_xi(T, tau * np.exp(0.3 * np.sin(7 * T)), xi, tau_err=0.01 * tau)
    assert bad.chi2_red > 10
    assert length_scale.predict_log_tau_err(bad, T_new, xi_new, scale_by_chi2=True) == pytest.approx(
        np.sqrt(bad.chi2_red) * length_scale.predict_log_tau_err(bad, T_new, xi_new))
    good = length_scale.fit_tau_xi(T, tau, xi, tau_err=0.01 * tau)
    assert length_scale.predict_log_tau_err(good, T_new, xi_new, scale_by_chi2=True) == pytest.approx(
        length_scale.predict_log_tau_err(good, T_new, xi_new))
    with pytest.raises(ValueError, match="covariance"):
        length_scale.predict_log_tau_err(length_scale.TauXiFit(0.4, 0.0, 1.0, 0.0, 1.0, np.zeros(2)), T_new, xi_new)


# --------------------------------------------------------------------------------------------------
# Shapes of C(T), linearity of F(T), another reference, ξ and E_eff of the species model
# --------------------------------------------------------------------------------------------------
def test_concentration_shapes_count_significant_steps_only():
    T = np.array([0.2, 0.3, 0.4, 0.5])
    err = np.full((4, 4), 0.01)
    C = np.column_stack([[0.1, 0.2, 0.3, 0.4],       # grows with T: falls on cooling
                         [0.4, 0.3, 0.2, 0.1],       # rises on cooling
                         [0.1, 0.3, 0.3, 0.1],       # a maximum: turns
                         [0.2, 0.21, 0.2, 0.21]])    # steps of 0.01 < 2 × 0.014: flat
    sh = species.concentration_shapes(T, C, err)
    assert sh.shape == ("fall", "rise", "turn", "flat")
    assert sh.counts == {"fall": 1, "rise": 1, "turn": 1, "flat": 1}
    # the same steps with errors five times smaller are significant: the last species turns too
    assert species.concentration_shapes(T, C, err / 5).shape[3] == "turn"
    # a single significant step decides: the threshold is z times the combined error, not z times one error
    one = np.column_stack([[0.10, 0.10, 0.13, 0.13]])
    assert species.concentration_shapes(T, one, np.full((4, 1), 0.01), z=2.0).shape == ("fall",)
    assert species.concentration_shapes(T, one, np.full((4, 1), 0.011), z=2.0).shape == ("flat",)
    with pytest.raises(ValueError, match="increasing"):
        species.concentration_shapes(T[::-1], C, err)
    with pytest.raises(ValueError, match="C_err"):
        species.concentration_shapes(T, C, -err)
    with pytest.raises(ValueError, match="C_err must be >= 0 with shape"):
        species.concentration_shapes(T, C, err[:, :2])
    with pytest.raises(ValueError, match="C must have shape"):
        species.concentration_shapes(T[:3], C, err)


def test_neighbour_range_per_central_type():
    assert BIN.neighbour_range(0) == (3, 10) and BIN.neighbour_range(1) == (6, 14)
    assert HUMP.neighbour_range() == (2, 6)
    assert BIN.subset(["s9", "s5", "l12"]).neighbour_range(0) == (5, 9)      # any order of labels
    with pytest.raises(ValueError, match="central_type"):
        HUMP.neighbour_range(1)


def test_change_reference_keeps_every_concentration():
    H, g = binary_truth()
    H2, g2 = free_energy.change_reference(H, g, BIN, ["s6", "l9"])
    assert H2[BIN.index("s6")] == 0 and g2[BIN.index("l9")] == 1
    small = BIN.central_type == 0
    np.testing.assert_allclose(H2[small], H[small] - H[BIN.index("s6")])
    np.testing.assert_allclose(g2[~small], g[~small] / g[BIN.index("l9")])
    T = np.array([0.05, 0.3, 2.0])
    np.testing.assert_allclose(free_energy.model_concentrations(T, H2, g2, BIN),
                               free_energy.model_concentrations(T, H, g, BIN), rtol=1e-12, atol=1e-300)
    with pytest.raises(ValueError, match="reference"):
        free_energy.change_reference(H, g, BIN, ["s6"])
    with pytest.raises(ValueError, match="entries"):
        free_energy.change_reference(H[:3], g[:3], BIN, ["s6", "l9"])


def _noisy_fit(rng, curvature):
    """Table II inverted from exact concentrations, free energies given Gaussian noise of known σ and,
    for species 5 only, a curvature ``curvature`` (T − 0.3)²."""
    T = np.linspace(0.1, 0.5, 12)
    p = free_energy.paper_hump_table()
    F, _ = free_energy.free_energies(T, free_energy.model_concentrations(T, p["H"], p["g"], HUMP), HUMP, reference="2")
    sigma = np.full_like(F, 0.002)
    F = F + sigma * rng.standard_normal(F.shape)
    F[:, 0] = 0.0
    F[:, HUMP.index("5")] += curvature * (T - 0.3) ** 2
    sigma[:, 0] = 0.0
    return free_energy.fit_free_energies(T, F, sigma), sigma


def test_linearity_flags_curvature_beyond_the_errors():
    rng = np.random.default_rng(4)
    fit, sigma = _noisy_fit(rng, curvature=0.0)
    lin = free_energy.linearity(fit, sigma, HUMP, ["2"], p_min=0.001)
    assert lin.labels == ("3", "4", "5", "6") and lin.dof.tolist() == [10] * 4
    assert lin.straight.all() and lin.curved_labels == ()
    fit, sigma = _noisy_fit(rng, curvature=2.0)           # 2 ε (T − 0.3)²: up to 0.08 ε = 40 σ
    lin = free_energy.linearity(fit, sigma, HUMP, ["2"], p_min=0.001)
    assert lin.curved_labels == ("5",) and lin.straight_labels == ("3", "4", "6")
    assert lin.chi2_worst == "5" and lin.max_pull_label == "5" and lin.max_pull > 10
    assert lin.max_pull_row in (0, 11)                    # the ends of the parabola's window
    assert lin.p_value[2] < 1e-10 and np.all(lin.p_value[[0, 1, 3]] > 0.001)
    # p = χ² upper tail with dof = points − 2, recomputed by hand
    from scipy import stats as sps
    k = 0
    assert lin.p_value[k] == pytest.approx(sps.chi2.sf(fit.chi2_red[1] * 10, 10))
    with pytest.raises(ValueError, match="p_min"):
        free_energy.linearity(fit, sigma, HUMP, ["2"], p_min=1.5)
    with pytest.raises(ValueError, match="F_err"):
        free_energy.linearity(fit, sigma[:, :3], HUMP, ["2"])
    with pytest.raises(TypeError, match="SpeciesFit"):
        free_energy.linearity({"H": 1}, sigma, HUMP, ["2"])


def test_model_xi_and_activation_energy():
    p = free_energy.paper_hump_table()
    T = np.array([0.1, 0.2, 0.4])
    C = free_energy.model_concentrations(T, p["H"], p["g"], HUMP)
    xi = length_scale.model_xi(T, p["H"], p["g"], HUMP, rho=0.8)
    np.testing.assert_allclose(xi, (0.8 * C[:, HUMP.liquid].sum(axis=1)) ** -0.5)
    # E_eff = d ln τ/d(1/T) of τ = exp(μξ/T), against central differences in 1/T
    for scheme, H, g, rho in ((HUMP, p["H"], p["g"], 1.0), (BIN, *binary_truth(), 0.9)):
        for T0 in (0.15, 0.3, 0.6):
            h = 1e-5

            def ln_tau(beta):
                return 0.34 * beta * length_scale.model_xi([1 / beta], H, g, scheme, rho)[0]
            fd = (ln_tau(1 / T0 + h) - ln_tau(1 / T0 - h)) / (2 * h)
            assert length_scale.model_activation_energy([T0], H, g, scheme, 0.34, rho)[0] == pytest.approx(fd, rel=1e-7)
    # super-Arrhenius on cooling for Table II (the liquid species lie above the mean enthalpy)
    E = length_scale.model_activation_energy([0.3, 0.15, 0.1], p["H"], p["g"], HUMP, 0.34)
    assert np.all(np.diff(E) > 0)
    with pytest.raises(ValueError, match="liquid"):
        length_scale.model_xi(T, p["H"], p["g"], HUMP.subset(HUMP.labels, liquid=[]))
    with pytest.raises(TypeError, match="scheme"):
        length_scale.model_xi(T, p["H"], p["g"], "hump2d")
    with pytest.raises(ValueError, match="rho"):
        length_scale.model_activation_energy(T, p["H"], p["g"], HUMP, 0.34, rho=-1.0)


def test_chi2_probability_known_answers():
    from scaledyn.analysis.stats import chi2_probability
    assert chi2_probability(3.0, 2) == pytest.approx(np.exp(-1.5), rel=1e-12)     # χ²_2 tail is e^{-x/2}
    assert isinstance(chi2_probability(3.0, 2), float)
    assert chi2_probability(3.841458820694124, 1) == pytest.approx(0.05, rel=1e-10)
    p = chi2_probability(np.array([0.0, 10.0, 5.0]), np.array([3, 4, 0]))
    assert p[0] == 1.0 and p[1] == pytest.approx(0.040427681994512805, rel=1e-10) and np.isnan(p[2])
    with pytest.raises(ValueError, match="chi2"):
        chi2_probability(-1.0, 2)


def test_the_chi4_length_holds_chi4_particles_and_its_error_propagates():
    # a square region of side 4 at rho = 0.8 holds 12.8 particles: chi4* = 12.8 gives ell = 4
    ell, err = length_scale.chi4_length([12.8], [0.8], 2, [1.28])
    assert ell[0] == pytest.approx(4.0) and err[0] == pytest.approx(4.0 * 0.1 / 2)
    assert length_scale.chi4_length(27.0 * 0.5, 0.5, 3) == pytest.approx(3.0)          # a cube of side 3
    with pytest.raises(ValueError, match="dim must be 2 or 3"):
        length_scale.chi4_length([1.0], [1.0], 4)


def test_length_growth_recovers_a_planted_power_law():
    rng = np.random.default_rng(21)
    T = np.linspace(0.12, 0.5, 12)
    xi = 1.5 * np.exp(0.08 / T)                                      # grows on cooling
    for s_true in (1.0, 2.0):
        ell = 0.7 * xi ** s_true
        rel = 0.02
        g = length_scale.length_growth(T, xi, ell * np.exp(rel * rng.standard_normal(T.size)), rel * ell)
        assert abs(g.slope - s_true) < 4 * g.slope_err and g.slope_err < 0.2
        assert g.ell_factor == pytest.approx((xi[0] / xi[-1]) ** s_true, rel=0.1)
        assert g.xi_factor == pytest.approx(xi[0] / xi[-1])
    with pytest.raises(ValueError, match="at least 3|min"):
        length_scale.length_growth(T[:2], xi[:2], xi[:2])
