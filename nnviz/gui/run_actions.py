"""The window's kept runs: Keep run (Ctrl+K), the Runs menu, the overlays on the error
plot, the Sweep dialog, --json import and CSV export.

A mixin of ``MainWindow`` (it uses the window's controller, context, runs panel, loss plot
and ``show_error``).  A run is kept as of the snapshot painted last: a running run is kept
as it is now and goes on training (its stop reason reads "running").  Files go through
``nnviz.io.runs`` (one-line errors, atomic writes).
"""

from __future__ import annotations

from PySide6.QtCore import Slot
from PySide6.QtWidgets import QFileDialog

from ..core import runs
from ..core.data import BUILTINS
from ..io import runs as runfile
from .sweep_dialog import SweepDialog


class RunActions:
    """Kept runs in the main window (see the module doc)."""

    sweep_dialog: SweepDialog | None = None

    def _make_runs_menu(self) -> None:
        menu = self.menuBar().addMenu("&Runs")
        self.keep_action = self._action(menu, "&Keep run", "Ctrl+K", self.keep_run)
        self._action(menu, "&Sweep\u2026", "Ctrl+Shift+K", self.open_sweep)
        menu.addSeparator()
        self._action(menu, "&Import runs (nnviz --json output)\u2026", "Ctrl+Shift+I", self.import_runs_dialog)
        self._action(menu, "&Export runs table as CSV\u2026", "Ctrl+Shift+C", self.export_runs_dialog)
        self._action(menu, "Show the &Runs tab", "Ctrl+Shift+R", self.show_runs)
        p = self.runs_panel
        p.keepRequested.connect(self.keep_run)
        p.sweepRequested.connect(self.open_sweep)
        p.importRequested.connect(self.import_runs_dialog)
        p.exportRequested.connect(self.export_runs_dialog)
        p.model.tickedChanged.connect(self._update_overlays)
        p.model.modelReset.connect(self._update_title)  # runs removed

    def current_settings(self):
        present, ctx = self.controller.present, self.context
        if present is not None and present.settings is not None:
            return present.settings
        return ctx.settings if ctx is not None else None

    @Slot()
    def keep_run(self) -> runs.KeptRun | None:
        """Keep the run as of the last snapshot: settings, error curves, final numbers."""
        snap, ctx = self.controller.present, self.context
        if snap is None or ctx is None or snap.settings is None:
            self.show_error("nothing to keep yet")
            return None
        c = self.controller
        batches = snap.settings.batch_size is not None and len(c.full_history) > 0
        h = c.full_history if batches else c.history
        run = runs.from_snapshot(snap, ctx.dataset.name, ctx.arch, h.x, h.y, c.test_history.x, c.test_history.y)
        row = self.add_kept_run(run)
        self.statusBar().showMessage(
            f"run #{row + 1} kept at iteration {snap.iteration:,} (train mse {snap.mse:.5g}); "
            "the Runs tab lists it and its curve stays on the plot", 8000)
        return run

    def add_kept_run(self, run: runs.KeptRun, ticked: bool = True) -> int:
        row = self.runs_panel.add(run, ticked=ticked and run.curve is not None)
        self._update_title()  # a kept run is saved with the session: the title's unsaved mark
        return row

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

    def _relabel_runs(self, settings) -> None:
        self.runs_panel.model.set_current(settings)

    @Slot()
    def show_runs(self) -> None:
        self.predictions.setCurrentWidget(self.runs_panel)

    # -- files ------------------------------------------------------------------------
    def import_runs(self, path: str) -> bool:
        try:
            kept = runfile.read_json(path)
        except ValueError as exc:
            self.show_error(str(exc))
            return False
        n = self.add_runs(kept)
        no_curve = sum(r.curve is None for r in kept)
        note = f"; {no_curve} without an error curve (the file has none)" if no_curve else ""
        self.statusBar().showMessage(f"{n} run{'s' if n != 1 else ''} imported from {path}{note}", 8000)
        self.show_runs()
        return True

    @Slot()
    def import_runs_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Import runs", "",
                                              "nnviz train/sweep --json output (*.json *.jsonl *.txt);;All files (*)")
        if path:
            self.import_runs(path)

    def export_runs(self, path: str) -> bool:
        if not self.writes_no_input(path):
            return False
        try:
            runfile.write_csv(path, self.runs_panel.table, self.current_settings())
        except ValueError as exc:
            self.show_error(str(exc))
            return False
        self.statusBar().showMessage(f"{len(self.runs_panel.table)} runs written to {path}", 8000)
        return True

    @Slot()
    def export_runs_dialog(self) -> None:
        if not len(self.runs_panel.table):
            self.show_error("no kept runs to export")
            return
        path, _ = QFileDialog.getSaveFileName(self, "Export runs table", "runs.csv", "CSV (*.csv)")
        if path:
            self.export_runs(path)

    # -- sweeps ---------------------------------------------------------------------------
    def sweep_base(self):
        """The settings a sweep starts from (those in force) and the data (for a CSV file)."""
        settings, ctx = self.current_settings(), self.context
        dataset = ctx.dataset if ctx is not None and settings is not None and settings.data not in BUILTINS else None
        return settings, dataset

    @Slot()
    def open_sweep(self) -> SweepDialog | None:
        if self.current_settings() is None:
            self.show_error("nothing to sweep yet")
            return None
        if self.sweep_dialog is None:
            self.sweep_dialog = SweepDialog(self)
        self.sweep_dialog.preset(self.current_settings())
        self.sweep_dialog.show()
        self.sweep_dialog.raise_()
        self.show_runs()
        return self.sweep_dialog

    def stop_sweep(self) -> None:
        if self.sweep_dialog is not None:
            self.sweep_dialog.shutdown()


def _identity(r: runs.KeptRun) -> tuple:
    return (r.origin, r.data, r.architecture, r.iterations, r.mse, r.test_mse, r.seconds, r.settings)
