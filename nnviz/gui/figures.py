"""Figures for papers and slides: the network diagram, the error curve and the decision
map as SVG, PDF or PNG (``nnviz.core.diagram`` makes the scene, ``render`` paints it), and
the error history as CSV, from the window or headless (``nnviz plot``).  The window's
error plot still exports through its pyqtgraph view (``export_view``).  Every file is
written atomically (a temporary file, then a rename)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace

import numpy as np

from ..core import diagram as D
from ..core.runner import MAP_GRID, map_grid
from ..io import atomic
from . import render

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
                     np.asarray(test_y if test_y is not None else []).tolist(), strict=False))
    lines = ["iteration,mse" + (",test_mse" if tests else "")]
    for i, v in zip(np.asarray(x).tolist(), np.asarray(y).tolist(), strict=False):
        row = f"{i},{v!r}"
        if tests:
            row += f",{tests[i]!r}" if i in tests else ","
        lines.append(row)
    atomic.write_text(path, "\n".join(lines) + "\n")


WHAT = ("diagram", "errors", "map")


@dataclass
class Figure:
    """What ``nnviz plot`` draws from: a model, and when it came from a session, the
    experiment (data rows for the map) and the error history."""

    model: object
    history_x: np.ndarray | None = None
    history_y: np.ndarray | None = None
    experiment: object = None


def open_figure(path: str | Path) -> Figure:
    """A model file (.json, .npz, .onnx) or a session (.nnviz, which adds the error history)."""
    from ..io import session as sessionfile

    if str(path).lower().endswith(sessionfile.EXTENSION):
        data = sessionfile.load(path)
        exp = sessionfile.restore(data)
        return Figure(exp.model(), data.history_x, data.history_y, exp)
    from .. import io as nnio

    return Figure(nnio.load(path))


def footer(model, experiment=None) -> str | None:
    """R neuralnet's plot.nn footer, "Error: 0.6523  Steps: 50000": with the data (a session) the
    error is neuralnet's, 1/2 sum (y - yhat)^2; a model file knows only its mse, and says so."""
    t = model.training
    if experiment is not None:
        sse = experiment.evaluate().mse * experiment.Y_train.size / 2
        return f"Error: {sse:.4f}  Steps: {int(experiment.session.iteration)}"
    if t.get("mse") is None and t.get("iterations") is None:
        return None
    err = f"Error: {t['mse']:.4f} (mse)  " if isinstance(t.get("mse"), (int, float)) else ""
    return f"{err}Steps: {int(t.get('iterations') or 0)}"


def figure_scene(fig: Figure, what: str = "diagram", labels: bool = False, theme: str = "light",
                 title: str | None = None, size: tuple[int, int] = (900, 600)) -> D.Scene:
    """The scene of a diagram, error curve or decision map of ``fig``."""
    m = fig.model
    if what == "diagram":
        return D.diagram(m.network.weights, m.input_labels, m.output_names, theme, labels, title, footer(m, fig.experiment),
                         size)
    if what == "errors":
        if fig.history_x is None or len(fig.history_x) == 0:
            raise ValueError("this model file has no error history: plot the errors of a session (.nnviz) instead")
        return D.error_plot(fig.history_x, fig.history_y, theme, size, title=title)
    if what == "map":
        exp = fig.experiment
        return map_scene(m, exp.dataset if exp else None, exp.train if exp else None, theme, size, title)
    raise ValueError(f"--what must be one of {', '.join(WHAT)} (got {what!r})")


def _raw_range(m) -> tuple[np.ndarray, np.ndarray]:
    """A model file without its data: the raw inputs' mean +- 3 standard deviations, from the
    input scaling (of the x1 and x2 features for a featured model; without them, Playground's
    [-6, 6] square)."""
    c, s = m.scaling.x_center, m.scaling.x_scale
    if m.features:
        if not {"x1", "x2"} <= set(m.features):
            return np.array([-6.0, -6.0]), np.array([6.0, 6.0])
        cols = [m.features.index("x1"), m.features.index("x2")]
        c, s = c[cols], s[cols]
    return c - 3 * s, c + 3 * s


def map_scene(model, dataset=None, train=None, theme: str = "light", size: tuple[int, int] = (900, 600),
              title: str | None = None) -> D.Scene:
    """The decision map of a model of two (raw) inputs over the grid the window uses (80 x 80
    cells over the data plus 8 %), with the training rows on top; without data, over the inputs'
    mean +- 3 standard deviations.  ``nnviz plot --what map`` and the window's export both draw this."""
    if len(model.input_names) != 2:
        raise ValueError(f"a decision map needs a model with 2 inputs, this one has {len(model.input_names)}")
    if dataset is not None and train is not None:
        grid = map_grid(dataset, model.scaling, MAP_GRID)
        T = train.T
        cls = T.argmax(axis=1) if T.shape[1] > 1 else (T[:, 0] >= 0.5).astype(int)
        pts = train.X
    else:  # no data: the inputs' mean +- 3 standard deviations
        lo, hi = _raw_range(model)
        grid = map_grid(SimpleNamespace(X=np.array([lo, hi])), model.scaling, MAP_GRID)
        pts, cls = None, None
    out = model.network.predict(grid.points)
    return D.decision_map(out, grid.size, grid.rect, theme, size, points=pts, point_class=cls,
                          names=tuple(model.input_names), title=title)


def diagram_of_view(view, theme: str = "light") -> D.Scene:
    """The window's diagram (its weights, names and label setting) as a scene of its size."""
    if not view.weights or view.context is None:
        raise ValueError("there is no network to export yet")
    ds = view.context.dataset
    it = view.shown_iteration
    return D.diagram(view.weights, view.context.input_labels, ds.output_names, theme, view.show_labels,
                     footer=None if it is None else f"Steps: {it}",
                     size=(max(view.width(), 400), max(view.height(), 300)))


def export_diagram(view, path: str | Path) -> None:
    """The window's diagram to .svg, .pdf or .png (PNG: 2x the view's size, i.e. 192 dpi)."""
    scene = diagram_of_view(view)
    render.save(scene, path, dpi=192)


def export_map(model, dataset, train, path: str | Path, size: tuple[int, int] = (640, 600)) -> None:
    """The decision map of the window's network to .svg, .pdf (vectors: one rectangle per run of
    equal cells) or .png (192 dpi), drawn as ``nnviz plot --what map`` draws it."""
    if model is None:
        raise ValueError("there is no network to export yet")
    render.save(map_scene(model, dataset, train, size=size), path, dpi=192)


def export_errors(x, y, path: str | Path, test_x=None, test_y=None, size: tuple[int, int] = (800, 500)) -> None:
    """The error history (and the test set's) as a curve to .svg, .pdf or .png (PNG at 192 dpi)."""
    test = (test_x, test_y) if test_x is not None and len(test_x) else None
    render.save(D.error_plot(x, y, size=size, test=test), path, dpi=192)
