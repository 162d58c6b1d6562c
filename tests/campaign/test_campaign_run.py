"""The campaign runner: end to end (--quick), resumability, interruption, atomic writes, bad input."""

import json
import math
import os

import numpy as np
import pytest

from scaledyn.analysis.isf import read_isf
from scaledyn.analysis.liquid_geometry import read_chi4
from scaledyn.md.trajectory import read_unwrapped
import scaledyn.campaign as cp
from scaledyn.campaign import runner, store
from scaledyn.campaign.__main__ import main

VOLATILE = ("wall_seconds_last_session", "finished", "code", "steps_by_threads_last_session", "thread_choice")


def quick(model="hump2d", **changes):
    return cp.quick_settings(model, **changes)


def summaries(out):
    return {p.parent.name: json.loads(p.read_text()) for p in sorted(out.glob("T*/summary.json"))}


def stable(summary):
    return {k: v for k, v in summary.items() if k not in VOLATILE}


def fs_of_large_particles_is_recomputed_independently(out, work, summary):
    """F_s(k, t) in fs.csv is that of the large particles (Eq. 2 of the paper), recomputed here by
    brute force from the scratch trajectory at a lag near τα: sin(kr)/(kr) averaged over the large
    particles and over every block-start origin. The small particles relax faster, so computing F_s
    for the wrong species (or all particles) misses by far more than rounding."""
    steps, pos, _ = read_unwrapped(work / "prod" / "traj.gsd")
    types = np.load(out / "config.npz")["types"]
    block, dt, k = summary["steps"]["block"], summary["dt"], summary["k"]
    curve = read_isf(out / "fs.csv")
    lag_steps = np.unique(steps % block)
    lag = lag_steps[np.argmin(np.abs(lag_steps * dt - summary["tau_alpha"]["value"]))]
    ref = {}
    for species in (0, 1):
        vals = []
        for o in np.flatnonzero(steps % block == 0):
            j = np.flatnonzero(steps == steps[o] + lag)
            if j.size:
                r = np.linalg.norm(pos[j[0]] - pos[o], axis=1)[types == species]
                vals.append(np.mean(np.sin(k * r) / (k * r)))
        ref[species] = np.mean(vals)
    row = np.argmin(np.abs(curve.t - lag * dt))
    assert curve.fs[row] == pytest.approx(ref[1], rel=1e-9)
    assert abs(ref[0] - ref[1]) > 20 * abs(curve.fs[row] - ref[1]) + 0.01


