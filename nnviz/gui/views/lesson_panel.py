"""A lesson's panel: the title and the teacher's instructions (Markdown) of the session opened,
in a dock beside the views like the "Follow the post" tour, with a line naming what the lesson
locked or hid.  The window applies the locks (``GuideActions.show_lesson``); this only shows.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDockWidget, QLabel, QTextBrowser, QVBoxLayout, QWidget

from ...core.lesson import Lesson

# how the lesson's names read in the panel's last line
LABELS = {"lr": "learning rate", "l1": "L1", "l2": "L2", "lr_schedule": "lr schedule", "step_n": "Step N",
          "micro": "Micro-step", "hidden": "hidden layers", "features": "input features",
          "standardize": "standardise inputs", "iterations": "max iterations", "play": "Play", "step": "Step",
          "back": "Back", "reset": "Reset", "epoch": "Epoch", "speed": "the speed", "data": "the data set"}


def label(name: str) -> str:
    return LABELS.get(name, name.replace("_", " "))


class LessonPanel(QDockWidget):
    def __init__(self, parent=None):
        super().__init__("Lesson", parent)
        self.setObjectName("lesson")
        self.setFeatures(QDockWidget.DockWidgetClosable | QDockWidget.DockWidgetMovable
                         | QDockWidget.DockWidgetFloatable)
        body = QWidget()
        layout = QVBoxLayout(body)
        layout.setContentsMargins(8, 6, 8, 6)
        self.title = QLabel()
        self.title.setWordWrap(True)
        font = self.title.font()
        font.setPointSizeF(font.pointSizeF() * 1.3)
        font.setBold(True)
        self.title.setFont(font)
        self.instructions = QTextBrowser()
        self.instructions.setOpenExternalLinks(True)
        self.instructions.setFocusPolicy(Qt.NoFocus)  # Space and the arrows stay the transport's
        self.restrictions = QLabel()
        self.restrictions.setWordWrap(True)
        self.restrictions.setStyleSheet("color:#555")
        layout.addWidget(self.title)
        layout.addWidget(self.instructions, 1)
        layout.addWidget(self.restrictions)
        self.setWidget(body)
        self.setMinimumWidth(180)
        self.lesson: Lesson | None = None

    def show_lesson(self, lesson: Lesson) -> None:
        self.lesson = lesson
        self.setWindowTitle(f"Lesson: {lesson.title}")
        self.title.setText(lesson.title)
        self.instructions.setMarkdown(lesson.instructions)
        parts = []
        if lesson.lock:
            parts.append("Locked by the lesson: " + ", ".join(label(n) for n in lesson.lock) + ".")
        if lesson.hide:
            parts.append("Hidden: " + ", ".join(label(n) for n in lesson.hide) + ".")
        self.restrictions.setText(" ".join(parts))
        self.restrictions.setVisible(bool(parts))
