"""The main window: controls on the left; error plot, network diagram and
predictions on the right; File menu, shortcuts, status bar, drag and drop.

The window never trains: it sends commands to the controller and paints
the snapshots the controller hands it.  Errors are shown in a window-modal
(non-blocking) message box and in the status bar; the network stays as it was.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (QCheckBox, QComboBox, QHBoxLayout, QLabel, QMainWindow, QMessageBox, QScrollArea, QSplitter,
                               QVBoxLayout, QWidget)

from ..core import data as datamod
from ..core.experiment import Settings
from ..core.nodemaps import layer_levels
from ..core.runner import same_network
from ..core.model import Model
from ..core.snapshot import Snapshot
from ..core.training import iterations_per_epoch
from . import collector
from .controller import Controller
from .data_edits import DataEdits
from .file_actions import FileActions
from .guide_actions import GuideActions
from .run_actions import RunActions
from .views.elided import ElidedLabel
from .views.controls import ControlPanel
from .views.edge_card import EdgeCard
from .views.explain_view import ExplainView
from .views.feature_toggles import FeatureToggles
from .views.inspector import Inspector
from .views.layer_buttons import LayerButtons, with_hidden
from .views.loss_plot import LossPlot
from .views.network_view import NetworkView
from .views.node_histogram import NodeHistogram
from .views.predictions_view import PredictionsView
from .views.runs_panel import RunsPanel
from .views.transport import Transport
from .keys import TransportKeys
from ..core.pace import DEFAULT_SPEED

# the QSettings group of the splitters and the last tab: a new arrangement of panels gets a new
# group, so a state saved for another arrangement is never applied to this one
LAYOUT = "layout-2"
MAPS_BY_DEFAULT_INPUTS = 16  # neuron maps / histograms are on by default up to this many inputs


class MainWindow(FileActions, RunActions, DataEdits, GuideActions, QMainWindow):
    finished = Signal(object)  # the snapshot at which training stopped (finished state)

    def __init__(self, settings: Settings | None = None, init: Model | None = None, dataset=None,
                 speed: float | None = DEFAULT_SPEED):
        super().__init__()
        collector.install()  # cycles holding Qt objects are freed in this thread, not the worker's
        settings = settings or Settings()
        self.setWindowTitle("nnviz")
        self._fit_screen()
        self.setAcceptDrops(True)
        self.controller = Controller(self)
        self.latest: Snapshot | None = None
        self.context = None
        self.shown_iteration: int | None = None
        self.max_lag = 0  # the largest |view's iteration - frame's iteration| seen; must stay 0
        self._selected_row = 0
        self.last_error = ""
        self._dialog: QMessageBox | None = None

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
        self.selected_node: tuple[int, int] | None = None
        self._maps_choice: bool | None = None  # the user's Neuron maps choice, once made
        self.runs_panel = RunsPanel()
        self.predictions.addTab(self.runs_panel, "Runs")
        self.explain = ExplainView(self.network_view)  # what the network learned (importance, profiles)
        self.predictions.addTab(self.explain, "Explain")
        self.explain.needsChanged.connect(self._send_view_needs)
        self.edge_card = EdgeCard(self)
        self.edge_card.weightEdited.connect(self.controller.set_weight)

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
        self.side = QSplitter(Qt.Vertical)
        self.side.addWidget(self.loss_plot)
        self.side.addWidget(self.predictions.map_plot)
        self.side.setChildrenCollapsible(False)
        self.side.setSizes([380, 420])
        right = QSplitter(Qt.Vertical)  # the diagram over the tabs (predictions, inspector, runs)
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
        self.controls_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarAsNeeded)
        self.controls_scroll.setMinimumWidth(min(self.controls.minimumSizeHint().width() + 24, 200))
        self.controls_scroll.setMaximumWidth(self.controls.sizeHint().width() + 60)
        main = QSplitter(Qt.Horizontal)
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
        # when training goes wrong (saturated outputs, divergence) the snapshot's hint says what to do
        self.hint_banner = QLabel()
        self.hint_banner.setObjectName("hint")
        self.hint_banner.setWordWrap(True)
        self.hint_banner.setStyleSheet("#hint { background: #fff3cd; color: #664d03; border: 1px solid #e0c36a;"
                                       " border-radius: 3px; padding: 3px 6px; }")
        self.hint_banner.setVisible(False)
        cl.addWidget(self.hint_banner)
        cl.addWidget(main, 1)
        self.setCentralWidget(central)
        self._splitters = {"main": main, "right": right, "side": self.side}

        self.status = ElidedLabel()  # long messages end in "..." with the whole text as tooltip
        self.statusBar().addPermanentWidget(self.status, 1)
        self._make_menus()
        self._make_runs_menu()
        self._make_edit_menu()
        self._wire_exports()

        self.controls.settingsChanged.connect(self._on_settings)
        self.controls.openCsvRequested.connect(self.open_csv_dialog)
        self.controls.targetChanged.connect(self._on_target)
        self.transport.playToggled.connect(self.toggle_play)
        self.transport.stepRequested.connect(self.step)
        self.transport.resetRequested.connect(self.reset)
        self.transport.microRequested.connect(self.micro_step)
        self.transport.backRequested.connect(self.step_back)
        self.transport.epochRequested.connect(self.step_epoch)
        self.transport.paceChanged.connect(self.controller.set_pace)
        self.transport.set_speed(speed)
        self.keys = TransportKeys(self, {Qt.Key_Space: self.toggle_play, Qt.Key_Right: lambda: self.step(1),
                                         Qt.Key_Left: self.step_back})
        self.predictions.rowSelected.connect(self._on_row_selected)
        self.inspector.rowChosen.connect(self._on_row_selected)  # an observation chosen in the inspector
        self.loss_plot.previewRequested.connect(self.controller.preview)
        self.loss_plot.resumeRequested.connect(self.resume_from)
        self.network_view.edgeClicked.connect(self.open_edge_card)
        self.network_view.nodeClicked.connect(self.select_node)
        self.network_view.needsChanged.connect(self._send_view_needs)
        self.feature_toggles.featuresChanged.connect(self.set_features)
        self.feature_toggles.refused.connect(self.show_error)
        self.layer_buttons.hiddenChanged.connect(self.set_hidden)
        self.predictions.currentChanged.connect(self._send_view_needs)
        self.predictions.currentChanged.connect(self._focus_inspector)
        self.controller.contextChanged.connect(self._on_context)
        self.controller.render.connect(self._on_render)
        self.controller.error.connect(self.show_error)
        self._make_guides()  # the Help menu (Follow the post) and lessons
        self._make_help_menu()  # then User guide and About in the same menu (help_menu.py)

        if dataset is not None:
            ds = dataset
            self.controls.set_csv(settings.data, _header_order(settings.data, list(ds.input_names) + list(ds.target_columns)),
                                  ds.target_columns[0] if len(ds.target_columns) == 1 else None)
        elif settings.data not in datamod.BUILTINS:
            dataset = self._load_csv(settings.data, settings.target, settings.classify)
            if dataset is None:
                settings = settings.with_(data="iris", target=None)
                self.controls.set_settings(settings)
        self._restore_layout()
        self.controller.configure(settings, dataset, init)

    def _fit_screen(self) -> None:
        """The window as it was left (QSettings), or the first window filling the screen it
        opens on, maximised (at any scale)."""
        saved = self._settings_store().value("window/geometry")
        if saved is not None and self.restoreGeometry(saved):
            screen = self.screen().availableGeometry() if self.screen() is not None else None
            if screen is None or screen.intersects(self.geometry()):
                return
        screen = self.screen().availableGeometry() if self.screen() is not None else None
        if screen is not None and screen.width() > 0:
            self.setGeometry(screen)
        self.setWindowState(self.windowState() | Qt.WindowMaximized)

    def show_at_size(self, width: int, height: int) -> None:
        """Show the window at exactly this size (``--screenshot --size``), not maximised."""
        self.setWindowState(Qt.WindowNoState)
        self.resize(width, height)
        self.show()
        self.resize(width, height)

    def showEvent(self, event) -> None:  # noqa: N802 (Qt's name)
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

    def _restore_layout(self) -> None:
        """The splitters and the last tab as the user left them (QSettings)."""
        s = self._settings_store()
        for key, splitter in self._splitters.items():
            state = s.value(f"{LAYOUT}/{key}")
            if state is not None and splitter.restoreState(state):
                self._sized = True
        tab = s.value(f"{LAYOUT}/tab")
        for i in range(self.predictions.count()):
            if self.predictions.tabText(i) == tab:
                self.predictions.setCurrentIndex(i)

    def _save_layout(self) -> None:
        s = self._settings_store()
        s.setValue("window/geometry", self.saveGeometry())
        for key, splitter in self._splitters.items():
            s.setValue(f"{LAYOUT}/{key}", splitter.saveState())
        s.setValue(f"{LAYOUT}/tab", self.predictions.tabText(self.predictions.currentIndex()))

    # -- commands ----------------------------------------------------------------
    @Slot()
    def toggle_play(self) -> None:
        if self.controller.running:
            self.pause()
        else:
            self.play()

    def play(self) -> None:
        self.controller.play()
        self._acknowledge("starting\u2026")

    def pause(self) -> None:
        self.controller.pause()
        self._acknowledge("pausing after the current iteration\u2026")

    def step(self, n: int = 1) -> None:
        self.controller.step(n)
        self._acknowledge(f"stepping {n:,} iteration{'s' if n != 1 else ''}\u2026")

    def reset(self) -> None:
        def go() -> None:
            self.controller.reset()
            self._acknowledge("resetting\u2026")

        self.ask_discard("Reset to new random weights", go)

    def _acknowledge(self, doing: str) -> None:
        """A command is answered at once (the button, the status bar), even when the training
        thread can only take it after an iteration of a big network; the snapshot follows."""
        self.transport.set_running(self.controller.running)
        self.statusBar().showMessage(doing, 1500)

    confirm_discard = True  # ask before unsaved training is thrown away (off for automation)

    def ask_discard(self, what: str, then, cancelled=None) -> None:
        """Run ``then`` now, or once the user agrees to lose the unsaved training (Save first,
        Discard, or Cancel: then ``cancelled`` runs).  The box is window-modal and does not block."""
        if not (self.confirm_discard and self.unsaved):
            then()
            return
        box = QMessageBox(QMessageBox.Question, "nnviz", "",
                          QMessageBox.Save | QMessageBox.Discard | QMessageBox.Cancel, self)
        box.setWindowModality(Qt.WindowModal)
        # training goes on while the question is open: the text names the iteration that would
        # be discarded now, every frame (it said 67 while training went on to 99)
        self._discard_question = (box, what)
        self._name_discarded()

        def answer(_):
            role = box.buttonRole(box.clickedButton()) if box.clickedButton() is not None else None
            if role == QMessageBox.DestructiveRole or (role == QMessageBox.AcceptRole and self.save_session_now()):
                then()
            elif cancelled is not None:
                cancelled()

        box.finished.connect(answer)
        box.finished.connect(lambda _: setattr(self, "_discard_question", None))
        self._confirm = box
        box.open()

    _discard_question: tuple | None = None

    def _name_discarded(self) -> None:
        """The open discard question names the present iteration."""
        if self._discard_question is None:
            return
        box, what = self._discard_question
        present = self.controller.present
        if present is None:
            return
        text = f"{what}? The training so far (iteration {present.iteration:,}) is not saved."
        if box.text() != text:
            box.setText(text)

    def micro_step(self) -> None:
        self.controller.micro_step()
        if self.predictions.currentWidget() is not self.inspector:
            self.predictions.setCurrentWidget(self.inspector)  # the stage's matrices are what to look at

    INSPECTOR_SHARE = 0.62  # of the diagram's column, for the tabs while the inspector is shown
    _sizes_before_inspector: list[int] | None = None

    @Slot(int)
    def _focus_inspector(self, _index: int = -1) -> None:
        """The step-through focus: the inspector's tab takes most of the diagram's column while
        it is shown ([1, H], W and A side by side at a readable size); leaving it gives the
        diagram back the room it had."""
        right = self._splitters["right"]
        total = sum(right.sizes())
        if total <= 0:
            return
        if self.predictions.currentWidget() is self.inspector:
            if self._sizes_before_inspector is None:
                self._sizes_before_inspector = right.sizes()
                tabs = int(total * self.INSPECTOR_SHARE)
                right.setSizes([total - tabs, tabs])
        elif self._sizes_before_inspector is not None:
            right.setSizes(self._sizes_before_inspector)
            self._sizes_before_inspector = None

    def step_back(self) -> None:
        self.controller.step_back()

    def step_epoch(self) -> None:
        """One pass over the training rows: ceil(n / batch size) iterations."""
        ctx = self.context
        if ctx is None:
            return
        present = self.controller.present
        settings = present.settings if present is not None and present.settings is not None else ctx.settings
        self.controller.step(iterations_per_epoch(ctx.train.n, settings.batch_size))

    def resume_from(self, iteration: int, confirm: bool = True) -> None:
        """Continue from an earlier iteration, discarding what came after (asks first)."""
        present = self.controller.present
        if present is None:
            return
        if not confirm or iteration >= present.iteration:
            self.controller.resume_from(iteration)
            return
        box = QMessageBox(QMessageBox.Question, "nnviz",
                          f"Resume from iteration {iteration:,}? The {present.iteration - iteration:,} "
                          "later iterations will be discarded.", QMessageBox.Yes | QMessageBox.Cancel, self)
        box.setWindowModality(Qt.WindowModal)
        box.accepted.connect(lambda: self.controller.resume_from(iteration))
        self._confirm = box
        box.open()

    @Slot(int, int, int)
    def open_edge_card(self, layer: int, row: int, col: int, snap: Snapshot | None = None) -> None:
        """The card of weight W[layer][row, col] (0-based; it shows them 1-based), from the
        snapshot painted now; every frame refreshes it while it is open."""
        shown = snap is not None
        snap = snap or self.latest
        if snap is None or self.context is None:
            return
        nv = self.network_view
        src = "bias" if row == 0 else nv.name(layer, row - 1)
        self.edge_card.show_edge(layer, row, col, src, nv.name(layer + 1, col), snap)
        if not shown:
            self.edge_card.show()
            self.edge_card.raise_()

    @Slot(object)
    def _on_settings(self, settings: Settings) -> None:
        """A changed control: training settings apply to the current weights; anything else
        builds a new network, after asking if the training so far is not saved."""
        present = self.controller.present
        current = present.settings if present is not None and present.settings is not None else None
        if current is None or same_network(current, settings):
            self.controller.configure(settings)
            return
        self.ask_discard("Build a new network with these settings", lambda: self.controller.configure(settings),
                         lambda: self._keep_network(current))

    def _keep_network(self, current: Settings) -> None:
        """A change was cancelled: the controls, toggles and buttons show the network that is kept."""
        self.controls.set_settings(current)
        if self.context is not None:
            self._show_diagram_tools(self.context, current)

    def _show_diagram_tools(self, ctx, settings: Settings) -> None:
        ds = ctx.dataset
        self.feature_toggles.show_features(ds.X.shape[1], settings.features, ds.input_names)
        self.layer_buttons.set_hidden(ctx.arch.hidden)

    @Slot(object)
    def set_features(self, features: tuple) -> None:
        """The feature toggles: a new network with these input features (as the controls would)."""
        self.controls.apply(features=tuple(features))

    @Slot(object)
    def set_hidden(self, hidden: tuple) -> None:
        """The diagram's +/- buttons: new hidden sizes, through the controls (asks, keeps the seed)."""
        try:
            base = self.controls.settings()
        except ValueError as exc:  # another control holds a value the core refuses: shown in red
            self.show_error(str(exc))
            return
        self.controls.apply(**with_hidden(base, tuple(hidden)))

    def _load_csv(self, path: str, target=None, classify=False):
        try:
            ds = datamod.load_csv(path, target, classify)
            datamod.fit_scaling(ds)  # values that cannot be standardised: refused before anything changes
        except ValueError as exc:
            self.show_error(str(exc))
            return None
        columns = list(ds.input_names) + [c for c in ds.target_columns]
        header = _header_order(path, columns)
        self.controls.set_csv(str(path), header, ds.target_columns[0] if len(ds.target_columns) == 1 else None)
        return ds

    def open_csv(self, path: str) -> bool:
        """Load a CSV file as the data set (target: the last column, or the one text
        column when the last is numeric). False, with a message, on error."""
        target = datamod.suggest_target(path)
        ds = self._load_csv(path, target)
        if ds is None:
            return False
        try:
            s = self.controls.settings().with_(data=str(path), target=",".join(ds.target_columns), classify=False)
        except ValueError as exc:
            self.show_error(str(exc))
            return False
        self.ask_discard(f"Open {Path(path).name}", lambda: self.controller.configure(s, ds), self._restore_controls)
        return True

    def _restore_controls(self) -> None:
        """Put the controls back to the network that is kept (a change was cancelled)."""
        present, ctx = self.controller.present, self.context
        settings = present.settings if present is not None and present.settings is not None else ctx.settings
        if settings.data in datamod.BUILTINS:
            self.controls.set_settings(settings)
        else:
            ds = ctx.dataset
            self.controls.set_settings(settings)
            self.controls.set_csv(settings.data, _header_order(settings.data, list(ds.input_names) + list(ds.target_columns)),
                                  ds.target_columns[0] if len(ds.target_columns) == 1 else None)

    @Slot(str, bool)
    def _on_target(self, target: str, classify: bool) -> None:
        path = self.controls.csv_path
        if not path:
            return
        ds = self._load_csv(path, target, classify)
        if ds is None:
            return
        try:
            s = self.controls.settings().with_(data=path, target=target, classify=classify)
        except ValueError as exc:
            self.show_error(str(exc))
            return
        self.ask_discard("Train on another target", lambda: self.controller.configure(s, ds), self._restore_controls)


    @Slot(str)
    def show_error(self, message: str) -> None:
        """One line in a non-blocking message box and the status bar; nothing else changes."""
        self.last_error = message
        self.statusBar().showMessage(message, 15000)
        if self._dialog is None:
            self._dialog = QMessageBox(QMessageBox.Warning, "nnviz", "", QMessageBox.Ok, self)
            self._dialog.setWindowModality(Qt.WindowModal)
        self._dialog.setText(message)
        self._dialog.open()

    # -- painting -----------------------------------------------------------------
    @Slot(object)
    def _on_context(self, ctx) -> None:
        self.context = ctx
        self.latest = None
        self.network_view.set_context(ctx)
        self._show_diagram_tools(ctx, ctx.settings)
        self.predictions.set_context(ctx)
        self.selected_node = None
        self._show_histogram_tab(False)
        self.maps_action.setChecked(self._maps_choice if self._maps_choice is not None
                                    else ctx.arch.n_inputs <= MAPS_BY_DEFAULT_INPUTS)
        self.network_view.set_show_pictures(self.maps_action.isChecked())
        self.inspector.set_context(ctx)
        self.explain.set_context(ctx)
        self.controls.show_auto_lr(ctx.train.n)  # an "auto" learning rate shows its number
        self.transport.set_seed(ctx.settings.seed)
        self.export_map_action.setEnabled(ctx.map_grid is not None)
        self.map_action.setEnabled(ctx.map_grid is not None)
        self.predictions.map_plot.setVisible(ctx.map_grid is not None and self.map_action.isChecked())
        self.edge_card.hide()
        self.loss_plot.clear()
        self.loss_plot.set_has_test(ctx.test is not None)
        self._selected_row = 0
        self._data_context(ctx)
        self._send_view_needs()
        if self._saved_mark is None or self._saved_mark[0] != "pending":
            self.session_path = None  # a new network is not the saved session
            self._saved_mark = None
        self._update_title()

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
        if self.predictions.indexOf(self.node_histogram) >= 0:
            self.node_histogram.show_snapshot(snap)
        if self.edge_card.isVisible() and self.edge_card.key is not None:
            self.open_edge_card(*self.edge_card.key, snap=snap)
        self.transport.set_running(self.controller.running)
        self.transport.show_snapshot(snap)
        self._show_hint(snap)
        self._name_discarded()
        self.status.set_full_text(self._status_text(snap))
        self.shown_iteration = snap.iteration
        views = [self.network_view, self.loss_plot, self.predictions, self.inspector, self.explain]
        lag = max(abs((v.shown_iteration if v.shown_iteration is not None else -1) - snap.iteration) for v in views)
        self.max_lag = max(self.max_lag, lag)
        if not snap.preview:
            self._relabel_runs(snap.settings)
            mark = self._saved_mark
            if mark is not None and mark[0] == "pending" and snap.generation > mark[1]:
                self._saved_mark = self._mark(snap)  # the opened session, as loaded
            if self._pending_save and snap.train_state is not None:
                path, self._pending_save = self._pending_save, None
                self.save_session(path)
            self._update_title()
        if snap.state == "finished" and not snap.preview:
            self.finished.emit(snap)

    def _show_hint(self, snap: Snapshot) -> None:
        """The banner under the transport bar: the snapshot's hint, or nothing (a preview keeps it)."""
        if snap.preview:
            return
        hint = getattr(snap, "hint", "") or ""
        text = f"\u26a0  {hint}" if hint else ""
        if text != self.hint_banner.text():
            self.hint_banner.setText(text)
        self.hint_banner.setVisible(bool(hint))

    def _status_text(self, snap: Snapshot) -> str:
        present = snap.present_iteration
        parts = [snap.state.value if hasattr(snap.state, "value") else str(snap.state),
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

    def _send_view_needs(self, *_) -> None:
        """Tell the runner what the visible views need with each snapshot."""
        # the last iteration's matrices ("trace"): the inspector, the edge card and the diagram's
        # gradient mode show them, whatever tab is open
        needs = self.predictions.needs() | {"nodes", "next_step", "trace"} | self.network_view.picture_needs()
        if self.predictions.currentWidget() is self.node_histogram:
            needs.add("node_hists")
        needs |= self.explain.needs(self.predictions.currentWidget() is self.explain)
        self.controller.set_view(needs, self._selected_row, self.selected_node)

    # -- neuron maps ----------------------------------------------------------------
    @Slot(int, int)
    def select_node(self, layer: int, i: int) -> None:
        """A click on a node: show its map (two inputs) or histogram large; the same node again,
        or an output node's map, goes back to the network's decision."""
        ctx, nv = self.context, self.network_view
        if ctx is None:
            return
        node = (layer, i)
        two_inputs = ctx.map_grid is not None
        if node == self.selected_node or (two_inputs and layer == len(ctx.arch.sizes) - 1):
            node = None
        self.selected_node = node
        nv.set_selected_node(node)
        title = nv.node_title(*node) if node is not None else ""
        if two_inputs:
            levels = layer_levels(ctx.arch.layer_activations)[layer]
            self.predictions.set_map_node(node, title, levels)
        else:
            groups = ctx.dataset.output_names if ctx.dataset.task == "classes" else \
                ("0", "1") if ctx.dataset.task == "binary" else ("rows",)
            self.node_histogram.set_node(node, title, tuple(groups))
            self._show_histogram_tab(node is not None)
        self._send_view_needs()

    def _show_histogram_tab(self, on: bool) -> None:
        i = self.predictions.indexOf(self.node_histogram)
        if on and i < 0:
            self.predictions.addTab(self.node_histogram, "Neuron histogram")
        if on:
            self.predictions.setCurrentWidget(self.node_histogram)
        elif i >= 0:
            self.predictions.removeTab(i)

    @Slot(bool)
    def set_neuron_maps(self, on: bool) -> None:
        """View > Neuron maps: the pictures on the nodes (maps or histograms), on or off."""
        self._maps_choice = on
        if not on and self.selected_node is not None:
            self.select_node(*self.selected_node)  # back to the decision
        self.network_view.set_show_pictures(on)

    @Slot(bool)
    def set_decision_map(self, on: bool) -> None:
        """View > Decision map: the map panel beside the error plot, shown or hidden (it is
        computed only while shown)."""
        self.map_action.setChecked(on)
        self.predictions.map_plot.setVisible(on and self.context is not None and self.context.map_grid is not None)
        self._send_view_needs()

    @Slot(int)
    def _on_row_selected(self, row: int) -> None:
        self._selected_row = row
        self._send_view_needs()

    # -- drag and drop / close ------------------------------------------------------
    DROPPED = {".csv": "open_csv", ".nnviz": "open_session", ".json": "open_model", ".npz": "open_model",
               ".onnx": "open_model"}

    def dragEnterEvent(self, event) -> None:
        urls = event.mimeData().urls()
        if urls and Path(urls[0].toLocalFile()).suffix.lower() in self.DROPPED:
            event.acceptProposedAction()

    def dropEvent(self, event) -> None:
        """A CSV file (data), a session (.nnviz, a lesson too) or a model (.json, .npz, .onnx)."""
        urls = event.mimeData().urls()
        if urls:
            path = urls[0].toLocalFile()
            opener = self.DROPPED.get(Path(path).suffix.lower())
            if opener is not None:
                getattr(self, opener)(path)

    def closeEvent(self, event) -> None:
        if self.confirm_close and self.unsaved and self.isVisible():
            event.ignore()
            box = QMessageBox(QMessageBox.Question, "nnviz", "Save the training before closing?",
                              QMessageBox.Save | QMessageBox.Discard | QMessageBox.Cancel, self)
            box.setWindowModality(Qt.WindowModal)
            box.finished.connect(lambda _: self._close_answer(box.clickedButton(), box))
            self._confirm = box
            box.open()
            return
        self.edge_card.close()
        self.put_controls_back()  # from beside a guide on a narrow screen: the splitters are saved as made
        self._save_layout()
        self.keys.remove()
        self.stop_film()
        self.stop_sweep()
        self.stop_rcompare()
        self.controller.shutdown()
        super().closeEvent(event)

    def _close_answer(self, button, box) -> None:
        role = box.buttonRole(button) if button is not None else None
        discard = role == QMessageBox.DestructiveRole
        saved = role == QMessageBox.AcceptRole and self.save_session_now() and not self._pending_save
        if discard or saved:
            self.confirm_close = False
            self.close()


def _header_order(path, columns: list[str]) -> list[str]:
    """The CSV's columns in file order (for the target chooser)."""
    try:
        with open(path, encoding="utf-8-sig", errors="replace") as fh:
            first = fh.readline()
    except OSError:
        return columns
    import csv

    header = [h.strip() for h in next(csv.reader([first]), [])]
    return header if set(columns) <= set(header) else columns
