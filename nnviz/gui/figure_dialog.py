"""The options of File > Export diagram, error plot and decision map, those of ``nnviz plot``:
the file (its format from the extension: SVG or PDF vectors, a PNG; the error plot also its
history as CSV), the PNG's resolution (300 dpi by default), theme, an optional title and, for
the diagram, the weight labels.

The last choices (not the title) are remembered per figure in the window's QSettings.  OK
checks the values first (``FigureOptions.check``) and says what is wrong in one line under
the form; nothing is written until it is right.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Slot
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
)

from .dialog_parts import finish_form, stored
from .figures import FigureOptions

TITLES = {"diagram": "Export diagram", "errors": "Export error plot", "map": "Export decision map"}
DEFAULT_NAMES = {"diagram": "network.svg", "errors": "mse.png", "map": "map.svg"}
FORMAT_TEXT = {".svg": "SVG, vectors", ".pdf": "PDF, vectors", ".png": "PNG image", ".csv": "CSV of the error history"}
FILTERS = {"diagram": "SVG (*.svg);;PDF (*.pdf);;PNG image (*.png)",
           "map": "SVG (*.svg);;PDF (*.pdf);;PNG image (*.png)",
           "errors": "PNG image (*.png);;SVG (*.svg);;PDF (*.pdf);;CSV of the history (*.csv)"}


class FigureDialog(QDialog):
    """Asks for a figure's options; ``chosen`` holds them once accepted."""

    def __init__(self, parent, store, what: str, labels: bool = False):
        super().__init__(parent)
        self.setWindowTitle(TITLES[what])
        self.store, self.what = store, what
        self.chosen: FigureOptions | None = None
        form = QFormLayout()
        self.path = QLineEdit(self._value("path", DEFAULT_NAMES[what], str))
        browse = QPushButton("Browse\u2026")
        browse.clicked.connect(self._browse)
        row = QHBoxLayout()
        row.addWidget(self.path, 1)
        row.addWidget(browse)
        form.addRow("File", row)
        self.format = QLabel()
        form.addRow("Format", self.format)
        self.dpi = QDoubleSpinBox()
        self.dpi.setRange(10.0, 2400.0)
        self.dpi.setDecimals(0)
        self.dpi.setSuffix(" dpi")
        self.dpi.setValue(self._value("dpi", 300.0, float))
        self.dpi.setToolTip("PNG only: dpi / 96 pixels per CSS pixel of the figure")
        form.addRow("Resolution", self.dpi)
        self.theme = QComboBox()
        self.theme.addItems(["light", "print", "dark"])
        self.theme.setItemData(1, "grey-scale safe: dashed lines are negative weights")
        self.theme.setCurrentText(self._value("theme", "light", str))
        form.addRow("Theme", self.theme)
        self.title = QLineEdit()
        self.title.setPlaceholderText("none")
        form.addRow("Title", self.title)
        self.labels = QCheckBox("print each weight on its edge", self)
        self.labels.setChecked(labels)
        if what == "diagram":
            form.addRow("Weight labels", self.labels)
        else:
            self.labels.hide()
        self.hint, self.buttons = finish_form(self, form, "Export")  # the hint: what is wrong, one line
        self.path.textChanged.connect(self._show_format)
        self._show_format()

    def _value(self, key: str, default, kind):
        return stored(self.store, f"figure/{self.what}/{key}", default, kind)

    @Slot()
    def _browse(self) -> None:
        path, chosen = QFileDialog.getSaveFileName(self, TITLES[self.what], self.path.text(), FILTERS[self.what])
        if path:
            if not Path(path).suffix and "*." in chosen:
                path += chosen[chosen.rfind("*.") + 1:].rstrip(")")
            self.path.setText(path)

    @Slot()
    def _show_format(self) -> None:
        """The format the file's name asks for; the resolution only matters for a PNG."""
        ext = Path(self.path.text().strip()).suffix.lower()
        self.format.setText(FORMAT_TEXT.get(ext, "unknown: name a .svg, .pdf or .png file"))
        self.dpi.setEnabled(ext == ".png")
        figure = ext != ".csv"
        for w in (self.theme, self.title, self.labels):
            w.setEnabled(figure)

    def options(self) -> FigureOptions:
        """The options as entered, checked (one-line ValueError)."""
        path = self.path.text().strip()
        if not path:
            raise ValueError("name the file to write")
        opts = FigureOptions(path, self.dpi.value(), self.theme.currentText(), self.title.text().strip() or None,
                             self.labels.isChecked() if self.what == "diagram" else None)
        opts.check(self.what)
        return opts

    def accept(self) -> None:
        try:
            opts = self.options()
        except ValueError as exc:
            self.hint.setText(str(exc))
            return
        self.chosen = opts
        for key, value in (("path", opts.path), ("dpi", opts.dpi), ("theme", opts.theme)):
            self.store.setValue(f"figure/{self.what}/{key}", value)
        super().accept()
