"""The window's menu items and its settings file.

``add_action`` puts an item in a menu and on the window, so that its shortcut works
window-wide (the actions of the File, Training, View, Runs, Edit and Help menus are made by
the parts that own their slots: ``main_window``, ``commands``, ``view_actions``, ``run_actions``,
``data_edits``, ``guide_actions``, ``help_menu``).  ``settings_store`` is the QSettings file of
the window's layout, recent sessions, tour step and dialogs' choices.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMenu, QWidget

# a standard key some platforms leave without a binding (Qt's offscreen and minimal themes: Quit)
_FALLBACK = {QKeySequence.StandardKey.Quit: "Ctrl+Q"}


def add_action(window: QWidget, menu: QMenu, text: str, shortcut: str | QKeySequence.StandardKey,
               slot: Callable[..., object]) -> QAction:
    """An item of ``menu`` calling ``slot``, with ``shortcut`` anywhere in ``window``."""
    a = QAction(text, window)
    if isinstance(shortcut, QKeySequence.StandardKey):  # every binding of the platform (Redo: Ctrl+Y too)
        a.setShortcuts(QKeySequence.keyBindings(shortcut) or [QKeySequence(_FALLBACK.get(shortcut, ""))])
    else:
        a.setShortcut(QKeySequence(shortcut))
    a.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
    a.triggered.connect(slot)
    menu.addAction(a)
    window.addAction(a)
    return a


def settings_store() -> QSettings:
    """nnviz's own settings file (an INI file in the user's configuration folder)."""
    return QSettings(QSettings.Format.IniFormat, QSettings.Scope.UserScope, "nnviz", "nnviz")
