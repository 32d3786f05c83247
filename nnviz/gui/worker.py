"""The training worker: a QObject moved to a QThread, driving the NumPy core.

A zero-interval QTimer in the worker thread runs one chunk of iterations per
tick (about 20 ms of work), so the worker's queued slots (pause, step,
reset, configure) run between chunks.  After a chunk the worker emits an
immutable ``Snapshot`` at most every ~33 ms, and always on pause, step,
finish and error.  Every snapshot carries the mse values since the last one
so the curve misses no points.  The worker never touches a widget.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

import numpy as np
from PySide6.QtCore import QObject, QTimer, Signal, Slot

from ..core import metrics
from ..core.data import Dataset, Scaling
from ..core.experiment import Experiment, Settings
from ..core.model import Model
from ..core.network import Architecture
from ..core.snapshot import Snapshot, frozen
from ..core.timeline import MicroSteps, Timeline
from ..core.training import StepTrace, TrainConfig

CHUNK_SECONDS = 0.02
EMIT_SECONDS = 1 / 30


@dataclass(frozen=True)
class Context:
    """What stays fixed until the next configure: data, split, architecture, scaling."""

    generation: int
    settings: Settings
    dataset: Dataset
    train: Dataset
    test: Dataset | None
    arch: Architecture
    scaling: Scaling
    X_train: np.ndarray  # scaled inputs of the training rows


# Fields of Settings that only change how training proceeds, not the network or data.
TRAINING_ONLY = ("algorithm", "lr", "momentum", "batch_size", "threshold", "iterations")


class TrainingWorker(QObject):
    """Owns the Experiment; lives in the training thread."""

    configured = Signal(object)  # Context
    snapshot = Signal(object)  # Snapshot
    failed = Signal(str)  # one-line message; the last good state is kept

    def __init__(self):
        super().__init__()
        self.exp: Experiment | None = None
        self.stop_event = threading.Event()
        self._timer: QTimer | None = None
        self._generation = 0
        self._remaining = 0
        self._state = "ready"
        self._chunk = 10
        self._pending_x: list[np.ndarray] = []
        self._pending_y: list[np.ndarray] = []
        self._last_emit = 0.0
        self._run_started = None
        self._run_iters = 0
        self._rate = 0.0
        self._stopped: str | None = None
        self._message = ""
        self.timeline = Timeline()
        self._trace: StepTrace | None = None  # the last iteration, every matrix of it
        self._micro: MicroSteps | None = None
        self._rewound = False

    # -- lifecycle -------------------------------------------------------
    @Slot()
    def start(self) -> None:
        """Called in the worker thread once it runs: create the chunk timer there."""
        self._timer = QTimer(self)
        self._timer.setInterval(0)
        self._timer.timeout.connect(self._tick)

    @Slot()
    def shutdown(self) -> None:
        """Stop for good (in the worker thread): the timer is destroyed here, in its own thread."""
        self.stop_event.set()
        if self._timer is not None:
            self._timer.stop()
            self._timer.setParent(None)
            self._timer = None

    # -- commands ----------------------------------------------------------
    @Slot(object, object, object)
    def configure(self, settings: Settings, dataset: Dataset | None, init: Model | None) -> None:
        """New settings.  Training-only changes keep the weights; others rebuild the network."""
        was_running = self._state == "running"
        try:
            if (self.exp is not None and dataset is None and init is None
                    and _same_network(self.exp.settings, settings)):
                exp = self.exp
                config = TrainConfig(settings.lr, settings.algorithm, settings.momentum,
                                     settings.batch_size, settings.threshold)  # validates
                if settings.iterations < 0:
                    raise ValueError("the number of iterations cannot be negative")
                self._micro = None
                exp.session.reconfigure(config)
                exp.config = config
                exp.settings = settings
                self.timeline.record(exp.session)  # replays from here use the new settings
                self._stopped = None
                if was_running:
                    self._remaining = max(settings.iterations - exp.session.iteration, 0)
                    if self._remaining == 0:
                        self._finish("max_iterations")
                        return
                self._emit(force=True)
                return
            keep = self.exp.dataset if (dataset is None and self.exp is not None
                                        and _same_data(self.exp.settings, settings)) else dataset
            exp = Experiment(settings, dataset=keep, init=init)
        except ValueError as exc:
            self.failed.emit(str(exc))
            self._emit(force=True)
            return
        self._install(exp)

    @Slot(object)
    def adopt(self, exp: Experiment) -> None:
        """Take over an experiment built elsewhere (an opened session), as it is."""
        self._install(exp)

    def _install(self, exp: Experiment) -> None:
        self._pause_timer()
        self.exp = exp
        self._generation += 1
        self._state = "ready"
        self._stopped, self._message = None, ""
        self._pending_x.clear()
        self._pending_y.clear()
        self._rate = 0.0
        self._trace, self._micro = None, None
        self.timeline = Timeline()
        self.timeline.record(exp.session)
        self.configured.emit(Context(self._generation, exp.settings, exp.dataset, exp.train, exp.test,
                                     exp.arch, exp.scaling, frozen(exp.X_train)))
        self._emit(force=True)

    @Slot()
    def play(self) -> None:
        if self.exp is None:
            return
        remaining = self.exp.settings.iterations - self.exp.session.iteration
        if remaining <= 0:
            self._stopped = "max_iterations"
            self._message = (f"reached the maximum of {self.exp.settings.iterations} iterations: "
                             "raise it to train on, or Reset")
            self._state = "finished"
            self._emit(force=True)
            return
        self._start_run(remaining)

    @Slot(int)
    def step(self, n: int) -> None:
        """Run n iterations, then pause (Step works while paused and leaves it paused)."""
        if self.exp is None or n <= 0:
            return
        self._start_run(n, stepping=True)

    def _start_run(self, n: int, stepping: bool = False) -> None:
        self._micro = None
        if stepping and n == 1 and self._state != "running":
            self._single_step()
            return
        self._remaining = n
        self._state = "stepping" if stepping else "running"
        self._stopped, self._message = None, ""
        self._run_started = time.perf_counter()
        self._run_iters = 0
        if self._timer is not None and not self._timer.isActive():
            self._timer.start()

    @Slot()
    def pause(self) -> None:
        if self._state in ("running", "stepping"):
            self._pause_timer()
            self._state = "paused"
            self._at_rest()
            self._emit(force=True)

    def _at_rest(self) -> None:
        """Training stopped: keep a checkpoint and the trace of the last iteration."""
        self.timeline.record(self.exp.session)
        self._trace = self._trace_of_last()

    def _trace_of_last(self) -> StepTrace | None:
        """Every matrix of the last iteration, rebuilt by replaying it on a copy."""
        session = self.exp.session
        if session.iteration == 0:
            return None
        try:
            twin = session.clone()
            twin.set_state(self.timeline.state_at(session, session.iteration - 1))
            return twin.step_trace()
        except (ValueError, FloatingPointError):
            return None

    def _single_step(self) -> None:
        """One iteration with its trace (the same weights as run(1))."""
        session = self.exp.session
        try:
            self._trace = session.step_trace()
        except FloatingPointError as exc:
            self.failed.emit(str(exc))
            return
        self._pending_x.append(np.array([session.iteration - 1]))
        self._pending_y.append(np.array([self._trace.mse]))
        self.timeline.record(session)
        self._state = "paused"
        self._emit(force=True)

    # -- step-through --------------------------------------------------------------
    def _halt(self) -> None:
        """Before a step-through command: pause training and leave any micro-steps."""
        if self._state in ("running", "stepping"):
            self.pause()
        self._micro = None

    @Slot()
    def micro_step(self) -> None:
        """The next stage of the current iteration; the last stage applies the update."""
        if self.exp is None:
            return
        if self._state in ("running", "stepping"):
            self.pause()
        session = self.exp.session
        if self._micro is None:
            try:
                self._micro = MicroSteps(session)
            except FloatingPointError as exc:
                self.failed.emit(str(exc))
                return
        elif not self._micro.done:
            if self._micro.advance() == "update":
                self._micro.finish(session)
                self._pending_x.append(np.array([session.iteration - 1]))
                self._pending_y.append(np.array([self._micro.trace.mse]))
                self.timeline.record(session)
        else:  # the update was shown: start the next iteration
            self._micro = None
            self.micro_step()
            return
        self._trace = self._micro.trace
        self._state = "paused"
        self._emit(force=True)

    @Slot()
    def step_back(self) -> None:
        """Undo one iteration (or leave the micro-steps of an iteration not yet applied)."""
        if self.exp is None:
            return
        unapplied = self._micro is not None and not self._micro.done
        self._halt()
        if unapplied:
            self._trace = self._trace_of_last()
            self._emit(force=True)
            return
        session = self.exp.session
        if session.iteration == 0:
            return
        self._go_to(session.iteration - 1)

    def _go_to(self, iteration: int) -> None:
        session = self.exp.session
        try:
            session.set_state(self.timeline.state_at(session, iteration))
        except ValueError as exc:
            self.failed.emit(str(exc))
            return
        self.timeline.truncate(iteration)
        self.timeline.record(session)
        self._trace = self._trace_of_last()
        self._state = "paused"
        self._stopped = None
        self._rewound = True
        self._pending_x.clear()
        self._pending_y.clear()
        self._emit(force=True)

    @Slot(int)
    def resume_from(self, iteration: int) -> None:
        """Make an earlier iteration the current one; what came after is discarded."""
        if self.exp is None:
            return
        self._halt()
        self._go_to(max(0, min(iteration, self.exp.session.iteration)))

    @Slot(int)
    def preview(self, iteration: int) -> None:
        """Emit the network as it was at ``iteration`` (a preview; training state unchanged)."""
        if self.exp is None:
            return
        session = self.exp.session
        iteration = max(0, min(iteration, session.iteration))
        if iteration == session.iteration:
            self._emit(force=True)  # the present: an ordinary snapshot
            return
        try:
            twin = session.clone()
            twin.set_state(self.timeline.state_at(session, iteration))
        except ValueError as exc:
            self.failed.emit(str(exc))
            return
        self._emit(force=True, preview=twin)

    @Slot(int, int, int, float)
    def set_weight(self, layer: int, row: int, col: int, value: float) -> None:
        """Edit one weight; training continues from the edited network."""
        if self.exp is None:
            return
        self._halt()
        W = self.exp.network.weights
        if not (0 <= layer < len(W) and 0 <= row < W[layer].shape[0] and 0 <= col < W[layer].shape[1]):
            self.failed.emit(f"there is no weight W{layer + 1}[{row}, {col}]")
            return
        if not np.isfinite(value):
            self.failed.emit("a weight must be a finite number")
            return
        W[layer][row, col] = value
        session = self.exp.session
        self.timeline.truncate(session.iteration - 1)
        self.timeline.record(session)
        self._trace = None
        self._rewound = True
        self._emit(force=True)

    @Slot()
    def reset(self) -> None:
        """New random weights (the seed's), same settings and data."""
        if self.exp is None:
            return
        try:
            exp = Experiment(self.exp.settings, dataset=self.exp.dataset)
        except ValueError as exc:
            self.failed.emit(str(exc))
            return
        self._install(exp)

    # -- the loop ----------------------------------------------------------
    def _pause_timer(self) -> None:
        if self._timer is not None:
            self._timer.stop()
        self._remaining = 0

    @Slot()
    def _tick(self) -> None:
        exp = self.exp
        if exp is None or self._remaining <= 0 or self.stop_event.is_set():
            self._pause_timer()
            return
        n = min(self._chunk, self._remaining)
        t0 = time.perf_counter()
        try:
            res = exp.session.run(n)
        except Exception as exc:  # a bug must not kill the thread or lose the weights
            self._pause_timer()
            self._state = "paused"
            self.failed.emit(f"training stopped: {exc}")
            self._emit(force=True)
            return
        dt = time.perf_counter() - t0
        self._chunk = int(min(max(self._chunk * CHUNK_SECONDS / max(dt, 1e-6), 1), 100_000))
        if res.iterations:
            start = exp.session.iteration - res.iterations
            self._pending_x.append(np.arange(start, exp.session.iteration))
            self._pending_y.append(res.mse)
        self._remaining -= res.iterations
        self._run_iters += res.iterations
        self.timeline.record(exp.session)
        elapsed = time.perf_counter() - self._run_started
        self._rate = self._run_iters / elapsed if elapsed > 0 else 0.0
        if res.stopped:
            self._message = res.message
            self._finish(res.stopped)
            if res.stopped == "diverged":
                self.failed.emit(res.message)
            return
        if self._remaining <= 0:
            if self._state == "stepping":
                self._pause_timer()
                self._state = "paused"
                self._at_rest()
                self._emit(force=True)
            else:
                self._finish("max_iterations")
            return
        self._emit()

    def _finish(self, why: str) -> None:
        self._pause_timer()
        self._state = "finished"
        self._stopped = why
        self._at_rest()
        self._emit(force=True)

    def _emit(self, force: bool = False, preview=None) -> None:
        now = time.perf_counter()
        if not force and now - self._last_emit < EMIT_SECONDS:
            return
        self._last_emit = now
        exp = self.exp
        if exp is None:
            return
        if preview is not None:
            self._emit_preview(preview)
            return
        xs = np.concatenate(self._pending_x) if self._pending_x else np.empty(0, dtype=np.int64)
        ys = np.concatenate(self._pending_y) if self._pending_y else np.empty(0)
        self._pending_x.clear()
        self._pending_y.clear()
        xs.flags.writeable = False
        ys.flags.writeable = False
        at_rest = self._state not in ("running", "stepping")
        snap = Snapshot(
            generation=self._generation,
            iteration=exp.session.iteration,
            new_iterations=xs,
            new_mse=ys,
            state=self._state,
            stopped=self._stopped,
            message=self._message,
            iterations_per_second=self._rate,
            training_seconds=(now - self._run_started) if self._run_started else 0.0,
            trace=self._trace if at_rest else None,
            stage=self._micro.stage if self._micro is not None else None,
            rewound=self._rewound,
            train_state=exp.session.get_state() if at_rest else None,
            settings=exp.settings,
            **self._network_fields(exp.network),
        )
        self._rewound = False
        self.snapshot.emit(snap)

    def _emit_preview(self, twin) -> None:
        empty = np.empty(0)
        empty.flags.writeable = False
        self.snapshot.emit(Snapshot(
            generation=self._generation, iteration=twin.iteration,
            new_iterations=empty.astype(np.int64), new_mse=empty,
            state=self._state, stopped=self._stopped, preview=True,
            **self._network_fields(twin.net)))

    def _network_fields(self, net) -> dict:
        """The snapshot fields that depend on a network: its weights, outputs and metrics."""
        exp = self.exp
        Yhat = net.predict(exp.X_train)
        Th = net.predict(exp.X_test) if exp.X_test is not None else None
        return dict(
            weights=tuple(frozen(W) for W in net.weights),
            mse=metrics.mse(exp.Y_train, Yhat),
            accuracy=metrics.accuracy(exp.task, exp.Y_train, Yhat),
            test_mse=metrics.mse(exp.Y_test, Th) if Th is not None else None,
            test_accuracy=metrics.accuracy(exp.task, exp.Y_test, Th) if Th is not None else None,
            outputs=frozen(Yhat),
            test_outputs=frozen(Th) if Th is not None else None,
        )


def _same_data(a: Settings, b: Settings) -> bool:
    return all(getattr(a, f) == getattr(b, f) for f in ("data", "target", "classify", "noise", "seed"))


def _same_network(a: Settings, b: Settings) -> bool:
    fields = set(Settings.__dataclass_fields__) - set(TRAINING_ONLY)
    return all(getattr(a, f) == getattr(b, f) for f in fields)
