"""The main window: training in the worker thread, controls, views, errors."""


import numpy as np
import pytest
from PySide6.QtCore import QObject, QPointF, Qt, Signal, Slot

from nnviz import io as nnio
from nnviz.core.experiment import Experiment, Settings
from nnviz.core.network import Network


def wait_state(qtbot, w, *states, timeout=20_000):
    qtbot.waitUntil(lambda: w.latest is not None and w.latest.state in states, timeout=timeout)


def test_defaults_are_the_posts_iris_setup(make_window):
    w = make_window()
    ctx = w.context
    assert ctx.dataset.name == "iris"
    assert ctx.arch.describe() == "4-6-6-3"
    assert ctx.arch.layer_activations == ("sigmoid", "sigmoid", "sigmoid")
    assert ctx.settings.lr == "auto" and w.latest.lr == 0.02 and ctx.settings.iterations == 50_000
    assert w.latest.state == "ready" and w.latest.iteration == 0


def test_play_trains_in_the_worker_and_snapshots_arrive(make_window, qtbot):
    w = make_window(iterations=3000)
    w.play()
    wait_state(qtbot, w, "finished")
    snap = w.latest
    assert snap.iteration == 3000 and snap.stopped == "max_iterations"
    assert w.controller.snapshots_received >= 2
    h = w.controller.history
    assert h.x[0] == 0 and h.x[-1] == 2999 and len(h) == 3000
    # the snapshot is a read-only copy
    assert not snap.weights[0].flags.writeable
    # the weights are exactly those of the same run in the core
    e = Experiment(Settings(iterations=3000))
    e.session.run(3000)
    for a, b in zip(snap.weights, e.network.weights):
        assert np.array_equal(a, b)


def test_pause_step_and_reset(make_window, qtbot):
    w = make_window(iterations=10_000_000)
    w.play()
    qtbot.waitUntil(lambda: w.latest.state == "running" and w.latest.iteration > 0, timeout=10_000)
    w.pause()
    wait_state(qtbot, w, "paused")
    it = w.latest.iteration
    qtbot.wait(200)
    assert w.latest.iteration == it  # paused means paused
    w.step(1)
    qtbot.waitUntil(lambda: w.latest.iteration == it + 1 and w.latest.state == "paused", timeout=10_000)
    w.step(25)
    qtbot.waitUntil(lambda: w.latest.iteration == it + 26 and w.latest.state == "paused", timeout=10_000)
    first = w.latest.weights
    w.commands.reset()
    qtbot.waitUntil(lambda: w.latest is not None and w.latest.iteration == 0, timeout=10_000)
    start = Network.random(w.context.arch, np.random.default_rng(1)).weights
    for a, b in zip(w.latest.weights, start):
        assert np.array_equal(a, b)
    assert not np.array_equal(first[0], w.latest.weights[0])
    assert len(w.controller.history) == 0


def test_closing_while_training_stops_the_thread(make_window, qtbot):
    w = make_window(iterations=10_000_000)
    w.play()
    qtbot.waitUntil(lambda: w.latest.state == "running", timeout=10_000)
    w.close()
    assert not w.controller.training_thread.isRunning()


def test_changing_the_learning_rate_while_training_keeps_the_weights(make_window, qtbot):
    w = make_window(iterations=10_000_000)
    w.step(500)
    qtbot.waitUntil(lambda: w.latest.iteration == 500, timeout=10_000)
    before = w.latest.weights
    w.controls.lr.setText("0.05")
    w.controls.lr.editingFinished.emit()
    qtbot.waitUntil(lambda: w.latest.settings.lr == 0.05, timeout=10_000)
    qtbot.wait(100)
    assert w.latest.iteration == 500
    assert np.array_equal(w.latest.weights[0], before[0])
    # a new architecture starts afresh
    w.controls.hidden.setText("3")
    w.controls.hidden.editingFinished.emit()
    qtbot.waitUntil(lambda: w.context.arch.describe() == "4-3-3", timeout=10_000)
    assert w.latest is None or w.latest.iteration == 0


