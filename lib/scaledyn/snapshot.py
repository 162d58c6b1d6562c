r"""A look at the particles: a configuration of an MD run as a self-contained HTML animation.

:func:`snapshot_animation` draws the particles of one configuration (positions wrapped into the
periodic box, coloured by species) with Matplotlib and returns Matplotlib's JavaScript animation
(:meth:`matplotlib.animation.Animation.to_jshtml`): the frames are embedded as base64 images and the
player (play, step, speed, loop) is inline JavaScript. It works in the static HTML book and in the PDF's
source page without a kernel and loads nothing from another host. A 3D configuration turns once around
the vertical axis over the frames; a 2D one is a single frame.

In a chapter (configurations are stored as ``data/md/<model>/T<T>/config.npz``)::

    cfg = np.load("data/md/binary3d/T0.5000/config.npz")
    HTML(snapshot.snapshot_animation(cfg["positions"], cfg["box"], cfg["types"]))

Units are the simulation's (σ for lengths); only the picture depends on them.
"""

from __future__ import annotations

import re

import numpy as np

from . import plotting
from ._checks import float_array, int_array, int_scalar, real_scalar


def wrap(positions: np.ndarray, box: np.ndarray) -> np.ndarray:
    r"""Positions folded into the periodic box :math:`[0, L_a)` in every direction a: :math:`x - L\lfloor x/L\rfloor`."""
    return positions - box * np.floor(positions / box)


def _validate(positions, box, types):
    pos = float_array(positions, "positions", ndim=2)
    if pos.shape[1] not in (2, 3):
        raise ValueError(f"positions must have shape (N, 2) or (N, 3), got {pos.shape}")
    edges = float_array(box, "box", ndim=1, positive=True).copy()  # never alias the caller's array
    if edges.shape != (pos.shape[1],):
        raise ValueError(f"box must hold one edge length per dimension ({pos.shape[1]}), got shape {edges.shape}")
    kinds = np.zeros(len(pos), dtype=np.int64) if types is None else int_array(types, "types")
    if kinds.shape != (len(pos),):
        raise ValueError(f"types must have one entry per particle ({len(pos)}), got shape {kinds.shape}")
    if kinds.min() < 0:
        raise ValueError("types must be >= 0")
    return pos, edges, kinds


def snapshot_animation(positions, box, types=None, *, frames: int = 24, size: float = 4.8, dpi: int = 72,
                       interval_ms: int = 120, elevation: float = 20.0) -> str:
    """HTML of one particle configuration: a turning 3D view (``frames`` images), or a 2D picture.

    Parameters
    ----------
    positions : array (N, 2) or (N, 3), finite
        Particle positions in σ; folded into the box (periodic images show the same picture).
    box : array (d,), > 0
        Edge lengths of the orthorhombic periodic box, σ.
    types : int array (N,), >= 0, optional
        Species index of each particle (colours: the book's palette in order).
    frames : int >= 1
        Number of views around the vertical axis (3D); a 2D snapshot has one frame whatever ``frames``.
    size, dpi : figure width/height in inches and its resolution; ``size * dpi`` pixels per frame.
    interval_ms : int >= 10
        Time between frames when playing.
    elevation : float
        Viewing elevation of the 3D camera, degrees.

    Returns
    -------
    str
        A self-contained HTML fragment (inline script, JPEG frames as data URLs); show it with
        ``IPython.display.HTML``.
    """
    import matplotlib.pyplot as plt
    from matplotlib import animation, rc_context

    pos, edges, kinds = _validate(positions, box, types)
    frames = int_scalar(frames, "frames")
    size = real_scalar(size, "size", positive=True)
    dpi = int_scalar(dpi, "dpi", minimum=20)
    interval_ms = int_scalar(interval_ms, "interval_ms", minimum=10)
    elevation = real_scalar(elevation, "elevation")
    pos = wrap(pos, edges)
    dim = pos.shape[1]
    colours = np.asarray(plotting.PALETTE)[kinds % len(plotting.PALETTE)]
    # Marker area ~ the area a particle takes on screen: (pixels per σ)² for unit-diameter particles,
    # smaller in 3D where particles overlap in projection.
    points_per_sigma = size * 72.0 / float(edges.max())
    area = (0.9 if dim == 2 else 0.45) * points_per_sigma**2

    with rc_context({"animation.frame_format": "jpeg", "animation.embed_limit": 50.0}):
        plotting.use_style()
        # Frames saved at this resolution (JPEG: ~10x smaller than PNG); a fixed full-figure layout, so
        # every frame (and every call) frames the box identically.
        plt.rcParams.update({"savefig.dpi": dpi, "figure.constrained_layout.use": False, "savefig.bbox": None})
        fig = plt.figure(figsize=(size, size), dpi=dpi)
        fig.subplots_adjust(left=0, right=1, bottom=0, top=1)
        if dim == 3:
            ax = fig.add_subplot(projection="3d")
            ax.scatter(*pos.T, c=colours, s=area, depthshade=True, linewidths=0)
            ax.set(xlim=(0, edges[0]), ylim=(0, edges[1]), zlim=(0, edges[2]))
            ax.set_box_aspect(tuple(edges))  # a tuple: Matplotlib normalises an array argument in place
            ax.set_axis_off()
            n = frames
        else:
            ax = fig.add_subplot()
            ax.scatter(*pos.T, c=colours, s=area, linewidths=0)
            ax.set(xlim=(0, edges[0]), ylim=(0, edges[1]), aspect="equal", xticks=[], yticks=[])
            n = 1

        def view(i):
            if dim == 3:
                ax.view_init(elev=elevation, azim=-60.0 + 360.0 * i / n)
            return []

        anim = animation.FuncAnimation(fig, view, frames=n, interval=interval_ms, blit=False)
        try:
            return offline_player(anim.to_jshtml(default_mode="loop"))
        finally:
            plt.close(fig)


#: Text for the player's Font Awesome icons (Matplotlib links their stylesheet from a CDN).
_ICONS = {"minus": "\u2212", "fast-backward": "|\u25c0\u25c0", "step-backward": "|\u25c0",
          "play fa-flip-horizontal": "\u25c0", "pause": "\u275a\u275a", "play": "\u25b6",
          "step-forward": "\u25b6|", "fast-forward": "\u25b6\u25b6|", "plus": "+"}
_ICON = re.compile(r'<i class="fa fa-([a-z -]+?)"></i>')
_REMOTE_CSS = re.compile(r'<link rel="stylesheet"\s+href="https?://[^"]*"\s*/?>')


def offline_player(html: str) -> str:
    """Matplotlib's animation player without its one remote resource: the Font Awesome stylesheet
    link is removed and the button icons become text (the book loads nothing from another host)."""
    html = _REMOTE_CSS.sub("", html)
    return _ICON.sub(lambda m: _ICONS.get(m.group(1), m.group(1)), html)
