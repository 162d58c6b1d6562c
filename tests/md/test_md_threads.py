"""Auto thread count: the choice logic of ThreadChooser on made-up timings (no clock, no timing
assertions), and simulate's auto mode (bitwise the run with threads = its number of parts)."""

import numba
import numpy as np
import pytest

from scaledyn import md
from scaledyn.md._threads import ThreadChooser, candidate_counts


def drive(chooser, speed, total_steps, t0=0.0):
    """Step ``chooser`` through ``total_steps`` on a fake machine: ``speed(threads, t)`` steps per
    second at fake time t. Stretches are cut at 37 steps at most (as observers would cut them).
    Returns the fake time at the end and, per stretch, (start time, threads, choice after it)."""
    t = t0
    used = []
    done = 0
    while done < total_steps:
        nt, most = chooser.next()
        assert most >= 1
        n = min(most, 37, total_steps - done)
        dt = n / speed(nt, t)
        chooser.record(nt, n, dt)
        used.append((t, nt, chooser.choice))
        t += dt
        done += n
    return t, used


def test_candidates():
    assert candidate_counts(1) == (1,)
    assert candidate_counts(2) == (1, 2)
    assert candidate_counts(6) == (1, 2, 4, 6)
    assert candidate_counts(8) == (1, 2, 4, 8)


@pytest.mark.parametrize("fast", [1, 2])
def test_picks_the_faster_count(fast):
    # the fast count runs 3x faster; the chooser must settle on it and spend most steps there
    c = ThreadChooser(2)
    drive(c, lambda nt, t: 3000.0 if nt == fast else 1000.0, 20_000)
    assert c.choice == fast
    assert all(r["choice"] == fast for r in c.rounds)
    assert c.steps_by_threads[fast] > 0.9 * sum(c.steps_by_threads.values())


def test_picks_the_fastest_of_several():
    rates = {1: 1000.0, 2: 1900.0, 4: 2500.0, 8: 1500.0}
    c = ThreadChooser(8)
    drive(c, lambda nt, t: rates[nt], 20_000)
    assert c.choice == 4


def test_reprobes_and_follows_a_change_of_load():
    # two threads win until fake time 10 s, when a competing process arrives; then one thread wins
    speed = lambda nt, t: (2000.0 if nt == 2 else 1200.0) if t < 10.0 else (500.0 if nt == 2 else 1100.0)  # noqa: E731
    c = ThreadChooser(2, recheck_seconds=1.0, max_recheck_seconds=4.0)
    t_end, used = drive(c, speed, 60_000)
    assert t_end > 30.0
    assert len(c.rounds) >= 5
    assert c.rounds[0]["choice"] == 2 and c.choice == 1
    # the switch came within one maximal run phase plus a probe round of the change
    switched = min(t for t, nt, choice in used if t > 10.0 and choice == 1)
    assert switched < 10.0 + 4.0 + 1.0
    assert all(choice == 1 for t, nt, choice in used if t > switched)


def test_recheck_period_doubles_while_the_choice_holds_and_resets_on_change():
    c = ThreadChooser(2, recheck_seconds=0.5, max_recheck_seconds=4.0)
    drive(c, lambda nt, t: 2000.0 if nt == 2 else 1000.0, 40_000)
    assert c.period == 4.0  # 0.5 -> 1 -> 2 -> 4 (capped)
    drive(c, lambda nt, t: 500.0 if nt == 2 else 1000.0, 20_000, t0=100.0)
    assert c.choice == 1
    # after the change the period restarted from 0.5 and doubled again from there
    assert 0.5 <= c.period <= 4.0 and any(r["choice"] == 1 for r in c.rounds)


def test_margin_keeps_the_choice_against_a_marginally_faster_count():
    # after a first round that picks 2, one thread becomes 3 % faster: within the 5 % margin
    c = ThreadChooser(2, margin=0.05)
    drive(c, lambda nt, t: 2000.0 if nt == 2 else 1000.0, 2000)
    assert c.choice == 2
    drive(c, lambda nt, t: 1000.0 if nt == 2 else 1030.0, 20_000, t0=50.0)
    assert c.choice == 2
    drive(c, lambda nt, t: 1000.0 if nt == 2 else 1200.0, 20_000, t0=100.0)
    assert c.choice == 1


