r"""Pair potentials of the two glass formers: each a pair function and its parameter record.

Reduced units throughout: energy :math:`\varepsilon`, length :math:`\sigma` (:math:`\sigma_{ss}` for
the binary mixture), mass :math:`m`, time :math:`\tau=\sigma\sqrt{m/\varepsilon}`; pressure
:math:`\varepsilon/\sigma^d`.

A potential is a small function of the squared distance and its named parameters (the jax-md idea
of a pair function with species x species parameters):

* ``pair(r2, eps, sigma2, ...) -> (u, f_r)`` returns :math:`u(r)` and :math:`f_r=-u'(r)/r` for one
  pair; it must give ``(0, 0)`` at and beyond the cutoff;
* the parameters of a model are a NumPy structured array ``params[ti, tj]``, one record per pair of
  particle types, whose fields are the pair function's parameter names; every potential has
  ``sigma2`` (:math:`\sigma_{ij}^2`, sets the lattice spacing of a fresh state) and ``rc2`` (the
  squared cutoff, for the neighbour list);
* :func:`register` adds a potential: a new potential is one ``pair`` function and one registration.
  The force kernel (:mod:`.forces`) finds the pair function from the *type* of the parameter table
  when it is compiled (:func:`block_energy`), so there is no switch in the force loop, and the
  compiled code of every potential is cached on disk like any kernel.

Sign convention: the force on *i* from *j* is :math:`f_r\,(\mathbf r_i-\mathbf r_j)` and the pair's
virial is :math:`\mathbf r_{ij}\cdot\mathbf F_{ij} = f_r r^2`.

Binary 8-6 mixture (``"mie86"``, the 3D model of Boue et al., arXiv:0905.3962, Eq. 1)
    .. math:: U(r) = \varepsilon_{ij}\left[(\sigma_{ij}/r)^8 - (\sigma_{ij}/r)^6 + a_0\right],
              \quad r \le r_c = \sqrt{8/6}\,\sigma_{ij},

    and 0 beyond; :math:`a_0 = 27/256` makes :math:`U(r_c) = 0`, and since :math:`r_c` is the
    minimum of the 8-6 form also :math:`U'(r_c) = 0`: the potential is purely repulsive.

Hump model (``"hump"``, the 2D model, Eq. 3 and Table I)
    .. math:: U(r) = \varepsilon\left[(\sigma/r)^{12} - (\sigma/r)^6 + \tfrac14 + h_0\right],
              \ r\le r_0;\qquad
              U(r) = \varepsilon h_0 P\!\left(\frac{r-r_0}{r_\star-r_0}\right),\ r_0<r\le r_\star,

    with :math:`P(x)=\sum_{i=0}^7 a_i x^i`. We use :math:`r_0 = 2^{1/6}\sigma` exactly, as the
    paper's text says: it is the minimum of the 12-6 part, so :math:`U(r_0)=\varepsilon h_0` and
    :math:`U'(r_0)=0` on both sides (``a0 = 1``, ``a1 = 0``) — energy and force are continuous, which
    is what energy conservation needs. The second derivative then jumps by ~0.9 % at :math:`r_0`
    (the Table I coefficients match :math:`U''` only for the rounded :math:`r_0 = 1.12`, which would
    instead break the continuity of :math:`U` and :math:`F`); a jump in :math:`U''` is harmless for
    velocity Verlet.
"""

import inspect
from dataclasses import dataclass

import numba
import numpy as np
from numba import njit
from numba.extending import overload

# Kernels may reassociate sums and fuse multiply-adds, but keep IEEE NaN/inf semantics (no "fast"
# nnan/ninf), otherwise the blow-up checks on non-finite energies could be optimised away.
FASTMATH = {"contract", "reassoc", "nsz", "arcp"}

#: fields every parameter record must have (see the module docstring)
REQUIRED_FIELDS = ("sigma2", "rc2")


@dataclass(frozen=True)
class Potential:
    """A registered pair potential: its name, its pair function and the parameter record built from
    that function's parameter names."""

    name: str
    pair: object  # numba.njit(inline="always") function (r2, *parameters) -> (u, f_r)
    record: np.dtype

    @property
    def fields(self) -> tuple:
        return self.record.names

    def table(self, ntypes: int) -> np.ndarray:
        """A zeroed ``(ntypes, ntypes)`` parameter table of this potential's record."""
        return np.zeros((ntypes, ntypes), self.record)


