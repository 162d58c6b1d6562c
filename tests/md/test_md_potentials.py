"""The pair potentials themselves: the paper's definitions and their smoothness at the joins."""

import numpy as np
import pytest

from scaledyn import data_path, md
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
    u, w, _ = pot.forces_energy_virial((0,) * d, 1, model.kind, model.params, pos, types, box, pairs, 1, f)
    return u, -f[0, 0] / r  # force on 0 from 1 is f_r * (x0 - x1) = -f_r r along x


def test_table1_matches_data_file():
    t = md.models.table1_from_csv(data_path("paper", "hump_potential_table1.csv"))
    assert t == md.models.HUMP_TABLE1


@pytest.mark.parametrize("ti,tj,sigma", [(0, 0, 1.0), (0, 1, 1.2), (1, 1, 1.4)])
def test_binary_is_purely_repulsive_and_smooth_at_rc(ti, tj, sigma):
    m = md.binary3d(n=300)
    rc = np.sqrt(8 / 6) * sigma
    r = np.linspace(0.8 * sigma, rc * (1 - 1e-3), 400)
    u = ref.pair_energy(m.kind, m.params, ti, tj, r)
    assert np.all(u > 0) and np.all(np.diff(u) < 0)  # repulsive, monotonic
    assert abs(ref.pair_energy(m.kind, m.params, ti, tj, np.array([rc * (1 - 1e-12)]))[0]) < 1e-12
    # U'(rc) = 0: the force vanishes linearly at the cutoff
    f5, f6 = ref.pair_force_over_r(m.kind, m.params, ti, tj, np.array([rc - 1e-5, rc - 1e-6]), h=1e-8)
    assert abs(f6) < 1e-4 and f5 / f6 == pytest.approx(10, rel=1e-2)
    assert pot.A0_MIE86 == 0.10546875  # the paper's a0
    # the paper's Eq. (1) at one point, written out
    x = 1.1 * sigma
    assert pair_via_kernel(m, ti, tj, x)[0] == pytest.approx((sigma / x) ** 8 - (sigma / x) ** 6 + 27 / 256, rel=1e-14)


def test_hump_shape_and_continuity():
    m = md.hump2d(n=256)
    r0, rstar = 2 ** (1 / 6), 1.65
    u = lambda r: ref.pair_energy(m.kind, m.params, 0, 0, np.atleast_1d(r))[0]
    h = 1e-7
    # U and F continuous at r0 and r*; U(r0) = eps h0 = 0.75 (a local minimum)
    assert u(r0 - h) == pytest.approx(0.75, abs=1e-10) and u(r0 + h) == pytest.approx(0.75, abs=1e-10)
    assert abs(pair_via_kernel(m, 0, 0, r0 - 1e-9)[1]) < 1e-6 and abs(pair_via_kernel(m, 0, 0, r0 + 1e-9)[1]) < 1e-6
    assert abs(u(rstar - h)) < 1e-9 and abs(pair_via_kernel(m, 0, 0, rstar - 1e-9)[1]) < 1e-6
    # the hump: maximum near r_hump = 1.32 with height ~1.0875 eps
    r = np.linspace(r0, rstar, 20001)
    uu = ref.pair_energy(m.kind, m.params, 0, 0, r)
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
            rc = np.sqrt(m.params[ti, tj, 2])
            for r in np.linspace(0.85 * np.sqrt(m.params[ti, tj, 1]), 1.2 * rc, 23):
                u, fr = pair_via_kernel(m, ti, tj, r)
                assert u == pytest.approx(ref.pair_energy(m.kind, m.params, ti, tj, np.array([r]))[0], rel=1e-12, abs=floor)
                fd = ref.pair_force_over_r(m.kind, m.params, ti, tj, np.array([r]), h=1e-6)[0]
                if abs(r - rc) > 1e-5 and abs(r - 2 ** (1 / 6)) > 1e-5:
                    assert fr == pytest.approx(fd, rel=1e-6, abs=1e-7)
                if r >= rc:
                    assert u == 0.0 and fr == 0.0
