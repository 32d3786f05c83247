"""One weight edited by hand (the edge card), checked.  No Qt.

``set_weight`` writes one weight of a network in place: layer, row and column are 0-based and
row 0 is the bias, as in ``Network.weights``.  A weight that does not exist, or a value that
is not a finite number, is refused with a one-line ValueError (in the post's 1-based names)
and nothing changes.  What training does after an edit (going on from the edited network) is
the runner's and the history's (history.History.edited).
"""

from __future__ import annotations

import numpy as np


def weight_problem(weights: list[np.ndarray], layer: int, row: int, col: int, value: float) -> str | None:
    """Why W{layer+1}[row+1, col+1] = value cannot be set (None: it can)."""
    if not (0 <= layer < len(weights) and 0 <= row < weights[layer].shape[0] and 0 <= col < weights[layer].shape[1]):
        return f"there is no weight W{layer + 1}[{row + 1}, {col + 1}]"
    if not np.isfinite(value):
        return "a weight must be a finite number"
    return None


def set_weight(weights: list[np.ndarray], layer: int, row: int, col: int, value: float) -> None:
    """Set one weight in place; ValueError (and no change) when it cannot be (``weight_problem``)."""
    problem = weight_problem(weights, layer, row, col, value)
    if problem is not None:
        raise ValueError(problem)
    weights[layer][row, col] = value
