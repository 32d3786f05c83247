"""The node pictures' geometry and colours: no picture over another at any size, the
output maps in their classes' colours, the pictures in place of the node circles."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPointF, QRectF

from nnviz.gui.views import map_editor
from nnviz.gui.views.predictions_view import diverging_lut

F = {"sigmoid": lambda a: 1.0 / (1.0 + np.exp(-a)), "tanh": np.tanh}


def by_hand(weights, acts, X):
    """Every layer's values for the rows X, computed here from the weights (bias in row 0)."""
    out, H = [np.asarray(X, dtype=float)], np.asarray(X, dtype=float)
    for W, name in zip(weights, acts, strict=True):
        H = F[name](W[0] + H @ W[1:])
        out.append(H)
    return out


def settle(qtbot, w, cond):
    qtbot.waitUntil(lambda: w.latest is not None and cond(w.latest), timeout=30_000)


def centre_px(nv, i: int) -> QPointF:
    """Node i's centre in the viewport's pixels, as the pictures' painter maps it."""
    scene = nv.getViewBox().mapViewToScene(QPointF(*nv.node_pos[i]))
    return nv.viewportTransform().map(scene)


def painted_rect(nv, i: int, w: float, h: float) -> QRectF:
    """What NodePictures.paint covers for node i: the rounded image rectangle and its 1 px frame."""
    c = centre_px(nv, i)
    return QRectF(round(c.x() - w / 2), round(c.y() - h / 2), round(w) + 1, round(h) + 1)


def test_pictures_of_a_small_diagram_do_not_overlap(make_window, qtbot):
    w = make_window(data="spiral", hidden=(8, 8), activation=("tanh",), iterations=1000)
    w.step(5)
    settle(qtbot, w, lambda s: s.iteration == 5 and s.state == "paused" and s.node_maps is not None)
    nv = w.network_view
    w.resize(900, 520)  # the diagram about as low as at QT_SCALE_FACTOR=2 on a 1600 x 1000 screen
    qtbot.waitUntil(lambda: nv.height() < 260, timeout=10_000)
    qtbot.wait(50)
    dy_px = nv._dy / abs(nv.getViewBox().viewPixelSize()[1])
    assert dy_px < nv._node_size  # little room: pictures as large as a node circle would touch
    pw, ph = nv.picture_size()
    assert pw > 2 and ph > 2
    rects = {key: painted_rect(nv, i, pw, ph) for i, key in zip(nv._pic_index, nv._pic_keys, strict=True)}
    keys = list(rects)
    for a in range(len(keys)):
        for b in range(a + 1, len(keys)):
            assert not rects[keys[a]].intersects(rects[keys[b]]), (keys[a], keys[b])
    # nor over the bias circle above each column
    c = nv.circle_size()
    for i, key in enumerate(nv.node_keys):
        if key[0] != "b":
            continue
        p = centre_px(nv, i)
        circle = QRectF(p.x() - c / 2, p.y() - c / 2, c, c)
        for k, r in rects.items():
            assert not r.intersects(circle), (key, k)


def test_pictures_take_the_place_of_the_node_circles(make_window, qtbot):
    w = make_window(data="iris", iterations=1000)
    w.step(3)
    settle(qtbot, w, lambda s: s.iteration == 3 and s.state == "paused" and s.node_hists is not None)
    nv = w.network_view
    qtbot.waitUntil(lambda: nv._pictures.count > 0, timeout=10_000)
    sizes = np.asarray(nv._nodes.data["size"], dtype=float)
    kinds = [k[0] for k in nv.node_keys]
    assert all(sizes[i] == 0 for i, k in enumerate(kinds) if k == "n")  # no circle behind a histogram
    assert all(sizes[i] > 4 for i, k in enumerate(kinds) if k == "b")  # the bias nodes keep theirs
    w.view.maps_action.trigger()  # pictures off: every neuron is a circle again
    assert nv._pictures.count == 0
    sizes = np.asarray(nv._nodes.data["size"], dtype=float)
    assert all(sizes[i] > 4 for i, k in enumerate(kinds) if k in ("n", "b"))


def test_output_maps_go_from_neutral_to_their_class_colour(make_window, qtbot):
    w = make_window(data="xor", hidden=(3,), activation=("tanh",), iterations=1000)
    w.step(40)
    settle(qtbot, w, lambda s: s.iteration == 40 and s.state == "paused" and s.node_maps is not None)
    nv, snap = w.network_view, w.latest
    assert w.context.dataset.output_names == ("blue", "orange")
    grid = w.context.node_grid
    corners = grid.points[[0, -1]]  # bottom-left and top-right pixels of every map
    out = by_hand(snap.weights, ("tanh", "sigmoid"), corners)[2]  # (corner, class)
    lut = diverging_lut()
    neutral = lut[128][:3].astype(float)
    tint = {0: lut[0][:3].astype(float), 1: lut[255][:3].astype(float)}  # the decision map's blue, orange
    # the decision map's points of class k have the class's colour: blue first, then orange
    assert map_editor.class_colour(0)[2] > map_editor.class_colour(0)[0]
    assert map_editor.class_colour(1)[0] > map_editor.class_colour(1)[2]
    for k in (0, 1):
        img = nv._pictures._images[nv._pic_keys.index(("n", 2, k))]
        got = []
        for (x, y), v in zip([(0, img.height() - 1), (img.width() - 1, 0)], out[:, k], strict=True):
            c = img.pixelColor(x, y)
            rgb = np.array([c.red(), c.green(), c.blue()], dtype=float)
            t = int(np.clip(v * 255, 0, 255)) / 255  # sigmoid outputs: levels 0..1
            assert np.abs(rgb - (neutral + (tint[k] - neutral) * t)).max() <= 1.0, (k, v, rgb)
            got.append((v, rgb))
        (v_lo, rgb_lo), (v_hi, rgb_hi) = sorted(got, key=lambda g: g[0])
        assert v_hi - v_lo > 0.05  # the corners differ enough to tell the direction
        # higher activation: nearer the class's own colour (blue for "blue", orange for "orange")
        assert np.linalg.norm(rgb_hi - tint[k]) < np.linalg.norm(rgb_lo - tint[k])
    # a hidden node keeps the diverging scale: its bottom-left pixel as in test_neuron_maps
    img = nv._pictures._images[nv._pic_keys.index(("n", 1, 0))]
    h = by_hand(snap.weights, ("tanh", "sigmoid"), corners[:1])[1][0, 0]
    c = img.pixelColor(0, img.height() - 1)
    assert (c.red(), c.green(), c.blue()) == tuple(int(v) for v in lut[int(np.clip((h + 1) / 2 * 255, 0, 255))][:3])
