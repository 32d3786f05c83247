"""Compare a run with R's ``neuralnet``, for real: the same rows, start weights and settings.

The post checks its own function against R ``neuralnet``; this module does it by running R
(``rjob.py``: the files R reads, the script, and what neuralnet reports; ``rscript.py``:
finding and running ``Rscript``; ``neuralnet_args.py``: what neuralnet can do and its
arguments) and comparing: each side's ``steps``, ``error`` and ``reached_threshold`` in
neuralnet's terms (``Side``), mse and accuracy, why each stopped, and the largest difference
between the two trained networks' weights (``RComparison``, which also makes neuralnet's
record for the Runs table).  ``compare`` trains nnviz's run headless first.  The public
names of the three modules are importable from here too.

The two runs do not agree bit for bit: R multiplies with its BLAS and takes ``exp`` from
the C library, nnviz sums in its own order (numba) and has its own ``exp``; both differ in
the last bits, and training carries such differences on (see the README for the measured
agreement).  R is found at run time (``NNVIZ_RSCRIPT``, else ``Rscript`` on the PATH);
when R or the package is missing, ``RUnavailable`` says what to install.  No Qt here.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..core import losses, metrics
from ..core.data import Dataset, Scaling
from ..core.experiment import Experiment, Settings
from ..core.network import Network
from ..core.runs import KeptRun
from ..core.snapshot import Snapshot
from .neuralnet_args import check, neuralnet_arguments, r_call, refusal
from .rjob import Job, RResult, job_for, r_names, run_job, script, startweights, write_job
from .rscript import NEURALNET_MISSING, R_MISSING, TIMEOUT, Cancelled, RInfo, RUnavailable, find_r, find_rscript

__all__ = ["NEURALNET_MISSING", "R_MISSING", "TIMEOUT", "Cancelled", "Job", "RComparison", "RInfo", "RResult",
           "RUnavailable", "Side", "against_neuralnet", "check", "compare", "error_gradients", "find_r",
           "find_rscript", "job_for", "neuralnet_arguments", "neuralnet_error", "r_call", "r_names",
           "reached_threshold", "refusal", "run_job", "script", "startweights", "write_job"]


def error_gradients(net: Network, X: np.ndarray, Y: np.ndarray) -> list[np.ndarray]:
    """dE/dW of neuralnet's error E (1/2 SSE, or the cross-entropy with a sigmoid output) over
    all rows, at the network's weights: what neuralnet's threshold looks at (plainly, no engine)."""
    arch = net.arch
    layers = net.forward_layers(X)
    Yhat = layers[-1][2]
    D = Yhat - np.asarray(Y, dtype=np.float64)  # dE/dyhat; for ce with a sigmoid output, dE/dA
    if arch.loss == "sse":
        D = D * _fprime(arch.output_activation, Yhat)
    grads = []
    for li in range(len(layers) - 1, -1, -1):
        inp = layers[li][0]
        grads.append(inp.T @ D)
        if li:
            D = (D @ net.weights[li][1:].T) * _fprime(arch.layer_activations[li - 1], layers[li - 1][2])
    return grads[::-1]


def _fprime(name: str, H: np.ndarray) -> np.ndarray:
    if name == "sigmoid":
        return H * (1.0 - H)
    if name == "tanh":
        return 1.0 - H * H
    return np.ones_like(H)  # linear


def reached_threshold(net: Network, X: np.ndarray, Y: np.ndarray) -> float:
    """The largest |dE/dw| at the network's weights (neuralnet's ``reached.threshold``)."""
    return float(max(np.abs(g).max() for g in error_gradients(net, X, Y)))


def neuralnet_error(loss: str, Y: np.ndarray, Yhat: np.ndarray, output_activation: str) -> float:
    """neuralnet's ``error``: 1/2 sum (y - yhat)^2, or the summed cross-entropy."""
    return losses.cost(loss, Y, Yhat, output_activation)