def test_bad_setting_is_refused_with_a_message(make_window, qtbot):
    w = make_window()
    w.controls.hidden.setText("6,x")
    w.controls.hidden.editingFinished.emit()
    assert "hidden layers" in w.controls.problem.text()
    qtbot.wait(100)
    assert w.context.arch.describe() == "4-6-6-3"


def test_diagram_has_a_node_per_neuron_plus_bias_and_widths_follow_weights(make_window, qtbot):
    w = make_window(hidden=(5, 4))
    nv = w.network_view
    kinds = [k[0] for k in nv.node_keys]
    assert kinds.count("n") == 4 + 5 + 4 + 3
    assert kinds.count("b") == 3
    assert len(nv.edge_src) == w.context.arch.n_weights == 5 * 5 + 6 * 4 + 5 * 3
    w.step(10)
    qtbot.waitUntil(lambda: w.latest.iteration == 10, timeout=10_000)
    values = nv.edge_values()
    snap_all = np.concatenate([W.ravel() for W in w.latest.weights])
    assert np.allclose(np.sort(np.abs(values)), np.sort(np.abs(snap_all)))
    order = np.argsort(np.abs(values))
    widths = nv.edge_width[order]
    assert (np.diff(widths) >= 0).all() and widths[-1] > widths[0]
    assert widths[-1] == pytest.approx(7.0)


def test_hover_shows_the_exact_weight_and_node_value(make_window, qtbot):
    w = make_window()
    nv = w.network_view
    e = int(np.argmax(nv.edge_width))
    p, q = nv.node_pos[nv.edge_src[e]], nv.node_pos[nv.edge_dst[e]]
    mid = p + (q - p) * 0.5
    text = nv.hover_text(*mid)
    l, r, c = nv.edge_layer[e], nv.edge_row[e], nv.edge_col[e]
    assert f"{w.latest.weights[l][r, c]:.10g}" in text
    out_node = nv.node_keys.index(("n", 3, 0))
    text = nv.hover_text(*nv.node_pos[out_node])
    assert "setosa" in text and f"{w.latest.outputs[0, 0]:.6g}" in text


def test_big_network_is_collapsed_and_capped(make_window, qtbot, tmp_path):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 300))
    y = rng.integers(0, 4, 60)
    path = tmp_path / "wide.csv"
    path.write_text(",".join(f"p{i}" for i in range(300)) + ",label\n"
                    + "".join(",".join(f"{v:.3f}" for v in row) + f",c{k}\n" for row, k in zip(X, y)))
    w = make_window(data=str(path), hidden=(200, 100))
    nv = w.network_view
    assert len(nv.node_keys) < 80
    assert "collapsed" in nv._note.toPlainText()
    assert nv.drawn.size <= 3000


def test_predictions_panel_agrees_with_the_engine(make_window, qtbot):
    w = make_window(iterations=2000, test_fraction=0.2)
    w.play()
    wait_state(qtbot, w, "finished")
    m = w.predictions.model
    ctx = w.context
    net = Network.from_weights(ctx.arch, list(w.latest.weights))
    Yhat = np.vstack([net.predict(ctx.scaling.inputs(ctx.train.X)), net.predict(ctx.scaling.inputs(ctx.test.X))])
    assert m.rowCount() == 150
    assert np.array_equal(m.out, Yhat)
    names = ctx.dataset.output_names
    assert list(m.pred) == [names[i] for i in Yhat.argmax(axis=1)]
    n_wrong_train = int(m.wrong[: ctx.train.n].sum())
    assert w.latest.accuracy == pytest.approx(1 - n_wrong_train / ctx.train.n)
    # the confusion table shows, cell by cell, the counts computed here from the outputs
    shown = w.predictions.confusion.model()
    cm = [[int(shown.data(shown.index(i, j))) for j in range(3)] for i in range(3)]
    truth, pred = ctx.train.T.argmax(axis=1), Yhat[:ctx.train.n].argmax(axis=1)
    assert cm == [[int(np.sum((truth == i) & (pred == j))) for j in range(3)] for i in range(3)]
    assert [shown.headerData(k, Qt.Horizontal) for k in range(3)] == list(names)
    assert len(w.controller.test_history) >= 1


