"""The controller: owns the training thread and worker, keeps the latest snapshot,
and repaints the views on its own clock (a 16 ms timer that paints only a snapshot not yet painted).

Data flows one way: worker --snapshot--> controller --render--> views.  The
controller talks to the worker only through queued signals, so no call from
the GUI ever waits for a chunk of training to end.  Every frame hands all
views the same snapshot (``render``); a snapshot that arrives between two
ticks replaces the one before it, and a command's answer (pause, step, a
preview) is painted at once.
"""

from __future__ import annotations

import time
from typing import cast

from PySide6.QtCore import QMetaObject, QObject, Qt, QThread, QTimer, Signal, Slot

from ..core.data import Dataset
from ..core.experiment import Settings
from ..core.model import Model
from ..core.runner import Context
from ..core.snapshot import History, Snapshot
from .worker import TrainingWorker

SLOW_PACE = 30.0  # iterations per second up to which every iteration is painted (runner: a snapshot each)
REPAINT_MS = 16  # a new snapshot (about 30 a second) is painted within 16 ms of arriving


class Controller(QObject):
    """GUI-thread side of training: commands out, snapshots in, repaint clock."""

    # commands, delivered to the worker's thread (queued)
    _configure = Signal(object, object, object)
    _play = Signal()
    _pause = Signal()
    _step = Signal(int)
    _reset = Signal()
    _micro = Signal()
    _adopt = Signal(object, object, object, object)
    _back = Signal()
    _preview = Signal(int)
    _resume = Signal(int)
    _set_weight = Signal(int, int, int, float)
    _set_data = Signal(object)
    _set_view = Signal(object, int, object)
    _film_source = Signal()
    _set_pace = Signal(object)

    # for the window (GUI thread)
    contextChanged = Signal(object)  # Context
    dataChanged = Signal(object)  # Context of the same network on edited rows, just before their first frame
    render = Signal(object)  # Snapshot, at most ~30 per second
    error = Signal(str)
    filmSource = Signal(object)  # core.film.Source, after request_film_source()

    def __init__(self, parent=None):
        super().__init__(parent)
        self.context: Context | None = None
        self._data_context: Context | None = None  # edited rows, waiting for their first snapshot
        self.latest: Snapshot | None = None  # what the views show (may be a preview)
        self.present: Snapshot | None = None  # the training state itself
        self.history = History()  # the mse of every iteration's batch (thinned when long)
        self.full_history = History(sparse=True)  # the whole training set's mse, at evaluation points
        self.test_history = History(sparse=True)  # the test set's mse, at the same iterations
        self.val_history = History(sparse=True)  # the validation mse (early stopping), every k iterations
        self.snapshots_received = 0
        self.frames_rendered = 0
        self.live_frames = 0  # frames painted while training ran
        self.live_seconds = 0.0
        self._live_since: float | None = None
        self._dirty = False
        self._sent = 0  # commands sent; a snapshot with snap.commands == _sent reflects all of them
        self._want_running = False
        self.pace = None  # Play's pace as last set (core.pace.Pace, None: as fast as possible)

        self.training_thread = QThread()
        self.training_thread.setObjectName("nnviz-training")
        self.worker = TrainingWorker()
        self.worker.moveToThread(self.training_thread)
        self.training_thread.started.connect(self.worker.start)
        self._configure.connect(self.worker.configure)
        self._play.connect(self.worker.play)
        self._pause.connect(self.worker.pause)
        self._step.connect(self.worker.step)
        self._reset.connect(self.worker.reset)
        self._micro.connect(self.worker.micro_step)
        self._adopt.connect(self.worker.adopt)
        self._back.connect(self.worker.step_back)
        self._preview.connect(self.worker.preview)
        self._resume.connect(self.worker.resume_from)
        self._set_weight.connect(self.worker.set_weight)
        self._set_data.connect(self.worker.set_data)
        self._set_view.connect(self.worker.set_view)
        self._film_source.connect(self.worker.make_film_source)
        self._set_pace.connect(self.worker.set_pace)
        self.worker.film_source.connect(self._on_film_source)
        self.worker.snapshot.connect(self._on_snapshot)
        self.worker.configured.connect(self._on_configured)
        self.worker.failed.connect(self._on_failed)
        self.training_thread.start()

        self._preview_wanted: int | None = None
        self._preview_timer = QTimer(self)  # dragging the history slider: at most ~20 requests a second
        self._preview_timer.setSingleShot(True)
        self._preview_timer.setInterval(50)
        self._preview_timer.timeout.connect(self._send_preview)

        self.timer = QTimer(self)
        self.timer.setInterval(REPAINT_MS)
        self.timer.timeout.connect(self._repaint)
        self.timer.start()

    # -- commands ------------------------------------------------------------
    def _send(self, signal, *args, running: bool | None = None) -> None:
        self._sent += 1
        if running is not None:
            self._want_running = running
        signal.emit(*args)
        # queued first, then the chunk under way is cut short: the command is taken next (for a
        # big network, a chunk can be one long iteration)
        self.worker.runner.interrupt()

    def configure(self, settings: Settings, dataset: Dataset | None = None, init: Model | None = None) -> None:
        self._send(self._configure, settings, dataset, init)

    def play(self) -> None:
        self._send(self._play, running=True)

    def pause(self) -> None:
        self._send(self._pause, running=False)

    def step(self, n: int = 1) -> None:
        self._send(self._step, int(n), running=int(n) > 1)

    def reset(self) -> None:
        self._send(self._reset, running=False)

    def micro_step(self) -> None:
        self._send(self._micro, running=False)

    def adopt(self, experiment, history_x=None, history_y=None, validation_x=None, validation_y=None) -> None:
        """Hand a ready experiment (an opened session) to the worker, with its error history
        (and validation curve)."""
        validation = (validation_x, validation_y) if validation_x is not None else None
        self._send(self._adopt, experiment, history_x, history_y, validation, running=False)

    def step_back(self) -> None:
        self._send(self._back, running=False)

    def set_pace(self, pace) -> None:
        """Play's pace from now on (core.pace.Pace; None: as fast as possible)."""
        self.pace = pace
        self._send(self._set_pace, pace)

    def preview(self, iteration: int) -> None:
        """Show the network as it was at ``iteration`` (requests are coalesced)."""
        self._preview_wanted = int(iteration)
        if not self._preview_timer.isActive():
            self._preview_timer.start()

    def _send_preview(self) -> None:
        if self._preview_wanted is not None:
            self._send(self._preview, self._preview_wanted, running=False)
            self._preview_wanted = None

    def resume_from(self, iteration: int) -> None:
        self._send(self._resume, int(iteration), running=False)

    def set_weight(self, layer: int, row: int, col: int, value: float) -> None:
        self._send(self._set_weight, int(layer), int(row), int(col), float(value), running=False)

    def set_data(self, dataset: Dataset) -> None:
        """Train on other rows (edited points) from the current weights; a running training runs on."""
        self._send(self._set_data, dataset)

    def set_view(self, needs, selected_row: int, node: tuple[int, int] | None = None) -> None:
        """Tell the runner what the visible views need computed, the selected observation and
        the selected node of the diagram ((layer, index), or None)."""
        self._set_view.emit(frozenset(needs), int(selected_row), None if node is None else tuple(node))

    def current_settings(self) -> Settings | None:
        """The settings in force: the present snapshot's (a changed learning rate included),
        else those the network was configured with; None before the first network."""
        present, ctx = self.present, self.context
        if present is not None and present.settings is not None:
            return cast(Settings, present.settings)
        return ctx.settings if ctx is not None else None

    @property
    def running(self) -> bool:
        """Training runs, or was told to: decided from the commands sent, not only from the
        last snapshot (two quick Play presses must not both send play)."""
        snap = self.present
        if snap is not None and snap.commands >= self._sent:
            return snap.state in ("running", "stepping")
        return self._want_running

    def shutdown(self) -> None:
        """Stop training and the thread; safe to call twice."""
        self.timer.stop()
        self._preview_timer.stop()
        if self.training_thread.isRunning():
            self.worker.stop_event.set()  # no new chunk starts; the current one ends (<~20 ms)
            self.worker.runner.interrupt()  # ... at once
            # the worker stops and drops its timer in its own thread, then the thread ends
            QMetaObject.invokeMethod(self.worker, "shutdown", Qt.ConnectionType.BlockingQueuedConnection)
            self.training_thread.quit()
            self.training_thread.wait()

    # -- from the worker ---------------------------------------------------------
    @Slot(object)
    def _on_configured(self, ctx: Context) -> None:
        if self.context is not None and ctx.generation == self.context.generation:
            # the same network on edited rows: the history goes on; the views take the rows
            # together with the first snapshot made on them (_on_snapshot), in one frame
            self._data_context = ctx
            return
        self._data_context = None
        self.context = ctx
        self.history.clear()
        self.full_history.clear()
        self.test_history.clear()
        self.val_history.clear()
        self.latest = None
        self.present = None
        if ctx.history_x is not None and len(ctx.history_x):
            self.history.extend(ctx.history_x, ctx.history_y)
        if ctx.validation_x is not None and ctx.validation_y is not None and len(ctx.validation_x):
            self.val_history.extend(ctx.validation_x, ctx.validation_y)
        self.contextChanged.emit(ctx)

    @Slot(object)
    def _on_snapshot(self, snap: Snapshot) -> None:
        if self.context is None or snap.generation != self.context.generation:
            return  # from before a reset or a new configuration
        pending = self._data_context
        if pending is not None and snap.data_version == pending.data_version:
            self.context, self._data_context = pending, None
            self.dataChanged.emit(pending)
        if snap.data_version != self.context.data_version:
            return  # made on rows the views no longer show
        self.snapshots_received += 1
        if snap.rewound:
            self.history.truncate(snap.iteration - 1)
            self.full_history.truncate(snap.iteration - 1)
            self.test_history.truncate(snap.iteration - 1)
            self.val_history.truncate(snap.iteration - 1)
        if not snap.preview:
            self.history.extend(snap.new_iterations, snap.new_mse)
            if snap.eval_iterations is not None and len(snap.eval_iterations):
                self.full_history.extend(snap.eval_iterations, snap.eval_mse)
                if snap.eval_test_mse is not None:
                    self.test_history.extend(snap.eval_iterations, snap.eval_test_mse)
            if snap.val_iterations is not None and len(snap.val_iterations):
                self.val_history.extend(snap.val_iterations, snap.val_mse)
            self.present = snap
        self.latest = snap
        self._dirty = True
        now = time.perf_counter()
        live = snap.state in ("running", "stepping") and not snap.preview
        if live and self._live_since is None:
            self._live_since = now
        elif not live and self._live_since is not None:
            self.live_seconds += now - self._live_since
            self._live_since = None
        if not live or snap.preview:
            self._repaint()  # a command's answer is painted at once, not on the next tick
        elif self.pace is not None and self.pace.rate(snap.iteration) <= SLOW_PACE:
            # a slow pace sends every iteration: each is painted as it comes (on the clock, two
            # arriving between ticks of a busy machine would be painted as one)
            self._repaint()

    def request_film_source(self) -> None:
        """Ask the worker for the run's stored states; ``filmSource`` brings them."""
        self._film_source.emit()

    @Slot(object)
    def _on_film_source(self, source) -> None:
        self.filmSource.emit(source)

    @Slot(str)
    def _on_failed(self, message: str) -> None:
        self.error.emit(message)

    @property
    def live_fps(self) -> float:
        """Frames painted per second while training ran."""
        seconds = self.live_seconds + (time.perf_counter() - self._live_since if self._live_since else 0.0)
        return self.live_frames / seconds if seconds > 0 else 0.0

    @Slot()
    def _repaint(self) -> None:
        if self._dirty and self.latest is not None:
            self._dirty = False
            self.frames_rendered += 1
            if self.latest.state in ("running", "stepping") and not self.latest.preview:
                self.live_frames += 1
            self.render.emit(self.latest)
