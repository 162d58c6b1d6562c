"""Species-model thermodynamics: analytic derivatives vs finite differences, Schottky limit, fits."""

import numpy as np
import pytest

from scaledyn.analysis import free_energy, species
from scaledyn.analysis import thermo as th

HUMP = species.hump2d_scheme()
BIN = species.binary3d_scheme()


def central_difference(f, T, h=1e-5):
    return (f(T + h) - f(T - h)) / (2 * h)


def binary_params():
    n = BIN.n_neighbours.astype(float)
    small = BIN.central_type == 0
    g = np.where(small, free_energy.gaussian_degeneracy(n, 4.65, 1.55), free_energy.gaussian_degeneracy(n, 7.5, 2.0))
    H = np.where(small, 0.35 * (4.65 - n), 0.3 * (7.5 - n)) + np.where(small, 0.0, 1.0)
    return H, g


@pytest.mark.parametrize("which", ["hump", "binary"])
def test_model_derivative_matches_finite_differences(which):
    if which == "hump":
        p = free_energy.paper_hump_table()
        scheme, H, g = HUMP, p["H"], p["g"]
    else:
        scheme, (H, g) = BIN, binary_params()
    T = np.linspace(0.05, 1.0, 40)
    for e in (None, scheme.n_neighbours.astype(float), np.sin(np.arange(scheme.n_species))):
        ana = th.model_species_derivative(T, H, g, scheme, e)
        num = central_difference(lambda t: th.model_species_average(t, H, g, scheme, e), T)
        assert np.allclose(ana, num, rtol=1e-6, atol=1e-8)
    assert np.all(th.model_heat_capacity(T, H, g, scheme) >= 0)


def test_two_level_schottky():
    scheme = species.hump2d_scheme()
    # two accessible levels: species 2 (H=0) and 3 (H=Δ); the others pushed out of reach
    delta = 0.4
    H = np.array([0.0, delta, 500.0, 500.0, 500.0])
    g = np.ones(5)
    T = np.linspace(0.05, 2.0, 50)
    x = delta / T
    exact = x**2 * np.exp(x) / (1 + np.exp(x)) ** 2
    assert np.allclose(th.model_heat_capacity(T, H, g, scheme), exact, rtol=1e-9, atol=1e-15)
    # the Schottky peak at Δ/T ≈ 2.399
    Tf = np.linspace(0.1, 0.3, 20001)
    assert Tf[np.argmax(th.model_heat_capacity(Tf, H, g, scheme))] == pytest.approx(delta / 2.39936, rel=1e-3)


def test_hump_energy_and_heat_capacity():
    p = free_energy.paper_hump_table()
    T = np.linspace(0.02, 0.8, 60)
    E = 0.83
    u = th.hump_model_energy(T, p["H"], p["g"], HUMP, E)
    C = free_energy.model_concentrations(T, p["H"], p["g"], HUMP)
    assert np.allclose(u, 0.5 * E * (C @ np.arange(2, 7)) + T)
    cv = th.hump_model_heat_capacity(T, p["H"], p["g"], HUMP, E)
    num = central_difference(lambda t: th.hump_model_energy(t, p["H"], p["g"], HUMP, E), T)
    assert np.allclose(cv, num, rtol=1e-6, atol=1e-8)
    # not sign-definite: negative at low T (Table II), positive peak at intermediate T
    assert cv.min() < 0 < cv.max()
    # freezing into species 4 at T → 0: C_v → d/2 = 1
    assert th.hump_model_heat_capacity([1e-3], p["H"], p["g"], HUMP, E)[0] == pytest.approx(1.0, abs=1e-4)


def test_compare_up_to_constant():
    model = np.linspace(-1.0, -0.5, 8)
    system = model + 2.8
    comp = th.compare_up_to_constant(model, system)
    assert comp.offset == pytest.approx(2.8) and np.allclose(comp.ratio, 1.0) and comp.rms < 1e-12
    rng = np.random.default_rng(2)
    noisy = system + rng.normal(0, 0.01, system.size)
    comp = th.compare_up_to_constant(model, noisy, system_err=np.full(system.size, 0.01))
    assert abs(comp.offset - 2.8) < 4 * comp.offset_err
    assert comp.offset_err == pytest.approx(0.01 / np.sqrt(8))