def test_quick_campaign_cli_end_to_end_then_nothing_redone(tmp_path, capsys):
    out, work = tmp_path / "out", tmp_path / "work"
    # a spawn pool of one single-threaded worker: the default executor path
    assert main(["binary3d", "--quick", "--out", out, "--workdir", work,
                 "--workers", "1", "--threads", "1"]) == 0
    assert "done 2" in capsys.readouterr().out
    summ = summaries(out)
    assert sorted(summ) == ["T0.8500", "T1.0000"]
    for name, s in summ.items():
        assert s["model"] == "binary3d" and s["n"] == 256 and s["ensemble"] == "npt"
        assert math.isfinite(s["tau_alpha"]["value"]) and 0.2 < s["tau_alpha"]["value"] < 3.0
        assert math.isfinite(s["tau_alpha"]["err"])
        assert s["k"] == 5.1 and s["fs_particles"].startswith("large")
        assert 0.7 < s["density"]["mean"] < 0.9 and s["density"]["err"] > 0
        for key in ("U", "E", "K", "P"):
            assert math.isfinite(s[key]["mean"]) and s[key]["err"] >= 0
        assert abs(sum(s["species"]["C"]) + s["species"]["other"] - 1.0) < 1e-9
        # the whole neighbour-count histogram is recorded (s0..s18, l0..l24), not just the paper's 17
        assert len(s["species"]["C"]) == len(s["species"]["C_err"]) == 19 + 25
        assert s["species"]["labels"][:2] == ["s0", "s1"] and s["species"]["labels"][-1] == "l24"
        assert s["species"]["other"] < 0.01
        ev = s["evidence"]
        assert set(ev) == {"ageing", "stationary", "equilibrated"}
        assert set(ev["stationary"]) == {"U", "density", "P"}
        isf = read_isf(out / name / "fs.csv")
        assert isf.k == 5.1 and isf.fs[0] == pytest.approx(1.0) and isf.fs.min() < np.exp(-1)
        species = np.genfromtxt(out / name / "species.csv", delimiter=",", names=True)
        assert species.size == s["species"]["snapshots"]
        # the dynamics: KWW of the large particles' F_s, their MSD; no cage-relative curves in 3D
        assert s["kww"]["reason"] is None and 0.3 < s["kww"]["beta"] <= 1.2 and s["kww"]["tau_K"] > 0
        assert set(s["diffusion"]) >= {"D", "D_err", "t_min", "t_max", "n_points", "window", "reason"}
        assert s["cage_relative"] is None and "fs_cr" not in s["files"]
        assert s["files"]["msd"] == "msd.csv" and (out / name / "msd.csv").exists()
        assert not (out / name / "fs_cr.csv").exists()
    man = json.loads((out / "manifest.json").read_text())
    for key in ("code", "sessions", "settings", "state_points", "dt", "tau_T", "tau_P", "bulk_modulus",
                "n", "start", "end", "k"):
        assert key in man, key
    assert man["sessions"][0]["command"].startswith("python -m scaledyn.campaign binary3d --quick")
    assert {p["status"] for p in man["state_points"].values()} == {"done"} and man["end"] is not None
    assert all("seed" in p and "ageing" in p["evidence"] for p in man["state_points"].values())
    # only small text files in the output folder; scratch in the work folder
    assert {p.suffix for p in out.rglob("*") if p.is_file()} == {".json", ".csv", ".npz"}
    cfg = np.load(out / "T1.0000" / "config.npz")
    assert cfg["positions"].shape == (256, 3) and cfg["types"].shape == (256,)
    assert np.all((cfg["positions"] >= 0) & (cfg["positions"] <= cfg["box"]))
    assert list(work.rglob("*.gsd")) and list(work.rglob("checkpoint.npz"))
    fs_of_large_particles_is_recomputed_independently(out / "T1.0000", work / "T1.0000", summ["T1.0000"])

    mtimes = {p: p.stat().st_mtime_ns for p in out.rglob("T*/*")}

    report = cp.run_campaign(quick("binary3d"), out, work, workers=0, log=lambda *a: None)
    assert report == {"done": [], "skipped": [1.0, 0.85], "incomplete": [], "failed": []}
    assert {p: p.stat().st_mtime_ns for p in out.rglob("T*/*")} == mtimes
    assert len(json.loads((out / "manifest.json").read_text())["sessions"]) == 2

    # reanalysis from the scratch trajectories reproduces every summary (no MD is run)
    before = {k: stable(v) for k, v in summaries(out).items()}
    (out / "T1.0000" / "species.csv").unlink()
    assert main(["binary3d", "--quick", "--out", out, "--workdir", work, "--reanalyse"]) == 0
    assert "reanalysed 2" in capsys.readouterr().out
    assert {k: stable(v) for k, v in summaries(out).items()} == before
    assert (out / "T1.0000" / "species.csv").exists()


