"""Regularisation, schedules and early stopping in the window: the controls keep them exactly,
the error plot draws the validation curve and marks the best iteration, the status bar and
the inspector's update line show the current rate and the penalty term with its numbers."""

import numpy as np

from nnviz.core.experiment import Experiment, Settings


def wait_state(qtbot, w, pred, timeout=30_000):
    qtbot.waitUntil(lambda: w.latest is not None and not w.latest.preview and pred(w.latest), timeout=timeout)


def test_controls_keep_the_new_settings_exactly(make_window, qtbot):
    s = Settings(l1=1.25e-5, l2=0.0375, lr_schedule="step:0.5:10000", validation_fraction=0.125, patience=333,
                 iterations=1000)
    w = make_window(s)
    c = w.controls
    assert c.settings() == s
    assert (c.l1.text(), c.l2.text(), c.lr_schedule.text(), c.validation_fraction.text(), c.patience.text()) == \
        ("1.25e-05", "0.0375", "step:0.5:10000", "0.125", "333")
    w.step(40)
    wait_state(qtbot, w, lambda snap: snap.iteration == 40 and snap.state == "paused")
    gen = w.context.generation
    weights = w.latest.weights
    # training settings: the run goes on from the current weights
    for edit, text, field, value in ((c.l2, "0.001", "l2", 0.001), (c.l1, "0", "l1", 0.0),
                                     (c.lr_schedule, "exp:0.999", "lr_schedule", "exp:0.999"),
                                     (c.patience, "50", "patience", 50)):
        edit.setText(text)
        edit.editingFinished.emit()
        wait_state(qtbot, w, lambda snap, f=field, v=value: getattr(snap.settings, f) == v)
        assert w.context.generation == gen and w.latest.iteration == 40
        assert all(np.array_equal(a, b) for a, b in zip(w.latest.weights, weights, strict=True))
    assert w.latest.lr == 0.02 * 0.999 ** 40
    assert "lr now" in w.status.full_text and "exp:0.999" in w.status.full_text
    # the exported model records them
    training = w.exports.current_model().training
    assert (training["l2"], training["lr_schedule"], training["patience"]) == (0.001, "exp:0.999", 50)
    # the validation split is not a training setting: a new one starts a new network
    c.validation_fraction.setText("0.25")
    c.validation_fraction.editingFinished.emit()
    qtbot.waitUntil(lambda: w.context.generation > gen, timeout=10_000)
    assert w.context.settings.validation_fraction == 0.25


def test_bad_new_settings_are_refused_with_one_line(make_window, qtbot):
    w = make_window(validation_fraction=0.2)
    c = w.controls
    for edit, text, message in ((c.l1, "-1", "L1 rate must be between 0"),
                                (c.l2, "x", "L2 rate must be a number"),
                                (c.lr_schedule, "step:0.5", "malformed learning-rate schedule"),
                                (c.lr_schedule, "cosine", "unknown learning-rate schedule"),
                                # the core's bounds, in the same words as the command line's
                                (c.lr_schedule, "step:1e308:1", "step:FACTOR:EVERY needs 0 < FACTOR <= 1"),
                                (c.l2, "1e308", "L2 rate must be between 0 and 1000"),
                                (c.l2, "200", "lr * L2 must be below 2"),
                                (c.patience, "0", "patience must be between 1"),
                                (c.patience, "2.5", "patience must be a whole number"),
                                (c.validation_fraction, "0.95", "validation fraction must be between 0")):
        before = c._base
        edit.setText(text)
        edit.editingFinished.emit()
        assert message in c.problem.text() and "\n" not in c.problem.text(), (text, c.problem.text())
        assert c._base == before
        edit.setText({c.lr_schedule: "constant", c.patience: ""}.get(edit, "0.2" if edit is c.validation_fraction
                                                                            else "0"))
        edit.editingFinished.emit()
        assert c.problem.text() == ""


