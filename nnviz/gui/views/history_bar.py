"""The history scrubber under the error plot: look at the network as it was at an earlier iteration.

The slider spans the iterations that can be shown (first..present) and follows training while it
runs; dragging it asks for a preview of an earlier iteration, marked on the plot by a vertical
line, and "Resume here" makes the iteration shown the current one.
"""

from __future__ import annotations

from collections.abc import Callable

import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton, QSlider


class HistorySlider(QSlider):
    """The history slider: iterations first..present mapped onto the slider's own int range.

    Up to ``STEPS`` iterations a position is an iteration (first + position); beyond, the
    positions spread evenly over the span, so any count fits (a QSlider's range is a C int:
    2^31 iterations raised OverflowError on every repaint).  The handle keeps the width of
    its row whatever is shown beside it, so it never runs away from the pointer."""

    STEPS = 1_000_000

    def __init__(self, parent=None):
        super().__init__(Qt.Horizontal, parent)
        self.first, self.present = 0, 0
        self.setRange(0, 0)

    @property
    def span(self) -> int:
        return max(self.present - self.first, 0)

    def set_span(self, first: int, present: int) -> None:
        self.first, self.present = int(min(first, present)), int(present)
        # nothing to look back at (a new network, or just after a data edit): the handle stands
        # at the right, on the present, and the slider rests
        self.setRange(0 if self.span else -1, min(self.span, self.STEPS))
        self.setEnabled(self.span > 0)

    def position(self, iteration: int) -> int:
        off = min(max(int(iteration) - self.first, 0), self.span)
        if self.span == 0:
            return 0
        return off if self.span <= self.STEPS else round(off * self.STEPS / self.span)

    def iteration(self, position: int | None = None) -> int:
        pos = max(self.value() if position is None else position, 0)
        if self.span <= self.STEPS:
            return self.first + pos
        return self.first + round(pos * self.span / self.STEPS)


class HistoryBar:
    """The ``slider``, the ``marker`` line on ``plot`` and the ``resume_button``; ``preview`` and
    ``resume`` are called with the iteration chosen (the error plot's signals)."""

    def __init__(self, plot: pg.PlotWidget, preview: Callable[[int], None], resume: Callable[[int], None]):
        self._preview, self._resume = preview, resume
        self._syncing = False
        self.marker = pg.InfiniteLine(angle=90, movable=False, pen=pg.mkPen(179, 88, 6, width=1.5))
        self.marker.setVisible(False)
        plot.addItem(self.marker, ignoreBounds=True)
        self.slider = HistorySlider()
        self.slider.setMinimumWidth(60)
        self.slider.setToolTip("history: drag to see the network at an earlier iteration")
        self.slider.valueChanged.connect(self._on_slider)
        self.resume_button = QPushButton("Resume here")
        self.resume_button.setToolTip("make the iteration shown the current one (later iterations are discarded)")
        self.resume_button.setEnabled(False)
        self.resume_button.clicked.connect(self._on_resume)

    def _on_slider(self, value: int) -> None:
        if self._syncing:
            return
        at_end = value >= self.slider.maximum()
        iteration = self.slider.iteration(value)
        self.marker.setVisible(not at_end)
        self.marker.setValue(iteration)
        self.resume_button.setEnabled(not at_end)
        self._preview(iteration)

    def _on_resume(self) -> None:
        self._resume(self.slider.iteration())

    def sync(self, present_iteration: int, shown_iteration: int, first_iteration: int = 0) -> None:
        """Range first..present (only iterations that can be shown); the handle on what is
        shown, following training while it runs (without requesting a preview)."""
        self._syncing = True
        try:
            self.slider.set_span(first_iteration, present_iteration)
            self.slider.setValue(self.slider.position(shown_iteration))
        finally:
            self._syncing = False
        at_end = shown_iteration >= present_iteration
        self.marker.setVisible(not at_end)
        self.marker.setValue(shown_iteration)
        self.resume_button.setEnabled(not at_end)
