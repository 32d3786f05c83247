"""A layout that places its widgets left to right and wraps to a new line when the width runs
out (Qt's flow layout example): matrices side by side on a wide screen, stacked on a narrow one.
Items are aligned at the top of their line, or centred in it (``center``: a tool bar)."""

from __future__ import annotations

from PySide6.QtCore import QPoint, QRect, QSize, Qt
from PySide6.QtWidgets import QLayout, QLayoutItem, QWidgetItem


class FlowLayout(QLayout):
    def __init__(self, parent=None, spacing: int = 8, center: bool = False):
        super().__init__(parent)
        self._items: list[QLayoutItem] = []
        self._spacing = spacing
        self._center = center

    def addItem(self, item: QLayoutItem) -> None:
        self._items.append(item)

    def count(self) -> int:
        return len(self._items)

    def itemAt(self, index: int):
        return self._items[index] if 0 <= index < len(self._items) else None

    def takeAt(self, index: int):
        return self._items.pop(index) if 0 <= index < len(self._items) else None

    def expandingDirections(self):
        return Qt.Orientation(0)

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        return self._place(QRect(0, 0, width, 0), move=False)

    def setGeometry(self, rect: QRect) -> None:
        super().setGeometry(rect)
        self._place(rect, move=True)

    def sizeHint(self) -> QSize:
        return self.minimumSize()

    def minimumSize(self) -> QSize:
        size = QSize()
        for item in self._visible():
            size = size.expandedTo(item.minimumSize())
        m = self.contentsMargins()
        return size + QSize(m.left() + m.right(), m.top() + m.bottom())

    def lines(self, width: int) -> list[list[QLayoutItem]]:
        """The items of each line at this width (for tests: side by side or stacked)."""
        out: list[list[QLayoutItem]] = []
        self._place(QRect(0, 0, width, 0), move=False, lines=out)
        return out

    def _visible(self) -> list[QLayoutItem]:
        return [it for it in self._items
                if not (isinstance(it, QWidgetItem) and (w := it.widget()) is not None and w.isHidden())]

    def _place(self, rect: QRect, move: bool, lines: list | None = None) -> int:
        m = self.contentsMargins()
        area = rect.adjusted(m.left(), m.top(), -m.right(), -m.bottom())
        rows: list[list[QLayoutItem]] = [[]]
        x = area.x()
        for item in self._visible():
            w = item.sizeHint().width()
            if rows[-1] and x + w > area.right() + 1:
                rows.append([])
                x = area.x()
            rows[-1].append(item)
            x += w + self._spacing
        y = area.y()
        for row in rows:
            if not row:
                continue
            line_h = max(it.sizeHint().height() for it in row)
            x = area.x()
            for item in row:
                hint = item.sizeHint()
                if move:
                    dy = (line_h - hint.height()) // 2 if self._center else 0
                    item.setGeometry(QRect(QPoint(x, y + dy), hint))
                x += hint.width() + self._spacing
            y += line_h + self._spacing
            if lines is not None:
                lines.append(row)
        return max(y - self._spacing - rect.y() + m.bottom(), 0)
