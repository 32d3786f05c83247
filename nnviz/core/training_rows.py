"""The rows a training session learns from, checked and laid out once: the design matrix
[1, X] (a ones column first) and the targets Y, both in the session's working dtype."""

from __future__ import annotations

import numpy as np

from .engines import check_dtype
from .network import Network


def design(net: Network, X: np.ndarray, Y: np.ndarray, dtype: str) -> tuple[np.ndarray, np.ndarray]:
    """([1, X], Y) in ``dtype`` (Y C-contiguous) for training ``net``; ValueError of one line
    when the rows do not fit the network, are empty, or hold NaN or infinite values (in float64,
    or once in ``dtype``), and for a dtype nnviz does not train in."""
    X = np.asarray(X, dtype=np.float64)
    Y = np.asarray(Y, dtype=np.float64)
    if X.ndim != 2 or Y.ndim != 2 or X.shape[0] != Y.shape[0]:
        raise ValueError("X and Y must be matrices with the same number of rows")
    if X.shape[0] == 0:
        raise ValueError("there are no training rows")
    if X.shape[1] != net.arch.n_inputs:
        raise ValueError(f"the network takes {net.arch.n_inputs} inputs, the data has {X.shape[1]}")
    if Y.shape[1] != net.arch.n_outputs:
        raise ValueError(f"the network has {net.arch.n_outputs} outputs, the data has {Y.shape[1]} targets")
    if not (np.isfinite(X).all() and np.isfinite(Y).all()):
        raise ValueError("the training data contains NaN or infinite values")
    dt = np.dtype(check_dtype(dtype))
    X1 = np.empty((X.shape[0], X.shape[1] + 1), dt)
    X1[:, 0] = 1.0
    X1[:, 1:] = X
    if not np.isfinite(X1).all():
        raise ValueError(f"the training data does not fit in {dtype} (values too large)")
    return X1, np.ascontiguousarray(Y, dtype=dt)
