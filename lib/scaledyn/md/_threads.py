"""Threads: Numba's OpenMP threading layer, and the automatic choice of the thread count.

Threading layer. Measured on the book's 2-core machine: the parallel force loop ran ~2.5x faster
under the OpenMP layer than under the ``workqueue`` fallback (which busy-waits less cleverly). The
choice must be made before the first parallel kernel runs; an explicit ``NUMBA_THREADING_LAYER`` in
the environment wins.

Thread count (:class:`ThreadChooser`). On a quiet machine two threads are fastest for a few thousand
particles, but when other processes compete for the cores a two-thread step waits at every OpenMP
barrier for a descheduled thread and can be several times slower than one thread
(``benchmarks/README.md``). Which case holds changes while a run goes on, so the choice is measured,
not guessed: short timed probes of each candidate count, the fastest kept for a while, probes again
later. The chooser only decides; :func:`.run.simulate` times the steps and reports them to it, so the
logic is tested with made-up timings.
"""

import argparse
import math
import os

import numba

from .._checks import int_scalar, real_scalar


def select_threading_layer() -> str:
    """Select ``omp`` unless the user chose a layer; return the layer that was requested."""
    if os.environ.get("NUMBA_THREADING_LAYER"):
        return numba.config.THREADING_LAYER
    try:
        import numba.np.ufunc.omppool  # noqa: F401  (raises ImportError when OpenMP is absent)
    except ImportError:
        return numba.config.THREADING_LAYER  # graceful fallback: numba picks tbb or workqueue
    numba.config.THREADING_LAYER = "omp"
    return "omp"


select_threading_layer()


def threads_arg(text: str):
    """Command-line type of ``--threads``: ``auto`` or a thread count in [1, NUMBA_NUM_THREADS]."""
    if text == "auto":
        return text
    try:
        n = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'auto' or a positive integer, got {text!r}") from None
    if n < 1:
        raise argparse.ArgumentTypeError(f"must be > 0, got {n}")
    if n > numba.config.NUMBA_NUM_THREADS:
        raise argparse.ArgumentTypeError(f"at most NUMBA_NUM_THREADS = {numba.config.NUMBA_NUM_THREADS} threads, "
                                         f"got {n}")
    return n


def candidate_counts(max_threads: int) -> tuple[int, ...]:
    """Thread counts worth probing up to ``max_threads``: 1, the powers of two below, and the maximum."""
    max_threads = int_scalar(max_threads, "max_threads")
    counts = {max_threads}
    c = 1
    while c < max_threads:
        counts.add(c)
        c *= 2
    return tuple(sorted(counts))


