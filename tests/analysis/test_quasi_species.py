"""Quasi-species: species assignment, inversion round trips, H/g fits, Gaussian model, ξ and τα fits."""

import numpy as np
import pytest

from scaledyn.analysis import quasi_species as qs

HUMP = qs.hump2d_scheme()
BIN = qs.binary3d_scheme()


def binary_truth():
    """A plausible binary parameter set: Gaussian degeneracies (Eq. 8) and enthalpies falling with n."""
    n = BIN.n_neighbours.astype(float)
    small = BIN.central_type == 0
    g = np.where(small, qs.gaussian_degeneracy(n, 4.65, 1.55), qs.gaussian_degeneracy(n, 7.5, 2.0))
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
    wide = qs.binary3d_scheme(small=(0, 18), large=(0, 24))
    assert wide.n_species == 44 and wide.labels[0] == "s0" and wide.labels[-1] == "l24"
    c_wide, other_wide = qs.snapshot_concentrations(pos, box, types, wide)
    c, other = qs.snapshot_concentrations(pos, box, types, BIN)
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
        qs.binary3d_scheme(small=(5, 3))
    with pytest.raises(ValueError, match="counts"):
        qs.hump2d_scheme(counts=(-1, 4))
    assert qs.hump2d_scheme(counts=(0, 10), liquid=(2,)).liquid.sum() == 1


def test_snapshot_concentrations_square_lattice():
    g = np.arange(8.0)
    pos = np.array([(x, y) for x in g for y in g])
    c, other = qs.snapshot_concentrations(pos, [8.0, 8.0], None, HUMP)
    assert c[HUMP.index("4")] == 1.0 and other == 0.0
    # remove one site: its 4 neighbours drop to i = 3
    c, other = qs.snapshot_concentrations(pos[1:], [8.0, 8.0], None, HUMP)
    assert c[HUMP.index("3")] == pytest.approx(4 / 63) and c[HUMP.index("4")] == pytest.approx(59 / 63)


def test_trajectory_concentrations_matches_snapshots():
    rng = np.random.default_rng(6)
    frames = rng.uniform(0.0, 6.0, (3, 40, 3))
    types = rng.integers(0, 2, 40)
    boxes = np.array([[6.0] * 3, [6.2] * 3, [5.9] * 3])
    samples, other = qs.trajectory_concentrations(frames, boxes, types, BIN)
    for f, b, c, o in zip(frames, boxes, samples, other):
        c1, o1 = qs.snapshot_concentrations(f, b, types, BIN)
        assert np.array_equal(c, c1) and o == o1
    assert np.allclose(samples.sum(axis=1) + other, 1.0)
    with pytest.raises(ValueError, match="box"):
        qs.trajectory_concentrations(frames, boxes[:2], types, BIN)


def test_species_index_other():
    idx = qs.species_index([2, 10, 5, 15], [0, 0, 1, 1], BIN)
    assert idx.tolist() == [-1, BIN.index("s10"), -1, -1]


@pytest.mark.parametrize("scheme", [HUMP, BIN], ids=["hump", "binary"])
def test_inversion_round_trip(scheme):
    rng = np.random.default_rng(3)
    T = np.linspace(0.2, 1.0, 7)
    F = rng.normal(0.0, 0.5, (T.size, scheme.n_species))
    C = qs.concentrations_from_free_energies(T, F, scheme)
    # each central type holds its fraction x_g: the factor 2 of Eq. (5)
    for grp, x in enumerate(scheme.fractions):
        assert np.allclose(C[:, scheme.central_type == grp].sum(axis=1), x)
    F_back, _ = qs.free_energies(T, C, scheme)
    refs = [np.flatnonzero(scheme.central_type == grp)[0] for grp in range(scheme.fractions.size)]
    shift = F[:, refs][:, scheme.central_type]           # F is recovered up to one constant per group
    assert np.allclose(F_back, F - shift, atol=1e-12)
    assert np.allclose(qs.concentrations_from_free_energies(T, F_back, scheme), C, atol=1e-14)


