"""Neuron maps and histograms on the diagram: from the frame's snapshot, click to enlarge, toggle."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPoint, QPointF, Qt

from nnviz.core.data import Dataset
from nnviz.core.experiment import Settings
from nnviz.gui.views.predictions_view import diverging_lut

F = {"sigmoid": lambda a: 1.0 / (1.0 + np.exp(-a)), "tanh": np.tanh}


def by_hand(weights, acts, X):
    out, H = [np.asarray(X, dtype=float)], np.asarray(X, dtype=float)
    for W, name in zip(weights, acts, strict=True):
        H = F[name](W[0] + H @ W[1:])
        out.append(H)
    return out


def click_node(qtbot, w, layer, i):
    """A real mouse click on the node's picture, through the view's widget."""
    nv = w.network_view
    k = nv.node_keys.index(("n", layer, i))
    scene = nv.getViewBox().mapViewToScene(QPointF(*nv.node_pos[k]))
    p = nv.mapFromScene(scene)
    qtbot.mouseClick(nv.viewport(), Qt.LeftButton, pos=QPoint(p.x() + 3, p.y() + 2))


def settle(qtbot, w, cond):
    qtbot.waitUntil(lambda: w.latest is not None and cond(w.latest), timeout=30_000)


def test_every_node_paints_its_map_from_the_snapshot(make_window, qtbot):
    w = make_window(data="xor", hidden=(3,), activation=("tanh",), iterations=1000)
    w.step(20)
    settle(qtbot, w, lambda s: s.iteration == 20 and s.state == "paused" and s.node_maps is not None)
    nv, snap = w.network_view, w.latest
    assert nv.show_pictures and w.view.maps_action.isChecked() and nv.picture_kind == "map"
    assert nv.pictures_from is snap.node_maps and nv.pictures_iteration == 20
    assert nv._pictures.count == 2 + 3 + 2
    # the bottom-left pixel of hidden node 2 is the colour of its activation at the grid's corner
    grid = w.context.node_grid
    values = by_hand(snap.weights, ("tanh", "sigmoid"), grid.points[:1])
    lut = diverging_lut()
    img = nv._pictures._images[nv._pic_keys.index(("n", 1, 1))]
    got = img.pixelColor(0, img.height() - 1)
    expected = lut[int(np.clip((values[1][0, 1] + 1) / 2 * 255, 0, 255))]
    assert (got.red(), got.green(), got.blue()) == tuple(int(c) for c in expected[:3])
    # the top-right pixel of input x2 is its largest value: orange
    img = nv._pictures._images[nv._pic_keys.index(("n", 0, 1))]
    got = img.pixelColor(img.width() - 1, 0)
    assert (got.red(), got.green(), got.blue()) == tuple(int(c) for c in lut[int((grid.points[-1, 1] + 2) / 4 * 255)][:3])


def test_clicking_a_node_shows_its_map_large_and_again_returns(make_window, qtbot):
    w = make_window(data="circles", hidden=(4,), iterations=1000)
    w.step(30)
    settle(qtbot, w, lambda s: s.iteration == 30 and s.state == "paused")
    assert w.predictions.map_plot.isVisible()
    click_node(qtbot, w, 1, 2)
    assert w.view.selected_node == (1, 2) and w.network_view.selected_node == (1, 2)
    settle(qtbot, w, lambda s: s.map_node == (1, 2))
    qtbot.waitUntil(lambda: w.predictions.map_shows == (1, 2), timeout=30_000)
    snap, grid = w.latest, w.context.map_grid
    shown = w.predictions.map_values()
    assert w.predictions.map_source is snap.node_map and np.array_equal(shown, snap.node_map)
    ref = by_hand(snap.weights, ("sigmoid", "sigmoid"), grid.points)[1][:, 2].reshape(grid.size, grid.size)
    assert np.allclose(shown, ref, atol=1e-13, rtol=0)
    assert "hidden 1, node 3" in w.predictions.map_plot.plotItem.titleLabel.text
    assert w.predictions.map_image.levels is not None and tuple(w.predictions.map_image.levels) == (0.0, 1.0)
    # training on: the big map follows the weights, frame by frame
    w.step(5)
    settle(qtbot, w, lambda s: s.iteration == 35 and s.state == "paused")
    assert w.predictions.map_source is w.latest.node_map and not np.allclose(w.latest.node_map, ref)
    # the same node again: the network's decision
    click_node(qtbot, w, 1, 2)
    assert w.view.selected_node is None
    qtbot.waitUntil(lambda: w.predictions.map_shows is None and w.latest.node_map is None, timeout=30_000)
    assert w.predictions.map_source is w.latest.map_values
    assert not w.predictions.map_plot.plotItem.titleLabel.isVisible()
    # an input, then the output node: back to the decision
    click_node(qtbot, w, 0, 1)
    qtbot.waitUntil(lambda: w.predictions.map_shows == (0, 1), timeout=30_000)
    assert np.array_equal(w.predictions.map_values().ravel(), grid.points[:, 1])
    click_node(qtbot, w, 2, 0)
    assert w.view.selected_node is None
    qtbot.waitUntil(lambda: w.predictions.map_shows is None, timeout=30_000)


def test_maps_are_computed_only_while_shown(make_window, qtbot):
    w = make_window(data="xor", iterations=1000)
    settle(qtbot, w, lambda s: s.node_maps is not None)
    w.view.maps_action.trigger()  # View > Neuron maps off
    assert not w.view.maps_action.isChecked() and not w.network_view.show_pictures
    w.step(3)
    settle(qtbot, w, lambda s: s.iteration == 3 and s.state == "paused")
    assert w.latest.node_maps is None and w.network_view._pictures.count == 0
    w.view.maps_action.trigger()
    settle(qtbot, w, lambda s: s.node_maps is not None)
    assert w.network_view._pictures.count > 0
    w.network_view.hide()  # the diagram hidden: nothing computed for it
    w.step(2)
    settle(qtbot, w, lambda s: s.iteration == 5 and s.state == "paused")
    assert w.latest.node_maps is None
    w.network_view.show()
    settle(qtbot, w, lambda s: s.node_maps is not None)
    # the activations mode colours the nodes by value: no pictures over them, none computed
    w.mode_box.setCurrentText("activations")
    assert w.network_view._pictures.count == 0
    w.step(1)
    settle(qtbot, w, lambda s: s.iteration == 6 and s.state == "paused")
    assert w.latest.node_maps is None and w.network_view._pictures.count == 0
    w.mode_box.setCurrentText("weights")
    settle(qtbot, w, lambda s: s.node_maps is not None)
    qtbot.waitUntil(lambda: w.network_view._pictures.count > 0, timeout=30_000)


def test_histograms_for_more_inputs_and_click_to_enlarge(make_window, qtbot):
    w = make_window(data="iris", iterations=1000)
    w.step(50)
    settle(qtbot, w, lambda s: s.iteration == 50 and s.state == "paused" and s.node_hists is not None)
    nv, snap = w.network_view, w.latest
    assert nv.picture_kind == "hist" and nv.pictures_from is snap.node_hists and w.latest.node_maps is None
    assert nv._pictures.count == 4 + 6 + 6 + 3
    click_node(qtbot, w, 2, 4)
    h = w.node_histogram
    assert w.predictions.currentWidget() is h and h.node == (2, 4)
    qtbot.waitUntil(lambda: h.counts is not None, timeout=30_000)
    snap = w.latest
    assert np.array_equal(h.counts, snap.node_hists[2][4])
    # the bars: one per class, stacked; the top of the last is the bin's total count
    totals = h._bars[-1].opts["y1"]
    assert np.array_equal(totals, snap.node_hists[2][4].sum(axis=0))
    assert np.allclose(h._bars[0].opts["x0"], snap.node_hist_edges[2][4][:-1])
    assert h.getPlotItem().getAxis("left").labelText == "training rows"
    assert "hidden 2, node 5" in h.getPlotItem().getAxis("bottom").labelText
    assert [item[1].text for item in h._legend.items] == ["setosa", "versicolor", "virginica"]
    click_node(qtbot, w, 2, 4)
    assert w.predictions.indexOf(h) < 0 and w.view.selected_node is None


def test_wide_data_starts_with_maps_off(make_window, qtbot):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 20))
    ds = Dataset("wide", X, np.eye(2)[(X[:, 0] > 0).astype(int)], tuple(f"p{i}" for i in range(20)), ("a", "b"),
                 "classes")
    w = make_window(iterations=100)
    w.controller.configure(Settings(data="wide", iterations=100), ds)
    qtbot.waitUntil(lambda: w.context.arch.n_inputs == 20 and w.latest is not None, timeout=30_000)
    assert not w.view.maps_action.isChecked() and w.network_view.picture_needs() == set()
    w.step(2)
    settle(qtbot, w, lambda s: s.iteration == 2 and s.state == "paused")
    assert w.latest.node_hists is None


def test_every_frame_paints_the_maps_of_its_own_snapshot(make_window, qtbot):
    w = make_window(data="spiral", hidden=(8, 8), activation=("tanh",), iterations=10_000_000)
    click_node(qtbot, w, 2, 3)
    frames = []

    def check(snap):
        nv, pv = w.network_view, w.predictions
        frames.append((snap.iteration, nv.pictures_iteration, nv.pictures_from is snap.node_maps,
                       snap.node_maps is not None, pv.map_shows, pv.map_source is snap.node_map, snap.map_node))

    w.controller.render.connect(check)
    w.play()
    qtbot.waitUntil(lambda: len(frames) >= 12, timeout=30_000)
    w.pause()
    qtbot.waitUntil(lambda: w.latest.state == "paused", timeout=30_000)
    for it, pic_it, same, has, shows, same_map, node in frames:
        assert has and same and pic_it == it
        if node == (2, 3):
            assert shows == (2, 3) and same_map
    assert sum(1 for f in frames if f[6] == (2, 3)) >= 10
