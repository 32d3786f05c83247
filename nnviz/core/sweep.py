"""Headless training to the end, and parameter sweeps: a grid over one or two settings,
run one after the other.  No Qt; ``nnviz train``, ``nnviz sweep`` and the window's sweep
all train with ``train_headless`` (the same ``Runner`` as the window), so a sweep's run
gives the very weights of ``nnviz train`` with the same settings.

Value lists (``parse_values``): values are separated by commas; within one value the
layers of ``hidden`` and ``activation`` are joined by "-": ``4,8,6-6`` is three runs with
hidden layers (4), (8) and (6, 6); ``tanh,tanh-relu`` two runs; ``features`` likewise
(``x1-x2,x1-x2-x1*x2``).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable
from dataclasses import MISSING, fields

from . import features as featmod
from .data import Dataset
from .experiment import Experiment, Settings
from .network import parse_hidden
from .runs import KeptRun, from_snapshot
from .snapshot import Snapshot

MAX_AXES = 2
MAX_RUNS = 1000
# settings a sweep does not vary: the data (a sweep compares set-ups on one data set) and
# the engine (it changes no number)
NOT_SWEPT = ("data", "target", "classify", "engine")


class TrainingFailed(ValueError):
    """An error inside training, as its one line (the runner logged the traceback)."""


class _Last:
    """The runner's listener: keeps the last snapshot and error."""

    def __init__(self) -> None:
        self.snapshot: Snapshot | None = None
        self.error = ""

    def on_context(self, ctx) -> None:
        pass

    def on_snapshot(self, snap) -> None:
        self.snapshot = snap

    def on_error(self, message: str) -> None:
        self.error = message


def train_headless(exp: Experiment, should_stop: Callable[[], bool] = lambda: False,
                   on_progress: Callable[[int, float], None] | None = None) -> tuple[Snapshot, str]:
    """Train to the iteration limit with the same runner as the window (chunks bounded in
    time), polling ``should_stop`` between chunks.  Returns the final snapshot (its
    ``new_iterations``/``new_mse`` hold the error history of the whole run, thinned when
    long) and why it stopped ("interrupted" when ``should_stop`` said so).  An error inside
    training is a ``TrainingFailed`` (a ValueError) of its one line (the runner logged the traceback)."""
    from .runner import Runner
    from .training import warm_up

    # the compiled kernel loads (or compiles: ten seconds and more the first time) in a thread
    # of its own while this one polls should_stop, so that a stop asked meanwhile is taken now
    loading = None if should_stop() else warm_up(exp.session.engine, exp.session.dtype)
    while loading is not None and loading.is_alive() and not should_stop():
        loading.join(0.05)
    last = _Last()
    # no snapshots while running: nothing shows them; the experiment trains the way it was built
    runner = Runner(last, emit_seconds=math.inf, interruptible=exp.session.interruptible,
                    leave_cores=exp.session.leave_cores)
    runner.set_view(())
    runner.adopt(exp, warm=not should_stop())  # stopped while loading: not wait for it here
    last.snapshot = None  # the next snapshot carries the whole run's history
    runner.play()
    interrupted = False
    while runner.busy:
        if should_stop():
            runner.pause()
            interrupted = True
            break
        runner.advance()
        if on_progress:
            on_progress(runner.iteration, runner.last_mse)
    if runner.failure is not None:  # an error inside training: one line (its traceback is logged)
        raise TrainingFailed(runner.failure)
    snap = last.snapshot
    if snap is None:
        raise RuntimeError("the runner made no snapshot at the end of training")
    return snap, ("interrupted" if interrupted else snap.stopped or "max_iterations")


def kept_run(exp: Experiment, snap: Snapshot, stopped: str, origin: str = "sweep") -> KeptRun:
    """The kept run of a headless run (its curve from the final snapshot's history)."""
    batches = exp.settings.batch_size is not None
    ev_x = snap.eval_iterations
    x, y = (ev_x, snap.eval_mse) if batches and ev_x is not None else (snap.new_iterations, snap.new_mse)
    return from_snapshot(snap, exp.dataset.name, exp.arch, x, y, ev_x, snap.eval_test_mse, origin=origin,
                         stopped=stopped)


