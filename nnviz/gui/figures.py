"""Figures for papers and slides: the network diagram and the error plot as PNG or
SVG (and the error history as CSV), from the window or headless (``nnviz plot``).
Every file is written atomically (a temporary file, then a rename)."""

from __future__ import annotations

import os
from pathlib import Path
from types import SimpleNamespace

import numpy as np

from ..io import atomic

IMAGE_FORMATS = (".png", ".svg")


def export_view(view, path: str | Path) -> None:
    """A pyqtgraph PlotWidget (the diagram or the error plot) to .png or .svg.

    SVG goes through Qt's own QSvgGenerator (the view painted as it is on screen):
    pyqtgraph's SVG exporter cannot read back some of the paths the diagram draws."""
    path = Path(path)
    ext = path.suffix.lower()
    if ext not in IMAGE_FORMATS:
        raise ValueError(f"{path}: unsupported image format {path.suffix or '(none)'!r} (supported: .png, .svg)")
    if ext == ".svg":
        def svg(tmp):
            from PySide6.QtCore import QRect, QSize
            from PySide6.QtGui import QPainter
            from PySide6.QtSvg import QSvgGenerator

            gen = QSvgGenerator()
            gen.setFileName(tmp)
            gen.setSize(QSize(view.width(), view.height()))
            gen.setViewBox(QRect(0, 0, view.width(), view.height()))
            gen.setTitle("nnviz")
            painter = QPainter()
            if not painter.begin(gen):
                raise OSError(5, "Qt could not open the SVG file")
            try:
                view.render(painter)
            finally:
                painter.end()
        atomic.write_with(path, svg)
    else:
        save_png(view, path)


def save_png(widget, path: str | Path) -> None:
    """Grab a widget (the whole window, or one view) to a PNG file, atomically."""
    def png(tmp):
        if not widget.grab().save(tmp, "PNG"):
            raise OSError(5, "Qt could not write the image")
    atomic.write_with(path, png)


def export_history_csv(x: np.ndarray, y: np.ndarray, path: str | Path, test_x=None, test_y=None) -> None:
    """The error history as CSV: iteration,mse (and test_mse where there is one)."""
    tests = dict(zip(np.asarray(test_x if test_x is not None else []).tolist(),
                     np.asarray(test_y if test_y is not None else []).tolist()))
    lines = ["iteration,mse" + (",test_mse" if tests else "")]
    for i, v in zip(np.asarray(x).tolist(), np.asarray(y).tolist()):
        row = f"{i},{v!r}"
        if tests:
            row += f",{tests[i]!r}" if i in tests else ","
        lines.append(row)
    atomic.write_text(path, "\n".join(lines) + "\n")


def draw_model(model, path: str | Path, labels: bool = False, size: tuple[int, int] = (900, 600)) -> None:
    """Draw a model's network diagram to .png or .svg without showing a window."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    from ..core.snapshot import Snapshot, frozen
    from .views.network_view import NetworkView

    Path(path)  # validated by export_view
    app = QApplication.instance() or QApplication(["nnviz"])
    ctx = SimpleNamespace(
        arch=model.arch,
        dataset=SimpleNamespace(input_names=model.input_names, output_names=model.output_names),
        X_train=np.zeros((1, model.arch.n_inputs)),
    )
    view = NetworkView()
    view.resize(*size)
    view.show()
    view.set_context(ctx)
    view.set_show_labels(labels)
    empty = np.empty(0)
    snap = Snapshot(generation=0, iteration=int(model.training.get("iterations", 0) or 0),
                    weights=tuple(frozen(W) for W in model.network.weights), new_iterations=empty.astype(np.int64),
                    new_mse=empty, mse=float("nan"), accuracy=None, test_mse=None, test_accuracy=None,
                    outputs=empty, test_outputs=None, state="finished")
    view.show_snapshot(snap)
    app.processEvents()
    view.place_labels()
    app.processEvents()
    try:
        export_view(view, path)
    finally:
        view.close()
        view.deleteLater()
        app.processEvents()
