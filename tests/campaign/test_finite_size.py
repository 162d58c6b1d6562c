"""Finite-size comparison: z-scores of τα and the χ² of concentrations at shared temperatures."""

import numpy as np
import pytest
from scipy import stats
from test_campaign_data import LABELS, write_point

from scaledyn.campaign.data import load_campaign
from scaledyn.campaign.data import add_small_system, compare_sizes


def two_sizes(tmp_path, C_small=None, tau_small=2.0):
    big, small = tmp_path / "big", tmp_path / "small"
    write_point(big, 0.5, 1.0)
    write_point(big, 0.3, 2.0)
    write_point(small, 0.3, tau_small, n=8, C=C_small)
    write_point(small, 0.2, 8.0, n=8)
    return load_campaign(big), load_campaign(small)


def test_identical_points_are_consistent(tmp_path):
    c = compare_sizes(*two_sizes(tmp_path))
    assert c.T.tolist() == [0.3] and c.n_a.tolist() == [16] and c.n_b.tolist() == [8]
    assert c.z_tau == pytest.approx([0.0]) and c.chi2_C == pytest.approx([0.0])
    assert c.dof_C.tolist() == [11] and c.p_C == pytest.approx([1.0]) and c.consistent().all()


def test_z_scores_and_chi2_are_computed_from_the_errors(tmp_path):
    C = np.full(11, 1 / 11)
    C[3] *= 1.05                                   # errors are 1 % of C: z = 0.05 / hypot(0.01, 0.0105)
    a, b = two_sizes(tmp_path, C_small=C, tau_small=3.0)   # tau errors are 10 %: 0.2 and 0.3
    c = compare_sizes(a, b)
    z3 = 0.05 / np.hypot(0.01, 0.0105)
    assert c.z_tau == pytest.approx([1.0 / np.hypot(0.2, 0.3)])
    assert c.max_z_C == pytest.approx([z3]) and c.chi2_C == pytest.approx([z3**2])
    assert c.p_C == pytest.approx([stats.chi2.sf(z3**2, 11)])
    assert c.consistent().tolist() == [True] and c.consistent(z_max=2.0).tolist() == [False]
    assert c.consistent(p_min=0.5).tolist() == [False]


def test_rare_species_are_left_out(tmp_path):
    C = np.zeros(11)
    C[2:7] = 0.2
    big, small = tmp_path / "big", tmp_path / "small"
    write_point(big, 0.3, 2.0, C=C)
    write_point(small, 0.3, 2.0, n=8, C=C)
    c = compare_sizes(load_campaign(big), load_campaign(small))
    assert c.dof_C.tolist() == [5] and c.chi2_C == pytest.approx([0.0])


def test_bad_input_is_named(tmp_path):
    a, b = two_sizes(tmp_path)
    with pytest.raises(ValueError, match="min_fraction"):
        compare_sizes(a, b, min_fraction=np.nan)
    other = tmp_path / "cold"
    write_point(other, 0.1, 80.0)
    with pytest.raises(ValueError, match="no shared temperature"):
        compare_sizes(a, load_campaign(other))
    labels = tmp_path / "labels"
    write_point(labels, 0.3, 2.0, labels=LABELS[:5])
    with pytest.raises(ValueError, match="species set differ"):
        compare_sizes(a, load_campaign(labels))


def test_the_small_system_is_added_only_once_validated(tmp_path):
    big, small = tmp_path / "big", tmp_path / "small"
    write_point(big, 0.5, 1.0)
    write_point(big, 0.3, 2.0)
    write_point(small, 0.3, 2.0, n=8)
    write_point(small, 0.2, 8.0, n=8)
    a = load_campaign(big)
    d, c, status = add_small_system(a, load_campaign(small))
    assert d is a and c.T.size == 1 and "1 of the 2" in status        # one shared T: not enough
    write_point(small, 0.5, 1.0, n=8)
    d, c, status = add_small_system(a, load_campaign(small))
    assert d.T.tolist() == [0.2, 0.3, 0.5] and d.n.tolist() == [8, 16, 16] and "1 colder point of the smaller system is used" in status
    write_point(tmp_path / "bad", 0.5, 3.0, n=8)                   # tau 3.0 vs 1.0 +- 10 %: z = 6.3
    write_point(tmp_path / "bad", 0.3, 2.0, n=8)
    write_point(tmp_path / "bad", 0.1, 80.0, n=8)
    d, c, status = add_small_system(a, load_campaign(tmp_path / "bad"))
    assert d is a and "disagree" in status and c.consistent().tolist() == [True, False]
    assert add_small_system(a, None)[2].startswith("no smaller system")
    write_point(tmp_path / "cold", 0.1, 80.0, n=8)
    assert add_small_system(a, load_campaign(tmp_path / "cold"))[1] is None
    with pytest.raises(ValueError, match="min_shared"):
        add_small_system(a, load_campaign(small), min_shared=0)
