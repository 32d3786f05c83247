"""The training state machine: commands in, immutable snapshots out.  No Qt.

A ``Runner`` owns one ``Experiment`` and does everything the window (and the
CLI) asks of training: play, pause, step n iterations, micro-step through one
iteration, step back, preview an earlier iteration, resume from it, edit a
weight, reset, and reconfigure.  It never waits and never starts a thread: the
caller drives it, command by command and with ``advance()`` (one chunk of
iterations, bounded in time) while ``busy`` is true.  The GUI worker is a thin
QObject that calls these methods in its thread; the CLI calls them in a loop;
the tests call them directly.

What the runner produces goes to a ``Listener``: a ``Context`` per network
(data, split, architecture, scaling: what stays fixed until the next
configure) and ``Snapshot``s, at most one per ``emit_seconds`` while training
runs and always after a command.  A snapshot carries everything the views
paint (weights, outputs for every row, metrics, confusion, the decision map,
the selected observation's value at every node, the trace of the last
iteration when at rest), so every view paints the same iteration and no view
computes.  What is derived is computed only for the views that say they are
visible (``set_view``).

Chunks are bounded in time: after a change of network the chunk starts at one
iteration and grows at most fourfold per chunk towards ``chunk_seconds`` of
work, so Pause and Close are answered within about a chunk for any network.

Early stopping: with a validation split the validation mse is measured every
``validation_every`` iterations (max(10, iterations per epoch): at fixed iterations,
whatever the chunks, so a run stops at the same iteration every time) and when the
run starts.  When it has not improved (strictly fell below its best) for ``patience``
iterations, training stops with ``early_stop`` and the weights of the best iteration are
restored exactly (replayed from the timeline), as Weka's MLP does; the error curve up to
the stop stays on the plot until training goes on (then it is cut at the best iteration).
"""

from __future__ import annotations

import copy
import hashlib
import logging
import time
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, fields, replace
from enum import Enum
from typing import Protocol

import numpy as np

from . import advice, blas, importance, metrics, nodemaps
from . import features as featmod
from .data import Dataset, Scaling
from .experiment import Experiment, Settings
from .film import Source
from .model import Model
from .network import Architecture, Network
from .pace import Pace
from .snapshot import History, Snapshot, frozen
from .timeline import MicroSteps, Timeline
from .training import RunResult, StepTrace, iterations_per_epoch, rate_at

# half the snapshot period: a snapshot every second chunk keeps the window at ~30 frames a second
# (with 20 ms chunks a 33 ms period was only reached after the second chunk, at 40 ms: 20-25 fps)
CHUNK_SECONDS = 1 / 60
# with defer_traces, an iteration of more multiply-adds than this has its trace (the inspector's
# matrices, a replay of the last iteration) made after the snapshot that says "paused"
TRACE_NOW_MACS = 5_000_000
EMIT_SECONDS = 1 / 30
MAP_GRID = 80  # the decision map is MAP_GRID x MAP_GRID points
NODE_GRID = 40  # each neuron map of the diagram is NODE_GRID x NODE_GRID points
MAX_CHUNK = 1_000_000
# a paced run behind its schedule by more than this (a stall, or iterations slower than the pace)
# goes on from where it is: the backlog is never run at once
PACE_SLACK = 1.0
PENDING_POINTS = 50_000  # between two snapshots at most; thinned beyond (memory stays bounded)

# Fields of Settings that only change how training proceeds, not the network or data.
# validation_fraction is not one: it changes which rows are trained on, so a new one starts a new network.
TRAINING_ONLY = ("algorithm", "lr", "momentum", "batch_size", "threshold", "iterations", "engine", "dtype",
                 "l1", "l2", "lr_schedule", "patience")
VALIDATE_EVERY = 25  # the validation mse is measured at least every this many iterations
DATA_FIELDS = ("data", "target", "classify", "noise", "seed")

# What views can ask the runner to compute with each snapshot: outputs, confusion, the decision
# map, the selected observation's value at each node, every node's map over a coarse grid
# (two inputs), every node's histogram over the training rows, the selected node's map, and the
# trace of the step the next Step will make (the inspector's "next step", at rest); "trace": the last
# iteration's matrices at rest (the inspector, the edge card).  The Explain tab's needs (importance,
# gen_weights:K, profile:KIND:J) are importance.py's, computed only when asked.
NEEDS = frozenset({"outputs", "confusion", "map", "nodes", "node_maps", "node_hists", "node_map", "next_step",
                   "trace"})


log = logging.getLogger(__name__)


class State(str, Enum):
    """Where training is.  A str, so ``snap.state == "running"`` reads naturally."""

    READY = "ready"  # a new network, never trained in this run
    RUNNING = "running"  # Play: until the iteration limit
    STEPPING = "stepping"  # Step n: n iterations, then paused
    PAUSED = "paused"
    FINISHED = "finished"  # stopped by itself: limit, threshold, divergence

    @property
    def live(self) -> bool:
        return self in (State.RUNNING, State.STEPPING)


@dataclass(frozen=True)
class MapGrid:
    """The decision map's grid over a two-input data set (raw units for the axes, scaled for the net)."""

    points: np.ndarray  # (size * size, network inputs): the grid's raw points through scaling.inputs
    # (features, then standardisation): exactly the network's inputs for the grid, x-major
    rect: tuple[float, float, float, float]  # x, y, width, height in the data's units
    size: int


@dataclass(frozen=True)
class Context:
    """What stays fixed until the next configure: data, split, architecture, scaling."""

    generation: int
    settings: Settings  # as configured; the settings in force travel with each snapshot
    dataset: Dataset
    train: Dataset
    test: Dataset | None
    arch: Architecture
    scaling: Scaling
    X_train: np.ndarray  # scaled inputs of the training rows
    map_grid: MapGrid | None = None
    history_x: np.ndarray | None = None  # the error history the run starts with (an opened session)
    history_y: np.ndarray | None = None
    node_grid: MapGrid | None = None  # the neuron maps' coarser grid, made as map_grid is
    validation_x: np.ndarray | None = None  # the opened session's validation curve (shown; the best
    validation_y: np.ndarray | None = None  # for early stopping is counted from the present)
    # bumps when the rows change under the same network (set_data); the snapshots made on these
    # rows carry the same number, so a view never pairs outputs with other rows
    data_version: int = 0
    validation: Dataset | None = None  # the rows held out for early stopping (from the training rows)

    @property
    def input_labels(self) -> tuple[str, ...]:
        """The network inputs' names: the data's input columns, or the features computed from them."""
        return featmod.labels(self.scaling.features, self.dataset.input_names)


