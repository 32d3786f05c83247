"""The feature check boxes line up with the diagram's input nodes, and follow them when the
window is resized or the diagram zoomed."""

from PySide6.QtCore import QPoint, QPointF, Qt


def _node_y(w, i):
    """The pixel y of input node i, in the window's coordinates (from the scatter's points)."""
    nv = w.network_view
    k = nv.node_keys.index(("n", 0, i))
    spot = nv._nodes.points()[k]
    p = nv.mapFromScene(nv.getViewBox().mapViewToScene(spot.pos()))
    return nv.mapTo(w, QPoint(p.x(), p.y())).y()


def _box_y(w, f):
    box = w.feature_toggles.boxes[f]
    return box.mapTo(w, QPoint(0, box.height() // 2)).y()


def _aligned(w):
    features = w.context.settings.features or ("x1", "x2")
    return all(abs(_box_y(w, f) - _node_y(w, i)) <= 3 for i, f in enumerate(features))


def _no_overlap(w):
    t = w.feature_toggles
    boxes = sorted((b.geometry() for b in t.boxes.values()), key=lambda r: r.top())
    assert all(a.bottom() < b.top() for a, b in zip(boxes, boxes[1:], strict=False))
    assert boxes[0].top() >= 0 and boxes[-1].bottom() < t.height()
    assert t.title.geometry().bottom() < boxes[0].top()


def test_boxes_are_level_with_their_input_nodes(make_window, qtbot):
    w = make_window(data="circles", hidden=(3,), iterations=100)
    w.resize(1300, 900)
    qtbot.waitUntil(lambda: _aligned(w), timeout=5_000)
    _no_overlap(w)
    w.resize(1300, 1000)  # taller: the nodes move, the boxes with them
    qtbot.waitUntil(lambda: _aligned(w), timeout=5_000)
    _no_overlap(w)
    w.network_view.getViewBox().scaleBy((1.0, 1.3), center=QPointF(0, 0))  # zoomed
    qtbot.waitUntil(lambda: _aligned(w), timeout=5_000)
    # four inputs: each ticked box by its node, the others after them, none over another
    for f in ("sin(x1)", "sin(x2)"):
        qtbot.mouseClick(w.feature_toggles.boxes[f], Qt.LeftButton)
    qtbot.waitUntil(lambda: w.context.settings.features == ("x1", "x2", "sin(x1)", "sin(x2)"), timeout=10_000)
    qtbot.waitUntil(lambda: _aligned(w), timeout=5_000)
    _no_overlap(w)
    assert _node_y(w, 0) < _node_y(w, 3)  # (the nodes top to bottom in the features' order)
