r"""Velocity Verlet with Berendsen thermostat and isotropic Berendsen barostat, as one Numba loop.

One step of length :math:`\Delta t` (forces :math:`\mathbf F` from the previous step):

0. NPT: Berendsen barostat, box and positions times
   :math:`\mu = \left[1 - \frac{\Delta t}{\tau_P}\frac{P_0 - P}{B}\right]^{1/d}`, with
   :math:`P = (2K + W)/(dV)` of the previous step's end state and B a bulk-modulus guess
   (:math:`1/B` is Berendsen's compressibility). Forces are not recomputed after the rescaling (as
   in LAMMPS's ``fix press/berendsen``, which rescales at the end of a step); doing it first keeps
   the state handed back to Python (positions, forces, U, W) self-consistent.
1. :math:`\mathbf v \leftarrow \mathbf v + \tfrac{\Delta t}{2m}\mathbf F`,
   :math:`\mathbf x \leftarrow \mathbf x + \Delta t\,\mathbf v` (one fused loop, which also measures
   the displacement since the last neighbour-list build);
2. if the list may be incomplete (:func:`.neighbour_list.displacement_limit`): wrap positions into the box,
   re-order particles by cell (:func:`.neighbour_list.sort_by_cell`, for memory locality) and rebuild the
   Verlet list; then new forces, :math:`U` and the virial :math:`W` (each thread accumulates the
   forces on the particles it owns and lists those on other threads' particles,
   :func:`.forces.partial_forces`);
3. each thread adds the forces listed for its particles in the same pass as
   :math:`\mathbf v \leftarrow \mathbf v + \tfrac{\Delta t}{2m}\mathbf F` and the kinetic energy K;
4. NVT/NPT: Berendsen thermostat (Berendsen et al., J. Chem. Phys. 81, 3684 (1984)), velocities times
   :math:`\lambda = \sqrt{1 + \frac{\Delta t}{\tau_T}\left(\frac{T_0}{T}-1\right)}` with
   :math:`T = 2K/(k_B\,d(N-1))` (the centre-of-mass momentum is conserved and is not thermal). The
   multiplication is deferred into the next step's loop 1 (one pass over the velocities fewer), or
   done before the loop returns: the velocities handed back are always the thermostatted ones.

The loop returns to Python only when a chunk of steps is done, the neighbour list overflowed (Python
grows it and resumes mid-step, bitwise as if nothing happened), or the run blew up (status code and
step). Same inputs and thread count give bitwise-identical trajectories.
"""

from typing import NamedTuple

import numpy as np
from numba import njit, prange

from .neighbour_list import Lists, build_sorted, displacement_limit, sort_by_cell, wrap
from .forces import ForceSum, add_spills, collect_spills, owner_range, partial_forces

NVE, NVT, NPT = 0, 1, 2
ENSEMBLE_CODES = {"nve": NVE, "nvt": NVT, "npt": NPT}

# status codes of run_steps
OK, OVERFLOW, NONFINITE, OVERLAP, BOX_COLLAPSE = 0, 1, 2, 3, 4
STATUS_TEXT = {
    NONFINITE: "non-finite energy or forces (NaN/inf)",
    OVERLAP: "particles overlapping",
    BOX_COLLAPSE: "box collapsed below 2*(rc+skin) or became non-finite",
}


class Particles(NamedTuple):
    """The per-particle arrays a step advances in place, plus the box and the mass of each type."""

    pos: np.ndarray     # (N, d), wrapped into the box at list builds
    vel: np.ndarray     # (N, d)
    force: np.ndarray   # (N, d)
    types: np.ndarray   # (N,) int
    tag: np.ndarray     # (N,) original index of the particle in each slot (cell sorting permutes)
    image: np.ndarray   # (N, d) int, box crossings
    box: np.ndarray     # (d,) side lengths; the barostat rescales it in place
    masses: np.ndarray  # (types,)


class Verlet(NamedTuple):
    """The neighbour list as the step loop needs it (:class:`.neighbour_list.NeighbourList`)."""

    lists: Lists
    ref_pos: np.ndarray  # (N, d) positions at the last build
    ref_box: np.ndarray  # (d,) box at the last build
    cut2: np.ndarray     # (types, types) squared list radii
    skin: float
    rc_max: float


class Controls(NamedTuple):
    """What to run: step count, time step, ensemble code and the coupling constants."""

    nsteps: int
    dt: float
    ensemble: int         # NVE, NVT or NPT
    T0: float             # target temperature
    tau_T: float          # Berendsen thermostat time
    P0: float             # target pressure
    tau_P: float          # Berendsen barostat time
    bulk_modulus: float   # the barostat's guess B
    overlap2: float       # a pair closer than sqrt(overlap2) stops the run (blow-up)
    resume_mid_step: bool  # after an OVERFLOW: the step's kick, drift and barostat are done