def test_two_input_data_gets_a_decision_map(make_window, qtbot):
    w = make_window(data="xor", algorithm="rprop+", iterations=300)
    w.play()
    wait_state(qtbot, w, "finished")
    z = w.predictions.map_values()
    assert z.shape == (80, 80) and 0 <= z.min() < 0.2 and 0.8 < z.max() <= 1
    # the map is the network's output over the grid, point by point (grid x-major, class "orange")
    ctx = w.context
    x0, y0, width, height = ctx.map_grid.rect
    gx, gy = np.linspace(x0, x0 + width, 80), np.linspace(y0, y0 + height, 80)
    net = Network.from_weights(ctx.arch, list(w.latest.weights))
    for i, j in [(0, 0), (5, 71), (40, 40), (79, 12)]:
        raw = np.array([[gx[i], gy[j]]])
        assert z[i, j] == pytest.approx(net.predict(ctx.scaling.inputs(raw))[0, 1], abs=1e-12)


def test_bad_csv_shows_a_one_line_error_and_keeps_the_network(make_window, qtbot, tmp_path):
    w = make_window()
    w.step(20)
    qtbot.waitUntil(lambda: w.latest.iteration == 20, timeout=10_000)
    before = w.latest.weights
    bad = tmp_path / "bad.csv"
    bad.write_text("a,b,y\n1,2,x\n3,oops,z\n")
    assert w.setup.open_csv(str(bad)) is False
    assert "bad.csv: line 3, column 'b'" in w.last_error and "\n" not in w.last_error
    assert w.notices.dialog is not None and w.notices.dialog.isVisible()
    w.notices.dialog.close()
    qtbot.wait(100)
    assert w.context.dataset.name == "iris"
    assert np.array_equal(w.latest.weights[0], before[0])


def test_open_csv_with_target_chooser(make_window, qtbot, tmp_path):
    rng = np.random.default_rng(1)
    X = rng.normal(size=(40, 3))
    p = tmp_path / "two.csv"
    p.write_text("kind,u,v,w\n" + "".join(f"{'ab'[int(r[0] > 0)]},{r[0]},{r[1]},{r[2]}\n" for r in X))
    w = make_window()
    assert w.setup.open_csv(str(p))
    qtbot.waitUntil(lambda: w.context.dataset.source == str(p), timeout=10_000)
    # the last column is numeric and "kind" the only text column: it is the target
    assert w.context.dataset.output_names == ("a", "b")
    assert w.context.dataset.input_names == ("u", "v", "w")
    assert w.controls.target.currentText() == "kind"
    w.controls.target.setCurrentText("w")  # then "kind" would be an input: refused
    assert "column 'kind'" in w.last_error
    qtbot.wait(100)
    assert w.context.dataset.output_names == ("a", "b")
    w.notices.dialog.close()


def test_divergence_shows_a_message_and_keeps_finite_weights(make_window, qtbot):
    w = make_window(activation=("relu",), output_activation="linear", lr=0.5, iterations=5000)
    w.play()
    wait_state(qtbot, w, "finished")
    assert w.latest.stopped == "diverged"
    assert "diverged" in w.last_error and "learning rate" in w.last_error
    assert all(np.isfinite(W).all() for W in w.latest.weights)


def test_export_weights_round_trip(make_window, qtbot, tmp_path):
    w = make_window(iterations=100)
    w.play()
    wait_state(qtbot, w, "finished")
    path = tmp_path / "m.json"
    assert w.exports.export_weights(str(path))
    model = nnio.load(path)
    for a, b in zip(model.network.weights, w.latest.weights):
        assert np.array_equal(a, b)
    assert model.training["iterations"] == 100
    assert w.exports.export_weights(str(tmp_path / "m.txt")) is False and "supported" in w.last_error
    png = tmp_path / "plot.png"
    assert w.exports.export_plot(str(png)) and png.stat().st_size > 1000


