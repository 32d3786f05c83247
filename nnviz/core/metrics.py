"""Metrics on network outputs: mse, accuracy, confusion matrix.

Accuracy follows the post: with one-hot classes, the share of rows whose
largest output is the true class; with independent binary targets (the toy
set), the share of outputs on the right side of 0.5.  Regression has none.
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