# -- value lists and grids -----------------------------------------------------------------

def sweepable() -> list[str]:
    """The Settings fields a sweep can vary."""
    return [f.name for f in fields(Settings) if f.name not in NOT_SWEPT]


def _field(name: str):
    for f in fields(Settings):
        if f.name == name:
            return f
    raise ValueError(f"unknown setting {name!r}: choose from {', '.join(sweepable())}")


def _one(name: str, kind: str, default, text: str):
    """One value of a setting from its text, by the field's type."""
    if name == "hidden":
        return parse_hidden(text.replace("-", ","))
    if name == "activation":
        return tuple(a.strip() for a in text.split("-"))
    if name == "features":
        return featmod.parse(text.replace("-", ","))
    if name == "lr" and text.strip().lower() == "auto":
        return "auto"
    if text.lower() in ("none", "null", "") and "None" in kind:
        return None
    if isinstance(default, bool) or kind == "bool":
        if text.lower() in ("true", "on", "yes", "1"):
            return True
        if text.lower() in ("false", "off", "no", "0"):
            return False
        raise ValueError(f"{name} takes on or off (got {text!r})")
    if kind.startswith("int") or isinstance(default, int):
        try:
            f = float(text)
        except ValueError:
            f = math.nan
        if not (math.isfinite(f) and f == int(f)):
            raise ValueError(f"{name} takes whole numbers (got {text!r})")
        return int(f)
    if kind.startswith("float") or isinstance(default, float):
        try:
            v = float(text)
        except ValueError:
            raise ValueError(f"{name} takes numbers (got {text!r})") from None
        if not math.isfinite(v):
            raise ValueError(f"{name} takes finite numbers (got {text!r})")
        return v
    return text


def parse_values(name: str, text: str) -> list:
    """The values of one setting from a comma-separated list (see the module doc)."""
    f = _field(name)
    if name in NOT_SWEPT:
        raise ValueError(f"a sweep does not vary {name!r}: choose from {', '.join(sweepable())}")
    items = [t.strip() for t in str(text).split(",")]
    if not any(items):
        raise ValueError(f"no values for {name}: give one or more, separated by commas")
    if not all(items):
        raise ValueError(f"an empty value in the list for {name} ({text!r}): separate values by single commas")
    default = f.default if f.default is not MISSING else None
    return [_one(name, str(f.type), default, t) for t in items]


def grid(base: Settings, axes: dict[str, list]) -> list[Settings]:
    """The settings of every run of a sweep over one or two settings (the first varies slowest).
    Every combination is checked before any run starts."""
    if len(axes) > MAX_AXES:
        raise ValueError(f"a sweep varies one or two settings, not {len(axes)} ({', '.join(axes)})")
    for name, values in axes.items():
        _field(name)
        if not values:
            raise ValueError(f"no values for {name}: give one or more, separated by commas")
    n = math.prod(len(v) for v in axes.values())
    if n > MAX_RUNS:
        raise ValueError(f"a sweep of {n:,} runs is too many (at most {MAX_RUNS:,})")
    out = []
    for combo in itertools.product(*axes.values()):
        try:
            s = base.with_(**dict(zip(axes, combo, strict=True)))
            s.train_config()  # the training settings are valid (the rest is checked when the run is built)
        except (TypeError, ValueError) as exc:
            what = ", ".join(f"{k} {v}" for k, v in zip(axes, combo, strict=True))
            raise ValueError(f"the run with {what}: {exc}") from None
        out.append(s)
    return out


def run_one(settings: Settings, dataset: Dataset | None = None, should_stop: Callable[[], bool] = lambda: False,
            on_progress: Callable[[int, float], None] | None = None, interruptible: bool = False,
            leave_cores: int = 0) -> tuple[Experiment, KeptRun, str]:
    """Build and train one run of a sweep; (experiment, kept run, why it stopped).  ``interruptible``
    and ``leave_cores``: how it trains (see TrainingSession; the window's sweep leaves a core)."""
    exp = Experiment(settings, dataset=dataset, interruptible=interruptible, leave_cores=leave_cores)
    snap, stopped = train_headless(exp, should_stop, on_progress)
    return exp, kept_run(exp, snap, stopped), stopped
