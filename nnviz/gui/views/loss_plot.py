"""The live error plot: mse against iteration, train and test, optional log y."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QLabel, QPushButton, QSizePolicy, QVBoxLayout, QWidget

from ...core.snapshot import History, Snapshot
from .history_bar import HistoryBar, HistorySlider
from .loss_readout import LossReadout
from .parts import from_part
from .validation_marks import ValidationMarks

__all__ = ["HistorySlider", "LossPlot", "PlainAxis"]


LEGEND_COLUMNS = 4
PLOT_MARGINS = (2, 4, 14, 2)  # left, top (under the legend's band), right (the last x tick's label), bottom


class PlainAxis(pg.AxisItem):
    """Tick labels as plain numbers (0.001, 0.01, 0.1), in log mode too, and never a
    scale factor such as "x0.001" moved into the axis title."""

    def __init__(self, orientation: str):
        super().__init__(orientation)
        self.enableAutoSIPrefix(False)

    def logTickStrings(self, values, scale, spacing):
        """Decades and their 2 and 5 labelled (0.01, 0.02, 0.05, 0.1); the other minor ticks bare."""
        out = []
        for v in values:
            x = 10.0 ** float(v) * scale
            mantissa = x / 10.0 ** np.floor(np.log10(x)) if x > 0 else 0.0
            out.append(f"{x:.4g}" if min(abs(mantissa - m) for m in (1, 2, 5)) < 1e-6 else "")
        return out


class LossPlot(QWidget):
    """One PlotDataItem per curve; ``show_snapshot`` only sets data."""

    previewRequested = Signal(int)  # the slider moved to an earlier iteration
    resumeRequested = Signal(int)
    # the parts' items under the names their readers use
    slider, marker = from_part("history", "slider"), from_part("history", "marker")
    resume_button = from_part("history", "resume_button")
    hover_dot, hover_text = from_part("readout", "dot"), from_part("readout", "text")
    hover_readout = from_part("readout", "readout")
    val_curve, best_dot = from_part("validation", "curve"), from_part("validation", "best_dot")
    best_line = from_part("validation", "best_line")

    def __init__(self, parent=None):
        super().__init__(parent)
        self.plot = pg.PlotWidget(background="w", axisItems={"left": PlainAxis("left"), "bottom": PlainAxis("bottom")})
        self.plot.setLabel("bottom", "iteration")
        self.plot.setLabel("left", "mse")
        # the legend sits in a band above the plot area, in rows of up to four entries: it never
        # covers the curve, and it is never clipped (it was "ain" at the left of a narrow plot)
        self.legend = pg.LegendItem(offset=(-6, 1), colCount=LEGEND_COLUMNS, verSpacing=-4)
        self.legend.setParentItem(self.plot.plotItem)
        self.plot.plotItem.legend = self.legend  # curves made with a name= join it
        self.plot.hideButtons()  # no "A" badge on hover: the range follows the data, Fit is on the menu
        self.train_curve = self.plot.plot([], [], pen=pg.mkPen(33, 102, 172, width=2), name="train")
        self.test_curve = self.plot.plot([], [], pen=pg.mkPen(230, 97, 1, width=2), name="test")
        # early stopping: the validation mse (every k iterations) and its best iteration, a dashed
        # vertical line and a dot on the curve; in the legend only when there is a validation split
        self.validation = ValidationMarks(self.plot, self.legend, self._legend_band)
        # with mini-batches: each iteration's batch mse, pale behind the whole set's curve
        self.batch_curve = self.plot.plot([], [], pen=pg.mkPen(160, 190, 220, width=1))
        self.batch_curve.setZValue(-1)
        self.batch_curve.setDownsampling(auto=True, method="peak")
        self.batch_curve.setClipToView(True)
        self.batch_box = QCheckBox("mini-batch mse")
        self.batch_box.setToolTip("also draw the mse of each iteration's mini-batch (pale)")
        self.batch_box.setVisible(False)
        for c in (self.train_curve, self.test_curve):
            c.setDownsampling(auto=True, method="peak")
            c.setClipToView(True)
        # The plot follows the data with ranges that change in steps (so the axes are not
        # redrawn every frame) until the user zooms or pans; "fit" (or the A button) follows again.
        self.vb = self.plot.getViewBox()
        self.vb.disableAutoRange()
        self.follow = True
        self._range = None
        self.vb.sigRangeChangedManually.connect(self._stop_following)
        self.plot.plotItem.autoBtn.clicked.connect(self.fit)
        self.fit_button = QPushButton("Fit")
        self.fit_button.setToolTip("follow the curve again (the plot stopped following when you zoomed or panned)")
        self.fit_button.clicked.connect(self.fit)
        self.fit_button.setVisible(False)
        # the present point, drawn even when it is the only one (iteration 0, at rest)
        self.now_dot = self.plot.plot([], [], pen=None, symbol="o", symbolSize=7,
                                      symbolPen=pg.mkPen(33, 102, 172), symbolBrush=pg.mkBrush(33, 102, 172))
        self.now_dot.setZValue(4)
        # the readout under the pointer: the nearest point of the training curve
        self.readout = LossReadout(self.plot, self.train_curve, lambda: self.log_box.isChecked(), self)
        self.log_box = QCheckBox("log scale")
        self.log_box.setToolTip("the error falls by orders of magnitude: a log scale shows all of them")
        self.log_box.setChecked(True)
        self.plot.setLogMode(y=True)
        self.log_box.toggled.connect(self.set_log)
        self.shown_iteration: int | None = None
        # current values in a label outside the plot: changing legend text would re-lay out the plot
        self.value_label = QLabel()
        self.value_label.setSizePolicy(QSizePolicy.Ignored, QSizePolicy.Preferred)
        self.value_label.setWordWrap(True)  # a narrow column wraps the values, never cuts them
        self.stop_label = QLabel()
        self.stop_label.setWordWrap(True)
        self.stop_label.setStyleSheet("color:#1b9e77; font-weight:bold")
        self.stop_label.setVisible(False)
        # the history scrubber: look at the network as it was at an earlier iteration
        self.history = HistoryBar(self.plot, self.previewRequested.emit, self.resumeRequested.emit)
        self.plot.setMinimumSize(160, 120)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.plot)
        row = QHBoxLayout()
        row.addWidget(self.log_box)
        row.addWidget(self.batch_box)
        row.addWidget(self.fit_button)
        row.addWidget(self.value_label, 1)
        lay.addLayout(row)
        lay.addWidget(self.stop_label)
        hist = QHBoxLayout()
        hist.addWidget(QLabel("history"))
        hist.addWidget(self.slider, 1)
        hist.addWidget(self.resume_button)
        lay.addLayout(hist)
        self._legend_band()

    overlays: list = []  # the kept runs' curves drawn now (PlotDataItems)
    overlay_data: list = []  # (label, x, y) of each, as handed in

    def set_overlays(self, curves) -> None:
        """Kept runs' error curves over the current one: (legend label, (r, g, b), iterations,
        mse) each, dashed in its own colour, and named in the legend."""
        for item in self.overlays:
            self.legend.removeItem(item)
            self.plot.removeItem(item)
        self.overlays, self.overlay_data = [], []
        for name, colour, x, y in curves:
            item = self.plot.plot(np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64),
                                  pen=pg.mkPen(*colour, width=1.6, style=Qt.PenStyle.DashLine), name=name, connect="finite")
            item.setDownsampling(auto=True, method="peak")
            item.setClipToView(True)
            item.setZValue(-0.5)
            self.overlays.append(item)
            self.overlay_data.append((name, x, y))
        self._range = None
        self._legend_band()
        if self._last is not None and self.follow:
            self._apply_range(*self._last, exact=True)
        elif self.overlay_data and self.follow:
            self._apply_range(None, np.zeros(0), np.zeros(0), History(1), exact=True)

    def set_log(self, on: bool) -> None:
        self.plot.setLogMode(y=on)
        self.fit()

    def _stop_following(self, *_) -> None:
        self.follow = False
        self.fit_button.setVisible(True)

    def fit(self) -> None:
        """Follow the data again, the range fitted to it exactly (the log box's toggle too)."""
        self.follow = True
        self.fit_button.setVisible(False)
        self._range = None
        if self._last is not None:
            self._apply_range(*self._last, exact=True)

    def _legend_band(self) -> None:
        """Room above the plot area for the legend's rows (it is drawn there, not on the curve)."""
        self.legend.updateSize()
        band = int(self.legend.height()) + 2 if self.legend.items else PLOT_MARGINS[1]
        left, _, right, bottom = PLOT_MARGINS
        self.plot.plotItem.layout.setContentsMargins(left, band, right, bottom)

    def set_has_test(self, has_test: bool) -> None:
        """Show the test curve (and its legend entry) only when there is a test split."""
        self.test_curve.setVisible(has_test)
        in_legend = any(sample.item is self.test_curve for sample, _ in self.legend.items)
        if has_test and not in_legend:
            self.legend.addItem(self.test_curve, "test")
        elif not has_test and in_legend:
            self.legend.removeItem(self.test_curve)
        self._legend_band()

    def set_has_validation(self, has: bool) -> None:
        """The validation curve and the best-iteration dot in the legend only with a validation split."""
        self.validation.set_has(has)

    def _show_stop(self, snap: Snapshot) -> None:
        """An early stop's line under the values, wrapped (it appears once, when training stops)."""
        text = ""
        if snap.stopped == "early_stop" and snap.stopped_at is not None and snap.best_iteration is not None:
            text = (f"early stop at {snap.stopped_at:,}: the weights of iteration "
                    f"{snap.best_iteration:,} (best validation mse) are restored")
        if text != self.stop_label.text():
            self.stop_label.setText(text)
        self.stop_label.setVisible(bool(text))

    def clear(self) -> None:
        self.set_has_validation(False)
        self.train_curve.setData([], [])
        self.now_dot.setData([], [])
        self.readout.hide()
        self.test_curve.setData([], [])
        self.batch_curve.setData([], [])
        self.value_label.setText("")
        self.stop_label.setText("")
        self.stop_label.setVisible(False)
        self._range = None
        self._last = None
        self.follow = True
        self.fit_button.setVisible(False)

    _last = None

    def sync_slider(self, present_iteration: int, shown_iteration: int, first_iteration: int = 0) -> None:
        """Range first..present (only iterations that can be shown); the handle on what is
        shown, following training while it runs (without requesting a preview)."""
        self.history.sync(present_iteration, shown_iteration, first_iteration)

    def show_snapshot(self, snap: Snapshot, history: History, test_history: History,
                      full_history: History | None = None, val_history: History | None = None) -> None:
        """The curve up to the present, including the mse of the weights shown now (the last
        point), the slider and marker on the snapshot's iteration.  With mini-batches the curve
        is the whole training set's mse (measured as training goes), the batches' pale behind."""
        self.shown_iteration = snap.iteration
        self.sync_slider(snap.present_iteration, snap.iteration, snap.first_iteration)
        if snap.preview:  # the curve is the present; the marker and the label show the preview
            self.value_label.setText(f"<span style='color:#b35806'>history: iteration {snap.iteration:,}, "
                                     f"train mse {snap.mse:.5g}</span>")
            return
        batches = getattr(snap.settings, "batch_size", None) is not None and full_history is not None
        self.batch_box.setVisible(batches)
        main = full_history if batches and full_history is not None else history
        x, y = main.x, main.y
        if not len(x) or x[-1] < snap.iteration:  # mse_history[i] is the mse before update i + 1
            x = np.append(x, snap.iteration)
            y = np.append(y, snap.mse)
        self.train_curve.setData(x, y)
        self.now_dot.setData(x[-1:], y[-1:])
        if batches and self.batch_box.isChecked():
            self.batch_curve.setData(history.x, history.y)
        else:
            self.batch_curve.setData([], [])
        val_text = self.validation.show(snap, val_history)
        self._show_stop(snap)
        self._last = (snap, x, y, test_history)
        if self.follow:
            if snap.state not in ("running", "stepping"):
                self._range = None  # at rest: fit the data exactly
            self._apply_range(snap, x, y, test_history, exact=snap.state not in ("running", "stepping"))
        name = "train mse (whole set)" if batches else "train mse"
        text = f"<span style='color:#2166ac'>{name} {snap.mse:.5g}</span>"
        if len(test_history):
            self.test_curve.setData(test_history.x, test_history.y)
            text += f"&nbsp;&nbsp;<span style='color:#e66101'>test mse {snap.test_mse:.5g}</span>"
        else:
            self.test_curve.setData([], [])
        text += val_text
        self.value_label.setText(text)

    def _apply_range(self, snap: Snapshot | None, x: np.ndarray, y: np.ndarray, test_history: History,
                     exact: bool = False) -> None:
        """Set the view range when the data outgrow it (x in steps of 1.5x)."""
        ys = ([y] if len(x) else []) + ([test_history.y] if len(test_history) else []) \
            + ([self.validation.y] if len(self.validation.y) else [])
        ends = [int(x[-1])] if len(x) else []
        for _, ox, oy in self.overlay_data:  # the kept runs' curves stay in view too
            oy = np.asarray(oy, dtype=np.float64)
            oy = oy[np.isfinite(oy) & (oy > 0)] if self.log_box.isChecked() else oy[np.isfinite(oy)]
            if len(ox) and oy.size:
                ys.append(oy)
                ends.append(int(ox[-1]))
        ys = [v[np.isfinite(v)] for v in ys]
        ys = [v for v in ys if v.size]
        if not ys or not ends:
            return
        x_end = max(max(ends), 10)  # at iteration 0 the axis is 0..10, the point at its left
        y_hi = max(float(v.max()) for v in ys)
        y_lo = min(float(v.min()) for v in ys)
        log = self.log_box.isChecked()
        old = self._range
        if old is not None and x_end <= old[0] and y_hi <= old[1] and y_lo >= old[2]:
            return
        x_max = x_end if exact else _nice(x_end * (1.5 if x_end > 10 else 1.0))
        if log:
            # half-decade steps below the data, so the axis is not redrawn on every frame
            lo = float(np.floor(np.log10(max(y_lo, 1e-300)) * 2) / 2) if not exact else np.log10(max(y_lo, 1e-300)) - 0.1
            hi = np.log10(max(y_hi, 1e-300)) + 0.1
            self._range = (x_max, y_hi, 10 ** lo)
            self.vb.setRange(xRange=(0, x_max), yRange=(lo, hi), padding=0)
        else:
            self._range = (x_max, y_hi * 1.05, 0.0)
            self.vb.setRange(xRange=(0, x_max), yRange=(0, y_hi * 1.08 or 1.0), padding=0)


def _nice(x: float) -> float:
    """The smallest of 1, 2, 2.5, 5 x 10^k at least x."""
    k = 10 ** np.floor(np.log10(max(x, 1)))
    for m in (1, 2, 2.5, 5, 10):
        if m * k >= x:
            return m * k
    return 10 * k
