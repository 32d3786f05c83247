"""The inspector's choices: which step, one observation or the batch, and a button per stage.

The step shown is the one that led to the iteration shown or the next one (what Step will do);
the matrices follow one observation (a training row, chosen here or in the predictions table)
or the whole batch; the stage buttons walk the step in the post's order (X → H1 → … → ŷ, the
error, δ_y, δ_h…, ΔW).  All of them sit in one row that wraps when the room is narrow.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from PySide6.QtGui import QStandardItemModel
from PySide6.QtWidgets import QButtonGroup, QComboBox, QLabel, QSpinBox, QToolButton, QWidget

from .flow_layout import FlowLayout
from .inspector_stages import stage_button, stages

LAST, NEXT = 0, 1  # the step shown: the one that led here, or the one Step will make
ONE, BATCH = 0, 1  # one observation, or the whole batch


class StageBar:
    """The row of choices (``widget``): ``which`` step, ``mode`` (one observation or the batch),
    ``row_box`` (the observation) with its ``row_note``, and ``stage_buttons`` by stage."""

    def __init__(self, parent: QWidget):
        self.which = QComboBox()
        self.which.addItems(["the step that led here", "the next step (what Step will do)"])
        self.which.setToolTip("the step that led here: its forward pass used the weights before it\n"
                              "the next step: the current weights' forward pass, and the update the next Step "
                              "will make (computed on a copy)")
        self.mode = QComboBox()
        self.mode.addItems(["one observation", "whole batch"])
        self.row_box = QSpinBox()
        self.row_box.setPrefix("obs ")
        self.row_box.setRange(1, 1)
        self.row_box.setToolTip("the observation (training row) followed; selecting a row in the predictions "
                                "table chooses it too")
        self.row_note = QLabel()
        self.row_note.setStyleSheet("color: #777;")
        self.widget = QWidget()  # the choices, then a button for every stage: wraps when narrow
        self.flow = FlowLayout(self.widget, spacing=4, center=True)
        self.flow.setContentsMargins(0, 0, 0, 0)
        for w in (QLabel("step"), self.which, QLabel("show"), self.mode, self.row_box, self.row_note,
                  QLabel("  stage")):
            self.flow.addWidget(w)
        self.group = QButtonGroup(parent)
        self.group.setExclusive(True)
        self.stage_buttons: dict[tuple[str, int], QToolButton] = {}

    def make_buttons(self, names, chosen: Callable) -> None:
        """A button for every stage of a network named ``names`` (``core.notation.Names``); a
        click calls ``chosen(stage)``."""
        for b in self.stage_buttons.values():
            self.group.removeButton(b)
            self.flow.removeWidget(b)
            b.deleteLater()
        self.stage_buttons = {}
        for k, st in enumerate(stages(names.L)):
            label, tip = stage_button(st, names)
            b = QToolButton()
            b.setText(label)
            b.setToolTip(tip)
            b.setCheckable(True)
            b.setAutoRaise(False)
            b.clicked.connect(partial(chosen, st))
            self.group.addButton(b, k)
            self.flow.addWidget(b)
            self.stage_buttons[st] = b
        self.widget.updateGeometry()

    def set_rows(self, n: int) -> None:
        """Observations 1..n to choose from, the first chosen (no signal)."""
        self.row_box.blockSignals(True)
        self.row_box.setRange(1, max(n, 1))
        self.row_box.setValue(1)
        self.row_box.blockSignals(False)

    def set_row(self, row: int) -> None:
        """Show observation ``row`` (0-based) as chosen (no signal)."""
        self.row_box.blockSignals(True)
        self.row_box.setValue(row + 1)
        self.row_box.blockSignals(False)

    def one(self) -> bool:
        return self.mode.currentIndex() == ONE

    def sync_which(self, has_last: bool, has_next: bool, what: str, ahead: bool) -> None:
        """The step choices that exist; the one shown (``what``: "last", "next" or "micro", ``ahead``:
        the micro-steps of a step not yet made), not to be changed during a micro-step."""
        model = self.which.model()
        assert isinstance(model, QStandardItemModel)  # (a combo box's own model)
        model.item(LAST).setEnabled(has_last)
        model.item(NEXT).setEnabled(has_next)
        self.which.setEnabled(what != "micro")
        self.which.blockSignals(True)
        self.which.setCurrentIndex(NEXT if what == "next" or ahead else LAST)
        self.which.blockSignals(False)

    def check(self, view: tuple[str, int], micro: tuple[str, int] | None) -> None:
        """The button of the stage ``view`` checked; that of the micro-step under way (``micro``) framed."""
        for st, b in self.stage_buttons.items():
            b.setChecked(st == view)
            b.setStyleSheet("QToolButton { border: 2px solid #e08a1e; }" if st == micro else "")
