"""The inspector's matrices: a stage's panels side by side, as its equation reads, in one scroll area.

Each matrix is a ``MatrixPanel`` with the operator before it (× = → f →) in a slot of its own, so
that they wrap together when the room is narrow (``FlowLayout``); a pool of ``POOL`` slots serves
every stage.  In a large area the numbers grow to fill it (up to 1.8 times the font size) while
the stage still fits on one line.  A click on a number marks the row, column and cells it came
from or went into, in every matrix of the stage.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QHBoxLayout, QLabel, QScrollArea, QVBoxLayout, QWidget

from .flow_layout import FlowLayout
from .inspector_stages import Panel, related
from .matrix_panel import MatrixPanel

POOL = 8  # panels at most in a stage (the update with a penalty: 7)


class StageMatrices:
    """The ``panels``, their operators (``ops``) and ``slots`` in the ``flow`` of ``body``, then the
    ``worked`` table; all in ``scroll`` (whose widget, ``inner``, lays them out in ``inner_lay``).
    ``shown``: how many panels the stage fills; ``zoom``: their font's scale (0: not fitted yet).
    A click on cell (i, j) of panel k calls ``chosen(k, i, j)``; ``font()`` is the inspector's."""

    def __init__(self, worked: QLabel, chosen: Callable[[int, int, int], None], font: Callable[[], QFont]):
        self.worked, self.font = worked, font
        self.shown = 0
        self.zoom = 0.0
        self.body = QWidget()
        self.flow = FlowLayout(self.body, spacing=6)
        self.flow.setContentsMargins(2, 2, 2, 2)
        self.panels = [MatrixPanel() for _ in range(POOL)]
        self.ops = [QLabel() for _ in range(POOL)]
        self.slots = [QWidget() for _ in range(POOL)]  # an operator and its matrix: they wrap together
        big = QFont()
        big.setPointSizeF(big.pointSizeF() * 1.5)
        for k, (slot, op, p) in enumerate(zip(self.slots, self.ops, self.panels, strict=True)):
            op.setFont(big)
            op.setAlignment(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop)
            op.setContentsMargins(4, 36, 4, 0)
            sl = QHBoxLayout(slot)
            sl.setContentsMargins(0, 0, 0, 0)
            sl.setSpacing(0)
            sl.addWidget(op)
            sl.addWidget(p)
            self.flow.addWidget(slot)
            p.cellChosen.connect(partial(chosen, k))
            slot.setVisible(False)
        self.flow.addWidget(worked)
        self.scroll = QScrollArea()
        self.scroll.setWidgetResizable(True)
        self.inner = QWidget()  # what scrolls: the matrices, and above them the text when room is short
        self.inner_lay = QVBoxLayout(self.inner)
        self.inner_lay.setContentsMargins(0, 0, 0, 0)
        self.inner_lay.addWidget(self.body)
        self.inner_lay.addStretch(1)
        self.scroll.setWidget(self.inner)

    def show(self, specs: list[Panel]) -> None:
        """The stage's panels (``inspector_stages.build``), their numbers fitted to the room."""
        self.shown = len(specs)
        for k, (slot, op, p) in enumerate(zip(self.slots, self.ops, self.panels, strict=True)):
            spec = specs[k] if k < len(specs) else None
            slot.setVisible(spec is not None)
            op.setVisible(spec is not None and bool(spec.op))
            if spec is None:
                continue
            op.setText(spec.op)
            p.role = spec.role
            p.show_matrix(spec.title, spec.M, spec.rows, spec.cols, spec.column, spec.row_tips, spec.col_tips)
        self.zoom = 0.0
        self.fit_zoom()

    def hide(self) -> None:
        self.shown = 0
        for slot in self.slots:
            slot.setVisible(False)

    def fit_zoom(self) -> None:
        """Grow the numbers to fill a large area: the stage's matrices on one line at up to 1.8 times
        the font size, as long as they fit the scroll area's width and height (never smaller)."""
        shown = list(range(self.shown))
        if not shown:
            return
        avail = self.scroll.viewport().size()
        self.apply_zoom(1.0)
        w1 = sum(self.slots[k].sizeHint().width() for k in shown) + 6 * len(shown) + 4
        h1 = max(self.slots[k].sizeHint().height() for k in shown) + 4
        z = 1.0
        if w1 <= avail.width():
            z = max(1.0, min(1.8, 0.95 * avail.width() / w1, 0.95 * avail.height() / h1))
        if z > 1.05:
            self.apply_zoom(z)
        self.equal_titles()
        self.body.updateGeometry()
        self.flow.invalidate()

    def apply_zoom(self, z: float) -> None:
        if abs(z - self.zoom) < 1e-3:
            return
        self.zoom = z
        f = QFont(self.font())
        f.setPointSizeF(self.font().pointSizeF() * z)
        big = QFont(f)
        big.setPointSizeF(f.pointSizeF() * 1.5)
        self.worked.setFont(f)
        for k, (op, p) in enumerate(zip(self.ops, self.panels, strict=True)):
            p.set_zoom_font(f)
            op.setFont(big)
            op.setContentsMargins(4, int(36 * z), 4, 0)
            if k < self.shown:
                p._fit()

    def equal_titles(self) -> None:
        """Titles of one height, so that the tables start level and a column's entries sit beside
        the rows of the matrix next to it."""
        ps = self.panels[:self.shown]
        h = max((p.title_height() for p in ps), default=0)
        for p in ps:
            p.title.setFixedHeight(h)

    def mark(self, specs: list[Panel], k: int, i: int, j: int) -> None:
        """Cell (i, j) of panel k selected, and in every panel what it came from or went into."""
        marks = related(specs, k, i, j)
        for q, (p, (rows, cols)) in enumerate(zip(self.panels, marks + [(None, None)] * POOL, strict=False)):
            if q >= len(specs):
                break
            p.set_marks((i, j) if q == k else None, rows, cols)

    def unmark(self) -> None:
        for p in self.panels:
            p.set_marks(None, None, None)
