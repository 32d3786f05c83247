"""The engine's gradients against central finite differences, and the post's update."""

import numpy as np
import pytest

from nnviz.core import losses
from nnviz.core.network import Architecture, Network
from nnviz.core.training import TrainConfig, TrainingSession

rng0 = np.random.default_rng(42)


def _problem(arch, n=7, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, arch.n_inputs))
    if arch.output_activation == "softmax":
        Y = np.eye(arch.n_outputs)[rng.integers(0, arch.n_outputs, n)]
    elif arch.output_activation == "linear":
        Y = rng.normal(size=(n, arch.n_outputs))
    else:
        Y = rng.uniform(0.05, 0.95, size=(n, arch.n_outputs))
    return X, Y


def _cost(net, X, Y):
    return losses.cost(net.arch.loss, Y, net.predict(X), net.arch.output_activation)


def _check(arch, seed=0):
    X, Y = _problem(arch, seed=seed)
    net = Network.random(arch, np.random.default_rng(seed))
    start = net.params.copy()
    session = TrainingSession(net, X, Y, TrainConfig(lr=1e-3))
    trace = session.step_trace()
    engine_grad = -np.concatenate([lt.gradient.ravel() for lt in trace.layers])  # dC/dW
    probe = Network(arch, start.copy())
    h = 1e-5
    numeric = np.empty_like(start)
    for i in range(start.size):
        probe.params[i] = start[i] + h
        up = _cost(probe, X, Y)
        probe.params[i] = start[i] - h
        down = _cost(probe, X, Y)
        probe.params[i] = start[i]
        numeric[i] = (up - down) / (2 * h)
    rel = np.abs(engine_grad - numeric) / np.maximum(np.abs(engine_grad) + np.abs(numeric), 1e-3)  # floor: FD round-off dominates below
    assert rel.max() < 1e-6, (arch, rel.max())


@pytest.mark.parametrize("act", ["sigmoid", "tanh", "relu"])
@pytest.mark.parametrize("out,loss", [("sigmoid", "sse"), ("linear", "sse"), ("sigmoid", "ce"), ("softmax", "ce")])
def test_gradient_matches_finite_differences(act, out, loss):
    _check(Architecture(3, (5, 4), 3, (act,), out, loss), seed=1)


def test_gradient_three_hidden_layers_mixed_activations():
    _check(Architecture(4, (6, 5, 4), 3, ("tanh", "sigmoid", "relu"), "sigmoid", "sse"), seed=2)


def test_gradient_no_hidden_layer():
    _check(Architecture(3, (), 2), seed=3)


def test_one_gd_step_is_the_posts_update():
    """W += lr * input^T delta, with the post's deltas, computed here by hand."""
    rng = np.random.default_rng(7)
    X = rng.normal(size=(8, 3))
    Y = rng.integers(0, 2, size=(8, 2)).astype(float)
    arch = Architecture(3, (4,), 2)
    net = Network.random(arch, np.random.default_rng(7))
    W1, W2 = (w.copy() for w in net.weights)
    lr = 0.02

    def f(a):
        return 1 / (1 + np.exp(-a))

    X1 = np.column_stack([np.ones(8), X])
    A1 = X1 @ W1
    H = f(A1)
    Hb = np.column_stack([np.ones(8), H])
    A2 = Hb @ W2
    yhat = f(A2)
    d_y = (Y - yhat) * f(A2) * (1 - f(A2))
    d_h = (d_y @ W2[1:].T) * f(A1) * (1 - f(A1))
    W2_new = W2 + lr * Hb.T @ d_y
    W1_new = W1 + lr * X1.T @ d_h

    TrainingSession(net, X, Y, TrainConfig(lr=lr)).run(1)
    np.testing.assert_allclose(net.weights[0], W1_new, rtol=0, atol=1e-14)
    np.testing.assert_allclose(net.weights[1], W2_new, rtol=0, atol=1e-14)


def test_step_trace_is_consistent():
    rng = np.random.default_rng(3)
    X, Y = rng.normal(size=(10, 4)), rng.uniform(size=(10, 3))
    arch = Architecture(4, (6, 6), 3)
    net = Network.random(arch, rng)
    s = TrainingSession(net, X, Y, TrainConfig(lr=0.05))
    t = s.step_trace()
    assert t.iteration == 1 and s.iteration == 1
    for l, lt in enumerate(t.layers):
        np.testing.assert_array_equal(lt.input[:, 0], 1.0)
        np.testing.assert_allclose(lt.A, lt.input @ lt.W, atol=1e-14)
        np.testing.assert_allclose(lt.update, net.weights[l] - lt.W, atol=0)
        np.testing.assert_allclose(lt.update, 0.05 * lt.gradient, atol=1e-15)
        np.testing.assert_allclose(lt.gradient, lt.input.T @ lt.delta, atol=1e-14)
        assert not lt.W.flags.writeable
    np.testing.assert_allclose(t.error, t.Y - t.Yhat)
    np.testing.assert_allclose(t.layers[1].input[:, 1:], t.layers[0].H)
