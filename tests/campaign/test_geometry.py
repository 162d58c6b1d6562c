"""The liquid geometry of a campaign's stored configurations: known answers on square lattices with
planted vacancies (their neighbours are the only particles with three bound neighbours)."""

import numpy as np
import pytest

from scaledyn.analysis import liquid_geometry as lg
from scaledyn.analysis.species import hump2d_scheme
from scaledyn.campaign.geometry import liquid_geometry_ladder

L = 20


def lattice_without(vacancies):
    """A 20 × 20 square lattice (spacing 1, box 20) without the sites ``vacancies``."""
    sites = [(x, y) for x in range(L) for y in range(L) if (x, y) not in set(vacancies)]
    return np.array(sites, float)


ISOLATED = [(2 + 5 * i, 2 + 5 * j) for i in range(4) for j in range(4)]                    # 16 single vacancies
PAIRS = [(2 + 5 * i + dx, 2 + 5 * j) for i in range(4) for j in range(4) for dx in (0, 1)]  # 16 adjacent pairs


class Ladder:
    """A campaign-like object: ``T``, ``scheme`` and ``config(T)``, configurations given per T."""

    def __init__(self, configs):
        self.T = np.array(sorted(configs))
        self.scheme = hump2d_scheme(counts=(0, 10))
        self._configs = configs

    def config(self, T):
        pos = self._configs[float(T)]
        return {"positions": pos, "box": np.full(2, float(L)), "types": np.zeros(len(pos), np.int8)}


def test_known_answers_for_isolated_and_paired_vacancies():
    data = Ladder({0.2: lattice_without(ISOLATED), 0.4: lattice_without(PAIRS), 0.6: lattice_without([])})
    g = liquid_geometry_ladder(data, ["3"], n_perm=10, seed=5)
    assert g.T.tolist() == [0.2, 0.4, 0.6] and g.liquid == ("3",) and g.dim == 2
    assert g.n.tolist() == [384, 368, 400] and g.n_liquid.tolist() == [64, 96, 0]
    # isolated vacancies: 4 liquid neighbours each, √2 apart (beyond the 1.32 cutoff): no liquid contact
    assert g.ratio[0] == 0 and g.mean_size[0] == 1 and g.largest[0] == 1 and g.n_clusters[0] == 64
    assert g.r1[0] == pytest.approx(np.sqrt(2))
    assert g.xi[0] == pytest.approx((64 / 400) ** -0.5) and g.cluster_spacing[0] == pytest.approx((400 / 64) ** 0.5)
    assert g.spacing_over_xi[0] == pytest.approx(1.0)                  # every liquid particle its own cluster
    # adjacent pairs: 6 liquid neighbours in 4 clusters (two touching pairs, two singles) per pair
    assert g.n_clusters[1] == 64 and g.largest[1] == 2
    assert g.mean_size[1] == pytest.approx((32 * 4 + 32 * 1) / 96)     # Σ s² n_s / Σ s n_s
    assert g.spacing_over_xi[1] == pytest.approx((96 / 64) ** 0.5)     # ℓ_cl/ξ = s̄^{1/d}
    assert g.ratio[1] == pytest.approx((2 * 32 / (96 * 3)) * 367 / 95) # P_LL (N − 1)/(N_L − 1)
    r1 = (4 * 1.0 + 2 * np.sqrt(2)) / 6                                # pairs touch at 1, singles are √2 off
    assert g.r1[1] == pytest.approx(r1) and g.xi_over_r1[1] == pytest.approx((96 / 400) ** -0.5 / r1)
    # no liquid particle: NaN, counted
    assert np.isnan(g.ratio[2]) and np.isnan(g.xi[2]) and g.c_liq[2] == 0
    assert g.xi_over_r1_poisson == pytest.approx(2.0)


def test_each_point_matches_the_single_configuration_tools_with_its_own_seed():
    data = Ladder({0.3: lattice_without(PAIRS), 0.5: lattice_without(ISOLATED[:9] + PAIRS[20:])})
    g = liquid_geometry_ladder(data, ["3"], n_perm=8, seed=2)
    for k, T in enumerate(data.T):
        cfg = data.config(T)
        res = lg.liquid_geometry(cfg["positions"], cfg["box"], None, data.scheme, ["3"], n_perm=8, seed=[2, k])
        assert g.ratio[k] == res.contacts.ratio and g.z[k] == res.contacts.z
        assert g.null_mean_size[k] == res.clusters.null_mean_size and g.r1_null[k] == res.nearest.null_mean
        assert g.degree_ratio[k] == pytest.approx(res.contacts.p_ll / res.contacts.expected_degree)


def test_bad_input_is_named():
    data = Ladder({0.2: lattice_without(ISOLATED)})
    with pytest.raises(TypeError, match="liquid"):
        liquid_geometry_ladder(data, "3")
    with pytest.raises(ValueError, match="liquid"):
        liquid_geometry_ladder(data, [])
    with pytest.raises(ValueError, match="n_perm"):
        liquid_geometry_ladder(data, ["3"], n_perm=1)
    with pytest.raises(ValueError, match="liquid_labels"):
        liquid_geometry_ladder(data, ["99"])