@njit(cache=True)
def _kick_table(masses, dt):
    # dt/2m per type: no division per particle
    kick = np.empty(masses.shape[0])
    for t in range(masses.shape[0]):
        kick[t] = 0.5 * dt / masses[t]
    return kick


@njit(parallel=True, cache=True, error_model="numpy")
def kick_drift(dims, nt, atoms, dt, vscale, ref_pos, scale, disp2_max):
    """Velocities times ``vscale`` (the previous step's thermostat factor, applied here to save a
    pass), half kick :math:`\\mathbf v \\mathrel{+}= \\tfrac{\\Delta t}{2m}\\mathbf F`, then drift
    :math:`\\mathbf x \\mathrel{+}= \\Delta t\\,\\mathbf v`; returns how many particles moved farther
    than :math:`\\sqrt{\\text{disp2\\_max}}` from :math:`s\\,\\mathbf x_i^0` since the last list build
    (positions are wrapped into the box only at builds, so no minimum image is needed). A count, not
    the largest displacement: a sum vectorises, a running maximum does not. ``atoms``: :class:`Particles`.
    """
    pos, vel, force, types, masses = atoms.pos, atoms.vel, atoms.force, atoms.types, atoms.masses
    n = pos.shape[0]
    d = len(dims)
    kick = _kick_table(masses, dt)
    out = np.zeros(nt)
    for t in prange(nt):
        far = 0.0
        i0, i1 = owner_range(t, nt, n)
        for ii in range(i1 - i0):  # zero-based: vectorises better than range(a, b)
            i = i0 + ii
            a = kick[np.uint32(types[i])]
            s = 0.0
            for k in range(d):
                v = vscale * vel[i, k] + a * force[i, k]
                vel[i, k] = v
                x = pos[i, k] + dt * v
                pos[i, k] = x
                x -= scale * ref_pos[i, k]
                s += x * x
            far += 1.0 if s > disp2_max else 0.0
        out[t] = far
    return out.sum()


@njit(parallel=True, cache=True, error_model="numpy")
def kick(dims, nt, atoms, acc, dt):
    """Half kick :math:`\\mathbf v \\mathrel{+}= \\tfrac{\\Delta t}{2m}\\mathbf F`; returns twice the
    kinetic energy :math:`2K=\\sum_i m_i v_i^2`. Each thread first completes the forces on the
    particles it owns with the spills of :func:`.forces.partial_forces` (``acc``, a
    :class:`.forces.ForceSum` on ``atoms.force``; ``acc.span`` of shape (0, 2) when the force is
    already complete), as :func:`.forces.add_spills` would."""
    vel, types, masses = atoms.vel, atoms.types, atoms.masses
    force, spill_j, spill_f, span = acc
    n = vel.shape[0]
    d = len(dims)
    kick = _kick_table(masses, dt)
    out = np.zeros(nt)
    for t in prange(nt):
        i0, i1 = owner_range(t, nt, n)
        collect_spills(i0, i1, force, spill_j, spill_f, span)
        mv2 = 0.0
        for ii in range(i1 - i0):
            i = i0 + ii
            ti = np.uint32(types[i])
            a = kick[ti]
            s = 0.0
            for k in range(d):
                v = vel[i, k] + a * force[i, k]
                vel[i, k] = v
                s += v * v
            mv2 += masses[ti] * s
        out[t] = mv2
    return out.sum()


@njit(cache=True)
def berendsen_lambda(temperature, target, dt, tau):
    """Velocity scale factor of the Berendsen thermostat."""
    if temperature <= 0.0:
        return 1.0
    return np.sqrt(max(1.0 + dt / tau * (target / temperature - 1.0), 0.0))


@njit(cache=True)
def berendsen_mu(pressure, target, dt, tau, bulk_modulus, d):
    """Length scale factor of the isotropic Berendsen barostat (argument clipped to stay positive)."""
    arg = 1.0 - dt / tau * (target - pressure) / bulk_modulus
    return max(arg, 1e-3) ** (1.0 / d)


@njit(cache=True)
def kinetic_twice(vel, types, masses):
    """:math:`2K=\\sum_i m_i v_i^2` (serial; used outside the hot loop)."""
    s = 0.0
    for i in range(vel.shape[0]):
        v2 = 0.0
        for k in range(vel.shape[1]):
            v2 += vel[i, k] * vel[i, k]
        s += masses[types[i]] * v2
    return s


