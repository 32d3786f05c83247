"""How each output responds to each input: Lek's profiles and partial dependence with
individual (ICE) curves.  NumPy only, no Qt.

Both sweep one input column over its range in the data (``steps`` evenly spaced values from
its minimum to its maximum, as R's ``seq(min, max, length = steps)``) and predict with the
model, in the data's own units (raw columns in, the outputs in the targets' units out; input
features are computed from the raw columns, so a profile is per raw column).

* **Lek** (NeuralNetTools' ``lekprofile()``): the other inputs are held at each of a few
  groups of values: the quantiles 0, 20, ..., 100 % of every column (``group_vals``'
  default; R's quantile type 7, NumPy's ``linear``), or the centres of k-means clusters of
  the rows (``group_vals = 6``).  One curve per group.  R's ``kmeans()`` starts from R's
  random numbers, so its clusters cannot be reproduced bit for bit; nnviz runs Lloyd's
  algorithm from ten k-means++ starts of a seeded generator and keeps the tightest, and
  R's ``lekprofile`` given nnviz's centres (``group_vals`` as a matrix) draws the same curves.
* **Partial dependence** (Friedman 2001) with **ICE** curves (Goldstein et al. 2015): every
  row is kept as it is except the swept input; each row gives one curve (ICE), their mean is
  the partial dependence.

Left out: two-way (interaction) profiles, centred ICE, derivative ICE.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from .snapshot import frozen

KINDS = ("lek", "lek_clusters", "pdp")
KIND_NAMES = {"lek": "Lek (quantiles)", "lek_clusters": "Lek (clusters)", "pdp": "partial dependence + ICE"}
LEK_QUANTILES = (0.0, 0.2, 0.4, 0.6, 0.8, 1.0)  # lekprofile's default group_vals
LEK_STEPS = 100  # lekprofile's default steps
CLUSTERS = 6
PDP_STEPS = 50
WINDOW_PDP_ROWS = 100  # the window's ICE curves: at most this many rows (every k-th)
WINDOW_PDP_STEPS = 30  # ... of this many points (the command line's: PDP_STEPS)
WINDOW_CLUSTER_ROWS = 5000  # the window clusters at most this many rows (every k-th)

Predict = Callable[[np.ndarray], np.ndarray]


@dataclass(frozen=True)
class Profiles:
    """Profiles of some inputs: for each swept input, m curves of ``steps`` points per output."""

    kind: str  # "lek", "lek_clusters" or "pdp"
    inputs: tuple[int, ...]  # the raw columns swept
    x: np.ndarray  # (len(inputs), steps): the values each is swept over
    curves: np.ndarray  # (len(inputs), m, steps, outputs): Lek one curve per group, pdp one per row (ICE)
    held: np.ndarray  # (m, columns): Lek the groups' values (quantiles or centres), pdp the rows' values
    labels: tuple[str, ...]  # the m curves' names ("20%", "cluster 3", "row 17")
    mean: np.ndarray | None = None  # pdp: (len(inputs), steps, outputs), the mean of the ICE curves

    def of(self, column: int) -> int:
        """The index of a raw column among the swept inputs; ValueError when it was not swept."""
        if column not in self.inputs:
            raise ValueError(f"input {column + 1} was not swept")
        return self.inputs.index(column)


def model_predict(net, scaling) -> Predict:
    """Raw rows -> outputs in the targets' own units (the features, scale(), the net, back)."""
    return lambda X_raw: scaling.outputs(net.predict(scaling.inputs(X_raw)))


def sweep(X: np.ndarray, column: int, steps: int) -> np.ndarray:
    """``steps`` values from the column's minimum to its maximum (R's seq(min, max, length = steps))."""
    if steps < 2:
        raise ValueError(f"a profile needs at least 2 steps (got {steps})")
    col = np.asarray(X, dtype=np.float64)[:, column]
    return np.linspace(col.min(), col.max(), steps)


