r"""Interactive explorers for teaching: sliders over the parameters a class wants to vary live.

Each explorer is a pure drawing function (``*_figure``), used for the static figure of the HTML book
and tested like any other code, plus a thin ``*_explorer`` wrapper that binds it to ipywidgets
sliders in Jupyter or Binder:

* :func:`phi4_explorer` — ε in the one-loop φ⁴ flow :math:`\mathrm dg/\mathrm d\tau=-\varepsilon g+Ag^2`
  and the one- and two-loop β-functions;
* :func:`vft_explorer` — the glass temperature :math:`T_g` and fragility :math:`m` of a VFT liquid
  on an Angell plot, with the implied strength :math:`D` and :math:`T_0`;
* :func:`species_explorer` — the temperature of the quasi-species model
  :math:`C_i(T)\propto g_i e^{-H_i/T}` (the paper's Table II for the hump model).

The explorers need ``ipywidgets`` (installed with the book); the drawing functions need only
matplotlib. In the built HTML the widget cells hide their output (no live kernel there) and the
chapter shows the drawing function's figure at representative values instead.
"""

from __future__ import annotations

import numpy as np

from . import phi4, plotting, vft
from ._checks import real_scalar


def _axes(ax, ncols: int = 1):
    if ax is not None:
        return ax.figure, ax
    fig, axes = plotting.figure(ncols=ncols, height=3.4)
    return fig, axes


# --------------------------------------------------------------------------------------------------
# φ⁴ flow
# --------------------------------------------------------------------------------------------------
def phi4_figure(eps: float = 1.0, N: int = 1, ax=None):
    r"""Flows :math:`g(\tau)` on both sides of the Wilson–Fisher point and β(g) at one and two loops.

    ``eps`` = ε = 4 − d (> 0 so that the Wilson–Fisher point is at positive coupling); ``N`` the O(N)
    index. Normalisation of :mod:`scaledyn.phi4` (:math:`A = (N+8)/3`). Returns the figure.
    """
    eps = real_scalar(eps, "eps", positive=True)
    A = float(phi4.beta_coefficients(N)[0])
    gstar = eps / A
    fig, (ax_flow, ax_beta) = _axes(ax, ncols=2)
    tau = np.linspace(0.0, -12.0 / eps, 300)  # towards the infrared, where g approaches g*
    for g0 in gstar * np.array([0.1, 0.4, 0.8, 1.2, 1.6]):
        ax_flow.plot(tau, phi4.flow_closed_form(g0, tau, eps, A) / gstar)
    ax_flow.axhline(1.0, color="k", ls="--", lw=1)
    # same orientation as the chapter's main flow figure: infrared on the left
    ax_flow.set(xlabel=r"scale $\tau = \ln(\mu/\mu_0)$ (left: infrared)", ylabel=r"$g/g^*$", ylim=(0, 2),
                title=rf"one-loop flow, $\varepsilon = {eps:.2f}$, $N = {N}$")
    g = np.linspace(0.0, 1.8 * gstar, 300)
    for loops, style in ((1, "-"), (2, "--")):
        ax_beta.plot(g, phi4.beta(g, eps, N, loops), style, label=f"{loops} loop{'s' if loops > 1 else ''}")
    ax_beta.axhline(0.0, color="k", lw=0.8)
    ax_beta.plot([gstar], [0.0], "ko")
    ax_beta.set(xlabel=r"$g$", ylabel=r"$\beta(g)$", title=rf"$g^* = \varepsilon/A = {gstar:.3f}$ (one loop)")
    ax_beta.legend()
    return fig


def phi4_explorer():
    """Sliders for ε (0.05–2) and N (1–4) over :func:`phi4_figure` (needs ipywidgets)."""
    widgets = _ipywidgets()
    return widgets.interactive(_shown(phi4_figure), eps=widgets.FloatSlider(value=1.0, min=0.05, max=2.0, step=0.05, description="ε"),
                               N=widgets.IntSlider(value=1, min=1, max=4, description="N"))


