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
(context.py: what stays fixed until the next configure) and ``Snapshot``s, at
most one per ``emit_seconds`` while training runs and always after a command.  A
snapshot carries everything the views paint, so every view paints the same
iteration and no view computes.  The runner decides *when*; its parts know *what*:

- derive.py: the snapshot's derived fields, pure functions of (network, data, the
  views' needs, set with ``set_view``: only what is visible is computed);
- early_stop.py: the validation points, the best, the patience, the restore decision;
- traces.py: the last iteration's trace (deferred for a big network) and the next one's;
- progress.py: the error curve between snapshots, evaluation points, seconds and rate;
- pace.py: Play's pace.

Chunks are bounded in time: after a change of network the chunk starts at one
iteration and grows at most fourfold per chunk towards ``chunk_seconds`` of
work, so Pause and Close are answered within about a chunk for any network.
"""

from __future__ import annotations

import copy
import logging
import time
from collections.abc import Callable
from dataclasses import replace

import numpy as np

from . import blas
from .context import (DATA_FIELDS, MAP_GRID, NODE_GRID, TRAINING_ONLY, Context, Listener, MapGrid, State,
                      map_grid, new_context, rows_context, same_data, same_network)
from .data import Dataset
from .derive import NEEDS, known
from .early_stop import VALIDATE_EVERY, EarlyStopping, run_in_pieces, validation_every
from .experiment import Experiment, Settings
from .film import Source
from .model import Model
from .pace import PACE_SLACK, Pace
from .progress import PENDING_POINTS, Progress
from .snapshot import Snapshot
from .snapshot_maker import SnapshotMaker
from .timeline import MicroSteps, Timeline
from .traces import TRACE_NOW_MACS, Traces, every_core, trace_at
from .training import RunResult, StepTrace

__all__ = ["CHUNK_SECONDS", "DATA_FIELDS", "EMIT_SECONDS", "MAP_GRID", "MAX_CHUNK", "NEEDS", "NODE_GRID",
           "PACE_SLACK", "PENDING_POINTS", "TRACE_NOW_MACS", "TRAINING_ONLY", "VALIDATE_EVERY", "Context",
           "Listener", "MapGrid", "Runner", "State", "map_grid", "next_chunk", "same_data", "same_network",
           "validation_every"]

# half the snapshot period: a snapshot every second chunk keeps the window at ~30 frames a second
# (with 20 ms chunks a 33 ms period was only reached after the second chunk, at 40 ms: 20-25 fps)
CHUNK_SECONDS = 1 / 60
EMIT_SECONDS = 1 / 30
MAX_CHUNK = 1_000_000

log = logging.getLogger(__name__)


def next_chunk(chunk: int, asked: int, done: int, seconds: float, chunk_seconds: float) -> int:
    """The iterations of the next chunk: a whole chunk grows towards ``chunk_seconds`` of work (at
    most fourfold), one that took longer shrinks to it."""
    if done == asked and asked == chunk:
        grow = chunk_seconds / max(seconds, 1e-6)
        return int(min(max(round(chunk * min(grow, 4.0)), 1), MAX_CHUNK))
    if seconds > chunk_seconds:
        return max(round(chunk * chunk_seconds / seconds), 1)
    return chunk


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
        self.progress = Progress()  # the curve since the last snapshot, seconds, rate
        self.early = EarlyStopping()  # the validation points of the run
        self.traces = Traces()  # the last iteration's trace (deferred with defer_traces), the next's
        self.last_mse = float("nan")  # of the last iteration run
        # the one line of the last error inside training (None once training starts again); its
        # traceback went to the log (nnviz.logs says where the entry points send it)
        self.failure: str | None = None
        self.data_version = 0
        self.commands = 0  # commands taken so far (counted by the caller): a snapshot tells which it reflects
        # set by interrupt() from any thread: the chunk under way ends early (within a block of rows)
        self._interrupt = np.zeros(1, dtype=np.int64)
        # Play's pace (the window's speed control); None: as fast as the machine goes (the CLI,
        # Step N).  The schedule runs from (clock, iteration) at Play, moved on when training lags.
        self.pace: Pace | None = None
        self._pace_origin: tuple[float, int] = (0.0, 0)
        self._remaining = 0
        self._last_emit = -np.inf
        self.stopped: str | None = None  # why training stopped
        self.message = ""  # ... in a sentence
        self.micro: MicroSteps | None = None  # the iteration being walked through (micro_step)
        self.rewound = False  # the iteration went back since the last snapshot
        self.preview_at: int | None = None  # the earlier iteration looked at (preview)
        self.maker = SnapshotMaker()  # the hints' and the Dynamics tab's history across snapshots

    # the window sets these: at rest, a big network's trace comes in a second snapshot, so that
    # "paused" is painted without waiting for a replay of the last iteration ...
    @property
    def defer_traces(self) -> bool:
        return self.traces.defer

    @defer_traces.setter
    def defer_traces(self, value: bool) -> None:
        self.traces.defer = bool(value)

    # ... made only once the runner has rested this long: a Step or Reset right after a Pause
    # (or Steps in a row) does not wait behind a trace about to be outdated (0.1 s a trace
    # of 784-256-256-10 on 1,797 rows)
    @property
    def trace_delay(self) -> float:
        return self.traces.delay

    @trace_delay.setter
    def trace_delay(self, seconds: float) -> None:
        self.traces.delay = seconds

    @property
    def _val(self) -> list[tuple[int, float]]:
        return self.early.points

    @property
    def _best(self) -> tuple[int, float] | None:
        return self.early.best

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

    def wait(self) -> float:
        """Seconds until ``advance()`` has something to do: the next paced iteration, or the
        deferred trace; 0 when it has work now."""
        if not self.busy:
            return self.trace_wait()
        pace = self._paced()
        return 0.0 if pace is None else pace.wait(self._pace_origin, self.clock(), self.iteration)

    def trace_wait(self) -> float:
        """Seconds until the deferred trace is due (0 when none is waiting or it is due)."""
        return self.traces.wait(self.clock())

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
        return self.busy or (self.exp is not None and self.traces.due is not None)

    @property
    def iteration(self) -> int:
        return self.exp.session.iteration if self.exp is not None else 0

    @property
    def first_iteration(self) -> int:
        """The earliest iteration that can be shown (after opening a session: where it was saved)."""
        return self.timeline.first or 0

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
        self.micro = None
        if (settings.engine, settings.dtype) != (exp.settings.engine, exp.settings.dtype):
            exp.switch_engine(settings.engine, settings.dtype)
            exp.session.warm_up()
        exp.session.reconfigure(config)
        exp.config = config
        exp.settings = settings
        self.timeline.record(exp.session, anchor=True)  # replays from here use the new settings
        self.stopped, self.message = None, ""
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
        self.stopped, self.message = None, ""
        self.progress = Progress(trained_with=exp.settings)
        self.traces.last, self.micro, self.preview_at = None, None, None
        self._new_timeline()
        self.selected_row = 0
        self.data_version = 0
        self.context = new_context(self.generation, exp, history_x, history_y, validation_x, validation_y)
        self.listener.on_context(self.context)
        self._emit(force=True)
        if warm:  # after the first snapshot: a window shows the network while the kernel loads (or
            exp.session.warm_up()  # compiles, the first time); its load is not in the first run's seconds

    def _new_timeline(self) -> None:
        """The run starts here: the first stored state, the first validation point."""
        self.timeline = Timeline()
        self.timeline.record(self._current().session)
        self.early = EarlyStopping()
        self._validate()

    def set_data(self, dataset: Dataset) -> None:
        """Train on other rows (points added, moved or deleted on the map) from the current
        weights: the scaling stays the original data's (see Experiment.set_data), the error
        history goes on, a running training keeps running.  A new Context of the same
        generation and a higher ``data_version`` goes out first, then a snapshot on the new
        rows.  Going back (step back, the history slider) stops at the edit: replaying older
        iterations would train them on rows they never saw; early stopping compares from here."""
        if self.exp is None or self.context is None:
            return
        exp = self._current()
        try:
            exp.set_data(dataset)
        except ValueError as exc:
            self._fail(str(exc))
            return
        self.micro, self.preview_at = None, None
        self.traces.forget()
        self._new_timeline()
        self.progress.forget_point(exp.session.iteration)  # measured on the old rows
        self.data_version += 1
        self.context = rows_context(self.context, exp, dataset, self.data_version)
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
        """What the visible views need computed with each snapshot (derive.NEEDS, the Explain
        tab's and the Dynamics tab's), the selected observation, and the selected node (layer,
        index; inputs are layer 0) or None (``()``: unchanged)."""
        needs = known(needs)
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
            self.stopped = "max_iterations"
            self.message = (f"reached the maximum of {self._current().settings.iterations:,} iterations: "
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
            self.micro = None
            self._single_step()
            return
        self._start(n, State.STEPPING)

    def _start(self, n: int, state: State) -> None:
        self._leave_early_stop()
        self.failure = None
        self.micro = None
        self.preview_at = None
        self._remaining = n
        self.state = state
        self.stopped, self.message = None, ""
        now = self.clock()
        self.progress.start(now)
        self._pace_origin = (now, self.iteration)

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
            if self.traces.due is not None and self.exp is not None and self.trace_wait() <= 0:
                self._complete_trace()
            return
        exp = self._current()
        n = min(self.chunk, self._remaining)
        pace = self._paced()
        if pace is not None:
            due = pace.due(self._pace_origin, self.clock(), self.iteration)
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
        if pace is not None and pace.behind(self._pace_origin, self.clock(), exp.session.iteration):
            # slower than the pace: run as fast as possible, without a debt to catch up later
            self._pace_origin = (self.clock(), exp.session.iteration)
        self.chunk = next_chunk(self.chunk, n, res.iterations, dt, self.chunk_seconds)
        if res.iterations:
            self.progress.trained(np.arange(exp.session.iteration - res.iterations, exp.session.iteration),
                                  res.mse, exp.settings)
            self.last_mse = float(res.mse[-1])
            if exp.config.batch_size is not None or exp.X_test is not None:
                self._evaluate()
        self._remaining -= res.iterations
        self.timeline.record(exp.session)
        self.progress.timed(res.iterations, dt, t0, self.clock())
        if res.stopped:
            self._stop(res)
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
        if exp.X_val is None:
            return exp.session.run(n, self._interrupt)

        def out_of_patience() -> bool:
            self._validate()
            return self.early.out_of_patience(exp.settings.patience)

        every = validation_every(exp.session.n, exp.config.batch_size)
        return run_in_pieces(exp.session, n, self._interrupt, every, out_of_patience)

    def _stop(self, res: RunResult) -> None:
        """Training stopped by itself: early (the best weights restored), threshold, divergence."""
        if res.stopped == "early_stop":
            self._restore_best()
        self.message = res.message or self.message
        self._finish(res.stopped or "")
        if res.stopped == "diverged":
            self.listener.on_error(res.message)

    def _validate(self, due_only: bool = False) -> None:
        """A validation point at the current iteration (with ``due_only``, only on the iterations
        where one is due); nothing without a validation split."""
        exp = self._current()
        if exp.X_val is None:
            return

        def mse_now() -> float:
            with np.errstate(all="ignore"):
                v = exp.validation_mse()
            assert v is not None
            return v

        every = validation_every(exp.session.n, exp.config.batch_size) if due_only else None
        self.early.measure(exp.session.iteration, mse_now, every)

    def _restore_best(self) -> None:
        """Early stop: back to the best iteration's state exactly (replayed from the timeline)."""
        exp = self._current()
        session = exp.session
        best, _ = self.early.stop(session.iteration)
        session.set_state(self.timeline.state_at(session, best))
        self.timeline.truncate(best)
        self.timeline.record(session)
        self.message = self.early.message(exp.settings.patience)

    def _leave_early_stop(self) -> None:
        """Training goes on after an early stop: the curves are cut at the best iteration."""
        if not self.early.leave():
            return
        self.stopped, self.message = None, ""
        self.rewound = True
        self.progress.drop()
        self._emit(force=True)

    def _evaluate(self) -> None:
        """An evaluation point at the current iteration (whole training set, test set)."""
        exp = self._current()

        def mse_now() -> tuple[float, float | None]:
            with np.errstate(all="ignore"), blas.limited(exp.session.blas_threads, blas.work(exp.session)):
                train = exp.evaluate()
            return train.mse, train.test_mse

        self.progress.measure(exp.session.iteration, mse_now)

    def _finish(self, why: str) -> None:
        self._remaining = 0
        self.state = State.FINISHED
        self.stopped = why
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
            self.traces.last = None
        elif self.traces.big(session) and session.iteration > 0:
            self.traces.postpone(self.generation, session.iteration, self.clock())
        else:
            self.traces.last = self._trace_at(session.iteration)

    def _complete_trace(self) -> None:
        """The deferred trace, if nothing has moved since (a command that did takes precedence)."""
        session = self._current().session
        if (self.traces.take_due(self.generation, session.iteration) and not self.state.live
                and self.traces.last is None and self.micro is None and self.preview_at is None):
            with every_core(session):
                self.traces.last = self._trace_at(session.iteration)
                self._emit(force=True)

    def _trace_at(self, iteration: int) -> StepTrace | None:
        return trace_at(self._current().session, self.timeline, iteration)

    def _single_step(self) -> None:
        """One iteration with its trace (the same weights as run(1)).  For a big network with
        ``defer_traces`` the iteration is run(1) on every core (nothing trains beside a single
        step), the snapshot follows at once and the trace is made by the next ``advance()``:
        on 784-256-256-10 x 1,797 rows the Step answered in 210 ms with the trace made first."""
        session = self._current().session
        self._leave_early_stop()
        self.preview_at = None
        with every_core(session):
            res = session.run(1) if self.traces.big(session) else None
            if res is not None and res.stopped == "diverged":
                self._diverged(res.message)
                return
            if res is not None and res.iterations == 1:
                self.traces.postpone(self.generation, session.iteration, self.clock())
                mse = float(res.mse[0])
            else:  # a small network, or the threshold reached (a Step makes its iteration anyway)
                try:
                    trace = self.traces.last = session.step_trace()
                except FloatingPointError as exc:
                    self._diverged(str(exc))
                    return
                mse = trace.mse
            self._stepped(session, mse)
            self.state = State.PAUSED
            self.stopped = None
            self._emit(force=True)

    def _stepped(self, session, mse: float) -> None:
        """One iteration was made outside a chunk (a single step, a micro-step's update)."""
        self.progress.trained(np.array([session.iteration - 1]), np.array([mse]), self._current().settings)
        self.timeline.record(session)
        self._validate(due_only=True)

    # -- step-through ------------------------------------------------------------
    def _halt(self) -> None:
        """Before a step-through command: pause training and leave any micro-steps."""
        if self.state.live:
            self.pause()
        self.micro = None
        self.preview_at = None

    def micro_step(self) -> None:
        """The next stage of the current iteration; the last stage applies the update."""
        if self.exp is None:
            return
        if self.state.live:
            self.pause()
        self.preview_at = None
        session = self._current().session
        if self.micro is None:
            self._leave_early_stop()
            try:
                self.micro = MicroSteps(session)
            except FloatingPointError as exc:
                self._diverged(str(exc))
                return
        elif not self.micro.done:
            if self.micro.advance() == "update":
                self.micro.finish(session)
                self._stepped(session, self.micro.trace.mse)
        else:  # the update was shown: start the next iteration
            self.micro = None
            self.micro_step()
            return
        self.traces.last = self.micro.trace
        self.state = State.PAUSED
        self._emit(force=True)

    def step_back(self) -> None:
        """Undo one iteration (or leave the micro-steps of an iteration not yet applied)."""
        if self.exp is None:
            return
        unapplied = self.micro is not None and not self.micro.done
        self._halt()
        if unapplied:
            self.traces.last = self._trace_at(self._current().session.iteration)
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

    def _go_to(self, iteration: int) -> None:
        session = self._current().session
        try:
            session.set_state(self.timeline.state_at(session, iteration))
        except ValueError as exc:
            self._fail(str(exc))
            return
        self.timeline.truncate(iteration)
        self.timeline.record(session)
        self.early.truncate(iteration)
        self.traces.last = self._trace_at(iteration)
        self.state = State.PAUSED
        self.stopped = None
        self.rewound = True
        self.progress.drop()
        self._emit(force=True)

    def preview(self, iteration: int) -> None:
        """A snapshot of the network as it was at ``iteration``; the training state is unchanged."""
        if self.exp is None:
            return
        session = self._current().session
        iteration = max(self.first_iteration, min(int(iteration), session.iteration))
        if iteration == session.iteration:
            self.preview_at = None
            self._emit(force=True)  # the present: an ordinary snapshot
            return
        if self.state.live:
            self.pause()  # a look back stops training: the present would run away from it
        self.preview_at = iteration
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
        self.early.truncate(session.iteration - 1)
        self._validate()
        self.traces.forget()
        self.rewound = True
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
        if self.preview_at is not None and self.preview_at != exp.session.iteration:
            try:
                return self.maker.preview(self, self.preview_at)
            except ValueError as exc:
                self.preview_at = None
                self.listener.on_error(str(exc))
        snap = self.maker.present(self)
        self.rewound = False
        return snap
