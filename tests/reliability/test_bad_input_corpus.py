"""A corpus of hostile but realistic inputs to the public API and both command lines.

Every case must end in a clear error — ValueError/TypeError (or the module's own error class) from
the API, a one-line ``error:`` exit from a command line — whose message names the offending
argument or file. No hang (the alarm of ``conftest.py``), no traceback, no silent result. The count
of cases is asserted at the end so the corpus cannot shrink unnoticed.
"""

import json
import os
import re
import subprocess
import sys
from types import SimpleNamespace

import numpy as np
import pytest

from scaledyn import md
from scaledyn.analysis import free_energy, isf, order, species
from scaledyn.campaign.__main__ import main as campaign_main
from scaledyn.md.__main__ import main as md_main
from scaledyn.md.trajectory import truncate_outputs

NAN = float("nan")
CASES = []


def case(name, error, match):
    """Register ``fn(ctx)`` as a case that must raise ``error`` with a message matching ``match``."""
    def register(fn):
        CASES.append(pytest.param(fn, error, match, id=name))
        return fn
    return register


@pytest.fixture
def ctx(tiny, tmp_path, request, tiny_run_argv):
    model, state = tiny
    return SimpleNamespace(model=model, state=state.copy(), tmp=tmp_path, argv=tiny_run_argv,
                           run=lambda: request.getfixturevalue("run_copy"))


# --------------------------------------------------------------------------------------------------
# models


for name, kwargs, error, match in [
    ("model-name-not-str", dict(name=3), TypeError, "model name"),
    ("model-unknown", dict(name="lj3d"), ValueError, "unknown model"),
    ("model-n-too-small", dict(name="hump2d", n=5), ValueError, "too small"),
    ("model-n-float", dict(name="hump2d", n=100.5), TypeError, "^n must"),
    ("model-n-bool", dict(name="hump2d", n=True), TypeError, "^n must"),
    ("model-dt-nan", dict(name="hump2d", n=100, dt=NAN), ValueError, "dt"),
    ("model-dt-zero", dict(name="hump2d", n=100, dt=0.0), ValueError, "dt"),
    ("model-density-negative", dict(name="hump2d", n=100, density=-0.8), ValueError, "density"),
    ("model-skin-inf", dict(name="binary3d", n=300, skin=float("inf")), ValueError, "skin"),
    ("model-pressure-negative", dict(name="binary3d", n=300, pressure=-1.0), ValueError, "pressure"),
]:
    case(name, error, match)(lambda ctx, kw=kwargs: md.get_model(**kw))


for name, changes, match in [
    ("with-mass-zero", dict(masses=(0.0,)), "masses"),
    ("with-mass-negative", dict(masses=(-1.0,)), "masses"),
    ("with-mass-nan", dict(masses=(NAN,)), "masses"),
    ("with-masses-wrong-length", dict(masses=(1.0, 1.0)), "masses"),
    ("with-fractions-not-one", dict(type_fractions=(0.7,)), "type_fractions"),
    ("with-fractions-negative", dict(type_fractions=(-1.0,)), "type_fractions"),
    ("with-ensemble-unknown", dict(ensemble="nph"), "ensemble"),
    ("with-npt-without-pressure", dict(ensemble="npt"), "pressure"),
    ("with-dim-4", dict(dim=4), "dim"),
    ("with-skin-zero", dict(skin=0.0), "skin"),
    ("with-params-shape", dict(params=np.ones((2, 2, 3))), "params"),
]:
    case(name, ValueError, match)(lambda ctx, ch=changes: ctx.model.with_(**ch))


@case("binary-fractions-sum", ValueError, "type_fractions")
def _(ctx):
    md.binary3d(n=300).with_(type_fractions=(0.3, 0.3))


# --------------------------------------------------------------------------------------------------
# states and the driver


