"""The enlarged neuron histogram: its legend covers no bar."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPoint, QPointF, Qt


def click_node(qtbot, w, layer, i):
    nv = w.network_view
    k = nv.node_keys.index(("n", layer, i))
    p = nv.mapFromScene(nv.getViewBox().mapViewToScene(QPointF(*nv.node_pos[k])))
    qtbot.mouseClick(nv.viewport(), Qt.LeftButton, pos=QPoint(p.x() + 1, p.y() + 1))


def test_the_legend_is_above_every_bar(make_window, qtbot):
    w = make_window(data="iris", hidden=(4,), iterations=1000)
    w.resize(1200, 800)
    w.step(300)
    qtbot.waitUntil(lambda: w.latest.iteration == 300 and w.latest.state == "paused"
                    and w.latest.node_hists is not None, timeout=30_000)
    click_node(qtbot, w, 2, 0)  # an output: saturated, its rows piled in few bins
    h = w.node_histogram
    qtbot.waitUntil(lambda: h.counts is not None and w.predictions.currentWidget() is h, timeout=30_000)
    for size in ((1200, 800), (1200, 650)):
        w.resize(*size)
        qtbot.wait(50)
        vb = h.getViewBox()
        legend = h._legend.sceneBoundingRect()
        assert legend.height() > 20
        totals = np.asarray(h._bars[-1].opts["y1"], dtype=float)
        edges = np.asarray(h.edges, dtype=float)
        for k in np.flatnonzero(totals > 0):
            top = vb.mapViewToScene(QPointF(float(edges[k]), float(totals[k]))).y()
            assert top > legend.bottom(), (size, k, totals[k])