def test_low_temperature_does_not_underflow():
    p = qs.paper_hump_table()
    C = qs.model_concentrations([1e-3], p["H"], p["g"], HUMP)
    assert np.all(np.isfinite(C)) and C[0, HUMP.index("4")] == pytest.approx(1.0)


def test_fit_recovers_noiseless_hump_table():
    p = qs.paper_hump_table()
    assert p["i"].tolist() == [2, 3, 4, 5, 6] and p["H"][0] == 0 and p["g"][0] == 1
    T = np.linspace(0.1, 0.5, 9)
    F, _ = qs.free_energies(T, qs.model_concentrations(T, p["H"], p["g"], HUMP), HUMP, reference="2")
    fit = qs.fit_free_energies(T, F)
    assert np.allclose(fit.H, p["H"], atol=1e-12)
    assert np.allclose(fit.g, p["g"], rtol=1e-12)
    assert np.all(fit.r2 > 1 - 1e-12)
    # another reference shifts H and ln g by constants
    F4, _ = qs.free_energies(T, qs.model_concentrations(T, p["H"], p["g"], HUMP), HUMP, reference="4")
    fit4 = qs.fit_free_energies(T, F4)
    assert np.allclose(fit4.H, p["H"] - p["H"][2]) and np.allclose(fit4.g, p["g"] / p["g"][2])


def test_fit_recovers_binary_from_multinomial_noise():
    H, g = binary_truth()
    T = np.linspace(0.5, 1.2, 8)
    C_true = qs.model_concentrations(T, H, g, BIN)
    rng = np.random.default_rng(11)
    n_part = 4096 * 40                                       # 40 independent snapshots of 4096 particles
    counts = np.array([rng.multinomial(n_part, c / c.sum()) for c in C_true])
    C = counts / n_part
    C_err = np.sqrt(np.maximum(counts, 1)) / n_part
    F, F_err = qs.free_energies(T, C, BIN, C_err=C_err, reference=["s5", "l8"])
    fit = qs.fit_free_energies(T, F, F_err)
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
    fit = qs.fit_free_energies(T, F)
    assert abs(fit.H[0] - 0.3) < 4 * fit.H_err[0] and 0 < fit.H_err[0] < 0.05
    assert abs(fit.g[0] - 2.0) < 4 * fit.g_err[0]
    assert np.allclose(np.nansum(fit.residuals**2), np.sum((F[:, 0] - (fit.H[0] - T * fit.ln_g[0]))**2))


def test_gaussian_degeneracy_fit():
    p = qs.paper_binary_gaussian()
    n = np.arange(3, 11)
    g = 3.7 * qs.gaussian_degeneracy(n, p["small"]["n_mp"], p["small"]["sigma2"])
    fit = qs.fit_gaussian_degeneracy(n, g)
    assert fit.n_mp == pytest.approx(4.65) and fit.sigma2 == pytest.approx(1.55) and fit.amplitude == pytest.approx(3.7)
    rng = np.random.default_rng(8)
    g_noisy = g * np.exp(rng.normal(0, 0.05, n.size))
    fit = qs.fit_gaussian_degeneracy(n, g_noisy, g_err=0.05 * g_noisy)
    assert abs(fit.n_mp - 4.65) < 4 * fit.n_mp_err and abs(fit.sigma2 - 1.55) < 4 * fit.sigma2_err
    with pytest.raises(ValueError, match="concave"):
        qs.fit_gaussian_degeneracy(n, np.exp(0.1 * (n - 5.0) ** 2))


