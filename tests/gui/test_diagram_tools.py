"""The diagram's feature toggles and +/- buttons (gui/views/feature_toggles.py, layer_buttons.py)."""

from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtWidgets import QMessageBox


def _input_names(w):
    nv = w.network_view
    return tuple(nv.name(0, i) for i in range(w.context.arch.sizes[0]))


def _node_x(w, layer):
    """The pixel x of a layer's node column, in the window's coordinates (from the scatter's points)."""
    nv = w.network_view
    spot = next(p for p, lay in zip(nv._nodes.points(), nv.node_layer, strict=True) if lay == layer)
    p = nv.mapFromScene(nv.getViewBox().mapViewToScene(spot.pos()))
    return nv.mapTo(w, QPoint(p.x(), p.y())).x()


def test_toggling_a_feature_changes_the_settings_and_the_input_nodes(make_window, qtbot):
    w = make_window(data="circles", hidden=(3,), iterations=100)
    t = w.feature_toggles
    assert t.isVisible() and [b.isChecked() for b in t.boxes.values()] == [True, True] + [False] * 5
    assert _input_names(w) == ("x1", "x2")
    qtbot.mouseClick(t.boxes["x1^2"], Qt.LeftButton)
    qtbot.waitUntil(lambda: w.context.settings.features == ("x1", "x2", "x1^2"), timeout=10_000)
    assert w.context.arch.sizes == (3, 3, 2) and _input_names(w) == ("x1", "x2", "x1^2")
    assert w.controls.settings().features == ("x1", "x2", "x1^2")
    for f in ("x1", "x2"):
        qtbot.mouseClick(t.boxes[f], Qt.LeftButton)
    qtbot.mouseClick(t.boxes["sin(x2)"], Qt.LeftButton)
    qtbot.waitUntil(lambda: w.context.settings.features == ("x1^2", "sin(x2)"), timeout=10_000)
    assert _input_names(w) == ("x1^2", "sin(x2)") and w.context.settings.seed == 1
    # the decision map's grid goes through the same features as the training rows
    assert w.context.map_grid.points.shape[1] == 2
    # the new network's first snapshot may still be on its way (a loaded machine)
    qtbot.waitUntil(lambda: w.latest is not None and w.latest.generation == w.context.generation, timeout=30_000)
    assert w.latest.iteration == 0


def test_the_last_feature_cannot_be_cleared(make_window, qtbot):
    w = make_window(data="xor", features=("x1*x2",), hidden=(), iterations=100)
    box = w.feature_toggles.boxes["x1*x2"]
    assert box.isChecked() and _input_names(w) == ("x1*x2",)
    qtbot.mouseClick(box, Qt.LeftButton)
    assert box.isChecked() and "at least one input feature" in w.last_error
    assert w.context.settings.features == ("x1*x2",)
    other = w.feature_toggles.boxes["sin(x1)"]
    other.setFocus(Qt.TabFocusReason)  # keyboard: the space bar ticks a box reached with Tab
    qtbot.keyClick(other, Qt.Key_Space)
    qtbot.waitUntil(lambda: w.context.settings.features == ("x1*x2", "sin(x1)"), timeout=10_000)
    qtbot.waitUntil(lambda: w.latest is not None and w.latest.generation == w.context.generation, timeout=30_000)
    assert w.latest.state != "running"


def test_toggles_only_for_two_input_data_and_cleared_for_other_data(make_window, qtbot):
    w = make_window(iterations=100)  # iris: four inputs
    assert not w.feature_toggles.isVisible() and w.layer_buttons.isVisible()
    w.controls.data.setCurrentText("spiral")
    qtbot.waitUntil(lambda: w.context.settings.data == "spiral", timeout=10_000)
    assert w.feature_toggles.isVisible()
    qtbot.mouseClick(w.feature_toggles.boxes["sin(x1)"], Qt.LeftButton)
    qtbot.waitUntil(lambda: w.context.settings.features == ("x1", "x2", "sin(x1)"), timeout=10_000)
    w.controls.data.setCurrentText("circles")  # another 2-D set keeps the features
    qtbot.waitUntil(lambda: w.context.settings.data == "circles", timeout=10_000)
    assert w.context.settings.features == ("x1", "x2", "sin(x1)")
    w.controls.data.setCurrentText("iris")  # four inputs: the raw inputs again, no error
    qtbot.waitUntil(lambda: w.context.settings.data == "iris", timeout=10_000)
    assert w.context.settings.features == () and not w.feature_toggles.isVisible() and not w.last_error


