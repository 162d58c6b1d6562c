"""Cell-list neighbour counts equal the brute-force reference, including tiny boxes."""

import numpy as np
import pytest

from scaledyn.analysis import neighbours as nb
from scaledyn.analysis.species import BINARY_CUTOFF, HUMP_CUTOFF


@pytest.mark.parametrize("dim", [2, 3])
@pytest.mark.parametrize("side", [2.0, 2.9, 3.4, 5.0, 8.3])
def test_cell_list_equals_bruteforce(dim, side):
    rng = np.random.default_rng(int(10 * side) + dim)
    for trial in range(3):
        box = side * (1.0 + 0.2 * rng.random(dim))
        n = int(0.9 * np.prod(box)) + 3
        pos = rng.uniform(-3 * side, 3 * side, (n, dim))          # unwrapped coordinates
        types = rng.integers(0, 2, n)
        rc = BINARY_CUTOFF if side >= 2 * BINARY_CUTOFF.max() else BINARY_CUTOFF / 1.7
        a = nb.count_neighbours(pos, box, types, rc)
        b = nb.count_neighbours_bruteforce(pos, box, types, rc)
        assert np.array_equal(a, b)


def test_square_lattice_counts():
    # square lattice of spacing 1: 4 neighbours within 1.2, 8 within 1.5 (diagonal √2)
    g = np.arange(6.0)
    pos = np.array([(x, y) for x in g for y in g])
    assert np.all(nb.count_neighbours(pos, [6.0, 6.0], cutoff=1.2) == 4)
    assert np.all(nb.count_neighbours(pos, [6.0, 6.0], cutoff=1.5) == 8)
    # fcc: 12 nearest neighbours at a/√2
    a = 1.0
    cell = np.array([[0, 0, 0], [0.5, 0.5, 0], [0.5, 0, 0.5], [0, 0.5, 0.5]])
    fcc = np.array([c + [i, j, k] for i in range(4) for j in range(4) for k in range(4) for c in cell]) * a
    assert np.all(nb.count_neighbours(fcc, [4.0] * 3, cutoff=0.8) == 12)


def test_type_dependent_cutoff_is_used():
    # one small (0) and one large (1) at distance 1.3: within r_c(0,1)=1.386, not within r_c(0,0)=1.155
    pos = np.array([[1.0, 1.0, 1.0], [2.3, 1.0, 1.0]])
    assert nb.count_neighbours(pos, [6.0] * 3, [0, 1], BINARY_CUTOFF).tolist() == [1, 1]
    assert nb.count_neighbours(pos, [6.0] * 3, [0, 0], BINARY_CUTOFF).tolist() == [0, 0]
    # across the periodic boundary
    pos = np.array([[0.1, 0.1], [5.9, 0.1]])
    assert nb.count_neighbours(pos, [6.0, 6.0], cutoff=HUMP_CUTOFF).tolist() == [1, 1]


def test_bad_input():
    pos = np.zeros((4, 3))
    with pytest.raises(ValueError, match="half the smallest box"):
        nb.count_neighbours(pos, [2.0, 2.0, 2.0], cutoff=1.2)
    with pytest.raises(ValueError, match="box"):
        nb.count_neighbours(pos, [6.0, 6.0], cutoff=1.0)
    with pytest.raises(ValueError, match="box"):
        nb.count_neighbours(pos, [6.0, -6.0, 6.0], cutoff=1.0)
    with pytest.raises(ValueError, match="types"):
        nb.count_neighbours(pos, [6.0] * 3, [0, 1, 2, 0], BINARY_CUTOFF)
    with pytest.raises(ValueError, match="cutoff"):
        nb.count_neighbours(pos, [6.0] * 3, [0, 1, 1, 0], [[1.0, 1.2], [1.1, 1.4]])
    with pytest.raises(ValueError, match="positions"):
        nb.count_neighbours(np.zeros((4, 4)), [6.0] * 4, cutoff=1.0)
    with pytest.raises(ValueError, match="types"):
        nb.count_neighbours(pos, [6.0] * 3, [0.5, 1, 1, 0], 1.0)
    with pytest.raises(TypeError, match="types"):
        nb.count_neighbours(pos, [6.0] * 3, ["a", "b", "a", "b"], 1.0)


@pytest.mark.parametrize("dim", [2, 3])
def test_periodic_pairs_match_brute_force(dim):
    rng = np.random.default_rng(5 + dim)
    box = np.array([6.0, 7.0, 6.5][:dim])
    pos = rng.uniform(-10, 10, (150, dim))                          # unwrapped: several images away
    i, j, dx = nb.periodic_pairs(pos, box, 1.4)
    assert np.all(i != j) and len({(min(a, b), max(a, b)) for a, b in zip(i, j)}) == i.size
    counts = np.bincount(np.concatenate([i, j]), minlength=150)
    assert counts.tolist() == nb.count_neighbours_bruteforce(pos, box, cutoff=1.4).tolist()
    direct = pos[j] - pos[i]
    direct -= box * np.rint(direct / box)
    assert np.allclose(dx, direct, atol=1e-12) and np.all(np.linalg.norm(dx, axis=1) < 1.4)
