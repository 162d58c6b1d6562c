"""Which campaigns make a model's ladder: colder extensions combined, unfinished folders skipped,
the smaller companion used only after the finite-size check, bad names rejected."""

import pytest

from scaledyn.campaign import ladders
from scaledyn.campaign.ladders import LADDERS, Ladder, ladder, load_ladder, try_load_ladder

from test_campaign_data import write_point


@pytest.fixture
def fake(monkeypatch):
    lad = Ladder("hump2d", "matched", "ρ = 1", "main", colder=("cold",), small="small", replicas=("rep2",))
    monkeypatch.setitem(LADDERS, ("hump2d", "matched"), lad)
    return lad


def test_colder_extension_is_combined_and_missing_folders_skipped(tmp_path, fake):
    write_point(tmp_path / "main", 0.5, 1.0)
    write_point(tmp_path / "main", 0.3, 2.0)
    d, status = load_ladder("hump2d", root=tmp_path)
    assert d.T.tolist() == [0.3, 0.5] and status == "campaigns used: main"
    write_point(tmp_path / "cold", 0.2, 9.0)
    write_point(tmp_path / "cold", 0.3, 99.0)          # a shared temperature: the main point wins
    d, status = load_ladder("hump2d", root=tmp_path)
    assert d.T.tolist() == [0.2, 0.3, 0.5] and d.tau_alpha.tolist() == [9.0, 2.0, 1.0]
    assert status == "campaigns used: main, cold"


def test_small_companion_needs_the_size_check(tmp_path, fake):
    for T, tau in ((0.5, 1.0), (0.3, 2.0)):
        write_point(tmp_path / "main", T, tau)
    write_point(tmp_path / "small", 0.5, 1.0, n=8)
    write_point(tmp_path / "small", 0.1, 50.0, n=8)
    d, status = load_ladder("hump2d", root=tmp_path)
    assert 0.1 not in d.T and "shares 1 of the 2" in status    # one shared temperature is not enough
    write_point(tmp_path / "small", 0.3, 2.0, n=8)
    d, status = load_ladder("hump2d", root=tmp_path)
    assert d.T.tolist() == [0.1, 0.3, 0.5] and "1 colder point" in status
    assert load_ladder("hump2d", root=tmp_path, small_n=False)[0].T.tolist() == [0.3, 0.5]


def test_bad_names_and_missing_main(tmp_path, fake):
    with pytest.raises(ValueError, match="unknown state 'warm'"):
        ladder("hump2d", "warm")
    with pytest.raises(ValueError, match="unknown model 'lj'"):
        ladder("lj")
    d, reason = try_load_ladder("hump2d", root=tmp_path)
    assert d is None and "main" in reason
    write_point(tmp_path / "main", 0.5, 1.0, model="binary3d")
    with pytest.raises(ValueError, match="binary3d"):
        load_ladder("hump2d", root=tmp_path)


def test_book_ladders_are_consistent():
    for (model, state), lad in LADDERS.items():
        assert lad.model == model and lad.state == state and state in ladders.STATES
        assert len(set(lad.folders)) == len(lad.folders)
    assert ladder("hump2d").main == "hump2d-rho0.824" and ladder("binary3d", "sensitivity").main == "binary3d"


def test_replicas_and_folder_status_list_only_finished_campaigns(tmp_path, fake):
    write_point(tmp_path / "main", 0.5, 1.0)
    (tmp_path / "rep2").mkdir()                          # a replica still running: no summary yet
    assert ladders.load_replicas("hump2d", root=tmp_path) == []
    assert ladders.folder_status("hump2d", root=tmp_path) == {"main": True, "cold": False, "small": False,
                                                              "rep2": False}
    write_point(tmp_path / "rep2", 0.5, 1.2)
    reps = ladders.load_replicas("hump2d", root=tmp_path)
    assert len(reps) == 1 and reps[0].tau_alpha.tolist() == [1.2]
    assert ladders.folder_status("hump2d", root=tmp_path)["rep2"] is True


def test_folder_progress_from_summaries_and_the_manifest(tmp_path):
    import json

    assert ladders.folder_progress("cold", root=tmp_path) == ([], [])   # not started: nothing known
    write_point(tmp_path / "cold", 0.11, 700.0)
    write_point(tmp_path / "cold", 0.125, 90.0)
    assert ladders.folder_progress("cold", root=tmp_path) == ([0.125, 0.11], [])
    (tmp_path / "cold" / "manifest.json").write_text(json.dumps(
        {"settings": {"temperatures": [0.125, 0.12, 0.115, 0.11, 0.105]}, "sessions": [], "state_points": {}}))
    assert ladders.folder_progress("cold", root=tmp_path) == ([0.125, 0.11], [0.12, 0.115, 0.105])
    (tmp_path / "cold" / "manifest.json").write_text(json.dumps({"settings": {}}))
    with pytest.raises(ValueError, match="planned temperatures"):
        ladders.folder_progress("cold", root=tmp_path)


def test_ladder_progress_counts_a_point_finished_in_any_folder(tmp_path, fake):
    import json

    write_point(tmp_path / "main", 0.5, 1.0)
    write_point(tmp_path / "cold", 0.2, 9.0)
    (tmp_path / "cold" / "manifest.json").write_text(json.dumps({"settings": {"temperatures": [0.2, 0.15, 0.1]}}))
    assert ladders.ladder_progress("hump2d", root=tmp_path) == ([0.5, 0.2], [0.15, 0.1])
    assert ladders.ladder_progress("hump2d", root=tmp_path, colder_only=True) == ([0.2], [0.15, 0.1])
    write_point(tmp_path / "small", 0.15, 30.0, n=8)      # a smaller-N companion does not count
    assert ladders.ladder_progress("hump2d", root=tmp_path) == ([0.5, 0.2], [0.15, 0.1])


def test_the_first_listed_colder_folder_wins_a_shared_temperature(tmp_path, monkeypatch):
    lad = Ladder("hump2d", "matched", "ρ = 1", "main", colder=("rerun", "cold"))
    monkeypatch.setitem(LADDERS, ("hump2d", "matched"), lad)
    write_point(tmp_path / "main", 0.5, 1.0)
    write_point(tmp_path / "cold", 0.2, 9.0)
    write_point(tmp_path / "cold", 0.15, 40.0)
    write_point(tmp_path / "rerun", 0.2, 12.0)            # the longer-equilibrated rerun of T = 0.2
    d, status = load_ladder("hump2d", root=tmp_path)
    assert d.T.tolist() == [0.15, 0.2, 0.5] and d.tau_alpha.tolist() == [40.0, 12.0, 1.0]
    assert status == "campaigns used: main, rerun, cold"
