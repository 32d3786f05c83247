"""The network diagram, in the manner of R neuralnet's plot.

Layers are columns laid out by networkx (``multipartite_layout``, in
``nnviz.core.diagram``, which also makes the exported figures), computed
once per architecture.  Each layer but the output has a bias node "1" on
top (blue, like neuralnet's).  Edges are sized by |w| relative to the
largest weight shown and coloured by sign; they are drawn as a dozen
``PlotCurveItem``s with ``connect="pairs"`` (one per sign and width band),
not one graphics item per edge.  Layers wider than ``MAX_NODES`` are
collapsed to their first neurons plus a "+N more" marker, and above
``MAX_EDGES`` edges only the strongest are drawn; the canvas says so.
Hovering shows the exact weight of an edge, or a node's activation for the
selected observation.  Every neuron carries a small picture (``node_pictures``):
its map over the input plane for two-input data, else its histogram over the
training rows; clicking a neuron selects it (``nodeClicked``) to show it large.
"""

from __future__ import annotations

import time

import networkx as nx
import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QFontMetrics, QPainter, QPainterPath
from PySide6.QtWidgets import QGraphicsObject

from ...core.diagram import MAX_LABELS, build_graph, layout, place_labels
from ...core.nodemaps import layer_levels
from ...core.timeline import parse_stage
from ...core.snapshot import Snapshot
from .node_pictures import CLASS_COLOURS, NodePictures, class_ramps, hist_pixels, map_pixels

MAX_NODES = 16
MAX_EDGES = 3000
AA_EDGES = 400  # antialias up to this many edges; beyond, plain lines keep a frame cheap
BANDS = 6
POSITIVE = (33, 102, 172)  # blue
NEGATIVE = (230, 97, 1)  # orange
BIAS_FILL = (158, 202, 225)
NODE_FILL = (250, 250, 250)
IO_FILL = (225, 225, 225)


def _faded(rgb: tuple[int, int, int], level: float) -> tuple[int, int, int]:
    """rgb mixed with white: weak edges pale.  Opaque on purpose: alpha-blended lines
    cost about ten times as much to paint in Qt's raster engine."""
    keep = 0.3 + 0.7 * level
    return tuple(int(round(255 - (255 - c) * keep)) for c in rgb)


def _band_pens() -> dict:
    """The pen of every (dimmed, width band, sign): made once, not per frame."""
    pens = {}
    for dim in (False, True):
        for b in range(BANDS):
            level = (b + 0.5) / BANDS
            for sign in (0, 1):
                colour = _faded(POSITIVE if sign else NEGATIVE, level * (0.15 if dim else 1.0))
                pens[dim, b, sign] = pg.mkPen(colour, width=0.6 + 6.4 * level)
    return pens


_PENS = _band_pens()


def _small_font():
    from PySide6.QtGui import QFont

    f = QFont()
    f.setPointSizeF(7.5)
    return f


class EdgesItem(QGraphicsObject):
    """All edges in one item: a few (pen, path) strokes, painted with no per-edge Python work."""

    def __init__(self):
        super().__init__()
        self._strokes: list = []
        self._antialias = True
        self._rect = QRectF()

    def set_strokes(self, strokes: list, antialias: bool) -> None:
        rect = QRectF()
        for _, path in strokes:
            rect = rect.united(path.boundingRect())
        if rect != self._rect:
            self.prepareGeometryChange()
            self._rect = rect
        self._strokes, self._antialias = strokes, antialias
        self.update()

    def boundingRect(self) -> QRectF:
        return self._rect

    def paint(self, painter, option, widget=None) -> None:
        painter.setRenderHint(QPainter.Antialiasing, self._antialias)
        for pen, path in self._strokes:
            painter.setPen(pen)
            painter.drawPath(path)


def _drawing(ctx) -> tuple:
    """What the diagram's nodes and name labels are made from."""
    return (tuple(ctx.arch.sizes), tuple(ctx.input_labels), tuple(ctx.dataset.output_names))


