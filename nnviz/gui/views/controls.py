"""The control panel: data set, architecture, training settings and the run buttons.

It turns its widgets into a ``Settings`` (validated by the core) and emits
``settingsChanged``; a value the core refuses is shown in red with the
core's one-line message and not applied.
"""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFormLayout, QGroupBox, QLabel, QVBoxLayout, QWidget

from ...core.activations import HIDDEN_ACTIVATIONS
from ...core.advice import AUTO
from ...core.data import BUILTINS, GENERATED
from ...core.experiment import Settings
from ...core.network import Architecture, parse_hidden
from .control_fields import CUSTOM_PREFIX, DataCombo, NumberEdit, RateEdit, number_text
from .control_forms import DataForm, NetworkForm, TrainingForm
from .parts import from_parts

__all__ = ["CSV_ITEM", "CUSTOM_PREFIX", "LOCKED_TIP", "ControlPanel", "DataCombo", "NumberEdit", "RateEdit",
           "number_text"]

CSV_ITEM = "CSV file"
LOCKED_TIP = "\n\n(locked by the lesson)"


class ControlPanel(QWidget):
    """The settings' fields in three boxes (``control_forms``), read as the panel's own by their
    ``Settings`` names; ``settings()`` makes them a ``Settings``."""

    settingsChanged = Signal(object)  # Settings
    openCsvRequested = Signal()
    targetChanged = Signal(str, bool)  # CSV target column, classify
    originalDataRequested = Signal(object)  # Settings: the picker left the edited data for its origin
    # the boxes' fields, by their Settings names
    data, open_button, target, classify, noise, test_fraction, validation_fraction, standardize = from_parts(
        "data_form", "data", "open_button", "target", "classify", "noise", "test_fraction", "validation_fraction",
        "standardize")
    hidden, activation, output_activation, loss, seed, init_note = from_parts(
        "network_form", "hidden", "activation", "output_activation", "loss", "seed", "init_note")
    algorithm, lr, batch_size, momentum, threshold, l1, l2, lr_schedule, patience, iterations = from_parts(
        "training_form", "algorithm", "lr", "batch_size", "momentum", "threshold", "l1", "l2", "lr_schedule",
        "patience", "iterations")

    def __init__(self, settings: Settings, parent=None):
        super().__init__(parent)
        self._loading = False
        self.csv_path: str | None = None
        self._auto_rows: int | None = None  # the training rows "auto" is shown for
        outer = QVBoxLayout(self)
        outer.setContentsMargins(4, 4, 4, 4)
        self.data_form = DataForm()
        self.data_form.open_button.clicked.connect(self.openCsvRequested)
        outer.addWidget(self.data_form.box)
        self.network_form = NetworkForm()
        outer.addWidget(self.network_form.box)
        self.training_form = TrainingForm()
        outer.addWidget(self.training_form.box)

        self.problem = QLabel()
        self.problem.setWordWrap(True)
        self.problem.setStyleSheet("color: #b00020;")
        outer.addWidget(self.problem)
        outer.addStretch(1)

        self.set_settings(settings)
        for w in (self.data, self.output_activation, self.loss, self.algorithm):
            w.currentIndexChanged.connect(self._changed)
        self.activation.currentTextChanged.connect(self._activation_edited)
        self.activation.lineEdit().editingFinished.connect(self._changed)
        for w in (self.hidden, self.lr, self.noise, self.test_fraction, self.momentum, self.threshold,
                  self.validation_fraction, self.l1, self.l2, self.lr_schedule, self.patience):
            w.editingFinished.connect(self._changed)
        for w in (self.seed, self.batch_size, self.iterations):
            w.editingFinished.connect(self._changed)
        self.standardize.toggled.connect(self._changed)
        self.target.currentIndexChanged.connect(self._target_changed)
        self.classify.toggled.connect(self._target_changed)

    # -- settings <-> widgets ------------------------------------------------------
    def set_settings(self, s: Settings) -> None:
        self._base = s  # settings without a control of their own (engine, dtype) are kept from here
        self._loading = True
        try:
            if s.data in BUILTINS:
                self.data.setCurrentText(s.data)
            else:
                self.set_csv(s.data, None)
            if self._custom_index() >= 0 and s.data == self._custom_base:
                self.data.setCurrentIndex(self._custom_index())  # the network kept trains on the edited data
            self.noise.setValue(s.noise)
            self.test_fraction.setValue(s.test_fraction)
            self.standardize.setChecked(s.standardize)
            self.hidden.setText(",".join(map(str, s.hidden)) or "0")
            acts = ",".join(s.activation) if len(set(s.activation)) > 1 else (s.activation[0] if s.activation else "sigmoid")
            self.activation.setCurrentText(acts)
            self.output_activation.setCurrentText(s.output_activation)
            self.loss.setCurrentText(s.loss)
            self.seed.setValue(s.seed)
            self.network_form.say_init(s.seed)
            self.algorithm.setCurrentText(s.algorithm)
            self.lr.setValue(s.lr)
            self._show_auto_lr()
            self.batch_size.setValue(s.batch_size or 0)
            self.momentum.setValue(s.momentum)
            self.threshold.setValue(s.threshold)
            self.validation_fraction.setValue(s.validation_fraction)
            self.l1.setValue(s.l1)
            self.l2.setValue(s.l2)
            self.lr_schedule.setText(s.lr_schedule)
            self.patience.setValue(s.patience)
            self.iterations.setValue(min(s.iterations, 2_000_000_000))
            self.classify.setChecked(s.classify)
            self._update_enabled()
        finally:
            self._loading = False

    def set_csv(self, path: str, columns: list[str] | None, target: str | None = None) -> None:
        """Show a loaded CSV file as the data set, with its columns as target choices."""
        was = self._loading
        self._loading = True
        try:
            self.csv_path = path
            if self.data.findText(CSV_ITEM) < 0:
                self.data.addItem(CSV_ITEM)
            self.data.setCurrentText(CSV_ITEM)
            self.data.setItemData(self.data.findText(CSV_ITEM), path, Qt.ItemDataRole.ToolTipRole)
            if columns is not None:
                self.target.clear()
                self.target.addItems(columns)
                self.target.setCurrentText(target or columns[-1])
            self._update_enabled()
        finally:
            self._loading = was

    _custom_base: str | None = None  # the settings' data name of the edited data

    def _custom_index(self) -> int:
        for i in range(self.data.count()):
            if self.data.itemText(i).startswith(CUSTOM_PREFIX):
                return i
        return -1

    def set_custom(self, title: str | None) -> None:
        """Name edited data in the picker ("custom (from circles)") and select it, or (None)
        drop that entry."""
        was = self._loading
        self._loading = True
        try:
            i = self._custom_index()
            if title is None:
                if i >= 0:
                    current = self.data.currentIndex() == i
                    self.data.removeItem(i)
                    self._custom_base = None
                    if current:
                        base = self._base.data
                        self.data.setCurrentText(base if base in BUILTINS else CSV_ITEM)
            else:
                if i < 0:
                    self.data.addItem(title)
                    i = self.data.count() - 1
                self.data.setItemText(i, title)
                self.data.setItemData(i, "points added, moved or deleted on the decision map; "
                                      "pick the original to go back to it", Qt.ItemDataRole.ToolTipRole)
                self._custom_base = self._base.data
                self.data.setCurrentIndex(i)
            self._update_enabled()
        finally:
            self._loading = was

    def _update_enabled(self) -> None:
        is_csv = self.data.currentText() == CSV_ITEM
        self.target.setEnabled(is_csv)
        self.classify.setEnabled(is_csv)
        self.noise.setEnabled(self.data.currentText() in GENERATED)
        gd = self.algorithm.currentText() == "gd"
        self.lr.setEnabled(gd)
        self.batch_size.setEnabled(gd)
        self.momentum.setEnabled(gd)
        self.lr_schedule.setEnabled(gd)
        for name in self.locked:
            for widget in self._widgets(name):
                widget.setEnabled(False)

    # -- a lesson's locked and hidden fields (core/lesson.py) ----------------------------------
    locked: frozenset[str] = frozenset()
    withheld: frozenset[str] = frozenset()

    def _widgets(self, name: str) -> list[QWidget]:
        """The widgets of a field by its Settings name (those the panel has)."""
        extra = {"data": [self.open_button], "seed": [self.init_note]}.get(name, [])
        main = getattr(self, name, None)
        return ([main] if isinstance(main, QWidget) else []) + extra

    def restrict(self, lock=(), hide=()) -> None:
        """Lock (show, but refuse changes) and hide fields by their Settings names; () undoes it."""
        for name in self.locked:
            for widget in self._widgets(name):
                widget.setToolTip(widget.toolTip().replace(LOCKED_TIP, ""))
        self.locked, self.withheld = frozenset(lock), frozenset(hide)
        for box in self.findChildren(QGroupBox):
            form = box.layout()
            if not isinstance(form, QFormLayout):
                continue
            shown = 0
            for row in range(form.rowCount()):
                item = form.itemAt(row, QFormLayout.ItemRole.FieldRole)
                field = item.widget() if item is not None else None
                field_name = next((n for n in self._field_names() if field in self._widgets(n)), None)
                visible = field_name is None or field_name not in self.withheld
                form.setRowVisible(row, visible)
                shown += visible and field is not None and field_name is not None
            box.setVisible(shown > 0)
        self.open_button.setVisible("data" not in self.withheld)
        for name in self.locked:
            for widget in self._widgets(name):
                widget.setToolTip(widget.toolTip() + LOCKED_TIP)
        self._update_enabled()

    def _field_names(self) -> list[str]:
        return [n for n in ("data", "target", "classify", "noise", "test_fraction", "validation_fraction",
                            "standardize", "hidden", "activation", "output_activation", "loss", "seed",
                            "algorithm", "lr", "batch_size", "momentum", "threshold", "l1", "l2", "lr_schedule",
                            "patience", "iterations") if isinstance(getattr(self, n, None), QWidget)]

    def settings(self) -> Settings:
        """The widgets as Settings; ValueError with the core's message if they do not make one."""
        data = self.csv_path if self.data.currentText() == CSV_ITEM else self.data.currentText()
        if data is None:  # (the CSV item is added with its path)
            raise ValueError("no CSV file chosen")
        lr = self.lr.value()
        is_csv = self.data.currentText() == CSV_ITEM
        patience = self.patience.value()
        if patience is not None and patience != int(patience):
            raise ValueError(f"the patience must be a whole number of iterations (got {self.patience.text().strip()})")
        gd = self.algorithm.currentText() == "gd"
        custom = self.data.currentText().startswith(CUSTOM_PREFIX)
        s = replace(
            self._base,
            data=self._base.data if custom else data,
            # input features stay while the data stays or moves to another two-input built-in
            features=self._base.features if custom or data == self._base.data or data in GENERATED else (),
            target=self._base.target if custom else (self.target.currentText() if is_csv and self.target.count() else None),
            classify=self._base.classify if custom else self.classify.isChecked() and is_csv,
            noise=self.noise.value(),
            threshold=self.threshold.value() or None,
            hidden=parse_hidden(self.hidden.text()),
            activation=tuple(a.strip() for a in self.activation.currentText().split(",") if a.strip()) or ("sigmoid",),
            output_activation=self.output_activation.currentText(),
            loss=self.loss.currentText(),
            algorithm=self.algorithm.currentText(),
            lr=lr,
            momentum=self.momentum.value() if self.algorithm.currentText() == "gd" else 0.0,
            batch_size=(self.batch_size.value() or None) if self.algorithm.currentText() == "gd" else None,
            iterations=self.iterations.value(),
            seed=self.seed.value(),
            test_fraction=self.test_fraction.value(),
            standardize=self.standardize.isChecked(),
            validation_fraction=self.validation_fraction.value(),
            l1=self.l1.value(),
            l2=self.l2.value(),
            lr_schedule=(self.lr_schedule.text().strip() or "constant") if gd else "constant",
            patience=None if patience is None else int(patience),
        )
        s.train_config()
        Architecture(1, s.hidden, 1, s.activation, s.output_activation, s.loss)
        return s

    def apply(self, **changes) -> None:
        """Change settings from outside the panel (the diagram's +/- buttons and feature toggles)
        as its own widgets do: shown here, then ``settingsChanged``; refused in red otherwise."""
        try:
            s = self.settings().with_(**changes)
            Architecture(1, s.hidden, 1, s.activation, s.output_activation, s.loss)
        except ValueError as exc:
            self.problem.setText(str(exc))
            return
        self.problem.setText("")
        if s != self._base:
            self.set_settings(s)
            self.settingsChanged.emit(s)

    def _activation_edited(self, text: str) -> None:
        if text in HIDDEN_ACTIVATIONS:
            self._changed()

    def _changed(self, *_):
        if self._loading:
            return
        self._update_enabled()
        if self.data.currentText() == CSV_ITEM and not self.csv_path:
            return
        try:
            s = self.settings()
        except ValueError as exc:
            self.problem.setText(str(exc))
            return
        self.problem.setText("")
        i = self._custom_index()
        if i >= 0 and self.data.currentIndex() != i and s.data == self._custom_base:
            self.originalDataRequested.emit(s)  # back from the edited data to the data it came from
            return
        if s != self._base:
            self._base = s
            self._show_auto_lr()
            self.settingsChanged.emit(s)

    def show_auto_lr(self, rows: int) -> None:
        """Show what the learning rate "auto" stands for on the data trained on, of ``rows``
        training rows (a context's ``train.n``): "auto (0.00167)"."""
        self._auto_rows = int(rows)
        self._show_auto_lr()

    def _show_auto_lr(self) -> None:
        rows = self._auto_rows
        self.lr.show_auto(None if rows is None else self._base.with_(lr=AUTO).learning_rate(rows))

    def _target_changed(self, *_):
        if self._loading or self.data.currentText() != CSV_ITEM:
            return
        self.targetChanged.emit(self.target.currentText(), self.classify.isChecked())
