"""The diagram's edges: one graphics item, its pens, and which edges it draws.

Edges are sized by |w| relative to the largest weight shown and coloured by sign, in
``BANDS`` width bands per sign, each band one path of ``connect="pairs"`` segments: a
dozen strokes, not one graphics item per edge.  Above ``MAX_EDGES`` edges only the
strongest are drawn.  Edges outside the micro-step shown are drawn pale, below the others.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF
from PySide6.QtGui import QPainter
from PySide6.QtWidgets import QGraphicsObject

from ...core.timeline import parse_stage

MAX_EDGES = 3000
AA_EDGES = 400  # antialias up to this many edges; beyond, plain lines keep a frame cheap
BANDS = 6
POSITIVE = (33, 102, 172)  # blue
NEGATIVE = (230, 97, 1)  # orange


def faded(rgb: tuple[int, int, int], level: float) -> tuple[int, int, int]:
    """rgb mixed with white: weak edges pale.  Opaque on purpose: alpha-blended lines
    cost about ten times as much to paint in Qt's raster engine."""
    keep = 0.3 + 0.7 * level
    r, g, b = (int(round(255 - (255 - c) * keep)) for c in rgb)
    return r, g, b


def _band_pens() -> dict:
    """The pen of every (dimmed, width band, sign): made once, not per frame."""
    pens = {}
    for dim in (False, True):
        for b in range(BANDS):
            level = (b + 0.5) / BANDS
            for sign in (0, 1):
                colour = faded(POSITIVE if sign else NEGATIVE, level * (0.15 if dim else 1.0))
                pens[dim, b, sign] = pg.mkPen(colour, width=0.6 + 6.4 * level)
    return pens


_PENS = _band_pens()


def edge_values(geo, mode: str, weights, trace) -> np.ndarray:
    """What every edge of ``geo`` shows (drawn or not): its weight, or in gradient ``mode`` dC/dw
    of the step ``trace`` (zero before any step)."""
    mats = weights
    if mode == "gradient":
        if trace is None:
            return np.zeros(len(geo.edge_src))
        mats = [-lt.gradient for lt in trace.layers]
    out = np.empty(len(geo.edge_src))
    for li, W in enumerate(mats):
        m = geo.edge_layer == li
        out[m] = W[geo.edge_row[m], geo.edge_col[m]]
    return out


def micro_step_parts(stage: str | None, L: int) -> tuple[set[int], set[int]]:
    """(weight matrices, layers) the micro-step ``stage`` of a network of ``L`` matrices is about."""
    if not stage:
        return set(), set()
    kind, li = parse_stage(stage)
    if kind == "forward" and li is not None:
        return {li - 1}, {li}
    if kind == "error":
        return set(), {L}
    if kind == "delta" and li is not None:
        return ({li} if li < L else set()), {li}
    return set(range(L)), set()


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
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, self._antialias)
        for pen, path in self._strokes:
            painter.setPen(pen)
            painter.drawPath(path)


class EdgeStrokes:
    """The edges item of a diagram and what it drew last: ``drawn`` (indices into the edge
    arrays) and every edge's ``width`` in pixels (hit-testing reads both)."""

    def __init__(self, plot: pg.PlotWidget):
        self.item = EdgesItem()
        plot.addItem(self.item)
        self.drawn = np.empty(0, dtype=int)  # indices into the edge arrays drawn this frame
        self.width = np.empty(0)

    def draw(self, w: np.ndarray, geo, lit_matrices: set[int], fast: bool) -> None:
        """Stroke the edges of ``geo`` (a ``Geometry``) by their values ``w``; those of the weight
        matrices ``lit_matrices`` (the micro-step's) on top, the others pale; none: all alike."""
        mag = np.abs(w)
        drawn = np.arange(w.size)
        if w.size > MAX_EDGES:
            drawn = np.argpartition(mag, w.size - MAX_EDGES)[w.size - MAX_EDGES:]
        top = mag[drawn].max() if drawn.size else 1.0
        frac = mag / top if top > 0 else np.zeros_like(mag)
        band = np.minimum((frac * BANDS).astype(int), BANDS - 1)
        self.drawn = drawn
        self.width = 0.6 + 6.4 * frac
        P, Q = geo.node_pos[geo.edge_src], geo.node_pos[geo.edge_dst]
        positive = w >= 0
        aa = drawn.size <= AA_EDGES and not fast
        lit = np.isin(geo.edge_layer, list(lit_matrices)) if lit_matrices else np.ones(w.size, dtype=bool)
        strokes = []
        for dim in (True, False) if lit_matrices else (False,):  # edges outside the micro-step: pale, below
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
        self.item.set_strokes(strokes, antialias=aa)

    def notes(self, geo) -> list[str]:
        """What the canvas says about edges left out: collapsed layers, only the strongest drawn."""
        notes = []
        if len(geo.edge_src) < geo.total_edges:
            notes.append(f"wide layers collapsed: {len(geo.edge_src):,} of {geo.total_edges:,} weights shown")
        if self.drawn.size < len(geo.edge_src):
            notes.append(f"only the {self.drawn.size:,} strongest edges drawn")
        return notes
