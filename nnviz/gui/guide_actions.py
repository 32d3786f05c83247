"""The window's guides: the Help menu's "Follow the post" tour and a session's lesson.

``GuideActions`` puts the tour in the Help menu, creates the tour's dock when first asked
(``open_tour``), shows a lesson's dock and applies its locked and hidden controls to the
control panel, the transport bar, the diagram's tools, the Training menu and the keys
(``show_lesson``).  On a screen too narrow for a dock beside the views, the controls move
into a dock of their own and the guide is a tab beside them.  The tour itself is
``views/tour_panel.py`` over the steps in ``core/tour.py``; lessons are ``core/lesson.py``,
carried by session files.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDockWidget, QMainWindow, QMenu, QScrollArea, QSplitter

from ..core import tour as tourmod
from ..core.lesson import Lesson
from .controller import Controller
from .keys import TransportKeys
from .menus import add_action
from .view_actions import show_tools
from .views.controls import ControlPanel
from .views.feature_toggles import FeatureToggles
from .views.layer_buttons import LayerButtons
from .views.lesson_panel import LessonPanel
from .views.tour_panel import TourPanel
from .views.transport import Transport

# the Training menu's actions of the transport's buttons (lesson names -> the actions' text)
MENU_TEXTS = {"play": "Play / Pause", "step": "Step one iteration", "step_n": "Step N iterations",
              "micro": "Micro-step (one stage of an iteration)", "back": "Step back", "epoch": "Step one epoch",
              "reset": "Reset weights"}
KEY_NAMES = {Qt.Key.Key_Space: "play", Qt.Key.Key_Right: "step", Qt.Key.Key_Left: "back"}
DOCK_WIDTH = 380


class GuideActions:
    """The tour and lessons in the main window (see the module doc)."""

    def __init__(self, window: QMainWindow, controller: Controller, menu: QMenu, controls: ControlPanel,
                 controls_scroll: QScrollArea, main_splitter: QSplitter, transport: Transport, keys: TransportKeys,
                 layer_buttons: LayerButtons, feature_toggles: FeatureToggles) -> None:
        self.window = window  # the docks' window; the tour reads its views
        self.controller = controller
        self.controls = controls  # locked and hidden by a lesson
        self.controls_scroll = controls_scroll  # the controls' column, into a dock on a narrow screen
        self.main_splitter = main_splitter  # ... and back
        self.transport = transport
        self.keys = keys
        self.layer_buttons = layer_buttons
        self.feature_toggles = feature_toggles
        self.tour: TourPanel | None = None
        self.lesson_panel: LessonPanel | None = None
        self.lesson: Lesson | None = None
        self.controls_dock: QDockWidget | None = None
        self._controls_min = 0
        self._all_keys: dict | None = None
        self.tour_action = add_action(window, menu, "&Follow the post", "F1", lambda: self.open_tour())
        self.tour_action.setToolTip("a guided tour of the post \u201cDeep Neural Network from Scratch in R\u201d, "
                                    "step by step in the window")
        # after the window's own _on_context, which shows the diagram's tools for the new network
        controller.contextChanged.connect(lambda _ctx: self._restrict_tools())

    # -- the tour -------------------------------------------------------------------------------
    def open_tour(self, step: int | str | None = None) -> TourPanel:
        """Show the tour at ``step`` (an index or a step's key), or where it was left."""
        if self.tour is None:
            self.tour = TourPanel(self.window)
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

    def _dock(self, dock: QDockWidget) -> None:
        """A dock on the right, beside the error plot; tabbed with the other guide if it is open.  On a
        screen too narrow for it beside the views (QT_SCALE_FACTOR=2 on 1600 pixels), the controls
        move into a dock of their own on the left and the guide is a tab beside them."""
        w = self.window
        other = self.lesson_panel if dock is self.tour else self.tour
        if self.controls_dock is None and self._too_narrow(dock):
            self._controls_to_dock()
        if self.controls_dock is not None:
            w.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, dock)
            w.tabifyDockWidget(self.controls_dock, dock)
            return
        w.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, dock)
        if other is not None and other.isVisible():
            w.tabifyDockWidget(other, dock)
        else:
            width = min(DOCK_WIDTH, max(w.width() // 4, 260))
            w.resizeDocks([dock], [width], Qt.Orientation.Horizontal)

    def _too_narrow(self, dock: QDockWidget) -> bool:
        screen = self.window.screen()
        if screen is None:
            return False
        central = self.window.centralWidget()
        need = (central.minimumSizeHint().width() if central is not None else 0) + dock.minimumSizeHint().width()
        return need > screen.availableGeometry().width()

    def _controls_to_dock(self) -> None:
        """The controls column out of the main splitter, into a dock the guides are tabs beside."""
        self.controls_dock = QDockWidget("Controls", self.window)
        self.controls_dock.setObjectName("controls")
        self.controls_dock.setFeatures(QDockWidget.DockWidgetFeature.DockWidgetMovable)
        self._controls_min = self.controls_scroll.minimumWidth()
        self.controls_scroll.setMinimumWidth(150)  # it scrolls sideways; the guide beside the views needs the room
        self.controls_dock.setWidget(self.controls_scroll)
        self.window.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, self.controls_dock)

    def put_controls_back(self) -> None:
        """The controls back in the main splitter (before the window saves its layout)."""
        if self.controls_dock is None:
            return
        self.main_splitter.insertWidget(0, self.controls_scroll)
        self.controls_scroll.setMinimumWidth(self._controls_min)
        self.window.removeDockWidget(self.controls_dock)
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
            self.lesson_panel = LessonPanel(self.window)
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
        for action in self.window.actions():
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
                ctx, settings = self.controller.context, self.controller.current_settings()
                if ctx is not None and settings is not None:
                    show_tools(self.feature_toggles, self.layer_buttons, ctx, settings)
