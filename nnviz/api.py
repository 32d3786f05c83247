"""The Python API: train from arrays, a DataFrame, a CSV file or a built-in, predict, save,
load and show, on the same core as the command line.

    import nnviz
    run = nnviz.fit(data="iris", hidden=(6, 6), lr=0.02)        # the post's iris run
    run.predict(X)                                               # outputs in the targets' units
    run.save("iris.json"); model = nnviz.load("iris.json")       # every format of nnviz.io
    nnviz.show(run)                                              # the window, on this run

``fit`` builds an ``Experiment`` from ``Settings`` whose keyword arguments are the command
line's option names (``hidden``, ``activation``, ``lr``, ``batch_size`` ...) and trains it with
``sweep.train_headless``, the runner ``nnviz train`` uses: the same settings give the same
weights, bit for bit.  Data from arrays is encoded as a CSV file would be (text labels are
classes in sorted order, a numeric target of only 0 and 1 is binary, other numbers are
regression unless ``classify=True``).

Nothing here imports Qt: ``show`` and the notebook pictures (``_repr_svg_``, ``_repr_png_``,
``film``) import ``nnviz.gui`` when they are called.  Not here: training in the background
of a script (``show`` does that in the window).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

import numpy as np

from . import io as nnio
from .core import data as datamod
from .core import features as featmod
from .core.data import Dataset
from .core.experiment import Experiment, Settings
from .core.model import Model as CoreModel
from .core.network import parse_hidden
from .core.options import early_fields, run_summary
from .core.snapshot import Snapshot
from .core.sweep import train_headless
from .io.format_json import history_entry, history_of

ARRAY_DATA = "array"  # the data name of rows given as arrays (``Settings.data``)
FRAME_DATA = "DataFrame"  # ... and as a DataFrame


# -- data from arrays and DataFrames -------------------------------------------------------------

def _is_frame(obj) -> bool:
    return hasattr(obj, "columns") and hasattr(obj, "to_numpy") and getattr(obj, "ndim", 2) == 2


def _is_series(obj) -> bool:
    return hasattr(obj, "to_numpy") and getattr(obj, "ndim", None) == 1


def _names(obj) -> list[str] | None:
    """A DataFrame's column names (as text), or None for an array."""
    return [str(c) for c in obj.columns] if _is_frame(obj) else None


