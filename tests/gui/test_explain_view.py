"""The Explain tab: its bars, dots and curves are the snapshot's values, for the iteration shown
(the present or a look back with the history slider), computed only while it is needed."""

from __future__ import annotations

import numpy as np

from nnviz.core.experiment import Experiment, Settings
from nnviz.gui.views.explain_view import NEGATIVE, POSITIVE


def _olden(weights) -> np.ndarray:
    """Olden's importance of a one-hidden-layer net, path by path (independent of nnviz's)."""
    W1, W2 = weights
    return np.array([[sum(W1[i + 1, j] * W2[j + 1, k] for j in range(W1.shape[1])) for k in range(W2.shape[1])]
                     for i in range(W1.shape[0] - 1)])


def _bars(view) -> np.ndarray:
    """The bars' values as drawn: each runs from 0 to its value."""
    x0, x1 = np.asarray(view.bars.opts["x0"], dtype=float), np.asarray(view.bars.opts["x1"], dtype=float)
    assert np.all((x0 == 0) | (x1 == 0))
    return x0 + x1


def _explained(w, qtbot, iteration: int, output: int, preview: bool = False):
    def ready():
        s = w.latest
        return (s is not None and s.iteration == iteration and s.preview == preview and s.learned is not None
                and s.learned.gw is not None and s.learned.gw.output == output and w.explain.learned is s.learned)
    qtbot.waitUntil(ready, timeout=15_000)
    return w.latest


def test_the_bars_dots_and_curves_are_the_snapshots(make_window, qtbot):
    w = make_window(hidden=(5,), iterations=300, lr=0.02)
    ex = w.explain
    w.predictions.setCurrentWidget(ex)
    ex.output_box.setCurrentIndex(1)
    ex.input_box.setCurrentIndex(2)
    w.step(40)
    snap = _explained(w, qtbot, 40, 1)
    values = _bars(ex)
    assert np.array_equal(values, snap.learned.olden[:, 1])  # value by value, in the inputs' order
    assert np.abs(values - _olden(snap.weights)[:, 1]).max() < 1e-12
    colours = [b.color().getRgb()[:3] for b in ex.bars.opts["brushes"]]
    assert colours == [POSITIVE if v >= 0 else NEGATIVE for v in values]
    x, y = ex.gw_dots.getData()
    assert np.array_equal(y, snap.learned.gw.values[:, 2]) and np.array_equal(x, snap.learned.gw.x[:, 2])
    p = snap.learned.profile
    assert p.kind == "lek" and p.inputs == (2,)
    for curve, want in zip(ex.curves, p.curves[0, :, :, 1], strict=True):
        assert np.array_equal(curve.getData()[1], want)


def test_the_view_follows_a_look_back_with_the_history_slider(make_window, qtbot):
    s = Settings(hidden=(5,), iterations=300, lr=0.02)
    w = make_window(s)
    ex = w.explain
    w.predictions.setCurrentWidget(ex)
    w.play()
    qtbot.waitUntil(lambda: w.latest.state == "finished", timeout=20_000)
    end = _explained(w, qtbot, 300, 0)
    w.loss_plot.slider.setValue(120)  # drag the history slider
    then = _explained(w, qtbot, 120, 0, preview=True)
    assert ex.shown_iteration == 120
    ref = Experiment(s)
    ref.session.run(120)
    assert np.abs(_bars(ex) - _olden(ref.network.weights)[:, 0]).max() < 1e-12
    assert not np.allclose(_bars(ex), end.learned.olden[:, 0])  # importance moved between 120 and 300
    assert np.array_equal(ex.gw_dots.getData()[1], then.learned.gw.values[:, 0])


def test_nothing_is_computed_while_the_tab_is_hidden_but_the_diagrams_rings(make_window, qtbot):
    w = make_window(hidden=(5,), iterations=300)
    w.predictions.setCurrentIndex(0)  # the predictions table
    w.step(3)
    qtbot.waitUntil(lambda: w.latest.iteration == 3, timeout=10_000)
    assert w.latest.learned is None
    w.explain.colour_box.setChecked(True)  # the diagram needs the importance, not the rest
    w.step(2)
    qtbot.waitUntil(lambda: w.latest.iteration == 5 and w.latest.learned is not None, timeout=10_000)
    learned = w.latest.learned
    assert learned.olden is not None and learned.gw is None and learned.profile is None
    nv = w.network_view
    qtbot.waitUntil(lambda: nv.input_importance is not None and np.array_equal(nv.input_importance, learned.olden[:, 0]),
                    timeout=10_000)
    pens = [pen.color().getRgb()[:3] for pen in nv._halo.data["pen"]]
    assert len(pens) == 4
    for v, rgb in zip(learned.olden[:, 0], pens, strict=True):  # blue for positive, orange for negative, faded
        assert (rgb[2] > rgb[0]) == (v >= 0)
    w.explain.colour_box.setChecked(False)
    assert nv.input_importance is None and len(nv._halo.data) == 0


def test_garson_where_it_is_defined_and_why_not_elsewhere(make_window, qtbot):
    w = make_window(hidden=(5,), iterations=300)
    ex = w.explain
    w.predictions.setCurrentWidget(ex)
    ex.method_box.setCurrentIndex(ex.method_box.findData("garson"))
    w.step(2)
    _explained(w, qtbot, 2, 0)
    assert ex.bar_values is None and "needs one output, this network has 3" in ex.note.toPlainText()
    w2 = make_window(data="diabetes", hidden=(4,), output_activation="linear", iterations=300)
    ex2 = w2.explain
    w2.predictions.setCurrentWidget(ex2)
    ex2.method_box.setCurrentIndex(ex2.method_box.findData("garson"))
    w2.step(5)
    snap = _explained(w2, qtbot, 5, 0)
    assert np.array_equal(_bars(ex2), snap.learned.garson) and abs(_bars(ex2).sum() - 1) < 1e-12
    assert ex2.gw_plot.plotItem.titleLabel.text.startswith("GW = d output(")  # a linear output


def test_clicking_a_bar_chooses_its_input(make_window, qtbot):
    from PySide6.QtCore import QPointF, Qt

    w = make_window(hidden=(5,), iterations=300)
    ex = w.explain
    w.predictions.setCurrentWidget(ex)
    w.step(2)
    _explained(w, qtbot, 2, 0)
    assert ex.input == 0
    vb = ex.bars_plot.getViewBox()
    scene_pos = vb.mapViewToScene(QPointF(float(ex.bar_values[3]) / 2, 3.0))
    pos = ex.bars_plot.mapFromScene(scene_pos)
    qtbot.mouseClick(ex.bars_plot.viewport(), Qt.LeftButton, pos=pos)
    qtbot.waitUntil(lambda: ex.input == 3, timeout=5_000)
    qtbot.waitUntil(lambda: w.latest.learned is not None and w.latest.learned.profile is not None
                    and w.latest.learned.profile.inputs == (3,), timeout=10_000)
