"""One node's histogram, large: its activation over the training rows, stacked by class.

Shown when a node of the diagram is clicked and the data has more than two
inputs; the counts and bins come with the snapshot (``node_hists``), as on the
diagram's small pictures.  The legend sits at the top right in one row (four classes a row), and the value axis reaches
above the tallest bar by the legend's height, so the legend covers no bar.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg

from ...core.snapshot import Snapshot
from .node_pictures import class_colour


class NodeHistogram(pg.PlotWidget):
    """A stacked bar chart of one node's values over the training rows, by class."""

    def __init__(self, parent=None):
        super().__init__(parent, background="w")
        self.setMenuEnabled(False)
        self.setLabel("left", "training rows")
        self._bars: list[pg.BarGraphItem] = []
        self._legend = self.addLegend(offset=(-10, self.LEGEND_OFFSET), labelTextColor=(30, 30, 30), brush=pg.mkBrush(255, 255, 255, 200))
        self.getViewBox().sigResized.connect(self._fit_y)  # the legend's share of the height changes
        self.node: tuple[int, int] | None = None
        self.title = ""
        self.shown_iteration: int | None = None
        self.counts: np.ndarray | None = None  # (groups, bins) as drawn
        self.edges: np.ndarray | None = None

    def set_node(self, node: tuple[int, int] | None, title: str, group_names: tuple[str, ...]) -> None:
        """The node to show (layer, index) with its name, and the names of the classes."""
        self.node, self.title = node, title
        self.setTitle(title)
        self.setLabel("bottom", f"value of {title}")
        for bar in self._bars:
            self.removeItem(bar)
        self._legend.clear()
        self._bars = []
        for k, name in enumerate(group_names):
            bar = pg.BarGraphItem(x0=[0], x1=[0], y0=[0], y1=[0], pen=pg.mkPen("w", width=0.5),
                                  brush=pg.mkBrush(*class_colour(k, len(group_names))))
            self.addItem(bar)
            self._legend.addItem(bar, name)
            self._bars.append(bar)
        self._legend.setColumnCount(max(min(len(group_names), 4), 1))  # one low row: little room taken
        self.counts = self.edges = None

    def show_snapshot(self, snap: Snapshot) -> None:
        self.shown_iteration = snap.iteration
        if self.node is None or snap.node_hists is None or snap.node_hist_edges is None:
            return
        layer, i = self.node
        if layer >= len(snap.node_hists) or i >= snap.node_hists[layer].shape[0]:
            return
        counts, edges = snap.node_hists[layer][i], snap.node_hist_edges[layer][i]
        if (self.counts is not None and self.edges is not None and np.array_equal(counts, self.counts)
                and np.array_equal(edges, self.edges)):
            return
        self.counts, self.edges = counts, edges
        base = np.zeros(counts.shape[1])
        for bar, c in zip(self._bars, counts, strict=False):
            bar.setOpts(x0=edges[:-1], x1=edges[1:], y0=base.copy(), y1=base + c)
            base = base + c
        self.setXRange(float(edges[0]), float(edges[-1]), padding=0.02)
        self._tallest = max(float(base.max()), 1.0)
        self._fit_y()

    LEGEND_OFFSET = 10  # pixels between the legend and the plot's top (addLegend's offset)

    def _fit_y(self, *_) -> None:
        """The count axis from 0 to above the tallest bar, with the legend's band clear of bars."""
        tallest = getattr(self, "_tallest", None)
        if tallest is None:
            return
        vb = self.getViewBox()
        h = vb.height()
        band = 0.0
        if self._bars:  # from the plot's top to below the legend, in pixels
            band = self._legend.sceneBoundingRect().bottom() - vb.sceneBoundingRect().top() + 4
            band = max(band, self._legend.boundingRect().height() + self.LEGEND_OFFSET + 4)
        share = min(band / h, 0.6) if h > 0 else 0.0
        self.setYRange(0, tallest * 1.03 / (1 - share), padding=0)

