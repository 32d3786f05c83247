"""One training set-up from start to finish: settings -> data -> network -> session.

The CLI and the GUI worker both go through ``Experiment`` so a run started
from either gives the same numbers.  The defaults are the post's iris run:
2 x 6 sigmoid hidden layers, 50,000 iterations of full-batch gradient descent
on 1/2 sum (y - yhat)^2, and the learning rate "auto", which is the post's 0.02
for iris and smaller for more rows (``advice.auto_lr``).
"""

from __future__ import annotations

import copy
import os
import weakref
from dataclasses import asdict, dataclass, replace

import numpy as np

from . import advice
from . import data as datamod
from . import features as featmod
from . import blas, metrics
from .model import Model
from .network import Architecture, Network, parse_hidden
from .training import TrainConfig, TrainingSession, resolve_engine

# The iteration counts nnviz supports: --iterations, a session's or a model's counters, at most
# this many (a million years at 30,000 iterations a second), so that every count is exact in
# float64 (the curves, the schedules' t) and a 64-bit integer.  Files beyond are refused.
MAX_ITERATIONS = 10**15


@dataclass(frozen=True)
class Settings:
    """Everything that defines a run; the field names are the CLI's options."""

    data: str = "iris"
    target: str | None = None
    classify: bool = False
    noise: float = 0.1
    features: tuple[str, ...] = ()  # input features of two-input data (features.py); () = the raw inputs
    hidden: tuple[int, ...] = (6, 6)
    activation: tuple[str, ...] = ("sigmoid",)
    output_activation: str = "sigmoid"
    loss: str = "sse"
    algorithm: str = "gd"
    lr: float | str = advice.AUTO  # a number, or "auto": chosen per data and network (advice.auto_lr)
    momentum: float = 0.0
    batch_size: int | None = None
    threshold: float | None = None
    iterations: int = 50_000
    seed: int = 1
    test_fraction: float = 0.0
    standardize: bool = True
    engine: str = "auto"  # training.ENGINES: auto (numba when importable), numba, numpy
    dtype: str = "float64"  # or float32
    l1: float = 0.0  # penalty rates on the weights outside the bias rows (training.TrainConfig)
    l2: float = 0.0
    lr_schedule: str = "constant"  # training.schedule_rates: constant, step:f:N, exp:g, inv:k
    validation_fraction: float = 0.0  # share of the training rows held out for early stopping
    patience: int | None = None  # stop when the validation mse has not improved for this many iterations

    def train_config(self, lr: float | None = None) -> TrainConfig:
        """How to train with these settings (validates them): the one place Settings become a TrainConfig.
        ``lr``: the number an "auto" rate stands for (``Experiment.learning_rate``); without it,
        "auto" is checked as the post's 0.02 (for validating the other settings)."""
        rate = self.lr if isinstance(self.lr, float) else (advice.AUTO_CAP if lr is None else lr)
        return TrainConfig(rate, self.algorithm, self.momentum, self.batch_size, self.threshold,
                           self.l1, self.l2, self.lr_schedule)

    def learning_rate(self, rows: int) -> float:
        """The number ``lr`` stands for with ``rows`` training rows: itself, or for "auto"
        ``advice.auto_lr`` of the rows one update sums over (the batch size when smaller)."""
        if isinstance(self.lr, float):
            return self.lr
        step = min(rows, self.batch_size) if self.batch_size else rows
        return advice.auto_lr(step, self.output_activation, self.loss)

    def with_(self, **changes) -> Settings:
        return replace(self, **changes)

    def as_dict(self) -> dict:
        d = asdict(self)
        d["hidden"] = list(self.hidden)
        d["activation"] = list(self.activation)
        d["features"] = list(self.features)
        return d

    @classmethod
    def parse(cls, hidden: str | None = None, activation: str | None = None, features: str | None = None,
              **kw) -> Settings:
        """Settings from option strings ('6,6', 'tanh,relu', 'x1^2,x2^2')."""
        if features is not None:
            kw["features"] = featmod.parse(features)
        if hidden is not None:
            kw["hidden"] = parse_hidden(hidden)
        if activation is not None:
            names = tuple(a.strip() for a in activation.split(","))
            if not all(names):
                raise ValueError(f"--activation needs a name for every layer, like tanh or tanh,relu (got {activation!r})")
            kw["activation"] = names
        return cls(**kw)

    def __post_init__(self) -> None:
        object.__setattr__(self, "lr", advice.parse_lr(self.lr))
        if not (isinstance(self.seed, int) and 0 <= self.seed < 2**63):
            raise ValueError(f"the seed must be a whole number from 0 to 2^63 - 1 (got {self.seed})")
        if self.iterations < 0:
            raise ValueError(f"the number of iterations cannot be negative (got {self.iterations})")
        if self.iterations > MAX_ITERATIONS:
            raise ValueError(f"the number of iterations must be at most 10^15 (got {self.iterations:,})")
        if isinstance(self.features, str) or not isinstance(self.features, (tuple, list)):
            raise ValueError(f"the features must be a list of names (got {self.features!r})")
        object.__setattr__(self, "features", featmod.canonical(self.features))
        v = self.validation_fraction
        if not (isinstance(v, (int, float)) and 0.0 <= v < 1.0):
            raise ValueError(f"the validation fraction must be at least 0 and below 1 (got {v})")
        if self.patience is not None:
            if not (isinstance(self.patience, int) and self.patience >= 1):
                raise ValueError(f"the patience must be a whole number of iterations of at least 1 (got {self.patience})")
            if v == 0:
                raise ValueError("early stopping (--patience) needs a validation split: set --validation-fraction above 0")


