"""One snapshot, one frame: every view names the same iteration, and nothing is lost or hidden."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtWidgets import QMessageBox, QScrollArea

from nnviz.core.experiment import Settings


def views(w):
    return [w.network_view, w.loss_plot, w.predictions, w.inspector]


def test_every_frame_while_training_names_one_iteration(make_window, qtbot):
    # far more iterations than the test can run: with the fast kernel 40,000 finished before
    # Pause arrived on CI, and a finished run cannot be paused
    w = make_window(iterations=10_000_000)
    frames = []

    def check(snap):
        its = [v.shown_iteration for v in views(w)]
        frames.append((snap.iteration, its, w.predictions.summary.full_text, w.status.full_text,
                       w.loss_plot.slider.value(), w.loss_plot.slider.maximum(), snap.state))

    w.controller.render.connect(check)
    w.play()
    qtbot.waitUntil(lambda: len(frames) >= 12, timeout=20_000)
    w.pause()
    qtbot.waitUntil(lambda: w.latest.state == "paused", timeout=10_000)
    live = [f for f in frames if f[6] == "running"]
    assert len(live) >= 3
    for it, its, header, status, slider, smax, _ in frames:
        assert its == [it] * 4
        assert f"iteration {it:,}" in header and f"iteration {it:,}" in status
        assert slider == it == smax  # the slider follows training
    assert w.max_lag == 0


def test_a_preview_moves_every_view_the_inspector_too(make_window, qtbot):
    w = make_window(iterations=1000)
    w.step(100)
    qtbot.waitUntil(lambda: w.latest.iteration == 100 and w.latest.state == "paused", timeout=10_000)
    w.controller.preview(63)
    qtbot.waitUntil(lambda: w.latest.preview and w.latest.iteration == 63, timeout=10_000)
    assert [v.shown_iteration for v in views(w)] == [63] * 4
    assert "iteration 63" in w.inspector.stage_label.text()
    assert w.inspector.trace.iteration == 63
    assert w.loss_plot.slider.value() == 63 and w.loss_plot.slider.maximum() == 100
    assert "iteration 63" in w.predictions.summary.full_text
    assert "iteration 63" in w.loss_plot.value_label.text()


def test_step_back_to_zero_says_iteration_0_in_the_inspector(make_window, qtbot):
    w = make_window()
    w.step(1)
    qtbot.waitUntil(lambda: w.latest.iteration == 1, timeout=10_000)
    w.commands.step_back()
    qtbot.waitUntil(lambda: w.latest.iteration == 0, timeout=10_000)
    assert "iteration 0" in w.inspector.stage_label.text()
    assert "iteration 1" not in w.inspector.stage_label.text()


def test_after_one_step_the_curve_has_its_last_point(make_window, qtbot):
    w = make_window()
    w.step(1)
    qtbot.waitUntil(lambda: w.latest.iteration == 1, timeout=10_000)
    c = w.loss_plot.train_curve
    x, y = c.xData, c.yData
    assert list(x) == [0, 1]
    assert y[1] == w.latest.mse and y[0] == w.latest.trace.mse


def test_error_plot_is_log_scaled_with_plain_numbers(make_window):
    w = make_window()
    lp = w.loss_plot
    assert lp.log_box.isChecked() and lp.plot.getPlotItem().ctrl.logYCheck.isChecked()
    axis = lp.plot.getAxis("left")
    assert axis.logTickStrings([-3, -2, 0], 1, 1) == ["0.001", "0.01", "1"]
    assert axis.logTickStrings(np.log10([0.02, 0.03, 0.05, 0.07]), 1, 1) == ["0.02", "", "0.05", ""]
    assert not axis.autoSIPrefix
    lp.log_box.setChecked(False)
    assert not lp.plot.getPlotItem().ctrl.logYCheck.isChecked()


def test_two_quick_presses_are_play_then_pause(make_window, qtbot):
    """The second press comes before any snapshot of the first: it must pause, not play again."""
    w = make_window(iterations=10_000_000)
    sent = []
    w.controller._play.connect(lambda: sent.append("play"))
    w.controller._pause.connect(lambda: sent.append("pause"))
    w.commands.toggle_play()
    w.commands.toggle_play()
    assert sent == ["play", "pause"]
    qtbot.waitUntil(lambda: w.latest.state == "paused", timeout=10_000)
    qtbot.wait(200)
    assert w.latest.state == "paused" and not w.controller.running


def test_changing_the_architecture_asks_before_discarding(make_window, qtbot):
    w = make_window(iterations=1000)
    w.sessions.confirm_discard = True
    w.step(20)
    qtbot.waitUntil(lambda: w.latest.iteration == 20, timeout=10_000)
    w.controls.hidden.setText("3")
    w.controls.hidden.editingFinished.emit()
    box = w.notices.question
    assert isinstance(box, QMessageBox) and box.isVisible() and "iteration 20" in box.text()
    box.button(QMessageBox.Cancel).click()
    qtbot.wait(100)
    assert w.context.arch.describe() == "4-6-6-3" and w.latest.iteration == 20
    assert w.controls.hidden.text() == "6,6"  # the controls show the network that is kept
    w.controls.hidden.setText("3")
    w.controls.hidden.editingFinished.emit()
    w.notices.question.button(QMessageBox.Discard).click()
    qtbot.waitUntil(lambda: w.context.arch.describe() == "4-3-3", timeout=10_000)


def test_reset_asks_and_a_training_setting_does_not(make_window, qtbot):
    w = make_window(iterations=1000)
    w.sessions.confirm_discard = True
    w.step(20)
    qtbot.waitUntil(lambda: w.latest.iteration == 20, timeout=10_000)
    w.notices.question = None
    w.controls.lr.setText("0.05")
    w.controls.lr.editingFinished.emit()
    qtbot.waitUntil(lambda: w.latest.settings.lr == 0.05, timeout=10_000)
    assert w.notices.question is None and w.latest.iteration == 20
    w.commands.reset()
    assert w.notices.question.isVisible()
    w.notices.question.button(QMessageBox.Discard).click()
    qtbot.waitUntil(lambda: w.latest.iteration == 0, timeout=10_000)


def test_controls_keep_every_setting_exactly(make_window, qtbot):
    s = Settings(test_fraction=0.125, threshold=1e-9, momentum=0.875, noise=0.333, iterations=1000)
    w = make_window(s)
    got = w.controls.settings()
    assert got == s
    w.step(30)
    qtbot.waitUntil(lambda: w.latest.iteration == 30, timeout=10_000)
    gen = w.context.generation
    w.controls.lr.setText("0.03")
    w.controls.lr.editingFinished.emit()
    qtbot.waitUntil(lambda: w.latest.settings.lr == 0.03, timeout=10_000)
    assert w.context.generation == gen and w.latest.iteration == 30
    assert w.latest.settings.test_fraction == 0.125 and w.latest.settings.threshold == 1e-9
    # the exported model records the settings in force
    assert w.exports.current_model().training["learning_rate"] == 0.03


def test_edge_card_is_1_based_and_follows_an_edit(make_window, qtbot):
    w = make_window()
    w.step(1)
    qtbot.waitUntil(lambda: w.latest.iteration == 1, timeout=10_000)
    w.view.open_edge_card(0, 1, 4)  # W1 row 1 (0-based) = the first input; column 4 = h1.5
    card = w.edge_card
    assert "W<sub>1</sub>[2, 5]" in card.title.text()
    card.edit.setText("0.25")
    card._apply()
    qtbot.waitUntil(lambda: w.latest.weights[0][1, 4] == 0.25, timeout=10_000)
    qtbot.waitUntil(lambda: card.value.text() == "0.25", timeout=10_000)
    # the hover text names the weight as R does too
    nv = w.network_view
    e = int(np.flatnonzero((nv.edge_layer == 0) & (nv.edge_row == 1) & (nv.edge_col == 4))[0])
    assert nv._edge_text(e).startswith("W1[2, 5]")


def test_hover_box_stays_while_frames_are_painted(make_window, qtbot):
    w = make_window(iterations=100_000)
    nv = w.network_view
    out_node = nv.node_keys.index(("n", 3, 0))
    nv.show_hover(nv.hover_text(*nv.node_pos[out_node]))
    assert nv.hover.isVisible() and "setosa" in nv.hover.textItem.toPlainText()
    w.play()
    qtbot.waitUntil(lambda: w.controller.frames_rendered > 10, timeout=10_000)
    assert nv.hover.isVisible()
    nv.show_hover("")
    assert not nv.hover.isVisible()


def test_controls_scroll_and_play_has_an_icon(make_window):
    w = make_window()
    assert isinstance(w.controls_scroll, QScrollArea) and w.controls_scroll.widget() is w.controls
    assert not w.transport.play_button.icon().isNull()
    assert "\u25b6" not in w.transport.play_button.text()
    screen = w.screen().availableGeometry()
    assert w.width() <= max(screen.width(), 1280) and w.height() <= max(screen.height(), 800)


@pytest.mark.parametrize("data", ["xor"])
def test_decision_map_is_computed_only_while_visible(make_window, qtbot, data):
    w = make_window(data=data)
    qtbot.waitUntil(lambda: w.latest.map_values is not None, timeout=10_000)
    w.view.set_decision_map(False)  # View > Decision map off: no map needed
    w.step(3)
    qtbot.waitUntil(lambda: w.latest.iteration == 3, timeout=10_000)
    assert w.latest.map_values is None and not w.predictions.map_plot.isVisible()
    w.view.set_decision_map(True)
    w.step(1)
    qtbot.waitUntil(lambda: w.latest.iteration == 4, timeout=10_000)
    assert w.latest.map_values is not None and w.predictions.map_plot.isVisible()


def test_with_mini_batches_the_curve_is_the_whole_training_set(make_window, qtbot):
    w = make_window(iterations=300, batch_size=16, test_fraction=0.2)
    w.play()
    qtbot.waitUntil(lambda: w.latest.state == "finished", timeout=20_000)
    lp, c = w.loss_plot, w.controller
    assert "whole set" in lp.value_label.text() and lp.batch_box.isVisible()
    x, y = lp.train_curve.xData, lp.train_curve.yData
    assert np.array_equal(x, c.full_history.x) and y[-1] == w.latest.mse
    # the test curve is sampled at the same iterations as the training curve
    assert np.array_equal(lp.test_curve.xData, x)
    assert len(lp.batch_curve.xData or []) == 0
    lp.batch_box.setChecked(True)
    w.step(2)
    qtbot.waitUntil(lambda: w.latest.iteration == 302 and w.latest.state == "paused", timeout=10_000)
    assert len(lp.batch_curve.xData) == len(c.history) > len(c.full_history)


def test_pause_is_answered_at_once_even_before_the_worker_takes_it(make_window, qtbot):
    w = make_window(iterations=10_000_000)
    w.play()
    qtbot.waitUntil(lambda: w.latest.state == "running", timeout=10_000)
    w.commands.toggle_play()  # no event processed in between: the button changes all the same
    assert w.transport.play_button.text() == "Play"
    assert "pausing" in w.statusBar().currentMessage()
    qtbot.waitUntil(lambda: w.latest.state == "paused", timeout=10_000)
