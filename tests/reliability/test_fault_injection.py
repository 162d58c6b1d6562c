"""Fault injection: SIGKILL the ``run`` command line and a campaign at random moments — after a random
delay, or from inside the k-th file write (after its fsync, before its rename: the temporary file is
orphaned) or right after the k-th rename — then rerun the same command until the run is complete.

The final outputs must be bitwise equal to those of an uninterrupted run, every checkpoint left by
a kill must load, and no temporary ``*.tmp`` file may remain. Resumes are killed too, so kills land
inside the resume's rewrite of ``thermo.csv`` / ``traj.gsd`` (its first two renames) and inside
checkpoint writes. Tiny systems, one Numba thread (bitwise reproducibility needs the same count).
"""

import json
import os
import signal
import subprocess
import sys
import time

import gsd.hoomd
import numpy as np
import pytest

from scaledyn import md

#: the child: optionally SIGKILL itself at the k-th fsync (inside a write) or k-th os.replace
CHILD = r"""
import os, signal, sys
mode, k = sys.argv[1], int(sys.argv[2])
calls = [0]
def hook(original, before):
    def wrapped(*a, **kw):
        calls[0] += 1
        if before and calls[0] == k:
            os.kill(os.getpid(), signal.SIGKILL)
        result = original(*a, **kw)
        if not before and calls[0] == k:
            os.kill(os.getpid(), signal.SIGKILL)
        return result
    return wrapped
if mode == "fsync":
    os.fsync = hook(os.fsync, before=False)  # data written, not yet renamed: the .tmp is orphaned
elif mode == "replace":
    os.replace = hook(os.replace, before=False)
import runpy
sys.argv = [sys.argv[3]] + sys.argv[4:]
runpy.run_module(sys.argv[0], run_name="__main__", alter_sys=True)
"""

ENV = dict(os.environ, NUMBA_NUM_THREADS="1")
RUN = ["run", "--model", "hump2d", "--n", "100", "--T", "0.5", "--steps", "600", "--melt-steps", "100",
       "--thermo-every", "50", "--sample-every", "50", "--checkpoint-every", "100", "--no-progress"]
CAMPAIGN = ["hump2d", "--quick", "--T", "0.5", "--workers", "0", "--threads", "1"]


def launch(module, argv, mode="none", k=0):
    cmd = [sys.executable, "-c", CHILD, mode, str(k), module, *map(str, argv)]
    return subprocess.Popen(cmd, env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


def run_to_end(module, argv):
    proc = launch(module, argv)
    _, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err
    return proc


def kill_somehow(module, argv, rng, t_ref, tally):
    """Start the command and kill it one of three ways; True if it died by SIGKILL (``tally`` counts
    the kills by way)."""
    how = str(rng.choice(["delay", "fsync", "replace"]))
    proc = launch(module, argv, how, rng.integers(1, 8))
    if how == "delay":
        try:
            proc.wait(timeout=rng.uniform(0.3, 1.0) * t_ref)
        except subprocess.TimeoutExpired:
            proc.kill()
    _, err = proc.communicate(timeout=300)
    assert proc.returncode in (0, -signal.SIGKILL), err  # a kill, or it finished first: never an error
    killed = proc.returncode == -signal.SIGKILL
    tally[how] = tally.get(how, 0) + killed
    return killed


def gsd_frames(path):
    with gsd.hoomd.open(path, "r") as fh:
        return [(f.configuration.step, f.configuration.box.tobytes(), f.particles.position.tobytes(),
                 f.particles.image.tobytes(), f.particles.velocity.tobytes(), f.particles.typeid.tobytes())
                for f in fh]


def checkpoint_arrays(path):
    with np.load(path) as z:
        data = {k: z[k].tobytes() for k in z.files if k != "meta"}
        meta = json.loads(str(z["meta"]))
    return data, meta


def assert_same_run(a, b):
    """Bitwise-equal thermo log, trajectory frames and final checkpoint; no temporary file left."""
    assert (a / "thermo.csv").read_bytes() == (b / "thermo.csv").read_bytes()
    assert gsd_frames(a / "traj.gsd") == gsd_frames(b / "traj.gsd")
    assert checkpoint_arrays(a / "checkpoint.npz") == checkpoint_arrays(b / "checkpoint.npz")
    assert not list(b.rglob("*.tmp")), sorted(b.rglob("*.tmp"))


def loadable_if_present(ckpt):
    if ckpt.exists():
        md.load_checkpoint(ckpt)  # a kill never leaves a torn checkpoint


@pytest.mark.slow
def test_killed_run_cli_resumes_bitwise(tmp_path):
    rng = np.random.default_rng(2026)
    ref, out = tmp_path / "ref", tmp_path / "out"
    t0 = time.monotonic()
    run_to_end("scaledyn.md", [*RUN, "--out", ref])
    t_ref = time.monotonic() - t0
    kills, tally = 0, {}
    while kills < 16:
        resume = ["--resume"] if (out / "checkpoint.npz").exists() else []
        kills += kill_somehow("scaledyn.md", [*RUN, "--out", out, *resume], rng, t_ref, tally)
        loadable_if_present(out / "checkpoint.npz")
    run_to_end("scaledyn.md", [*RUN, "--out", out, *(["--resume"] if (out / "checkpoint.npz").exists() else [])])
    assert_same_run(ref, out)
    print("run CLI kills by way:", tally)
    assert tally.get("fsync") and tally.get("replace")  # kills inside writes did happen


@pytest.mark.slow
def test_killed_campaign_finishes_bitwise(tmp_path):
    rng = np.random.default_rng(21)
    argv = lambda o, w: [*CAMPAIGN, "--out", o, "--workdir", w]  # noqa: E731
    t0 = time.monotonic()
    run_to_end("scaledyn.campaign", argv(tmp_path / "ref", tmp_path / "wref"))
    t_ref = time.monotonic() - t0
    out, work = tmp_path / "out", tmp_path / "work"
    kills, tally = 0, {}
    while kills < 4:
        kills += kill_somehow("scaledyn.campaign", argv(out, work), rng, t_ref, tally)
        for phase in ("equil", "prod"):
            loadable_if_present(work / "T0.5000" / phase / "checkpoint.npz")
    run_to_end("scaledyn.campaign", argv(out, work))
    a, b = tmp_path / "ref" / "T0.5000", out / "T0.5000"
    for name in ("fs.csv", "species.csv"):
        assert (a / name).read_bytes() == (b / name).read_bytes()
    with np.load(a / "config.npz") as za, np.load(b / "config.npz") as zb:
        assert all(np.array_equal(za[k], zb[k]) for k in za.files)
    # the steps run per thread count belong to the last session, which the kills cut short
    volatile = ("wall_seconds_last_session", "finished", "code", "steps_by_threads_last_session")
    sa, sb = (json.loads((p / "summary.json").read_text()) for p in (a, b))
    assert {k: v for k, v in sa.items() if k not in volatile} == {k: v for k, v in sb.items() if k not in volatile}
    assert_same_run(tmp_path / "wref" / "T0.5000" / "prod", work / "T0.5000" / "prod")
    assert not list(out.rglob("*.tmp")) and not list(work.rglob("*.tmp"))
    print("campaign kills by way:", tally)
