"""The window's guides: the Help menu's "Follow the post" tour and a session's lesson.

A mixin of ``MainWindow``: it makes the Help menu, creates the tour's dock when first asked
(``open_tour``), shows a lesson's dock and applies its locked and hidden controls to the control
panel, the transport bar, the diagram's tools, the Training menu and the keys (``show_lesson``).
The tour itself is ``views/tour_panel.py`` over the steps in ``core/tour.py``; lessons are
``core/lesson.py``, carried by session files.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDockWidget

from ..core import tour as tourmod
from ..core.lesson import Lesson
from .views.lesson_panel import LessonPanel
from .views.tour_panel import TourPanel

# the Training menu's actions of the transport's buttons (lesson names -> the actions' text)
MENU_TEXTS = {"play": "Play / Pause", "step": "Step one iteration", "step_n": "Step N iterations",
              "micro": "Micro-step (one stage of an iteration)", "back": "Step back", "epoch": "Step one epoch",
              "reset": "Reset weights"}
KEY_NAMES = {Qt.Key_Space: "play", Qt.Key_Right: "step", Qt.Key_Left: "back"}
DOCK_WIDTH = 380


class GuideActions:
    """The tour and lessons in the main window (see the module doc)."""

    tour: TourPanel | None = None
    lesson_panel: LessonPanel | None = None
    lesson: Lesson | None = None
    _all_keys: dict | None = None

    def _make_guides(self) -> None:
        menu = self.menuBar().addMenu("&Help")
        self.tour_action = self._action(menu, "&Follow the post", "F1", lambda: self.open_tour())
        self.tour_action.setToolTip("a guided tour of the post \u201cDeep Neural Network from Scratch in R\u201d, "
                                    "step by step in the window")
        # after the window's own _on_context, which shows the diagram's tools for the new network
        self.controller.contextChanged.connect(lambda _ctx: self._restrict_tools())

    # -- the tour -------------------------------------------------------------------------------
    def open_tour(self, step: int | str | None = None) -> TourPanel:
        """Show the tour at ``step`` (an index or a step's key), or where it was left."""
        if self.tour is None:
            self.tour = TourPanel(self)
            self._dock(self.tour)
            self.controller.render.connect(self.tour.show_snapshot)
        self.tour.show()
        self.tour.raise_()
        if step is None:
            index = self.tour.remembered()
        else:
            index = tourmod.index_of(step) if isinstance(step, str) else int(step)
        self.tour.go(index)
        return self.tour

    def _dock(self, dock) -> None:
        """A dock on the right, beside the error plot; tabbed with the other guide if it is open.  On a
        screen too narrow for it beside the views (QT_SCALE_FACTOR=2 on 1600 pixels), the controls
        move into a dock of their own on the left and the guide is a tab beside them."""
        other = self.lesson_panel if dock is self.tour else self.tour
        if self.controls_dock is None and self._too_narrow(dock):
            self._controls_to_dock()
        if self.controls_dock is not None:
            self.addDockWidget(Qt.LeftDockWidgetArea, dock)
            self.tabifyDockWidget(self.controls_dock, dock)
            return
        self.addDockWidget(Qt.RightDockWidgetArea, dock)
        if other is not None and other.isVisible():
            self.tabifyDockWidget(other, dock)
        else:
            width = min(DOCK_WIDTH, max(self.width() // 4, 260))
            self.resizeDocks([dock], [width], Qt.Horizontal)

    controls_dock: QDockWidget | None = None
    _controls_min = 0

    def _too_narrow(self, dock) -> bool:
        screen = self.screen()
        if screen is None:
            return False
        need = self.centralWidget().minimumSizeHint().width() + dock.minimumSizeHint().width()
        return need > screen.availableGeometry().width()

    def _controls_to_dock(self) -> None:
        """The controls column out of the main splitter, into a dock the guides are tabs beside."""
        self.controls_dock = QDockWidget("Controls", self)
        self.controls_dock.setObjectName("controls")
        self.controls_dock.setFeatures(QDockWidget.DockWidgetMovable)
        self._controls_min = self.controls_scroll.minimumWidth()
        self.controls_scroll.setMinimumWidth(150)  # it scrolls sideways; the guide beside the views needs the room
        self.controls_dock.setWidget(self.controls_scroll)
        self.addDockWidget(Qt.LeftDockWidgetArea, self.controls_dock)

    def put_controls_back(self) -> None:
        """The controls back in the main splitter (before the window saves its layout)."""
        if self.controls_dock is None:
            return
        self._splitters["main"].insertWidget(0, self.controls_scroll)
        self.controls_scroll.setMinimumWidth(self._controls_min)
        self.removeDockWidget(self.controls_dock)
        self.controls_dock.deleteLater()
        self.controls_dock = None

    # -- lessons --------------------------------------------------------------------------------
    def show_lesson(self, lesson: Lesson | None) -> None:
        """Show a session's lesson and apply its locks (None: no lesson, nothing locked)."""
        self.lesson = lesson
        if lesson is None:
            if self.lesson_panel is not None:
                self.lesson_panel.hide()
            self._restrict((), ())
            return
        if self.lesson_panel is None:
            self.lesson_panel = LessonPanel(self)
            self._dock(self.lesson_panel)
        self.lesson_panel.show_lesson(lesson)
        self.lesson_panel.show()
        self.lesson_panel.raise_()
        self._restrict(lesson.lock, lesson.hide)

    def _restrict(self, lock, hide) -> None:
        self.controls.restrict(lock, hide)
        self.transport.restrict(lock, hide)
        self._restrict_tools()
        off = set(lock) | set(hide)
        for action in self.actions():
            name = next((n for n, t in MENU_TEXTS.items() if action.text() == t), None)
            if name is not None:
                action.setEnabled(name not in off)
        if self._all_keys is None:
            self._all_keys = dict(self.keys.actions)
        self.keys.actions.clear()
        self.keys.actions.update({k: f for k, f in self._all_keys.items() if KEY_NAMES.get(k) not in off})

    def _restrict_tools(self) -> None:
        """The diagram's +/- buttons go with "hidden", the feature toggles with "features"."""
        lock = self.lesson.lock if self.lesson is not None else ()
        hide = self.lesson.hide if self.lesson is not None else ()
        for widget, name in ((self.layer_buttons, "hidden"), (self.feature_toggles, "features")):
            widget.setEnabled(name not in lock)
            if name in hide:
                widget.withheld = True
                widget.setVisible(False)
            elif widget.withheld:
                widget.withheld = False
                if self.context is not None:
                    self._show_diagram_tools(self.context, self.current_settings())
