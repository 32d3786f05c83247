"""Early stopping on a validation split: the measurements, the best, the patience.  No Qt.

With a validation split the validation mse is measured every ``validation_every``
iterations (max(VALIDATE_EVERY, iterations per epoch): at fixed iterations, whatever the
chunks, so a run stops at the same iteration every time) and when the run starts.  The best
is the first iteration of the lowest value: a later one only replaces it by falling strictly
below it (a tie keeps the earlier).  When the best is ``patience`` iterations old or older,
training stops and the weights of the best iteration are restored (as Weka's MLP does):
``EarlyStopping`` measures (``validate``, on an experiment's validation rows), runs the
iterations in pieces that end where a point is due (``run``: ``run_in_pieces`` on the
experiment's session) and decides; the runner replays the weights from its history.  Going
back (step back, resume from, an edited weight) forgets the points after the iteration gone
back to.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from .experiment import Experiment
from .snapshot import read_only
from .training import RunResult, TrainingSession, iterations_per_epoch

VALIDATE_EVERY = 25  # the validation mse is measured at least every this many iterations


def validation_every(n_train: int, batch_size: int | None) -> int:
    """Iterations between two measurements of the validation mse: max(VALIDATE_EVERY, one epoch)."""
    return max(VALIDATE_EVERY, iterations_per_epoch(n_train, batch_size))


class EarlyStopping:
    """The validation points of one run, its best, and where an early stop happened."""

    def __init__(self) -> None:
        self.points: list[tuple[int, float]] = []  # (iteration, validation mse): the whole run
        self.new: list[tuple[int, float]] = []  # the points not yet sent in a snapshot
        self.best: tuple[int, float] | None = None  # (iteration, mse) of the best so far
        self.stopped_at: int | None = None  # the iteration training stopped at (the best restored)

    def wants(self, iteration: int, every: int | None = None) -> bool:
        """A point is to be measured at ``iteration``: none is there yet (and, given ``every``,
        it is an iteration where one is due)."""
        if self.points and self.points[-1][0] >= iteration:
            return False
        return every is None or iteration % every == 0

    def add(self, iteration: int, mse: float) -> None:
        """A measured point; it is the best when strictly below the best so far."""
        self.points.append((iteration, mse))
        self.new.append((iteration, mse))
        if self.best is None or mse < self.best[1]:
            self.best = (iteration, mse)

    def measure(self, iteration: int, mse_now: Callable[[], float], every: int | None = None) -> None:
        """``add`` the point ``mse_now()`` when one is wanted (only then is it measured)."""
        if self.wants(iteration, every):
            self.add(iteration, mse_now())

    def validate(self, exp: Experiment, due_only: bool = False) -> None:
        """A point at ``exp``'s iteration, on its validation rows (with ``due_only``, only on the
        iterations where one is due); nothing without a validation split."""
        if exp.X_val is None:
            return

        def mse_now() -> float:
            with np.errstate(all="ignore"):
                v = exp.validation_mse()
            assert v is not None
            return v

        every = validation_every(exp.session.n, exp.config.batch_size) if due_only else None
        self.measure(exp.session.iteration, mse_now, every)

    def run(self, exp: Experiment, n: int, interrupt: np.ndarray | None = None) -> RunResult:
        """n iterations of ``exp``'s session; with a validation split, in pieces that end where a
        point is due, stopping ("early_stop") when out of ``exp``'s patience."""
        if exp.X_val is None:
            return exp.session.run(n, interrupt)

        def out_of_patience() -> bool:
            self.validate(exp)
            return self.out_of_patience(exp.settings.patience)

        every = validation_every(exp.session.n, exp.config.batch_size)
        return run_in_pieces(exp.session, n, interrupt, every, out_of_patience)

    def out_of_patience(self, patience: int | None) -> bool:
        """The last point is ``patience`` iterations or more after the best (None: never)."""
        return (patience is not None and self.best is not None and bool(self.points)
                and self.points[-1][0] - self.best[0] >= patience)

    def stop(self, at: int) -> tuple[int, float]:
        """Training stopped early at iteration ``at``: the (iteration, mse) to restore; the
        points after it are forgotten (those not yet sent still are)."""
        assert self.best is not None
        self.points = [v for v in self.points if v[0] <= self.best[0]]
        self.stopped_at = at
        return self.best

    def message(self, patience: int | None) -> str:
        """What the early stop did, in a sentence."""
        assert self.best is not None and self.stopped_at is not None
        (best, best_mse), stop_at = self.best, self.stopped_at
        return (f"the validation mse has not improved for {stop_at - best:,} iterations "
                f"(patience {patience:,}): restored the weights of iteration {best:,} "
                f"(validation mse {best_mse:.5g}); stopped at {stop_at:,}")

    def leave(self) -> bool:
        """Training goes on after an early stop (True; False when there was none): the points
        not yet sent are dropped, the curves are cut at the best iteration."""
        if self.stopped_at is None:
            return False
        self.stopped_at = None
        self.new.clear()
        return True

    def truncate(self, iteration: int) -> None:
        """Forget the points after ``iteration`` (training goes another way); the best is the
        lowest of those left, the earliest of a tie."""
        self.points = [v for v in self.points if v[0] <= iteration]
        self.new = [v for v in self.new if v[0] <= iteration]
        self.best = min(self.points, key=lambda v: (v[1], v[0])) if self.points else None
        self.stopped_at = None

    def fields(self, measured: bool, take: bool = True) -> dict:
        """The snapshot's fields: the new points (and ``take`` them: sent once), the best and
        the stop; ``measured``: there is a validation split (without, no curve at all)."""
        out: dict = {"best_iteration": self.best[0] if self.best is not None else None,
                     "best_validation_mse": self.best[1] if self.best is not None else None}
        if not take:
            return out
        val = np.array(self.new, dtype=np.float64).reshape(-1, 2)
        self.new.clear()
        out["val_iterations"] = read_only(val[:, 0].astype(np.int64)) if measured else None
        out["val_mse"] = read_only(val[:, 1]) if measured else None
        out["stopped_at"] = self.stopped_at
        return out


def run_in_pieces(session: TrainingSession, n: int, interrupt: np.ndarray | None, every: int,
                  checkpoint: Callable[[], bool]) -> RunResult:
    """n iterations in pieces that end on the iterations divisible by ``every``; there
    ``checkpoint()`` measures and says whether to stop (then ``stopped`` is "early_stop")."""
    done, parts = 0, []
    while done < n:
        asked = min(n - done, every - session.iteration % every)
        res = session.run(asked, interrupt)
        done += res.iterations
        parts.append(res.mse)
        if res.stopped:
            return RunResult(done, np.concatenate(parts), res.stopped, res.message)
        if res.iterations < asked:  # interrupted
            break
        if session.iteration % every == 0 and checkpoint():
            return RunResult(done, np.concatenate(parts), "early_stop")
    return RunResult(done, np.concatenate(parts))
