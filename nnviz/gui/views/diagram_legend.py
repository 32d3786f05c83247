"""The diagram's legend (top left), its note (bottom right) and the margins they need.

The legend says what the edges' colours and widths mean, then what the node pictures show
(in a diagram lower than ``COMPACT_PX`` only the edges' line: the pictures need the room).
The note says what the canvas leaves out (collapsed layers, edges not drawn or not labelled)
and wraps to the diagram's width.  ``diagram_range`` finds the view range that shows the whole
diagram with margins that are the same in pixels at any size.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg

from .diagram_edges import NEGATIVE, POSITIVE
from .diagram_nodes import class_outputs
from .node_pictures import CLASS_COLOURS

COMPACT_PX = 300  # a diagram lower than this shows only the legend's first line
# below the lowest node, in pixels: room for the "+N" of collapsed layers, then the note
BOTTOM_PX = 30
BOTTOM_PX_COLLAPSED = 62
LINE_PX = 18  # a line of the legend


def legend_lines(show_pictures: bool, kind: str | None, ctx) -> list[str]:
    """The legend's lines (HTML): the edges, then what the pictures of ``kind`` show."""
    lines = [f"<span style='color:rgb{POSITIVE}'>&#9473;&#9473; positive</span>&nbsp;&nbsp;"
             f"<span style='color:rgb{NEGATIVE}'>&#9473;&#9473; negative</span>&nbsp;&nbsp;"
             "<span style='color:#555'>width &#8733; |w|</span>"]
    if show_pictures and kind == "map":
        lines.append("<span style='color:#444'>node maps: "
                     "<span style='color:rgb(110,170,210)'>&#9632;</span> low "
                     "<span style='color:rgb(190,190,190)'>&#9633;</span> middle "
                     "<span style='color:rgb(245,160,60)'>&#9632;</span> high</span>")
        lines.append("<span style='color:#444'>(sigmoid 0..1, tanh &minus;1..1, others &minus;2..2)</span>")
        if ctx is not None and class_outputs(ctx):
            names = ctx.dataset.output_names
            line = ("<span style='color:#444'>output maps: "
                    "<span style='color:rgb(190,190,190)'>&#9633;</span> low, high in the class's colour")
            for k, name in enumerate(names[:6]):
                line += f" <span style='color:rgb{CLASS_COLOURS[k]}'>&#9632;</span>&nbsp;{name}"
            lines.append(line + (" &hellip;</span>" if len(names) > 6 else "</span>"))
    elif show_pictures and kind == "hist" and ctx is not None:
        names = ctx.dataset.output_names if ctx.dataset.task == "classes" else ()
        line = "<span style='color:#555'>histograms of the training rows</span>"
        for k, name in enumerate(names[:len(CLASS_COLOURS)]):
            line += f" <span style='color:rgb{CLASS_COLOURS[k]}'>&#9632; {name}</span>"
        lines.append(line)
    return lines


