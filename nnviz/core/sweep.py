"""Headless training to the end, and parameter sweeps: a grid over one or two settings.  No Qt; ``nnviz train``, ``nnviz sweep`` and the window's sweep
all train with ``train_headless`` (the same ``Runner`` as the window), so a sweep's run
gives the very weights of ``nnviz train`` with the same settings.

Value lists (``parse_values``): values are separated by commas; within one value the
layers of ``hidden`` and ``activation`` are joined by "-": ``4,8,6-6`` is three runs with
hidden layers (4), (8) and (6, 6); ``tanh,tanh-relu`` two runs; ``features`` likewise
(``x1-x2,x1-x2-x1*x2``).

Shards (``parse_shard``, ``in_shard``): the K-th of N interleaved slices of a grid, for batch
systems; ``merge`` puts their ``--json`` lines back in the grid's order.  Running the runs
side by side is ``parallel``'s.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import math
import time
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


KERNEL_NOTICE_SECONDS = 1.0  # a kernel still loading after this long is being compiled: say so


def train_headless(exp: Experiment, should_stop: Callable[[], bool] = lambda: False,
                   on_progress: Callable[[int, float], None] | None = None,
                   on_compile: Callable[[], None] | None = None) -> tuple[Snapshot, str]:
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
    began, said = time.monotonic(), False
    while loading is not None and loading.is_alive() and not should_stop():
        loading.join(0.05)
        if on_compile is not None and not said and time.monotonic() - began > KERNEL_NOTICE_SECONDS:
            on_compile()  # the first run after installing compiles the kernel (10-30 s): say so, once
            said = True
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
    exp.remember(snap)  # its evaluation of the final weights: the caller's evaluate() need not redo it
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


# -- shards of a grid, and merging their results ---------------------------------------------

def parse_shard(text: str) -> tuple[int, int]:
    """``K/N`` (the K-th of N slices, K from 1) as (K, N); ValueError of one line."""
    k, sep, n = str(text).partition("/")
    try:
        if not sep:
            raise ValueError
        kk, nn = int(k), int(n)
    except ValueError:
        raise ValueError(f"{text!r} is not K/N (the K-th of N slices of the grid, as 2/8)") from None
    if nn < 1 or not 1 <= kk <= nn:
        raise ValueError(f"K/N needs 1 <= K <= N (got {text})")
    return kk, nn


def in_shard(index: int, shard: tuple[int, int] | None) -> bool:
    """Whether run ``index`` (from 1, in the grid's order) is in shard (K, N): the runs K, K + N,
    K + 2N...; interleaved, so that each shard gets runs from all over the grid (the first
    setting varies slowest, and its values often differ in cost)."""
    if shard is None:
        return True
    k, n = shard
    return (index - 1) % n == k - 1


def grid_id(settings: list[Settings], extra: bytes = b"") -> str:
    """A name for a sweep's grid (its runs' settings in order, and ``extra``: the bytes of the
    --init file): shards of one sweep carry the same, so shards of others are not merged."""
    text = json.dumps([s.as_dict() for s in settings], sort_keys=True)
    return hashlib.sha256(text.encode() + b"\0" + extra).hexdigest()[:16]


def merge(lines: list[tuple[str, str]], partial: bool = False) -> tuple[list[str], list[str]]:
    """The lines of a sweep's shards (``nnviz sweep --json --shard K/N`` output: (where, line)
    pairs, where as "file: line 3") in the grid's order, as the unsharded sweep prints them;
    and notes.  Refused with a ValueError of one line: a line that is not a sweep's, lines of
    two sweeps, a run twice; and unless ``partial``, a run missing or interrupted."""
    runs: dict[int, tuple[str, str]] = {}
    total = grid = first = None
    for where, line in lines:
        try:
            doc = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ValueError(f"{where}: not JSON ({exc.msg}): expected the output of nnviz sweep --json") from None
        if not (isinstance(doc, dict) and all(k in doc for k in ("run", "runs", "grid"))):
            raise ValueError(f"{where}: not a line of nnviz sweep --json (it has no run, runs and grid)")
        k, n, g = doc["run"], doc["runs"], doc["grid"]
        if not (isinstance(n, int) and isinstance(k, int) and 1 <= k <= n):
            raise ValueError(f"{where}: run {k!r} of {n!r} is not a run of a grid")
        if total is None:
            total, grid, first = n, g, where
        elif (n, g) != (total, grid):
            raise ValueError(f"{where} and {first} are runs of two different sweeps (their grids differ)")
        if k in runs:
            raise ValueError(f"run {k} is in {runs[k][0]} and in {where}: give each shard once")
        runs[k] = (where, line.strip())
    if total is None:
        raise ValueError("no runs to merge (expected the output of nnviz sweep --json --shard K/N)")
    notes = []
    missing = [k for k in range(1, total + 1) if k not in runs]
    if missing:
        what = f"run{'s' if len(missing) > 1 else ''} {_ranges(missing)} of {total} missing"
        if not partial:
            raise ValueError(f"{what}: run the shards they belong to, or merge with --partial")
        notes.append(what)
    stopped = [k for k, (_, line) in sorted(runs.items()) if json.loads(line).get("stopped") == "interrupted"]
    if stopped:
        what = f"run{'s' if len(stopped) > 1 else ''} {_ranges(stopped)} of {total} interrupted"
        if not partial:
            raise ValueError(f"{what} ({runs[stopped[0]][0]}): run again the shards they belong to, "
                             "or merge with --partial")
        notes.append(what)
    return [line for _, (_, line) in sorted(runs.items())], notes


def _ranges(ks: list[int]) -> str:
    """1, 3-5, 9 (sorted whole numbers as ranges)."""
    out: list[str] = []
    for _, group in itertools.groupby(enumerate(ks), lambda p: p[1] - p[0]):
        g = [k for _, k in group]
        out.append(str(g[0]) if len(g) == 1 else f"{g[0]}-{g[-1]}")
    return ", ".join(out)
