"""What the pointer does on the diagram: hover, hit-testing and clicks.

Hovering shows the exact weight of an edge, or a node's activation and delta for the selected
observation, in a box of the diagram's own (a tooltip vanishes while the scene repaints); it
stays until the pointer moves to something else, and follows the snapshot (an edited weight,
the next iteration) while the pointer rests.  The weight labels follow the node under the
pointer.  A click on a neuron (or its picture) or on an edge emits the view's ``nodeClicked`` or
``edgeClicked``.  Where edges cross, the one drawn on top (the strongest) is the one hit.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, Qt


def weight_label(layer: int, row: int, col: int) -> str:
    """A weight's name as R and the CSV export count: 1-based, row 1 = bias (``W1[2, 5]``)."""
    return f"W{layer + 1}[{row + 1}, {col + 1}]"


class DiagramPointer:
    """The hover box (``hover``) of a ``NetworkView`` and the pointer's place on it (``at``, view
    coordinates, None: off the diagram); reads the view's snapshot and parts, emits its signals."""

    def __init__(self, view: pg.PlotWidget):
        self.view = view
        self.hover = pg.TextItem(anchor=(1, 0), color=(20, 20, 20), fill=pg.mkBrush(255, 255, 240, 235),
                                 border=pg.mkPen(150, 150, 150))
        self.hover.setZValue(30)
        self.hover.setVisible(False)
        self.at: tuple[float, float] | None = None  # where the pointer rests (view coordinates)
        self.last_edge: int | None = None

    def on_mouse_moved(self, scene_pos: QPointF) -> None:
        v = self.view
        if not v.weights:
            return
        vb = v.getViewBox()
        if not vb.sceneBoundingRect().contains(scene_pos):
            return
        p = vb.mapSceneToView(scene_pos)
        self.at = (p.x(), p.y())
        self.show_hover(self.hover_text(p.x(), p.y()))
        v._focus_labels(self.node_at(p.x(), p.y()))

    def on_mouse_clicked(self, event) -> None:
        v = self.view
        if not v.weights or event.button() != Qt.MouseButton.LeftButton or event.double():
            return
        p = v.getViewBox().mapSceneToView(event.scenePos())
        i = self.node_at(p.x(), p.y())
        if i is not None:
            if v.node_keys[i][0] == "n":
                v.nodeClicked.emit(int(v.node_keys[i][1]), int(v.node_keys[i][2]))
            return
        e = self.edge_at(p.x(), p.y())
        if e is not None:
            v.edgeClicked.emit(int(v.edge_layer[e]), int(v.edge_row[e]), int(v.edge_col[e]))

    def leave(self) -> None:
        """The hover box leaves with the pointer."""
        self.at = None
        self.hover.setVisible(False)

    def refresh(self) -> None:
        """The hover box follows the snapshot where the pointer still rests."""
        if self.at is not None and self.hover.isVisible():
            self.show_hover(self.hover_text(*self.at))

    def show_hover(self, text: str) -> None:
        """The hover box: the text of what the pointer is on, or hidden when it is on nothing."""
        if text:
            if text != self.hover.textItem.toPlainText():
                self.hover.setText(text)
            vr = self.view.getViewBox().viewRange()
            self.hover.setPos(vr[0][1], vr[1][1])
            self.hover.setVisible(True)
        else:
            self.hover.setVisible(False)

    # -- hit-testing ---------------------------------------------------------------
    def hover_text(self, x: float, y: float) -> str:
        """What hovering at view coordinates (x, y) shows: a node's value or an edge's weight."""
        v = self.view
        px, py = v.getViewBox().viewPixelSize()
        px, py = max(px, 1e-9), max(py, 1e-9)
        self.last_edge = None
        i = self.node_at(x, y)
        if i is not None:
            return self.node_text(v.node_keys[i])
        drawn, width = v.drawn, v.edge_width
        if drawn.size == 0:
            return ""
        sel = drawn
        P = v.node_pos[v.edge_src[sel]] / (px, py)
        Q = v.node_pos[v.edge_dst[sel]] / (px, py)
        M = np.array([x / px, y / py])
        PQ = Q - P
        t = np.clip(((M - P) * PQ).sum(1) / np.maximum((PQ * PQ).sum(1), 1e-12), 0, 1)
        dist = np.hypot(*(P + PQ * t[:, None] - M).T)
        near = dist <= np.maximum(4.0, width[sel] / 2 + 2)
        if not near.any():
            return ""
        # where edges cross, the one drawn on top (the strongest) is the one under the mouse
        cand = sel[near]
        self.last_edge = int(cand[np.argmax(width[cand])])
        return self.edge_text(self.last_edge)

    def node_at(self, x: float, y: float) -> int | None:
        """The index of the node (or its picture) under view coordinates (x, y), or None."""
        v = self.view
        px, py = v.getViewBox().viewPixelSize()
        px, py = max(px, 1e-9), max(py, 1e-9)
        dx, dy = np.abs(v.node_pos[:, 0] - x) / px, np.abs(v.node_pos[:, 1] - y) / py
        d = np.hypot(dx, dy)
        i = int(d.argmin())
        if d[i] <= v.circle_size() / 2 + 2:
            return i
        if v.nodes.pixels is not None:
            w, h = v.picture_size()
            pic_index = v.geo.pic_index
            inside = (dx[pic_index] <= w / 2 + 1) & (dy[pic_index] <= h / 2 + 1)
            if inside.any():
                return int(pic_index[np.flatnonzero(inside)[0]])
        return None

    def edge_at(self, x: float, y: float) -> int | None:
        """The index of the edge under view coordinates (x, y), or None."""
        text_before = self.hover_text(x, y)
        return self.last_edge if text_before and self.last_edge is not None else None

    # -- texts -----------------------------------------------------------------------
    def edge_text(self, e: int) -> str:
        v = self.view
        li, r, c = v.edge_layer[e], v.edge_row[e], v.edge_col[e]
        src = "bias" if r == 0 else v.name(li, r - 1)
        dst = v.name(li + 1, c)
        w = v.weights[li][r, c]
        text = f"{weight_label(li, r, c)}  {src} \u2192 {dst}\nweight = {w:.10g}"
        if v.trace is not None:
            text += f"\ndC/dw (last step) = {-v.trace.layers[li].gradient[r, c]:.6g}"
        return text + "\n(click for the update formula)"

    def node_text(self, key) -> str:
        v = self.view
        if key[0] == "b":
            return f"bias node of layer {key[1]}: always 1"
        if key[0] == "more":
            return f"{v.geo.graph.nodes[key]['hidden']} more neurons not drawn"
        _, layer, i = key
        text = v.name(layer, i)
        if v.node_acts is not None:
            what = "input (scaled)" if layer == 0 else "activation"
            text += f": {what} = {float(v.node_acts[layer][i]):.6g}  (observation {v.selected_row + 1})"
        if layer and v.node_deltas is not None:
            text += f"\ndelta (last step) = {float(v.node_deltas[layer - 1][i]):.6g}"
        if v.nodes.pixels is not None:
            what = "map" if v.nodes.kind == "map" else "histogram"
            text += f"\n(click to show its {what} large)"
        return text