class NetworkView(pg.PlotWidget):
    """Diagram of the current network; ``set_context`` per architecture, ``render`` per frame."""

    edgeClicked = Signal(int, int, int)  # weight matrix (0-based), row (0 = bias), column
    nodeClicked = Signal(int, int)  # layer (0 = inputs), neuron (0-based)
    needsChanged = Signal()  # shown or hidden, pictures on or off: what the runner computes changes
    _label_notes: list[str] = []  # what the weight labels left out (see _show_weight_labels)
    _label_spots: list = []
    _label_key = None
    _live = False  # the last snapshot painted was of training under way
    _label_time = 0.0
    MODES = ("weights", "gradient", "activations")

    def __init__(self, parent=None):
        super().__init__(parent, background="w")
        self.setMinimumSize(160, 110)
        for ax in ("left", "bottom"):
            self.hideAxis(ax)
        self.setMenuEnabled(False)
        self.getViewBox().setMouseEnabled(x=True, y=True)
        self.show_labels = False
        self.selected_row = 0
        self._graph: nx.DiGraph | None = None
        self._edges = EdgesItem()
        self.addItem(self._edges)
        self._nodes = pg.ScatterPlotItem(pxMode=True)
        self._nodes.setZValue(10)
        self.addItem(self._nodes)
        self._pictures = NodePictures()  # neuron maps or histograms, over the node circles
        self._pictures.setZValue(11)
        self.addItem(self._pictures)
        self.show_pictures = True
        self.picture_kind: str | None = None  # "map" (two inputs) or "hist"
        self.pictures_from: tuple | None = None  # the snapshot arrays painted now (node_maps or node_hists)
        self.pictures_iteration: int | None = None
        self.selected_node: tuple[int, int] | None = None
        self._pixels: np.ndarray | None = None
        self._was_shown = False
        self._texts: list[pg.TextItem] = []
        self._weight_texts: list[pg.TextItem] = []
        self._legend = pg.TextItem(anchor=(0, 0))
        self._legend.setZValue(20)
        self._note = pg.TextItem(anchor=(1, 1), color=(90, 90, 90))
        self._note.setZValue(20)
        self._legend_proxy = None
        self.scene().sigMouseMoved.connect(self._on_mouse_moved)
        self.scene().sigMouseClicked.connect(self._on_mouse_clicked)
        self.mode = "weights"
        self.trace = None
        self.stage: str | None = None
        self.getViewBox().sigTransformChanged.connect(self.place_labels)
        self.getViewBox().sigTransformChanged.connect(self._place_pictures)
        self.weights: tuple[np.ndarray, ...] = ()
        self.drawn = np.empty(0, dtype=int)  # indices into the edge arrays drawn this frame
        self.edge_width = np.empty(0)
        self.context = None
        self._fast = False
        self._last_edge = None
        self.shown_iteration: int | None = None
        self.node_acts: tuple[np.ndarray, ...] | None = None
        self.node_deltas: tuple[np.ndarray, ...] | None = None
        # what the pointer rests on, in a box of the diagram's own (a tooltip vanishes while
        # the scene repaints); it stays until the pointer moves to something else
        self.hover = pg.TextItem(anchor=(1, 0), color=(20, 20, 20), fill=pg.mkBrush(255, 255, 240, 235),
                                 border=pg.mkPen(150, 150, 150))
        self.hover.setZValue(30)
        self.hover.setVisible(False)
        self._hover_at: tuple[float, float] | None = None  # where the pointer rests (view coordinates)
        self._label_focus: int | None = None  # the node whose edges the weight labels show

    # -- per architecture -------------------------------------------------------
    def set_context(self, ctx) -> None:
        """A new network.  The same drawing (sizes and names) as the one shown, as after Reset,
        keeps its nodes and labels; the weight labels come from a pool that only grows."""
        old, self.context = self.context, ctx
        self._nodes_key = None
        self.trace, self.stage = None, None
        for t in self._weight_texts:
            t.setVisible(False)
        self.hover.setVisible(False)
        self._label_key = None
        self._label_spots = []
        self._label_notes = []
        self._hover_at, self._label_focus = None, None
        if old is not None and self._graph is not None and _drawing(old) == _drawing(ctx):
            self._set_picture_layout(ctx)
            self.hover.setVisible(False)
            self._set_legend()
            return
        arch = ctx.arch
        sizes = arch.sizes
        G = build_graph(sizes)
        pos = layout(G, sizes)
        self._graph = G
        self.node_keys = list(G.nodes)
        self.node_pos = np.array([pos[n] for n in self.node_keys])
        index = {n: i for i, n in enumerate(self.node_keys)}
        edges = list(G.edges(data=True))
        self.edge_src = np.array([index[u] for u, v, d in edges], dtype=int)
        self.edge_dst = np.array([index[v] for u, v, d in edges], dtype=int)
        self.edge_layer = np.array([d["layer"] for u, v, d in edges], dtype=int)
        self.edge_row = np.array([d["row"] for u, v, d in edges], dtype=int)
        self.edge_col = np.array([d["col"] for u, v, d in edges], dtype=int)
        self.total_edges = arch.n_weights
        self.n_neurons = sum(sizes)
        self.n_bias_nodes = len(sizes) - 1
        # nodes
        kinds = [G.nodes[n]["kind"] for n in self.node_keys]
        last = len(sizes) - 1
        brushes, symbols = [], []
        for n, k in zip(self.node_keys, kinds, strict=True):
            if k == "bias":
                brushes.append(pg.mkBrush(*BIAS_FILL))
            elif k == "more":
                brushes.append(pg.mkBrush(255, 255, 255, 0))
            elif n[1] in (0, last):
                brushes.append(pg.mkBrush(*IO_FILL))
            else:
                brushes.append(pg.mkBrush(*NODE_FILL))
            symbols.append("o" if k != "more" else "t")
        rows = max(len([n for n in self.node_keys if n[0] != "more" and G.nodes[n]["layer"] == li]) for li in range(len(sizes)))
        size = int(np.clip(260 / max(rows, 1), 9, 26))
        self._node_size = size
        self._base_brushes = brushes
        self._symbols = symbols
        self._node_pen = pg.mkPen(60, 60, 60, width=1.2)
        self._hl_pen = pg.mkPen(179, 88, 6, width=3.5)
        self.node_layer = np.array([G.nodes[n]["layer"] for n in self.node_keys])
        self._is_neuron = np.array([n[0] == "n" for n in self.node_keys])
        self._sizes = np.full(len(self.node_keys), float(size))
        self._nodes.setData(pos=self.node_pos, brush=brushes, symbol=symbols, size=self._sizes, pen=self._node_pen)
        self._set_picture_layout(ctx)
        # labels
        for t in self._texts:
            self.removeItem(t)
        self._texts = []
        names_in = ctx.input_labels  # the features' names when the network takes features
        names_out = ctx.dataset.output_names
        for i, n in enumerate(self.node_keys):
            x, y = self.node_pos[i]
            if n[0] == "b":
                t = pg.TextItem("1", color=(0, 0, 0), anchor=(0.5, 0.5))
            elif n[0] == "more":
                t = pg.TextItem(f"+{G.nodes[n]['hidden']}", color=(90, 90, 90), anchor=(0.5, -0.2))
            elif n[1] == 0:
                t = pg.TextItem(names_in[n[2]], color=(0, 0, 0), anchor=(1, 0.5))
                t.side = -1
                t.rank = n[2]
            elif n[1] == last:
                t = pg.TextItem(names_out[n[2]], color=(0, 0, 0), anchor=(0, 0.5))
                t.side = 1
                t.rank = n[2]
            else:
                continue
            t.is_bias = n[0] == "b"
            t.setPos(x, y)
            t.node_x = x
            t.setZValue(15)
            self.addItem(t)
            self._texts.append(t)
        if self._legend.scene() is None:
            self.addItem(self._legend)
            self.addItem(self._note)
            self.addItem(self.hover, ignoreBounds=True)
        self.hover.setVisible(False)
        self._set_legend()  # and fits the range to its lines

        self.weights = ()
        self.place_labels()

    def _weight_text(self) -> pg.TextItem:
        """One more text of the weight-label pool (the labelled edges take them in turn)."""
        t = pg.TextItem("", color=(40, 40, 40), anchor=(0.5, 0.5), fill=pg.mkBrush(255, 255, 255, 225))
        t.textItem.setFont(_small_font())
        t.textItem.document().setDocumentMargin(1)
        t.setZValue(12)
        t.setVisible(False)
        self.addItem(t)
        return t

    COMPACT_PX = 300  # a diagram lower than this shows only the legend's first line

    def _set_legend(self) -> None:
        """The legend's lines over the diagram: the edges, then what the pictures show (in a
        diagram lower than ``COMPACT_PX`` only the edges' line: the pictures need the room)."""
        lines = [f"<span style='color:rgb{POSITIVE}'>&#9473;&#9473; positive</span>&nbsp;&nbsp;"
                 f"<span style='color:rgb{NEGATIVE}'>&#9473;&#9473; negative</span>&nbsp;&nbsp;"
                 "<span style='color:#555'>width &#8733; |w|</span>"]
        if self.show_pictures and self.picture_kind == "map":
            lines.append("<span style='color:#444'>node maps: "
                         "<span style='color:rgb(110,170,210)'>&#9632;</span> low "
                         "<span style='color:rgb(190,190,190)'>&#9633;</span> middle "
                         "<span style='color:rgb(245,160,60)'>&#9632;</span> high</span>")
            lines.append("<span style='color:#444'>(sigmoid 0..1, tanh &minus;1..1, others &minus;2..2)</span>")
            if self.context is not None and self.class_outputs(self.context):
                names = self.context.dataset.output_names
                line = ("<span style='color:#444'>output maps: "
                        "<span style='color:rgb(190,190,190)'>&#9633;</span> low, high in the class's colour")
                for k, name in enumerate(names[:6]):
                    line += f" <span style='color:rgb{CLASS_COLOURS[k]}'>&#9632;</span>&nbsp;{name}"
                lines.append(line + (" &hellip;</span>" if len(names) > 6 else "</span>"))
        elif self.show_pictures and self.picture_kind == "hist" and self.context is not None:
            names = self.context.dataset.output_names if self.context.dataset.task == "classes" else ()
            line = "<span style='color:#555'>histograms of the training rows</span>"
            for k, name in enumerate(names[:len(CLASS_COLOURS)]):
                line += f" <span style='color:rgb{CLASS_COLOURS[k]}'>&#9632; {name}</span>"
            lines.append(line)
        self._legend_compact = self._compact()
        shown = lines[:1] if self._legend_compact else lines
        self._legend.setHtml("<br>".join(shown))
        self._legend_lines = len(shown)
        if getattr(self, "node_pos", None) is not None and len(self.node_pos):
            self._fit_range()

    def _compact(self) -> bool:
        return 0 < self.getViewBox().height() < self.COMPACT_PX

    # -- node pictures ----------------------------------------------------------
    def _set_picture_layout(self, ctx) -> None:
        """Which nodes carry a picture, and the room between nodes (view units) that sizes them."""
        self.picture_kind = "map" if getattr(ctx, "node_grid", None) is not None else "hist"
        self._pic_index = np.array([i for i, k in enumerate(self.node_keys) if k[0] == "n"], dtype=int)
        self._pic_keys = [self.node_keys[i] for i in self._pic_index]
        self._levels = layer_levels(ctx.arch.layer_activations)
        # each class's output node: low neutral, high its class's colour; the others diverge
        self._luts: list[np.ndarray | None] = [None] * len(ctx.arch.sizes)
        if self.class_outputs(ctx):
            self._luts[-1] = class_ramps(ctx.arch.sizes[-1])
        ys = self.node_pos[:, 1]
        gaps = [np.diff(np.sort(ys[self.node_layer == li])) for li in range(len(ctx.arch.sizes))]
        gaps = [g for g in gaps if g.size]
        self._dy = float(min(g.min() for g in gaps)) if gaps else 1.0
        xs = np.unique(self.node_pos[:, 0])
        self._dx = float(np.diff(xs).min()) if xs.size > 1 else 1.0
        self._pixels = None
        self.pictures_from = None
        self.pictures_iteration = None
        self.selected_node = None
        self._pictures.set_pictures(np.empty((0, 2)), None, (0, 0), (1, 1), True)

    def _room_px(self) -> tuple[float, float] | None:
        """The room between neighbouring nodes in pixels: (across columns, within a column),
        or None before the view has a size."""
        px, py = self.getViewBox().viewPixelSize()
        if not px or not py or not np.isfinite(px) or not np.isfinite(py):
            return None
        return self._dx / abs(px), self._dy / abs(py)

    def circle_size(self) -> float:
        """The node circles' diameter in pixels: ``_node_size``, smaller where the column has
        less room, so neighbouring circles (the bias node's among them) do not touch."""
        room = self._room_px() if hasattr(self, "_dy") else None
        if room is None:
            return float(self._node_size)
        return float(np.clip(room[1] * 0.8, 4, self._node_size))

    @staticmethod
    def class_outputs(ctx) -> bool:
        """Whether the output nodes are the classes (one each), their maps in the class colours."""
        return ctx.dataset.task == "classes" and ctx.arch.sizes[-1] == len(ctx.dataset.output_names) > 1

    def picture_size(self) -> tuple[float, float]:
        """The pictures' width and height in pixels: as large as the room between nodes allows
        (at most 72), and smaller than a node circle when there is little room, so that the
        pictures of one column (and the bias circle above them) never overlap."""
        room = self._room_px()
        if room is None:
            return (float(self._node_size),) * 2
        dx, dy = room
        s = float(np.clip(min(dy * 0.8, dx * 0.3), 2, 72))
        if self.picture_kind == "hist":
            return min(s * 1.3, dx * 0.36), s * 0.8
        return s, s

    def picture_needs(self) -> set[str]:
        """What the runner must compute for the node pictures (nothing when hidden or off)."""
        if not self.show_pictures or self.context is None or not self._shown() or self.mode != "weights":
            return set()  # (the gradient and activations modes colour the nodes themselves)
        return {"node_maps"} if self.picture_kind == "map" else {"node_hists"}

    def _shown(self) -> bool:
        return self.isVisible() and self.width() > 0 and self.height() > 0

    def set_show_pictures(self, on: bool) -> None:
        self.show_pictures = on
        if not on:
            self.selected_node = None
        self._set_legend()
        self._draw_pictures(None)
        self.needsChanged.emit()

    def set_selected_node(self, node: tuple[int, int] | None) -> None:
        self.selected_node = node
        self._place_pictures()

    def _draw_pictures(self, snap: Snapshot | None) -> None:
        """Colour the snapshot's maps or histograms into one image per drawn neuron."""
        data = None
        if snap is not None and self.show_pictures and self.context is not None and self.mode == "weights":
            data = snap.node_maps if self.picture_kind == "map" else snap.node_hists
        if data is None:
            self._pixels, self.pictures_from = None, None
        else:
            if self.picture_kind == "map":
                per_layer = [map_pixels(m, self._levels[li], self._luts[li]) for li, m in enumerate(data)]
            else:
                per_layer = [hist_pixels(c) for c in data]
            self._pixels = np.stack([per_layer[k[1]][k[2]] for k in self._pic_keys])
            self.pictures_from = data
            self.pictures_iteration = snap.iteration
        self._place_pictures()

    def set_input_importance(self, values) -> None:
        """Ring each drawn input node in the colour of its importance (``values``, one per input:
        blue positive, orange negative, paler the smaller against the largest); None: no rings.
        The Explain tab's option (explain_view.py)."""
        self.input_importance = None if values is None else np.asarray(values, dtype=float)
        self._place_halo()

    def _place_halo(self) -> None:
        if not hasattr(self, "_halo"):
            self._halo = pg.ScatterPlotItem(pxMode=True, brush=None)
            self._halo.setZValue(9)  # under the circles and pictures: a ring around them
            self.addItem(self._halo)
        v = getattr(self, "input_importance", None)
        if v is None or self.context is None or v.size != self.context.arch.n_inputs:
            self._halo.setData([], [])
            return
        idx = [i for i, k in enumerate(self.node_keys) if k[0] == "n" and k[1] == 0]
        vals = v[[self.node_keys[i][2] for i in idx]]
        top = float(np.abs(v).max()) or 1.0
        pens = [pg.mkPen(_faded(POSITIVE if x >= 0 else NEGATIVE, abs(x) / top), width=4) for x in vals]
        symbol, size = "o", self.circle_size() + 7
        if self._pixels is not None and self.show_pictures:  # around a picture, its rectangle
            w, h = self.picture_size()
            symbol, size = QPainterPath(), w + 7
            symbol.addRect(-0.5, -0.5 * (h + 7) / size, 1.0, (h + 7) / size)
        self._halo.setData(pos=self.node_pos[idx], brush=None, size=size, pen=pens, symbol=symbol)

    def _place_pictures(self, *_) -> None:
        if hasattr(self, "_halo"):
            self._place_halo()
        if not hasattr(self, "_pic_index"):
            return
        sel = None
        if self.selected_node is not None and ("n", *self.selected_node) in self._pic_keys:
            sel = self._pic_keys.index(("n", *self.selected_node))
        self._pictures.set_pictures(self.node_pos[self._pic_index], self._pixels, self.picture_size(),
                                    self.getViewBox().viewPixelSize(), self.picture_kind == "map" and not self._fast,
                                    sel)
        sizes = self._spot_sizes()
        if not np.array_equal(sizes, getattr(self, "_sizes", None)):
            self._sizes = sizes
            self._nodes.setSize(sizes)
        had = getattr(self, "_labels_for", None)
        if had != (self._pixels is not None):
            self._labels_for = self._pixels is not None
            self.place_labels()

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self._visibility_changed()

    def hideEvent(self, event) -> None:
        super().hideEvent(event)
        self._visibility_changed()

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._visibility_changed()
        if getattr(self, "node_pos", None) is not None and len(self.node_pos):
            if self._compact() != getattr(self, "_legend_compact", None):
                self._set_legend()  # (which fits the range)
            else:
                self._fit_range()

    # below the lowest node, in pixels: room for the "+N" of collapsed layers, then the note
    BOTTOM_PX = 30
    BOTTOM_PX_COLLAPSED = 62
    LINE_PX = 18  # a line of the legend

    def _fit_range(self) -> None:
        """The whole diagram in view, with margins above and below the nodes that are the same in
        pixels at any size: the legend's lines above, the "+N" markers and the note below, and
        half the largest node picture (72 px, less where the nodes are closer) on both sides, so
        that nothing is cut or covered."""
        xs, ys = self.node_pos[:, 0], self.node_pos[:, 1]
        collapsed = any(n[0] == "more" for n in self.node_keys)
        most = 40.0 if self.show_pictures and len(getattr(self, "_pic_index", ())) else 13.0
        H0 = self.getViewBox().height()
        gaps = float(ys.max() - ys.min()) / getattr(self, "_dy", 1.0)  # node spacings in the tallest column
        half = most
        # a note wrapped on more lines than one (a narrow diagram) takes their room below
        note_h = self._note.textItem.boundingRect().height() if self._note.toPlainText() else 0.0
        extra = max(note_h - self.LINE_PX - 4, 0.0)
        for _ in range(4):  # a picture is 0.8 of the spacing (picture_size), which the margins set
            bottom_px = max(self.BOTTOM_PX_COLLAPSED if collapsed else self.BOTTOM_PX, half + 6) + extra
            top_px = self.LINE_PX * getattr(self, "_legend_lines", 1) + 6 + half
            if gaps < 0.5:
                break
            half = float(np.clip(0.4 * (H0 - top_px - bottom_px) / gaps + 2, 4, most))
        H = max(H0, top_px + bottom_px + 60)
        span = max(float(ys.max() - ys.min()), 0.5) / (1 - (top_px + bottom_px) / H)  # with the margins
        top, bottom = ys.max() + top_px * span / H, ys.min() - bottom_px * span / H
        # the input and output names beside their nodes stay inside the view: margins in pixels
        # (the names' width, half a node picture and a gap), as wide as 0.35 of a layer at least
        W = max(self.getViewBox().width(), 1.0)
        names = {side: max((t.textItem.boundingRect().width() for t in self._texts
                            if getattr(t, "side", 0) == side), default=0.0) for side in (-1, 1)}
        left_px, right_px = (names[side] + half + 10 for side in (-1, 1))
        width = max(float(xs.max() - xs.min()), 0.5)
        if left_px + right_px < 0.8 * W:
            unit = width / (W - left_px - right_px)  # layout units per pixel
            lo, hi = xs.min() - max(left_px * unit, 0.35), xs.max() + max(right_px * unit, 0.35)
        else:
            lo, hi = xs.min() - 0.35, xs.max() + 0.35
        self.setRange(xRange=(lo, hi), yRange=(bottom, top), padding=0)
        self._note.setPos(xs.max() + 0.33, bottom)
        self._wrap_note()
        self._legend.setPos(xs.min() - 0.33, top)
        self.hover.setPos(xs.max() + 0.33, top)

    def _visibility_changed(self) -> None:
        if not hasattr(self, "_pictures"):
            return  # an event while the base class is being built
        shown = self._shown()
        if shown != self._was_shown:
            self._was_shown = shown
            self.needsChanged.emit()

    def place_labels(self, *_) -> None:
        """Keep input/output names a few pixels clear of their nodes at any zoom."""
        px = self.getViewBox().viewPixelSize()[0]
        if not px or not np.isfinite(px):
            return
        half = self.circle_size() / 2 if hasattr(self, "_node_size") else 10
        if getattr(self, "_pixels", None) is not None:
            half = max(half, self.picture_size()[0] / 2)  # clear of the node pictures too
        gap = (half + 5) * px
        steps, bias_fits = self._label_steps()
        for t in self._texts:
            side = getattr(t, "side", 0)
            if side:
                t.setPos(t.node_x + side * gap, t.pos().y())
                t.setVisible(t.rank % steps[side] == 0)  # every step-th name of its column
            elif t.is_bias:
                t.setVisible(bias_fits)
        self._show_weight_labels()

    def _label_steps(self) -> tuple[dict[int, int], bool]:
        """Names too close to read (a column's nodes nearer in pixels than a line of text, as
        digits' 64 inputs at QT_SCALE_FACTOR=2): every step-th one, for the inputs (side -1)
        and the outputs (side 1); and whether the bias "1" fits in its circle."""
        if not self._texts or not hasattr(self, "_node_size"):
            return {-1: 1, 1: 1}, True
        line = QFontMetrics(self._texts[0].textItem.font()).height() + 1  # the glyphs, not the margins
        py = abs(self.getViewBox().viewPixelSize()[1])
        steps = {}
        for side, layer in ((-1, 0), (1, len(self.context.arch.sizes) - 1)):
            ys = np.sort(self.node_pos[(self.node_layer == layer) & self._is_neuron, 1])
            gap = float(np.diff(ys).min()) / py if ys.size > 1 and py and np.isfinite(py) else float("inf")
            steps[side] = 1 if gap >= line else int(np.ceil(line / max(gap, 1e-6)))
        return steps, self.circle_size() >= 0.8 * line



    def set_show_labels(self, on: bool) -> None:
        self.show_labels = on
        if not on:
            self._show_weight_labels()
        if self.weights:
            self._draw_edges()

    # -- per frame -------------------------------------------------------------
    def show_snapshot(self, snap: Snapshot, fast: bool = False) -> None:
        """Draw the snapshot's weights; ``fast`` (while training) paints without antialiasing."""
        self.weights = snap.weights
        self.shown_iteration = snap.iteration
        self.trace = snap.trace
        self._live = snap.state in ("running", "stepping")
        self.stage = snap.stage
        self.node_acts = snap.node_values
        self.node_deltas = snap.node_deltas
        self.selected_row = snap.selected_row
        self._fast = fast
        self._draw_edges()
        self._draw_nodes()
        self._draw_pictures(snap)
        self._refresh_hover()

    def _refresh_hover(self) -> None:
        """The hover box follows the snapshot (an edited weight, the next iteration) where the
        pointer still rests."""
        if self._hover_at is not None and self.hover.isVisible():
            self.show_hover(self.hover_text(*self._hover_at))

    def leaveEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        """The hover box leaves with the pointer."""
        self._hover_at = None
        self.hover.setVisible(False)
        self._focus_labels(None)
        super().leaveEvent(event)

    def set_mode(self, mode: str) -> None:
        """weights (default), gradient (dC/dw of the last step, deltas on the nodes) or
        activations (the selected observation's values on the nodes)."""
        self.mode = mode
        if self.weights:
            self._draw_edges()
            self._draw_nodes()
        if hasattr(self, "_pic_index"):
            self._draw_pictures(None)  # until the next snapshot: none in the value modes
        self._refresh_hover()
        self.needsChanged.emit()

    def _highlight(self) -> tuple[set[int], set[int]]:
        """(weight matrices, layers) the current micro-step is about."""
        if not self.stage:
            return set(), set()
        kind, li = parse_stage(self.stage)
        L = len(self.weights)
        if kind == "forward" and li is not None:
            return {li - 1}, {li}
        if kind == "error":
            return set(), {L}
        if kind == "delta" and li is not None:
            return ({li} if li < L else set()), {li}
        return set(range(L)), set()

    def node_values(self) -> np.ndarray | None:
        """The value shown on each node in the current mode (NaN: none), or None in weights mode.
        Both come with the snapshot: activations of the selected observation, or its deltas in
        the last step (none when the observation was not in that step's mini-batch)."""
        if self.mode == "weights" or not self.weights:
            return None
        vals = np.full(len(self.node_keys), np.nan)
        if self.mode == "activations":
            per_layer = self.node_acts
        else:
            per_layer = None if self.node_deltas is None else (None, *self.node_deltas)
        if per_layer is None:
            return vals
        for i, key in enumerate(self.node_keys):
            if key[0] == "n" and per_layer[key[1]] is not None:
                vals[i] = per_layer[key[1]][key[2]]
        return vals

    def _draw_nodes(self) -> None:
        # in weights mode the nodes only change with the micro-step shown: skip the (slow) setData
        key = (self.mode, self.stage, self.selected_row,
               None if self.mode == "weights" else (id(self.node_acts), id(self.node_deltas)))
        if self.mode == "weights" and key == getattr(self, "_nodes_key", None):
            return
        self._nodes_key = key
        vals = self.node_values()
        _, layers = self._highlight()
        brushes = self._base_brushes
        if vals is not None:
            brushes = list(brushes)
            for li in set(self.node_layer.tolist()):
                m = (self.node_layer == li) & np.isfinite(vals)
                top = np.abs(vals[m]).max() if m.any() else 0.0
                for i in np.flatnonzero(m):
                    frac = vals[i] / top if top > 0 else 0.0
                    rgb = POSITIVE if frac >= 0 else NEGATIVE
                    brushes[i] = pg.mkBrush(*_faded(rgb, abs(frac)) if abs(frac) > 0.02 else (255, 255, 255))
        pens = [self._hl_pen if (self.node_layer[i] in layers and self.node_keys[i][0] == "n") else self._node_pen
                for i in range(len(self.node_keys))]
        self._sizes = self._spot_sizes()
        self._nodes.setData(pos=self.node_pos, brush=brushes, symbol=self._symbols, size=self._sizes, pen=pens)

    def _spot_sizes(self) -> np.ndarray:
        """Each node's circle in pixels; none under a picture (the picture, in its frame, is the node)."""
        sizes = np.full(len(self.node_keys), self.circle_size())
        if getattr(self, "_pixels", None) is not None:
            sizes[self._pic_index] = 0.0
        return sizes

    def edge_values(self) -> np.ndarray:
        """What every edge in the graph shows (drawn or not): its weight, or in gradient
        mode dC/dw of the last step (zero before any step)."""
        out = np.empty(len(self.edge_src))
        mats = self.weights
        if self.mode == "gradient":
            if self.trace is None:
                return np.zeros(len(self.edge_src))
            mats = [-lt.gradient for lt in self.trace.layers]
        for li, W in enumerate(mats):
            m = self.edge_layer == li
            out[m] = W[self.edge_row[m], self.edge_col[m]]
        return out

    def _draw_edges(self) -> None:
        w = self.edge_values()
        mag = np.abs(w)
        drawn = np.arange(w.size)
        if w.size > MAX_EDGES:
            drawn = np.argpartition(mag, w.size - MAX_EDGES)[w.size - MAX_EDGES:]
        top = mag[drawn].max() if drawn.size else 1.0
        frac = mag / top if top > 0 else np.zeros_like(mag)
        band = np.minimum((frac * BANDS).astype(int), BANDS - 1)
        self.drawn = drawn
        self.edge_width = 0.6 + 6.4 * frac
        P, Q = self.node_pos[self.edge_src], self.node_pos[self.edge_dst]
        positive = w >= 0
        aa = drawn.size <= AA_EDGES and not self._fast
        hl_mats, _ = self._highlight()
        lit = np.isin(self.edge_layer, list(hl_mats)) if hl_mats else np.ones(w.size, dtype=bool)
        strokes = []
        for dim in (True, False) if hl_mats else (False,):  # edges outside the micro-step: pale, below
            for b in range(BANDS):  # weak bands first, so strong edges lie on top
                for sign in (0, 1):
                    sel = drawn[(band[drawn] == b) & (positive[drawn] == bool(sign)) & (lit[drawn] != dim)]
                    if sel.size == 0:
                        continue
                    x = np.empty(2 * sel.size)
                    y = np.empty(2 * sel.size)
                    x[0::2], x[1::2] = P[sel, 0], Q[sel, 0]
                    y[0::2], y[1::2] = P[sel, 1], Q[sel, 1]
                    strokes.append((_PENS[dim, b, sign], pg.arrayToQPath(x, y, connect="pairs")))
        self._edges.set_strokes(strokes, antialias=aa)
        notes = []
        if len(self.edge_src) < self.total_edges:
            notes.append(f"wide layers collapsed: {len(self.edge_src):,} of {self.total_edges:,} weights shown")
        if drawn.size < len(self.edge_src):
            notes.append(f"only the {drawn.size:,} strongest edges drawn")
        if self.mode == "gradient":
            notes.append("gradient mode: edges show dC/dw of the last step, nodes its \u03b4"
                         if self.trace is not None else "gradient mode: step once to see dC/dw")
        elif self.mode == "activations":
            notes.append(f"activations of observation {self.selected_row + 1}")
        self._show_weight_labels(w)
        text = "\n".join(notes + (self._label_notes if self.show_labels else []))
        if text != self._note.toPlainText():
            self._note.setText(text)
            self._wrap_note()

    _note_fit = None

    def _wrap_note(self) -> None:
        """The note at its own width, or wrapped to the diagram's when it is wider (it ran off
        the left edge at QT_SCALE_FACTOR=2)."""
        avail = max(self.getViewBox().width() - 12, 60)
        key = (self._note.toPlainText(), avail)
        if key == self._note_fit:
            return
        self._note_fit = key
        item = self._note.textItem
        height = item.boundingRect().height()
        item.setTextWidth(-1)
        if item.boundingRect().width() > avail:
            item.setTextWidth(avail)
        self._note.updateTextPos()
        if item.boundingRect().height() != height and len(getattr(self, "node_pos", ())):
            self._fit_range()  # (which wraps again: the same key, nothing to do)

    def _show_weight_labels(self, w: np.ndarray | None = None) -> None:
        """Each weight on its edge, placed as the figures place them (``core.diagram.place_labels``,
        in screen pixels): near the target, strongest first, no label over another, a name or a
        node; above ``MAX_LABELS`` edges only the strongest.  The spots are found again only when
        the view moves, the labelled edges change or a text outgrows its box; otherwise a frame
        only sets the texts."""
        if w is None:
            if not self.weights:
                return
            w = self.edge_values()
        if not self.show_labels or w.size == 0:
            for t in self._weight_texts:
                t.setVisible(False)
            self._label_key, self._label_spots = None, []
            return
        from PySide6.QtGui import QFontMetricsF

        fm = QFontMetricsF(_small_font())
        texts = {}
        chosen = self._labelled_edges(w)
        vb = self.getViewBox()
        pictures = self.picture_size() if getattr(self, "_pixels", None) is not None else None
        view = (tuple(np.round(np.ravel(vb.viewRange()), 9)), vb.width(), vb.height(), pictures)
        key = (view, chosen.tobytes())
        grown = any(fm.horizontalAdvance(texts.setdefault(i, f"{w[i]:.2f}")) + 2 > width
                    for i, _, width in self._label_spots)
        now = time.perf_counter()
        # while a big network trains its strongest edges change every frame: choose them again
        # at most twice a second (a moved view or a grown text is answered at once)
        recent = (self._live and self._label_key is not None and self._label_key[0] == view
                  and now - self._label_time < 0.5)  # at rest: the labels of exactly these weights
        if (key != self._label_key and not recent) or grown:
            self._label_key, self._label_time = key, now
            self._place_weight_labels(w, chosen, fm)
        for i, t, _ in self._label_spots:
            t.setText(texts.get(i) or f"{w[i]:.2f}")

    LABELS_AT_REST = 16  # weight labels with the pointer on no node: the strongest this many

    def _labelled_edges(self, w: np.ndarray) -> np.ndarray:
        """Which edges carry a label: the edges of the node the pointer rests on (all of them,
        in and out), or else the strongest ``LABELS_AT_REST``; labels on every edge of a 3-6-6-2
        network piled up unreadably."""
        focus = self._label_focus
        if focus is not None and focus < len(self.node_keys):
            return np.flatnonzero((self.edge_src == focus) | (self.edge_dst == focus))[:MAX_LABELS]
        k = min(self.LABELS_AT_REST, w.size)
        return np.sort(np.argpartition(np.abs(w), w.size - k)[w.size - k:]) if k < w.size else np.arange(w.size)

    def _place_weight_labels(self, w: np.ndarray, chosen: np.ndarray, fm) -> None:
        vb = self.getViewBox()
        (x0, x1), (y0, y1) = vb.viewRange()
        rect = vb.sceneBoundingRect()
        if x1 <= x0 or y1 <= y0 or rect.width() <= 0:
            return

        def to_px(p: np.ndarray) -> np.ndarray:
            return np.column_stack([rect.left() + (p[:, 0] - x0) / (x1 - x0) * rect.width(),
                                    rect.top() + (y1 - p[:, 1]) / (y1 - y0) * rect.height()])

        P, Q = to_px(self.node_pos[self.edge_src[chosen]]), to_px(self.node_pos[self.edge_dst[chosen]])
        seg = np.column_stack([P, Q])
        nodes = to_px(self.node_pos)
        r = self.circle_size() / 2
        circles = [(x, y, r) for (x, y), n in zip(nodes, self.node_keys, strict=True) if n[0] != "more"]
        obstacles = []
        for t in self._texts:
            if t.isVisible():  # (a hidden name's rectangle is not kept up to date)
                b = t.sceneBoundingRect()
                obstacles.append((b.left(), b.top(), b.width(), b.height()))
        if getattr(self, "_pixels", None) is not None:  # the node pictures are in the way too
            pw, ph = self.picture_size()
            obstacles += [(x - pw / 2, y - ph / 2, pw, ph) for (x, y), n in zip(nodes, self.node_keys, strict=True)
                          if n[0] == "n"]
        texts = [f"{w[i]:.2f}" for i in chosen]
        widths = [fm.horizontalAdvance(t) + 4 for t in texts]
        frame = (rect.left(), rect.top(), rect.width(), rect.height())
        spots, self._label_notes = place_labels(seg, w[chosen], self.edge_row[chosen], widths, fm.height() + 2,
                                                circles, obstacles, frame, MAX_LABELS)
        if self._label_focus is None and w.size > len(chosen):
            self._label_notes.insert(0, f"the {len(chosen)} strongest of {w.size:,} edges labelled "
                                        "(rest the pointer on a node for its own)")
        self._label_spots = []
        while len(self._weight_texts) < len(spots):  # the pool grows to the most labels shown so far
            self._weight_texts.append(self._weight_text())
        for (k, cx, cy, box), t in zip(spots, self._weight_texts, strict=False):
            t.setPos(x0 + (cx - rect.left()) / rect.width() * (x1 - x0), y1 - (cy - rect.top()) / rect.height() * (y1 - y0))
            t.setVisible(True)
            self._label_spots.append((int(chosen[k]), t, box[2]))
        for t in self._weight_texts[len(spots):]:
            t.setVisible(False)

    # -- hover -----------------------------------------------------------------
    def _on_mouse_moved(self, scene_pos: QPointF) -> None:
        if not self.weights:
            return
        vb = self.getViewBox()
        if not vb.sceneBoundingRect().contains(scene_pos):
            return
        p = vb.mapSceneToView(scene_pos)
        self._hover_at = (p.x(), p.y())
        self.show_hover(self.hover_text(p.x(), p.y()))
        self._focus_labels(self.node_at(p.x(), p.y()))

    def _focus_labels(self, node: int | None) -> None:
        """Weight labels follow the node under the pointer (see ``_labelled_edges``)."""
        if node != self._label_focus:
            self._label_focus = node
            if self.show_labels:
                self._show_weight_labels()

    def show_hover(self, text: str) -> None:
        """The hover box: the text of what the pointer is on, or hidden when it is on nothing."""
        if text:
            if text != self.hover.textItem.toPlainText():
                self.hover.setText(text)
            vr = self.getViewBox().viewRange()
            self.hover.setPos(vr[0][1], vr[1][1])
            self.hover.setVisible(True)
        else:
            self.hover.setVisible(False)

    def hover_text(self, x: float, y: float) -> str:
        """What hovering at view coordinates (x, y) shows: a node's value or an edge's weight."""
        px, py = self.getViewBox().viewPixelSize()
        px, py = max(px, 1e-9), max(py, 1e-9)
        self._last_edge = None
        i = self.node_at(x, y)
        if i is not None:
            return self._node_text(self.node_keys[i])
        if self.drawn.size == 0:
            return ""
        sel = self.drawn
        P = self.node_pos[self.edge_src[sel]] / (px, py)
        Q = self.node_pos[self.edge_dst[sel]] / (px, py)
        M = np.array([x / px, y / py])
        PQ = Q - P
        t = np.clip(((M - P) * PQ).sum(1) / np.maximum((PQ * PQ).sum(1), 1e-12), 0, 1)
        dist = np.hypot(*(P + PQ * t[:, None] - M).T)
        near = dist <= np.maximum(4.0, self.edge_width[sel] / 2 + 2)
        if not near.any():
            return ""
        # where edges cross, the one drawn on top (the strongest) is the one under the mouse
        cand = sel[near]
        self._last_edge = int(cand[np.argmax(self.edge_width[cand])])
        return self._edge_text(self._last_edge)

    def node_at(self, x: float, y: float) -> int | None:
        """The index of the node (or its picture) under view coordinates (x, y), or None."""
        px, py = self.getViewBox().viewPixelSize()
        px, py = max(px, 1e-9), max(py, 1e-9)
        dx, dy = np.abs(self.node_pos[:, 0] - x) / px, np.abs(self.node_pos[:, 1] - y) / py
        d = np.hypot(dx, dy)
        i = int(d.argmin())
        if d[i] <= self.circle_size() / 2 + 2:
            return i
        if self._pixels is not None:
            w, h = self.picture_size()
            inside = (dx[self._pic_index] <= w / 2 + 1) & (dy[self._pic_index] <= h / 2 + 1)
            if inside.any():
                return int(self._pic_index[np.flatnonzero(inside)[0]])
        return None

    def _edge_text(self, e: int) -> str:
        li, r, c = self.edge_layer[e], self.edge_row[e], self.edge_col[e]
        src = "bias" if r == 0 else self.name(li, r - 1)
        dst = self.name(li + 1, c)
        w = self.weights[li][r, c]
        text = f"{weight_label(li, r, c)}  {src} \u2192 {dst}\nweight = {w:.10g}"
        if self.trace is not None:
            text += f"\ndC/dw (last step) = {-self.trace.layers[li].gradient[r, c]:.6g}"
        return text + "\n(click for the update formula)"

    def edge_at(self, x: float, y: float) -> int | None:
        """The index of the edge under view coordinates (x, y), or None."""
        text_before = self.hover_text(x, y)
        return self._last_edge if text_before and self._last_edge is not None else None

    def _on_mouse_clicked(self, event) -> None:
        if not self.weights or event.button() != Qt.LeftButton or event.double():
            return
        p = self.getViewBox().mapSceneToView(event.scenePos())
        i = self.node_at(p.x(), p.y())
        if i is not None:
            if self.node_keys[i][0] == "n":
                self.nodeClicked.emit(int(self.node_keys[i][1]), int(self.node_keys[i][2]))
            return
        e = self.edge_at(p.x(), p.y())
        if e is not None:
            self.edgeClicked.emit(int(self.edge_layer[e]), int(self.edge_row[e]), int(self.edge_col[e]))

    def name(self, layer: int, i: int) -> str:
        ds = self.context.dataset
        if layer == 0:
            return self.context.input_labels[i]
        if layer == len(self.context.arch.sizes) - 1:
            return ds.output_names[i]
        return f"h{layer}.{i + 1}"

    def _node_text(self, key) -> str:
        if key[0] == "b":
            return f"bias node of layer {key[1]}: always 1"
        if key[0] == "more":
            return f"{self._graph.nodes[key]['hidden']} more neurons not drawn"
        _, layer, i = key
        text = self.name(layer, i)
        if self.node_acts is not None:
            what = "input (scaled)" if layer == 0 else "activation"
            text += f": {what} = {float(self.node_acts[layer][i]):.6g}  (observation {self.selected_row + 1})"
        if layer and self.node_deltas is not None:
            text += f"\ndelta (last step) = {float(self.node_deltas[layer - 1][i]):.6g}"
        if self._pixels is not None:
            what = "map" if self.picture_kind == "map" else "histogram"
            text += f"\n(click to show its {what} large)"
        return text

    def node_title(self, layer: int, i: int) -> str:
        """A node's name for titles: 'input x1', 'hidden 1, node 3', 'output setosa'."""
        if layer == 0:
            return f"input {self.name(0, i)}"
        if layer == len(self.context.arch.sizes) - 1:
            return f"output {self.name(layer, i)}"
        return f"hidden {layer}, node {i + 1}"


def weight_label(layer: int, row: int, col: int) -> str:
    """A weight's name as R and the CSV export count: 1-based, row 1 = bias (``W1[2, 5]``)."""
    return f"W{layer + 1}[{row + 1}, {col + 1}]"
