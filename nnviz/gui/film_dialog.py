"""The options of File > Export animation, those of ``nnviz animate``: file (GIF, or MP4 with
imageio-ffmpeg), frames, frames per second, frame size, the panel under the error curve,
theme, a title (default: the data set and the network), and the iterations filmed (the
run's first stored one to the present by default).

The last choices (not the iterations and the title, which belong to the run) are remembered
in the window's QSettings.  OK checks every value first (``FilmOptions.check``) and says what is
wrong in one line under the form; nothing starts until it is right.  When imageio-ffmpeg
is missing, choosing an .mp4 file says at once how to get it.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Slot
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
)

from . import film
from .dialog_parts import finish_form, stored

PANEL_TEXT = {"map": "the decision map", "predictions": "the predictions", "none": "nothing"}


class FilmDialog(QDialog):
    """Asks for a film's options; ``chosen`` holds them once accepted."""

    def __init__(self, parent, store, n_inputs: int, first: int, present: int, planned: int):
        super().__init__(parent)
        self.setWindowTitle("Export animation")
        self.store, self.n_inputs, self.first, self.present = store, n_inputs, first, present
        self.chosen: film.FilmOptions | None = None
        form = QFormLayout()
        self.path = QLineEdit(self._value("path", "training.gif", str))
        browse = QPushButton("Browse\u2026")
        browse.clicked.connect(self._browse)
        row = QHBoxLayout()
        row.addWidget(self.path, 1)
        row.addWidget(browse)
        form.addRow("File (.gif or .mp4)", row)
        self.frames = QSpinBox()
        self.frames.setRange(2, 10_000)
        self.frames.setValue(self._value("frames", 150, int))
        form.addRow("Frames (log-spaced)", self.frames)
        self.fps = QDoubleSpinBox()
        self.fps.setRange(0.5, 100.0)
        self.fps.setDecimals(1)
        self.fps.setValue(self._value("fps", 15.0, float))
        form.addRow("Frames per second", self.fps)
        self.size_edit = QLineEdit(self._value("size", "1280x720", str))
        self.size_edit.setToolTip("WIDTHxHEIGHT in pixels, 160x120 to 4000x4000 (an MP4 needs even numbers)")
        form.addRow("Size (WxH pixels)", self.size_edit)
        self.panel = QComboBox()
        for key in ("map", "predictions", "none"):
            if key != "map" or n_inputs == 2:
                self.panel.addItem(PANEL_TEXT[key], key)
        want = self._value("panel", "auto", str)
        want = film.panel_for(want, n_inputs) if want in film.PANELS and (want != "map" or n_inputs == 2) else \
            film.panel_for("auto", n_inputs)
        self.panel.setCurrentIndex(max(self.panel.findData(want), 0))
        form.addRow("Under the error curve", self.panel)
        self.theme = QComboBox()
        self.theme.addItems(["light", "print", "dark"])
        self.theme.setCurrentText(self._value("theme", "light", str))
        form.addRow("Theme", self.theme)
        self.title = QLineEdit()
        self.title.setPlaceholderText("the data set and the network")
        self.title.setToolTip("above the diagram; left empty, the data set and the network (\"iris, 4-6-6-3\")")
        form.addRow("Title", self.title)
        top = max(present, planned, first + 1)
        self.start = QSpinBox()
        self.start.setRange(first, top)
        self.start.setValue(first)
        self.start.setGroupSeparatorShown(True)
        self.end = QSpinBox()
        self.end.setRange(first, top)
        self.end.setValue(max(present, first))
        self.end.setGroupSeparatorShown(True)
        self.end.setToolTip("up to the present by default; beyond it the film trains on with today's settings")
        its = QHBoxLayout()
        its.addWidget(self.start)
        its.addWidget(QLabel("to"))
        its.addWidget(self.end)
        form.addRow("Iterations", its)
        self.hint, self.buttons = finish_form(self, form, "Make the film")  # the hint: what is wrong, one line
        self.path.textChanged.connect(self._check_format)
        self._check_format()

    def _value(self, key: str, default, kind):
        return stored(self.store, f"film/{key}", default, kind)

    @Slot()
    def _browse(self) -> None:
        path, chosen = QFileDialog.getSaveFileName(self, "Export animation", self.path.text(),
                                                   "GIF (*.gif);;MP4 video, with imageio-ffmpeg (*.mp4)")
        if path:
            if not Path(path).suffix:
                path += ".mp4" if "mp4" in chosen else ".gif"
            self.path.setText(path)

    @Slot()
    def _check_format(self) -> None:
        """An .mp4 without imageio-ffmpeg is said at once (and OK waits for a .gif)."""
        mp4 = self.path.text().strip().lower().endswith(".mp4")
        missing = mp4 and not film.mp4_available()
        self.hint.setText(film.MP4_HINT if missing else "")
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(not missing)

    def options(self) -> film.FilmOptions:
        """The options as entered, checked (one-line ValueError)."""
        path = self.path.text().strip()
        if not path:
            raise ValueError("name the file to write (.gif or .mp4)")
        size = film.parse_size(self.size_edit.text().strip())
        start, end = self.start.value(), self.end.value()
        opts = film.FilmOptions(path, self.frames.value(), self.fps.value(), size, self.panel.currentData(),
                                None if start == self.first else start,
                                None if end == self.present and start == self.first else end,
                                self.theme.currentText(), self.title.text().strip() or None)
        opts.check(self.n_inputs, self.first, self.present)
        return opts

    def _panel_to_keep(self, panel: str) -> str:
        """The data's own default is kept as "auto", so the next two-input set gets its map."""
        return "auto" if panel == film.panel_for("auto", self.n_inputs) else panel

    def accept(self) -> None:
        try:
            opts = self.options()
        except ValueError as exc:
            self.hint.setText(str(exc).replace("--size", "the size"))
            return
        self.chosen = opts
        for key, value in (("path", opts.path), ("frames", opts.frames), ("fps", opts.fps),
                           ("size", f"{opts.size[0]}x{opts.size[1]}"), ("panel", self._panel_to_keep(opts.panel)),
                           ("theme", opts.theme)):
            self.store.setValue(f"film/{key}", value)
        super().accept()
