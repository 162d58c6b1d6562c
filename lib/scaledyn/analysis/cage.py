r"""Cage-relative displacements: single-particle motion measured against the particle's own cage.

In two dimensions long-wavelength (Mermin–Wagner) fluctuations move whole regions of the liquid
together; they make the standard mean-squared displacement and F_s(k,t) decay although no particle
leaves its cage, and they grow with the system size. The cage-relative displacement removes them
(Mazoyer, Ebert, Maret & Keim 2009; Illing et al. 2017; Vivek, Kelleher, Chaikin & Weeks 2017):

.. math::

    \Delta\mathbf r_i^\mathrm{CR}(t_0, t) = \Delta\mathbf r_i - \frac{1}{N_i}\sum_{j\in\mathcal N_i(t_0)}
    \Delta\mathbf r_j, \qquad \Delta\mathbf r_j = \mathbf r_j(t_0+t) - \mathbf r_j(t_0),

where :math:`\mathcal N_i(t_0)` are the :math:`N_i` particles whose minimum-image distance to i at
the **origin** :math:`t_0` is below ``cutoff`` (σ). A displacement field that is uniform over a cage
(a drift, or a long-wavelength mode) cancels exactly; relative motion of the particle and its cage
remains. A particle without neighbours at the origin keeps its plain displacement. Valid in any
dimension (2 or 3). Cutoff: the first minimum of g(r) is the usual choice; for the hump model the
hump position 1.32 σ (:data:`.species.HUMP_CUTOFF`, where the pair density is lowest).

:class:`Cage` plugs into :func:`.isf.self_isf` and :func:`.diffusion.mean_squared_displacement`
(``cage=``), so the cage-relative F_s and MSD share every other step with the standard ones.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.sparse import csr_matrix

from .._checks import dimension, float_array, real_scalar
from .neighbours import periodic_pairs

__all__ = ["Cage", "cage_average", "cage_relative_displacements"]


def cage_average(origin, box, cutoff: float) -> csr_matrix:
    r"""The cage-averaging matrix :math:`M` (N × N, sparse) at the configuration ``origin``:
    :math:`M_{ij} = 1/N_i` for the :math:`N_i` neighbours j of i (minimum-image distance < ``cutoff``),
    0 otherwise (a row of zeros for a particle without neighbours), so that :math:`(M\mathbf x)_i` is
    the mean of :math:`\mathbf x` over the cage of i.

    ``origin`` (N, d) positions in σ (unwrapped allowed), ``box`` (d,) orthorhombic side lengths in σ,
    ``cutoff`` in σ, at most half the smallest box side.
    """
    origin = float_array(origin, "origin", ndim=2)
    dim = dimension(origin.shape[1], "origin.shape[1]")
    box = float_array(box, "box", ndim=1, positive=True)
    if box.size != dim:
        raise ValueError(f"box must have {dim} side lengths, got {box.size}")
    cutoff = real_scalar(cutoff, "cutoff", positive=True)
    if cutoff > 0.5 * box.min():
        raise ValueError(f"cutoff {cutoff:.4g} exceeds half the smallest box side {0.5 * box.min():.4g} "
                         "(minimum image would be ambiguous)")
    n = origin.shape[0]
    i, j, _ = periodic_pairs(origin, box, cutoff)
    rows, cols = np.concatenate([i, j]), np.concatenate([j, i])
    n_nb = np.bincount(rows, minlength=n)
    return csr_matrix((1.0 / n_nb[rows], (rows, cols)), shape=(n, n))


def cage_relative_displacements(origin, later, box, cutoff: float) -> np.ndarray:
    r"""Cage-relative displacements :math:`\Delta\mathbf r_i^\mathrm{CR}` (N, d) in σ from the
    **unwrapped** positions ``origin`` and ``later`` (N, d) of the same particles; cages are the
    neighbours within ``cutoff`` (σ) at ``origin`` in the periodic ``box`` (see :func:`cage_average`)."""
    later = float_array(later, "later", ndim=2)
    M = cage_average(origin, box, cutoff)
    if later.shape != (M.shape[0], len(box)):
        raise ValueError(f"later must have the shape of origin {(M.shape[0], len(box))}, got {later.shape}")
    disp = later - np.asarray(origin, float)
    return disp - M @ disp


@dataclass(frozen=True)
class Cage:
    """The cage definition passed as ``cage=`` to :func:`.isf.self_isf` and
    :func:`.diffusion.mean_squared_displacement`: neighbours within ``cutoff`` (σ) at each time origin
    in the orthorhombic ``box`` (d,) in σ. One box for the whole trajectory: fixed-volume runs."""

    box: tuple
    cutoff: float

    def __post_init__(self):
        box = float_array(self.box, "box", ndim=1, positive=True)
        dimension(box.size, "len(box)")
        cutoff = real_scalar(self.cutoff, "cutoff", positive=True)
        if cutoff > 0.5 * box.min():
            raise ValueError(f"cutoff {cutoff:.4g} exceeds half the smallest box side {0.5 * box.min():.4g}")
        object.__setattr__(self, "box", tuple(box.tolist()))
        object.__setattr__(self, "cutoff", cutoff)

    def relative_positions(self, frames, origin, select) -> np.ndarray:
        r"""Positions of the particles ``select`` relative to their cages at ``origin``,
        :math:`\mathbf x_i - (M\mathbf x)_i` for each of ``frames`` (F, N, d) → (F, n_sel, d): their
        differences between two frames are the cage-relative displacements."""
        M = cage_average(origin, np.array(self.box), self.cutoff)[select]
        n_frames, n, dim = frames.shape
        flat = np.ascontiguousarray(frames.transpose(1, 0, 2)).reshape(n, n_frames * dim)
        mean = (M @ flat).reshape(len(select), n_frames, dim).transpose(1, 0, 2)
        return np.ascontiguousarray(frames[:, select] - mean)

