"""The backprop inspector in the window: the start weights' step at iteration 0 against a pass by
hand, the next step against the Step that follows, written-out cells against the cells, marks on
the rows and columns behind a number, one observation by default, the post's names, and a layout
that puts the matrices side by side when wide and stacks them when narrow, without scroll bars of
their own."""

from __future__ import annotations

import numpy as np

from nnviz.core.experiment import Experiment, Settings
from nnviz.core.notation import plain
from nnviz.gui.views.inspector import BATCH, ONE
from nnviz.gui.views.matrix_panel import RELATED, SELECTED


def wait(qtbot, w, cond):
    qtbot.waitUntil(lambda: w.latest is not None and cond(w.latest), timeout=15_000)


def sig(a):
    return 1 / (1 + np.exp(-a))


def by_hand(X, Y, weights, lr=0.02):
    """The post's step in plain NumPy (sigmoid everywhere, 1/2 SSE)."""
    ins, As, Hs = [], [], []
    H = X
    for W in weights:
        inp = np.hstack([np.ones((len(H), 1)), H])
        A = inp @ W
        H = sig(A)
        ins.append(inp)
        As.append(A)
        Hs.append(H)
    D = [None] * len(weights)
    D[-1] = (Y - Hs[-1]) * Hs[-1] * (1 - Hs[-1])
    for li in range(len(weights) - 2, -1, -1):
        D[li] = (D[li + 1] @ weights[li + 1][1:].T) * Hs[li] * (1 - Hs[li])
    return ins, As, Hs, D, [lr * ins[li].T @ D[li] for li in range(len(weights))]


def test_iteration_0_shows_the_start_weights_step_and_says_it_is_the_next_one(make_window, qtbot):
    w = make_window(data="iris")
    wait(qtbot, w, lambda s: s.iteration == 0 and s.next_trace is not None)
    insp = w.inspector
    assert insp.shown_what == "next" and insp.trace is w.latest.next_trace
    head = insp.stage_label.text()
    assert "iteration 0" in head and "the next step" in head and "what <b>Step</b> will do" in head
    assert "iteration 1" not in head
    e = Experiment(Settings(data="iris"))  # the data, built again: the targets and inputs by hand
    W0 = [np.array(W) for W in w.latest.weights]
    ins, As, Hs, D, U = by_hand(e.X_train, e.Y_train, W0)
    assert insp.mode.currentIndex() == ONE and insp.selected_row == 0
    for lw in (1, 2, 3):
        insp.show_stage(("forward", lw))
        np.testing.assert_allclose(insp.matrix("input")[0], ins[lw - 1][0], rtol=0, atol=1e-12)
        np.testing.assert_array_equal(insp.matrix("W"), W0[lw - 1])  # the start weights, unchanged
        np.testing.assert_allclose(insp.matrix("A")[0], As[lw - 1][0], rtol=0, atol=1e-12)
        np.testing.assert_allclose(insp.matrix("H")[0], Hs[lw - 1][0], rtol=0, atol=1e-12)
        insp.show_stage(("delta", lw))
        np.testing.assert_allclose(insp.matrix("delta")[0], D[lw - 1][0], rtol=0, atol=1e-12)
        insp.show_stage(("update", lw))
        np.testing.assert_allclose(insp.matrix("update"), U[lw - 1], rtol=0, atol=1e-12)
    insp.show_stage(("error", 3))
    np.testing.assert_allclose(insp.matrix("error")[0], e.Y_train[0] - Hs[-1][0], rtol=0, atol=1e-12)
    assert w.latest.iteration == 0  # looking trained nothing
    for a, b in zip(w.latest.weights, W0, strict=True):
        np.testing.assert_array_equal(a, b)


