"""Ideal lattices: the neighbour shells they are built for, a box they tile, and named bad input."""

import numpy as np
import pytest

from scaledyn.analysis.neighbours import count_neighbours
from scaledyn.md.lattices import fcc_lattice, triangular_lattice


def test_triangular_lattice_shells_and_periodic_box():
    """6 neighbours at a, 12 within √3 a, 18 within 2 a — for every site, across the boundary."""
    pos, box = triangular_lattice(1.1, 12, 10)
    assert pos.shape == (120, 2) and np.allclose(box, [13.2, 10 * 1.1 * np.sqrt(3) / 2])
    assert np.all((pos >= 0) & (pos < box))
    for rc, shell in ((1.2, 6), (1.1 * np.sqrt(3) * 1.01, 12), (2.2 * 1.01, 18)):
        assert np.all(count_neighbours(pos, box, cutoff=rc) == shell)


def test_triangular_lattice_row_order():
    """Rows of nx sites, every other row shifted by a/2 (the order chapter 6's demonstration draws on)."""
    pos, _ = triangular_lattice(2.0, 3, 2)
    np.testing.assert_allclose(pos, [[0, 0], [2, 0], [4, 0], [1, np.sqrt(3)], [3, np.sqrt(3)], [5, np.sqrt(3)]])


def test_fcc_lattice_shells_and_periodic_box():
    """12 nearest neighbours at nn, 6 more at √2 nn; four sites per cubic cell of side √2 nn."""
    pos, box = fcc_lattice(1.2, 3)
    assert pos.shape == (108, 3) and np.allclose(box, 3 * 1.2 * np.sqrt(2))
    assert np.all(count_neighbours(pos, box, cutoff=1.2 * 1.01) == 12)
    assert np.all(count_neighbours(pos, box, cutoff=1.2 * np.sqrt(2) * 1.01) == 18)
    d = pos[:, None] - pos[None]
    d -= box * np.rint(d / box)
    r = np.sqrt((d**2).sum(-1))[np.triu_indices(108, 1)]
    assert r.min() == pytest.approx(1.2)


def test_bad_input_is_named():
    with pytest.raises(ValueError, match="ny must be even"):
        triangular_lattice(1.0, 4, 5)
    with pytest.raises(ValueError, match="^a must"):
        triangular_lattice(-1.0, 4, 4)
    with pytest.raises(TypeError, match="nx"):
        triangular_lattice(1.0, 4.5, 4)
    with pytest.raises(ValueError, match="cells"):
        fcc_lattice(1.0, 0)
    with pytest.raises(ValueError, match="nn"):
        fcc_lattice(float("nan"), 2)
