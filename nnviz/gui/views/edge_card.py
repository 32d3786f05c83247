"""The card of one weight: its value, gradient, last update and the update formula
with the numbers plugged in, the next Step's change when it is known, and the sign
convention said where it is used: delta = (y - yhat) f'(A), so sum_i h_i delta_i =
-dC/dw and w += lr sum_i h_i delta_i goes downhill.  Each index is named by the input or
node behind it ("x3 (input 3: Petal.Length)", "h1.4 (hidden layer 1, node 4)").  The
weight can be edited here; training then goes on from the edited network."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QDialog, QFormLayout, QHBoxLayout, QLabel, QLineEdit, QPushButton, QVBoxLayout

from ...core.notation import DELTA, Names


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
        self.sum_label = QLabel()
        self.sum_label.setTextFormat(Qt.RichText)
        self.sum_label.setWordWrap(True)
        self.next_label = QLabel()
        self.next_label.setTextFormat(Qt.RichText)
        self.next_label.setWordWrap(True)
        self.formula = QLabel()
        self.formula.setTextFormat(Qt.RichText)
        self.formula.setWordWrap(True)
        self.formula.setTextInteractionFlags(Qt.TextSelectableByMouse)
        for lab in (self.value, self.gradient, self.update_label, self.sum_label, self.next_label):
            lab.setTextInteractionFlags(Qt.TextSelectableByMouse)
        form = QFormLayout()
        form.addRow("weight", self.value)
        form.addRow("dC/dw (last step)", self.gradient)
        form.addRow(f"\u03a3 h {DELTA} (last step)", self.sum_label)
        form.addRow("last update", self.update_label)
        form.addRow("next Step", self.next_label)
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
        self.resize(560, 340)

    def show_edge(self, layer: int, row: int, col: int, src: str, dst: str, snap) -> None:
        """Fill the card for W_{layer+1}[row, col] from a snapshot (and its traces, if any)."""
        self.key = (layer, row, col)
        w = float(snap.weights[layer][row, col])
        names = _names(snap, layer, row, col, src, dst)
        lw = layer + 1
        h_long = names.source_long(lw, row)
        d_node = names.node(lw, col)
        # 1-based like R and the CSV export: row 1 is the bias row
        self.title.setText(f"<b>W<sub>{lw}</sub>[{row + 1}, {col + 1}]</b>: {h_long} \u2192 "
                           f"{names.node_long(lw, col)}" + ("  (row 1: the bias row)" if row == 0 else ""))
        self.shown_iteration = snap.iteration
        self.value.setText(repr(w))
        if not self.edit.hasFocus():  # never overwrite what the user is typing
            self.edit.setText(repr(w))
        self.problem.setText("")
        self._show_next(snap, layer, row, col, w)
        t = snap.trace
        if t is None:
            self.gradient.setText("\u2014 (no step led here: step once to compute it)")
            self.sum_label.setText("\u2014")
            self.update_label.setText("\u2014")
            self.formula.setText(self._legend(names, lw, row, col, None))
            return
        lt = t.layers[layer]
        g = float(lt.gradient[row, col])  # sum_i input_i[row] * delta_i[col]
        self.gradient.setText(f"{-g:.10g}")
        self.sum_label.setText(f"{g:.10g} = \u2212dC/dw")
        upd = float(lt.update[row, col])
        self.update_label.setText(f"{upd:.10g}  (iteration {t.iteration})")
        h = "1" if row == 0 else f"[{names.node(lw - 1, row - 1)}]<sub>i</sub>"
        d = f"[{names.delta(lw)}, {d_node}]<sub>i</sub>"
        w_before = float(lt.W[row, col])
        if t.algorithm == "gd":
            text = (f"w \u2190 w + lr \u00b7 \u03a3<sub>i</sub> {h} \u00b7 {d} "
                    f"= {w_before:.6g} + {t.lr:g} \u00b7 ({g:.6g}) = {w_before + t.lr * g:.6g}")
            if not np.isclose(w_before + t.lr * g, w_before + upd, rtol=1e-9, atol=1e-15):
                text += f"<br>with momentum the change was {upd:.6g}: w = {w_before + upd:.6g}"
        else:
            sign = "+" if upd >= 0 else "\u2212"
            text = (f"{t.algorithm}: w \u2190 w \u2212 sign(dC/dw) \u00b7 step = {w_before:.6g} "
                    f"{sign} {abs(upd):.6g} = {w_before + upd:.6g}")
        self.formula.setText(text + "<br>" + self._legend(names, lw, row, col, len(t.rows)))

    def _show_next(self, snap, layer: int, row: int, col: int, w: float) -> None:
        """What the next Step will do to this weight (the runner's next_trace), when known."""
        nt = getattr(snap, "next_trace", None)
        if nt is None or snap.stage is not None:
            self.next_label.setText("\u2014")
            return
        lt = nt.layers[layer]
        g, upd = float(lt.gradient[row, col]), float(lt.update[row, col])
        self.next_label.setText(f"dC/dw = {-g:.6g}, so \u03a3 h {DELTA} = {g:.6g}; w becomes "
                                f"{w:.6g} + ({upd:.6g}) = {w + upd:.6g} (iteration {nt.iteration})")

    def _legend(self, names: Names, lw: int, row: int, col: int, n_rows: int | None) -> str:
        """What the indices and the sign mean, in words."""
        rows = f"the {n_rows} observations of the batch" if n_rows else "the observations of the batch"
        h = ("1, the bias input" if row == 0 else
             f"[{names.node(lw - 1, row - 1)}]<sub>i</sub> is observation i's value of {names.source_long(lw, row)}")
        return (f"<span style='color:#555'>i runs over {rows}; {h}; [{names.delta(lw)}, {names.node(lw, col)}]"
                f"<sub>i</sub> is its delta at {names.node_long(lw, col)}.<br>{DELTA} = (y \u2212 \u0177) "
                f"f\u2032(A) points downhill, so \u03a3<sub>i</sub> h<sub>i</sub> {DELTA}<sub>i</sub> = "
                "\u2212dC/dw, and w + lr \u00b7 \u03a3 h \u03b4 moves w down the slope of C.</span>")

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


def _names(snap, layer: int, row: int, col: int, src: str, dst: str) -> Names:
    """Names for the snapshot's network, with the two labels the diagram gave this edge."""
    W = snap.weights
    sizes = tuple([W[0].shape[0] - 1] + [M.shape[1] for M in W])
    ins = [f"x{k + 1}" for k in range(sizes[0])]
    outs = [f"output {k + 1}" for k in range(sizes[-1])]
    if layer == 0 and row > 0:
        ins[row - 1] = src
    if layer == len(W) - 1:
        outs[col] = dst
    return Names(sizes, tuple(ins), tuple(outs))
