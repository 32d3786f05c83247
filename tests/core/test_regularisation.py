"""L1 / L2 regularisation and learning-rate schedules, in both engines.

The update is W += lr_t * (input^T delta - l2 W - l1 sign(W)) with the bias rows (row 0 of
each matrix) not penalised, lr_t the schedule's rate after t iterations; the tests compute
both independently of the engines, check the penalised gradient against finite
differences, and require the engines to agree and replays to be exact.
"""

import numpy as np
import pytest

from nnviz.core import kernel
from nnviz.core.experiment import Experiment, Settings
from nnviz.core.network import Architecture, Network
from nnviz.core.timeline import MicroSteps, Timeline
from nnviz.core.training import TrainConfig, TrainingSession, parse_schedule, rate_at, schedule_rates

needs_numba = pytest.mark.skipif(not kernel.AVAILABLE, reason="numba is not installed")
ENGINES = ["numpy", pytest.param("numba", marks=needs_numba)]


def _sigmoid(a):
    return 1 / (1 + np.exp(-a))


def _data(n=8, p=3, k=2, seed=7):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(n, p)), rng.integers(0, 2, size=(n, k)).astype(float)


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("l1,l2", [(0.0, 0.05), (0.03, 0.0), (0.02, 0.07)])
def test_one_regularised_step_is_the_formula_computed_by_hand(engine, l1, l2):
    X, Y = _data()
    arch = Architecture(3, (4,), 2)
    net = Network.random(arch, np.random.default_rng(7))
    W1, W2 = (w.copy() for w in net.weights)
    lr = 0.1
    session = TrainingSession(net, X, Y, TrainConfig(lr=lr, l1=l1, l2=l2), engine=engine)
    trace = session.step_trace()
    # by hand: the post's forward and backward pass, then the penalised update
    X1 = np.column_stack([np.ones(8), X])
    H = _sigmoid(X1 @ W1)
    Hb = np.column_stack([np.ones(8), H])
    Yhat = _sigmoid(Hb @ W2)
    d2 = (Y - Yhat) * Yhat * (1 - Yhat)
    d1 = (d2 @ W2[1:].T) * H * (1 - H)
    new = []
    for W, g in ((W1, X1.T @ d1), (W2, Hb.T @ d2)):
        pen = l2 * W + l1 * np.sign(W)
        pen[0] = 0.0  # the bias row is not penalised
        new.append(W + lr * (g - pen))
    for got, want in zip(session.net.weights, new, strict=True):
        np.testing.assert_allclose(got, want, rtol=0, atol=1e-14)
    # the bias rows moved by the data gradient alone
    for W, got, lt in zip((W1, W2), session.net.weights, trace.layers, strict=True):
        np.testing.assert_allclose(got[0] - W[0], lr * lt.gradient[0], rtol=0, atol=1e-15)
        # the trace's penalty term is -(l2 W + l1 sign W) off the bias row, 0 on it
        assert (lt.penalty[0] == 0).all()
        np.testing.assert_array_equal(lt.penalty[1:], -(l2 * W[1:] + l1 * np.sign(W[1:])))
        np.testing.assert_allclose(lt.update, lr * (lt.gradient + lt.penalty), rtol=0, atol=1e-15)
    assert (trace.l1, trace.l2, trace.lr) == (l1, l2, lr)


def test_without_a_penalty_the_trace_has_no_penalty_term():
    X, Y = _data()
    session = TrainingSession(Network.random(Architecture(3, (4,), 2), np.random.default_rng(1)), X, Y,
                              TrainConfig(), engine="numpy")
    assert all(lt.penalty is None for lt in session.step_trace().layers)


