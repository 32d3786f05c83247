"""Session files (``.nnviz``, JSON inside): everything needed to close the app and later
continue exactly where training stopped.

A session holds the settings, the data (by name for built-ins; the rows themselves for CSV
data, so the session opens when the CSV file is gone, and for data edited on the decision map,
with its split and the scaling of the data it came from, so the weights keep their meaning), the full training state (weights,
optimiser memory, random generator, mini-batch position, iteration count) and the error
history.  Training on from a loaded session gives the same iterations as an uninterrupted run.

Every field is checked for its type and range when the file is read (``load``) and against
the data when the experiment is rebuilt (``restore``), so a bad file opens nothing and says
why in one line, instead of failing later in the middle of training.
"""

from __future__ import annotations

import json
from typing import Any
from dataclasses import MISSING, dataclass, field, fields
from pathlib import Path

import numpy as np

from .. import __version__
from ..core.data import BUILTINS, TASKS, Dataset, Scaling
from ..core.experiment import Experiment, Settings
from ..core.lesson import Lesson
from ..core.network import Architecture
from . import atomic
from .document import MAX_WEIGHTS, floats, is_finite, is_int, is_iteration, is_number, names, parse_json, sniff_json

FORMAT = "nnviz-session"
VERSION = 1
EXTENSION = ".nnviz"
MAX_FILE_BYTES = 2**30
MAX_CELLS = 50_000_000  # embedded data values
MAX_VALUE = 1e150  # larger data values overflow the scaling's sums of squares


@dataclass
class SessionData:
    settings: Settings
    dataset: Dataset | None  # None: a built-in, loaded by name
    state: dict
    history_x: np.ndarray
    history_y: np.ndarray
    source: str = ""  # the file it was read from, named in restore's errors
    runs: list = field(default_factory=list)  # kept runs' records (io/runs.py reads and checks them)
    # the validation mse so far (early stopping), shown again when the session opens
    validation_x: np.ndarray | None = None
    validation_y: np.ndarray | None = None
    scaling: Scaling | None = None  # of edited data: the original data's (Experiment.set_data)
    lesson: Lesson | None = None  # a teacher's title, instructions, locked and hidden controls (optional)


def _floats(a) -> list:
    return np.asarray(a, dtype=np.float64).tolist()


def to_dict(settings: Settings, dataset: Dataset, state: dict, history_x, history_y, runs=(),
            validation_x=None, validation_y=None, scaling: Scaling | None = None,
            lesson: Lesson | None = None) -> dict:
    for key in ("params", "velocity", "rprop_steps", "rprop_old"):
        if not np.isfinite(state[key]).all():
            raise ValueError("the training state contains NaN or infinite values; not saved")
    history: dict[str, Any] = {"iteration": np.asarray(history_x).astype(int).tolist(), "mse": _floats(history_y)}
    if validation_x is not None and len(validation_x):
        history.update(validation_iteration=np.asarray(validation_x).astype(int).tolist(),
                       validation_mse=_floats(validation_y))
    doc = {
        "format": FORMAT,
        "version": VERSION,
        "nnviz_version": __version__,
        "settings": settings.as_dict(),
        "state": {
            "iteration": int(state["iteration"]),
            "params": _floats(state["params"]),
            "velocity": _floats(state["velocity"]),
            "rprop_steps": _floats(state["rprop_steps"]),
            "rprop_old": _floats(state["rprop_old"]),
            "rng": state["rng"],
            "order": np.asarray(state["order"]).astype(int).tolist(),
            "pos": int(state["pos"]),
        },
        "history": history,
    }
    if runs:
        doc["runs"] = list(runs)
    if lesson is not None:
        doc["lesson"] = lesson.as_dict()
    if settings.data not in BUILTINS or dataset.custom:
        embedded: dict[str, Any] = {
            "name": dataset.name, "source": dataset.source, "X": _floats(dataset.X), "T": _floats(dataset.T),
            "input_names": list(dataset.input_names), "output_names": list(dataset.output_names),
            "task": dataset.task, "target_columns": list(dataset.target_columns),
        }
        if dataset.custom:
            if scaling is None:
                raise ValueError("edited data is saved with the scaling of the data it came from")
            embedded["origin"] = dataset.origin
            if dataset.test_rows is not None:
                embedded["test_rows"] = np.flatnonzero(dataset.test_rows).astype(int).tolist()
            embedded["scaling"] = {k: _floats(getattr(scaling, k)) for k in ("x_center", "x_scale", "y_center", "y_scale")}
        doc["data"] = embedded
    return doc


