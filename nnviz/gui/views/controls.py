"""The control panel: data set, architecture, training settings and the run buttons.

It turns its widgets into a ``Settings`` (validated by the core) and emits
``settingsChanged``; a value the core refuses is shown in red with the
core's one-line message and not applied.
"""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt, Signal
from dataclasses import replace

from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (QCheckBox, QComboBox, QFormLayout, QGroupBox, QHBoxLayout, QLabel, QLineEdit,
                               QPushButton, QSpinBox, QStyle, QStyleOptionComboBox, QStylePainter, QVBoxLayout,
                               QWidget)

from ...core.activations import HIDDEN_ACTIVATIONS, OUTPUT_ACTIVATIONS
from ...core.advice import AUTO
from ...core.data import BUILTINS, GENERATED
from ...core.experiment import Settings
from ...core.losses import LOSSES
from ...core.network import Architecture, parse_hidden
from ...core.training import ALGORITHMS

CSV_ITEM = "CSV file"
LOCKED_TIP = "\n\n(locked by the lesson)"
CUSTOM_PREFIX = "custom (from "  # the picker's entry for data edited on the map


def number_text(x: float) -> str:
    """The shortest text that reads back as exactly x (0.125, 1e-09, 0.02, 3)."""
    t = repr(float(x))
    return t[:-2] if t.endswith(".0") else t


class NumberEdit(QLineEdit):
    """A number typed as text: shows and keeps every setting exactly (a spin box rounds to its
    decimals, and a rounded value read back would silently build a new network)."""

    def __init__(self, name: str, lo: float, hi: float, empty: str | None = None):
        super().__init__()
        self.name, self.lo, self.hi, self.empty = name, lo, hi, empty
        if empty:
            self.setPlaceholderText(empty)

    def setValue(self, x: float | None) -> None:
        self.setText("" if x is None else number_text(x))

    def value(self) -> float | None:
        """The number, None when empty (where allowed); ValueError with a one-line message."""
        text = self.text().strip()
        if not text and self.empty:
            return None
        try:
            x = float(text)
        except ValueError:
            raise ValueError(f"the {self.name} must be a number (got {text!r})") from None
        if not (self.lo <= x <= self.hi):
            raise ValueError(f"the {self.name} must be between {number_text(self.lo)} and {number_text(self.hi)} (got {text})")
        return x


class RateEdit(QLineEdit):
    """The learning rate: a number, kept exactly, or "auto" (typed, or the field left empty),
    shown as an empty field whose grey text says what auto stands for: "auto (0.00167)"."""

    def __init__(self):
        super().__init__()
        self.setPlaceholderText(AUTO)
        self.setToolTip("a number, or auto (empty): min(0.02, c / rows) for the rows an update sums over, "
                        "c = 3 for a sigmoid or softmax output with sse, 3/4 with ce, 3/16 for a linear output; "
                        "0.02 for iris")
        self.editingFinished.connect(self._tidy)

    def setValue(self, lr: float | str) -> None:
        self.setText("" if lr == AUTO else number_text(float(lr)))

    def value(self) -> float | str:
        """A number or "auto"; ValueError with a one-line message."""
        text = self.text().strip()
        if not text or text.lower() == AUTO:
            return AUTO
        try:
            return float(text)
        except ValueError:
            raise ValueError(f"the learning rate must be a number or auto (got {text!r})") from None

    def show_auto(self, lr: float | None) -> None:
        """What auto stands for now (None: not known yet)."""
        self.setPlaceholderText(AUTO if lr is None else f"{AUTO} ({lr:g})")

    def _tidy(self) -> None:
        if self.text().strip().lower() == AUTO:
            self.setText("")  # the grey text shows auto with its number


