"""The command line: a run with checkpoints, its resume, and clear rejection of bad input."""

import csv
import json

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


@pytest.mark.parametrize("argv,message", [
    (["--model", "lj3d", "--T", "1", "--steps", "10"], "invalid choice"),
    (["--model", "hump2d", "--T", "0", "--steps", "10"], "must be > 0"),
    (["--model", "hump2d", "--T", "-1", "--steps", "10"], "must be > 0"),
    (["--model", "hump2d", "--T", "1", "--steps", "10", "--density", "-0.8"], "must be > 0"),
    (["--model", "hump2d", "--T", "1", "--steps", "10", "--n", "5"], "too small"),
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
