"""The training state machine: commands in, immutable snapshots out.  No Qt.

A ``Runner`` trains one network at a time and does everything the window (and the
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
iteration and no view computes.  The runner keeps the state (ready, running,
stepping, paused, finished), the chunks and the pace, and decides *when*; its
parts know *what*:

- lifecycle.py: which network is trained (configure, adopt, reset, set_data), and
  kernel_load.py: its compiled kernel, loaded before the first run;
- stepping.py: the commands at rest (one step, a stage of one, back, resume from, preview, a
  weight edited) and what a film of the run replays;
- track.py: the network's experiment and what is kept of its run, and the moves that change
  them together (a chunk trained, one step, one stage, back, a weight edited, new rows);
- history.py: the stored states (going back, replays, a film's source);
- early_stop.py: the validation points, the best, the patience, the restore decision;
- traces.py: the last iteration's trace (deferred for a big network) and the next one's;
- progress.py: the error curve between snapshots, evaluation points, seconds and rate;
- reconfigure.py: what new settings or a new seed do to the experiment;
- weight_edit.py: one weight set by hand, checked;
- snapshot_maker.py, derive.py: the snapshots, and their derived fields as pure functions
  of (network, data, the views' needs, set with ``set_view``: only what is visible is computed);
- pace.py: Play's pace and the schedule that follows it.

The commands of lifecycle.py and stepping.py are functions of a runner, bound as its methods
(``runner.preview(40)`` is ``stepping.preview(runner, 40)``); each module's ``Host`` says what
they may ask of it: its track, and the hooks that belong to the state machine (``_adopted``,
``_retrained``, ``_kernel_waiting``, ``_made``, ``_paused``, ``_fail``, ``_emit``).

Chunks are bounded in time: after a change of network the chunk starts at one
iteration and grows at most fourfold per chunk towards ``chunk_seconds`` of
work, so Pause and Close are answered within about a chunk for any network.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

import numpy as np

from . import lifecycle, stepping
from .context import (DATA_FIELDS, MAP_GRID, NODE_GRID, TRAINING_ONLY, Context, Listener, MapGrid, State,
                      map_grid, same_data, same_network)
from .derive import NEEDS
from .early_stop import VALIDATE_EVERY, validation_every
from .experiment import Experiment, Settings
from .pace import PACE_SLACK, Pace, Schedule
from .progress import PENDING_POINTS
from .snapshot import Snapshot
from .snapshot_maker import SnapshotMaker
from .timeline import Timeline
from .track import Track
from .traces import TRACE_NOW_MACS, Traces, every_core
from .training import RunResult

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
    """Training as a state machine, its commands, its snapshots (see the module doc)."""

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
        self.track: Track | None = None  # the network trained, its context, what is kept of its run
        self.state = State.READY
        self.chunk = 1
        # the last iteration's trace (deferred with defer_traces) and the next's, across networks
        self.traces = Traces()
        self.last_mse = float("nan")  # of the last iteration run
        # the one line of the last error inside training (None once training starts again); its
        # traceback went to the log (nnviz.logs says where the entry points send it)
        self.failure: str | None = None
        self.commands = 0  # commands taken so far (counted by the caller): a snapshot tells which it reflects
        # set by interrupt() from any thread: the chunk under way ends early (within a block of rows)
        self._interrupt = np.zeros(1, dtype=np.int64)
        # Play's pace (the window's speed control); None: as fast as the machine goes (the CLI,
        # Step N).  The schedule runs from (clock, iteration) at Play, moved on when training lags.
        self.schedule = Schedule()
        self._remaining = 0
        self._last_emit = -np.inf
        self.stopped: str | None = None  # why training stopped
        self.message = ""  # ... in a sentence
        # while the compiled kernel loads (or compiles, the first run after installing): the
        # snapshots carry no next step (it would wait for the kernel) and, past a second, a note
        self.kernel_loading = False
        self.kernel_note = ""
        # the snapshots: what the visible views need (set_view), the hints' and the Dynamics tab's
        # history across snapshots
        self.maker = SnapshotMaker()

    # the window sets these: at rest, a big network's trace comes in a second snapshot, so that
    # "paused" is painted without waiting for a replay of the last iteration, made only once the
    # runner has rested ``trace_delay`` seconds: a Step or Reset right after a Pause (or Steps in
    # a row) does not wait behind a trace about to be outdated (0.1 s on 784-256-256-10 x 1,797 rows)
    defer_traces = property(lambda self: self.traces.defer, lambda self, v: setattr(self.traces, "defer", bool(v)))
    trace_delay = property(lambda self: self.traces.delay, lambda self, v: setattr(self.traces, "delay", v))

    needs = property(lambda self: self.maker.view.needs)  # what the visible views need (set_view)
    pace = property(lambda self: self.schedule.pace)  # Play's (set_pace)

    @property
    def exp(self) -> Experiment | None:
        return self.track.exp if self.track is not None else None

    @property
    def context(self) -> Context | None:
        return self.track.context if self.track is not None else None

    @property
    def timeline(self) -> Timeline:
        return self.track.history.timeline if self.track is not None else Timeline()

    # -- commands: functions of the runner (see the module doc), bound as its methods -------------
    # which network is trained, and its rows
    configure = lifecycle.configure
    adopt = lifecycle.adopt
    reset = lifecycle.reset
    set_data = lifecycle.set_data
    # at rest: one stage, back, resume from, a look back, a weight edited; a film's source
    micro_step = stepping.micro_step
    step_back = stepping.step_back
    resume_from = stepping.resume_from
    preview = stepping.preview
    set_weight = stepping.set_weight
    film_source = stepping.film_source

    def set_view(self, needs, selected_row: int | None = None, node=()) -> None:
        """What the visible views need computed with each snapshot, the selected observation and
        node (snapshot_maker.View.set); a snapshot at rest when anything changed."""
        if self.maker.view.set(needs, selected_row, node) and self.track is not None and not self.state.live:
            self._emit(force=True)

    def interrupt(self) -> None:
        """Cut the chunk under way short, so that a command sent just before is taken at once.

        The one method another thread may call.  Iterations already done are kept; the one
        under way is dropped (the numba engine looks between blocks of rows, the NumPy engine
        between iterations).  The next chunk runs as usual."""
        self._interrupt[0] = 1

    def set_pace(self, pace: Pace | None) -> None:
        """Play at this pace from now on (None: as fast as possible)."""
        self.schedule.pace = pace
        self.schedule.follow(self.clock(), self.iteration)

    def wait(self) -> float:
        """Seconds until ``advance()`` has something to do: the next paced iteration, or the
        deferred trace; 0 when it has work now."""
        if not self.busy:
            return self.trace_wait()
        return self.schedule.paced(self.state == State.RUNNING).wait(self.clock(), self.iteration)

    def trace_wait(self) -> float:
        """Seconds until the deferred trace is due (0 when none is waiting or it is due)."""
        return self.traces.wait(self.clock())

    # -- queries ------------------------------------------------------------
    def _track(self) -> Track:
        """The network's track (for the methods that run only once there is one)."""
        if self.track is None:
            raise RuntimeError("the runner has no experiment yet: configure or adopt one first")
        return self.track

    @property
    def busy(self) -> bool:
        """True while there are iterations to run: call ``advance()``."""
        return self.track is not None and self.state.live and self._remaining > 0

    @property
    def has_work(self) -> bool:
        """True while ``advance()`` has something to do: iterations, or a deferred trace."""
        return self.busy or (self.track is not None and self.traces.due is not None)

    @property
    def iteration(self) -> int:
        return self.track.iteration if self.track is not None else 0

    # -- running ---------------------------------------------------------------
    def play(self) -> None:
        if self.track is None or self.state == State.RUNNING:
            return
        self._leave_early_stop()
        limit = self.track.exp.settings.iterations
        if limit - self.iteration <= 0:
            self.stopped = "max_iterations"
            self.message = f"reached the maximum of {limit:,} iterations: raise it to train on, or Reset"
            self.state = State.FINISHED
            return self._emit(force=True)
        self._start(limit - self.iteration, State.RUNNING)

    def step(self, n: int = 1) -> None:
        """Run n iterations, then pause (works while paused and leaves it paused)."""
        if self.track is None or n <= 0:
            return
        if n > 1 or self.state.live:
            return self._start(n, State.STEPPING)
        stepping.single_step(self)  # one iteration, with its trace, at once

    def _start(self, n: int, state: State) -> None:
        self._leave_early_stop()
        track = self._track()
        self.failure = None
        track.micro, track.preview_at = None, None
        self._remaining = n
        self.state = state
        self.stopped, self.message = None, ""
        now = self.clock()
        track.progress.start(now)
        self.schedule.follow(now, self.iteration)

    def pause(self) -> None:
        if self.state.live:
            self._rest(State.PAUSED)

    def advance(self) -> None:
        """One chunk of iterations (about ``chunk_seconds`` of work), then maybe a snapshot; at
        rest, the deferred trace (see ``defer_traces``)."""
        if not self.busy:
            if self.traces.due is not None and self.track is not None and self.trace_wait() <= 0:
                with every_core(self.track.session):  # nothing trains beside it
                    if self.track.complete_trace(idle=not self.state.live):
                        self._emit(force=True)
            return
        track = self._track()
        exp = track.exp
        schedule, frame_rate = self.schedule.paced(self.state == State.RUNNING), 1 / self.emit_seconds
        n = schedule.allowed(min(self.chunk, self._remaining), self.clock(), self.iteration, frame_rate)
        if n <= 0:
            return  # the next iteration is not due yet (see wait())
        t0 = self.clock()
        try:
            res = track.early.run(exp, n, self._interrupt)
        except Exception as exc:  # a bug must not kill the thread or lose the weights
            self._interrupt[0] = 0
            self._remaining = 0
            self.state = State.PAUSED
            self.failure = f"training stopped: {exc}"
            log.exception("training stopped at iteration %d (%s)", exp.session.iteration, exp.settings)
            return self._fail(self.failure)
        dt = self.clock() - t0
        self._interrupt[0] = 0  # taken: the command that asked for it runs next
        schedule.ran(self.clock(), exp.session.iteration)
        self.chunk = next_chunk(self.chunk, n, res.iterations, dt, self.chunk_seconds)
        track.trained(res)
        if res.iterations:
            self.last_mse = float(res.mse[-1])
        self._remaining -= res.iterations
        track.progress.timed(res.iterations, dt, t0, self.clock())
        if res.stopped:
            return self._stop(res)
        if self._remaining <= 0:
            return self._rest(State.PAUSED) if self.state == State.STEPPING else self._finish("max_iterations")
        self._emit(force=schedule.every_iteration(exp.session.iteration, frame_rate), slack=dt / 2)

    def _stop(self, res: RunResult) -> None:
        """Training stopped by itself: early (the best weights restored), threshold, divergence."""
        if res.stopped == "early_stop":
            self.message = self._track().restore_best()
        self.message = res.message or self.message
        self._finish(res.stopped or "")
        if res.stopped == "diverged":
            self.listener.on_error(res.message)

    def _leave_early_stop(self) -> None:
        """Training goes on after an early stop: the curves are cut at the best iteration."""
        if self._track().leave_early_stop():
            self.stopped, self.message = None, ""
            self._emit(force=True)

    def _finish(self, why: str) -> None:
        self.stopped = why
        self._rest(State.FINISHED)

    def _rest(self, state: State) -> None:
        """Training stopped: a checkpoint and the trace of the last iteration (for a big network
        with ``defer_traces``: due, made by the next ``advance()``; headless, as in nnviz train
        and sweeps, none: on a million rows replaying it cost 8 of 14 seconds), a snapshot."""
        self._remaining = 0
        self.state = state
        self._track().rest(self.clock(), wanted="trace" in self.maker.view.needs)
        self._emit(force=True)

    # -- what the commands ask of the state machine, and the snapshots --------------------------
    def _adopted(self, track: Track) -> None:
        """A new network's track (lifecycle.adopt): ready, nothing stopped, the first row selected."""
        self.track = track
        self.state, self._remaining, self.chunk = State.READY, 0, 1  # the chunk is re-learned for every network
        self.stopped, self.message = None, ""
        self.maker.view.row = 0

    def _retrained(self, settings: Settings) -> None:
        """New training settings were taken on the same weights (lifecycle.configure): training
        goes on to their iteration limit (a running one finishes when it is reached)."""
        self.stopped, self.message = None, ""
        if self.state == State.RUNNING:
            self._remaining = max(settings.iterations - self.iteration, 0)
            if self._remaining == 0:
                return self._finish("max_iterations")
        elif self.state == State.FINISHED:
            self.state = State.PAUSED
        self._emit(force=True)

    def _kernel_waiting(self, note: str | None) -> None:
        """The compiled kernel is still loading (kernel_load.load_kernel): a snapshot without the
        next step (it would wait for the kernel), with ``note``; None: no longer."""
        self.kernel_loading, self.kernel_note = note is not None, note or ""
        if note is not None:
            self._emit(force=True)

    def _made(self, move: Callable[..., None], *args) -> bool:
        """Make a move of the track (True); False when it raised a ValueError: its line was sent."""
        try:
            move(*args)
        except ValueError as exc:
            self._fail(str(exc))
            return False
        return True

    def _paused(self, unstop: bool = True) -> None:
        """A move at rest was made: paused (``unstop``: no longer stopped either), a snapshot."""
        self.state = State.PAUSED
        if unstop:
            self.stopped = None
        self._emit(force=True)

    def _fail(self, message: str) -> None:
        self.listener.on_error(message)
        self._emit(force=True)

    def _emit(self, force: bool = False, slack: float = 0.0) -> None:
        """A snapshot, at most one per ``emit_seconds`` unless forced; one due within ``slack``
        (half the chunk just run) is sent now rather than a whole chunk late."""
        now = self.clock()
        if self.track is None or (not force and now - self._last_emit < self.emit_seconds - slack):
            return
        self._last_emit = now
        self.listener.on_snapshot(self.snapshot())

    def snapshot(self) -> Snapshot:
        """The state now (or the preview asked for), with the derived data the views need."""
        self._track()  # none without a network
        snap, problem = self.maker.snapshot(self)
        if problem is not None:
            self.listener.on_error(problem)  # the look back could not be replayed: the present
        return snap
