"""Defects seen by a new user watching a run (issue 23): each test failed before its fix."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QEvent, QPointF
from PySide6.QtWidgets import QApplication, QMessageBox

from nnviz.gui.views.loss_plot import HistorySlider


def _edge_midpoint_scene(nv, layer: int, row: int, col: int):
    """The scene position of the middle of the edge W[layer][row, col] (0-based, row 0 = bias)."""
    e = int(np.flatnonzero((nv.edge_layer == layer) & (nv.edge_row == row) & (nv.edge_col == col))[0])
    p = (nv.node_pos[nv.edge_src[e]] + nv.node_pos[nv.edge_dst[e]]) / 2
    return nv.getViewBox().mapViewToScene(QPointF(float(p[0]), float(p[1])))


def test_the_diagrams_hover_box_follows_an_edit_and_leaves_with_the_pointer(make_window, qtbot):
    w = make_window(data="toy", hidden=(3,), iterations=100)
    nv = w.network_view
    qtbot.waitUntil(lambda: nv.weights is not None and len(nv.weights) == 2, timeout=10_000)
    nv._on_mouse_moved(_edge_midpoint_scene(nv, 1, 2, 0))
    assert nv.hover.isVisible() and f"weight = {w.latest.weights[1][2, 0]:.10g}" in nv.hover.textItem.toPlainText()
    w.controller.set_weight(1, 2, 0, -3.0)  # as the edge card's field does
    qtbot.waitUntil(lambda: w.latest.weights[1][2, 0] == -3.0, timeout=10_000)
    assert "weight = -3\n" in nv.hover.textItem.toPlainText()  # it said 2.88 after the card set -3
    QApplication.sendEvent(nv, QEvent(QEvent.Leave))
    assert not nv.hover.isVisible()
    # ... and a new network never shows the old box
    nv._on_mouse_moved(_edge_midpoint_scene(nv, 1, 2, 0))
    assert nv.hover.isVisible()
    w.controls.hidden.setText("4")
    w.controls.hidden.editingFinished.emit()
    qtbot.waitUntil(lambda: w.context.arch.hidden == (4,), timeout=10_000)
    assert not nv.hover.isVisible()


def test_the_discard_question_names_the_iteration_it_would_discard(make_window, qtbot):
    w = make_window(iterations=10_000_000, speed=200.0)
    w.sessions.confirm_discard = True
    w.play()
    qtbot.waitUntil(lambda: w.latest.iteration >= 5, timeout=10_000)
    w.controls.hidden.setText("3")
    w.controls.hidden.editingFinished.emit()
    box = w.notices.question
    assert isinstance(box, QMessageBox) and box.isVisible()
    first = w.controller.present.iteration
    qtbot.waitUntil(lambda: w.controller.present.iteration > first + 20, timeout=10_000)
    qtbot.waitUntil(lambda: f"iteration {w.controller.present.iteration:,})" in box.text(), timeout=5_000)
    box.button(QMessageBox.Cancel).click()


def test_the_history_slider_maps_any_count_of_iterations():
    slider = HistorySlider()
    for first, present in ((0, 100), (7, 1_000_007), (0, 2**31 + 5), (10**15, 10**18)):
        slider.set_span(first, present)
        assert 0 < slider.maximum() <= HistorySlider.STEPS
        assert slider.iteration(slider.position(present)) == present
        assert slider.iteration(slider.position(first)) == first
        mid = first + (present - first) // 3
        step = max((present - first) // HistorySlider.STEPS, 1)
        assert abs(slider.iteration(slider.position(mid)) - mid) <= step
    slider.set_span(0, 100)
    assert slider.position(63) == 63 and slider.iteration(63) == 63  # an iteration a position, when they fit


def test_a_session_of_two_billion_iterations_paints_without_error(make_window, qtbot):
    w = make_window(iterations=100)
    plot = w.loss_plot
    plot.sync_slider(2**31 + 10, 2**31 + 10, 0)  # raised OverflowError in QSlider.setRange
    assert plot.slider.value() == plot.slider.maximum() and not plot.resume_button.isEnabled()
    plot.sync_slider(10**18, 10**17, 0)
    assert plot.marker.value() == 10**17 and plot.resume_button.isEnabled()


def test_after_a_data_edit_the_slider_handle_stands_on_the_present(make_window, qtbot):
    w = make_window(data="circles", hidden=(4,), iterations=200)
    w.step(50)
    qtbot.waitUntil(lambda: w.latest.iteration == 50 and w.latest.state == "paused", timeout=10_000)
    w.predictions.points.addRequested.emit(0.5, 0.5, 1.0)
    qtbot.waitUntil(lambda: w.latest.data_version == 1, timeout=10_000)
    s = w.loss_plot.slider
    assert w.latest.first_iteration == w.latest.iteration == 50
    assert s.value() == s.maximum() and not s.isEnabled()  # it sat at the left while every label said 50


def test_a_point_outside_the_map_is_refused_in_one_line(make_window, qtbot):
    w = make_window(data="circles", hidden=(4,), iterations=200)
    n = w.context.train.n
    x0, y0, width, height = w.context.map_grid.rect
    w.predictions.points.addRequested.emit(x0 + width * 4, y0, 1.0)
    assert "outside the map" in w.last_error and "\n" not in w.last_error
    qtbot.wait(200)
    assert w.context.train.n == n and w.latest.data_version == 0
    w.predictions.points.addRequested.emit(x0 + width / 2, y0 + height / 2, 1.0)
    qtbot.waitUntil(lambda: w.context.train.n == n + 1, timeout=10_000)


def test_weight_labels_stay_readable_the_strongest_or_one_nodes(make_window, qtbot):
    """Issue 30: labels on every edge of a 3-6-6-2 network piled up unreadably."""
    w = make_window(data="toy", hidden=(6, 6), iterations=100)
    nv = w.network_view
    w.resize(1366, 768)
    w.labels_box.setChecked(True)
    qtbot.waitUntil(lambda: len(nv._label_spots) > 0, timeout=10_000)
    values = nv.edge_values()
    labelled = {i for i, t, _ in nv._label_spots if t.isVisible()}
    assert 0 < len(labelled) <= nv.LABELS_AT_REST
    weakest_labelled = min(abs(values[i]) for i in labelled)
    assert sum(abs(values) > weakest_labelled) < nv.LABELS_AT_REST  # the strongest ones
    node = nv.node_keys.index(("n", 1, 2))  # hidden 1, node 3: its weights in and out
    nv._focus_labels(node)
    labelled = {i for i, t, _ in nv._label_spots if t.isVisible()}
    assert labelled and all(nv.edge_src[i] == node or nv.edge_dst[i] == node for i in labelled)
    for i, t, _ in nv._label_spots:
        if t.isVisible():
            assert t.toPlainText() == f"{values[i]:.2f}"
    QApplication.sendEvent(nv, QEvent(QEvent.Leave))
    assert {i for i, t, _ in nv._label_spots if t.isVisible()} != labelled or len(labelled) <= nv.LABELS_AT_REST


def test_a_diverging_run_says_so_and_suggests_the_fix(make_window, qtbot):
    """Issue 23: gauss-mix with a linear output diverged at iteration 137 with no hint."""
    w = make_window(data="gauss-mix", output_activation="linear", lr=0.02, iterations=5_000)
    assert not w.hint_banner.isVisible()
    w.play()
    qtbot.waitUntil(lambda: w.latest.state == "finished", timeout=30_000)
    assert w.latest.stopped == "diverged"
    assert w.hint_banner.isVisible() and "diverged" in w.hint_banner.text()
    assert "lower the learning rate" in w.hint_banner.text()
    w.commands.reset()  # a new start: no hint until something goes wrong again
    qtbot.waitUntil(lambda: w.latest.iteration == 0 and not w.hint_banner.isVisible(), timeout=10_000)


def test_the_error_plot_at_rest_legend_badge_and_the_maps_range(make_window, qtbot):
    """Iteration 0 showed an empty plot with x ticks 0.2..0.8; the legend sat on the curve; the
    A badge appeared on hover; the decision map's axes ran -25..25 for data in -6..6."""
    w = make_window(data="circles", hidden=(4,), iterations=100)
    w.show_at_size(1366, 768)
    qtbot.waitUntil(lambda: w.width() == 1366, timeout=5_000)
    plot = w.loss_plot
    qtbot.waitUntil(lambda: plot.now_dot.xData is not None and len(plot.now_dot.xData) == 1, timeout=10_000)
    assert list(plot.now_dot.xData) == [0] and plot.now_dot.yData[0] == w.latest.mse  # the point at rest
    (x0, x1), _ = plot.vb.viewRange()
    assert x0 == 0 and x1 >= 10  # whole iterations on the axis, iteration 0 at its left
    item = plot.plot.plotItem
    assert item.buttonsHidden  # no "A" badge on hover
    def legend_above() -> bool:
        legend, area = plot.legend.sceneBoundingRect(), plot.vb.sceneBoundingRect()
        return legend.bottom() <= area.top() + 1 and not legend.intersects(area.adjusted(0, 2, 0, 0))

    qtbot.waitUntil(legend_above, timeout=10_000)
    w.step(30)
    qtbot.waitUntil(lambda: w.latest.iteration == 30, timeout=10_000)
    qtbot.waitUntil(legend_above, timeout=10_000)
    # the decision map shows the data's range, no more, and is as large as its panel allows
    mp = w.predictions.map_plot
    x, y, width, height = w.context.map_grid.rect

    def fitted() -> bool:  # once the panel is laid out
        (mx0, mx1), (my0, my1) = mp.getViewBox().viewRange()
        return (abs(mx0 - x) < 1e-6 * width and abs(mx1 - (x + width)) < 1e-6 * width
                and abs(my0 - y) < 1e-6 * height and abs(my1 - (y + height)) < 1e-6 * height)

    qtbot.waitUntil(fitted, timeout=10_000)
    vb = mp.getViewBox().sceneBoundingRect()
    assert min(vb.width(), vb.height()) >= 0.7 * min(mp.width(), mp.height()) - 60