for name, call, error, match in [
    ("initial-T-negative", lambda c: md.initial_state(c.model, T=-1.0), ValueError, "^T must"),
    ("initial-T-nan", lambda c: md.initial_state(c.model, T=NAN), ValueError, "^T must"),
    ("initial-T-str", lambda c: md.initial_state(c.model, T="hot"), TypeError, "^T must"),
    ("initial-model-not-model", lambda c: md.initial_state("hump2d"), TypeError, "model"),
    ("initial-kind-unknown", lambda c: md.initial_state(c.model, kind="fcc"), ValueError, "kind"),
    ("initial-density-zero", lambda c: md.initial_state(c.model, density=0.0), ValueError, "density"),
    ("simulate-steps-negative", lambda c: md.simulate(c.state, c.model, steps=-1, T=0.5), ValueError, "steps"),
    ("simulate-steps-float", lambda c: md.simulate(c.state, c.model, steps=1.5, T=0.5), TypeError, "steps"),
    ("simulate-max-chunk-zero", lambda c: md.simulate(c.state, c.model, steps=5, T=0.5, max_chunk=0),
     ValueError, "max_chunk"),
    ("simulate-max-chunk-negative", lambda c: md.simulate(c.state, c.model, steps=5, T=0.5, max_chunk=-3),
     ValueError, "max_chunk"),
    ("simulate-T-missing", lambda c: md.simulate(c.state, c.model, steps=1), ValueError, "^T must"),
    ("simulate-T-inf", lambda c: md.simulate(c.state, c.model, steps=1, T=float("inf")), ValueError, "^T must"),
    ("simulate-ensemble-unknown", lambda c: md.simulate(c.state, c.model, steps=1, T=0.5, ensemble="nph"),
     ValueError, "ensemble"),
    ("simulate-threads-zero", lambda c: md.simulate(c.state, c.model, steps=1, T=0.5, threads=0),
     ValueError, "threads"),
    ("simulate-threads-too-many", lambda c: md.simulate(c.state, c.model, steps=1, T=0.5, threads=10**6),
     ValueError, "threads"),
    ("simulate-other-model", lambda c: md.simulate(c.state, md.get_model("hump2d", n=200), steps=1, T=0.5),
     ValueError, "N=100"),
    ("simulate-bad-observer", lambda c: md.simulate(c.state, c.model, steps=1, T=0.5, observers=[object()]),
     TypeError, "observer"),
    ("simulate-state-not-state", lambda c: md.simulate("state", c.model, steps=1, T=0.5), TypeError, "state"),
    ("log-schedule-zero", lambda c: md.log_schedule(0, 10), ValueError, "total"),
    ("schedule-every-zero", lambda c: md.Schedule(every=0), ValueError, "every"),
]:
    case(name, error, match)(call)


@case("coincident-particles", ValueError, "coincide")
def _(ctx):
    ctx.state.pos[1] = ctx.state.pos[0]
    md.compute_forces(ctx.state, ctx.model)


@case("blow-up", md.SimulationError, "blew up at step")
def _(ctx):
    md.simulate(ctx.state, ctx.model.with_(dt=0.2), steps=2000, T=5.0)


# --------------------------------------------------------------------------------------------------
# checkpoints: damaged and crafted files


def crafted(ctx, change):
    """A valid checkpoint of ``ctx.state``, then ``change(arrays, meta, model_record)`` applied."""
    path = ctx.tmp / "ck.npz"
    md.save_checkpoint(path, ctx.state, ctx.model)
    with np.load(path) as z:
        data = {k: z[k] for k in z.files}
    meta, rec = json.loads(str(data["meta"])), json.loads(str(data["model"]))
    change(data, meta, rec)
    data["meta"], data["model"] = np.array(json.dumps(meta)), np.array(json.dumps(rec))
    np.savez(path, **data)
    md.load_checkpoint(path)


def setitem(where, key, value):
    def change(data, meta, rec):
        {"data": data, "meta": meta, "rec": rec}[where][key] = value(data) if callable(value) else value
    return change


for name, change, match in [
    ("ck-skin-negative", setitem("meta", "skin", -0.3), "skin"),
    ("ck-skin-nan", setitem("meta", "skin", NAN), "skin"),
    ("ck-step-negative", setitem("meta", "step", -5), "step"),
    ("ck-step-float", setitem("meta", "step", 2.5), "step"),
    ("ck-builds-negative", setitem("meta", "builds", -1), "builds"),
    ("ck-type-out-of-range", setitem("data", "types", lambda d: d["types"] + 3), "type indices"),
    ("ck-types-float", setitem("data", "types", lambda d: d["types"] + 0.5), "types"),
    ("ck-box-zero", setitem("data", "box", lambda d: 0 * d["box"]), "box"),
    ("ck-box-too-small", setitem("data", "box", lambda d: 0.3 * d["box"]), "box"),
    ("ck-cut2-shape", setitem("data", "nl_cut2", np.ones((2, 2))), "cut-offs"),
    ("ck-cut2-values", setitem("data", "nl_cut2", lambda d: 0.5 * d["nl_cut2"]), "cut-offs"),
    ("ck-vel-nan", setitem("data", "vel", lambda d: d["vel"] * NAN), "vel"),
    ("ck-pos-shape", setitem("data", "pos", lambda d: d["pos"][:50]), "pos"),
    ("ck-tag-duplicate", setitem("data", "tag", lambda d: 0 * d["tag"]), "tag"),
    ("ck-nbr-out-of-range", setitem("data", "nl_nbr", lambda d: d["nl_nbr"] + 10**6), "neighbour list"),
    ("ck-version", setitem("meta", "version", 99), "version"),
    ("ck-model-mass-zero", setitem("rec", "masses", [0.0]), "masses"),
    ("ck-model-fields", setitem("rec", "colour", "red"), "fields"),
]:
    case(name, md.CheckpointError, r"checkpoint \S*ck\.npz.*" + match)(lambda ctx, ch=change: crafted(ctx, ch))


