"""S(k): Bragg peaks of a lattice, S ≈ 1 for an ideal gas, first-peak refinement, bad input."""

import numpy as np
import pytest

from scaledyn.analysis.structure import first_peak, structure_factor


def test_square_lattice_has_bragg_peaks_of_height_n():
    g = np.arange(10.0)
    pos = np.array([(x, y) for x in g for y in g]) + 0.25
    k, S = structure_factor(pos, [10.0, 10.0], k_max=7.0, dk=0.05)
    bragg = np.isclose(k, 2 * np.pi, atol=0.03)
    # the shell |n| = 10 (k = 2π) holds n = (10,0), (0,10), (6,±8), (8,±6) (one of each ± pair): the two
    # reciprocal-lattice vectors scatter with S = N = 100, the other four with S = 0
    assert bragg.sum() == 1 and S[bragg][0] == pytest.approx(100.0 * 2 / 6)
    assert np.all(S[k < 6.0] < 1e-20)                      # and zero below them


def test_ideal_gas_is_flat_around_one():
    rng = np.random.default_rng(0)
    pos = rng.uniform(0, 12.0, (3000, 3))
    k, S = structure_factor(pos, [12.0] * 3, k_max=10.0, dk=1.0)
    assert abs(S[k > 3].mean() - 1.0) < 0.05
    sel = np.arange(3000) < 1500
    k2, S2 = structure_factor(pos, [12.0] * 3, k_max=10.0, dk=1.0, select=sel)
    assert abs(S2[k2 > 3].mean() - 1.0) < 0.1


def test_first_peak_refines_a_parabola():
    k = np.linspace(2, 10, 81)
    S = 3.0 - (k - 6.73) ** 2
    kp, Sp = first_peak(k, S)
    assert kp == pytest.approx(6.73, abs=1e-9) and Sp == pytest.approx(3.0)


def test_bad_input():
    pos = np.zeros((4, 2))
    with pytest.raises(ValueError, match="box"):
        structure_factor(pos, [1.0, 1.0, 1.0])
    with pytest.raises(ValueError, match="box"):
        structure_factor(pos, [1.0, -1.0])
    with pytest.raises(ValueError, match="select"):
        structure_factor(pos, [4.0, 4.0], select=[1, 0, 1, 0])
    with pytest.raises(ValueError, match="no particles"):
        structure_factor(pos, [4.0, 4.0], select=np.zeros(4, bool))
    with pytest.raises(ValueError, match="k_max"):
        structure_factor(pos, [4.0, 4.0], k_max=0.5)
    with pytest.raises(ValueError, match="NaN|finite"):
        structure_factor(np.full((4, 2), np.nan), [4.0, 4.0])
    with pytest.raises(ValueError, match="same length"):
        first_peak([1, 2, 3], [1, 2])
