"""State-point scans: each value is its own resumable campaign at the scan's state and run lengths."""

import pytest

from scaledyn.campaign import scans


def test_scan_settings_set_the_state_parameter_and_the_floors():
    s = scans.scan_settings("hump2d-density", 0.84)
    assert s.md_model().density == 0.84 and s.n == 1024 and s.min_equil_time == 1000.0
    b = scans.scan_settings("binary3d-pressure", 3.0)
    assert b.md_model().pressure == 3.0 and b.temperatures == (0.5, 0.4, 0.35)
    assert scans.scan_folder("root", "hump2d-density", 0.84).as_posix() == "root/hump2d-density/density0.840"


def test_bad_scans_are_named(tmp_path):
    with pytest.raises(ValueError, match="scan must be one of"):
        scans.scan_settings("lj-density", 0.8)
    with pytest.raises(SystemExit, match="not values of hump2d-density"):
        scans.main(["hump2d-density", "--values", "0.81", "--out", str(tmp_path)])
    assert scans.load_scan("hump2d-density", tmp_path) == {}
