"""The backprop inspector: the post's equations with the numbers of the current step.

It shows the trace of one iteration (``training.StepTrace``): per layer the input
with its column of ones, W, A = input W, H = f(A), f'(A), delta and the update,
for the whole batch as matrices or for the selected observation as vectors.
While micro-stepping it follows the stage being shown (forward through a layer,
the error, a delta, the update) and says which equation that stage computes.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (QComboBox, QGridLayout, QHBoxLayout, QHeaderView, QLabel, QScrollArea,
                               QTableView, QVBoxLayout, QWidget)

from ...core.snapshot import Snapshot
from ...core.timeline import parse_stage, stage_names

DISPLAY, BACKGROUND, TOOLTIP = (int(r.value) for r in (Qt.DisplayRole, Qt.BackgroundRole, Qt.ToolTipRole))
_HORIZONTAL = Qt.Horizontal
POS = (33, 102, 172)
NEG = (230, 97, 1)

_ROOT = QModelIndex()  # the invisible root index: Qt's default parent


class MatrixModel(QAbstractTableModel):
    """A read-only 2-D array with a diverging colour scale (|value| / largest |value|)."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.M = np.zeros((0, 0))
        self.rows: list[str] = []
        self.cols: list[str] = []
        self._brushes: list = []
        self._scale = 1.0

    def set_matrix(self, M: np.ndarray, rows: list[str], cols: list[str]) -> None:
        self.beginResetModel()
        self.M = np.atleast_2d(np.asarray(M, dtype=float))
        self.rows, self.cols = rows, cols
        top = float(np.abs(self.M).max()) if self.M.size else 0.0
        self._scale = top if top > 0 else 1.0
        self.endResetModel()

    def rowCount(self, parent=_ROOT):
        return 0 if parent.isValid() else self.M.shape[0]

    def columnCount(self, parent=_ROOT):
        return 0 if parent.isValid() else self.M.shape[1]

    def headerData(self, section, orientation, role=DISPLAY):
        if role != DISPLAY:
            return None
        names = self.cols if orientation == _HORIZONTAL else self.rows
        return names[section] if section < len(names) else str(section + 1)

    def data(self, index, role=DISPLAY):
        if role == DISPLAY:
            return f"{self.M[index.row(), index.column()]:.4g}"
        if role == BACKGROUND:
            return _brush(self.M[index.row(), index.column()] / self._scale)
        if role == TOOLTIP:
            return repr(float(self.M[index.row(), index.column()]))
        return None


def _brush(frac: float) -> QBrush:
    rgb = POS if frac >= 0 else NEG
    a = min(abs(frac), 1.0) * 0.55
    return QBrush(QColor(*(int(255 - (255 - c) * a) for c in rgb)))


