r"""The campaign runner: every state point of a ladder as an independent, resumable job, on a local
process pool, in this process, or on a Dask cluster; the shared manifest records what happened.

**Resuming.** Re-running the same command skips every state point with a summary and continues
the others from their checkpoints. A corrupt summary or manifest is an error naming the file,
never silently overwritten; a manifest written with other settings is refused (choose another
``--out``), except that the ladder may grow. A state point that fails (blow-up, corrupt checkpoint)
is recorded with its error in the manifest and does not stop the others.

**Executors.** Jobs go to a :class:`concurrent.futures.ProcessPoolExecutor` (``spawn`` start
method: Numba's OpenMP layer is not fork-safe) with ``workers`` processes of ``threads`` Numba
threads each (default: one worker per core, each job choosing its thread count as it runs; a fixed
``threads`` defaults to ``workers × threads`` = cores), or run in the calling process with
``workers=0``, or go to a Dask cluster (``scheduler="tcp://host:8786"``; needs the optional
``dask[distributed]``).

**Provenance.** The manifest records the code version (``git describe --dirty``), the command with
the output and scratch folders written relative to the working directory when they lie below it
and as ``<out>``/``<workdir>`` otherwise (no machine paths in committed data), seeds, settings and
run lengths.
"""

from __future__ import annotations

import concurrent.futures as cf
import multiprocessing
import os
import shlex
import sys
from dataclasses import asdict
from pathlib import Path

import numba

from .jobs import run_job
from .settings import SUMMARY_KEYS, Settings, plan_job, point_name
from .._checks import int_scalar
from .store import CampaignError, code_version, now, read_json, update_manifest

__all__ = ["run_campaign", "settings_record", "portable_command"]


def settings_record(settings: Settings) -> dict:
    """The settings as stored in (and compared with) the manifest: JSON types, lists not tuples."""
    record = asdict(settings)
    record["temperatures"] = list(settings.temperatures)
    if settings.tau_anchors is not None:
        record["tau_anchors"] = [list(p) for p in settings.tau_anchors]
    return record


def portable_command(command: str, out, workdir) -> str:
    """``command`` with the absolute spellings of ``out`` and ``workdir`` replaced: relative to the
    working directory when below it, else ``<out>``/``<workdir>`` — a manifest names no machine path."""
    words = shlex.split(command)
    cwd = Path.cwd().resolve()
    names = {}
    for path, tag in ((out, "<out>"), (workdir, "<workdir>")):
        full = Path(path).resolve()
        try:
            names[str(full)] = str(full.relative_to(cwd))
        except ValueError:
            names[str(full)] = tag
    return shlex.join(names.get(str(Path(w).resolve()), w) if w.startswith(("/", "~")) else w for w in words)


def _die_with_parent() -> None:
    """Pool worker initializer: on Linux, get SIGTERM when the campaign process dies (best effort),
    so that a killed campaign leaves no orphaned job running."""
    try:
        import ctypes
        import signal
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def _default_workers(workers, threads):
    """``(workers, threads, auto)`` from the arguments of :func:`run_campaign`. ``cores``: those
    Numba may use (``NUMBA_NUM_THREADS``, the machine's cores unless the user lowered it).

    Fixed ``threads``: ``workers`` defaults to cores // threads. Auto (``threads`` None or
    ``"auto"``): ``workers`` defaults to cores and each job picks 1 up to ``cores`` threads as it
    runs (:class:`~scaledyn.md.ThreadChooser`): one while the other workers keep the cores busy, all
    of them for the last points of a ladder, which run alone; ``threads`` is then cores, the parts
    the work is split into."""
    cores = max(1, min(os.cpu_count() or 1, numba.config.NUMBA_NUM_THREADS))
    if workers is not None:
        workers = int_scalar(workers, "workers", minimum=0)
    auto = threads is None or threads == "auto"
    if auto:
        threads = cores
        workers = cores if workers is None else workers
    else:
        threads = int_scalar(threads, "threads")
        if workers is None:
            workers = max(1, cores // threads)
    if threads > numba.config.NUMBA_NUM_THREADS:
        raise ValueError(f"threads = {threads} exceeds NUMBA_NUM_THREADS = {numba.config.NUMBA_NUM_THREADS}")
    return workers, threads, auto and threads > 1


def _make_executor(workers: int, scheduler: str | None):
    if scheduler is not None:
        try:
            from distributed import Client
        except ImportError as exc:
            raise CampaignError("--scheduler needs the optional dependency dask.distributed "
                                "(pip install 'dask[distributed]')") from exc
        try:
            client = Client(scheduler, timeout="30s")
        except (OSError, TimeoutError) as exc:
            raise CampaignError(f"cannot reach the Dask scheduler {scheduler!r}: {exc}") from exc
        return client.get_executor(pure=False), client.close
    if workers == 0:
        return None, lambda: None
    pool = cf.ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn"),
                                  initializer=_die_with_parent)
    return pool, lambda: pool.shutdown(wait=True, cancel_futures=True)


