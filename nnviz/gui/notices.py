"""What the window says: a line in the status bar, an error (a window-modal message box that
does not block, and the status bar), the question asked last, and the status bar's line of a
snapshot.  Every part of the window reports through one ``Notices``; nothing else changes
when it shows an error (the network stays as it was).
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMainWindow, QMessageBox

from ..core.snapshot import Snapshot


class Notices:
    """The window's status bar and message boxes (see the module doc)."""

    def __init__(self, window: QMainWindow) -> None:
        self.window = window
        self.last_error = ""
        self.dialog: QMessageBox | None = None  # the error box, made on the first error
        self.question: QMessageBox | None = None  # the question asked last (Save first? Resume?)

    def say(self, message: str, ms: int) -> None:
        """A line in the status bar for ``ms`` milliseconds."""
        self.window.statusBar().showMessage(message, ms)

    def error(self, message: str) -> None:
        """One line in a non-blocking message box and the status bar; nothing else changes."""
        self.last_error = message
        self.say(message, 15000)
        if self.dialog is None:
            self.dialog = QMessageBox(QMessageBox.Icon.Warning, "nnviz", "", QMessageBox.StandardButton.Ok,
                                      self.window)
            self.dialog.setWindowModality(Qt.WindowModality.WindowModal)
        self.dialog.setText(message)
        self.dialog.open()

    def ask(self, box: QMessageBox) -> QMessageBox:
        """Open a question, window-modal: it does not block, its ``finished`` signal answers."""
        box.setWindowModality(Qt.WindowModality.WindowModal)
        self.question = box
        box.open()
        return box

    def write(self, write: Callable[[], object], done: str) -> bool:
        """Run a file write; its one-line error, or ``done`` in the status bar."""
        try:
            write()
        except ValueError as exc:
            self.error(str(exc))
            return False
        self.say(done, 8000)
        return True


def status_line(snap: Snapshot) -> str:
    """The status bar's line of a frame: state, iteration, errors, speed, why training stopped."""
    present = snap.present_iteration
    state = snap.state
    parts = [state.value if hasattr(state, "value") else str(state),
             f"iteration {snap.iteration:,}", f"mse {snap.mse:.5g}"]
    if snap.preview:
        parts[0] = "history"
        parts[1] = f"iteration {snap.iteration:,} (training is at {present:,})"
    if snap.stage:
        parts.insert(2, f"micro-step: {snap.stage}")
    if snap.accuracy is not None:
        parts.append(f"accuracy {snap.accuracy:.1%}")
    if snap.test_mse is not None:
        parts.append(f"test mse {snap.test_mse:.5g}")
    schedule = getattr(snap.settings, "lr_schedule", "constant")
    if schedule != "constant" and getattr(snap.settings, "algorithm", "gd") == "gd":
        parts.append(f"lr now {snap.lr:.6g} ({schedule})")
    if snap.validation_mse is not None:
        parts.append(f"validation mse {snap.validation_mse:.5g}")
    if snap.iterations_per_second and not snap.preview:
        parts.append(f"{snap.iterations_per_second:,.0f} it/s")
    if snap.stopped:
        parts.append(f"stopped: {snap.stopped}")
    if snap.message and snap.stopped != "diverged":
        parts.append(snap.message)
    return "  \u00b7  ".join(parts)