class DataCombo(QComboBox):
    """The data picker: as wide as its row (not as its longest item, a CSV file's name can be
    long), the current name elided in the middle when it does not fit ("custom (fr…circles)"
    keeps the data's origin), and the full name in the tooltip."""

    def __init__(self, about: str):
        super().__init__()
        self.about = about  # the tooltip's text under the current name
        self.setSizeAdjustPolicy(QComboBox.AdjustToMinimumContentsLengthWithIcon)
        self.setMinimumContentsLength(6)
        self.currentTextChanged.connect(self._tip)
        self._tip(self.currentText())

    def sizeHint(self) -> QSize:
        """Room for the longest built-in set's edited name, "custom (from gauss-mix)", whatever
        the items (a long CSV file name is elided, not given room)."""
        hint = super().sizeHint()
        text = max(self.fontMetrics().horizontalAdvance(f"{CUSTOM_PREFIX}{b})") for b in BUILTINS)
        size = self.style().sizeFromContents(QStyle.CT_ComboBox, self._option(), QSize(text + 4, hint.height()), self)
        return QSize(size.width(), hint.height())

    def minimumSizeHint(self) -> QSize:
        return self.sizeHint()

    def _tip(self, text: str) -> None:
        self.setToolTip(f"{text}\n\n{self.about}" if text else self.about)

    def _option(self) -> QStyleOptionComboBox:
        opt = QStyleOptionComboBox()
        self.initStyleOption(opt)
        return opt

    def shown_text(self) -> str:
        """The current name as painted: whole, or elided in the middle to fit the field."""
        opt = self._option()
        field = self.style().subControlRect(QStyle.CC_ComboBox, opt, QStyle.SC_ComboBoxEditField, self)
        return self.fontMetrics().elidedText(self.currentText(), Qt.ElideMiddle, max(field.width() - 2, 0))

    def paintEvent(self, event) -> None:
        painter = QStylePainter(self)
        painter.setPen(self.palette().color(QPalette.Text))
        opt = self._option()
        opt.currentText = self.shown_text()
        painter.drawComplexControl(QStyle.CC_ComboBox, opt)
        painter.drawControl(QStyle.CE_ComboBoxLabel, opt)


