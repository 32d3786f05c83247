import os
import sys
import tempfile

import pytest

# Qt must not look for a display in tests; set before anything imports Qt.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# nnviz's log (nnviz.logs) goes to a folder of the test run, never to the user's own
os.environ["XDG_STATE_HOME"] = tempfile.mkdtemp(prefix="nnviz-tests-state-")


@pytest.fixture(autouse=True)
def _one_qapplication():
    """Every test that makes a Qt application makes a QApplication (pytest-qt's ``qapp``): a
    process has one application for good, and a QGuiApplication left by one test (nnviz's
    ``render.ensure_app`` makes one when none exists) makes every widget test after it error."""
    yield
    if "PySide6.QtGui" not in sys.modules:
        return  # this test (and all before it) ran without Qt
    from PySide6.QtGui import QGuiApplication
    from PySide6.QtWidgets import QApplication

    app = QGuiApplication.instance()
    assert app is None or isinstance(app, QApplication), (
        "this test made a QGuiApplication; take pytest-qt's qapp fixture before calling Qt")