class Listener(Protocol):
    def on_context(self, ctx: Context) -> None: ...
    def on_snapshot(self, snap: Snapshot) -> None: ...
    def on_error(self, message: str) -> None: ...


def same_data(a: Settings, b: Settings) -> bool:
    return all(getattr(a, f) == getattr(b, f) for f in DATA_FIELDS)


def same_network(a: Settings, b: Settings) -> bool:
    """True when b differs from a only in training settings (the weights can be kept)."""
    return all(getattr(a, f.name) == getattr(b, f.name) for f in fields(Settings) if f.name not in TRAINING_ONLY)


def validation_every(n_train: int, batch_size: int | None) -> int:
    """Iterations between two measurements of the validation mse: max(VALIDATE_EVERY, one epoch)."""
    return max(VALIDATE_EVERY, iterations_per_epoch(n_train, batch_size))


def map_grid(ctx_dataset: Dataset, scaling: Scaling, size: int = MAP_GRID) -> MapGrid | None:
    """The decision-map grid for a two-input data set (None otherwise)."""
    if ctx_dataset.X.shape[1] != 2:
        return None
    lo, hi = ctx_dataset.X.min(axis=0), ctx_dataset.X.max(axis=0)
    pad = (hi - lo) * 0.08 + 1e-9
    lo, hi = lo - pad, hi + pad
    XX, YY = np.meshgrid(np.linspace(lo[0], hi[0], size), np.linspace(lo[1], hi[1], size), indexing="ij")
    points = frozen(scaling.inputs(np.column_stack([XX.ravel(), YY.ravel()])))
    return MapGrid(points, (float(lo[0]), float(lo[1]), float(hi[0] - lo[0]), float(hi[1] - lo[1])), size)