def save(path: str | Path, settings: Settings, dataset: Dataset, state: dict, history_x, history_y,
         runs=(), validation_x=None, validation_y=None, scaling: Scaling | None = None,
         lesson: Lesson | None = None) -> None:
    """Write a session atomically; ``runs`` are kept runs' records (``io.runs.to_dict``), ``validation_x``
    and ``validation_y`` the validation curve (early stopping); ``scaling`` is needed for edited
    data (see the module doc); ``lesson`` a teacher's title, instructions and locks (core/lesson.py)."""
    path = Path(path)
    if path.suffix.lower() != EXTENSION:
        raise ValueError(f"{path}: a session file ends in {EXTENSION}")
    try:
        text = json.dumps(to_dict(settings, dataset, state, history_x, history_y, runs,
                                  validation_x, validation_y, scaling, lesson)) + "\n"
    except ValueError as exc:
        raise ValueError(f"{path}: {exc}") from None
    atomic.write_text(path, text)


def load(path: str | Path) -> SessionData:
    """Read and check a session file; ValueError with one line naming the file."""
    path = Path(path)
    raw = atomic.read_bytes(path, limit=MAX_FILE_BYTES, sniff=sniff_json)
    try:
        data = from_dict(parse_json(raw))
    except ValueError as exc:
        raise ValueError(f"{path}: {exc}") from None
    data.source = str(path)
    return data


# -- checks ------------------------------------------------------------------------

def _field(doc: dict, key: str, where: str):
    if key not in doc:
        raise ValueError(f"missing {where}{key!r}")
    return doc[key]


def _object(doc: dict, key: str, where: str = "") -> dict:
    value = _field(doc, key, where)
    if not isinstance(value, dict):
        raise ValueError(f"{where}{key!r} must be an object")
    return value


def _int(value, what: str, low: int | None = None, high: int | None = None) -> int:
    if not is_int(value) or (low is not None and value < low) or (high is not None and value > high):
        rng = f" from {low} to {high}" if high is not None else (f" of at least {low}" if low is not None else "")
        raise ValueError(f"{what} must be a whole number{rng} (got {_show(value)})")
    return int(value)


def _show(value) -> str:
    text = json.dumps(value) if not isinstance(value, float) else repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _numbers(value, what: str, finite: bool = True, limit: int = MAX_WEIGHTS) -> np.ndarray:
    """A list of numbers as float64 (finite unless ``finite`` is False)."""
    if not isinstance(value, list) or not all(is_number(x) for x in value):
        raise ValueError(f"{what} must be a list of numbers")
    if len(value) > limit:
        raise ValueError(f"{what} has {len(value):,} values; at most {limit:,} are read")
    a = floats(value, what)
    if finite and not np.isfinite(a).all():
        raise ValueError(f"{what} contains NaN or infinite values")
    return a


def _rows(value, what: str) -> np.ndarray:
    """A non-empty list of equally long, non-empty rows of finite numbers."""
    if not isinstance(value, list) or not value or not all(isinstance(r, list) for r in value):
        raise ValueError(f"{what} must be a list of rows")
    width = len(value[0])
    if width == 0 or any(len(r) != width for r in value):
        raise ValueError(f"{what}: the rows must all have the same, non-zero number of values")
    if len(value) * width > MAX_CELLS:
        raise ValueError(f"{what} has {len(value) * width:,} values; at most {MAX_CELLS:,} are read")
    if not all(is_number(x) for r in value for x in r):
        raise ValueError(f"{what} must hold numbers only")
    a = floats(value, what)
    if not np.isfinite(a).all():
        raise ValueError(f"{what} contains NaN or infinite values")
    return a


def _positive(x) -> bool:
    return is_finite(x) and x > 0