@njit(cache=True)
def run_steps(dims, nt, params, atoms, verlet, ctl, u, w):
    """Advance ``ctl.nsteps`` steps in place (module docstring): ``params`` the potential's table
    (:mod:`.potentials`), ``atoms`` :class:`Particles`, ``verlet`` :class:`Verlet`, ``ctl``
    :class:`Controls`; ``u``, ``w`` the potential energy and virial of the current forces.

    Returns ``(status, steps_done, U, W, twoK, builds, need)``: ``status`` is OK, OVERFLOW (the list
    needs ``need`` slots per row; forces of step ``steps_done + 1`` are still to be computed: call
    again with ``resume_mid_step=True`` after growing), or a blow-up code (run stopped in step
    ``steps_done + 1``).
    """
    pos, vel, force, types, tag, image, box, masses = atoms
    lists, ref_pos, ref_box, cut2, skin, rc_max = verlet
    nbr, counts, pairs = lists
    nsteps, dt, ensemble, T0, tau_T, P0, tau_P, bulk_modulus, overlap2, resume_mid_step = ctl
    rlist = rc_max + skin
    d = len(dims)
    n = pos.shape[0]
    dof = d * (n - 1)
    box_min = 2.0 * (rc_max + skin)
    twok = kinetic_twice(vel, types, masses)
    npair = counts.sum()
    # forces on other threads' particles (partial_forces): at most one per pair
    acc = ForceSum(force, np.empty(pairs.shape[1], np.int32), np.empty((pairs.shape[1], d)), np.zeros((nt, 2), np.int64))
    builds = 0
    vscale = 1.0  # thermostat factor of the previous step, still to be applied to the velocities
    for step in range(nsteps):
        resuming = resume_mid_step and step == 0
        if ensemble == NPT and not resuming:
            # barostat first, with the pressure of the previous step's end state, so that the state
            # returned (positions, forces, U, W) is always self-consistent
            vol = 1.0
            for k in range(d):
                vol *= box[k]
            p = (twok + w) / (d * vol)
            mu = berendsen_mu(p, P0, dt, tau_P, bulk_modulus, d)
            for k in range(d):
                box[k] *= mu
            for i in range(n):
                for k in range(d):
                    pos[i, k] *= mu
            bmin = box[0]
            for k in range(d):
                bmin = min(bmin, box[k])
            if not (bmin > box_min and np.isfinite(bmin)):
                _scale(vel, vscale)
                return BOX_COLLAPSE, step, u, w, twok, builds, 0
        scale = box[0] / ref_box[0]
        if resuming:
            rebuild = True  # kick, drift and barostat of this step were done before the overflow
        else:
            limit = displacement_limit(scale, skin, rc_max)
            rebuild = kick_drift(dims, nt, atoms, dt, vscale, ref_pos, scale, limit) > 0.0
            vscale = 1.0
        if rebuild:
            wrap(dims, pos, box, image)
            start = sort_by_cell(dims, box, rlist, pos, vel, force, image, types, tag)
            need = build_sorted(dims, nt, pos, types, box, cut2, rlist, start, lists)
            if need > nbr.shape[1]:
                return OVERFLOW, step, u, w, twok, builds, need
            npair = counts.sum()
            # element by element, not ref_pos[:, :] = pos: see neighbour_list.half_stencil
            for i in range(n):
                for k in range(d):
                    ref_pos[i, k] = pos[i, k]
            for k in range(d):
                ref_box[k] = box[k]
            builds += 1
        u, w, r2min = partial_forces(dims, nt, params, pos, types, box, pairs, npair, acc)
        status = NONFINITE if not (np.isfinite(u) and np.isfinite(w)) else OVERLAP if r2min < overlap2 else OK
        if status != OK:
            add_spills(acc)  # hand back complete forces
            return status, step, u, w, twok, builds, 0
        twok = kick(dims, nt, atoms, acc, dt)
        if not np.isfinite(twok):
            return NONFINITE, step, u, w, twok, builds, 0
        if ensemble != NVE:
            lam = berendsen_lambda(twok / dof, T0, dt, tau_T)
            vscale = lam  # applied by the next step's kick_drift (or before returning)
            twok *= lam * lam
    _scale(vel, vscale)
    return OK, nsteps, u, w, twok, builds, 0


@njit(cache=True)
def _scale(vel, s):
    # v *= s (the thermostat factor left pending when run_steps returns)
    if s != 1.0:
        for i in range(vel.shape[0]):
            for k in range(vel.shape[1]):
                vel[i, k] *= s
