"""Early stopping on the error plot: the validation curve and its best iteration.

The validation mse (measured every k iterations on the rows held out for early stopping) is a
green curve; its best iteration is a ringed dot on it and a dashed vertical line.  Curve and dot
are in the legend only when there is a validation split.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt

from ...core.snapshot import History, Snapshot


class ValidationMarks:
    """The validation ``curve`` (its values ``y``), the ``best_dot`` and the ``best_line`` on ``plot``;
    ``legend`` names them, and ``relayout`` is called when its entries change."""

    def __init__(self, plot: pg.PlotWidget, legend: pg.LegendItem, relayout: Callable[[], None]):
        self.legend, self.relayout = legend, relayout
        self.curve = plot.plot([], [], pen=pg.mkPen(27, 158, 119, width=2))
        self.best_dot = plot.plot([], [], pen=None, symbol="o", symbolSize=11,
                                  symbolPen=pg.mkPen(0, 0, 0, width=1.5), symbolBrush=pg.mkBrush(27, 158, 119))
        self.best_dot.setZValue(5)
        self.y = np.empty(0)
        self.best_line = pg.InfiniteLine(angle=90, movable=False,
                                         pen=pg.mkPen(27, 158, 119, width=1.5, style=Qt.PenStyle.DashLine))
        self.best_line.setVisible(False)
        plot.addItem(self.best_line, ignoreBounds=True)

    def set_has(self, has: bool) -> None:
        """The validation curve and the best-iteration dot in the legend only with a validation split."""
        for item, name in ((self.curve, "validation"), (self.best_dot, "best (validation)")):
            in_legend = any(sample.item is item for sample, _ in self.legend.items)
            if has and not in_legend:
                self.legend.addItem(item, name)
            elif not has and in_legend:
                self.legend.removeItem(item)
        self.relayout()
        if not has:
            self.y = np.empty(0)
            self.curve.setData([], [])
            self.best_dot.setData([], [])
            self.best_line.setVisible(False)

    def show(self, snap: Snapshot, val_history: History | None) -> str:
        """The validation curve and the best iteration's marker; the value label's text for them."""
        has = val_history is not None and len(val_history) > 0
        self.set_has(has)
        if not has or val_history is None:
            return ""
        self.curve.setData(val_history.x, val_history.y)
        self.y = val_history.y
        text = ""
        if snap.best_iteration is not None and snap.best_validation_mse is not None:
            y = snap.best_validation_mse
            self.best_dot.setData([snap.best_iteration], [y])
            self.best_line.setValue(snap.best_iteration)
            self.best_line.setVisible(True)
            now = f"validation mse {snap.validation_mse:.5g}, " if snap.validation_mse is not None else ""
            text = (f"&nbsp;&nbsp;<span style='color:#1b9e77'>{now}"
                    f"best {y:.5g} at {snap.best_iteration:,}</span>")
        return text
