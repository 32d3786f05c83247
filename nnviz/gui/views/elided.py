"""A one-line label that never cuts its text silently: too long for its width, it ends in an
ellipsis and the whole text is its tooltip (the status bar's early-stop message was cut)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QSizePolicy


class ElidedLabel(QLabel):
    """Plain text, elided on the right to the label's width; ``full_text`` is what was set."""

    def __init__(self, text: str = "", parent=None) -> None:
        super().__init__(parent)
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.setMinimumWidth(1)
        self.full_text = ""
        self.set_full_text(text)

    def set_full_text(self, text: str) -> None:
        if text != self.full_text:
            self.full_text = text
            self._elide()

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        super().resizeEvent(event)
        self._elide()

    def _elide(self) -> None:
        width = max(self.contentsRect().width(), 1)
        shown = self.fontMetrics().elidedText(self.full_text, Qt.TextElideMode.ElideRight, width)
        if shown != self.text():
            self.setText(shown)
        self.setToolTip(self.full_text if shown != self.full_text else "")
