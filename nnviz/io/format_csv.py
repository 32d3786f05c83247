"""Weights as CSV for R and spreadsheets: ``layer,row,col,weight`` (1-based, row 1 the bias).

The file holds only the weights (no names, no scaling), so it is read against an
architecture given from elsewhere (``read_csv_weights``), never loaded as a model.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ..core.model import Model
from .atomic import read_text

EXTENSION = ".csv"
ORDER = 3  # its place in the list of formats
HEADER = "layer,row,col,weight"


def save_bytes(model: Model) -> bytes:
    return weights_to_csv(model.network.weights).encode("utf-8")


def load_bytes(raw: bytes, path: Path) -> Model:
    raise ValueError("CSV weights carry no input names or scaling; use them with "
                     "'nnviz train --init' and the data and --hidden they were trained with")


def weights_to_csv(weights) -> str:
    """Long format, 17 significant digits: in R, m[cbind(row, col)] <- weight rebuilds each
    matrix exactly as neuralnet stores ``weights`` (bias in row 1)."""
    lines = [HEADER]
    for li, W in enumerate(weights, start=1):
        for r in range(W.shape[0]):
            for c in range(W.shape[1]):
                lines.append(f"{li},{r + 1},{c + 1},{float(W[r, c]):.17g}")
    return "\n".join(lines) + "\n"


def read_csv_weights(path: str | Path, arch) -> list[np.ndarray]:
    """Weight matrices from a long-format CSV, checked against the architecture ``arch``."""
    path = Path(path)
    lines = [ln.strip() for ln in read_text(path).splitlines()]
    if not lines or lines[0].replace(" ", "").replace('"', "") != HEADER:
        raise ValueError(f"{path}: line 1: expected the header {HEADER}")
    shapes = arch.shapes
    out = [np.full(shape, np.nan) for shape in shapes]
    for i, line in enumerate(lines[1:], start=2):
        if not line:
            continue
        parts = line.split(",")
        try:
            if len(parts) != 4:
                raise ValueError
            li, r, c = (int(p) for p in parts[:3])
            w = float(parts[3])
        except ValueError:
            raise ValueError(f"{path}: line {i}: expected layer,row,col,weight") from None
        if not (1 <= li <= len(shapes)):
            raise ValueError(f"{path}: line {i}: layer {li}, but the {arch.describe()} network has "
                             f"{len(shapes)} weight matrices (check --hidden)")
        R, C = shapes[li - 1]
        if not (1 <= r <= R and 1 <= c <= C):
            raise ValueError(f"{path}: line {i}: row {r}, col {c} is outside weight matrix {li} "
                             f"({R} x {C} for {arch.describe()}; check --hidden)")
        if not np.isfinite(w):
            raise ValueError(f"{path}: line {i}: the weight is not a finite number")
        if not np.isnan(out[li - 1][r - 1, c - 1]):
            raise ValueError(f"{path}: line {i}: layer {li}, row {r}, col {c} was given before")
        out[li - 1][r - 1, c - 1] = w
    for li, W in enumerate(out, start=1):
        if np.isnan(W).any():
            r, c = np.argwhere(np.isnan(W))[0]
            raise ValueError(f"{path}: weight matrix {li} has no value at row {r + 1}, col {c + 1} "
                             f"(the file does not fit the {arch.describe()} network; check --hidden)")
    return out
