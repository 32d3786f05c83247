"""Data you can touch: clicking, dragging and right-clicking points on the decision map
changes the rows the runner trains on; Undo, sessions, Export data; test points hollow."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QPoint, QPointF, Qt

from nnviz.core import data as datamod
from nnviz.core.experiment import Settings

CIRCLES = dict(data="circles", hidden=(4,), activation=("tanh",), lr=0.05, iterations=100_000_000)


def map_window(make_window, qtbot, **kw):
    w = make_window(Settings(**{**CIRCLES, **kw}))
    w.resize(1600, 1000)  # the map beside the error plot about 450 pixels wide
    qtbot.waitUntil(lambda: w.latest.map_values is not None, timeout=10_000)
    return w


def pixel(w, x: float, y: float) -> QPoint:
    """Where the data point (x, y) is on the map's viewport."""
    plot = w.predictions.map_plot
    return plot.mapFromScene(plot.getViewBox().mapViewToScene(QPointF(x, y)))


def empty_spot(w, near=(0.0, 0.0)):
    """A place on the map (data units) with no point within 20 pixels, near ``near``."""
    pts = w.predictions.points
    best = None
    for x in np.linspace(-3, 3, 25):
        for y in np.linspace(-3, 3, 25):
            q = pixel(w, x, y)
            d = np.hypot(*(np.array([[pixel(w, *r).x(), pixel(w, *r).y()] for r in pts.X[::1]]) - [q.x(), q.y()]).T)
            if d.min() > 20 and (best is None or np.hypot(x - near[0], y - near[1]) < best[0]):
                best = (np.hypot(x - near[0], y - near[1]), x, y)
    assert best is not None
    return best[1], best[2]


def rows(w):
    ctx = w.context
    return np.vstack([ctx.train.X] + ([ctx.test.X] if ctx.test is not None else []))


def wait_version(qtbot, w, v):
    qtbot.waitUntil(lambda: w.latest.data_version == v and w.context.data_version == v, timeout=10_000)


def test_click_adds_drag_moves_right_click_deletes(make_window, qtbot):
    w = map_window(make_window, qtbot)
    vp = w.predictions.map_plot.viewport()
    n0 = w.context.train.n
    # add: an orange point (class 1) in the middle of the blue disc
    w.predictions.points.picker.buttons[1].setChecked(True)
    x, y = empty_spot(w, (0.5, -0.5))
    qtbot.mouseClick(vp, Qt.LeftButton, pos=pixel(w, x, y))
    wait_version(qtbot, w, 1)
    snap, ctx = w.latest, w.context
    assert ctx.dataset.custom and ctx.train.n == n0 + 1 and snap.outputs.shape == (n0 + 1, 2)
    new = ctx.train.X[-1]
    assert abs(new[0] - x) < 0.1 and abs(new[1] - y) < 0.1  # within a pixel or two
    assert np.array_equal(ctx.train.T[-1], [0.0, 1.0])
    # the predictions table shows the new row too, in the same frame
    assert w.predictions.model.rowCount() == n0 + 1
    # drag point 0 to (4, -4)
    x0 = ctx.train.X[0]
    qtbot.mousePress(vp, Qt.LeftButton, pos=pixel(w, *x0))
    qtbot.mouseMove(vp, pixel(w, 2.0, -2.0))
    qtbot.mouseMove(vp, pixel(w, 4.0, -4.0))
    qtbot.mouseRelease(vp, Qt.LeftButton, pos=pixel(w, 4.0, -4.0))
    wait_version(qtbot, w, 2)
    moved = w.context.train.X[0]
    assert abs(moved[0] - 4.0) < 0.1 and abs(moved[1] + 4.0) < 0.1
    assert np.array_equal(w.context.train.X[1:], ctx.train.X[1:])
    # right click deletes the point under the pointer
    victim = w.context.train.X[5].copy()
    qtbot.mouseClick(vp, Qt.RightButton, pos=pixel(w, *victim))
    wait_version(qtbot, w, 3)
    X = w.context.train.X
    assert X.shape[0] == n0 and not (victim == X).all(axis=1).any()
    assert w.latest.outputs.shape[0] == n0
    # the window and the picker name the data
    assert "custom (from circles)" in w.windowTitle()
    assert w.controls.data.currentText() == "custom (from circles)"


