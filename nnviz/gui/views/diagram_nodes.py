"""The diagram's nodes: their circles, their pictures and the importance rings around the inputs.

One ``ScatterPlotItem`` draws every node: bias nodes blue (as neuralnet's), inputs and outputs
grey, hidden neurons white, the "+N more" marker of a collapsed layer a triangle.  In the
value modes a node is filled by its value (blue positive, orange negative, paler the smaller
against its layer's largest); the micro-step's layer is ringed.

Every drawn neuron carries a small picture (``node_pictures`` makes the images and paints
them): its map over the input plane for two-input data (``kind`` "map"), else its histogram
over the training rows ("hist").  A picture is as large as the room between nodes allows (at
most 72 pixels) and smaller than a node circle when there is little room; a node under a
picture has no circle (the picture, in its frame, is the node).  The rings (the Explain tab's
option) are a third item, under the circles and pictures, made when first asked for.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtGui import QPainterPath

from ...core.nodemaps import layer_levels
from .diagram_edges import NEGATIVE, POSITIVE, faded
from .diagram_geometry import Geometry
from .node_pictures import NodePictures, class_ramps, hist_pixels, map_pixels

BIAS_FILL = (158, 202, 225)
NODE_FILL = (250, 250, 250)
IO_FILL = (225, 225, 225)


def class_outputs(ctx) -> bool:
    """Whether the output nodes are the classes (one each), their maps in the class colours."""
    return ctx.dataset.task == "classes" and ctx.arch.sizes[-1] == len(ctx.dataset.output_names) > 1


def node_values(geo, mode: str, acts, deltas) -> np.ndarray:
    """Each node's value (NaN: none) in ``mode``: its activation (``acts``, per layer), or in gradient
    mode its delta (``deltas``, per layer after the inputs); None of either: none."""
    per_layer = acts if mode == "activations" else None if deltas is None else (None, *deltas)
    vals = np.full(len(geo.node_keys), np.nan)
    if per_layer is None:
        return vals
    for i, key in enumerate(geo.node_keys):
        if key[0] == "n" and per_layer[key[1]] is not None:
            vals[i] = per_layer[key[1]][key[2]]
    return vals


class DiagramNodes:
    """The node circles (``item``), the pictures (``pictures``: the item; ``pixels``: one image per
    drawn neuron or None, made from the snapshot arrays ``source`` of ``iteration``) and the rings
    (``halo``, of ``importance``) of the diagram laid out as ``geo``."""

    def __init__(self, plot: pg.PlotWidget):
        self.plot = plot
        self.geo: Geometry | None = None
        self.item = pg.ScatterPlotItem(pxMode=True)
        self.item.setZValue(10)
        plot.addItem(self.item)
        self.pictures = NodePictures()  # neuron maps or histograms, over the node circles
        self.pictures.setZValue(11)
        plot.addItem(self.pictures)
        self.halo: pg.ScatterPlotItem | None = None
        self.show = True  # the pictures on (the View menu's "neuron maps")
        self.kind: str | None = None  # "map" (two inputs) or "hist"
        self.source: tuple | None = None  # the snapshot arrays painted now (node_maps or node_hists)
        self.iteration: int | None = None
        self.selected: tuple[int, int] | None = None  # (layer, neuron) shown large, framed here
        self.pixels: np.ndarray | None = None
        self.importance: np.ndarray | None = None  # one per input, for the rings
        self.n_inputs: int | None = None
        self.key: tuple | None = None  # what the circles were last painted for (see NetworkView._draw_nodes)
        self.sizes: np.ndarray | None = None
        self.levels: tuple[tuple[float, float], ...] = ()  # per layer (``layer_levels``)
        self.luts: list[np.ndarray | None] = []
        self.base_brushes: list = []
        self.symbols: list[str] = []
        self.node_pen = self.hl_pen = None

    @property
    def _geo(self) -> Geometry:
        """``geo``, which the methods that draw need (``set_geometry`` comes first)."""
        assert self.geo is not None, "set_geometry first"
        return self.geo

    # -- per network ---------------------------------------------------------------------
    def set_geometry(self, geo: Geometry) -> None:
        """The circles of a new drawing, filled by kind."""
        self.geo = geo
        brushes, symbols = [], []
        for n, k in zip(geo.node_keys, geo.kinds, strict=True):
            if k == "bias":
                brushes.append(pg.mkBrush(*BIAS_FILL))
            elif k == "more":
                brushes.append(pg.mkBrush(255, 255, 255, 0))
            elif n[1] in (0, geo.last_layer):
                brushes.append(pg.mkBrush(*IO_FILL))
            else:
                brushes.append(pg.mkBrush(*NODE_FILL))
            symbols.append("o" if k != "more" else "t")
        self.base_brushes = brushes
        self.symbols = symbols
        self.node_pen = pg.mkPen(60, 60, 60, width=1.2)
        self.hl_pen = pg.mkPen(179, 88, 6, width=3.5)
        self.sizes = np.full(len(geo.node_keys), float(geo.node_size))
        self.item.setData(pos=geo.node_pos, brush=brushes, symbol=symbols, size=self.sizes, pen=self.node_pen)

    def set_context(self, ctx) -> None:
        """A network's pictures: maps or histograms, and their colour scales; none shown yet."""
        self.n_inputs = ctx.arch.n_inputs
        self.kind = "map" if getattr(ctx, "node_grid", None) is not None else "hist"
        self.levels = layer_levels(ctx.arch.layer_activations)
        # each class's output node: low neutral, high its class's colour; the others diverge
        self.luts = [None] * len(ctx.arch.sizes)
        if class_outputs(ctx):
            self.luts[-1] = class_ramps(ctx.arch.sizes[-1])
        self.pixels = None
        self.source = None
        self.iteration = None
        self.selected = None
        self.pictures.set_pictures(np.empty((0, 2)), None, (0, 0), (1, 1), True)

    # -- sizes in pixels (``pixel``: the view's size of a pixel, x and y) -----------------------
    def picture_size(self, pixel: tuple[float, float]) -> tuple[float, float]:
        """The pictures' width and height in pixels: as large as the room between nodes allows
        (at most 72), and smaller than a node circle when there is little room, so that the
        pictures of one column (and the bias circle above them) never overlap."""
        room = self._geo.room_px(pixel)
        if room is None:
            return (float(self._geo.node_size),) * 2
        dx, dy = room
        s = float(np.clip(min(dy * 0.8, dx * 0.3), 2, 72))
        if self.kind == "hist":
            return min(s * 1.3, dx * 0.36), s * 0.8
        return s, s

    def spot_sizes(self, pixel: tuple[float, float]) -> np.ndarray:
        """Each node's circle in pixels; none under a picture (the picture, in its frame, is the node)."""
        geo = self._geo
        sizes = np.full(len(geo.node_keys), geo.circle_size(pixel))
        if self.pixels is not None:
            sizes[geo.pic_index] = 0.0
        return sizes

    # -- per frame -------------------------------------------------------------------------
    def paint(self, values: np.ndarray | None, lit_layers: set[int], pixel: tuple[float, float]) -> None:
        """Fill each node by its value (None: by kind), ring the neurons of ``lit_layers``."""
        geo = self._geo
        brushes = self.base_brushes
        if values is not None:
            brushes = list(brushes)
            for li in set(geo.node_layer.tolist()):
                m = (geo.node_layer == li) & np.isfinite(values)
                top = np.abs(values[m]).max() if m.any() else 0.0
                for i in np.flatnonzero(m):
                    frac = values[i] / top if top > 0 else 0.0
                    rgb = POSITIVE if frac >= 0 else NEGATIVE
                    brushes[i] = pg.mkBrush(*faded(rgb, abs(frac)) if abs(frac) > 0.02 else (255, 255, 255))
        pens = [self.hl_pen if (geo.node_layer[i] in lit_layers and geo.node_keys[i][0] == "n") else self.node_pen
                for i in range(len(geo.node_keys))]
        self.sizes = self.spot_sizes(pixel)
        self.item.setData(pos=geo.node_pos, brush=brushes, symbol=self.symbols, size=self.sizes, pen=pens)

    def set_data(self, data, iteration: int | None) -> None:
        """Colour a snapshot's maps or histograms (``data``, per layer) into one image per drawn
        neuron; None: no pictures."""
        if data is None:
            self.pixels, self.source = None, None
            return
        if self.kind == "map":
            per_layer = [map_pixels(m, self.levels[li], self.luts[li]) for li, m in enumerate(data)]
        else:
            per_layer = [hist_pixels(c) for c in data]
        self.pixels = np.stack([per_layer[k[1]][k[2]] for k in self._geo.pic_keys])
        self.source = data
        self.iteration = iteration

    def place(self, pixel: tuple[float, float], fast: bool) -> None:
        """The rings, the pictures at the neurons (sized for the view now) and the circles' sizes."""
        if self.halo is not None:
            self.place_halo(pixel)
        geo = self.geo
        if geo is None:
            return
        sel = None
        if self.selected is not None and ("n", *self.selected) in geo.pic_keys:
            sel = geo.pic_keys.index(("n", *self.selected))
        self.pictures.set_pictures(geo.node_pos[geo.pic_index], self.pixels, self.picture_size(pixel), pixel,
                                   self.kind == "map" and not fast, sel)
        sizes = self.spot_sizes(pixel)
        if self.sizes is None or not np.array_equal(sizes, self.sizes):
            self.sizes = sizes
            self.item.setSize(sizes)

    def place_halo(self, pixel: tuple[float, float]) -> None:
        """Ring each drawn input node in the colour of its ``importance`` (blue positive, orange
        negative, paler the smaller against the largest); none without one for every input.  A ring
        is a circle around the node, or a rectangle around its picture."""
        if self.halo is None:
            self.halo = pg.ScatterPlotItem(pxMode=True, brush=None)
            self.halo.setZValue(9)  # under the circles and pictures: a ring around them
            self.plot.addItem(self.halo)
        v, geo = self.importance, self.geo
        if v is None or geo is None or self.n_inputs is None or v.size != self.n_inputs:
            self.halo.setData([], [])
            return
        idx = [i for i, k in enumerate(geo.node_keys) if k[0] == "n" and k[1] == 0]
        vals = v[[geo.node_keys[i][2] for i in idx]]
        top = float(np.abs(v).max()) or 1.0
        pens = [pg.mkPen(faded(POSITIVE if x >= 0 else NEGATIVE, abs(x) / top), width=4) for x in vals]
        symbol: str | QPainterPath = "o"
        size = geo.circle_size(pixel) + 7
        if self.pixels is not None and self.show:  # around a picture, its rectangle
            w, h = self.picture_size(pixel)
            frame, size = QPainterPath(), w + 7
            frame.addRect(-0.5, -0.5 * (h + 7) / size, 1.0, (h + 7) / size)
            symbol = frame
        self.halo.setData(pos=geo.node_pos[idx], brush=None, size=size, pen=pens, symbol=symbol)
