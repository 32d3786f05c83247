"""Both engines against the plain reference (core/reference.py), which shares no code with them.

Every activation, loss, penalty, schedule and algorithm, mini-batches in the engines' seeded
order, and the threshold stop: the weights to 1e-12 in float64, the mse of every update, the
iteration the run stopped at.  And on a network big enough that the numba kernel multiplies
through BLAS (every real-size network does), in float64 and float32.
"""

import numpy as np
import pytest

from nnviz.core import kernel
from nnviz.core.network import Architecture, Network
from nnviz.core.reference import train_reference
from nnviz.core.training import TrainConfig, TrainingSession

needs_numba = pytest.mark.skipif(not kernel.AVAILABLE, reason="numba is not installed")
ENGINES = ["numpy", pytest.param("numba", marks=needs_numba)]


def _problem(arch, n, seed):
    """Inputs and targets that fit the output activation."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, arch.n_inputs))
    if arch.output_activation == "softmax":
        Y = np.eye(arch.n_outputs)[rng.integers(0, arch.n_outputs, n)]
    elif arch.output_activation == "linear":
        Y = rng.normal(size=(n, arch.n_outputs))
    else:
        Y = rng.integers(0, 2, size=(n, arch.n_outputs)).astype(float)
    return X, Y


def _reference(arch, X, Y, start, cfg, iterations, seed):
    """The reference's run of ``cfg`` from the weights ``start``: (weights, mse of each update)."""
    return train_reference(
        X, Y, start.weights, cfg.lr, iterations, list(arch.activations), arch.output_activation,
        loss=arch.loss, algorithm=cfg.algorithm, momentum=cfg.momentum, batch_size=cfg.batch_size,
        rng=np.random.default_rng(seed), l1=cfg.l1, l2=cfg.l2, schedule=cfg.lr_schedule, threshold=cfg.threshold)


def _engine(engine, arch, X, Y, start, cfg, pieces, seed, dtype="float64"):
    """The engine's run in pieces (state carries over between calls): (session, mse, stopped)."""
    s = TrainingSession(start.copy(), X, Y, cfg, np.random.default_rng(seed), engine=engine, dtype=dtype)
    assert s.engine == engine
    mses, stopped = [], None
    for n in pieces:
        res = s.run(n)
        mses.append(res.mse)
        if res.stopped:
            stopped = res.stopped
            break
    return s, np.concatenate(mses), stopped


def _agree(engine, arch, cfg, pieces, seed=0, n=40, atol=1e-12):
    """The engine and the reference make the same updates (to atol) with the same mse values and stop
    at the same iteration; returns the number of updates made."""
    X, Y = _problem(arch, n, seed)
    start = Network.random(arch, np.random.default_rng(seed))
    W_ref, mse_ref = _reference(arch, X, Y, start, cfg, sum(pieces), seed + 7)
    session, mse, stopped = _engine(engine, arch, X, Y, start, cfg, pieces, seed + 7)
    assert session.iteration == mse.size == mse_ref.size
    assert stopped == ("threshold" if mse_ref.size < sum(pieces) else None)
    np.testing.assert_allclose(mse, mse_ref, rtol=1e-10, atol=0)
    for li, (got, want) in enumerate(zip(session.net.weights, W_ref, strict=True)):
        np.testing.assert_allclose(got, want, rtol=0, atol=atol, err_msg=f"weight matrix {li + 1}")
    return mse_ref.size


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("act", ["sigmoid", "tanh", "relu", ("tanh", "relu")], ids=str)
@pytest.mark.parametrize("out,loss", [("sigmoid", "sse"), ("linear", "sse"), ("sigmoid", "ce"), ("softmax", "ce")])
def test_every_activation_and_loss(engine, act, out, loss):
    arch = Architecture(3, (5, 4), 3, act if isinstance(act, tuple) else (act,), out, loss)
    # a rate small enough not to oscillate: oscillation amplifies a difference of 1e-16
    cfg = TrainConfig(lr=0.001 if out == "linear" else 0.005)
    assert _agree(engine, arch, cfg, [1, 299, 700]) == 1000


