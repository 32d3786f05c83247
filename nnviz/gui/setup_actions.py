"""What to train: the control panel, a CSV file and the diagram's tools (feature toggles, the
+/- buttons of the hidden layers) make the network the window trains.

A training setting (learning rate, momentum, ...) applies to the current weights at once; a
change of the network itself (data, layers, features, seed) builds a new one, after asking
when the training so far is not saved (``Sessions.ask_discard``); cancelled, the controls go
back to the network that is kept.  A CSV file that cannot be read changes nothing (one line).
"""

from __future__ import annotations

import csv
from typing import cast
from pathlib import Path

from PySide6.QtCore import QEventLoop, Qt, Slot
from PySide6.QtWidgets import QApplication, QFileDialog, QProgressDialog, QWidget

from ..core import data as datamod
from ..core.experiment import Settings
from ..core.runner import same_network
from .controller import Controller
from .notices import Notices
from .sessions import Sessions
from .view_actions import show_tools
from .views.controls import ControlPanel
from .views.feature_toggles import FeatureToggles
from .views.layer_buttons import LayerButtons, with_hidden


class SetupActions:
    """The controls, a CSV file and the diagram's tools build the network (see the module doc)."""

    def __init__(self, window: QWidget, controller: Controller, controls: ControlPanel,
                 feature_toggles: FeatureToggles, layer_buttons: LayerButtons, sessions: Sessions,
                 notices: Notices) -> None:
        self.window = window  # the file dialog's parent
        self.controller = controller
        self.controls = controls
        self.feature_toggles = feature_toggles
        self.layer_buttons = layer_buttons
        self.sessions = sessions  # asks before a new network replaces unsaved training
        self.notices = notices
        controls.settingsChanged.connect(self._on_settings)
        controls.openCsvRequested.connect(self.open_csv_dialog)
        controls.targetChanged.connect(self._on_target)
        feature_toggles.featuresChanged.connect(self.set_features)
        feature_toggles.refused.connect(notices.error)
        layer_buttons.hiddenChanged.connect(self.set_hidden)

    # -- the controls and the diagram's tools -------------------------------------------------
    @Slot(object)
    def _on_settings(self, settings: Settings) -> None:
        """A changed control: training settings apply to the current weights; anything else
        builds a new network, after asking if the training so far is not saved."""
        present = self.controller.present
        # (Snapshot types its settings object: import cycles)
        current = cast("Settings | None", present.settings) if present is not None else None
        if current is None or same_network(current, settings):
            self.controller.configure(settings)
            return
        self.sessions.ask_discard("Build a new network with these settings",
                                  lambda: self.controller.configure(settings), lambda: self._keep_network(current))

    def _keep_network(self, current: Settings) -> None:
        """A change was cancelled: the controls, toggles and buttons show the network that is kept."""
        self.controls.set_settings(current)
        ctx = self.controller.context
        if ctx is not None:
            show_tools(self.feature_toggles, self.layer_buttons, ctx, current)

    @Slot(object)
    def set_features(self, features: tuple) -> None:
        """The feature toggles: a new network with these input features (as the controls would)."""
        self.controls.apply(features=tuple(features))

    @Slot(object)
    def set_hidden(self, hidden: tuple) -> None:
        """The diagram's +/- buttons: new hidden sizes, through the controls (asks, keeps the seed)."""
        try:
            base = self.controls.settings()
        except ValueError as exc:  # another control holds a value the core refuses: shown in red
            self.notices.error(str(exc))
            return
        self.controls.apply(**with_hidden(base, tuple(hidden)))

    # -- CSV files --------------------------------------------------------------------------
    @Slot()
    def open_csv_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self.window, "Open CSV", "", "CSV files (*.csv);;All files (*)")
        if path:
            self.open_csv(path)

    def load_csv(self, path: str, target: str | None = None, classify: bool = False) -> datamod.Dataset | None:
        """The CSV file's data, shown in the controls; None, with its one-line error, when it cannot be read."""
        progress = ReadingProgress(self.window, Path(path).name)
        try:
            ds = datamod.load_csv(path, target, classify, on_progress=progress.fraction)
            datamod.fit_scaling(ds)  # values that cannot be standardised: refused before anything changes
        except ValueError as exc:
            self.notices.error(str(exc))
            return None
        finally:
            progress.close()
        show_csv(self.controls, str(path), ds)
        return ds

    def open_csv(self, path: str) -> bool:
        """Load a CSV file as the data set (target: the last column, or the one text
        column when the last is numeric). False, with a message, on error."""
        target = datamod.suggest_target(path)
        ds = self.load_csv(path, target)
        if ds is None:
            return False
        try:
            s = self.controls.settings().with_(data=str(path), target=",".join(ds.target_columns), classify=False)
        except ValueError as exc:
            self.notices.error(str(exc))
            return False
        self.sessions.ask_discard(f"Open {Path(path).name}", lambda: self.controller.configure(s, ds),
                                  self._restore_controls)
        return True

    def _restore_controls(self) -> None:
        """Put the controls back to the network that is kept (a change was cancelled)."""
        settings, ctx = self.controller.current_settings(), self.controller.context
        if settings is None or ctx is None:
            return
        self.controls.set_settings(settings)
        if settings.data not in datamod.BUILTINS:
            show_csv(self.controls, settings.data, ctx.dataset)

    @Slot(str, bool)
    def _on_target(self, target: str, classify: bool) -> None:
        path = self.controls.csv_path
        if not path:
            return
        ds = self.load_csv(path, target, classify)
        if ds is None:
            return
        try:
            s = self.controls.settings().with_(data=path, target=target, classify=classify)
        except ValueError as exc:
            self.notices.error(str(exc))
            return
        self.sessions.ask_discard("Train on another target", lambda: self.controller.configure(s, ds),
                                  self._restore_controls)


