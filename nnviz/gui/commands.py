"""The training commands: the transport bar's buttons and the Training menu (Play / Pause, Step,
Step N, Micro-step, Step back, Step one epoch, Reset), and Resume from the error plot's history.

The window never trains: each command goes to the controller, which queues it to the worker,
and is answered at once in the status bar and on the Play button; the snapshot that reflects
it follows.  Reset and an earlier Resume would lose training: they ask first.
"""

from __future__ import annotations

from PySide6.QtWidgets import QMainWindow, QMenu, QMessageBox

from ..core.training import iterations_per_epoch
from .controller import Controller
from .menus import add_action
from .notices import Notices
from .sessions import Sessions
from .views.inspector import Inspector
from .views.predictions_view import PredictionsView
from .views.transport import Transport


class TrainingCommands:
    """Play, Step, Reset and the rest, from the transport bar, the menu and the keys (see the module doc)."""

    def __init__(self, window: QMainWindow, controller: Controller, menu: QMenu, transport: Transport,
                 predictions: PredictionsView, inspector: Inspector, sessions: Sessions, notices: Notices) -> None:
        self.window = window  # the questions' parent
        self.controller = controller
        self.transport = transport
        self.predictions = predictions  # a micro-step shows the inspector's tab
        self.inspector = inspector
        self.sessions = sessions  # Reset asks before unsaved training is lost
        self.notices = notices
        self.play_action = add_action(window, menu, "Play / Pause", "Space", self.toggle_play)
        add_action(window, menu, "Step one iteration", "Ctrl+Right", lambda: self.step(1))
        add_action(window, menu, "Step N iterations", "Ctrl+Shift+Right", lambda: self.step(transport.step_n.value()))
        add_action(window, menu, "Micro-step (one stage of an iteration)", "M", self.micro_step)
        add_action(window, menu, "Step back", "Ctrl+Left", self.step_back)
        add_action(window, menu, "Step one epoch", "Ctrl+Shift+E", self.step_epoch)
        add_action(window, menu, "Reset weights", "Ctrl+R", self.reset)
        transport.playToggled.connect(self.toggle_play)
        transport.stepRequested.connect(self.step)
        transport.resetRequested.connect(self.reset)
        transport.microRequested.connect(self.micro_step)
        transport.backRequested.connect(self.step_back)
        transport.epochRequested.connect(self.step_epoch)
        transport.paceChanged.connect(controller.set_pace)

    def toggle_play(self) -> None:
        if self.controller.running:
            self.pause()
        else:
            self.play()

    def play(self) -> None:
        self.controller.play()
        self._acknowledge("starting\u2026")

    def pause(self) -> None:
        self.controller.pause()
        self._acknowledge("pausing after the current iteration\u2026")

    def step(self, n: int = 1) -> None:
        self.controller.step(n)
        self._acknowledge(f"stepping {n:,} iteration{'s' if n != 1 else ''}\u2026")

    def reset(self) -> None:
        def go() -> None:
            self.controller.reset()
            self._acknowledge("resetting\u2026")

        self.sessions.ask_discard("Reset to new random weights", go)

    def _acknowledge(self, doing: str) -> None:
        """A command is answered at once (the button, the status bar), even when the training
        thread can only take it after an iteration of a big network; the snapshot follows."""
        self.transport.set_running(self.controller.running)
        self.notices.say(doing, 1500)

    def micro_step(self) -> None:
        self.controller.micro_step()
        if self.predictions.currentWidget() is not self.inspector:
            self.predictions.setCurrentWidget(self.inspector)  # the stage's matrices are what to look at

    def step_back(self) -> None:
        self.controller.step_back()

    def step_epoch(self) -> None:
        """One pass over the training rows: ceil(n / batch size) iterations."""
        ctx, settings = self.controller.context, self.controller.current_settings()
        if ctx is None or settings is None:
            return
        self.controller.step(iterations_per_epoch(ctx.train.n, settings.batch_size))

    def resume_from(self, iteration: int, confirm: bool = True) -> None:
        """Continue from an earlier iteration, discarding what came after (asks first)."""
        present = self.controller.present
        if present is None:
            return
        if not confirm or iteration >= present.iteration:
            self.controller.resume_from(iteration)
            return
        buttons = QMessageBox.StandardButton
        box = QMessageBox(QMessageBox.Icon.Question, "nnviz",
                          f"Resume from iteration {iteration:,}? The {present.iteration - iteration:,} "
                          "later iterations will be discarded.", buttons.Yes | buttons.Cancel, self.window)
        box.accepted.connect(lambda: self.controller.resume_from(iteration))
        self.notices.ask(box)
