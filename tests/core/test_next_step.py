"""The inspector's "next step": at rest (iteration 0 too) the runner's snapshot carries the trace of
the iteration the next Step will make, computed on a copy.  Checked against a forward and backward
pass written here in plain NumPy, and against the Step that follows."""

from __future__ import annotations

import numpy as np
from recorder import Recorder

from nnviz.core.experiment import Settings
from nnviz.core.runner import Runner

FIELDS = ("input", "W", "A", "H", "fprime", "delta", "gradient", "update")


def make(settings: Settings):
    rec = Recorder()
    runner = Runner(rec)
    runner.configure(settings)
    return runner, rec


def sigmoid(a):
    return 1.0 / (1.0 + np.exp(-a))


def post_step(X, Y, weights, lr):
    """One iteration of the post, written out: A = [1, H] W, H = f(A), delta_y = (y - yhat) f'(A),
    delta_h = (delta W^T without the bias row) f'(A), W += lr [1, H]^T delta."""
    ins, As, Hs = [], [], []
    H = X
    for W in weights:
        inp = np.hstack([np.ones((H.shape[0], 1)), H])
        A = inp @ W
        H = sigmoid(A)
        ins.append(inp)
        As.append(A)
        Hs.append(H)
    deltas = [None] * len(weights)
    deltas[-1] = (Y - Hs[-1]) * Hs[-1] * (1 - Hs[-1])
    for li in range(len(weights) - 2, -1, -1):
        deltas[li] = (deltas[li + 1] @ weights[li + 1][1:].T) * Hs[li] * (1 - Hs[li])
    updates = [lr * ins[li].T @ deltas[li] for li in range(len(weights))]
    return ins, As, Hs, deltas, updates


def assert_same_trace(a, b):
    assert a.iteration == b.iteration and a.mse == b.mse and a.lr == b.lr
    np.testing.assert_array_equal(a.rows, b.rows)
    np.testing.assert_array_equal(a.Yhat, b.Yhat)
    for la, lb in zip(a.layers, b.layers, strict=True):
        for f in FIELDS:
            np.testing.assert_array_equal(getattr(la, f), getattr(lb, f), err_msg=f)


def test_iteration_0_carries_the_start_weights_forward_pass_and_the_first_update():
    runner, rec = make(Settings(data="iris", hidden=(6, 6), iterations=100))
    snap = rec.last
    assert snap.iteration == 0 and snap.trace is None
    nxt = snap.next_trace
    assert nxt is not None and nxt.iteration == 1
    X, Y = runner.exp.X_train, runner.exp.Y_train
    ins, As, Hs, deltas, updates = post_step(X, Y, [np.array(W) for W in snap.weights], 0.02)
    for li, lt in enumerate(nxt.layers):
        np.testing.assert_array_equal(lt.W, snap.weights[li])  # the weights shown, not changed
        np.testing.assert_allclose(lt.input, ins[li], rtol=0, atol=1e-12)
        np.testing.assert_allclose(lt.A, As[li], rtol=0, atol=1e-12)
        np.testing.assert_allclose(lt.H, Hs[li], rtol=0, atol=1e-12)
        np.testing.assert_allclose(lt.delta, deltas[li], rtol=0, atol=1e-12)
        np.testing.assert_allclose(lt.update, updates[li], rtol=0, atol=1e-12)
    np.testing.assert_allclose(nxt.Yhat, snap.outputs, rtol=0, atol=1e-12)  # the table's outputs
    # looking did not train: the session is still at iteration 0 with the start weights
    assert runner.iteration == 0
    for W, shown in zip(runner.exp.network.weights, snap.weights, strict=True):
        np.testing.assert_array_equal(W, shown)


def test_the_next_step_is_exactly_what_step_then_does():
    s = Settings(data="iris", hidden=(5, 4), batch_size=32, momentum=0.5, iterations=100)
    runner, rec = make(s)
    runner.step(3)
    while runner.busy:
        runner.advance()
    for _ in range(3):  # from a mini-batch position with momentum, several Steps in a row
        before = rec.last
        nxt = before.next_trace
        assert nxt is not None and nxt.iteration == before.iteration + 1
        runner.step()
        after = rec.last
        assert after.iteration == nxt.iteration
        assert_same_trace(after.trace, nxt)
        for li, lt in enumerate(nxt.layers):
            np.testing.assert_array_equal(after.weights[li], before.weights[li] + lt.update)


def test_after_a_weight_edit_the_next_step_starts_from_the_edited_weight():
    runner, rec = make(Settings(data="toy", hidden=(6, 6), iterations=100))
    runner.step()
    runner.set_weight(1, 2, 3, 0.75)
    snap = rec.last
    assert snap.trace is None and snap.next_trace is not None
    assert snap.next_trace.layers[1].W[2, 3] == 0.75
    runner.step()
    assert_same_trace(rec.last.trace, snap.next_trace)


def test_a_preview_carries_the_next_step_from_the_iteration_looked_at():
    runner, rec = make(Settings(data="iris", iterations=100))
    runner.step(10)
    while runner.busy:
        runner.advance()
    runner.preview(4)
    snap = rec.last
    assert snap.preview and snap.iteration == 4
    runner.preview(5)
    assert_same_trace(snap.next_trace, rec.last.trace)  # the step from 4 is the one that made 5
    assert runner.iteration == 10


def test_while_training_there_is_no_next_step_and_micro_steps_show_their_own():
    runner, rec = make(Settings(data="iris", iterations=1000))
    runner.play()
    runner.advance()
    live = runner.snapshot()
    assert live.state == "running" and live.next_trace is None
    runner.pause()
    runner.micro_step()
    assert rec.last.next_trace is rec.last.trace  # the iteration being walked through


def test_the_next_step_is_computed_only_when_asked_for():
    runner, rec = make(Settings(data="iris", iterations=100))
    assert rec.last.next_trace is not None  # a runner computes everything until told what is shown
    runner.set_view({"outputs"})  # headless training (nnviz train, sweeps) asks for nothing of it
    assert rec.last.next_trace is None
    runner.step(2)
    while runner.busy:
        runner.advance()
    runner.preview(1)
    assert rec.last.preview and rec.last.next_trace is None
    runner.set_view({"outputs", "next_step"})
    assert rec.last.next_trace is not None and rec.last.next_trace.iteration == 2