def test_interrupted_campaign_resumes_to_the_same_result(tmp_path):
    # min_tau = 100 forces one production extension, so the budget also cuts through an extension
    settings = quick(temperatures=(0.5,), min_tau=100.0)
    full = cp.run_campaign(settings, tmp_path / "a", tmp_path / "wa", workers=0, threads=1, log=lambda *a: None)
    assert full["done"] == [0.5]
    calls = 0
    while True:
        calls += 1
        rep = cp.run_campaign(settings, tmp_path / "b", tmp_path / "wb", workers=0, threads=1, step_budget=900,
                              log=lambda *a: None)
        if rep["done"]:
            break
        assert rep["incomplete"] == [0.5] and not (tmp_path / "b" / "T0.5000" / "summary.json").exists()
    assert calls >= 5  # equilibration (1000 steps) and production (> 3000 steps) were both cut
    a, b = summaries(tmp_path / "a"), summaries(tmp_path / "b")
    assert a["T0.5000"]["steps"]["extensions"] == 1
    assert stable(a["T0.5000"]) == stable(b["T0.5000"])
    for name in ("fs.csv", "species.csv"):
        assert (tmp_path / "a" / "T0.5000" / name).read_bytes() == (tmp_path / "b" / "T0.5000" / name).read_bytes()
    man = json.loads((tmp_path / "b" / "manifest.json").read_text())
    assert len(man["sessions"]) == calls and man["state_points"]["T0.5000"]["status"] == "done"


def test_atomic_write_leaves_no_partial_file(tmp_path):
    path = tmp_path / "summary.json"
    cp.atomic_write(path, '{"ok": 1}\n')

    def fails(fh):
        fh.write("partial")
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError, match="disk full"):
        cp.atomic_write(path, fails)
    assert path.read_text() == '{"ok": 1}\n'
    assert os.listdir(tmp_path) == ["summary.json"]
    cp.atomic_write(tmp_path / "x.bin", b"\x00\x01")
    cp.atomic_write(tmp_path / "a.npz", lambda fh: np.savez(fh, x=np.arange(3)), binary=True)
    assert np.load(tmp_path / "a.npz")["x"].tolist() == [0, 1, 2]
    assert (tmp_path / "x.bin").read_bytes() == b"\x00\x01"


def test_default_ladders_and_tau_estimate():
    for model, ladder in cp.DEFAULT_LADDERS.items():
        assert len(ladder) >= 10 and list(ladder) == sorted(ladder, reverse=True)
        taus = [cp.estimate_tau(model, T) for T in ladder]
        # denser where tau grows fastest: neighbouring points at most a factor 2 apart in tau
        assert max(b / a for a, b in zip(taus, taus[1:])) <= 2.0
        for T, tau in cp.TAU_ANCHORS[model]:
            assert cp.estimate_tau(model, T) == pytest.approx(tau)
    assert cp.DEFAULT_LADDERS["binary3d"][0] == 1.0 and cp.DEFAULT_LADDERS["binary3d"][-1] == 0.3
    assert cp.DEFAULT_LADDERS["hump2d"][0] == 0.5 and cp.DEFAULT_LADDERS["hump2d"][-1] == 0.12
    job = cp.plan_job(cp.Settings("binary3d", (0.3,)), 0.3, "o", "w")
    dt = 0.005
    assert job.prod_steps * dt >= 30 * 100 and job.prod_steps % (2 * job.block) == 0
    assert job.block * dt >= 3 * 100


@pytest.mark.parametrize("kwargs,message", [
    (dict(model="lj3d"), "model must be one of"),
    (dict(temperatures=()), "ladder is empty"),
    (dict(temperatures=(0.5, 0.0)), "temperatures must be finite and > 0"),
    (dict(temperatures=(-0.5,)), "temperatures must be finite and > 0"),
    (dict(temperatures=(0.5, 0.5)), "distinct"),
    (dict(prod_tau=-1.0), "prod_tau must be positive"),
    (dict(equil_tau=0.0), "equil_tau must be positive"),
    (dict(melt_steps=-5), "melt_steps must be >= 0"),
    (dict(k=-5.1), "k must be positive"),
    (dict(pressure=5.0), "fixed density"),
    (dict(model="binary3d", density=0.9), "give pressure instead"),
    (dict(density=-0.8), "density must be positive"),
    (dict(tau_anchors=((0.5, 1.0),)), "at least two"),
    (dict(n=5), "too small"),
])
def test_settings_reject_bad_input(kwargs, message):
    args = dict(model="hump2d", temperatures=(0.5,)) | kwargs
    with pytest.raises(ValueError, match=message):
        cp.Settings(**args)


