"""The "Follow the post" panel: a dock beside the views that walks the steps of ``core/tour.py``.

Each step sets the window up (its settings, through the window's own question when there is
unsaved training), brings its view forward and frames the widgets to look at for a few seconds
(``Highlight``), shows the text and the formulas (the post's names beside nnviz's), and for a step
about doing, a yellow "Your turn" box.  The snapshots the window paints are handed to
``show_snapshot``: once one shows the task done, the box turns green and Next lights up.  The step
is remembered in the window's settings file, so the tour resumes where it was left.

The panel only reads the window's public parts (controls, controller, views, the parts' actions:
``sessions.ask_discard``, ``runs.keep_run``; a step's action is a method of ``runs``); the window's
``GuideActions`` creates it and wires the render signal here.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QPainter, QPen
from PySide6.QtWidgets import (QDockWidget, QFrame, QHBoxLayout, QLabel, QPushButton, QScrollArea, QSizePolicy,
                               QVBoxLayout, QWidget)

from ...core import tour
from ...core.runner import same_network
from ..menus import settings_store

SETTINGS_KEY = "tour/step"
HIGHLIGHT_MS = 4000  # how long a frame points at a view
FRAME_COLOUR = "#e8590c"
TODO_STYLE = "#task { background:#fff3bf; color:#5c3c00; border:1px solid #f0c36d; border-radius:3px; padding:6px; }"
DONE_STYLE = "#task { background:#d3f9d8; color:#1b4d2b; border:1px solid #8ce99a; border-radius:3px; padding:6px; }"


class Highlight(QWidget):
    """A coloured frame drawn over a widget (mouse clicks go through), following its size."""

    def __init__(self, target: QWidget):
        super().__init__(target)
        self.target = target
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.setAttribute(Qt.WidgetAttribute.WA_NoSystemBackground)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.setGeometry(target.rect())
        target.installEventFilter(self)
        self.raise_()
        self.show()

    def eventFilter(self, obj: QObject, event) -> bool:  # noqa: N802 (Qt's name)
        if obj is self.target and event.type() == QEvent.Type.Resize:
            self.setGeometry(self.target.rect())
            self.raise_()
        return False

    def paintEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        width = 4 if min(self.width(), self.height()) > 40 else 3
        p.setPen(QPen(QColor(FRAME_COLOUR), width))
        p.drawRoundedRect(self.rect().adjusted(width // 2, width // 2, -(width // 2 + 1), -(width // 2 + 1)), 4, 4)

    def remove(self) -> None:
        self.target.removeEventFilter(self)
        self.hide()
        self.deleteLater()


def formulas_html(pairs) -> str:
    """The step's formulas as a two-column table: the post's names, nnviz's."""
    if not pairs:
        return ""
    rows = "".join(f"<tr><td>{post}</td><td style='color:#444'>{app}</td></tr>" for post, app in pairs)
    return ("<table cellspacing='0' cellpadding='3' width='100%'>"
            "<tr><th align='left'>in the post</th><th align='left'>in nnviz</th></tr>" + rows + "</table>")


def action_note(command: str) -> str:
    """What a step's command needs, said before it is pressed."""
    if command == "compare_with_neuralnet":
        from ...io import rcompare

        try:
            where = rcompare.find_rscript()
        except ValueError as exc:
            return f"Here: {exc}."
        return (f"Here: R is at {where}. The comparison trains nnviz's run, then neuralnet's (it says so if "
                "the neuralnet package is missing).")
    return ""