# --------------------------------------------------------------------------------------------------
# VFT and fragility
# --------------------------------------------------------------------------------------------------
def vft_figure(Tg: float = 190.0, m: float = 53.0, tau0: float = 1e-14, ax=None):
    r"""Angell plot of the VFT liquid with glass temperature ``Tg`` (K) and fragility ``m``.

    The VFT parameters follow from :func:`scaledyn.vft.vft_from_tg_m` with τ(Tg) = 100 s and
    τ0 = ``tau0`` (s); strong (m = m_min, Arrhenius) and very fragile (m = 150) references are drawn
    for comparison. Returns the figure.
    """
    Tg = real_scalar(Tg, "Tg", positive=True)
    m = real_scalar(m, "m", positive=True)
    mmin = vft.m_min(100.0, tau0)
    if m <= mmin:
        raise ValueError(f"m must exceed m_min = {mmin:.1f} (the Arrhenius limit), got {m}")
    p = vft.vft_from_tg_m(Tg, m, tau0=tau0)
    fig, ax = _axes(ax)
    x = np.linspace(0.2, 1.0, 300)
    ax.plot(x, np.log10(tau0) + mmin * x, color="0.6", ls=":", label=rf"Arrhenius ($m = {mmin:.0f}$)")
    ref = vft.vft_from_tg_m(Tg, 150.0, tau0=tau0)
    xr = x[Tg / x > ref["T0"] * 1.0001]
    ax.plot(xr, vft.vft_log10_tau(Tg / xr, ref["log10_tau0"], ref["D"], ref["T0"]), color="0.6", ls="--",
            label=r"very fragile ($m = 150$)")
    xs = x[Tg / x > p["T0"] * 1.0001]
    ax.plot(xs, vft.vft_log10_tau(Tg / xs, p["log10_tau0"], p["D"], p["T0"]), color=plotting.PALETTE[1], lw=2.5,
            label=rf"$m = {m:.0f}$: $D = {p['D']:.1f}$, $T_0 = {p['T0']:.0f}$ K")
    ax.set(xlabel=r"$T_g/T$", ylabel=r"$\log_{10}(\tau/\mathrm{s})$", ylim=(np.log10(tau0) - 0.5, 2.5),
           title=rf"Angell plot, $T_g = {Tg:.0f}$ K")
    ax.legend(loc="upper left")
    return fig


def vft_explorer():
    """Sliders for Tg (100–1500 K) and fragility m (17–150) over :func:`vft_figure` (needs ipywidgets)."""
    widgets = _ipywidgets()
    return widgets.interactive(_shown(vft_figure), Tg=widgets.FloatSlider(value=190.0, min=100.0, max=1500.0, step=10.0, description="Tg [K]"),
                               m=widgets.FloatSlider(value=53.0, min=17.0, max=150.0, step=1.0, description="m"))


# --------------------------------------------------------------------------------------------------
# Quasi-species
# --------------------------------------------------------------------------------------------------
def species_figure(T: float = 0.3, H=None, g=None, labels=None, ax=None):
    r"""Bar chart of the quasi-species concentrations :math:`C_i(T) = g_i e^{-H_i/T}/\sum_j g_j e^{-H_j/T}`.

    Defaults: the paper's Table II for the hump model (``H`` in ε, reference species i = 2), labelled
    as such. ``T`` in ε/k_B. Returns the figure.
    """
    from .analysis import free_energy, species

    T = real_scalar(T, "T", positive=True)
    if H is None and g is None:
        table = free_energy.paper_hump_table()
        H, g, labels, source = table["H"], table["g"], [str(i) for i in table["i"]], "paper's Table II (hump model)"
    elif H is None or g is None:
        raise ValueError("give both H and g, or neither (then the paper's Table II is used)")
    else:
        source = "given H, g"
    H = np.asarray(H, dtype=float)
    g = np.asarray(g, dtype=float)
    labels = [str(k) for k in range(H.size)] if labels is None else list(labels)
    scheme = species.SpeciesScheme(name="explore", dim=2, cutoff=np.array([[1.0]]), central_type=np.zeros(H.size, int),
                              n_neighbours=np.arange(H.size), fractions=np.array([1.0]),
                              liquid=np.zeros(H.size, bool), labels=tuple(labels))
    C = free_energy.model_concentrations(np.array([T]), H, g, scheme)[0]
    fig, ax = _axes(ax)
    ax.bar(labels, C, color=plotting.PALETTE[0])
    ax.set(xlabel="quasi-species $i$", ylabel=r"$C_i$", ylim=(0, 1), title=rf"$T = {T:.2f}$ — {source}")
    return fig


def species_explorer():
    """A temperature slider (0.05–1) over :func:`species_figure` (needs ipywidgets)."""
    widgets = _ipywidgets()
    return widgets.interactive(_shown(species_figure), T=widgets.FloatLogSlider(value=0.3, base=10, min=-1.3, max=0.0, step=0.02, description="T"))


# --------------------------------------------------------------------------------------------------
def _ipywidgets():
    try:
        import ipywidgets
    except ImportError as exc:  # pragma: no cover - ipywidgets is a dependency of the book
        raise ImportError("the interactive explorers need ipywidgets (pip install ipywidgets)") from exc
    return ipywidgets


def _shown(draw):
    """Wrap a drawing function so that ipywidgets' output area shows its figure once per change."""
    import matplotlib.pyplot as plt

    def show(**kwargs):
        draw(**kwargs)
        plt.show()  # with the inline backend this renders into the widget's output area

    show.__name__ = draw.__name__
    return show
