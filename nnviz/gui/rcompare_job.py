"""Runs > Compare with neuralnet: R's neuralnet trained from the run's start weights, in a thread.

The job takes the run's first stored state (``core.film.Source``, asked of the worker between two
chunks, as a film does), hands it to ``io.rcompare.compare`` (which trains nnviz's run headless and
then neuralnet through Rscript with the same settings), and reports the comparison by signal
(queued to ``run_actions.RunActions``, in the GUI thread), which adds both runs to the Runs
table.  Cancel stops R.  The window's own training is untouched.
"""

from __future__ import annotations

import threading

from PySide6.QtCore import QObject, QThread, Signal, Slot

from ..io import rcompare


class RCompareJob(QObject):
    """One comparison; lives in its own QThread."""

    progress = Signal(str)
    done = Signal(object)  # rcompare.RComparison
    failed = Signal(str)  # one line ("" when cancelled)

    def __init__(self):
        super().__init__()
        self.experiment = None  # set before the thread starts
        self.cancel = threading.Event()

    @Slot()
    def run(self) -> None:
        try:
            result = rcompare.compare(self.experiment, should_stop=self.cancel.is_set,
                                      on_progress=lambda it, *_: self.progress.emit(f"nnviz: iteration {it:,}"))
        except rcompare.Cancelled:
            self.failed.emit("")
            return
        except (ValueError, OSError) as exc:
            self.failed.emit(str(exc))
            return
        self.done.emit(result)


def start(job: RCompareJob) -> QThread:
    thread = QThread()
    thread.setObjectName("nnviz-rcompare")
    job.moveToThread(thread)
    thread.started.connect(job.run)
    thread.start()
    return thread
