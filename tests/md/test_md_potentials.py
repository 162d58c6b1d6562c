"""The pair potentials themselves: the paper's definitions and their smoothness at the joins."""

import numba
import numpy as np
import pytest

from scaledyn import data_path, md
from scaledyn.md import forces
from scaledyn.md import potentials as pot
from scaledyn.md import reference as ref


def pair_via_kernel(model, ti, tj, r):
    """Energy and f_r of one pair from the Numba kernel (two particles in a big box)."""
    d = model.dim
    box = np.full(d, 20.0)
    pos = np.zeros((2, d))
    pos[0, 0], pos[1, 0] = 5.0, 5.0 + r
    types = np.array([ti, tj], np.int32)
    pairs = np.array([[0], [1]], np.int32)
    f = np.zeros((2, d))
    u, w, _ = forces.forces_energy_virial((0,) * d, 1, model.params, pos, types, box, pairs, 1, f)
    return u, -f[0, 0] / r  # force on 0 from 1 is f_r * (x0 - x1) = -f_r r along x


def test_table1_matches_data_file():
    t = md.models.table1_from_csv(data_path("paper", "hump_potential_table1.csv"))
    assert t == md.models.HUMP_TABLE1


@pytest.mark.parametrize("ti,tj,sigma", [(0, 0, 1.0), (0, 1, 1.2), (1, 1, 1.4)])
def test_binary_is_purely_repulsive_and_smooth_at_rc(ti, tj, sigma):
    m = md.binary3d(n=300)
    rc = np.sqrt(8 / 6) * sigma
    r = np.linspace(0.8 * sigma, rc * (1 - 1e-3), 400)
    u = ref.pair_energy(m.potential, m.params, ti, tj, r)
    assert np.all(u > 0) and np.all(np.diff(u) < 0)  # repulsive, monotonic
    assert abs(ref.pair_energy(m.potential, m.params, ti, tj, np.array([rc * (1 - 1e-12)]))[0]) < 1e-12
    # U'(rc) = 0: the force vanishes linearly at the cutoff
    f5, f6 = ref.pair_force_over_r(m.potential, m.params, ti, tj, np.array([rc - 1e-5, rc - 1e-6]), h=1e-8)
    assert abs(f6) < 1e-4 and f5 / f6 == pytest.approx(10, rel=1e-2)
    assert pot.A0_MIE86 == 0.10546875  # the paper's a0
    # the paper's Eq. (1) at one point, written out
    x = 1.1 * sigma
    assert pair_via_kernel(m, ti, tj, x)[0] == pytest.approx((sigma / x) ** 8 - (sigma / x) ** 6 + 27 / 256, rel=1e-14)


def test_hump_shape_and_continuity():
    m = md.hump2d(n=256)
    r0, rstar = 2 ** (1 / 6), 1.65
    u = lambda r: ref.pair_energy(m.potential, m.params, 0, 0, np.atleast_1d(r))[0]
    h = 1e-7
    # U and F continuous at r0 and r*; U(r0) = eps h0 = 0.75 (a local minimum)
    assert u(r0 - h) == pytest.approx(0.75, abs=1e-10) and u(r0 + h) == pytest.approx(0.75, abs=1e-10)
    assert abs(pair_via_kernel(m, 0, 0, r0 - 1e-9)[1]) < 1e-6 and abs(pair_via_kernel(m, 0, 0, r0 + 1e-9)[1]) < 1e-6
    assert abs(u(rstar - h)) < 1e-9 and abs(pair_via_kernel(m, 0, 0, rstar - 1e-9)[1]) < 1e-6
    # the hump: maximum near r_hump = 1.32 with height ~1.0875 eps
    r = np.linspace(r0, rstar, 20001)
    uu = ref.pair_energy(m.potential, m.params, 0, 0, r)
    assert r[uu.argmax()] == pytest.approx(1.318, abs=2e-3)
    assert uu.max() == pytest.approx(1.0875, abs=1e-3)
    # documented: U'' jumps by ~0.9 % at r0 = 2^(1/6) (LJ side 36*2^(-4/3), polynomial side 2 h0 a2/w^2)
    lj2 = 36 * 2 ** (-4 / 3)
    poly2 = 2 * 0.75 * md.models.HUMP_TABLE1["a"][2] / (rstar - r0) ** 2
    assert 0.005 < poly2 / lj2 - 1 < 0.012


@pytest.mark.parametrize("name", ["binary3d", "hump2d"])
def test_kernel_pair_matches_reference_and_finite_difference(name):
    m = md.get_model(name, n=300 if name == "binary3d" else 256)
    # absolute rounding floor of U: near r* the hump polynomial cancels terms of size h0*sum|a_i| ~ 600
    # (Table I), so an evaluation order with or without fused multiply-adds moves U by ~1e-13
    floor = 1e-14 if name == "binary3d" else 4 * np.finfo(float).eps * md.models.HUMP_TABLE1["h0"] \
        * np.abs(md.models.HUMP_TABLE1["a"]).sum()
    for ti in range(m.ntypes):
        for tj in range(m.ntypes):
            rc = np.sqrt(m.params["rc2"][ti, tj])
            for r in np.linspace(0.85 * np.sqrt(m.params["sigma2"][ti, tj]), 1.2 * rc, 23):
                u, fr = pair_via_kernel(m, ti, tj, r)
                assert u == pytest.approx(ref.pair_energy(m.potential, m.params, ti, tj, np.array([r]))[0], rel=1e-12, abs=floor)
                fd = ref.pair_force_over_r(m.potential, m.params, ti, tj, np.array([r]), h=1e-6)[0]
                if abs(r - rc) > 1e-5 and abs(r - 2 ** (1 / 6)) > 1e-5:
                    assert fr == pytest.approx(fd, rel=1e-6, abs=1e-7)
                if r >= rc:
                    assert u == 0.0 and fr == 0.0