def test_liquid_concentration_and_xi():
    p = qs.paper_hump_table()
    T = np.array([0.5])
    C = qs.model_concentrations(T, p["H"], p["g"], HUMP)
    w = p["g"] * np.exp(-p["H"] / 0.5)
    assert qs.liquid_concentration(C, HUMP)[0] == pytest.approx((w[0] + w[3] + w[4]) / w.sum())
    c, ce = 0.2, 0.01
    xi, xi_err = qs.correlation_length(0.8, c, 2, c_liq_err=ce)
    assert xi == pytest.approx((0.8 * 0.2) ** -0.5)
    num = (qs.correlation_length(0.8, c + 1e-6, 2) - qs.correlation_length(0.8, c - 1e-6, 2)) / 2e-6
    assert xi_err == pytest.approx(abs(num) * ce, rel=1e-6)
    assert qs.correlation_length(1.0, 0.125, 3) == pytest.approx(2.0)


def test_tau_xi_fit():
    T = np.linspace(0.4, 1.0, 7)
    xi = 1.0 + 1.0 / T
    tau = qs.predict_tau(T, xi, mu=0.37, tau_inf=0.8)
    fit = qs.fit_tau_xi(T, tau, xi)
    assert fit.mu == pytest.approx(0.37) and fit.tau_inf == pytest.approx(0.8) and fit.r2 == pytest.approx(1.0)
    rng = np.random.default_rng(9)
    noisy = tau * np.exp(rng.normal(0, 0.05, T.size))
    fit = qs.fit_tau_xi(T, noisy, xi, tau_err=0.05 * noisy)
    assert abs(fit.mu - 0.37) < 4 * fit.mu_err and fit.mu_err < 0.1


def test_bad_input():
    T = np.array([0.2, 0.3])
    C = np.full((2, 5), 0.2)
    with pytest.raises(ValueError, match="C must have shape"):
        qs.free_energies(T, C[:, :4], HUMP)
    with pytest.raises(ValueError, match="T"):
        qs.free_energies([0.2, -0.3], C, HUMP)
    bad = C.copy()
    bad[0, 1] = np.nan
    with pytest.raises(ValueError, match="C"):
        qs.free_energies(T, bad, HUMP)
    bad = C.copy()
    bad[:, 0] = 0.0
    with pytest.raises(ValueError, match="reference"):
        qs.free_energies(T, bad, HUMP)
    with pytest.raises(ValueError, match="reference"):
        qs.free_energies(T, np.full((2, 17), 0.05), BIN, reference=["s3", "s4"])
    with pytest.raises(ValueError, match="g"):
        qs.model_concentrations(T, np.zeros(5), -np.ones(5), HUMP)
    with pytest.raises(ValueError, match="H and g"):
        qs.model_concentrations(T, np.zeros(4), np.ones(4), HUMP)
    with pytest.raises(ValueError, match="fractions"):
        qs.binary3d_scheme((0.6, 0.6))
    with pytest.raises(ValueError, match="dim"):
        qs.correlation_length(1.0, 0.1, 1)
    with pytest.raises(ValueError, match="c_liq"):
        qs.correlation_length(1.0, 0.0, 3)
    with pytest.raises(ValueError, match="same length"):
        qs.fit_tau_xi([0.5, 0.6], [1.0, 2.0, 3.0], [1.0, 1.0])
    with pytest.raises(ValueError, match="degenerate"):
        qs.fit_tau_xi([0.5, 0.5], [1.0, 2.0], [1.0, 1.0])
    with pytest.raises(ValueError, match="positions"):
        qs.snapshot_concentrations(np.zeros((4, 3)), [5.0] * 3, None, HUMP)
    with pytest.raises(ValueError, match="n_blocks"):
        qs.average_concentrations(np.ones((10, 5)), n_blocks=1)


def test_average_concentrations_blocks():
    rng = np.random.default_rng(4)
    s = rng.normal(0.3, 0.01, (1000, 2))
    mean, err = qs.average_concentrations(s, n_blocks=20)
    assert np.allclose(mean, s.mean(axis=0)) and np.all(np.abs(err / (0.01 / np.sqrt(1000)) - 1) < 0.5)