#: the registered potentials, by name
POTENTIALS: dict[str, Potential] = {}
_BY_RECORD: dict = {}  # Numba record type -> Potential: the compile-time dispatch of block_energy


def register(name: str, pair) -> Potential:
    """Make a potential known to the engine (and to :attr:`.models.Model.potential`).

    ``pair(r2, p1, p2, ...)`` returns :math:`(u, f_r)` of one pair at squared distance ``r2``; its
    parameters after ``r2`` name the fields of the potential's record (:data:`REQUIRED_FIELDS` among
    them), and it is compiled with ``numba.njit(inline="always")``, so that its body is pasted into
    the force loop (:func:`block_energy`) and vectorised there.
    """
    if not isinstance(name, str) or not name:
        raise TypeError(f"potential name must be a non-empty string, got {name!r}")
    if name in POTENTIALS:
        raise ValueError(f"a potential named {name!r} is already registered")
    if not isinstance(pair, numba.core.registry.CPUDispatcher):
        raise TypeError(f"pair of potential {name!r} must be a numba.njit function, got {type(pair).__name__}")
    args = list(inspect.signature(pair.py_func).parameters)
    if len(args) < 2 or args[0] != "r2":
        raise ValueError(f"pair of potential {name!r} must take (r2, parameter, ...), got ({', '.join(args)})")
    missing = [f for f in REQUIRED_FIELDS if f not in args[1:]]
    if missing:
        raise ValueError(f"pair of potential {name!r} lacks the parameter(s) {missing}")
    rec = np.dtype([(f, np.float64) for f in args[1:]], align=True)
    key = numba.from_dtype(rec)
    if key in _BY_RECORD:
        raise ValueError(f"potential {name!r} has the same parameter names as {_BY_RECORD[key].name!r}")
    pot = Potential(name, pair, rec)
    POTENTIALS[name] = _BY_RECORD[key] = pot
    return pot


def get_potential(name: str) -> Potential:
    """The registered potential ``name`` (ValueError naming the known ones otherwise)."""
    if name not in POTENTIALS:
        raise ValueError(f"unknown potential {name!r}; registered: {sorted(POTENTIALS)}")
    return POTENTIALS[name]


def potential_of(params: np.ndarray) -> Potential:
    """The registered potential whose record ``params`` holds (ValueError otherwise)."""
    dtype = getattr(params, "dtype", None)
    pot = _BY_RECORD.get(numba.from_dtype(dtype)) if dtype is not None and dtype.names else None
    if pot is None:
        raise ValueError(f"params must be a table of a registered potential's record, got dtype {dtype}")
    return pot


def param_scratch(params, block):
    """Scratch space for :func:`block_energy`: one row per parameter, ``block`` columns."""
    return np.empty((len(potential_of(params).fields), block))


@overload(param_scratch)
def _param_scratch_compiled(params, block):
    pot = _BY_RECORD.get(getattr(params, "dtype", None))
    if pot is None:
        return None
    nf = len(pot.fields)
    return lambda params, block: np.empty((nf, block))


def block_energy(r2, params, ti, tj, scratch, fr, nb):
    """:math:`f_r` of pairs ``0..nb-1`` into ``fr``; returns the sums of :math:`u` and of the virial
    :math:`f_r r^2`. Pair q has squared distance ``r2[q]`` and parameters ``params[ti[q], tj[q]]``
    (``ti``, ``tj`` are not read for one-type tables); ``scratch`` is :func:`param_scratch`'s. This
    Python version is the reference of the compiled one (below) that the force kernel calls."""
    pot = potential_of(params)
    e = w = 0.0
    for q in range(nb):
        rec = params[0, 0] if params.size == 1 else params[ti[q], tj[q]]
        u, f = pot.pair.py_func(r2[q], *(rec[name] for name in pot.fields))
        fr[q] = f
        e += u
        w += f * r2[q]
    return e, w


