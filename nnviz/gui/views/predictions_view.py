"""Predictions against labels: a sortable table, accuracy and confusion matrix
for classes, predicted-vs-actual for regression, and a decision map for any
data set with two inputs (the network's output over a grid behind the points,
as in TensorFlow Playground), or instead the map of a node chosen on the diagram.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QAbstractTableModel, QModelIndex, QSortFilterProxyModel, Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (QAbstractItemView, QAbstractScrollArea, QHBoxLayout, QHeaderView, QLabel, QTableView, QTabWidget, QVBoxLayout, QWidget)

from ...core import metrics
from ...core.snapshot import Snapshot
from .elided import ElidedLabel
from .map_editor import COLOURS, MapPoints, class_colour

WRONG = QColor(255, 225, 225)
# Qt enum attribute lookups cost microseconds in PySide6; data() runs per cell per role per paint.
DISPLAY, USER, BACKGROUND, ALIGN = (int(r.value) for r in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.UserRole, Qt.ItemDataRole.BackgroundRole,
                                                           Qt.ItemDataRole.TextAlignmentRole))

_ROOT = QModelIndex()  # the invisible root index: Qt's default parent


class RowTexts:
    """A column of row texts made only for the rows Qt asks about (the visible ones, or a sort):
    on a million rows, formatting every row's text each frame took seconds."""

    def __init__(self, n: int, text_of):
        self.n, self.text_of = n, text_of

    def __len__(self) -> int:
        return self.n

    def __getitem__(self, r: int) -> str:
        return self.text_of(r)


def row_texts(task: str, names, values: np.ndarray) -> RowTexts:
    """The texts of rows of targets or outputs: a class name (values are class indices), 0/1
    flags joined by commas (binary), or numbers to 4 significant digits (regression)."""
    if task == "classes":
        return RowTexts(len(values), lambda r: names[int(values[r])])
    if task == "binary":
        return RowTexts(len(values), lambda r: ", ".join("1" if v else "0" for v in values[r]))
    return RowTexts(len(values), lambda r: ", ".join(f"{v:.4g}" for v in values[r]))


