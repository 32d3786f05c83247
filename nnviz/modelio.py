"""Model files: save and load, with validation and one-line errors.

The JSON format (``"format": "nnviz-model"``, ``"version": 1``) is
self-describing: architecture, activations, loss, the weights under
``"weights"`` as a list of matrices (lists of rows, (n_in + 1, n_out), bias
row first, as R neuralnet's ``weights``), the input and output names, the
scaling, and training metadata.  Floats are written with Python's shortest
round-trip repr, so save -> load is bit-exact.

Writes are atomic: a temporary file in the same folder, then ``os.replace``.
Every problem found when loading raises ``ValueError`` with one line that
names the file and what is wrong.
"""

from __future__ import annotations

import json
import math
import os
import tempfile
from pathlib import Path

import numpy as np

from . import __version__
from .core.data import TASKS, Scaling
from .core.model import Model
from .core.network import Architecture, Network

FORMAT = "nnviz-model"
VERSION = 1


def atomic_write_text(path: str | Path, text: str) -> None:
    """Write text to path through a temporary file and an atomic replace."""
    path = Path(path)
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise ValueError(f"{path}: the folder {folder} does not exist")
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    except OSError as exc:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise ValueError(f"{path}: cannot write ({exc.strerror})") from None


def model_to_dict(model: Model) -> dict:
    arch = model.arch
    for l, W in enumerate(model.network.weights, start=1):
        if not np.isfinite(W).all():
            raise ValueError(f"weight matrix {l} contains NaN or infinite values; not saved")
    sc = model.scaling
    return {
        "format": FORMAT,
        "version": VERSION,
        "architecture": {
            "sizes": list(arch.sizes),
            "hidden": list(arch.hidden),
            "activations": list(arch.activations),
            "output_activation": arch.output_activation,
            "loss": arch.loss,
        },
        "weights": [W.tolist() for W in model.network.weights],
        "inputs": list(model.input_names),
        "outputs": list(model.output_names),
        "task": model.task,
        "class_names": list(model.output_names) if model.task == "classes" else None,
        "target_columns": list(model.target_columns),
        "scaling": {
            "x_center": sc.x_center.tolist(),
            "x_scale": sc.x_scale.tolist(),
            "y_center": sc.y_center.tolist(),
            "y_scale": sc.y_scale.tolist(),
        },
        "training": {**model.training, "nnviz_version": __version__},
    }


def save(model: Model, path: str | Path) -> None:
    """Write a model file; the format follows the extension (.json)."""
    path = Path(path)
    if path.suffix.lower() != ".json":
        raise ValueError(f"{path}: unsupported model file extension {path.suffix or '(none)'!r} (supported: .json)")
    atomic_write_text(path, json.dumps(model_to_dict(model), indent=1) + "\n")


def load(path: str | Path) -> Model:
    """Read and validate a model file."""
    path = Path(path)
    if path.suffix.lower() != ".json":
        raise ValueError(f"{path}: unsupported model file extension {path.suffix or '(none)'!r} (supported: .json)")
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ValueError(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ValueError(f"{path}: cannot read ({getattr(exc, 'strerror', None) or exc})") from None
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(f"{path}: not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})") from None
    try:
        return model_from_dict(doc)
    except ValueError as exc:
        raise ValueError(f"{path}: {exc}") from None


def _get(doc: dict, key: str, kind, where: str = ""):
    if not isinstance(doc, dict) or key not in doc:
        raise ValueError(f"missing {where}{key!r}")
    value = doc[key]
    if not isinstance(value, kind):
        raise ValueError(f"{where}{key!r} has the wrong type")
    return value


def _vector(values, name: str, n: int) -> np.ndarray:
    a = _array(values, name)
    if a.shape != (n,):
        raise ValueError(f"{name} has {a.size} values, expected {n}")
    return a


def _array(values, name: str) -> np.ndarray:
    try:
        a = np.array(values, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError(f"{name} is not a numeric array") from None
    if not np.isfinite(a).all():
        raise ValueError(f"{name} contains NaN or infinite values")
    return a


def model_from_dict(doc) -> Model:
    """Validate a parsed model document and build the Model."""
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise ValueError(f"not an nnviz model file (no \"format\": \"{FORMAT}\")")
    version = doc.get("version")
    if not isinstance(version, int) or version < 1:
        raise ValueError("the format version is missing or invalid")
    if version > VERSION:
        raise ValueError(f"format version {version} is newer than this nnviz reads ({VERSION}); upgrade nnviz")
    a = _get(doc, "architecture", dict)
    sizes = _get(a, "sizes", list, "architecture ")
    if len(sizes) < 2 or not all(isinstance(s, int) and not isinstance(s, bool) and s > 0 for s in sizes):
        raise ValueError("architecture 'sizes' must be a list of at least two positive integers")
    arch = Architecture(sizes[0], tuple(sizes[1:-1]), sizes[-1], tuple(_get(a, "activations", list, "architecture ")),
                        _get(a, "output_activation", str, "architecture "), _get(a, "loss", str, "architecture "))
    raw = _get(doc, "weights", list)
    if len(raw) != len(arch.shapes):
        raise ValueError(f"{len(raw)} weight matrices, the {arch.describe()} architecture needs {len(arch.shapes)}")
    weights = []
    for l, (W, shape) in enumerate(zip(raw, arch.shapes), start=1):
        M = _array(W, f"weight matrix {l}")
        if M.shape != shape:
            raise ValueError(f"weight matrix {l} has shape {M.shape}, expected {shape} for {arch.describe()}")
        weights.append(M)
    inputs = _get(doc, "inputs", list)
    outputs = _get(doc, "outputs", list)
    if len(inputs) != arch.n_inputs or not all(isinstance(x, str) for x in inputs):
        raise ValueError(f"'inputs' must list {arch.n_inputs} names")
    if len(outputs) != arch.n_outputs or not all(isinstance(x, str) for x in outputs):
        raise ValueError(f"'outputs' must list {arch.n_outputs} names")
    task = _get(doc, "task", str)
    if task not in TASKS:
        raise ValueError(f"unknown task {task!r}")
    sc = _get(doc, "scaling", dict)
    p, k = arch.n_inputs, arch.n_outputs
    scaling = Scaling(
        _vector(_get(sc, "x_center", list, "scaling "), "scaling x_center", p),
        _vector(_get(sc, "x_scale", list, "scaling "), "scaling x_scale", p),
        _vector(_get(sc, "y_center", list, "scaling "), "scaling y_center", k),
        _vector(_get(sc, "y_scale", list, "scaling "), "scaling y_scale", k),
    )
    if (scaling.x_scale == 0).any() or (scaling.y_scale == 0).any():
        raise ValueError("scaling factors must not be zero")
    training = doc.get("training") or {}
    if not isinstance(training, dict):
        raise ValueError("'training' must be an object")
    return Model(Network.from_weights(arch, weights), scaling, tuple(inputs), tuple(outputs), task,
                 tuple(doc.get("target_columns") or ()), training)


def finite_or_none(x):
    """JSON-safe number: None for missing or non-finite values."""
    if x is None:
        return None
    x = float(x)
    return x if math.isfinite(x) else None