def quantile_groups(X: np.ndarray, probs=LEK_QUANTILES) -> np.ndarray:
    """(groups, columns): each column's quantiles at ``probs`` (R's type 7 = NumPy's linear)."""
    probs = np.asarray(probs, dtype=np.float64)
    if probs.size == 0 or not ((probs >= 0) & (probs <= 1)).all():
        raise ValueError("quantiles must be between 0 and 1")
    return np.quantile(np.asarray(X, dtype=np.float64), probs, axis=0, method="linear")


_CLUSTER_CACHE: dict[tuple, np.ndarray] = {}


def cluster_groups(X: np.ndarray, k: int = CLUSTERS, seed: int = 1, starts: int = 10,
                   iterations: int = 100) -> np.ndarray:
    """(k, columns): the centres of k-means clusters of the rows (Lloyd's algorithm from
    ``starts`` k-means++ starts of a seeded generator, the tightest kept), sorted by their
    first column.  The same rows give the same centres (kept for the last few data sets)."""
    X = np.ascontiguousarray(X, dtype=np.float64)
    if k < 1:
        raise ValueError(f"the number of clusters must be at least 1 (got {k})")
    key = (X.shape, hashlib.blake2b(X.tobytes(), digest_size=16).digest(), k, seed, starts, iterations)
    if key in _CLUSTER_CACHE:
        return _CLUSTER_CACHE[key]
    distinct = np.unique(X, axis=0).shape[0]
    if distinct < k:
        raise ValueError(f"{k} clusters need {k} distinct rows, the data has {distinct}")
    rng = np.random.default_rng(seed)
    best: tuple[float, np.ndarray] | None = None
    for _ in range(starts):
        C = _lloyd(X, _plus_plus(X, k, rng), iterations)
        wss = float(_sq_dist(X, C).min(axis=1).sum())
        if best is None or wss < best[0]:
            best = (wss, C)
    assert best is not None
    C = best[1][np.lexsort(best[1].T[::-1])]
    C = frozen(C)
    if len(_CLUSTER_CACHE) >= 4:
        _CLUSTER_CACHE.pop(next(iter(_CLUSTER_CACHE)))
    _CLUSTER_CACHE[key] = C
    return C


def _sq_dist(X: np.ndarray, C: np.ndarray) -> np.ndarray:
    """Squared distances (rows, centres)."""
    d = (X * X).sum(axis=1)[:, None] - 2.0 * X @ C.T + (C * C).sum(axis=1)[None, :]
    return np.maximum(d, 0.0)


def _plus_plus(X: np.ndarray, k: int, rng: np.random.Generator) -> np.ndarray:
    """k-means++ starting centres: each next one drawn with probability proportional to D^2."""
    C = [X[rng.integers(X.shape[0])]]
    for _ in range(1, k):
        d = _sq_dist(X, np.array(C)).min(axis=1)
        total = d.sum()
        C.append(X[rng.choice(X.shape[0], p=d / total)] if total > 0 else X[rng.integers(X.shape[0])])
    return np.array(C)


def _lloyd(X: np.ndarray, C: np.ndarray, iterations: int) -> np.ndarray:
    """Lloyd's iterations: rows to their nearest centre, centres to their rows' mean."""
    for _ in range(iterations):
        label = _sq_dist(X, C).argmin(axis=1)
        new = C.copy()
        for c in range(C.shape[0]):
            mine = label == c
            if mine.any():
                new[c] = X[mine].mean(axis=0)
        if np.array_equal(new, C):
            break
        C = new
    return C


def group_labels(kind: str, m: int, probs=LEK_QUANTILES) -> tuple[str, ...]:
    if kind == "lek":
        return tuple(f"{100 * p:g}%" for p in probs)
    return tuple(f"cluster {i + 1}" for i in range(m))