def run_campaign(settings: Settings, out, workdir=None, *, workers: int | None = None,
                 threads: int | None = None, scheduler: str | None = None, step_budget: int | None = None,
                 command: str | None = None, log=print) -> dict:
    """Run every state point of ``settings`` into ``out`` (summaries + manifest); see the module doc.

    ``workers``: processes of the local pool (0 = run in this process); ``threads``: Numba threads per
    job, or ``"auto"`` / None (default: each job chooses, :func:`_default_workers`); ``scheduler``: address of a Dask scheduler instead of the pool;
    ``step_budget``: at most this many MD steps per job in this call (for wall-time-limited
    allocations). Returns ``{"done", "skipped", "incomplete", "failed"}``, lists of temperatures; a
    failed state point (its error is in the manifest) does not stop the others.
    """
    if not isinstance(settings, Settings):
        raise TypeError(f"settings must be a Settings, got {type(settings).__name__}")
    if step_budget is not None:
        step_budget = int_scalar(step_budget, "step_budget", minimum=0)
    out = Path(out)
    workdir = Path("runs") / settings.model if workdir is None else Path(workdir)
    workers, threads, auto = _default_workers(workers, threads)
    manifest_path = out / "manifest.json"
    record = settings_record(settings)

    def check_settings(old):
        # the ladder may grow (new temperatures are added); everything else must match
        changed = sorted(k for k in record if k != "temperatures" and old["settings"].get(k) != record[k])
        if changed:
            raise CampaignError(f"{manifest_path} was written with other settings (differ: {changed}); "
                                "use another --out or restore the original command")

    if manifest_path.exists():  # refuse before anything runs or is written
        check_settings(read_json(manifest_path, ("settings", "sessions", "state_points")))
    jobs = [plan_job(settings, T, out / point_name(T), workdir / point_name(T), threads, step_budget, auto)
            for T in settings.temperatures]
    for job in jobs:  # a corrupt summary stops the campaign before anything runs
        if job.summary_path.exists():
            read_json(job.summary_path, SUMMARY_KEYS)
    model = settings.md_model()
    executor, close = _make_executor(workers, scheduler)  # before writing: a bad --scheduler changes nothing
    session = {"command": portable_command(command or shlex.join(sys.argv), out, workdir),
               "code": code_version(), "start": now(),
               "end": None, "workers": workers, "threads": threads,
               "thread_choice": "auto" if auto else "fixed", "scheduler": scheduler,
               "pid": os.getpid()}
    meta = dict(code=session["code"], n=model.n, dim=model.dim, ensemble=model.ensemble,
                pressure=model.pressure, density=model.density if model.ensemble == "nvt" else None,
                dt=model.dt, tau_T=model.tau_T, tau_P=model.tau_P, bulk_modulus=model.bulk_modulus,
                skin=model.skin, k=settings.wave_number)

    def open_session(manifest):
        if manifest is None:
            manifest = {"model": settings.model, "settings": dict(record), "sessions": [], "state_points": {}}
        check_settings(manifest)
        temps = set(manifest["settings"]["temperatures"]) | set(settings.temperatures)
        manifest["settings"] = dict(record, temperatures=sorted(temps, reverse=True))
        manifest["sessions"].append(dict(session))
        manifest.update(meta)
        manifest.setdefault("start", session["start"])
        return manifest

    def ours(s):  # this call's session entry (start time, command and pid identify it)
        return all(s.get(k) == session[k] for k in ("start", "command", "pid"))

    update_manifest(manifest_path, open_session)

    def record_point(job, status, error=None):
        entry = {"seed": job.seed, "planned_steps": {"equilibration": job.equil_steps,
                                                     "production": job.prod_steps, "block": job.block},
                 "status": status, **({"error": error} if error else {})}
        if job.summary_path.exists():
            summ = read_json(job.summary_path, SUMMARY_KEYS)
            entry.update(status="done", steps=summ["steps"], tau_alpha=summ["tau_alpha"],
                         evidence=summ["evidence"], summary=str(job.summary_path.relative_to(out)),
                         finished=summ.get("finished"))

        def set_point(manifest):
            manifest["state_points"][point_name(job.T)] = entry

        update_manifest(manifest_path, set_point)

    report = {"done": [], "skipped": [], "incomplete": [], "failed": []}
    order = sorted(jobs, key=lambda j: -(j.equil_steps + j.prod_steps))  # longest first

    def outcome(job, call):
        # a failing state point (blow-up, corrupt checkpoint, ...) is recorded; the others go on
        try:
            return call()
        except Exception as exc:  # noqa: BLE001 - reported in the manifest and the return value
            return {"T": job.T, "status": "failed", "steps": 0, "error": f"{type(exc).__name__}: {exc}"}

    try:
        for job in jobs:
            record_point(job, "pending")
        if executor is None:
            pairs = ((job, outcome(job, lambda job=job: run_job(job))) for job in order)
        else:
            futures = {executor.submit(run_job, job): job for job in order}
            pairs = ((futures[f], outcome(futures[f], f.result)) for f in cf.as_completed(futures))
        for job, res in pairs:
            report[res["status"]].append(job.T)
            record_point(job, res["status"], res.get("error"))
            log(f"{settings.model} T={job.T:g}: {res['status']} ({res['steps']} steps)"
                + (f": {res['error']}" if "error" in res else ""))
    finally:
        close()
        end = now()

        def close_session(manifest):
            for s in manifest["sessions"]:
                if ours(s):
                    s["end"] = end
            finished = all(e.get("status") == "done" for e in manifest["state_points"].values())
            manifest["end"] = end if finished else None

        update_manifest(manifest_path, close_session)
    return report