class MatrixPanel(QWidget):
    """A titled matrix table."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.title = QLabel()
        self.title.setTextFormat(Qt.RichText)
        self.model = MatrixModel(self)
        self.view = QTableView()
        self.view.setModel(self.model)
        self.view.horizontalHeader().setDefaultSectionSize(86)
        self.view.horizontalHeader().setSectionResizeMode(QHeaderView.Interactive)
        self.view.verticalHeader().setDefaultSectionSize(18)
        self.view.setMinimumHeight(110)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.title)
        lay.addWidget(self.view, 1)

    def show_matrix(self, title: str, M: np.ndarray, rows: list[str], cols: list[str]) -> None:
        M = np.atleast_2d(M)
        self.title.setText(f"{title} <span style='color:#777'>({M.shape[0]} \u00d7 {M.shape[1]})</span>")
        self.model.set_matrix(M, rows, cols)


class Inspector(QWidget):
    """The equations of one iteration, with its numbers (see module doc)."""

    layerChanged = Signal(int)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.ctx = None
        self.trace = None
        self.stage: str | None = None
        self.selected_row = 0
        self.shown_iteration: int | None = None
        self._row_shown: int | None = None
        self._preview = False
        self.stage_label = QLabel()
        self.stage_label.setTextFormat(Qt.RichText)
        self.stage_label.setWordWrap(True)
        self.equation = QLabel()
        self.equation.setTextFormat(Qt.RichText)
        self.equation.setWordWrap(True)
        self.equation.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.layer = QComboBox()
        self.layer.currentIndexChanged.connect(self._refresh)
        self.mode = QComboBox()
        self.mode.addItems(["whole batch", "selected observation"])
        self.mode.currentIndexChanged.connect(self._refresh)
        bar = QHBoxLayout()
        bar.addWidget(QLabel("layer"))
        bar.addWidget(self.layer)
        bar.addWidget(QLabel("show"))
        bar.addWidget(self.mode)
        bar.addStretch(1)
        self.panels = [MatrixPanel() for _ in range(4)]
        grid = QGridLayout()
        for i, p in enumerate(self.panels):
            grid.addWidget(p, i // 2, i % 2)
        body = QWidget()
        body.setLayout(grid)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(body)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        lay.addWidget(self.stage_label)
        lay.addWidget(self.equation)
        lay.addLayout(bar)
        lay.addWidget(scroll, 1)
        self.placeholder = "Press <b>Step</b> or <b>Micro-step</b> (or pause training) to see the matrices of an iteration."
        self.stage_label.setText(self.placeholder)

    # -- context / snapshots -------------------------------------------------------
    def set_context(self, ctx) -> None:
        self.ctx = ctx
        self.trace = None
        self.stage = None
        self._row_shown = None
        self._preview = False
        n = len(ctx.arch.shapes)
        self.layer.blockSignals(True)
        self.layer.clear()
        self.layer.addItems([f"{li}: {self._layer_name(li - 1)} \u2192 {self._layer_name(li)}" for li in range(1, n + 1)])
        self.layer.setCurrentIndex(n - 1)
        self.layer.blockSignals(False)
        self.stage_label.setText(self.placeholder)
        self.equation.setText("")
        for p in self.panels:
            p.setVisible(False)

    def _layer_name(self, li: int) -> str:
        n = len(self.ctx.arch.shapes)
        return "inputs" if li == 0 else "outputs" if li == n else f"hidden {li}"

    def show_snapshot(self, snap: Snapshot) -> None:
        """The snapshot's trace: the iteration that led to it (a preview's too).  While training
        runs, or before the first iteration, it says so with the snapshot's iteration."""
        self.shown_iteration = snap.iteration
        self.selected_row = snap.selected_row
        self._schedule = getattr(snap.settings, "lr_schedule", "constant")
        if snap.trace is None:
            self.trace, self.stage = None, None
            for p in self.panels:
                p.setVisible(False)
            self.equation.setText("")
            if snap.state in ("running", "stepping") and not snap.preview:
                text = f"<b>iteration {snap.iteration:,}</b>: training\u2026 pause or step to inspect an iteration"
            elif getattr(snap, "trace_pending", False):
                text = f"<b>iteration {snap.iteration:,}</b>: computing its matrices\u2026"
            elif snap.iteration == 0:
                text = "<b>iteration 0</b>: the initial weights, no iteration yet. " + self.placeholder
            else:
                text = f"<b>iteration {snap.iteration:,}</b>: weights edited by hand. " + self.placeholder
            self.stage_label.setText(text)
            return
        if snap.trace is self.trace and snap.stage == self.stage and snap.selected_row == self._row_shown:
            return
        self.trace, self.stage = snap.trace, snap.stage
        self._preview = snap.preview
        if snap.stage is not None:
            layer = _stage_layer(snap.stage, len(snap.trace.layers))
            if layer is not None and layer != self.layer.currentIndex():
                self.layer.blockSignals(True)
                self.layer.setCurrentIndex(layer)
                self.layer.blockSignals(False)
        self._refresh()

    def set_selected_row(self, row: int) -> None:
        self.selected_row = row
        if self.mode.currentIndex() == 1:
            self._refresh()

    # -- drawing ---------------------------------------------------------------------
    def _refresh(self, *_) -> None:
        t = self.trace
        if t is None or self.ctx is None:
            return
        L = len(t.layers)
        names = stage_names(L)
        stage = self.stage
        marks = " \u2192 ".join(
            f"<b style='color:#b35806'>[{n}]</b>" if n == stage else n for n in names)
        what = "micro-step" if stage else ("the step to this iteration, history" if self._preview else "last step")
        if self.shown_iteration is not None and t.iteration != self.shown_iteration:  # not applied yet
            head = f"<b>iteration {self.shown_iteration:,} \u2192 {t.iteration:,}</b> ({what}): {marks}"
        else:
            head = f"<b>iteration {t.iteration:,}</b> ({what}): {marks}"
        self.stage_label.setText(head)
        li = self.layer.currentIndex()
        if li < 0:
            return
        lt = t.layers[li]
        obs = self.mode.currentIndex() == 1
        rows = self._rows(t)
        self._row_shown = self.selected_row
        hits = np.flatnonzero(np.asarray(t.rows) == self.selected_row)
        if obs and hits.size == 0:
            self.stage_label.setText(head + f"<br>observation {self.selected_row + 1} was not in this "
                                     "iteration's mini-batch: choose another row, or all observations")
            for p in self.panels:
                p.setVisible(False)
            return
        r = int(hits[0]) if hits.size else 0

        def per_obs(M):
            return (M[r:r + 1], [rows[r]]) if obs else (M, rows)

        in_names = ["1"] + self._unit_names(li)
        out_names = self._unit_names(li + 1)
        act = lt.activation
        shown = []
        kind, _ = parse_stage(stage)
        if kind == "error":
            Y, ry = per_obs(t.Y)
            Yh, _ = per_obs(t.Yhat)
            E, _ = per_obs(t.error)
            outs = self._unit_names(L)
            eq = (f"error: E = y \u2212 \u0177;  C = \u00bd \u03a3 (y \u2212 \u0177)\u00b2 = {t.cost:.6g};  "
                  f"mse = mean((y \u2212 \u0177)\u00b2) = {t.mse:.6g}" if t.loss == "sse" else
                  f"error: E = y \u2212 \u0177;  cross-entropy C = {t.cost:.6g};  mse = {t.mse:.6g}")
            shown = [("y (targets)", Y, ry, outs), ("\u0177 = H<sub>out</sub>", Yh, ry, outs),
                     ("E = y \u2212 \u0177", E, ry, outs)]
        elif kind == "delta" and li == L - 1:
            E, ry = per_obs(t.error)
            fp, _ = per_obs(lt.fprime)
            d, _ = per_obs(lt.delta)
            if t.loss == "sse" and act != "linear":
                eq = f"output delta: \u03b4<sub>{li + 1}</sub> = (y \u2212 \u0177) \u00b7 f\u2032(A<sub>{li + 1}</sub>), f = {act}"
            else:
                eq = f"output delta: \u03b4<sub>{li + 1}</sub> = y \u2212 \u0177 (the f\u2032 cancels with {t.loss} and a {act} output)"
            shown = [("y \u2212 \u0177", E, ry, out_names), (f"f\u2032(A<sub>{li + 1}</sub>)", fp, ry, out_names),
                     (f"\u03b4<sub>{li + 1}</sub>", d, ry, out_names)]
        elif kind == "delta":
            nxt = t.layers[li + 1]
            dn, ry = per_obs(nxt.delta)
            fp, _ = per_obs(lt.fprime)
            d, _ = per_obs(lt.delta)
            eq = (f"hidden delta: \u03b4<sub>{li + 1}</sub> = (\u03b4<sub>{li + 2}</sub> W<sub>{li + 2}</sub><sup>T</sup> "
                  f"without the bias row) \u00b7 f\u2032(A<sub>{li + 1}</sub>), f = {act}")
            shown = [(f"\u03b4<sub>{li + 2}</sub>", dn, ry, self._unit_names(li + 2)),
                     (f"W<sub>{li + 2}</sub> without the bias row", nxt.W[1:], out_names, self._unit_names(li + 2)),
                     (f"f\u2032(A<sub>{li + 1}</sub>)", fp, ry, out_names), (f"\u03b4<sub>{li + 1}</sub>", d, ry, out_names)]
        elif kind == "update":
            shown, eq = self._update_panels(t, li, obs, r, rows, in_names, out_names)
        elif kind == "forward":
            inp, ry = per_obs(lt.input)
            A, _ = per_obs(lt.A)
            H, _ = per_obs(lt.H)
            eq = (f"forward: A<sub>{li + 1}</sub> = [1, H<sub>{li}</sub>] W<sub>{li + 1}</sub>;  "
                  f"H<sub>{li + 1}</sub> = f(A<sub>{li + 1}</sub>), f = {act}" + (" (the inputs)" if li == 0 else ""))
            shown = [(f"[1, H<sub>{li}</sub>]" if li else "X = [1, x]", inp, ry, in_names),
                     (f"W<sub>{li + 1}</sub>", lt.W, in_names, out_names),
                     (f"A<sub>{li + 1}</sub>", A, ry, out_names), (f"H<sub>{li + 1}</sub> = f(A<sub>{li + 1}</sub>)", H, ry, out_names)]
        else:  # the last step as a whole: this layer's forward and backward matrices
            inp, ry = per_obs(lt.input)
            d, _ = per_obs(lt.delta)
            upd, upd_title, _ = self._update_matrix(t, li, obs, r)
            eq = (f"layer {li + 1}: A = [1, H<sub>{li}</sub>] W<sub>{li + 1}</sub>, H = f(A), f = {act};  "
                  f"then \u03b4<sub>{li + 1}</sub> and {upd_title}")
            shown = [(f"[1, H<sub>{li}</sub>]" if li else "X = [1, x]", inp, ry, in_names),
                     (f"W<sub>{li + 1}</sub> (before the update)", lt.W, in_names, out_names),
                     (f"\u03b4<sub>{li + 1}</sub>", d, ry, out_names), (upd_title, upd, in_names, out_names)]
        self.equation.setText(eq)
        for p, item in zip(self.panels, shown + [None] * (4 - len(shown)), strict=True):
            p.setVisible(item is not None)
            if item is not None:
                p.show_matrix(*item)

    def _update_matrix(self, t, li, obs, r):
        lt = t.layers[li]
        if obs:
            contrib = t.lr * np.outer(lt.input[r], lt.delta[r])
            return contrib, "lr \u00b7 [1, h]<sup>T</sup> \u03b4 of this observation", contrib
        return lt.update, f"\u0394W<sub>{li + 1}</sub> = W<sub>after</sub> \u2212 W<sub>before</sub>", lt.update

    def _update_panels(self, t, li, obs, r, rows, in_names, out_names):
        lt = t.layers[li]
        upd, title, _ = self._update_matrix(t, li, obs, r)
        eq = self._update_equation(t, li)
        grad = lt.gradient
        if lt.penalty is not None:
            # the penalty term with its numbers beside the data's gradient, then the change
            pen = ("\u2212(l2 W + l1 sign W), bias row 0: the penalty", lt.penalty, in_names, out_names)
            return [("[1, H]<sup>T</sup> \u03b4 (= \u2212dC/dW, whole batch)", grad, in_names, out_names), pen,
                    (f"W<sub>{li + 1}</sub> (before the update)", lt.W, in_names, out_names),
                    (title, upd, in_names, out_names)], eq
        inp = lt.input[r:r + 1] if obs else lt.input
        d = lt.delta[r:r + 1] if obs else lt.delta
        ry = [rows[r]] if obs else rows
        shown = [(f"[1, H<sub>{li}</sub>]" if li else "X = [1, x]", inp, ry, in_names),
                 (f"\u03b4<sub>{li + 1}</sub>", d, ry, out_names),
                 ("[1, H]<sup>T</sup> \u03b4 (= \u2212dC/dW, whole batch)", grad, in_names, out_names),
                 (title, upd, in_names, out_names)]
        return shown, eq

    _schedule = "constant"

    def _update_equation(self, t, li: int) -> str:
        """The update line: the post's update, with the penalty term and its rates when l1 / l2
        are set, and the learning rate this iteration used (the schedule's)."""
        W, inp, d = f"W<sub>{li + 1}</sub>", f"[1, H<sub>{li}</sub>]<sup>T</sup>", f"\u03b4<sub>{li + 1}</sub>"
        pen_terms = [f"{t.l2:g} \u00b7 {W}" if t.l2 else "", f"{t.l1:g} \u00b7 sign({W})" if t.l1 else ""]
        pen = " \u2212 ".join(p for p in pen_terms if p)
        if t.algorithm == "gd":
            rate = f"lr = {t.lr:.6g}"
            if self._schedule != "constant":
                rate += f" ({self._schedule} after {t.iteration - 1:,} iterations)"
            if pen:
                return (f"update: {W} \u2190 {W} + lr \u00b7 ({inp} {d} \u2212 {pen}), {rate}; l2 = {t.l2:g}, "
                        f"l1 = {t.l1:g}, the bias row not penalised (momentum adds the previous change, if set)")
            return f"update: {W} \u2190 {W} + lr \u00b7 {inp} {d}, {rate} (momentum adds the previous change, if set)"
        if pen:
            return (f"update ({t.algorithm}): each weight moves by its own step size against the sign of "
                    f"dJ/dw = \u2212({inp} {d} \u2212 {pen}); the bias row not penalised")
        return (f"update ({t.algorithm}): each weight moves by its own step size against the sign of "
                f"dC/dw = \u2212{inp} {d}")

    def _rows(self, t) -> list[str]:
        return [str(int(i) + 1) for i in t.rows]

    def _unit_names(self, layer: int) -> list[str]:
        ds = self.ctx.dataset
        sizes = self.ctx.arch.sizes
        if layer == 0:
            return list(self.ctx.input_labels)
        if layer == len(sizes) - 1:
            return list(ds.output_names)
        return [f"h{layer}.{i + 1}" for i in range(sizes[layer])]


def _stage_layer(stage: str, n_layers: int) -> int | None:
    """The weight-matrix index a stage is about (0-based)."""
    kind, num = parse_stage(stage)
    if kind in ("forward", "delta") and num is not None:
        return num - 1
    if kind == "error":
        return n_layers - 1
    return None
