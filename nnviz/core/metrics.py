"""Metrics on network outputs: mse, accuracy, confusion matrix.

Accuracy follows the post: with one-hot classes, the share of rows whose
largest output is the true class; with independent binary targets (the toy
set), the share of outputs on the right side of 0.5.  Regression has none; it
gets RMSE, MAE and R^2 in the target's own units instead (``regression``).
"""

from __future__ import annotations

import numpy as np

from .losses import mse  # noqa: F401  (re-exported: the number nnviz reports)


def accuracy(task: str, Y: np.ndarray, Yhat: np.ndarray) -> float | None:
    """Training accuracy as the post counts it; None for regression."""
    if task == "classes":
        return float(np.mean(Y.argmax(axis=1) == Yhat.argmax(axis=1)))
    if task == "binary":
        return float(np.mean((Yhat >= 0.5) == (Y >= 0.5)))
    return None


def confusion(Y: np.ndarray, Yhat: np.ndarray) -> np.ndarray:
    """counts[true, predicted] for one-hot classes, shape (k, k)."""
    k = Y.shape[1]
    counts = np.zeros((k, k), dtype=int)
    np.add.at(counts, (Y.argmax(axis=1), Yhat.argmax(axis=1)), 1)
    return counts


def wrong_rows(task: str, Y: np.ndarray, Yhat: np.ndarray) -> np.ndarray:
    """Boolean mask of misclassified rows (all False for regression)."""
    if task == "classes":
        return Y.argmax(axis=1) != Yhat.argmax(axis=1)
    if task == "binary":
        return ((Yhat >= 0.5) != (Y >= 0.5)).any(axis=1)
    return np.zeros(Y.shape[0], dtype=bool)


def regression(T: np.ndarray, P: np.ndarray) -> dict[str, float]:
    """RMSE, MAE and R^2 of predictions P against targets T, both in the target's own units.
    R^2 = 1 - SS_res / SS_tot per target column, averaged over the columns (NaN for a
    constant column)."""
    E = T - P
    ss_tot = ((T - T.mean(axis=0)) ** 2).sum(axis=0)
    ss_res = (E**2).sum(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        r2 = np.where(ss_tot > 0, 1.0 - ss_res / np.where(ss_tot > 0, ss_tot, 1.0), np.nan)
    return {"rmse": float(np.sqrt(np.mean(E**2))), "mae": float(np.mean(np.abs(E))), "r2": float(np.mean(r2))}
