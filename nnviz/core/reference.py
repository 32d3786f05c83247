"""The post's algorithm written plainly, as a yardstick for the fast loop.

Full-batch gradient descent on C = 1/2 sum (y - yhat)^2 with the same
activation for every hidden layer and a sigmoid (or linear) output, exactly
as the post's R function does it: concatenate the ones column, allocate new
arrays every step.  The tests require ``training.TrainingSession`` to give the
same weights to 1e-12; the benchmark times both.
"""

from __future__ import annotations

import numpy as np

from .activations import ACTIVATIONS, quiet_fp


def train_reference(X, Y, weights, lr, iterations, hidden_activation="sigmoid", output_activation="sigmoid"):
    """Returns (weights, mse per iteration).  X (n, p) without ones; weights as in network.py."""
    f = ACTIVATIONS[hidden_activation]
    g = ACTIVATIONS[output_activation]
    W = [np.array(w, dtype=np.float64) for w in weights]
    n = X.shape[0]
    ones = np.ones((n, 1))
    mse = np.empty(iterations)
    with quiet_fp():
        for it in range(iterations):
            inputs, As = [], []
            H = X
            for li, w in enumerate(W):
                inp = np.hstack([ones, H])
                A = inp @ w
                H = (g if li == len(W) - 1 else f)(A)
                inputs.append(inp)
                As.append(A)
            yhat = H
            mse[it] = np.mean((Y - yhat) ** 2)
            delta = (Y - yhat) * g.derivative(As[-1])
            grads = [None] * len(W)
            for li in range(len(W) - 1, -1, -1):
                grads[li] = inputs[li].T @ delta
                if li:
                    delta = (delta @ W[li][1:].T) * f.derivative(As[li - 1])
            for li in range(len(W)):
                W[li] = W[li] + lr * grads[li]
    return W, mse
