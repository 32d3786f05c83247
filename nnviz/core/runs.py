"""Kept runs: the settings, error curves and final metrics of finished (or stopped) runs,
to compare them side by side.  No Qt and no files (``nnviz/io/runs.py`` reads and writes them).

A ``KeptRun`` is immutable.  It is made from the runner's last snapshot and the error
history (the window's Keep run, a sweep's run), or from a ``nnviz train --json`` summary
(then ``known`` names the settings the summary gave; the others are not compared, and a
summary has no error curve).  A ``RunTable`` holds kept runs in the order they were kept
and gives each the columns of the Runs panel and of the CSV export: a few summary columns,
then one column per field of ``Settings`` (so a setting added to ``Settings`` shows up
without a change here).  ``differences`` labels a run by what differs from the current
settings, e.g. "lr 0.05, hidden 4".
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, fields

import numpy as np

from .experiment import Settings
from .network import Architecture
from .snapshot import frozen

CURVE_POINTS = 2000  # a kept curve is thinned to at most this many points
# settings that change nothing in the numbers: never named as a difference
NOT_COMPARED = ("engine",)
# Settings fields that regularise training (those that exist): the "regularisation" column
REGULARISATION = ("l1", "l2", "weight_decay", "lr_schedule", "validation_fraction", "patience")


def _ro_int(a) -> np.ndarray:
    c = np.array(a, dtype=np.int64, copy=True)
    c.flags.writeable = False
    return c


def thin(x: np.ndarray, y: np.ndarray, n: int = CURVE_POINTS) -> tuple[np.ndarray, np.ndarray]:
    """At most n evenly spread points of a curve, the first and the last always among them;
    of points at the same iteration (a history measured twice there) the last is kept."""
    x, y = np.asarray(x), np.asarray(y)
    if x.size > 1 and x.size == y.size:
        last = np.append(x[1:] != x[:-1], True)
        x, y = x[last], y[last]
    if x.size <= n:
        return x, y
    keep = np.unique(np.linspace(0, x.size - 1, n).round().astype(np.int64))
    return x[keep], y[keep]


@dataclass(frozen=True)
class Curve:
    """A run's error curves: the training mse (per iteration, or of the whole set at evaluation
    points with mini-batches) and, with a test split, the test mse at its own iterations."""

    iterations: np.ndarray  # int64, increasing
    train: np.ndarray
    test_iterations: np.ndarray | None = None
    test: np.ndarray | None = None

    @classmethod
    def make(cls, x, y, test_x=None, test_y=None, points: int = CURVE_POINTS) -> Curve:
        x, y = thin(np.asarray(x, dtype=np.int64), np.asarray(y, dtype=np.float64), points)
        if len(x) != len(y):
            raise ValueError(f"an error curve has {len(x)} iterations and {len(y)} values")
        tx = ty = None
        if test_x is not None and test_y is not None and len(test_x):
            tx, ty = thin(np.asarray(test_x, dtype=np.int64), np.asarray(test_y, dtype=np.float64), points)
            if len(tx) != len(ty):
                raise ValueError(f"a test error curve has {len(tx)} iterations and {len(ty)} values")
            tx, ty = _ro_int(tx), frozen(ty)
        return cls(_ro_int(x), frozen(y), tx, ty)


@dataclass(frozen=True)
class KeptRun:
    """One run to compare: what it was (settings), how it went (curve) and where it ended."""

    settings: Settings
    data: str  # the data set's name
    architecture: str  # like 4-6-6-3
    iterations: int
    mse: float | None  # training rows, at the end
    accuracy: float | None
    test_mse: float | None
    test_accuracy: float | None
    seconds: float
    stopped: str | None  # why it stopped: max_iterations, threshold, diverged, interrupted, ...
    curve: Curve | None = None
    known: frozenset[str] | None = None  # the settings the run's record gave (None: all of them)
    origin: str = "kept"  # kept, sweep, or the file it was imported from

    def known_fields(self) -> list[str]:
        return [f.name for f in fields(Settings) if self.known is None or f.name in self.known]


def from_snapshot(snap, data: str, arch: Architecture, history_x, history_y, test_x=None, test_y=None,
                  origin: str = "kept", stopped: str | None = None) -> KeptRun:
    """A kept run from the runner's snapshot (the weights' final metrics) and the error history
    up to it; the curve ends at the snapshot's own mse."""
    x = np.asarray(history_x, dtype=np.int64)
    y = np.asarray(history_y, dtype=np.float64)
    # an early stop restores the best iteration's weights: the curve goes on to where it stopped
    end = max(snap.iteration, getattr(snap, "stopped_at", None) or 0)
    keep = x <= end
    x, y = x[keep], y[keep]
    if not x.size or x[-1] < snap.iteration:  # mse_history[i] is the mse before update i + 1
        x, y = np.append(x, snap.iteration), np.append(y, snap.mse)
    tx = ty = None
    if test_x is not None and test_y is not None and len(test_x):
        tx, ty = np.asarray(test_x, dtype=np.int64), np.asarray(test_y, dtype=np.float64)
        tkeep = tx <= end
        tx, ty = tx[tkeep], ty[tkeep]
    return KeptRun(
        settings=getattr(snap, "trained_with", None) or snap.settings, data=data, architecture=arch.describe(), iterations=int(snap.iteration),
        mse=_finite(snap.mse), accuracy=snap.accuracy, test_mse=_finite(snap.test_mse),
        test_accuracy=snap.test_accuracy, seconds=float(getattr(snap, "total_seconds", 0.0) or snap.training_seconds),
        stopped=stopped or snap.stopped or _state_name(snap.state),
        curve=Curve.make(x, y, tx, ty), origin=origin)