def test_early_stopping_marks_the_best_iteration_and_draws_the_validation_curve(make_window, qtbot):
    s = Settings(data="iris", validation_fraction=0.2, patience=300, iterations=50_000)
    w = make_window(s)
    w.play()
    wait_state(qtbot, w, lambda snap: snap.state == "finished", timeout=60_000)
    snap = w.latest
    assert snap.stopped == "early_stop" and "stopped: early_stop" in w.status.full_text
    assert "restored the weights of iteration" in w.status.full_text
    # the long message is never cut silently: what does not fit ends in an ellipsis, the
    # tooltip has it all
    shown, fm = w.status.text(), w.status.fontMetrics()
    assert fm.horizontalAdvance(w.status.full_text) > w.status.contentsRect().width(), w.width()
    assert w.status.fontMetrics().horizontalAdvance(shown) <= w.status.contentsRect().width()
    assert shown.endswith("\u2026") and w.status.toolTip() == w.status.full_text
    ref = Experiment(s)
    ref.session.run(snap.best_iteration)
    assert np.array_equal(w.controller.present.weights[0], ref.network.weights[0])
    plot = w.loss_plot
    vx, vy = plot.val_curve.xData, plot.val_curve.yData  # as given (getData is log10 in log mode)
    assert vx[0] == 0 and vx[-1] == snap.stopped_at and vy.min() == snap.best_validation_mse
    bx, by = plot.best_dot.xData, plot.best_dot.yData
    assert list(bx) == [snap.best_iteration] and list(by) == [snap.best_validation_mse]
    assert plot.best_line.isVisible() and plot.best_line.value() == snap.best_iteration
    names = [label.text for _, label in plot.legend.items]
    assert "validation" in names and "best (validation)" in names
    assert "early stop at" not in plot.value_label.text()  # its own wrapped line, never cut
    stop = plot.stop_label
    assert stop.isVisible() and stop.wordWrap()
    assert stop.text() == (f"early stop at {snap.stopped_at:,}: the weights of iteration "
                           f"{snap.best_iteration:,} (best validation mse) are restored")
    assert stop.heightForWidth(stop.width()) <= stop.height()  # all its lines are shown
    tx = plot.train_curve.xData
    assert tx[-1] >= snap.stopped_at - 1  # the iterations after the best stay on the plot
    # training on cuts the curves at the best iteration
    w.step(10)
    wait_state(qtbot, w, lambda sn: sn.iteration == snap.best_iteration + 10 and sn.state == "paused")
    tx = plot.train_curve.xData
    vx = plot.val_curve.xData
    assert tx[-1] == snap.best_iteration + 10 and vx[-1] <= snap.best_iteration + 10


def test_without_a_validation_split_there_is_no_validation_legend(make_window, qtbot):
    w = make_window(iterations=100)
    w.step(30)
    wait_state(qtbot, w, lambda snap: snap.iteration == 30)
    names = [label.text for _, label in w.loss_plot.legend.items]
    assert "validation" not in names and not w.loss_plot.best_line.isVisible()


def test_inspector_update_line_shows_the_penalty_and_the_scheduled_rate(make_window, qtbot):
    s = Settings(data="iris", l1=0.001, l2=0.01, lr_schedule="inv:0.01", iterations=1000)
    w = make_window(s)
    w.step(20)
    wait_state(qtbot, w, lambda snap: snap.iteration == 20 and snap.state == "paused")
    w.step(1)
    wait_state(qtbot, w, lambda snap: snap.iteration == 21 and snap.trace is not None and snap.state == "paused")
    t = w.latest.trace
    assert t.lr == 0.02 / (1 + 0.01 * 20)
    insp = w.inspector
    eq = insp._update_equation(t, 1)
    assert "0.01 \u00b7 W<sub>2</sub>" in eq and "0.001 \u00b7 sign(W<sub>2</sub>)" in eq
    assert f"lr = {t.lr:.6g}" in eq and "inv:0.01 after 20 iterations" in eq and "bias row not penalised" in eq
    # the update micro-step shows the gradient, the penalty (bias row 0) and the change
    insp.set_one_observation(False)
    for _ in range(8):
        before = w.controller.snapshots_received
        w.commands.micro_step()
        qtbot.waitUntil(lambda b=before: w.controller.snapshots_received > b and w.latest.stage is not None,
                        timeout=10_000)
    assert w.latest.stage == "update"
    assert insp.view == ("update", 1)  # after delta 1 comes the update of W1
    insp.show_stage(("update", 2))
    lt = w.latest.trace.layers[1]
    np.testing.assert_array_equal(insp.matrix("gradient"), lt.gradient)
    np.testing.assert_array_equal(insp.matrix("penalty"), lt.penalty)
    assert (insp.matrix("penalty")[0] == 0).all() and (insp.matrix("penalty")[1:] != 0).all()
    np.testing.assert_array_equal(insp.matrix("update"), lt.update)
    assert "sign(W" in insp.equation.text()


def test_a_saved_session_reopens_with_its_validation_curve_and_settings(make_window, qtbot, tmp_path):
    s = Settings(data="iris", validation_fraction=0.2, patience=5000, l2=0.001, lr_schedule="exp:0.9999",
                 iterations=100_000)
    w = make_window(s)
    w.step(120)
    qtbot.waitUntil(lambda: w.controller.present is not None and w.controller.present.iteration == 120
                    and w.controller.present.train_state is not None, timeout=15_000)
    vx = w.controller.val_history.x.copy()
    vy = w.controller.val_history.y.copy()
    assert list(vx) == [0, 25, 50, 75, 100]
    path = tmp_path / "early.nnviz"
    assert w.sessions.save_session(str(path))
    w2 = make_window()
    assert w2.sessions.open_session(str(path))
    qtbot.waitUntil(lambda: w2.controller.present is not None and w2.controller.present.iteration == 120,
                    timeout=15_000)
    assert w2.controls.settings() == s
    got = w2.controller.val_history
    assert list(got.x[:5]) == list(vx) and np.array_equal(got.y[:5], vy)
    assert got.x[-1] == 120  # measured again where the session starts
    w2.step(30)
    qtbot.waitUntil(lambda: w2.controller.present.iteration == 150 and w2.controller.present.state == "paused",
                    timeout=15_000)
    ref = Experiment(s)
    ref.session.run(150)
    assert np.array_equal(w2.controller.present.weights[0], ref.network.weights[0])
