"""Help > User guide and About, and the standard key sequences of the menus."""

from PySide6.QtGui import QKeySequence

from nnviz import __version__


def _action(w, text):
    for a in w.findChildren(type(w.edits.undo_action)):
        if a.text().replace("&", "").rstrip("\u2026") == text:
            return a
    raise AssertionError(f"no action {text!r}")


def test_standard_key_sequences(make_window):
    w = make_window(data="toy", iterations=10)
    want = {"Open CSV": QKeySequence.Open, "Save session": QKeySequence.Save, "Save session as": QKeySequence.SaveAs,
            "Undo data edit": QKeySequence.Undo, "Redo data edit": QKeySequence.Redo}
    for text, key in want.items():
        shortcuts = [s.toString() for s in _action(w, text).shortcuts()]
        assert shortcuts == [s.toString() for s in QKeySequence.keyBindings(key)] and shortcuts, text
    assert "Ctrl+Y" in [s.toString() for s in w.edits.redo_action.shortcuts()]  # the platform's second binding
    quits = [s.toString() for s in _action(w, "Quit").shortcuts()]
    assert quits == ([s.toString() for s in QKeySequence.keyBindings(QKeySequence.Quit)] or ["Ctrl+Q"])
    every = [s.toString() for a in w.actions() for s in a.shortcuts() if s.toString()]
    assert len(every) == len(set(every))  # no key does two things


def test_help_menu_readme_and_about(make_window, qtbot):
    w = make_window(data="toy", iterations=10)
    titles = [a.text().replace("&", "") for a in w.menuBar().actions()]
    assert titles[-1] == "Help" and titles.count("Help") == 1  # the last menu, one of them
    help_items = [a.text().replace("&", "") for a in w.help.menu.actions() if a.text()]
    assert help_items[-2:] == ["User guide (README)\u2026", "About nnviz"]
    box = w.help.show_about()
    qtbot.waitUntil(box.isVisible)
    text = box.text()
    assert f"nnviz {__version__}" in text and "MIT License" in text and "NumPy" in text
    assert "https://cran.r-project.org/package=neuralnet" in text
    box.accept()
    dialog = w.help.show_readme()
    qtbot.waitUntil(dialog.isVisible)
    doc = dialog.browser.toPlainText()
    assert "Install" in doc and "Python API" in doc  # the README, rendered
    dialog.close()
