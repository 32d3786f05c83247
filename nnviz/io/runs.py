"""Kept runs in files: the records sessions store, ``nnviz train/sweep --json`` results to
import, and the Runs table as CSV (written atomically).

A run's record is a ``--json`` summary (data, architecture, algorithm, learning_rate,
iterations, mse, accuracy, test_mse, test_accuracy, seconds, stopped, seed) with two
optional members: ``settings`` (the Settings fields it knows; ``nnviz train --json``
writes all of them) and ``curve`` (the error curves, which a ``--json`` summary has not).
A summary without ``settings`` gives the settings its other members name.  Every member is
checked; a bad one is a one-line error naming the file and the line.
"""

from __future__ import annotations

import csv
import io
import json
import math
from pathlib import Path

import numpy as np

from ..core.experiment import Settings
from ..core.runs import Curve, KeptRun, RunTable
from . import atomic
from .document import is_finite, is_iteration, is_number, parse_json
from .session import settings_from

MAX_FILE_BYTES = 64 * 2**20
MAX_CURVE = 100_000


def _num(x):
    return None if x is None or not math.isfinite(x) else float(x)


def _list(a) -> list:
    return [None if not math.isfinite(v) else v for v in np.asarray(a, dtype=np.float64).tolist()]


def to_dict(run: KeptRun) -> dict:
    """A run's record (see the module doc)."""
    s = run.settings.as_dict()
    doc = {
        "data": run.data, "architecture": run.architecture, "algorithm": run.settings.algorithm,
        "learning_rate": run.settings.lr, "iterations": int(run.iterations), "mse": _num(run.mse),
        "accuracy": run.accuracy, "test_mse": _num(run.test_mse), "test_accuracy": run.test_accuracy,
        "seconds": float(run.seconds), "stopped": run.stopped, "seed": run.settings.seed,
        "settings": {k: v for k, v in s.items() if run.known is None or k in run.known},
        "origin": run.origin,
    }
    c = run.curve
    if c is not None:
        doc["curve"] = {"iteration": c.iterations.tolist(), "mse": _list(c.train)}
        if c.test_iterations is not None and c.test is not None:
            doc["curve"]["test_iteration"] = c.test_iterations.tolist()
            doc["curve"]["test_mse"] = _list(c.test)
    return doc


def _get(doc: dict, key: str, check, what: str, default=None, required: bool = False):
    if key not in doc or doc[key] is None:
        if required:
            raise ValueError(f"no {key!r}")
        return default
    value = doc[key]
    if not check(value):
        raise ValueError(f"{key!r} must be {what} (got {json.dumps(value)[:40]})")
    return value


def _iterations(value, what: str) -> np.ndarray:
    if (not isinstance(value, list) or len(value) > MAX_CURVE
            or not all(is_iteration(i) for i in value)):
        raise ValueError(f"the curve's {what!r} must be a list of iterations (whole numbers from 0 to 10^15)")
    a = np.array(value, dtype=np.int64)
    if a.size > 1 and not (np.diff(a) > 0).all():
        raise ValueError(f"the curve's {what!r} must increase")
    return a


def _values(value, what: str, n: int) -> np.ndarray:
    if not isinstance(value, list) or not all(v is None or is_number(v) for v in value):
        raise ValueError(f"the curve's {what!r} must be a list of numbers (or null)")
    if len(value) != n:
        raise ValueError(f"the curve has {n} iterations and {len(value)} {what!r} values")
    return np.array([np.nan if v is None else float(v) for v in value], dtype=np.float64)


def _curve(c) -> Curve:
    if not isinstance(c, dict):
        raise ValueError("'curve' must be an object")
    x = _iterations(c.get("iteration"), "iteration")
    y = _values(c.get("mse"), "mse", x.size)
    tx = ty = None
    if c.get("test_iteration") is not None:
        tx = _iterations(c.get("test_iteration"), "test_iteration")
        ty = _values(c.get("test_mse"), "test_mse", tx.size)
    return Curve.make(x, y, tx, ty, points=MAX_CURVE)


def _hidden_of(architecture: str) -> list[int]:
    parts = architecture.split("-")
    if len(parts) < 2 or not all(p.isascii() and p.isdigit() and int(p) > 0 for p in parts):
        raise ValueError(f"'architecture' must be layer sizes like 4-6-3 (got {architecture[:40]!r})")
    return [int(p) for p in parts[1:-1]]