# per settings field: (check, what it must be); fields not listed are checked by their default's type
_SETTINGS = {
    "data": (lambda v: isinstance(v, str) and v != "", "a data set name or a CSV path"),
    "target": (lambda v: v is None or isinstance(v, str), "null or column names"),
    "classify": (lambda v: isinstance(v, bool), "true or false"),
    "noise": (lambda v: is_number(v) and 0 <= v <= 1, "a number from 0 to 1"),
    "features": (lambda v: isinstance(v, list) and all(isinstance(f, str) for f in v), "a list of feature names"),
    "hidden": (lambda v: isinstance(v, list) and all(is_int(h) and h > 0 for h in v),
               "a list of positive whole numbers"),
    "activation": (lambda v: isinstance(v, list) and all(isinstance(a, str) for a in v),
                   "a list of activation names"),
    "output_activation": (lambda v: isinstance(v, str), "an activation name"),
    "loss": (lambda v: isinstance(v, str), "a loss name"),
    "algorithm": (lambda v: isinstance(v, str), "an algorithm name"),
    "lr": (lambda v: v == "auto" or _positive(v), "a positive number or auto"),
    "momentum": (lambda v: is_number(v) and 0 <= v < 1, "a number from 0 to below 1"),
    "batch_size": (lambda v: v is None or (is_int(v) and v >= 1), "null or a whole number of at least 1"),
    "threshold": (lambda v: v is None or _positive(v), "null or a positive number"),
    "iterations": (lambda v: is_iteration(v), "a whole number from 0 to 10^15"),
    "seed": (lambda v: is_int(v) and v >= 0, "a whole number of at least 0"),
    "test_fraction": (lambda v: is_number(v) and 0 <= v < 1, "a number from 0 to below 1"),
    "standardize": (lambda v: isinstance(v, bool), "true or false"),
    "l1": (lambda v: is_finite(v) and v >= 0, "a number of at least 0"),
    "l2": (lambda v: is_finite(v) and v >= 0, "a number of at least 0"),
    "lr_schedule": (lambda v: isinstance(v, str), "a schedule such as constant or step:0.5:10000"),
    "validation_fraction": (lambda v: is_number(v) and 0 <= v < 1, "a number from 0 to below 1"),
    "patience": (lambda v: v is None or (is_int(v) and v >= 1), "null or a whole number of at least 1"),
}


def _like_default(default):
    """The check for a settings field nnviz added after this module was written."""
    if isinstance(default, bool):
        return lambda v: isinstance(v, bool), "true or false"
    if isinstance(default, int):
        return is_int, "a whole number"
    if isinstance(default, float):
        return is_finite, "a number"
    if isinstance(default, str):
        return lambda v: isinstance(v, str), "a string"
    return lambda v: v is None or isinstance(v, (str, int, float, bool, list)), "a plain value"


def settings_from(raw) -> Settings:
    """Settings from a session's 'settings' object: each field checked; missing ones take their default."""
    if not isinstance(raw, dict):
        raise ValueError("'settings' must be an object")
    kw: dict[str, Any] = {}
    for f in fields(Settings):
        if f.name not in raw:
            continue
        value = raw[f.name]
        default = f.default if f.default is not MISSING else None
        check, what = _SETTINGS.get(f.name) or _like_default(default)
        if not check(value):
            raise ValueError(f"settings {f.name!r} must be {what} (got {_show(value)})")
        kw[f.name] = tuple(value) if isinstance(value, list) else value
    try:
        s = Settings(**kw)
        # the names and their combinations, as training will check them
        s.train_config()
        Architecture(1, tuple(s.hidden), 1, tuple(s.activation), s.output_activation, s.loss)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"settings: {exc}") from None
    return s