@dataclass(frozen=True)
class Side:
    """One run of the comparison, in neuralnet's terms."""

    steps: int  # neuralnet's count: weight updates + 1
    error: float  # neuralnet's error on the training rows (1/2 SSE or cross-entropy)
    reached_threshold: float  # the largest |dE/dw| at the final weights
    stopped: str  # "threshold" or "max_iterations" (neuralnet: stepmax)
    mse: float
    accuracy: float | None
    test_mse: float | None
    test_accuracy: float | None
    seconds: float
    weights: tuple[np.ndarray, ...]

    @property
    def iterations(self) -> int:
        """Weight updates (nnviz's count)."""
        return self.steps - 1


@dataclass(frozen=True)
class RComparison:
    """nnviz's run and neuralnet's from the same start weights, with the same settings."""

    settings: Settings
    data: str
    architecture: str
    call: str  # neuralnet's call as run, one line
    nnviz: Side
    neuralnet: Side
    converged: bool  # neuralnet's verdict (it returns its result.matrix only then)
    max_weight_difference: float  # max |w_nnviz - w_neuralnet| over every weight
    neuralnet_version: str
    r_version: str
    nnviz_run: KeptRun | None = None  # nnviz's run as a kept run (with its error curve), when known

    def neuralnet_json(self) -> dict:
        """The ``neuralnet`` object of ``nnviz compare-r --json``."""
        n = self.neuralnet
        return {"steps": n.steps, "error": n.error, "reached_threshold": n.reached_threshold,
                "converged": self.converged, "iterations": n.iterations, "stopped": n.stopped, "mse": n.mse,
                "accuracy": n.accuracy, "test_mse": n.test_mse, "test_accuracy": n.test_accuracy,
                "seconds": n.seconds, "version": self.neuralnet_version, "r_version": self.r_version,
                "call": self.call}

    def describe(self) -> str:
        """One line for a status bar: each side's steps and error, and the weights' difference."""
        a, b = self.nnviz, self.neuralnet
        return (f"neuralnet {self.neuralnet_version}: {b.steps} steps, error {b.error:.6g}; nnviz: {a.steps} steps, "
                f"error {a.error:.6g}; largest weight difference {self.max_weight_difference:.3g}")

    def to_run_record(self) -> KeptRun:
        """neuralnet's run as a kept run for the Runs table: its iterations (steps - 1), mse,
        accuracy, R's seconds; "from" names neuralnet and the largest weight difference.
        neuralnet keeps no error history, so it has no curve."""
        n = self.neuralnet
        return KeptRun(settings=self.settings, data=self.data, architecture=self.architecture,
                       iterations=n.iterations, mse=_finite(n.mse), accuracy=n.accuracy,
                       test_mse=_finite(n.test_mse), test_accuracy=n.test_accuracy, seconds=n.seconds,
                       stopped=n.stopped, curve=None,
                       origin=f"neuralnet {self.neuralnet_version}, max |w - nnviz w| "
                              f"{self.max_weight_difference:.3g}")


def _finite(x: float | None) -> float | None:
    return None if x is None or not math.isfinite(x) else float(x)


def _side(exp: Experiment, net: Network, steps: int, stopped: str, seconds: float,
          fitted: np.ndarray | None = None, error: float | None = None,
          reached: float | None = None) -> Side:
    Yhat = net.predict(exp.X_train) if fitted is None else fitted
    arch = exp.arch
    test_mse = test_acc = None
    if exp.X_test is not None and exp.Y_test is not None:
        T = net.predict(exp.X_test)
        test_mse, test_acc = metrics.mse(exp.Y_test, T), metrics.accuracy(exp.task, exp.Y_test, T)
    return Side(steps=steps,
                error=neuralnet_error(arch.loss, exp.Y_train, Yhat, arch.output_activation) if error is None else error,
                reached_threshold=reached_threshold(net, exp.X_train, exp.Y_train) if reached is None else reached,
                stopped=stopped, mse=metrics.mse(exp.Y_train, Yhat), accuracy=metrics.accuracy(exp.task, exp.Y_train, Yhat),
                test_mse=test_mse, test_accuracy=test_acc, seconds=seconds,
                weights=tuple(W.copy() for W in net.weights))


