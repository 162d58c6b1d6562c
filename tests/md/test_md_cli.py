"""The command line: a run with checkpoints, its resume, and clear rejection of bad input."""

import csv
import json

import numba
import numpy as np
import pytest

from scaledyn import md
from scaledyn.md.__main__ import main


def run(*argv):
    return main(["run", *map(str, argv)])


def test_cli_run_and_resume_bitwise(tmp_path):
    common = ["--model", "hump2d", "--n", "100", "--T", "0.5", "--melt-steps", "200", "--thermo-every", "50",
              "--sample-every", "100", "--checkpoint-every", "200", "--no-progress"]
    full, part = tmp_path / "full", tmp_path / "part"
    run(*common, "--steps", "600", "--out", full)
    run(*common, "--steps", "400", "--out", part)
    run(*common, "--steps", "600", "--out", part, "--resume")
    a, _, _ = md.load_checkpoint(full / "checkpoint.npz")
    b, _, _ = md.load_checkpoint(part / "checkpoint.npz")
    assert a.step == b.step == 600
    assert np.array_equal(a.pos, b.pos) and np.array_equal(a.vel, b.vel)
    rows_a = list(csv.reader((full / "thermo.csv").open()))
    rows_b = list(csv.reader((part / "thermo.csv").open()))
    assert rows_a == rows_b and len(rows_a) == 1 + 13
    steps, _, _ = md.read_unwrapped(part / "traj.gsd")
    assert list(steps) == list(range(0, 601, 100))
    manifest = json.loads((full / "run.json").read_text())
    assert manifest["model"] == "hump2d" and manifest["dt"] == 0.005 and manifest["T"] == 0.5
    # auto threads by default; the steps run on each count are recorded (melt + production)
    assert manifest["thread_choice"] == "auto" and sum(manifest["steps_by_threads"].values()) == 200 + 600
    assert sum(json.loads((part / "run.json").read_text())["steps_by_threads"].values()) == 200


def test_cli_fixed_threads_equal_auto_bitwise(tmp_path):
    # auto mode splits the work into NUMBA_NUM_THREADS parts whatever it runs on: bitwise --threads max
    nmax = numba.config.NUMBA_NUM_THREADS
    common = ["--model", "hump2d", "--n", "100", "--T", "0.5", "--melt-steps", "100", "--steps", "300", "--no-progress"]
    run(*common, "--out", tmp_path / "auto")
    run(*common, "--out", tmp_path / "fixed", "--threads", nmax)
    a, _, _ = md.load_checkpoint(tmp_path / "auto" / "checkpoint.npz")
    b, _, _ = md.load_checkpoint(tmp_path / "fixed" / "checkpoint.npz")
    assert np.array_equal(a.pos, b.pos) and np.array_equal(a.vel, b.vel)
    fixed = json.loads((tmp_path / "fixed" / "run.json").read_text())
    assert fixed["thread_choice"] == "fixed" and fixed["steps_by_threads"] == {str(nmax): 400}
    assert numba.get_num_threads() == nmax  # the CLI restores the process's setting


@pytest.mark.parametrize("argv,message", [
    (["--model", "lj3d", "--T", "1", "--steps", "10"], "invalid choice"),
    (["--model", "hump2d", "--T", "0", "--steps", "10"], "must be > 0"),
    (["--model", "hump2d", "--T", "-1", "--steps", "10"], "must be > 0"),
    (["--model", "hump2d", "--T", "1", "--steps", "10", "--density", "-0.8"], "must be > 0"),
    (["--model", "hump2d", "--T", "1", "--steps", "10", "--n", "5"], "too small"),
    (["--model", "hump2d", "--T", "1", "--steps", "10", "--threads", "0"], "must be > 0"),
    (["--model", "hump2d", "--T", "1", "--steps", "10", "--threads", "two"], "--threads"),
    (["--model", "hump2d", "--T", "1", "--steps", "10", "--threads", "999"], "NUMBA_NUM_THREADS"),
])
def test_cli_rejects_bad_input(argv, message, tmp_path, capsys):
    with pytest.raises(SystemExit) as err:
        run(*argv, "--out", tmp_path / "o")
    text = str(err.value.code) + capsys.readouterr().err
    assert message in text


def test_cli_rejects_corrupt_checkpoint_and_clobbering(tmp_path, capsys):
    out = tmp_path / "o"
    out.mkdir()
    (out / "checkpoint.npz").write_bytes(b"\x00garbage")
    args = ["--model", "hump2d", "--T", "0.5", "--steps", "10", "--out", out]
    with pytest.raises(SystemExit, match="corrupt"):
        run(*args, "--resume")
    with pytest.raises(SystemExit, match="exists"):
        run(*args)


def test_old_campaign_spelling_names_the_new_command(capsys):
    with pytest.raises(SystemExit) as err:
        main(["campaign", "hump2d", "--quick", "--out", "x"])
    assert "python -m scaledyn.campaign hump2d --quick --out x" in str(err.value.code)


COMMON = ["--model", "hump2d", "--n", "100", "--T", "0.5", "--melt-steps", "100", "--thermo-every", "50",
          "--sample-every", "50", "--checkpoint-every", "1000", "--no-progress", "--steps", "200"]


def thermo_steps(out):
    return [int(r["step"]) for r in csv.DictReader((out / "thermo.csv").open())]


