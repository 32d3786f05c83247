"""The diagram's texts: the names beside its input and output nodes, and the weight labels.

Names (and each bias node's "1", each collapsed layer's "+N") are made once per drawing and
kept a few pixels clear of their nodes at any zoom; where a column's nodes are nearer than
a line of text only every step-th name shows.  Weight labels (the "weight labels" box) come
from a pool of texts that only grows; they are placed as the exported figures place them
(``core.diagram.place_labels``, in screen pixels) and placed again only when the view moves,
the labelled edges change or a text outgrows its box; otherwise a frame only sets the texts.
"""

from __future__ import annotations

import time

import numpy as np
import pyqtgraph as pg
from PySide6.QtGui import QFont, QFontMetrics, QFontMetricsF

from ...core.diagram import MAX_LABELS, place_labels


def node_name(ctx, layer: int, i: int) -> str:
    """A node's name: the input's or output's own, or h<layer>.<i + 1> for a hidden neuron."""
    if layer == 0:
        return ctx.input_labels[i]
    if layer == len(ctx.arch.sizes) - 1:
        return ctx.dataset.output_names[i]
    return f"h{layer}.{i + 1}"


def node_title(ctx, layer: int, i: int) -> str:
    """A node's name for titles: 'input x1', 'hidden 1, node 3', 'output setosa'."""
    if layer == 0:
        return f"input {node_name(ctx, 0, i)}"
    if layer == len(ctx.arch.sizes) - 1:
        return f"output {node_name(ctx, layer, i)}"
    return f"hidden {layer}, node {i + 1}"


def small_font() -> QFont:
    f = QFont()
    f.setPointSizeF(7.5)
    return f


class NameLabels:
    """The texts at the nodes (``texts``): input names (``side`` -1), output names (1), bias "1"s
    and "+N" markers; each carries its node's ``node_x``, and a name its ``rank`` in its column."""

    def __init__(self, plot: pg.PlotWidget):
        self.plot = plot
        self.texts: list[pg.TextItem] = []

    def build(self, geo, ctx) -> None:
        """New texts for a new drawing (the old ones leave the plot)."""
        for t in self.texts:
            self.plot.removeItem(t)
        self.texts = []
        names_in = ctx.input_labels  # the features' names when the network takes features
        names_out = ctx.dataset.output_names
        for i, n in enumerate(geo.node_keys):
            x, y = geo.node_pos[i]
            if n[0] == "b":
                t = pg.TextItem("1", color=(0, 0, 0), anchor=(0.5, 0.5))
            elif n[0] == "more":
                t = pg.TextItem(f"+{geo.graph.nodes[n]['hidden']}", color=(90, 90, 90), anchor=(0.5, -0.2))
            elif n[1] == 0:
                t = pg.TextItem(names_in[n[2]], color=(0, 0, 0), anchor=(1, 0.5))
                t.side = -1
                t.rank = n[2]
            elif n[1] == geo.last_layer:
                t = pg.TextItem(names_out[n[2]], color=(0, 0, 0), anchor=(0, 0.5))
                t.side = 1
                t.rank = n[2]
            else:
                continue
            t.is_bias = n[0] == "b"
            t.setPos(x, y)
            t.node_x = x
            t.setZValue(15)
            self.plot.addItem(t)
            self.texts.append(t)

    def place(self, geo, pixel: tuple[float, float], circle: float | None, picture: float | None) -> None:
        """Names a few pixels clear of their nodes (``circle``: the circles' diameter in pixels, None
        before a network; ``picture``: the pictures' width, None: none), every step-th of a column
        where they are too close to read; the bias "1"s only where they fit their circles."""
        half = circle / 2 if circle is not None else 10
        if picture is not None:
            half = max(half, picture / 2)  # clear of the node pictures too
        gap = (half + 5) * pixel[0]
        steps, bias_fits = {-1: 1, 1: 1}, True
        if self.texts and geo is not None and circle is not None:
            steps, bias_fits = self.steps(geo, pixel[1], circle)
        for t in self.texts:
            side = getattr(t, "side", 0)
            if side:
                t.setPos(t.node_x + side * gap, t.pos().y())
                t.setVisible(t.rank % steps[side] == 0)  # every step-th name of its column
            elif t.is_bias:
                t.setVisible(bias_fits)

    def steps(self, geo, py: float, circle: float) -> tuple[dict[int, int], bool]:
        """Names too close to read (a column's nodes nearer in pixels than a line of text, as
        digits' 64 inputs at QT_SCALE_FACTOR=2): every step-th one, for the inputs (side -1)
        and the outputs (side 1); and whether the bias "1" fits in its circle (``circle``:
        its diameter in pixels); ``py``: the view's height of a pixel."""
        line = QFontMetrics(self.texts[0].textItem.font()).height() + 1  # the glyphs, not the margins
        py = abs(py)
        steps = {}
        for side, layer in ((-1, 0), (1, geo.last_layer)):
            ys = np.sort(geo.node_pos[(geo.node_layer == layer) & geo.is_neuron, 1])
            gap = float(np.diff(ys).min()) / py if ys.size > 1 and py and np.isfinite(py) else float("inf")
            steps[side] = 1 if gap >= line else int(np.ceil(line / max(gap, 1e-6)))
        return steps, circle >= 0.8 * line

    def widths(self) -> dict[int, float]:
        """The widest name on each side (-1: inputs, 1: outputs), in pixels."""
        return {side: max((t.textItem.boundingRect().width() for t in self.texts
                           if getattr(t, "side", 0) == side), default=0.0) for side in (-1, 1)}

    def boxes(self) -> list[tuple[float, float, float, float]]:
        """The shown texts' rectangles in scene pixels (left, top, width, height)."""
        out = []
        for t in self.texts:
            if t.isVisible():  # (a hidden name's rectangle is not kept up to date)
                b = t.sceneBoundingRect()
                out.append((b.left(), b.top(), b.width(), b.height()))
        return out


