"""The readout under the pointer on the error plot: the training curve's nearest point, beside it.

A box says "iteration N / mse x" of the point of the training curve nearest the pointer, on the
side of the point away from the plot's edge, and a ringed dot marks the point; both leave with
the pointer.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QObject


class LossReadout(QObject):
    """The readout's ``dot`` and ``text`` on ``plot`` for the points of ``curve``; ``readout`` is the
    text shown ("" when none); ``log`` says whether the y axis is logarithmic now."""

    def __init__(self, plot: pg.PlotWidget, curve: pg.PlotDataItem, log: Callable[[], bool], parent=None):
        super().__init__(parent)
        self.plot, self.curve, self.log = plot, curve, log
        self.dot = plot.plot([], [], pen=None, symbol="o", symbolSize=9,
                             symbolPen=pg.mkPen(0, 0, 0, width=1.2), symbolBrush=pg.mkBrush(255, 255, 255))
        self.dot.setZValue(6)
        self.text = pg.TextItem(color=(40, 40, 40), fill=pg.mkBrush(255, 255, 255, 225),
                                border=pg.mkPen(180, 180, 180))
        self.text.setZValue(7)
        self.text.setVisible(False)
        plot.addItem(self.text, ignoreBounds=True)
        self.readout = ""
        plot.scene().sigMouseMoved.connect(self.hover)
        plot.viewport().installEventFilter(self)

    def eventFilter(self, obj, event) -> bool:  # noqa: N802 (Qt's name)
        if event.type() == event.Type.Leave:  # the readout leaves with the pointer
            self.hide()
        return False

    def hide(self) -> None:
        self.text.setVisible(False)
        self.dot.setData([], [])
        self.readout = ""

    def hover(self, pos) -> None:
        """(iteration, mse) of the training curve's point nearest the pointer (``pos``, in the scene), beside it."""
        x = self.curve.xData
        vb = self.plot.getViewBox()
        if x is None or not len(x) or not vb.sceneBoundingRect().contains(pos):
            self.hide()
            return
        at = vb.mapSceneToView(pos)
        i = int(np.clip(np.searchsorted(x, at.x()), 0, len(x) - 1))
        if i > 0 and abs(x[i - 1] - at.x()) < abs(x[i] - at.x()):
            i -= 1
        it, mse = int(x[i]), float(self.curve.yData[i])
        if not np.isfinite(mse):
            self.hide()
            return
        self.readout = f"iteration {it:,}\nmse {mse:.5g}"
        self.text.setText(self.readout)
        ypos = np.log10(mse) if self.log() and mse > 0 else mse
        (x0, x1), _ = vb.viewRange()
        self.text.setAnchor((1.0, 1.0) if it > (x0 + x1) / 2 else (0.0, 1.0))
        self.text.setPos(it, ypos)
        self.text.setVisible(True)
        self.dot.setData([it], [mse])