def test_system_enthalpy():
    assert th.system_enthalpy(2.69, 10.0, 1 / 0.826) == pytest.approx(2.69 + 10 / 0.826)
    with pytest.raises(ValueError, match="v"):
        th.system_enthalpy(2.69, 10.0, -1.0)


def test_fit_bond_energy():
    p = free_energy.paper_hump_table()
    T = np.linspace(0.15, 0.5, 8)
    nbar = free_energy.model_concentrations(T, p["H"], p["g"], HUMP) @ np.arange(2, 7)
    u = 0.5 * 0.83 * nbar + T
    fit = th.fit_bond_energy(T, u, nbar)
    assert fit.E == pytest.approx(0.83) and fit.r2 == pytest.approx(1.0)
    rng = np.random.default_rng(3)
    noisy = u + 0.05 + rng.normal(0, 0.002, T.size)
    fit = th.fit_bond_energy(T, noisy, nbar, u_err=np.full(T.size, 0.002), offset=True)
    assert abs(fit.E - 0.83) < 4 * fit.E_err and abs(fit.offset - 0.05) < 4 * fit.offset_err


def test_heat_capacity_fd():
    T = np.array([0.3, 0.35, 0.45, 0.5, 0.7, 0.75])
    C, err = th.heat_capacity_fd(T, 1.5 * T**2 + 0.2 * T)
    assert np.allclose(C, 3.0 * T + 0.2)
    assert np.all(np.isnan(err))
    Tu = np.linspace(0.3, 0.8, 6)
    C, err = th.heat_capacity_fd(Tu, Tu, U_err=np.full(6, 0.01))
    assert np.allclose(C, 1.0) and err[2] == pytest.approx(np.sqrt(2) * 0.01 / 0.2)