def _block_source(pot: Potential) -> str:
    # The loop of block_energy written out for this potential's fields. With one type pair (hump)
    # the parameters are read into local scalars before the loop, and the loop is a plain array loop
    # that LLVM vectorises; parameters read from a record or a tuple *inside* the loop made the hump
    # force loop 2-3x slower (benchmarks/README.md). With several type pairs (binary mixture), each
    # pair's parameters are first copied into one row per field of ``scratch``, so that the loop again
    # reads plain arrays.
    def loop(args):  # the pair loop over plain values: the same for both cases
        return (f"        for q in range(nb):\n            u, f = pair(r2[q], {args})\n"
                "            fr[q] = f\n            e += u\n            w += f * r2[q]")

    hoist = "\n".join(f"        c_{f} = p.{f}" for f in pot.fields)
    gather = "\n".join(f"            scratch[{k}, q] = p.{f}" for k, f in enumerate(pot.fields))
    return f"""
def impl(r2, params, ti, tj, scratch, fr, nb):
    e = 0.0
    w = 0.0
    if params.size == 1:
        p = params[0, 0]
{hoist}
{loop(", ".join(f"c_{f}" for f in pot.fields))}
    else:
        for q in range(nb):
            p = params[ti[q], tj[q]]
{gather}
{loop(", ".join(f"scratch[{k}, q]" for k in range(len(pot.fields))))}
    return e, w
"""


@overload(block_energy, jit_options={"fastmath": FASTMATH, "error_model": "numpy"})
def _block_energy_compiled(r2, params, ti, tj, scratch, fr, nb):
    pot = _BY_RECORD.get(getattr(params, "dtype", None))
    if pot is None:
        return None
    scope = {"pair": pot.pair}
    exec(compile(_block_source(pot), f"<block_energy of {pot.name}>", "exec"), scope)  # noqa: S102
    return scope["impl"]


# ---------------------------------------------------------------------------------------------------
# the two potentials of the book

#: the shift of the 8-6 potential: -(min of x^8 - x^6) = 27/256, so that U(rc) = 0
A0_MIE86 = 27.0 / 256.0


@njit(inline="always")
def mie86_pair(r2, eps, sigma2, rc2, shift):
    """Shifted 8-6, Eq. (1): only even powers of 1/r (no square root, one division); both results
    are computed and then zeroed beyond ``rc2`` (branch-free, so the force loop vectorises)."""
    ir2 = 1.0 / r2
    q = sigma2 * ir2
    q3 = q * q * q
    q4 = q3 * q
    inside = r2 < rc2
    u = eps * (q4 - q3 + shift) if inside else 0.0
    f = eps * (8.0 * q4 - 6.0 * q3) * ir2 if inside else 0.0
    return u, f


MIE86 = register("mie86", mie86_pair)


def mie86_params(eps: np.ndarray, sigma: np.ndarray) -> np.ndarray:
    """Parameter table of the shifted 8-6 potential from symmetric ``eps`` and ``sigma`` matrices."""
    eps = np.asarray(eps, dtype=np.float64)
    sigma = np.asarray(sigma, dtype=np.float64)
    if eps.shape != sigma.shape or eps.ndim != 2 or eps.shape[0] != eps.shape[1]:
        raise ValueError(f"eps and sigma must be equal square matrices, got {eps.shape} and {sigma.shape}")
    table = MIE86.table(eps.shape[0])
    table["eps"] = eps
    table["sigma2"] = sigma**2
    table["rc2"] = (8.0 / 6.0) * sigma**2
    table["shift"] = A0_MIE86
    return table


@njit(inline="always")
def hump_pair(r2, eps, sigma2, rc2, r0, r02, h0, inv_width, a0, a1, a2, a3, a4, a5, a6, a7):
    """Hump, Eq. (3): ``rc2`` = :math:`r_\\star^2`, ``inv_width`` = :math:`1/(r_\\star-r_0)`, ``a0..a7`` the
    polynomial. Both branches (12-6 core, polynomial) are evaluated and one is selected: in a Verlet
    list the branch would be unpredictable, and the branch-free form vectorises."""
    ir = 1.0 / np.sqrt(r2)
    ir2 = ir * ir
    q = sigma2 * ir2
    q3 = q * q * q
    q6 = q3 * q3
    u_lj = eps * (q6 - q3 + 0.25 + h0)
    f_lj = eps * (12.0 * q6 - 6.0 * q3) * ir2
    x = (r2 * ir - r0) * inv_width
    poly = ((((((a7 * x + a6) * x + a5) * x + a4) * x + a3) * x + a2) * x + a1) * x + a0
    dpoly = (((((7.0 * a7 * x + 6.0 * a6) * x + 5.0 * a5) * x + 4.0 * a4) * x + 3.0 * a3) * x
             + 2.0 * a2) * x + a1
    lj = r2 <= r02
    inside = r2 < rc2
    u = u_lj if lj else eps * h0 * poly
    f = f_lj if lj else -eps * h0 * dpoly * inv_width * ir
    u = u if inside else 0.0
    f = f if inside else 0.0
    return u, f


