"""What ``fit`` takes: rows from arrays and DataFrames, encoded as a CSV file with those columns
would be (``dataset``), and settings from keyword arguments named as the command line's
options (``settings``); and the rows given to a model (``inputs_of``)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import fields
from typing import Any

import numpy as np

from ..core import features as featmod
from ..core.data import Dataset
from ..core.experiment import Settings
from ..core.network import parse_hidden

ARRAY_DATA = "array"  # the data name of rows given as arrays (``Settings.data``)
FRAME_DATA = "DataFrame"  # ... and as a DataFrame


# -- data from arrays and DataFrames -------------------------------------------------------------

def _is_frame(obj) -> bool:
    return hasattr(obj, "columns") and hasattr(obj, "to_numpy") and getattr(obj, "ndim", 2) == 2


def _is_series(obj) -> bool:
    return hasattr(obj, "to_numpy") and getattr(obj, "ndim", None) == 1


def _names(obj) -> list[str] | None:
    """A DataFrame's column names (as text), or None for an array."""
    return [str(c) for c in obj.columns] if _is_frame(obj) else None


def _matrix(X, what: str = "X") -> np.ndarray:
    """Input rows as a finite float64 matrix (n, p); ValueError of one line otherwise."""
    raw = X.to_numpy() if hasattr(X, "to_numpy") else X
    try:
        # C order, as a CSV file's rows are: R's scale() then sums in the same order, bit for bit
        M = np.ascontiguousarray(raw, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError(f"{what} must hold numbers only (text columns are for targets)") from None
    if M.ndim == 1:
        M = M.reshape(-1, 1)
    if M.ndim != 2 or M.shape[0] == 0 or M.shape[1] == 0:
        raise ValueError(f"{what} must be a table of rows and columns with at least one of each (got shape {M.shape})")
    if not np.isfinite(M).all():
        row, col = (int(v) for v in np.argwhere(~np.isfinite(M))[0])
        names = _names(X)
        where = f"column {names[col]!r}" if names else f"column {col + 1}"
        raise ValueError(f"{what}: row {row + 1}, {where}: missing or not a finite number")
    return M


def _targets(y, names: list[str], classify: bool, n: int) -> tuple[np.ndarray, tuple[str, ...], str]:
    """(T, output names, task) of target values, encoded as ``data.parse_csv`` encodes a CSV
    target: text (or ``classify``) is one-hot classes in sorted order, numbers of only 0 and 1
    are binary, other numbers regression."""
    raw = y.to_numpy() if hasattr(y, "to_numpy") else y
    Y = np.asarray(raw)
    if Y.ndim == 2 and Y.shape[1] == 1 and (classify or Y.dtype.kind not in "biuf"):
        Y = Y[:, 0]
    if Y.ndim not in (1, 2) or Y.shape[0] != n:
        raise ValueError(f"y must have one value (or one row of values) per row of X: {n} rows, got shape {Y.shape}")
    if Y.dtype.kind in "biuf" and not classify:
        T = Y.astype(np.float64).reshape(n, -1)
        if not np.isfinite(T).all():
            raise ValueError(f"y: row {int(np.argwhere(~np.isfinite(T))[0][0]) + 1}: missing or not a finite number")
        task = "binary" if np.isin(T, (0.0, 1.0)).all() else "regression"
        return T, tuple(names[: T.shape[1]]), task
    if Y.ndim != 1:
        raise ValueError("a class target must be a single column")
    if Y.dtype.kind == "O" and any(v is None or (isinstance(v, float) and math.isnan(v)) for v in Y):
        raise ValueError("y: a missing class label")
    if Y.dtype.kind == "f" and not np.isfinite(Y).all():
        raise ValueError("y: a missing class label")
    levels = np.unique(Y)  # sorted: numbers by value, text alphabetically (R's factor levels)
    if levels.size < 2:
        raise ValueError(f"y has a single class ({levels[0]!r}); need at least two")
    if levels.size > 100:
        raise ValueError(f"y has {levels.size} classes; at most 100 are supported")
    index = np.searchsorted(levels, Y)
    T = np.zeros((n, levels.size))
    T[np.arange(n), index] = 1.0
    return T, tuple(_label(v) for v in levels), "classes"


def _label(v) -> str:
    """A class's name: its text, or a number written without a needless '.0'."""
    if isinstance(v, (float, np.floating)) and float(v).is_integer():
        return str(int(v))
    return str(v.item() if isinstance(v, np.generic) else v)


def _target_names(y) -> list[str]:
    """The target columns' names: a DataFrame's, a named Series', else y (one column) or y1, y2, ..."""
    if _is_frame(y):
        return _names(y) or []
    if _is_series(y) and getattr(y, "name", None) is not None:
        return [str(y.name)]
    Y = np.asarray(y.to_numpy() if hasattr(y, "to_numpy") else y)
    k = Y.shape[1] if Y.ndim == 2 else 1
    return ["y"] if k == 1 else [f"y{j + 1}" for j in range(k)]


def dataset(X, y=None, *, target: str | Sequence[str] | None = None, classify: bool = False,
            name: str | None = None) -> Dataset:
    """The rows of ``X`` (an array (n, p) or a DataFrame) with targets ``y`` (values, a column
    or a DataFrame), or a DataFrame ``X`` with its ``target`` column(s), as a Dataset encoded
    exactly as a CSV file with those columns would be."""
    cols = _names(X)
    if y is None:
        if cols is None:
            raise ValueError("give y, or a DataFrame with target='column'")
        if target is None:
            target = cols[-1]  # as a CSV file: the last column
        targets = [target] if isinstance(target, str) else [str(t) for t in target]
        for t in targets:
            if t not in cols:
                raise ValueError(f"no column named {t!r} (columns: {', '.join(cols)})")
        inputs = [c for c in cols if c not in targets]
        if not inputs:
            raise ValueError("no input columns left once the target columns are taken")
        pos = {c: j for j, c in enumerate(cols)}
        X_in = X.iloc[:, [pos[c] for c in inputs]]
        y = X.iloc[:, [pos[t] for t in targets]]
        cols = inputs
    else:
        if target is not None:
            raise ValueError("target= names columns of a DataFrame given without y; with y, leave it out")
        X_in = X
    M = _matrix(X_in)
    input_names = tuple(cols) if cols is not None else tuple(f"x{j + 1}" for j in range(M.shape[1]))
    y_names = _target_names(y)
    T, outputs, task = _targets(y, y_names, classify, M.shape[0])
    if task != "classes" and len(outputs) != T.shape[1]:
        outputs = tuple(f"y{j + 1}" for j in range(T.shape[1]))
    clash = set(input_names) & set(y_names)
    if clash:
        raise ValueError(f"the column {sorted(clash)[0]!r} is both an input and a target")
    nm = name or (FRAME_DATA if _names(X) is not None else ARRAY_DATA)
    return Dataset(nm, M, T, input_names, outputs, task, tuple(y_names) if task != "classes" else tuple(y_names[:1]))


# -- settings ----------------------------------------------------------------------------------

SETTINGS = tuple(f.name for f in fields(Settings))  # the keyword arguments a run takes


def _hidden(value) -> tuple[int, ...]:
    if isinstance(value, str):
        return parse_hidden(value)
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        return () if value == 0 else parse_hidden(str(int(value)))
    try:
        sizes = tuple(value)
    except TypeError:
        raise ValueError(f"hidden must be layer sizes like (6, 6), 6 or '6,6' (got {value!r})") from None
    if not all(isinstance(h, (int, np.integer)) and not isinstance(h, bool) and h >= 1 for h in sizes):
        raise ValueError(f"hidden layers must be positive whole numbers, like (6, 6) (got {value!r})")
    return tuple(int(h) for h in sizes)


def _names_of(value, what: str) -> tuple[str, ...]:
    parts = tuple(a.strip() for a in value.split(",")) if isinstance(value, str) else tuple(value)
    if not parts or not all(isinstance(a, str) and a for a in parts):
        raise ValueError(f"{what} takes a name or a list of names (got {value!r})")
    return parts


def settings(data: str = ARRAY_DATA, **options) -> Settings:
    """Settings from keyword arguments named as the command line's options (``hidden=(6, 6)``,
    ``activation='tanh'``, ``lr=0.02``, ``batch_size=32``, ``standardize=False`` ...)."""
    unknown = sorted(set(options) - set(SETTINGS))
    if unknown:
        raise TypeError(f"unknown setting {unknown[0]!r} (settings: {', '.join(n for n in SETTINGS if n != 'data')})")
    kw: dict[str, Any] = {k: v for k, v in options.items() if v is not None or k in ("batch_size", "threshold",
                                                                                   "patience", "target")}
    if "hidden" in kw:
        kw["hidden"] = _hidden(kw["hidden"])
    if "activation" in kw:
        kw["activation"] = _names_of(kw["activation"], "activation")
    if "features" in kw:
        kw["features"] = featmod.parse(kw["features"]) if isinstance(kw["features"], str) else tuple(kw["features"])
    for key in ("iterations", "seed", "batch_size", "patience"):
        v = kw.get(key)
        if v is not None and not (isinstance(v, (int, np.integer)) and not isinstance(v, bool)):
            if isinstance(v, float) and v.is_integer():
                kw[key] = int(v)
            else:
                raise ValueError(f"{key} takes a whole number (got {v!r})")
        elif v is not None:
            kw[key] = int(v)
    for key in ("momentum", "threshold", "noise", "test_fraction", "l1", "l2", "validation_fraction"):
        v = kw.get(key)
        if v is not None:
            if isinstance(v, bool) or not isinstance(v, (int, float, np.integer, np.floating)) or not math.isfinite(v):
                raise ValueError(f"{key} takes a finite number (got {v!r})")
            kw[key] = float(v)
    if kw.get("batch_size") is not None and kw["batch_size"] < 1:
        raise ValueError(f"batch_size must be at least 1 (got {kw['batch_size']})")
    if "lr" in kw and not isinstance(kw["lr"], str):
        kw["lr"] = float(kw["lr"])
    return Settings(data=data, **kw)


# -- rows for a model -------------------------------------------------------------------------

def inputs_of(X, names: Sequence[str]) -> np.ndarray:
    """Rows for a model: a DataFrame's columns by name (the model's inputs), or an array as it is."""
    cols = _names(X)
    if cols is None:
        return _matrix(X)
    missing = [n for n in names if n not in cols]
    if missing:
        raise ValueError(f"no column named {missing[0]!r} (the model takes {', '.join(names)})")
    pos = {c: j for j, c in enumerate(cols)}
    return _matrix(X.iloc[:, [pos[n] for n in names]])
