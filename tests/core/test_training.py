"""Training: the fast loop against the plain reference, the post's runs, rprop, stopping, divergence."""

import numpy as np
import pytest

from nnviz.core.experiment import Experiment, Settings
from nnviz.core.network import Architecture, Network
from nnviz.core.reference import train_reference
from nnviz.core.training import TrainConfig, TrainingSession


def _iris_session(**cfg):
    e = Experiment(Settings(data="iris", seed=1, **cfg))
    return e


@pytest.mark.parametrize("act", ["sigmoid", "tanh", "relu"])
def test_fast_loop_equals_plain_reference(act):
    e = Experiment(Settings(data="iris", activation=(act,), seed=4))
    start = [w.copy() for w in e.network.weights]
    W_ref, mse_ref = train_reference(e.X_train, e.Y_train, start, 0.02, 100, hidden_activation=act)
    res = e.session.run(100)
    for a, b in zip(e.network.weights, W_ref):
        np.testing.assert_allclose(a, b, rtol=0, atol=1e-12)
    np.testing.assert_allclose(res.mse, mse_ref, rtol=1e-12)


@pytest.mark.slow
def test_posts_toy_run_reaches_100_percent():
    e = Experiment(Settings(data="toy", hidden=(6, 6), lr=0.02, seed=1))
    res = e.session.run(50_000)
    assert res.iterations == 50_000 and res.stopped is None
    assert e.evaluate().accuracy == 1.0


@pytest.mark.slow
def test_posts_iris_run_reaches_95_percent_and_settles():
    e = Experiment(Settings(data="iris", hidden=(6, 6), lr=0.02, seed=1))
    res = e.session.run(50_000)
    acc = e.evaluate().accuracy
    assert acc >= 0.95
    # the post: the mse settles after about 15,000 iterations
    assert res.mse[15_000:].max() < res.mse[:1000].min()
    assert abs(res.mse[-1] - res.mse[30_000]) < 0.01


def _iterations_to(e, target, cap, chunk=50):
    while e.session.iteration < cap:
        e.session.run(chunk)
        if e.evaluate().accuracy >= target:
            return e.session.iteration
    return None


def test_rprop_plus_reaches_95_percent_in_far_fewer_iterations_than_gd():
    rp = _iterations_to(Experiment(Settings(data="iris", algorithm="rprop+", seed=1)), 0.95, 5000)
    gd = _iterations_to(Experiment(Settings(data="iris", algorithm="gd", seed=1)), 0.95, 50_000, chunk=500)
    assert rp is not None and gd is not None
    assert rp * 5 <= gd, (rp, gd)


def _neuralnet_rprop(X, Y, weights, threshold, stepmax, plus=True):
    """A literal transliteration of neuralnet's rprop(), plus() and minus() on a flat weight vector."""
    shapes = [w.shape for w in weights]
    w = np.concatenate([x.ravel() for x in weights])
    lr = np.full(w.size, 0.1)
    g_old = np.zeros(w.size)

    def unpack(v):
        out, i = [], 0
        for r, c in shapes:
            out.append(v[i:i + r * c].reshape(r, c))
            i += r * c
        return out

    def grads(v):
        W = unpack(v)
        neurons = [np.column_stack([np.ones(len(X)), X])]
        derivs = []
        for M in W:
            a = neurons[-1] @ M
            h = 1 / (1 + np.exp(-a))
            derivs.append(h * (1 - h))
            neurons.append(np.column_stack([np.ones(len(X)), h]))
        net = neurons[-1][:, 1:]
        delta = derivs[-1] * (net - Y)  # err.deriv = x - y
        g = [neurons[-2].T @ delta]
        for l in range(len(W) - 2, -1, -1):
            delta = derivs[l] * (delta @ W[l + 1][1:].T)
            g.insert(0, neurons[l].T @ delta)
        return np.concatenate([x.ravel() for x in g])

    step = 1
    g = grads(w)
    reached = np.abs(g).max()
    while step < stepmax and reached > threshold:
        if plus:
            sg = np.sign(g)
            temp = g_old * sg
            pos, neg = temp > 0, temp < 0
            lr[pos] = np.minimum(lr[pos] * 1.2, 0.1)
            if neg.any():
                w[neg] = w[neg] + g_old[neg] * lr[neg]
                lr[neg] = np.maximum(lr[neg] * 0.5, 1e-10)
                g_old[neg] = 0
                nn = ~neg
                w[nn] = w[nn] - sg[nn] * lr[nn]
                g_old[nn] = sg[nn]
            else:
                w = w - sg * lr
                g_old = sg
        else:
            temp = g_old * g
            lr[temp > 0] = np.minimum(lr[temp > 0] * 1.2, 0.1)
            lr[temp < 0] = np.maximum(lr[temp < 0] * 0.5, 1e-10)
            w = w - np.sign(g) * lr
            g_old = g
        g = grads(w)
        reached = np.abs(g).max()
        step += 1
    return unpack(w), step, reached


@pytest.mark.parametrize("algorithm", ["rprop+", "rprop-"])
def test_rprop_takes_neuralnets_steps(algorithm):
    e = Experiment(Settings(data="iris", hidden=(3,), algorithm=algorithm, threshold=0.05, seed=2))
    start = [w.copy() for w in e.network.weights]
    W_nn, steps, reached = _neuralnet_rprop(e.X_train, e.Y_train, start, 0.05, 20_000, plus=algorithm == "rprop+")
    assert reached <= 0.05, "the reference did not converge: pick another seed"
    res = e.session.run(20_000)
    assert res.stopped == "threshold"
    assert e.session.iteration + 1 == steps  # neuralnet counts the first evaluation as step 1
    for a, b in zip(e.network.weights, W_nn):
        np.testing.assert_allclose(a, b, rtol=0, atol=1e-9)