def _state_name(state) -> str:
    """Why a run kept before it stopped by itself "stopped": running, paused or ready."""
    return str(getattr(state, "value", state))


def _finite(x):
    return None if x is None or not math.isfinite(x) else float(x)


# -- labels: what differs from the current settings --------------------------------------

def show_value(value, name: str | None = None) -> str:
    """A setting's value as the table and the labels show it: 6-6 for layers, 0.05, none;
    ``name``: the setting's, for lists whose emptiness means something (no hidden layer is
    "0", no features "raw": the two raw inputs)."""
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "on" if value else "off"
    if isinstance(value, tuple):
        if name == "features":
            return ",".join(str(v) for v in value) if value else "raw"
        return "-".join(str(v) for v in value) if value else ("0" if name == "hidden" else "none")
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def setting_name(field: str) -> str:
    return field.replace("_", " ")


def differences(run: KeptRun, current: Settings | None) -> list[str]:
    """"lr 0.05", "hidden 4", ... : the run's settings that differ from ``current`` (only
    those the run's record gave; the engine is never named, it changes no number)."""
    if current is None:
        return []
    out = []
    for name in run.known_fields():
        if name in NOT_COMPARED:
            continue
        a, b = getattr(run.settings, name), getattr(current, name)
        if name == "activation" and len(set(a)) == 1 and len(set(b)) == 1:
            a, b = a[:1], b[:1]  # ("tanh",) and ("tanh", "tanh") are the same network
        if a != b:
            out.append(f"{setting_name(name)} {show_value(a, name)}")
    return out


def label(run: KeptRun, current: Settings | None) -> str:
    """What differs from the current settings, or "same settings"."""
    diff = differences(run, current)
    return ", ".join(diff) if diff else "same settings"


def regularisation(s: Settings) -> str:
    """The regularising settings that are on (not at their default), e.g. "l2 0.001", or "none"."""
    default = Settings()
    on = [f"{setting_name(n)} {show_value(getattr(s, n))}" for n in REGULARISATION
          if hasattr(s, n) and getattr(s, n) != getattr(default, n)]
    return ", ".join(on) if on else "none"


# -- the table ----------------------------------------------------------------------------

