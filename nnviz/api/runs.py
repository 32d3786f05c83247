"""Models and runs: ``Model`` (a trained network with its scaling and names), ``Trainer`` (a
training run: its experiment, error history and why it stopped), and the functions on them:
``fit``, ``load``, ``save``, ``predict`` and ``show`` (the window, imported when called)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from .. import io as nnio
from ..core import data as datamod
from ..core.data import Dataset
from ..core.experiment import Experiment, Settings
from ..core.model import Model as CoreModel
from ..core.options import early_fields, run_summary
from ..core.snapshot import Snapshot
from ..core.sweep import train_headless
from ..io.format_json import history_entry, history_of
from .inputs import dataset, inputs_of, settings
from .pictures import Film, _Pictures


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
        from ..gui import figures

        h = history_of(self.training)
        return figures.Figure(self, *(h if h is not None else (None, None)))

    def predict(self, X) -> np.ndarray:
        """Outputs for raw rows (an array in the inputs' order, or a DataFrame: columns by name),
        in the targets' own units."""
        return super().predict(inputs_of(X, self.input_names))

    def predict_labels(self, X) -> list[str] | None:
        """The class of the largest output for each row (classes only; None otherwise)."""
        return super().predict_labels(inputs_of(X, self.input_names))

    def save(self, path: str | Path) -> None:
        """Write the model; the format follows the extension (.json, .npz, .csv, .onnx)."""
        nnio.save(self, path)

    def to_code(self, language: str) -> str:
        """The network as a standalone program: ``"numpy"``, ``"r"`` or ``"pytorch"`` (see ``nnviz convert``)."""
        from ..io import codegen

        return codegen.render(self, language)

    def show(self, data=None, **options):
        """Open the window on this network (see ``nnviz.show``)."""
        return show(self, data, **options)

    def __repr__(self) -> str:
        return (f"<nnviz.Model {self.arch.describe()} ({', '.join(self.arch.layer_activations)}), "
                f"{self.task}, inputs {', '.join(self.input_names)}>")



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
            from ..io import session as sessionfile

            exp = self.experiment
            hx, hy = self.history
            sessionfile.save(path, exp.settings, exp.dataset, exp.session.get_state(), hx, hy, scaling=exp.scaling)
            return
        nnio.save(self.model, path)

    def _figure_source(self):
        from ..gui import figures

        hx, hy = self.history
        exp = self.experiment
        return figures.Figure(self.model, hx, hy, exp, exp.dataset, exp.train)

    def film(self, frames: int = 60, size: tuple[int, int] = (960, 540), fps: float = 15.0, panel: str = "auto",
             theme: str = "light", title: str | None = None, path: str | Path | None = None) -> Film:
        """The run as a film (``nnviz animate``): replayed from its start weights, ``frames`` frames at
        log-spaced iterations up to the present.  Jupyter shows it inline (an animated GIF);
        ``path`` (.gif or .mp4) writes it too."""
        from ..gui import inline

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
    from ..gui import inline

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