class _Emitter(QObject):
    sig = Signal(object)


class _Receiver(QObject):
    def __init__(self):
        super().__init__()
        self.n = 0

    @Slot(object)
    def on(self, x):
        self.n += 1


def test_many_signal_emits_do_not_leak_references_to_true():
    """PySide6 6.12.0 on CPython 3.11 drops a reference to True per emit and crashes (QT-ON-DEBIAN.md)."""
    import sys

    e, r = _Emitter(), _Receiver()
    e.sig.connect(r.on)
    before = sys.getrefcount(True)
    for i in range(5000):
        e.sig.emit(i)
    assert r.n == 5000
    assert abs(sys.getrefcount(True) - before) < 100


def test_every_edge_joins_its_own_nodes_and_shows_its_own_weight(make_window, qtbot):
    """Edge by edge, against the weight matrices: W[l][row, col] joins node row - 1 (row 0: the
    bias node) of layer l to node col of layer l + 1, and its width follows |W[l][row, col]|."""
    w = make_window(hidden=(5, 4))
    w.step(7)
    qtbot.waitUntil(lambda: w.latest.iteration == 7, timeout=10_000)
    nv = w.network_view
    W = w.latest.weights
    top = max(float(np.abs(M).max()) for M in W)
    values = nv.edge_values()
    seen = set()
    for e in range(len(nv.edge_src)):
        l, r, c = int(nv.edge_layer[e]), int(nv.edge_row[e]), int(nv.edge_col[e])
        src, dst = nv.node_keys[nv.edge_src[e]], nv.node_keys[nv.edge_dst[e]]
        assert src == (("b", l) if r == 0 else ("n", l, r - 1))
        assert dst == ("n", l + 1, c)
        assert values[e] == W[l][r, c]
        assert nv.edge_width[e] == pytest.approx(0.6 + 6.4 * abs(W[l][r, c]) / top)
        seen.add((l, r, c))
    assert len(seen) == sum(M.size for M in W)


def test_sorted_table_rows_show_their_own_observation(make_window, qtbot):
    w = make_window(iterations=300, test_fraction=0.2)
    w.play()
    wait_state(qtbot, w, "finished")
    w.predictions.setCurrentIndex(0)
    table, proxy = w.predictions.table, w.predictions.proxy
    ctx = w.context
    net = Network.from_weights(ctx.arch, list(w.latest.weights))
    X = np.vstack([ctx.train.X, ctx.test.X])
    expected = ctx.scaling.outputs(net.predict(ctx.scaling.inputs(X)))
    n_in = ctx.arch.n_inputs
    table.sortByColumn(n_in + 3, Qt.DescendingOrder)  # by the first output
    shown = []
    for r in range(proxy.rowCount()):
        inputs = [float(proxy.index(r, c).data(Qt.DisplayRole)) for c in range(1, n_in + 1)]
        out = float(proxy.index(r, n_in + 3).data(Qt.DisplayRole))
        source = proxy.mapToSource(proxy.index(r, 0)).row()
        assert inputs == pytest.approx(X[source], abs=1e-9)
        assert out == pytest.approx(expected[source, 0], rel=1e-3, abs=1e-4)
        shown.append(out)
    assert shown == sorted(shown, reverse=True) and len(shown) == 150


def test_a_csv_that_cannot_be_standardised_changes_nothing(make_window, qtbot, tmp_path):
    w = make_window()
    huge = tmp_path / "huge.csv"
    huge.write_text("a,b,y\n1e308,1,x\n-1e308,2,z\n1.5e308,3,x\n")
    assert w.setup.open_csv(str(huge)) is False
    assert "huge.csv: column 'a'" in w.last_error
    assert w.controls.data.currentText() == "iris" and w.context.dataset.name == "iris"


