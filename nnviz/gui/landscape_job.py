"""The Dynamics tab's loss landscape, computed in its own thread.

The job replays the window's run from the states the runner's timeline stored (the film's
``core.film.Source``, asked of the worker between two chunks), on a session of its own: the
weights at up to ``landscape.PATH_POINTS`` iterations from the first stored state to the present,
exactly as the window showed them.  Then it computes the grid of training errors around the
present weights (``core.landscape.compute``).  It reports progress by signal and checks a
cancel flag between two replayed frames or grid rows; a cancelled job emits ``failed("")``.
Training in the window goes on untouched.
"""

from __future__ import annotations

import copy
import threading

import numpy as np
from PySide6.QtCore import QObject, QThread, Signal, Slot

from ..core import landscape as land_mod


class LandscapeJob(QObject):
    """One landscape: ``run`` in a QThread of its own (see ``start``)."""

    progress = Signal(str, int, int)  # what, done, total
    done = Signal(object)  # core.landscape.Landscape
    failed = Signal(str)  # one-line message ("" when cancelled)

    def __init__(self, kind: str, size: int, seed: int):
        super().__init__()
        self.kind, self.size, self.seed = kind, size, seed
        self.source = None  # the film Source, set before the thread starts
        self.cancel = threading.Event()

    def _report(self, what: str):
        def report(k: int, n: int) -> None:
            if self.cancel.is_set():
                raise land_mod.Cancelled
            self.progress.emit(what, k, n)
        return report

    @Slot()
    def run(self) -> None:
        try:
            self.done.emit(self.compute())
        except land_mod.Cancelled:
            self.failed.emit("")
        except (ValueError, FloatingPointError) as exc:
            self.failed.emit(str(exc))

    def compute(self) -> land_mod.Landscape:
        src = self.source
        if src is None:
            raise ValueError("there is no run to look at")
        # a session of this job's own, from the first stored state (the Source's may be replayed by a
        # film at the same time: whatever is read from it is overwritten by the state at once)
        exp = copy.copy(src.experiment)
        first = src.states[0]
        exp.session = src.experiment.session.clone(first[2])
        exp.session.set_state(first[1])
        arch = exp.arch
        at = land_mod.path_iterations(src.first, src.present, land_mod.path_points(arch.n_weights))
        if self.kind == "pca" and at.size < 3:
            raise ValueError("the PCA directions need a training path: train a few iterations first "
                             "(or choose random directions)")
        traj = land_mod.trajectory_of(exp, at, src.states, self._report("replaying the path"))
        rng = np.random.default_rng(self.seed)
        return land_mod.compute(arch, traj.params[-1], int(traj.iterations[-1]), exp.X_train, exp.Y_train,
                                self.kind, self.size, traj, rng, self._report("computing the grid"))


class LandscapeMonitor(QObject):
    """Receives a job's signals in the GUI thread and hands them to ``target``'s plain methods
    (``landscape_progress``, ``landscape_done``, ``landscape_failed``)."""

    def __init__(self, target, job: LandscapeJob):
        super().__init__(target)
        self.target = target
        job.progress.connect(self.progressed)
        job.done.connect(self.done)
        job.failed.connect(self.failed)

    @Slot(str, int, int)
    def progressed(self, what: str, k: int, n: int) -> None:
        self.target.landscape_progress(what, k, n)

    @Slot(object)
    def done(self, land) -> None:
        self.target.landscape_done(land)

    @Slot(str)
    def failed(self, message: str) -> None:
        self.target.landscape_failed(message)


def start(job: LandscapeJob) -> QThread:
    """Run ``job`` in a new thread; the caller keeps both and quits the thread when it ends."""
    thread = QThread()
    thread.setObjectName("nnviz-landscape")
    job.moveToThread(thread)
    thread.started.connect(job.run)
    thread.start()
    return thread