def _matrix(X, what: str = "X") -> np.ndarray:
    """Input rows as a finite float64 matrix (n, p); ValueError of one line otherwise."""
    raw = X.to_numpy() if hasattr(X, "to_numpy") else X
    try:
        # C order, as a CSV file's rows are: R's scale() then sums in the same order, bit for bit
        M = np.ascontiguousarray(raw, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError(f"{what} must hold numbers only (text columns are for targets)") from None
    if M.ndim == 1:
        M = M.reshape(-1, 1)
    if M.ndim != 2 or M.shape[0] == 0 or M.shape[1] == 0:
        raise ValueError(f"{what} must be a table of rows and columns with at least one of each (got shape {M.shape})")
    if not np.isfinite(M).all():
        row, col = (int(v) for v in np.argwhere(~np.isfinite(M))[0])
        names = _names(X)
        where = f"column {names[col]!r}" if names else f"column {col + 1}"
        raise ValueError(f"{what}: row {row + 1}, {where}: missing or not a finite number")
    return M


def _targets(y, names: list[str], classify: bool, n: int) -> tuple[np.ndarray, tuple[str, ...], str]:
    """(T, output names, task) of target values, encoded as ``data.parse_csv`` encodes a CSV
    target: text (or ``classify``) is one-hot classes in sorted order, numbers of only 0 and 1
    are binary, other numbers regression."""
    raw = y.to_numpy() if hasattr(y, "to_numpy") else y
    Y = np.asarray(raw)
    if Y.ndim == 2 and Y.shape[1] == 1 and (classify or Y.dtype.kind not in "biuf"):
        Y = Y[:, 0]
    if Y.ndim not in (1, 2) or Y.shape[0] != n:
        raise ValueError(f"y must have one value (or one row of values) per row of X: {n} rows, got shape {Y.shape}")
    if Y.dtype.kind in "biuf" and not classify:
        T = Y.astype(np.float64).reshape(n, -1)
        if not np.isfinite(T).all():
            raise ValueError(f"y: row {int(np.argwhere(~np.isfinite(T))[0][0]) + 1}: missing or not a finite number")
        task = "binary" if np.isin(T, (0.0, 1.0)).all() else "regression"
        return T, tuple(names[: T.shape[1]]), task
    if Y.ndim != 1:
        raise ValueError("a class target must be a single column")
    if Y.dtype.kind == "O" and any(v is None or (isinstance(v, float) and math.isnan(v)) for v in Y):
        raise ValueError("y: a missing class label")
    if Y.dtype.kind == "f" and not np.isfinite(Y).all():
        raise ValueError("y: a missing class label")
    levels = np.unique(Y)  # sorted: numbers by value, text alphabetically (R's factor levels)
    if levels.size < 2:
        raise ValueError(f"y has a single class ({levels[0]!r}); need at least two")
    if levels.size > 100:
        raise ValueError(f"y has {levels.size} classes; at most 100 are supported")
    index = np.searchsorted(levels, Y)
    T = np.zeros((n, levels.size))
    T[np.arange(n), index] = 1.0
    return T, tuple(_label(v) for v in levels), "classes"


def _label(v) -> str:
    """A class's name: its text, or a number written without a needless '.0'."""
    if isinstance(v, (float, np.floating)) and float(v).is_integer():
        return str(int(v))
    return str(v.item() if isinstance(v, np.generic) else v)


def _target_names(y) -> list[str]:
    """The target columns' names: a DataFrame's, a named Series', else y (one column) or y1, y2, ..."""
    if _is_frame(y):
        return _names(y) or []
    if _is_series(y) and getattr(y, "name", None) is not None:
        return [str(y.name)]
    Y = np.asarray(y.to_numpy() if hasattr(y, "to_numpy") else y)
    k = Y.shape[1] if Y.ndim == 2 else 1
    return ["y"] if k == 1 else [f"y{j + 1}" for j in range(k)]


def dataset(X, y=None, *, target: str | Sequence[str] | None = None, classify: bool = False,
            name: str | None = None) -> Dataset:
    """The rows of ``X`` (an array (n, p) or a DataFrame) with targets ``y`` (values, a column
    or a DataFrame), or a DataFrame ``X`` with its ``target`` column(s), as a Dataset encoded
    exactly as a CSV file with those columns would be."""
    cols = _names(X)
    if y is None:
        if cols is None:
            raise ValueError("give y, or a DataFrame with target='column'")
        if target is None:
            target = cols[-1]  # as a CSV file: the last column
        targets = [target] if isinstance(target, str) else [str(t) for t in target]
        for t in targets:
            if t not in cols:
                raise ValueError(f"no column named {t!r} (columns: {', '.join(cols)})")
        inputs = [c for c in cols if c not in targets]
        if not inputs:
            raise ValueError("no input columns left once the target columns are taken")
        pos = {c: j for j, c in enumerate(cols)}
        X_in = X.iloc[:, [pos[c] for c in inputs]]
        y = X.iloc[:, [pos[t] for t in targets]]
        cols = inputs
    else:
        if target is not None:
            raise ValueError("target= names columns of a DataFrame given without y; with y, leave it out")
        X_in = X
    M = _matrix(X_in)
    input_names = tuple(cols) if cols is not None else tuple(f"x{j + 1}" for j in range(M.shape[1]))
    y_names = _target_names(y)
    T, outputs, task = _targets(y, y_names, classify, M.shape[0])
    if task != "classes" and len(outputs) != T.shape[1]:
        outputs = tuple(f"y{j + 1}" for j in range(T.shape[1]))
    clash = set(input_names) & set(y_names)
    if clash:
        raise ValueError(f"the column {sorted(clash)[0]!r} is both an input and a target")
    nm = name or (FRAME_DATA if _names(X) is not None else ARRAY_DATA)
    return Dataset(nm, M, T, input_names, outputs, task, tuple(y_names) if task != "classes" else tuple(y_names[:1]))


# -- settings ----------------------------------------------------------------------------------

SETTINGS = tuple(f.name for f in fields(Settings))  # the keyword arguments a run takes


def _hidden(value) -> tuple[int, ...]:
    if isinstance(value, str):
        return parse_hidden(value)
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        return () if value == 0 else parse_hidden(str(int(value)))
    try:
        sizes = tuple(value)
    except TypeError:
        raise ValueError(f"hidden must be layer sizes like (6, 6), 6 or '6,6' (got {value!r})") from None
    if not all(isinstance(h, (int, np.integer)) and not isinstance(h, bool) and h >= 1 for h in sizes):
        raise ValueError(f"hidden layers must be positive whole numbers, like (6, 6) (got {value!r})")
    return tuple(int(h) for h in sizes)


def _names_of(value, what: str) -> tuple[str, ...]:
    parts = tuple(a.strip() for a in value.split(",")) if isinstance(value, str) else tuple(value)
    if not parts or not all(isinstance(a, str) and a for a in parts):
        raise ValueError(f"{what} takes a name or a list of names (got {value!r})")
    return parts


def settings(data: str = ARRAY_DATA, **options) -> Settings:
    """Settings from keyword arguments named as the command line's options (``hidden=(6, 6)``,
    ``activation='tanh'``, ``lr=0.02``, ``batch_size=32``, ``standardize=False`` ...)."""
    unknown = sorted(set(options) - set(SETTINGS))
    if unknown:
        raise TypeError(f"unknown setting {unknown[0]!r} (settings: {', '.join(n for n in SETTINGS if n != 'data')})")
    kw: dict[str, Any] = {k: v for k, v in options.items() if v is not None or k in ("batch_size", "threshold",
                                                                                   "patience", "target")}
    if "hidden" in kw:
        kw["hidden"] = _hidden(kw["hidden"])
    if "activation" in kw:
        kw["activation"] = _names_of(kw["activation"], "activation")
    if "features" in kw:
        kw["features"] = featmod.parse(kw["features"]) if isinstance(kw["features"], str) else tuple(kw["features"])
    for key in ("iterations", "seed", "batch_size", "patience"):
        v = kw.get(key)
        if v is not None and not (isinstance(v, (int, np.integer)) and not isinstance(v, bool)):
            if isinstance(v, float) and v.is_integer():
                kw[key] = int(v)
            else:
                raise ValueError(f"{key} takes a whole number (got {v!r})")
        elif v is not None:
            kw[key] = int(v)
    for key in ("momentum", "threshold", "noise", "test_fraction", "l1", "l2", "validation_fraction"):
        v = kw.get(key)
        if v is not None:
            if isinstance(v, bool) or not isinstance(v, (int, float, np.integer, np.floating)) or not math.isfinite(v):
                raise ValueError(f"{key} takes a finite number (got {v!r})")
            kw[key] = float(v)
    if kw.get("batch_size") is not None and kw["batch_size"] < 1:
        raise ValueError(f"batch_size must be at least 1 (got {kw['batch_size']})")
    if "lr" in kw and not isinstance(kw["lr"], str):
        kw["lr"] = float(kw["lr"])
    return Settings(data=data, **kw)


# -- models and runs ---------------------------------------------------------------------------

class _Pictures:
    """What shows a network in Jupyter: the diagram as SVG or PNG (``nnviz plot``'s drawing,
    painted offscreen), and ``figure()`` for the error curve and the decision map."""

    def _figure_source(self):
        raise NotImplementedError

    def figure(self, what: str = "diagram", *, labels: bool = False, theme: str = "light", title: str | None = None,
               size: tuple[int, int] | None = None) -> Picture:
        """The diagram, the error curve (``"errors"``) or the decision map (``"map"``, two inputs) as a
        picture that Jupyter shows inline; ``.save(path)`` writes SVG, PDF or PNG."""
        from .gui import inline

        return Picture(inline.scene(self._figure_source(), what, labels, theme, title, size))

    def _repr_svg_(self) -> str:
        return self.figure()._repr_svg_()

    def _repr_png_(self) -> bytes:
        return self.figure()._repr_png_()

    def plot(self, path: str | Path, what: str = "diagram", **options) -> None:
        """Write a figure (``nnviz plot``): .svg, .pdf or .png."""
        self.figure(what, **options).save(path)


class Picture:
    """A figure (a ``core.diagram`` scene) that Jupyter shows inline (SVG, or PNG on request)."""

    def __init__(self, scene):
        self.scene = scene

    def _repr_svg_(self) -> str:
        from .gui import inline

        return inline.svg(self.scene)

    def _repr_png_(self) -> bytes:
        from .gui import inline

        return inline.png(self.scene)

    def save(self, path: str | Path, dpi: float = 300.0) -> None:
        """Write the figure to .svg, .pdf or .png."""
        from .gui import render

        render.save(self.scene, path, dpi=dpi)


@dataclass
class Model(CoreModel, _Pictures):
    """A trained network with its scaling and names (``nnviz.load`` gives one): ``predict``,
    ``predict_labels``, ``save``, ``show``, ``to_code``; Jupyter shows its diagram."""

    @classmethod
    def of(cls, model: CoreModel) -> Model:
        if isinstance(model, cls):
            return model
        return cls(model.network, model.scaling, model.input_names, model.output_names, model.task,
                   model.target_columns, model.training)

    def _figure_source(self):
        from .gui import figures

        h = history_of(self.training)
        return figures.Figure(self, *(h if h is not None else (None, None)))

    def predict(self, X) -> np.ndarray:
        """Outputs for raw rows (an array in the inputs' order, or a DataFrame: columns by name),
        in the targets' own units."""
        return super().predict(_inputs_of(X, self.input_names))

    def predict_labels(self, X) -> list[str] | None:
        """The class of the largest output for each row (classes only; None otherwise)."""
        return super().predict_labels(_inputs_of(X, self.input_names))

    def save(self, path: str | Path) -> None:
        """Write the model; the format follows the extension (.json, .npz, .csv, .onnx)."""
        nnio.save(self, path)

    def to_code(self, language: str) -> str:
        """The network as a standalone program: ``"numpy"``, ``"r"`` or ``"pytorch"`` (see ``nnviz convert``)."""
        from .io import codegen

        return codegen.render(self, language)

    def show(self, data=None, **options):
        """Open the window on this network (see ``nnviz.show``)."""
        return show(self, data, **options)

    def __repr__(self) -> str:
        return (f"<nnviz.Model {self.arch.describe()} ({', '.join(self.arch.layer_activations)}), "
                f"{self.task}, inputs {', '.join(self.input_names)}>")


def _inputs_of(X, names: Sequence[str]) -> np.ndarray:
    """Rows for a model: a DataFrame's columns by name (the model's inputs), or an array as it is."""
    cols = _names(X)
    if cols is None:
        return _matrix(X)
    missing = [n for n in names if n not in cols]
    if missing:
        raise ValueError(f"no column named {missing[0]!r} (the model takes {', '.join(names)})")
    pos = {c: j for j, c in enumerate(cols)}
    return _matrix(X.iloc[:, [pos[n] for n in names]])


class Trainer(_Pictures):
    """A training run: its ``Experiment`` (data, split, scaling, network, training session), its
    error history and why it stopped.  ``nnviz.fit`` makes one; ``train(n)`` goes on."""

    def __init__(self, experiment: Experiment, start: CoreModel | None = None):
        self.experiment = experiment
        self._start = start  # the start weights, when given (init=): a film replays from them
        self._hx: list[np.ndarray] = []
        self._hy: list[np.ndarray] = []
        self.snapshot: Snapshot | None = None
        self.stopped: str | None = None

    # the run's parts
    @property
    def settings(self) -> Settings:
        return self.experiment.settings

    @property
    def dataset(self) -> Dataset:
        return self.experiment.dataset

    @property
    def network(self):
        return self.experiment.network

    @property
    def weights(self) -> list[np.ndarray]:
        """The weight matrices, (n_in + 1, n_out) each, the bias in row 0 (copies)."""
        return [W.copy() for W in self.experiment.network.weights]

    @property
    def iteration(self) -> int:
        return int(self.experiment.session.iteration)

    @property
    def history(self) -> tuple[np.ndarray, np.ndarray]:
        """The error curve: (iterations, mse of the training rows), thinned for long runs."""
        if not self._hx:
            return np.empty(0, dtype=np.int64), np.empty(0)
        return np.concatenate(self._hx), np.concatenate(self._hy)

    def train(self, iterations: int | None = None, should_stop: Callable[[], bool] = lambda: False,
              on_progress: Callable[[int, float], None] | None = None) -> Trainer:
        """Train ``iterations`` more (default: up to the settings' ``iterations``), with the runner
        of ``nnviz train``; returns self."""
        exp = self.experiment
        if iterations is not None:
            if isinstance(iterations, bool) or not isinstance(iterations, (int, np.integer)) or iterations < 0:
                raise ValueError(f"iterations must be a whole number of at least 0 (got {iterations!r})")
            exp.settings = exp.settings.with_(iterations=exp.session.iteration + int(iterations))
        snap, stopped = train_headless(exp, should_stop, on_progress)
        if snap.new_iterations is not None and len(snap.new_iterations):
            self._hx.append(np.asarray(snap.new_iterations, dtype=np.int64))
            self._hy.append(np.asarray(snap.new_mse, dtype=np.float64))
        self.snapshot, self.stopped = snap, stopped
        return self

    # what it learned
    @property
    def model(self) -> Model:
        """The network now, as ``nnviz train --export`` writes it (a copy)."""
        exp, snap = self.experiment, self.snapshot
        ev = exp.evaluate()
        extra: dict = {}
        if snap is not None:  # the keys of nnviz train's export, in its order
            early = early_fields(snap)
            extra = {"stopped": self.stopped, "best_iteration": early["best_iteration"],
                     "stopped_at": early["stopped_at"]}
        extra["error"] = ev.mse * exp.Y_train.size / 2  # neuralnet's 1/2 SSE, plot.nn's footer
        hx, hy = self.history
        if hx.size:
            extra["history"] = history_entry(hx, hy)
        return Model.of(exp.model(extra))

    def predict(self, X) -> np.ndarray:
        """Outputs for raw rows (array or DataFrame), in the targets' own units."""
        return self.model.predict(X)

    def predict_labels(self, X) -> list[str] | None:
        return self.model.predict_labels(X)

    def summary(self) -> dict:
        """``nnviz train --json``'s summary of the run (mse, accuracy, test and validation scores ...)."""
        exp, snap = self.experiment, self.snapshot
        ev = exp.evaluate()
        early = early_fields(snap) if snap is not None else {}
        seconds = snap.training_seconds if snap is not None else 0.0
        s = run_summary(exp.dataset.name, exp.arch, exp.settings, exp.session.iteration, ev, seconds,
                        early.get("stopped_at") or exp.session.iteration, self.stopped,
                        snap.message if snap is not None else "", early, exp.learning_rate())
        s.update(engine=exp.session.engine, blas_threads=exp.session.blas_threads)
        return s

    def save(self, path: str | Path) -> None:
        """Write the model (.json, .npz, .csv, .onnx), or the whole run as a session (.nnviz)."""
        if str(path).lower().endswith(".nnviz"):
            from .io import session as sessionfile

            exp = self.experiment
            hx, hy = self.history
            sessionfile.save(path, exp.settings, exp.dataset, exp.session.get_state(), hx, hy, scaling=exp.scaling)
            return
        nnio.save(self.model, path)

    def _figure_source(self):
        from .gui import figures

        hx, hy = self.history
        exp = self.experiment
        return figures.Figure(self.model, hx, hy, exp, exp.dataset, exp.train)

    def film(self, frames: int = 60, size: tuple[int, int] = (960, 540), fps: float = 15.0, panel: str = "auto",
             theme: str = "light", title: str | None = None, path: str | Path | None = None) -> Film:
        """The run as a film (``nnviz animate``): replayed from its start weights, ``frames`` frames at
        log-spaced iterations up to the present.  Jupyter shows it inline (an animated GIF);
        ``path`` (.gif or .mp4) writes it too."""
        from .gui import inline

        exp = self.experiment
        replay = Experiment(exp.settings.with_(iterations=self.iteration), dataset=exp.dataset, init=self._start)
        data = inline.film(replay, self.iteration, frames, size, fps, panel, theme, title, path)
        return Film(data)

    def show(self, **options):
        """Open the window on this run (see ``nnviz.show``)."""
        return show(self, **options)

    def __repr__(self) -> str:
        exp = self.experiment
        ev = exp.evaluate()
        acc = f", accuracy {ev.accuracy:.2%}" if ev.accuracy is not None else ""
        return (f"<nnviz.Trainer {exp.dataset.name}: {exp.arch.describe()}, iteration {self.iteration:,}, "
                f"mse {ev.mse:.6g}{acc}>")


class Film:
    """A training film as GIF bytes; Jupyter shows it inline."""

    def __init__(self, gif: bytes):
        self.gif = gif

    def _repr_html_(self) -> str:
        import base64

        return f'<img src="data:image/gif;base64,{base64.b64encode(self.gif).decode("ascii")}" alt="nnviz film"/>'

    def save(self, path: str | Path) -> None:
        nnio.atomic.write_bytes(Path(path), self.gif)


def fit(X=None, y=None, *, data: str | None = None, target: str | Sequence[str] | None = None, classify: bool = False,
        hidden: Any = (6, 6), activation: Any = "sigmoid", output_activation: str = "sigmoid", loss: str = "sse",
        algorithm: str = "gd", lr: float | str = "auto", momentum: float = 0.0, batch_size: int | None = None,
        threshold: float | None = None, iterations: int = 50_000, seed: int = 1, test_fraction: float = 0.0,
        standardize: bool = True, features: Any = (), noise: float = 0.1, l1: float = 0.0, l2: float = 0.0,
        lr_schedule: str = "constant", validation_fraction: float = 0.0, patience: int | None = None,
        engine: str = "auto", dtype: str = "float64", init: str | Path | CoreModel | None = None,
        on_progress: Callable[[int, float], None] | None = None) -> Trainer:
    """Train a network and return the run (a ``Trainer``).

    The rows: ``X`` and ``y`` (arrays, lists, a DataFrame and a column), a DataFrame ``X`` and its
    ``target`` column(s), or ``data=``: a built-in name (``"iris"``) or a CSV file's path (a
    string as ``X`` means ``data=X``).  The keyword arguments are ``nnviz train``'s options, with
    the same defaults; ``init`` starts from a model (a file or a Model) as ``--init`` does."""
    if isinstance(X, (str, Path)) and y is None and data is None:
        X, data = None, str(X)
    options = dict(hidden=hidden, activation=activation, output_activation=output_activation, loss=loss,
                   algorithm=algorithm, lr=lr, momentum=momentum, batch_size=batch_size, threshold=threshold,
                   iterations=iterations, seed=seed, test_fraction=test_fraction, standardize=standardize,
                   features=features, noise=noise, l1=l1, l2=l2, lr_schedule=lr_schedule,
                   validation_fraction=validation_fraction, patience=patience, engine=engine, dtype=dtype)
    start = _model_of(init) if init is not None else None
    ds = None
    if X is not None:
        if data is not None:
            raise ValueError("give the rows as X (and y) or as data=, not both")
        ds = dataset(X, y, target=target, classify=classify)
        s = settings(ds.name, **options)
    else:
        if y is not None:
            raise ValueError("y without X: give the inputs as X")
        s = settings(data or "iris", target=target if not isinstance(target, (list, tuple)) else ",".join(target),
                     classify=classify, **options)
    if start is not None:
        arch = start.arch
        s = s.with_(features=start.scaling.features, hidden=arch.hidden, activation=arch.activations or ("sigmoid",),
                    output_activation=arch.output_activation, loss=arch.loss)
    exp = Experiment(s, dataset=ds, init=start)
    return Trainer(exp, start).train(on_progress=on_progress)


def _model_of(obj) -> CoreModel:
    if isinstance(obj, CoreModel):
        return obj
    if isinstance(obj, Trainer):
        return obj.model
    if isinstance(obj, (str, Path)):
        return load(obj)
    model = getattr(obj, "model_", None)  # a fitted scikit-learn estimator of nnviz.sklearn
    if isinstance(model, CoreModel):
        return model
    raise TypeError(f"expected a model, a Trainer or a model file, got {type(obj).__name__}")


def load(path: str | Path) -> Model:
    """Read a model file (.json, .npz, .csv needs a network's shape, so only .json, .npz, .onnx)."""
    return Model.of(nnio.load(path))


def save(obj, path: str | Path) -> None:
    """Write a model (or a Trainer's model, or a session for .nnviz); the format follows the extension."""
    if isinstance(obj, Trainer):
        obj.save(path)
    else:
        nnio.save(_model_of(obj), path)


def predict(model, X) -> np.ndarray:
    """A model's (or a Trainer's, or a model file's) outputs for raw rows."""
    return Model.of(_model_of(model)).predict(X)


def show(obj=None, data=None, *, block: bool | None = None, speed: float | None | str = "default"):
    """Open the window on a run, a model or a model file (``data``: the rows to show a model on: a
    built-in name, a CSV path, (X, y) or a DataFrame; by default the data it was trained on when
    that is a built-in).  Returns the window.

    In a script it blocks until the window is closed; in IPython or Jupyter it turns on Qt's
    event loop (``%gui qt``) and returns at once, the window live while the notebook runs.
    ``block`` decides instead."""
    from .gui import inline

    if obj is not None and not isinstance(obj, (Trainer, CoreModel, str, Path)) and hasattr(obj, "trainer_"):
        obj = obj.trainer_  # a fitted nnviz.sklearn estimator
    if isinstance(obj, (str, Path)) and str(obj).lower().endswith(".nnviz"):
        return inline.show_session(str(obj), block=block, speed=speed)
    if obj is None:
        return inline.show_settings(Settings(), None, None, block=block, speed=speed)
    if isinstance(obj, Trainer):
        hx, hy = obj.history
        return inline.show_experiment(obj.experiment, hx, hy, block=block, speed=speed)
    model = _model_of(obj)
    s, ds = _window_data(model, data)
    return inline.show_settings(s, model, ds, block=block, speed=speed)


def _window_data(model: CoreModel, data) -> tuple[Settings, Dataset | None]:
    """The window's settings for a model, and its rows unless they are a built-in's (see ``show``)."""
    arch = model.arch
    seed = model.training.get("seed", 1)
    base = Settings(features=model.features, hidden=arch.hidden, activation=arch.activations or ("sigmoid",),
                    output_activation=arch.output_activation, loss=arch.loss,
                    seed=seed if isinstance(seed, int) and not isinstance(seed, bool) and seed >= 0 else 1)
    if data is None:
        name = model.training.get("data")
        if not (isinstance(name, str) and name in datamod.BUILTINS):
            raise ValueError("give data=: the rows to show the model on (a built-in name, a CSV path, (X, y) "
                             "or a DataFrame)")
        data = name
    if isinstance(data, (str, Path)) and str(data) in datamod.BUILTINS:
        return base.with_(data=str(data)), None
    if isinstance(data, (str, Path)):
        target = list(model.target_columns) or None
        ds = datamod.load_csv(data, target, model.task == "classes" and len(model.target_columns) == 1)
        return base.with_(data=str(data), target=",".join(target) if target else None), ds
    if isinstance(data, Dataset):
        ds = data
    elif isinstance(data, tuple) and len(data) == 2:
        ds = dataset(*data, classify=model.task == "classes")
    else:
        ds = dataset(data, target=list(model.target_columns) or None, classify=model.task == "classes")
    return base.with_(data=ds.name), ds
