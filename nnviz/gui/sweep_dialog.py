"""The Sweep dialog: a grid over one or two settings, trained in its own thread.

``SweepJob`` lives in its own QThread (as film_job.py's films do) and trains the runs one
after the other with the core's headless runner (``core.sweep.run_one``, the very runs of
``nnviz sweep``), checking a cancel flag between chunks; each finished run is emitted as a
kept run.  A run cancelled half-way is dropped; the runs done are kept.  The dialog lives
in the GUI thread and only shows progress: nothing is computed there.
"""

from __future__ import annotations

import threading
import time
from dataclasses import replace

from PySide6.QtCore import QObject, Qt, QThread, Signal, Slot
from PySide6.QtWidgets import (QComboBox, QDialog, QDialogButtonBox, QGridLayout, QLabel, QLineEdit, QProgressBar,
                               QPushButton, QVBoxLayout)

from ..core.data import Dataset
from ..core.experiment import Settings
from ..core.runs import setting_name, show_value
from ..core.sweep import grid, parse_values, run_one, sweepable

NONE = "(none)"


class SweepJob(QObject):
    """Trains the runs of a sweep one after the other (see the module doc)."""

    progress = Signal(int, int, int, int)  # run (1-based), runs, iteration, iterations of the run
    runDone = Signal(object)  # a KeptRun
    ended = Signal(int, str)  # runs done; "" when all ran, "cancelled", or a one-line error

    def __init__(self, runs: list[Settings], dataset: Dataset | None = None):
        super().__init__()
        self.runs, self.dataset = runs, dataset
        self.cancel = threading.Event()

    @Slot()
    def run(self) -> None:
        done = 0
        for k, settings in enumerate(self.runs, 1):
            if self.cancel.is_set():
                break
            last = [0.0]

            def report(iteration: int, mse: float, k=k, total=settings.iterations, last=last) -> None:
                now = time.perf_counter()
                if now - last[0] >= 0.05:  # at most 20 progress signals a second
                    last[0] = now
                    self.progress.emit(k, len(self.runs), iteration, total)

            self.progress.emit(k, len(self.runs), 0, settings.iterations)
            try:
                _, run, stopped = run_one(settings, self.dataset, self.cancel.is_set, report,
                                          interruptible=True, leave_cores=1)  # as the window's training
            except ValueError as exc:
                self.ended.emit(done, f"run {k}: {exc}")
                return
            if stopped == "interrupted":
                break
            done += 1
            self.runDone.emit(replace(run, origin="sweep"))
        self.ended.emit(done, "cancelled" if done < len(self.runs) else "")


