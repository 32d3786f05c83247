"""Feature toggles beside the diagram's input nodes, as in TensorFlow Playground: one check
box per feature of two-input data (x1, x2, x1^2, x2^2, x1*x2, sin(x1), sin(x2), named in the
data's own column names).

The column is shown for two-input data only.  Ticking or clearing a box emits the new
feature set (``featuresChanged``); the window turns it into Settings through the same path as
the control panel (a new network, after asking if the training is not saved), and puts the
boxes back with ``show_features`` when the change is cancelled.  The raw inputs (no features)
show as x1 and x2 ticked, and ticking exactly x1 and x2 gives the raw inputs back.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtWidgets import QCheckBox, QLabel, QVBoxLayout, QWidget

from ...core import features as featmod

RAW = ("x1", "x2")


class _Box(QCheckBox):
    """A check box that takes the space bar when it has the focus (not the window's Play/Pause)."""

    def event(self, e) -> bool:
        if e.type() == QEvent.ShortcutOverride and e.key() in (Qt.Key_Space, Qt.Key_Select):
            e.accept()
            return True
        return super().event(e)


class FeatureToggles(QWidget):
    featuresChanged = Signal(object)  # tuple of canonical feature names; () = the raw inputs
    refused = Signal(str)  # a change that cannot be made (no feature left), in one line

    def __init__(self, parent=None):
        super().__init__(parent)
        self._loading = False
        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 2, 2, 2)
        lay.setSpacing(2)
        lay.addStretch(1)
        title = QLabel("features")
        title.setToolTip("the network's inputs, computed from the two raw columns (as in TensorFlow Playground)")
        lay.addWidget(title)
        self.boxes: dict[str, QCheckBox] = {}
        for f in featmod.FEATURES:
            box = _Box(f)
            box.setFocusPolicy(Qt.StrongFocus)
            box.toggled.connect(self._toggled)
            lay.addWidget(box)
            self.boxes[f] = box
        lay.addStretch(1)
        self.names: tuple[str, ...] = RAW
        self.setVisible(False)

    def show_features(self, n_inputs: int, features: tuple[str, ...], input_names: tuple[str, ...]) -> None:
        """Show the boxes of a network: ticked for its features (x1, x2 for the raw inputs);
        hidden unless the data has exactly two inputs."""
        self.setVisible(n_inputs == 2)
        if n_inputs != 2:
            return
        self.names = tuple(input_names)
        on = set(features or RAW)
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