def from_dict(doc, origin: str = "") -> KeptRun:
    """A kept run from its record or a ``--json`` summary; ValueError of one line."""
    if not isinstance(doc, dict):
        raise ValueError("a run must be a JSON object (a line of nnviz train --json)")
    data = _get(doc, "data", lambda v: isinstance(v, str) and v != "", "a data set name", required=True)
    arch = _get(doc, "architecture", lambda v: isinstance(v, str), "layer sizes like 4-6-3", required=True)
    hidden = _hidden_of(arch)
    iterations = _get(doc, "iterations", is_iteration, "a whole number from 0 to 10^15", required=True)
    metric = (lambda v: is_number(v), "a number")
    share = (lambda v: is_finite(v) and 0 <= v <= 1, "a number from 0 to 1")
    mse = _get(doc, "mse", *metric)
    test_mse = _get(doc, "test_mse", *metric)
    accuracy = _get(doc, "accuracy", *share)
    test_accuracy = _get(doc, "test_accuracy", *share)
    seconds = _get(doc, "seconds", lambda v: is_finite(v) and v >= 0, "a number of at least 0", 0.0)
    stopped = _get(doc, "stopped", lambda v: isinstance(v, str), "a string")
    raw = doc.get("settings")
    if raw is None:  # a summary: the settings it names
        raw = {"data": data, "hidden": hidden}
        for key, field in (("algorithm", "algorithm"), ("learning_rate", "lr"), ("seed", "seed")):
            if doc.get(key) is not None:
                raw[field] = doc[key]
    elif not isinstance(raw, dict):
        raise ValueError("'settings' must be an object")
    known = frozenset(k for k in raw if k in Settings.__dataclass_fields__)
    settings = settings_from(raw)
    if "hidden" in known and list(settings.hidden) != hidden:
        raise ValueError(f"the settings' hidden layers ({','.join(map(str, settings.hidden)) or '0'}) "
                         f"do not match the architecture {arch}")
    curve = _curve(doc["curve"]) if doc.get("curve") is not None else None
    run_origin = doc.get("origin") if isinstance(doc.get("origin"), str) and not origin else origin
    return KeptRun(settings=settings, data=data, architecture=arch, iterations=int(iterations),
                   mse=_num(mse), accuracy=accuracy, test_mse=_num(test_mse), test_accuracy=test_accuracy,
                   seconds=float(seconds), stopped=stopped, curve=curve,
                   known=None if known >= set(Settings.__dataclass_fields__) else known,
                   origin=run_origin or "kept")


def runs_from(value, where: str = "") -> list[KeptRun]:
    """The kept runs of a session's 'runs' list."""
    if not isinstance(value, list):
        raise ValueError("'runs' must be a list of runs")
    out = []
    for i, doc in enumerate(value, 1):
        try:
            out.append(from_dict(doc))
        except ValueError as exc:
            raise ValueError(f"{where}run {i}: {exc}") from None
    return out


def read_json(path: str | Path) -> list[KeptRun]:
    """The runs in a ``nnviz train --json`` or ``nnviz sweep --json`` output (one JSON object
    per line), a JSON list of them, or one object; ValueError of one line naming the file."""
    path = Path(path)
    raw = atomic.read_bytes(path, limit=MAX_FILE_BYTES)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValueError(f"{path}: not a text file") from None
    origin = path.name
    try:
        whole = json.loads(text)
    except json.JSONDecodeError:
        whole = None
    except (RecursionError, ValueError):
        raise ValueError(f"{path}: not readable JSON") from None
    try:
        if isinstance(whole, list):
            return [from_dict(d, origin) for d in whole] if whole else _none(path)
        if isinstance(whole, dict):
            return [from_dict(whole, origin)]
    except ValueError as exc:
        raise ValueError(f"{path}: {exc}") from None
    runs = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            runs.append(from_dict(parse_json(line), origin))
        except ValueError as exc:
            raise ValueError(f"{path}: line {number}: {exc}") from None
    return runs or _none(path)


def _none(path: Path) -> list[KeptRun]:
    raise ValueError(f"{path}: no runs in the file (expected the output of nnviz train --json)")


def to_csv(table: RunTable, current: Settings | None = None) -> str:
    """The table as CSV: a header, then one row per run; numbers written exactly (repr)."""
    header, rows = table.records(current)
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(header)
    for row in rows:
        w.writerow(["" if v is None else repr(v) if isinstance(v, float) else v for v in row])
    return buf.getvalue()


def write_csv(path: str | Path, table: RunTable, current: Settings | None = None) -> None:
    """Write the table as CSV, atomically."""
    if not len(table):
        raise ValueError("no kept runs to export")
    atomic.write_text(path, to_csv(table, current))


def session_runs(data) -> list[KeptRun]:
    """The kept runs of a loaded session (``session.SessionData``); errors name its file."""
    try:
        return runs_from(data.runs)
    except ValueError as exc:
        raise ValueError(f"{data.source}: {exc}" if data.source else str(exc)) from None
