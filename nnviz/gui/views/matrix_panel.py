"""A titled matrix of the inspector, sized to its content (no scroll bars of its own: the
inspector has one scroll area for everything), with a diverging colour scale and marks.

The model keeps the *logical* matrix (rows and columns as the maths has them); a vector of one
observation may be shown as a column (``transposed``) so that its entries sit beside the rows
of the matrix they multiply.  Marks are logical too: the selected cell, and the rows / columns
related to it (``set_marks``); every other cell fades while something is selected.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QAbstractTableModel, QModelIndex, QRect, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont, QFontMetrics
from PySide6.QtWidgets import QAbstractItemView, QFrame, QLabel, QTableView, QVBoxLayout, QWidget

DISPLAY, BACKGROUND, TOOLTIP, FONT = (int(r.value) for r in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.BackgroundRole, Qt.ItemDataRole.ToolTipRole,
                                                              Qt.ItemDataRole.FontRole))
_HORIZONTAL = Qt.Orientation.Horizontal
POS = (33, 102, 172)
NEG = (230, 97, 1)
SELECTED = QColor(244, 163, 64)
RELATED = QColor(255, 226, 128)
HEADER_CAP = 130  # px: a longer column name is cut (whole in the tooltip)

_ROOT = QModelIndex()  # the invisible root index: Qt's default parent


class MatrixModel(QAbstractTableModel):
    """A read-only 2-D array (``M``, logical) shown straight or transposed, with marks."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.M = np.zeros((0, 0))
        self.rows: list[str] = []
        self.cols: list[str] = []
        self.row_tips: list[str] = []
        self.col_tips: list[str] = []
        self.transposed = False
        self.selected: tuple[int, int] | None = None
        self.mark_rows: set[int] | None = None
        self.mark_cols: set[int] | None = None
        self._scale = 1.0
        self._bold = QFont()
        self._bold.setBold(True)
        self.header_font: QFont | None = None

    def set_matrix(self, M: np.ndarray, rows: list[str], cols: list[str], transposed: bool = False,
                   row_tips: list[str] | None = None, col_tips: list[str] | None = None) -> None:
        self.beginResetModel()
        self.M = np.atleast_2d(np.asarray(M, dtype=float))
        self.rows, self.cols, self.transposed = rows, cols, transposed
        self.row_tips, self.col_tips = row_tips or rows, col_tips or cols
        top = float(np.abs(self.M[np.isfinite(self.M)]).max()) if np.isfinite(self.M).any() else 0.0
        self._scale = top if top > 0 else 1.0
        self.selected, self.mark_rows, self.mark_cols = None, None, None
        self.endResetModel()

    def set_marks(self, selected: tuple[int, int] | None, rows: set[int] | None, cols: set[int] | None) -> None:
        """Logical marks: the selected cell, and the cells in ``rows`` x ``cols`` (None: any; both
        None: no related cells)."""
        self.selected, self.mark_rows, self.mark_cols = selected, rows, cols
        if self.rowCount() and self.columnCount():
            self.dataChanged.emit(self.index(0, 0), self.index(self.rowCount() - 1, self.columnCount() - 1))

    def related(self, i: int, j: int) -> bool:
        if self.mark_rows is None and self.mark_cols is None:
            return False
        return (self.mark_rows is None or i in self.mark_rows) and (self.mark_cols is None or j in self.mark_cols)

    def marked(self) -> set[tuple[int, int]]:
        """Every related cell (logical), for tests and for scrolling to them."""
        n, m = self.M.shape
        return {(i, j) for i in (self.mark_rows or range(n)) for j in (self.mark_cols or range(m))
                if self.related(i, j)}

    def logical(self, r: int, c: int) -> tuple[int, int]:
        return (c, r) if self.transposed else (r, c)

    def rowCount(self, parent=_ROOT):
        return 0 if parent.isValid() else self.M.shape[1 if self.transposed else 0]

    def columnCount(self, parent=_ROOT):
        return 0 if parent.isValid() else self.M.shape[0 if self.transposed else 1]

    def headerData(self, section, orientation, role=DISPLAY):
        horizontal = orientation == _HORIZONTAL
        names, tips = ((self.cols, self.col_tips) if horizontal != self.transposed else (self.rows, self.row_tips))
        if role == DISPLAY:
            return names[section] if section < len(names) else str(section + 1)
        if role == TOOLTIP:
            return tips[section] if section < len(tips) else None
        if role == FONT:
            return self.header_font
        return None

    def data(self, index, role=DISPLAY):
        i, j = self.logical(index.row(), index.column())
        v = self.M[i, j]
        if role == DISPLAY:
            return f"{v:.4g}".replace("-", "\u2212")
        if role == BACKGROUND:
            if self.selected == (i, j):
                return QBrush(SELECTED)
            if self.related(i, j):
                return QBrush(RELATED)
            faded = self.selected is not None or self.mark_rows is not None or self.mark_cols is not None
            return _brush(v / self._scale, 0.25 if faded else 0.55)
        if role == FONT:
            return self._bold if self.selected == (i, j) or self.related(i, j) else None
        if role == TOOLTIP:
            return f"{self.rows[i] if i < len(self.rows) else i + 1}, {self.cols[j] if j < len(self.cols) else j + 1}: {v!r}"
        return None


