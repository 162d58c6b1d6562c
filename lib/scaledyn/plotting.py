"""One house style for every figure of the book.

Call :func:`use_style` once per chapter. Figures are sized for the book's text column (about
7 inches wide at 100 dpi in the HTML theme) with fonts large enough to read on a laptop screen, and
drawn on an opaque white background so that they stay readable in the theme's dark mode.
"""

from __future__ import annotations

import matplotlib as mpl
import matplotlib.pyplot as plt

#: Colour cycle: colour-blind-safe (Okabe–Ito), so curves stay distinguishable for every reader.
PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#F0E442", "#000000")

_STYLE = {
    "figure.figsize": (6.4, 4.0),
    "figure.dpi": 110,
    "savefig.dpi": 150,
    "figure.constrained_layout.use": True,
    "font.size": 11,
    "axes.labelsize": 12,
    "axes.titlesize": 12,
    "legend.fontsize": 10,
    "legend.frameon": False,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "lines.linewidth": 1.8,
    "axes.prop_cycle": mpl.cycler(color=PALETTE),
    "image.cmap": "viridis",
    "mathtext.fontset": "cm",
    # Opaque white figures: Jupyter's inline backend defaults to a transparent figure background, and
    # black axes on a transparent PNG vanish in the book's dark mode.
    "figure.facecolor": "white",
    "savefig.facecolor": "white",
    "savefig.transparent": False,
}


def use_style() -> None:
    """Apply the book's matplotlib style (idempotent) and use the non-interactive inline backend."""
    mpl.rcParams.update(_STYLE)


def figure(ncols: int = 1, nrows: int = 1, width: float | None = None, height: float | None = None, **kwargs):
    """Create a figure with ``nrows × ncols`` axes sized for the book column.

    ``width``/``height`` are in inches; by default 6.4 in wide (up to 9.6 in for three columns) and
    3.6 in per row. Returns ``(fig, axes)`` like :func:`matplotlib.pyplot.subplots`.
    """
    if not (isinstance(ncols, int) and isinstance(nrows, int)) or ncols < 1 or nrows < 1:
        raise ValueError(f"ncols and nrows must be positive integers, got ncols={ncols!r}, nrows={nrows!r}")
    use_style()
    if width is None:
        width = min(3.4 * ncols + 0.6, 9.6) if ncols > 1 else 6.4
    if height is None:
        height = 3.6 * nrows if nrows > 1 or ncols > 1 else 4.0
    return plt.subplots(nrows, ncols, figsize=(width, height), **kwargs)


def panel_labels(axes, labels: str = "abcdefghij") -> None:
    """Write (a), (b), … in the top-left corner of each axis, as the seeds label their panels."""
    for ax, label in zip(list(getattr(axes, "flat", axes)), labels):
        ax.text(0.02, 0.97, f"({label})", transform=ax.transAxes, va="top", ha="left", fontweight="bold")
