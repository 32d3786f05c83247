"""The Runs panel: kept runs in a sortable table; ticked runs' error curves go on the plot.

The table is a ``QAbstractTableModel`` over the core's ``RunTable`` (one row per kept run:
a tick box, what differs from the current settings, then the table's columns), sorted
through a ``QSortFilterProxyModel`` on the raw values (numbers as numbers, missing values
last).  The panel computes nothing: the window hands it kept runs and the current settings,
and it tells the window which runs are ticked (``tickedChanged``) and which buttons were
pressed.
"""

from __future__ import annotations

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QSortFilterProxyModel, Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (QAbstractItemView, QHBoxLayout, QHeaderView, QPushButton, QTableView,
                               QVBoxLayout, QWidget)

from ...core.experiment import Settings
from ...core.runs import KeptRun, RunTable, label, show, sort_key
from .elided import ElidedLabel

# the overlay colours (the current run is blue and orange): one per ticked run, in turn
PALETTE = ((27, 158, 119), (117, 112, 179), (231, 41, 138), (102, 166, 30), (166, 118, 29),
           (0, 150, 170), (80, 80, 80), (230, 171, 2))
SORT_ROLE = Qt.ItemDataRole.UserRole + 1
FIXED = 3  # the columns before the table's own: tick, run number, what differs


class RunsModel(QAbstractTableModel):
    """Kept runs as rows; column 0 is a tick box (show the run's curve on the plot)."""

    tickedChanged = Signal()

    def __init__(self, parent=None):
        super().__init__(parent)
        self.table = RunTable()
        self.current: Settings | None = None
        self.ticked: list[bool] = []
        self.version = 0  # counts changes to the runs kept (a session saved before one is not up to date)
        self.colours: list[tuple[int, int, int]] = []
        self._next_colour = 0

    # -- contents ----------------------------------------------------------------
    def add(self, run: KeptRun, ticked: bool = False) -> int:
        row = len(self.table)
        self.beginInsertRows(QModelIndex(), row, row)
        self.table.add(run)
        self.version += 1
        self.ticked.append(ticked)
        self.colours.append(PALETTE[self._next_colour % len(PALETTE)])
        self._next_colour += 1
        self.endInsertRows()
        if ticked:
            self.tickedChanged.emit()
        return row

    def remove(self, rows) -> None:
        drop = sorted(set(rows))
        if not drop:
            return
        had_ticked = any(self.ticked[r] for r in drop)
        self.beginResetModel()
        self.table.remove(drop)
        self.version += 1
        self.ticked = [t for i, t in enumerate(self.ticked) if i not in drop]
        self.colours = [c for i, c in enumerate(self.colours) if i not in drop]
        self.endResetModel()
        if had_ticked:
            self.tickedChanged.emit()

    def set_current(self, settings: Settings | None) -> None:
        """The settings the labels compare with; relabels when they change."""
        if settings == self.current:
            return
        self.current = settings
        if len(self.table):
            self.dataChanged.emit(self.index(0, 2), self.index(len(self.table) - 1, 2))
            if any(self.ticked):
                self.tickedChanged.emit()  # the legend's labels change too, and which runs are drawn

    def set_ticked(self, row: int, on: bool) -> None:
        if self.ticked[row] != on:
            self.ticked[row] = on
            self.dataChanged.emit(self.index(row, 0), self.index(row, 0))
            self.tickedChanged.emit()

    def label(self, row: int) -> str:
        return f"#{row + 1} {label(self.table.runs[row], self.current)}"

    def overlays(self) -> list[tuple[str, tuple[int, int, int], KeptRun]]:
        """The ticked runs that have a curve and were trained on the data shown now: (legend
        label, colour, run).  A run of another data set is not drawn (a 64-iteration toy curve
        vanished under 50,000-iteration iris curves, which mean nothing beside it)."""
        return [(self.label(i), self.colours[i], r) for i, r in enumerate(self.table.runs)
                if self.ticked[i] and r.curve is not None and self.same_data(r)]

    def same_data(self, run: KeptRun) -> bool:
        """Whether the run was trained on the data set shown now (by name; True with no current)."""
        return self.current is None or run.settings.data == self.current.data

    def other_data(self) -> int:
        """Ticked runs with a curve that are not drawn because their data set differs."""
        return sum(1 for i, r in enumerate(self.table.runs)
                   if self.ticked[i] and r.curve is not None and not self.same_data(r))

    # -- the model's interface -------------------------------------------------------
    def rowCount(self, parent=None) -> int:
        return 0 if parent is not None and parent.isValid() else len(self.table)

    def columnCount(self, parent=None) -> int:
        return 0 if parent is not None and parent.isValid() else FIXED + len(self.table.columns)

    def headerData(self, section, orientation, role=Qt.DisplayRole):
        if orientation != Qt.Horizontal or role != Qt.DisplayRole:
            return None
        if section < FIXED:
            return ("show", "run", "differs from now")[section]
        return self.table.columns[section - FIXED].title

    def raw(self, row: int, column: int):
        """The value sorted on (numbers stay numbers)."""
        if column == 0:
            return int(self.ticked[row])
        if column == 1:
            return row + 1
        if column == 2:
            return label(self.table.runs[row], self.current)
        return self.table.value(row, column - FIXED)

    def data(self, index, role=Qt.DisplayRole):
        if not index.isValid():
            return None
        row, col = index.row(), index.column()
        if role == Qt.CheckStateRole and col == 0:
            return Qt.Checked if self.ticked[row] else Qt.Unchecked
        if role == Qt.DisplayRole and col > 0:
            return show(self.raw(row, col))
        if role == SORT_ROLE:
            return self.raw(row, col)
        if role == Qt.DecorationRole and col == 0:
            return QColor(*self.colours[row])
        if role == Qt.TextAlignmentRole and col >= FIXED and self.table.columns[col - FIXED].numeric:
            return int(Qt.AlignRight | Qt.AlignVCenter)
        if role == Qt.ToolTipRole:
            run = self.table.runs[row]
            note = "" if run.curve is not None else "\nno error curve: the file it came from has none"
            return f"{self.label(row)}\nfrom: {run.origin}{note}"
        return None

    def flags(self, index):
        f = super().flags(index)
        return f | Qt.ItemIsUserCheckable if index.column() == 0 else f

    def setData(self, index, value, role=Qt.ItemDataRole.EditRole) -> bool:
        if role == Qt.ItemDataRole.CheckStateRole and index.column() == 0:
            on = value in (Qt.CheckState.Checked, Qt.CheckState.Checked.value, 2, True)
            self.set_ticked(index.row(), on)
            return True
        return False


