"""Input validation shared by every module of scaledyn (private).

Public functions validate their arguments with these helpers, so bad input is rejected with a
TypeError (wrong kind) or ValueError (wrong value or shape) that names the offending argument, in one
consistent wording across the package.
"""

from __future__ import annotations

import numbers

import numpy as np


def real_scalar(value, name: str, *, positive: bool = False, nonnegative: bool = False,
                nonzero: bool = False) -> float:
    """Return ``value`` as a finite float; ``positive``/``nonnegative``/``nonzero`` add a check."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number, got {type(value).__name__}")
    value = float(value)
    if not np.isfinite(value):
        raise ValueError(f"{name} must be finite, got {value}")
    if positive and value <= 0.0:
        raise ValueError(f"{name} must be positive, got {value}")
    if nonnegative and value < 0.0:
        raise ValueError(f"{name} must be >= 0, got {value}")
    if nonzero and value == 0.0:
        raise ValueError(f"{name} must be non-zero")
    return value


def int_scalar(value, name: str, *, minimum: int = 1) -> int:
    """Return ``value`` as an int (not bool) that is at least ``minimum``."""
    if isinstance(value, bool) or not isinstance(value, (numbers.Integral, np.integer)):
        raise TypeError(f"{name} must be an integer, got {type(value).__name__}")
    if value < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value}")
    return int(value)


def dimension(value, name: str = "dim") -> int:
    """Return ``value`` as the space dimension, 2 or 3 (ValueError otherwise, bool included)."""
    if isinstance(value, bool) or not isinstance(value, (numbers.Integral, np.integer)) or int(value) not in (2, 3):
        raise ValueError(f"{name} must be 2 or 3, got {value!r}")
    return int(value)


def sympy_expr(value, name: str):
    """Return ``value`` as a sympy expression; only sympy objects and plain numbers are accepted.

    Strings are refused: :func:`sympy.sympify` evaluates a string with ``eval``, i.e. it runs code.
    Build expressions from :class:`sympy.Symbol` objects instead.
    """
    import sympy as sp

    if isinstance(value, str):
        raise TypeError(f"{name} must be a sympy expression, not a string (sympify would execute it as "
                        "Python code); build it from sympy Symbols")
    if isinstance(value, bool) or not isinstance(value, (sp.Basic, numbers.Number)):
        raise TypeError(f"{name} must be a sympy expression or a number, got {type(value).__name__}")
    return sp.sympify(value)


def check_callable(value, name: str) -> None:
    """Raise TypeError unless ``value`` is callable."""
    if not callable(value):
        raise TypeError(f"{name} must be callable, got {type(value).__name__}")


def real_array(value, name: str) -> np.ndarray:
    """Return ``value`` (a number or an array of any shape) as a finite float64 array."""
    try:
        arr = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"{name} must be a real number or an array of real numbers") from exc
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} contains NaN or infinite values; it must be finite")
    return arr


def float_array(value, name: str, *, ndim: int | None = None, finite: bool = True,
                positive: bool = False, min_size: int = 1) -> np.ndarray:
    """Return ``value`` as a C-contiguous float64 array after shape and value checks."""
    try:
        arr = np.ascontiguousarray(value, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"{name} must be an array of real numbers ({exc})") from None
    if ndim is not None and arr.ndim != ndim:
        raise ValueError(f"{name} must have {ndim} dimension(s), got shape {arr.shape}")
    if arr.size < min_size:
        raise ValueError(f"{name} must hold at least {min_size} value(s), got {arr.size}")
    if finite and not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must contain only finite values (found NaN or inf)")
    if positive and np.any(arr <= 0.0):
        raise ValueError(f"{name} must be > 0 everywhere")
    return arr


def int_array(value, name: str, *, ndim: int = 1) -> np.ndarray:
    """Return ``value`` as an int64 array; floats with a fractional part are rejected."""
    arr = np.asarray(value)
    if arr.dtype == bool or not (np.issubdtype(arr.dtype, np.integer) or np.issubdtype(arr.dtype, np.floating)):
        raise TypeError(f"{name} must be an array of integers, got dtype {arr.dtype}")
    if np.issubdtype(arr.dtype, np.floating):
        if not np.all(np.isfinite(arr)) or np.any(arr != np.round(arr)):
            raise ValueError(f"{name} must contain integers")
    if arr.ndim != ndim:
        raise ValueError(f"{name} must have {ndim} dimension(s), got shape {arr.shape}")
    return np.ascontiguousarray(arr, dtype=np.int64)


def nonnegative_errors(err, like: np.ndarray, name: str) -> np.ndarray:
    """Validate one-sigma errors with the shape of ``like``, all >= 0 (0: known exactly, e.g. a
    species never observed at that point)."""
    err = float_array(err, name, ndim=like.ndim)
    if err.shape != like.shape or np.any(err < 0):
        raise ValueError(f"{name} must be >= 0 with shape {like.shape}")
    return err


def same_length(name_a: str, a: np.ndarray, name_b: str, b: np.ndarray) -> None:
    """Raise ValueError if the leading dimensions of ``a`` and ``b`` differ."""
    if a.shape[0] != b.shape[0]:
        raise ValueError(f"{name_a} and {name_b} must have the same length, got {a.shape[0]} and {b.shape[0]}")


def increasing(arr: np.ndarray, name: str) -> None:
    """Raise ValueError unless ``arr`` is strictly increasing."""
    if arr.size > 1 and np.any(np.diff(arr) <= 0.0):
        raise ValueError(f"{name} must be strictly increasing")


def optional_errors(err, like: np.ndarray, name: str) -> np.ndarray | None:
    """Validate an optional array of one-sigma errors with the shape of ``like`` (all > 0)."""
    if err is None:
        return None
    err = float_array(err, name, ndim=like.ndim, positive=True)
    if err.shape != like.shape:
        raise ValueError(f"{name} must have shape {like.shape}, got {err.shape}")
    return err


def read_json(path, required=(), *, error=ValueError, hint: str = "") -> dict:
    """The JSON object in ``path``; ``error`` (naming the file, plus ``hint``) if it is unreadable,
    not valid JSON, or lacks one of the ``required`` keys."""
    import json
    from pathlib import Path

    path = Path(path)
    try:
        data = json.loads(path.read_text())
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise error(f"{path} is corrupt or unreadable ({exc}){hint}") from exc
    missing = [k for k in required if not isinstance(data, dict) or k not in data]
    if missing:
        raise error(f"{path} is corrupt: missing {missing}{hint}")
    return data


def positive_arg(kind):
    """An ``argparse`` type: ``kind(text)`` that must be finite and > 0 (message names the value)."""
    return _bounded_arg(kind, lambda v: v > 0, "> 0")


def nonnegative_arg(kind):
    """An ``argparse`` type: ``kind(text)`` that must be finite and >= 0 (message names the value)."""
    return _bounded_arg(kind, lambda v: v >= 0, ">= 0")


def _bounded_arg(kind, ok, bound: str):
    import argparse

    def parse(text):
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not a valid {kind.__name__}: {text!r}") from None
        if not np.isfinite(value) or not ok(value):
            raise argparse.ArgumentTypeError(f"must be {bound}, got {text}")
        return value
    return parse
