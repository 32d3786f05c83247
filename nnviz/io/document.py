"""The model document: a Model as a JSON-ready dict and back, with every field checked.

The JSON format (``"format": "nnviz-model"``, ``"version": 1``) is self-describing:
architecture, activations, loss, the weights under ``"weights"`` as a list of matrices
(lists of rows, (n_in + 1, n_out), bias row first, as R neuralnet's ``weights``), the input
and output names, the scaling, and training metadata.  A model with input features lists
them under ``"features"`` (canonical names, features.py): then ``"inputs"`` names the two raw
columns they are computed from, and the sizes and the input scaling count the features.  The NPZ and ONNX formats carry the
same document without its weights.

Every problem raises ``ValueError`` with one line saying what is wrong; the caller puts
the file's name in front.  Nothing here reads or writes files.
"""

from __future__ import annotations

import codecs
import json
import math
from numbers import Real
from typing import TypeGuard

import numpy as np

from .. import __version__
from ..core import features as featmod
from ..core.data import TASKS, Scaling, control_character
from ..core.experiment import MAX_ITERATIONS
from ..core.model import Model
from ..core.network import Architecture, Network

FORMAT = "nnviz-model"
VERSION = 1
MAX_WEIGHTS = 20_000_000  # 160 MB of float64: far beyond what nnviz trains or draws


def sniff_json(head: bytes) -> None:
    """Refuse a file from its first bytes when they cannot begin a UTF-8 JSON text: a NUL byte
    or bytes that are not UTF-8 say "not a text file" before a gigabyte is read and decoded."""
    if b"\0" in head:
        raise ValueError("not a text file")
    try:
        codecs.getincrementaldecoder("utf-8-sig")().decode(head, final=False)  # a cut character may end it
    except UnicodeDecodeError:
        raise ValueError("not a text file") from None


def parse_json(raw: bytes | str):
    """A parsed JSON document; ValueError for text that is not UTF-8 or not JSON."""
    if isinstance(raw, bytes):
        if b"\0" in raw:  # found without a copy; decoding would double the memory first
            raise ValueError("not a text file")
        try:
            raw = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ValueError("not a text file") from None
    try:
        return json.loads(raw)
    except json.JSONDecodeError as exc:
        raise ValueError(f"not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})") from None
    except RecursionError:
        raise ValueError("not readable JSON (nested too deeply)") from None
    except ValueError:  # an integer of more than 4300 digits
        raise ValueError("not readable JSON (a number is too long)") from None


def is_int(x) -> TypeGuard[int]:
    """A JSON integer (True and False are not numbers here)."""
    return isinstance(x, (int, np.integer)) and not isinstance(x, (bool, np.bool_))


def is_number(x) -> bool:
    """A JSON number (int or float, not a boolean)."""
    return isinstance(x, Real) and not isinstance(x, (bool, np.bool_))


def is_finite(x) -> bool:
    """A number (not a boolean) that is finite as a float (10**400 is not)."""
    if not is_number(x):
        return False
    try:
        return math.isfinite(float(x))
    except OverflowError:
        return False


def floats(values, name: str) -> np.ndarray:
    """Nested lists of numbers as a float64 array; an integer beyond float range is refused."""
    try:
        return np.array(values, dtype=np.float64)
    except OverflowError:
        raise ValueError(f"{name} holds a number too large for a float") from None


def finite_or_none(x):
    """JSON-safe number: None for missing or non-finite values."""
    if x is None:
        return None
    x = float(x)
    return x if math.isfinite(x) else None


def get(doc, key: str, kind, where: str = ""):
    """``doc[key]``, which must be of type ``kind``; ValueError naming the field otherwise."""
    if not isinstance(doc, dict) or key not in doc:
        raise ValueError(f"missing {where}{key!r}")
    value = doc[key]
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise ValueError(f"{where}{key!r} has the wrong type")
    return value


def names(values, name: str, n: int | None = None) -> tuple[str, ...]:
    """A list of distinct strings (``n`` of them when given)."""
    if not isinstance(values, list) or not all(isinstance(x, str) for x in values):
        raise ValueError(f"{name} must be a list of names")
    if n is not None and len(values) != n:
        raise ValueError(f"{name} must list {n} names, not {len(values)}")
    seen = set()
    for x in values:
        if x in seen:
            raise ValueError(f"{name}: the name {x!r} appears twice")
        bad = control_character(x)
        if bad:
            raise ValueError(f"{name}: the name {x!r} has a control character ({bad})")
        seen.add(x)
    return tuple(values)


