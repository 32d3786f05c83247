"""The control panel's three boxes, Data, Network and Training: each builds its form and holds its fields.

A narrow panel puts a field under its label (``WrapLongRows``).  The fields are named as the
``Settings`` fields they show (``data``, ``hidden``, ``lr``…), so that a lesson can lock or hide
a field by its settings name; the panel reads them all as its own.
"""

from __future__ import annotations

from PySide6.QtWidgets import (QCheckBox, QComboBox, QFormLayout, QGroupBox, QHBoxLayout, QLabel, QLineEdit,
                               QPushButton, QSpinBox)

from ...core.activations import HIDDEN_ACTIVATIONS, OUTPUT_ACTIVATIONS
from ...core.data import BUILTINS
from ...core.losses import LOSSES
from ...core.training import ALGORITHMS
from .control_fields import DataCombo, NumberEdit, RateEdit


def _form(title: str) -> tuple[QGroupBox, QFormLayout]:
    box = QGroupBox(title)
    f = QFormLayout(box)
    f.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)  # a narrow panel puts the field under its label
    return box, f


class DataForm:
    """The Data box (``box``): the data set and its CSV button, the target, noise, splits, scaling."""

    def __init__(self):
        self.box, f = _form("Data")
        self.data = DataCombo("\n".join(f"{k}: {v}" for k, v in BUILTINS.items()))
        self.data.addItems(list(BUILTINS))
        self.open_button = QPushButton("Open CSV\u2026")
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


class NetworkForm:
    """The Network box (``box``): hidden layers, activations, loss, and the seed with a note on the
    start weights under it (``init_note``)."""

    def __init__(self):
        self.box, f = _form("Network")
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
        self.seed.valueChanged.connect(self.say_init)

    def say_init(self, seed: int) -> None:
        self.init_note.setText(f"start weights ~ U(-1, 1), seed {seed}")


class TrainingForm:
    """The Training box (``box``): algorithm, learning rate, batches, momentum, stopping, penalties,
    the rate's schedule and early stopping's patience."""

    def __init__(self):
        self.box, f = _form("Training")
        self.algorithm = QComboBox()
        self.algorithm.addItems(list(ALGORITHMS))
        f.addRow("algorithm", self.algorithm)
        self.lr = RateEdit()
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
