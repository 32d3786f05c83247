"""Data you can touch: the edits of a two-input data set made on the decision map, as pure
functions on ``Dataset``s, and the undo/redo stack of them.  No Qt.

An edited data set is "custom": ``origin`` names what it was edited from, and ``test_rows``
fixes its split.  Its rows are the training rows, then the test rows, the order in which the
decision map draws them, so a point's index on the map is its row here.  New points are
training rows.  Every edit returns a new Dataset (the old one is kept for Undo).  An edit that
would leave a class with no training row, or no training rows at all, is refused with a
one-line ValueError.

Not here: editing data with more than two inputs, or with several regression or 0/1 targets
(there is no single value to choose for a new point).
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from .data import Dataset


def edit_problem(ds: Dataset) -> str | None:
    """Why the points of ``ds`` cannot be edited on the map (None: they can)."""
    if ds.X.shape[1] != 2:
        return f"points can be edited on two-input data only (this data has {ds.X.shape[1]} inputs)"
    if ds.task != "classes" and ds.T.shape[1] != 1:
        return f"points can be edited when there is one target or classes (this data has {ds.T.shape[1]} targets)"
    return None


def as_custom(train: Dataset, test: Dataset | None, validation: Dataset | None = None) -> Dataset:
    """The rows of a split as one custom data set: training rows first (the validation rows
    among them: they are split off the training rows again after each edit), then the test rows."""
    origin = train.origin or train.title
    parts = [train] + ([validation] if validation is not None else [])
    n_train = sum(p.n for p in parts)
    parts += [test] if test is not None else []
    X = np.vstack([p.X for p in parts])
    T = np.vstack([p.T for p in parts])
    mask = np.zeros(X.shape[0], dtype=bool)
    mask[n_train:] = True
    return replace(train, name="custom", X=X.astype(np.float64), T=T.astype(np.float64), source="",
                   origin=origin, test_rows=mask)


def n_train(ds: Dataset) -> int:
    """Training rows of a custom data set (they come first)."""
    return int(ds.n if ds.test_rows is None else (~np.asarray(ds.test_rows, dtype=bool)).sum())


def target_row(ds: Dataset, value: float) -> np.ndarray:
    """The encoded target of a new point: the class index (classes, 0/1) or the value (regression)."""
    problem = edit_problem(ds)
    if problem:
        raise ValueError(problem)
    if ds.task == "regression":
        if not np.isfinite(value):
            raise ValueError("the value of a new point must be a finite number")
        return np.array([float(value)])
    k = ds.T.shape[1] if ds.task == "classes" else 2
    if not (float(value).is_integer() and 0 <= value < k):
        raise ValueError(f"there is no class {value!r} (the data has {k})")
    if ds.task == "binary":
        return np.array([float(value)])
    row = np.zeros(k)
    row[int(value)] = 1.0
    return row


def _point(x: float, y: float) -> np.ndarray:
    p = np.array([x, y], dtype=np.float64)
    if not np.isfinite(p).all():
        raise ValueError("a point needs finite coordinates")
    return p


def add_point(ds: Dataset, x: float, y: float, value: float) -> Dataset:
    """A new training point at (x, y) of class (or with value) ``value``, after the training rows."""
    at = n_train(ds)
    X = np.insert(ds.X, at, _point(x, y), axis=0)
    T = np.insert(ds.T, at, target_row(ds, value), axis=0)
    mask = np.insert(_mask(ds), at, False)
    return replace(ds, X=X, T=T, test_rows=mask)


def move_point(ds: Dataset, row: int, x: float, y: float) -> Dataset:
    """Point ``row`` moved to (x, y); its class and set stay."""
    _check_row(ds, row)
    X = ds.X.copy()
    X[row] = _point(x, y)
    return replace(ds, X=X, test_rows=_mask(ds))


def delete_point(ds: Dataset, row: int) -> Dataset:
    """Point ``row`` removed; refused when it is the last training point (of its class)."""
    _check_row(ds, row)
    mask = _mask(ds)
    if not mask[row]:
        train = ~mask
        if train.sum() == 1:
            raise ValueError("cannot delete the last training point: the network needs data to train on")
        if ds.task in ("classes", "binary"):
            labels = ds.T.argmax(axis=1) if ds.task == "classes" else (ds.T[:, 0] >= 0.5).astype(int)
            same = train & (labels == labels[row])
            if same.sum() == 1:
                name = ds.output_names[labels[row]] if ds.task == "classes" else str(labels[row])
                raise ValueError(f"cannot delete the last training point of class {name!r}: "
                                 "add another one first")
    keep = np.ones(ds.n, dtype=bool)
    keep[row] = False
    return replace(ds, X=ds.X[keep], T=ds.T[keep], test_rows=mask[keep])


def _mask(ds: Dataset) -> np.ndarray:
    if ds.test_rows is None:
        raise ValueError("only custom data is edited: make it with as_custom first")
    return np.array(ds.test_rows, dtype=bool)


def _check_row(ds: Dataset, row: int) -> None:
    if not (0 <= row < ds.n):
        raise ValueError(f"there is no point {row} (the data has {ds.n})")


class EditStack:
    """Undo and redo of data edits: the data sets as they were (immutable, so no copies)."""

    def __init__(self, limit: int = 500):
        self.limit = limit
        self._undo: list[Dataset] = []
        self._redo: list[Dataset] = []

    def clear(self) -> None:
        self._undo.clear()
        self._redo.clear()

    def push(self, before: Dataset) -> None:
        """An edit is made: ``before`` is the data it started from."""
        self._undo.append(before)
        del self._undo[: -self.limit]
        self._redo.clear()

    @property
    def can_undo(self) -> bool:
        return bool(self._undo)

    @property
    def can_redo(self) -> bool:
        return bool(self._redo)

    def undo(self, current: Dataset) -> Dataset | None:
        """The data before the last edit (None: nothing to undo)."""
        if not self._undo:
            return None
        self._redo.append(current)
        return self._undo.pop()

    def redo(self, current: Dataset) -> Dataset | None:
        if not self._redo:
            return None
        self._undo.append(current)
        return self._redo.pop()
