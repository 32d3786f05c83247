"""The transport bar across the top of the window, as TensorFlow Playground's header: Play/Pause,
Step, Micro-step, Step back, Reset, Epoch, Step N, the speed of Play, and a large readout of the
iteration and the error.  Always visible, whatever the window's size; on a narrow window the
readout moves under the buttons instead of anything being cut.

It only emits requests and shows the snapshot it is handed; the window sends the commands.
"""

from __future__ import annotations

import math

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (QFrame, QGridLayout, QHBoxLayout, QLabel, QSizePolicy, QSlider, QSpinBox, QStyle,
                               QToolButton, QWidget)

from ...core.pace import DEFAULT_SPEED, Pace
from ...core.snapshot import Snapshot
from .elided import ElidedLabel

# the speed control's notches: iterations per second, 1-2-3-5 a decade, then "max" (no pace)
SPEEDS: tuple[float, ...] = tuple(m * 10.0 ** k for k in range(5) for m in (1, 2, 3, 5)) + (100_000.0,)
MAX_NOTCH = len(SPEEDS)  # the last notch: as fast as the machine goes


def speed_text(speed: float | None) -> str:
    """'2,000 it/s', '0.5 it/s' or 'max'."""
    if speed is None:
        return "max"
    return f"{speed:,.0f} it/s" if speed >= 1 and speed == int(speed) else f"{speed:,.3g} it/s"


def notch_of(speed: float | None) -> int:
    """The notch nearest to a speed on the logarithmic scale (None: max)."""
    if speed is None:
        return MAX_NOTCH
    return min(range(len(SPEEDS)), key=lambda i: abs(math.log(SPEEDS[i]) - math.log(speed)))


