"""Data you can touch: the points of the decision map, and the mouse that edits them.

``MapPoints`` draws the rows of a two-input data set on the map (training points filled,
test points hollow, as in TensorFlow Playground; a "show test data" box hides the test
points) and turns the mouse into edit requests: a left click on empty ground adds a point of
the class (or, for regression, the value) chosen in the picker above the map (in a row of
its own: the plot's title, axes and map start below it), a left drag
moves a point, a right click deletes one.  Hit-testing is in screen pixels (a tolerance of
``HIT_PIXELS`` logical pixels, so the same at any QT_SCALE_FACTOR) against the points'
data coordinates.  The requests go out as signals; the window turns them into a new data
set (core/editing.py) and a command to the runner.  Nothing here changes the data.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEvent, QObject, QPointF, Qt, QTimer, Signal
from PySide6.QtWidgets import QButtonGroup, QCheckBox, QDoubleSpinBox, QFrame, QHBoxLayout, QLabel, QToolButton

from ...core import editing

COLOURS = [(33, 102, 172), (230, 97, 1), (26, 150, 65), (117, 112, 179), (200, 200, 0)]
HIT_PIXELS = 8.0  # how near (logical pixels) a click must be to a point to take it
PICKER_GAP = 3  # pixels around the picker's row
POINT_SIZE = 8


def class_colour(i: int) -> tuple[int, int, int]:
    return COLOURS[i % len(COLOURS)]


class Picker(QFrame):
    """The bar above the map: the class (or value) a click adds, and "show test data"."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("mapPicker")
        self.setStyleSheet("#mapPicker { background: rgba(255, 255, 255, 215); border: 1px solid #bbb;"
                           " border-radius: 3px; }")
        lay = QHBoxLayout(self)
        lay.setContentsMargins(4, 2, 4, 2)
        lay.setSpacing(4)
        self.label = QLabel("click adds:")
        lay.addWidget(self.label)
        self.group = QButtonGroup(self)
        self.group.setExclusive(True)
        self.buttons: list[QToolButton] = []
        self.buttons_box = QHBoxLayout()
        self.buttons_box.setSpacing(2)
        lay.addLayout(self.buttons_box)
        self.value = QDoubleSpinBox()
        self.value.setDecimals(4)
        self.value.setRange(-1e9, 1e9)
        self.value.setToolTip("the target value of a point added with a click")
        lay.addWidget(self.value)
        self.show_test = QCheckBox("show test data")
        self.show_test.setChecked(True)
        lay.addWidget(self.show_test)
        self.setToolTip("left click: add a point \u00b7 drag a point: move it \u00b7 right click a point: delete it"
                        " \u00b7 Ctrl+Z: undo")

    def set_choices(self, names: list[str] | None, value_range: tuple[float, float] | None, has_test: bool) -> None:
        """Class buttons (names with their colours), or the value field for regression."""
        self.show_test.setVisible(has_test)
        if names is not None and names == [b.text() for b in self.buttons]:
            self._fit()
            return  # the same classes (an edit): the buttons and the one chosen stay
        for b in self.buttons:
            self.group.removeButton(b)
            b.setParent(None)
            b.deleteLater()
        self.buttons = []
        for i, name in enumerate(names or []):
            b = QToolButton()
            b.setText(name)
            b.setCheckable(True)
            r, g, bl = class_colour(i)
            b.setStyleSheet(f"QToolButton {{ color: white; background: rgb({r},{g},{bl}); border-radius: 3px;"
                            " padding: 1px 6px; border: 2px solid transparent; }"
                            " QToolButton:checked { border: 2px solid black; }")
            b.setToolTip(f"a click on the map adds a point of class {name!r}")
            self.group.addButton(b, i)
            self.buttons_box.addWidget(b)
            self.buttons.append(b)
        if self.buttons:
            self.buttons[-1 if len(self.buttons) > 1 else 0].setChecked(True)
        self.value.setVisible(names is None)
        if names is None and value_range is not None:
            lo, hi = value_range
            self.value.setValue((lo + hi) / 2)
            self.value.setSingleStep(max((hi - lo) / 20, 1e-4))
        self.label.setText("click adds:" if names is not None else "click adds the value")
        self._fit()

    def _fit(self) -> None:
        """As wide as its contents, now and once the new buttons are laid out."""
        self.adjustSize()
        QTimer.singleShot(0, self.adjustSize)

    def choice(self) -> float:
        """The class index, or the value, of a new point."""
        if self.buttons:
            return float(max(self.group.checkedId(), 0))
        return float(self.value.value())


