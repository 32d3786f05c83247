"""Adding an activation and an update rule touches one place each: a toy softsign and a toy
Adam, registered here as the README's "How to add an activation / an update rule" says,
train with the NumPy engine (run, step trace, states) exactly as a plain loop written out
below; the numba kernel, which does not know them, refuses them in one line and "auto" takes
NumPy."""

import math

import numpy as np
import pytest

from nnviz.core import activations, kernel, updates
from nnviz.core.network import Architecture, Network
from nnviz.core.training import TrainConfig, TrainingSession

B1, B2, EPS = 0.9, 0.999, 1e-8


def _softsign(A, out, tmp):
    np.abs(A, out=tmp)
    tmp += 1.0
    np.divide(A, tmp, out=out)


def _softsign_deriv(A, H, out):
    np.abs(A, out=out)
    out += 1.0
    np.multiply(out, out, out=out)
    np.reciprocal(out, out=out)


class Adam(updates.UpdateRule):
    """Adam (Kingma and Ba) on g = -dJ/dW: each weight's own count t for the bias correction."""

    name = "adam"
    memory = (("adam_m", 0.0), ("adam_v", 0.0), ("adam_t", 0.0))

    def step(self, g, lr, config, memory, step):
        m, v, t = memory["adam_m"], memory["adam_v"], memory["adam_t"]
        m *= B1
        m += (1 - B1) * g
        v *= B2
        v += (1 - B2) * g * g
        t += 1.0
        np.divide(m, 1 - B1 ** t, out=step)
        step *= lr
        step /= np.sqrt(v / (1 - B2 ** t)) + EPS


@pytest.fixture
def toys():
    """softsign and adam registered for one test, the registries as they were after it."""
    saved = (dict(activations.ACTIVATIONS), activations.HIDDEN_ACTIVATIONS, activations.OUTPUT_ACTIVATIONS,
             dict(updates.UPDATE_RULES), updates.ALGORITHMS)
    activations.register(activations.Activation("softsign", _softsign, _softsign_deriv, "a / (1 + |a|)",
                                                "1 / (1 + |a|)^2"))
    updates.register(Adam())
    yield
    activations.ACTIVATIONS.clear()
    activations.ACTIVATIONS.update(saved[0])
    activations.HIDDEN_ACTIVATIONS, activations.OUTPUT_ACTIVATIONS = saved[1], saved[2]
    updates.UPDATE_RULES.clear()
    updates.UPDATE_RULES.update(saved[3])
    updates.ALGORITHMS = saved[4]


def _plain(X, Y, weights, lr, iterations):
    """softsign hidden layers, a sigmoid output, sse, full batch, Adam: written out plainly."""
    W = [w.copy() for w in weights]
    m = [np.zeros_like(w) for w in W]
    v = [np.zeros_like(w) for w in W]
    for t in range(1, iterations + 1):
        inputs, A, H = [], [], X
        for li, w in enumerate(W):
            inp = np.hstack([np.ones((H.shape[0], 1)), H])
            a = inp @ w
            H = a / (1 + np.abs(a)) if li < len(W) - 1 else 1 / (1 + np.exp(-a))
            inputs.append(inp)
            A.append(a)
        delta = (Y - H) * H * (1 - H)
        for li in range(len(W) - 1, -1, -1):
            g = inputs[li].T @ delta  # -dC/dW
            if li:
                delta = (delta @ W[li][1:].T) / (1 + np.abs(A[li - 1])) ** 2
            m[li] = B1 * m[li] + (1 - B1) * g
            v[li] = B2 * v[li] + (1 - B2) * g * g
            W[li] = W[li] + lr * (m[li] / (1 - B1 ** t)) / (np.sqrt(v[li] / (1 - B2 ** t)) + EPS)
    return W


def _problem():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(30, 3))
    Y = rng.integers(0, 2, size=(30, 2)).astype(float)
    arch = Architecture(3, (5, 4), 2, ("softsign",))
    return X, Y, arch, Network.random(arch, rng)


def test_a_registered_activation_and_rule_train_with_the_numpy_engine(toys):
    X, Y, arch, net = _problem()
    start = [w.copy() for w in net.weights]
    s = TrainingSession(net, X, Y, TrainConfig(lr=0.01, algorithm="adam"), engine="numpy")
    s.run(1)
    trace = s.step_trace()  # the second update, its matrices from the definitions
    lt = trace.layers[0]
    np.testing.assert_allclose(lt.H, lt.A / (1 + np.abs(lt.A)), rtol=1e-15)
    np.testing.assert_allclose(lt.fprime, 1 / (1 + np.abs(lt.A)) ** 2, rtol=1e-15)
    s.run(98)
    for got, want in zip(s.net.weights, _plain(X, Y, start, 0.01, 100), strict=True):
        np.testing.assert_allclose(got, want, rtol=0, atol=1e-12)
    # the rule's memory is part of the state: a restored state goes on bit for bit
    state = s.get_state()
    assert {"adam_m", "adam_v", "adam_t"} <= set(state) and (state["adam_t"] == 100).all()
    s.run(20)
    after = s.net.params.copy()
    s.set_state(state)
    s.run(20)
    assert np.array_equal(s.net.params, after)


def test_the_kernel_refuses_what_it_does_not_know_in_one_line(toys):
    X, Y, arch, net = _problem()
    for cfg, what in [(TrainConfig(lr=0.01), "softsign"), (TrainConfig(lr=0.01, algorithm="adam"), "softsign")]:
        with pytest.raises(ValueError, match=what) as info:
            TrainingSession(net.copy(), X, Y, cfg, engine="numba")
        assert "\n" not in str(info.value) and "--engine numpy" in str(info.value)
        assert TrainingSession(net.copy(), X, Y, cfg).engine == "numpy"  # auto
    sigmoid_net = Network.random(Architecture(3, (4,), 2), np.random.default_rng(1))
    with pytest.raises(ValueError, match="no adam update rule") as info:
        TrainingSession(sigmoid_net, X, Y, TrainConfig(algorithm="adam"), engine="numba")
    assert "\n" not in str(info.value)
    if kernel.AVAILABLE:  # a numba session told to go on with adam refuses it, and keeps its settings
        s = TrainingSession(sigmoid_net.copy(), X, Y, TrainConfig(), engine="numba")
        with pytest.raises(ValueError, match="no adam update rule"):
            s.reconfigure(TrainConfig(algorithm="adam"))
        assert s.config.algorithm == "gd"


def test_a_rule_registered_after_a_session_was_made_gets_its_memory(toys):
    X, Y, arch, net = _problem()
    updates.UPDATE_RULES.pop("adam")
    s = TrainingSession(net, X, Y, TrainConfig(lr=0.01), engine="numpy")
    assert "adam_m" not in s.memory
    updates.register(Adam())
    s.reconfigure(TrainConfig(lr=0.01, algorithm="adam"))
    assert math.isfinite(s.run(5).mse[-1]) and (s.memory["adam_t"] == 5).all()


def test_the_registries_are_as_they_were():
    assert "softsign" not in activations.ACTIVATIONS and "adam" not in updates.UPDATE_RULES
    assert activations.HIDDEN_ACTIVATIONS == ("sigmoid", "tanh", "relu")
    assert updates.ALGORITHMS == ("gd", "rprop+", "rprop-")