class Transport(QFrame):
    """Run buttons, speed, iteration and error (see the module doc)."""

    playToggled = Signal()
    stepRequested = Signal(int)
    microRequested = Signal()
    backRequested = Signal()
    resetRequested = Signal()
    epochRequested = Signal()
    paceChanged = Signal(object)  # core.pace.Pace, or None for as fast as possible

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("transport")
        self.setFrameShape(QFrame.StyledPanel)
        self.setSizePolicy(QSizePolicy.Preferred, QSizePolicy.Fixed)
        style = self.style()
        self.play_button = self._button("Play", style.standardIcon(QStyle.SP_MediaPlay),
                                        "Play / Pause training (Space)", self.playToggled.emit)
        bold = QFont(self.play_button.font())
        bold.setBold(True)
        self.play_button.setFont(bold)
        self.play_button.setMinimumWidth(self.play_button.fontMetrics().horizontalAdvance("Pause") + 44)
        self.step_button = self._button("Step", style.standardIcon(QStyle.SP_MediaSkipForward),
                                        "one iteration: one weight update, then paused (Right arrow)",
                                        lambda: self.stepRequested.emit(1))
        self.micro_button = self._button("Micro-step", None,
                                         "one stage of the next iteration, in the post's order: forward through\n"
                                         "a layer, the error, a delta, the update (M)", self.microRequested.emit)
        self.back_button = self._button("Back", style.standardIcon(QStyle.SP_MediaSkipBackward),
                                        "step back: undo one iteration, bit for bit (Left arrow)",
                                        self.backRequested.emit)
        self.reset_button = self._button("Reset", style.standardIcon(QStyle.SP_BrowserReload),
                                         "", self.resetRequested.emit)
        self.set_seed(None)
        self.epoch_button = self._button("Epoch", None, "one pass over the training rows "
                                         "(one iteration with the full batch)", self.epochRequested.emit)
        self.step_n = QSpinBox(minimum=1, maximum=10_000_000, value=100)
        self.step_n.setGroupSeparatorShown(True)
        self.step_n.setToolTip("N for Step N")
        self.step_n_button = self._button("Step N", None, "run N iterations as fast as possible, then pause "
                                          "(Ctrl+Shift+Right)", lambda: self.stepRequested.emit(self.step_n.value()))

        self.speed = QSlider(Qt.Horizontal)
        self.speed.setRange(0, MAX_NOTCH)
        self.speed.setPageStep(3)
        self.speed.setMinimumWidth(90)
        self.speed.setFocusPolicy(Qt.StrongFocus)
        self.speed.setToolTip("the speed of Play, in iterations per second (logarithmic), or max: as fast as "
                              "the machine goes.\nThe first iterations always run slower (20 it/s, doubling "
                              "about every 1.4 s) so that the start can be watched.")
        self.speed_label = QLabel()
        self.speed_label.setMinimumWidth(self.speed_label.fontMetrics().horizontalAdvance("100,000 it/s") + 4)
        self._speed: float | None = DEFAULT_SPEED
        self.speed.setValue(notch_of(self._speed))
        self.speed_label.setText(speed_text(self._speed))
        self.speed.valueChanged.connect(self._on_speed)

        big = QFont(self.font())
        big.setPointSizeF(big.pointSizeF() * 1.5)
        big.setBold(True)
        self.iteration_label = QLabel("0")
        self.iteration_label.setFont(big)
        self.iteration_label.setToolTip("the iteration shown: the number of weight updates made")
        self.iteration_label.setAlignment(Qt.AlignLeft | Qt.AlignVCenter)
        self.iteration_label.setMinimumWidth(self._advance(big, "999,999"))
        self.error_label = QLabel("")
        self.error_label.setFont(big)
        self.error_label.setToolTip("the training error now: mse = mean (y - yhat)^2 over rows and outputs\n"
                                    "(the post's cost is C = 1/2 sum (y - yhat)^2 = mse x rows x outputs / 2)")
        self.error_label.setMinimumWidth(self._advance(big, "0.000000"))
        # state, accuracy: elided when the bar is narrow (a guide beside the views at QT_SCALE_FACTOR=2);
        # the status bar says it too
        self.detail_label = ElidedLabel("")
        self.detail_label.setStyleSheet("color:#555")
        self.detail_label.setMinimumWidth(self.detail_label.fontMetrics().horizontalAdvance("finished") + 4)

        buttons = QHBoxLayout()
        buttons.setContentsMargins(0, 0, 0, 0)
        buttons.setSpacing(3)
        for b in (self.play_button, self.step_button, self.micro_button, self.back_button, self.reset_button,
                  self.epoch_button, self.step_n_button):
            buttons.addWidget(b)
        buttons.addWidget(self.step_n)
        self.buttons = QWidget()
        self.buttons.setLayout(buttons)
        pace = QHBoxLayout()
        pace.setContentsMargins(0, 0, 0, 0)
        pace.addWidget(QLabel("speed"))
        pace.addWidget(self.speed, 1)
        pace.addWidget(self.speed_label)
        self.pace_box = QWidget()
        self.pace_box.setLayout(pace)
        readout = QHBoxLayout()
        readout.setContentsMargins(0, 0, 0, 0)
        self.iteration_caption = QLabel("iteration")
        readout.addWidget(self.iteration_caption)
        readout.addWidget(self.iteration_label)
        readout.addSpacing(12)
        self.error_caption = QLabel("mse")
        readout.addWidget(self.error_caption)
        readout.addWidget(self.error_label)
        readout.addSpacing(8)
        readout.addWidget(self.detail_label, 1)
        self.readout = QWidget()
        self.readout.setLayout(readout)
        self.grid = QGridLayout(self)
        self.grid.setContentsMargins(6, 3, 6, 3)
        self.grid.setHorizontalSpacing(14)
        self.grid.setVerticalSpacing(2)
        self._two_rows: bool | None = None
        self._arrange(False)

    @staticmethod
    def _advance(font: QFont, text: str) -> int:
        from PySide6.QtGui import QFontMetrics

        return QFontMetrics(font).horizontalAdvance(text) + 6

    def _button(self, text: str, icon, tip: str, slot) -> QToolButton:
        b = QToolButton()
        b.setText(text)
        if icon is not None:
            b.setIcon(icon)
            b.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        else:
            b.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        b.setToolTip(tip)
        b.setAutoRaise(False)
        b.setFocusPolicy(Qt.FocusPolicy.TabFocus)  # a click leaves the keyboard where it was
        b.clicked.connect(slot)
        return b

    # -- layout: one row when it fits, two otherwise (nothing is ever cut) ---------------
    def _arrange(self, two_rows: bool) -> None:
        if two_rows == self._two_rows:
            return
        self._two_rows = two_rows
        for w in (self.buttons, self.pace_box, self.readout):
            self.grid.removeWidget(w)
        if two_rows:  # the buttons above, the speed and the readout under them
            self.grid.addWidget(self.buttons, 0, 0, 1, 2, Qt.AlignmentFlag.AlignLeft)
            self.grid.addWidget(self.pace_box, 1, 0)
            self.grid.addWidget(self.readout, 1, 1)
            self.grid.setColumnStretch(0, 1)
            self.grid.setColumnStretch(1, 2)
            self.grid.setColumnStretch(2, 0)
        else:
            self.grid.addWidget(self.buttons, 0, 0)
            self.grid.addWidget(self.pace_box, 0, 1)
            self.grid.addWidget(self.readout, 0, 2)
            self.grid.setColumnStretch(0, 0)
            self.grid.setColumnStretch(1, 1)
            self.grid.setColumnStretch(2, 3)

    def _one_row_width(self) -> int:
        m = self.grid.contentsMargins()
        detail = self.detail_label.fontMetrics().horizontalAdvance(self.detail_label.full_text) + 4
        return (self.buttons.sizeHint().width() + self.pace_box.minimumSizeHint().width() + 120
                + self.readout.minimumSizeHint().width() + detail + 2 * self.grid.horizontalSpacing()
                + m.left() + m.right())

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        self._arrange(event.size().width() < self._one_row_width())
        super().resizeEvent(event)

    def minimumSizeHint(self) -> QSize:
        hint = super().minimumSizeHint()
        m = self.grid.contentsMargins()
        width = max(self.buttons.sizeHint().width(),
                    self.pace_box.minimumSizeHint().width() + self.readout.minimumSizeHint().width())
        return QSize(width + m.left() + m.right(), hint.height())

    def set_seed(self, seed: int | None) -> None:
        """Reset's tooltip names where the start weights come from."""
        which = f"seed {seed}" if seed is not None else "the seed"
        self.reset_button.setToolTip(f"Reset: back to iteration 0, the start weights drawn from U(-1, 1) with {which}\n"
                                     "(the same weights each time for the same seed; Ctrl+R)")

    # -- a lesson's locked and hidden buttons (core/lesson.py's names) --------------------------
    def widgets(self, name: str) -> list[QWidget]:
        """The widgets of a button by its lesson name: play, step, micro, back, reset, epoch, step_n, speed."""
        return {"play": [self.play_button], "step": [self.step_button], "micro": [self.micro_button],
                "back": [self.back_button], "reset": [self.reset_button], "epoch": [self.epoch_button],
                "step_n": [self.step_n_button, self.step_n],
                "speed": [self.speed, self.speed_label]}.get(name, [])

    def restrict(self, lock=(), hide=()) -> None:
        """Lock (greyed) and hide buttons; () undoes it."""
        for name in ("play", "step", "micro", "back", "reset", "epoch", "step_n", "speed"):
            for w in self.widgets(name):
                w.setEnabled(name not in lock)
                w.setVisible(name not in hide)
        self.pace_box.setVisible("speed" not in hide)

    # -- speed --------------------------------------------------------------------------
    @property
    def speed_value(self) -> float | None:
        """Play's speed in iterations per second, None for max."""
        return self._speed

    def pace(self) -> Pace | None:
        return None if self._speed is None else Pace(self._speed)

    def set_speed(self, speed: float | None) -> None:
        """Set the speed (an exact number of iterations per second, or None for max) and announce it."""
        if speed is not None and not (math.isfinite(speed) and speed > 0):
            raise ValueError(f"the speed must be a positive number of iterations per second or max (got {speed})")
        self._speed = speed
        self.speed.blockSignals(True)
        self.speed.setValue(notch_of(speed))
        self.speed.blockSignals(False)
        self.speed_label.setText(speed_text(speed))
        self.paceChanged.emit(self.pace())

    def _on_speed(self, notch: int) -> None:
        self._speed = None if notch >= MAX_NOTCH else SPEEDS[notch]
        self.speed_label.setText(speed_text(self._speed))
        self.paceChanged.emit(self.pace())

    # -- painting -----------------------------------------------------------------------
    def set_running(self, running: bool) -> None:
        """Play or Pause, with the style's own icons (the default fonts lack the Unicode glyphs)."""
        text = "Pause" if running else "Play"
        if self.play_button.text() != text:
            self.play_button.setText(text)
            self.play_button.setIcon(self.style().standardIcon(QStyle.StandardPixmap.SP_MediaPause if running
                                                               else QStyle.StandardPixmap.SP_MediaPlay))

    def show_snapshot(self, snap: Snapshot) -> None:
        """The snapshot's iteration and error, large; its state and accuracy beside them."""
        it = f"{snap.iteration:,}"
        if self.iteration_label.text() != it:
            self.iteration_label.setText(it)
        err = f"{snap.mse:.5g}"
        if self.error_label.text() != err:
            self.error_label.setText(err)
        state = "history" if snap.preview else str(getattr(snap.state, "value", snap.state))
        parts = [state]
        if snap.accuracy is not None:
            parts.append(f"accuracy {snap.accuracy:.1%}")
        self.detail_label.set_full_text("  \u00b7  ".join(parts))