class Runner:
    """Training as a state machine (see the module doc)."""

    def __init__(self, listener: Listener, clock: Callable[[], float] = time.perf_counter,
                 chunk_seconds: float = CHUNK_SECONDS, emit_seconds: float = EMIT_SECONDS,
                 interruptible: bool = False, leave_cores: int = 0):
        self.listener = listener
        # how every experiment of this runner trains (TrainingSession): the window's runner keeps
        # the kernel at any size, so that a command cuts an iteration short, and leaves a core
        # to the thread that paints; passed down, never set for the whole process
        self.interruptible = bool(interruptible)
        self.leave_cores = int(leave_cores)
        self.clock = clock
        self.chunk_seconds = chunk_seconds
        self.emit_seconds = emit_seconds
        self.exp: Experiment | None = None
        self.context: Context | None = None
        self.state = State.READY
        self.generation = 0
        self.timeline = Timeline()
        self.chunk = 1
        self.needs: frozenset[str] = NEEDS
        self.selected_row = 0
        self.selected_node: tuple[int, int] | None = None  # (layer, index): its map is "node_map"
        self._remaining = 0
        self._pending = History(PENDING_POINTS)  # the mse values since the last snapshot
        # (iteration, whole-training-set mse, test mse) since the last snapshot: measured after each
        # chunk when the per-iteration mse is not the training set's (mini-batches) or there is a test set
        self._evals: list[tuple[int, float, float]] = []
        self.last_mse = float("nan")  # of the last iteration run
        self._last_emit = -np.inf
        self._run_started: float | None = None
        self._run_iters = 0
        self._run_seconds = 0.0
        self._total_seconds = 0.0  # spent training this network, over all its runs
        self._rate = 0.0
        self._stopped: str | None = None
        self._message = ""
        # the one line of the last error inside training (None once training starts again); its
        # traceback went to the log (nnviz.logs says where the entry points send it)
        self.failure: str | None = None
        self._trace: StepTrace | None = None
        self._micro: MicroSteps | None = None
        self._trained_with: Settings | None = None
        self._rewound = False
        self._preview_at: int | None = None
        # the validation mse at each iteration it was measured (the whole run), the points not
        # yet sent in a snapshot, the best so far (iteration, mse), and where an early stop happened
        self._val: list[tuple[int, float]] = []
        self._val_new: list[tuple[int, float]] = []
        self._best: tuple[int, float] | None = None
        self._stopped_at: int | None = None
        self.data_version = 0
        self.commands = 0  # commands taken so far (counted by the caller): a snapshot tells which it reflects
        # set by interrupt() from any thread: the chunk under way ends early (within a block of rows)
        self._interrupt = np.zeros(1, dtype=np.int64)
        # the window sets this: at rest, a big network's trace comes in a second snapshot, so that
        # "paused" is painted without waiting for a replay of the last iteration
        self.defer_traces = False
        # ... made only once the runner has rested this long: a Step or Reset right after a Pause
        # (or Steps in a row) does not wait behind a trace about to be outdated (0.1 s a trace
        # of 784-256-256-10 on 1,797 rows)
        self.trace_delay = 0.0
        self._trace_due: tuple[int, int] | None = None  # (generation, iteration) of a deferred trace
        self._trace_time = 0.0  # when it is due (runner clock)
        # Play's pace (the window's speed control); None: as fast as the machine goes (the CLI,
        # Step N).  The schedule runs from (clock, iteration) at Play, moved on when training lags.
        self.pace: Pace | None = None
        self._pace_origin: tuple[float, int] = (0.0, 0)
        self._next: tuple[tuple, StepTrace | None] | None = None  # (state key, trace of the next step)
        self._watch = advice.Watch()  # what the snapshots' hints need (the error history)

    def interrupt(self) -> None:
        """Cut the chunk under way short, so that a command sent just before is taken at once.

        The one method another thread may call.  Iterations already done are kept; the one
        under way is dropped (the numba engine looks between blocks of rows, the NumPy engine
        between iterations).  The next chunk runs as usual."""
        self._interrupt[0] = 1

    def set_pace(self, pace: Pace | None) -> None:
        """Play at this pace from now on (None: as fast as possible)."""
        self.pace = pace
        self._pace_origin = (self.clock(), self.iteration)

    def _paced(self) -> Pace | None:
        return self.pace if self.state == State.RUNNING else None

    def _due(self, pace: Pace) -> int:
        """Iterations the pace allows now beyond the present one."""
        t0, it0 = self._pace_origin
        return int(pace.iteration_after(it0, self.clock() - t0) + 1e-9) - self.iteration

    def wait(self) -> float:
        """Seconds until ``advance()`` has something to do: the next paced iteration, or the
        deferred trace; 0 when it has work now."""
        pace = self._paced()
        if not self.busy or pace is None:
            return 0.0 if self.busy else self.trace_wait()
        if self._due(pace) > 0:
            return 0.0
        t0, it0 = self._pace_origin
        next_at = t0 + pace.seconds_between(it0, self.iteration + 1)
        # at high rates, wake at most ~120 times a second and run what is due then
        return max(next_at - self.clock(), 0.0 if pace.rate(self.iteration) < 120 else 1 / 120)

    # -- queries ------------------------------------------------------------
    def _current(self) -> Experiment:
        """The experiment (for the methods that run only once there is one)."""
        if self.exp is None:
            raise RuntimeError("the runner has no experiment yet: configure or adopt one first")
        return self.exp

    @property
    def busy(self) -> bool:
        """True while there are iterations to run: call ``advance()``."""
        return self.exp is not None and self.state.live and self._remaining > 0

    @property
    def has_work(self) -> bool:
        """True while ``advance()`` has something to do: iterations, or a deferred trace."""
        return self.busy or (self.exp is not None and self._trace_due is not None)

    @property
    def iteration(self) -> int:
        return self.exp.session.iteration if self.exp is not None else 0

    # -- configuration --------------------------------------------------------
    def configure(self, settings: Settings, dataset: Dataset | None = None, init: Model | None = None) -> None:
        """New settings.  Training-only changes keep the weights; others build a new network."""
        try:
            if self.exp is not None and dataset is None and init is None and same_network(self.exp.settings, settings):
                self._retrain(settings)
                return
            keep = self.exp.dataset if (dataset is None and self.exp is not None
                                        and same_data(self.exp.settings, settings)) else dataset
            if (keep is not None and keep.test_rows is not None and self.exp is not None
                    and settings.test_fraction != self.exp.settings.test_fraction):
                keep = replace(keep, test_rows=None)  # edited data, split anew by the new fraction
            exp = Experiment(settings, dataset=keep, init=init, interruptible=self.interruptible,
                             leave_cores=self.leave_cores)
        except ValueError as exc:
            self._fail(str(exc))
            return
        self.adopt(exp)

    def _retrain(self, settings: Settings) -> None:
        """Training settings changed: go on from the current weights with them."""
        exp = self._current()
        config = settings.train_config(exp.learning_rate(settings))
        if settings.iterations < 0:
            raise ValueError(f"the number of iterations cannot be negative (got {settings.iterations})")
        self._micro = None
        if (settings.engine, settings.dtype) != (exp.settings.engine, exp.settings.dtype):
            exp.switch_engine(settings.engine, settings.dtype)
            exp.session.warm_up()
        exp.session.reconfigure(config)
        exp.config = config
        exp.settings = settings
        self.timeline.record(exp.session, anchor=True)  # replays from here use the new settings
        self._stopped, self._message = None, ""
        if self.state == State.RUNNING:
            self._remaining = max(settings.iterations - exp.session.iteration, 0)
            if self._remaining == 0:
                self._finish("max_iterations")
                return
        elif self.state == State.FINISHED:
            self.state = State.PAUSED
        self._emit(force=True)

    def adopt(self, exp: Experiment, history_x=None, history_y=None, validation_x=None, validation_y=None,
              warm: bool = True) -> None:
        """Take over an experiment (a new network, or an opened session with its error history and
        validation curve: the curve is shown, early stopping's best is counted from the present,
        since the session holds no earlier weights to restore).  ``warm``: load the compiled kernel
        now (False: training stops before it starts, and need not wait for it)."""
        exp.run_as(self.interruptible, self.leave_cores)  # one built elsewhere (an opened session)
        self.exp = exp
        self.generation += 1
        self.state = State.READY
        self._remaining = 0
        self.chunk = 1  # re-learned for every network
        self._stopped, self._message = None, ""
        self._pending.clear()
        self._evals.clear()
        self._trained_with = exp.settings  # the settings of the last iteration trained
        self._rate, self._run_started, self._run_seconds = 0.0, None, 0.0
        self._total_seconds = 0.0
        self._trace, self._micro = None, None
        self._preview_at = None
        self._val, self._val_new, self._best, self._stopped_at = [], [], None, None
        self.timeline = Timeline()
        self.timeline.record(exp.session)
        self._validate()
        self.selected_row = 0
        hx = None if history_x is None else frozen(np.asarray(history_x, dtype=np.int64)).astype(np.int64)
        hy = None if history_y is None else frozen(history_y)
        vx = None if validation_x is None else frozen(np.asarray(validation_x, dtype=np.int64)).astype(np.int64)
        vy = None if validation_y is None else frozen(validation_y)
        self.data_version = 0
        self.context = Context(self.generation, exp.settings, exp.dataset, exp.train, exp.test, exp.arch,
                               exp.scaling, frozen(exp.X_train), map_grid(exp.dataset, exp.scaling), hx, hy,
                               node_grid=map_grid(exp.dataset, exp.scaling, NODE_GRID),
                               validation_x=vx, validation_y=vy, validation=exp.validation)
        self.listener.on_context(self.context)
        self._emit(force=True)
        if warm:  # after the first snapshot: a window shows the network while the kernel loads (or
            exp.session.warm_up()  # compiles, the first time); its load is not in the first run's seconds

    def set_data(self, dataset: Dataset) -> None:
        """Train on other rows (points added, moved or deleted on the map) from the current
        weights: the scaling stays the original data's (see Experiment.set_data), the error
        history goes on, a running training keeps running.  A new Context of the same
        generation and a higher ``data_version`` goes out first, then a snapshot on the new
        rows.  Going back (step back, the history slider) stops at the edit: replaying older
        iterations would train them on rows they never saw."""
        if self.exp is None or self.context is None:
            return
        exp = self._current()
        try:
            exp.set_data(dataset)
        except ValueError as exc:
            self._fail(str(exc))
            return
        self._micro, self._trace, self._preview_at, self._trace_due = None, None, None, None
        self.timeline = Timeline()
        self.timeline.record(exp.session)
        # the validation rows are new too: early stopping compares from here on
        self._val, self._val_new, self._best, self._stopped_at = [], [], None, None
        self._validate()
        if self._evals and self._evals[-1][0] >= exp.session.iteration:
            self._evals.pop()  # measured on the old rows; the snapshot measures the new ones
        self.data_version += 1
        grid, node_grid = self.context.map_grid, self.context.node_grid
        if grid is None or not _inside(dataset.X, grid.rect):
            grid, node_grid = map_grid(dataset, exp.scaling), map_grid(dataset, exp.scaling, NODE_GRID)
        self.context = Context(self.generation, exp.settings, exp.dataset, exp.train, exp.test, exp.arch,
                               exp.scaling, frozen(exp.X_train), grid, node_grid=node_grid,
                               data_version=self.data_version, validation=exp.validation)
        self.listener.on_context(self.context)
        self._emit(force=True)

    def reset(self) -> None:
        """New random weights (the seed's), same settings and data."""
        if self.exp is None:
            return
        try:
            exp = Experiment(self._current().settings, dataset=self._current().dataset,
                             interruptible=self.interruptible, leave_cores=self.leave_cores)
        except ValueError as exc:
            self._fail(str(exc))
            return
        self.adopt(exp)

    def set_view(self, needs, selected_row: int | None = None, node=()) -> None:
        """What the visible views need computed with each snapshot, the selected observation,
        and the selected node (layer, index; inputs are layer 0) or None (``()``: unchanged)."""
        needs = frozenset(n for n in needs if n in NEEDS or importance.is_need(n))  # + the Explain tab's
        row = self.selected_row if selected_row is None else int(selected_row)
        node = self.selected_node if node == () else None if node is None else (int(node[0]), int(node[1]))
        changed = needs != self.needs or row != self.selected_row or node != self.selected_node
        self.needs, self.selected_row, self.selected_node = needs, row, node
        if changed and self.exp is not None and not self.state.live:
            self._emit(force=True)

    # -- running ---------------------------------------------------------------
    def play(self) -> None:
        if self.exp is None or self.state == State.RUNNING:
            return
        self._leave_early_stop()
        remaining = self._current().settings.iterations - self._current().session.iteration
        if remaining <= 0:
            self._stopped = "max_iterations"
            self._message = (f"reached the maximum of {self._current().settings.iterations:,} iterations: "
                             "raise it to train on, or Reset")
            self.state = State.FINISHED
            self._emit(force=True)
            return
        self._start(remaining, State.RUNNING)

    def step(self, n: int = 1) -> None:
        """Run n iterations, then pause (works while paused and leaves it paused)."""
        if self.exp is None or n <= 0:
            return
        if n == 1 and not self.state.live:
            self._micro = None
            self._single_step()
            return
        self._start(n, State.STEPPING)

    def _start(self, n: int, state: State) -> None:
        self._leave_early_stop()
        self.failure = None
        self._micro = None
        self._preview_at = None
        self._remaining = n
        self.state = state
        self._stopped, self._message = None, ""
        self._run_started = self.clock()
        self._run_iters = 0
        self._run_seconds = 0.0
        self._pace_origin = (self._run_started, self.iteration)

    def pause(self) -> None:
        if self.state.live:
            self._remaining = 0
            self.state = State.PAUSED
            self._at_rest()
            self._emit(force=True)

    def advance(self) -> None:
        """One chunk of iterations (about ``chunk_seconds`` of work), then maybe a snapshot; at
        rest, the deferred trace (see ``defer_traces``)."""
        if not self.busy:
            if self._trace_due is not None and self.exp is not None and self.trace_wait() <= 0:
                self._complete_trace()
            return
        exp = self._current()
        n = min(self.chunk, self._remaining)
        pace = self._paced()
        if pace is not None:
            due = self._due(pace)
            if due <= 0:
                return  # the next iteration is not due yet (see wait())
            # up to the frame rate one iteration a chunk, each its own snapshot (a machine that
            # lags behind the pace catches up with more chunks, not with two iterations in one)
            n = min(n, due, 1 if pace.rate(self.iteration) <= 1 / self.emit_seconds else due)
        t0 = self.clock()
        try:
            res = self._run(n)
        except Exception as exc:  # a bug must not kill the thread or lose the weights
            self._interrupt[0] = 0
            self._remaining = 0
            self.state = State.PAUSED
            self.failure = f"training stopped: {exc}"
            log.exception("training stopped at iteration %d (%s)", exp.session.iteration, exp.settings)
            self._fail(self.failure)
            return
        dt = self.clock() - t0
        self._interrupt[0] = 0  # taken: the command that asked for it runs next
        if pace is not None:
            t0, it0 = self._pace_origin
            lag = self.clock() - t0 - pace.seconds_between(it0, exp.session.iteration)
            if lag > PACE_SLACK:
                # slower than the pace: run as fast as possible, without a debt to catch up later
                self._pace_origin = (self.clock(), exp.session.iteration)
        if res.iterations == n and n == self.chunk:
            grow = self.chunk_seconds / max(dt, 1e-6)
            self.chunk = int(min(max(round(self.chunk * min(grow, 4.0)), 1), MAX_CHUNK))
        elif dt > self.chunk_seconds:
            self.chunk = max(round(self.chunk * self.chunk_seconds / dt), 1)
        if res.iterations:
            start = exp.session.iteration - res.iterations
            self._pending.extend(np.arange(start, exp.session.iteration), res.mse)
            self._trained_with = exp.settings
            self.last_mse = float(res.mse[-1])
            if exp.config.batch_size is not None or exp.X_test is not None:
                self._evaluate()
        self._remaining -= res.iterations
        self._run_iters += res.iterations
        self._run_seconds += dt
        self._total_seconds += dt
        self.timeline.record(exp.session)
        elapsed = self.clock() - (self._run_started or t0)
        self._rate = self._run_iters / elapsed if elapsed > 0 else 0.0
        if res.stopped == "early_stop":
            self._restore_best()
        if res.stopped:
            self._message = res.message or self._message
            self._finish(res.stopped)
            if res.stopped == "diverged":
                self.listener.on_error(res.message)
            return
        if self._remaining <= 0:
            if self.state == State.STEPPING:
                self.state = State.PAUSED
                self._at_rest()
                self._emit(force=True)
            else:
                self._finish("max_iterations")
            return
        # at a pace up to the frame rate every iteration is a snapshot (and is painted)
        slow = pace is not None and pace.rate(exp.session.iteration) <= 1 / self.emit_seconds
        self._emit(force=slow, slack=dt / 2)

    def _run(self, n: int) -> RunResult:
        """n iterations; with a validation split, in pieces that end on the iterations where the
        validation mse is measured, stopping early when it has not improved for ``patience``."""
        exp = self._current()
        session = exp.session
        if exp.X_val is None:
            return session.run(n, self._interrupt)
        k = validation_every(session.n, exp.config.batch_size)
        done, parts = 0, []
        while done < n:
            asked = min(n - done, k - session.iteration % k)
            res = session.run(asked, self._interrupt)
            done += res.iterations
            parts.append(res.mse)
            if res.stopped:
                return RunResult(done, np.concatenate(parts), res.stopped, res.message)
            if res.iterations < asked:  # interrupted
                break
            if session.iteration % k == 0:
                self._validate()
                if self._patience_out():
                    return RunResult(done, np.concatenate(parts), "early_stop")
        return RunResult(done, np.concatenate(parts))

    def _validate(self, due_only: bool = False) -> None:
        """A validation point at the current iteration (with ``due_only``, only on the iterations
        where one is due); nothing without a validation split."""
        exp = self._current()
        it = exp.session.iteration
        if exp.X_val is None or (self._val and self._val[-1][0] >= it):
            return
        if due_only and it % validation_every(exp.session.n, exp.config.batch_size):
            return
        with np.errstate(all="ignore"):
            v = exp.validation_mse()
        assert v is not None
        self._val.append((it, v))
        self._val_new.append((it, v))
        if self._best is None or v < self._best[1]:
            self._best = (it, v)

    def _patience_out(self) -> bool:
        p = self._current().settings.patience
        return (p is not None and self._best is not None and bool(self._val)
                and self._val[-1][0] - self._best[0] >= p)

    def _truncate_validation(self, iteration: int) -> None:
        """Forget the validation points after ``iteration`` (training goes another way)."""
        self._val = [v for v in self._val if v[0] <= iteration]
        self._val_new = [v for v in self._val_new if v[0] <= iteration]
        self._best = min(self._val, key=lambda v: (v[1], v[0])) if self._val else None

    def _restore_best(self) -> None:
        """Early stop: back to the best iteration's state exactly (replayed from the timeline)."""
        exp = self._current()
        session = exp.session
        assert self._best is not None
        best, best_mse = self._best
        stop_at = session.iteration
        session.set_state(self.timeline.state_at(session, best))
        self.timeline.truncate(best)
        self.timeline.record(session)
        self._val = [v for v in self._val if v[0] <= best]
        self._stopped_at = stop_at
        self._message = (f"the validation mse has not improved for {stop_at - best:,} iterations "
                         f"(patience {exp.settings.patience:,}): restored the weights of iteration {best:,} "
                         f"(validation mse {best_mse:.5g}); stopped at {stop_at:,}")

    def _leave_early_stop(self) -> None:
        """Training goes on after an early stop: the curves are cut at the best iteration."""
        if self._stopped_at is None:
            return
        self._stopped_at = None
        self._stopped, self._message = None, ""
        self._rewound = True
        self._pending.clear()
        self._evals.clear()
        self._val_new.clear()
        self._emit(force=True)

    def _evaluate(self) -> None:
        """An evaluation point at the current iteration (whole training set, test set)."""
        exp = self._current()
        it = exp.session.iteration
        if self._evals and self._evals[-1][0] >= it:
            return
        with np.errstate(all="ignore"), blas.limited(exp.session.blas_threads, blas.work(exp.session)):
            train = exp.evaluate()
        self._evals.append((it, train.mse, np.nan if train.test_mse is None else train.test_mse))

    def _finish(self, why: str) -> None:
        self._remaining = 0
        self.state = State.FINISHED
        self._stopped = why
        self._at_rest()
        self._emit(force=True)

    def _at_rest(self) -> None:
        """Training stopped: keep a checkpoint and the trace of the last iteration (for a big
        network with ``defer_traces``: due, made by the next ``advance()``)."""
        session = self._current().session
        self.timeline.record(session)
        if "trace" not in self.needs:
            # headless (nnviz train, sweeps): nothing shows the last iteration's matrices; on a
            # million rows replaying it cost 8 of 14 seconds
            self._trace = None
        elif self.defer_traces and blas.work(session) > TRACE_NOW_MACS and session.iteration > 0:
            self._defer_trace(session)
        else:
            self._trace = self._trace_at(session.iteration)

    def trace_wait(self) -> float:
        """Seconds until the deferred trace is due (0 when none is waiting or it is due)."""
        if self._trace_due is None:
            return 0.0
        return max(self._trace_time - self.clock(), 0.0)

    def _defer_trace(self, session) -> None:
        self._trace = None
        self._trace_due = (self.generation, session.iteration)
        self._trace_time = self.clock() + self.trace_delay

    def _complete_trace(self) -> None:
        """The deferred trace, if nothing has moved since (a command that did takes precedence)."""
        due, self._trace_due = self._trace_due, None
        session = self._current().session
        if (due == (self.generation, session.iteration) and not self.state.live and self._trace is None
                and self._micro is None and self._preview_at is None):
            with self._every_core(session):
                self._trace = self._trace_at(session.iteration)
                self._emit(force=True)

    @contextmanager
    def _every_core(self, session):
        """At rest (a single step, a trace made after a pause) nothing trains beside the
        products: BLAS may use every core, whatever the session's choice for training."""
        kept = session.blas_threads
        if blas.work(session) >= blas.MEASURE_FROM:
            session.blas_threads = max(kept, blas.max_threads())
        try:
            yield
        finally:
            session.blas_threads = kept

    def _trace_at(self, iteration: int) -> StepTrace | None:
        """Every matrix of the iteration that led to ``iteration``, replayed on a copy."""
        session = self._current().session
        if iteration == 0:
            return None
        try:
            # the settings in force then, not today's: a preview before a change of learning
            # rate shows the update that was made
            twin = session.clone(self.timeline.config_at(iteration - 1))
            twin.set_state(self.timeline.state_at(session, iteration - 1))
            return twin.step_trace()
        except (ValueError, FloatingPointError):
            return None

    def _next_step(self, session) -> StepTrace | None:
        """The iteration the next Step will make, computed on a copy (the inspector's "next step",
        at iteration 0 too), kept while the training state is the same.  None for a network whose
        traces are deferred (``defer_traces``): it would cost a second replay at every rest."""
        if self._micro is not None and not self._micro.done:
            return self._micro.trace  # the iteration being walked through is the next one
        if self.defer_traces and blas.work(session) > TRACE_NOW_MACS:
            return None
        key = (self.generation, self.data_version, session.config, session.engine, session.dtype,
               _state_digest(session.get_state()))
        if self._next is None or self._next[0] != key:
            self._next = (key, _peek(session.clone()))
        return self._next[1]

    def _single_step(self) -> None:
        """One iteration with its trace (the same weights as run(1)).  For a big network with
        ``defer_traces`` the iteration is run(1) on every core (nothing trains beside a single
        step), the snapshot follows at once and the trace is made by the next ``advance()``:
        on 784-256-256-10 x 1,797 rows the Step answered in 210 ms with the trace made first."""
        session = self._current().session
        self._leave_early_stop()
        self._preview_at = None
        with self._every_core(session):
            res = session.run(1) if self.defer_traces and blas.work(session) > TRACE_NOW_MACS else None
            if res is not None and res.stopped == "diverged":
                self._diverged(res.message)
                return
            if res is not None and res.iterations == 1:
                self._defer_trace(session)
                mse = float(res.mse[0])
            else:  # a small network, or the threshold reached (a Step makes its iteration anyway)
                try:
                    self._trace = session.step_trace()
                except FloatingPointError as exc:
                    self._diverged(str(exc))
                    return
                mse = self._trace.mse
            self._after_single_step(session, mse)

    def _after_single_step(self, session, mse: float) -> None:
        self._pending.extend(np.array([session.iteration - 1]), np.array([mse]))
        self._trained_with = self._current().settings
        self.timeline.record(session)
        self._validate(due_only=True)
        self.state = State.PAUSED
        self._stopped = None
        self._emit(force=True)

    # -- step-through ------------------------------------------------------------
    def _halt(self) -> None:
        """Before a step-through command: pause training and leave any micro-steps."""
        if self.state.live:
            self.pause()
        self._micro = None
        self._preview_at = None

    def micro_step(self) -> None:
        """The next stage of the current iteration; the last stage applies the update."""
        if self.exp is None:
            return
        if self.state.live:
            self.pause()
        self._preview_at = None
        session = self._current().session
        if self._micro is None:
            self._leave_early_stop()
            try:
                self._micro = MicroSteps(session)
            except FloatingPointError as exc:
                self._diverged(str(exc))
                return
        elif not self._micro.done:
            if self._micro.advance() == "update":
                self._micro.finish(session)
                self._pending.extend(np.array([session.iteration - 1]), np.array([self._micro.trace.mse]))
                self._trained_with = self._current().settings
                self.timeline.record(session)
                self._validate(due_only=True)
        else:  # the update was shown: start the next iteration
            self._micro = None
            self.micro_step()
            return
        self._trace = self._micro.trace
        self.state = State.PAUSED
        self._emit(force=True)

    def step_back(self) -> None:
        """Undo one iteration (or leave the micro-steps of an iteration not yet applied)."""
        if self.exp is None:
            return
        unapplied = self._micro is not None and not self._micro.done
        self._halt()
        if unapplied:
            self._trace = self._trace_at(self._current().session.iteration)
            self._emit(force=True)
            return
        if self._current().session.iteration > 0:
            self._go_to(self._current().session.iteration - 1)

    def resume_from(self, iteration: int) -> None:
        """Make an earlier iteration the current one; what came after is discarded."""
        if self.exp is None:
            return
        self._halt()
        self._go_to(max(self.first_iteration, min(int(iteration), self._current().session.iteration)))

    @property
    def first_iteration(self) -> int:
        """The earliest iteration that can be shown (after opening a session: where it was saved)."""
        return self.timeline.first or 0

    def _go_to(self, iteration: int) -> None:
        session = self._current().session
        try:
            session.set_state(self.timeline.state_at(session, iteration))
        except ValueError as exc:
            self._fail(str(exc))
            return
        self.timeline.truncate(iteration)
        self.timeline.record(session)
        self._truncate_validation(iteration)
        self._stopped_at = None
        self._trace = self._trace_at(iteration)
        self.state = State.PAUSED
        self._stopped = None
        self._rewound = True
        self._pending.clear()
        self._evals.clear()
        self._emit(force=True)

    def preview(self, iteration: int) -> None:
        """A snapshot of the network as it was at ``iteration``; the training state is unchanged."""
        if self.exp is None:
            return
        session = self._current().session
        iteration = max(self.first_iteration, min(int(iteration), session.iteration))
        if iteration == session.iteration:
            self._preview_at = None
            self._emit(force=True)  # the present: an ordinary snapshot
            return
        if self.state.live:
            self.pause()  # a look back stops training: the present would run away from it
        self._preview_at = iteration
        self._emit(force=True)

    def set_weight(self, layer: int, row: int, col: int, value: float) -> None:
        """Edit one weight (0-based indices, row 0 = bias); training continues from the edited network."""
        if self.exp is None:
            return
        self._halt()
        W = self._current().network.weights
        if not (0 <= layer < len(W) and 0 <= row < W[layer].shape[0] and 0 <= col < W[layer].shape[1]):
            self._fail(f"there is no weight W{layer + 1}[{row + 1}, {col + 1}]")
            return
        if not np.isfinite(value):
            self._fail("a weight must be a finite number")
            return
        W[layer][row, col] = value
        session = self._current().session
        self.timeline.truncate(session.iteration - 1)
        self.timeline.record(session, anchor=True)
        self._truncate_validation(session.iteration - 1)
        self._stopped_at = None
        self._validate()
        self._trace, self._trace_due = None, None
        self._rewound = True
        self._emit(force=True)

    def film_source(self) -> Source:
        """What a film of this run replays: a copy of the experiment with a session of its own at
        the first stored state, and every stored state (with the settings in force from each).
        Made here, in the training thread; the film is then shot anywhere, the run untouched."""
        exp = self._current()
        states = tuple(self.timeline.entries)
        scratch = copy.copy(exp)
        scratch.session = exp.session.clone(states[0][2])
        scratch.session.set_state(states[0][1])
        return Source(scratch, states, int(exp.session.iteration))

    # -- snapshots -----------------------------------------------------------------
    def _diverged(self, message: str) -> None:
        """A Step met weights of infinite error: the session went back to the last finite ones,
        the states stored after them go too."""
        self.timeline.truncate(self._current().session.iteration)
        self._fail(message)

    def _fail(self, message: str) -> None:
        self.listener.on_error(message)
        self._emit(force=True)

    def _emit(self, force: bool = False, slack: float = 0.0) -> None:
        """A snapshot, at most one per ``emit_seconds`` unless forced; one due within ``slack``
        (half the chunk just run) is sent now rather than a whole chunk late."""
        now = self.clock()
        if not force and now - self._last_emit < self.emit_seconds - slack:
            return
        if self.exp is None:
            return
        self._last_emit = now
        self.listener.on_snapshot(self.snapshot())

    def snapshot(self) -> Snapshot:
        """The state now (or the preview asked for), with the derived data the views need."""
        exp = self._current()
        if self._preview_at is not None and self._preview_at != exp.session.iteration:
            try:
                return self._preview_snapshot(self._preview_at)
            except ValueError as exc:
                self._preview_at = None
                self.listener.on_error(str(exc))
        xs, ys = self._pending.x.copy(), self._pending.y.copy()
        self._pending.clear()
        xs.flags.writeable = False
        ys.flags.writeable = False
        at_rest = not self.state.live
        trace = self._trace if at_rest else None
        fields = self._network_fields(exp.network, trace)
        if not self._evals or self._evals[-1][0] < exp.session.iteration:
            self._evals.append((exp.session.iteration, fields["mse"],
                                np.nan if fields["test_mse"] is None else fields["test_mse"]))
        ev = np.array(self._evals, dtype=np.float64).reshape(-1, 3)
        self._evals.clear()
        val = np.array(self._val_new, dtype=np.float64).reshape(-1, 2)
        self._val_new.clear()
        has_val = exp.X_val is not None
        snap = Snapshot(
            generation=self.generation,
            iteration=exp.session.iteration,
            new_iterations=xs,
            new_mse=ys,
            state=self.state,
            stopped=self._stopped,
            message=self._message,
            iterations_per_second=self._rate,
            training_seconds=self._run_seconds,
            total_seconds=self._total_seconds,
            trace=trace,
            trace_pending=self._trace_due is not None,
            next_trace=self._next_step(exp.session) if at_rest and "next_step" in self.needs else None,
            stage=self._micro.stage if self._micro is not None else None,
            rewound=self._rewound,
            train_state=exp.session.get_state() if at_rest else None,
            settings=exp.settings,
            trained_with=self._trained_with,
            present_iteration=exp.session.iteration,
            first_iteration=self.first_iteration,
            chunk=self.chunk,
            commands=self.commands,
            data_version=self.data_version,
            eval_iterations=_ro(ev[:, 0].astype(np.int64)),
            eval_mse=_ro(ev[:, 1]),
            eval_test_mse=_ro(ev[:, 2]) if exp.X_test is not None else None,
            lr=exp.session.current_lr(),
            val_iterations=_ro(val[:, 0].astype(np.int64)) if has_val else None,
            val_mse=_ro(val[:, 1]) if has_val else None,
            best_iteration=self._best[0] if self._best is not None else None,
            best_validation_mse=self._best[1] if self._best is not None else None,
            stopped_at=self._stopped_at,
            hint=self._watch.hint(self.generation, exp, fields["outputs"], xs, ys, self._stopped),
            **fields,
        )
        self._rewound = False
        return snap

    def _preview_snapshot(self, iteration: int) -> Snapshot:
        session = self._current().session
        config = self.timeline.config_at(iteration) or session.config
        twin = session.clone(config)
        twin.set_state(self.timeline.state_at(session, iteration))
        trace = self._trace_at(iteration)
        empty = np.empty(0)
        empty.flags.writeable = False
        fields = self._network_fields(twin.net, trace)
        skip = (self.defer_traces and blas.work(session) > TRACE_NOW_MACS) or "next_step" not in self.needs
        return Snapshot(
            generation=self.generation, iteration=iteration,
            new_iterations=empty.astype(np.int64), new_mse=empty,
            state=self.state, stopped=self._stopped, preview=True, trace=trace,
            settings=self._current().settings, present_iteration=session.iteration,
            first_iteration=self.first_iteration, chunk=self.chunk, commands=self.commands,
            lr=rate_at(config, iteration),
            best_iteration=self._best[0] if self._best is not None else None,
            best_validation_mse=self._best[1] if self._best is not None else None,
            data_version=self.data_version, next_trace=None if skip else _peek(twin), **fields)

    def _network_fields(self, net: Network, trace: StepTrace | None) -> dict:
        """The snapshot fields computed from a network: weights, outputs, metrics, derived views."""
        session = self._current().session
        # the snapshot's products run with training's BLAS threads: OpenBLAS's second thread
        # spinning beside the kernel made digits train three times slower in the window
        with np.errstate(all="ignore"), blas.limited(session.blas_threads, blas.work(session)):
            return self._derive(net, trace)

    def _derive(self, net: Network, trace: StepTrace | None) -> dict:
        exp = self._current()
        layers = net.forward_layers(exp.X_train)
        Yhat = layers[-1][2]
        Th = net.predict(exp.X_test) if exp.X_test is not None else None
        Y_test = exp.Y_test
        task = exp.task
        out = dict(
            weights=tuple(frozen(W) for W in net.weights),
            mse=metrics.mse(exp.Y_train, Yhat),
            accuracy=metrics.accuracy(task, exp.Y_train, Yhat),
            test_mse=metrics.mse(Y_test, Th) if Th is not None and Y_test is not None else None,
            test_accuracy=metrics.accuracy(task, Y_test, Th) if Th is not None and Y_test is not None else None,
            outputs=frozen(Yhat),
            test_outputs=frozen(Th) if Th is not None else None,
            selected_row=min(self.selected_row, exp.X_train.shape[0] - 1),
            validation_mse=exp.validation_mse(net),
        )
        if task == "regression":
            out["regression"] = exp.regression_scores(Yhat, Th)
        if task == "classes" and "confusion" in self.needs:
            out["confusion"] = _ro(metrics.confusion(exp.Y_train, Yhat))
        if "map" in self.needs and self.context is not None and self.context.map_grid is not None:
            z = net.predict(self.context.map_grid.points)
            g = self.context.map_grid.size
            out["map_values"] = frozen((z[:, -1] if z.shape[1] > 1 else z[:, 0]).reshape(g, g))
            if task == "classes" and z.shape[1] > 2:
                top2 = np.sort(z, axis=1)[:, -2:]
                out["map_class"] = _ro(z.argmax(axis=1).reshape(g, g))
                out["map_margin"] = frozen(np.clip(top2[:, 1] - top2[:, 0], 0.0, 1.0).reshape(g, g))
        out.update(self._node_pictures(net, layers))
        out.update(importance.derive(net, exp.X_train, exp.train.X, exp.scaling, self.needs))
        if "nodes" in self.needs:
            r = out["selected_row"]
            values = [exp.X_train[r]] + [H[r] for _, _, H in layers]
            out["node_values"] = tuple(frozen(v) for v in values)
            if trace is not None:
                hits = np.flatnonzero(np.asarray(trace.rows) == r)
                if hits.size:
                    out["node_deltas"] = tuple(frozen(lt.delta[hits[0]]) for lt in trace.layers)
        return out


    def _node_pictures(self, net: Network, layers) -> dict:
        """Neuron maps (two inputs: one forward pass over the coarse grid for all nodes), the
        selected node's map on the decision map's grid, and the nodes' histograms of the rows;
        maps and histograms of the neurons the diagram draws (see nodemaps.shown)."""
        exp, ctx = self._current(), self.context
        out: dict = {}
        if ctx is None:
            return out
        if "node_maps" in self.needs and ctx.node_grid is not None:
            out["node_maps"] = nodemaps.grid_maps(net, ctx.node_grid.points, ctx.node_grid.size,
                                                  nodemaps.shown(exp.arch.sizes))
        node, sizes = self.selected_node, exp.arch.sizes
        if ("node_map" in self.needs and ctx.map_grid is not None and node is not None
                and 0 <= node[0] < len(sizes) and 0 <= node[1] < sizes[node[0]]):
            out["node_map"] = nodemaps.node_map(net, ctx.map_grid.points, ctx.map_grid.size, *node)
            out["map_node"] = node
        if "node_hists" in self.needs:
            group, k = nodemaps.groups(exp.task, exp.train.T)
            values = (exp.X_train, *(H for _, _, H in layers))
            out["node_hists"], out["node_hist_edges"] = nodemaps.row_histograms(
                values, (None, *exp.arch.layer_activations), group, k, nodemaps.shown(exp.arch.sizes))
        return out


def _inside(X: np.ndarray, rect: tuple[float, float, float, float]) -> bool:
    """Every point of X within the map's rectangle (x, y, width, height)."""
    x, y, w, h = rect
    return bool(((X[:, 0] >= x) & (X[:, 0] <= x + w) & (X[:, 1] >= y) & (X[:, 1] <= y + h)).all())


def _peek(twin) -> StepTrace | None:
    """The trace of one iteration made on ``twin`` (a copy: it is changed), None if it diverges."""
    try:
        return twin.step_trace()
    except (ValueError, FloatingPointError):
        return None


def _state_digest(state: dict) -> bytes:
    """A fingerprint of a training state (weights, optimiser memory, generator, batch position)."""
    h = hashlib.blake2b(digest_size=16)
    for k in sorted(state):
        v = state[k]
        h.update(k.encode())
        h.update(np.ascontiguousarray(v).tobytes() if isinstance(v, np.ndarray) else repr(v).encode())
    return h.digest()


def _ro(a: np.ndarray) -> np.ndarray:
    a = np.array(a, copy=True)
    a.flags.writeable = False
    return a
