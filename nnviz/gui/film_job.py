"""File > Export animation: the film of the training so far, made in its own thread.

The job replays the run from its start (training is deterministic, so frame k shows
exactly the network after k iterations), paints each frame on a QImage (allowed off the
GUI thread) and writes the GIF or MP4 atomically, as ``nnviz animate`` does.  It reports
progress by signal and checks a cancel flag between frames; a cancelled or failed job
writes nothing.  The training in the window goes on untouched.
"""

from __future__ import annotations

import threading

from PySide6.QtCore import QObject, QThread, Signal, Slot

from ..core.experiment import Experiment, Settings
from ..core.film import frame_iterations, shoot


class Cancelled(Exception):
    """The user pressed Cancel."""


class FilmJob(QObject):
    """Replays, paints and writes one film; lives in its own QThread (see ``start_film``)."""

    progress = Signal(str, int, int)  # what, done, total
    done = Signal(str)  # the path written
    failed = Signal(str)  # one-line message ("" when cancelled)

    def __init__(self, settings: Settings, dataset, iterations: int, path: str, frames: int = 150,
                 fps: float = 15.0, size: tuple[int, int] = (1280, 720)):
        super().__init__()
        self.settings, self.dataset, self.iterations = settings, dataset, iterations
        self.path, self.frames, self.fps, self.size = path, frames, fps, size
        self.cancel = threading.Event()

    def _report(self, what: str):
        def report(k: int, n: int) -> None:
            if self.cancel.is_set():
                raise Cancelled
            self.progress.emit(what, k, n)
        return report

    @Slot()
    def run(self) -> None:
        from . import film

        try:
            film.check_target(self.path, self.size)
            exp = Experiment(self.settings, dataset=self.dataset)
            reel = shoot(exp, frame_iterations(max(self.iterations, 1), self.frames), self._report("training"))
            painter = film.Painter(reel, self.size)
            film.write(painter, self.path, self.fps, self._report("painting"))
        except Cancelled:
            self.failed.emit("")
            return
        except (ValueError, OSError) as exc:
            self.failed.emit(str(exc))
            return
        self.done.emit(self.path)


class FilmMonitor(QObject):
    """Receives a job's signals in the GUI thread (a QObject living there, with slots, so the
    signals are queued to it) and hands them to the window's plain methods."""

    def __init__(self, window, job: FilmJob):
        super().__init__(window)
        self.window = window
        job.progress.connect(self.progressed)
        job.done.connect(self.done)
        job.failed.connect(self.failed)

    @Slot(str, int, int)
    def progressed(self, what: str, k: int, n: int) -> None:
        self.window.film_progressed(what, k, n)

    @Slot(str)
    def done(self, path: str) -> None:
        self.window.film_done(path)

    @Slot(str)
    def failed(self, message: str) -> None:
        self.window.film_failed(message)


def start_film(job: FilmJob) -> QThread:
    """Run ``job`` in a new thread; the caller keeps both and quits the thread when it ends."""
    thread = QThread()
    thread.setObjectName("nnviz-film")
    job.moveToThread(thread)
    thread.started.connect(job.run)
    thread.start()
    return thread
