"""The Explain tab: what the network has learned, at the iteration shown.

Three plots side by side, all from the snapshot (``Snapshot.learned``, computed by the runner
only while this tab is visible, see ``core/importance.py``): the inputs' importance as bars
(Olden's, signed, per output; or Garson's, where NeuralNetTools defines it), coloured like the
diagram (blue positive, orange negative); the generalized weights of the chosen input against
its value, one dot a training row (gwplot's picture); and the chosen input's profile (Lek's,
the others at quantiles or cluster centres, or partial dependence with ICE curves).  Scrubbing
the history slider shows how importance emerged.  Clicking a bar chooses that input.  *Colour
the diagram's inputs* rings the diagram's input nodes in their importance's colour (and keeps
the importance computed while the tab is hidden).

The view sets data only; it computes nothing (the bars' lengths are the snapshot's values).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QCheckBox, QComboBox, QHBoxLayout, QLabel, QSplitter, QVBoxLayout, QWidget

from ...core import profiles as prof
from ...core.snapshot import Snapshot
from .flow_layout import FlowLayout
from .node_pictures import CLASS_COLOURS

if TYPE_CHECKING:
    from ...core.importance import Learned

POSITIVE = (33, 102, 172)  # the diagram's blue
NEGATIVE = (230, 97, 1)  # and orange
ICE_PEN = (190, 190, 190)
METHODS = ("olden", "garson")
METHOD_NAMES = {"olden": "Olden", "garson": "Garson"}


class ExplainView(QWidget):
    """Importance bars, a generalized-weights scatter and a profile, for one output."""

    needsChanged = Signal()

    def __init__(self, diagram=None, parent=None):
        super().__init__(parent)
        self.diagram = diagram  # the NetworkView whose input nodes can be coloured
        self.ctx = None
        self.shown_iteration: int | None = None
        self.learned = None  # the importance.Learned painted now
        self.bar_values: np.ndarray | None = None  # the bars' values as drawn, inputs in order
        self.output_box, self.method_box, self.input_box = QComboBox(), QComboBox(), QComboBox()
        self.column_box, self.profile_box = QComboBox(), QComboBox()
        for key in METHODS:
            self.method_box.addItem(METHOD_NAMES[key], key)
        self.method_box.setToolTip("Olden: the sum over paths of the products of the weights, signed, any depth\n"
                                   "Garson: relative importance from absolute weights (one hidden layer, one output)")
        for key in prof.KINDS:
            self.profile_box.addItem(prof.KIND_NAMES[key], key)
        for box in (self.output_box, self.input_box, self.column_box):
            box.setSizeAdjustPolicy(QComboBox.AdjustToContents)
        self.output_box.setToolTip("the output whose importance, generalized weights and profile are shown")
        self.input_box.setToolTip("the input of the generalized weights and the profile (or click its bar)")
        self.column_box.setToolTip("the raw column the profile sweeps (the inputs are features of two columns)")
        self.colour_box = QCheckBox("colour the diagram's inputs")
        self.colour_box.setToolTip("ring the diagram's input nodes in the colour of their importance "
                                   "(blue positive, orange negative; paler is smaller)")
        bar = QWidget()  # the choices wrap onto more lines in a narrow window
        top = FlowLayout(bar, spacing=8)
        top.setContentsMargins(4, 2, 4, 0)
        for label, boxes in (("output", (self.output_box,)), ("importance", (self.method_box,)),
                             ("input", (self.input_box, self.column_box)), ("profile", (self.profile_box,))):
            pair = QWidget()
            row = QHBoxLayout(pair)
            row.setContentsMargins(0, 0, 0, 0)
            row.addWidget(QLabel(label))
            for box in boxes:
                box.setMaximumWidth(240)
                row.addWidget(box)
            top.addWidget(pair)
        top.addWidget(self.colour_box)
        self.bars_plot = pg.PlotWidget(background="w")
        self.gw_plot = pg.PlotWidget(background="w")
        self.profile_plot = pg.PlotWidget(background="w")
        for p in (self.bars_plot, self.gw_plot, self.profile_plot):
            p.setMenuEnabled(False)
            p.setMinimumSize(80, 90)  # the tab no wider than the Runs tab at its smallest
        self.bars = pg.BarGraphItem(x0=[0], x1=[0], y0=[0], y1=[0])
        self.bars_plot.addItem(self.bars)
        self.bars_plot.addLine(x=0, pen=pg.mkPen(40, 40, 40))
        self.bars_plot.getAxis("left").setStyle(tickLength=0)
        self.bars_plot.getViewBox().invertY(True)  # the first input on top, as in the diagram
        self.bars_plot.scene().sigMouseClicked.connect(self._bar_clicked)
        self.note = pg.TextItem(color=(90, 90, 90), anchor=(0.5, 0.5))
        self.bars_plot.addItem(self.note)
        self.gw_dots = pg.ScatterPlotItem(size=5, pen=None, brush=pg.mkBrush(*POSITIVE, 160))
        self.gw_plot.addItem(self.gw_dots)
        self.gw_plot.addLine(y=0, pen=pg.mkPen(150, 150, 150, style=Qt.DashLine))
        self.ice = pg.PlotDataItem(pen=pg.mkPen(*ICE_PEN, width=1), connect="finite")
        self.profile_plot.addItem(self.ice)
        self.curves: list[pg.PlotDataItem] = []
        self.mean_curve = pg.PlotDataItem(pen=pg.mkPen(*POSITIVE, width=3))
        self.profile_plot.addItem(self.mean_curve)
        self.legend = self.profile_plot.addLegend(offset=(-6, 6), labelTextColor=(30, 30, 30),
                                                  brush=pg.mkBrush(255, 255, 255, 200))
        split = QSplitter(Qt.Horizontal)
        for p in (self.bars_plot, self.gw_plot, self.profile_plot):
            split.addWidget(p)
        split.setChildrenCollapsible(False)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(bar)
        lay.addWidget(split, 1)
        for box in (self.output_box, self.method_box, self.input_box, self.column_box, self.profile_box):
            box.currentIndexChanged.connect(self._choice_changed)
        self.colour_box.toggled.connect(self._colour_toggled)

    # -- per network -----------------------------------------------------------------------
    def set_context(self, ctx) -> None:
        """A new network: its outputs, inputs and (with input features) raw columns."""
        self.ctx = ctx
        self.learned, self.bar_values, self.shown_iteration = None, None, None
        boxes = {self.output_box: ctx.dataset.output_names, self.input_box: ctx.input_labels,
                 self.column_box: ctx.dataset.input_names}
        for box, names in boxes.items():  # the same names (Reset, a training setting): the same choice
            if [box.itemText(i) for i in range(box.count())] != list(names):
                box.blockSignals(True)
                box.clear()
                box.addItems(list(names))
                box.blockSignals(False)
        self.column_box.setVisible(bool(ctx.scaling.features))
        names = list(ctx.input_labels)
        self.bars_plot.getAxis("left").setTicks([[(i, n) for i, n in enumerate(names)]])
        self.bars.setOpts(x0=[0], x1=[0], y0=[0], y1=[0])
        self.gw_dots.setData([], [])
        self._clear_profile()
        if self.diagram is not None:
            self.diagram.set_input_importance(None)
        self.needsChanged.emit()

    @property
    def output(self) -> int:
        return max(self.output_box.currentIndex(), 0)

    @property
    def method(self) -> str:
        return self.method_box.currentData() or "olden"

    @property
    def input(self) -> int:
        return max(self.input_box.currentIndex(), 0)

    @property
    def profile_kind(self) -> str:
        return self.profile_box.currentData() or "lek"

    @property
    def column(self) -> int:
        """The raw column the profile sweeps: the chosen input's, or with features the column box's."""
        if self.ctx is not None and self.ctx.scaling.features:
            return max(self.column_box.currentIndex(), 0)
        return self.input

    def needs(self, visible: bool) -> set[str]:
        """What the runner must compute for this tab (core/importance.py's need strings)."""
        if self.ctx is None:
            return set()
        if not visible:
            return {"importance"} if self.colour_box.isChecked() else set()
        return {"importance", f"gen_weights:{self.output}", f"profile:{self.profile_kind}:{self.column}"}

    def _choice_changed(self, *_) -> None:
        if self.learned is not None:
            self._draw_bars()
        self.needsChanged.emit()

    def _colour_toggled(self, on: bool) -> None:
        if self.diagram is not None:
            self.diagram.set_input_importance(self._importance() if on else None)
        self.needsChanged.emit()

    def _bar_clicked(self, event) -> None:
        if self.bar_values is None:
            return
        y = self.bars_plot.getViewBox().mapSceneToView(event.scenePos()).y()
        i = int(round(y))
        if 0 <= i < self.input_box.count() and self.bars_plot.sceneBoundingRect().contains(event.scenePos()):
            self.input_box.setCurrentIndex(i)

    # -- per snapshot ------------------------------------------------------------------------
    def show_snapshot(self, snap: Snapshot) -> None:
        self.shown_iteration = snap.iteration
        learned = cast("Learned | None", snap.learned)  # (Snapshot types it object: import cycles)
        if learned is None or learned is self.learned:
            return
        self.learned = learned
        if learned.olden is not None:
            self._draw_bars()
            if self.diagram is not None and self.colour_box.isChecked():
                self.diagram.set_input_importance(self._importance())
        if learned.gw is not None:
            self._draw_gw(learned.gw)
        if learned.profile is not None:
            self._draw_profile(learned.profile)

    def _importance(self) -> np.ndarray | None:
        """The values the bars show (Olden's of the chosen output, or Garson's), None if none."""
        lr = self.learned
        if lr is None or lr.olden is None:
            return None
        if self.method == "garson":
            return lr.garson
        return lr.olden[:, min(self.output, lr.olden.shape[1] - 1)]

    def _draw_bars(self) -> None:
        values = self._importance()
        title = "Olden's importance" if self.method == "olden" else "Garson's relative importance"
        if values is None:
            self.bar_values = None
            self.bars.setOpts(x0=[0], x1=[0], y0=[0], y1=[0])
            self.note.setText(self.learned.garson_note.replace(": use", ":\nuse") if self.learned else "")
            self.note.setPos(0, (self.input_box.count() - 1) / 2)
            self.bars_plot.setTitle(title, size="9pt")
            return
        self.note.setText("")
        self.bar_values = np.array(values, dtype=float)
        y = np.arange(values.size, dtype=float)
        brushes = [pg.mkBrush(*(POSITIVE if v >= 0 else NEGATIVE)) for v in values]
        self.bars.setOpts(x0=np.minimum(values, 0.0), x1=np.maximum(values, 0.0), y0=y - 0.35, y1=y + 0.35,
                          brushes=brushes, pens=[pg.mkPen(None)] * values.size)
        out = self.output_box.currentText()
        self.bars_plot.setTitle(f"{title}{', ' + out if self.method == 'olden' else ''}", size="9pt")
        top = float(np.abs(values).max()) or 1.0
        self.bars_plot.setXRange(min(float(values.min()), 0.0) - 0.05 * top, max(float(values.max()), 0.0) + 0.05 * top,
                                 padding=0)
        self.bars_plot.setYRange(-0.6, values.size - 0.4, padding=0)

    def _draw_gw(self, gw) -> None:
        j = min(self.input, gw.values.shape[1] - 1)
        self.gw_points = (gw.x[:, j], gw.values[:, j])
        self.gw_dots.setData(*self.gw_points)
        name = self.input_box.itemText(j)
        out = self.output_box.itemText(gw.output)
        self.gw_plot.setTitle(f"GW = d {gw.label}({out}) / d {name}", size="9pt")  # gwplot's "GW"
        self.gw_plot.setLabel("bottom", name)
        self.gw_plot.setToolTip(f"gwplot's picture: for each training row, the derivative of {out}'s "
                                f"{gw.label} with respect to {name} (standardised), against {name}")

    def _clear_profile(self) -> None:
        for c in self.curves:
            self.profile_plot.removeItem(c)
        self.curves = []
        self.legend.clear()
        self.ice.setData([], [])
        self.mean_curve.setData([], [])

    def _draw_profile(self, p: prof.Profiles) -> None:
        k = min(self.output, p.curves.shape[-1] - 1)
        x = p.x[0]
        curves = p.curves[0, :, :, k]  # (m, steps)
        if p.kind == "pdp":
            assert p.mean is not None  # (a pdp has its mean)
            if self.curves:
                self._clear_profile()
            xs = np.concatenate([np.append(x, np.nan)] * curves.shape[0])
            ys = np.concatenate([np.append(c, np.nan) for c in curves])
            self.ice.setData(xs, ys)
            self.mean_curve.setData(x, p.mean[0, :, k])
            self.profile_lines = (x, p.mean[0, :, k])
        else:
            self.ice.setData([], [])
            self.mean_curve.setData([], [])
            if len(self.curves) != curves.shape[0] or self._legend_labels != p.labels:
                self._clear_profile()
                for g, label in enumerate(p.labels):
                    c = pg.PlotDataItem(pen=pg.mkPen(*CLASS_COLOURS[g % len(CLASS_COLOURS)], width=2), name=label)
                    self.profile_plot.addItem(c)
                    self.curves.append(c)
                self._legend_labels = p.labels
            for c, ys in zip(self.curves, curves, strict=True):
                c.setData(x, ys)
            self.profile_lines = (x, curves)
        column = self.ctx.dataset.input_names[p.inputs[0]] if self.ctx is not None else ""
        self.profile_plot.setTitle(f"{prof.KIND_NAMES[p.kind]}: {self.output_box.currentText()}", size="9pt")
        self.profile_plot.setLabel("bottom", column)

    _legend_labels: tuple[str, ...] = ()
