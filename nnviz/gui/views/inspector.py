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

import numpy as np
from PySide6.QtCore import QEvent, Qt, QTimer, Signal
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from ...core.explain import explain, num
from ...core.notation import Names
from ...core.snapshot import Snapshot
from .inspector_bar import BATCH, LAST, NEXT, ONE, StageBar
from .inspector_explain import WorkedOut
from .inspector_matrices import POOL, StageMatrices
from .inspector_stages import (PLACEHOLDER, Panel, build, head_text, micro_stage, nothing_text, stage_button,
                               update_equation)
from .matrix_panel import MatrixPanel
from .parts import from_part

__all__ = ["BATCH", "LAST", "NEXT", "ONE", "POOL", "Inspector"]


class Inspector(QWidget):
    """The equations of one step, with its numbers (see module doc): the choices (``bar``), the
    matrices (``matrices``) and the written-out number (``worked_out``) are its parts."""

    rowChosen = Signal(int)  # an observation chosen here (0-based training row)
    # the parts' widgets under the names their readers use
    which, mode, row_box = from_part("bar", "which"), from_part("bar", "mode"), from_part("bar", "row_box")
    row_note, stage_buttons = from_part("bar", "row_note"), from_part("bar", "stage_buttons")
    panels, ops, slots = from_part("matrices", "panels"), from_part("matrices", "ops"), from_part("matrices", "slots")
    body, flow, scroll = from_part("matrices", "body"), from_part("matrices", "flow"), from_part("matrices", "scroll")
    worked, explain_label = from_part("worked_out", "worked"), from_part("worked_out", "label")
    explain_box, explanation = from_part("worked_out", "box"), from_part("worked_out", "explanation")

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
        self.specs: list[Panel] = []
        self._snap_row: int | None = None
        self._last = self._next = None
        self._preview = False
        self._schedule = "constant"
        self._want_next = False
        self._drawn: tuple | None = None
        self._micro_view: tuple[str, int] | None = None

        self.stage_label = QLabel()
        self.stage_label.setTextFormat(Qt.RichText)
        self.stage_label.setWordWrap(True)
        self.bar = StageBar(self)
        self.bar.which.activated.connect(self._on_which)
        self.bar.mode.currentIndexChanged.connect(self._refresh)
        self.bar.row_box.valueChanged.connect(self._on_row_box)
        self.equation = QLabel()
        self.equation.setTextFormat(Qt.RichText)
        self.equation.setWordWrap(True)
        self.equation.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.worked_out = WorkedOut(lambda: self.font().pointSizeF() * max(self.matrices.zoom, 1.0))
        self.matrices = StageMatrices(self.worked_out.worked, self._chosen, self.font)
        self.scroll.viewport().installEventFilter(self)  # a new size may let the numbers grow
        self.top = QWidget()  # the head, the choices, the equation and the written-out number
        tl = QVBoxLayout(self.top)
        tl.setContentsMargins(0, 0, 0, 0)
        tl.setSpacing(3)
        for w in (self.stage_label, self.bar.widget, self.equation, self.worked_out.box):
            tl.addWidget(w)
        self.main_lay = QVBoxLayout(self)
        self.main_lay.setContentsMargins(4, 4, 4, 4)
        self.main_lay.setSpacing(3)
        self.main_lay.addWidget(self.top)
        self.main_lay.addWidget(self.scroll, 1)
        self.top_inside = False  # True: the text scrolls with the matrices (a short area)
        self.placeholder = PLACEHOLDER
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
        self.bar.set_rows(int(ctx.X_train.shape[0]))
        self.selected_row = 0
        self.bar.make_buttons(self.names, self.show_stage)
        self.stage_label.setText(self.placeholder)
        self.equation.setText("")
        self._show_explanation(None)
        self._hide_panels()

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
            self.stage_label.setText(nothing_text(snap))
            return
        if snap.stage is not None and self.names is not None:
            view = micro_stage(snap.stage, self.view, self.names.L)
            if view is not None and view != self._micro_view:  # a new micro-step: show it
                self.view = self._micro_view = view
        else:
            self._micro_view = None
        self._refresh()

    def set_selected_row(self, row: int) -> None:
        self._set_row(row)
        self._refresh()

    def _set_row(self, row: int) -> None:
        self.selected_row = int(row)
        self.bar.set_row(self.selected_row)

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

    def _refresh(self, *_) -> None:
        if self.names is None:
            return
        t, what = self._pick()
        if t is None:
            return
        self.trace, self.shown_what = t, what
        ahead = what == "micro" and self.trace is not None and self.shown_iteration is not None \
            and self.trace.iteration > self.shown_iteration  # the micro-steps of a step not yet made
        self.bar.sync_which(self._last is not None, self._next is not None, what, ahead)
        L = len(t.layers)
        kind, lw = self.view
        if not 1 <= lw <= L:
            self.view = ("forward", 1)
        self.stage_label.setText(self._head(t, what))
        obs, note = self._observation(t)
        self.row_note.setText(note)
        self.row_box.setEnabled(self.bar.one())
        key = (id(t), what, self.view, obs, self.mode.currentIndex())
        self.bar.check(self.view, self._micro_view if what == "micro" else None)
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
        self.matrices.show(self.specs)
        self._reselect()

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
            self.matrices.inner_lay.insertWidget(0, self.top)
        else:
            self.matrices.inner_lay.removeWidget(self.top)
            self.main_lay.insertWidget(0, self.top)

    def eventFilter(self, obj, event) -> bool:
        if event.type() == QEvent.Type.Resize and obj is self.scroll.viewport():
            if self.top_inside:
                self.top.setMaximumWidth(max(self.scroll.viewport().width(), 100))
            if self.specs:
                QTimer.singleShot(0, self.matrices.fit_zoom)
        return super().eventFilter(obj, event)

    def _head(self, t, what: str) -> str:
        view, micro = self._micro_view, ""
        if what == "micro" and view is not None and self.names is not None:
            micro = stage_button(view, self.names)[0]
        return head_text(t, what, self.shown_iteration, micro, self.stage, self._preview)

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
        self.matrices.hide()

    # -- selection: marks and the written-out sum ---------------------------------------------------
    def _chosen(self, k: int, i: int, j: int) -> None:
        if k >= len(self.specs):
            return
        self.selection = (self.specs[k].role, i, j)
        self.worked_out.all_terms = False
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
        self.matrices.unmark()
        self._show_explanation(None)

    def _mark(self, k: int, i: int, j: int) -> None:
        self.matrices.mark(self.specs, k, i, j)
        spec = self.specs[k]
        if spec.cell is None or self.trace is None or self.names is None:
            self.worked_out.explanation = None
            self.worked_out.show_worked(None)
            v = float(spec.M[i, j])
            if spec.role == "W_after":
                lt_w = self.specs[self.roles().index("W")].M[i, j]
                up = self.specs[self.roles().index("update")].M[i, j]
                self.worked_out.show_html(f"<b>{spec.title}</b>: w + \u0394w = {num(lt_w)} + ({num(up)}) = "
                                       f"<b>{num(v)}</b>")
            else:
                self.worked_out.show_html(f"<b>{num(v)}</b>")
            return
        kind, lw, r, c = spec.cell(i, j)
        obs = self._observation(self.trace)[0] if kind == "contrib" else None
        self.worked_out.explanation = explain(self.trace, self.names, kind, lw, r, c, obs=obs)
        self._show_explanation(self.worked_out.explanation)

    def _show_explanation(self, ex) -> None:
        self.worked_out.show_explanation(ex, self.trace is not None)

    def _update_equation(self, t, li: int) -> str:
        """The update line of W_{li+1} (kept for callers of the old inspector)."""
        assert self.names is not None
        return update_equation(t, self.names, li + 1, self._schedule)