def test_warmup_is_not_timed():
    # the first stretch includes compilation (here: 100 s); it must not count against its thread count
    c = ThreadChooser(2, warmup_steps=5)
    nt, most = c.next()
    assert (nt, most) == (1, 5)  # on one thread: it cannot stall at a barrier
    c.record(1, 5, 100.0)
    drive(c, lambda nt, t: 2000.0 if nt == 1 else 1000.0, 5000)
    assert c.rounds[0]["choice"] == 1


def test_rounds_start_with_the_current_choice_and_probes_last_probe_seconds():
    c = ThreadChooser(4, probe_seconds=0.05, min_probe_steps=10, warmup_steps=0)
    rates = {1: 1000.0, 2: 2000.0, 4: 8000.0}
    firsts, per_round = [], []
    for k in range(3):
        firsts.append(c.next()[0])
        before = dict(c.steps_by_threads)
        while c._pending:  # finish the round on a machine where four threads win
            drive(c, lambda nt, t: rates[nt], 1)
        per_round.append({nt: (c.steps_by_threads[nt] - before[nt]) / rates[nt] for nt in rates})
        c._run_left = 0.0
        c._start_round()
    assert firsts == [1, 4, 4]
    # round 1 probes 1, 2, 4 in turn, none below half the best before it: each takes between
    # probe_seconds and twice that
    assert all(0.0499 <= v <= 0.1 for v in per_round[0].values()), per_round
    # later rounds probe 4 first; 1 and 2 run at < LOSING x its speed and stop after a quarter probe
    for r in per_round[1:]:
        assert 0.0499 <= r[4] <= 0.1, per_round
        assert all(0.0124 <= r[nt] <= 0.02 for nt in (1, 2)), per_round


def test_a_losing_probe_stops_after_a_quarter_but_a_close_one_runs_in_full():
    # the current choice (1) runs 1000 steps/s; a count at 0.6x is probed in full, one at 0.4x not
    for rate2, full in ((600.0, True), (400.0, False)):
        c = ThreadChooser(2, probe_seconds=0.05, min_probe_steps=10, warmup_steps=0, margin=0.0)
        drive(c, lambda nt, t, r=rate2: 1000.0 if nt == 1 else r, 200)
        seconds2 = c.steps_by_threads[2] / rate2
        assert (seconds2 >= 0.0499) if full else (0.0124 <= seconds2 <= 0.02), (rate2, seconds2)
        assert c.rounds[0]["choice"] == 1


def test_a_very_slow_count_is_cut_short():
    # two threads 100x slower (a loaded machine): their probe must stop after ~2 probe_seconds
    c = ThreadChooser(2, probe_seconds=0.03, warmup_steps=0)
    t, used = drive(c, lambda nt, t: 2000.0 if nt == 1 else 20.0, 200)
    assert c.rounds[0]["choice"] == 1
    slow = c.steps_by_threads[2] / 20.0  # seconds spent on two threads: 3 steps, not a 60-step probe
    assert slow <= 0.2


def test_a_sudden_slowdown_starts_a_round_at_once():
    # two threads win; at t = 20 s (run phases are 8 s long by then) they become 100x slower
    speed = lambda nt, t: (2000.0 if nt == 2 else 1000.0) if t < 20.0 else (20.0 if nt == 2 else 900.0)  # noqa: E731
    c = ThreadChooser(2, recheck_seconds=1.0, max_recheck_seconds=8.0)
    t, used = drive(c, speed, 80_000)
    assert c.choice == 1
    switched = min(tt for tt, nt, choice in used if tt > 20.0 and choice == 1)
    # one slow run stretch (37 steps: 1.85 s), then a round (two threads cut after 3 steps: 0.15 s)
    assert switched < 20.0 + 1.85 + 0.15 + 0.1
    assert all(choice == 1 for tt, nt, choice in used if tt > switched)


