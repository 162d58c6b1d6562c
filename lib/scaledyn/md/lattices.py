r"""Ideal lattices in a periodic box: known-answer configurations for the neighbour counts, the
quasi-species and the liquid geometry, and starting points for a run.

Lengths in σ. Each function returns ``(positions, box)``: positions (N, d) inside the box, box (d,)
the side lengths of a periodic box that the lattice tiles exactly, so every site has the same
surroundings under the minimum-image convention.

* :func:`triangular_lattice` (2D): spacing ``a``, rows offset by a/2, row distance
  :math:`a\sqrt3/2`; 6 neighbours at ``a``, 6 more at :math:`a\sqrt3`, 6 at ``2a``.
* :func:`fcc_lattice` (3D): nearest-neighbour distance ``nn``, cubic cell :math:`a=\sqrt2\,nn` with
  four sites; 12 neighbours at ``nn``, 6 at :math:`\sqrt2\,nn`.
"""

from __future__ import annotations

import numpy as np

from .._checks import int_scalar, real_scalar

__all__ = ["triangular_lattice", "fcc_lattice"]

#: The four sites of the cubic fcc cell, in units of the cell side.
FCC_BASIS = np.array([[0.0, 0.0, 0.0], [0.5, 0.5, 0.0], [0.5, 0.0, 0.5], [0.0, 0.5, 0.5]])


def triangular_lattice(a: float, nx: int, ny: int) -> tuple[np.ndarray, np.ndarray]:
    r"""``nx`` × ``ny`` sites of a triangular lattice of spacing ``a`` (σ) and its box
    :math:`(n_x a,\ n_y a\sqrt3/2)`; ``ny`` must be even so that the offset rows tile the box."""
    a = real_scalar(a, "a", positive=True)
    nx = int_scalar(nx, "nx", minimum=1)
    ny = int_scalar(ny, "ny", minimum=2)
    if ny % 2:
        raise ValueError(f"ny must be even (offset rows alternate), got {ny}")
    i, j = np.meshgrid(np.arange(nx), np.arange(ny), indexing="xy")
    pos = np.column_stack([(i + 0.5 * (j % 2)).ravel() * a, j.ravel() * a * np.sqrt(3.0) / 2])
    return pos, np.array([nx * a, ny * a * np.sqrt(3.0) / 2])


def fcc_lattice(nn: float, cells: int) -> tuple[np.ndarray, np.ndarray]:
    r"""Face-centred cubic lattice of ``cells``³ cubic cells (4 sites each) with nearest-neighbour
    distance ``nn`` (σ), and its cubic box of side :math:`\text{cells}\cdot\sqrt2\,nn`."""
    nn = real_scalar(nn, "nn", positive=True)
    cells = int_scalar(cells, "cells", minimum=1)
    side = np.sqrt(2.0) * nn
    grid = np.stack(np.meshgrid(*[np.arange(cells)] * 3, indexing="ij"), -1).reshape(-1, 1, 3)
    pos = ((grid + FCC_BASIS) * side).reshape(-1, 3)
    return pos, np.full(3, cells * side)