@pytest.mark.parametrize("argv,message", [
    (["lj3d"], "invalid choice"),
    (["hump2d", "--T", "0"], "must be > 0"),
    (["hump2d", "--T", "0.5", "-0.2"], "must be > 0"),
    (["hump2d", "--prod-tau", "-3"], "must be > 0"),
    (["hump2d", "--step-budget", "-1"], "--step-budget must be >= 0"),
    (["hump2d", "--workers", "-2"], "--workers must be >= 0"),
])
def test_cli_campaign_rejects_bad_input(argv, message, tmp_path, capsys):
    with pytest.raises(SystemExit) as err:
        main([*argv, "--quick", "--out", tmp_path / "o", "--workdir", tmp_path / "w"])
    assert message in str(err.value.code) + capsys.readouterr().err
    assert not (tmp_path / "o").exists()


def test_corrupt_or_foreign_files_are_named(tmp_path):
    settings = quick(temperatures=(0.5,))
    out, work = tmp_path / "o", tmp_path / "w"
    cp.run_campaign(settings, out, work, workers=0, threads=1, log=lambda *a: None)
    summary = out / "T0.5000" / "summary.json"
    good = summary.read_text()
    summary.write_text(good[: len(good) // 2])
    with pytest.raises(cp.CampaignError, match=str(summary)):
        cp.run_campaign(settings, out, work, workers=0, log=lambda *a: None)
    summary.write_text('{"model": "hump2d"}')
    with pytest.raises(cp.CampaignError, match="missing"):
        cp.run_campaign(settings, out, work, workers=0, log=lambda *a: None)
    summary.write_text(good)
    with pytest.raises(cp.CampaignError, match="other settings"):
        cp.run_campaign(quick(temperatures=(0.5,), prod_tau=20.0), out, work, workers=0, log=lambda *a: None)
    manifest = out / "manifest.json"
    manifest.write_text("{not json")
    with pytest.raises(cp.CampaignError, match=str(manifest)):
        cp.run_campaign(settings, out, work, workers=0, log=lambda *a: None)
    with pytest.raises(SystemExit, match="manifest.json"):
        main(["hump2d", "--quick", "--T", "0.5", "--out", out, "--workdir", work, "--workers", "0"])
    with pytest.raises(TypeError, match="settings"):
        cp.run_campaign({"model": "hump2d"}, out)
    with pytest.raises(ValueError, match="step_budget"):
        cp.run_campaign(settings, out, work, step_budget=-1)


def test_a_failing_state_point_is_recorded_and_the_others_finish(tmp_path, capsys):
    settings = quick(temperatures=(0.5, 0.4))
    out, work = tmp_path / "o", tmp_path / "w"
    cp.run_campaign(settings, out, work, workers=0, threads=1, step_budget=300, log=lambda *a: None)
    ck = work / "T0.5000" / "equil" / "checkpoint.npz"
    ck.write_bytes(b"\x00garbage")
    argv = ["hump2d", "--quick", "--T", "0.5", "0.4", "--out", out, "--workdir", work,
            "--workers", "0", "--threads", "1"]
    assert main(argv) == 1
    assert "failed 1" in capsys.readouterr().out
    point = json.loads((out / "manifest.json").read_text())["state_points"]["T0.5000"]
    assert point["status"] == "failed" and "corrupt" in point["error"] and str(ck) in point["error"]
    assert (out / "T0.4000" / "summary.json").exists() and not (out / "T0.5000" / "summary.json").exists()


def test_the_ladder_may_grow(tmp_path):
    out, work = tmp_path / "o", tmp_path / "w"
    cp.run_campaign(quick(temperatures=(0.5,)), out, work, workers=0, threads=1, log=lambda *a: None)
    report = cp.run_campaign(quick(temperatures=(0.4, 0.5)), out, work, workers=0, threads=1,
                             log=lambda *a: None)
    assert report["done"] == [0.4] and report["skipped"] == [0.5]
    man = json.loads((out / "manifest.json").read_text())
    assert man["settings"]["temperatures"] == [0.5, 0.4] and len(man["state_points"]) == 2


def test_dask_executor(tmp_path):
    distributed = pytest.importorskip(
        "distributed", reason="dask.distributed is an optional dependency (pip install 'dask[distributed]')")
    settings = quick(temperatures=(0.5,))
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=False,
                                  dashboard_address=None) as cluster:
        report = cp.run_campaign(settings, tmp_path / "o", tmp_path / "w", threads=1,
                                 scheduler=cluster.scheduler_address, log=lambda *a: None)
    assert report["done"] == [0.5]
    ref = cp.run_campaign(settings, tmp_path / "r", tmp_path / "wr", workers=0, threads=1, log=lambda *a: None)
    assert ref["done"] == [0.5]
    assert stable(summaries(tmp_path / "o")["T0.5000"]) == stable(summaries(tmp_path / "r")["T0.5000"])


def test_zero_budget_and_budget_at_phase_boundary_change_nothing(tmp_path):
    settings = quick(temperatures=(0.5,))
    ref = cp.run_campaign(settings, tmp_path / "a", tmp_path / "wa", workers=0, threads=1, log=lambda *a: None)
    assert ref["done"] == [0.5]
    job = cp.plan_job(settings, 0.5, "o", "w")
    # budgets that stop exactly at step 0 of equilibration and of production
    for budget in (0, job.equil_steps, 0, None):
        cp.run_campaign(settings, tmp_path / "b", tmp_path / "wb", workers=0, threads=1, step_budget=budget,
                        log=lambda *a: None)
    assert stable(summaries(tmp_path / "a")["T0.5000"]) == stable(summaries(tmp_path / "b")["T0.5000"])


def test_killed_cli_restarts_to_the_same_result(tmp_path):
    import signal
    import subprocess
    import sys
    import time

    argv = ["hump2d", "--quick", "--T", "0.5", "--prod-tau", "60", "--workers", "0", "--threads", "1"]
    ref_out, out, work = tmp_path / "ref", tmp_path / "out", tmp_path / "work"
    assert main([*argv, "--out", ref_out, "--workdir", tmp_path / "wref"]) == 0
    cmd = [sys.executable, "-m", "scaledyn.campaign", *argv, "--out", str(out), "--workdir", str(work)]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    ck = work / "T0.5000" / "prod" / "checkpoint.npz"
    deadline = time.time() + 60
    while not ck.exists() and proc.poll() is None and time.time() < deadline:
        time.sleep(0.02)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert not (out / "T0.5000" / "summary.json").exists(), "the run finished before it could be killed"
    assert main([*argv, "--out", out, "--workdir", work]) == 0
    assert stable(summaries(ref_out)["T0.5000"]) == stable(summaries(out)["T0.5000"])
    man = json.loads((out / "manifest.json").read_text())
    assert len(man["sessions"]) == 2 and man["sessions"][0]["end"] is None  # the killed session


def test_a_running_job_locks_its_state_point(tmp_path):
    settings = quick(temperatures=(0.5,))
    job = cp.plan_job(settings, 0.5, tmp_path / "o", tmp_path / "w")
    with store.PointLock(tmp_path / "w"):
        with pytest.raises(cp.CampaignError, match="held by another running job"):
            cp.run_job(job)


def test_scheduler_without_dask_is_a_clear_error(tmp_path, monkeypatch):
    import sys
    monkeypatch.setitem(sys.modules, "distributed", None)  # import distributed -> ImportError
    with pytest.raises(cp.CampaignError, match="dask.distributed"):
        cp.run_campaign(quick(temperatures=(0.5,)), tmp_path / "o", tmp_path / "w",
                        scheduler="tcp://127.0.0.1:1", log=lambda *a: None)


def test_two_campaigns_sharing_an_output_keep_each_others_records(tmp_path, monkeypatch):
    # Campaign B (T = 0.4) starts and finishes while campaign A (T = 0.5) is running its job; A's later
    # manifest updates must not drop B's state point or session (each update re-reads under a lock).
    out, work = tmp_path / "o", tmp_path / "w"

    def fake_job(job):
        if job.T == 0.5:
            cp.run_campaign(quick(temperatures=(0.4,)), out, work, workers=0, threads=1, command="B",
                            log=lambda *a: None)
        return {"T": job.T, "status": "incomplete", "steps": 0}

    monkeypatch.setattr(runner, "run_job", fake_job)
    cp.run_campaign(quick(temperatures=(0.5,)), out, work, workers=0, threads=1, command="A", log=lambda *a: None)
    man = json.loads((out / "manifest.json").read_text())
    assert sorted(man["state_points"]) == ["T0.4000", "T0.5000"]
    assert all(e["status"] == "incomplete" for e in man["state_points"].values())
    assert [s["command"] for s in man["sessions"]] == ["A", "B"]
    assert all(s["end"] is not None for s in man["sessions"])
    assert man["settings"]["temperatures"] == [0.5, 0.4] and man["end"] is None


def test_update_manifest_rejects_a_corrupt_manifest(tmp_path):
    path = tmp_path / "manifest.json"
    path.write_text("{not json")
    with pytest.raises(cp.CampaignError, match="manifest.json"):
        cp.update_manifest(path, lambda m: None)
    assert path.read_text() == "{not json"  # nothing overwritten


def test_state_point_settings_reach_the_model_and_the_manifest(tmp_path):
    s = quick(temperatures=(0.5,), density=0.85, tau_anchors=((0.5, 2.0), (0.2, 50.0)))
    assert s.md_model().density == 0.85
    assert s.tau_estimate(0.5) == pytest.approx(2.0) and s.tau_estimate(0.2) == pytest.approx(50.0)
    assert cp.plan_job(s, 0.5, "o", "w").equil_steps == max(int(np.ceil(5.0 * 2.0 / 0.005)), 1000)
    b = quick("binary3d", temperatures=(1.0,), pressure=3.0)
    assert b.md_model().pressure == 3.0
    record = runner.settings_record(s)
    assert record["density"] == 0.85 and record["tau_anchors"] == [[0.5, 2.0], [0.2, 50.0]]
    assert json.loads(json.dumps(record)) == record  # what the manifest stores compares equal on resume


def test_manifest_command_names_no_machine_path(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    inside, outside = tmp_path / "data" / "x", "/scratch/runs/x"
    cmd = runner.portable_command(f"python -m scaledyn.campaign hump2d --out {inside} --workdir {outside}",
                                  inside, outside)
    assert cmd == "python -m scaledyn.campaign hump2d --out data/x --workdir '<workdir>'"


def test_equilibration_and_ageing_checks_use_three_sigma():
    from scaledyn.campaign.jobs import agree, halves_agree

    assert agree(10.0, 1.0, 14.0, 1.0)            # 2.8 combined sigma: agree
    assert not agree(10.0, 1.0, 14.5, 1.0)        # 3.2 combined sigma: not
    assert agree(1.0, float("nan"), 1.0, 0.1) is None
    rng = np.random.default_rng(0)
    flat = rng.normal(0.0, 1.0, 4000)
    step = flat + np.r_[np.zeros(2000), np.full(2000, 0.3)]  # a jump of ~10 block errors between halves
    assert halves_agree(flat)["ok"] and not halves_agree(step)["ok"]


def test_default_threads_respect_numba_num_threads(monkeypatch):
    import numba

    monkeypatch.setattr(numba.config, "NUMBA_NUM_THREADS", 1)
    assert runner._default_workers(None, None) == (1, 1, False)  # auto with one candidate: fixed 1
    with pytest.raises(ValueError, match="NUMBA_NUM_THREADS"):
        runner._default_workers(1, 2)


def test_default_is_one_auto_worker_per_core(monkeypatch):
    import numba

    monkeypatch.setattr(numba.config, "NUMBA_NUM_THREADS", 2)
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    assert runner._default_workers(None, None) == (2, 2, True)
    assert runner._default_workers(None, "auto") == (2, 2, True)
    assert runner._default_workers(1, None) == (1, 2, True)
    assert runner._default_workers(None, 1) == (2, 1, False)
    assert runner._default_workers(None, 2) == (1, 2, False)
    for workers, threads, error in ((None, 0, ValueError), (None, "two", TypeError), (-1, None, ValueError)):
        with pytest.raises(error, match="workers" if workers == -1 else "threads"):
            runner._default_workers(workers, threads)


def test_auto_threads_campaign_equals_the_fixed_maximum(tmp_path):
    # auto mode splits every job into the maximal number of parts: the same summaries as threads=max
    import numba

    nmax = numba.get_num_threads()
    settings = quick(temperatures=(0.5,))
    cp.run_campaign(settings, tmp_path / "a", tmp_path / "wa", workers=0, threads="auto", log=lambda *a: None)
    cp.run_campaign(settings, tmp_path / "f", tmp_path / "wf", workers=0, threads=nmax, log=lambda *a: None)
    auto, fixed = summaries(tmp_path / "a")["T0.5000"], summaries(tmp_path / "f")["T0.5000"]
    assert stable(auto) == stable(fixed)
    assert auto["thread_choice"] == ("auto" if nmax > 1 else "fixed") and fixed["thread_choice"] == "fixed"
    assert sum(auto["steps_by_threads_last_session"].values()) == sum(fixed["steps_by_threads_last_session"].values())
    manifest = json.loads((tmp_path / "a" / "manifest.json").read_text())
    assert manifest["sessions"][-1]["thread_choice"] == ("auto" if nmax > 1 else "fixed")


def test_analyse_writes_the_dynamics_and_reanalyse_adds_them_to_old_summaries(tmp_path):
    """A quick hump2d point: KWW β and τ_K, D in its window, the MSD curve, and (2D) the cage-relative
    F_s, τα, MSD and D. The cage-relative MSD at one lag is recomputed here from the scratch
    trajectory with cage_relative_displacements, origin by origin (the job uses Cage on the way of
    the standard MSD). A summary stripped of the dynamics (as written before them) still loads, with
    NaN, and --reanalyse (which reads WORKDIR/T*/prod/traj.gsd) restores them."""
    from scaledyn.analysis.cage import cage_relative_displacements
    from scaledyn.analysis.diffusion import read_msd
    from scaledyn.campaign.settings import CAGE_CUTOFF
    from scaledyn.md.run import log_schedule

    out, work = tmp_path / "o", tmp_path / "w"
    settings = quick(temperatures=(0.5,))
    assert cp.run_campaign(settings, out, work, workers=0, threads=1, log=lambda *a: None)["done"] == [0.5]
    point = out / "T0.5000"
    s = json.loads((point / "summary.json").read_text())
    assert s["files"]["msd"] == "msd.csv" and s["files"]["fs_cr"] == "fs_cr.csv" and s["files"]["msd_cr"] == "msd_cr.csv"
    kww, diff, cage = s["kww"], s["diffusion"], s["cage_relative"]
    assert kww["reason"] is None and 0.3 < kww["beta"] <= 1.2 and kww["beta_err"] > 0
    assert 0.3 * s["tau_alpha"]["value"] < kww["tau_K"] < 3 * s["tau_alpha"]["value"] and kww["tau_K_err"] > 0
    assert diff["reason"] is None and diff["D"] > 0 and 0 < diff["D_err"] < diff["D"]
    assert diff["t_min"] >= 2 * s["tau_alpha"]["value"] and diff["t_max"] > diff["t_min"] and diff["n_points"] >= 4
    assert cage["cutoff"] == CAGE_CUTOFF["hump2d"] and cage["tau_alpha"]["value"] > 0 and cage["diffusion"]["D"] > 0
    msd, msd_cr = read_msd(point / "msd.csv"), read_msd(point / "msd_cr.csv")
    assert np.isnan(msd.cage_cutoff) and msd_cr.cage_cutoff == 1.32
    inside = (msd.t >= diff["t_min"] * (1 - 1e-9)) & (msd.t <= diff["t_max"] * (1 + 1e-9))   # the CSV rounds
    assert inside.sum() == diff["n_points"]
    slope = np.polyfit(msd.t[inside], msd.msd[inside], 1)[0]
    assert slope / 4 == pytest.approx(diff["D"], rel=1e-8)            # MSD = 2dDt + c with d = 2
    assert read_isf(point / "fs_cr.csv").tau_alpha()[0] == pytest.approx(cage["tau_alpha"]["value"], rel=1e-9)
    x4 = read_chi4(point / "chi4.csv")                                  # chi4: file and summary agree
    assert s["files"]["chi4"] == "chi4.csv" and s["chi4"]["a"] == 0.3 and x4.n == s["n"]
    assert x4.t_peak == pytest.approx(s["chi4"]["t_peak"]) and x4.chi4_peak == pytest.approx(s["chi4"]["chi4_peak"])
    assert 0 < s["chi4"]["chi4_peak"] < s["n"] and np.all(np.diff(x4.t) > 0)

    steps, pos, boxes = read_unwrapped(work / "T0.5000" / "prod" / "traj.gsd")
    block, dt = s["steps"]["block"], s["dt"]
    logged = np.isin(steps, log_schedule(s["steps"]["production"], block))
    offsets = np.unique(steps[logged] % block)
    lag = offsets[np.argmin(np.abs(offsets - block // 2))]
    vals = []
    for o in np.flatnonzero(logged & (steps % block == 0)):
        j = np.flatnonzero(logged & (steps == steps[o] + lag))
        if j.size:
            d = cage_relative_displacements(pos[o], pos[j[0]], boxes[o], 1.32)
            vals.append(np.mean(np.sum(d**2, axis=1)))
    row = np.argmin(np.abs(msd_cr.t - lag * dt))
    assert msd_cr.t[row] == pytest.approx(lag * dt) and msd_cr.msd[row] == pytest.approx(np.mean(vals), rel=1e-9)

    before = stable(s)
    old = {k: v for k, v in s.items() if k not in ("kww", "diffusion", "cage_relative", "chi4")}
    (point / "summary.json").write_text(json.dumps(old))
    for name in ("msd.csv", "fs_cr.csv", "msd_cr.csv", "chi4.csv"):
        (point / name).unlink()
    d = cp.load_campaign(out)
    assert np.isnan(d.D).all() and np.isnan(d.beta).all() and np.isnan(d.tau_alpha_cr).all() and np.isnan(d.chi4_peak).all()
    assert cp.reanalyse(settings, out, work, log=lambda *a: None) == [0.5]
    assert stable(json.loads((point / "summary.json").read_text())) == before
    d = cp.load_campaign(out)
    assert d.D[0] == diff["D"] and d.beta[0] == kww["beta"] and d.tau_alpha_cr[0] == cage["tau_alpha"]["value"]
    assert d.msd(0.5, cage_relative=True).msd[row] == pytest.approx(msd_cr.msd[row])


def test_auto_jobs_analyse_on_the_thread_count_the_md_chose(monkeypatch):
    # two threads at a barrier wait for each other while other workers hold the cores: in auto mode
    # the analysis runs on the count the MD chose last, and the caller's count is restored
    import numba

    from scaledyn.campaign import jobs
    from scaledyn.md import ThreadChooser

    seen = []
    monkeypatch.setattr(jobs, "analyse", lambda *a: seen.append(numba.get_num_threads()) or {})
    before = numba.get_num_threads()
    chooser = ThreadChooser(2)
    chooser.choice = 1
    jobs._analyse_on(chooser, None, None, None, None, None)
    jobs._analyse_on(2, None, None, None, None, None)             # a fixed count: left as it is
    assert seen == [1, before] and numba.get_num_threads() == before
