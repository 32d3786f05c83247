"""Python's cyclic garbage collector, run only in the GUI thread.

Left to itself, the collector runs in whichever thread happens to allocate when a
generation fills up: the training worker, a film or a sweep thread.  If the garbage it
finds holds Qt objects (a discarded diagram's pyqtgraph items, an old dialog), their C++
destructors then run in that thread: Qt warns ("QBasicTimer::start: Timers cannot be
started from another thread", seen on CI while a film was painted) or crashes.  So, as
pyqtgraph's own ``GarbageCollector`` recommends, automatic collection is turned off when the
first window is made (for the rest of the process) and a timer in the GUI thread collects instead, generation by generation with
the interpreter's own thresholds.  Reference counting, which frees almost everything, is
untouched; only cycles wait for the timer.
"""

from __future__ import annotations

import gc

from PySide6.QtCore import QObject, QTimer

INTERVAL_MS = 500

_collector: GuiThreadCollector | None = None


class GuiThreadCollector(QObject):
    """Collects cycles from a timer of the thread it was made in (the GUI thread)."""

    def __init__(self, interval_ms: int = INTERVAL_MS):
        super().__init__()
        self.threshold = gc.get_threshold()
        self.timer = QTimer(self)
        self.timer.timeout.connect(self.check)
        gc.disable()
        self.timer.start(interval_ms)

    def check(self) -> None:
        """What the interpreter would have done: a generation is collected once its count passes
        its threshold (the older ones only when the younger did)."""
        c0, c1, c2 = gc.get_count()
        t0, t1, t2 = self.threshold
        if c0 > t0:
            gc.collect(0)
            if c1 > t1:
                gc.collect(1)
                if c2 > t2:
                    gc.collect(2)


def install() -> GuiThreadCollector:
    """Turn automatic collection off and collect in this (the GUI) thread; once per process."""
    global _collector
    if _collector is None:
        _collector = GuiThreadCollector()
    return _collector