@case("ck-garbage", md.CheckpointError, r"ck\.npz.*corrupt")
def _(ctx):
    (ctx.tmp / "ck.npz").write_bytes(b"\x00garbage")
    md.load_checkpoint(ctx.tmp / "ck.npz")


@case("ck-missing", md.CheckpointError, r"ck\.npz does not exist")
def _(ctx):
    md.load_checkpoint(ctx.tmp / "ck.npz")


@case("ck-truncated", md.CheckpointError, r"ck\.npz.*corrupt")
def _(ctx):
    path = md.save_checkpoint(ctx.tmp / "ck.npz", ctx.state, ctx.model)
    path.write_bytes(path.read_bytes()[:500])
    md.load_checkpoint(path)


@case("truncate-foreign-thermo", ValueError, r"thermo\.csv is not a thermo log")
def _(ctx):
    (ctx.tmp / "thermo.csv").write_text("a,b\n1,2\n")
    truncate_outputs(ctx.tmp, 10)


@case("truncate-corrupt-gsd", ValueError, r"traj\.gsd")
def _(ctx):
    (ctx.tmp / "traj.gsd").write_bytes(os.urandom(256))
    truncate_outputs(ctx.tmp, 10)


# --------------------------------------------------------------------------------------------------
# analysis


BOX2 = np.array([10.0, 10.0])
for name, call, error, match in [
    ("hexatic-no-particles", lambda c: order.hexatic_order(np.zeros((0, 2)), BOX2), ValueError, "pos"),
    ("hexatic-nan", lambda c: order.hexatic_order(np.full((4, 2), NAN), BOX2), ValueError, "pos"),
    ("hexatic-3d-positions", lambda c: order.hexatic_order(np.ones((4, 3)), BOX2), ValueError, "pos"),
    ("hexatic-rcut-negative", lambda c: order.hexatic_order(np.ones((4, 2)), BOX2, rcut=-1.0), ValueError, "rcut"),
    ("hexatic-box-small", lambda c: order.hexatic_order(np.ones((4, 2)), [2.0, 2.0]), ValueError, "box"),
    ("fit-F-one-temperature", lambda c: free_energy.fit_free_energies([0.5], [[1.0, 2.0]]), ValueError, "^T must"),
    ("fit-F-rows", lambda c: free_energy.fit_free_energies([0.5, 0.6, 0.7], np.ones((2, 2))), ValueError, "^F must"),
    ("fit-F-negative-T", lambda c: free_energy.fit_free_energies([-0.5, 0.6], np.ones((2, 2))), ValueError, "^T must"),
    ("tau-alpha-decreasing-t", lambda c: isf.tau_alpha([0.0, 2.0, 1.0], [1.0, 0.5, 0.1]), ValueError, "^t must"),
    ("tau-alpha-lengths", lambda c: isf.tau_alpha([0.0, 1.0, 2.0], [1.0, 0.5]), ValueError, "fs and t"),
    ("species-types-out-of-range", lambda c: species.species_index([3, 4], [0, 5], species.binary3d_scheme()),
     ValueError, "types"),
    ("species-positions-columns", lambda c: species.snapshot_concentrations(np.ones((4, 3)), BOX2, None,
                                                                           species.hump2d_scheme()),
     ValueError, "positions"),
]:
    case(name, error, match)(call)


@case("read-isf-foreign-csv", ValueError, r"fs\.csv is not an F_s")
def _(ctx):
    (ctx.tmp / "fs.csv").write_text("step,time,T\n1,2,3\n")
    isf.read_isf(ctx.tmp / "fs.csv")


@case("read-isf-binary", ValueError, r"fs\.csv is not an F_s")
def _(ctx):
    (ctx.tmp / "fs.csv").write_bytes(bytes(range(256)))
    isf.read_isf(ctx.tmp / "fs.csv")


# --------------------------------------------------------------------------------------------------
# the run command line