class MapPoints(QObject):
    """The points on the decision map and their mouse edits (see the module doc)."""

    addRequested = Signal(float, float, float)  # x, y, class index or value
    moveRequested = Signal(int, float, float)  # row (training rows, then test rows), x, y
    deleteRequested = Signal(int)

    def __init__(self, plot: pg.PlotWidget, scatter: pg.ScatterPlotItem):
        super().__init__(plot)
        self.plot = plot
        self.scatter = scatter
        self.picker = Picker(plot)
        self.picker.move(PICKER_GAP + 1, PICKER_GAP)
        self.picker.installEventFilter(self)  # its size and visibility set the row kept for it
        self.picker.show_test.toggled.connect(lambda _: self._draw())
        self.X = np.empty((0, 2))
        self.n_train = 0
        self.brushes: list = []
        self.pens: list = []
        self.editable = False
        self._drag: int | None = None
        self._drag_to: tuple[float, float] | None = None
        plot.viewport().installEventFilter(self)

    # -- drawing -------------------------------------------------------------------
    def set_rows(self, ctx) -> None:
        """The context's rows as points: training rows filled, then test rows hollow."""
        ds = ctx.dataset
        # the rows as an edit sees them (editing.as_custom): training rows (validation rows
        # among them), then test rows; a point's index is its row in the edited data
        shown = ds if ds.custom else editing.as_custom(ctx.train, ctx.test, ctx.validation)
        self.X = np.asarray(shown.X, dtype=np.float64)
        T = shown.T
        self.n_train = editing.n_train(shown)
        if ds.task == "classes":
            rgbs = [class_colour(int(c)) for c in T.argmax(axis=1)]
        elif ds.task == "binary":
            rgbs = [class_colour(int(c)) for c in (T[:, 0] >= 0.5)]
        else:  # regression: the target on the map's colour scale, in network units
            z = np.clip(ctx.scaling.targets(T)[:, 0], 0.0, 1.0)
            lut = _value_lut()
            rgbs = [(int(r), int(g), int(b)) for r, g, b in (lut[int(round(q * 255))][:3] for q in z)]
        self.brushes, self.pens = [], []
        for i, rgb in enumerate(rgbs):
            if i < self.n_train:
                self.brushes.append(pg.mkBrush(*rgb))
                self.pens.append(pg.mkPen("w", width=1))
            else:  # test rows: hollow rings
                self.brushes.append(pg.mkBrush(0, 0, 0, 0))
                self.pens.append(pg.mkPen(*rgb, width=2))
        names = list(ds.output_names) if ds.task == "classes" else (["0", "1"] if ds.task == "binary" else None)
        if ds.task != "classes" and ds.T.shape[1] != 1:
            self.editable = False
        else:
            self.editable = True
        lo_hi = (float(T[:, 0].min()), float(T[:, 0].max())) if ds.task == "regression" else None
        self.picker.set_choices(names, lo_hi, ctx.test is not None)
        self.picker.setVisible(self.editable)
        self._keep_row()
        self._drag = None
        self._draw()

    def _draw(self) -> None:
        n = self.X.shape[0] if self.picker.show_test.isChecked() else self.n_train
        X = self.X[:n].copy()
        if self._drag is not None and self._drag_to is not None:
            X[self._drag] = self._drag_to
        self.scatter.setData(pos=X, brush=self.brushes[:n], pen=self.pens[:n], size=POINT_SIZE)

    def shown_rows(self) -> int:
        return self.X.shape[0] if self.picker.show_test.isChecked() else self.n_train

    # -- hit-testing -----------------------------------------------------------------
    def to_data(self, pos) -> tuple[float, float]:
        """A viewport position (logical pixels) in the data's units."""
        p = self.plot.getViewBox().mapSceneToView(self.plot.mapToScene(pos.toPoint()))
        return float(p.x()), float(p.y())

    def hit(self, pos) -> int | None:
        """The row of the shown point nearest to a viewport position, within HIT_PIXELS."""
        n = self.shown_rows()
        if n == 0:
            return None
        vb = self.plot.getViewBox()
        scene = vb.mapViewToScene  # data -> scene, then scene -> viewport
        origin = self.plot.mapFromScene(scene(QPointF(0.0, 0.0)))
        ex = self.plot.mapFromScene(scene(QPointF(1.0, 0.0)))
        ey = self.plot.mapFromScene(scene(QPointF(0.0, 1.0)))
        # the view is a linear map: pixel = origin + x * (ex - origin) + y * (ey - origin)
        ox, oy = origin.x(), origin.y()
        ax, ay = ex.x() - ox, ex.y() - oy
        bx, by = ey.x() - ox, ey.y() - oy
        X = self.X[:n]
        px = ox + X[:, 0] * ax + X[:, 1] * bx
        py = oy + X[:, 0] * ay + X[:, 1] * by
        d = np.hypot(px - pos.x(), py - pos.y())
        i = int(np.argmin(d))
        return i if d[i] <= HIT_PIXELS else None

    # -- the mouse --------------------------------------------------------------------
    def _keep_row(self) -> None:
        """A row above the plot (title, axes, map) for the picker: the plot item's top margin."""
        top = self.picker.sizeHint().height() + 2 * PICKER_GAP if not self.picker.isHidden() else 1
        left, old, right, bottom = self.plot.plotItem.layout.getContentsMargins()
        if old != top:
            self.plot.plotItem.layout.setContentsMargins(left, top, right, bottom)

    def eventFilter(self, obj, event) -> bool:
        if obj is self.picker:
            if event.type() in (QEvent.Type.Resize, QEvent.Type.Show, QEvent.Type.Hide, QEvent.Type.LayoutRequest):
                self._keep_row()
            return False
        if not self.editable or not self.picker.isVisible():
            return False
        kind = event.type()
        if kind == QEvent.Type.MouseButtonPress:
            pos = event.position()
            row = self.hit(pos)
            if event.button() == Qt.MouseButton.LeftButton:
                if row is None:
                    self.addRequested.emit(*self.to_data(pos), self.picker.choice())
                else:
                    self._drag, self._drag_to = row, None
                return True
            if event.button() == Qt.MouseButton.RightButton and row is not None:
                self.deleteRequested.emit(row)
                return True
        elif kind == QEvent.Type.MouseMove and self._drag is not None:
            self._drag_to = self.to_data(event.position())
            self._draw()
            return True
        elif kind == QEvent.Type.MouseButtonRelease and self._drag is not None and event.button() == Qt.MouseButton.LeftButton:
            row, to = self._drag, self._drag_to
            self._drag, self._drag_to = None, None
            if to is not None:
                self.moveRequested.emit(row, *to)
            return True
        elif kind in (QEvent.Type.MouseButtonRelease, QEvent.Type.MouseButtonDblClick) and event.button() == Qt.MouseButton.LeftButton:
            return True  # the click that added a point does not also pan or zoom the view
        return False


_LUT: np.ndarray | None = None


def _value_lut() -> np.ndarray:
    """The decision map's colour scale (blue 0, white 0.5, orange 1), darkened to show on it."""
    global _LUT
    if _LUT is None:
        cmap = pg.ColorMap([0.0, 0.5, 1.0], [(33, 102, 172), (150, 150, 150), (230, 97, 1)])
        _LUT = cmap.getLookupTable(0.0, 1.0, 256)
    return _LUT