def vector(values, name: str, n: int) -> np.ndarray:
    """A list (or 1-D float array) of ``n`` finite numbers as float64."""
    if isinstance(values, np.ndarray):
        if values.dtype.kind != "f" or values.ndim != 1:
            raise ValueError(f"{name} is not a list of numbers")
        a = values.astype(np.float64)
    else:
        if not isinstance(values, list) or not all(is_number(x) for x in values):
            raise ValueError(f"{name} is not a list of numbers")
        a = floats(values, name)
    if a.shape != (n,):
        raise ValueError(f"{name} has {a.size} values, expected {n}")
    if not np.isfinite(a).all():
        raise ValueError(f"{name} contains NaN or infinite values")
    return a


def matrix(values, name: str, shape: tuple[int, int]) -> np.ndarray:
    """A list of rows of numbers (or a float array) of the given shape, as float64."""
    if isinstance(values, np.ndarray):
        if values.dtype.kind != "f":
            raise ValueError(f"{name} has dtype {values.dtype}, expected floating point")
        a = values.astype(np.float64)
    else:
        ok = isinstance(values, list) and all(isinstance(r, list) and all(is_number(x) for x in r) for r in values)
        if not ok:
            raise ValueError(f"{name} is not a numeric array (a list of rows of numbers)")
        if len({len(r) for r in values}) > 1:
            raise ValueError(f"{name} has rows of different lengths")
        a = floats(values, name).reshape(len(values), len(values[0]) if values else 0)
    if a.shape != shape:
        raise ValueError(f"{name} has shape {a.shape}, expected {shape}")
    if not np.isfinite(a).all():
        raise ValueError(f"{name} contains NaN or infinite values")
    return a


def header(doc) -> None:
    """Check the format and version fields."""
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise ValueError(f"not an nnviz model file (no \"format\": \"{FORMAT}\")")
    version = doc.get("version")
    if not is_int(version) or version < 1:
        raise ValueError("the format version is missing or invalid")
    if version > VERSION:
        raise ValueError(f"format version {version} is newer than this nnviz reads ({VERSION}); upgrade nnviz")


def architecture(doc) -> Architecture:
    """The checked architecture of a model document (also before its weights are read)."""
    header(doc)
    a = get(doc, "architecture", dict)
    sizes = get(a, "sizes", list, "architecture ")
    if len(sizes) < 2 or not all(is_int(s) and s > 0 for s in sizes):
        raise ValueError("architecture 'sizes' must be a list of at least two positive integers")
    n = sum((sizes[i] + 1) * sizes[i + 1] for i in range(len(sizes) - 1))
    if n > MAX_WEIGHTS:
        raise ValueError(f"the architecture has {n:,} weights; nnviz reads at most {MAX_WEIGHTS:,}")
    if "hidden" in a and a["hidden"] != sizes[1:-1]:
        raise ValueError("architecture 'hidden' does not match 'sizes'")
    acts = get(a, "activations", list, "architecture ")
    if not all(isinstance(x, str) for x in acts):
        raise ValueError("architecture 'activations' must be a list of names")
    return Architecture(sizes[0], tuple(sizes[1:-1]), sizes[-1], tuple(acts),
                        get(a, "output_activation", str, "architecture "), get(a, "loss", str, "architecture "))


