"""The non-timing logic of ``benchmarks/bench_scaling.py``: argument checks, step and melt lengths,
the flatness and bytes-per-particle arithmetic, the results file (merged, written atomically) and the
report made from it. Nothing here times anything."""

import json
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[1] / "benchmarks"
sys.path.insert(0, str(BENCH))
import bench_scaling as bs  # noqa: E402  (the script imports its sibling bench_md)


def test_default_sizes_pass_and_are_sorted_unique():
    assert bs.check_sizes([4096, 1024, 4096], ["binary3d", "hump2d"]) == [1024, 4096]
    assert bs.check_sizes(list(bs.SIZES), ["binary3d", "hump2d"]) == list(bs.SIZES)


@pytest.mark.parametrize("bad", [bs.BASELINE_N, 100, 0, -4096, bs.MAX_N + 1])
def test_sizes_out_of_range_are_rejected(bad):
    with pytest.raises(ValueError, match=f"N = {bad} out of range"):
        bs.check_sizes([4096, bad], ["binary3d"])


@pytest.mark.parametrize("bad", [True, 4096.0, "4096"])
def test_non_integer_sizes_are_rejected(bad):
    with pytest.raises(ValueError, match="must be integers"):
        bs.check_sizes([bad], ["hump2d"])


@pytest.mark.parametrize("argv, message", [
    (["--sizes", "100"], "out of range"),
    (["--sizes", "4k"], "invalid int value"),
    (["--budget", "10"], "--budget must be between"),
    (["--repeats", "0"], "--repeats must be >= 1"),
    (["--memory-repeats", "0"], "--memory-repeats must be >= 1"),
    (["--max-minutes", "0"], "--max-minutes must be > 0"),
    (["--models", "lj"], "invalid choice"),
    (["--parts", "everything"], "invalid choice"),
])
def test_command_line_errors_name_the_option(argv, message, capsys):
    with pytest.raises(SystemExit) as exc:
        bs.parse_args(argv)
    assert exc.value.code == 2
    assert message in capsys.readouterr().err


def test_defaults():
    args = bs.parse_args([])
    assert args.sizes == list(bs.SIZES) and args.models == ["binary3d", "hump2d"]
    assert args.parts == list(bs.PARTS) and args.budget == 1e8 and not args.plot_only


def test_step_counts_follow_the_budget():
    assert bs.timed_steps(262144, 1e8, 100) == 381
    assert bs.timed_steps(1024, 1e8, 100) == 97656
    assert bs.timed_steps(262144, 1e6, 100) == 100  # never below the minimum
    assert [bs.melt_steps(n) for n in bs.SIZES] == [4000, 4000, 4000, 3814, 2000]


def test_flatness_is_max_over_min_inside_the_range():
    costs = {1024: 9.0, 4096: 1.0, 16384: 1.1, 65536: 1.3, 262144: 1.2, 1048576: 5.0}
    assert bs.flatness(costs) == pytest.approx(1.3)
    assert bs.flatness({"4096": 2.0, "262144": 3.0}) == pytest.approx(1.5)  # JSON keys are strings
    assert bs.flatness({4096: 1.0}) is None
    assert bs.flatness({1024: 1.0, 2048: 2.0}) is None


def test_bytes_per_particle_removes_the_baseline():
    # 100 MiB constant + 300 B per particle
    base = (100 * 2**20 + 300 * bs.BASELINE_N) / 1024
    peak = (100 * 2**20 + 300 * 65536) / 1024
    assert bs.per_particle(peak, base, 65536) == pytest.approx(300.0)


def test_results_merge_and_atomic_round_trip(tmp_path):
    path = tmp_path / "scaling.json"
    data = bs.load_results(path)  # missing file: empty results
    bs.merge(data["results"], "hump2d", 4096, "time", {"speed": {"scaledyn": 2e7, "lammps_mpi_table": 1e7}})
    bs.merge(data["results"], "hump2d", 4096, "memory", {"bytes_per_particle": {"ours": 300.0}})
    bs.save_results(path, data)
    assert list(tmp_path.iterdir()) == [path]  # no temporary file left behind
    back = bs.load_results(path)
    assert set(back["results"]["hump2d"]["4096"]) == {"time", "memory"}
    path.write_text(json.dumps([1, 2]))
    with pytest.raises(SystemExit, match="not a results file"):
        bs.load_results(path)


def fake_results():
    res = {}
    for n, ours, lmp in ((1024, 30e6, 25e6), (4096, 32e6, 28e6), (262144, 24e6, 26e6)):
        bs.merge(res, "hump2d", n, "time", {"speed": {"scaledyn": ours, "scaledyn_1thread": ours / 1.5,
                                                        "lammps_serial_table": lmp / 2, "lammps_mpi_table": lmp}})
        bs.merge(res, "hump2d", n, "memory", {"bytes_per_particle": {"ours": 300.0, "lammps_serial_table": 500.0}})
    return res


def test_table_and_costs():
    res = fake_results()
    assert bs.costs(res, "hump2d") == {1024: pytest.approx(1 / 30), 4096: pytest.approx(1 / 32),
                                       262144: pytest.approx(1 / 24)}
    assert bs.costs(res, "hump2d", "lammps_fastest")[4096] == pytest.approx(1 / 28)
    rows = bs.table_rows(res, ["hump2d", "binary3d"])
    assert len(rows) == 2 + 3
    assert rows[3] == ("| hump2d | 4096 | 32.00 | 21.33 | 28.00 (mpi_table) | 1.14 | 0.0312 | 0.0357 | 300 | 500 |")


def test_plot_only_report(tmp_path, capsys):
    out, png = tmp_path / "s.json", tmp_path / "s.png"
    bs.save_results(out, {"meta": {}, "results": fake_results()})
    bs.main(["--plot-only", "--models", "hump2d", "--out", str(out), "--plot", str(png)])
    lines = capsys.readouterr().out.splitlines()
    assert lines[-1].startswith("scaling_flatness hump2d=1.33")  # 32/24 over 4k..256k; 1k left out
    assert png.stat().st_size > 10_000