@dataclass(frozen=True)
class Column:
    key: str
    title: str
    value: Callable[[KeptRun], object]  # raw: float, int, str or None (sorted numerically)
    numeric: bool = False


def _setting(name: str) -> Callable[[KeptRun], object]:
    def get(run: KeptRun):
        if run.known is not None and name not in run.known:
            return None
        v = getattr(run.settings, name)
        return show_value(v, name) if isinstance(v, tuple) else v
    return get


_SUMMARY = (
    Column("data", "data", lambda r: r.data),
    Column("architecture", "architecture", lambda r: r.architecture),
    Column("activation", "activation", lambda r: show_value(r.settings.activation)
           if r.known is None or "activation" in r.known else None),
    Column("algorithm", "algorithm", lambda r: r.settings.algorithm),
    Column("lr", "lr", lambda r: r.settings.lr, numeric=True),
    Column("regularisation", "regularisation", lambda r: regularisation(r.settings)
           if r.known is None or any(n in r.known for n in REGULARISATION) else None),
    Column("iterations", "iterations", lambda r: r.iterations, numeric=True),
    Column("mse", "train mse", lambda r: r.mse, numeric=True),
    Column("test_mse", "test mse", lambda r: r.test_mse, numeric=True),
    Column("accuracy", "accuracy", lambda r: r.accuracy, numeric=True),
    Column("test_accuracy", "test accuracy", lambda r: r.test_accuracy, numeric=True),
    Column("seconds", "seconds", lambda r: r.seconds, numeric=True),
    Column("stopped", "stopped", lambda r: r.stopped),
    Column("curve", "curve", lambda r: "yes" if r.curve is not None else "none in the file"),
    Column("origin", "from", lambda r: r.origin),
)
# settings already shown above, or only a limit (``iterations`` is the run's own count)
_SHOWN = {"data", "activation", "algorithm", "lr", "hidden", "iterations", *REGULARISATION}


def columns() -> list[Column]:
    """The summary columns, then one per other field of Settings (in their order)."""
    cols = list(_SUMMARY)
    for f in fields(Settings):
        if f.name not in _SHOWN:
            numeric = f.type in ("float", "int", "float | None", "int | None") or isinstance(f.default, (int, float))
            numeric = numeric and not isinstance(f.default, bool)
            cols.append(Column(f.name, setting_name(f.name), _setting(f.name), numeric=numeric))
    return cols


def sort_key(value) -> tuple:
    """Numbers by value, then text, then missing values last."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return (2, 0.0, "")
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return (0, float(value), "")
    return (1, 0.0, str(value))


def show(value) -> str:
    """A cell's text."""
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.6g}"
    return show_value(value)


class RunTable:
    """Kept runs in the order they were kept (the Runs panel's model sorts views of it)."""

    def __init__(self, runs=()) -> None:
        self.runs: list[KeptRun] = list(runs)
        self.columns = columns()

    def __len__(self) -> int:
        return len(self.runs)

    def add(self, run: KeptRun) -> int:
        self.runs.append(run)
        return len(self.runs) - 1

    def remove(self, rows) -> None:
        drop = set(rows)
        self.runs = [r for i, r in enumerate(self.runs) if i not in drop]

    def value(self, row: int, column: int):
        return self.columns[column].value(self.runs[row])

    def order(self, column: int, descending: bool = False) -> list[int]:
        """Row numbers sorted by a column (numerically for numbers; missing values last)."""
        rows = sorted(range(len(self.runs)), key=lambda i: sort_key(self.value(i, column)))
        if descending:
            missing = [i for i in rows if sort_key(self.value(i, column))[0] == 2]
            rows = [i for i in reversed(rows) if i not in missing] + missing
        return rows

    def records(self, current: Settings | None = None) -> tuple[list[str], list[list]]:
        """The table as a header and rows of raw values, a label column first (for CSV)."""
        header = ["run", "label"] + [c.key for c in self.columns]
        rows = [[i + 1, label(r, current)] + [c.value(r) for c in self.columns] for i, r in enumerate(self.runs)]
        return header, rows
