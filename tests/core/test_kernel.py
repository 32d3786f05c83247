"""The compiled engine (numba) against the NumPy engine; float32; BLAS threads.

The NumPy loop in training.py is the reference: the numba kernel must give the
same weights to 1e-12 after 1,000 iterations for every activation, output/loss
pair and algorithm, stop at the same iteration on a threshold or a divergence,
and its micro-steps (step_trace) must be bit for bit one run(1).
"""

import numpy as np
import pytest

from nnviz.core import blas, kernel
from nnviz.core.experiment import Experiment, Settings
from nnviz.core.network import Architecture, Network
from nnviz.core.timeline import MicroSteps, Timeline
from nnviz.core.training import TrainConfig, TrainingSession

needs_numba = pytest.mark.skipif(not kernel.AVAILABLE, reason="numba is not installed")


def _problem(arch, n=40, seed=0):
    """Inputs and targets that fit the output activation (as in test_gradients)."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, arch.n_inputs))
    if arch.output_activation == "softmax":
        Y = np.eye(arch.n_outputs)[rng.integers(0, arch.n_outputs, n)]
    elif arch.output_activation == "linear":
        Y = rng.normal(size=(n, arch.n_outputs))
    else:
        Y = rng.integers(0, 2, size=(n, arch.n_outputs)).astype(float)
    return X, Y


def _pair(arch, config, seed=0, n=40, dtype="float64"):
    """A NumPy-engine and a numba-engine session on the same data and start weights."""
    X, Y = _problem(arch, n, seed)
    start = Network.random(arch, np.random.default_rng(seed))
    return [TrainingSession(start.copy(), X, Y, config, np.random.default_rng(seed + 7), engine=e, dtype=dtype)
            for e in ("numpy", "numba")]


def _assert_same_run(a, b, n, atol=1e-12, mse_rtol=1e-10):
    ra, rb = a.run(n), b.run(n)
    assert (ra.iterations, ra.stopped) == (rb.iterations, rb.stopped)
    np.testing.assert_allclose(rb.mse, ra.mse, rtol=mse_rtol, atol=0)
    np.testing.assert_allclose(b.net.params, a.net.params, rtol=0, atol=atol)
    assert a.iteration == b.iteration and a._pos == b._pos
    return ra


@needs_numba
@pytest.mark.parametrize("act", ["sigmoid", "tanh", "relu"])
@pytest.mark.parametrize("out,loss", [("sigmoid", "sse"), ("linear", "sse"), ("sigmoid", "ce"), ("softmax", "ce")])
def test_engines_agree_for_every_activation_and_loss(act, out, loss):
    arch = Architecture(3, (5, 4), 3, (act,), out, loss)
    # a learning rate small enough not to oscillate: oscillation amplifies a 1e-16 difference
    a, b = _pair(arch, TrainConfig(lr=0.001 if out == "linear" else 0.005))
    _assert_same_run(a, b, 1000)


@needs_numba
@pytest.mark.parametrize("cfg", [
    dict(lr=0.02),
    dict(lr=0.01, momentum=0.9),
    dict(lr=0.02, batch_size=7),  # 40 rows: five batches of 7 and one of 5 per epoch
    dict(lr=0.02, batch_size=16, momentum=0.5),
    dict(algorithm="rprop+"),
    dict(algorithm="rprop-"),
], ids=lambda c: ",".join(f"{k}={v}" for k, v in c.items()))
def test_engines_agree_for_every_algorithm(cfg):
    arch = Architecture(4, (6, 5), 2, ("tanh", "sigmoid"), "sigmoid", "sse")
    a, b = _pair(arch, TrainConfig(**cfg), seed=3)
    for n in (1, 300, 699):  # in pieces: the mini-batch position carries over between calls
        _assert_same_run(a, b, n)
    assert a.iteration == 1000
    np.testing.assert_allclose(b.velocity, a.velocity, rtol=0, atol=1e-12)
    np.testing.assert_allclose(b.rprop_steps, a.rprop_steps, rtol=0, atol=1e-12)


@needs_numba
def test_engines_agree_on_iris_without_hidden_layers_and_with_three():
    for hidden in [(), (5, 4, 3)]:
        runs = [Experiment(Settings(data="iris", hidden=hidden, algorithm="rprop+", seed=2, engine=e))
                for e in ("numpy", "numba")]
        _assert_same_run(runs[0].session, runs[1].session, 1000, atol=1e-11)


@needs_numba
@pytest.mark.parametrize("batch", [None, 3])
def test_threshold_stops_both_engines_at_the_same_iteration(batch):
    runs = [Experiment(Settings(data="toy", lr=0.5, threshold=0.01, batch_size=batch, seed=1, engine=e))
            for e in ("numpy", "numba")]
    res = _assert_same_run(runs[0].session, runs[1].session, 200_000, atol=1e-10)
    assert res.stopped == "threshold" and 0 < res.iterations < 200_000
    for e in runs:  # after the stop both go on the same way (the unused batch is used next)
        e.session.reconfigure(TrainConfig(lr=0.5, batch_size=batch))
    _assert_same_run(runs[0].session, runs[1].session, 5, atol=1e-10)


@needs_numba
def test_divergence_is_detected_and_rolled_back_identically():
    kw = dict(data="iris", activation=("relu",), output_activation="linear", lr=0.5, seed=1)
    runs = [Experiment(Settings(**kw, engine=e)) for e in ("numpy", "numba")]
    res = [e.session.run(5000) for e in runs]
    assert res[0].stopped == res[1].stopped == "diverged"
    assert res[0].iterations == res[1].iterations and res[0].message == res[1].message
    assert np.isfinite(runs[1].network.params).all()
    np.testing.assert_allclose(runs[1].network.params, runs[0].network.params, rtol=1e-9, atol=1e-9)


@needs_numba
@pytest.mark.parametrize("kw", [
    {},
    {"batch_size": 100, "momentum": 0.9},  # 150 rows: batches of 100 (two blocks) and 50
    {"algorithm": "rprop+"},
    {"algorithm": "rprop-", "hidden": (7, 5, 4), "activation": ("relu",)},
    {"output_activation": "softmax", "loss": "ce", "activation": ("tanh",)},
])
def test_step_trace_is_run_one_bit_for_bit(kw, monkeypatch):
    monkeypatch.setattr(kernel, "BLOCK_FLOATS", 2000)  # several blocks of rows per batch
    monkeypatch.setattr(kernel, "MIN_BLOCK_ROWS", 64)
    a, b = (Experiment(Settings(data="iris", seed=5, engine="numba", **kw)) for _ in range(2))
    assert kernel.block_rows(a.arch.sizes, a.session.batch_size) < a.session.batch_size
    for _ in range(23):
        trace = a.session.step_trace()
        b.session.run(1)
        assert np.array_equal(a.network.params, b.network.params)
        assert np.array_equal(a.session.velocity, b.session.velocity)
        assert np.array_equal(a.session.rprop_steps, b.session.rprop_steps)
        assert a.session._pos == b.session._pos
    # the trace holds the matrices of that iteration, as the NumPy engine computes them
    np.testing.assert_array_equal(trace.layers[0].input[:, 1:], a.session.X1[trace.rows.astype(int), 1:])
    for l, lt in enumerate(trace.layers):
        np.testing.assert_allclose(lt.A, lt.input @ lt.W, rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(lt.gradient, lt.input.T @ lt.delta, rtol=1e-12, atol=1e-12)
        np.testing.assert_array_equal(lt.update, a.network.weights[l] - lt.W)
        if l + 1 < len(trace.layers):
            np.testing.assert_array_equal(trace.layers[l + 1].input[:, 1:], lt.H)
            np.testing.assert_allclose(lt.delta, (trace.layers[l + 1].delta @ trace.layers[l + 1].W[1:].T)
                                       * lt.fprime, rtol=1e-12, atol=1e-15)
    np.testing.assert_array_equal(trace.error, trace.Y - trace.Yhat)


@needs_numba
def test_trace_matrices_equal_the_numpy_engines():
    a, b = (Experiment(Settings(data="iris", seed=5, batch_size=32, engine=e)) for e in ("numpy", "numba"))
    for _ in range(6):  # into the second epoch
        ta, tb = a.session.step_trace(), b.session.step_trace()
    assert np.array_equal(ta.rows, tb.rows)
    assert tb.mse == pytest.approx(ta.mse, rel=1e-13) and tb.cost == pytest.approx(ta.cost, rel=1e-13)
    for la, lb in zip(ta.layers, tb.layers):
        for name in ("input", "W", "A", "H", "fprime", "delta", "gradient", "update"):
            np.testing.assert_allclose(getattr(lb, name), getattr(la, name), rtol=1e-12, atol=1e-14,
                                       err_msg=name)


@needs_numba
def test_micro_steps_and_timeline_replay_are_exact_under_numba():
    e = Experiment(Settings(data="spiral", batch_size=24, momentum=0.8, seed=4, engine="numba"))
    tl = Timeline(capacity=6, keep_recent=2)
    tl.record(e.session)
    params = {0: e.network.params.copy()}
    for i in range(1, 61):
        if i % 3:
            e.session.run(1)
        else:
            micro = MicroSteps(e.session)
            while not micro.done:
                micro.advance()
            micro.finish(e.session)
        params[i] = e.network.params.copy()
        if i % 10 == 0:
            tl.record(e.session)
    for it in (0, 1, 9, 33, 59, 60):
        assert np.array_equal(tl.state_at(e.session, it)["params"], params[it]), it
    e.session.set_state(tl.state_at(e.session, 21))
    e.session.run(39)
    assert np.array_equal(e.network.params, params[60])


@needs_numba
@pytest.mark.parametrize("arch", [
    Architecture(3, (5, 4), 3, ("tanh",), "softmax", "ce"),
    Architecture(4, (6, 5, 4), 2, ("tanh", "sigmoid", "relu"), "sigmoid", "sse"),
    Architecture(3, (4,), 2, ("sigmoid",), "linear", "sse"),
    Architecture(3, (4,), 2, ("sigmoid",), "sigmoid", "ce"),
], ids=str)
def test_numba_gradient_matches_finite_differences(arch):
    from nnviz.core import losses

    X, Y = _problem(arch, n=9, seed=1)
    Y = np.clip(Y, 0.05, 0.95) if arch.output_activation == "sigmoid" else Y
    net = Network.random(arch, np.random.default_rng(1))
    start = net.params.copy()
    s = TrainingSession(net, X, Y, TrainConfig(lr=1e-3), engine="numba")
    assert s.engine == "numba"
    grad = -np.concatenate([lt.gradient.ravel() for lt in s.step_trace().layers])  # dC/dW
    probe, h = Network(arch, start.copy()), 1e-5
    numeric = np.empty_like(start)
    for i in range(start.size):
        probe.params[i] = start[i] + h
        up = losses.cost(arch.loss, Y, probe.predict(X), arch.output_activation)
        probe.params[i] = start[i] - h
        down = losses.cost(arch.loss, Y, probe.predict(X), arch.output_activation)
        probe.params[i] = start[i]
        numeric[i] = (up - down) / (2 * h)
    rel = np.abs(grad - numeric) / np.maximum(np.abs(grad) + np.abs(numeric), 1e-3)
    assert rel.max() < 1e-6


@pytest.mark.parametrize("engine", ["numpy", pytest.param("numba", marks=needs_numba)])
def test_float32_trains_in_both_engines_close_to_float64(engine):
    runs = {dt: Experiment(Settings(data="iris", seed=3, batch_size=50, momentum=0.5, engine=engine, dtype=dt))
            for dt in ("float64", "float32")}
    s32 = runs["float32"].session
    assert s32.X1.dtype == np.float32 and s32.net.params.dtype == np.float64 and s32.dtype == "float32"
    res = {dt: e.session.run(300) for dt, e in runs.items()}
    # the rest of the app sees float64 weights that are exactly the float32 working weights
    assert np.array_equal(s32.net.params, s32.net.params.astype(np.float32))
    np.testing.assert_allclose(runs["float32"].network.params, runs["float64"].network.params, rtol=0, atol=2e-4)
    np.testing.assert_allclose(res["float32"].mse, res["float64"].mse, rtol=1e-3)
    assert runs["float32"].evaluate().accuracy == runs["float64"].evaluate().accuracy


@needs_numba
def test_float32_engines_agree():
    """Not bit for bit: numba rounds some float32 steps from float64 (1 / (1 + exp(-a)), say)."""
    arch = Architecture(4, (6, 5), 3, ("tanh", "relu"), "softmax", "ce")
    a, b = _pair(arch, TrainConfig(lr=0.01, batch_size=20), dtype="float32")
    _assert_same_run(a, b, 500, atol=1e-4, mse_rtol=1e-3)


@pytest.mark.parametrize("engine", ["numpy", pytest.param("numba", marks=needs_numba)])
def test_float32_state_round_trip_and_clone_are_exact(engine):
    """'Exact' for float32: states are float64 copies of the float32 working values, so
    restoring one, or a clone, continues bit for bit as the uninterrupted run."""
    e = Experiment(Settings(data="iris", seed=6, batch_size=40, momentum=0.9, engine=engine, dtype="float32"))
    e.session.run(25)
    state = e.session.get_state()
    for key in ("params", "velocity", "rprop_steps", "rprop_old"):
        assert state[key].dtype == np.float64
        assert np.array_equal(state[key], state[key].astype(np.float32).astype(np.float64))
    twin = e.session.clone()
    assert (twin.engine, twin.dtype) == (engine, "float32")
    e.session.run(30)
    after = e.network.params.copy()
    twin.run(30)
    assert np.array_equal(twin.net.params, after)
    e.session.set_state(state)
    e.session.run(30)
    assert np.array_equal(e.network.params, after)
    # an edited weight (float64) is taken in at the next run, rounded to float32
    e.network.weights[0][1, 2] = 0.1
    e.session.run(1)
    assert np.array_equal(e.network.params, e.network.params.astype(np.float32))


def test_engine_numpy_when_asked_and_errors_for_bad_choices(monkeypatch):
    e = Experiment(Settings(data="toy", engine="numpy"))
    assert e.session.engine == "numpy" and e.session.clone().engine == "numpy"
    auto = Experiment(Settings(data="toy"))
    assert auto.session.engine == ("numba" if kernel.AVAILABLE else "numpy")
    for kw, text in [(dict(engine="cuda"), "unknown engine 'cuda'"), (dict(dtype="float16"), "unknown dtype")]:
        with pytest.raises(ValueError, match=text):
            Experiment(Settings(data="toy", **kw))
    monkeypatch.setattr(kernel, "AVAILABLE", False)
    assert Experiment(Settings(data="toy")).session.engine == "numpy"
    with pytest.raises(ValueError, match="numba") as info:
        Experiment(Settings(data="toy", engine="numba"))
    assert "\n" not in str(info.value)


@needs_numba
def test_auto_takes_numpy_for_iterations_too_big_for_the_kernel_to_win(monkeypatch):
    from nnviz.core import blas
    from nnviz.core.data import Dataset
    from nnviz.core.training import AUTO_NUMPY_MACS, resolve_engine

    assert resolve_engine("auto", AUTO_NUMPY_MACS - 1) == "numba"
    assert resolve_engine("auto", AUTO_NUMPY_MACS) == "numpy"
    assert resolve_engine("numba", 10 * AUTO_NUMPY_MACS) == "numba"  # asked for: kept
    rng = np.random.default_rng(0)
    X = rng.normal(size=(1000, 400))
    ds = Dataset("wide", X, np.eye(3)[rng.integers(0, 3, 1000)], tuple(f"p{i}" for i in range(400)),
                 ("a", "b", "c"), "classes")
    big = Experiment(Settings(data="wide", hidden=(256, 256)), dataset=ds)
    assert blas.work(big.session) >= AUTO_NUMPY_MACS and big.session.engine == "numpy"
    # the same network on mini-batches makes small iterations: the kernel
    small = Experiment(Settings(data="wide", hidden=(256, 256), batch_size=32), dataset=ds)
    assert small.session.engine == "numba"
    # the window keeps the kernel at any size: only it can cut an iteration short for a command
    assert resolve_engine("auto", 10 * AUTO_NUMPY_MACS, interruptible=True) == "numba"
    assert Experiment(Settings(data="wide", hidden=(256, 256)), dataset=ds,
                      interruptible=True).session.engine == "numba"


@needs_numba
def test_fast_exp_is_within_one_ulp_of_numpy():
    rng = np.random.default_rng(0)
    x = np.concatenate([rng.uniform(-745.2, 709.8, 200_000), rng.uniform(-3, 3, 20_000),
                        [-800, -745.2, -745.1, -708.5, -1e-300, 0, 1e-300, 709.78, 709.79, 710, 1e308,
                         np.inf, -np.inf, np.nan]])
    got = np.empty_like(x)
    _exp_all(x, got)
    with np.errstate(over="ignore", invalid="ignore"):
        ref = np.exp(x)
        assert np.array_equal(np.isnan(got), np.isnan(ref))
        finite = np.isfinite(ref) & (ref > 0)
        ulp = np.abs(got[finite] - ref[finite]) / np.spacing(ref[finite])
    assert ulp.max() <= 1.0
    assert np.array_equal(got[~finite & ~np.isnan(ref)], ref[~finite & ~np.isnan(ref)])  # 0 and inf exactly


def _exp_all(x, out):
    """kernel.fast_exp over x (it is inlined into compiled callers only)."""
    import numba

    @numba.njit
    def run(x, out):
        for i in range(x.size):
            out[i] = kernel.fast_exp(x[i])

    run(x, out)


def test_blas_threads_are_chosen_and_scoped(monkeypatch):
    monkeypatch.setattr(blas, "others_busy", lambda: False)  # measured even when the test machine is loaded
    e = Experiment(Settings(data="iris"))
    assert e.session.blas_threads == 1  # a small network: one thread (the measured rule)
    before = blas.max_threads()
    with blas.limited(1):
        assert blas.max_threads() == 1
    assert blas.max_threads() == before
    e.session.run(3)
    assert blas.max_threads() == before  # run() leaves the setting as it found it
    rng = np.random.default_rng(0)
    engines = ["numpy"] + (["numba"] if kernel.AVAILABLE else [])
    for engine in engines:  # a big network: measured, whichever engine runs it
        big = TrainingSession(Network.random(Architecture(256, (256,), 10), rng), rng.normal(size=(600, 256)),
                              rng.uniform(size=(600, 10)), TrainConfig(lr=1e-4), engine=engine)
        blas._choices.clear()
        measured = []
        original = blas._measure
        try:
            blas._measure = lambda session, counts, measured=measured, original=original: measured.append(counts) or original(session, counts)
            blas.MEASURE_FROM, saved = 1, blas.MEASURE_FROM
            assert big.blas_threads in (1, before)
        finally:
            blas._measure, blas.MEASURE_FROM = original, saved
        assert measured == ([(1, before)] if before > 1 else [])
        assert big.clone().blas_threads == big.blas_threads


# -- interrupt: a command from the window is taken within a block of rows ------------------

@pytest.mark.parametrize("engine", ["numpy", pytest.param("numba", marks=needs_numba)])
@pytest.mark.parametrize("batch", [None, 7])
def test_an_interrupt_set_before_the_call_does_nothing_and_loses_nothing(engine, batch):
    arch = Architecture(3, (5, 4), 2)
    X, Y = _problem(arch, 30)
    cfg = TrainConfig(lr=0.05, batch_size=batch)
    start = Network.random(arch, np.random.default_rng(1))
    a, b = (TrainingSession(start.copy(), X, Y, cfg, np.random.default_rng(2), engine=engine) for _ in range(2))
    a.run(5)
    before = a.get_state()
    flag = np.ones(1, dtype=np.int64)
    res = a.run(50, flag)
    assert (res.iterations, res.stopped) == (0, None)
    assert a.iteration == 5
    np.testing.assert_array_equal(a.net.params, before["params"])
    flag[0] = 0
    a.run(45, flag)
    b.run(50)  # as if never interrupted
    np.testing.assert_array_equal(a.net.params, b.net.params)


@needs_numba
def test_an_interrupt_from_another_thread_stops_a_long_call_with_exact_weights():
    import threading

    arch = Architecture(20, (64, 64), 5)
    X, Y = _problem(arch, 3000)
    start = Network.random(arch, np.random.default_rng(3))
    cfg = TrainConfig(lr=0.001)
    a, b = (TrainingSession(start.copy(), X, Y, cfg, np.random.default_rng(4), engine="numba") for _ in range(2))
    flag = np.zeros(1, dtype=np.int64)
    out = []

    def in_thread(work):  # OpenBLAS may round differently in another thread: compare like with like
        t = threading.Thread(target=work)
        t.start()
        return t

    in_thread(lambda: a.run(1)).join()
    t = in_thread(lambda: out.append(a.run(10**8, flag)))
    threading.Event().wait(0.2)
    flag[0] = 1
    t.join(120)
    assert not t.is_alive() and out[0].iterations < 10**8
    done = out[0].iterations
    assert a.iteration == done + 1 and out[0].mse.size == done
    in_thread(lambda: b.run(done + 1)).join()  # the interrupted call kept exactly the iterations it finished
    np.testing.assert_array_equal(a.net.params, b.net.params)


def test_blocks_are_short_enough_for_an_interrupt_on_big_networks():
    iris = kernel.block_rows((4, 6, 6, 3), 150)
    assert iris == 150  # small networks: the whole batch in one block, as before
    assert kernel.block_rows((64, 128, 64, 10), 1797) == kernel.MIN_BLOCK_ROWS
    big = kernel.block_rows((784, 256, 256, 10), 10_000)
    macs = 785 * 256 + 257 * 256 + 257 * 10
    assert big >= kernel.MIN_WORK_ROWS and big * macs <= max(kernel.BLOCK_MACS, kernel.MIN_WORK_ROWS * macs)