def run_cli(ctx, *argv, out=None):
    """``python -m scaledyn.md run`` in this process; returns the SystemExit message."""
    out = ctx.tmp / "o" if out is None else out
    md_main(["run", *ctx.argv, *map(str, argv), "--out", str(out)])


for name, argv, match in [
    ("run-seed-negative", ["--steps", "10", "--seed", "-1"], "--seed: must be >= 0"),
    ("run-melt-steps-negative", ["--steps", "10", "--melt-steps", "-1"], "--melt-steps: must be >= 0"),
    ("run-steps-zero", ["--steps", "0"], "--steps: must be > 0"),
    ("run-T-nan", ["--steps", "10", "--T", "nan"], "--T: must be > 0"),
    ("run-dt-text", ["--steps", "10", "--dt", "fast"], "--dt: not a valid float"),
    ("run-two-samplings", ["--steps", "10", "--log-block", "10"], "at most one of --sample-every and --log-block"),
    ("run-pressure-on-nvt", ["--steps", "10", "--pressure", "5"], "--pressure applies to NPT models only"),
    ("run-n-too-small", ["--steps", "10", "--n", "5"], "too small"),
    ("run-blow-up", ["--steps", "3000", "--dt", "0.2", "--melt-steps", "0"], "blew up at step"),
    ("run-resume-nothing", ["--steps", "10", "--resume"], r"checkpoint\.npz does not exist"),
]:
    case(name, SystemExit, match)(lambda ctx, a=argv: run_cli(ctx, *a))


@case("run-out-is-a-file", SystemExit, "cannot write the run in .*o")
def _(ctx):
    (ctx.tmp / "o").write_text("a file")
    run_cli(ctx, "--steps", "10")


@case("run-out-below-a-file", SystemExit, "cannot write the run in .*f/o")
def _(ctx):
    (ctx.tmp / "f").write_text("a file")
    run_cli(ctx, "--steps", "10", out=ctx.tmp / "f" / "o")


@case("run-out-read-only-fs", SystemExit, "cannot write the run in /proc/")
def _(ctx):
    run_cli(ctx, "--steps", "10", out="/proc/scaledyn-run")


@case("run-disk-full", SystemExit, "No space left on device")
def _(ctx):
    mnt = ctx.tmp / "full"
    mnt.mkdir()
    if os.geteuid() != 0 or subprocess.run(["mount", "-t", "tmpfs", "-o", "size=40k", "tmpfs", str(mnt)],
                                           capture_output=True).returncode:
        pytest.skip("needs root and tmpfs to fill a disk")
    try:
        run_cli(ctx, "--steps", "2000", "--sample-every", "1", out=mnt / "o")
    finally:
        subprocess.run(["umount", "-l", str(mnt)], check=False)  # lazy: a handle left open must not block


@case("run-clobber", SystemExit, r"checkpoint\.npz exists; use --resume")
def _(ctx):
    run_cli(ctx, "--steps", "100", out=ctx.run())


for name, argv, match in [
    ("resume-other-T", ["--T", "0.6"], "T 0.5 -> 0.6"),
    ("resume-other-n", ["--n", "120"], "n 100 -> 120"),
    ("resume-other-dt", ["--dt", "0.004"], "dt 0.005 -> 0.004"),
    ("resume-other-seed", ["--seed", "3"], "seed 0 -> 3"),
    ("resume-other-sampling", ["--sample-every", "30"], "sample_every 20 -> 30"),
    ("resume-other-model", ["--model", "binary3d", "--n", "300"], "model 'hump2d' -> 'binary3d'"),
    ("resume-fewer-steps", ["--steps", "60"], "beyond --steps 60"),
]:
    case(name, SystemExit, match)(lambda ctx, a=argv: run_cli(ctx, "--steps", "100", "--resume", *a, out=ctx.run()))


def damage_and_resume(name, damage):
    def fn(ctx):
        out = ctx.run()
        damage(out)
        run_cli(ctx, "--steps", "120", "--resume", out=out)
    return fn


for name, damage, match in [
    ("resume-corrupt-checkpoint", lambda o: (o / "checkpoint.npz").write_bytes(b"junk"), r"checkpoint\.npz.*corrupt"),
    ("resume-corrupt-run-json", lambda o: (o / "run.json").write_text("{"), r"run\.json is corrupt"),
    ("resume-missing-run-json", lambda o: (o / "run.json").unlink(), r"run\.json is corrupt or unreadable"),
    ("resume-binary-thermo", lambda o: (o / "thermo.csv").write_bytes(os.urandom(300)), r"thermo\.csv"),
    ("resume-corrupt-gsd", lambda o: (o / "traj.gsd").write_bytes(b"GSD" + os.urandom(300)), r"traj\.gsd"),
]:
    case(name, SystemExit, match)(damage_and_resume(name, damage))