class PredictionModel(QAbstractTableModel):
    """Rows: observations (train, then test). Columns: inputs, truth, prediction, outputs, mark."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.headers: list[str] = []
        self.X = np.empty((0, 0))
        self.truth: RowTexts | list[str] = []
        self.pred: RowTexts | list[str] = []
        self._pred_key: np.ndarray | None = None  # what the prediction texts are made of, to tell what changed
        self.out = np.empty((0, 0))
        self.wrong = np.zeros(0, dtype=bool)
        self.sets: list[str] = []
        self.n_in = 0
        self._shown: np.ndarray | None = None  # the outputs as shown (rounded), to tell what changed

    def set_rows(self, headers, X, truth, sets):
        self.beginResetModel()
        self.headers = headers
        self.X, self.truth, self.sets = X, truth, sets
        self.n_in = X.shape[1]
        self.pred = RowTexts(len(truth), lambda r: "")
        self._pred_key = None
        self.out = np.full((len(truth), len(headers) - self.n_in - 4), np.nan)
        self._shown = None
        self.wrong = np.zeros(len(truth), dtype=bool)
        self.endResetModel()

    def set_outputs(self, out: np.ndarray, pred: RowTexts, pred_key: np.ndarray, wrong: np.ndarray) -> None:
        """New outputs.  Cells are formatted only when Qt asks (the visible ones), and
        dataChanged covers only the rows whose shown text can have changed (4 significant
        digits, the prediction (``pred_key``: what its text is made of, one row a row), the
        mark), so a converged network costs no repaint."""
        with np.errstate(all="ignore"):
            shown = _round_sig(out, 4)
        key = pred_key.reshape(len(pred_key), -1)
        if self._shown is None or self._shown.shape != shown.shape or self._pred_key is None \
                or self._pred_key.shape != key.shape:
            changed = np.ones(len(self.truth), dtype=bool)
        else:
            changed = (((shown != self._shown) & ~(np.isnan(shown) & np.isnan(self._shown))).any(axis=1)
                       | ((key != self._pred_key) & ~(np.isnan(key) & np.isnan(self._pred_key))).any(axis=1)
                       | (wrong != self.wrong))
        self.out, self.pred, self.wrong, self._shown, self._pred_key = out, pred, wrong, shown, key
        rows = np.flatnonzero(changed)
        if rows.size:
            first = self.index(int(rows[0]), 0)
            last = self.index(int(rows[-1]), len(self.headers) - 1)
            self.dataChanged.emit(first, last, [DISPLAY_ROLE, BACKGROUND_ROLE, USER_ROLE])

    def rowCount(self, parent=_ROOT):
        return 0 if parent.isValid() else len(self.truth)

    def columnCount(self, parent=_ROOT):
        return 0 if parent.isValid() else len(self.headers)

    def headerData(self, section, orientation, role=DISPLAY):
        if role == DISPLAY:
            if orientation == _HORIZONTAL:
                return self.headers[section]
            return str(section + 1)
        return None

    def value(self, r: int, c: int):
        """The sortable value of a cell."""
        n = self.n_in
        if c == 0:
            return self.sets[r]
        if c <= n:
            return float(self.X[r, c - 1])
        if c == n + 1:
            return self.truth[r]
        if c == n + 2:
            return self.pred[r]
        if c == len(self.headers) - 1:
            return "\u2717" if self.wrong[r] else ""
        return float(self.out[r, c - n - 3])

    def data(self, index, role=DISPLAY):
        if role == DISPLAY:
            r, c = index.row(), index.column()
            j = c - self.n_in - 3
            if 0 <= j < len(self.headers) - self.n_in - 4:
                return f"{self.out[r, j]:.4g}"
            v = self.value(r, c)
            return f"{v:.4g}" if isinstance(v, float) else v
        if role == USER:
            return self.value(index.row(), index.column())
        if role == BACKGROUND:
            return _WRONG_BRUSH if self.wrong[index.row()] else None
        if role == ALIGN:
            c = index.column()
            numeric = 0 < c <= self.n_in or self.n_in + 2 < c < len(self.headers) - 1
            return _RIGHT if numeric else None
        return None


def _round_sig(a: np.ndarray, digits: int) -> np.ndarray:
    """a rounded to ``digits`` significant digits (what ``f"{v:.4g}"`` shows)."""
    mag = np.where(a == 0, 1.0, 10.0 ** (digits - 1 - np.floor(np.log10(np.abs(np.where(a == 0, 1.0, a))))))
    return np.round(a * mag) / mag


_WRONG_BRUSH = QBrush(WRONG)
DISPLAY_ROLE, BACKGROUND_ROLE, USER_ROLE = Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.BackgroundRole, Qt.ItemDataRole.UserRole
_RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
_CENTER = int(Qt.AlignmentFlag.AlignCenter)
_HORIZONTAL = Qt.Orientation.Horizontal


class ConfusionModel(QAbstractTableModel):
    """The confusion matrix: true class by row, predicted by column; a wrong cell with a count
    is shaded.  ``set_counts`` signals only the block of cells whose count changed."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.names: list[str] = []
        self.counts = np.zeros((0, 0), dtype=np.int64)
        self.filled = False  # counts received since set_names (before: empty cells)

    def set_names(self, names) -> None:
        self.beginResetModel()
        self.names = list(names)
        self.counts = np.zeros((len(self.names),) * 2, dtype=np.int64)
        self.filled = False
        self.endResetModel()

    def set_counts(self, cm: np.ndarray) -> None:
        cm = np.asarray(cm, dtype=np.int64)
        if cm.shape != self.counts.shape:
            return
        changed = np.ones(cm.shape, dtype=bool) if not self.filled else cm != self.counts
        self.counts, self.filled = cm.copy(), True
        rows, cols = np.nonzero(changed)
        if rows.size:
            self.dataChanged.emit(self.index(int(rows.min()), int(cols.min())),
                                  self.index(int(rows.max()), int(cols.max())), [DISPLAY_ROLE, BACKGROUND_ROLE])

    def clear(self) -> None:
        self.set_names(self.names)

    def text(self, i: int, j: int) -> str:
        """What cell (i, j) shows."""
        return str(int(self.counts[i, j])) if self.filled else ""

    def rowCount(self, parent=_ROOT):
        return 0 if parent.isValid() else len(self.names)

    def columnCount(self, parent=_ROOT):
        return 0 if parent.isValid() else len(self.names)

    def headerData(self, section, orientation, role=DISPLAY):
        if role == DISPLAY and 0 <= section < len(self.names):
            return self.names[section]
        return None

    def data(self, index, role=DISPLAY):
        i, j = index.row(), index.column()
        if role == DISPLAY:
            return self.text(i, j)
        if role == BACKGROUND:
            return _WRONG_BRUSH if self.filled and i != j and self.counts[i, j] else None
        if role == ALIGN:
            return _CENTER
        return None


