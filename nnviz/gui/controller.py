"""The controller: owns the training thread and worker, keeps the latest snapshot,
and repaints the views on its own ~30 Hz clock.

Data flows one way: worker --snapshot--> controller --render--> views.  The
controller talks to the worker only through queued signals, so no call
from the GUI ever waits for a chunk of training to end.
"""

from __future__ import annotations

import time

from PySide6.QtCore import QMetaObject, QObject, Qt, QThread, QTimer, Signal, Slot

from ..core.data import Dataset
from ..core.experiment import Settings
from ..core.model import Model
from ..core.snapshot import History, Snapshot
from .worker import Context, TrainingWorker

REPAINT_MS = 33
# While training, the GUI thread may use at most this share of a CPU.  Painting in
# PySide6 holds the GIL, and on a small machine the two threads share the cores, so
# every millisecond the GUI spends is taken from training.
GUI_CPU_BUDGET = 0.10
MAX_REPAINT_MS = 500


class Controller(QObject):
    """GUI-thread side of training: commands out, snapshots in, repaint clock."""

    # commands, delivered to the worker's thread (queued)
    _configure = Signal(object, object, object)
    _play = Signal()
    _pause = Signal()
    _step = Signal(int)
    _reset = Signal()
    _micro = Signal()
    _adopt = Signal(object)
    _back = Signal()
    _preview = Signal(int)
    _resume = Signal(int)
    _set_weight = Signal(int, int, int, float)

    # for the window (GUI thread)
    contextChanged = Signal(object)  # Context
    render = Signal(object)  # Snapshot, at most ~30 per second
    error = Signal(str)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.context: Context | None = None
        self.latest: Snapshot | None = None  # what the views show (may be a preview)
        self.present: Snapshot | None = None  # the training state itself
        self.history = History()
        self.test_history = History()
        self.snapshots_received = 0
        self.frames_rendered = 0
        self._dirty = False
        self.gui_load = 0.0  # moving average of the GUI thread's CPU share while training
        self._clock = (time.perf_counter(), time.thread_time())

        self.thread = QThread()
        self.thread.setObjectName("nnviz-training")
        self.worker = TrainingWorker()
        self.worker.moveToThread(self.thread)
        self.thread.started.connect(self.worker.start)
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
        self.worker.snapshot.connect(self._on_snapshot)
        self.worker.configured.connect(self._on_configured)
        self.worker.failed.connect(self._on_failed)
        self.thread.start()

        self._preview_wanted = None
        self._pending_history = None
        self._preview_timer = QTimer(self)  # dragging the history slider: at most ~20 requests a second
        self._preview_timer.setSingleShot(True)
        self._preview_timer.setInterval(50)
        self._preview_timer.timeout.connect(self._send_preview)

        self.timer = QTimer(self)
        self.timer.setInterval(REPAINT_MS)
        self.timer.timeout.connect(self._repaint)
        self.timer.start()

    # -- commands ------------------------------------------------------------
    def configure(self, settings: Settings, dataset: Dataset | None = None, init: Model | None = None) -> None:
        self._configure.emit(settings, dataset, init)

    def play(self) -> None:
        self._play.emit()

    def pause(self) -> None:
        self._pause.emit()

    def step(self, n: int = 1) -> None:
        self._step.emit(int(n))

    def reset(self) -> None:
        self._reset.emit()

    def micro_step(self) -> None:
        self._micro.emit()

    def adopt(self, experiment, history_x=None, history_y=None) -> None:
        """Hand a ready experiment (an opened session) to the worker, with its error history."""
        self._pending_history = (history_x, history_y)
        self._adopt.emit(experiment)

    def step_back(self) -> None:
        self._back.emit()

    def preview(self, iteration: int) -> None:
        """Show the network as it was at ``iteration`` (requests are coalesced)."""
        self._preview_wanted = int(iteration)
        if not self._preview_timer.isActive():
            self._preview_timer.start()

    def _send_preview(self) -> None:
        if self._preview_wanted is not None:
            self._preview.emit(self._preview_wanted)
            self._preview_wanted = None

    def resume_from(self, iteration: int) -> None:
        self._resume.emit(int(iteration))

    def set_weight(self, layer: int, row: int, col: int, value: float) -> None:
        self._set_weight.emit(int(layer), int(row), int(col), float(value))

    @property
    def running(self) -> bool:
        return self.latest is not None and self.latest.state in ("running", "stepping")

    def shutdown(self) -> None:
        """Stop training and the thread; safe to call twice."""
        self.timer.stop()
        if self.thread.isRunning():
            self.worker.stop_event.set()  # no new chunk starts; the current one ends (<~20 ms)
            # the worker stops and drops its timer in its own thread, then the thread ends
            QMetaObject.invokeMethod(self.worker, "shutdown", Qt.BlockingQueuedConnection)
            self.thread.quit()
            self.thread.wait()

    # -- from the worker ---------------------------------------------------------
    @Slot(object)
    def _on_configured(self, ctx: Context) -> None:
        self.context = ctx
        self.history.clear()
        self.test_history.clear()
        self.latest = None
        self.present = None
        if self._pending_history is not None:
            hx, hy = self._pending_history
            self._pending_history = None
            if hx is not None and len(hx):
                self.history.extend(hx, hy)
        self.contextChanged.emit(ctx)

    @Slot(object)
    def _on_snapshot(self, snap: Snapshot) -> None:
        if self.context is None or snap.generation != self.context.generation:
            return  # from before a reset or a new configuration
        self.snapshots_received += 1
        if snap.rewound:
            self.history.truncate(snap.iteration - 1)
            self.test_history.truncate(snap.iteration)
        if not snap.preview:
            self.history.extend(snap.new_iterations, snap.new_mse)
            if snap.test_mse is not None:
                self.test_history.extend([snap.iteration], [snap.test_mse])
            self.present = snap
        self.latest = snap
        self._dirty = True
        if snap.state in ("paused", "finished", "ready") or snap.preview:
            self._repaint()  # the final state is painted at once, not on the next tick

    @Slot(str)
    def _on_failed(self, message: str) -> None:
        self.error.emit(message)

    def _pace(self) -> None:
        """Measure the GUI thread's CPU share since the last tick (rendering, painting,
        events: all of it) and stretch the repaint interval to keep it within
        GUI_CPU_BUDGET while training runs; back to ~30 Hz otherwise."""
        wall, cpu = time.perf_counter(), time.thread_time()
        dw, dc = wall - self._clock[0], cpu - self._clock[1]
        self._clock = (wall, cpu)
        if not self.running:
            self.gui_load = 0.0
            self.timer.setInterval(REPAINT_MS)
            return
        if dw <= 0:
            return
        load = dc / dw
        self.gui_load = load if self.gui_load == 0 else 0.6 * self.gui_load + 0.4 * load
        ms = self.timer.interval() * self.gui_load / GUI_CPU_BUDGET
        self.timer.setInterval(int(min(max(ms, REPAINT_MS), MAX_REPAINT_MS)))

    @Slot()
    def _repaint(self) -> None:
        self._pace()
        if self._dirty and self.latest is not None:
            self._dirty = False
            self.frames_rendered += 1
            self.render.emit(self.latest)