def test_undo_restores_exactly_the_data_before_and_redo_again(make_window, qtbot):
    w = map_window(make_window, qtbot)
    before = rows(w).copy()
    pts = w.predictions.points
    pts.addRequested.emit(1.0, 1.0, 1.0)
    wait_version(qtbot, w, 1)
    pts.moveRequested.emit(3, -2.0, 2.0)
    wait_version(qtbot, w, 2)
    after_two = rows(w).copy()
    w.edits.undo_action.trigger()
    wait_version(qtbot, w, 3)
    assert rows(w).shape[0] == before.shape[0] + 1 and np.array_equal(rows(w)[3], before[3])
    w.edits.undo_action.trigger()
    wait_version(qtbot, w, 4)
    assert np.array_equal(rows(w), before) and not w.context.dataset.custom
    assert w.latest.outputs.shape[0] == before.shape[0]
    assert not w.edits.undo_action.isEnabled()
    w.edits.redo_action.trigger()
    wait_version(qtbot, w, 5)
    w.edits.redo_action.trigger()
    wait_version(qtbot, w, 6)
    assert np.array_equal(rows(w), after_two)


def test_the_last_point_of_a_class_is_refused_with_a_message(make_window, qtbot):
    w = map_window(make_window, qtbot)
    ds = w.context.dataset
    keep = np.r_[np.flatnonzero(ds.labels() == 0)[:1], np.flatnonzero(ds.labels() == 1)]
    from nnviz.core import editing
    w.controller.set_data(editing.as_custom(ds.subset(keep), None))
    wait_version(qtbot, w, 1)
    w.predictions.points.deleteRequested.emit(0)  # the only blue point
    qtbot.wait(300)
    assert "last training point of class 'blue'" in w.statusBar().currentMessage()
    assert w.context.data_version == 1 and w.context.train.n == keep.size


def test_a_point_added_while_training_runs_is_in_the_next_snapshots(make_window, qtbot):
    w = map_window(make_window, qtbot)
    n0 = w.context.train.n
    w.play()
    qtbot.waitUntil(lambda: w.latest.state == "running" and w.latest.iteration > 50, timeout=10_000)
    w.predictions.points.addRequested.emit(0.2, 0.3, 1.0)
    wait_version(qtbot, w, 1)
    it = w.latest.iteration
    qtbot.waitUntil(lambda: w.latest.iteration > it + 50, timeout=10_000)
    snap = w.latest
    assert snap.state == "running" and snap.outputs.shape[0] == n0 + 1
    assert np.allclose(w.context.train.X[-1], [0.2, 0.3])
    assert w.max_lag == 0
    # the error history goes on across the edit
    h = w.controller.history
    assert h.x[0] == 0 and h.x[-1] >= it


def test_test_points_are_hollow_and_can_be_hidden(make_window, qtbot):
    w = map_window(make_window, qtbot, test_fraction=0.25)
    pts = w.predictions.points
    scatter = w.predictions.map_points
    data = scatter.data
    n_train, n_test = w.context.train.n, w.context.test.n
    assert len(data) == n_train + n_test
    fills = np.array([b.color().alpha() for b in data["brush"]])
    pens = [p.color().getRgb()[:3] for p in data["pen"]]
    assert (fills[:n_train] == 255).all() and (fills[n_train:] == 0).all()  # hollow rings
    assert all(p != (255, 255, 255) for p in pens[n_train:])  # rings in the class colour
    assert np.array_equal(np.vstack([data["x"], data["y"]]).T[n_train:], w.context.test.X)
    pts.picker.show_test.setChecked(False)
    assert len(scatter.data) == n_train
    pts.picker.show_test.setChecked(True)
    # a new point is a training point (filled), the test rows stay test rows
    pts.addRequested.emit(0.0, 0.0, 0.0)
    wait_version(qtbot, w, 1)
    assert w.context.train.n == n_train + 1 and w.context.test.n == n_test
    fills = np.array([b.color().alpha() for b in scatter.data["brush"]])
    assert (fills[: n_train + 1] == 255).all() and (fills[n_train + 1:] == 0).all()


