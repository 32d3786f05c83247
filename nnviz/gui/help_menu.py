"""The Help menu: the user guide (the README, rendered from its Markdown) and About nnviz
(version, licence, the versions of Python, Qt, NumPy and numba, links).

The README is read from the source tree when nnviz runs from one (its pictures then show), else
from the installed package's metadata (the same text, as a package index shows it: the pictures
are relative paths into assets/, which a wheel does not ship, so their descriptions stand in).
"""

from __future__ import annotations

import platform
from pathlib import Path

from PySide6.QtCore import Qt, QUrl
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QMessageBox, QTextBrowser, QVBoxLayout

from .. import __version__

LINKS = (  # what the nnviz of this version points to (no public home yet: see the README's Install)
    ("R neuralnet, whose layout and rprop nnviz follows", "https://cran.r-project.org/package=neuralnet"),
    ("TensorFlow Playground, whose features and maps nnviz borrows", "https://playground.tensorflow.org"),
)


def readme() -> tuple[str, Path | None]:
    """The README's Markdown and the folder its pictures are relative to (None: from the metadata)."""
    source = Path(__file__).resolve().parents[2] / "README.md"
    if source.is_file():
        return source.read_text(encoding="utf-8"), source.parent
    try:
        from importlib import metadata

        meta = metadata.metadata("nnviz")
        text = meta.get_payload() or meta.get("Description") or ""  # type: ignore[attr-defined]
    except Exception:  # noqa: BLE001 - no metadata (a bare checkout): say so below
        text = ""
    return text or "The README is not installed with this copy of nnviz.", None


def _versions() -> str:
    import numpy
    from PySide6 import __version__ as pyside

    try:
        import numba

        jit = f"numba {numba.__version__}"
    except ImportError:
        jit = "numba not installed (the NumPy engine trains)"
    return f"Python {platform.python_version()}, Qt (PySide6) {pyside}, NumPy {numpy.__version__}, {jit}"


def about_html() -> str:
    links = "".join(f'<li><a href="{url}">{text}</a></li>' for text, url in LINKS)
    return (f"<h3>nnviz {__version__}</h3>"
            "<p>Watch a neural network built from scratch in NumPy learn: the maths of the post "
            "\u201cDeep Neural Network from Scratch in R\u201d, with R neuralnet's weight layout.</p>"
            "<p>MIT License. The bundled data sets keep their own licences (see the README's <i>Data</i>).</p>"
            f"<p>{_versions()}</p>"
            f"<p>Help \u2192 User guide shows the README.</p><ul>{links}</ul>")


class ReadmeDialog(QDialog):
    """The README rendered from its Markdown (links open in the browser)."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setWindowTitle("nnviz user guide (README)")
        self.resize(900, 700)
        text, folder = readme()
        self.browser = QTextBrowser()
        self.browser.setOpenExternalLinks(True)
        if folder is not None:
            self.browser.setSearchPaths([str(folder)])
            self.browser.document().setBaseUrl(QUrl.fromLocalFile(str(folder) + "/"))
        self.browser.setMarkdown(text)
        buttons = QDialogButtonBox(QDialogButtonBox.Close)
        buttons.rejected.connect(self.close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.browser)
        layout.addWidget(buttons)


class HelpMenu:
    """A mixin of the main window: Help > User guide (README) and About nnviz."""

    def help_menu(self):
        """The menu bar's Help menu (made when there is none yet)."""
        for action in self.menuBar().actions():
            if action.menu() is not None and action.text().replace("&", "") == "Help":
                return action.menu()
        return self.menuBar().addMenu("&Help")

    def _make_help_menu(self) -> None:
        menu = self.help_menu()
        menu.addSeparator()
        self.readme_action = self._action(menu, "&User guide (README)\u2026", "", self.show_readme)
        self.about_action = self._action(menu, "&About nnviz", "", self.show_about)
        self.about_action.setMenuRole(self.about_action.MenuRole.AboutRole)

    def show_readme(self) -> ReadmeDialog:
        dialog = ReadmeDialog(self)
        dialog.setAttribute(Qt.WA_DeleteOnClose)
        dialog.show()
        self.readme_dialog = dialog
        return dialog

    def show_about(self) -> QMessageBox:
        box = QMessageBox(QMessageBox.Information, "About nnviz", about_html(), QMessageBox.Ok, self)
        box.setTextFormat(Qt.RichText)
        box.setTextInteractionFlags(Qt.TextBrowserInteraction)
        box.setWindowModality(Qt.WindowModal)
        box.open()
        self.about_box = box
        return box
