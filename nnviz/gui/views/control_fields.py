"""The control panel's own field widgets: numbers kept exactly, the learning rate, the data picker.

A ``QDoubleSpinBox`` rounds to its decimals, and a rounded value read back would silently build
a new network; these fields keep what is typed (0.125, 1e-09) and say in one line what is wrong
with a value they refuse.
"""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QComboBox, QLineEdit, QStyle, QStyleOptionComboBox, QStylePainter

from ...core.advice import AUTO
from ...core.data import BUILTINS

CUSTOM_PREFIX = "custom (from "  # the picker's entry for data edited on the map


def number_text(x: float) -> str:
    """The shortest text that reads back as exactly x (0.125, 1e-09, 0.02, 3)."""
    t = repr(float(x))
    return t[:-2] if t.endswith(".0") else t


class NumberEdit(QLineEdit):
    """A number typed as text: shows and keeps every setting exactly (a spin box rounds to its
    decimals, and a rounded value read back would silently build a new network)."""

    def __init__(self, name: str, lo: float, hi: float, empty: str | None = None):
        super().__init__()
        self.name, self.lo, self.hi, self.empty = name, lo, hi, empty
        if empty:
            self.setPlaceholderText(empty)

    def setValue(self, x: float | None) -> None:
        self.setText("" if x is None else number_text(x))

    def value(self) -> float | None:
        """The number, None when empty (where allowed); ValueError with a one-line message."""
        text = self.text().strip()
        if not text and self.empty:
            return None
        try:
            x = float(text)
        except ValueError:
            raise ValueError(f"the {self.name} must be a number (got {text!r})") from None
        if not (self.lo <= x <= self.hi):
            raise ValueError(f"the {self.name} must be between {number_text(self.lo)} and {number_text(self.hi)} (got {text})")
        return x


class RateEdit(QLineEdit):
    """The learning rate: a number, kept exactly, or "auto" (typed, or the field left empty),
    shown as an empty field whose grey text says what auto stands for: "auto (0.00167)"."""

    def __init__(self):
        super().__init__()
        self.setPlaceholderText(AUTO)
        self.setToolTip("a number, or auto (empty): min(0.02, c / rows) for the rows an update sums over, "
                        "c = 3 for a sigmoid or softmax output with sse, 3/4 with ce, 3/16 for a linear output; "
                        "0.02 for iris")
        self.editingFinished.connect(self._tidy)

    def setValue(self, lr: float | str) -> None:
        self.setText("" if lr == AUTO else number_text(float(lr)))

    def value(self) -> float | str:
        """A number or "auto"; ValueError with a one-line message."""
        text = self.text().strip()
        if not text or text.lower() == AUTO:
            return AUTO
        try:
            return float(text)
        except ValueError:
            raise ValueError(f"the learning rate must be a number or auto (got {text!r})") from None

    def show_auto(self, lr: float | None) -> None:
        """What auto stands for now (None: not known yet)."""
        self.setPlaceholderText(AUTO if lr is None else f"{AUTO} ({lr:g})")

    def _tidy(self) -> None:
        if self.text().strip().lower() == AUTO:
            self.setText("")  # the grey text shows auto with its number


class DataCombo(QComboBox):
    """The data picker: as wide as its row (not as its longest item, a CSV file's name can be
    long), the current name elided in the middle when it does not fit ("custom (fr…circles)"
    keeps the data's origin), and the full name in the tooltip."""

    def __init__(self, about: str):
        super().__init__()
        self.about = about  # the tooltip's text under the current name
        self.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.setMinimumContentsLength(6)
        self.currentTextChanged.connect(self._tip)
        self._tip(self.currentText())

    def sizeHint(self) -> QSize:
        """Room for the longest built-in set's edited name, "custom (from gauss-mix)", whatever
        the items (a long CSV file name is elided, not given room)."""
        hint = super().sizeHint()
        text = max(self.fontMetrics().horizontalAdvance(f"{CUSTOM_PREFIX}{b})") for b in BUILTINS)
        size = self.style().sizeFromContents(QStyle.ContentsType.CT_ComboBox, self._option(), QSize(text + 4, hint.height()), self)
        return QSize(size.width(), hint.height())

    def minimumSizeHint(self) -> QSize:
        return self.sizeHint()

    def _tip(self, text: str) -> None:
        self.setToolTip(f"{text}\n\n{self.about}" if text else self.about)

    def _option(self) -> QStyleOptionComboBox:
        opt = QStyleOptionComboBox()
        self.initStyleOption(opt)
        return opt

    def shown_text(self) -> str:
        """The current name as painted: whole, or elided in the middle to fit the field."""
        opt = self._option()
        field = self.style().subControlRect(QStyle.ComplexControl.CC_ComboBox, opt, QStyle.SubControl.SC_ComboBoxEditField, self)
        return self.fontMetrics().elidedText(self.currentText(), Qt.TextElideMode.ElideMiddle, max(field.width() - 2, 0))

    def paintEvent(self, event) -> None:
        painter = QStylePainter(self)
        painter.setPen(self.palette().color(QPalette.ColorRole.Text))
        opt = self._option()
        opt.currentText = self.shown_text()
        painter.drawComplexControl(QStyle.ComplexControl.CC_ComboBox, opt)
        painter.drawControl(QStyle.ControlElement.CE_ComboBoxLabel, opt)
