"""The card of one weight: its value, gradient, last update and the update formula
with the numbers plugged in.  The weight can be edited here; training then goes on
from the edited network."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QDialog, QFormLayout, QHBoxLayout, QLabel, QLineEdit, QPushButton, QVBoxLayout


class EdgeCard(QDialog):
    weightEdited = Signal(int, int, int, float)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setWindowTitle("Weight")
        self.setModal(False)
        self.key = (0, 0, 0)
        self.title = QLabel()
        self.title.setTextFormat(Qt.RichText)
        self.value = QLabel()
        self.gradient = QLabel()
        self.update_label = QLabel()
        self.formula = QLabel()
        self.formula.setTextFormat(Qt.RichText)
        self.formula.setWordWrap(True)
        self.formula.setTextInteractionFlags(Qt.TextSelectableByMouse)
        for lab in (self.value, self.gradient, self.update_label):
            lab.setTextInteractionFlags(Qt.TextSelectableByMouse)
        form = QFormLayout()
        form.addRow("weight", self.value)
        form.addRow("dC/dw (last step)", self.gradient)
        form.addRow("last update", self.update_label)
        self.edit = QLineEdit()
        self.edit.setPlaceholderText("new value")
        self.apply = QPushButton("Set weight")
        self.apply.clicked.connect(self._apply)
        self.edit.returnPressed.connect(self._apply)
        self.problem = QLabel()
        self.problem.setStyleSheet("color: #b00020;")
        row = QHBoxLayout()
        row.addWidget(self.edit, 1)
        row.addWidget(self.apply)
        lay = QVBoxLayout(self)
        lay.addWidget(self.title)
        lay.addLayout(form)
        lay.addWidget(self.formula)
        lay.addLayout(row)
        lay.addWidget(self.problem)
        self.resize(460, 260)

    def show_edge(self, layer: int, row: int, col: int, src: str, dst: str, snap) -> None:
        """Fill the card for W_{layer+1}[row, col] from a snapshot (and its trace, if any)."""
        self.key = (layer, row, col)
        w = float(snap.weights[layer][row, col])
        # 1-based like R and the CSV export: row 1 is the bias row
        self.title.setText(f"<b>W<sub>{layer + 1}</sub>[{row + 1}, {col + 1}]</b>: {src} \u2192 {dst}"
                           + ("  (row 1: the bias row)" if row == 0 else ""))
        self.shown_iteration = snap.iteration
        self.value.setText(repr(w))
        if not self.edit.hasFocus():  # never overwrite what the user is typing
            self.edit.setText(repr(w))
        self.problem.setText("")
        t = snap.trace
        if t is None:
            self.gradient.setText("\u2014 (step once to compute it)")
            self.update_label.setText("\u2014")
            self.formula.setText("")
            return
        lt = t.layers[layer]
        g = float(lt.gradient[row, col])  # sum_i input_i[row] * delta_i[col]
        self.gradient.setText(f"{-g:.10g}")
        upd = float(lt.update[row, col])
        self.update_label.setText(f"{upd:.10g}  (iteration {t.iteration})")
        h = "1" if row == 0 else f"h<sub>i,{row + 1}</sub>"
        w_before = float(lt.W[row, col])
        if t.algorithm == "gd":
            text = (f"w \u2190 w + lr \u00b7 \u03a3<sub>i</sub> {h} \u00b7 \u03b4<sub>i,{col + 1}</sub> "
                    f"= {w_before:.6g} + {t.lr:g} \u00b7 {g:.6g} = {w_before + t.lr * g:.6g}")
            if not np.isclose(w_before + t.lr * g, w_before + upd, rtol=1e-9, atol=1e-15):
                text += f"<br>with momentum the change was {upd:.6g}: w = {w_before + upd:.6g}"
        else:
            sign = "+" if upd >= 0 else "\u2212"
            text = (f"{t.algorithm}: w \u2190 w \u2212 sign(dC/dw) \u00b7 step = {w_before:.6g} "
                    f"{sign} {abs(upd):.6g} = {w_before + upd:.6g}")
        self.formula.setText(text + f"<br><span style='color:#777'>the sum runs over the {len(t.rows)} "
                                    "observations of the batch</span>")

    def _apply(self) -> None:
        try:
            v = float(self.edit.text())
        except ValueError:
            self.problem.setText(f"{self.edit.text()!r} is not a number")
            return
        if not np.isfinite(v):
            self.problem.setText("a weight must be a finite number")
            return
        self.problem.setText("")
        self.weightEdited.emit(*self.key, v)
