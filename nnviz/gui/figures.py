"""Figures for papers and slides: the network diagram, the error curve and the decision
map as SVG, PDF or PNG (``nnviz.core.diagram`` makes the scene, ``render`` paints it), and
the error history as CSV, from the window (``export_window``, the options its dialog asks)
or headless (``nnviz plot``), both through ``save_figure``.  ``export_view`` grabs a
pyqtgraph view as it is on screen.  Every file is written atomically (a temporary file,
then a rename)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from ..core import diagram as D
from ..core.context import grid_over
from ..core.runner import MAP_GRID, map_grid
from ..io import atomic
from . import render

if TYPE_CHECKING:
    from ..core.model import Model

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
SIZES = {"diagram": (900, 600), "errors": (800, 500), "map": (640, 600)}  # the window's, in CSS pixels


@dataclass
class Figure:
    """What a figure is drawn from, by ``nnviz plot`` and the window alike: a model, and when
    known the error history (a session's, a model file's, the window's), the data rows (for the
    map), plot.nn's error of the weights shown and the iteration."""

    model: Model
    history_x: np.ndarray | None = None
    history_y: np.ndarray | None = None
    experiment: object = None
    dataset: object = None
    train: object = None
    test_x: np.ndarray | None = None
    test_y: np.ndarray | None = None


@dataclass(frozen=True)
class FigureOptions:
    """How the window writes a figure (what ``nnviz plot`` takes as options): the file (its
    format from the extension), PNG resolution, theme, title and, for the diagram, the weight
    labels (None: as the window shows them)."""

    path: str
    dpi: float = 300.0
    theme: str = "light"
    title: str | None = None
    labels: bool | None = None

    def check(self, what: str) -> None:
        """One-line ValueError for a file or value that cannot be written."""
        ext = Path(self.path).suffix.lower()
        allowed = render.FORMATS + ((".csv",) if what == "errors" else ())
        if ext not in allowed:
            raise ValueError(f"{self.path}: unsupported image format {Path(self.path).suffix or '(none)'!r} "
                             f"(supported: {', '.join(allowed)})")
        D.theme(self.theme)
        if not (10 <= self.dpi <= 2400):
            raise ValueError(f"the resolution must be 10 to 2400 dpi (got {self.dpi:g})")


def open_figure(path: str | Path) -> Figure:
    """A model file (.json, .npz, .onnx: its error history when the file keeps one) or a session
    (.nnviz, with its data and error history)."""
    from ..io import session as sessionfile

    if str(path).lower().endswith(sessionfile.EXTENSION):
        data = sessionfile.load(path)
        exp = sessionfile.restore(data)
        return Figure(exp.model(), data.history_x, data.history_y, exp, exp.dataset, exp.train)
    from .. import io as nnio
    from ..io.format_json import history_of

    model = nnio.load(path)
    h = history_of(model.training)
    return Figure(model, *(h if h is not None else (None, None)))


def footer(model, experiment=None) -> str | None:
    """R neuralnet's plot.nn footer, "Error: 0.6523  Steps: 50000", the error 1/2 sum (y - yhat)^2
    over the training rows and outputs: computed with the data (a session), else the model's
    ``error`` (written by ``nnviz train`` and the window); a model file without it (older files,
    or made elsewhere) gives the steps only."""
    t = model.training
    if experiment is not None:
        err = D.neuralnet_error(experiment.Y_train, model.network.predict(experiment.X_train))
        return D.footer_text(err, int(experiment.session.iteration))
    err = t.get("error")
    return D.footer_text(float(err) if isinstance(err, (int, float)) and not isinstance(err, bool) else None,
                         t.get("iterations"))


def figure_scene(fig: Figure, what: str = "diagram", labels: bool = False, theme: str = "light",
                 title: str | None = None, size: tuple[int, int] = (900, 600)) -> D.Scene:
    """The scene of a diagram, error curve or decision map of ``fig``."""
    m = fig.model
    if what == "diagram":
        return D.diagram(m.network.weights, m.input_labels, m.output_names, theme, labels, title, footer(m, fig.experiment),
                         size)
    if what == "errors":
        if fig.history_x is None or len(fig.history_x) == 0:
            raise ValueError("this model file has no error history: plot the errors of a session (.nnviz), or of a "
                             "model written by nnviz train or the window")
        test = (fig.test_x, fig.test_y) if fig.test_x is not None and len(fig.test_x) else None
        return D.error_plot(fig.history_x, fig.history_y, theme, size, title=title, test=test)
    if what == "map":
        return map_scene(m, fig.dataset, fig.train, theme, size, title)
    raise ValueError(f"--what must be one of {', '.join(WHAT)} (got {what!r})")


def save_figure(fig: Figure, what: str, path: str | Path, labels: bool = False, theme: str = "light",
                title: str | None = None, size: tuple[int, int] = (900, 600), dpi: float = 300.0) -> D.Scene:
    """Draw ``fig`` and write it to .svg, .pdf or .png (``dpi``): ``nnviz plot`` and the window's
    exports both write their figures here.  Returns the scene (its notes)."""
    scene = figure_scene(fig, what, labels, theme, title, size)
    render.save(scene, path, dpi=dpi)
    return scene


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
        grid = grid_over(np.array([lo, hi]), model.scaling, MAP_GRID)
        pts, cls = None, None
    assert grid is not None  # (two inputs)
    out = model.network.predict(grid.points)
    return D.decision_map(out, grid.size, grid.rect, theme, size, points=pts, point_class=cls,
                          names=tuple(model.input_names), title=title)


def window_figure(model, context, history=None, test=None) -> Figure:
    """The window's network (``current_model``, its training metadata with plot.nn's error), its
    data and error history (and the test set's) as a Figure."""
    if model is None or context is None:
        raise ValueError("there is no network to export yet")
    hx, hy = (history.x, history.y) if history is not None else (None, None)
    tx, ty = (test.x, test.y) if test is not None else (None, None)
    return Figure(model, hx, hy, None, context.dataset, context.train, tx, ty)


def export_window(fig: Figure, what: str, options: FigureOptions, size: tuple[int, int] | None = None,
                  labels: bool = False) -> D.Scene:
    """A window export with the options its dialog asked for, through ``save_figure`` as
    ``nnviz plot``; the error history as CSV when the file is one.  ``labels``: the window's
    setting, used when the options leave it open."""
    options.check(what)
    if what == "errors" and options.path.lower().endswith(".csv"):
        if fig.history_x is None or fig.history_y is None:
            raise ValueError("there is no error history yet")
        export_history_csv(fig.history_x, fig.history_y, options.path, fig.test_x, fig.test_y)
        return D.Scene(0, 0, (255, 255, 255))
    return save_figure(fig, what, options.path, labels if options.labels is None else options.labels,
                       options.theme, options.title or None, size or SIZES[what], options.dpi)