def test_session_keeps_edited_data_and_weights_and_export_reloads(make_window, qtbot, tmp_path):
    w = map_window(make_window, qtbot, test_fraction=0.2)
    pts = w.predictions.points
    for x in (0.1, 0.4, -0.3):
        pts.addRequested.emit(x, 0.2, 1.0)
    wait_version(qtbot, w, 3)
    w.step(40)
    qtbot.waitUntil(lambda: w.latest.iteration == 40 and w.latest.state == "paused", timeout=10_000)
    path = str(tmp_path / "edited.nnviz")
    assert w.sessions.save_session(path)
    csv = str(tmp_path / "points.csv")
    assert w.edits.export_data(csv)
    ds, weights = w.context.dataset, w.latest.weights
    back = datamod.load_csv(csv)
    assert np.array_equal(back.X, ds.X) and np.array_equal(back.T, ds.T)
    w2 = make_window(Settings())
    assert w2.sessions.open_session(path)
    qtbot.waitUntil(lambda: w2.context is not None and w2.context.dataset.custom and w2.latest is not None
                    and w2.latest.iteration == 40, timeout=10_000)
    assert np.array_equal(w2.context.dataset.X, ds.X) and np.array_equal(w2.context.test.X, w.context.test.X)
    for a, b in zip(w2.latest.weights, weights):
        assert np.array_equal(a, b)
    assert np.array_equal(w2.latest.outputs, w.latest.outputs)
    assert "custom (from circles)" in w2.windowTitle()
    assert w2.controls.data.currentText() == "custom (from circles)"


def test_picker_back_to_the_original_data(make_window, qtbot):
    w = map_window(make_window, qtbot)
    n0 = w.context.train.n
    w.predictions.points.addRequested.emit(0.0, 0.0, 1.0)
    wait_version(qtbot, w, 1)
    gen = w.context.generation
    w.controls.data.setCurrentText("circles")
    qtbot.waitUntil(lambda: w.context.generation > gen, timeout=10_000)
    assert not w.context.dataset.custom and w.context.train.n == n0
    assert w.controls.data.findText("custom (from circles)") < 0


@pytest.mark.parametrize("scale", ["2"])
def test_hit_testing_at_scale_factor_2(tmp_path, scale):
    """The same clicks at QT_SCALE_FACTOR=2, in a fresh process (the scale is read at start)."""
    import os
    import subprocess
    import sys

    code = r'''
import os, sys, numpy as np
from PySide6.QtCore import QPointF, Qt, QPoint, QEvent
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QApplication
from nnviz.core.experiment import Settings
from nnviz.gui.app import build_window
app = QApplication.instance() or QApplication([])
w = build_window(Settings(data="circles", hidden=(4,), activation=("tanh",)))
w.confirm_close = False
w.show_at_size(1100, 760)
p = w.predictions
def wait(cond, n=400):
    for _ in range(n):
        app.processEvents()
        if cond(): return
        import time; time.sleep(0.02)
    raise SystemExit("timeout")
wait(lambda: w.latest is not None and w.latest.map_values is not None)
plot = p.map_plot
def px(x, y): return plot.mapFromScene(plot.getViewBox().mapViewToScene(QPointF(x, y)))
x0 = w.context.train.X[7].copy()
pos = px(*x0) + QPoint(3, -2)   # 3 logical pixels off: still a hit
vp = plot.viewport()
for kind in (QEvent.MouseButtonPress, QEvent.MouseButtonRelease):
    ev = QMouseEvent(kind, QPointF(pos), QPointF(vp.mapToGlobal(pos)), Qt.RightButton,
                     Qt.RightButton if kind == QEvent.MouseButtonPress else Qt.NoButton, Qt.NoModifier)
    QApplication.sendEvent(vp, ev)
wait(lambda: w.context.data_version == 1 and w.latest.data_version == 1)
X = w.context.train.X
assert X.shape[0] == 199 and not (X == x0).all(axis=1).any(), "the point was not deleted"
assert plot.devicePixelRatioF() == 2.0, plot.devicePixelRatioF()
print("ok")
w.close()
'''
    env = dict(os.environ, QT_SCALE_FACTOR=scale, QT_QPA_PLATFORM="offscreen")
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    env["PYTHONPATH"] = os.pathsep.join([root] + [p for p in [env.get("PYTHONPATH")] if p])
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120)
    assert r.returncode == 0 and "ok" in r.stdout, r.stdout + r.stderr


def test_regression_points_take_the_value_field(make_window, qtbot):
    w = make_window(Settings(data="plane", hidden=(3,), output_activation="linear", iterations=1000))
    p = w.predictions
    qtbot.waitUntil(lambda: w.latest.map_values is not None, timeout=10_000)
    picker = p.points.picker
    assert not picker.buttons and picker.value.isVisibleTo(picker)
    picker.value.setValue(0.75)
    n0 = w.context.train.n
    p.points.addRequested.emit(1.0, -2.0, picker.choice())
    wait_version(qtbot, w, 1)
    assert w.context.train.n == n0 + 1 and w.context.train.T[-1, 0] == 0.75
    assert np.array_equal(w.context.train.X[-1], [1.0, -2.0])