class TourPanel(QDockWidget):
    """The tour's dock (see the module doc)."""

    stepChanged = Signal(int)

    def __init__(self, window):
        super().__init__("Follow the post", window)
        self.setObjectName("tour")  # saveState needs a name
        self.setFeatures(QDockWidget.DockWidgetClosable | QDockWidget.DockWidgetMovable
                         | QDockWidget.DockWidgetFloatable)
        self.w = window
        self.index = 0
        self.done = False
        self.set_up = True  # False: the student kept their own network when asked
        self.highlights: list[Highlight] = []
        self._unframe = QTimer(self)
        self._unframe.setSingleShot(True)
        self._unframe.timeout.connect(self.clear_highlights)

        body = QWidget()
        outer = QVBoxLayout(body)
        outer.setContentsMargins(8, 6, 8, 6)
        outer.setSpacing(6)
        self.progress = QLabel()
        self.progress.setWordWrap(True)
        self.progress.setStyleSheet("color:#666")
        self.title = QLabel()
        self.title.setWordWrap(True)
        font = self.title.font()
        font.setPointSizeF(font.pointSizeF() * 1.3)
        font.setBold(True)
        self.title.setFont(font)
        self.section = QLabel()
        self.section.setWordWrap(True)
        self.section.setStyleSheet("color:#555; font-style:italic")
        self.text = QLabel()
        self.text.setWordWrap(True)
        self.text.setTextFormat(Qt.RichText)
        self.formulas = QLabel()
        self.formulas.setWordWrap(True)
        self.formulas.setTextFormat(Qt.RichText)
        self.formulas.setObjectName("formulas")
        self.formulas.setStyleSheet("#formulas { background:#f3f6fa; border:1px solid #c9d4e3; border-radius:3px;"
                                    " padding:4px; }")
        self.live = QLabel()
        self.live.setWordWrap(True)
        self.live.setTextFormat(Qt.RichText)
        self.task = QLabel()
        self.task.setWordWrap(True)
        self.task.setTextFormat(Qt.RichText)
        self.task.setObjectName("task")
        self.not_set_up = QLabel("You kept your own network: this step is not set up. Press <b>Set up "
                                 "again</b> when you are ready.")
        self.not_set_up.setWordWrap(True)
        self.not_set_up.setStyleSheet("color:#8a4b00")
        self.setup_button = QPushButton("Set up again")
        self.setup_button.setToolTip("set the window up for this step again and point at what to look at")
        self.setup_button.clicked.connect(lambda: self.go(self.index))
        self.action_button = QPushButton()  # a step's own command (Compare with R's neuralnet)
        self.action_button.clicked.connect(self._run_action)
        self.action_note = QLabel()
        self.action_note.setWordWrap(True)
        self.action_note.setStyleSheet("color:#555")
        content = QWidget()
        cl = QVBoxLayout(content)
        cl.setContentsMargins(0, 0, 0, 0)
        cl.setSpacing(8)
        for label in (self.title, self.section, self.task, self.not_set_up, self.text, self.formulas, self.live):
            label.setFocusPolicy(Qt.NoFocus)
            label.setSizePolicy(QSizePolicy.Preferred, QSizePolicy.Minimum)
            cl.addWidget(label)
        row = QHBoxLayout()
        row.addWidget(self.action_button)
        row.addStretch(1)
        cl.addLayout(row)
        again = QHBoxLayout()
        again.addWidget(self.setup_button)
        again.addStretch(1)
        cl.addWidget(self.action_note)
        cl.addLayout(again)
        cl.addStretch(1)
        self.scroll_area = QScrollArea()
        self.scroll_area.setWidget(content)
        self.scroll_area.setWidgetResizable(True)
        self.scroll_area.setFrameShape(QFrame.NoFrame)
        self.scroll_area.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        outer.addWidget(self.progress)
        outer.addWidget(self.scroll_area, 1)
        buttons = QHBoxLayout()
        self.back_button = QPushButton("\u2039 Back")
        self.back_button.setToolTip("the previous step")
        self.back_button.clicked.connect(self.back)
        self.next_button = QPushButton("Next \u203a")
        self.next_button.clicked.connect(self.next)
        buttons.addWidget(self.back_button)
        buttons.addStretch(1)
        buttons.addWidget(self.next_button)
        outer.addLayout(buttons)
        self.setWidget(body)
        self.setMinimumWidth(180)

    # -- steps ------------------------------------------------------------------------------
    @property
    def step(self) -> tour.TourStep:
        return tour.STEPS[self.index]

    def remembered(self) -> int:
        """The step the student left the tour at (the first when none)."""
        return tour.index_of(settings_store().value(SETTINGS_KEY))

    def go(self, index: int) -> None:
        """Show step ``index``, remember it, set the window up for it and point at its view."""
        self.index = max(0, min(int(index), len(tour.STEPS) - 1))
        settings_store().setValue(SETTINGS_KEY, self.step.key)
        self.done = False
        self._show_text()
        self._set_up_window()
        self.stepChanged.emit(self.index)

    def next(self) -> None:
        if self.index == len(tour.STEPS) - 1:
            self.close()
            return
        self.go(self.index + 1)

    def back(self) -> None:
        if self.index > 0:
            self.go(self.index - 1)

    def _show_text(self) -> None:
        s = self.step
        n = len(tour.STEPS)
        self.progress.setText(f"Step {self.index + 1} of {n} \u00b7 following the post {tour.POST}")
        self.title.setText(s.title)
        self.section.setText(f"In the post: {s.section}")
        self.text.setText(s.text)
        self.formulas.setText(formulas_html(s.formulas))
        self.formulas.setVisible(bool(s.formulas))
        self.live.setText("")
        self.live.setVisible(False)
        self.back_button.setEnabled(self.index > 0)
        self.setup_button.setVisible(s.setup != {} or s.point != ())
        self.scroll_area.verticalScrollBar().setValue(0)
        self.action_button.setVisible(bool(s.action))
        self.action_note.setVisible(bool(s.action))
        if s.action:
            self.action_button.setText(s.action[0])
            self.action_note.setText(action_note(s.action[1]))
        self._show_task()

    def _run_action(self) -> None:
        if self.step.action:
            getattr(self.w.runs, self.step.action[1])()

    def _show_task(self) -> None:
        s = self.step
        if s.task is None:
            self.task.setVisible(False)
        else:
            self.task.setVisible(True)
            if self.done:
                text = f"\u2714 Done: {s.doing}."
            else:
                snap = self.w.controller.present
                now = s.task.progress(snap) if snap is not None and s.matches(snap.settings) else ""
                now = f"<br><span style='color:#7a5a00'>({now})</span>" if now else ""
                text = f"<b>Your turn:</b> {s.doing}.{now}"
            if self.task.text() != text:
                self.task.setText(text)
            style = DONE_STYLE if self.done else TODO_STYLE
            if self.task.styleSheet() != style:
                self.task.setStyleSheet(style)
        self.not_set_up.setVisible(not self.set_up)
        last = self.index == len(tour.STEPS) - 1
        ready = s.task is None or self.done
        self.next_button.setText("Finish" if last else ("Next \u203a" if ready else "Skip \u203a"))
        self.next_button.setToolTip("" if ready else "go on without doing it")
        font = self.next_button.font()
        font.setBold(ready)
        self.next_button.setFont(font)
        self.next_button.setDefault(ready)

    # -- setting the window up ----------------------------------------------------------------
    def _set_up_window(self) -> None:
        s, w = self.step, self.w
        target = s.settings()
        current = w.controller.current_settings()
        if target is None or current == target:
            self.set_up = True
            self._after_setup()
            return

        def go() -> None:
            present = w.controller.present
            if (s.keep and present is not None and present.iteration > 0 and present.settings is not None
                    and present.settings.data == target.data and not self._kept(present)):
                w.runs.keep_run()  # its curve stays on the error plot, dashed (a run of other data would not be drawn)
            trained = present is not None and present.iteration > 0
            w.controls.set_settings(target)
            w.controller.configure(target)
            if current is not None and same_network(current, target) and trained:
                w.controller.reset()  # the step's run starts at iteration 0, from the seed's weights
            self.set_up = True
            self._after_setup()

        def kept_own() -> None:
            self.set_up = False
            self._show_task()

        w.sessions.ask_discard(f"Set up the tour's step \u201c{s.title}\u201d", go, kept_own)

    def _kept(self, snap) -> bool:
        """The run shown is in the Runs table already (at this iteration, with these settings)."""
        return any(r.settings == snap.settings and r.iterations == snap.iteration for r in self.w.runs_panel.runs)

    def _after_setup(self) -> None:
        self._show_task()
        self.show_view(self.step.view)
        self.point_at(self.step.point)
        present = self.w.controller.present
        if present is not None:
            self.show_snapshot(present)

    def widget_for(self, name: str) -> QWidget | None:
        w = self.w
        return {
            "diagram": w.network_view, "inspector": w.inspector, "loss": w.loss_plot, "predictions": w.predictions,
            "runs": w.runs_panel, "map": w.predictions.map_plot, "transport": w.transport,
            "controls": w.controls_scroll, "play": w.transport.play_button, "micro": w.transport.micro_button,
            "step": w.transport.step_button, "speed": w.transport.speed, "mse": w.transport.error_label, "standardize": w.controls.standardize,
            "lr": w.controls.lr, "hidden": w.controls.hidden, "layer_buttons": w.layer_buttons, "mode": w.mode_box,
        }.get(name)

    def show_view(self, view: str) -> None:
        """Bring the step's view forward (a tab under the diagram)."""
        w = self.w
        if view == "inspector":
            w.predictions.setCurrentWidget(w.inspector)
        elif view == "runs":
            w.runs.show_runs()
        elif view in ("loss", "predictions"):
            w.predictions.setCurrentIndex(0)  # the table of predictions: the inspector gives its room back

    def point_at(self, names) -> None:
        """Frame these widgets for a few seconds (controls scrolled into sight first)."""
        self.clear_highlights()
        for name in names:
            widget = self.widget_for(name)
            if widget is None:
                continue
            if self.w.controls.isAncestorOf(widget):
                self.w.controls_scroll.ensureWidgetVisible(widget)
            if widget.isVisibleTo(self.w):
                self.highlights.append(Highlight(widget))
        if self.highlights:
            self._unframe.start(HIGHLIGHT_MS)

    def clear_highlights(self) -> None:
        for h in self.highlights:
            h.remove()
        self.highlights = []

    # -- snapshots ------------------------------------------------------------------------------
    def show_snapshot(self, snap) -> None:
        """A frame of the window: is the task done? and the step's numbers."""
        s = self.step
        if s.task is not None and not self.done:
            if s.done(snap):
                self.done = True
                self.set_up = True
            self._show_task()
        if s.live:
            ctx = self.w.context
            text = tour.live_text(s, snap, ctx.train.n, ctx.arch.sizes[-1]) if ctx is not None else ""
            if text and s.matches(snap.settings):
                if self.live.text() != text:
                    self.live.setText(text)
                self.live.setVisible(True)

    def closeEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        self.clear_highlights()
        super().closeEvent(event)
