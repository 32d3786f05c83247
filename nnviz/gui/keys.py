"""Space, Right and Left drive training window-wide: Play/Pause, Step, Step back.

A button or check box focused by a click never takes them (Space would press it: after a
click on a feature box, Space toggled the box and rebuilt the network).  Widgets that edit
text keep them (a line edit, a spin box, an editable combo box); for the arrows, widgets
that move with them (a slider, a table, a list, a combo box); and a button or box reached
with Tab keeps Space, so the keyboard alone can still press it, as everywhere on a desktop.
The filter is installed on the application and acts for one window.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import (QAbstractButton, QAbstractItemView, QAbstractSlider, QAbstractSpinBox, QApplication,
                               QComboBox, QLineEdit, QPlainTextEdit, QTextEdit, QWidget)

KEYS = (Qt.Key.Key_Space, Qt.Key.Key_Right, Qt.Key.Key_Left)


def keeps_key(widget: QWidget | None, key: int, by_keyboard: bool = False) -> bool:
    """True when ``widget`` (the focus widget; ``by_keyboard``: reached with Tab) needs the key."""
    if widget is None:
        return False
    if isinstance(widget, QAbstractButton):
        return key == Qt.Key.Key_Space and by_keyboard
    if isinstance(widget, (QLineEdit, QAbstractSpinBox, QTextEdit, QPlainTextEdit)):
        return True
    if isinstance(widget, QComboBox) and widget.isEditable():
        return True
    return key != Qt.Key.Key_Space and isinstance(widget, (QAbstractSlider, QAbstractItemView, QComboBox))


class TransportKeys(QObject):
    """Calls ``actions[key]()`` for Space/Right/Left pressed anywhere in ``window``."""

    def __init__(self, window: QWidget, actions: dict):
        super().__init__(window)
        self.window = window
        self.actions = actions
        self._taken: int | None = None  # the key whose ShortcutOverride was handled here
        self._tabbed: QWidget | None = None  # the widget that last got focus from Tab or Backtab
        app = QApplication.instance()
        assert app is not None  # (keys are made for a window of the running application)
        app.installEventFilter(self)

    def remove(self) -> None:
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self)

    def eventFilter(self, obj, event) -> bool:  # noqa: N802 (Qt's name)
        kind = event.type()
        if kind == QEvent.Type.FocusIn and isinstance(obj, QWidget):
            tabbed = event.reason() in (Qt.FocusReason.TabFocusReason, Qt.FocusReason.BacktabFocusReason)
            self._tabbed = obj if tabbed else None
            return False
        if kind not in (QEvent.Type.ShortcutOverride, QEvent.Type.KeyPress):
            return False
        if event.key() not in self.actions or event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier:
            return False
        if not isinstance(obj, QWidget) or obj.window() is not self.window:
            return False
        focus = QApplication.focusWidget()
        if focus is not None and focus.window() is not self.window:
            return False
        if keeps_key(focus, event.key(), focus is not None and focus is self._tabbed):
            return False
        if event.isAutoRepeat() and event.key() == Qt.Key.Key_Space:
            event.accept()
            return True  # holding Space does not flicker between Play and Pause
        if kind == QEvent.Type.ShortcutOverride:
            # taken here, before a focused button or a menu shortcut can see it
            event.accept()
            self._taken = event.key()
            self.actions[event.key()]()
            return True
        if self._taken != event.key():  # a KeyPress that came without its ShortcutOverride
            self.actions[event.key()]()
        self._taken = None
        return True
