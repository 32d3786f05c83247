"""The transport bar: always in sight, the speed of Play, and Space/Right/Left window-wide."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QPoint, Qt

from nnviz.core.pace import DEFAULT_SPEED, Pace
from nnviz.gui.views.transport import MAX_NOTCH, SPEEDS, notch_of, speed_text


def _visible_in_window(w, widget) -> bool:
    """The widget is shown and lies wholly inside the window's visible area."""
    if not widget.isVisible():
        return False
    top_left = widget.mapTo(w, QPoint(0, 0))
    r = widget.rect().translated(top_left)
    return w.rect().contains(r)


@pytest.mark.parametrize("size", [(1366, 768), (1600, 1000), (1920, 1080), (800, 500)])
def test_play_and_the_readout_are_in_the_first_view(make_window, qtbot, size):
    w = make_window(iterations=100)
    w.show_at_size(*size)
    qtbot.waitUntil(lambda: w.width() == size[0], timeout=5_000)
    t = w.transport
    for b in (t.play_button, t.step_button, t.micro_button, t.back_button, t.reset_button, t.speed,
              t.iteration_label, t.error_label):
        assert _visible_in_window(w, b), (size, b)
        # nothing cut: every button is at least as wide as it asks to be
        assert b.width() >= b.minimumSizeHint().width(), (size, b)


def test_the_readout_names_the_snapshots_iteration_and_error(make_window, qtbot):
    w = make_window(iterations=100)
    w.step(3)
    qtbot.waitUntil(lambda: w.latest.iteration == 3 and w.latest.state == "paused", timeout=10_000)
    assert w.transport.iteration_label.text() == "3"
    assert w.transport.error_label.text() == f"{w.latest.mse:.5g}"


def test_the_speed_control_is_logarithmic_from_1_to_max():
    assert SPEEDS[0] == 1 and SPEEDS[-1] == 100_000
    ratios = [b / a for a, b in zip(SPEEDS, SPEEDS[1:], strict=False)]
    assert all(1.3 < r < 2.1 for r in ratios)  # 1-2-3-5: each notch a similar factor
    assert notch_of(None) == MAX_NOTCH and notch_of(DEFAULT_SPEED) == SPEEDS.index(2_000)
    assert speed_text(None) == "max" and speed_text(2_000.0) == "2,000 it/s" and speed_text(0.5) == "0.5 it/s"


def test_the_window_sends_the_speed_as_a_pace(make_window, qtbot):
    w = make_window(iterations=100, speed=DEFAULT_SPEED)
    assert w.controller.pace == Pace(DEFAULT_SPEED)
    w.transport.speed.setValue(notch_of(30.0))
    assert w.controller.pace == Pace(30.0) and w.transport.speed_label.text() == "30 it/s"
    qtbot.waitUntil(lambda: w.controller.worker.runner.pace == Pace(30.0), timeout=5_000)
    w.transport.speed.setValue(MAX_NOTCH)
    assert w.controller.pace is None and w.transport.speed_label.text() == "max"
    qtbot.waitUntil(lambda: w.controller.worker.runner.pace is None, timeout=5_000)


def test_at_a_slow_pace_every_iteration_is_painted(make_window, qtbot):
    w = make_window(iterations=12, speed=20.0)
    painted = []
    w.controller.render.connect(lambda snap: painted.append(snap.iteration))
    w.play()
    qtbot.waitUntil(lambda: w.latest.state == "finished", timeout=30_000)
    assert set(range(1, 13)) <= set(painted)


def test_space_plays_after_a_click_on_a_check_box(make_window, qtbot):
    """Issue 23: after a click on the x1^2 box, Space toggled the box back and rebuilt the network."""
    w = make_window(data="xor", features=("x1", "x2"), iterations=10_000_000)
    box = w.feature_toggles.boxes["x1^2"]
    qtbot.mouseClick(box, Qt.LeftButton)
    qtbot.waitUntil(lambda: w.context.settings.features == ("x1", "x2", "x1^2"), timeout=10_000)
    generation = w.context.generation
    box.setFocus(Qt.MouseFocusReason)  # where the click left the keyboard
    qtbot.keyClick(box, Qt.Key_Space)
    # w.latest is None between the new network's context and its first snapshot (a loaded machine)
    qtbot.waitUntil(lambda: w.latest is not None and w.latest.state == "running", timeout=10_000)
    assert box.isChecked() and w.context.generation == generation
    qtbot.keyClick(box, Qt.Key_Space)
    qtbot.waitUntil(lambda: w.latest.state == "paused", timeout=10_000)


