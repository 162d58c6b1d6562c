r"""Bond-orientational order: checks that our glass formers stay amorphous.

**2D** (the hump model): the hexatic parameter.

For particle *j* with neighbours *k* within ``rcut`` (bond angles :math:`\theta_{jk}`),

.. math:: \psi_{n,j} = \frac{1}{N_j}\sum_k e^{i n\theta_{jk}},\qquad
          \Psi_n = \Big|\frac1N\sum_j \psi_{n,j}\Big|,\qquad
          \langle|\psi_n|\rangle = \frac1N\sum_j |\psi_{n,j}|.

A hexagonal crystal has :math:`\langle|\psi_6|\rangle \to 1` (and :math:`\Psi_6\to 1` if it is a single
grain); a square crystal has :math:`\langle|\psi_4|\rangle\to 1`; a liquid has
:math:`\Psi_6 = O(N^{-1/2})` and local values well below 1 (the hump liquid at density 0.8:
:math:`\langle|\psi_6|\rangle\approx 0.55\text{–}0.6`, :math:`\langle|\psi_4|\rangle\approx
0.4\text{–}0.47` for T = 0.5–0.1).
The default ``rcut = 1.45`` lies between the hump model's two shells (:math:`r_0 \approx 1.12` and
:math:`r_\star = 1.65`), i.e. it picks the nearest-neighbour shell.

**3D** (the binary mixture): the solid-like particles of ten Wolde, Ruiz-Montero and Frenkel (J. Chem.
Phys. 104, 9932 (1996)). With neighbours *k* of *j* within ``rcut``,

.. math:: q_{lm}(j) = \frac{1}{N_j}\sum_k Y_{lm}(\hat{\mathbf r}_{jk}),\qquad
          d_{jk} = \frac{\mathrm{Re}\sum_m q_{lm}(j)\,q_{lm}^*(k)}{|q_l(j)|\,|q_l(k)|},

a bond is *solid-like* if :math:`d_{jk} > 0.7` and a particle is solid-like with at least 8 such
bonds (l = 6). Crystals (fcc, bcc, hcp) have nearly every particle solid-like even with thermal
noise; a liquid has a fraction of order 10⁻³ or less. The default ``rcut = 1.75`` covers the first
shell of all three pairs of the 8-6 mixture (σ = 1.0, 1.2, 1.4).
"""

import numpy as np

from .._checks import float_array, real_scalar
from .neighbours import periodic_pairs


def _checked(pos, box, dim: int, rcut) -> tuple[np.ndarray, np.ndarray]:
    """Positions (N >= 1, dim) and box (dim,) as finite float arrays; ValueError naming what is wrong."""
    pos = float_array(pos, "pos", ndim=2)  # N = 0 would give a NaN order parameter
    if pos.shape[1] != dim:
        raise ValueError(f"pos must have shape (N, {dim}), got {pos.shape}")
    rcut = real_scalar(rcut, "rcut", positive=True)
    box = float_array(box, "box", ndim=1)
    if box.shape != (dim,) or np.any(box <= 2 * rcut):
        raise ValueError(f"box must be {dim} lengths larger than 2*rcut, got {box.tolist()}")
    return pos, box


def bond_order_2d(pos, box, n: int = 6, rcut: float = 1.45) -> tuple[float, float, np.ndarray]:
    """Return ``(Psi_n, mean |psi_n|, per-particle psi_n)`` for 2D positions in a periodic box."""
    pos, box = _checked(pos, box, 2, rcut)
    i, j, dx = periodic_pairs(pos, box, rcut)
    z = np.exp(1j * n * np.arctan2(dx[:, 1], dx[:, 0]))
    npart = len(pos)
    acc = np.zeros(npart, complex)
    cnt = np.zeros(npart)
    # the bond seen from the other end has angle theta + pi, and e^{i n pi} = 1 for even n
    np.add.at(acc, i, z)
    np.add.at(acc, j, z * (-1) ** n)
    np.add.at(cnt, i, 1)
    np.add.at(cnt, j, 1)
    psi = np.where(cnt > 0, acc / np.maximum(cnt, 1), 0)
    return float(abs(psi.mean())), float(np.abs(psi).mean()), psi


def hexatic_order(pos, box, rcut: float = 1.45) -> tuple[float, float]:
    """``(Psi_6, mean |psi_6|)`` of a 2D configuration (see module docstring)."""
    glob, local, _ = bond_order_2d(pos, box, 6, rcut)
    return glob, local


def solid_fraction_3d(pos, box, rcut: float = 1.75, l: int = 6, threshold: float = 0.7,
                      min_bonds: int = 8) -> tuple[float, np.ndarray]:
    """``(fraction of solid-like particles, per-particle count of solid-like bonds)`` in 3D (module
    docstring); ``pos`` (N, 3) may be unwrapped, ``box`` (3,) in σ."""
    from scipy.special import sph_harm_y

    pos, box = _checked(pos, box, 3, rcut)
    if l < 1 or l % 2 or not 0 < threshold < 1 or min_bonds < 1:
        raise ValueError(f"need an even l >= 2, 0 < threshold < 1 and min_bonds >= 1, "
                         f"got l={l}, threshold={threshold}, min_bonds={min_bonds}")
    i, j, dx = periodic_pairs(pos, box, rcut)
    r = np.linalg.norm(dx, axis=1)
    theta, phi = np.arccos(np.clip(dx[:, 2] / r, -1.0, 1.0)), np.arctan2(dx[:, 1], dx[:, 0])
    ylm = np.stack([sph_harm_y(l, m, theta, phi) for m in range(-l, l + 1)], axis=1)
    n = len(pos)
    q = np.zeros((n, 2 * l + 1), complex)
    # the bond seen from the other end is -dx, and Y_lm(-r) = (-1)^l Y_lm(r) = Y_lm(r) for even l
    np.add.at(q, i, ylm)
    np.add.at(q, j, ylm)
    norm = np.linalg.norm(q, axis=1)  # the 1/N_j of q_lm cancels in d_jk
    qn = q / np.where(norm > 0, norm, 1.0)[:, None]
    solid_bond = np.real(np.sum(qn[i] * np.conj(qn[j]), axis=1)) > threshold
    bonds = np.zeros(n, np.int64)
    np.add.at(bonds, i[solid_bond], 1)
    np.add.at(bonds, j[solid_bond], 1)
    return float(np.mean(bonds >= min_bonds)), bonds
