"""Bond-orientational order: crystals are recognised, our liquids are not, bad input is named."""

import numpy as np
import pytest

from scaledyn import data_path
from scaledyn.analysis import order


def test_hexatic_order_rejects_bad_shapes():
    with pytest.raises(ValueError, match="pos must have shape"):
        order.hexatic_order(np.zeros((10, 3)), np.array([10.0, 10.0]))


def test_hexatic_order_distinguishes_crystal_and_liquid():
    cfg = np.load(data_path("md", "hump2d", "T0.2000", "config.npz"))  # an N = 4096 liquid at rho = 0.8
    # perfect triangular lattice
    a = 1.12
    nx, ny = 16, 18
    i, j = np.meshgrid(np.arange(nx), np.arange(ny), indexing="ij")
    pos = np.stack([(i + 0.5 * (j % 2)) * a, j * a * np.sqrt(3) / 2], -1).reshape(-1, 2)
    box = np.array([nx * a, ny * a * np.sqrt(3) / 2])
    glob, local = order.hexatic_order(pos, box)
    assert glob == pytest.approx(1.0, abs=1e-9) and local == pytest.approx(1.0, abs=1e-9)
    glob, local = order.hexatic_order(cfg["positions"], cfg["box"])
    assert glob < 0.3 and local < 0.7


def fcc(cells: int, nn: float, noise: float, seed: int = 0):
    a = nn * np.sqrt(2.0)
    basis = np.array([[0, 0, 0], [0.5, 0.5, 0], [0.5, 0, 0.5], [0, 0.5, 0.5]])
    g = np.stack(np.meshgrid(*[np.arange(cells)] * 3, indexing="ij"), -1).reshape(-1, 1, 3)
    pos = ((g + basis) * a).reshape(-1, 3)
    return pos + np.random.default_rng(seed).normal(0.0, noise, pos.shape), np.full(3, cells * a)


def test_solid_fraction_3d_finds_crystals_not_the_liquid():
    pos, box = fcc(6, 1.3, 0.0)                                     # second shell at 1.84 > rcut
    frac, bonds = order.solid_fraction_3d(pos, box)
    assert frac == 1.0 and np.all(bonds == 12)                    # every fcc bond is solid-like
    pos, box = fcc(6, 1.3, 0.08)                                    # thermal noise ~7 % of the spacing
    assert order.solid_fraction_3d(pos, box)[0] > 0.95
    assert order.solid_fraction_3d(pos + 3.7 * box, box)[0] == order.solid_fraction_3d(pos, box)[0]  # periodic
    cfg = np.load(data_path("md", "binary3d", "T0.3000", "config.npz"))  # our coldest N = 4096 liquid
    assert order.solid_fraction_3d(cfg["positions"], cfg["box"])[0] < 0.01


@pytest.mark.parametrize("args, message", [
    ((np.zeros((10, 2)), np.full(3, 10.0)), "shape"),
    ((np.zeros((10, 3)), np.full(3, 3.0)), "box"),
    ((np.full((10, 3), np.nan), np.full(3, 10.0)), "NaN"),
])
def test_solid_fraction_3d_rejects_bad_input(args, message):
    with pytest.raises(ValueError, match=message):
        order.solid_fraction_3d(*args)
    with pytest.raises(ValueError, match="even l"):
        order.solid_fraction_3d(np.zeros((10, 3)), np.full(3, 10.0), l=5)
