"""The Dynamics tab: inside training, at the iteration shown.

Four pages, all painted from the snapshot (``Snapshot.dynamics``, computed by the runner only
while this tab is visible, see ``core/dynamics.py``), except the landscape (its own page,
``landscape_view.py``):

* **Gradient flow**: per weight layer, ||dC/dW|| and the mean |delta| over the iterations (log
  scale), one line per layer, and the update-to-weight ratio with the usual 1e-3 guide line.  A
  deep sigmoid network's first layers sit decades below its last: the vanishing gradient.
* **Distributions**: the chosen layer's weights and activations over the iterations as
  percentile bands (TensorBoard's: min-max, 6.7-93.3 %, 15.9-84.1 %, 30.9-69.1 %, the median), and
  their histograms at the iteration shown; the saturation of every layer (sigmoid and tanh
  activations within 0.01 of a limit, relu units dead on every row), flagged from 50 %.
* **Hidden space** (two-input data): the rows and the input plane's grid lines as a hidden layer
  sees them (its two neurons, or a PCA of its activations fixed for the run): how the network
  bends the plane until the classes come apart (ConvNetJS's classify2d).
* **Landscape**: the loss landscape, on demand.

*Save figure* on the gradient-flow, hidden-space and landscape pages writes what they show as SVG,
PDF or PNG through the figures' drawing (``core/dynamics_figures.py``, ``core/landscape_figures.py``).

The histories are recorded when the snapshots are made (at most about 30 a second while
training, and after every command), not at every iteration, and only while the tab is visible;
a vertical line marks the iteration shown (a look back with the history slider moves it).
The view sets data only; what it draws is the snapshot's.
"""

from __future__ import annotations

from typing import cast

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QComboBox, QFileDialog, QFrame, QHBoxLayout, QLabel, QMessageBox, QPushButton,
                               QScrollArea, QSplitter, QTabWidget, QVBoxLayout, QWidget)

from ...core import dynamics as dyn
from ...core.dynamics_figures import clip_line, gradient_flow, hidden_space_panels
from ...core.landscape_figures import VIRIDIS, colour_at
from ...core.snapshot import Snapshot
from .flow_layout import FlowLayout
from .landscape_view import LandscapePage
from .node_pictures import CLASS_COLOURS, ONE_GROUP

MARKER_PEN = (179, 88, 6)
FLAG = 0.5  # a hidden layer this saturated (or this share of dead relu units) is flagged
BAND_ALPHAS = (40, 70, 110, 160)  # min-max, 6.7-93.3, 15.9-84.1, 30.9-69.1
BAND_COLOUR = (33, 102, 172)
ACT_COLOUR = (230, 97, 1)
PAGES = ("gradients", "distributions", "hidden", "landscape")


def save_scene(make_scene, path: str, dpi: float = 300.0, theme: str = "light", title: str | None = None) -> None:
    """Write the figure ``make_scene(title, theme)`` draws (SVG, PDF or PNG, as the other figures are
    written: ``figures.FigureOptions``, ``render.save``); ValueError (one line) when there is none yet."""
    from ..figures import FigureOptions
    from .. import render

    FigureOptions(path, dpi, theme, title).check("dynamics")
    scene = make_scene(title, theme)
    if scene is None:
        raise ValueError("there is nothing to draw yet: show the tab while training")
    render.save(scene, path, dpi=dpi)


def save_dialog(parent, default: str, make_scene) -> None:
    """Ask for a file and write the figure there; a failure is one line in a message box."""
    path, chosen = QFileDialog.getSaveFileName(parent, "Save figure", default,
                                               "SVG (*.svg);;PDF (*.pdf);;PNG image (*.png)")
    if not path:
        return
    if "." not in path.rsplit("/", 1)[-1] and "*." in chosen:
        path += chosen[chosen.rfind("*.") + 1:].rstrip(")")
    try:
        save_scene(make_scene, path)
    except (ValueError, OSError) as exc:
        QMessageBox.warning(parent, "nnviz", str(exc))


def layer_colour(li: int, layers: int) -> tuple[int, int, int]:
    """The colour of weight layer li of ``layers``: dark (the first) to light green (the output)."""
    return colour_at(0.85 * li / max(layers - 1, 1), VIRIDIS)


def layer_name(li: int, layers: int, activation: str) -> str:
    where = "output" if li == layers - 1 else f"hidden {li + 1}"
    return f"W{li + 1} \u2192 {where} ({activation})"