ALGORITHMS = [
    dict(lr=0.02),
    dict(lr=0.01, momentum=0.9),
    dict(lr=0.02, l2=0.01),
    dict(lr=0.02, l1=0.005),
    dict(lr=0.02, l1=0.002, l2=0.02),
    dict(lr=0.05, lr_schedule="step:0.5:40"),
    dict(lr=0.05, lr_schedule="exp:0.995"),
    dict(lr=0.05, lr_schedule="inv:0.01"),
    dict(lr=0.01, momentum=0.8, l1=0.001, l2=0.01, lr_schedule="inv:0.02"),
    dict(lr=0.02, batch_size=7),  # 40 rows: five batches of 7 and one of 5 an epoch
    dict(lr=0.02, batch_size=16, momentum=0.5, l2=0.01, lr_schedule="step:0.8:25"),
    dict(lr=0.02, batch_size=40),  # a batch of all the rows: the full batch, no order drawn
    dict(algorithm="rprop+"),
    dict(algorithm="rprop-"),
    dict(algorithm="rprop+", l2=0.01),
    dict(algorithm="rprop-", l1=0.001, l2=0.001),
]


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("cfg", ALGORITHMS, ids=lambda c: ",".join(f"{k}={v}" for k, v in c.items()))
def test_every_algorithm_penalty_and_schedule(engine, cfg):
    arch = Architecture(4, (6, 5), 2, ("tanh", "sigmoid"), "sigmoid", "sse")
    # in pieces: the mini-batch position, the schedule's count and the optimiser's memory carry over
    assert _agree(engine, arch, TrainConfig(**cfg), [1, 130, 169], seed=3) == 300


THRESHOLDS = [  # each stops after some hundreds of updates; with a penalty the data's gradient alone
    dict(lr=0.1, threshold=0.03),  # would stop elsewhere (later, or never)
    dict(lr=0.3, threshold=0.01, l2=0.02),
    dict(lr=0.1, threshold=0.02, l1=0.01, momentum=0.5),
    dict(lr=0.5, threshold=0.05, batch_size=13),
    dict(algorithm="rprop+", threshold=0.03),
    dict(algorithm="rprop-", threshold=0.03, l2=0.01),
]


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("cfg", THRESHOLDS, ids=lambda c: ",".join(f"{k}={v}" for k, v in c.items()))
def test_the_threshold_stops_where_the_reference_does(engine, cfg):
    arch = Architecture(2, (3,), 1, ("tanh",), "sigmoid", "sse")
    done = _agree(engine, arch, TrainConfig(**cfg), [1, 1499, 1500], seed=5, n=30)
    assert 100 < done < 3000  # stopped, and not at once


@pytest.mark.parametrize("engine", ENGINES)
def test_the_threshold_is_on_the_penalised_gradient(engine):
    """A threshold between the largest |data gradient| and the largest |penalised gradient|: the
    data alone would stop at once, the penalty keeps training going."""
    arch = Architecture(2, (3,), 1, ("tanh",), "sigmoid", "sse")
    X, Y = _problem(arch, 30, 5)
    start = Network.random(arch, np.random.default_rng(5))
    plain = TrainingSession(start.copy(), X, Y, TrainConfig(lr=0.1), engine="numpy")
    data_max = float(np.abs(np.concatenate([lt.gradient.ravel() for lt in plain.step_trace().layers])).max())
    cfg = TrainConfig(lr=0.1, l2=5.0, threshold=1.01 * data_max)
    W_ref, mse_ref = _reference(arch, X, Y, start, cfg, 1, 0)
    assert mse_ref.size == 1  # the reference did not stop
    s, mse, stopped = _engine(engine, arch, X, Y, start, cfg, [1], 0)
    assert stopped is None and s.iteration == 1
    for got, want in zip(s.net.weights, W_ref, strict=True):
        np.testing.assert_allclose(got, want, rtol=0, atol=1e-12)


# -- a network on which the kernel multiplies through BLAS -------------------------------------

BIG = Architecture(10, (40, 30), 3, ("tanh", "sigmoid"), "softmax", "ce")


def test_the_big_network_takes_the_kernels_blas_path():
    """Every forward and backward product of BIG on 300 rows has at least kernel.BLAS_MIN
    multiply-adds (and is in one block of rows): the path of every real-size network."""
    sizes = BIG.sizes
    assert kernel.block_rows(sizes, 300) == 300
    for a, b in zip(sizes[:-1], sizes[1:], strict=True):
        assert (a + 1) * b * 300 >= kernel.BLAS_MIN


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("cfg", [dict(lr=0.002), dict(lr=0.002, momentum=0.5, l2=0.01), dict(algorithm="rprop+")],
                         ids=lambda c: ",".join(f"{k}={v}" for k, v in c.items()))
def test_a_network_on_the_blas_path_agrees_with_the_reference(engine, cfg):
    assert _agree(engine, BIG, TrainConfig(**cfg), [1, 29], seed=11, n=300) == 30


@pytest.mark.parametrize("engine", ENGINES)
def test_a_network_on_the_blas_path_agrees_with_the_reference_in_float32(engine):
    """float32 against the float64 reference: the same run within float32's rounding."""
    cfg = TrainConfig(lr=0.002, momentum=0.5)
    X, Y = _problem(BIG, 300, 11)
    start = Network.random(BIG, np.random.default_rng(11))
    W_ref, mse_ref = _reference(BIG, X, Y, start, cfg, 30, 0)
    s, mse, _ = _engine(engine, BIG, X, Y, start, cfg, [30], 0, dtype="float32")
    np.testing.assert_allclose(mse, mse_ref, rtol=1e-5, atol=0)
    for got, want in zip(s.net.weights, W_ref, strict=True):
        np.testing.assert_allclose(got, want, rtol=0, atol=1e-5)