class ThreadChooser:
    """Picks the fastest thread count from timed probes, and probes again every so often.

    The run alternates between a *probe round* — about ``probe_seconds`` of steps with each
    candidate count (:func:`candidate_counts` up to ``max_threads``), the current choice first (one
    thread in the first round) — and a *run phase* on the fastest count. A probe runs stretches of 1,
    2, 4, ... steps (never more than its speed so far says fit in what is left of ``probe_seconds``)
    until it has taken ``probe_seconds`` and ``min_probe_steps`` steps, or twice ``probe_seconds``:
    on a loaded machine two threads can be a hundred times slower than one
    (``benchmarks/README.md``), so a probe is bounded in time, not in steps. A probe that after a
    quarter of ``probe_seconds`` runs at less than ``LOSING`` times the speed of a count already
    probed in the round has lost and stops there (under load every round probes the collapsed
    count, and its full probe was most of what auto mode lost against one fixed thread). A run phase lasts
    ``recheck_seconds`` of stepping at first; each round that confirms the choice doubles it, up to
    ``max_recheck_seconds``, and a changed choice resets it. A round costs little (a losing count
    stops after a quarter probe), and the one change the current choice's own speed cannot show —
    cores freed by other work that ended, e.g. the last job of a campaign left alone — is seen only
    by probing, so the ceiling is short: 2 s. Run-phase stretches last about ``RUN_STRETCH`` probes
    each; when the stretches of the last ``WINDOW`` probe lengths ran more than ``SLOWDOWN`` times
    slower than the probe promised (other work arrived), a round starts at once. One slow stretch
    alone does not do it unless it is that long: on a machine shared by more processes than cores, a
    process loses whole time slices now and then, and a round started for each of those cost auto
    mode a fifth of its speed against one fixed thread (``benchmarks/README.md``). The current
    choice is kept unless another count is faster by more than the fraction ``margin`` (timings are
    noisy; flapping would gain nothing). The first ``warmup_steps`` steps run on one thread and are
    not timed: they may include compiling or loading the kernels.

    Protocol: ``threads, steps = chooser.next()`` says how many threads to use for at most ``steps``
    steps; after stepping, ``chooser.record(threads, steps_done, seconds)`` reports the wall time of
    those steps (the caller may stop early, e.g. at an observer's step; the rest is asked again).
    ``steps_by_threads`` counts the steps run with each count and ``rounds`` lists each probe
    round's measured speeds (steps per second) and its choice.

    The chooser never changes a trajectory: :func:`.run.simulate` splits the work between
    ``max_threads`` parts whatever the number of threads that run them, so every choice gives the
    same arithmetic, bitwise.
    """

    #: run stretches over the last WINDOW probe lengths this many times slower than promised start a round
    SLOWDOWN = 2.0
    WINDOW = 4.0
    #: a probe stops after this many probe_seconds even if it has fewer than min_probe_steps steps
    PROBE_CUT = 2.0
    #: run-phase stretches last this many probe_seconds: a slowdown is seen only at a stretch's
    #: end, when it has taken its steps at the new speed (so a 6x slowdown costs 6 stretches'
    #: time); one call into the kernels costs ~0.1 ms, so stretches of 0.05 s lose 0.2 %
    RUN_STRETCH = 1.0
    #: a probe slower than this fraction of the round's best so far (after a quarter probe) stops
    LOSING = 0.5

    def __init__(self, max_threads: int, *, probe_seconds: float = 0.05, recheck_seconds: float = 1.0,
                 max_recheck_seconds: float = 2.0, margin: float = 0.05, min_probe_steps: int = 10,
                 warmup_steps: int = 5):
        self.candidates = candidate_counts(max_threads)
        self.probe_seconds = real_scalar(probe_seconds, "probe_seconds", positive=True)
        self.recheck_seconds = real_scalar(recheck_seconds, "recheck_seconds", nonnegative=True)
        self.max_recheck_seconds = real_scalar(max_recheck_seconds, "max_recheck_seconds", nonnegative=True)
        if self.max_recheck_seconds < self.recheck_seconds:
            raise ValueError(f"max_recheck_seconds ({max_recheck_seconds}) must be >= recheck_seconds "
                             f"({recheck_seconds})")
        self.margin = real_scalar(margin, "margin", nonnegative=True)
        self.min_probe_steps = int_scalar(min_probe_steps, "min_probe_steps")
        self.warmup_left = int_scalar(warmup_steps, "warmup_steps", minimum=0)
        self.choice: int | None = None
        self.period = self.recheck_seconds
        self.steps_by_threads = {c: 0 for c in self.candidates}
        self.rounds: list[dict] = []
        self._start_round()

    @property
    def max_threads(self) -> int:
        return self.candidates[-1]

    def _start_round(self) -> None:
        first = self.candidates[0] if self.choice is None else self.choice
        self._pending = [first] + [c for c in self.candidates if c != first]
        self._probe = {c: [0, 0.0, 0] for c in self.candidates}  # steps, seconds, last stretch
        self._run_left = 0.0  # seconds of the run phase still to go (0: probing)
        self._recent = []     # (steps, seconds) of the latest run stretches, about WINDOW probes long
        self._rate = 0.0      # steps per second of the choice at its probe

    def next(self) -> tuple[int, int]:
        """``(threads, max_steps)`` for the next stretch of steps."""
        if len(self.candidates) == 1:
            return self.candidates[0], 2**62
        if self.warmup_left:
            return self.candidates[0], self.warmup_left
        if self._pending:
            c = self._pending[0]
            steps, seconds, last = self._probe[c]
            n = max(1, 2 * last)  # doubling: a very slow count costs about one stretch more than the cut
            # what fits in the rest of the probe (of its first quarter, where a loser stops) at the speed so far
            goal = 0.25 * self.probe_seconds if seconds < 0.25 * self.probe_seconds else self.probe_seconds
            if goal > seconds > 0.0:
                n = min(n, math.ceil((goal - seconds) * steps / seconds))
            elif seconds >= self.probe_seconds:  # time is up but too few steps yet
                n = min(n, self.min_probe_steps - steps)
            return c, max(1, n)
        stretch = min(self._run_left, self.RUN_STRETCH * self.probe_seconds)
        return self.choice, max(1, math.ceil(stretch * self._rate))

    def record(self, threads: int, steps: int, seconds: float) -> None:
        """Report that ``steps`` steps on ``threads`` threads took ``seconds`` of wall time."""
        threads = int_scalar(threads, "threads")
        if threads not in self.steps_by_threads:
            raise ValueError(f"threads must be one of the candidates {self.candidates}, got {threads}")
        steps = int_scalar(steps, "steps", minimum=0)
        seconds = real_scalar(seconds, "seconds", nonnegative=True)
        self.steps_by_threads[threads] += steps
        if len(self.candidates) == 1 or steps == 0:
            return
        if self.warmup_left:
            if threads != self.candidates[0]:
                raise ValueError(f"record: warming up on {self.candidates[0]} thread, got a report for {threads}")
            self.warmup_left = max(0, self.warmup_left - steps)
            return
        if self._pending:
            if threads != self._pending[0]:
                raise ValueError(f"record: probing {self._pending[0]} threads, got a report for {threads}")
            p = self._probe[threads]
            p[0] += steps
            p[1] += seconds
            p[2] = steps
            if (p[1] >= self.probe_seconds and p[0] >= self.min_probe_steps) or p[1] >= self.PROBE_CUT * self.probe_seconds \
                    or self._lost(threads):
                self._pending.pop(0)
                if not self._pending:
                    self._decide()
            return
        if threads != self.choice:
            raise ValueError(f"record: running on {self.choice} threads, got a report for {threads}")
        self._run_left -= seconds
        recent = self._recent
        recent.append((steps, seconds))
        window = self.WINDOW * self.probe_seconds
        while len(recent) > 1 and sum(t for _, t in recent[1:]) >= window:
            recent.pop(0)
        n, t = sum(k for k, _ in recent), sum(t for _, t in recent)
        slowed = t >= window and t * self._rate > self.SLOWDOWN * n
        if self._run_left <= 0.0 or slowed:
            self._start_round()

    def _lost(self, threads: int) -> bool:
        # a probe past a quarter of probe_seconds and under LOSING x the best finished probe's speed
        steps, seconds, _ = self._probe[threads]
        done = [s / t for c, (s, t, _) in self._probe.items() if c not in self._pending and t > 0.0]
        return bool(done) and seconds >= 0.25 * self.probe_seconds and steps < self.LOSING * max(done) * seconds

    def _decide(self) -> None:
        # steps per second of each candidate; a zero time (a too-coarse clock) counts as very fast
        rate = {c: s / t if t > 0.0 else math.inf for c, (s, t, _) in self._probe.items()}
        best = max(self.candidates, key=lambda c: (rate[c], -c))  # ties: fewer threads
        keep = self.choice is not None and rate[best] <= rate[self.choice] * (1.0 + self.margin)
        new = self.choice if keep else best
        self.period = min(2.0 * self.period, self.max_recheck_seconds) if new == self.choice else self.recheck_seconds
        self.choice = new
        self.rounds.append({"rates": rate, "choice": new})
        self._rate = rate[new] if math.isfinite(rate[new]) else 1e9
        self._run_left = self.period
        if self._run_left <= 0.0:  # recheck_seconds = 0: probe continuously
            self._start_round()
