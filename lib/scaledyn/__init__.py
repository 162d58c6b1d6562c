"""scaledyn — the code behind the executable book *Scale Dynamics*.

One module per idea (see the book's design notes):

* :mod:`scaledyn.flows` — scale Hamiltonians :math:`H(g,p)=p\\cdot\\beta(g)+F(g)`, symplectic flow,
  fixed points and their linearisation.
* :mod:`scaledyn.phi4` — O(N) :math:`\\phi^4` β-functions, the Wilson (r, u) flow, ε-expansion exponents.
* :mod:`scaledyn.hamilton_jacobi` — the scale Hamilton–Jacobi equation, characteristics, stationary S(g).
* :mod:`scaledyn.vft` — Vogel–Fulcher–Tammann (and MYEGA, Avramov–Milchev) laws and fits, fragility.
* :mod:`scaledyn.materials` — the literature table ``data/materials.csv``, validated.
* :mod:`scaledyn.md` — a Numba molecular-dynamics engine for the two glass formers of the
  quasi-species paper.
* :mod:`scaledyn.analysis` — correlation functions, quasi-species and thermodynamics from simulations.
* :mod:`scaledyn.plotting` — one house style for every figure of the book.
* :mod:`scaledyn.snapshot` — a particle configuration as a self-contained HTML animation.

Submodules are imported on demand (``from scaledyn import vft``) so that importing the package does
not compile any Numba kernel. Numba is needed by :mod:`scaledyn.md` only: the package and its theory
modules import without it (in the browser's Pyodide kernel, for instance).
"""

from importlib import import_module as _import_module
from pathlib import Path as _Path

__version__ = "0.1.0"

#: Root of the source checkout (the book's data live in ``DATA_DIR``). The package is installed in
#: editable mode from the book's repository, so the data folder sits two levels above this file. The
#: wheel built for the in-browser (JupyterLite) chapters has no checkout around it; it carries the few
#: data files those chapters read in ``scaledyn/_data/`` (see tools/jupyterlite/build_lite.py).
REPO_ROOT = _Path(__file__).resolve().parents[2]
DATA_DIR = REPO_ROOT / "data"
if not DATA_DIR.is_dir() and (_Path(__file__).parent / "_data").is_dir():
    DATA_DIR = _Path(__file__).parent / "_data"

from . import _numba_cache

_numba_cache.refresh()  # drop cached kernels compiled from other versions of these sources

_SUBMODULES = ("flows", "phi4", "hamilton_jacobi", "vft", "materials", "md", "analysis", "plotting", "snapshot")


def __getattr__(name):
    # Lazy submodule access: ``scaledyn.vft`` works without an explicit import.
    if name in _SUBMODULES:
        return _import_module(f"{__name__}.{name}")
    raise AttributeError(f"module 'scaledyn' has no attribute {name!r}")


def data_path(*parts: str) -> _Path:
    """Path of a file in the book's ``data/`` folder; raises FileNotFoundError naming it if absent."""
    path = DATA_DIR.joinpath(*parts)
    if not path.exists():
        raise FileNotFoundError(f"data file {path} not found (is scaledyn installed from the book's repository?)")
    return path