def lek(predict: Predict, X: np.ndarray, groups: np.ndarray, inputs=None, steps: int = LEK_STEPS,
        kind: str = "lek", labels: tuple[str, ...] | None = None) -> Profiles:
    """Lek's profiles: each input of ``inputs`` (all columns by default) swept over its range
    while the others are held at each row of ``groups`` (groups, columns)."""
    X = np.asarray(X, dtype=np.float64)
    groups = np.asarray(groups, dtype=np.float64)
    p = X.shape[1]
    if groups.ndim != 2 or groups.shape[1] != p:
        raise ValueError(f"the groups must have one value per input column ({p}), got shape {groups.shape}")
    inputs = tuple(range(p)) if inputs is None else tuple(int(j) for j in inputs)
    m = groups.shape[0]
    xs, curves = [], []
    for j in inputs:
        x = sweep(X, j, steps)
        rows = np.repeat(groups, steps, axis=0)  # group by group, each ``steps`` rows
        rows[:, j] = np.tile(x, m)
        out = np.asarray(predict(rows), dtype=np.float64)
        xs.append(x)
        curves.append(out.reshape(m, steps, -1))
    labels = labels if labels is not None else group_labels(kind, m)
    return Profiles(kind, inputs, frozen(np.array(xs)), frozen(np.array(curves)), frozen(groups), tuple(labels))


def partial_dependence(predict: Predict, X: np.ndarray, inputs=None, steps: int = PDP_STEPS,
                       rows: np.ndarray | None = None) -> Profiles:
    """ICE curves of the rows ``rows`` (all by default) and their mean, the partial dependence,
    for each input of ``inputs`` (all columns by default), swept over its range in X."""
    X = np.asarray(X, dtype=np.float64)
    p = X.shape[1]
    inputs = tuple(range(p)) if inputs is None else tuple(int(j) for j in inputs)
    rows = np.arange(X.shape[0]) if rows is None else np.asarray(rows)
    base = X[rows]
    m = base.shape[0]
    xs, curves = [], []
    for j in inputs:
        x = sweep(X, j, steps)
        grid = np.repeat(base, steps, axis=0)  # row by row, each ``steps`` times
        grid[:, j] = np.tile(x, m)
        out = np.asarray(predict(grid), dtype=np.float64)
        xs.append(x)
        curves.append(out.reshape(m, steps, -1))
    C = np.array(curves)
    return Profiles("pdp", inputs, frozen(np.array(xs)), frozen(C), frozen(base),
                    tuple(f"row {int(r) + 1}" for r in rows), frozen(C.mean(axis=1)))


def profiles(kind: str, predict: Predict, X: np.ndarray, inputs=None, steps: int | None = None,
             clusters: int = CLUSTERS, probs=LEK_QUANTILES, rows: np.ndarray | None = None,
             cluster_rows: np.ndarray | None = None) -> Profiles:
    """The profiles of one ``kind`` (see KINDS) of the inputs given (all by default)."""
    if kind == "lek":
        return lek(predict, X, quantile_groups(X, probs), inputs, steps or LEK_STEPS, "lek",
                   group_labels("lek", len(probs), probs))
    if kind == "lek_clusters":
        Xc = X if cluster_rows is None else np.asarray(X)[cluster_rows]
        return lek(predict, X, cluster_groups(Xc, clusters), inputs, steps or LEK_STEPS, "lek_clusters")
    if kind == "pdp":
        return partial_dependence(predict, X, inputs, steps or PDP_STEPS, rows)
    raise ValueError(f"unknown profile {kind!r} (choose from {', '.join(KINDS)})")


def window_profile(kind: str, column: int, scaling, net, X_raw: np.ndarray) -> Profiles:
    """The Explain tab's profile of one column: ICE of at most WINDOW_PDP_ROWS rows and
    WINDOW_PDP_STEPS points, clusters of at most WINDOW_CLUSTER_ROWS rows (every k-th)."""
    n = X_raw.shape[0]
    return profiles(kind, model_predict(net, scaling), X_raw, (column,),
                    steps=WINDOW_PDP_STEPS if kind == "pdp" else None, rows=np.arange(0, n, max(1, -(-n // WINDOW_PDP_ROWS))),
                    cluster_rows=np.arange(0, n, max(1, -(-n // WINDOW_CLUSTER_ROWS))))
