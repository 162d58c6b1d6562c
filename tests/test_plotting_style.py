"""The house style draws opaque figures: readable on the dark theme, whatever the backend's default."""

import io

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from PIL import Image  # noqa: E402

from scaledyn import plotting  # noqa: E402


def test_figures_are_opaque_even_after_the_inline_backends_transparent_default():
    # What matplotlib-inline sets when a Jupyter kernel imports pyplot.
    with plt.rc_context({"figure.facecolor": (1, 1, 1, 0), "figure.edgecolor": (1, 1, 1, 0)}):
        fig, ax = plotting.figure()
        ax.plot([0, 1], [0, 1])
        buf = io.BytesIO()
        # IPython's inline display saves with the figure's own face colour.
        fig.savefig(buf, format="png", facecolor=fig.get_facecolor())
        plt.close(fig)
    alpha = np.asarray(Image.open(io.BytesIO(buf.getvalue())).convert("RGBA"))[..., 3]
    assert alpha.min() == 255, "transparent pixels: black axes would vanish on the dark theme"