@case("run-locked-out", SystemExit, r"lock is held by another running job")
def _(ctx):
    out = ctx.run()
    with md.state.FolderLock(out):
        run_cli(ctx, "--steps", "120", "--resume", out=out)


# --------------------------------------------------------------------------------------------------
# the campaign command line


def campaign(ctx, *argv):
    campaign_main(["hump2d", "--quick", "--workers", "0", "--threads", "1", *map(str, argv),
                   "--out", str(ctx.tmp / "c"), "--workdir", str(ctx.tmp / "w")])


for name, argv, match in [
    ("campaign-T-zero", ["--T", "0"], "--T: must be > 0"),
    ("campaign-workers-negative", ["--workers", "-1"], "--workers must be >= 0"),
    ("campaign-threads-zero", ["--threads", "0"], "--threads: must be > 0"),
    ("campaign-anchors-odd", ["--tau-anchors", "0.5", "10", "0.4"], "--tau-anchors takes pairs"),
    ("campaign-budget-negative", ["--step-budget", "-5"], "--step-budget must be >= 0"),
    ("campaign-k-inf", ["--k", "inf"], "--k: must be > 0"),
]:
    case(name, SystemExit, match)(lambda ctx, a=argv: campaign(ctx, *a))


@case("campaign-out-is-a-file", SystemExit, r"error: .*c")
def _(ctx):
    (ctx.tmp / "c").write_text("a file")
    campaign(ctx, "--T", "0.5")


@case("campaign-corrupt-manifest", SystemExit, r"manifest\.json is corrupt")
def _(ctx):
    (ctx.tmp / "c").mkdir()
    (ctx.tmp / "c" / "manifest.json").write_text("{not json")
    campaign(ctx, "--T", "0.5")


@case("campaign-reanalyse-corrupt-trajectory", SystemExit, r"traj\.gsd")
def _(ctx):
    model, state = ctx.model, ctx.state
    prod = ctx.tmp / "w" / "T0.5000" / "prod"
    md.save_checkpoint(prod / "checkpoint.npz", state, model, {"target": 0, "block": 10, "extensions": 0,
                                                                "species_every": 10})
    (prod / "traj.gsd").write_bytes(b"GSD" + os.urandom(300))
    (prod / "thermo.csv").write_text("step\n")
    campaign(ctx, "--T", "0.5", "--reanalyse")


@pytest.mark.parametrize("fn,error,match", CASES)
def test_bad_input_is_a_clear_error(fn, error, match, ctx, capsys, no_hang):
    with pytest.raises(error) as info:
        fn(ctx)
    if error is SystemExit:
        message = str(info.value.code) + capsys.readouterr().err
        assert info.value.code not in (0, None), "a command line accepted bad input"
        assert "Traceback" not in message
    else:
        message = str(info.value)
    assert re.search(match, message, re.MULTILINE), message


def test_the_corpus_is_large():
    assert len(CASES) >= 60


@pytest.mark.parametrize("argv,match", [
    (["--steps", "10", "--seed", "-1"], "--seed: must be >= 0"),
    (["--steps", "3000", "--dt", "0.2", "--melt-steps", "0"], "blew up"),
])
def test_command_lines_print_no_traceback(argv, match, tmp_path, tiny_run_argv):
    """In a real process: the message on stderr, exit status != 0, no traceback."""
    proc = subprocess.run([sys.executable, "-m", "scaledyn.md", "run", *tiny_run_argv, *argv, "--out",
                           str(tmp_path / "o")], capture_output=True, text=True, timeout=120,
                          env=dict(os.environ, NUMBA_NUM_THREADS="1"))
    assert proc.returncode != 0 and match in proc.stderr and "Traceback" not in proc.stderr, proc.stderr


def test_campaign_command_line_prints_no_traceback(tmp_path):
    """An --out that is a file: a one-line error from a real process, exit status 1."""
    (tmp_path / "c").write_text("a file")
    proc = subprocess.run([sys.executable, "-m", "scaledyn.campaign", "hump2d", "--quick", "--T", "0.5",
                           "--workers", "0", "--out", str(tmp_path / "c"), "--workdir", str(tmp_path / "w")],
                          capture_output=True, text=True, timeout=120, env=dict(os.environ, NUMBA_NUM_THREADS="1"))
    assert proc.returncode == 1 and "error: " in proc.stderr and "Traceback" not in proc.stderr, proc.stderr