class WeightLabels:
    """Each labelled edge's weight in a text of its own: the pool (``texts``), the edges shown
    with their texts and boxes' widths (``spots``: (edge, text, width)), what was left out
    (``notes``) and the node whose edges are labelled (``focus``, None: the strongest)."""

    AT_REST = 16  # weight labels with the pointer on no node: the strongest this many

    def __init__(self, plot: pg.PlotWidget):
        self.plot = plot
        self.texts: list[pg.TextItem] = []
        self.spots: list = []
        self.notes: list[str] = []
        self.key: tuple | None = None  # the view and the edges the spots were found for
        self.time = 0.0
        self.focus: int | None = None

    def reset(self) -> None:
        """A new network: no labels, no focus."""
        for t in self.texts:
            t.setVisible(False)
        self.key, self.spots, self.notes, self.focus = None, [], [], None

    def hide(self) -> None:
        for t in self.texts:
            t.setVisible(False)
        self.key, self.spots = None, []

    def _new_text(self) -> pg.TextItem:
        """One more text of the pool (the labelled edges take them in turn)."""
        t = pg.TextItem("", color=(40, 40, 40), anchor=(0.5, 0.5), fill=pg.mkBrush(255, 255, 255, 225))
        t.textItem.setFont(small_font())
        t.textItem.document().setDocumentMargin(1)
        t.setZValue(12)
        t.setVisible(False)
        self.plot.addItem(t)
        return t

    def show(self, w: np.ndarray, geo, live: bool, circle: float, picture: tuple[float, float] | None,
             names: NameLabels) -> None:
        """Each weight on its edge, placed as the figures place them: near the target, strongest
        first, no label over another, a name or a node; above ``MAX_LABELS`` edges only the
        strongest.  ``live``: training under way; ``circle``: the nodes' diameter in pixels;
        ``picture``: the node pictures' size in pixels (None: no pictures)."""
        fm = QFontMetricsF(small_font())
        texts: dict[int, str] = {}
        chosen = self.labelled_edges(w, geo)
        vb = self.plot.getViewBox()
        view = (tuple(np.round(np.ravel(vb.viewRange()), 9)), vb.width(), vb.height(), picture)
        key = (view, chosen.tobytes())
        grown = any(fm.horizontalAdvance(texts.setdefault(i, f"{w[i]:.2f}")) + 2 > width
                    for i, _, width in self.spots)
        now = time.perf_counter()
        # while a big network trains its strongest edges change every frame: choose them again
        # at most twice a second (a moved view or a grown text is answered at once)
        recent = (live and self.key is not None and self.key[0] == view
                  and now - self.time < 0.5)  # at rest: the labels of exactly these weights
        if (key != self.key and not recent) or grown:
            self.key, self.time = key, now
            self._place(w, chosen, fm, geo, circle, picture, names)
        for i, t, _ in self.spots:
            t.setText(texts.get(i) or f"{w[i]:.2f}")

    def labelled_edges(self, w: np.ndarray, geo) -> np.ndarray:
        """Which edges carry a label: the edges of the node the pointer rests on (all of them,
        in and out), or else the strongest ``AT_REST``; labels on every edge of a 3-6-6-2
        network piled up unreadably."""
        focus = self.focus
        if focus is not None and focus < len(geo.node_keys):
            return np.flatnonzero((geo.edge_src == focus) | (geo.edge_dst == focus))[:MAX_LABELS]
        k = min(self.AT_REST, w.size)
        return np.sort(np.argpartition(np.abs(w), w.size - k)[w.size - k:]) if k < w.size else np.arange(w.size)

    def _place(self, w: np.ndarray, chosen: np.ndarray, fm, geo, circle: float,
               picture: tuple[float, float] | None, names: NameLabels) -> None:
        vb = self.plot.getViewBox()
        (x0, x1), (y0, y1) = vb.viewRange()
        rect = vb.sceneBoundingRect()
        if x1 <= x0 or y1 <= y0 or rect.width() <= 0:
            return

        def to_px(p: np.ndarray) -> np.ndarray:
            return np.column_stack([rect.left() + (p[:, 0] - x0) / (x1 - x0) * rect.width(),
                                    rect.top() + (y1 - p[:, 1]) / (y1 - y0) * rect.height()])

        P, Q = to_px(geo.node_pos[geo.edge_src[chosen]]), to_px(geo.node_pos[geo.edge_dst[chosen]])
        seg = np.column_stack([P, Q])
        nodes = to_px(geo.node_pos)
        r = circle / 2
        circles = [(x, y, r) for (x, y), n in zip(nodes, geo.node_keys, strict=True) if n[0] != "more"]
        obstacles = names.boxes()
        if picture is not None:  # the node pictures are in the way too
            pw, ph = picture
            obstacles += [(x - pw / 2, y - ph / 2, pw, ph) for (x, y), n in zip(nodes, geo.node_keys, strict=True)
                          if n[0] == "n"]
        texts = [f"{w[i]:.2f}" for i in chosen]
        widths = [fm.horizontalAdvance(t) + 4 for t in texts]
        frame = (rect.left(), rect.top(), rect.width(), rect.height())
        spots, self.notes = place_labels(seg, w[chosen], geo.edge_row[chosen], widths, fm.height() + 2,
                                         circles, obstacles, frame, MAX_LABELS)
        if self.focus is None and w.size > len(chosen):
            self.notes.insert(0, f"the {len(chosen)} strongest of {w.size:,} edges labelled "
                                 "(rest the pointer on a node for its own)")
        self.spots = []
        while len(self.texts) < len(spots):  # the pool grows to the most labels shown so far
            self.texts.append(self._new_text())
        for (k, cx, cy, box), t in zip(spots, self.texts, strict=False):
            t.setPos(x0 + (cx - rect.left()) / rect.width() * (x1 - x0), y1 - (cy - rect.top()) / rect.height() * (y1 - y0))
            t.setVisible(True)
            self.spots.append((int(chosen[k]), t, box[2]))
        for t in self.texts[len(spots):]:
            t.setVisible(False)
