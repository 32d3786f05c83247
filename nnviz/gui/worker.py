"""The training worker: a thin QObject, moved to a QThread, around a ``core.runner.Runner``.

Each command slot calls the runner in the worker thread; while the runner is
busy a zero-interval QTimer calls ``advance()`` (one chunk, about 20 ms), so
queued commands (pause, step, reset, configure) run between chunks.  The
runner's contexts, snapshots and errors become signals.  The worker never
touches a widget.
"""

from __future__ import annotations

import threading

from PySide6.QtCore import QObject, QTimer, Signal, Slot

from ..core.data import Dataset
from ..core.experiment import Experiment, Settings
from ..core.model import Model
from ..core.runner import Runner


class TrainingWorker(QObject):
    """Owns the Runner; lives in the training thread."""

    configured = Signal(object)  # runner.Context
    snapshot = Signal(object)  # Snapshot
    failed = Signal(str)  # one-line message; the last good state is kept
    film_source = Signal(object)  # core.film.Source of the run, asked for by make_film_source

    def __init__(self):
        super().__init__()
        # a command cuts an iteration short (numba at any size); a core is left to the GUI thread
        self.runner = Runner(self, interruptible=True, leave_cores=1)
        self.runner.defer_traces = True  # "paused" first, the inspector's matrices just after
        self.runner.trace_delay = 0.15  # ... once no other command came for 0.15 s
        self.stop_event = threading.Event()
        self._timer: QTimer | None = None

    # -- the runner's listener (called in this thread) -------------------------
    def on_context(self, ctx) -> None:
        self.configured.emit(ctx)

    def on_snapshot(self, snap) -> None:
        self.snapshot.emit(snap)

    def on_error(self, message: str) -> None:
        self.failed.emit(message)

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

    def _kick(self) -> None:
        """Start or stop the chunk timer to match the runner."""
        if self._timer is None:
            return
        if self.runner.has_work and not self.stop_event.is_set():
            # training: at once, again and again (paced: when the next iteration is due); a
            # deferred trace: when it is due
            interval = int(self.runner.wait() * 1000 + 0.999)
            if self._timer.interval() != interval:
                self._timer.setInterval(interval)
            if not self._timer.isActive():
                self._timer.start()
        elif self._timer.isActive():
            self._timer.stop()

    def _do(self, command, *args) -> None:
        self.runner.commands += 1  # counted here, once per command the GUI sent
        command(*args)
        self._kick()

    @Slot()
    def _tick(self) -> None:
        if self.stop_event.is_set():
            self._kick()
            return
        self.runner.advance()
        self._kick()

    # -- commands (queued from the GUI thread) -------------------------------------
    @Slot(object, object, object)
    def configure(self, settings: Settings, dataset: Dataset | None, init: Model | None) -> None:
        self._do(self.runner.configure, settings, dataset, init)

    @Slot(object, object, object, object)
    def adopt(self, exp: Experiment, history_x: object, history_y: object, validation: object) -> None:
        vx, vy = validation if isinstance(validation, tuple) else (None, None)
        self._do(self.runner.adopt, exp, history_x, history_y, vx, vy)

    @Slot()
    def play(self) -> None:
        self._do(self.runner.play)

    @Slot()
    def pause(self) -> None:
        self._do(self.runner.pause)

    @Slot(int)
    def step(self, n: int) -> None:
        self._do(self.runner.step, n)

    @Slot()
    def micro_step(self) -> None:
        self._do(self.runner.micro_step)

    @Slot()
    def step_back(self) -> None:
        self._do(self.runner.step_back)

    @Slot(int)
    def resume_from(self, iteration: int) -> None:
        self._do(self.runner.resume_from, iteration)

    @Slot(int)
    def preview(self, iteration: int) -> None:
        self._do(self.runner.preview, iteration)

    @Slot(int, int, int, float)
    def set_weight(self, layer: int, row: int, col: int, value: float) -> None:
        self._do(self.runner.set_weight, layer, row, col, value)

    @Slot(object)
    def set_data(self, dataset: Dataset) -> None:
        self._do(self.runner.set_data, dataset)

    @Slot()
    def reset(self) -> None:
        self._do(self.runner.reset)

    @Slot(object)
    def set_pace(self, pace) -> None:
        """Play's pace (core.pace.Pace), or None for as fast as possible."""
        self._do(self.runner.set_pace, pace)

    @Slot()
    def make_film_source(self) -> None:
        """The run's stored states for a film (made here, between chunks; training goes on)."""
        if self.runner.exp is not None:
            self.film_source.emit(self.runner.film_source())

    @Slot(object, int, object)
    def set_view(self, needs, selected_row: int, node=None) -> None:
        """What the visible views need, the selected observation and node ((layer, index) or None)."""
        self.runner.set_view(needs, selected_row, node)
