"""File > Export animation: the film of the window's run, made in its own thread.

The job replays the run from the states the runner's timeline stored (``core.film.Source``,
asked of the worker between two chunks): from the first one, the seed's weights of a new
network or the start of an opened session, with the settings in force at each iteration,
so a frame at iteration k is exactly the network the window showed at k, also across a
change of learning rate or an edited weight.  It paints each frame on a QImage (allowed
off the GUI thread) and writes the GIF or MP4 atomically, as ``nnviz animate`` does.  It
reports progress by signal (queued to ``film_actions.FilmActions``, in the GUI thread) and
checks a cancel flag between frames; a cancelled or failed job writes nothing.  The training in the window goes on untouched.
"""

from __future__ import annotations

import threading

from PySide6.QtCore import QObject, QThread, Signal, Slot

from ..core.film import Source, shoot_source
from .film import FilmOptions


class Cancelled(Exception):
    """The user pressed Cancel."""


class FilmJob(QObject):
    """Replays, paints and writes one film; lives in its own QThread (see ``start_film``)."""

    progress = Signal(str, int, int)  # what, done, total
    done = Signal(str)  # the path written
    failed = Signal(str)  # one-line message ("" when cancelled)

    def __init__(self, options: FilmOptions, source: Source | None = None):
        super().__init__()
        self.options = options
        self.source = source  # set before the thread starts
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

        o, src = self.options, self.source
        try:
            if src is None:
                raise ValueError("there is no run to film")
            start, end = o.range_in(src)
            reel = shoot_source(src, start, end, o.frames, self._report("training"))
            painter = film.Painter(reel, o.size, o.theme, o.title, o.panel)
            film.write(painter, o.path, o.fps, self._report("painting"))
        except Cancelled:
            self.failed.emit("")
            return
        except (ValueError, OSError) as exc:
            self.failed.emit(str(exc))
            return
        self.done.emit(o.path)


def start_film(job: FilmJob) -> QThread:
    """Run ``job`` in a new thread; the caller keeps both and quits the thread when it ends."""
    thread = QThread()
    thread.setObjectName("nnviz-film")
    job.moveToThread(thread)
    thread.started.connect(job.run)
    thread.start()
    return thread