def test_the_next_step_shown_is_exactly_what_step_then_does(make_window, qtbot):
    w = make_window(data="toy")
    wait(qtbot, w, lambda s: s.next_trace is not None)
    insp = w.inspector
    insp.set_one_observation(False)
    shown = {}
    for lw in (1, 2, 3):
        insp.show_stage(("update", lw))
        shown[lw] = insp.matrix("update").copy()
        insp.show_stage(("forward", lw))
        shown["A", lw] = insp.matrix("A").copy()
    W0 = [np.array(W) for W in w.latest.weights]
    w.step(1)
    wait(qtbot, w, lambda s: s.iteration == 1 and s.trace is not None and s.state == "paused")
    assert insp.shown_what == "last" and "the step that led here, 0 \u2192 1" in insp.stage_label.text()
    for lw in (1, 2, 3):
        np.testing.assert_array_equal(w.latest.weights[lw - 1], W0[lw - 1] + shown[lw])
        insp.show_stage(("update", lw))
        np.testing.assert_array_equal(insp.matrix("update"), shown[lw])
        insp.show_stage(("forward", lw))
        np.testing.assert_array_equal(insp.matrix("A"), shown["A", lw])
    # the next step is one choice away, from the new weights
    insp.which.setCurrentIndex(1)
    insp.which.activated.emit(1)
    assert insp.shown_what == "next" and insp.trace is w.latest.next_trace
    np.testing.assert_array_equal(insp.matrix("W"), w.latest.weights[2])


