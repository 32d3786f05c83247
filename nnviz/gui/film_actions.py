"""File > Export animation: the film of the window's run, made in its own thread.

The options are checked first (a wrong one is one line and nothing starts); then the worker is
asked for the run's stored states between two chunks (``Controller.request_film_source``), and a
``film_job.FilmJob`` replays, paints and writes the film in a thread of its own with a progress
dialog and Cancel.  The job's signals are queued to this QObject, which lives in the GUI thread:
only it touches the dialog and the status bar.  The window's training goes on untouched.
"""

from __future__ import annotations

from typing import cast

from PySide6.QtCore import QObject, Qt, QThread, Slot
from PySide6.QtWidgets import QProgressDialog, QWidget

from ..core.experiment import Settings
from ..core.film import Source
from .controller import Controller
from .film import FilmOptions
from .film_dialog import FilmDialog
from .film_job import FilmJob, start_film
from .menus import settings_store
from .notices import Notices
from .open_files import OpenFiles


class FilmActions(QObject):
    """One film at a time, from the window's run (see the module doc)."""

    def __init__(self, window: QWidget, controller: Controller, files: OpenFiles, notices: Notices) -> None:
        super().__init__(window)
        self.window = window  # the dialogs' parent
        self.controller = controller
        self.files = files
        self.notices = notices
        self.job: tuple[FilmJob, QThread | None] | None = None  # the thread is None until the states arrive
        self.progress: QProgressDialog | None = None
        controller.filmSource.connect(self._source_arrived)

    def export_animation(self, path: str | FilmOptions, frames: int = 150, fps: float = 15.0,
                         size: tuple[int, int] = (1280, 720), panel: str = "auto", start: int | None = None,
                         end: int | None = None, title: str | None = None) -> bool:
        """The film of the run (as ``nnviz animate``, log-spaced frames), replayed from the states the
        run stored (see ``film_job``), made in its own thread with a progress dialog and Cancel.
        Every option is checked first: a wrong one is one line and nothing starts."""
        present, ctx = self.controller.present, self.controller.context
        if present is None or ctx is None:
            self.notices.error("nothing to film yet")
            return False
        if self.job is not None:
            self.notices.error("a film is being made already")
            return False
        opts = path if isinstance(path, FilmOptions) else FilmOptions(path, frames, fps, size, panel, start, end,
                                                                       title=title)
        try:
            opts.check(len(ctx.dataset.input_names), present.first_iteration, present.present_iteration)
        except ValueError as exc:
            self.notices.error(str(exc))
            return False
        if not self.files.writes_no_input(opts.path):
            return False
        job = FilmJob(opts)
        dialog = QProgressDialog("Making the film\u2026", "Cancel", 0, 100, self.window)
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.setMinimumDuration(0)
        dialog.canceled.connect(job.cancel.set)
        self.progress = dialog
        job.progress.connect(self.progressed)  # queued: this object lives in the GUI thread
        job.done.connect(self.done)
        job.failed.connect(self.failed)
        self.job = (job, None)
        self.controller.request_film_source()  # the worker answers between two chunks
        return True

    @Slot(object)
    def _source_arrived(self, source: Source) -> None:
        if self.job is None or self.job[1] is not None:
            return
        job = self.job[0]
        if job.cancel.is_set():
            self.failed("")
            return
        job.source = source
        self.job = (job, start_film(job))

    @Slot(str, int, int)
    def progressed(self, what: str, k: int, n: int) -> None:
        if self.progress is not None:
            half = 0 if what == "training" else 50
            self.progress.setLabelText(f"{what}: frame {k} of {n}")
            self.progress.setValue(half + int(50 * k / max(n, 1)))

    def _ended(self) -> None:
        if self.job is not None:
            _, thread = self.job
            if thread is not None:
                thread.quit()
                thread.wait()
            self.job = None
        if self.progress is not None:
            self.progress.reset()
            self.progress = None

    @Slot(str)
    def done(self, path: str) -> None:
        self._ended()
        self.notices.say(f"film written to {path}", 8000)

    @Slot(str)
    def failed(self, message: str) -> None:
        self._ended()
        if message:
            self.notices.error(message)
        else:
            self.notices.say("film cancelled: nothing written", 8000)

    def stop(self) -> None:
        """Cancel a film being made and wait for its thread (closing the window)."""
        if self.job is not None:
            self.job[0].cancel.set()
            self._ended()

    def film_dialog(self) -> FilmDialog | None:
        """The options dialog for the run shown (None, with a message, when there is nothing to film)."""
        present, ctx = self.controller.present, self.controller.context
        if present is None or ctx is None:
            self.notices.error("nothing to film yet")
            return None
        settings = cast("Settings | None", present.settings)  # (Snapshot types it object: import cycles)
        planned = (settings or ctx.settings).iterations
        return FilmDialog(self.window, settings_store(), len(ctx.dataset.input_names), present.first_iteration,
                          present.present_iteration, planned)

    @Slot()
    def export_animation_dialog(self) -> None:
        dialog = self.film_dialog()
        if dialog is not None and dialog.exec() and dialog.chosen is not None:
            self.export_animation(dialog.chosen)