def _dataset(d) -> Dataset:
    if not isinstance(d, dict):
        raise ValueError("'data' must be an object")
    X = _rows(_field(d, "X", "data "), "the embedded data 'X'")
    T = _rows(_field(d, "T", "data "), "the embedded data 'T'")
    if X.shape[0] != T.shape[0]:
        raise ValueError(f"the embedded data has {X.shape[0]} input rows and {T.shape[0]} target rows")
    if max(np.abs(X).max(), np.abs(T).max()) > MAX_VALUE:
        raise ValueError(f"the embedded data holds values beyond +-{MAX_VALUE:g}")
    task = _field(d, "task", "data ")
    if task not in TASKS:
        raise ValueError(f"the embedded data's task must be one of {', '.join(TASKS)} (got {_show(task)})")
    inputs = names(_field(d, "input_names", "data "), "the embedded data's 'input_names'", X.shape[1])
    outputs = names(_field(d, "output_names", "data "), "the embedded data's 'output_names'", T.shape[1])
    targets = names(d.get("target_columns", []), "the embedded data's 'target_columns'")
    if task in ("classes", "binary") and not np.isin(T, (0.0, 1.0)).all():
        raise ValueError(f"the embedded {task} targets must be 0 or 1")
    if task == "classes" and not (T.sum(axis=1) == 1).all():
        raise ValueError("each embedded class target row must hold exactly one 1")
    name, source, origin = d.get("name", ""), d.get("source", ""), d.get("origin", "")
    if not isinstance(name, str) or not isinstance(source, str):
        raise ValueError("the embedded data's 'name' and 'source' must be strings")
    if not isinstance(origin, str):
        raise ValueError("the embedded data's 'origin' must be a string")
    test_rows = None
    if origin:
        rows = d.get("test_rows", [])
        if not isinstance(rows, list) or not all(is_int(i) and 0 <= i < X.shape[0] for i in rows):
            raise ValueError(f"the embedded data's 'test_rows' must be a list of row numbers below {X.shape[0]}")
        test_rows = np.zeros(X.shape[0], dtype=bool)
        test_rows[np.array(rows, dtype=np.int64)] = True
        if test_rows.all():
            raise ValueError("the embedded data has no training rows")
    return Dataset(name, X, T, inputs, outputs, task, targets, source=source, origin=origin, test_rows=test_rows)


def _scaling(d: dict, ds: Dataset, features: tuple[str, ...]) -> Scaling | None:
    """The scaling stored with edited data (None for other data); ``features``: the settings'."""
    if not ds.custom:
        return None
    sc = _object(d, "scaling", "data ")
    p, k = len(features) or ds.X.shape[1], ds.T.shape[1]
    parts = {}
    for key, n in (("x_center", p), ("x_scale", p), ("y_center", k), ("y_scale", k)):
        parts[key] = _numbers(_field(sc, key, "data scaling "), f"the data's scaling {key!r}")
        if parts[key].shape != (n,):
            raise ValueError(f"the data's scaling {key!r} has {parts[key].size} values, expected {n}")
        if key.endswith("scale") and not (parts[key] > 0).all():
            raise ValueError(f"the data's scaling {key!r} must be positive")
    return Scaling(**parts, features=tuple(features))


def _rng(value) -> dict:
    """A PCG64 state as numpy writes it (the generator every session uses)."""
    ok = (isinstance(value, dict) and value.get("bit_generator") == "PCG64" and isinstance(value.get("state"), dict)
          and all(is_int(value["state"].get(k)) and 0 <= value["state"][k] < 2**128 for k in ("state", "inc"))
          and value.get("has_uint32") in (0, 1) and not isinstance(value.get("has_uint32"), bool)
          and is_int(value.get("uinteger")) and 0 <= value["uinteger"] < 2**32)
    if not ok:
        raise ValueError("the random generator state 'rng' is invalid")
    try:
        np.random.PCG64().state = value
    except (ValueError, TypeError, KeyError, OverflowError):
        raise ValueError("the random generator state 'rng' is invalid") from None
    return value


def _state(st) -> dict:
    if not isinstance(st, dict):
        raise ValueError("'state' must be an object")
    params = _numbers(_field(st, "params", "state "), "state 'params'")
    n = params.size
    it = _field(st, "iteration", "state ")
    if not is_iteration(it):
        raise ValueError(f"state 'iteration' must be a whole number from 0 to 10^15 (got {_show(it)})")
    state: dict[str, Any] = {"params": params, "iteration": int(it)}
    for key in ("velocity", "rprop_steps", "rprop_old"):
        state[key] = _numbers(_field(st, key, "state "), f"state {key!r}")
        if state[key].shape != (n,):
            raise ValueError(f"state {key!r} has {state[key].size} values, expected {n}")
    if not (state["rprop_steps"] > 0).all():
        raise ValueError("state 'rprop_steps' must be positive")
    state["rng"] = _rng(_field(st, "rng", "state "))
    order = _field(st, "order", "state ")
    if not isinstance(order, list) or not all(is_int(i) for i in order) or len(order) > MAX_CELLS:
        raise ValueError("state 'order' must be a list of row numbers")
    ok = all(0 <= i < len(order) for i in order)
    state["order"] = np.array(order if ok else [], dtype=np.int64)
    if not ok or not np.array_equal(np.sort(state["order"]), np.arange(len(order))):
        raise ValueError(f"state 'order' must hold each row number from 0 to {len(order) - 1} once")
    state["pos"] = _int(_field(st, "pos", "state "), "state 'pos'", 0, len(order))
    return state


