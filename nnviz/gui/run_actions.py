"""The window's kept runs: Keep run (Ctrl+K), the Runs menu, the overlays on the error
plot, the Sweep dialog, --json import and CSV export, and Compare with R's neuralnet.

A run is kept as of the present snapshot: a running run is kept as it is now and goes on
training (its stop reason reads "running").  Files go through ``nnviz.io.runs`` (one-line
errors, atomic writes).  A comparison with neuralnet runs in a thread of its own
(``rcompare_job.py``) whose signals are queued to this QObject, in the GUI thread.
"""

from __future__ import annotations

from typing import cast

from PySide6.QtCore import QObject, Qt, Slot
from PySide6.QtWidgets import QFileDialog, QMenu, QProgressDialog, QWidget

from ..core import runs
from ..core.data import BUILTINS
from ..core.experiment import Settings
from ..core.snapshot import Snapshot
from ..io import runs as runfile
from .controller import Controller
from .menus import add_action
from .notices import Notices
from .open_files import OpenFiles
from .sweep_dialog import SweepDialog
from .views.loss_plot import LossPlot
from .views.predictions_view import PredictionsView
from .views.runs_panel import RunsPanel


class RunActions(QObject):
    """Kept runs in the main window (see the module doc)."""

    def __init__(self, window: QWidget, controller: Controller, menu: QMenu, runs_panel: RunsPanel,
                 loss_plot: LossPlot, predictions: PredictionsView, files: OpenFiles, notices: Notices) -> None:
        super().__init__(window)
        self.window = window  # the dialogs' parent
        self.controller = controller
        self.runs_panel = runs_panel
        self.loss_plot = loss_plot  # the ticked runs' curves
        self.predictions = predictions  # the tabs, the Runs tab among them
        self.files = files
        self.notices = notices
        self.sweep_dialog: SweepDialog | None = None
        self.rjob: tuple | None = None  # (RCompareJob, QThread or None until the run's start arrives) while R runs
        self.rcompare_progress: QProgressDialog | None = None
        self.last_rcompare = None  # the last comparison's result (io.rcompare.RComparison)

        self.keep_action = add_action(window, menu, "&Keep run", "Ctrl+K", self.keep_run)
        add_action(window, menu, "&Sweep\u2026", "Ctrl+Shift+K", self.open_sweep)
        menu.addSeparator()
        add_action(window, menu, "&Import runs (nnviz --json output)\u2026", "Ctrl+Shift+I", self.import_runs_dialog)
        add_action(window, menu, "&Export runs table as CSV\u2026", "Ctrl+Shift+C", self.export_runs_dialog)
        add_action(window, menu, "Show the &Runs tab", "Ctrl+Shift+R", self.show_runs)
        menu.addSeparator()
        self.rcompare_action = add_action(window, menu, "Compare with R's &neuralnet\u2026", "Ctrl+Shift+N",
                                          self.compare_with_neuralnet)
        self.rcompare_action.setToolTip("train R's neuralnet from this run's start weights with the same settings "
                                        "(through Rscript) and add both runs to the Runs table")
        controller.filmSource.connect(self._rcompare_source_arrived)
        runs_panel.keepRequested.connect(self.keep_run)
        runs_panel.sweepRequested.connect(self.open_sweep)
        runs_panel.importRequested.connect(self.import_runs_dialog)
        runs_panel.exportRequested.connect(self.export_runs_dialog)
        runs_panel.model.tickedChanged.connect(self._update_overlays)

    # -- Compare with neuralnet ---------------------------------------------------------
    @Slot()
    def compare_with_neuralnet(self) -> bool:
        """Runs > Compare with R's neuralnet: from the run's start weights, with the run's settings,
        in a thread with a progress dialog and Cancel; both runs go to the Runs table.  Without R
        (or neuralnet) one line says what to install; what neuralnet cannot do is refused first."""
        from ..io import rcompare
        from .rcompare_job import RCompareJob

        settings = self.controller.current_settings()
        if settings is None:
            return False
        if self.rjob is not None:
            self.notices.error("a comparison with neuralnet is running already")
            return False
        ctx = self.controller.context
        try:
            rcompare.check(settings, ctx.train.n if ctx is not None else None)
            rcompare.find_rscript()
        except ValueError as exc:
            self.notices.error(str(exc))
            return False
        job = RCompareJob()
        dialog = QProgressDialog("Training nnviz, then R's neuralnet from the same start weights\u2026",
                                 "Cancel", 0, 0, self.window)
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.setMinimumDuration(0)
        dialog.canceled.connect(job.cancel.set)
        self.rcompare_progress = dialog
        job.progress.connect(self.rcompare_progressed)  # queued: this object lives in the GUI thread
        job.done.connect(self.rcompare_done)
        job.failed.connect(self.rcompare_failed)
        self.rjob = (job, None)
        self.controller.request_film_source()  # the run's first stored state, between two chunks
        return True

    @Slot(object)
    def _rcompare_source_arrived(self, source) -> None:
        if self.rjob is None or self.rjob[1] is not None:
            return
        from .rcompare_job import start

        job = self.rjob[0]
        if job.cancel.is_set():
            self.rcompare_failed("")
            return
        job.experiment = source.experiment
        self.rjob = (job, start(job))

    @Slot(str)
    def rcompare_progressed(self, text: str) -> None:
        if self.rcompare_progress is not None:
            self.rcompare_progress.setLabelText(f"{text}; then R's neuralnet")

    def _rcompare_ended(self) -> None:
        if self.rjob is not None:
            job, thread = self.rjob
            job.cancel.set()
            if thread is not None:
                thread.quit()
                thread.wait()
            self.rjob = None
        if self.rcompare_progress is not None:
            self.rcompare_progress.reset()
            self.rcompare_progress = None

    @Slot(object)
    def rcompare_done(self, result) -> None:
        self._rcompare_ended()
        self.add_kept_run(result.nnviz_run)
        self.add_kept_run(result.to_run_record(), ticked=False)
        self.last_rcompare = result
        self.notices.say(result.describe(), 15000)
        self.show_runs()

    @Slot(str)
    def rcompare_failed(self, message: str) -> None:
        self._rcompare_ended()
        if message:
            self.notices.error(message)
        else:
            self.notices.say("comparison with neuralnet cancelled", 8000)

    def stop_rcompare(self) -> None:
        """Cancel a comparison under way and wait for its thread (closing the window)."""
        if self.rjob is not None:
            self._rcompare_ended()

    # -- kept runs ----------------------------------------------------------------------------
    @Slot()
    def keep_run(self) -> runs.KeptRun | None:
        """Keep the run as of the last snapshot: settings, error curves, final numbers."""
        c = self.controller
        snap, ctx = c.present, c.context
        if snap is None or ctx is None or snap.settings is None:
            self.notices.error("nothing to keep yet")
            return None
        settings = cast(Settings, snap.settings)  # (Snapshot types it object: import cycles)
        batches = settings.batch_size is not None and len(c.full_history) > 0
        h = c.full_history if batches else c.history
        run = runs.from_snapshot(snap, ctx.dataset.name, ctx.arch, h.x, h.y, c.test_history.x, c.test_history.y)
        row = self.add_kept_run(run)
        self.notices.say(
            f"run #{row + 1} kept at iteration {snap.iteration:,} (train mse {snap.mse:.5g}); "
            "the Runs tab lists it and its curve stays on the plot", 8000)
        return run

    def add_kept_run(self, run: runs.KeptRun, ticked: bool = True) -> int:
        """A run in the table (the window's title then marks the session unsaved: ``Sessions``)."""
        return self.runs_panel.add(run, ticked=ticked and run.curve is not None)

    def add_runs(self, kept) -> int:
        """Add runs (from a file or a session), leaving out those already in the table."""
        have = {_identity(r) for r in self.runs_panel.runs}
        n = 0
        for r in kept:
            if _identity(r) not in have:
                self.add_kept_run(r, ticked=False)
                have.add(_identity(r))
                n += 1
        return n

    @Slot()
    def _update_overlays(self) -> None:
        self.loss_plot.set_overlays([(name, colour, r.curve.iterations, r.curve.train)
                                     for name, colour, r in self.runs_panel.model.overlays()])

    def on_frame(self, snap: Snapshot) -> None:
        """The runs' labels compare with the settings in force."""
        self.runs_panel.model.set_current(snap.settings)

    @Slot()
    def show_runs(self) -> None:
        self.predictions.setCurrentWidget(self.runs_panel)

    # -- files ------------------------------------------------------------------------
    def import_runs(self, path: str) -> bool:
        try:
            kept = runfile.read_json(path)
        except ValueError as exc:
            self.notices.error(str(exc))
            return False
        n = self.add_runs(kept)
        no_curve = sum(r.curve is None for r in kept)
        note = f"; {no_curve} without an error curve (the file has none)" if no_curve else ""
        self.notices.say(f"{n} run{'s' if n != 1 else ''} imported from {path}{note}", 8000)
        self.show_runs()
        return True

    @Slot()
    def import_runs_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self.window, "Import runs", "",
                                              "nnviz train/sweep --json output (*.json *.jsonl *.txt);;All files (*)")
        if path:
            self.import_runs(path)

    def export_runs(self, path: str) -> bool:
        if not self.files.writes_no_input(path):
            return False
        try:
            runfile.write_csv(path, self.runs_panel.table, self.controller.current_settings())
        except ValueError as exc:
            self.notices.error(str(exc))
            return False
        self.notices.say(f"{len(self.runs_panel.table)} runs written to {path}", 8000)
        return True

    @Slot()
    def export_runs_dialog(self) -> None:
        if not len(self.runs_panel.table):
            self.notices.error("no kept runs to export")
            return
        path, _ = QFileDialog.getSaveFileName(self.window, "Export runs table", "runs.csv", "CSV (*.csv)")
        if path:
            self.export_runs(path)

    # -- sweeps ---------------------------------------------------------------------------
    def sweep_base(self):
        """The settings a sweep starts from (those in force) and the data (for a CSV file)."""
        settings, ctx = self.controller.current_settings(), self.controller.context
        dataset = ctx.dataset if ctx is not None and settings is not None and settings.data not in BUILTINS else None
        return settings, dataset

    @Slot()
    def open_sweep(self) -> SweepDialog | None:
        settings = self.controller.current_settings()
        if settings is None:
            self.notices.error("nothing to sweep yet")
            return None
        if self.sweep_dialog is None:
            self.sweep_dialog = SweepDialog(self.window, self)
        self.sweep_dialog.preset(settings)
        self.sweep_dialog.show()
        self.sweep_dialog.raise_()
        self.show_runs()
        return self.sweep_dialog

    def stop_sweep(self) -> None:
        if self.sweep_dialog is not None:
            self.sweep_dialog.shutdown()


def _identity(r: runs.KeptRun) -> tuple:
    return (r.origin, r.data, r.architecture, r.iterations, r.mse, r.test_mse, r.seconds, r.settings)
