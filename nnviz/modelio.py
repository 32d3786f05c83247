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

import io
import json
import math
import os
import tempfile
import zipfile
from pathlib import Path

import numpy as np

from . import __version__
from .core.data import TASKS, Scaling
from .core.files import read_bytes, read_text
from .core.model import Model
from .core.network import Architecture, Network

FORMAT = "nnviz-model"
VERSION = 1


def atomic_write_text(path: str | Path, text: str) -> None:
    """Write text to path through a temporary file and an atomic replace."""
    atomic_write_bytes(path, text.encode("utf-8"))


def atomic_write_bytes(path: str | Path, data: bytes) -> None:
    """Write bytes to path through a temporary file in the same folder and an atomic
    replace: a crash or a full disk never leaves a half-written file."""
    path = Path(path)
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise ValueError(f"{path}: the folder {folder} does not exist")
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
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


FORMATS = (".json", ".npz", ".csv", ".onnx")


def _format(path: Path) -> str:
    ext = path.suffix.lower()
    if ext not in FORMATS:
        raise ValueError(f"{path}: unsupported model file extension {path.suffix or '(none)'!r} "
                         f"(supported: {', '.join(FORMATS)})")
    return ext


def check_target(path: str | Path) -> None:
    """Fail early (before a long training run) if a model could not be written to ``path``."""
    path = Path(path)
    _format(path)
    if not path.resolve().parent.is_dir():
        raise ValueError(f"{path}: the folder {path.parent} does not exist")


def save(model: Model, path: str | Path) -> None:
    """Write a model file; the format follows the extension (.json, .npz, .csv, .onnx)."""
    path = Path(path)
    ext = _format(path)
    if ext == ".json":
        atomic_write_text(path, json.dumps(model_to_dict(model), indent=1) + "\n")
    elif ext == ".npz":
        atomic_write_bytes(path, _npz_bytes(model))
    elif ext == ".csv":
        atomic_write_text(path, weights_to_csv(model.network.weights))
    else:
        from . import onnxio

        atomic_write_bytes(path, onnxio.to_onnx(model))


def load(path: str | Path) -> Model:
    """Read and validate a model file (.json, .npz or .onnx; .csv weights: see read_csv_weights)."""
    path = Path(path)
    ext = _format(path)
    if ext == ".csv":
        raise ValueError(f"{path}: CSV weights carry no input names or scaling; use them with "
                         "'nnviz train --init' and the data and --hidden they were trained with")
    raw = read_bytes(path)
    try:
        if ext == ".npz":
            return _model_from_npz(raw)
        if ext == ".onnx":
            from . import onnxio

            return onnxio.from_onnx(raw)
        try:
            doc = json.loads(raw.decode("utf-8"))
        except UnicodeDecodeError:
            raise ValueError("not a text file") from None
        except json.JSONDecodeError as exc:
            raise ValueError(f"not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})") from None
        return model_from_dict(doc)
    except ValueError as exc:
        raise ValueError(f"{path}: {exc}") from None


# -- NPZ: one array per weight matrix, the metadata as a JSON string -------------

def _npz_bytes(model: Model) -> bytes:
    doc = model_to_dict(model)
    weights = doc.pop("weights")
    arrays = {f"W{l}": np.array(W, dtype=np.float64) for l, W in enumerate(weights, start=1)}
    arrays["meta"] = np.array(json.dumps(doc))
    buf = io.BytesIO()
    np.savez(buf, **arrays)
    return buf.getvalue()


def _model_from_npz(raw: bytes) -> Model:
    try:
        with np.load(io.BytesIO(raw), allow_pickle=False) as z:
            names = list(z.files)
            if "meta" not in names:
                raise ValueError("not an nnviz NPZ model (no 'meta' array)")
            meta = z["meta"]
            if meta.dtype.kind != "U" or meta.ndim != 0:
                raise ValueError("the 'meta' array is not a JSON string")
            doc = json.loads(str(meta))
            n = len([k for k in names if k.startswith("W")])
            weights = []
            for l in range(1, n + 1):
                if f"W{l}" not in names:
                    raise ValueError(f"weight matrix W{l} is missing")
                W = z[f"W{l}"]
                if W.dtype.kind != "f":
                    raise ValueError(f"weight matrix W{l} has dtype {W.dtype}, expected floating point")
                weights.append(W.astype(np.float64))
    except ValueError as exc:
        if "allow_pickle" in str(exc) or "pickle" in str(exc).lower():
            raise ValueError("refused: the NPZ file needs pickle to load, which could run code") from None
        raise
    except json.JSONDecodeError:
        raise ValueError("the 'meta' array is not valid JSON") from None
    except (OSError, EOFError, KeyError, zipfile.BadZipFile) as exc:
        raise ValueError(f"not a readable NPZ file ({exc.__class__.__name__})") from None
    if not isinstance(doc, dict):
        raise ValueError("the 'meta' array is not a JSON object")
    doc["weights"] = weights
    return model_from_dict(doc)


# -- CSV for R and spreadsheets: layer,row,col,weight (1-based, row 1 = bias) ----

CSV_HEADER = "layer,row,col,weight"


def weights_to_csv(weights) -> str:
    """Long format, 17 significant digits: in R, m[cbind(row, col)] <- weight rebuilds each
    matrix exactly as neuralnet stores ``weights`` (bias in row 1)."""
    lines = [CSV_HEADER]
    for l, W in enumerate(weights, start=1):
        for r in range(W.shape[0]):
            for c in range(W.shape[1]):
                lines.append(f"{l},{r + 1},{c + 1},{float(W[r, c]):.17g}")
    return "\n".join(lines) + "\n"


def read_csv_weights(path: str | Path, arch) -> list[np.ndarray]:
    """Weight matrices from a long-format CSV, checked against the architecture ``arch``."""
    path = Path(path)
    lines = [ln.strip() for ln in read_text(path).splitlines()]
    if not lines or lines[0].replace(" ", "").replace('"', "") != CSV_HEADER:
        raise ValueError(f"{path}: line 1: expected the header {CSV_HEADER}")
    shapes = arch.shapes
    out = [np.full(shape, np.nan) for shape in shapes]
    for i, line in enumerate(lines[1:], start=2):
        if not line:
            continue
        parts = line.split(",")
        try:
            if len(parts) != 4:
                raise ValueError
            l, r, c = (int(p) for p in parts[:3])
            w = float(parts[3])
        except ValueError:
            raise ValueError(f"{path}: line {i}: expected layer,row,col,weight") from None
        if not (1 <= l <= len(shapes)):
            raise ValueError(f"{path}: line {i}: layer {l}, but the {arch.describe()} network has "
                             f"{len(shapes)} weight matrices (check --hidden)")
        R, C = shapes[l - 1]
        if not (1 <= r <= R and 1 <= c <= C):
            raise ValueError(f"{path}: line {i}: row {r}, col {c} is outside weight matrix {l} "
                             f"({R} x {C} for {arch.describe()}; check --hidden)")
        if not np.isfinite(w):
            raise ValueError(f"{path}: line {i}: the weight is not a finite number")
        out[l - 1][r - 1, c - 1] = w
    for l, W in enumerate(out, start=1):
        if np.isnan(W).any():
            r, c = np.argwhere(np.isnan(W))[0]
            raise ValueError(f"{path}: weight matrix {l} has no value at row {r + 1}, col {c + 1} "
                             f"(the file does not fit the {arch.describe()} network; check --hidden)")
    return out


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
