"""Analysis of simulations, shaped like atooms-pp: one quantity per module.

* :mod:`scaledyn.analysis.isf` — self-intermediate scattering function F_s(k, t) and τα (F_s = 1/e).
* :mod:`scaledyn.analysis.neighbours` — neighbour counts with periodic boundaries (Numba cell list
  and a brute-force NumPy reference).
* :mod:`scaledyn.analysis.quasi_species` — up-scaling to quasi-species, concentrations, inversion to
  free energies, H_i/g_i fits, the Gaussian degeneracy model, C_liq, ξ and τα = τ∞ exp(μξ/T).
* :mod:`scaledyn.analysis.thermo` — enthalpy/energy and heat capacity from the quasi-species model,
  compared with the system's own (Eqs. 14 and 15 of the quasi-species paper).

Submodules are imported on demand (``from scaledyn.analysis import isf``) so that importing the
package compiles nothing.
"""

from importlib import import_module as _import_module

_SUBMODULES = ("isf", "neighbours", "quasi_species", "thermo")


def __getattr__(name):
    if name in _SUBMODULES:
        return _import_module(f"{__name__}.{name}")
    raise AttributeError(f"module 'scaledyn.analysis' has no attribute {name!r}")
