"""The live error plot: mse against iteration, train and test, optional log y."""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtWidgets import QCheckBox, QVBoxLayout, QWidget

from ...core.snapshot import History, Snapshot


class LossPlot(QWidget):
    """One PlotDataItem per curve; ``render`` only sets data."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.plot = pg.PlotWidget(background="w")
        self.plot.setLabel("bottom", "iteration")
        self.plot.setLabel("left", "mse")
        self.plot.showGrid(x=True, y=True, alpha=0.25)
        self.legend = self.plot.addLegend(offset=(-10, 10))
        self.train_curve = self.plot.plot([], [], pen=pg.mkPen(33, 102, 172, width=2), name="train")
        self.test_curve = self.plot.plot([], [], pen=pg.mkPen(230, 97, 1, width=2), name="test")
        for c in (self.train_curve, self.test_curve):
            c.setDownsampling(auto=True, method="peak")
            c.setClipToView(True)
        self.log_box = QCheckBox("log scale")
        self.log_box.toggled.connect(self.set_log)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.plot)
        lay.addWidget(self.log_box)

    def set_log(self, on: bool) -> None:
        self.plot.setLogMode(y=on)

    def set_has_test(self, has_test: bool) -> None:
        """Show the test curve (and its legend entry) only when there is a test split."""
        self.test_curve.setVisible(has_test)
        in_legend = any(sample.item is self.test_curve for sample, _ in self.legend.items)
        if has_test and not in_legend:
            self.legend.addItem(self.test_curve, "test")
        elif not has_test and in_legend:
            self.legend.removeItem(self.test_curve)

    def clear(self) -> None:
        self.train_curve.setData([], [])
        self.test_curve.setData([], [])
        self._rename(self.train_curve, "train")
        self._rename(self.test_curve, "test")

    def render(self, snap: Snapshot, history: History, test_history: History) -> None:
        self.train_curve.setData(history.x, history.y)
        self._rename(self.train_curve, f"train mse {snap.mse:.5g}")
        if len(test_history):
            self.test_curve.setData(test_history.x, test_history.y)
            self._rename(self.test_curve, f"test mse {snap.test_mse:.5g}")
        else:
            self.test_curve.setData([], [])

    def _rename(self, curve, text: str) -> None:
        for sample, label in self.legend.items:
            if sample.item is curve:
                label.setText(text)
