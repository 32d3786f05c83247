"""What the main window remembers of its shape from one run to the next (QSettings): its
geometry, the sizes of its splitters and the tab that was open."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMainWindow, QSplitter, QTabWidget

from .menus import settings_store

# the QSettings group of the splitters and the last tab: a new arrangement of panels gets a new
# group, so a state saved for another arrangement is never applied to this one
LAYOUT = "layout-2"


def fit_screen(window: QMainWindow) -> None:
    """The window as it was left, or the first window filling the screen it opens on,
    maximised (at any scale)."""
    saved = settings_store().value("window/geometry")
    if saved is not None and window.restoreGeometry(saved):
        screen = window.screen().availableGeometry() if window.screen() is not None else None
        if screen is None or screen.intersects(window.geometry()):
            return
    screen = window.screen().availableGeometry() if window.screen() is not None else None
    if screen is not None and screen.width() > 0:
        window.setGeometry(screen)
    window.setWindowState(window.windowState() | Qt.WindowState.WindowMaximized)


def restore_layout(splitters: dict[str, QSplitter], tabs: QTabWidget) -> bool:
    """The splitters and the last tab as the user left them; True when a splitter was restored."""
    s = settings_store()
    restored = False
    for key, splitter in splitters.items():
        state = s.value(f"{LAYOUT}/{key}")
        if state is not None and splitter.restoreState(state):
            restored = True
    tab = s.value(f"{LAYOUT}/tab")
    for i in range(tabs.count()):
        if tabs.tabText(i) == tab:
            tabs.setCurrentIndex(i)
    return restored


def save_layout(window: QMainWindow, splitters: dict[str, QSplitter], tabs: QTabWidget) -> None:
    s = settings_store()
    s.setValue("window/geometry", window.saveGeometry())
    for key, splitter in splitters.items():
        s.setValue(f"{LAYOUT}/{key}", splitter.saveState())
    s.setValue(f"{LAYOUT}/tab", tabs.tabText(tabs.currentIndex()))
