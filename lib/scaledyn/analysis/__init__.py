"""Analysis of simulations, shaped like atooms-pp: one quantity or concept per module.

The second layer of the package: it may use the engine (:mod:`scaledyn.md`) but never the
campaign layer (:mod:`scaledyn.campaign`), which builds on it.

* :mod:`scaledyn.analysis.isf` — self-intermediate scattering function F_s(k, t) and τα (F_s = 1/e).
* :mod:`scaledyn.analysis.diffusion` — mean-squared displacement, the diffusion constant from its
  diffusive window, and the Stokes–Einstein products D·τα and D·τα/T.
* :mod:`scaledyn.analysis.kww` — the stretched-exponential (KWW) fit of the α decay: β, τ_K, A.
* :mod:`scaledyn.analysis.cage` — cage-relative displacements (2D long-wavelength fluctuations
  removed), for cage-relative F_s and MSD.
* :mod:`scaledyn.analysis.time_origins` — the average over time origins shared by F_s and the MSD
  (pairs, lag pooling, chunk errors, curve files).
* :mod:`scaledyn.analysis.structure` — the static structure factor S(k).
* :mod:`scaledyn.analysis.neighbours` — neighbour counts with periodic boundaries (Numba cell list
  and a brute-force NumPy reference).
* :mod:`scaledyn.analysis.order` — bond-orientational order (ψ6, ψ4, solid-like particles in 3D).
* :mod:`scaledyn.analysis.species` — up-scaling to quasi-species, concentrations, and the
  data-driven choice of species, reference and liquid set.
* :mod:`scaledyn.analysis.free_energy` — inversion to free energies, H_i/g_i fits, the Gaussian
  degeneracy model, the paper's tabulated values.
* :mod:`scaledyn.analysis.length_scale` — ξ = (ρ C_liq)^(−1/d) and τα = τ∞ exp(μξ/T).
* :mod:`scaledyn.analysis.liquid_geometry` — is ξ a length? Liquid–liquid contacts and liquid
  clusters against shuffled labels, the nearest-liquid distance against ξ and Poisson placement,
  χ4(t) and clusters of mobile particles.
* :mod:`scaledyn.analysis.paper_comparison` — the source's numbers (Table II, Eq. 8, μ, τ∞, the
  energy per bond, the species ranges) beside ours, with a pull, ratio or set overlap per number.
* :mod:`scaledyn.analysis.thermo` — enthalpy/energy and heat capacity from the quasi-species model,
  compared with the system's own (Eqs. 14 and 15 of the quasi-species paper).
* :mod:`scaledyn.analysis.stats` — block averages and weighted linear least squares.
* :mod:`scaledyn.analysis.state_match` — which state point reproduces reference concentrations.

Submodules are imported on demand (``from scaledyn.analysis import isf``) so that importing the
package compiles nothing.
"""

from importlib import import_module as _import_module

_SUBMODULES = ("isf", "structure", "neighbours", "order", "species", "free_energy", "length_scale", "thermo",
               "stats", "state_match", "liquid_geometry", "paper_comparison", "diffusion", "kww", "cage",
               "time_origins")


def __getattr__(name):
    if name in _SUBMODULES:
        return _import_module(f"{__name__}.{name}")
    raise AttributeError(f"module 'scaledyn.analysis' has no attribute {name!r}")
