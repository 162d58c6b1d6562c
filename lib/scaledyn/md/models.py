r"""The two glass formers of Boue, Lerner, Procaccia & Zylberg (arXiv:0905.3962) as plain data.

A :class:`Model` holds what defines the physics (dimension, particle number and types, the pair
potential's kind and parameter table, masses) and the state point and algorithm constants we chose,
each with the reason below. The seed gives no time step, coupling constants or densities.

``binary3d`` — 3D 50:50 mixture, 8-6 potential (see :mod:`.potentials`), NPT at :math:`p=10`.
    * ``dt = 0.005``: NVE drift 6e-5 epsilon per particle per 10^4 steps at T=1 (N=500; measured, see
      ``data/md/README.md``); the stiffest vibration (a small-small pair at r ~ 0.85, U'' ~ 210,
      reduced mass 1/2) has a period ~0.3 tau, i.e. ~60 steps.
    * thermostat ``tau_T = 1.0`` (200 steps): slower than the vibration periods (<= ~0.3 tau), so
      Berendsen's velocity rescaling perturbs dynamics little, fast enough to equilibrate T in ~5 tau.
    * barostat ``tau_P = 5.0`` with compressibility :math:`\beta_P = 1/B`, ``B = 35``: the isothermal
      bulk modulus :math:`\rho\,\partial P/\partial\rho` measured at T = 1 near p = 10 is 33 (NVT
      runs at rho = 0.80, 0.826, 0.85 gave P = 9.0, 10.0, 11.0), so the pressure relaxes
      exponentially with time constant ~tau_P (= 1000 steps, no ringing: Berendsen is first order).
      Instantaneous pressure fluctuations (std 0.08 at N = 500, ~0.03 at N = 4096) then change the
      box length by < 1e-6 per step.
    * ``skin = 0.3``: a rebuild every ~7 steps at T=1 (LAMMPS's default skin for LJ units).
    * initial density 0.826: NVT at T = 1 and rho = 0.826 gives P = 9.98 (N = 500).

``hump2d`` — 2D one-component hump potential, NVT.
    * ``density = 0.8``: a prototype found rho = 0.9 crystallises (hexagonal) within ~500 tau and
      rho = 0.7 develops square order; 0.8 stayed amorphous for T = 0.1-0.5 (check with
      :func:`scaledyn.analysis.order.hexatic_order`).
    * ``dt = 0.005``, ``tau_T = 1.0``, ``skin = 0.3``: same reasoning as above (drift numbers in
      ``data/md/README.md``).
"""

from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from .._checks import dimension, float_array, int_scalar, real_scalar
from . import potentials as pot

#: Table I of the paper (hump model): h0, r_hump, r_star and the polynomial coefficients a0..a7
HUMP_TABLE1 = {
    "h0": 0.75,
    "r_hump": 1.32,
    "r_star": 1.65,
    "a": (1.0, 0.0, 2.675405732987203, 46.593574934286437, -212.021700143354, 308.7495934944721,
          -188.1854149609638, 41.188540942572089),
}

ENSEMBLES = ("nve", "nvt", "npt")
MODEL_NAMES = ("binary3d", "hump2d")


@dataclass(frozen=True)
class Model:
    """A model and its run constants, as plain data (all reduced units).

    ``potential`` (a registered name) and ``params`` (its parameter table, one record per type
    pair) define the pair potential (:mod:`.potentials`); ``type_fractions`` the
    composition; ``masses`` one mass per type. ``ensemble``, ``T``, ``pressure``, ``density`` are the
    defaults of the paper's protocol; ``dt``, ``tau_T``, ``tau_P``, ``bulk_modulus``, ``skin`` are our
    algorithm choices. ``overlap_distance``: a pair closer than this means the run blew up.
    """

    name: str
    dim: int
    n: int
    potential: str
    params: np.ndarray = field(repr=False)
    type_names: tuple
    type_fractions: tuple
    masses: tuple
    ensemble: str
    density: float
    pressure: float | None
    dt: float
    tau_T: float
    tau_P: float
    bulk_modulus: float
    skin: float
    overlap_distance: float

    @property
    def ntypes(self) -> int:
        return len(self.type_names)

    @property
    def rc_max(self) -> float:
        return float(np.sqrt(self.params["rc2"].max()))

    def min_particles(self) -> int:
        """Smallest N whose box (at the model density) exceeds 2(rc+skin) in every direction."""
        side = 2.0 * (self.rc_max + self.skin)
        return int(np.floor(self.density * side**self.dim)) + 1

    def with_(self, **changes) -> "Model":
        """A copy with some fields changed (validated like the constructors)."""
        return _validated(replace(self, **changes))