def test_every_cell_written_out_gives_the_cell(make_window, qtbot):
    w = make_window(data="iris")
    w.step(2)
    wait(qtbot, w, lambda s: s.iteration == 2 and s.state == "paused" and s.trace is not None)
    insp = w.inspector
    e = Experiment(Settings(data="iris"))
    e.session.run(1)
    ins, As, Hs, D, U = by_hand(e.X_train, e.Y_train, [W.copy() for W in e.network.weights])
    for mode in (ONE, BATCH):
        insp.mode.setCurrentIndex(mode)
        for stage in [("forward", 1), ("forward", 3), ("error", 3), ("delta", 3), ("delta", 1), ("update", 2)]:
            insp.show_stage(stage)
            for role in insp.roles():
                M = insp.matrix(role)
                for i, j in {(0, 0), (M.shape[0] - 1, M.shape[1] - 1), (M.shape[0] // 2, 1 % M.shape[1])}:
                    insp.select_cell(role, i, j)
                    ex = insp.explanation
                    if role == "W_after":
                        assert ex is None and "w + \u0394w" in insp.explain_label.text()
                        continue
                    assert ex is not None and ex.value == M[i, j], (stage, role, i, j)
                    assert abs(ex.recomputed - M[i, j]) < 1e-12, (stage, role, i, j)
                    assert "= <b>" in insp.explain_label.text()
    # against the pass by hand: a cell of A3 and of delta_h1, the change of W2
    insp.mode.setCurrentIndex(BATCH)
    insp.show_stage(("forward", 3))
    insp.select_cell("A", 17, 2)
    assert abs(insp.explanation.recomputed - As[2][17, 2]) < 1e-12
    insp.show_stage(("delta", 1))
    insp.select_cell("delta", 120, 4)
    assert abs(insp.explanation.recomputed - D[0][120, 4]) < 1e-12
    insp.show_stage(("update", 2))
    insp.select_cell("update", 3, 5)
    assert abs(insp.explanation.recomputed - U[1][3, 5]) < 1e-12
    assert "show all 150 terms" in insp.explain_label.text()


def test_a_selected_number_lights_the_row_and_column_it_came_from(make_window, qtbot):
    w = make_window(data="iris")
    w.step(1)
    wait(qtbot, w, lambda s: s.iteration == 1 and s.trace is not None)
    insp = w.inspector
    insp.mode.setCurrentIndex(BATCH)
    insp.show_stage(("forward", 2))
    insp.select_cell("A", 4, 1)  # A2[obs 5, h2.2] = row 5 of [1, H1] times column h2.2 of W2
    X, W, A, H = (insp.panel(r).model for r in ("input", "W", "A", "H"))
    assert (X.mark_rows, X.mark_cols) == ({4}, None)
    assert X.marked() == {(4, c) for c in range(7)}
    assert (W.mark_rows, W.mark_cols) == (None, {1}) and W.marked() == {(r, 1) for r in range(7)}
    assert A.selected == (4, 1) and H.marked() == {(4, 1)}
    bg = int(__import__("PySide6.QtCore", fromlist=["Qt"]).Qt.BackgroundRole)
    assert W.data(W.index(3, 1), bg).color() == RELATED and W.data(W.index(3, 2), bg).color() != RELATED
    assert A.data(A.index(4, 1), bg).color() == SELECTED
    insp.select_cell("W", 2, 3)  # a weight: the column of [1, H1] it multiplies, the column of A it feeds
    assert X.marked() == {(r, 2) for r in range(150)} and A.marked() == {(r, 3) for r in range(150)}
    insp.show_stage(("delta", 1))  # delta_h1[r, j] = (delta_h2[r] . W2[j + 1]) f'(A1)[r, j]
    insp.select_cell("delta", 9, 3)
    assert insp.panel("delta_next").model.marked() == {(9, k) for k in range(6)}
    assert insp.panel("W_next_T").model.marked() == {(k, 3) for k in range(6)}
    assert insp.panel("fprime").model.marked() == {(9, 3)}
    insp.show_stage(("update", 1))  # Delta W1[i, j] = lr sum_r X[r, i] delta[r, j]
    insp.select_cell("update", 2, 5)
    assert insp.panel("input").model.marked() == {(r, 2) for r in range(150)}
    assert insp.panel("delta").model.marked() == {(r, 5) for r in range(150)}
    # one observation: the vector is a column; clicking a display cell selects the logical one
    insp.mode.setCurrentIndex(ONE)
    insp.show_stage(("forward", 1))
    p = insp.panel("A")
    assert p.model.transposed and p.model.rowCount() == 6 and p.model.columnCount() == 1
    p.view.clicked.emit(p.model.index(2, 0))  # the third row of the column: A1[obs, h1.3]
    assert insp.selection == ("A", 0, 2) and insp.panel("W").model.marked() == {(r, 2) for r in range(5)}


def test_one_observation_by_default_following_the_selected_row(make_window, qtbot):
    w = make_window(data="iris")
    w.step(1)
    wait(qtbot, w, lambda s: s.iteration == 1 and s.trace is not None)
    insp = w.inspector
    assert insp.mode.currentIndex() == ONE and insp.mode.currentText() == "one observation"
    w.predictions.setCurrentIndex(0)
    w.predictions.table.selectRow(7)
    wait(qtbot, w, lambda s: s.selected_row == 7)
    w.predictions.setCurrentWidget(insp)
    assert insp.selected_row == 7 and insp.row_box.value() == 8
    insp.show_stage(("forward", 1))
    np.testing.assert_array_equal(insp.matrix("input")[0], w.latest.trace.layers[0].input[7])
    assert insp.panel("input").model.rows == ["obs 8"]
    chosen = []
    insp.rowChosen.connect(chosen.append)
    insp.row_box.setValue(21)  # chosen in the inspector: shown at once, and said to the window
    assert chosen == [20] and insp.panel("A").model.rows == ["obs 21"]
    np.testing.assert_array_equal(insp.matrix("A")[0], w.latest.trace.layers[0].A[20])
    insp.mode.setCurrentIndex(BATCH)
    assert insp.matrix("A").shape == (150, 6)


def test_the_posts_names_with_the_apps_beside_them(make_window, qtbot):
    w = make_window(data="iris")
    wait(qtbot, w, lambda s: s.next_trace is not None)
    insp = w.inspector
    titles = {}
    for stage in [("forward", 1), ("forward", 2), ("forward", 3), ("error", 3), ("delta", 3), ("delta", 2),
                  ("delta", 1), ("update", 1)]:
        insp.show_stage(stage)
        titles[stage] = {r: plain(insp.panel(r).title.text()) for r in insp.roles()}
    assert titles["forward", 1]["input"].startswith("X = [1, x] (app:\u00a0[1,\u00a0H0])")
    assert titles["forward", 2]["input"].startswith("H\u03041 = [1, H1]")
    assert titles["forward", 3]["H"].startswith("\u0177 (app:\u00a0H3) = f(A3)")  # yhat at the forward stage too
    assert titles["error", 3]["H"].startswith("\u0177 (app:\u00a0H3)")
    assert titles["delta", 3]["delta"].startswith("\u03b4y (app:\u00a0\u03b43)")
    assert titles["delta", 2]["delta"].startswith("\u03b4h2 (app:\u00a0\u03b42)")
    assert titles["delta", 1]["delta"].startswith("\u03b4h1 (app:\u00a0\u03b41)")
    assert titles["delta", 1]["W_next_T"].startswith("W2T without the bias row")
    assert [b.text() for b in insp.stage_buttons.values()] == [
        "X \u2192 H1", "H1 \u2192 H2", "H2 \u2192 \u0177", "error", "\u03b4_y", "\u03b4_h2", "\u03b4_h1",
        "\u0394W3", "\u0394W2", "\u0394W1"]
    insp.show_stage(("delta", 3))  # the sign convention, stated where delta is made
    assert "\u03a3 h \u03b4 = \u2212dC/dw" in insp.equation.text()


def test_matrices_side_by_side_when_wide_stacked_when_narrow_without_scroll_bars(make_window, qtbot):
    w = make_window(data="iris")
    wait(qtbot, w, lambda s: s.next_trace is not None)
    insp = w.inspector
    insp.show_stage(("forward", 2))
    slots = [s for s in insp.slots if not s.isHidden()]
    assert len(slots) == 4  # [1, H1] x W2 = A2 -> f -> H2
    assert len(insp.flow.lines(1500)) == 1
    narrow = insp.flow.lines(insp.flow.minimumSize().width())  # as narrow as W2: stacked
    assert len(narrow) >= 3 and sum(len(line) for line in narrow) == 4
    qtbot.wait(50)
    for p in insp.panels[:4]:  # every number of one observation is in sight: no scroll bar in a table
        assert p.view.verticalScrollBar().maximum() == 0 and p.view.horizontalScrollBar().maximum() == 0
    insp.mode.setCurrentIndex(BATCH)  # 150 rows: the one scroll area scrolls, the tables do not
    qtbot.wait(50)  # the tables' scroll ranges follow their new size in the event loop
    for p in insp.panels[:4]:
        assert p.view.verticalScrollBar().maximum() == 0
    assert insp.panel("A").view.height() > 150 * 15


def test_edge_card_names_each_index_and_says_why_the_sign_flips(make_window, qtbot):
    w = make_window(data="iris")
    wait(qtbot, w, lambda s: s.next_trace is not None)
    w.view.open_edge_card(0, 3, 3)  # W1[4, 4]: the third input, Petal.Length, to the fourth node of hidden layer 1
    card = w.edge_card
    title = plain(card.title.text())
    assert "x3 (input 3: Petal.Length) \u2192 h1.4 (hidden layer 1, node 4)" in title
    nxt = w.latest.next_trace.layers[0]
    g0, u0 = nxt.gradient[3, 3], nxt.update[3, 3]
    assert f"dC/dw = {-g0:.6g}" in card.next_label.text() and f"= {w.latest.weights[0][3, 3] + u0:.6g}" in \
        card.next_label.text()
    w.step(1)
    wait(qtbot, w, lambda s: s.iteration == 1 and s.trace is not None)
    qtbot.waitUntil(lambda: "iteration 1" in card.update_label.text(), timeout=10_000)
    g = w.latest.trace.layers[0].gradient[3, 3]
    assert g == g0 and float(card.gradient.text()) == float(f"{-g:.10g}")  # dC/dw, as before
    assert card.sum_label.text() == f"{g:.10g} = \u2212dC/dw"  # and the sum, with the sign said
    legend = plain(card.formula.text())
    assert "[x3]i \u00b7 [\u03b4h1, h1.4]i" in legend and "h_i,4" not in legend and "hi,4" not in legend
    assert "\u03a3i hi \u03b4i = \u2212dC/dw" in legend and "down the slope of C" in legend
    assert w.latest.weights[0][3, 3] == nxt.W[3, 3] + u0  # what the card said the Step would do
    w.view.open_edge_card(2, 4, 1)  # W3[5, 2]: h2.4 to the second output
    assert "h2.4 (hidden layer 2, node 4) \u2192 \u01772 (output 2: versicolor)" in plain(card.title.text())
    assert "[\u03b4y, \u01772]i" in plain(card.formula.text())
    card.close()


def test_micro_steps_move_the_stage_in_the_posts_order(make_window, qtbot):
    w = make_window(data="iris")
    wait(qtbot, w, lambda s: s.next_trace is not None)
    insp = w.inspector
    seen = []
    for _ in range(8):
        before = w.controller.snapshots_received
        w.commands.micro_step()
        qtbot.waitUntil(lambda b=before: w.controller.snapshots_received > b and w.latest.stage is not None,
                        timeout=10_000)
        seen.append(insp.view)
    assert seen == [("forward", 1), ("forward", 2), ("forward", 3), ("error", 3), ("delta", 3), ("delta", 2),
                    ("delta", 1), ("update", 1)]
    assert insp.shown_what == "micro" and "micro-step" in insp.stage_label.text()
    assert "\u0394W1" in insp.stage_label.text() and insp.stage_buttons["update", 1].styleSheet()
    # the micro-steps' update is the step the inspector showed as the next one at iteration 0
    np.testing.assert_array_equal(insp.matrix("update"), w.latest.weights[0] - w.latest.trace.layers[0].W)