def _plot(title: str, log: bool = True) -> pg.PlotWidget:
    p = pg.PlotWidget(background="w")
    p.setMenuEnabled(False)
    p.setMinimumSize(80, 90)
    p.setTitle(title, size="9pt")
    if log:
        p.setLogMode(y=True)
    p.showGrid(x=False, y=True, alpha=0.25)
    return p


def _positive(v: np.ndarray) -> np.ndarray:
    """Values for a log axis: not positive or not finite -> NaN (a gap in the line)."""
    v = np.array(v, dtype=float)
    v[~(v > 0) | ~np.isfinite(v)] = np.nan
    return v


class GradientPage(QWidget):
    """||dC/dW||, mean |delta| and the update ratio per layer over the iterations."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.plots = [_plot("\u2016dC/dW\u2016 per layer"), _plot("mean |\u03b4| per layer"),
                      _plot("update / weight: \u2016\u0394W\u2016 / \u2016W\u2016")]
        self.curves: list[list[pg.PlotDataItem]] = [[], [], []]
        self.markers = []
        for p in self.plots:
            m = pg.InfiniteLine(angle=90, movable=False, pen=pg.mkPen(*MARKER_PEN, width=1.5))
            p.addItem(m)
            self.markers.append(m)
        self.guide = pg.InfiniteLine(angle=0, pos=np.log10(dyn.GUIDE_RATIO), movable=False,
                                     pen=pg.mkPen(120, 120, 120, style=Qt.DashLine),
                                     label="1e-3", labelOpts={"position": 0.05, "color": (90, 90, 90)})
        self.plots[2].addItem(self.guide)
        self.legend = QLabel()
        self.legend.setWordWrap(True)
        self.readout = QLabel()
        self.readout.setWordWrap(True)
        self.readout.setStyleSheet("color: #333")
        split = QSplitter(Qt.Horizontal)
        for p in self.plots:
            split.addWidget(p)
        split.setChildrenCollapsible(False)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        self.save_button = QPushButton("Save figure\u2026")
        self.save_button.setToolTip("the three plots as SVG, PDF or PNG (the figures' drawing)")
        self.save_button.clicked.connect(lambda: save_dialog(self, "gradient-flow.svg", self.scene))
        head = QHBoxLayout()
        head.addWidget(self.legend, 1)
        head.addWidget(self.save_button, 0, Qt.AlignTop)
        lay.addLayout(head)
        lay.addWidget(split, 1)
        lay.addWidget(self.readout)
        self.painted: tuple[dyn.Dynamics, int] | None = None

    def set_layers(self, names: list[str]) -> None:
        L = len(names)
        for k, p in enumerate(self.plots):
            for c in self.curves[k]:
                p.removeItem(c)
            self.curves[k] = []
            for li in range(L):
                c = pg.PlotDataItem(pen=pg.mkPen(*layer_colour(li, L), width=2), connect="finite")
                p.addItem(c)
                self.curves[k].append(c)
        self.legend.setText("  ".join(f"<span style='color: rgb{layer_colour(li, L)}'>\u25a0</span> {n}"
                                      for li, n in enumerate(names)))
        self.readout.setText("")

    def scene(self, title: str | None = None, theme: str = "light"):
        """The plots as drawn now, as a figure (None before the first history)."""
        if self.painted is None:
            return None
        d, it = self.painted
        if d.history is None:
            return None
        return gradient_flow(d.history, d.activations, title, theme, marker=it)

    def draw(self, d: dyn.Dynamics, iteration: int) -> None:
        self.painted = (d, iteration)
        h = d.history
        if h is not None:
            x = h.iterations.astype(float)
            for k, values in enumerate((h.grad_norm, h.delta_mean, h.ratio)):
                for li, c in enumerate(self.curves[k]):
                    if li < values.shape[1]:
                        c.setData(x, _positive(values[:, li]))
        for m in self.markers:
            m.setValue(iteration)
        now = d.now
        parts = [f"at iteration {iteration:,}:"]
        for k, what in ((0, "\u2016dC/dW\u2016"), (1, "mean |\u03b4|"), (2, "ratio")):
            vals = " \u00b7 ".join("\u2014" if not np.isfinite(v) else f"{v:.2g}" for v in now[:, k])
            parts.append(f"{what} {vals}")
        self.readout.setText("  ".join(parts))


class Bands:
    """Percentile bands (TensorBoard's distributions) of one quantity over the iterations."""

    def __init__(self, plot: pg.PlotWidget, colour):
        self.lines = [pg.PlotCurveItem(pen=pg.mkPen(*colour, 60, width=1)) for _ in dyn.PERCENTILES]
        for c in self.lines:
            plot.addItem(c)
        self.fills = []
        k = len(dyn.PERCENTILES)
        for j, alpha in enumerate(BAND_ALPHAS):
            f = pg.FillBetweenItem(self.lines[j], self.lines[k - 1 - j], brush=pg.mkBrush(*colour, alpha))
            plot.addItem(f)
            self.fills.append(f)
        self.median = pg.PlotDataItem(pen=pg.mkPen(*colour, width=2))
        plot.addItem(self.median)

    def set(self, x: np.ndarray, pct: np.ndarray) -> None:
        """``pct`` (points, len(PERCENTILES))."""
        for j, c in enumerate(self.lines):
            c.setData(x, pct[:, j], connect="finite")
        self.median.setData(x, pct[:, len(dyn.PERCENTILES) // 2])


class DistributionPage(QWidget):
    """The chosen layer's weight and activation bands, their histograms now, and saturation."""

    layerChanged = Signal()

    def __init__(self, parent=None):
        super().__init__(parent)
        self.layer_box = QComboBox()
        self.layer_box.setSizeAdjustPolicy(QComboBox.AdjustToContents)
        self.layer_box.setToolTip("the weight layer whose weights (bias row included) and activations are shown")
        self.saturation = QLabel()
        self.saturation.setWordWrap(True)
        self.w_plot, self.a_plot = _plot("weights", log=False), _plot("activations over the rows", log=False)
        self.w_bands, self.a_bands = Bands(self.w_plot, BAND_COLOUR), Bands(self.a_plot, ACT_COLOUR)
        self.markers = []
        for p in (self.w_plot, self.a_plot):
            m = pg.InfiniteLine(angle=90, movable=False, pen=pg.mkPen(*MARKER_PEN, width=1.5))
            p.addItem(m)
            self.markers.append(m)
        self.w_hist, self.a_hist = _plot("", log=False), _plot("", log=False)
        for p in (self.w_hist, self.a_hist):
            p.setMinimumSize(80, 45)  # the two of them no taller than one plot of the other tabs
        self.w_bars = pg.BarGraphItem(x0=[0], x1=[0], y0=[0], y1=[0], brush=pg.mkBrush(*BAND_COLOUR, 200), pen=None)
        self.a_bars = pg.BarGraphItem(x0=[0], x1=[0], y0=[0], y1=[0], brush=pg.mkBrush(*ACT_COLOUR, 200), pen=None)
        self.w_hist.addItem(self.w_bars)
        self.a_hist.addItem(self.a_bars)
        hists = QSplitter(Qt.Vertical)
        hists.addWidget(self.w_hist)
        hists.addWidget(self.a_hist)
        split = QSplitter(Qt.Horizontal)
        for w in (self.w_plot, self.a_plot, hists):
            split.addWidget(w)
        split.setChildrenCollapsible(False)
        bar = QWidget()
        row = QHBoxLayout(bar)
        row.setContentsMargins(4, 2, 4, 0)
        row.addWidget(QLabel("layer"))
        row.addWidget(self.layer_box)
        row.addWidget(self.saturation, 1)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(bar)
        lay.addWidget(split, 1)
        self.layer_box.currentIndexChanged.connect(lambda _: self.layerChanged.emit())

    @property
    def layer(self) -> int:
        return max(self.layer_box.currentIndex(), 0)

    def set_layers(self, names: list[str]) -> None:
        if [self.layer_box.itemText(i) for i in range(self.layer_box.count())] != names:
            self.layer_box.blockSignals(True)
            self.layer_box.clear()
            self.layer_box.addItems(names)
            self.layer_box.blockSignals(False)
        self.saturation.setText("")
        for b in (self.w_bars, self.a_bars):
            b.setOpts(x0=[0], x1=[0], y0=[0], y1=[0])

    def draw(self, d: dyn.Dynamics, iteration: int) -> None:
        li = self.layer
        h = d.history
        if h is not None and li < h.values.shape[1]:
            x = h.iterations.astype(float)
            self.w_bands.set(x, h.w_pct[:, li])
            self.a_bands.set(x, h.a_pct[:, li])
        for m in self.markers:
            m.setValue(iteration)
        name = self.layer_box.currentText()
        matrix, where = name.split(" ")[0], name.split(" \u2192 ")[-1]
        self.w_plot.setTitle(f"{matrix}: weights (percentiles)", size="9pt")
        self.a_plot.setTitle(f"{where.split(' ')[0] if where.startswith('output') else 'h' + where.split(' ')[1]}: "
                             "activations (percentiles)", size="9pt")
        if d.hist is not None and d.hist.layer == li:
            hs = d.hist
            self.w_bars.setOpts(x0=hs.w_edges[:-1], x1=hs.w_edges[1:], y0=np.zeros(hs.w_counts.size), y1=hs.w_counts)
            self.a_bars.setOpts(x0=hs.a_edges[:-1], x1=hs.a_edges[1:], y0=np.zeros(hs.a_counts.size), y1=hs.a_counts)
            self.w_hist.setTitle(f"{matrix} at iteration {iteration:,}", size="9pt")
            self.a_hist.setTitle(f"activations at iteration {iteration:,}", size="9pt")
        self.saturation.setText(saturation_text(d.now[:, 3], d.activations))


def saturation_text(share: np.ndarray, acts: tuple[str, ...]) -> str:
    """"saturated: h1 2 %, h2 71 % \u26a0, ..." (relu: dead units); hidden layers from FLAG flagged."""
    parts = []
    L = len(acts)
    for li, (v, act) in enumerate(zip(share, acts, strict=True)):
        if not np.isfinite(v):
            continue
        name = "out" if li == L - 1 else f"h{li + 1}"
        what = "dead" if act == "relu" else "saturated"
        text = f"{name} {v:.0%} {what}"
        if li < L - 1 and v >= FLAG:
            text = f"<b style='color: #b35806'>{text} \u26a0</b>"
        parts.append(text)
    return "at the iteration shown: " + ", ".join(parts) if parts else ""


class HiddenPage(QWidget):
    """The rows and the input plane's grid lines in a hidden layer's space."""

    choiceChanged = Signal()

    def __init__(self, parent=None):
        super().__init__(parent)
        self.layer_box = QComboBox()
        self.layer_box.setToolTip("the hidden layer whose space is drawn")
        self.refit = QPushButton("Refit PCA here")
        self.refit.setToolTip("fit the projection to the activations of the iteration shown (and keep it)")
        self.fit = QPushButton("Fit view")
        self.info = QLabel()
        self.info.setWordWrap(True)
        self.note = QLabel("The hidden space needs data with two inputs (spiral, xor, circles, ...).")
        self.note.setStyleSheet("color: #555")
        self.note.setWordWrap(True)
        self._refits = 0
        self.hidden: dyn.HiddenSpace | None = None
        self.plot = _plot("", log=False)
        self.plot.showGrid(x=False, y=False)
        self.plot.setAspectLocked(False)
        self.lines_x1 = pg.PlotDataItem(pen=pg.mkPen(120, 150, 200, 170, width=1), connect="finite")
        self.lines_x2 = pg.PlotDataItem(pen=pg.mkPen(220, 160, 110, 170, width=1), connect="finite")
        self.dots = pg.ScatterPlotItem(size=6, pen=pg.mkPen(40, 40, 40, 120))
        self.boundary = pg.PlotDataItem(pen=pg.mkPen(30, 30, 30, width=1.5, style=Qt.DashLine))
        for item in (self.lines_x1, self.lines_x2, self.boundary, self.dots):
            self.plot.addItem(item)
        bar = QWidget()
        top = FlowLayout(bar, spacing=8)
        top.setContentsMargins(4, 2, 4, 0)
        pair = QWidget()
        row = QHBoxLayout(pair)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(QLabel("layer"))
        row.addWidget(self.layer_box)
        top.addWidget(pair)
        top.addWidget(self.refit)
        top.addWidget(self.fit)
        self.save_button = QPushButton("Save figure\u2026")
        self.save_button.clicked.connect(lambda: save_dialog(self, "hidden-space.svg", self.scene))
        top.addWidget(self.save_button)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(bar)
        lay.addWidget(self.info)
        lay.addWidget(self.note)
        lay.addWidget(self.plot, 1)
        self.layer_box.currentIndexChanged.connect(self._layer_changed)
        self.refit.clicked.connect(self._refit)
        self.fit.clicked.connect(self.fit_view)
        self._bounds: tuple[float, float, float, float] | None = None

    def set_context(self, ctx) -> None:
        two = ctx.map_grid is not None and len(ctx.arch.hidden) > 0
        self.note.setVisible(not two)
        if not ctx.arch.hidden:
            self.note.setText("The hidden space needs a hidden layer.")
        self.plot.setVisible(two)
        for w in (self.layer_box, self.refit, self.fit, self.info):
            w.setEnabled(two)
        names = [f"hidden {k + 1} ({n} neurons, {a})" for k, (n, a) in enumerate(zip(ctx.arch.hidden,
                                                                                      ctx.arch.activations,
                                                                                      strict=True))]
        if [self.layer_box.itemText(i) for i in range(self.layer_box.count())] != names:
            self.layer_box.blockSignals(True)
            self.layer_box.clear()
            self.layer_box.addItems(names)
            self.layer_box.setCurrentIndex(max(len(names) - 1, 0))  # the last hidden layer, the one the output reads
            self.layer_box.blockSignals(False)
        self._refits = 0
        self._bounds = None
        self.hidden, self.shown_at = None, None
        for item in (self.lines_x1, self.lines_x2, self.boundary, self.dots):
            item.setData([], [])
        self.info.setText("")
        self.enabled = two

    enabled = False

    @property
    def layer(self) -> int:
        """The chosen hidden layer, 1-based."""
        return max(self.layer_box.currentIndex(), 0) + 1

    @property
    def key(self) -> str:
        return "start" if self._refits == 0 else f"r{self._refits}"

    def _layer_changed(self, *_) -> None:
        self._refits = 0
        self._bounds = None
        self.choiceChanged.emit()

    def _refit(self) -> None:
        self._refits += 1
        self._bounds = None
        self.choiceChanged.emit()

    def fit_view(self) -> None:
        self._bounds = None
        if self.hidden is not None:
            self._range(self.hidden)

    def scene(self, title: str | None = None, theme: str = "light"):
        """The frame shown as a figure (None before the first)."""
        if self.hidden is None or self.shown_at is None:
            return None
        return hidden_space_panels([(self.shown_at, self.hidden)], title, theme, size=(520, 560))

    shown_at: int | None = None

    def draw(self, hs: dyn.HiddenSpace | None, iteration: int) -> None:
        if hs is None:
            return
        self.hidden, self.shown_at = hs, iteration
        n = dyn.GRID_LINES
        self.lines_x1.setData(*_polylines(hs.lines[:n]))
        self.lines_x2.setData(*_polylines(hs.lines[n:]))
        if hs.classes is not None:
            brushes = [pg.mkBrush(*CLASS_COLOURS[int(c) % len(CLASS_COLOURS)]) for c in hs.classes]
        else:
            brushes = [pg.mkBrush(*ONE_GROUP)] * len(hs.points)
        self.dots.setData(hs.points[:, 0], hs.points[:, 1], brush=brushes)
        ends = None
        if hs.boundary is not None:  # the output's decision line, across a generous box round the rows
            lo, hi = hs.points.min(axis=0), hs.points.max(axis=0)
            pad = np.maximum(hi - lo, 1.0) * 2
            ends = clip_line(hs.boundary, lo - pad, hi + pad)
        self.boundary.setData(*(np.array(ends).T if ends is not None else ([], [])))
        self.plot.setLabel("bottom", hs.axes[0])
        self.plot.setLabel("left", hs.axes[1])
        self.refit.setVisible(hs.kind == "pca")
        if hs.kind == "pca" and hs.explained is not None:
            self.info.setText(f"the first two principal components of the layer's activations at iteration "
                              f"{hs.fitted_at:,} ({hs.explained[0]:.0%} and {hs.explained[1]:.0%} of their variance), "
                              f"fixed since; iteration {iteration:,} shown")
        else:
            line = "; dashed: where the output decides" if hs.boundary is not None else ""
            self.info.setText(f"the layer's neurons themselves{line}; iteration {iteration:,} shown")
        self._range(hs)

    def _range(self, hs: dyn.HiddenSpace) -> None:
        """The rows' range (the grid lines run on beyond it), one that only grows: a frame's change
        is not hidden by a rescale; Fit view fits it anew."""
        pts = hs.points[np.isfinite(hs.points).all(axis=1)]
        if pts.size == 0:
            return
        lo, hi = pts.min(axis=0), pts.max(axis=0)
        pad = np.maximum((hi - lo) * 0.08, 1e-6)
        lo, hi = lo - pad, hi + pad
        if self._bounds is not None:
            lo = np.minimum(lo, self._bounds[:2])
            hi = np.maximum(hi, self._bounds[2:])
        bounds = (float(lo[0]), float(lo[1]), float(hi[0]), float(hi[1]))
        if bounds != self._bounds:
            self._bounds = bounds
            self.plot.setRange(xRange=(bounds[0], bounds[2]), yRange=(bounds[1], bounds[3]), padding=0)


def _polylines(lines: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(x, y) of several polylines (k, points, 2) separated by NaN, for one PlotDataItem."""
    k, m, _ = lines.shape
    out = np.full((k, m + 1, 2), np.nan)
    out[:, :m] = lines
    flat = out.reshape(-1, 2)
    return flat[:, 0], flat[:, 1]


class DynamicsView(QWidget):
    """The Dynamics tab (see the module doc)."""

    needsChanged = Signal()

    def __init__(self, controller=None, parent=None):
        super().__init__(parent)
        self.ctx = None
        self.shown_iteration: int | None = None
        self.dynamics: dyn.Dynamics | None = None  # the one painted now
        self.pages = QTabWidget()
        self.pages.setDocumentMode(True)
        self.gradients = GradientPage()
        self.distributions = DistributionPage()
        self.hidden = HiddenPage()
        self.landscape = LandscapePage(controller)
        self._scrolls = []
        for page, name in ((self.gradients, "Gradient flow"), (self.distributions, "Distributions"),
                           (self.hidden, "Hidden space"), (self.landscape, "Landscape")):
            scroll = QScrollArea()  # a small (or scaled) screen scrolls a page rather than grow the window
            scroll.setWidget(page)
            scroll.setWidgetResizable(True)
            scroll.setFrameShape(QFrame.NoFrame)
            self._scrolls.append(scroll)
            self.pages.addTab(scroll, name)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.pages)
        self.pages.currentChanged.connect(lambda _: self._repaint_and_ask())
        self.distributions.layerChanged.connect(self._repaint_and_ask)
        self.hidden.choiceChanged.connect(self._repaint_and_ask)

    @property
    def page(self) -> str:
        return PAGES[max(self.pages.currentIndex(), 0)]

    def show_page(self, page: QWidget) -> None:
        """Bring ``page`` (self.gradients, ...) forward."""
        for k, scroll in enumerate(self._scrolls):
            if scroll.widget() is page:
                self.pages.setCurrentIndex(k)

    def set_context(self, ctx) -> None:
        """A new network (or rows): its layers' names; a new history comes with its snapshots."""
        self.ctx = ctx
        self.dynamics, self.shown_iteration = None, None
        L = len(ctx.arch.hidden) + 1
        acts = ctx.arch.layer_activations
        names = [layer_name(li, L, acts[li]) for li in range(L)]
        self.gradients.set_layers(names)
        self.distributions.set_layers(names)
        self.hidden.set_context(ctx)
        self.landscape.set_context(ctx)
        self.needsChanged.emit()

    def needs(self, visible: bool) -> set[str]:
        """What the runner must compute for this tab (core/dynamics.py's need strings)."""
        if self.ctx is None or not visible:
            return set()
        out = {"dynamics"}  # the histories, whatever page is open, so that none has a gap
        if self.page == "distributions":
            out.add(f"dyn_hist:{self.distributions.layer}")
        elif self.page == "hidden" and self.hidden.enabled:
            out.add(f"hidden_space:{self.hidden.layer}:{self.hidden.key}")
        return out

    def _repaint_and_ask(self, *_) -> None:
        self.needsChanged.emit()
        if self.dynamics is not None and self.shown_iteration is not None:
            self._paint(self.dynamics, self.shown_iteration)

    def show_snapshot(self, snap: Snapshot) -> None:
        self.shown_iteration = snap.iteration
        self.landscape.show_snapshot(snap)
        d = cast("dyn.Dynamics | None", snap.dynamics)  # (Snapshot types it object: import cycles)
        if d is None or d is self.dynamics:
            return
        self.dynamics = d
        self._paint(d, snap.iteration)

    def _paint(self, d: dyn.Dynamics, iteration: int) -> None:
        page = self.page
        if page == "gradients":
            self.gradients.draw(d, iteration)
        elif page == "distributions":
            self.distributions.draw(d, iteration)
        elif page == "hidden":
            self.hidden.draw(d.hidden, iteration)

    def stop(self) -> None:
        """Cancel a landscape under way (closing the window)."""
        self.landscape.stop()