class FittedPlot(pg.PlotWidget):
    """A plot of the data's plane: its view box takes the data's proportions (a circle stays a
    circle) and is as large as the widget allows, the axes exactly the data's range; the rest of
    a wide (or tall) panel is left blank instead of stretching the axes beyond the data."""

    data_rect: tuple[float, float, float, float] | None = None  # x, y, width, height of the data

    def fit_to(self, rect: tuple[float, float, float, float]) -> None:
        self.data_rect = rect
        # the proportions come from the view box's size (``_fit``), not from pyqtgraph's aspect lock,
        # which widened an axis beyond the data whenever the axes' labels changed the box by a pixel
        self.getViewBox().setAspectLocked(False)
        x, y, w, h = rect
        self.setRange(xRange=(x, x + w), yRange=(y, y + h), padding=0)
        self._fit()

    def resizeEvent(self, ev) -> None:  # noqa: N802 (Qt's name)
        super().resizeEvent(ev)
        self._fit()

    def _fit(self) -> None:
        """Shrink the plot item to the data's aspect ratio, centred, and show the data's range."""
        if self.data_rect is None or self.centralWidget is None:
            return
        item = self.plotItem
        full = self.range  # the whole widget, in scene coordinates
        item.setGeometry(full)
        item.layout.activate()
        vb = item.getViewBox().geometry()
        extra_w, extra_h = full.width() - vb.width(), full.height() - vb.height()  # axes, title, margins
        room_w, room_h = max(full.width() - extra_w, 10.0), max(full.height() - extra_h, 10.0)
        _, _, w, h = self.data_rect
        scale = min(room_w / w, room_h / h) if w > 0 and h > 0 else 1.0
        side_w, side_h = w * scale + extra_w, h * scale + extra_h
        left = full.left() + (full.width() - side_w) / 2
        item.setGeometry(left, full.top(), side_w, side_h)
        x, y, rw, rh = self.data_rect
        item.getViewBox().setRange(xRange=(x, x + rw), yRange=(y, y + rh), padding=0)


