"""Session files (``.nnviz``, JSON inside): everything needed to close the app and
later continue exactly where training stopped.

A session holds the settings, the data (by name for built-ins; the rows
themselves for CSV data, so the session opens when the CSV file is gone), the
full training state (weights, optimiser memory, random generator, mini-batch
position, iteration count) and the error history.  Training on from a loaded
session gives the same iterations as an uninterrupted run.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, fields
from pathlib import Path

import numpy as np

from . import __version__
from .core.data import BUILTINS, TASKS, Dataset
from .core.experiment import Experiment, Settings
from .core.files import read_text
from .modelio import atomic_write_text

FORMAT = "nnviz-session"
VERSION = 1
EXTENSION = ".nnviz"


@dataclass
class SessionData:
    settings: Settings
    dataset: Dataset | None  # None: a built-in, loaded by name
    state: dict
    history_x: np.ndarray
    history_y: np.ndarray


def _floats(a) -> list:
    return np.asarray(a, dtype=np.float64).tolist()


def to_dict(settings: Settings, dataset: Dataset, state: dict, history_x, history_y) -> dict:
    for key in ("params", "velocity", "rprop_steps", "rprop_old"):
        if not np.isfinite(state[key]).all():
            raise ValueError("the training state contains NaN or infinite values; not saved")
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
        "history": {"iteration": np.asarray(history_x).astype(int).tolist(), "mse": _floats(history_y)},
    }
    if settings.data not in BUILTINS:
        doc["data"] = {
            "name": dataset.name, "source": dataset.source, "X": _floats(dataset.X), "T": _floats(dataset.T),
            "input_names": list(dataset.input_names), "output_names": list(dataset.output_names),
            "task": dataset.task, "target_columns": list(dataset.target_columns),
        }
    return doc


def save(path: str | Path, settings: Settings, dataset: Dataset, state: dict, history_x, history_y) -> None:
    path = Path(path)
    if path.suffix.lower() != EXTENSION:
        raise ValueError(f"{path}: a session file ends in {EXTENSION}")
    atomic_write_text(path, json.dumps(to_dict(settings, dataset, state, history_x, history_y)) + "\n")


def load(path: str | Path) -> SessionData:
    """Read and validate a session file; ValueError with one line naming the file."""
    path = Path(path)
    text = read_text(path)
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(f"{path}: not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})") from None
    try:
        return from_dict(doc)
    except (ValueError, KeyError, TypeError) as exc:
        what = f"missing {exc}" if isinstance(exc, KeyError) else str(exc)
        raise ValueError(f"{path}: {what}") from None


def from_dict(doc) -> SessionData:
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise ValueError(f"not an nnviz session (no \"format\": \"{FORMAT}\")")
    if not isinstance(doc.get("version"), int) or doc["version"] > VERSION:
        raise ValueError(f"session format version {doc.get('version')!r} is not one this nnviz reads ({VERSION})")
    raw = doc["settings"]
    known = {f.name for f in fields(Settings)}
    kw = {k: v for k, v in raw.items() if k in known}
    kw["hidden"] = tuple(int(h) for h in kw.get("hidden", ()))
    kw["activation"] = tuple(kw.get("activation", ("sigmoid",)))
    settings = Settings(**kw)
    dataset = None
    if "data" in doc:
        d = doc["data"]
        X, T = np.array(d["X"], dtype=np.float64), np.array(d["T"], dtype=np.float64)
        if X.ndim != 2 or T.ndim != 2 or X.shape[0] != T.shape[0] or X.shape[0] == 0:
            raise ValueError("the embedded data rows are malformed")
        if not (np.isfinite(X).all() and np.isfinite(T).all()):
            raise ValueError("the embedded data contains NaN or infinite values")
        if d["task"] not in TASKS or len(d["input_names"]) != X.shape[1] or len(d["output_names"]) != T.shape[1]:
            raise ValueError("the embedded data's names or task do not fit its rows")
        dataset = Dataset(str(d["name"]), X, T, tuple(d["input_names"]), tuple(d["output_names"]), d["task"],
                          tuple(d.get("target_columns", ())), source=str(d.get("source", "")))
    elif settings.data not in BUILTINS:
        raise ValueError("the session names a CSV file but holds no data rows")
    st = doc["state"]
    state = {
        "iteration": int(st["iteration"]),
        "params": np.array(st["params"], dtype=np.float64),
        "velocity": np.array(st["velocity"], dtype=np.float64),
        "rprop_steps": np.array(st["rprop_steps"], dtype=np.float64),
        "rprop_old": np.array(st["rprop_old"], dtype=np.float64),
        "rng": st["rng"],
        "order": np.array(st["order"], dtype=np.int64),
        "pos": int(st["pos"]),
    }
    n = state["params"].size
    for key in ("velocity", "rprop_steps", "rprop_old"):
        if state[key].shape != (n,):
            raise ValueError(f"state {key!r} has {state[key].size} values, expected {n}")
    for key in ("params", "velocity", "rprop_steps", "rprop_old"):
        if not np.isfinite(state[key]).all():
            raise ValueError(f"state {key!r} contains NaN or infinite values")
    if state["iteration"] < 0:
        raise ValueError("the iteration count is negative")
    h = doc.get("history") or {}
    hx = np.array(h.get("iteration", []), dtype=np.int64)
    hy = np.array(h.get("mse", []), dtype=np.float64)
    if hx.shape != hy.shape:
        raise ValueError("the error history's iterations and values differ in length")
    return SessionData(settings, dataset, state, hx, hy)


def restore(data: SessionData) -> Experiment:
    """The experiment of a session, at the saved iteration (validates shapes against the data)."""
    exp = Experiment(data.settings, dataset=data.dataset)
    P = exp.arch.n_weights
    if data.state["params"].size != P:
        raise ValueError(f"the session holds {data.state['params'].size} weights, "
                         f"the {exp.arch.describe()} network needs {P}")
    if data.state["order"].shape != (exp.session.n,):
        raise ValueError("the session's mini-batch order does not fit the training rows")
    try:
        exp.session.set_state(data.state)
    except (ValueError, TypeError, KeyError):
        raise ValueError("the session's random generator state is invalid") from None
    return exp