# A third potential, added the way the module docstring says: one pair function, one registration.
@numba.njit(inline="always")
def _lj_pair(r2, eps, sigma2, rc2, ushift):
    q3 = (sigma2 / r2) ** 3
    inside = r2 < rc2
    u = 4.0 * eps * (q3 * q3 - q3) - ushift if inside else 0.0
    f = 24.0 * eps * (2.0 * q3 * q3 - q3) / r2 if inside else 0.0
    return u, f


LJ = pot.POTENTIALS.get("lj-test") or pot.register("lj-test", _lj_pair)


def test_a_registered_potential_runs_in_the_force_kernel():
    """Forces of a registered Lennard-Jones pair = -dU/dr by finite differences, in the kernel that
    knows nothing about it; the Python block_energy agrees with the compiled one."""
    table = LJ.table(2)
    table["eps"] = [[1.0, 1.5], [1.5, 0.5]]
    table["sigma2"] = np.array([[1.0, 1.1], [1.1, 1.2]]) ** 2
    table["rc2"] = 6.25 * table["sigma2"]
    table["ushift"] = 4 * table["eps"] * ((1 / 6.25) ** 6 - (1 / 6.25) ** 3)
    pos = np.array([[5.0, 5.0, 5.0], [6.1, 5.2, 5.1]])
    types = np.array([0, 1], np.int32)
    box = np.full(3, 20.0)
    pairs = np.array([[0], [1]], np.int32)

    def energy(p):
        return forces.forces_energy_virial((0, 0, 0), 1, table, p, types, box, pairs, 1, np.zeros((2, 3)))[0]

    f = np.zeros((2, 3))
    u, w, _ = forces.forces_energy_virial((0, 0, 0), 1, table, pos, types, box, pairs, 1, f)
    r2 = float(((pos[0] - pos[1]) ** 2).sum())
    q3 = (1.1**2 / r2) ** 3
    assert u == pytest.approx(4 * 1.5 * (q3 * q3 - q3) - table["ushift"][0, 1], rel=1e-12)
    h = 1e-6
    for k in range(3):
        plus, minus = pos.copy(), pos.copy()
        plus[0, k] += h
        minus[0, k] -= h
        assert f[0, k] == pytest.approx(-(energy(plus) - energy(minus)) / (2 * h), rel=1e-6, abs=1e-9)
    fr = np.empty(1)
    e_py, w_py = pot.block_energy(np.array([r2]), table, np.array([0]), np.array([1]), None, fr, 1)
    assert (e_py, w_py) == pytest.approx((u, w), rel=1e-12)


def test_register_rejects_bad_potentials():
    with pytest.raises(ValueError, match="already registered"):
        pot.register("mie86", pot.mie86_pair)
    with pytest.raises(TypeError, match="numba.njit"):
        pot.register("plain", lambda r2, sigma2, rc2: (0.0, 0.0))
    with pytest.raises(ValueError, match=r"lacks the parameter\(s\) \['rc2'\]"):
        pot.register("no-cutoff", numba.njit(lambda r2, sigma2, eps: (0.0, 0.0)))
    with pytest.raises(ValueError, match=r"must take \(r2, parameter"):
        pot.register("no-r2", numba.njit(lambda d2, sigma2, rc2: (0.0, 0.0)))
    with pytest.raises(ValueError, match="same parameter names as 'mie86'"):
        pot.register("mie-again", numba.njit(lambda r2, eps, sigma2, rc2, shift: (0.0, 0.0)))
    with pytest.raises(ValueError, match="unknown potential 'morse'"):
        pot.get_potential("morse")
    with pytest.raises(ValueError, match="registered potential's record"):
        pot.potential_of(np.zeros((1, 1, 16)))


@pytest.mark.parametrize("name", ["binary3d", "hump2d"])
def test_parameter_tables_round_trip_and_legacy_tables_convert(name):
    """Checkpoints store the table by field name; checkpoints written before parameter records
    (an integer kind and a float table with fields at fixed columns) still load to the same table."""
    m = md.get_model(name)
    back = pot.table_from_json(**pot.table_to_json(m.params))
    assert back.dtype == m.params.dtype and np.array_equal(back, m.params)
    p = m.params
    if name == "binary3d":
        kind, old = 0, np.stack([p["eps"], p["sigma2"], p["rc2"], p["shift"]], -1)
    else:  # the old hump layout: [eps, sigma^2, rstar^2, r0, r0^2, rstar, h0, a0..a7, 1/(rstar - r0)]
        cols = [p["eps"], p["sigma2"], p["rc2"], p["r0"], p["r02"], np.sqrt(p["rc2"]), p["h0"]]
        kind, old = 1, np.stack(cols + [p[f"a{k}"] for k in range(8)] + [p["inv_width"]], -1)
    got_name, got = pot.legacy_table(kind, old.tolist())
    assert got_name == m.potential and np.array_equal(got, m.params)
    with pytest.raises(ValueError, match="unknown legacy potential kind 7"):
        pot.legacy_table(7, old)
    with pytest.raises(ValueError, match="need the fields"):
        pot.table_from_json(m.potential, {"eps": [[1.0]]})