# What one training run may take at most, as a share of the machine's memory.
MEMORY_SHARE = 0.5


def estimate_bytes(arch: Architecture, n_rows: int) -> int:
    """Roughly the memory a run needs: the weights and their optimiser copies (about 8 of
    them), and per row of the batch each layer's input, A, H, f'(A), delta (about 6)."""
    per_row = sum(arch.sizes) * 6 * 8
    return arch.n_weights * 8 * 8 + n_rows * per_row


def _memory_bytes() -> int | None:
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):  # not on this system
        return None


def check_memory(arch: Architecture, n_rows: int) -> None:
    """ValueError (one line) when the network would take more than MEMORY_SHARE of the memory."""
    need, have = estimate_bytes(arch, n_rows), _memory_bytes()
    if have is not None and need > MEMORY_SHARE * have:
        raise ValueError(f"the {arch.describe()} network on {n_rows:,} rows needs about {need / 2**30:.1f} GiB "
                         f"and this machine has {have / 2**30:.1f} GiB: choose fewer or smaller hidden layers")


def check_output(arch: Architecture, ds: datamod.Dataset) -> None:
    """Refuse an output layer or loss that cannot fit the targets (one line each)."""
    if arch.output_activation == "softmax" and (ds.task != "classes" or ds.T.shape[1] < 2):
        what = {"binary": "independent 0/1 targets (use a sigmoid output)",
                "regression": "numeric targets (use a linear output)"}.get(ds.task, "a single output")
        raise ValueError(f"a softmax output needs one-hot classes with two or more columns, not {what}")
    if arch.loss == "ce" and ds.task == "regression":
        raise ValueError("cross-entropy (--loss ce) needs 0/1 or class targets, not numeric ones: use --loss sse")


@dataclass
class Evaluation:
    mse: float
    accuracy: float | None
    test_mse: float | None
    test_accuracy: float | None
    regression: dict | None = None  # {"train": {rmse, mae, r2}, "test": ...} in target units
    validation_mse: float | None = None  # of the validation rows (split off the training rows)