# -- settings changed between runs ---------------------------------------------------------

@pytest.mark.parametrize("engine", ENGINES)
def test_momentum_set_to_zero_forgets_the_velocity(engine):
    """Momentum 0.9, then 0 (the post's plain update), then 0.9 again: the velocity starts from
    zero, as in a fresh reference run from those weights, and the old velocity is gone."""
    arch = Architecture(4, (6, 5), 2, ("tanh", "sigmoid"), "sigmoid", "sse")
    X, Y = _problem(arch, 40, 3)
    start = Network.random(arch, np.random.default_rng(3))
    with_momentum, without = TrainConfig(lr=0.05, momentum=0.9), TrainConfig(lr=0.05)
    W = start.weights
    for cfg, n in ((with_momentum, 20), (without, 10), (with_momentum, 20)):
        W, _ = _reference(arch, X, Y, Network.from_weights(arch, W), cfg, n, 0)
    s = TrainingSession(start.copy(), X, Y, with_momentum, engine=engine)
    for cfg, n in ((with_momentum, 20), (without, 10), (with_momentum, 20)):
        s.reconfigure(cfg)
        s.run(n)
    for got, want in zip(s.net.weights, W, strict=True):
        np.testing.assert_allclose(got, want, rtol=0, atol=1e-12)


# -- divergence --------------------------------------------------------------------------------

@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("how", ["one call", "a call ending on the last finite weights", "run(1) at a time",
                                 "step_trace at a time"])
def test_divergence_keeps_the_last_weights_whose_error_is_finite(engine, how):
    """The reference's run says which weights first have an infinite error (those after j updates);
    the session keeps those after j - 1 updates, however its calls cut the run."""
    arch = Architecture(3, (5, 4), 2, ("relu",), "linear", "sse")
    X, Y = _problem(arch, 40, 0)
    start = Network.random(arch, np.random.default_rng(0))
    cfg = TrainConfig(lr=0.2)
    _, mse_ref = _reference(arch, X, Y, start, cfg, 300, 0)
    j = int(np.flatnonzero(~np.isfinite(mse_ref))[0])
    assert 100 < j < 300 and np.isfinite(mse_ref[:j]).all()
    W_last, _ = _reference(arch, X, Y, start, cfg, j - 1, 0)
    s = TrainingSession(start.copy(), X, Y, cfg, engine=engine)
    if how == "one call":
        res = s.run(300)
    elif how == "a call ending on the last finite weights":
        assert s.run(j).stopped is None  # the weights after j updates are finite, their error is not
        res = s.run(300)
    elif how == "run(1) at a time":
        while not (res := s.run(1)).stopped:
            pass
    else:
        with pytest.raises(FloatingPointError, match="kept the last finite weights") as info:
            while True:
                s.step_trace()
        res = None
        assert f"diverged at iteration {j}" in str(info.value)
    if res is not None:
        assert res.stopped == "diverged" and f"diverged at iteration {j}" in res.message
    assert s.iteration == j - 1
    for got, want in zip(s.net.weights, W_last, strict=True):
        np.testing.assert_allclose(got, want, rtol=1e-9, atol=0)
    # and training on from there meets the same infinite error at once
    assert s.run(5).stopped == "diverged" and s.iteration == j - 1


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("pieces", [[12], [1] * 12, [3, 2, 7]], ids=str)
def test_an_update_that_makes_a_weight_infinite_is_not_kept(engine, pieces):
    """Momentum pushes saturated sigmoid weights past the largest float: the error of those weights
    may still be finite (the outputs are 0 or 1), but a weight is not; the session keeps the weights
    before that update, the last finite ones, however the calls cut the run."""
    arch = Architecture(2, (), 1)
    rng = np.random.default_rng(0)
    X, Y = rng.normal(size=(10, 2)), rng.integers(0, 2, size=(10, 1)).astype(float)
    start = Network.random(arch, rng)
    cfg = TrainConfig(lr=1e308, momentum=0.9)
    ref = [_reference(arch, X, Y, start, cfg, k, 0)[0][0] for k in range(12)]
    first_infinite = next(k for k in range(12) if not np.isfinite(ref[k]).all())
    assert first_infinite > 2
    s = TrainingSession(start.copy(), X, Y, cfg, engine=engine)
    done = 0
    for n in pieces:
        res = s.run(n)
        done += res.iterations
        if res.stopped:
            break
    assert res.stopped == "diverged" and s.iteration == done == first_infinite - 1
    np.testing.assert_allclose(s.net.weights[0], ref[first_infinite - 1], rtol=1e-12, atol=0)