def test_bad_input():
    p = free_energy.paper_hump_table()
    with pytest.raises(ValueError, match="e must have"):
        th.model_species_derivative([0.3], p["H"], p["g"], HUMP, np.ones(4))
    with pytest.raises(ValueError, match="T"):
        th.model_heat_capacity([0.0], p["H"], p["g"], HUMP)
    with pytest.raises(ValueError, match="T must be strictly increasing"):
        th.heat_capacity_fd([0.3, 0.2, 0.4], [1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match="same length"):
        th.fit_bond_energy([0.2, 0.3], [1.0, 2.0], [2.0])
    with pytest.raises(TypeError, match="E"):
        th.hump_model_energy([0.3], p["H"], p["g"], HUMP, "0.83")
    with pytest.raises(ValueError, match="model"):
        th.compare_up_to_constant([1.0], [2.0])
    with pytest.raises(ValueError, match="species"):
        th.mean_species_value(np.ones((2, 5)), np.ones(4))


def test_particle_energies_sum_to_the_total_and_split_pairs():
    from scaledyn.md import models
    from scaledyn.md.reference import energy, pair_energy

    m = models.hump2d()
    u = lambda ti, tj, r: pair_energy(m.potential, m.params, ti, tj, r)  # noqa: E731
    rng = np.random.default_rng(3)
    box = np.array([9.0, 8.0])
    side = np.stack(np.meshgrid(np.arange(8) * 1.1, np.arange(7) * 1.1), -1).reshape(-1, 2)
    pos = side + rng.normal(0, 0.05, side.shape)
    types = np.zeros(len(pos), dtype=np.int64)
    rc = float(np.sqrt(m.params["rc2"][0, 0]))
    e = th.particle_energies(pos, box, u, rc)
    assert e.sum() == pytest.approx(energy(m.potential, m.params, pos, types, box), rel=1e-12)
    # two particles: each carries half of the pair energy, across the periodic boundary too
    two = np.array([[0.2, 1.0], [8.9, 1.0]])
    e2 = th.particle_energies(two, box, u, rc)
    assert np.allclose(e2, 0.5 * u(0, 0, np.array(0.3)))
    with pytest.raises(TypeError, match="callable"):
        th.particle_energies(pos, box, 3.0, rc)
    with pytest.raises(ValueError, match="box"):
        th.particle_energies(pos, np.ones(3), u, rc)
    with pytest.raises(ValueError, match="cutoff"):
        th.particle_energies(pos, box, u, 4.5)


def test_species_mean():
    v = np.array([1.0, 3.0, 10.0, 5.0, 7.0])
    s = np.array([0, 0, -1, 2, 2])
    mean, err, count = th.species_mean(v, s, 3)
    assert np.allclose(mean[[0, 2]], [2.0, 6.0]) and np.isnan(mean[1])
    assert count.tolist() == [2, 0, 2]
    assert err[0] == pytest.approx(np.sqrt(2.0) / np.sqrt(2))
    with pytest.raises(ValueError, match="species"):
        th.species_mean(v, s[:3], 3)


def test_schottky_peak_known_answer():
    # x tanh(x/2) = 2 at x* = 2.399357..., C_max = x*² e^x*/(1 + e^x*)² = 0.439229... (textbook values)
    x, T_star, c_max = th.schottky_peak(0.4)
    assert x == pytest.approx(2.3993572805, abs=1e-9)
    assert T_star == pytest.approx(0.4 / 2.3993572805, rel=1e-9)
    assert c_max == pytest.approx(0.4392288399, abs=1e-9)
    with pytest.raises(ValueError, match="delta"):
        th.schottky_peak(-1.0)


def test_heat_capacity_features_two_level_schottky():
    delta = 0.4                                   # two species, equal degeneracies, the rest frozen out
    H = np.array([0.0, delta, 1e3, 1e3, 1e3])
    f = th.heat_capacity_features(0.05, 0.5, H, np.ones(5), HUMP)
    assert f.T_peak == pytest.approx(delta / 2.3993572805, rel=1e-6)
    assert f.C_peak == pytest.approx(0.4392288399, rel=1e-9)
    assert np.isnan(f.T_zero) and np.isnan(f.T_cfg)   # a variance never changes sign


def test_heat_capacity_features_sign_change_known_answer():
    # species i=2 lies Δ above i=3: Cov(i, H)/T² = -S(x)/Δ, x = Δ/T, S the Schottky function, so
    # C_v = 1 - (E/2) S(x)/Δ. With E = 2Δ/S(1), C_v = 0 at x = 1 (the high-T root), i.e. at T = Δ.
    delta = 0.4
    s1 = np.e / (1 + np.e) ** 2
    H = np.array([delta, 0.0, 1e3, 1e3, 1e3])
    f = th.heat_capacity_features(0.02, 2.0, H, np.ones(5), HUMP, E=2 * delta / s1)
    assert f.T_zero == pytest.approx(delta, rel=1e-8)
    assert np.isnan(f.T_cfg)                          # the configurational part is negative throughout
    assert f.C_peak == pytest.approx(1.0, abs=1e-5)   # C_v -> d/2 = 1 at both ends, below 1 between
    # the paper's hump model: C_v and its configurational part C_v - 1 change sign at the roots found
    p = free_energy.paper_hump_table()
    g = th.heat_capacity_features(0.01, 0.6, p["H"], p["g"], HUMP, E=0.83)
    cv = th.hump_model_heat_capacity(np.array([g.T_zero, g.T_cfg]), p["H"], p["g"], HUMP, 0.83)
    assert np.allclose(cv, [0.0, 1.0], atol=1e-9)
    below = th.hump_model_heat_capacity(np.linspace(0.01, g.T_zero * 0.999, 50), p["H"], p["g"], HUMP, 0.83)
    assert np.all(below < 0)
    grid = th.hump_model_heat_capacity(np.linspace(0.01, 0.6, 5000), p["H"], p["g"], HUMP, 0.83)
    assert g.C_peak >= grid.max() - 1e-12 and g.T_zero < g.T_cfg < g.T_peak
    with pytest.raises(ValueError, match="T_hi"):
        th.heat_capacity_features(0.5, 0.1, p["H"], p["g"], HUMP)
    with pytest.raises(ValueError, match="n_grid"):
        th.heat_capacity_features(0.1, 0.5, p["H"], p["g"], HUMP, n_grid=2)
    with pytest.raises(TypeError, match="scheme"):
        th.heat_capacity_features(0.1, 0.5, p["H"], p["g"], "hump")


def test_last_sign_change_takes_the_highest_upward_crossing():
    T = np.linspace(0.5, 13.0, 301)            # sin rises through 0 at 2π and 4π, falls at π, 3π
    assert th._last_sign_change(np.sin, T, np.sin(T)) == pytest.approx(4 * np.pi, abs=1e-10)
    assert np.isnan(th._last_sign_change(np.cos, T[:10], np.cos(T[:10])))   # cos > 0 there: no change