HUMP = register("hump", hump_pair)


def hump_params(h0: float, rstar: float, coeffs, eps: float = 1.0, sigma: float = 1.0,
                r0: float | None = None) -> np.ndarray:
    """Parameter table (one type) of the hump potential; ``r0`` defaults to :math:`2^{1/6}\\sigma`."""
    coeffs = np.asarray(coeffs, dtype=np.float64)
    if coeffs.shape != (8,):
        raise ValueError(f"coeffs must hold the 8 polynomial coefficients a0..a7, got shape {coeffs.shape}")
    r0 = 2.0 ** (1.0 / 6.0) * sigma if r0 is None else float(r0)
    if not 0.0 < r0 < rstar:
        raise ValueError(f"need 0 < r0 < rstar, got r0={r0}, rstar={rstar}")
    table = HUMP.table(1)
    for key, value in (("eps", eps), ("sigma2", sigma**2), ("rc2", rstar**2), ("r0", r0), ("r02", r0**2),
                       ("h0", h0), ("inv_width", 1.0 / (rstar - r0))):
        table[key] = value
    for k in range(8):
        table[f"a{k}"] = coeffs[k]
    return table


def table_to_json(params: np.ndarray) -> dict:
    """A parameter table as ``{"potential": name, "params": {field: nested lists}}`` (checkpoints)."""
    pot = potential_of(params)
    return {"potential": pot.name, "params": {f: params[f].tolist() for f in pot.record.names}}


def table_from_json(potential: str, params: dict) -> np.ndarray:
    """Inverse of :func:`table_to_json` (ValueError on unknown potentials or missing fields)."""
    pot = get_potential(potential)
    if not isinstance(params, dict) or sorted(params) != sorted(pot.record.names):
        got = sorted(params) if isinstance(params, dict) else type(params).__name__
        raise ValueError(f"parameters of potential {potential!r} need the fields {sorted(pot.record.names)}, got {got}")
    first = np.asarray(params[pot.record.names[0]], dtype=np.float64)
    if first.ndim != 2 or first.shape[0] != first.shape[1]:
        raise ValueError(f"parameter fields must be square (ntypes, ntypes) tables, got shape {first.shape}")
    table = pot.table(first.shape[0])
    for f in pot.record.names:
        table[f] = np.asarray(params[f], dtype=np.float64)
    return table


#: checkpoints written before parameter records: the potential's integer kind and its float table
#: ``params[ti, tj, k]``, with the fields at these columns (read by :func:`legacy_table` only)
_LEGACY = {0: ("mie86", ("eps", "sigma2", "rc2", "shift")),
           1: ("hump", ("eps", "sigma2", "rc2", "r0", "r02", None, "h0", "a0", "a1", "a2", "a3", "a4", "a5",
                        "a6", "a7", "inv_width"))}


def legacy_table(kind: int, table) -> tuple[str, np.ndarray]:
    """``(potential name, parameter table)`` from the ``kind`` and float table of an old checkpoint."""
    if kind not in _LEGACY:
        raise ValueError(f"unknown legacy potential kind {kind!r}")
    name, columns = _LEGACY[kind]
    table = np.asarray(table, dtype=np.float64)
    if table.ndim != 3 or table.shape[0] != table.shape[1] or table.shape[2] < len(columns):
        raise ValueError(f"legacy parameter table must be (ntypes, ntypes, >= {len(columns)}), got {table.shape}")
    out = get_potential(name).table(table.shape[0])
    for col, f in enumerate(columns):
        if f is not None:
            out[f] = table[:, :, col]
    return name, out


def cutoff_sq(params: np.ndarray) -> np.ndarray:
    """Squared cutoff of each type pair, as a float ``(ntypes, ntypes)`` array."""
    return np.ascontiguousarray(params["rc2"], dtype=np.float64)