def test_same_seed_same_result_bit_for_bit():
    runs = []
    for _ in range(2):
        e = Experiment(Settings(data="spiral", batch_size=32, momentum=0.5, seed=9))
        e.session.run(300)
        runs.append(e.network.params.copy())
    assert np.array_equal(runs[0], runs[1])
    other = Experiment(Settings(data="spiral", batch_size=32, momentum=0.5, seed=10))
    other.session.run(300)
    assert not np.array_equal(runs[0], other.network.params)


def test_run_in_pieces_equals_one_run():
    a = Experiment(Settings(data="xor", batch_size=50, momentum=0.9, lr=0.01, seed=3))
    b = Experiment(Settings(data="xor", batch_size=50, momentum=0.9, lr=0.01, seed=3))
    a.session.run(250)
    for n in (1, 7, 100, 142):
        b.session.run(n)
    assert np.array_equal(a.network.params, b.network.params)


def test_warming_the_kernel_up_changes_nothing():
    """warm_up loads the compiled kernel before timed runs; even at the end of an epoch (where
    a run draws the next order) it must leave the weights and the generator alone."""
    s = Settings(data="xor", batch_size=50, momentum=0.9, lr=0.01, seed=3, engine="numba")
    a, b = Experiment(s), Experiment(s)
    epoch = a.session.iterations_per_epoch()
    a.session.run(3 * epoch)
    for _ in range(3):
        b.session.warm_up()
        b.session.run(epoch)  # ends at the end of an epoch
    b.session.warm_up()
    assert b.session.get_state()["iteration"] == 3 * epoch
    assert a.session.rng.bit_generator.state == b.session.rng.bit_generator.state
    assert np.array_equal(a.network.params, b.network.params)
    a.session.run(epoch + 1)
    b.session.run(epoch + 1)
    assert np.array_equal(a.network.params, b.network.params)


def test_the_runner_warms_the_kernel_up_before_training(monkeypatch):
    from recorder import Recorder

    from nnviz.core.runner import Runner
    calls = []
    monkeypatch.setattr(TrainingSession, "warm_up", lambda self: calls.append(self.iteration))
    Runner(Recorder()).configure(Settings(iterations=10))
    assert calls == [0]


def test_mini_batches_and_momentum_learn():
    e = Experiment(Settings(data="circles", batch_size=20, momentum=0.9, lr=0.01, seed=1))
    before = e.evaluate().mse
    e.session.run(2000)
    assert e.session.iterations_per_epoch() == 10
    assert e.evaluate().mse < before / 5


def test_threshold_stops_gd():
    e = Experiment(Settings(data="toy", lr=0.5, threshold=0.01, seed=1))
    res = e.session.run(200_000)
    assert res.stopped == "threshold"
    assert res.iterations < 200_000
    e.session.step_trace()  # still usable after stopping


def test_divergence_keeps_last_finite_weights():
    e = Experiment(Settings(data="iris", activation=("relu",), output_activation="linear", lr=0.5, seed=1))
    res = e.session.run(5000)
    assert res.stopped == "diverged"
    assert "diverged" in res.message and "learning rate" in res.message
    assert np.isfinite(e.network.params).all()
    assert np.isfinite(e.network.predict(e.X_train)).all()
    assert e.session.iteration == res.iterations
    # replaying the same number of iterations from scratch reproduces those weights
    f = Experiment(Settings(data="iris", activation=("relu",), output_activation="linear", lr=0.5, seed=1))
    f.session.run(res.iterations)
    assert np.array_equal(f.network.params, e.network.params)


def test_bad_configs_raise_one_line_errors():
    for kw, text in [
        (dict(lr=-1), "learning rate"),
        (dict(algorithm="adam"), "unknown algorithm"),
        (dict(momentum=1.5), "momentum"),
        (dict(algorithm="rprop+", batch_size=10), "rprop"),
    ]:
        with pytest.raises(ValueError, match=text):
            TrainConfig(**kw)
    with pytest.raises(ValueError, match="softmax"):
        Architecture(2, (3,), 2, ("sigmoid",), "softmax", "sse")
    with pytest.raises(ValueError, match="ce"):
        Architecture(2, (3,), 2, ("sigmoid",), "linear", "ce")
    with pytest.raises(ValueError, match="activations given"):
        Architecture(2, (3, 3, 3), 2, ("tanh", "relu"))
    with pytest.raises(ValueError, match="NaN"):
        TrainingSession(Network.random(Architecture(1, (), 1), np.random.default_rng(0)),
                        np.array([[np.nan]]), np.array([[1.0]]), TrainConfig())


def test_any_depth_including_none():
    for hidden in [(), (4,), (5, 4, 3, 2)]:
        e = Experiment(Settings(data="iris", hidden=hidden, algorithm="rprop+", seed=1))
        assert len(e.network.weights) == len(hidden) + 1
        assert e.network.weights[0].shape == (5, (hidden or (3,))[0])
        e.session.run(300)
        assert e.evaluate().accuracy > 0.6


def test_weights_drawn_from_uniform_minus_one_one():
    net = Network.random(Architecture(50, (40,), 30), np.random.default_rng(0))
    assert net.params.min() >= -1 and net.params.max() <= 1
    assert net.params.min() < -0.99 and net.params.max() > 0.99


def test_sigmoid_is_stable_for_huge_inputs():
    from nnviz.core.activations import ACTIVATIONS

    with np.errstate(all="raise"):
        out = ACTIVATIONS["sigmoid"](np.array([-1e6, -800.0, 0.0, 800.0, 1e6]))
    np.testing.assert_array_equal(out, [0.0, 0.0, 0.5, 1.0, 1.0])