class ReadingProgress:
    """A progress dialog while a big CSV file is read in the GUI thread: it shows after 0.4 s
    (small files never see it), moves with the reader's fractions (at most twenty), and the
    window repaints meanwhile (user input waits: the read is short, a second for 1,000,000 rows)."""

    def __init__(self, parent: QWidget, name: str) -> None:
        self.dialog = QProgressDialog(f"Reading {name}\u2026", "", 0, 100, parent)
        self.dialog.setWindowTitle("Open CSV")
        self.dialog.setCancelButton(None)  # no Cancel: the read is short and cannot stop midway
        self.dialog.setWindowModality(Qt.WindowModality.WindowModal)
        self.dialog.setMinimumDuration(400)
        self.dialog.setAutoClose(False)
        self.dialog.setValue(0)
        self.values: list[int] = []

    def fraction(self, f: float) -> None:
        value = int(round(100 * min(max(f, 0.0), 1.0)))
        self.values.append(value)
        self.dialog.setValue(value)
        QApplication.processEvents(QEventLoop.ProcessEventsFlag.ExcludeUserInputEvents)

    def close(self) -> None:
        self.dialog.reset()
        self.dialog.close()
        self.dialog.deleteLater()


def show_csv(controls: ControlPanel, path: str, ds: datamod.Dataset) -> None:
    """A CSV file's data in the controls: its columns in file order (the target chooser), its target."""
    columns = header_order(path, list(ds.input_names) + list(ds.target_columns))
    controls.set_csv(path, columns, ds.target_columns[0] if len(ds.target_columns) == 1 else None)


def header_order(path: str, columns: list[str]) -> list[str]:
    """The CSV's columns in file order (for the target chooser)."""
    try:
        with open(path, encoding="utf-8-sig", errors="replace") as fh:
            first = fh.readline()
    except OSError:
        return columns
    header = [h.strip() for h in next(csv.reader([first]), [])]
    return header if set(columns) <= set(header) else columns
