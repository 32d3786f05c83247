"""Data you can touch, the window's side: the map's edit requests become a new data set
(core/editing.py) sent to the runner as one command (``Controller.set_data``), with Undo and
Redo (Edit menu, Ctrl+Z, Ctrl+Shift+Z) and File > Export data (CSV through nnviz/io).

The edits start from the data the window shows (the context of the latest frame) and never
touch the runner: while training runs, the command waits in the worker's queue and is taken
between two chunks; the next snapshots are made on the new rows.  A refused edit (the last
point of a class, a point on data that cannot be edited) is one line in the status bar;
nothing changes.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Slot
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QFileDialog, QMenu, QWidget

from ..core import data as datamod
from ..core import editing
from ..core.experiment import Settings
from ..core.runner import Context
from ..io import datafile
from .controller import Controller
from .menus import add_action
from .notices import Notices
from .open_files import OpenFiles
from .sessions import Sessions
from .views.controls import ControlPanel
from .views.inspector import Inspector
from .views.loss_plot import LossPlot
from .views.predictions_view import PredictionsView


class DataEdits:
    """Edits of the map's points, Undo/Redo and Export data (see the module doc)."""

    def __init__(self, window: QWidget, controller: Controller, menu: QMenu, controls: ControlPanel,
                 predictions: PredictionsView, inspector: Inspector, loss_plot: LossPlot, sessions: Sessions,
                 files: OpenFiles, notices: Notices) -> None:
        self.window = window  # the file dialog's parent
        self.controller = controller
        self.controls = controls  # the data picker's "custom" entry
        self.predictions = predictions  # the map's points, the table
        self.inspector = inspector
        self.loss_plot = loss_plot
        self.sessions = sessions  # asks before going back to the original data; the title
        self.files = files
        self.notices = notices
        self.edit_stack = editing.EditStack()
        self._pending_data: datamod.Dataset | None = None  # sent to the runner, its rows not yet shown
        self.undo_action = add_action(window, menu, "&Undo data edit", QKeySequence.StandardKey.Undo, self.undo_edit)
        self.redo_action = add_action(window, menu, "&Redo data edit", QKeySequence.StandardKey.Redo, self.redo_edit)
        self._update_undo()
        pts = predictions.points
        pts.addRequested.connect(self._add_point)
        pts.moveRequested.connect(self._move_point)
        pts.deleteRequested.connect(self._delete_point)
        controller.dataChanged.connect(self._on_data)
        controls.originalDataRequested.connect(self._back_to_original)

    # -- edits -------------------------------------------------------------------------
    def current_data(self) -> datamod.Dataset | None:
        """The data trained on: the last edit sent, or the data shown."""
        if self._pending_data is not None:
            return self._pending_data
        ctx = self.controller.context
        return ctx.dataset if ctx is not None else None

    def _edited(self) -> datamod.Dataset | None:
        """The current data as custom data (training rows, then test rows, as on the map)."""
        ctx, ds = self.controller.context, self.current_data()
        if ctx is None or ds is None:
            return None
        problem = editing.edit_problem(ds)
        if problem:
            self.notices.say(problem, 8000)
            return None
        return ds if ds.custom else editing.as_custom(ctx.train, ctx.test, ctx.validation)

    def _apply(self, edit: Callable[[datamod.Dataset], datamod.Dataset], done: str) -> bool:
        """Make the edit on the data shown and send it to the runner; False (a status line) if refused."""
        base, current = self._edited(), self.current_data()
        if base is None or current is None:
            return False
        try:
            new = edit(base)
        except ValueError as exc:
            self.notices.say(f"not changed: {exc}", 8000)
            return False
        self.edit_stack.push(current)
        self._send_data(new)
        self.notices.say(done, 4000)
        return True

    def _send_data(self, ds: datamod.Dataset) -> None:
        self.controller.set_data(ds)
        self._pending_data = ds  # the next edit starts here even before the runner answers
        self._update_undo()

    def _outside_map(self, x: float, y: float) -> str:
        """A one-line refusal when (x, y) lies outside the map's plane (a click on the axes or
        far out after zooming out), or "" when it lies inside."""
        ctx = self.controller.context
        grid = ctx.map_grid if ctx is not None else None
        if ctx is None or grid is None:
            return ""
        x0, y0, w, h = grid.rect
        if x0 <= x <= x0 + w and y0 <= y <= y0 + h:
            return ""
        a, b = ctx.dataset.input_names[:2]
        return (f"({x:.3g}, {y:.3g}) is outside the map ({a} {x0:.3g} to {x0 + w:.3g}, {b} {y0:.3g} to "
                f"{y0 + h:.3g}): points are added and moved inside it")

    @Slot(float, float, float)
    def _add_point(self, x: float, y: float, value: float) -> None:
        refused = self._outside_map(x, y)
        if refused:
            self.notices.error(refused)
            return
        self._apply(lambda d: editing.add_point(d, x, y, value), f"point added at ({x:.3g}, {y:.3g})")

    @Slot(int, float, float)
    def _move_point(self, row: int, x: float, y: float) -> None:
        refused = self._outside_map(x, y)
        if refused:
            self.notices.error(refused)
            self.predictions.points.set_rows(self.controller.context)  # the point goes back where it was
            return
        self._apply(lambda d: editing.move_point(d, row, x, y), f"point moved to ({x:.3g}, {y:.3g})")

    @Slot(int)
    def _delete_point(self, row: int) -> None:
        self._apply(lambda d: editing.delete_point(d, row), "point deleted")

    @Slot()
    def undo_edit(self) -> None:
        current = self.current_data()
        if self.controller.context is None or current is None:
            return
        ds = self.edit_stack.undo(current)
        if ds is None:
            self.notices.say("nothing to undo", 3000)
            return
        self._send_data(ds)
        self.notices.say("data edit undone", 3000)

    @Slot()
    def redo_edit(self) -> None:
        current = self.current_data()
        if self.controller.context is None or current is None:
            return
        ds = self.edit_stack.redo(current)
        if ds is None:
            self.notices.say("nothing to redo", 3000)
            return
        self._send_data(ds)
        self.notices.say("data edit redone", 3000)

    def _update_undo(self) -> None:
        self.undo_action.setEnabled(self.edit_stack.can_undo)
        self.redo_action.setEnabled(self.edit_stack.can_redo)

    # -- the window follows ----------------------------------------------------------------
    def on_context(self, ctx: Context) -> None:
        """A new network (another data set, a reset, an opened session): edits start afresh."""
        self.edit_stack.clear()
        self._pending_data = None
        self._update_undo()
        self.controls.set_custom(ctx.dataset.title if ctx.dataset.custom else None)

    @Slot(object)
    def _on_data(self, ctx: Context) -> None:
        """Edited rows arrive, with the first snapshot made on them (painted next)."""
        if ctx.dataset is self._pending_data:
            self._pending_data = None
        self.predictions.set_data(ctx)
        self.inspector.set_context(ctx)
        self.loss_plot.set_has_test(ctx.test is not None)
        self.controls.set_custom(ctx.dataset.title if ctx.dataset.custom else None)
        self.sessions.update_title()

    def _back_to_original(self, settings: Settings) -> None:
        """The data picker left "custom (from ...)": the original data, a new network (asks first)."""
        try:
            ds = datamod.load(settings.data, settings.target, settings.classify, settings.noise, settings.seed)
        except ValueError as exc:
            self.notices.error(str(exc))
            return
        ctx = self.controller.context

        def cancelled() -> None:
            if ctx is not None and ctx.dataset.custom:
                self.controls.set_custom(ctx.dataset.title)

        self.sessions.ask_discard("Go back to the original data", lambda: self.controller.configure(settings, ds),
                                  cancelled)

    # -- export ----------------------------------------------------------------------------
    def export_data(self, path: str) -> bool:
        """The data trained on (edited points included) as CSV; ``--data`` reads it back."""
        ctx = self.controller.context
        if ctx is None:
            self.notices.error("no data to export yet")
            return False
        if not self.files.writes_no_input(path):  # not over the CSV file the data came from
            return False
        return self.notices.write(lambda: datafile.save_csv(path, ctx.dataset),
                                  f"{ctx.dataset.n} rows of {ctx.dataset.title} written to {path}")

    @Slot()
    def export_data_dialog(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self.window, "Export data", "data.csv", "CSV (*.csv)")
        if path:
            if not path.lower().endswith(".csv"):
                path += ".csv"
            self.export_data(path)
