"""The training as a file: File > Open session, Save session (as), Open model, Recent sessions;
the title and its unsaved mark; and the question before unsaved training is thrown away.

A session holds the training state, the error history, the kept runs and a lesson; a model
file only the network (its training goes on from it).  A file that cannot be read changes
nothing (one line says why).  Saving while training runs pauses first and saves once the
paused snapshot arrives (``on_frame``).  ``ask_discard`` is what every action that would
replace the network asks through (a new network from the controls, an opened file, Reset,
the tour): Save first, Discard or Cancel, window-modal and not blocking; training goes on
while it is open and the question names the iteration that would be lost, every frame.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, cast

from PySide6.QtCore import Slot
from PySide6.QtWidgets import QFileDialog, QMainWindow, QMenu, QMessageBox

from .. import io as nnio
from ..core.data import BUILTINS
from ..core.experiment import Settings, check_init
from ..core.snapshot import Snapshot
from ..io import runs as runfile
from ..io import session as sessionfile
from .controller import Controller
from .guide_actions import GuideActions
from .menus import settings_store
from .notices import Notices
from .open_files import OpenFiles
from .run_actions import RunActions
from .views.controls import ControlPanel

RECENT = 8  # sessions in File > Recent sessions


class Sessions:
    """Sessions and models in and out of the window (see the module doc)."""

    def __init__(self, window: QMainWindow, controller: Controller, controls: ControlPanel, runs: RunActions,
                 guides: GuideActions, files: OpenFiles, notices: Notices) -> None:
        self.window = window  # its title, the dialogs' parent
        self.controller = controller
        self.controls = controls  # set to an opened session's or model's settings
        self.runs = runs  # kept runs: saved with a session, added from one
        self.guides = guides  # a session's lesson
        self.files = files
        self.notices = notices
        self.confirm_discard = True  # ask before unsaved training is thrown away (off for automation)
        self._saved_mark: tuple | None = None  # what the file holds (_mark), or ("pending", generation)
        self._pending_save: str | None = None  # saved once training has paused
        self._discard_question: tuple[QMessageBox, str] | None = None
        self.recent_menu = QMenu("&Recent sessions", window)
        self._fill_recent()
        model = runs.runs_panel.model
        model.rowsInserted.connect(self.update_title)  # a kept run is saved with the session
        model.modelReset.connect(self.update_title)  # runs removed

    # -- the unsaved mark ----------------------------------------------------------------
    def _mark(self, snap: Snapshot) -> tuple:
        """What a saved session holds: the network at an iteration, and the kept runs."""
        ctx = self.controller.context
        return (ctx.generation if ctx else None, snap.iteration, float(sum(float(W.sum()) for W in snap.weights)),
                self.runs.runs_panel.model.version, snap.data_version)

    @property
    def unsaved(self) -> bool:
        snap = self.controller.present
        if snap is None or (snap.iteration == 0 and self._saved_mark is None):
            return False
        return self._mark(snap) != self._saved_mark

    def update_title(self, *_: object) -> None:
        ctx = self.controller.context
        if ctx is None:
            return
        name = ctx.dataset.title
        path = self.files.session_path
        if path:  # the session's name, and the data's when it was edited
            name = Path(path).name + (f", {name}" if ctx.dataset.custom else "")
        self.window.setWindowTitle(f"nnviz \u2014 {name}, {ctx.arch.describe()}" + (" *" if self.unsaved else ""))

    def on_context(self) -> None:
        """A new network: not the saved session, unless it is the one being opened."""
        if self._saved_mark is None or self._saved_mark[0] != "pending":
            self.files.session_path = None
            self._saved_mark = None
        self.update_title()

    def on_frame(self, snap: Snapshot) -> None:
        """A frame of the training (not a preview): an opened session's first, a save waiting for
        the pause, the unsaved mark."""
        mark = self._saved_mark
        if mark is not None and mark[0] == "pending" and snap.generation > mark[1]:
            self._saved_mark = self._mark(snap)  # the opened session, as loaded
        if self._pending_save and snap.train_state is not None:
            path, self._pending_save = self._pending_save, None
            self.save_session(path)
        self.update_title()

    @property
    def pending_save(self) -> bool:
        """A save waits for training to pause."""
        return self._pending_save is not None

    # -- the question before discarding ----------------------------------------------------
    def ask_discard(self, what: str, then: Callable[[], object], cancelled: Callable[[], object] | None = None) -> None:
        """Run ``then`` now, or once the user agrees to lose the unsaved training (Save first,
        Discard, or Cancel: then ``cancelled`` runs).  The box is window-modal and does not block."""
        if not (self.confirm_discard and self.unsaved):
            then()
            return
        buttons = QMessageBox.StandardButton
        box = QMessageBox(QMessageBox.Icon.Question, "nnviz", "", buttons.Save | buttons.Discard | buttons.Cancel,
                          self.window)
        # training goes on while the question is open: the text names the iteration that would
        # be discarded now, every frame (it said 67 while training went on to 99)
        self._discard_question = (box, what)
        self.name_discarded()

        def answer(_: int) -> None:
            role = box.buttonRole(box.clickedButton()) if box.clickedButton() is not None else None
            if role == QMessageBox.ButtonRole.DestructiveRole or (
                    role == QMessageBox.ButtonRole.AcceptRole and self.save_session_now()):
                then()
            elif cancelled is not None:
                cancelled()

        box.finished.connect(answer)
        box.finished.connect(lambda _: setattr(self, "_discard_question", None))
        self.notices.ask(box)

    def name_discarded(self) -> None:
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

    # -- saving -----------------------------------------------------------------------------
    def save_session(self, path: str) -> bool:
        """Save the session; while training runs, pause first and save when paused."""
        if not path.lower().endswith(sessionfile.EXTENSION):
            path += sessionfile.EXTENSION
        snap = self.controller.present
        if snap is None:
            self.notices.error("nothing to save yet")
            return False
        if not self.files.writes_no_input(path, keep="session"):
            return False
        if snap.train_state is None:  # running: pause, the next snapshot saves
            self._pending_save = path
            self.controller.pause()
            return True
        ctx = self.controller.context
        assert ctx is not None  # a snapshot comes after its context
        h, v = self.controller.history, self.controller.val_history
        try:
            settings = cast("Settings | None", snap.settings)  # (Snapshot types it object: import cycles)
            sessionfile.save(path, settings or ctx.settings, ctx.dataset, snap.train_state, h.x, h.y,
                             runs=[runfile.to_dict(r) for r in self.runs.runs_panel.runs], validation_x=v.x,
                             validation_y=v.y, scaling=ctx.scaling, lesson=self.guides.lesson)
        except ValueError as exc:
            self.notices.error(str(exc))
            return False
        self.files.session_path = path
        self._saved_mark = self._mark(snap)
        self._add_recent(path)
        self.update_title()
        self.notices.say(f"session saved to {path} (iteration {snap.iteration:,})", 8000)
        return True

    @Slot()
    def save_session_now(self) -> bool:
        """Save to the session's file, or ask for one."""
        if self.files.session_path:
            return self.save_session(self.files.session_path)
        return self.save_session_dialog()

    @Slot()
    def save_session_dialog(self) -> bool:
        path, _ = QFileDialog.getSaveFileName(self.window, "Save session", self.files.session_path or "session.nnviz",
                                              "nnviz session (*.nnviz)")
        return bool(path) and self.save_session(path)

    # -- opening ----------------------------------------------------------------------------
    def open_session(self, path: str) -> bool:
        """Open a session; on any problem the current network stays as it is."""
        try:
            data = sessionfile.load(path)
            kept = runfile.session_runs(data)
            exp = sessionfile.restore(data)
        except ValueError as exc:
            self.notices.error(str(exc))
            return False
        self.ask_discard(f"Open the session {Path(path).name}", lambda: self.adopt(path, data, exp, kept))
        return True

    def adopt(self, path, data, exp, kept=()) -> None:
        """A session read and restored (``open_session``, ``nnviz gui FILE.nnviz``) replaces the network."""
        settings = data.settings
        csv = data.dataset is not None and settings.data not in BUILTINS  # edited built-ins are named by settings
        self.controls.set_settings(settings.with_(data="iris") if csv else settings)
        if csv and data.dataset is not None:
            ds = data.dataset
            self.controls.set_csv(settings.data, list(ds.input_names) + list(ds.target_columns),
                                  ds.target_columns[0] if len(ds.target_columns) == 1 else None)
        self.controller.adopt(exp, data.history_x, data.history_y, data.validation_x, data.validation_y)
        self.runs.add_runs(kept)  # the session's kept runs join the table (those not in it already)
        self.guides.show_lesson(data.lesson)  # a lesson's title, instructions and locks; None for other sessions
        self.files.session_path = str(path)
        # saved as it is once its first snapshot arrives (one of a newer generation than now)
        ctx = self.controller.context
        self._saved_mark = ("pending", ctx.generation if ctx is not None else 0)
        self._add_recent(str(path))

    def open_model(self, path: str) -> bool:
        """Load a model file (JSON, NPZ, ONNX: also one trained elsewhere) onto the current data:
        its weights, architecture and scaling replace the network; training goes on from them."""
        ctx = self.controller.context
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
            self.notices.error(msg)
            return False

        def load() -> None:
            self.files.model_path = str(path)
            self.controls.set_settings(settings)
            self.controller.configure(settings, ctx.dataset, model)
            self.notices.say(f"model {Path(path).name} ({model.arch.describe()}) loaded", 8000)

        self.ask_discard(f"Open the model {Path(path).name}", load)
        return True

    @Slot()
    def open_model_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self.window, "Open model", "",
                                              "Models (*.json *.npz *.onnx);;All files (*)")
        if path:
            self.open_model(path)

    @Slot()
    def open_session_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self.window, "Open session", "",
                                              "nnviz session (*.nnviz);;All files (*)")
        if path:
            self.open_session(path)

    # -- recent sessions ----------------------------------------------------------------------
    def recent_sessions(self) -> list[str]:
        value: Any = settings_store().value("recent_sessions", [])
        if isinstance(value, str):
            value = [value]
        return [v for v in (value or []) if isinstance(v, str)]

    def _add_recent(self, path: str) -> None:
        path = str(Path(path).resolve())
        items = [path] + [p for p in self.recent_sessions() if p != path]
        settings_store().setValue("recent_sessions", items[:RECENT])
        self._fill_recent()

    def _fill_recent(self) -> None:
        self.recent_menu.clear()
        items = self.recent_sessions()
        for p in items:
            a = self.recent_menu.addAction(p)
            a.triggered.connect(lambda checked=False, p=p: self.open_session(p))
        self.recent_menu.setEnabled(bool(items))