class RunsProxy(QSortFilterProxyModel):
    """Sorts on the raw values: numbers numerically, text as text, missing values last."""

    def lessThan(self, left, right) -> bool:
        return sort_key(left.data(SORT_ROLE)) < sort_key(right.data(SORT_ROLE))


class RunsPanel(QWidget):
    """The table of kept runs and its buttons."""

    keepRequested = Signal()
    sweepRequested = Signal()
    importRequested = Signal()
    exportRequested = Signal()

    def __init__(self, parent=None):
        super().__init__(parent)
        self.model = RunsModel(self)
        self.proxy = RunsProxy(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setSortRole(SORT_ROLE)
        self.view = QTableView()
        self.view.setModel(self.proxy)
        self.view.setSortingEnabled(True)
        self.view.sortByColumn(1, Qt.AscendingOrder)
        self.view.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.view.setAlternatingRowColors(True)
        self.view.verticalHeader().setVisible(False)
        self.view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeToContents)
        self.view.horizontalHeader().setStretchLastSection(False)
        self.keep_button = QPushButton("Keep run")
        self.keep_button.setToolTip("keep the current run (Ctrl+K): its settings, error curve and final numbers")
        self.sweep_button = QPushButton("Sweep\u2026")
        self.sweep_button.setToolTip("train a grid over one or two settings, one run after the other")
        self.remove_button = QPushButton("Remove")
        self.remove_button.setToolTip("remove the selected runs")
        self.import_button = QPushButton("Import JSON\u2026")
        self.import_button.setToolTip("add the runs of nnviz train --json or nnviz sweep --json output")
        self.export_button = QPushButton("Export CSV\u2026")
        self.export_button.setToolTip("write the table as CSV")
        self.note = ElidedLabel("")
        self.note.setStyleSheet("color: #555")
        self.keep_button.clicked.connect(self.keepRequested)
        self.sweep_button.clicked.connect(self.sweepRequested)
        self.remove_button.clicked.connect(self.remove_selected)
        self.import_button.clicked.connect(self.importRequested)
        self.export_button.clicked.connect(self.exportRequested)
        # two short rows, not one long one: the tab must fit a narrow column (800 logical px at scale 2)
        buttons = QHBoxLayout()
        for b in (self.keep_button, self.sweep_button, self.remove_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        files = QHBoxLayout()
        for b in (self.import_button, self.export_button):
            files.addWidget(b)
        files.addWidget(self.note, 1)
        lay = QVBoxLayout(self)
        lay.addLayout(buttons)
        lay.addLayout(files)
        lay.addWidget(self.view, 1)
        self._update_note()
        self.model.rowsInserted.connect(self._update_note)
        self.model.modelReset.connect(self._update_note)
        self.model.tickedChanged.connect(self._update_note)

    @property
    def runs(self) -> list[KeptRun]:
        return list(self.model.table.runs)

    @property
    def table(self) -> RunTable:
        return self.model.table

    def add(self, run: KeptRun, ticked: bool = False) -> int:
        return self.model.add(run, ticked)

    def selected_rows(self) -> list[int]:
        rows = {self.proxy.mapToSource(i).row() for i in self.view.selectionModel().selectedRows()}
        return sorted(rows)

    def remove_selected(self) -> None:
        self.model.remove(self.selected_rows())

    def _update_note(self, *_) -> None:
        n = len(self.model.table)
        other = self.model.other_data()
        text = ("tick runs to draw their error curves on the plot" if n else
                "no kept runs yet: Keep run (Ctrl+K), Sweep, or Import JSON")
        if other:
            text = (f"{other} ticked run{'s' if other != 1 else ''} of other data not drawn: "
                    "the plot compares runs of the data shown")
        self.note.set_full_text(text)
        self.remove_button.setEnabled(n > 0)
        self.export_button.setEnabled(n > 0)
