"""Shared pieces of the reliability tests: a per-test alarm (a hang fails instead of blocking the
suite), a tiny model and state, and a finished tiny ``run`` to resume from."""

import shutil
import signal

import pytest

from scaledyn import md
from scaledyn.md.__main__ import main as md_main

#: seconds before a single bad-input case counts as a hang
HANG_SECONDS = 60

TINY_RUN = ["--model", "hump2d", "--n", "100", "--T", "0.5", "--melt-steps", "50", "--thermo-every", "20",
            "--sample-every", "20", "--checkpoint-every", "40", "--no-progress"]


@pytest.fixture(scope="session")
def tiny_run_argv():
    """Options of a tiny ``run`` (hump2d, 100 particles): add --steps and --out."""
    return list(TINY_RUN)


class Hang(Exception):
    pass


@pytest.fixture
def no_hang():
    """Fail a test that takes longer than HANG_SECONDS (SIGALRM; the main thread only)."""
    def alarm(signum, frame):
        raise Hang(f"no answer within {HANG_SECONDS} s: a hang")
    previous = signal.signal(signal.SIGALRM, alarm)
    signal.alarm(HANG_SECONDS)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, previous)


@pytest.fixture(scope="session")
def tiny():
    """``(model, state)``: hump2d with 100 particles on its lattice (no MD)."""
    model = md.get_model("hump2d", n=100)
    return model, md.initial_state(model, T=0.5, seed=1)


@pytest.fixture(scope="session")
def finished_run(tmp_path_factory):
    """A finished 100-step ``run`` (copy it before changing it)."""
    out = tmp_path_factory.mktemp("finished") / "run"
    assert md_main(["run", *TINY_RUN, "--steps", "100", "--out", str(out)]) == 0
    return out


@pytest.fixture
def run_copy(finished_run, tmp_path):
    out = tmp_path / "run"
    shutil.copytree(finished_run, out)
    return out
