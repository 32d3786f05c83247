"""The optimiser, number by number, against the post's formulas written out here:
momentum and mini-batch reshuffling must be exactly right, not just "the error falls"."""

import numpy as np
import pytest

from nnviz.core.experiment import Experiment, Settings


def sigmoid(a):
    return 1.0 / (1.0 + np.exp(-a))


def gradients(Ws, X, Y):
    """input^T delta for every layer (the post's backward pass, sse, sigmoid everywhere)."""
    inputs, H = [], X
    for W in Ws:
        inp = np.hstack([np.ones((H.shape[0], 1)), H])
        inputs.append(inp)
        H = sigmoid(inp @ W)
    delta = (Y - H) * H * (1 - H)
    grads = [None] * len(Ws)
    for l in range(len(Ws) - 1, -1, -1):
        grads[l] = inputs[l].T @ delta
        if l:
            h = inputs[l][:, 1:]
            delta = (delta @ Ws[l][1:].T) * h * (1 - h)
    return grads


@pytest.mark.parametrize("engine", ["numpy", "auto"])
def test_momentum_is_the_velocity_update(engine):
    s = Settings(momentum=0.9, lr=0.05, iterations=10, engine=engine)
    exp = Experiment(s)
    Ws = [W.copy() for W in exp.network.weights]
    V = [np.zeros_like(W) for W in Ws]
    for _ in range(6):
        for l, g in enumerate(gradients(Ws, exp.X_train, exp.Y_train)):
            V[l] = 0.9 * V[l] + 0.05 * g
            Ws[l] = Ws[l] + V[l]
    exp.session.run(6)
    for W, mine in zip(exp.network.weights, Ws):
        np.testing.assert_allclose(W, mine, rtol=0, atol=1e-12)


@pytest.mark.parametrize("engine", ["numpy", "auto"])
def test_mini_batches_follow_a_fresh_permutation_every_epoch(engine):
    b, n = 40, 150  # 4 batches an epoch: 40, 40, 40, 30
    s = Settings(batch_size=b, lr=0.1, iterations=100, engine=engine)
    exp = Experiment(s)
    rng = np.random.default_rng([s.seed, 3])  # the session's generator (see Experiment)
    Ws = [W.copy() for W in exp.network.weights]
    orders = []
    steps = 0
    while steps < 11:  # almost three epochs
        order = rng.permutation(n)
        orders.append(order)
        for start in range(0, n, b):
            rows = order[start:start + b]
            for l, g in enumerate(gradients(Ws, exp.X_train[rows], exp.Y_train[rows])):
                Ws[l] = Ws[l] + 0.1 * g
            steps += 1
            if steps == 11:
                break
    assert not np.array_equal(orders[0], orders[1])  # reshuffled
    exp.session.run(11)
    for W, mine in zip(exp.network.weights, Ws):
        np.testing.assert_allclose(W, mine, rtol=0, atol=1e-12)


@pytest.mark.parametrize("engine", ["numpy", "auto"])
def test_a_threshold_stop_on_the_last_batch_of_an_epoch_keeps_that_batch(engine):
    """150 rows in batches of 40: 40, 40, 40, 30.  A stop when looking at the 30 must leave
    them to be used next, not skip to a new epoch."""
    from dataclasses import replace

    e = Experiment(Settings(batch_size=40, engine=engine))
    s = e.session
    s.run(3)
    order = s._order.copy()
    s.reconfigure(replace(s.config, threshold=1e9))
    assert s.run(5).stopped == "threshold" and s.iteration == 3
    assert s._pos == 120 and np.array_equal(s._order, order)
    ref = Experiment(Settings(batch_size=40, engine=engine))
    ref.session.run(4)
    s.reconfigure(replace(s.config, threshold=None))
    s.run(1)
    np.testing.assert_array_equal(s.net.params, ref.session.net.params)