def _objective(net, X, Y, l1, l2):
    """1/2 sum (y - yhat)^2 + l2/2 ||W||^2 + l1 ||W||_1 over the weights outside the bias rows."""
    E = Y - net.predict(X)
    nb = np.concatenate([W[1:].ravel() for W in net.weights])
    return 0.5 * float((E * E).sum()) + 0.5 * l2 * float(nb @ nb) + l1 * float(np.abs(nb).sum())


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("act,out", [("sigmoid", "sigmoid"), ("tanh", "linear")])
def test_the_penalised_gradient_matches_finite_differences(engine, act, out):
    arch = Architecture(3, (5, 4), 2, (act,), out, "sse")
    rng = np.random.default_rng(3)
    X = rng.normal(size=(7, 3))
    Y = rng.uniform(0.05, 0.95, size=(7, 2))
    net = Network.random(arch, rng)
    p = net.params
    p[np.abs(p) < 0.05] = 0.3  # |w| well away from 0, where |w| has no derivative
    start = p.copy()
    l1, l2 = 0.03, 0.2
    session = TrainingSession(net, X, Y, TrainConfig(lr=1e-3, l1=l1, l2=l2), engine=engine)
    session.step_trace()
    # the optimiser's gradient, -dJ/dW at the weights before the step (kept in _gtmp)
    engine_grad = -session._gtmp.astype(np.float64)
    probe = Network(arch, start.copy())
    h = 1e-6
    numeric = np.empty_like(start)
    for i in range(start.size):
        probe.params[i] = start[i] + h
        up = _objective(probe, X, Y, l1, l2)
        probe.params[i] = start[i] - h
        down = _objective(probe, X, Y, l1, l2)
        probe.params[i] = start[i]
        numeric[i] = (up - down) / (2 * h)
    rel = np.abs(engine_grad - numeric) / np.maximum(np.abs(engine_grad) + np.abs(numeric), 1e-3)
    assert rel.max() < 1e-6, rel.max()


def test_rprop_follows_the_sign_of_the_penalised_gradient():
    """One weight whose data gradient and penalty pull opposite ways: rprop moves it the way
    of their sum (the penalised gradient), so a strong L2 shrinks it."""
    X, Y = _data(seed=11)
    arch = Architecture(3, (), 2)
    for algorithm in ("rprop+", "rprop-"):
        plain = TrainingSession(Network.random(arch, np.random.default_rng(2)), X, Y,
                                TrainConfig(algorithm=algorithm), engine="numpy")
        w = plain.net.params.copy()
        g = plain.step_trace().layers[0].gradient.ravel()  # -dC/dW
        pen = TrainingSession(Network(arch, w.copy()), X, Y, TrainConfig(algorithm=algorithm, l2=1e3),
                              engine="numpy")
        step = pen.step_trace().layers[0].update.ravel()
        mask = np.ones_like(w)
        mask.reshape(arch.shapes[0])[0] = 0.0
        want = np.sign(g - 1e3 * w * mask)
        assert np.array_equal(np.sign(step), want)
        # at least one weight went against its data gradient because of the penalty
        assert (np.sign(step) != np.sign(g))[mask == 1].any()


@needs_numba
@pytest.mark.parametrize("cfg", [
    dict(lr=0.02, l2=0.01),
    dict(lr=0.02, l1=0.002, l2=0.01, lr_schedule="step:0.5:100"),
    dict(lr=0.01, momentum=0.9, l1=0.01, lr_schedule="inv:0.01"),
    dict(lr=0.02, batch_size=7, l2=0.01, lr_schedule="exp:0.999"),
    dict(algorithm="rprop+", l2=0.01),
    dict(algorithm="rprop-", l1=0.001, l2=0.001),
], ids=lambda c: ",".join(f"{k}={v}" for k, v in c.items()))
@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_engines_agree_with_penalties_and_schedules(cfg, dtype):
    if dtype == "float32" and cfg.get("algorithm", "gd") != "gd":
        pytest.skip("rprop follows signs: in float32 the engines' gradients (rounded apart, see "
                    "test_kernel.test_float32_engines_agree) can differ in sign where they are ~0")
    arch = Architecture(4, (6, 5), 2, ("tanh", "sigmoid"), "sigmoid", "sse")
    X, Y = _data(40, 4, 2, seed=3)
    start = Network.random(arch, np.random.default_rng(3))
    a, b = (TrainingSession(start.copy(), X, Y, TrainConfig(**cfg), np.random.default_rng(10), engine=e, dtype=dtype)
            for e in ("numpy", "numba"))
    atol = 1e-12 if dtype == "float64" else 1e-4
    for n in (1, 300, 699):  # in pieces: the schedule's iteration count carries over between calls
        ra, rb = a.run(n), b.run(n)
        assert ra.iterations == rb.iterations == n
        np.testing.assert_allclose(b.net.params, a.net.params, rtol=0, atol=atol)
    assert a.iteration == b.iteration == 1000