class PredictionsView(QTabWidget):
    """Table / confusion / scatter / decision-map tabs, fed by snapshots."""

    rowSelected = Signal(int)  # training-row index of the selected observation

    def __init__(self, parent=None):
        super().__init__(parent)
        self.ctx = None
        self.model = PredictionModel(self)
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setSortRole(Qt.UserRole)
        self.proxy.setDynamicSortFilter(False)
        self.table = QTableView()  # C++ painting: only data() calls take the GIL
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SingleSelection)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.Interactive)
        self.table.horizontalHeader().setDefaultSectionSize(84)
        self.table.verticalHeader().setDefaultSectionSize(20)
        self.table.selectionModel().currentRowChanged.connect(self._on_row)
        self.summary = ElidedLabel()  # never widens the window: too long, it ends in "..."
        self.summary.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.confusion_model = ConfusionModel(self)
        self.confusion = QTableView()
        self.confusion.setModel(self.confusion_model)
        self.confusion.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.confusion.setSizeAdjustPolicy(QAbstractScrollArea.AdjustToContents)
        self.confusion.setMaximumWidth(360)
        self.confusion_title = QLabel("confusion (rows: true, columns: predicted)")
        self.confusion_title.setWordWrap(True)  # a narrow column wraps it instead of growing
        self.confusion.setToolTip("confusion matrix of the training rows: true class by row, predicted by column")
        table_tab = QWidget()
        lay = QVBoxLayout(table_tab)
        lay.setContentsMargins(2, 2, 2, 2)
        lay.addWidget(self.summary)
        row = QHBoxLayout()
        row.addWidget(self.table, 1)
        side = QVBoxLayout()
        side.addWidget(self.confusion_title)
        side.addWidget(self.confusion)
        side.addStretch(1)
        row.addLayout(side)
        lay.addLayout(row, 1)
        self.addTab(table_tab, "Predictions")
        # regression scatter
        self.scatter_plot = pg.PlotWidget(background="w")
        self.scatter_plot.setLabel("bottom", "actual")
        self.scatter_plot.setLabel("left", "predicted")
        self.scatter = pg.ScatterPlotItem(size=6, pen=None, brush=pg.mkBrush(33, 102, 172, 160))
        self.identity = pg.PlotCurveItem(pen=pg.mkPen(120, 120, 120, style=Qt.DashLine))
        self.scatter_plot.addItem(self.identity)
        self.scatter_plot.addItem(self.scatter)
        # decision map
        self.map_plot = FittedPlot(background="w")
        self.map_plot.setAspectLocked(True)  # a circle in the data is a circle on screen
        self.map_image = pg.ImageItem()
        self.map_image.setLookupTable(diverging_lut())
        self.map_plot.addItem(self.map_image)
        self.map_points = pg.ScatterPlotItem(size=7)
        self.map_plot.addItem(self.map_points)
        self.points = MapPoints(self.map_plot, self.map_points)  # drawing and editing the points
        self._has_map = False
        self.shown_iteration: int | None = None
        # a node chosen on the diagram: the map panel shows its map (from the snapshot) instead
        self.map_node: tuple[int, int] | None = None
        self._node_title = ""
        self._node_levels = (0.0, 1.0)
        self.map_shows: tuple[int, int] | None = None  # the node whose map is painted (None: the decision)
        self._map_title: str | None = None
        self.map_source: np.ndarray | None = None

    # -- context ---------------------------------------------------------------
    def set_context(self, ctx) -> None:
        self.ctx = ctx
        ds = ctx.dataset
        for view in (self.scatter_plot,):  # other tabs (the inspector) stay
            if self.indexOf(view) >= 0:
                self.removeTab(self.indexOf(view))
        self._set_rows(ctx)
        self._has_map = ctx.map_grid is not None
        self.map_image.clear()
        self.map_node, self.map_shows = None, None
        self._set_map_title(None)
        self.confusion_model.set_names(ds.output_names if ds.task == "classes" else ())
        if ds.task == "regression":
            self.insertTab(1, self.scatter_plot, "Predicted vs actual")
        # the decision map has a panel of its own beside the error plot (the window places it)
        self.map_plot.setVisible(self._has_map)
        if self._has_map:
            self._setup_map()
        self.confusion.setVisible(ds.task == "classes")
        self.confusion_title.setVisible(ds.task == "classes")
        if ds.task == "classes":
            self.confusion.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)

    def _set_rows(self, ctx) -> None:
        """The table's rows (training rows, then test rows) and the targets they are scored on."""
        ds = ctx.dataset
        X = np.vstack([ctx.train.X] + ([ctx.test.X] if ctx.test is not None else []))
        n_train = ctx.train.n
        sets = RowTexts(len(X), lambda r: "train" if r < n_train else "test")
        truth = self._truth(np.vstack([ctx.train.T] + ([ctx.test.T] if ctx.test is not None else [])))
        outs = [f"out.{n}" for n in ds.output_names]
        headers = ["set", *ds.input_names, "true", "predicted", *outs, "wrong"]
        self.model.set_rows(headers, X, truth, sets)
        self.table.setColumnHidden(0, ctx.test is None)
        self.table.sortByColumn(-1, Qt.SortOrder.AscendingOrder)  # file order until the user sorts
        self._T = np.vstack([ctx.train.T] + ([ctx.test.T] if ctx.test is not None else []))
        self._Y_net = ctx.scaling.targets(self._T)

    def _truth(self, T: np.ndarray) -> RowTexts:
        ds = self.ctx.dataset
        if ds.task == "classes":
            return row_texts("classes", ds.output_names, T.argmax(axis=1))
        return row_texts("regression", None, T)

    def _setup_map(self) -> None:
        ds, grid = self.ctx.dataset, self.ctx.map_grid
        x, y, w, h = grid.rect
        self._map_rect = grid.rect
        self.map_plot.setLabel("bottom", ds.input_names[0])
        self.map_plot.setLabel("left", ds.input_names[1])
        self.map_plot.fit_to(grid.rect)
        self.points.set_rows(self.ctx)

    def set_data(self, ctx) -> None:
        """The same network on edited rows: new table rows and map points, in the frame of the
        first snapshot made on them; the tab shown and the map's zoom stay (unless the map grew)."""
        old, self.ctx = self.ctx, ctx
        self._set_rows(ctx)
        if ctx.map_grid is not None and old is not None and old.map_grid is not ctx.map_grid:
            self._setup_map()
        elif ctx.map_grid is not None:
            self.points.set_rows(ctx)

    def needs(self) -> set[str]:
        """What the visible tabs need computed with each snapshot (see core.runner.NEEDS)."""
        out = {"outputs"}
        if self.ctx is not None and self.ctx.dataset.task == "classes":
            out.add("confusion")
        if self._has_map and not self.map_plot.isHidden():
            out.add("map")
            if self.map_node is not None:
                out.add("node_map")
        return out

    def set_map_node(self, node: tuple[int, int] | None, title: str = "",
                     levels: tuple[float, float] = (0.0, 1.0)) -> None:
        """Show the map of ``node`` (layer, index) in the map panel, or the decision (None)."""
        self.map_node, self._node_title, self._node_levels = node, title, levels

    def _set_map_title(self, title: str | None) -> None:
        if title != self._map_title:
            self._map_title = title
            self.map_plot.setTitle(title)

    # -- per frame -------------------------------------------------------------
    def show_snapshot(self, snap: Snapshot) -> None:
        """Paint the snapshot: every number comes from it (outputs, confusion, map)."""
        ctx = self.ctx
        if ctx is None:
            return
        self.shown_iteration = snap.iteration
        ds = ctx.dataset
        Yhat = snap.outputs if snap.test_outputs is None else np.vstack([snap.outputs, snap.test_outputs])
        out = ctx.scaling.outputs(Yhat)
        if ds.task == "classes":
            key = Yhat.argmax(axis=1).astype(np.float64)
        elif ds.task == "binary":
            key = (Yhat >= 0.5).astype(np.float64)
        else:
            with np.errstate(all="ignore"):
                key = _round_sig(out, 4)
        pred = row_texts(ds.task, ds.output_names, key if ds.task != "regression" else out)
        wrong = metrics.wrong_rows(ds.task, self._Y_net, Yhat)
        self.model.set_outputs(out, pred, key, wrong)
        parts = [f"iteration {snap.iteration:,}", f"train mse {snap.mse:.5g}"]
        if snap.accuracy is not None:
            n_wrong = int(wrong[:ctx.train.n].sum())
            if ds.task == "binary":
                k = ds.T.shape[1]
                parts.append(f"accuracy {snap.accuracy:.1%} of {ctx.train.n * k:,} outputs "
                             f"({n_wrong} of {ctx.train.n} rows with a wrong output)")
            else:
                parts.append(f"accuracy {snap.accuracy:.1%} ({n_wrong} of {ctx.train.n} rows wrong)")
        if snap.test_mse is not None:
            parts.append(f"test mse {snap.test_mse:.5g}")
            if snap.test_accuracy is not None:
                parts.append(f"test accuracy {snap.test_accuracy:.1%}")
        if snap.regression is not None:
            for which, r in snap.regression.items():
                parts.append(f"{which} RMSE {r['rmse']:.4g}, MAE {r['mae']:.4g}, R\u00b2 {r['r2']:.4f}")
        self.summary.set_full_text(" \u00b7 ".join(parts))
        if snap.confusion is not None:
            self._show_confusion(snap.confusion)
        if ds.task == "regression":
            a, p = self._T[:, 0], out[:, 0]
            self.scatter.setData(a, p)
            lo, hi = float(min(a.min(), p.min())), float(max(a.max(), p.max()))
            self.identity.setData([lo, hi], [lo, hi])
        if not self._has_map:
            return
        if self.map_node is not None and snap.node_map is not None and snap.map_node == self.map_node:
            image, levels, self.map_shows = snap.node_map, self._node_levels, snap.map_node
            self._set_map_title(f"{self._node_title} (click it again for the network's decision)")
        elif snap.map_class is not None and snap.map_margin is not None:
            # three classes or more: each cell in its winning class's colour, paler where the
            # network is unsure (the last output alone said nothing of the other classes)
            image, levels, self.map_shows = class_map_rgb(snap.map_class, snap.map_margin), (0, 255), None
            self._set_map_title(None)
        elif snap.map_values is not None:
            image, levels, self.map_shows = snap.map_values, (0.0, 1.0), None
            self._set_map_title(None)
        else:
            return
        self.map_source = image  # the snapshot's array painted now
        self.map_image.setImage(image, levels=levels, autoLevels=False)
        self.map_image.setRect(*self._map_rect)  # after setImage: the transform depends on the image size

    def _show_confusion(self, cm: np.ndarray) -> None:
        self.confusion_model.set_counts(cm)

    def map_values(self) -> np.ndarray | None:
        """The map as painted: the network's output over the grid, or the chosen node's."""
        return self.map_image.image

    def _on_row(self, current, previous) -> None:
        if not current.isValid():
            return
        r = self.proxy.mapToSource(current).row()
        if self.ctx is not None and r < self.ctx.train.n:
            self.rowSelected.emit(r)


_CLASS_RGB = np.array([class_colour(i) for i in range(len(COLOURS))], dtype=np.float64)


def class_map_rgb(cls: np.ndarray, margin: np.ndarray) -> np.ndarray:
    """(g, g, 3) uint8: the class colours of the points, faded toward white by how unsure the
    network is (0.15 + 0.45 x margin of colour, as the exported decision map)."""
    level = (0.15 + 0.45 * np.asarray(margin, dtype=np.float64))[..., None]
    rgb = 255.0 + (_CLASS_RGB[np.asarray(cls).astype(np.intp) % len(_CLASS_RGB)] - 255.0) * level
    return np.ascontiguousarray(np.clip(np.round(rgb), 0, 255).astype(np.uint8))


def diverging_lut() -> np.ndarray:
    """Blue (0) through white (0.5) to orange (1), light enough to see the points on."""
    cmap = pg.ColorMap([0.0, 0.5, 1.0], [(146, 197, 222), (247, 247, 247), (253, 184, 99)])
    return cmap.getLookupTable(0.0, 1.0, 256)
