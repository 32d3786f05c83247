"""The +/- buttons of the diagram, as in TensorFlow Playground: above each hidden layer a
neuron more or less, and at the strip's left end a hidden layer more or less.

A strip above the diagram holds real tool buttons (Tab reaches them, each has a tooltip and
an accessible name).  Each layer's pair is centred on that layer's column of nodes, read from
the diagram's own layout and mapped to pixels, so the pairs follow the diagram when the
window is resized, the diagram is zoomed or panned, or Qt scales the screen.  A click emits
the new hidden sizes (``hiddenChanged``); the window applies them through the control panel,
so the change asks before discarding trained weights and keeps the seed.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QPoint, QPointF, Qt, QTimer, Signal
from PySide6.QtWidgets import QLabel, QToolButton, QWidget

from ...core.experiment import Settings

MAX_LAYERS = 8  # hidden layers the + button goes up to (the diagram stays readable)
NEW_LAYER = 4  # neurons of a layer added to a network without hidden layers


def with_hidden(settings: Settings, hidden: tuple[int, ...]) -> dict:
    """The settings changes for new hidden sizes: one activation per layer is kept per layer
    (a new layer repeats the last one's), a single activation stays as it is."""
    acts = tuple(settings.activation)
    if len(acts) > 1:
        acts = (acts + (acts[-1],) * len(hidden))[:len(hidden)] if hidden else acts[:1]
        if len(set(acts)) == 1:
            acts = acts[:1]
    return {"hidden": tuple(hidden), "activation": acts}


class KeyButton(QToolButton):
    """A tool button that takes the space bar when it has the focus (the window's Space is
    Play/Pause, which would otherwise take the key from a focused button)."""

    def event(self, e) -> bool:
        if e.type() == QEvent.Type.ShortcutOverride and e.key() in (Qt.Key.Key_Space, Qt.Key.Key_Select):
            e.accept()
            return True
        return super().event(e)


def _button(text: str, name: str) -> QToolButton:
    b = KeyButton()
    b.setText(text)
    b.setAccessibleName(name)
    b.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
    b.setAutoRaise(False)
    return b


class LayerButtons(QWidget):
    """The strip of +/- buttons above a ``NetworkView`` (``view``)."""

    hiddenChanged = Signal(object)  # tuple of hidden layer sizes

    def __init__(self, view, parent=None):
        super().__init__(parent)
        self.view = view
        self.hidden: tuple[int, ...] = ()
        self.layer_minus = _button("\u2212", "one hidden layer less")
        self.layer_plus = _button("+", "one hidden layer more")
        self.layer_label = QLabel()
        for w in (self.layer_minus, self.layer_plus, self.layer_label):
            w.setParent(self)
        self.layer_minus.clicked.connect(self._layer_less)
        self.layer_plus.clicked.connect(self._layer_more)
        self.pairs: list[tuple[QToolButton, QToolButton, QLabel]] = []
        h = self.layer_plus.sizeHint().height()
        self.setFixedHeight(h + 4)
        self._pending = False
        self.withheld = False  # hidden by a lesson (core/lesson.py): stays hidden for every network
        vb = view.getViewBox()
        vb.sigTransformChanged.connect(self.schedule_layout)
        vb.sigResized.connect(self.schedule_layout)
        self.setVisible(False)

    # -- per network ----------------------------------------------------------------
    def set_hidden(self, hidden: tuple[int, ...]) -> None:
        """The buttons of a network with these hidden layers (call after the view's set_context)."""
        self.hidden = tuple(hidden)
        L = len(self.hidden)
        self.layer_label.setText(f"{L} hidden layer{'s' if L != 1 else ''}")
        self.layer_minus.setEnabled(L > 0)
        self.layer_plus.setEnabled(L < MAX_LAYERS)
        self.layer_minus.setToolTip(f"remove the last hidden layer ({L} \u2192 {L - 1} hidden layers)" if L
                                    else "no hidden layer to remove")
        self.layer_plus.setToolTip(f"add a hidden layer at the end ({L} \u2192 {L + 1})" if L < MAX_LAYERS
                                   else f"at most {MAX_LAYERS} hidden layers")
        while len(self.pairs) > L:
            for w in self.pairs.pop():
                w.deleteLater()
        while len(self.pairs) < L:
            li = len(self.pairs)
            minus = _button("\u2212", f"one neuron less in hidden layer {li + 1}")
            plus = _button("+", f"one neuron more in hidden layer {li + 1}")
            count = QLabel()
            for w in (minus, plus, count):
                w.setParent(self)
                w.show()
            minus.clicked.connect(lambda _=False, li=li: self._neurons(li, -1))
            plus.clicked.connect(lambda _=False, li=li: self._neurons(li, +1))
            self.pairs.append((minus, plus, count))
        for li, (minus, plus, count) in enumerate(self.pairs):
            n = self.hidden[li]
            count.setText(str(n))
            minus.setEnabled(n > 1)
            minus.setToolTip(f"one neuron less in hidden layer {li + 1} ({n} \u2192 {n - 1})" if n > 1
                             else "a layer needs at least one neuron (remove the layer with the \u2212 on the left)")
            plus.setToolTip(f"one neuron more in hidden layer {li + 1} ({n} \u2192 {n + 1})")
        self.setVisible(not self.withheld)
        self.schedule_layout()

    # -- placing ----------------------------------------------------------------------
    def schedule_layout(self, *_) -> None:
        """Place the buttons once the diagram has its new geometry (coalesced)."""
        if not self._pending:
            self._pending = True
            QTimer.singleShot(0, self.relayout)

    def layer_center_x(self, layer: int) -> float | None:
        """The x, in this strip's pixels, of the diagram's column of nodes of ``layer`` (1 = the
        first hidden layer), or None before the diagram has a network."""
        v = self.view
        if getattr(v, "context", None) is None or not len(getattr(v, "node_pos", ())):
            return None
        xs = v.node_pos[v.node_layer == layer, 0]
        if not xs.size:
            return None
        scene = v.getViewBox().mapViewToScene(QPointF(float(xs[0]), 0.0))
        p = v.mapFromScene(scene)
        top = self.window()
        return float(self.mapFrom(top, v.mapTo(top, QPoint(p.x(), 0))).x())

    def relayout(self) -> None:
        """The layer buttons at the left, each layer's pair centred over its column; where the
        strip is too narrow (a small or scaled screen) the pairs move left to stay inside it,
        and first the "N hidden layers" text, then the neuron counts (the hidden-layers field
        has them too) give way before any button overlaps another."""
        self._pending = False
        y = (self.height() - self.layer_plus.sizeHint().height()) // 2
        for w in (self.layer_minus, self.layer_plus, self.layer_label):
            w.adjustSize()
        for minus, plus, count in self.pairs:
            for w in (minus, plus, count):
                w.adjustSize()
        right = self.width() - 4
        for with_label, with_counts in ((True, True), (False, True), (False, False)):
            x = 4
            for w in (self.layer_minus, self.layer_plus) + ((self.layer_label,) if with_label else ()):
                w.move(x, y + (self.layer_plus.sizeHint().height() - w.height()) // 2)
                x += w.width() + 2
            widths = [minus.width() + plus.width() + (count.width() + 4 if with_counts else 2)
                      for minus, plus, count in self.pairs]
            left_end = x + 6
            starts = []
            for li, width in enumerate(widths):  # centred over the column, never left of the last
                cx = self.layer_center_x(li + 1)
                if cx is None:
                    cx = left_end + width / 2
                x0 = int(round(max(cx - width / 2, left_end)))
                starts.append(x0)
                left_end = x0 + width + 6
            limit = right
            for k in range(len(starts) - 1, -1, -1):  # ... and never beyond the strip's right end
                starts[k] = min(starts[k], limit - widths[k])
                limit = starts[k] - 6
            if not starts or starts[0] >= x + 4:
                break
        self.layer_label.setVisible(with_label)
        for (minus, plus, count), x0 in zip(self.pairs, starts, strict=True):
            count.setVisible(with_counts)
            minus.move(x0, y)
            if with_counts:
                count.move(x0 + minus.width() + 2, y + (minus.height() - count.height()) // 2)
                plus.move(x0 + minus.width() + count.width() + 4, y)
            else:
                plus.move(x0 + minus.width() + 2, y)

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self.schedule_layout()

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self.schedule_layout()

    # -- clicks -------------------------------------------------------------------------
    def _neurons(self, layer: int, delta: int) -> None:
        hidden = list(self.hidden)
        if not 0 <= layer < len(hidden) or hidden[layer] + delta < 1:
            return
        hidden[layer] += delta
        self._emit(tuple(hidden))

    def _layer_more(self) -> None:
        if len(self.hidden) < MAX_LAYERS:
            self._emit(self.hidden + ((self.hidden[-1] if self.hidden else NEW_LAYER),))

    def _layer_less(self) -> None:
        if self.hidden:
            self._emit(self.hidden[:-1])

    def _emit(self, hidden: tuple[int, ...]) -> None:
        """Ask for the new sizes and show them at once, so a quick second click builds on the
        first (the window puts the buttons back to the kept network when a change is cancelled)."""
        self.hiddenChanged.emit(hidden)
        self.set_hidden(hidden)
