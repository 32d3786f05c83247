"""The backprop inspector: the post's equations with the numbers of one step, one stage at a time.

It paints what the snapshot carries: the trace of the step that led to the iteration shown
(``snap.trace``), or of the step the next Step will make (``snap.next_trace``, computed by the
runner on a copy: at iteration 0 it is the start weights' forward pass and the first update).
A row of stage buttons walks the step in the post's order (X → H1 → … → ŷ, the error, δ_y,
δ_h…, ΔW); micro-steps move it.  Each stage shows its matrices side by side, as the equation
reads ([1, H] × W = A → f → H), wrapping onto more lines when the room is narrow, in one scroll
area.  It follows one observation by default (the selected row, or the one chosen here; its
row of a matrix is shown as a column beside the rows it multiplies); the whole batch is one
choice away.  A click on any number marks the row, column and cells it came from or went into,
in every matrix of the stage, and writes it out as its sum with the numbers (``core.explain``).
The names are the post's (X, H̄, ŷ, δ_y, δ_h), with the app's beside them where they differ.
"""

from __future__ import annotations

from functools import partial

import numpy as np
from PySide6.QtCore import QEvent, Qt, QTimer, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (QButtonGroup, QComboBox, QFrame, QHBoxLayout, QLabel, QScrollArea, QSpinBox,
                               QToolButton, QVBoxLayout, QWidget)

from ...core.explain import Explanation, explain, num
from ...core.notation import Names
from ...core.snapshot import Snapshot
from .flow_layout import FlowLayout
from .inspector_stages import Panel, build, micro_stage, related, stage_button, stages, update_equation
from .matrix_panel import MatrixPanel

POOL = 8  # panels at most in a stage (the update with a penalty: 7)
LAST, NEXT = 0, 1  # the step shown: the one that led here, or the one Step will make
ONE, BATCH = 0, 1  # one observation, or the whole batch