def _brush(frac: float, strength: float = 0.55) -> QBrush:
    if not np.isfinite(frac):
        return QBrush(QColor(255, 255, 255))
    rgb = POS if frac >= 0 else NEG
    a = min(abs(frac), 1.0) * strength
    return QBrush(QColor(*(int(255 - (255 - c) * a) for c in rgb)))


class MatrixPanel(QWidget):
    """A titled matrix table, exactly as big as its content.  ``cellChosen(i, j)``: a cell was
    clicked or reached with the keyboard (logical indices)."""

    cellChosen = Signal(int, int)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.title = QLabel()
        self.title.setTextFormat(Qt.RichText)
        self.title.setWordWrap(True)
        self.title.setAlignment(Qt.AlignLeft | Qt.AlignBottom)
        self.model = MatrixModel(self)
        self.view = QTableView()
        self.view.setModel(self.model)
        self.view.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        self.view.setVerticalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        # no Qt selection: it would paint over the marks; the current cell (mouse or arrow keys) is the choice
        self.view.setSelectionMode(QAbstractItemView.NoSelection)
        self.view.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.view.setFrameShape(QFrame.Box)
        self.view.selectionModel().currentChanged.connect(self._current)
        self.view.clicked.connect(self._clicked)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(2)
        lay.addWidget(self.title)
        lay.addWidget(self.view)
        lay.addStretch(1)
        self.role = ""

    def show_matrix(self, title: str, M: np.ndarray, rows: list[str], cols: list[str], transposed: bool = False,
                    row_tips: list[str] | None = None, col_tips: list[str] | None = None) -> None:
        M = np.atleast_2d(M)
        shape = f"{M.shape[0]}\u00a0\u00d7\u00a0{M.shape[1]}"
        self.title.setText(f"{title} <span style='color:#777'>({shape})</span>")
        self.title.setToolTip("one observation's row, written as a column" if transposed and M.shape[0] == 1 else "")
        self.model.set_matrix(M, rows, cols, transposed, row_tips, col_tips)
        self._fit()

    def title_height(self) -> int:
        """The title's height at the table's width (the inspector makes a stage's titles equal)."""
        return self.title.heightForWidth(self.view.width())

    def _fit(self) -> None:
        """The table's size from its content: every column and row shown, no scroll bar; the title
        wraps at the table's width."""
        bold = QFont(self.view.font())
        bold.setBold(True)  # a marked number is bold: it must fit too
        fm = QFontMetrics(bold)
        hh, vh = self.view.horizontalHeader(), self.view.verticalHeader()
        hfm = QFontMetrics(hh.font())
        cell = fm.horizontalAdvance("\u22120.0005432") + 14
        row_h = fm.height() + 8
        vh.setMinimumSectionSize(min(row_h, vh.minimumSectionSize()))
        vh.setDefaultSectionSize(row_h)
        for r in range(self.model.rowCount()):
            vh.resizeSection(r, row_h)
        n_rows, n_cols = self.model.rowCount(), self.model.columnCount()
        widths = []
        for c in range(n_cols):
            name = str(self.model.headerData(c, Qt.Orientation.Horizontal) or "")
            w = max(cell, min(hfm.horizontalAdvance(name) + 14, HEADER_CAP))
            hh.resizeSection(c, w)
            widths.append(w)
        labels = [str(self.model.headerData(r, Qt.Orientation.Vertical) or "") for r in range(min(n_rows, 2000))]
        vw = min(max([hfm.horizontalAdvance(s) for s in labels] + [10]) + 14, HEADER_CAP)
        vh.setFixedWidth(vw)
        hh.setFixedHeight(hfm.height() + 8)
        frame = 2 * self.view.frameWidth()
        self.view.setFixedSize(vw + sum(widths) + frame, hh.height() + n_rows * row_h + frame)
        self.title.setFixedWidth(max(self.view.width(), QFontMetrics(self.title.font()).horizontalAdvance("W" * 9)))
        self.title.setMinimumHeight(0)
        self.title.setMaximumHeight(16_777_215)

    def set_zoom_font(self, font: QFont) -> None:
        """The font of the title, the numbers and the headers."""
        for w in (self, self.title, self.view, self.view.horizontalHeader(), self.view.verticalHeader()):
            w.setFont(font)
        self.model.header_font = QFont(font)
        self.model._bold = QFont(font)
        self.model._bold.setBold(True)

    def set_marks(self, selected, rows, cols) -> None:
        self.model.set_marks(selected, rows, cols)

    def _clicked(self, index) -> None:
        self.cellChosen.emit(*self.model.logical(index.row(), index.column()))

    def _current(self, index, _previous) -> None:
        if index.isValid():
            self.cellChosen.emit(*self.model.logical(index.row(), index.column()))

    def display_rect(self, i: int, j: int):
        """The rectangle of logical cell (i, j) in this panel's coordinates (for scrolling to it)."""
        r, c = (j, i) if self.model.transposed else (i, j)
        rect = self.view.visualRect(self.model.index(r, c))
        return QRect(self.view.viewport().mapTo(self, rect.topLeft()), rect.size())