def against_neuralnet(exp: Experiment, start: Sequence[np.ndarray], stopped: str, seconds: float,
                      snapshot: Snapshot | None = None, *, rscript: str | None = None, timeout: float = TIMEOUT,
                      should_stop: Callable[[], bool] | None = None, folder: str | Path | None = None) -> RComparison:
    """Compare ``exp``, trained by nnviz from the weights ``start`` (it stopped because of
    ``stopped`` after ``seconds``), with neuralnet trained in R from ``start``."""
    if stopped not in ("max_iterations", "threshold"):
        raise ValueError(f"nnviz's run stopped ({stopped}) before its end: there is nothing to compare")
    job = job_for(exp, start)
    res = run_job(job, rscript, timeout, should_stop, folder)
    net_r = Network.from_weights(exp.arch, list(res.weights))
    nnviz = _side(exp, exp.network, int(exp.session.iteration) + 1, stopped, seconds)
    r_stopped = "threshold" if res.converged else "max_iterations"
    neuralnet = _side(exp, net_r, res.steps, r_stopped, res.seconds, res.fitted, res.error, res.reached_threshold)
    diff = max(float(np.abs(a - b).max()) for a, b in zip(exp.network.weights, res.weights, strict=True))
    run = None
    if snapshot is not None:
        from ..core.sweep import kept_run

        run = kept_run(exp, snapshot, stopped, origin="nnviz (compared with neuralnet)")
    return RComparison(exp.settings, exp.dataset.name, exp.arch.describe(),
                       r_call(job.formula, job.arguments, r_source=False), nnviz, neuralnet, res.converged,
                       diff, res.neuralnet_version, res.r_version, run)


def compare(source: Experiment | Settings, dataset: Dataset | None = None,
            start_weights: Sequence[np.ndarray] | None = None, scaling: Scaling | None = None, *,
            rscript: str | None = None, timeout: float = TIMEOUT, should_stop: Callable[[], bool] | None = None,
            on_progress: Callable[[int, float], None] | None = None) -> RComparison:
    """Train nnviz (headless, the runner ``nnviz train`` uses) and neuralnet from the same start
    weights with the same settings, and compare them.  Blocks (seconds to minutes): call it in
    a thread.  ``source``: an Experiment (its settings, data and scaling are used, and its
    network's current weights are the start unless ``start_weights`` is given; it is not
    changed) or Settings (the data loaded from them unless ``dataset`` is given, the seed's
    weights unless ``start_weights``).  ``should_stop`` is polled between training chunks and
    while R runs (then ``Cancelled``).  RUnavailable when R or neuralnet is missing,
    ValueError (one line) for what neuralnet cannot do or an error in R."""
    from ..core.sweep import train_headless

    if isinstance(source, Experiment):
        settings = source.settings
        dataset = source.dataset if dataset is None else dataset
        scaling = source.scaling if scaling is None else scaling
        if start_weights is None:
            start_weights = [W.copy() for W in source.network.weights]
    else:
        settings = source
    check(settings)
    rscript = rscript or find_rscript()
    exp = Experiment(settings, dataset=dataset, scaling=scaling)
    if start_weights is not None:
        if len(start_weights) != len(exp.arch.shapes) or any(
                np.shape(W) != sh for W, sh in zip(start_weights, exp.arch.shapes, strict=False)):
            raise ValueError(f"the start weights do not fit the {exp.arch.describe()} network")
        for W, new in zip(exp.network.weights, start_weights, strict=True):
            W[...] = new
    check(settings, exp.X_train.shape[0])
    start = [W.copy() for W in exp.network.weights]
    snap, stopped = train_headless(exp, should_stop or (lambda: False), on_progress)
    if stopped == "interrupted":
        raise Cancelled("the comparison with neuralnet was stopped")
    return against_neuralnet(exp, start, stopped, snap.training_seconds, snap, rscript=rscript, timeout=timeout,
                             should_stop=should_stop)