class LegendNote:
    """The legend's and the note's texts (``legend``, ``note``), added to the plot with the first
    network; ``lines``: the legend's lines shown, ``compact``: only its first."""

    def __init__(self):
        self.legend = pg.TextItem(anchor=(0, 0))
        self.legend.setZValue(20)
        self.note = pg.TextItem(anchor=(1, 1), color=(90, 90, 90))
        self.note.setZValue(20)
        self.lines = 1
        self.compact: bool | None = None
        self._note_fit = None

    def set_legend(self, lines: list[str], compact: bool) -> None:
        self.compact = compact
        shown = lines[:1] if compact else lines
        self.legend.setHtml("<br>".join(shown))
        self.lines = len(shown)

    def set_note(self, text: str, avail: float) -> bool:
        """The note's text, wrapped at ``avail`` pixels; whether its height changed."""
        if text == self.note.toPlainText():
            return False
        self.note.setText(text)
        return self.wrap(avail)

    def wrap(self, avail: float) -> bool:
        """The note at its own width, or wrapped to ``avail`` pixels when it is wider (it ran off
        the left edge at QT_SCALE_FACTOR=2); whether its height changed."""
        key = (self.note.toPlainText(), avail)
        if key == self._note_fit:
            return False
        self._note_fit = key
        item = self.note.textItem
        height = item.boundingRect().height()
        item.setTextWidth(-1)
        if item.boundingRect().width() > avail:
            item.setTextWidth(avail)
        self.note.updateTextPos()
        return item.boundingRect().height() != height

    def note_height(self) -> float:
        return self.note.textItem.boundingRect().height() if self.note.toPlainText() else 0.0

    def fit(self, plot: pg.PlotWidget, geo, most: float, names: dict[int, float], hover: pg.TextItem) -> None:
        """Show the whole diagram laid out as ``geo`` in ``plot`` (``diagram_range``; ``most``: the
        largest node picture's half, ``names``: the widest names' widths), the legend at the top
        left, the note at the bottom right (wrapped, and the range fitted again when that changed
        its height) and the ``hover`` box at the top right."""
        vb = plot.getViewBox()
        lo, hi, bottom, top = diagram_range(geo.node_pos, geo.collapsed, most, (vb.width(), vb.height()), geo.dy,
                                            self.note_height(), self.lines, names)
        plot.setRange(xRange=(lo, hi), yRange=(bottom, top), padding=0)
        xs = geo.node_pos[:, 0]
        self.note.setPos(xs.max() + 0.33, bottom)
        if self.wrap(max(vb.width() - 12, 60)) and len(geo.node_pos):
            self.fit(plot, geo, most, names, hover)  # (which wraps again: the same key, nothing to do)
        self.legend.setPos(xs.min() - 0.33, top)
        hover.setPos(xs.max() + 0.33, top)


def mode_notes(mode: str, stepped: bool, row: int) -> list[str]:
    """What the note says of the value modes (``stepped``: a step's gradient is known; ``row``: the
    observation shown, 0-based)."""
    if mode == "gradient":
        return ["gradient mode: edges show dC/dw of the last step, nodes its \u03b4"
                if stepped else "gradient mode: step once to see dC/dw"]
    if mode == "activations":
        return [f"activations of observation {row + 1}"]
    return []


def diagram_range(node_pos: np.ndarray, collapsed: bool, most: float, size: tuple[float, float], dy: float,
                  note_h: float, lines: int, names: dict[int, float]) -> tuple[float, float, float, float]:
    """The view range (left, right, bottom, top) that shows the whole diagram in a view of ``size``
    (width, height) pixels, with margins above and below the nodes that are the same in pixels at
    any size: the legend's ``lines`` above, the "+N" markers (``collapsed``) and the note
    (``note_h`` pixels high) below, and half the largest node picture (``most`` pixels, less where
    the nodes are closer: ``dy`` apart) on both sides, so that nothing is cut or covered; and
    beside the nodes the widest input and output ``names`` (pixels, by side)."""
    xs, ys = node_pos[:, 0], node_pos[:, 1]
    W0, H0 = size
    gaps = float(ys.max() - ys.min()) / dy  # node spacings in the tallest column
    half = most
    # a note wrapped on more lines than one (a narrow diagram) takes their room below
    extra = max(note_h - LINE_PX - 4, 0.0)
    for _ in range(4):  # a picture is 0.8 of the spacing (picture_size), which the margins set
        bottom_px = max(BOTTOM_PX_COLLAPSED if collapsed else BOTTOM_PX, half + 6) + extra
        top_px = LINE_PX * lines + 6 + half
        if gaps < 0.5:
            break
        half = float(np.clip(0.4 * (H0 - top_px - bottom_px) / gaps + 2, 4, most))
    H = max(H0, top_px + bottom_px + 60)
    span = max(float(ys.max() - ys.min()), 0.5) / (1 - (top_px + bottom_px) / H)  # with the margins
    top, bottom = ys.max() + top_px * span / H, ys.min() - bottom_px * span / H
    # the input and output names beside their nodes stay inside the view: margins in pixels
    # (the names' width, half a node picture and a gap), as wide as 0.35 of a layer at least
    W = max(W0, 1.0)
    left_px, right_px = (names[side] + half + 10 for side in (-1, 1))
    width = max(float(xs.max() - xs.min()), 0.5)
    if left_px + right_px < 0.8 * W:
        unit = width / (W - left_px - right_px)  # layout units per pixel
        lo, hi = xs.min() - max(left_px * unit, 0.35), xs.max() + max(right_px * unit, 0.35)
    else:
        lo, hi = xs.min() - 0.35, xs.max() + 0.35
    return lo, hi, bottom, top
