"""What training did between two snapshots, and how fast.  No Qt.

``Progress`` gathers the mse of every iteration run since the last snapshot (thinned beyond
``PENDING_POINTS``, so memory stays bounded between two snapshots), the evaluation points
(the whole training set's mse and the test set's, measured after a chunk when the
per-iteration mse is not the training set's), the settings the last iteration trained with,
and the seconds and iterations of the run under way and of all runs of the network.  A
snapshot takes the curve and the evaluation points once (``curve``, ``evaluations``).  Times
are the caller's clock, passed in.  ``evaluate`` measures an evaluation point on an
experiment.  What to run and when is the runner's.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np

from . import blas
from .snapshot import History, read_only

if TYPE_CHECKING:
    from .experiment import Experiment

PENDING_POINTS = 50_000  # between two snapshots at most; thinned beyond (memory stays bounded)


class Progress:
    """The curve since the last snapshot, evaluation points, seconds and rate (see the module doc)."""

    def __init__(self, trained_with: object = None) -> None:
        self.pending = History(PENDING_POINTS)  # the mse values since the last snapshot
        # (iteration, whole-training-set mse, test mse) since the last snapshot
        self.evals: list[tuple[int, float, float]] = []
        self.trained_with = trained_with  # the Settings of the last iteration trained
        self.started: float | None = None  # when the run under way started
        self.iterations = 0  # of the run under way
        self.seconds = 0.0  # spent training in the run under way
        self.total_seconds = 0.0  # spent training this network, over all its runs
        self.rate = 0.0  # iterations per second of the run under way

    def drop(self) -> None:
        """Forget the points not yet sent (training went another way)."""
        self.pending.clear()
        self.evals.clear()

    def start(self, now: float) -> None:
        """A run (Play, Step n) starts."""
        self.started, self.iterations, self.seconds = now, 0, 0.0

    def trained(self, iterations: np.ndarray, mse: np.ndarray, settings: object) -> None:
        """These iterations were run with ``settings``, of these mse values."""
        self.pending.extend(iterations, mse)
        self.trained_with = settings

    def timed(self, iterations: int, seconds: float, began: float, now: float) -> None:
        """A chunk of ``iterations`` took ``seconds`` from ``began``; the rate is counted from
        the run's start (from ``began`` when it has none, or it was at time 0)."""
        self.iterations += iterations
        self.seconds += seconds
        self.total_seconds += seconds
        elapsed = now - (self.started or began)
        self.rate = self.iterations / elapsed if elapsed > 0 else 0.0

    def measure(self, iteration: int, mse_now: Callable[[], tuple[float, float | None]]) -> None:
        """An evaluation point at ``iteration`` (once): ``mse_now()`` gives (train mse, test mse or None)."""
        if self.evals and self.evals[-1][0] >= iteration:
            return
        mse, test_mse = mse_now()
        self.evals.append((iteration, mse, np.nan if test_mse is None else test_mse))

    def evaluate(self, exp: Experiment) -> None:
        """An evaluation point at ``exp``'s iteration: the whole training set's mse and the test
        set's, with training's BLAS threads."""

        def mse_now() -> tuple[float, float | None]:
            with np.errstate(all="ignore"), blas.limited(exp.session.blas_threads, blas.work(exp.session)):
                train = exp.evaluate()
            return train.mse, train.test_mse

        self.measure(exp.session.iteration, mse_now)

    def forget_point(self, iteration: int) -> None:
        """Drop an evaluation point at ``iteration`` or later (measured on rows since replaced)."""
        if self.evals and self.evals[-1][0] >= iteration:
            self.evals.pop()

    def curve(self) -> tuple[np.ndarray, np.ndarray]:
        """The (iterations, mse) since the last call, read-only; the next call starts afresh."""
        xs, ys = self.pending.x.copy(), self.pending.y.copy()
        self.pending.clear()
        xs.flags.writeable = False
        ys.flags.writeable = False
        return xs, ys

    def evaluations(self, iteration: int, mse: float, test_mse: float | None, tested: bool) -> dict:
        """The snapshot's evaluation points since the last call, ending with (``iteration``,
        ``mse``, ``test_mse``) when none was measured there; ``tested``: there is a test set."""
        self.measure(iteration, lambda: (mse, test_mse))
        ev = np.array(self.evals, dtype=np.float64).reshape(-1, 3)
        self.evals.clear()
        return {"eval_iterations": read_only(ev[:, 0].astype(np.int64)), "eval_mse": read_only(ev[:, 1]),
                "eval_test_mse": read_only(ev[:, 2]) if tested else None}

    def fields(self) -> dict:
        """The snapshot's timing fields."""
        return {"iterations_per_second": self.rate, "training_seconds": self.seconds,
                "total_seconds": self.total_seconds, "trained_with": self.trained_with}