def test_plus_minus_buttons_change_the_hidden_layers(make_window, qtbot):
    w = make_window(data="circles", hidden=(6, 6), seed=7, iterations=100)
    b = w.layer_buttons
    assert len(b.pairs) == 2 and b.layer_label.text() == "2 hidden layers"
    for button in (b.layer_minus, b.layer_plus, *[x for pair in b.pairs for x in pair[:2]]):
        assert button.toolTip() and button.focusPolicy() & Qt.TabFocus and button.accessibleName()
    minus, plus, count = b.pairs[0]
    qtbot.mouseClick(plus, Qt.LeftButton)
    qtbot.waitUntil(lambda: w.context.arch.hidden == (7, 6), timeout=10_000)
    assert w.controls.hidden.text() == "7,6" and w.context.settings.seed == 7 and b.pairs[0][2].text() == "7"
    qtbot.mouseClick(b.pairs[1][0], Qt.LeftButton)
    qtbot.waitUntil(lambda: w.context.arch.hidden == (7, 5), timeout=10_000)
    qtbot.mouseClick(b.layer_minus, Qt.LeftButton)
    qtbot.waitUntil(lambda: w.context.arch.hidden == (7,), timeout=10_000)
    qtbot.mouseClick(b.layer_plus, Qt.LeftButton)
    qtbot.waitUntil(lambda: w.context.arch.hidden == (7, 7), timeout=10_000)
    b.pairs[0][1].setFocus(Qt.TabFocusReason)  # keyboard: a button reached with Tab answers Space
    qtbot.keyClick(b.pairs[0][1], Qt.Key_Space)
    qtbot.waitUntil(lambda: w.context.arch.hidden == (8, 7), timeout=10_000)
    for _ in range(2):
        qtbot.mouseClick(b.layer_minus, Qt.LeftButton)
        qtbot.wait(50)
    qtbot.waitUntil(lambda: w.context.arch.hidden == (), timeout=10_000)
    assert not b.layer_minus.isEnabled() and b.pairs == [] and b.layer_label.text() == "0 hidden layers"


def test_per_layer_activations_follow_added_and_removed_layers(make_window, qtbot):
    w = make_window(data="xor", hidden=(3, 2), activation=("tanh", "relu"), iterations=100)
    qtbot.mouseClick(w.layer_buttons.layer_plus, Qt.LeftButton)
    qtbot.waitUntil(lambda: w.context.arch.hidden == (3, 2, 2), timeout=10_000)
    assert w.context.settings.activation == ("tanh", "relu", "relu")
    qtbot.mouseClick(w.layer_buttons.layer_minus, Qt.LeftButton)
    qtbot.mouseClick(w.layer_buttons.layer_minus, Qt.LeftButton)
    qtbot.waitUntil(lambda: w.context.arch.hidden == (3,), timeout=10_000)
    assert w.context.settings.activation == ("tanh",)


def test_buttons_ask_before_discarding_trained_weights(make_window, qtbot):
    w = make_window(data="circles", hidden=(4,), iterations=1000)
    w.sessions.confirm_discard = True
    w.step(20)
    qtbot.waitUntil(lambda: w.latest.iteration == 20, timeout=10_000)
    qtbot.mouseClick(w.layer_buttons.pairs[0][1], Qt.LeftButton)
    box = w.notices.question
    assert isinstance(box, QMessageBox) and box.isVisible() and "iteration 20" in box.text()
    box.button(QMessageBox.Cancel).click()
    qtbot.wait(100)
    assert w.context.arch.hidden == (4,) and w.latest.iteration == 20 and w.controls.hidden.text() == "4"
    qtbot.mouseClick(w.feature_toggles.boxes["x1*x2"], Qt.LeftButton)
    assert w.notices.question.isVisible()
    w.notices.question.button(QMessageBox.Cancel).click()
    qtbot.wait(100)
    assert not w.feature_toggles.boxes["x1*x2"].isChecked()  # the toggles show the kept network
    assert w.context.settings.features == () and w.latest.iteration == 20
    qtbot.mouseClick(w.layer_buttons.pairs[0][1], Qt.LeftButton)
    w.notices.question.button(QMessageBox.Discard).click()
    qtbot.waitUntil(lambda: w.context.arch.hidden == (5,), timeout=10_000)
    # the new network's first snapshot may still be on its way (a loaded machine)
    qtbot.waitUntil(lambda: w.latest is not None and w.latest.generation == w.context.generation, timeout=30_000)
    assert w.latest.iteration == 0 and w.context.settings.seed == 1


def test_layer_buttons_stay_over_their_layers(make_window, qtbot):
    w = make_window(data="spiral", hidden=(6, 4, 3), iterations=100)
    b = w.layer_buttons

    def aligned():
        for li, (minus, plus, _) in enumerate(b.pairs, start=1):
            centre = (minus.mapTo(w, QPoint(0, 0)).x() + plus.mapTo(w, QPoint(plus.width(), 0)).x()) / 2
            if abs(centre - _node_x(w, li)) > 3:
                return False
        return True

    w.resize(1400, 900)  # room for a pair above every layer (a narrow diagram pushes them apart)
    qtbot.waitUntil(aligned, timeout=5_000)
    w.resize(w.width() + 300, w.height())
    qtbot.waitUntil(aligned, timeout=5_000)
    w.network_view.getViewBox().scaleBy((1.4, 1.0), center=QPointF(0, 0))
    qtbot.waitUntil(aligned, timeout=5_000)


def test_gui_refuses_features_on_other_data_before_the_window_opens(capsys):
    from nnviz import cli

    assert cli.main(["gui", "--data", "iris", "--features", "x1^2"]) == 2
    assert "need data with exactly 2 inputs; iris has 4" in capsys.readouterr().err
