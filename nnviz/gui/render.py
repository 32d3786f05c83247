"""Paint a ``nnviz.core.diagram.Scene`` with QPainter: SVG (QSvgGenerator), PDF (QPdfWriter)
or PNG (QImage at a chosen dpi).  Only circles, lines, polylines, rectangles and text are
drawn, so SVG and PDF hold vectors and no raster image.  Scene units are CSS pixels
(1/96 inch); a PDF page is the scene's size in points (x 0.75), a PNG ``dpi / 96`` times
the scene's size in pixels.  Files are written atomically."""

from __future__ import annotations

import os
from pathlib import Path

from ..core.diagram import Circle, Line, Polyline, Rect, Scene, Text
from ..io import atomic

FORMATS = (".svg", ".pdf", ".png")


def ensure_app():
    """A QGuiApplication (offscreen when there is no display): fonts need one."""
    if not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtGui import QGuiApplication

    return QGuiApplication.instance() or QGuiApplication(["nnviz"])


def paint(scene: Scene, painter, scale: float = 1.0) -> None:
    """Draw the scene's items in order, scaled by ``scale``."""
    from PySide6.QtCore import QPointF, QRectF, Qt
    from PySide6.QtGui import (
        QBrush,
        QColor,
        QFont,
        QFontMetricsF,
        QPainter,
        QPen,
        QPolygonF,
    )

    painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    painter.setRenderHint(QPainter.RenderHint.TextAntialiasing, True)
    painter.scale(scale, scale)
    painter.fillRect(QRectF(0, 0, scene.width, scene.height), QColor(*scene.background))
    no_pen, no_brush = QPen(Qt.PenStyle.NoPen), QBrush(Qt.BrushStyle.NoBrush)
    for it in scene.items:
        if isinstance(it, Line):
            pen = QPen(QColor(*it.colour), it.width)
            pen.setCapStyle(Qt.PenCapStyle.FlatCap)
            if it.dashed:
                pen.setDashPattern([max(5.0 / it.width, 1.2), max(3.5 / it.width, 1.0)])
            painter.setPen(pen)
            painter.drawLine(QPointF(it.x1, it.y1), QPointF(it.x2, it.y2))
        elif isinstance(it, Circle):
            painter.setPen(QPen(QColor(*it.stroke), it.stroke_width))
            painter.setBrush(QBrush(QColor(*it.fill)))
            painter.drawEllipse(QPointF(it.x, it.y), it.r, it.r)
        elif isinstance(it, Rect):
            painter.setPen(QPen(QColor(*it.stroke), 1.0) if it.stroke else no_pen)
            painter.setBrush(QBrush(QColor(*it.fill)) if it.fill else no_brush)
            painter.setRenderHint(QPainter.RenderHint.Antialiasing, it.stroke is not None)  # no seams between map cells
            painter.drawRect(QRectF(it.x, it.y, it.w, it.h))
            painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        elif isinstance(it, Polyline):
            pen = QPen(QColor(*it.colour), it.width)
            pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
            painter.setPen(pen)
            painter.setBrush(no_brush)
            painter.drawPolyline(QPolygonF([QPointF(x, y) for x, y in it.points]))
        elif isinstance(it, Text):
            font = QFont("DejaVu Sans")
            font.setPixelSize(max(round(it.size), 1))
            font.setBold(it.bold)
            fm = QFontMetricsF(font)
            w = fm.horizontalAdvance(it.text)
            if it.box is not None:
                bx, by, bw, bh = it.box
                painter.setPen(no_pen)
                painter.setBrush(QBrush(QColor(*(it.box_fill or scene.background))))
                painter.drawRoundedRect(QRectF(bx, by, bw, bh), 2, 2)
                if w > bw - 1:  # the estimate was short: shrink the text into its box
                    font.setPixelSize(max(int(it.size * (bw - 1) / w), 1))
                    fm = QFontMetricsF(font)
                    w = fm.horizontalAdvance(it.text)
            painter.setFont(font)
            painter.setPen(QPen(QColor(*it.colour)))
            x = it.x - w if it.anchor == "end" else it.x - w / 2 if it.anchor == "middle" else it.x
            y = it.y + (fm.ascent() - fm.descent()) / 2
            painter.drawText(QPointF(x, y), it.text)
        painter.setBrush(no_brush)


def to_image(scene: Scene, scale: float = 1.0):
    """The scene as a QImage (RGB32) ``scale`` times its size."""
    from PySide6.QtGui import QImage, QPainter

    ensure_app()
    img = QImage(max(round(scene.width * scale), 1), max(round(scene.height * scale), 1),
                 QImage.Format.Format_RGB32)
    img.fill(0xFFFFFFFF)
    p = QPainter(img)
    try:
        paint(scene, p, scale)
    finally:
        p.end()
    return img


def save(scene: Scene, path: str | Path, dpi: float = 300.0, title: str = "nnviz") -> None:
    """The scene to .svg, .pdf or .png (``dpi`` for PNG: dpi / 96 pixels per scene pixel)."""
    path = Path(path)
    ext = path.suffix.lower()
    if ext not in FORMATS:
        raise ValueError(f"{path}: unsupported image format {path.suffix or '(none)'!r} (supported: .svg, .pdf, .png)")
    if not (10 <= dpi <= 2400):
        raise ValueError(f"the resolution must be 10 to 2400 dpi (got {dpi:g})")
    ensure_app()
    from PySide6.QtCore import QMarginsF, QRect, QSize, QSizeF
    from PySide6.QtGui import QPageLayout, QPageSize, QPainter, QPdfWriter

    def write(tmp: str) -> None:
        if ext == ".png":
            img = to_image(scene, dpi / 96.0)
            img.setDotsPerMeterX(round(dpi / 0.0254))
            img.setDotsPerMeterY(round(dpi / 0.0254))
            if not img.save(tmp, "PNG"):
                raise OSError(5, "Qt could not write the image")
            return
        if ext == ".svg":
            from PySide6.QtSvg import QSvgGenerator

            svg = QSvgGenerator()
            svg.setFileName(tmp)
            svg.setSize(QSize(int(scene.width), int(scene.height)))
            svg.setViewBox(QRect(0, 0, int(scene.width), int(scene.height)))
            svg.setResolution(96)
            svg.setTitle(title)
            dev: QSvgGenerator | QPdfWriter = svg
            scale = 1.0
        else:
            dev = QPdfWriter(tmp)
            dev.setTitle(title)
            dev.setCreator("nnviz")
            dev.setResolution(96)
            page = QPageSize(QSizeF(scene.width * 0.75, scene.height * 0.75), QPageSize.Unit.Point, "nnviz")
            dev.setPageLayout(QPageLayout(page, QPageLayout.Orientation.Portrait, QMarginsF(0, 0, 0, 0)))
            scale = 1.0
        p = QPainter()
        if not p.begin(dev):
            raise OSError(5, f"Qt could not open the {ext[1:].upper()} file")
        try:
            paint(scene, p, scale)
        finally:
            p.end()

    atomic.write_with(path, write)