def training_info(value) -> dict:
    """The free-form 'training' object; the fields nnviz reads back are checked."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ValueError("'training' must be an object")
    for key in ("iterations", "best_iteration", "stopped_at"):
        it = value.get(key)
        if it is not None and not is_iteration(it):
            raise ValueError(f"'training' {key!r} must be a whole number from 0 to 10^15 (got {str(it)[:40]})")
    history_of(value)  # a malformed error history is refused here, by every reader of the file
    src = value.get("imported_from")
    if src is not None and not isinstance(src, str):
        raise ValueError("'training' 'imported_from' must be a name")
    return value


def is_iteration(x) -> TypeGuard[int]:
    """An iteration count nnviz supports: a whole number from 0 to 10^15 (MAX_ITERATIONS)."""
    return is_int(x) and 0 <= x <= MAX_ITERATIONS


def history_of(training: dict) -> tuple[np.ndarray, np.ndarray] | None:
    """The error curve the training metadata holds, ``"history": {"iterations": [...], "mse":
    [...]}`` (None without one: older files), iterations from 0 to 10^15 that never go down;
    one-line ValueError for one that is malformed."""
    h = training.get("history")
    if h is None:
        return None
    x, y = (h.get("iterations"), h.get("mse")) if isinstance(h, dict) else (None, None)
    if not (isinstance(x, list) and isinstance(y, list) and len(x) == len(y)
            and all(is_iteration(i) for i in x) and all(is_number(v) for v in y)):
        raise ValueError("'training' 'history' must hold 'iterations' (whole numbers from 0 to 10^15) and "
                         "'mse' (numbers) of the same length")
    xs = np.array(x, dtype=np.int64)
    if (np.diff(xs) < 0).any():
        raise ValueError("'training' 'history' iterations must not go down")
    return xs, np.array(y, dtype=np.float64)


def model_features(doc, n_inputs: int) -> tuple[str, ...]:
    """The document's input features (none in files without them): canonical names, one per
    network input, computed from the two raw 'inputs'."""
    raw = doc.get("features")
    if raw is None:
        return ()
    if not isinstance(raw, list) or not raw or not all(isinstance(f, str) for f in raw):
        raise ValueError("'features' must be a list of feature names")
    features = featmod.canonical(raw)
    if list(features) != raw:
        raise ValueError(f"'features' must be in the order {', '.join(f for f in featmod.FEATURES if f in features)}")
    if len(features) != n_inputs:
        raise ValueError(f"'features' lists {len(features)} features, the network takes {n_inputs} inputs")
    return features


def model_to_dict(model: Model) -> dict:
    """The model as a JSON-ready document; ValueError for weights that are not finite."""
    arch = model.arch
    for li, W in enumerate(model.network.weights, start=1):
        if not np.isfinite(W).all():
            raise ValueError(f"weight matrix {li} contains NaN or infinite values; not saved")
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
        **({"features": list(model.scaling.features)} if model.scaling.features else {}),
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


def model_from_dict(doc) -> Model:
    """Check a parsed model document (its weights lists of rows or float arrays) and build the Model."""
    arch = architecture(doc)
    raw = get(doc, "weights", list)
    if len(raw) != len(arch.shapes):
        raise ValueError(f"{len(raw)} weight matrices, the {arch.describe()} architecture needs {len(arch.shapes)}")
    weights = [matrix(W, f"weight matrix {li}", shape) for li, (W, shape) in enumerate(zip(raw, arch.shapes, strict=True), start=1)]
    p, k = arch.n_inputs, arch.n_outputs
    features = model_features(doc, p)
    inputs = names(get(doc, "inputs", list), "'inputs'", 2 if features else p)
    outputs = names(get(doc, "outputs", list), "'outputs'", k)
    task = get(doc, "task", str)
    if task not in TASKS:
        raise ValueError(f"unknown task {task!r} (one of {', '.join(TASKS)})")
    if doc.get("class_names") is not None:
        names(doc["class_names"], "'class_names'")
    target_columns = doc.get("target_columns")
    target_columns = () if target_columns is None else names(target_columns, "'target_columns'")
    sc = get(doc, "scaling", dict)
    scaling = Scaling(
        vector(get(sc, "x_center", (list, np.ndarray), "scaling "), "scaling x_center", p),
        vector(get(sc, "x_scale", (list, np.ndarray), "scaling "), "scaling x_scale", p),
        vector(get(sc, "y_center", (list, np.ndarray), "scaling "), "scaling y_center", k),
        vector(get(sc, "y_scale", (list, np.ndarray), "scaling "), "scaling y_scale", k),
        features,
    )
    if (scaling.x_scale == 0).any() or (scaling.y_scale == 0).any():
        raise ValueError("scaling factors must not be zero")
    training = training_info(doc.get("training"))
    return Model(Network.from_weights(arch, weights), scaling, inputs, outputs, task, target_columns, training)