def test_lost_time_slices_do_not_start_rounds():
    # one thread wins; every fifth call loses time slices and runs 3x slower (more processes than
    # cores). That must not start extra rounds: as many rounds per second as without the noise
    def counting(noisy):
        calls = [0]

        def speed(nt, t):
            calls[0] += 1
            slow = noisy and calls[0] % 5 == 0
            return (1000.0 if nt == 1 else 300.0) / (3.0 if slow else 1.0)
        return speed

    rounds = {}
    for noisy in (False, True):
        c = ThreadChooser(2, probe_seconds=0.01, recheck_seconds=1.0, max_recheck_seconds=2.0)
        t_end, _ = drive(c, counting(noisy), 20_000)
        rounds[noisy] = len(c.rounds) / t_end
    assert rounds[True] <= 1.1 * rounds[False], rounds


def test_one_candidate_never_probes():
    c = ThreadChooser(1)
    drive(c, lambda nt, t: 1000.0, 500)
    assert c.rounds == [] and c.steps_by_threads == {1: 500}


@pytest.mark.parametrize("kwargs, error", [
    ({"max_threads": 0}, ValueError), ({"max_threads": 1.5}, TypeError), ({"max_threads": True}, TypeError),
    ({"probe_seconds": 0.0}, ValueError), ({"recheck_seconds": -1.0}, ValueError),
    ({"recheck_seconds": 2.0, "max_recheck_seconds": 1.0}, ValueError), ({"margin": float("nan")}, ValueError),
    ({"min_probe_steps": 0}, ValueError), ({"warmup_steps": -1}, ValueError),
])
def test_bad_settings_rejected(kwargs, error):
    kwargs = {"max_threads": 2, **kwargs}
    with pytest.raises(error, match=next(iter(k for k in kwargs if k != "max_threads"), "max_threads")):
        ThreadChooser(**kwargs)


def test_bad_reports_rejected():
    c = ThreadChooser(2, warmup_steps=0)
    nt, _ = c.next()
    with pytest.raises(ValueError, match="candidates"):
        c.record(3, 1, 0.1)
    with pytest.raises(ValueError, match="probing"):
        c.record(3 - nt, 1, 0.1)
    with pytest.raises(ValueError, match="seconds"):
        c.record(nt, 1, -0.1)
    with pytest.raises(ValueError, match="steps"):
        c.record(nt, -1, 0.1)


def test_simulate_auto_is_bitwise_the_run_with_all_parts(binary_liquid):
    if numba.config.NUMBA_NUM_THREADS < 2:
        pytest.skip("needs two Numba threads")
    model, state = binary_liquid
    a = state.copy()
    md.simulate(a, model, steps=300, T=0.8, threads=2)
    b = state.copy()
    # recheck 0: probes all the time, so both counts run many stretches
    chooser = ThreadChooser(2, recheck_seconds=0.0, max_recheck_seconds=0.0, min_probe_steps=7, probe_seconds=1e-9)
    log = md.ThermoLog(steps=[state.step + s for s in (5, 50, 51, 299)])
    md.simulate(b, model, steps=300, T=0.8, threads=chooser, observers=[log])
    assert chooser.steps_by_threads[1] > 50 and chooser.steps_by_threads[2] > 50
    for key in ("pos", "vel", "force", "image", "box", "tag"):
        assert np.array_equal(getattr(a, key), getattr(b, key)), key
    assert a.potential_energy == b.potential_energy and a.virial == b.virial
    assert numba.get_num_threads() == 2  # restored


def test_simulate_default_is_auto_and_bad_threads_rejected(hump_liquid):
    model, state = hump_liquid
    s = state.copy()
    md.simulate(s, model, steps=20, T=0.5)  # default: auto
    md.simulate(s, model, steps=20, T=0.5, threads="auto")
    for bad, error in (("two", ValueError), (0, ValueError), (2.0, TypeError), (10**6, ValueError)):
        with pytest.raises(error, match="threads"):
            md.simulate(s, model, steps=1, T=0.5, threads=bad)