class Inspector(QWidget):
    """The equations of one step, with its numbers (see module doc)."""

    rowChosen = Signal(int)  # an observation chosen here (0-based training row)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.ctx = None
        self.names: Names | None = None
        self.trace = None  # the trace shown
        self.shown_what = ""  # "last", "next" or "micro"
        self.stage: str | None = None  # the runner's micro-step
        self.view: tuple[str, int] = ("forward", 1)  # the stage shown
        self.selected_row = 0
        self.shown_iteration: int | None = None
        self.selection: tuple[str, int, int] | None = None  # (panel role, i, j), logical
        self.explanation: Explanation | None = None
        self.specs: list[Panel] = []
        self._snap_row: int | None = None
        self._last = self._next = None
        self._preview = False
        self._schedule = "constant"
        self._want_next = False
        self._drawn: tuple | None = None
        self._all_terms = False
        self._micro_view: tuple[str, int] | None = None
        self._zoom = 0.0

        self.stage_label = QLabel()
        self.stage_label.setTextFormat(Qt.RichText)
        self.stage_label.setWordWrap(True)
        self.which = QComboBox()
        self.which.addItems(["the step that led here", "the next step (what Step will do)"])
        self.which.setToolTip("the step that led here: its forward pass used the weights before it\n"
                              "the next step: the current weights' forward pass, and the update the next Step "
                              "will make (computed on a copy)")
        self.which.activated.connect(self._on_which)
        self.mode = QComboBox()
        self.mode.addItems(["one observation", "whole batch"])
        self.mode.currentIndexChanged.connect(self._refresh)
        self.row_box = QSpinBox()
        self.row_box.setPrefix("obs ")
        self.row_box.setRange(1, 1)
        self.row_box.setToolTip("the observation (training row) followed; selecting a row in the predictions "
                                "table chooses it too")
        self.row_box.valueChanged.connect(self._on_row_box)
        self.row_note = QLabel()
        self.row_note.setStyleSheet("color: #777;")
        self.stage_bar = QWidget()  # the choices, then a button for every stage: wraps when narrow
        self.stage_flow = FlowLayout(self.stage_bar, spacing=4, center=True)
        self.stage_flow.setContentsMargins(0, 0, 0, 0)
        for w in (QLabel("step"), self.which, QLabel("show"), self.mode, self.row_box, self.row_note,
                  QLabel("  stage")):
            self.stage_flow.addWidget(w)
        self.stage_group = QButtonGroup(self)
        self.stage_group.setExclusive(True)
        self.stage_buttons: dict[tuple[str, int], QToolButton] = {}
        self.equation = QLabel()
        self.equation.setTextFormat(Qt.RichText)
        self.equation.setWordWrap(True)
        self.equation.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.explain_label = QLabel()
        self.explain_label.setTextFormat(Qt.RichText)
        self.explain_label.setWordWrap(True)
        self.explain_label.setTextInteractionFlags(Qt.TextSelectableByMouse | Qt.LinksAccessibleByMouse)
        self.explain_label.linkActivated.connect(self._on_link)
        self.explain_box = QFrame()
        self.explain_box.setObjectName("explainBox")
        self.explain_box.setStyleSheet("#explainBox { background: #fff8e1; border: 1px solid #e8c66a; "
                                       "border-radius: 3px; }")
        el = QVBoxLayout(self.explain_box)
        el.setContentsMargins(6, 4, 6, 4)
        el.addWidget(self.explain_label)
        self.body = QWidget()
        self.flow = FlowLayout(self.body, spacing=6)
        self.flow.setContentsMargins(2, 2, 2, 2)
        self.panels = [MatrixPanel() for _ in range(POOL)]
        self.ops = [QLabel() for _ in range(POOL)]
        self.slots = [QWidget() for _ in range(POOL)]  # an operator and its matrix: they wrap together
        big = QFont()
        big.setPointSizeF(big.pointSizeF() * 1.5)
        for k, (slot, op, p) in enumerate(zip(self.slots, self.ops, self.panels, strict=True)):
            op.setFont(big)
            op.setAlignment(Qt.AlignHCenter | Qt.AlignTop)
            op.setContentsMargins(4, 36, 4, 0)
            sl = QHBoxLayout(slot)
            sl.setContentsMargins(0, 0, 0, 0)
            sl.setSpacing(0)
            sl.addWidget(op)
            sl.addWidget(p)
            self.flow.addWidget(slot)
            p.cellChosen.connect(partial(self._chosen, k))
            slot.setVisible(False)
        self.worked = QLabel()  # the selected number's sum as a table of its terms, after the matrices
        self.worked.setTextFormat(Qt.RichText)
        self.worked.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.worked.setObjectName("worked")
        self.worked.setStyleSheet("#worked { background: #fff8e1; border: 1px solid #e8c66a; border-radius: 3px;"
                                  " padding: 6px; margin-left: 8px; }")
        self.worked.setVisible(False)
        self.flow.addWidget(self.worked)
        self.scroll = QScrollArea()
        self.scroll.setWidgetResizable(True)
        self.inner = QWidget()  # what scrolls: the matrices, and above them the text when room is short
        self.inner_lay = QVBoxLayout(self.inner)
        self.inner_lay.setContentsMargins(0, 0, 0, 0)
        self.inner_lay.addWidget(self.body)
        self.inner_lay.addStretch(1)
        self.scroll.setWidget(self.inner)
        self.scroll.viewport().installEventFilter(self)  # a new size may let the numbers grow
        self.top = QWidget()  # the head, the choices, the equation and the written-out number
        tl = QVBoxLayout(self.top)
        tl.setContentsMargins(0, 0, 0, 0)
        tl.setSpacing(3)
        for w in (self.stage_label, self.stage_bar, self.equation, self.explain_box):
            tl.addWidget(w)
        self.main_lay = QVBoxLayout(self)
        self.main_lay.setContentsMargins(4, 4, 4, 4)
        self.main_lay.setSpacing(3)
        self.main_lay.addWidget(self.top)
        self.main_lay.addWidget(self.scroll, 1)
        self.top_inside = False  # True: the text scrolls with the matrices (a short area)
        self.placeholder = "Press <b>Step</b> or <b>Micro-step</b> (or pause training) to see the matrices of a step."
        self.stage_label.setText(self.placeholder)
        self._show_explanation(None)

    # -- context / snapshots -------------------------------------------------------
    def set_context(self, ctx) -> None:
        self.ctx = ctx
        self.names = Names(tuple(ctx.arch.sizes), tuple(ctx.input_labels), tuple(ctx.dataset.output_names))
        self.trace, self.stage, self._last, self._next, self._drawn = None, None, None, None, None
        self.selection, self._snap_row = None, None
        self.view = ("forward", 1)
        self._preview = False
        n = int(ctx.X_train.shape[0])
        self.row_box.blockSignals(True)
        self.row_box.setRange(1, max(n, 1))
        self.row_box.setValue(1)
        self.row_box.blockSignals(False)
        self.selected_row = 0
        self._make_stage_buttons()
        self.stage_label.setText(self.placeholder)
        self.equation.setText("")
        self._show_explanation(None)
        self._hide_panels()

    def _make_stage_buttons(self) -> None:
        for b in self.stage_buttons.values():
            self.stage_group.removeButton(b)
            self.stage_flow.removeWidget(b)
            b.deleteLater()
        self.stage_buttons = {}
        assert self.names is not None
        for k, st in enumerate(stages(self.names.L)):
            label, tip = stage_button(st, self.names)
            b = QToolButton()
            b.setText(label)
            b.setToolTip(tip)
            b.setCheckable(True)
            b.setAutoRaise(False)
            b.clicked.connect(partial(self.show_stage, st))
            self.stage_group.addButton(b, k)
            self.stage_flow.addWidget(b)
            self.stage_buttons[st] = b
        self.stage_bar.updateGeometry()

    def show_snapshot(self, snap: Snapshot) -> None:
        """Paint the snapshot's step: the one that led here, the next one, or the micro-step under way."""
        self.shown_iteration = snap.iteration
        if snap.selected_row != self._snap_row:  # the shared selection moved: follow it
            self._snap_row = snap.selected_row
            self._set_row(snap.selected_row)
        self._schedule = getattr(snap.settings, "lr_schedule", "constant")
        self._preview = snap.preview
        self._last, self._next = snap.trace, getattr(snap, "next_trace", None)
        self.stage = snap.stage
        if self._last is None and self._next is None:
            self.trace, self._drawn = None, None
            self._hide_panels()
            self.equation.setText("")
            self._show_explanation(None)
            self.stage_label.setText(self._nothing_text(snap))
            return
        if snap.stage is not None and self.names is not None:
            view = micro_stage(snap.stage, self.view, self.names.L)
            if view is not None and view != self._micro_view:  # a new micro-step: show it
                self.view = self._micro_view = view
        else:
            self._micro_view = None
        self._refresh()

    def _nothing_text(self, snap: Snapshot) -> str:
        it = f"<b>iteration {snap.iteration:,}</b>"
        if snap.state in ("running", "stepping") and not snap.preview:
            return f"{it}: training\u2026 pause or step to inspect a step"
        if getattr(snap, "trace_pending", False):
            return f"{it}: computing its matrices\u2026"
        return (f"{it}: the next step's matrices are not computed ahead for a network this big. "
                + self.placeholder)

    def set_selected_row(self, row: int) -> None:
        self._set_row(row)
        self._refresh()

    def _set_row(self, row: int) -> None:
        self.selected_row = int(row)
        self.row_box.blockSignals(True)
        self.row_box.setValue(self.selected_row + 1)
        self.row_box.blockSignals(False)

    def _on_row_box(self, value: int) -> None:
        self.selected_row = value - 1
        self._refresh()
        self.rowChosen.emit(self.selected_row)

    def _on_which(self, index: int) -> None:
        self._want_next = index == NEXT
        self._refresh()

    def show_stage(self, stage: tuple[str, int], *_) -> None:
        """Show a stage of the step: ("forward", l), ("error", L), ("delta", l) or ("update", l)."""
        self.view = (stage[0], int(stage[1]))
        self._refresh()

    def set_one_observation(self, one: bool) -> None:
        self.mode.setCurrentIndex(ONE if one else BATCH)

    # -- drawing ---------------------------------------------------------------------
    def _pick(self):
        """(trace, what) to show: the micro-step's, else the chosen step when it exists."""
        if self.stage is not None and self._last is not None:
            return self._last, "micro"
        if self._want_next and self._next is not None:
            return self._next, "next"
        if self._last is not None:
            return self._last, "last"
        return self._next, "next"

    def _sync_which(self, what: str) -> None:
        model = self.which.model()
        model.item(LAST).setEnabled(self._last is not None)
        model.item(NEXT).setEnabled(self._next is not None)
        self.which.setEnabled(what != "micro")
        ahead = what == "micro" and self.trace is not None and self.shown_iteration is not None \
            and self.trace.iteration > self.shown_iteration  # the micro-steps of a step not yet made
        self.which.blockSignals(True)
        self.which.setCurrentIndex(NEXT if what == "next" or ahead else LAST)
        self.which.blockSignals(False)

    def _refresh(self, *_) -> None:
        if self.names is None:
            return
        t, what = self._pick()
        if t is None:
            return
        self.trace, self.shown_what = t, what
        self._sync_which(what)
        L = len(t.layers)
        kind, lw = self.view
        if not 1 <= lw <= L:
            self.view = ("forward", 1)
        self.stage_label.setText(self._head(t, what))
        obs, note = self._observation(t)
        self.row_note.setText(note)
        self.row_box.setEnabled(self.mode.currentIndex() == ONE)
        key = (id(t), what, self.view, obs, self.mode.currentIndex())
        for st, b in self.stage_buttons.items():
            b.setChecked(st == self.view)
            b.setStyleSheet("QToolButton { border: 2px solid #e08a1e; }"
                            if what == "micro" and st == self._micro_view else "")
        if key == self._drawn:
            return
        self._drawn = key
        eq, self.specs = build(t, self.names, self.view, obs, self._schedule)
        if obs is not None:
            eq += ("<br><span style='color:#777'>one observation: its row of each matrix is written as a "
                   "column, beside the rows of the matrix it multiplies. Click any number to see it worked out."
                   "</span>")
        else:
            eq += "<br><span style='color:#777'>Click any number to see it worked out.</span>"
        self.equation.setText(eq)
        for k, (slot, op, p) in enumerate(zip(self.slots, self.ops, self.panels, strict=True)):
            spec = self.specs[k] if k < len(self.specs) else None
            slot.setVisible(spec is not None)
            op.setVisible(spec is not None and bool(spec.op))
            if spec is None:
                continue
            op.setText(spec.op)
            p.role = spec.role
            p.show_matrix(spec.title, spec.M, spec.rows, spec.cols, spec.column, spec.row_tips, spec.col_tips)
        self._zoom = 0.0
        self._fit_zoom()
        self._reselect()

    def _fit_zoom(self) -> None:
        """Grow the numbers to fill a large area: the stage's matrices on one line at up to 1.8 times
        the font size, as long as they fit the scroll area's width and height (never smaller)."""
        shown = [k for k in range(len(self.specs))]
        if not shown:
            return
        avail = self.scroll.viewport().size()
        self._apply_zoom(1.0)
        w1 = sum(self.slots[k].sizeHint().width() for k in shown) + 6 * len(shown) + 4
        h1 = max(self.slots[k].sizeHint().height() for k in shown) + 4
        z = 1.0
        if w1 <= avail.width():
            z = max(1.0, min(1.8, 0.95 * avail.width() / w1, 0.95 * avail.height() / h1))
        if z > 1.05:
            self._apply_zoom(z)
        self._equal_titles()
        self.body.updateGeometry()
        self.flow.invalidate()

    def _apply_zoom(self, z: float) -> None:
        if abs(z - self._zoom) < 1e-3:
            return
        self._zoom = z
        f = QFont(self.font())
        f.setPointSizeF(self.font().pointSizeF() * z)
        big = QFont(f)
        big.setPointSizeF(f.pointSizeF() * 1.5)
        self.worked.setFont(f)
        for k, (op, p) in enumerate(zip(self.ops, self.panels, strict=True)):
            p.set_zoom_font(f)
            op.setFont(big)
            op.setContentsMargins(4, int(36 * z), 4, 0)
            if k < len(self.specs):
                p._fit()

    def _equal_titles(self) -> None:
        """Titles of one height, so that the tables start level and a column's entries sit beside
        the rows of the matrix next to it."""
        ps = self.panels[:len(self.specs)]
        h = max((p.title_height() for p in ps), default=0)
        for p in ps:
            p.title.setFixedHeight(h)

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._place_top()

    def _place_top(self) -> None:
        """In a short area (a laptop at twice the scale) the text above the matrices would leave them
        no room: then it scrolls with them, in the one scroll area; in a tall one it stays in sight."""
        need = self.top.heightForWidth(max(self.width() - 8, 100))
        inside = need > 0.45 * self.height()
        # inside, the text wraps at the scroll area's width, not at the width of the widest matrix
        self.top.setMaximumWidth(max(self.scroll.viewport().width(), 100) if inside else 16_777_215)
        if inside == self.top_inside:
            return
        self.top_inside = inside
        if inside:
            self.main_lay.removeWidget(self.top)
            self.inner_lay.insertWidget(0, self.top)
        else:
            self.inner_lay.removeWidget(self.top)
            self.main_lay.insertWidget(0, self.top)

    def eventFilter(self, obj, event) -> bool:
        if event.type() == QEvent.Resize and obj is self.scroll.viewport():
            if self.top_inside:
                self.top.setMaximumWidth(max(self.scroll.viewport().width(), 100))
            if self.specs:
                QTimer.singleShot(0, self._fit_zoom)
        return super().eventFilter(obj, event)

    def _head(self, t, what: str) -> str:
        it = self.shown_iteration if self.shown_iteration is not None else t.iteration - 1
        step = f"{t.iteration - 1:,} \u2192 {t.iteration:,}"
        if what == "micro":
            view = self._micro_view
            name = stage_button(view, self.names)[0] if view is not None and self.names is not None else ""
            return (f"<b>iteration {it:,}</b>: micro-step <b style='color:#b35806'>{name}</b> ({self.stage}) of the step "
                    f"{step} (Micro-step goes on; the weights change at the update)")
        if what == "next":
            return (f"<b>iteration {it:,}</b>: <b style='color:#1b7837'>the next step</b>, {step}: what "
                    "<b>Step</b> will do, computed from the current weights on a copy (nothing changes until "
                    "you press it)")
        return (f"<b>iteration {it:,}</b>: the step that led here, {step}"
                + (" (a look back in the history)" if self._preview else "")
                + "; its forward pass used the weights before that step")

    def _observation(self, t) -> tuple[int | None, str]:
        """The batch position of the followed observation (None: whole batch) and a note."""
        if self.mode.currentIndex() == BATCH:
            return None, f"{len(t.rows)} rows"
        hits = np.flatnonzero(np.asarray(t.rows) == self.selected_row)
        if hits.size:
            return int(hits[0]), ""
        return 0, (f"obs {self.selected_row + 1} is not in this mini-batch: showing obs {int(t.rows[0]) + 1}, "
                   "its first row")

    def _hide_panels(self) -> None:
        self.specs = []
        for slot in self.slots:
            slot.setVisible(False)

    # -- selection: marks and the written-out sum ---------------------------------------------------
    def _chosen(self, k: int, i: int, j: int) -> None:
        if k >= len(self.specs):
            return
        self.selection = (self.specs[k].role, i, j)
        self._all_terms = False
        self._mark(k, i, j)

    def select_cell(self, role: str, i: int, j: int) -> None:
        """Select logical cell (i, j) of the panel ``role`` as a click would."""
        k = self.roles().index(role)
        self._chosen(k, i, j)

    def roles(self) -> list[str]:
        return [s.role for s in self.specs]

    def panel(self, role: str) -> MatrixPanel:
        return self.panels[self.roles().index(role)]

    def matrix(self, role: str) -> np.ndarray:
        """The matrix a panel shows (logical), for tests."""
        return self.panel(role).model.M

    def _reselect(self) -> None:
        """Keep the selected cell across frames when its panel and cell still exist."""
        if self.selection is not None:
            role, i, j = self.selection
            roles = self.roles()
            if role in roles:
                k = roles.index(role)
                n, m = self.specs[k].M.shape
                if i < n and j < m:
                    self._mark(k, i, j)
                    return
        self.selection = None
        for p in self.panels:
            p.set_marks(None, None, None)
        self._show_explanation(None)

    def _mark(self, k: int, i: int, j: int) -> None:
        marks = related(self.specs, k, i, j)
        for q, (p, (rows, cols)) in enumerate(zip(self.panels, marks + [(None, None)] * POOL, strict=False)):
            if q >= len(self.specs):
                break
            p.set_marks((i, j) if q == k else None, rows, cols)
        spec = self.specs[k]
        if spec.cell is None or self.trace is None or self.names is None:
            self.explanation = None
            self._show_worked(None)
            v = float(spec.M[i, j])
            if spec.role == "W_after":
                lt_w = self.specs[self.roles().index("W")].M[i, j]
                up = self.specs[self.roles().index("update")].M[i, j]
                self._show_html(f"<b>{spec.title}</b>: w + \u0394w = {num(lt_w)} + ({num(up)}) = <b>{num(v)}</b>")
            else:
                self._show_html(f"<b>{num(v)}</b>")
            return
        kind, lw, r, c = spec.cell(i, j)
        obs = self._observation(self.trace)[0] if kind == "contrib" else None
        self.explanation = explain(self.trace, self.names, kind, lw, r, c, obs=obs)
        self._show_explanation(self.explanation)

    def _show_worked(self, ex: Explanation | None) -> None:
        """The terms of the selected number's sum, one a row: the two factors and their product, the
        sum, then what is done with it (beside or under the matrices: a large area has room)."""
        if ex is None or not ex.terms:
            self.worked.setVisible(False)
            return
        f1, f2 = ex.factor_names
        cell = "style='padding: 1px 8px; text-align: right;'"
        rows = [f"<tr><th></th><th {cell}>{f1}</th><th {cell}>{f2}</th><th {cell}>product</th></tr>"]
        for name, (a, b) in zip(ex.term_names or [""] * len(ex.terms), ex.terms, strict=False):
            rows.append(f"<tr><td>{name}</td><td {cell}>{num(a)}</td><td {cell}>{num(b)}</td>"
                        f"<td {cell}>{num(a * b)}</td></tr>")
        total = sum(a * b for a, b in ex.terms)
        rows.append(f"<tr><td><b>\u03a3</b></td><td></td><td></td><td {cell}><b>{num(total)}</b></td></tr>")
        pt = self.font().pointSizeF() * max(self._zoom, 1.0)
        self.worked.setText(f"<div style='font-size: {pt:.1f}pt'><b>{ex.title}</b>, worked out:"
                            f"<table cellspacing='0'>{''.join(rows)}</table>{ex.after}</div>")
        self.worked.setVisible(True)

    def _show_explanation(self, ex: Explanation | None) -> None:
        self._show_worked(ex)
        if ex is None:
            self.explain_box.setVisible(self.trace is not None)
            self.explain_label.setText("<span style='color:#777'>Click any number of a matrix below: the cells "
                                       "it was made from light up, and it is written out here with its "
                                       "numbers.</span>")
            return
        numbers = ex.full if (self._all_terms and ex.full) else ex.numbers
        more = ""
        if ex.full:
            more = (" <a href='less'>show fewer terms</a>" if self._all_terms else
                    f" <a href='all'>show all {len(ex.terms)} terms</a>")
        note = f"<br><span style='color:#555'>{ex.note}</span>" if ex.note else ""
        self._show_html(f"<b>{ex.title}</b> = <b>{num(ex.value)}</b> "
                        f"<span style='color:#555'>\u2014 {ex.formula}</span><br>{numbers}{more}{note}")

    def _show_html(self, html: str) -> None:
        self.explain_box.setVisible(True)
        self.explain_label.setText(html)

    def _on_link(self, link: str) -> None:
        self._all_terms = link == "all"
        if self.explanation is not None:
            self._show_explanation(self.explanation)

    def _update_equation(self, t, li: int) -> str:
        """The update line of W_{li+1} (kept for callers of the old inspector)."""
        assert self.names is not None
        return update_equation(t, self.names, li + 1, self._schedule)
