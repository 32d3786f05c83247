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
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QMenu, QMessageBox, QTextBrowser, QVBoxLayout, QWidget

from .. import __version__
from .menus import add_action

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

    def __init__(self, parent: QWidget | None = None) -> None:
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
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.browser)
        layout.addWidget(buttons)


class HelpMenu:
    """Help > User guide (README) and About nnviz, after the tour in the same menu."""

    def __init__(self, window: QWidget, menu: QMenu) -> None:
        self.window = window  # the dialogs' parent
        self.menu = menu  # the menu bar's Help menu
        self.readme_dialog: ReadmeDialog | None = None
        self.about_box: QMessageBox | None = None
        menu.addSeparator()
        self.readme_action = add_action(window, menu, "&User guide (README)\u2026", "", self.show_readme)
        self.about_action = add_action(window, menu, "&About nnviz", "", self.show_about)
        self.about_action.setMenuRole(QAction.MenuRole.AboutRole)

    def show_readme(self) -> ReadmeDialog:
        dialog = ReadmeDialog(self.window)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.show()
        self.readme_dialog = dialog
        return dialog

    def show_about(self) -> QMessageBox:
        box = QMessageBox(QMessageBox.Icon.Information, "About nnviz", about_html(), QMessageBox.StandardButton.Ok,
                          self.window)
        box.setTextFormat(Qt.TextFormat.RichText)
        box.setTextInteractionFlags(Qt.TextInteractionFlag.TextBrowserInteraction)
        box.setWindowModality(Qt.WindowModality.WindowModal)
        box.open()
        self.about_box = box
        return box
