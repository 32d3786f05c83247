"""Step-through in the window: micro-steps, step back, the history scrubber, the
inspector's matrices and the weight card, all against the engine, bit for bit."""

import numpy as np

from nnviz.core.experiment import Experiment, Settings


def wait_iteration(qtbot, w, it, state="paused"):
    qtbot.waitUntil(lambda: w.latest is not None and w.latest.iteration == it and w.latest.state == state
                    and not w.latest.preview, timeout=15_000)


def engine_after(n, **kw):
    e = Experiment(Settings(**kw))
    e.session.run(n)
    return e


def test_micro_steps_of_one_iteration_equal_one_step(make_window, qtbot):
    w = make_window(hidden=(5, 4))
    w.step(3)
    wait_iteration(qtbot, w, 3)
    stages = []
    for _ in range(8):  # forward 1..3, error, delta 3..1, update
        before = w.controller.snapshots_received
        w.commands.micro_step()
        qtbot.waitUntil(lambda before=before: w.controller.snapshots_received > before and w.latest.stage is not None,
                        timeout=10_000)
        stages.append(w.latest.stage)
    assert stages == ["forward 1", "forward 2", "forward 3", "error", "delta 3", "delta 2", "delta 1", "update"]
    assert w.latest.iteration == 4
    ref = engine_after(4, hidden=(5, 4))
    for a, b in zip(w.latest.weights, ref.network.weights):
        assert np.array_equal(a, b)
    # the inspector's update matrix is W_after - W_before
    t = w.latest.trace
    for l, lt in enumerate(t.layers):
        np.testing.assert_array_equal(lt.update, w.latest.weights[l] - lt.W)
    assert "update" in w.inspector.stage_label.text()


def test_step_back_is_bit_exact_and_truncates_the_curve(make_window, qtbot):
    w = make_window(batch_size=30, momentum=0.5)
    w.step(10)
    wait_iteration(qtbot, w, 10)
    w.step(1)
    wait_iteration(qtbot, w, 11)
    w.step(1)
    wait_iteration(qtbot, w, 12)
    for k in (11, 10, 9):
        w.commands.step_back()
        wait_iteration(qtbot, w, k)
        ref = engine_after(k, batch_size=30, momentum=0.5)
        for a, b in zip(w.latest.weights, ref.network.weights):
            assert np.array_equal(a, b)
        assert len(w.controller.history) == k and w.controller.history.x[-1] == k - 1
    # and training on gives the same as never having stepped back
    w.step(3)
    wait_iteration(qtbot, w, 12)
    ref = engine_after(12, batch_size=30, momentum=0.5)
    assert np.array_equal(w.latest.weights[0], ref.network.weights[0])


def test_history_scrubber_previews_and_resumes(make_window, qtbot):
    w = make_window(iterations=400)
    w.play()
    qtbot.waitUntil(lambda: w.latest.state == "finished", timeout=20_000)
    final = w.latest.weights
    w.loss_plot.slider.setValue(150)  # drag the history slider
    qtbot.waitUntil(lambda: w.latest.preview and w.latest.iteration == 150, timeout=10_000)
    ref = engine_after(150)
    for a, b in zip(w.latest.weights, ref.network.weights):
        assert np.array_equal(a, b)
    assert w.controller.present.iteration == 400  # the training state is untouched
    assert np.array_equal(w.controller.present.weights[0], final[0])
    assert w.loss_plot.marker.isVisible() and w.loss_plot.resume_button.isEnabled()
    w.commands.resume_from(150, confirm=False)
    wait_iteration(qtbot, w, 150)
    assert len(w.controller.history) == 150
    w.play()  # continues from 150 exactly as an uninterrupted run would
    qtbot.waitUntil(lambda: w.latest.state == "finished" and not w.latest.preview, timeout=20_000)
    assert w.latest.iteration == 400
    assert np.array_equal(w.latest.weights[0], final[0])


def test_inspector_shows_the_posts_matrices(make_window, qtbot):
    w = make_window()
    w.step(1)
    wait_iteration(qtbot, w, 1)
    insp = w.inspector
    t = w.latest.trace
    assert t is not None and t.iteration == 1 and insp.trace is t  # the step that led here
    insp.set_one_observation(False)  # the whole batch: matrices
    insp.show_stage(("forward", 1))
    np.testing.assert_array_equal(insp.matrix("input"), t.layers[0].input)  # [1, x] with the ones column
    assert (insp.matrix("input")[:, 0] == 1).all()
    np.testing.assert_array_equal(insp.matrix("W"), t.layers[0].W)
    np.testing.assert_array_equal(insp.matrix("A"), t.layers[0].A)
    insp.show_stage(("update", 1))
    np.testing.assert_array_equal(insp.matrix("update"), w.latest.weights[0] - t.layers[0].W)
    insp.set_one_observation(True)  # one observation: vectors
    insp.set_selected_row(4)
    insp.show_stage(("forward", 1))
    assert insp.matrix("input").shape == (1, 5)
    np.testing.assert_array_equal(insp.matrix("input")[0], t.layers[0].input[4])


def test_selecting_a_row_selects_the_observation_everywhere(make_window, qtbot):
    w = make_window()
    w.step(1)
    wait_iteration(qtbot, w, 1)
    w.predictions.setCurrentIndex(0)
    view = w.predictions.table
    view.selectRow(7)
    # the selection goes to the runner, whose next snapshot carries the row's values
    qtbot.waitUntil(lambda: w.latest.selected_row == 7 and w.network_view.selected_row == 7
                    and w.inspector.selected_row == 7, timeout=5000)
    w.network_view.set_mode("activations")
    vals = w.network_view.node_values()
    out = w.network_view.node_keys.index(("n", 3, 1))
    assert vals[out] == w.latest.outputs[7, 1]


def test_gradient_mode_shows_dC_dw(make_window, qtbot):
    w = make_window()
    w.step(1)
    wait_iteration(qtbot, w, 1)
    nv = w.network_view
    nv.set_mode("gradient")
    g = nv.edge_values()
    t = w.latest.trace
    expected = np.concatenate([(-lt.gradient).ravel() for lt in t.layers])
    assert np.allclose(np.sort(g), np.sort(expected))
    vals = nv.node_values()
    out = nv.node_keys.index(("n", 3, 2))
    assert vals[out] == t.layers[2].delta[0, 2]


def test_edge_card_formula_and_weight_edit(make_window, qtbot):
    w = make_window()
    w.step(1)
    wait_iteration(qtbot, w, 1)
    w.view.open_edge_card(1, 0, 2)  # the bias of hidden-2 neuron 3
    card = w.edge_card
    t = w.latest.trace
    lt = t.layers[1]
    g = lt.gradient[0, 2]
    assert card.value.text() == repr(float(w.latest.weights[1][0, 2]))
    assert f"{lt.W[0, 2] + 0.02 * g:.6g}" in card.formula.text()
    assert abs(float(card.gradient.text()) + g) < 1e-9
    card.edit.setText("1.5")
    card._apply()
    qtbot.waitUntil(lambda: w.latest.weights[1][0, 2] == 1.5, timeout=10_000)
    w.step(1)
    wait_iteration(qtbot, w, 2)
    e = Experiment(Settings())
    e.session.run(1)
    e.network.weights[1][0, 2] = 1.5
    e.session.run(1)
    for a, b in zip(w.latest.weights, e.network.weights):
        assert np.array_equal(a, b)
    card.edit.setText("abc")
    card._apply()
    assert "not a number" in card.problem.text()
    card.close()
