"""The window's menus and file actions: open CSV, model and session files, save sessions,
export weights, diagrams and error plots, recent files, the title's unsaved mark.

A mixin of ``MainWindow`` (it uses the window's controller, controls, views and
``show_error``), kept apart so the window itself only lays out and wires.  Every
write goes through ``nnviz.io`` (atomic, one-line errors); a file that cannot be
read changes nothing.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Slot
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QFileDialog, QProgressDialog

from .. import io as nnio
from ..core.data import BUILTINS
from ..core.experiment import check_init
from ..core.files import refuse_own_input
from ..core.model import Model
from ..core.network import Network
from ..io import runs as runfile
from ..io import session as sessionfile
from ..io.format_json import history_entry
from . import figures
from .figure_dialog import FigureDialog
from .film import FilmOptions
from .film_dialog import FilmDialog
from .film_job import FilmJob, FilmMonitor, start_film
from .help_menu import HelpMenu


# a standard key some platforms leave without a binding (Qt's offscreen and minimal themes: Quit)
_FALLBACK = {QKeySequence.Quit: "Ctrl+Q"}


class FileActions(HelpMenu):
    """Menus and file actions of the main window (see the module doc)."""
    # -- menus -------------------------------------------------------------------
    def _make_menus(self) -> None:
        file_menu = self.menuBar().addMenu("&File")
        self.open_action = self._action(file_menu, "&Open CSV\u2026", QKeySequence.Open, self.open_csv_dialog)
        file_menu.addSeparator()
        self._action(file_menu, "Open &session\u2026", "Ctrl+Shift+O", self.open_session_dialog)
        self._action(file_menu, "&Save session", QKeySequence.Save, self.save_session_now)
        self._action(file_menu, "Save session &as\u2026", QKeySequence.SaveAs, self.save_session_dialog)
        self._action(file_menu, "Open &model\u2026", "Ctrl+Shift+M", self.open_model_dialog)
        self.recent_menu = file_menu.addMenu("&Recent sessions")
        self._fill_recent()
        file_menu.addSeparator()
        self.export_action = self._action(file_menu, "&Export weights\u2026", "Ctrl+E", self.export_weights_dialog)
        self._action(file_menu, "Export &diagram image\u2026", "Ctrl+Shift+D", self.export_diagram_dialog)
        self._action(file_menu, "Export error &plot\u2026", "Ctrl+Shift+P", self.export_plot_dialog)
        self.export_map_action = self._action(file_menu, "Export decision &map\u2026", "Ctrl+Shift+G",
                                              self.export_map_dialog)
        self._action(file_menu, "Export &animation\u2026", "Ctrl+Shift+A", self.export_animation_dialog)
        self._action(file_menu, "Export da&ta as CSV\u2026", "Ctrl+Shift+T", self.export_data_dialog)
        file_menu.addSeparator()
        self._action(file_menu, "&Quit", QKeySequence.Quit, self.close)
        train_menu = self.menuBar().addMenu("&Training")
        self.play_action = self._action(train_menu, "Play / Pause", "Space", self.toggle_play)
        self._action(train_menu, "Step one iteration", "Ctrl+Right", lambda: self.step(1))
        self._action(train_menu, "Step N iterations", "Ctrl+Shift+Right",
                     lambda: self.step(self.transport.step_n.value()))
        self._action(train_menu, "Micro-step (one stage of an iteration)", "M", self.micro_step)
        self._action(train_menu, "Step back", "Ctrl+Left", self.step_back)
        self._action(train_menu, "Step one epoch", "Ctrl+Shift+E", self.step_epoch)
        self._action(train_menu, "Reset weights", "Ctrl+R", self.reset)
        view_menu = self.menuBar().addMenu("&View")
        self.maps_action = QAction("&Neuron maps", self)
        self.maps_action.setCheckable(True)
        self.maps_action.setChecked(True)
        self.maps_action.setToolTip("each node of the diagram shows its output over the input plane (two inputs) "
                                    "or its histogram over the training rows; click a node to enlarge it")
        self.maps_action.triggered.connect(self.set_neuron_maps)  # the user only, not setChecked
        view_menu.addAction(self.maps_action)
        self.map_action = QAction("&Decision map", self)
        self.map_action.setCheckable(True)
        self.map_action.setChecked(True)
        self.map_action.setToolTip("the network's output over the input plane, beside the error plot (two inputs)")
        self.map_action.triggered.connect(self.set_decision_map)
        view_menu.addAction(self.map_action)

    def _action(self, menu, text, shortcut, slot) -> QAction:
        a = QAction(text, self)
        if isinstance(shortcut, QKeySequence.StandardKey):  # every binding of the platform (Redo: Ctrl+Y too)
            a.setShortcuts(QKeySequence.keyBindings(shortcut) or [QKeySequence(_FALLBACK.get(shortcut, ""))])
        else:
            a.setShortcut(QKeySequence(shortcut))
        a.setShortcutContext(Qt.WindowShortcut)
        a.triggered.connect(slot)
        menu.addAction(a)
        self.addAction(a)
        return a

    @Slot()
    def open_csv_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Open CSV", "", "CSV files (*.csv);;All files (*)")
        if path:
            self.open_csv(path)

    def current_model(self) -> Model | None:
        """The network of the latest snapshot, as a Model ready to save."""
        snap, ctx = self.latest, self.context
        if snap is None or ctx is None:
            return None
        net = Network.from_weights(ctx.arch, list(snap.weights))
        s = snap.settings or ctx.settings  # the settings in force, not those of the last configure
        training = {"iterations": snap.iteration, "mse": snap.mse, "seed": s.seed, "algorithm": s.algorithm,
                    "learning_rate": s.learning_rate(ctx.train.n), "momentum": s.momentum, "batch_size": s.batch_size,
                    "data": ctx.dataset.name, "standardize": s.standardize, "l1": s.l1, "l2": s.l2,
                    "lr_schedule": s.lr_schedule, "validation_fraction": s.validation_fraction,
                    "patience": s.patience}
        if snap.stopped:
            training["stopped"] = snap.stopped
        if snap.best_iteration is not None:
            training.update(best_iteration=snap.best_iteration, stopped_at=snap.stopped_at)
        n_values = snap.outputs.size if snap.outputs is not None else ctx.X_train.shape[0] * ctx.arch.sizes[-1]
        training["error"] = snap.mse * n_values / 2  # R neuralnet's 1/2 sum (y - yhat)^2, plot.nn's footer
        h = self.controller.history
        if len(h):
            training["history"] = history_entry(h.x, h.y)
        ds = ctx.dataset
        return Model(net, ctx.scaling, ds.input_names, ds.output_names, ds.task, ds.target_columns, training)

    model_path: str | None = None  # the model opened last (File > Open model, or nnviz gui --init)

    def own_inputs(self, keep: str = "") -> list[tuple[str, str]]:
        """The files the window has read: the data's CSV file, the open session, the open model
        (``keep``: "session" or "model", the one this write may replace, as Save does)."""
        ctx = self.context
        out = []
        if ctx is not None:
            for path in {ctx.dataset.source, ctx.settings.data if ctx.settings.data not in BUILTINS else ""}:
                if path:
                    out.append((f"the open data file ({path})", path))
        if self.session_path and keep != "session":
            out.append((f"the open session ({self.session_path})", self.session_path))
        if self.model_path and keep != "model":
            out.append((f"the open model ({self.model_path})", self.model_path))
        return out

    def writes_no_input(self, path: str, keep: str = "") -> bool:
        """False, with the window's one-line error, when ``path`` is a file the window read
        (however spelt: core.files.refuse_own_input), so that no export replaces its own data."""
        try:
            refuse_own_input(path, self.own_inputs(keep))
        except ValueError as exc:
            self.show_error(str(exc))
            return False
        return True

    def export_weights(self, path: str) -> bool:
        model = self.current_model()
        if model is None:
            self.show_error("nothing to export yet")
            return False
        if not self.writes_no_input(path, keep="model"):  # over the open model on purpose, as --init
            return False
        return self._write(lambda: nnio.save(model, path),
                           f"weights of iteration {model.training['iterations']} written to {path}")

    def _write(self, write, done: str) -> bool:
        """Run a file write; its one-line error in the window, or ``done`` in the status bar."""
        try:
            write()
        except ValueError as exc:
            self.show_error(str(exc))
            return False
        self.statusBar().showMessage(done, 8000)
        return True

    @Slot()
    def export_weights_dialog(self) -> None:
        path, chosen = QFileDialog.getSaveFileName(
            self, "Export weights", "model.json",
            "nnviz model, JSON (*.json);;NumPy arrays (*.npz);;CSV for R, layer,row,col,weight (*.csv);;ONNX (*.onnx)")
        if path:
            if not Path(path).suffix:
                path += chosen[chosen.rfind("*.") + 1:].rstrip(")") if "*." in chosen else ".json"
            self.export_weights(path)

    # -- figures: the options dialog, then the code of nnviz plot --------------------------
    def _figure(self, what: str, path: str | figures.FigureOptions) -> bool:
        """Write the diagram, error plot or decision map with ``path``'s options (a plain path:
        300 dpi, light, no title, the diagram's labels as shown) through ``figures.save_figure``."""
        opts = path if isinstance(path, figures.FigureOptions) else figures.FigureOptions(path)
        ctx = self.context
        if what == "map" and (ctx is None or ctx.map_grid is None):
            self.show_error("a decision map needs a data set with 2 inputs")
            return False
        if not self.writes_no_input(opts.path):
            return False
        view = self.network_view
        size = (max(view.width(), 400), max(view.height(), 300)) if what == "diagram" else None
        names = {"diagram": "diagram", "errors": "error plot", "map": "decision map"}

        def write() -> None:
            fig = figures.window_figure(self.current_model(), ctx, self.controller.history,
                                        self.controller.test_history)
            figures.export_window(fig, what, opts, size, view.show_labels)

        done = "error history" if opts.path.lower().endswith(".csv") else names[what]
        return self._write(write, f"{done} written to {opts.path}")

    def export_plot(self, path: str | figures.FigureOptions) -> bool:
        """The error plot as .png, .svg or .pdf, or its history as .csv."""
        return self._figure("errors", path)

    def export_diagram(self, path: str | figures.FigureOptions) -> bool:
        return self._figure("diagram", path)

    def export_map(self, path: str | figures.FigureOptions) -> bool:
        """The decision map of the network shown, as vectors (SVG, PDF) or a PNG, as ``nnviz plot --what map``."""
        return self._figure("map", path)

    def figure_dialog(self, what: str) -> FigureDialog:
        """The options dialog of a figure export (file, resolution, theme, title, labels)."""
        return FigureDialog(self, self._settings_store(), what, self.network_view.show_labels)

    def _figure_dialog_then_export(self, what: str) -> None:
        dialog = self.figure_dialog(what)
        if dialog.exec() and dialog.chosen is not None:
            self._figure(what, dialog.chosen)

    @Slot()
    def export_plot_dialog(self) -> None:
        self._figure_dialog_then_export("errors")

    @Slot()
    def export_diagram_dialog(self) -> None:
        self._figure_dialog_then_export("diagram")

    @Slot()
    def export_map_dialog(self) -> None:
        self._figure_dialog_then_export("map")

    def _wire_exports(self) -> None:
        """The map's right-click menu offers this export, not pyqtgraph's (which embeds a raster);
        films get the run's stored states from the worker."""
        self.controller.filmSource.connect(self._film_source_arrived)
        plot = self.predictions.map_plot
        plot.setMenuEnabled(False)
        plot.setContextMenuPolicy(Qt.ActionsContextMenu)
        plot.addAction(self.export_map_action)

    # -- films -------------------------------------------------------------------------
    _film = None  # (FilmJob, QThread or None until the run's states arrive) while a film is made
    film_progress: QProgressDialog | None = None

    def export_animation(self, path: str | FilmOptions, frames: int = 150, fps: float = 15.0,
                         size: tuple[int, int] = (1280, 720), panel: str = "auto", start: int | None = None,
                         end: int | None = None, title: str | None = None) -> bool:
        """The film of the run (as ``nnviz animate``, log-spaced frames), replayed from the states the
        run stored (see ``film_job``), made in its own thread with a progress dialog and Cancel.
        Every option is checked first: a wrong one is one line and nothing starts."""
        present, ctx = self.controller.present, self.context
        if present is None or ctx is None:
            self.show_error("nothing to film yet")
            return False
        if self._film is not None:
            self.show_error("a film is being made already")
            return False
        opts = path if isinstance(path, FilmOptions) else FilmOptions(path, frames, fps, size, panel, start, end,
                                                                       title=title)
        try:
            opts.check(len(ctx.dataset.input_names), present.first_iteration, present.present_iteration)
        except ValueError as exc:
            self.show_error(str(exc))
            return False
        if not self.writes_no_input(opts.path):
            return False
        job = FilmJob(opts)
        dialog = QProgressDialog("Making the film\u2026", "Cancel", 0, 100, self)
        dialog.setWindowModality(Qt.WindowModal)
        dialog.setMinimumDuration(0)
        dialog.canceled.connect(job.cancel.set)
        self.film_progress = dialog
        self._film_monitor = FilmMonitor(self, job)  # the job's signals, queued to this thread
        self._film = (job, None)
        self.controller.request_film_source()  # the worker answers between two chunks
        return True

    @Slot(object)
    def _film_source_arrived(self, source) -> None:
        if self._film is None or self._film[1] is not None:
            return
        job = self._film[0]
        if job.cancel.is_set():
            self.film_failed("")
            return
        job.source = source
        self._film = (job, start_film(job))

    def film_progressed(self, what: str, k: int, n: int) -> None:
        if self.film_progress is not None:
            half = 0 if what == "training" else 50
            self.film_progress.setLabelText(f"{what}: frame {k} of {n}")
            self.film_progress.setValue(half + int(50 * k / max(n, 1)))

    def _film_ended(self) -> None:
        if self._film is not None:
            _, thread = self._film
            if thread is not None:
                thread.quit()
                thread.wait()
            self._film = None
        if self.film_progress is not None:
            self.film_progress.reset()
            self.film_progress = None

    def film_done(self, path: str) -> None:
        self._film_ended()
        self.statusBar().showMessage(f"film written to {path}", 8000)

    def film_failed(self, message: str) -> None:
        self._film_ended()
        if message:
            self.show_error(message)
        else:
            self.statusBar().showMessage("film cancelled: nothing written", 8000)

    def stop_film(self) -> None:
        """Cancel a film being made and wait for its thread (closing the window)."""
        if self._film is not None:
            self._film[0].cancel.set()
            self._film_ended()

    def film_dialog(self) -> FilmDialog | None:
        """The options dialog for the run shown (None, with a message, when there is nothing to film)."""
        present, ctx = self.controller.present, self.context
        if present is None or ctx is None:
            self.show_error("nothing to film yet")
            return None
        planned = (present.settings or ctx.settings).iterations
        return FilmDialog(self, self._settings_store(), len(ctx.dataset.input_names), present.first_iteration,
                          present.present_iteration, planned)

    @Slot()
    def export_animation_dialog(self) -> None:
        dialog = self.film_dialog()
        if dialog is not None and dialog.exec() and dialog.chosen is not None:
            self.export_animation(dialog.chosen)

    # -- sessions ------------------------------------------------------------------
    session_path: str | None = None
    confirm_close = True  # ask before closing with unsaved training (off for automation)
    _saved_mark = None
    _pending_save: str | None = None

    def _mark(self, snap) -> tuple:
        """What a saved session holds: the network at an iteration, and the kept runs."""
        return (self.context.generation if self.context else None, snap.iteration,
                float(sum(float(W.sum()) for W in snap.weights)), self.runs_panel.model.version,
                snap.data_version)

    @property
    def unsaved(self) -> bool:
        snap = self.controller.present
        if snap is None or (snap.iteration == 0 and self._saved_mark is None):
            return False
        return self._mark(snap) != self._saved_mark

    def save_session(self, path: str) -> bool:
        """Save the session; while training runs, pause first and save when paused."""
        if not path.lower().endswith(sessionfile.EXTENSION):
            path += sessionfile.EXTENSION
        snap = self.controller.present
        if snap is None:
            self.show_error("nothing to save yet")
            return False
        if not self.writes_no_input(path, keep="session"):
            return False
        if snap.train_state is None:  # running: pause, the next snapshot saves
            self._pending_save = path
            self.controller.pause()
            return True
        ctx = self.context
        h, v = self.controller.history, self.controller.val_history
        try:
            sessionfile.save(path, snap.settings or ctx.settings, ctx.dataset, snap.train_state, h.x, h.y,
                             runs=[runfile.to_dict(r) for r in self.runs_panel.runs], validation_x=v.x,
                             validation_y=v.y,
                             scaling=ctx.scaling, lesson=self.lesson)
        except ValueError as exc:
            self.show_error(str(exc))
            return False
        self.session_path = path
        self._saved_mark = self._mark(snap)
        self._add_recent(path)
        self._update_title()
        self.statusBar().showMessage(f"session saved to {path} (iteration {snap.iteration:,})", 8000)
        return True

    @Slot()
    def save_session_now(self) -> bool:
        """Save to the session's file, or ask for one."""
        if self.session_path:
            return self.save_session(self.session_path)
        return self.save_session_dialog()

    @Slot()
    def save_session_dialog(self) -> bool:
        path, _ = QFileDialog.getSaveFileName(self, "Save session", self.session_path or "session.nnviz",
                                              "nnviz session (*.nnviz)")
        return bool(path) and self.save_session(path)

    def open_session(self, path: str) -> bool:
        """Open a session; on any problem the current network stays as it is."""
        try:
            data = sessionfile.load(path)
            kept = runfile.session_runs(data)
            exp = sessionfile.restore(data)
        except ValueError as exc:
            self.show_error(str(exc))
            return False
        self.ask_discard(f"Open the session {Path(path).name}", lambda: self._adopt_session(path, data, exp, kept))
        return True

    def _adopt_session(self, path, data, exp, kept=()) -> None:
        settings = data.settings
        csv = data.dataset is not None and settings.data not in BUILTINS  # edited built-ins are named by settings
        self.controls.set_settings(settings.with_(data="iris") if csv else settings)
        if csv and data.dataset is not None:
            ds = data.dataset
            self.controls.set_csv(settings.data, list(ds.input_names) + list(ds.target_columns),
                                  ds.target_columns[0] if len(ds.target_columns) == 1 else None)
        self.controller.adopt(exp, data.history_x, data.history_y, data.validation_x, data.validation_y)
        self.add_runs(kept)  # the session's kept runs join the table (those not in it already)
        self.show_lesson(data.lesson)  # a lesson's title, instructions and locks; None for other sessions
        self.session_path = str(path)
        # saved as it is once its first snapshot arrives (one of a newer generation than now)
        self._saved_mark = ("pending", self.context.generation if self.context is not None else 0)
        self._add_recent(str(path))

    def open_model(self, path: str) -> bool:
        """Load a model file (JSON, NPZ, ONNX: also one trained elsewhere) onto the current data:
        its weights, architecture and scaling replace the network; training goes on from them."""
        ctx = self.context
        try:
            model = nnio.load(path)
            if ctx is None:
                raise ValueError("no data set is loaded")
            settings = ctx.settings.with_(
                features=model.features, hidden=model.arch.hidden, activation=model.arch.activations or ("sigmoid",),
                output_activation=model.arch.output_activation, loss=model.arch.loss)
            check_init(model, ctx.dataset)
        except ValueError as exc:
            msg = str(exc)
            if ctx is not None and "inputs" in msg:
                msg += "; open a CSV file with the model's input columns first"
            self.show_error(msg)
            return False
        def load() -> None:
            self.model_path = str(path)
            self.controls.set_settings(settings)
            self.controller.configure(settings, ctx.dataset, model)
            self.statusBar().showMessage(f"model {Path(path).name} ({model.arch.describe()}) loaded", 8000)

        self.ask_discard(f"Open the model {Path(path).name}", load)
        return True

    @Slot()
    def open_model_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Open model", "",
                                              "Models (*.json *.npz *.onnx);;All files (*)")
        if path:
            self.open_model(path)

    @Slot()
    def open_session_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Open session", "", "nnviz session (*.nnviz);;All files (*)")
        if path:
            self.open_session(path)

    def _settings_store(self):
        from PySide6.QtCore import QSettings

        return QSettings(QSettings.IniFormat, QSettings.UserScope, "nnviz", "nnviz")

    def recent_sessions(self) -> list[str]:
        value = self._settings_store().value("recent_sessions", [])
        if isinstance(value, str):
            value = [value]
        return [v for v in (value or []) if isinstance(v, str)]

    def _add_recent(self, path: str) -> None:
        path = str(Path(path).resolve())
        items = [path] + [p for p in self.recent_sessions() if p != path]
        self._settings_store().setValue("recent_sessions", items[:8])
        self._fill_recent()

    def _fill_recent(self) -> None:
        self.recent_menu.clear()
        items = self.recent_sessions()
        for p in items:
            a = self.recent_menu.addAction(p)
            a.triggered.connect(lambda checked=False, p=p: self.open_session(p))
        self.recent_menu.setEnabled(bool(items))

    def _update_title(self) -> None:
        ctx = self.context
        if ctx is None:
            return
        name = ctx.dataset.title
        if self.session_path:  # the session's name, and the data's when it was edited
            name = Path(self.session_path).name + (f", {name}" if ctx.dataset.custom else "")
        self.setWindowTitle(f"nnviz \u2014 {name}, {ctx.arch.describe()}" + (" *" if self.unsaved else ""))