class SweepDialog(QDialog):
    """One or two settings with value lists; Start, progress, Cancel.  ``runs`` (the window's
    ``RunActions``) gives the base settings and data (``sweep_base()``) and takes each kept run
    (``add_kept_run``)."""

    def __init__(self, parent, runs):
        super().__init__(parent)
        self.run_actions = runs
        self.setWindowTitle("Sweep")
        self.job: SweepJob | None = None
        self.sweep_thread: QThread | None = None
        self.total = 0
        self.runs_done = 0
        names = sweepable()
        self.setting1 = QComboBox()
        self.setting1.addItems(names)
        self.values1 = QLineEdit()
        self.setting2 = QComboBox()
        self.setting2.addItems([NONE, *names])
        self.values2 = QLineEdit()
        self.values1.setPlaceholderText("values, comma-separated: 0.01,0.02,0.05")
        self.values2.setPlaceholderText("layers joined by -: 4,8,6-6")
        for w in (self.setting1, self.setting2):
            w.currentTextChanged.connect(self._changed)
        for e in (self.values1, self.values2):
            e.textChanged.connect(self._changed)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.error = QLabel()
        self.error.setStyleSheet("color: #b2182b")
        self.error.setWordWrap(True)
        self.bar = QProgressBar()
        self.bar.setRange(0, 1000)
        self.bar.setValue(0)
        self.status = QLabel("")
        self.start_button = QPushButton("Start")
        self.start_button.setDefault(True)
        self.start_button.clicked.connect(self.start)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setEnabled(False)
        self.cancel_button.clicked.connect(self.cancel)
        box = QDialogButtonBox()
        box.addButton(self.start_button, QDialogButtonBox.ActionRole)
        box.addButton(self.cancel_button, QDialogButtonBox.ActionRole)
        close = box.addButton(QDialogButtonBox.Close)
        close.clicked.connect(self.close)
        g = QGridLayout()
        g.addWidget(QLabel("vary"), 0, 0)
        g.addWidget(self.setting1, 0, 1)
        g.addWidget(self.values1, 0, 2)
        g.addWidget(QLabel("and"), 1, 0)
        g.addWidget(self.setting2, 1, 1)
        g.addWidget(self.values2, 1, 2)
        g.setColumnStretch(2, 1)
        lay = QVBoxLayout(self)
        lay.addLayout(g)
        lay.addWidget(self.summary)
        lay.addWidget(self.error)
        lay.addWidget(self.bar)
        lay.addWidget(self.status)
        lay.addWidget(box)
        self.resize(560, 240)

    def preset(self, base: Settings) -> None:
        """Start from the learning rate around the current one (a common first sweep)."""
        if not self.values1.text():
            self.setting1.setCurrentText("lr")
            ctx = self.run_actions.controller.context  # what "auto" stands for on the current data
            lr = base.learning_rate(ctx.train.n) if ctx is not None else base.train_config().lr
            self.values1.setText(",".join(f"{lr * f:g}" for f in (0.5, 1, 2)))
        self._changed()

    @property
    def running(self) -> bool:
        return self.sweep_thread is not None and self.sweep_thread.isRunning()

    # -- the grid ----------------------------------------------------------------------
    def axes(self) -> dict[str, list]:
        """The settings and their values as typed; ValueError (one line) when they cannot be."""
        axes = {self.setting1.currentText(): parse_values(self.setting1.currentText(), self.values1.text())}
        second = self.setting2.currentText()
        if second != NONE:
            if second in axes:
                raise ValueError(f"{second} is chosen twice: choose two different settings")
            axes[second] = parse_values(second, self.values2.text())
        return axes

    def grid(self) -> list[Settings]:
        return grid(self.run_actions.sweep_base()[0], self.axes())

    def _changed(self, *_) -> None:
        if self.running:
            return
        self.values2.setEnabled(self.setting2.currentText() != NONE)
        try:
            runs = self.grid()
        except ValueError as exc:
            self.summary.setText("")
            self.error.setText(str(exc))
            self.start_button.setEnabled(False)
            return
        self.error.setText("")
        self.start_button.setEnabled(True)
        base = self.run_actions.sweep_base()[0]
        varied = " \u00d7 ".join(f"{setting_name(k)}: {', '.join(show_value(v, k) for v in vals)}"
                                 for k, vals in self.axes().items())
        self.summary.setText(f"{len(runs)} run{'s' if len(runs) != 1 else ''} on {base.data}, "
                             f"{base.iterations:,} iterations each unless varied ({varied}); "
                             "every other setting as now. Each becomes a kept run.")

    # -- running ----------------------------------------------------------------------------
    def start(self) -> bool:
        """Start the sweep in its own thread; False (with the reason shown) when it cannot."""
        if self.running:
            return False
        try:
            runs = self.grid()
        except ValueError as exc:
            self.error.setText(str(exc))
            return False
        self.error.setText("")
        _, dataset = self.run_actions.sweep_base()
        self.total, self.runs_done = len(runs), 0
        self.job = SweepJob(runs, dataset)
        self.job.progress.connect(self._progress)
        self.job.runDone.connect(self._run_done)
        self.job.ended.connect(self._ended)
        self.sweep_thread = QThread()
        self.sweep_thread.setObjectName("nnviz-sweep")
        self.job.moveToThread(self.sweep_thread)
        self.sweep_thread.started.connect(self.job.run)
        self.start_button.setEnabled(False)
        self.cancel_button.setEnabled(True)
        for w in (self.setting1, self.setting2, self.values1, self.values2):
            w.setEnabled(False)
        self.bar.setValue(0)
        self.status.setText(f"starting {self.total} runs\u2026")
        self.sweep_thread.start()
        return True

    @Slot()
    def cancel(self) -> None:
        if self.job is not None and self.running:
            self.job.cancel.set()
            self.status.setText("cancelling: the run in progress is dropped, the runs done are kept\u2026")

    @Slot(int, int, int, int)
    def _progress(self, k: int, n: int, iteration: int, total: int) -> None:
        share = ((k - 1) + (iteration / total if total else 1.0)) / max(n, 1)
        self.bar.setValue(int(round(share * 1000)))
        self.status.setText(f"run {k} of {n}: iteration {iteration:,} of {total:,}")

    @Slot(object)
    def _run_done(self, run) -> None:
        self.runs_done += 1
        self.run_actions.add_kept_run(run)

    @Slot(int, str)
    def _ended(self, done: int, message: str) -> None:
        self._stop_thread()
        if message == "":
            self.bar.setValue(1000)
            self.status.setText(f"{done} run{'s' if done != 1 else ''} done: see the Runs tab")
        elif message == "cancelled":
            self.status.setText(f"cancelled after {done} of {self.total} runs; the {done} done are kept")
        else:
            self.status.setText(f"stopped after {done} of {self.total} runs")
            self.error.setText(message)
        self.start_button.setEnabled(True)
        self.cancel_button.setEnabled(False)
        for w in (self.setting1, self.setting2, self.values1):
            w.setEnabled(True)
        self.values2.setEnabled(self.setting2.currentText() != NONE)

    def _stop_thread(self) -> None:
        if self.sweep_thread is not None:
            self.sweep_thread.quit()
            self.sweep_thread.wait()
            self.sweep_thread = None
        self.job = None

    def shutdown(self) -> None:
        """Cancel a sweep in progress and wait for its thread (the window closes)."""
        if self.job is not None:
            self.job.cancel.set()
        self._stop_thread()

    def keyPressEvent(self, event) -> None:
        if event.key() == Qt.Key.Key_Escape and self.running:
            self.cancel()
            return
        super().keyPressEvent(event)