def _history(h, what: str = "") -> tuple[np.ndarray, np.ndarray]:
    if h is None:
        return np.zeros(0, dtype=np.int64), np.zeros(0)
    if not isinstance(h, dict):
        raise ValueError("'history' must be an object")
    xs, ys = h.get("iteration", []), h.get("mse", [])
    if not isinstance(xs, list) or not all(is_iteration(i) for i in xs):
        raise ValueError(f"the {what}error history's 'iteration' must be a list of whole numbers from 0 to 10^15")
    hy = _numbers(ys, f"the {what}error history's 'mse'", finite=False, limit=MAX_CELLS)
    if len(xs) != hy.size:
        raise ValueError(f"the {what}error history's iterations and values differ in length")
    return np.array(xs, dtype=np.int64) if xs else np.zeros(0, dtype=np.int64), hy


def from_dict(doc) -> SessionData:
    """Check a parsed session document; ValueError of one line."""
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise ValueError(f"not an nnviz session (no \"format\": \"{FORMAT}\")")
    version = doc.get("version")
    if not is_int(version) or not 1 <= version <= VERSION:
        raise ValueError(f"session format version {_show(version)} is not one this nnviz reads ({VERSION})")
    settings = settings_from(_field(doc, "settings", ""))
    dataset, scaling = None, None
    if "data" in doc:
        dataset = _dataset(doc["data"])
        scaling = _scaling(doc["data"], dataset, tuple(settings.features))
    elif settings.data not in BUILTINS:
        raise ValueError("the session names a CSV file but holds no data rows")
    state = _state(_field(doc, "state", ""))
    hx, hy = _history(doc.get("history"))
    runs = doc.get("runs", [])  # sessions before kept runs have none
    if not isinstance(runs, list) or not all(isinstance(r, dict) for r in runs):
        raise ValueError("'runs' must be a list of runs (objects)")
    vx, vy = _validation_history(doc.get("history"))
    lesson = Lesson.from_dict(doc["lesson"]) if "lesson" in doc else None  # sessions before lessons have none
    return SessionData(settings, dataset, state, hx, hy, runs=runs, validation_x=vx, validation_y=vy,
                       scaling=scaling, lesson=lesson)


def _validation_history(h) -> tuple[np.ndarray | None, np.ndarray | None]:
    """The optional validation curve of the history (sessions before it have none)."""
    if not isinstance(h, dict) or "validation_iteration" not in h:
        return None, None
    return _history({"iteration": h["validation_iteration"], "mse": h.get("validation_mse")}, "validation ")


def restore(data: SessionData) -> Experiment:
    """The experiment of a session, at the saved iteration (checks the state against the data);
    errors name the session's file."""
    try:
        return _restore(data)
    except ValueError as exc:
        raise ValueError(f"{data.source}: {exc}" if data.source else str(exc)) from None


def _restore(data: SessionData) -> Experiment:
    exp = Experiment(data.settings, dataset=data.dataset, scaling=data.scaling)
    P = exp.arch.n_weights
    if data.state["params"].size != P:
        raise ValueError(f"the session holds {data.state['params'].size} weights, "
                         f"the {exp.arch.describe()} network needs {P}")
    if data.state["order"].shape != (exp.session.n,):
        raise ValueError(f"the session's mini-batch order has {data.state['order'].size} rows, "
                         f"the training set {exp.session.n}")
    try:
        exp.session.set_state(data.state)
    except (ValueError, TypeError, KeyError):
        raise ValueError("the session's training state does not fit its settings") from None
    return exp
