"""The learning-rate field keeps "auto" (shown with its number) or a number exactly."""

from nnviz.core.experiment import Settings


def _panel(qtbot, **kw):
    from nnviz.gui.views.controls import ControlPanel

    panel = ControlPanel(Settings(**kw))
    qtbot.addWidget(panel)
    emitted = []
    panel.settingsChanged.connect(emitted.append)
    return panel, emitted


def _type(panel, text):
    panel.lr.setText(text)
    panel.lr.editingFinished.emit()


def test_auto_shows_its_number_and_a_typed_rate_is_kept(qtbot):
    panel, emitted = _panel(qtbot, data="digits")
    assert panel.lr.text() == "" and panel.lr.placeholderText() == "auto" and panel.settings().lr == "auto"
    panel.show_auto_lr(1797)  # the window passes its context's training rows
    assert panel.lr.placeholderText() == "auto (0.00167)"
    _type(panel, "0.02")
    assert emitted[-1].lr == 0.02 and panel.lr.text() == "0.02"
    _type(panel, " Auto ")
    assert emitted[-1].lr == "auto" and panel.lr.text() == "" and panel.lr.placeholderText() == "auto (0.00167)"
    _type(panel, "1e-05")
    assert emitted[-1].lr == 1e-05
    _type(panel, "")  # an empty field is auto too
    assert emitted[-1].lr == "auto" and panel.problem.text() == ""
    _type(panel, "fast")
    assert panel.problem.text() == "the learning rate must be a number or auto (got 'fast')"
    assert emitted[-1].lr == "auto"  # refused, not applied


def test_the_shown_number_follows_the_batch_size_and_loss(qtbot):
    panel, _ = _panel(qtbot, data="digits")
    panel.show_auto_lr(1797)
    panel.batch_size.setValue(500)
    panel.batch_size.editingFinished.emit()
    assert panel.lr.placeholderText() == "auto (0.006)"  # 3 / 500 rows an update
    panel.set_settings(Settings(data="digits", output_activation="softmax", loss="ce"))
    assert panel.lr.placeholderText() == "auto (0.000417)"  # 3/4 / 1,797
    panel.set_settings(Settings(data="digits", lr=0.5))
    assert panel.lr.text() == "0.5" and panel.settings().lr == 0.5