def _validated(m: Model) -> Model:
    if not isinstance(m.name, str) or not m.name:
        raise TypeError(f"name must be a non-empty string, got {m.name!r}")
    int_scalar(m.n, "n")
    dimension(m.dim, "dim")
    nt = len(m.type_names)
    potential = pot.get_potential(m.potential)
    params = m.params
    if not isinstance(params, np.ndarray) or params.dtype != potential.record or params.shape != (nt, nt):
        raise ValueError(f"params must be a ({nt}, {nt}) table of the {m.potential!r} record for {nt} type(s), "
                         f"got {type(params).__name__} {getattr(params, 'shape', '')} {getattr(params, 'dtype', '')}")
    bad = [f for f in potential.record.names if not np.all(np.isfinite(params[f]))]
    if bad:
        raise ValueError(f"params of potential {m.potential!r} must be finite; non-finite field(s) {bad}")
    for name in ("type_fractions", "masses"):
        if len(getattr(m, name)) != nt:
            raise ValueError(f"{name} must have one entry per type ({nt}), got {len(getattr(m, name))}")
    float_array(m.masses, "masses", ndim=1, positive=True)
    fractions = float_array(m.type_fractions, "type_fractions", ndim=1)
    if np.any(fractions < 0) or not np.isclose(fractions.sum(), 1.0, rtol=0, atol=1e-9):
        raise ValueError(f"type_fractions must be >= 0 and sum to 1, got {list(m.type_fractions)}")
    for name in ("density", "dt", "tau_T", "tau_P", "bulk_modulus", "skin", "overlap_distance"):
        real_scalar(getattr(m, name), name, positive=True)
    if m.pressure is not None:
        real_scalar(m.pressure, "pressure", positive=True)
    if m.ensemble not in ENSEMBLES:
        raise ValueError(f"ensemble must be one of {ENSEMBLES}, got {m.ensemble!r}")
    if m.ensemble == "npt" and m.pressure is None:
        raise ValueError("pressure must be given for an NPT model")
    if m.n < m.min_particles():
        raise ValueError(f"n = {m.n} too small for model {m.name}: the box must exceed 2*(rc+skin); "
                         f"use n >= {m.min_particles()} at density {m.density}")
    return m


def binary3d(n: int = 4096, *, density: float = 0.826, pressure: float = 10.0, dt: float = 0.005,
             tau_T: float = 1.0, tau_P: float = 5.0, bulk_modulus: float = 35.0,
             skin: float = 0.3) -> Model:
    """The 3D 50:50 binary 8-6 mixture (sigma = 1.0 / 1.2 / 1.4, m = 1, eps = 1), NPT at p = 10."""
    sigma = np.array([[1.0, 1.2], [1.2, 1.4]])
    m = Model(name="binary3d", dim=3, n=n, potential="mie86", params=pot.mie86_params(np.ones((2, 2)), sigma),
              type_names=("S", "L"), type_fractions=(0.5, 0.5), masses=(1.0, 1.0), ensemble="npt",
              density=density, pressure=pressure, dt=dt, tau_T=tau_T, tau_P=tau_P,
              bulk_modulus=bulk_modulus, skin=skin, overlap_distance=0.5)
    return _validated(m)


def hump2d(n: int = 4096, *, density: float = 0.8, dt: float = 0.005, tau_T: float = 1.0,
           skin: float = 0.3, r0: float | None = None) -> Model:
    """The 2D one-component hump model of Table I, NVT at density 0.8 (see module docstring)."""
    t = HUMP_TABLE1
    m = Model(name="hump2d", dim=2, n=n, potential="hump",
              params=pot.hump_params(t["h0"], t["r_star"], t["a"], r0=r0),
              type_names=("A",), type_fractions=(1.0,), masses=(1.0,), ensemble="nvt",
              density=density, pressure=None, dt=dt, tau_T=tau_T, tau_P=5.0, bulk_modulus=35.0,
              skin=skin, overlap_distance=0.5)
    return _validated(m)


def get_model(name: str, **kwargs) -> Model:
    """Model by name (``"binary3d"`` or ``"hump2d"``), with keyword overrides."""
    if not isinstance(name, str):
        raise TypeError(f"model name must be a string, got {type(name).__name__}")
    if name == "binary3d":
        return binary3d(**kwargs)
    if name == "hump2d":
        return hump2d(**kwargs)
    raise ValueError(f"unknown model {name!r}; choose one of {MODEL_NAMES}")


def table1_from_csv(path: str | Path) -> dict:
    """Read Table I from the CSV in ``data/paper`` (used by the tests to check ``HUMP_TABLE1``)."""
    rows = {}
    for line in Path(path).read_text().splitlines():
        if line.startswith("#") or line.startswith("parameter") or not line.strip():
            continue
        key, value = line.split(",")[:2]
        rows[key.strip()] = float(value)
    return {"h0": rows["h0"], "r_hump": rows["r_hump"], "r_star": rows["r_star"],
            "a": tuple(rows[f"a{i}"] for i in range(8))}
