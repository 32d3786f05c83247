"""The small picture on every node of the diagram: its neuron map or its histogram.

For two-input data, a node's map (its output over the input plane, from the
snapshot's ``node_maps``) is coloured with the decision map's scale (blue, white,
orange) between the layer's fixed levels (``core.nodemaps.layer_levels``); the map of
a class's output node goes from the decision map's white (low) to that class's colour
(high), as the decision map and its points colour the class (``class_ramps``).  For
more inputs, a node's histogram over the training rows (``node_hists``) is drawn
as stacked bars, one colour per class.  Both become small images, all made with a
few vectorised NumPy operations per frame, and one graphics item paints them at
the nodes, in pixels (the same size at any zoom), scaled to the space between nodes.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QImage, QPainter, QPen
from PySide6.QtWidgets import QGraphicsObject

from .predictions_view import diverging_lut

# classes: blue and orange first, as the decision map's points; then Tableau's ten
CLASS_COLOURS = ((33, 102, 172), (230, 97, 1), (26, 150, 65), (117, 112, 179), (200, 200, 0),
                 (214, 39, 40), (140, 86, 75), (227, 119, 194), (127, 127, 127), (23, 190, 207))
ONE_GROUP = (120, 120, 120)
HIST_ROWS = 16  # a histogram picture is HIST_ROWS pixels high before scaling, one column per bin


def _argb(rgb) -> np.uint32:
    r, g, b = rgb
    return np.uint32(0xFF000000 | (int(r) << 16) | (int(g) << 8) | int(b))


_DIVERGING = diverging_lut()
_LUT32 = np.array([_argb(c[:3]) for c in _DIVERGING], dtype=np.uint32)
_BACKGROUND = _argb((255, 255, 255))
NEUTRAL = tuple(int(c) for c in _DIVERGING[len(_DIVERGING) // 2][:3])  # the decision map's middle


def class_tint(k: int) -> tuple[int, int, int]:
    """Class k's colour as the decision map paints its ground: the map's own pale blue and
    orange for the first two classes (its scale's ends), the class colour half mixed with
    white for the others."""
    if k in (0, 1):
        r, g, b = (int(c) for c in _DIVERGING[0 if k == 0 else -1][:3])
    else:
        r, g, b = (int(round(255 - (255 - c) * 0.5)) for c in CLASS_COLOURS[k % len(CLASS_COLOURS)])
    return r, g, b


def class_ramps(n_classes: int) -> np.ndarray:
    """ARGB lookup tables (n_classes, 256): from the neutral middle (low) to the class's tint (high)."""
    t = np.linspace(0.0, 1.0, 256)[:, None]
    out = np.empty((n_classes, 256), dtype=np.uint32)
    for k in range(n_classes):
        rgb = np.rint(np.asarray(NEUTRAL) * (1 - t) + np.asarray(class_tint(k)) * t).astype(int)
        out[k] = [_argb(c) for c in rgb]
    return out


def class_colour(k: int, n_groups: int) -> tuple[int, int, int]:
    return ONE_GROUP if n_groups == 1 else CLASS_COLOURS[k % len(CLASS_COLOURS)]


def map_pixels(values: np.ndarray, levels: tuple[float, float], luts: np.ndarray | None = None) -> np.ndarray:
    """ARGB images (nodes, height, width) of maps (nodes, x, y): y upwards, as on the decision map;
    ``luts`` (nodes, 256) gives each node its own colours (default: the diverging scale)."""
    lo, hi = levels
    with np.errstate(all="ignore"):
        idx = (values - lo) * (255.0 / (hi - lo))
    idx[np.isnan(idx)] = 127.5  # a diverged network: white, not a colour
    np.clip(idx, 0, 255, out=idx)
    rows = np.ascontiguousarray(idx.astype(np.uint8).transpose(0, 2, 1)[:, ::-1, :])  # [node, y from the top, x]
    if luts is None:
        return _LUT32[rows]
    return luts[np.arange(len(rows))[:, None, None], rows]


def hist_pixels(counts: np.ndarray, rows: int = HIST_ROWS) -> np.ndarray:
    """ARGB images (nodes, rows, bins) of counts (nodes, groups, bins): stacked bars, one colour
    per group, each node's tallest bar the full height."""
    nodes, k, bins = counts.shape
    cum = np.cumsum(counts, axis=1).astype(float)  # (nodes, k, bins)
    top = np.maximum(cum[:, -1, :].max(axis=1), 1.0)[:, None, None]
    cum_px = np.rint(cum / top * rows)
    r = np.arange(rows)[None, None, :, None] + 0.5  # pixel rows from the bottom
    group = (cum_px[:, :, None, :] <= r).sum(axis=1)  # (nodes, rows, bins): k = above the bar
    palette = np.array([_argb(class_colour(i, k)) for i in range(k)] + [_BACKGROUND], dtype=np.uint32)
    return np.ascontiguousarray(palette[group][:, ::-1, :])


class NodePictures(QGraphicsObject):
    """All node pictures in one item: images at view positions, sized in pixels."""

    def __init__(self):
        super().__init__()
        self._pos = np.empty((0, 2))
        self._pixels: np.ndarray | None = None  # (nodes, h, w) uint32: the images' memory
        self._images: list[QImage] = []
        self._size = (20.0, 20.0)  # width, height in pixels
        self._smooth = True
        self._rect = QRectF()
        self._selected: int | None = None
        self._frame_pen = QPen(QColor(60, 60, 60), 1.0)
        self._selected_pen = QPen(QColor(179, 88, 6), 3.0)

    def set_pictures(self, pos: np.ndarray, pixels: np.ndarray | None, size: tuple[float, float],
                     pixel: tuple[float, float], smooth: bool, selected: int | None = None) -> None:
        """Images (nodes, h, w) ARGB at the view positions ``pos`` (nodes, 2), drawn ``size`` pixels
        large; ``pixel`` is the view's size of a pixel (x, y), for the bounding box."""
        self._pos, self._pixels, self._size, self._smooth = pos, pixels, size, smooth
        self._selected = selected
        self._images = []
        if pixels is not None and len(pixels):
            h, w = pixels.shape[1:]
            self._images = [QImage(pixels[i].data, w, h, 4 * w, QImage.Format.Format_ARGB32) for i in range(len(pixels))]
        rect = QRectF()
        if len(pos) and self._images:
            mx, my = size[0] * abs(pixel[0]), size[1] * abs(pixel[1])
            x0, y0 = pos.min(axis=0)
            x1, y1 = pos.max(axis=0)
            rect = QRectF(x0 - mx, y0 - my, x1 - x0 + 2 * mx, y1 - y0 + 2 * my)
        if rect != self._rect:
            self.prepareGeometryChange()
            self._rect = rect
        self.update()

    @property
    def count(self) -> int:
        return len(self._images)

    def boundingRect(self) -> QRectF:
        return self._rect

    def paint(self, painter, option, widget=None) -> None:
        if not self._images:
            return
        t = painter.transform()
        w, h = self._size
        painter.save()
        painter.resetTransform()
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, self._smooth)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        for i, img in enumerate(self._images):
            c = t.map(QPointF(float(self._pos[i, 0]), float(self._pos[i, 1])))
            r = QRectF(round(c.x() - w / 2), round(c.y() - h / 2), round(w), round(h))
            painter.drawImage(r, img)
            painter.setPen(self._selected_pen if i == self._selected else self._frame_pen)
            painter.drawRect(r)
        painter.restore()
