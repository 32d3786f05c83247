"""Feature toggles beside the diagram's input nodes, as in TensorFlow Playground: one check
box per feature of two-input data (x1, x2, x1^2, x2^2, x1*x2, sin(x1), sin(x2), named in the
data's own column names).

The column is shown for two-input data only.  Ticking or clearing a box emits the new
feature set (``featuresChanged``); the window turns it into Settings through the same path as
the control panel (a new network, after asking if the training is not saved), and puts the
boxes back with ``show_features`` when the change is cancelled.  The raw inputs (no features)
show as x1 and x2 ticked, and ticking exactly x1 and x2 gives the raw inputs back.

Each ticked box sits level with its input node of the diagram (``view``, a ``NetworkView``):
its y is read from the diagram's layout and mapped to pixels, as the +/- buttons read their
x, so the boxes follow the diagram when the window is resized, the diagram zoomed or Qt
scales the screen.  The boxes not ticked (no node) follow, in their order, below the last
input node (or above the first, when there is no room below).
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QPoint, QPointF, Qt, QTimer, Signal
from PySide6.QtWidgets import QCheckBox, QLabel, QWidget

from ...core import features as featmod

RAW = ("x1", "x2")
GAP = 2  # pixels between boxes


class _Box(QCheckBox):
    """A check box that takes the space bar when it has the focus (not the window's Play/Pause)."""

    def event(self, e) -> bool:
        if e.type() == QEvent.Type.ShortcutOverride and e.key() in (Qt.Key.Key_Space, Qt.Key.Key_Select):
            e.accept()
            return True
        return super().event(e)


class FeatureToggles(QWidget):
    featuresChanged = Signal(object)  # tuple of canonical feature names; () = the raw inputs
    refused = Signal(str)  # a change that cannot be made (no feature left), in one line

    def __init__(self, view=None, parent=None):
        super().__init__(parent)
        self.withheld = False  # hidden by a lesson (core/lesson.py): stays hidden for every network
        self._loading = False
        self._pending = False
        self.view = None
        self.title = QLabel("features", self)
        self.title.setToolTip("the network's inputs, computed from the two raw columns (as in TensorFlow Playground)")
        self.boxes: dict[str, QCheckBox] = {}
        for f in featmod.FEATURES:
            box = _Box(f, self)
            box.setFocusPolicy(Qt.StrongFocus)
            box.toggled.connect(self._toggled)
            self.boxes[f] = box
        self.names: tuple[str, ...] = RAW
        self.inputs: tuple[str, ...] = RAW  # the network's inputs, in the order of its input nodes
        self._fit_size()
        if view is not None:
            self.set_view(view)
        self.setVisible(False)

    def set_view(self, view) -> None:
        """The diagram whose input nodes the boxes line up with."""
        self.view = view
        vb = view.getViewBox()
        vb.sigTransformChanged.connect(self.schedule_layout)
        vb.sigResized.connect(self.schedule_layout)
        self.schedule_layout()

    # -- placing ----------------------------------------------------------------------
    def _fit_size(self) -> None:
        """As wide as the widest box, and never lower than all of them stacked."""
        widgets = [self.title, *self.boxes.values()]
        for w in widgets:
            w.adjustSize()
        self.setFixedWidth(max(w.width() for w in widgets) + 6)
        self.setMinimumHeight(sum(w.height() + GAP for w in widgets) + 4)

    def schedule_layout(self, *_) -> None:
        """Place the boxes once the diagram has its new geometry (coalesced)."""
        if not self._pending:
            self._pending = True
            QTimer.singleShot(0, self.relayout)

    def node_y(self, i: int) -> float | None:
        """The y, in this widget's pixels, of the diagram's input node i, or None before the
        diagram shows a network with that input."""
        v = self.view
        if v is None or getattr(v, "context", None) is None or not len(getattr(v, "node_pos", ())):
            return None
        keys = getattr(v, "node_keys", [])
        if ("n", 0, i) not in keys or not v.isVisible():
            return None
        x, y = v.node_pos[keys.index(("n", 0, i))]
        p = v.mapFromScene(v.getViewBox().mapViewToScene(QPointF(float(x), float(y))))
        top = self.window()
        return float(self.mapFrom(top, v.mapTo(top, QPoint(0, p.y()))).y())

    def box_tops(self) -> dict[str, int]:
        """Where each box goes (its top, in pixels): a ticked box level with its input node, the
        others after them in their order, below the last node (above the first when there is
        no room below); none over another, all inside the widget."""
        h = max(b.sizeHint().height() for b in self.boxes.values())
        step = h + GAP
        lowest = self.title.sizeHint().height() + GAP  # the title's room above the first box
        bottom = self.height() - h
        on = [f for f in self.boxes if f in self.inputs]
        off = [f for f in self.boxes if f not in self.inputs]
        want = {f: y - h / 2 for f in on if (y := self.node_y(self.inputs.index(f))) is not None}
        if len(want) < len(on):  # no diagram yet: one column in the middle, in order
            first = (self.height() - step * len(self.boxes)) / 2
            order, ys = list(self.boxes), [first + k * step for k in range(len(self.boxes))]
        else:
            below = want[on[-1]] + step
            if below + (len(off) - 1) * step <= bottom or want[on[0]] - len(off) * step < lowest:
                order = on + off
                ys = [want[f] for f in on] + [below + k * step for k in range(len(off))]
            else:
                order = off + on
                ys = [want[on[0]] - (len(off) - k) * step for k in range(len(off))] + [want[f] for f in on]
        for k in range(len(ys)):  # none over the one before, none above the title's room
            ys[k] = max(ys[k], lowest if k == 0 else ys[k - 1] + step)
        for k in reversed(range(len(ys))):  # none out of the bottom (pushed up, as far as there is room)
            ys[k] = min(ys[k], bottom if k == len(ys) - 1 else ys[k + 1] - step)
        return {f: int(round(max(y, lowest))) for f, y in zip(order, ys, strict=True)}

    def relayout(self) -> None:
        self._pending = False
        tops = self.box_tops()
        for f, box in self.boxes.items():
            box.adjustSize()
            box.move(4, tops[f])
        first = min(tops.values())
        self.title.adjustSize()
        self.title.move(4, max(first - self.title.height() - GAP, 0))

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self.schedule_layout()

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self.schedule_layout()

    def show_features(self, n_inputs: int, features: tuple[str, ...], input_names: tuple[str, ...]) -> None:
        """Show the boxes of a network: ticked for its features (x1, x2 for the raw inputs);
        hidden unless the data has exactly two inputs."""
        self.setVisible(n_inputs == 2 and not self.withheld)
        if n_inputs != 2:
            return
        self.names = tuple(input_names)
        self.inputs = tuple(features or RAW)
        on = set(self.inputs)
        self._loading = True
        try:
            for f, box in self.boxes.items():
                label = featmod.labels((f,), self.names)[0]
                box.setText(label)
                box.setToolTip(f"{label} ({f}) as an input of the network; a change builds a new network")
                box.setAccessibleName(f"feature {label}")
                box.setChecked(f in on)
        finally:
            self._loading = False
        self._fit_size()
        self.schedule_layout()

    def features(self) -> tuple[str, ...]:
        """The ticked features; () when exactly the raw inputs x1, x2 are ticked."""
        on = tuple(f for f, box in self.boxes.items() if box.isChecked())
        return () if on == RAW else on

    def _toggled(self, checked: bool) -> None:
        if self._loading:
            return
        if not any(box.isChecked() for box in self.boxes.values()):
            box = self.sender()
            self._loading = True
            try:
                if isinstance(box, QCheckBox):
                    box.setChecked(True)
            finally:
                self._loading = False
            self.refused.emit("the network needs at least one input feature")
            return
        self.featuresChanged.emit(self.features())