def test_resume_after_a_kill_before_the_first_periodic_checkpoint(tmp_path, monkeypatch):
    """Killed right after the step-0 output (only the step-0 checkpoint exists): the resume writes
    step 0 once, and the outputs equal those of an uninterrupted run."""
    import scaledyn.md.__main__ as cli

    ref, out = tmp_path / "ref", tmp_path / "out"
    run(*COMMON, "--out", ref)
    real = cli.simulate

    def killed(state, model, *, observers=(), **kw):
        if observers:  # production: fire the step-0 observers, then die
            for ob in observers:
                if ob.next_step(0) == 0:
                    ob(state, model)
            raise KeyboardInterrupt
        return real(state, model, observers=observers, **kw)

    monkeypatch.setattr(cli, "simulate", killed)
    with pytest.raises(KeyboardInterrupt):
        run(*COMMON, "--out", out)
    monkeypatch.setattr(cli, "simulate", real)
    run(*COMMON, "--out", out, "--resume")
    assert thermo_steps(out) == thermo_steps(ref) == list(range(0, 201, 50))
    assert (out / "thermo.csv").read_bytes() == (ref / "thermo.csv").read_bytes()
    assert list(md.read_unwrapped(out / "traj.gsd")[0]) == list(range(0, 201, 50))


def test_a_restart_without_checkpoint_replaces_the_step_zero_output(tmp_path, monkeypatch):
    """Killed before any checkpoint (e.g. during the melt, after a first attempt wrote step 0): the
    same command again starts afresh instead of appending a second step 0."""
    out = tmp_path / "out"
    run(*COMMON, "--out", out)
    (out / "checkpoint.npz").unlink()
    run(*COMMON, "--out", out)
    assert thermo_steps(out) == list(range(0, 201, 50))


def test_outputs_follow_the_umask_and_orphaned_temporaries_go(tmp_path):
    """Files are 0644 under umask 022 (mkstemp alone gives 0600); a *.tmp left by a kill is removed by
    the next resume."""
    import os
    import stat

    old = os.umask(0o022)
    try:
        out = tmp_path / "out"
        run(*COMMON, "--out", out)
        for name in ("checkpoint.npz", "run.json", "thermo.csv", "traj.gsd"):
            assert stat.S_IMODE((out / name).stat().st_mode) == 0o644, name
        (out / "checkpoint.npz.x1y2.tmp").write_bytes(b"half a checkpoint")
        run(*COMMON, "--out", out, "--resume")
        assert not list(out.glob("*.tmp"))
        assert stat.S_IMODE((out / "thermo.csv").stat().st_mode) == 0o644  # kept through the rewrite
    finally:
        os.umask(old)


def test_truncation_drops_a_torn_row_and_later_output(tmp_path):
    """Rows after the checkpoint and a last row cut short by a kill go; a step-0 resume keeps none."""
    from scaledyn.md.trajectory import THERMO_FIELDS, truncate_outputs

    header = ",".join(THERMO_FIELDS)
    rows = [",".join([str(s)] + ["1.0"] * (len(THERMO_FIELDS) - 1)) for s in (0, 50, 100, 150)]
    (tmp_path / "thermo.csv").write_bytes("\r\n".join([header, *rows, "200,1.0,1."]).encode())
    truncate_outputs(tmp_path, 100)
    assert (tmp_path / "thermo.csv").read_bytes() == ("\r\n".join([header, *rows[:3]]) + "\r\n").encode()
    truncate_outputs(tmp_path, 0)
    assert (tmp_path / "thermo.csv").read_text().splitlines() == [header]


def test_a_kill_while_a_frame_is_written_loses_no_frame(tmp_path, monkeypatch):
    """The checkpoint of step s is written after the frame of step s: a kill in between (here: the
    frame write at step 100 dies) resumes from the previous checkpoint and writes that frame again."""
    from scaledyn.md import trajectory

    argv = [*COMMON, "--checkpoint-every", "100"]
    ref, out = tmp_path / "ref", tmp_path / "out"
    run(*argv, "--out", ref)
    real = trajectory.GSDWriter.__call__

    def dies_at_100(self, state, model):
        if state.step == 100:
            raise KeyboardInterrupt
        real(self, state, model)

    monkeypatch.setattr(trajectory.GSDWriter, "__call__", dies_at_100)
    with pytest.raises(KeyboardInterrupt):
        run(*argv, "--out", out)
    monkeypatch.setattr(trajectory.GSDWriter, "__call__", real)
    run(*argv, "--out", out, "--resume")
    assert list(md.read_unwrapped(out / "traj.gsd")[0]) == list(range(0, 201, 50))
    assert (out / "thermo.csv").read_bytes() == (ref / "thermo.csv").read_bytes()


def test_truncation_stops_at_a_frame_out_of_order(tmp_path):
    """Frames after the first one whose step does not increase (e.g. a second step 0 appended by an
    old restart) are dropped with it, not kept because their step is small."""
    import gsd.hoomd

    from scaledyn.md.trajectory import truncate_outputs

    with gsd.hoomd.open(tmp_path / "traj.gsd", "w") as fh:
        for step in (0, 50, 100, 0, 50):
            frame = gsd.hoomd.Frame()
            frame.configuration.step = step
            frame.configuration.box = [5, 5, 1, 0, 0, 0]
            frame.particles.N = 2
            frame.particles.position = np.full((2, 3), step / 100, np.float32)
            fh.append(frame)
    truncate_outputs(tmp_path, 100)
    with gsd.hoomd.open(tmp_path / "traj.gsd", "r") as fh:
        assert [int(f.configuration.step) for f in fh] == [0, 50, 100]
