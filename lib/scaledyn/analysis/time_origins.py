r"""Averages over time origins shared by the single-particle time correlations: F_s(k,t)
(:mod:`.isf`), the mean-squared displacement (:mod:`.diffusion`) and their cage-relative versions
(:mod:`.cage`).

A correlation :math:`C(t) = \langle c(t_0, t_0+t)\rangle_{t_0}` is built from **pairs** (origin
frame, later frame): every frame at or after an origin, up to ``max_lag``, gives one pair and one
value :math:`c`, the mean over the selected particles of a function of their (unwrapped)
displacements between the two frames. Pairs whose lags coincide (within 1e-9 of the time span) are
pooled into one lag, whose value is the mean over its pairs.

**Error bars.** The origins, in time order, are cut into ``n_chunks`` contiguous chunks; the
chunk curves :math:`C_c(t)` (mean over the pairs whose origin lies in chunk c) give the standard
error :math:`\mathrm{std}_c(C_c)/\sqrt{n_c}` (ddof = 1, :math:`n_c` the chunks that have the lag).
This treats the chunks as independent: true when a chunk lasts much longer than both the lag and
the correlation time of the motion; lags comparable with a chunk's duration make chunks overlap in
time and the error an underestimate.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .._checks import dimension, float_array, increasing, int_array, int_scalar, real_scalar

__all__ = ["LagAverage", "correlate", "trajectory", "selection", "group_lags", "lag_curve", "write_curve",
           "read_curve"]


@dataclass(frozen=True)
class LagAverage:
    """A correlation on its grid of distinct lags: ``t`` (from 0), ``mean``, ``err`` (standard
    error from the chunk scatter, NaN where fewer than two chunks have the lag), ``counts`` (pairs
    per lag) and ``chunks`` (n_chunks × n_lags, NaN where a chunk lacks the lag)."""

    t: np.ndarray
    mean: np.ndarray
    err: np.ndarray
    counts: np.ndarray
    chunks: np.ndarray


def trajectory(times, positions) -> tuple[np.ndarray, np.ndarray, int]:
    """Validated ``(times, positions, dim)``: times (n_frames,) strictly increasing, positions
    (n_frames, N, dim) finite with dim 2 or 3."""
    times = float_array(times, "times", ndim=1, min_size=2)
    increasing(times, "times")
    positions = float_array(positions, "positions", ndim=3)
    if positions.shape[0] != times.size:
        raise ValueError(f"positions has {positions.shape[0]} frames but times has {times.size}")
    return times, positions, dimension(positions.shape[2], "positions.shape[2]")


def selection(select, n_part: int) -> np.ndarray:
    """Particle indices (int64) from None (all), a boolean mask or an index array; non-empty, in range."""
    if select is None:
        return np.arange(n_part, dtype=np.int64)
    arr = np.asarray(select)
    if arr.dtype == bool:
        if arr.shape != (n_part,):
            raise ValueError(f"select as a mask must have shape ({n_part},), got {arr.shape}")
        idx = np.flatnonzero(arr).astype(np.int64)
    else:
        idx = np.unique(int_array(arr, "select"))
    if idx.size == 0:
        raise ValueError("select must choose at least one particle")
    if idx[0] < 0 or idx[-1] >= n_part:
        raise ValueError(f"select indices must lie in [0, {n_part})")
    return idx


def group_lags(lags: np.ndarray, tol: float) -> tuple[np.ndarray, int]:
    """Group id (0…n−1, increasing with the lag) of each lag; lags closer than ``tol`` share a group."""
    order = np.argsort(lags, kind="stable")
    new_group = np.concatenate([[0], (np.diff(lags[order]) > tol).astype(np.int64)])
    gid = np.empty(lags.size, dtype=np.int64)
    gid[order] = np.cumsum(new_group)
    return gid, int(gid[order[-1]]) + 1


def correlate(times, positions, pair_values, *, select=None, origins=None, max_lag=None, n_chunks: int = 4,
              cage=None) -> tuple[LagAverage, int]:
    """Average ``pair_values`` over time origins; returns ``(LagAverage, dim)``.

    ``pair_values(pos, sel, org, frm)`` gives, for each pair p, the mean over the particles ``sel``
    of a function of ``pos[frm[p], j] − pos[org[p], j]``. ``times``, ``positions`` (unwrapped, σ):
    see :func:`trajectory`; ``select``: see :func:`selection`; ``origins``: frame indices (default:
    all frames); ``max_lag``: largest lag kept (default: all); ``n_chunks``: chunks of origins for
    the errors (module docstring). ``cage``: None, or a :class:`.cage.Cage`, whose
    :meth:`~.cage.Cage.relative_positions` replaces the positions of every origin's frames by
    positions relative to the origin's cage, so the same ``pair_values`` give the cage-relative
    correlation.
    """
    times, positions, dim = trajectory(times, positions)
    sel = selection(select, positions.shape[1])
    n_chunks = int_scalar(n_chunks, "n_chunks")
    if origins is None:
        org_idx = np.arange(times.size)
    else:
        org_idx = np.unique(int_array(origins, "origins"))
        if org_idx.size == 0 or org_idx[0] < 0 or org_idx[-1] >= times.size:
            raise ValueError(f"origins must be non-empty frame indices in [0, {times.size})")
    if max_lag is not None:
        max_lag = real_scalar(max_lag, "max_lag", nonnegative=True)

    frames = []  # the later frames of each origin, the origin itself first
    for o in org_idx:
        f = np.arange(o, times.size)
        if max_lag is not None:
            f = f[times[f] - times[o] <= max_lag * (1 + 1e-12)]
        frames.append(f)
    org = np.concatenate([np.full(f.size, o) for o, f in zip(org_idx, frames)]).astype(np.int64)
    frm = np.concatenate(frames).astype(np.int64)
    if cage is None:
        vals = pair_values(positions, sel, org, frm)
    else:
        mine = np.arange(sel.size, dtype=np.int64)
        vals = np.concatenate([
            pair_values(cage.relative_positions(positions[f], positions[o], sel), mine,
                        np.zeros(f.size, np.int64), np.arange(f.size, dtype=np.int64))
            for o, f in zip(org_idx, frames)])
    return _lag_average(times, org, frm, vals, org_idx, n_chunks), dim


def _lag_average(times, org, frm, vals, org_idx, n_chunks) -> LagAverage:
    """Pool the pair values by lag, overall and per chunk of contiguous origins."""
    lag_id, n_lag = group_lags(times[frm] - times[org], 1e-9 * (times[-1] - times[0]))
    counts = np.bincount(lag_id, minlength=n_lag)
    mean = np.bincount(lag_id, weights=vals, minlength=n_lag) / counts
    # representative lag value: mean of the exact lags grouped together
    t = np.bincount(lag_id, weights=times[frm] - times[org], minlength=n_lag) / counts

    n_chunks = min(n_chunks, org_idx.size)
    chunk_of_origin = np.empty(times.size, dtype=np.int64)
    chunk_of_origin[org_idx] = np.arange(org_idx.size) * n_chunks // org_idx.size
    chunk = chunk_of_origin[org]
    chunks = np.full((n_chunks, n_lag), np.nan)
    for c in range(n_chunks):
        m = chunk == c
        cnt = np.bincount(lag_id[m], minlength=n_lag)
        s = np.bincount(lag_id[m], weights=vals[m], minlength=n_lag)
        with np.errstate(invalid="ignore", divide="ignore"):
            chunks[c] = np.where(cnt > 0, s / np.maximum(cnt, 1), np.nan)
    n_ok = np.sum(np.isfinite(chunks), axis=0)
    err = np.full(n_lag, np.nan)
    multi = n_ok >= 2
    if np.any(multi):
        err[multi] = np.nanstd(chunks[:, multi], axis=0, ddof=1) / np.sqrt(n_ok[multi])
    return LagAverage(t=t, mean=mean, err=err, counts=counts, chunks=chunks)


def lag_curve(t, values, name: str = "fs") -> tuple[np.ndarray, np.ndarray]:
    """Validated ``(t, values)`` of a correlation on its lags: ``t`` ≥ 0 strictly increasing, ``values``
    (called ``name`` in errors) finite and of the same length, both with at least two entries."""
    t = float_array(t, "t", ndim=1, min_size=2)
    increasing(t, "t")
    if t[0] < 0:
        raise ValueError("t must be >= 0")
    values = float_array(values, name, ndim=1, min_size=2)
    if values.size != t.size:
        raise ValueError(f"{name} and t must have the same length, got {values.size} and {t.size}")
    return t, values


def write_curve(path, meta: dict, names: list, columns) -> None:
    """Write columns to a CSV file whose first line ``# key=value, …`` holds ``meta`` (values
    written with ``repr`` for floats) and whose second line names the columns."""
    header = ", ".join(f"{key}={value!r}" if isinstance(value, float) else f"{key}={value}"
                       for key, value in meta.items()) + "\n" + ",".join(names)
    np.savetxt(path, np.column_stack(columns), delimiter=",", header=header, fmt="%.12g")


def read_curve(path, what: str, keys: dict, min_columns: int) -> tuple[dict, np.ndarray]:
    """``(meta, data rows)`` of a file written by :func:`write_curve`; ``keys`` maps each required
    meta key to its type (e.g. ``{"k": float}``). ValueError naming ``path`` and ``what`` it should
    have been if it is not one."""
    try:
        with open(path) as fh:
            raw = dict(item.split("=", 1) for item in fh.readline().lstrip("# ").strip().split(", "))
        meta = {key: kind(raw[key]) for key, kind in keys.items()}
        data = np.loadtxt(path, delimiter=",", ndmin=2)
    except (ValueError, KeyError, UnicodeDecodeError) as exc:
        raise ValueError(f"{path} is not {what} ({exc!r})") from None
    if data.shape[1] < min_columns or data.shape[0] < 1:
        raise ValueError(f"{path} is not {what}: need at least {min_columns} columns, got shape {data.shape}")
    return meta, data
