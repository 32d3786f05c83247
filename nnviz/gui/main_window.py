"""The main window: controls on the left; error plot, network diagram and
predictions on the right; the menus, shortcuts, status bar, drag and drop.

The window never trains: it sends commands to the controller and paints the snapshots the
controller hands it (the paint clock: ``_on_context``, ``_on_render``).  It lays out the views
and makes the parts that act on them, each given what it uses:

  notices.Notices             the status bar, the error box and the questions
  open_files.OpenFiles        the files the window has read (no write replaces one)
  commands.TrainingCommands   Play, Step, Reset...: the transport bar, the Training menu, the keys
  setup_actions.SetupActions  the controls, a CSV file and the diagram's tools build the network
  view_actions.ViewActions    the View menu, the chosen node and row, the edge card, the runner's needs
  sessions.Sessions           open and save sessions and models, recent files, the title, "Save first?"
  exports.Exports             export weights, the diagram, the error plot, the decision map
  film_actions.FilmActions    export an animation (in a thread)
  run_actions.RunActions      the Runs menu: kept runs, sweeps, Compare with R's neuralnet
  data_edits.DataEdits        the map's edits, Undo and Redo, export data
  guide_actions.GuideActions  the tour and lessons (the Help menu's first item)
  help_menu.HelpMenu          User guide and About

Errors are shown in a window-modal (non-blocking) message box and in the status bar; the
network stays as it was.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtGui import QAction, QCloseEvent, QDragEnterEvent, QDropEvent, QKeySequence, QShowEvent
from PySide6.QtWidgets import (QAbstractButton, QCheckBox, QComboBox, QHBoxLayout, QLabel, QMainWindow, QMenu,
                               QMessageBox, QScrollArea, QSplitter, QVBoxLayout, QWidget)

from ..core import data as datamod
from ..core.experiment import Settings
from ..core.model import Model
from ..core.pace import DEFAULT_SPEED
from ..core.runner import Context
from ..core.snapshot import Snapshot
from . import collector
from .commands import TrainingCommands
from .controller import Controller
from .data_edits import DataEdits
from .exports import Exports
from .film_actions import FilmActions
from .guide_actions import GuideActions
from .help_menu import HelpMenu
from .keys import TransportKeys
from .menus import add_action
from .notices import Notices, status_line
from .open_files import OpenFiles
from .run_actions import RunActions
from .sessions import Sessions
from .setup_actions import SetupActions, show_csv
from .view_actions import ViewActions, show_tools
from .views.controls import ControlPanel
from .views.dynamics_view import DynamicsView
from .views.edge_card import EdgeCard
from .views.elided import ElidedLabel
from .views.explain_view import ExplainView
from .views.feature_toggles import FeatureToggles
from .views.hint_banner import HintBanner
from .views.inspector import Inspector
from .views.layer_buttons import LayerButtons
from .views.loss_plot import LossPlot
from .views.network_view import NetworkView
from .views.node_histogram import NodeHistogram
from .views.predictions_view import PredictionsView
from .views.runs_panel import RunsPanel
from .views.transport import Transport
from .window_state import fit_screen, restore_layout, save_layout

MENUS = ("&File", "&Training", "&View", "&Runs", "&Edit", "&Help")


class MainWindow(QMainWindow):
    finished = Signal(object)  # the snapshot at which training stopped (finished state)

    def __init__(self, settings: Settings | None = None, init: Model | None = None,
                 dataset: datamod.Dataset | None = None, speed: float | None = DEFAULT_SPEED):
        super().__init__()
        collector.install()  # cycles holding Qt objects are freed in this thread, not the worker's
        settings = settings or Settings()
        self.setWindowTitle("nnviz")
        fit_screen(self)
        self.setAcceptDrops(True)
        self.controller = Controller(self)
        self.latest: Snapshot | None = None  # the snapshot painted last
        self.shown_iteration: int | None = None
        self.max_lag = 0  # the largest |view's iteration - frame's iteration| seen; must stay 0
        self.confirm_close = True  # ask before closing with unsaved training (off for automation)
        self._make_views(settings)
        self._make_parts()
        self.transport.set_speed(speed)
        self.loss_plot.previewRequested.connect(self.controller.preview)
        self.loss_plot.resumeRequested.connect(self.commands.resume_from)
        if dataset is not None:
            show_csv(self.controls, settings.data, dataset)
        elif settings.data not in datamod.BUILTINS:
            dataset = self.setup.load_csv(settings.data, settings.target, settings.classify)
            if dataset is None:
                settings = settings.with_(data="iris", target=None)
                self.controls.set_settings(settings)
        if restore_layout(self._splitters, self.predictions):
            self._sized = True
        self.controller.configure(settings, dataset, init)

    # -- the layout ---------------------------------------------------------------------
    def _make_views(self, settings: Settings) -> None:
        self.controls = ControlPanel(settings)
        self.transport = Transport()
        self.loss_plot = LossPlot()
        self.network_view = NetworkView()
        self.predictions = PredictionsView()
        self.labels_box = QCheckBox("weight labels")
        self.labels_box.setToolTip("print weights on their edges, like neuralnet's plot: the 16 strongest, or every\n"
                                   "weight of the node under the pointer")
        self.labels_box.toggled.connect(self.network_view.set_show_labels)
        self.mode_box = QComboBox()
        self.mode_box.addItems(["weights", "gradient", "activations"])
        self.mode_box.setToolTip("weights: edges by weight\ngradient: edges by dC/dw of the last step, nodes by delta\n"
                                 "activations: nodes by the selected observation's values")
        self.mode_box.currentTextChanged.connect(self.network_view.set_mode)
        self.inspector = Inspector()
        self.predictions.addTab(self.inspector, "Backprop inspector")
        self.node_histogram = NodeHistogram()  # a tab while a node's histogram is chosen
        self.runs_panel = RunsPanel()
        self.predictions.addTab(self.runs_panel, "Runs")
        self.explain = ExplainView(self.network_view)  # what the network learned (importance, profiles)
        self.predictions.addTab(self.explain, "Explain")
        self.dynamics = DynamicsView(self.controller)  # inside training: gradients, distributions, landscape
        self.predictions.addTab(self.dynamics, "Dynamics")
        self.edge_card = EdgeCard(self)

        diagram = QWidget()
        dl = QVBoxLayout(diagram)
        dl.setContentsMargins(0, 0, 0, 0)
        self.feature_toggles = FeatureToggles(self.network_view)  # lined up with its input nodes
        self.layer_buttons = LayerButtons(self.network_view)
        dl.addWidget(self.layer_buttons)
        beside = QHBoxLayout()
        beside.setSpacing(0)
        beside.addWidget(self.feature_toggles)
        beside.addWidget(self.network_view, 1)
        dl.addLayout(beside, 1)
        under = QHBoxLayout()
        under.addWidget(self.labels_box)
        under.addStretch(1)
        under.addWidget(QLabel("show"))
        under.addWidget(self.mode_box)
        dl.addLayout(under)
        # the error plot, and under it the decision map of two-input data (TensorFlow Playground's
        # output panel): a column of its own beside the diagram
        self.side = QSplitter(Qt.Orientation.Vertical)
        self.side.addWidget(self.loss_plot)
        self.side.addWidget(self.predictions.map_plot)
        self.side.setChildrenCollapsible(False)
        self.side.setSizes([380, 420])
        right = QSplitter(Qt.Orientation.Vertical)  # the diagram over the tabs (predictions, inspector, runs)
        right.addWidget(diagram)
        right.addWidget(self.predictions)
        right.setSizes([520, 330])
        right.setStretchFactor(0, 3)  # a taller window grows the diagram most
        right.setStretchFactor(1, 2)
        # the controls scroll instead of squashing on a small (or scaled) screen
        self.controls_scroll = QScrollArea()
        self.controls_scroll.setWidget(self.controls)
        self.controls_scroll.setWidgetResizable(True)
        # ... and sideways when the screen is narrow (QT_SCALE_FACTOR=2 on 1600 px is 800 wide)
        self.controls_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        self.controls_scroll.setMinimumWidth(min(self.controls.minimumSizeHint().width() + 24, 200))
        self.controls_scroll.setMaximumWidth(self.controls.sizeHint().width() + 60)
        main = QSplitter(Qt.Orientation.Horizontal)
        main.addWidget(self.controls_scroll)
        main.addWidget(right)
        main.addWidget(self.side)
        main.setStretchFactor(0, 0)  # a wider window widens the diagram and the side column, not the controls
        main.setStretchFactor(1, 3)
        main.setStretchFactor(2, 2)
        main.setChildrenCollapsible(False)
        self._sized = False  # the panels get their first sizes when the window is first shown
        central = QWidget()
        cl = QVBoxLayout(central)
        cl.setContentsMargins(4, 4, 4, 0)
        cl.setSpacing(4)
        cl.addWidget(self.transport)  # Play, Step, ..., the speed and the readout: always in sight
        self.hint_banner = HintBanner()  # what to do when training goes wrong
        cl.addWidget(self.hint_banner)
        cl.addWidget(main, 1)
        self.setCentralWidget(central)
        self._splitters: dict[str, QSplitter] = {"main": main, "right": right, "side": self.side}
        self.status = ElidedLabel()  # long messages end in "..." with the whole text as tooltip
        self.statusBar().addPermanentWidget(self.status, 1)

    # -- the parts and the menus ----------------------------------------------------------
    def _make_parts(self) -> None:
        """The parts that act on the views (see the module doc), in the order the menus read."""
        c, shown = self.controller, lambda: self.latest
        file_menu, train_menu, view_menu, runs_menu, edit_menu, help_menu = (self.menuBar().addMenu(t) for t in MENUS)
        c.contextChanged.connect(self._on_context)  # before the guides' own (they restrict the tools it shows)
        c.render.connect(self._on_render)
        c.error.connect(self.show_error)
        self.notices = notices = Notices(self)
        self.files = files = OpenFiles(c, notices)
        self.keys = TransportKeys(self, {Qt.Key.Key_Space: lambda: self.commands.toggle_play(),
                                         Qt.Key.Key_Right: lambda: self.commands.step(1),
                                         Qt.Key.Key_Left: lambda: self.commands.step_back()})
        self.view = ViewActions(self, c, view_menu, self.network_view, self.predictions, self.inspector,
                                self.node_histogram, self.explain, self.dynamics, self.edge_card,
                                self._splitters["right"], shown)
        self.films = FilmActions(self, c, files, notices)
        self.runs = RunActions(self, c, runs_menu, self.runs_panel, self.loss_plot, self.predictions, files, notices)
        self.guides = GuideActions(self, c, help_menu, self.controls, self.controls_scroll, self._splitters["main"],
                                   self.transport, self.keys, self.layer_buttons, self.feature_toggles)
        self.sessions = Sessions(self, c, self.controls, self.runs, self.guides, files, notices)
        self.commands: TrainingCommands = TrainingCommands(self, c, train_menu, self.transport, self.predictions,
                                                           self.inspector, self.sessions, notices)
        self.setup: SetupActions = SetupActions(self, c, self.controls, self.feature_toggles, self.layer_buttons,
                                                self.sessions, notices)
        self.edits = DataEdits(self, c, edit_menu, self.controls, self.predictions, self.inspector, self.loss_plot,
                               self.sessions, files, notices)
        self.exports = Exports(self, c, self.network_view, shown, files, notices)
        self.help = HelpMenu(self, help_menu)  # User guide and About, after the tour
        self.open_action, self.export_action, self.export_map_action = make_file_menu(self, file_menu)

    # -- the window's size and the panels' ------------------------------------------------
    def show_at_size(self, width: int, height: int) -> None:
        """Show the window at exactly this size (``--screenshot --size``), not maximised."""
        self.setWindowState(Qt.WindowState.WindowNoState)
        self.resize(width, height)
        self.show()
        self.resize(width, height)

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 (Qt's name)
        super().showEvent(event)
        if not self._sized:
            self._sized = True
            self._first_sizes()

    def _first_sizes(self) -> None:
        """The controls whole (if there is room), the error plot and the map a third of the rest."""
        main = self._splitters["main"]
        width = main.width()
        controls = min(self.controls.sizeHint().width() + 24, width // 3)
        side = (width - controls) * 36 // 100
        main.setSizes([controls, width - controls - side, side])
        height = self._splitters["side"].height()
        self._splitters["side"].setSizes([height * 45 // 100, height * 55 // 100])

    # -- painting -----------------------------------------------------------------
    @Slot(object)
    def _on_context(self, ctx: Context) -> None:
        """A new network: every view takes it; the frames of the last one are gone."""
        self.latest = None
        self.network_view.set_context(ctx)
        show_tools(self.feature_toggles, self.layer_buttons, ctx, ctx.settings)
        self.predictions.set_context(ctx)
        self.view.on_context(ctx)
        self.inspector.set_context(ctx)
        self.explain.set_context(ctx)
        self.dynamics.set_context(ctx)
        self.controls.show_auto_lr(ctx.train.n)  # an "auto" learning rate shows its number
        self.transport.set_seed(ctx.settings.seed)
        self.export_map_action.setEnabled(ctx.map_grid is not None)
        self.loss_plot.clear()
        self.loss_plot.set_has_test(ctx.test is not None)
        self.edits.on_context(ctx)
        self.view.send_needs(row=0)
        self.sessions.on_context()

    @Slot(object)
    def _on_render(self, snap: Snapshot) -> None:
        """One frame: every view paints this snapshot, so all of them name its iteration."""
        self.latest = snap
        live = snap.state in ("running", "stepping") and not snap.preview
        self.network_view.show_snapshot(snap, fast=live)
        c = self.controller
        self.loss_plot.show_snapshot(snap, c.history, c.test_history, c.full_history, c.val_history)
        self.predictions.show_snapshot(snap)
        self.inspector.show_snapshot(snap)
        self.explain.show_snapshot(snap)
        self.dynamics.show_snapshot(snap)
        self.view.on_frame(snap)
        self.transport.set_running(c.running)
        self.transport.show_snapshot(snap)
        self.hint_banner.show_snapshot(snap)
        self.sessions.name_discarded()
        self.status.set_full_text(status_line(snap))
        self.shown_iteration = snap.iteration
        shown = (self.network_view.shown_iteration, self.loss_plot.shown_iteration, self.predictions.shown_iteration,
                 self.inspector.shown_iteration, self.explain.shown_iteration, self.dynamics.shown_iteration)
        lag = max(abs((it if it is not None else -1) - snap.iteration) for it in shown)
        self.max_lag = max(self.max_lag, lag)
        if not snap.preview:
            self.runs.on_frame(snap)
            self.sessions.on_frame(snap)
        if snap.state == "finished" and not snap.preview:
            self.finished.emit(snap)

    # -- what the app, the API and notebooks call on the window (Play, Step: commands.py) -------
    @property
    def context(self) -> Context | None:
        """The network shown (the controller's, set before any view hears of it)."""
        return self.controller.context

    @property
    def last_error(self) -> str:
        return self.notices.last_error

    @Slot(str)
    def show_error(self, message: str) -> None:
        """One line in a non-blocking message box and the status bar; nothing else changes."""
        self.notices.error(message)

    def play(self) -> None:
        self.commands.play()

    def pause(self) -> None:
        self.commands.pause()

    def step(self, n: int = 1) -> None:
        self.commands.step(n)

    # -- drag and drop / close ------------------------------------------------------
    def _opener(self, path: str) -> Callable[[str], bool] | None:
        """A CSV file (data), a session (.nnviz, a lesson too) or a model (.json, .npz, .onnx)."""
        model = self.sessions.open_model
        return {".csv": self.setup.open_csv, ".nnviz": self.sessions.open_session, ".json": model, ".npz": model,
                ".onnx": model}.get(Path(path).suffix.lower())

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802 (Qt's name)
        urls = event.mimeData().urls()
        if urls and self._opener(urls[0].toLocalFile()) is not None:
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802 (Qt's name)
        urls = event.mimeData().urls()
        if urls:
            path = urls[0].toLocalFile()
            opener = self._opener(path)
            if opener is not None:
                opener(path)

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 (Qt's name)
        if self.confirm_close and self.sessions.unsaved and self.isVisible():
            event.ignore()
            buttons = QMessageBox.StandardButton
            box = QMessageBox(QMessageBox.Icon.Question, "nnviz", "Save the training before closing?",
                              buttons.Save | buttons.Discard | buttons.Cancel, self)
            box.finished.connect(lambda _: self._close_answer(box.clickedButton(), box))
            self.notices.ask(box)
            return
        self.edge_card.close()
        self.guides.put_controls_back()  # from beside a guide on a narrow screen: the splitters are saved as made
        save_layout(self, self._splitters, self.predictions)
        self.keys.remove()
        self.films.stop()
        self.dynamics.stop()
        self.runs.stop_sweep()
        self.runs.stop_rcompare()
        self.controller.shutdown()
        super().closeEvent(event)

    def _close_answer(self, button: QAbstractButton | None, box: QMessageBox) -> None:
        role = box.buttonRole(button) if button is not None else None
        discard = role == QMessageBox.ButtonRole.DestructiveRole
        saved = (role == QMessageBox.ButtonRole.AcceptRole and self.sessions.save_session_now()
                 and not self.sessions.pending_save)
        if discard or saved:
            self.confirm_close = False
            self.close()


def make_file_menu(window: MainWindow, menu: QMenu) -> tuple[QAction, QAction, QAction]:
    """The File menu: data, sessions and models, exports, Quit (the window keeps the actions
    other parts enable: open, export weights, export the map, returned)."""
    s, e, std = window.sessions, window.exports, QKeySequence.StandardKey
    open_action = add_action(window, menu, "&Open CSV\u2026", std.Open, window.setup.open_csv_dialog)
    menu.addSeparator()
    add_action(window, menu, "Open &session\u2026", "Ctrl+Shift+O", s.open_session_dialog)
    add_action(window, menu, "&Save session", std.Save, s.save_session_now)
    add_action(window, menu, "Save session &as\u2026", std.SaveAs, s.save_session_dialog)
    add_action(window, menu, "Open &model\u2026", "Ctrl+Shift+M", s.open_model_dialog)
    menu.addMenu(s.recent_menu)
    menu.addSeparator()
    export_action = add_action(window, menu, "&Export weights\u2026", "Ctrl+E", e.export_weights_dialog)
    add_action(window, menu, "Export &diagram image\u2026", "Ctrl+Shift+D", e.export_diagram_dialog)
    add_action(window, menu, "Export error &plot\u2026", "Ctrl+Shift+P", e.export_plot_dialog)
    export_map_action = add_action(window, menu, "Export decision &map\u2026", "Ctrl+Shift+G", e.export_map_dialog)
    add_action(window, menu, "Export &animation\u2026", "Ctrl+Shift+A", window.films.export_animation_dialog)
    add_action(window, menu, "Export da&ta as CSV\u2026", "Ctrl+Shift+T", window.edits.export_data_dialog)
    menu.addSeparator()
    add_action(window, menu, "&Quit", std.Quit, window.close)
    # the map's right-click menu offers this export, not pyqtgraph's (which embeds a raster)
    plot = window.predictions.map_plot
    plot.setMenuEnabled(False)
    plot.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
    plot.addAction(export_map_action)
    return open_action, export_action, export_map_action
