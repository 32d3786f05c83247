"""Loss functions and the output-layer delta they imply.

``sse`` is the post's C = 1/2 sum (y - yhat)^2; its output delta is
(y - yhat) * f'(A_out).  ``ce`` is cross-entropy: binary (per output) with a
sigmoid output, categorical with softmax; with those "canonical" pairs the
f' cancels and the output delta is simply y - yhat (as neuralnet does for
ce with a logistic output).

The sign convention throughout nnviz is the post's: delta points *down* the
cost, so the update is W += lr * input^T delta and input^T delta = -dC/dW.
"""

from __future__ import annotations

import numpy as np

LOSSES = ("sse", "ce")
_EPS = 1e-300


def check_pair(loss: str, output_activation: str) -> None:
    """Raise ValueError for a loss/output pair nnviz does not support."""
    if loss not in LOSSES:
        raise ValueError(f"unknown loss {loss!r} (choose from {', '.join(LOSSES)})")
    if loss == "ce" and output_activation not in ("sigmoid", "softmax"):
        raise ValueError(
            f"--loss ce needs a sigmoid or softmax output, not {output_activation!r}"
        )
    if output_activation == "softmax" and loss != "ce":
        raise ValueError("a softmax output is only supported with --loss ce")


def cost(loss: str, Y: np.ndarray, Yhat: np.ndarray, output_activation: str) -> float:
    """The loss C summed over all observations and outputs (not averaged)."""
    if loss == "sse":
        return 0.5 * float(np.sum((Y - Yhat) ** 2))
    P = np.clip(Yhat, _EPS, 1.0)
    if output_activation == "softmax":
        return -float(np.sum(Y * np.log(P)))
    Q = np.clip(1.0 - Yhat, _EPS, 1.0)
    return -float(np.sum(Y * np.log(P) + (1.0 - Y) * np.log(Q)))


def output_delta_uses_fprime(loss: str) -> bool:
    """True when delta_out = (y - yhat) * f'(A_out); False when it is y - yhat."""
    return loss == "sse"


def mse(Y: np.ndarray, Yhat: np.ndarray) -> float:
    """mean((y - yhat)^2) over all observations and outputs: the number nnviz reports."""
    E = Y - Yhat
    return float(np.dot(E.ravel(), E.ravel()) / E.size)
