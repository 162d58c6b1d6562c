"""The teaching explorers: figures drawn from the package's physics, sliders wired to them."""

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

from scaledyn import explore, phi4  # noqa: E402
from scaledyn.analysis import free_energy  # noqa: E402


def test_phi4_figure_marks_the_wilson_fisher_point():
    fig = explore.phi4_figure(eps=0.5, N=1)
    ax_flow, ax_beta = fig.axes
    gstar = 0.5 / phi4.beta_coefficients(1)[0]
    # every flow approaches g/g* = 1 deep in the infrared
    assert all(abs(line.get_ydata()[-1] - 1.0) < 1e-3 for line in ax_flow.lines[:5])
    # ... and the infrared is on the left, as in chapter 2's main flow figure (x = tau, not -tau)
    assert all(line.get_xdata()[-1] < line.get_xdata()[0] for line in ax_flow.lines[:5])
    x, y = ax_beta.lines[-1].get_data()
    assert x[0] == pytest.approx(gstar) and y[0] == 0.0


def test_vft_figure_curve_reaches_100_s_at_tg():
    fig = explore.vft_figure(Tg=190.0, m=53.0)
    curve = fig.axes[0].lines[2]
    x, y = curve.get_data()
    assert x[-1] == pytest.approx(1.0) and y[-1] == pytest.approx(2.0, abs=1e-9)
    slope = (y[-1] - y[-2]) / (x[-1] - x[-2])
    assert slope == pytest.approx(53.0, rel=2e-2)  # the steepness index at Tg is m


def test_species_figure_bars_are_the_model_concentrations():
    table = free_energy.paper_hump_table()
    fig = explore.species_figure(T=0.3)
    heights = np.array([b.get_height() for b in fig.axes[0].patches])
    w = table["g"] * np.exp(-table["H"] / 0.3)
    assert np.allclose(heights, w / w.sum())
    assert heights.sum() == pytest.approx(1.0)


@pytest.mark.parametrize("call, match", [
    (lambda: explore.phi4_figure(eps=-1.0), "eps"),
    (lambda: explore.vft_figure(Tg=190.0, m=10.0), "m must exceed"),
    (lambda: explore.vft_figure(Tg=float("nan")), "Tg"),
    (lambda: explore.species_figure(T=0.0), "T"),
    (lambda: explore.species_figure(T=0.3, H=[0.0, 1.0]), "both H and g"),
])
def test_bad_input_is_rejected(call, match):
    with pytest.raises((ValueError, TypeError), match=match):
        call()


@pytest.mark.parametrize("make, names", [
    (explore.phi4_explorer, {"eps", "N"}),
    (explore.vft_explorer, {"Tg", "m"}),
    (explore.species_explorer, {"T"}),
])
def test_explorers_expose_their_sliders(make, names):
    w = make()
    sliders = {c._kwarg for c in w.children if hasattr(c, "_kwarg")}
    assert sliders == names
    for c in w.children:  # moving a slider re-draws without error
        if hasattr(c, "_kwarg"):
            c.value = c.max
    assert w.result is None
