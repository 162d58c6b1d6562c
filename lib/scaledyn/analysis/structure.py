r"""Static structure factor S(k) of a periodic configuration.

.. math:: S(\mathbf k) = \frac{1}{N}\Big|\sum_{j=1}^{N} e^{i\mathbf k\cdot\mathbf r_j}\Big|^2,
          \qquad \mathbf k = \frac{2\pi}{L}\,\mathbf n,\ \mathbf n\in\mathbb Z^d\setminus\{0\},

averaged over the allowed wave vectors in shells of |k| (only these vectors are compatible with the
periodic box). Its first peak k* marks the dominant inter-particle spacing; the self-intermediate
scattering function is conventionally measured near it. Units: k in σ⁻¹ for positions in σ.
"""

from __future__ import annotations

import numpy as np

from .._checks import float_array, real_scalar

__all__ = ["structure_factor", "first_peak"]


def _lattice_vectors(box: np.ndarray, k_max: float) -> np.ndarray:
    """All k = 2π n / L with 0 < |k| ≤ k_max, one of each ±k pair (S(k) = S(−k))."""
    n_max = np.floor(k_max * box / (2 * np.pi)).astype(int)
    grids = np.meshgrid(*[np.arange(-m, m + 1) for m in n_max], indexing="ij")
    n = np.stack([g.ravel() for g in grids], axis=1)
    k = n * (2 * np.pi / box)
    kk = np.linalg.norm(k, axis=1)
    first_nonzero = n[np.arange(len(n)), np.argmax(n != 0, axis=1)]   # 0 only for n = 0
    keep = (kk > 0) & (kk <= k_max) & (first_nonzero > 0)
    return k[keep]


def structure_factor(positions, box, *, k_max: float = 12.0, dk: float | None = None, select=None,
                     max_per_shell: int = 96, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """S(k) averaged in shells of width ``dk`` (default 2π/L_min, the lattice spacing) up to ``k_max``.

    ``positions`` (N, d) in σ, ``box`` (d,) in σ, ``select`` an optional boolean mask of the particles
    to include (e.g. one species). At most ``max_per_shell`` wave vectors per shell, drawn at random
    with ``seed`` (the low-k shells hold fewer and use all). Returns ``(k, S)``: shell-mean |k| and
    S for the non-empty shells.
    """
    pos = float_array(positions, "positions", ndim=2)
    box = float_array(box, "box", ndim=1, positive=True)
    if box.size != pos.shape[1]:
        raise ValueError(f"box must have {pos.shape[1]} entries for {pos.shape[1]}-D positions, got {box.size}")
    k_max = real_scalar(k_max, "k_max", positive=True)
    dk = 2 * np.pi / box.min() if dk is None else real_scalar(dk, "dk", positive=True)
    if select is not None:
        mask = np.asarray(select)
        if mask.dtype != bool or mask.shape != (pos.shape[0],):
            raise ValueError(f"select must be a boolean mask of shape ({pos.shape[0]},)")
        pos = pos[mask]
    if pos.shape[0] == 0:
        raise ValueError("no particles selected")
    kvec = _lattice_vectors(box, k_max)
    if kvec.size == 0:
        raise ValueError(f"k_max = {k_max} is below the smallest wave vector 2π/L = {2 * np.pi / box.max():.3g}")
    kk = np.linalg.norm(kvec, axis=1)
    shell = np.floor(kk / dk).astype(int)
    rng = np.random.default_rng(seed)
    chosen = []
    for s in np.unique(shell):
        idx = np.flatnonzero(shell == s)
        chosen.append(idx if idx.size <= max_per_shell else rng.choice(idx, max_per_shell, replace=False))
    idx = np.concatenate(chosen)
    kvec, kk, shell = kvec[idx], kk[idx], shell[idx]
    s_of_k = np.empty(idx.size)
    for lo in range(0, idx.size, 256):  # chunks keep the N × chunk phase matrix small
        phase = pos @ kvec[lo:lo + 256].T
        s_of_k[lo:lo + 256] = (np.cos(phase).sum(0) ** 2 + np.sin(phase).sum(0) ** 2) / pos.shape[0]
    shells = np.unique(shell)
    k_mean = np.array([kk[shell == s].mean() for s in shells])
    S = np.array([s_of_k[shell == s].mean() for s in shells])
    return k_mean, S


def first_peak(k, S, k_min: float = 2.0) -> tuple[float, float]:
    """Position and height of the highest maximum of S(k) above ``k_min`` (parabolic refinement over
    the three points around the largest sample)."""
    k = float_array(k, "k", ndim=1)
    S = float_array(S, "S", ndim=1)
    if k.size != S.size:
        raise ValueError(f"k and S must have the same length, got {k.size} and {S.size}")
    ok = np.flatnonzero(k >= k_min)
    if ok.size < 3:
        raise ValueError(f"need at least 3 points above k_min = {k_min}")
    i = ok[np.argmax(S[ok])]
    if i in (ok[0], ok[-1]):
        return float(k[i]), float(S[i])
    (k0, k1, k2), (s0, s1, s2) = k[i - 1:i + 2], S[i - 1:i + 2]
    a = np.polyfit([k0, k1, k2], [s0, s1, s2], 2)
    if a[0] >= 0:
        return float(k1), float(s1)
    kp = -a[1] / (2 * a[0])
    return float(kp), float(np.polyval(a, kp))