def test_right_steps_and_left_steps_back_from_anywhere_but_a_text_field(make_window, qtbot):
    w = make_window(iterations=100)
    w.transport.reset_button.setFocus(Qt.MouseFocusReason)
    qtbot.keyClick(w.transport.reset_button, Qt.Key_Right)
    qtbot.waitUntil(lambda: w.latest.iteration == 1, timeout=10_000)
    w.network_view.setFocus()
    qtbot.keyClick(w.network_view, Qt.Key_Right)
    qtbot.waitUntil(lambda: w.latest.iteration == 2, timeout=10_000)
    qtbot.keyClick(w.network_view, Qt.Key_Left)
    qtbot.waitUntil(lambda: w.latest.iteration == 1 and w.latest.state == "paused", timeout=10_000)
    # in a text field the keys edit the text
    field = w.controls.hidden
    field.setFocus()
    field.setCursorPosition(0)
    qtbot.keyClick(field, Qt.Key_Right)
    qtbot.keyClick(field, Qt.Key_Space)
    assert field.text() == "6 ,6" and field.cursorPosition() == 2
    qtbot.wait(200)
    assert w.latest.iteration == 1 and w.latest.state == "paused"


def test_the_inspector_gets_room_while_it_is_shown(make_window, qtbot):
    w = make_window(iterations=100)
    w.show_at_size(1366, 768)
    qtbot.waitUntil(lambda: w.width() == 1366, timeout=5_000)
    right = w._splitters["right"]
    before = right.sizes()
    assert before[1] < 0.5 * sum(before)  # the diagram has most of its column
    w.commands.micro_step()  # a micro-step shows the inspector, with most of the column
    assert w.predictions.currentWidget() is w.inspector
    sizes = right.sizes()
    assert sizes[1] >= 0.55 * sum(sizes)
    w.predictions.setCurrentIndex(0)  # back to the predictions: the diagram gets its room back
    assert right.sizes() == before


def test_the_initialisation_is_said_by_the_seed_and_in_resets_tooltip(make_window, qtbot):
    """Issue 30: U(-1, 1) from the seed was stated nowhere."""
    w = make_window(iterations=100, seed=7)
    assert w.controls.init_note.text() == "start weights ~ U(-1, 1), seed 7"
    assert "U(-1, 1) with seed 7" in w.transport.reset_button.toolTip()
    w.controls.seed.setValue(3)
    w.controls.seed.editingFinished.emit()
    # the new network's first frame (w.latest is None between its context and that frame)
    qtbot.waitUntil(lambda: w.context.settings.seed == 3 and w.latest.iteration == 0, timeout=10_000)
    assert "seed 3" in w.controls.init_note.text() and "U(-1, 1) with seed 3" in w.transport.reset_button.toolTip()
    # ... and they are the weights a Reset brings back: U(-1, 1), the same for the same seed
    first = [W.copy() for W in w.latest.weights]
    assert all(np.all(np.abs(W) <= 1) for W in first)
    w.step(5)
    qtbot.waitUntil(lambda: w.latest.iteration == 5, timeout=10_000)
    w.commands.reset()
    qtbot.waitUntil(lambda: w.latest.iteration == 0, timeout=10_000)
    assert all(np.array_equal(a, b) for a, b in zip(first, w.latest.weights, strict=True))


def test_the_window_remembers_its_size_splitters_and_tab(make_window, qtbot):
    w = make_window(iterations=100)
    w.show_at_size(780, 700)  # within the offscreen screen (800 x 800): Qt fits a restored window to it
    qtbot.waitUntil(lambda: w.width() == 780, timeout=5_000)
    w.predictions.setCurrentWidget(w.runs_panel)
    main = w._splitters["main"]
    main.setSizes([210, 300, 250])
    sizes = main.sizes()
    w.close()
    again = make_window(iterations=100)
    assert again.predictions.currentWidget() is again.runs_panel
    assert again._splitters["main"].sizes() == sizes
    assert (again.width(), again.height()) == (780, 700)
