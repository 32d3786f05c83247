"""The JSON model format, nnviz's reference (see document.py for its fields).

Floats are written with Python's shortest round-trip repr, so save -> load is bit-exact.
The training metadata may carry the run's error history (``history_entry``,
``history_of``): ``"history": {"iterations": [...], "mse": [...]}``, at most
``HISTORY_POINTS`` evenly spaced points, which ``nnviz plot --what errors`` draws.  The
NPZ and ONNX formats carry the same metadata; files without it still load.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from ..core.model import Model
from .document import history_of, model_from_dict, model_to_dict, parse_json, sniff_json

__all__ = ["history_entry", "history_of", "load_bytes", "save_bytes", "sniff"]

EXTENSION = ".json"
ORDER = 1  # its place in the list of formats
HISTORY_POINTS = 2000  # what an error figure draws at most (``core.diagram.MAX_CURVE_POINTS``)


def save_bytes(model: Model) -> bytes:
    return (json.dumps(model_to_dict(model), indent=1) + "\n").encode("utf-8")


def load_bytes(raw: bytes, path: Path) -> Model:
    return model_from_dict(parse_json(raw))


sniff = sniff_json  # the first bytes must be able to start a UTF-8 JSON text


def history_entry(x, y) -> dict:
    """The training metadata's ``history``: the error curve (iteration, mse), its non-finite
    points left out, thinned to at most ``HISTORY_POINTS`` evenly spaced ones (first and last kept)."""
    x, y = np.asarray(x, dtype=np.int64), np.asarray(y, dtype=np.float64)
    ok = np.isfinite(y)
    x, y = x[ok], y[ok]
    if x.size > HISTORY_POINTS:  # the points ``diagram.thin_curve`` keeps: the figure is the same
        keep = np.unique(np.linspace(0, x.size - 1, HISTORY_POINTS).astype(int))
        x, y = x[keep], y[keep]
    return {"iterations": x.tolist(), "mse": y.tolist()}