def _label_boxes(nv):
    return [(i, t, t.sceneBoundingRect()) for i, t, _ in nv._label_spots if t.isVisible()]


def test_live_weight_labels_do_not_overlap_and_name_their_own_edge(make_window, qtbot):
    w = make_window(iterations=2000)
    w.resize(1400, 900)
    w.labels_box.setChecked(True)
    w.step(300)
    qtbot.waitUntil(lambda: w.latest.iteration == 300 and w.latest.state == "paused", timeout=30_000)
    qtbot.wait(100)
    nv = w.network_view
    boxes = _label_boxes(nv)
    assert 10 < len(boxes) <= nv.LABELS_AT_REST  # the strongest at rest (every one piled up unreadably)
    for a in range(len(boxes)):  # no label over another (the geometry Qt draws)
        for b in range(a + 1, len(boxes)):
            assert not boxes[a][2].intersects(boxes[b][2]), (boxes[a][1].toPlainText(), boxes[b][1].toPlainText())
    vb = nv.getViewBox()
    r = nv._node_size / 2
    for n, key in enumerate(nv.node_keys):  # nor over a node
        if key[0] == "more":
            continue
        c = vb.mapViewToScene(QPointF(*nv.node_pos[n]))
        for _, t, box in boxes:
            nx_, ny_ = min(max(c.x(), box.left()), box.right()), min(max(c.y(), box.top()), box.bottom())
            assert (nx_ - c.x()) ** 2 + (ny_ - c.y()) ** 2 >= r * r - 1e-6, t.toPlainText()
    for e, t, box in boxes:  # each shows its own edge's weight, on that edge
        li, row, col = int(nv.edge_layer[e]), int(nv.edge_row[e]), int(nv.edge_col[e])
        assert t.toPlainText() == f"{w.latest.weights[li][row, col]:.2f}"
        p = vb.mapViewToScene(QPointF(*nv.node_pos[nv.edge_src[e]]))
        q = vb.mapViewToScene(QPointF(*nv.node_pos[nv.edge_dst[e]]))
        cx, cy = box.center().x(), box.center().y()
        cross = (q.x() - p.x()) * (cy - p.y()) - (q.y() - p.y()) * (cx - p.x())
        assert abs(cross) / np.hypot(q.x() - p.x(), q.y() - p.y()) < 1.5
    w.labels_box.setChecked(False)
    assert not any(t.isVisible() for t in nv._weight_texts)


def test_above_150_edges_only_the_strongest_are_labelled_and_the_view_says_so(make_window, qtbot):
    w = make_window(hidden=(20, 20), iterations=500)
    w.resize(1400, 900)
    w.labels_box.setChecked(True)
    w.step(20)
    qtbot.waitUntil(lambda: w.latest.iteration == 20 and w.latest.state == "paused", timeout=30_000)
    qtbot.wait(100)
    nv = w.network_view
    vals = np.array([w.latest.weights[li][r, c] for li, r, c in zip(nv.edge_layer, nv.edge_row, nv.edge_col,
                                                                   strict=True)])
    assert vals.size > 150
    strongest = set(np.argsort(-np.abs(vals), kind="stable")[:nv.LABELS_AT_REST].tolist())
    labelled = [e for e, _, _ in _label_boxes(nv)]
    assert 0 < len(labelled) <= nv.LABELS_AT_REST and set(labelled) <= strongest
    assert f"the {nv.LABELS_AT_REST} strongest of {vals.size:,} edges labelled" in nv._note.toPlainText()
    boxes = [b for _, _, b in _label_boxes(nv)]
    assert not any(boxes[a].intersects(boxes[b]) for a in range(len(boxes)) for b in range(a + 1, len(boxes)))


