"""Scaling for the network and train/test splits: R's ``scale()`` on the inputs (after the input
features), a range or z-score on regression targets, kept as a ``Scaling`` with the model so new
rows are transformed the same way; seeded, stratified splits.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import features as featmod
from .dataset import Dataset

# -- scaling and splitting ------------------------------------------------

@dataclass(frozen=True)
class Scaling:
    """Input standardisation (R's scale()) and target scaling, kept with a model."""

    x_center: np.ndarray  # one per network input (per feature when there are features)
    x_scale: np.ndarray
    y_center: np.ndarray
    y_scale: np.ndarray
    features: tuple[str, ...] = ()  # input features computed from the 2 raw columns first (features.py)

    def inputs(self, X: np.ndarray) -> np.ndarray:
        """Raw input rows -> the network's inputs: the features (if any), then R's scale()
        (a new array: (X - center) / scale, divided in place, no second temporary)."""
        X = np.asarray(X, dtype=np.float64)
        if self.features:
            X = featmod.expand(X, self.features)
        out = np.subtract(X, self.x_center)
        np.divide(out, self.x_scale, out=out)
        return out

    def targets(self, T: np.ndarray, copy: bool = True) -> np.ndarray:
        """Targets -> the network's units; with ``copy=False`` a float64 ``T`` itself when this
        leaves them as they are (classes, binary targets: (T - 0) / 1 is T, bit for bit)."""
        T = np.asarray(T, dtype=np.float64)
        if not copy and not self.y_center.any() and (self.y_scale == 1.0).all():
            return T
        out = np.subtract(T, self.y_center)
        np.divide(out, self.y_scale, out=out)
        return out

    def outputs(self, Yhat: np.ndarray) -> np.ndarray:
        """Network outputs back in the targets' own units."""
        return np.asarray(Yhat) * self.y_scale + self.y_center


def fit_scaling(ds: Dataset, standardize: bool = True, output_activation: str = "sigmoid",
                features: tuple[str, ...] = ()) -> Scaling:
    """R's scale() for inputs (sd with n - 1; a constant column is only centred); with
    ``features``, of the feature columns computed from the raw inputs.

    Regression targets: to [0, 1] by their range for a sigmoid output, by R's
    scale() for a linear one.  Classes and binary targets are left as they are.
    """
    featmod.check_inputs(features, ds.X.shape[1], ds.source or ds.name)
    X = featmod.expand(ds.X, features) if features else ds.X
    p, k = X.shape[1], ds.T.shape[1]
    if standardize:
        xc, xs = _r_scale(X, ds, featmod.labels(features, ds.input_names))
    else:
        xc, xs = np.zeros(p), np.ones(p)
    yc, ys = np.zeros(k), np.ones(k)
    if ds.task == "regression":
        if output_activation == "sigmoid":
            lo, hi = ds.T.min(axis=0), ds.T.max(axis=0)
            with np.errstate(all="ignore"):
                span = hi - lo
            if not np.isfinite(span).all():
                _too_large(ds, ds.output_names[int(np.flatnonzero(~np.isfinite(span))[0])])
            yc, ys = lo, np.where(hi > lo, span, 1.0)
        else:
            yc, ys = _r_scale(ds.T, ds, ds.output_names)
    return Scaling(xc, xs, yc, ys, tuple(features))


def _r_scale(M: np.ndarray, ds: Dataset, names) -> tuple[np.ndarray, np.ndarray]:
    """Centre and scale of each column as R's scale() (sd with n - 1).  A column whose values
    are all equal (max == min) is centred on that value and not divided: a computed sd of
    rounding noise (1.7e-17 for a column of 0.1s) would blow new values up to 1e15."""
    with np.errstate(all="ignore"):
        centre = M.mean(axis=0)
        scale = M.std(axis=0, ddof=1) if M.shape[0] > 1 else np.ones(M.shape[1])
    constant = M.min(axis=0) == M.max(axis=0)
    centre = np.where(constant, M[0] if M.shape[0] else 0.0, centre)
    scale = np.where(constant, 1.0, scale)
    bad = ~(np.isfinite(centre) & np.isfinite(scale) & (scale > 0))
    if bad.any():
        _too_large(ds, names[int(np.flatnonzero(bad)[0])])
    return centre, scale


def _too_large(ds: Dataset, column: str):
    raise ValueError(f"{ds.source or ds.name}: column {column!r} has values too large to standardise "
                     "(near the largest float): divide the column by a power of ten first")


def split(ds: Dataset, test_fraction: float, seed: int = 0, what: str = "test",
          stream: int = 2) -> tuple[Dataset, Dataset | None]:
    """A seeded train/test split, stratified by class for class targets.  The validation rows
    are split off the training rows the same way (``what="validation"``, its own random stream)."""
    if ds.test_rows is not None:  # edited data keeps its own split (new points are training rows)
        mask = np.asarray(ds.test_rows, dtype=bool)
        if not (~mask).any():
            raise ValueError("the data has no training rows")
        return ds.subset(np.flatnonzero(~mask)), (ds.subset(np.flatnonzero(mask)) if mask.any() else None)
    if not (0.0 <= test_fraction < 1.0):
        raise ValueError(f"the {what} fraction must be at least 0 and below 1 (got {test_fraction})")
    if test_fraction == 0:
        return ds, None
    rng = np.random.default_rng([seed, stream])
    groups = [np.flatnonzero(ds.labels() == c) for c in range(ds.T.shape[1])] if ds.task == "classes" \
        else [np.arange(ds.n)]
    test: list[int] = []
    for g in groups:
        g = rng.permutation(g)
        # every class keeps at least one training row: a class the network never saw in
        # training could not be learned, only be counted wrong in the test set
        k = int(round(test_fraction * g.size))
        test.extend(g[: min(k, g.size - 1) if ds.task == "classes" else k])
    test_rows = np.sort(np.array(test, dtype=int))
    train_rows = np.setdiff1d(np.arange(ds.n), test_rows)
    if train_rows.size == 0 or test_rows.size == 0:
        raise ValueError(f"a {what} fraction of {test_fraction} leaves an empty train or {what} set for {ds.n} rows")
    return ds.subset(train_rows), ds.subset(test_rows)