class Experiment:
    """Data, split, scaling, network and training session for one Settings.  ``interruptible``
    and ``leave_cores`` say how its session runs (see TrainingSession), not what it computes."""

    def __init__(self, settings: Settings, dataset: datamod.Dataset | None = None,
                 init: Model | None = None, scaling: datamod.Scaling | None = None,
                 interruptible: bool = False, leave_cores: int = 0):
        s = settings
        self.settings = s
        self.dataset = dataset if dataset is not None else datamod.load(
            s.data, s.target, s.classify, s.noise, s.seed)
        self.train, self.test = datamod.split(self.dataset, s.test_fraction, s.seed)
        # the validation rows come out of the training rows (seeded, stratified, their own stream)
        self.validation: datamod.Dataset | None = None
        if s.validation_fraction > 0:
            self.train, self.validation = datamod.split(self.train, s.validation_fraction, s.seed,
                                                        what="validation", stream=4)
        ds = self.dataset
        if init is not None:
            check_init(init, ds)
            self.scaling = init.scaling
            arch = init.arch
            net = init.network.copy()
        else:
            featmod.check_inputs(s.features, ds.X.shape[1], ds.source or ds.name)
            arch = Architecture(len(s.features) or ds.X.shape[1], tuple(s.hidden), ds.T.shape[1],
                                tuple(s.activation), s.output_activation, s.loss)
            check_memory(arch, self.train.n)
            # a given scaling: that of the data an edited (custom) data set came from (see set_data)
            self.scaling = scaling if scaling is not None else datamod.fit_scaling(
                self.train, s.standardize, s.output_activation, s.features)
            net = Network.random(arch, np.random.default_rng(s.seed))
        check_output(arch, ds)
        self.arch = arch
        self.config = s.train_config(self.learning_rate(s))
        # the network's rows; the targets are the data's own arrays when the scaling leaves them as
        # they are (classes, 0/1): nothing here writes into them
        self.X_train = self.scaling.inputs(self.train.X)
        self.Y_train = self.scaling.targets(self.train.T, copy=False)
        self.X_test = self.scaling.inputs(self.test.X) if self.test is not None else None
        self.Y_test = self.scaling.targets(self.test.T, copy=False) if self.test is not None else None
        val = self.validation
        self.X_val = self.scaling.inputs(val.X) if val is not None else None
        self.Y_val = self.scaling.targets(val.T, copy=False) if val is not None else None
        # (weights, training rows, evaluation) of the last snapshot kept (``remember``)
        self._evaluation: tuple[np.ndarray, weakref.ref, Evaluation] | None = None
        self.session = TrainingSession(net, self.X_train, self.Y_train, self.config,
                                       np.random.default_rng([s.seed, 3]), engine=s.engine, dtype=s.dtype,
                                       interruptible=interruptible, leave_cores=leave_cores)

    @property
    def network(self) -> Network:
        return self.session.net

    def learning_rate(self, settings: Settings | None = None) -> float:
        """The learning rate of these settings (the experiment's own by default) on this data and
        network: "auto" resolved for the training rows."""
        return (settings or self.settings).learning_rate(self.train.n)

    def set_data(self, dataset: datamod.Dataset) -> None:
        """Train on other rows from the current state: the weights, the optimiser's memory and
        the iteration count go on; a new epoch starts (the mini-batch order is per row).

        The scaling stays the one fitted on the original data: a weight then means the same
        before and after the edit, so training continues instead of starting over on inputs
        that moved under it (refitting would shift every input when one point is added)."""
        old = self.dataset
        if tuple(dataset.input_names) != tuple(old.input_names) or tuple(dataset.output_names) != tuple(
                old.output_names) or dataset.task != old.task:
            raise ValueError("the new data must have the same inputs, targets and task as the data trained on")
        s = self.settings
        train, test = datamod.split(dataset, s.test_fraction, s.seed)
        validation = None
        if s.validation_fraction > 0:  # split anew from the edited training rows
            train, validation = datamod.split(train, s.validation_fraction, s.seed, what="validation", stream=4)
        X_train, Y_train = self.scaling.inputs(train.X), self.scaling.targets(train.T, copy=False)
        session = self.session
        state = session.get_state()
        fresh = TrainingSession(session.net, X_train, Y_train, session.config, session.rng,
                                engine=session.engine, dtype=session.dtype, interruptible=session.interruptible,
                                leave_cores=session.leave_cores)
        state["order"] = np.arange(fresh.n)
        state["pos"] = fresh.n
        fresh.set_state(state)
        self.dataset, self.train, self.test, self.validation = dataset, train, test, validation
        self._evaluation = None
        self.X_val = self.scaling.inputs(validation.X) if validation is not None else None
        self.Y_val = self.scaling.targets(validation.T, copy=False) if validation is not None else None
        self.X_train, self.Y_train = X_train, Y_train
        self.X_test = self.scaling.inputs(test.X) if test is not None else None
        self.Y_test = self.scaling.targets(test.T, copy=False) if test is not None else None
        self.session = fresh

    def switch_engine(self, engine: str, dtype: str, interruptible: bool | None = None,
                      leave_cores: int | None = None) -> None:
        """Go on with another engine or dtype (or way of running: None keeps the session's) from
        exactly the current training state."""
        old = self.session
        state = old.get_state()
        self.session = TrainingSession(
            old.net, self.X_train, self.Y_train, old.config, np.random.Generator(type(old.rng.bit_generator)()),
            engine=engine, dtype=dtype, interruptible=old.interruptible if interruptible is None else interruptible,
            leave_cores=old.leave_cores if leave_cores is None else leave_cores)
        self.session.set_state(state)

    def run_as(self, interruptible: bool, leave_cores: int) -> None:
        """Run the session this way from now on (an experiment built elsewhere, adopted by a
        runner): the same state, the engine "auto" picks for it, BLAS threads chosen anew."""
        old = self.session
        if (old.interruptible, old.leave_cores) == (bool(interruptible), int(leave_cores)):
            return
        work = blas.work_of(old.net.arch.sizes, old.batch_size)
        if resolve_engine(self.settings.engine, work, interruptible) != old.engine:
            self.switch_engine(self.settings.engine, old.dtype, interruptible, leave_cores)
        else:  # the same engine: only the BLAS threads are chosen anew
            old.run_as(interruptible, leave_cores)

    @property
    def input_labels(self) -> tuple[str, ...]:
        """The network inputs' names: the data's input columns, or the features computed from them."""
        return featmod.labels(self.scaling.features, self.dataset.input_names)

    @property
    def task(self) -> str:
        return self.dataset.task

    def remember(self, snap) -> None:
        """Keep the evaluation a runner's snapshot holds of the present weights (train_headless
        keeps its last): ``evaluate`` of the same weights on the same rows returns it instead of
        running every row through the network again (on a million rows a second, and the
        memory of every layer's values).  The snapshot's numbers are evaluate's: the same
        forward pass and metrics (runner.Runner._derive)."""
        net = self.network
        if (getattr(snap, "preview", False) or snap.iteration != self.session.iteration
                or len(snap.weights) != len(net.weights)
                or not all(np.array_equal(a, b) for a, b in zip(snap.weights, net.weights, strict=True))):
            return
        ev = Evaluation(snap.mse, snap.accuracy, snap.test_mse, snap.test_accuracy,
                        snap.regression if self.task == "regression" else None, snap.validation_mse)
        self._evaluation = (net.params.copy(), weakref.ref(self.X_train), ev)

    def evaluate(self, network: Network | None = None) -> Evaluation:
        """mse and accuracy on the train (and test) rows, in network units."""
        net = network or self.network
        kept = self._evaluation
        if kept is not None and net is self.network and kept[1]() is self.X_train and np.array_equal(kept[0], net.params):
            return copy.deepcopy(kept[2])
        Yhat = net.predict(self.X_train)
        ev = Evaluation(metrics.mse(self.Y_train, Yhat), metrics.accuracy(self.task, self.Y_train, Yhat), None, None)
        Th = None
        if self.X_test is not None and self.Y_test is not None:
            Th = net.predict(self.X_test)
            ev.test_mse = metrics.mse(self.Y_test, Th)
            ev.test_accuracy = metrics.accuracy(self.task, self.Y_test, Th)
        if self.task == "regression":
            ev.regression = self.regression_scores(Yhat, Th)
        ev.validation_mse = self.validation_mse(net)
        return ev

    def validation_mse(self, network: Network | None = None) -> float | None:
        """The mse of the validation rows (None without a validation split)."""
        if self.X_val is None or self.Y_val is None:
            return None
        return metrics.mse(self.Y_val, (network or self.network).predict(self.X_val))

    def regression_scores(self, Yhat: np.ndarray, Th: np.ndarray | None) -> dict:
        """RMSE, MAE and R^2 in the target's own units, train (and test)."""
        out = {"train": metrics.regression(self.train.T, self.scaling.outputs(Yhat))}
        if Th is not None and self.test is not None:
            out["test"] = metrics.regression(self.test.T, self.scaling.outputs(Th))
        return out

    def model(self, extra: dict | None = None) -> Model:
        """The current network as a Model (a copy: later training does not change it)."""
        ev = self.evaluate()
        s = self.settings
        training = {
            "iterations": int(self.session.iteration),
            "mse": ev.mse,
            "seed": s.seed,
            "algorithm": s.algorithm,
            "learning_rate": self.config.lr,
            "momentum": s.momentum,
            "batch_size": s.batch_size,
            "l1": s.l1,
            "l2": s.l2,
            "lr_schedule": s.lr_schedule,
            "validation_fraction": s.validation_fraction,
            "patience": s.patience,
            "data": self.dataset.name,
            "standardize": s.standardize,
        }
        training.update(extra or {})
        ds = self.dataset
        return Model(self.network.copy(), self.scaling, ds.input_names, ds.output_names, ds.task,
                     ds.target_columns, training)


def check_init(init: Model, ds: datamod.Dataset) -> None:
    """The model must fit the data: the same inputs by name (by number for a model imported
    without names, e.g. from ONNX) and as many outputs as targets; a model with input features
    needs two-input data."""
    featmod.check_inputs(init.scaling.features, ds.X.shape[1], ds.source or ds.name)
    if init.training.get("imported_from") and not init.scaling.features:
        if init.arch.n_inputs != ds.X.shape[1]:
            raise ValueError(f"the model takes {init.arch.n_inputs} inputs, the data has {ds.X.shape[1]}")
    elif tuple(init.input_names) != tuple(ds.input_names):
        raise ValueError(
            f"the --init model takes inputs ({', '.join(init.input_names)}), "
            f"the data has ({', '.join(ds.input_names)})")
    if init.arch.n_outputs != ds.T.shape[1]:
        raise ValueError(f"the --init model has {init.arch.n_outputs} outputs, the data has {ds.T.shape[1]} targets")