def test_the_collapsed_note_keeps_clear_of_the_plus_n_markers(make_window, qtbot):
    """Wide layers end in a "+N" marker; the note "wide layers collapsed ..." went over it."""
    import numpy as np

    from nnviz.core.data import Dataset
    from nnviz.core.experiment import Settings

    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 30))
    ds = Dataset("wide", X, np.eye(2)[(X[:, 0] > 0).astype(int)], tuple(f"p{i}" for i in range(30)), ("a", "b"),
                 "classes")
    w = make_window(iterations=100)
    w.controller.configure(Settings(data="wide", hidden=(40,), iterations=100), ds)
    nv = w.network_view
    qtbot.waitUntil(lambda: w.context.arch.n_inputs == 30 and "collapsed" in nv._note.toPlainText(), timeout=30_000)
    plus = [t for t in nv._texts if t.toPlainText().startswith("+")]
    assert len(plus) == 2  # the input layer and the hidden layer
    note = nv._note.sceneBoundingRect()
    assert all(not note.intersects(t.sceneBoundingRect()) for t in plus)
    assert nv.sceneBoundingRect().contains(note)  # and the note is not cut off


def test_reset_keeps_the_diagrams_items_and_a_new_architecture_rebuilds_them(make_window, qtbot):
    """Reset draws the same network: its nodes and labels are kept (building them took most of
    Reset's time), and the labels show the new weights; another architecture gets new ones."""
    w = make_window(iterations=10_000_000)
    nv = w.network_view
    w.labels_box.setChecked(True)
    w.step(50)
    qtbot.waitUntil(lambda: w.latest.iteration == 50 and w.latest.state == "paused", timeout=10_000)
    names, pool = list(nv._texts), list(nv._weight_texts)
    assert len(pool) >= len(nv._label_spots) > 0  # the most that fitted without overlap so far
    w.commands.reset()
    qtbot.waitUntil(lambda: w.latest is not None and w.latest.iteration == 0 and nv.shown_iteration == 0,
                    timeout=10_000)
    assert nv._texts == names and nv._weight_texts[:len(pool)] == pool  # the pool only grows
    w0 = nv.edge_values()
    shown = {i: t.textItem.toPlainText() for i, t, _ in nv._label_spots}
    assert len(shown) > 0
    assert all(text == f"{w0[i]:.2f}" for i, text in shown.items())
    w.controller.configure(w.context.settings.with_(hidden=(3,)))
    qtbot.waitUntil(lambda: w.context.arch.hidden == (3,) and w.latest is not None, timeout=10_000)
    assert all(t not in names for t in nv._texts)
    assert [t.textItem.toPlainText() for t in nv._texts if getattr(t, "side", 0) == 1] == list(w.context.dataset.output_names)


def test_opening_a_big_csv_shows_the_readers_progress(make_window, qtbot, tmp_path, monkeypatch):
    """File > Open CSV on a big file: a progress dialog follows the reader (issue 26 item 3),
    rising to 100, and is gone once the data set is shown."""
    from nnviz.core import csv_plain
    from nnviz.gui import setup_actions

    monkeypatch.setattr(csv_plain, "BLOCK_MIN", 256)  # runs of a few hundred bytes: many fractions
    rng = np.random.default_rng(3)
    X = rng.normal(size=(5000, 3))
    p = tmp_path / "big.csv"
    p.write_text("u,v,w,y\n" + "".join(f"{a:.6f},{b:.6f},{c:.6f},{'ab'[int(a > 0)]}\n" for a, b, c in X))
    made = []
    original = setup_actions.ReadingProgress.__init__

    def spy(self, parent, name):
        original(self, parent, name)
        made.append(self)
        self.label = self.dialog.labelText()

    monkeypatch.setattr(setup_actions.ReadingProgress, "__init__", spy)
    w = make_window()
    assert w.setup.open_csv(str(p))
    qtbot.waitUntil(lambda: w.context.dataset.source == str(p), timeout=10_000)
    values = made[-1].values
    assert len(values) >= 10 and values[-1] == 100 and values == sorted(values), values
    assert "big.csv" in made[-1].label
    assert w.context.dataset.n == 5000
