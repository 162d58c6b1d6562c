"""Shared fixtures of the MD tests: small equilibrated liquids of both models (module scope)."""

import numpy as np
import pytest

from scaledyn import md


def liquid(name: str, n: int, T: float, steps: int = 1500, seed: int = 7):
    """A small melted liquid of model ``name`` (NVT at T from a lattice melted at 2T)."""
    model = md.get_model(name, n=n)
    state = md.initial_state(model, T=2 * T, seed=seed)
    md.simulate(state, model, steps=steps, ensemble="nvt", T=T)
    return model, state


@pytest.fixture(scope="session")
def binary_liquid():
    return liquid("binary3d", 300, 1.0)


@pytest.fixture(scope="session")
def hump_liquid():
    return liquid("hump2d", 256, 0.5)


@pytest.fixture(params=["binary3d", "hump2d"])
def any_liquid(request, binary_liquid, hump_liquid):
    model, state = binary_liquid if request.param == "binary3d" else hump_liquid
    return model, state.copy()


@pytest.fixture
def rng():
    return np.random.default_rng(12345)