class ControlPanel(QWidget):
    settingsChanged = Signal(object)  # Settings
    openCsvRequested = Signal()
    targetChanged = Signal(str, bool)  # CSV target column, classify
    originalDataRequested = Signal(object)  # Settings: the picker left the edited data for its origin

    def __init__(self, settings: Settings, parent=None):
        super().__init__(parent)
        self._loading = False
        self.csv_path: str | None = None
        outer = QVBoxLayout(self)
        outer.setContentsMargins(4, 4, 4, 4)

        data_box = QGroupBox("Data")
        f = QFormLayout(data_box)
        f.setRowWrapPolicy(QFormLayout.WrapLongRows)  # a narrow panel puts the field under its label
        self.data = DataCombo("\n".join(f"{k}: {v}" for k, v in BUILTINS.items()))
        self.data.addItems(list(BUILTINS))
        self.open_button = QPushButton("Open CSV\u2026")
        self.open_button.clicked.connect(self.openCsvRequested)
        f.addRow("data set", self.data)  # the whole row: "custom (from gauss-mix)" fits
        row = QHBoxLayout()
        row.addWidget(self.open_button)
        row.addStretch(1)
        f.addRow("", row)
        self.target = QComboBox()
        self.classify = QCheckBox("target is classes")
        f.addRow("target", self.target)
        f.addRow("", self.classify)
        self.noise = NumberEdit("noise", 0.0, 1.0)
        f.addRow("noise (2-D sets)", self.noise)
        self.test_fraction = NumberEdit("test fraction", 0.0, 0.9)
        self.test_fraction.setToolTip("share of the rows held out as a test set (0: none)")
        f.addRow("test fraction", self.test_fraction)
        self.validation_fraction = NumberEdit("validation fraction", 0.0, 0.9)
        self.validation_fraction.setToolTip("share of the training rows held out to measure the validation mse\n"
                                            "(early stopping; 0: none). A new one starts a new network.")
        f.addRow("validation fraction", self.validation_fraction)
        self.standardize = QCheckBox("standardise inputs")
        self.standardize.setToolTip("centre and scale each input as R's scale() does (sd with n - 1).\n"
                                    "The post does not scale its inputs (its toy inputs are 0 and 1): untick to\n"
                                    "train on them as it did. Scaled inputs make gradient descent smoother: iris\n"
                                    "at lr 0.02 falls steadily, unscaled it bounces for the first few thousand\n"
                                    "iterations, as the post's error plot does.")
        f.addRow("", self.standardize)
        outer.addWidget(data_box)

        net_box = QGroupBox("Network")
        f = QFormLayout(net_box)
        f.setRowWrapPolicy(QFormLayout.WrapLongRows)  # a narrow panel puts the field under its label
        self.hidden = QLineEdit()
        self.hidden.setPlaceholderText("e.g. 6,6 (0 = none)")
        self.hidden.setToolTip("hidden layer sizes separated by commas")
        f.addRow("hidden layers", self.hidden)
        self.activation = QComboBox()
        self.activation.setEditable(True)
        self.activation.addItems(list(HIDDEN_ACTIVATIONS))
        self.activation.setToolTip("one activation for all hidden layers, or one per layer: tanh,relu")
        f.addRow("activation", self.activation)
        self.output_activation = QComboBox()
        self.output_activation.addItems(list(OUTPUT_ACTIVATIONS))
        f.addRow("output activation", self.output_activation)
        self.loss = QComboBox()
        self.loss.addItems(list(LOSSES))
        f.addRow("loss", self.loss)
        self.seed = QSpinBox(minimum=0, maximum=2_000_000_000)
        self.seed.setToolTip("the start weights are drawn from U(-1, 1) with this seed, as in the post\n"
                             "(it also seeds the 2-D sets, the splits and the mini-batch order)")
        f.addRow("seed", self.seed)
        self.init_note = QLabel()  # says where the start weights come from, under the seed
        self.init_note.setStyleSheet("color:#555")
        self.init_note.setWordWrap(True)
        f.addRow("", self.init_note)
        self.seed.valueChanged.connect(self._say_init)
        outer.addWidget(net_box)

        train_box = QGroupBox("Training")
        f = QFormLayout(train_box)
        f.setRowWrapPolicy(QFormLayout.WrapLongRows)  # a narrow panel puts the field under its label
        self.algorithm = QComboBox()
        self.algorithm.addItems(list(ALGORITHMS))
        f.addRow("algorithm", self.algorithm)
        self.lr = RateEdit()
        self._auto_rows: int | None = None  # the training rows "auto" is shown for
        f.addRow("learning rate", self.lr)
        self.batch_size = QSpinBox(minimum=0, maximum=10_000_000)
        self.batch_size.setSpecialValueText("full batch")
        f.addRow("batch size", self.batch_size)
        self.momentum = NumberEdit("momentum", 0.0, 0.999999)
        f.addRow("momentum", self.momentum)
        self.threshold = NumberEdit("threshold", 0.0, float("inf"), empty="none")
        self.threshold.setToolTip("stop when the largest |dC/dw| falls below this (neuralnet's threshold); empty: never")
        f.addRow("threshold", self.threshold)
        self.l1 = NumberEdit("L1 rate", 0.0, float("inf"))
        self.l1.setToolTip("W += lr (input^T delta - l1 sign(W)); the bias row is not penalised")
        f.addRow("L1", self.l1)
        self.l2 = NumberEdit("L2 rate", 0.0, float("inf"))
        self.l2.setToolTip("W += lr (input^T delta - l2 W); the bias row is not penalised")
        f.addRow("L2", self.l2)
        self.lr_schedule = QLineEdit()
        self.lr_schedule.setPlaceholderText("constant")
        self.lr_schedule.setToolTip("the learning rate after t iterations:\nconstant: lr\n"
                                    "step:f:N: lr f^floor(t/N)   e.g. step:0.5:10000\n"
                                    "exp:g: lr g^t   e.g. exp:0.9999\ninv:k: lr / (1 + k t)   e.g. inv:0.001")
        f.addRow("lr schedule", self.lr_schedule)
        self.patience = NumberEdit("patience", 1, 2_000_000_000, empty="off")
        self.patience.setToolTip("early stopping: stop when the validation mse has not improved for this many\n"
                                 "iterations and restore the best weights (needs a validation fraction); empty: off")
        f.addRow("patience", self.patience)
        self.iterations = QSpinBox(minimum=0, maximum=2_000_000_000, singleStep=1000)
        self.iterations.setGroupSeparatorShown(True)
        f.addRow("max iterations", self.iterations)
        outer.addWidget(train_box)

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
            self._say_init(s.seed)
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

    def _say_init(self, seed: int) -> None:
        self.init_note.setText(f"start weights ~ U(-1, 1), seed {seed}")

    def set_csv(self, path: str, columns: list[str] | None, target: str | None = None) -> None:
        """Show a loaded CSV file as the data set, with its columns as target choices."""
        was = self._loading
        self._loading = True
        try:
            self.csv_path = path
            if self.data.findText(CSV_ITEM) < 0:
                self.data.addItem(CSV_ITEM)
            self.data.setCurrentText(CSV_ITEM)
            self.data.setItemData(self.data.findText(CSV_ITEM), path, Qt.ToolTipRole)
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
                                      "pick the original to go back to it", Qt.ToolTipRole)
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
                item = form.itemAt(row, QFormLayout.FieldRole)
                field = item.widget() if item is not None else None
                name = next((n for n in self._field_names() if field in self._widgets(n)), None)
                visible = name is None or name not in self.withheld
                form.setRowVisible(row, visible)
                shown += visible and field is not None and name is not None
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