def test_schedules_give_the_documented_rates():
    lr = 0.2
    t = np.array([0, 1, 99, 100, 101, 250, 10_000])
    np.testing.assert_array_equal(schedule_rates(lr, "constant", t), np.full(t.size, lr))
    np.testing.assert_array_equal(schedule_rates(lr, "step:0.5:100", t),
                                  [0.2, 0.2, 0.2, 0.1, 0.1, 0.05, 0.2 * 0.5 ** 100])
    assert schedule_rates(lr, "exp:0.99", np.array([0]))[0] == lr
    assert schedule_rates(lr, "exp:0.99", np.array([3]))[0] == pytest.approx(0.2 * 0.99 ** 3, rel=1e-15)
    np.testing.assert_allclose(schedule_rates(lr, "inv:0.001", t), 0.2 / (1 + 0.001 * t), rtol=1e-15)
    assert rate_at(TrainConfig(lr=lr, lr_schedule="inv:0.5"), 2) == 0.1


@pytest.mark.parametrize("engine", ENGINES)
def test_each_iteration_uses_the_rate_of_its_iteration(engine):
    """gd without momentum: the update is exactly rate(t) * gradient, t = iterations done."""
    e = Experiment(Settings(data="iris", seed=2, lr=0.1, lr_schedule="step:0.5:3", engine=engine))
    for t in range(8):
        trace = e.session.step_trace()
        want = 0.1 * 0.5 ** (t // 3)
        assert trace.lr == want and e.session.iteration == t + 1
        for lt in trace.layers:
            # update = W_after - W_before: rounded once more than want * gradient
            np.testing.assert_allclose(lt.update, want * lt.gradient, rtol=1e-12, atol=1e-15)
    assert e.session.current_lr() == 0.1 * 0.5 ** 2


@pytest.mark.parametrize("engine", ENGINES)
def test_schedules_and_penalties_replay_bit_for_bit(engine):
    """Step back, history and micro-steps replay from stored states: with a schedule (a pure
    function of the iteration) and penalties the replay is the run, bit for bit."""
    s = Settings(data="iris", seed=4, lr=0.05, momentum=0.5, batch_size=32, l1=1e-3, l2=1e-2,
                 lr_schedule="exp:0.995", engine=engine)
    e = Experiment(s)
    tl = Timeline(capacity=4, keep_recent=1)
    states = {}
    for _ in range(40):
        e.session.run(7)
        tl.record(e.session)
        states[e.session.iteration] = e.session.get_state()
    for it in (7, 35, 133, 280):
        got = tl.state_at(e.session, it)
        assert np.array_equal(got["params"], states[it]["params"]), it
        assert np.array_equal(got["velocity"], states[it]["velocity"])
    # a fresh run to an iteration equals the original one
    f = Experiment(s)
    f.session.run(133)
    assert np.array_equal(f.network.params, states[133]["params"])
    # micro-steps: completing the stages gives one run(1)
    g = Experiment(s)
    g.session.run(50)
    micro = MicroSteps(g.session)
    while not micro.done:
        micro.advance()
    micro.finish(g.session)
    h = Experiment(s)
    h.session.run(51)
    assert np.array_equal(g.network.params, h.network.params)
    assert micro.trace.lr == s.lr * 0.995 ** 50


@pytest.mark.parametrize("text,match", [
    ("linear", "unknown learning-rate schedule"),
    ("step:0.5", "malformed"),
    ("step:0.5:abc", "not a number"),
    ("step:0.5:0", "from 1 to 10\\^15"),
    ("step:0.5:2.5", "whole number"),
    ("exp:1.5", "0 < GAMMA <= 1"),
    ("inv:-1", "0 <= K <= 1000"),
    ("exp:nan", "finite"),
])
def test_bad_schedules_are_one_line_errors(text, match):
    with pytest.raises(ValueError, match=match) as info:
        parse_schedule(text)
    assert "\n" not in str(info.value)


def test_bad_rates_and_combinations_are_refused():
    with pytest.raises(ValueError, match="L1 rate must be a number of at least 0"):
        TrainConfig(l1=-0.1)
    with pytest.raises(ValueError, match="L2 rate"):
        TrainConfig(l2=float("nan"))
    with pytest.raises(ValueError, match="schedule goes with --algorithm gd only"):
        TrainConfig(algorithm="rprop+", lr_schedule="exp:0.9")
    TrainConfig(algorithm="rprop+", l1=0.1, l2=0.1)  # penalties do go with rprop
