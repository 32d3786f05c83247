"""Defaults that work, and a hint when training goes wrong.

The learning rate "auto" (the default of ``Settings.lr``).  The post's error
C = 1/2 sum (y - yhat)^2 sums over the rows, and so does its gradient: the post's lr 0.02
for iris's 150 rows is a step twelve times too long for digits' 1,797 (a 64-128-64-10
network saturated there: every output at 0 or 1, the error flat at 0.1).  "auto" keeps the
post's step per row, lr x rows = 0.02 x 150 = 3:

    lr = min(0.02, c / rows)

rows: the rows one update sums over (the training rows; the batch size with mini-batches).
c = 3 for a sigmoid or softmax output with SSE, where the output's slope f' is at most 1/4;
c = 3/4 with cross-entropy, whose output delta y - yhat skips that factor 1/4; c = 3/16 for a
linear output (regression), where f' = 1 and the curvature of the error is 16 times the
sigmoid's (1 against (1/4)^2).  So the post's iris run (150 rows) and the toy set keep
exactly 0.02.  Measured (README, "Defaults that work"): with a linear output, 2 / rows blew
Playground's plane and gauss-mix up (6,6 hidden) and 1/2 / rows left gauss-mix at R^2 0.60 with
64,64 hidden, where 3/16 / rows reached 0.86; a sigmoid output trained digits at 3 / rows with
6,6 and with 128,64 hidden (where 0.02 saturated).  The value is rounded to three significant
digits, so typing the number shown gives the same run.

The hint (``hint``): one line when training has gone wrong, with the likely fix:
diverged (the error became NaN or infinite), diverging (the error is ten times what it
was at the start), or saturated (every output within 0.01 of 0 or 1, the accuracy poor,
and the error flat for at least 1,000 iterations and a fifth of the run).  ``Watch`` keeps
what a hint needs across snapshots (the error history); the runner asks it for the hint of
each snapshot.  Not here: advice on the architecture or the data beyond standardising.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .snapshot import History

AUTO = "auto"
AUTO_CAP = 0.02  # the post's rate: "auto" never goes above it
STEP = 3.0  # lr x rows of the post's iris run (0.02 x 150): c of a sigmoid or softmax output with SSE
SATURATED = 0.01  # an output this close to 0 or 1 is saturated
FLAT = 0.01  # the error is flat while within this share of its present value
FLAT_FOR = 1000  # iterations an error must stay flat (and a fifth of the run) for a hint
GROWN = 10.0  # the error this many times its first value: diverging


def step_per_row(output_activation: str, loss: str) -> float:
    """c of ``lr = min(0.02, c / rows)`` for the output layer and loss."""
    if output_activation == "linear":
        return STEP / 16
    if loss == "ce":
        return STEP / 4
    return STEP


def auto_lr(rows: int, output_activation: str = "sigmoid", loss: str = "sse") -> float:
    """The learning rate "auto" gives for ``rows`` rows per update: three significant digits,
    at most 0.02."""
    lr = step_per_row(output_activation, loss) / max(int(rows), 1)
    return min(AUTO_CAP, float(f"{lr:.3g}"))


def is_auto(lr) -> bool:
    return isinstance(lr, str) and lr.strip().lower() == AUTO


def parse_lr(value) -> float | str:
    """A learning-rate setting: "auto" or a number (a number as text is read); ValueError otherwise.
    (That the number is positive is checked with the other training settings.)"""
    if is_auto(value):
        return AUTO
    if isinstance(value, bool):
        raise ValueError(f"the learning rate must be a positive number or auto (got {value})")
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            raise ValueError(f"the learning rate must be a positive number or auto (got {value!r})") from None
    if isinstance(value, (int, float)):
        return float(value) if isinstance(value, int) else value
    raise ValueError(f"the learning rate must be a positive number or auto (got {value!r})")


def suggest_lr(lr: float, auto: float) -> float:
    """A learning rate to try instead of ``lr``: a tenth of it, or "auto"'s value when lower;
    two significant digits."""
    return float(f"{min(lr / 10, auto):.2g}")


# -- hints -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Situation:
    """What a hint looks at (network units; ``outputs`` and ``targets`` are the training rows')."""

    iteration: int
    outputs: np.ndarray
    targets: np.ndarray
    task: str  # classes, binary, regression
    output_activation: str
    algorithm: str = "gd"
    lr: float = AUTO_CAP  # the rate in force
    auto: float = AUTO_CAP  # what "auto" gives for this network and data
    standardize: bool = True
    stopped: str | None = None
    history_x: np.ndarray | None = None  # the error curve so far (iterations, mse)
    history_y: np.ndarray | None = None


def score(task: str, Y: np.ndarray, Yhat: np.ndarray) -> tuple[float, float, str]:
    """(score, what a good score is at least, the score's words): accuracy for classes and 0/1
    targets, good when halfway from always guessing the commonest class to 100%; R^2 for
    regression, good from 0.5."""
    if task == "classes":
        base = float(Y.sum(axis=0).max() / max(Y.shape[0], 1))
        acc = float(np.mean(Y.argmax(axis=1) == Yhat.argmax(axis=1)))
        return acc, (1 + base) / 2, f"accuracy {acc:.0%}"
    if task == "binary":
        p = Y.mean(axis=0)
        base = float(np.maximum(p, 1 - p).mean())
        acc = float(np.mean((Yhat >= 0.5) == (Y >= 0.5)))
        return acc, (1 + base) / 2, f"accuracy {acc:.0%}"
    ss_tot = ((Y - Y.mean(axis=0)) ** 2).sum()
    r2 = 1.0 - float(((Y - Yhat) ** 2).sum() / ss_tot) if ss_tot > 0 else 1.0
    return r2, 0.5, f"R^2 {r2:.2f}"


def saturated(outputs: np.ndarray, output_activation: str) -> bool:
    """Every output of every row within 0.01 of 0 or 1 (sigmoid and softmax outputs)."""
    if output_activation not in ("sigmoid", "softmax") or outputs.size == 0:
        return False
    return bool(np.all((outputs <= SATURATED) | (outputs >= 1 - SATURATED)))


def flat_since(x: np.ndarray, y: np.ndarray) -> int | None:
    """The iteration since which the error has stayed within 1% of its last value (None
    without a history or when the last value is not finite)."""
    if x is None or y is None or len(y) == 0 or not math.isfinite(float(y[-1])):
        return None
    last = float(y[-1])
    off = np.flatnonzero(~(np.abs(np.asarray(y) - last) <= FLAT * abs(last)))
    return int(x[0]) if off.size == 0 else int(x[min(off[-1] + 1, len(x) - 1)])


def _fix(s: Situation) -> str:
    if s.algorithm != "gd":
        return "try --algorithm gd with the learning rate auto"
    return f"lower the learning rate (try {suggest_lr(s.lr, s.auto):g})"


def hint(s: Situation) -> str | None:
    """One line saying what went wrong and what to try, or None when nothing did."""
    if s.stopped == "diverged":
        return (f"diverged at iteration {s.iteration + 1:,} (the error became NaN or infinite): "
                f"{_fix(s)}")
    hx, hy = s.history_x, s.history_y
    if hx is not None and hy is not None and len(hy) > 1 and s.iteration >= 100:
        first, last = float(hy[0]), float(hy[-1])
        if math.isfinite(first) and first > 0 and (not math.isfinite(last) or last > GROWN * first):
            return (f"diverging: the error grew from {first:.3g} at iteration {int(hx[0]):,} to {last:.3g}: "
                    f"{_fix(s)}")
    if not saturated(s.outputs, s.output_activation):
        return None
    value, good, words = score(s.task, s.targets, s.outputs)
    if value >= good:
        return None
    since = flat_since(hx, hy) if hx is not None and hy is not None else None
    if since is None or s.iteration - since < max(FLAT_FOR, s.iteration / 5):
        return None
    fix = _fix(s) + ("" if s.standardize else " or standardise the inputs")
    return f"outputs saturated at 0 or 1, the error flat since iteration {since:,} ({words}): {fix}"


class Watch:
    """The error history a hint needs, kept across snapshots (at most 2,000 points, thinned
    evenly); forgets it for a new network and cuts it where training went back."""

    def __init__(self) -> None:
        self.generation: int | None = None
        self.history = History(2000)

    def add(self, generation: int, iteration: int, x: np.ndarray, y: np.ndarray) -> None:
        """The error values (x iterations, y mse) since the last call, of network ``generation``
        now at ``iteration`` (points after it, left by a step back, are dropped)."""
        if generation != self.generation:
            self.generation = generation
            self.history.clear()
        self.history.truncate(iteration)
        if len(x) and len(self.history) and x[0] <= self.history.x[-1]:
            self.history.truncate(int(x[0]) - 1)
        self.history.extend(x, y)

    def hint(self, generation: int, exp, outputs: np.ndarray, x: np.ndarray, y: np.ndarray,
             stopped: str | None) -> str:
        """The hint for a snapshot of ``exp`` (an Experiment) with these training outputs and the
        error values since the last snapshot; "" when there is none."""
        self.add(generation, int(exp.session.iteration), x, y)
        s = exp.settings
        found = hint(Situation(
            iteration=int(exp.session.iteration), outputs=np.asarray(outputs), targets=exp.Y_train,
            task=exp.task, output_activation=exp.arch.output_activation, algorithm=s.algorithm,
            lr=float(exp.config.lr), auto=exp.learning_rate(s.with_(lr=AUTO)), standardize=s.standardize,
            stopped=stopped, history_x=self.history.x, history_y=self.history.y))
        return found or ""
