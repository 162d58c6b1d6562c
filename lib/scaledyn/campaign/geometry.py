r"""Is ξ a length? The geometry of the liquid particles at every state point of a campaign.

ξ = (ρ C_liq)^{−1/d} (Eqs. 11, 13 of arXiv:0905.3962) is the spacing the liquid particles would have
if they were placed at random. :func:`liquid_geometry_ladder` measures, on the configuration stored
with each state point (``config.npz``: the last sampled snapshot), how they are placed
(:mod:`scaledyn.analysis.liquid_geometry`): the liquid–liquid contact ratio R against shuffled labels
(R = 1: random; R > 1: liquid particles touch each other more often, they cluster), the liquid
clusters against the same null, and the mean distance r̄₁ to the nearest other liquid particle beside
ξ. It adds the **spacing of the liquid clusters**,

.. math:: \ell_\mathrm{cl} = (V/n_\mathrm{cl})^{1/d} = \xi\,\bar s^{1/d},\qquad
          \bar s = N_L/n_\mathrm{cl},

the length ξ would be if each cluster (not each particle) were one relaxing unit: when liquid
particles cluster, ℓ_cl > ξ and ξ measures the liquid *concentration* rather than a distance between
independent places. Lengths in σ; one snapshot per temperature, so the numbers carry the scatter of
one configuration (the permutation nulls give its size for random placement).
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np
from scipy.special import gamma

from .._checks import int_scalar
from ..analysis import liquid_geometry as lg

__all__ = ["GeometryLadder", "liquid_geometry_ladder"]


@dataclass(frozen=True)
class GeometryLadder:
    """One entry per state point (ascending ``T``) for the liquid set ``liquid`` (labels): particles
    ``n`` and liquid particles ``n_liquid``; contacts: ``ratio`` R, the null's ``ratio_null_std``,
    ``z``, ``degree_ratio`` (P_LL over the degree-preserving expectation); clusters: size-weighted
    mean ``mean_size`` S and ``largest`` with the null's ``null_mean_size`` (± ``null_mean_size_std``)
    and ``null_largest``, their number ``n_clusters`` and spacing ``cluster_spacing`` ℓ_cl (σ);
    spacing: ``r1`` (± ``r1_err``), the shuffled-label null ``r1_null`` (± ``r1_null_std``) and ``xi``
    (σ) of the snapshot. Points with fewer than two liquid particles are NaN."""

    T: np.ndarray
    liquid: tuple
    dim: int
    n: np.ndarray
    n_liquid: np.ndarray
    ratio: np.ndarray
    ratio_null_std: np.ndarray
    z: np.ndarray
    degree_ratio: np.ndarray
    mean_size: np.ndarray
    null_mean_size: np.ndarray
    null_mean_size_std: np.ndarray
    largest: np.ndarray
    null_largest: np.ndarray
    n_clusters: np.ndarray
    cluster_spacing: np.ndarray
    r1: np.ndarray
    r1_err: np.ndarray
    r1_null: np.ndarray
    r1_null_std: np.ndarray
    xi: np.ndarray

    @property
    def c_liq(self) -> np.ndarray:
        """N_L/N of each snapshot."""
        return self.n_liquid / self.n

    @property
    def xi_over_r1(self) -> np.ndarray:
        """ξ/r̄₁: Γ(1+1/d)⁻¹V_d^{1/d} for Poisson points (2 in 2D, 1.805 in 3D); larger when liquid
        particles sit closer to each other than at random."""
        return self.xi / self.r1

    @property
    def xi_over_r1_poisson(self) -> float:
        """ξ/r̄₁ of liquid particles placed at random (Poisson points): V_d^{1/d}/Γ(1 + 1/d)."""
        return float(lg.unit_ball_volume(self.dim) ** (1.0 / self.dim) / gamma(1.0 + 1.0 / self.dim))

    @property
    def r1_null_over_r1(self) -> np.ndarray:
        """r̄₁ of shuffled labels over the real r̄₁ (1: random choice of liquid particles)."""
        return self.r1_null / self.r1

    @property
    def spacing_over_xi(self) -> np.ndarray:
        """ℓ_cl/ξ = s̄^{1/d}: how much farther apart the liquid clusters are than ξ says."""
        return self.cluster_spacing / self.xi


def _point(cfg, scheme, liquid, n_perm, seed) -> dict:
    pos, box, types = cfg["positions"], cfg["box"], np.asarray(cfg["types"], np.int64)
    mask = lg.liquid_mask(pos, box, types, scheme, liquid)
    out = {"n": mask.size, "n_liquid": int(mask.sum())}
    if out["n_liquid"] < 2:
        return out
    c = lg.contact_statistics(pos, box, mask, scheme.cutoff, types, n_perm, seed)
    cl = lg.clusters(pos, box, mask, scheme.cutoff, types, n_perm, seed)
    nl = lg.nearest_liquid_distance(pos, box, mask, n_perm, seed)
    dim = pos.shape[1]
    out.update(ratio=c.ratio, ratio_null_std=c.null_std, z=c.z, degree_ratio=c.p_ll / c.expected_degree,
               mean_size=cl.mean_size, null_mean_size=cl.null_mean_size, null_mean_size_std=cl.null_mean_size_std,
               largest=cl.largest, null_largest=cl.null_largest, n_clusters=cl.sizes.size,
               cluster_spacing=(float(np.prod(box)) / cl.sizes.size) ** (1.0 / dim),
               r1=nl.mean, r1_err=nl.err, r1_null=nl.null_mean, r1_null_std=nl.null_std, xi=nl.xi)
    return out


def liquid_geometry_ladder(data, liquid, n_perm: int = 20, seed: int = 0) -> GeometryLadder:
    """The liquid geometry of the stored configuration of every state point of ``data`` (a
    :class:`~scaledyn.campaign.data.CampaignData`, or any object with ``T``, ``scheme`` and
    ``config(T)`` returning ``positions``, ``box`` and ``types``), for the liquid species ``liquid``
    (labels of ``data.scheme``), with ``n_perm`` ≥ 2 label shuffles per null; state point k uses the
    seed (``seed``, k). Contacts within the scheme's neighbour cutoff."""
    if isinstance(liquid, str):
        raise TypeError("liquid must be a sequence of species labels, not one string")
    liquid = tuple(liquid)
    if not liquid:
        raise ValueError("liquid must name at least one species")
    n_perm = int_scalar(n_perm, "n_perm", minimum=2)
    seed = int_scalar(seed, "seed", minimum=0)
    scheme = data.scheme
    rows = [_point(data.config(T), scheme, liquid, n_perm, [seed, k]) for k, T in enumerate(data.T)]
    names = [f.name for f in fields(GeometryLadder) if f.name not in ("T", "liquid", "dim")]
    cols = {name: np.array([r.get(name, np.nan) for r in rows], dtype=float) for name in names}
    for name in ("n", "n_liquid"):
        cols[name] = cols[name].astype(np.int64)
    return GeometryLadder(T=np.asarray(data.T, float).copy(), liquid=liquid, dim=scheme.dim, **cols)
