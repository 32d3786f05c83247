"""The training state machine, driven directly: no Qt, no threads."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
from recorder import Recorder

from nnviz.core.experiment import Experiment, Settings
from nnviz.core.network import Network
from nnviz.core.runner import Runner, State


class FakeClock:
    """Time that moves only when told: each session.run(n) costs ``per_iteration`` * n."""

    def __init__(self):
        self.t = 0.0

    def __call__(self):
        return self.t


def make(settings=None, **kw):
    rec = Recorder()
    runner = Runner(rec, **kw)
    runner.configure(settings or Settings(iterations=200))
    return runner, rec


def run_until_idle(runner, limit=100_000):
    for _ in range(limit):
        if not runner.busy:
            return
        runner.advance()
    raise AssertionError("the runner never came to rest")


def plain_weights(settings: Settings, n: int):
    """The weights after n iterations, from an Experiment run straight through."""
    exp = Experiment(settings)
    exp.session.run(n)
    return [W.copy() for W in exp.network.weights]


def test_configure_gives_a_context_and_a_ready_snapshot():
    runner, rec = make()
    assert len(rec.contexts) == 1 and rec.contexts[0].arch.describe() == "4-6-6-3"
    assert rec.last.state == State.READY == "ready" and rec.last.iteration == 0
    assert not runner.busy


def test_play_runs_to_the_limit_and_matches_a_straight_run():
    s = Settings(iterations=300)
    runner, rec = make(s)
    runner.play()
    run_until_idle(runner)
    assert rec.last.state == "finished" and rec.last.stopped == "max_iterations"
    assert rec.last.iteration == 300
    for W, V in zip(rec.last.weights, plain_weights(s, 300)):
        assert np.array_equal(W, V)
    # the error history arrives complete, in order, across all snapshots
    xs = np.concatenate([sn.new_iterations for sn in rec.snapshots])
    assert np.array_equal(xs, np.arange(300))


def test_new_training_settings_go_on_to_their_own_limit():
    """Running: the iterations left follow the new limit (none left: finished now); finished:
    paused, no longer stopped, so that Play trains on to a raised limit."""
    runner, rec = make(Settings(iterations=100))
    runner.play()
    runner.advance()
    runner.configure(rec.last.settings.with_(iterations=runner.iteration))
    assert not runner.busy and rec.last.state == "finished" and rec.last.stopped == "max_iterations"
    runner.configure(rec.last.settings.with_(iterations=150))
    assert rec.last.state == "paused" and rec.last.stopped is None and rec.last.message == ""
    runner.play()
    run_until_idle(runner)
    assert rec.last.iteration == 150 and rec.last.state == "finished"


def test_step_n_pauses_and_single_step_has_the_trace():
    runner, rec = make()
    runner.step(5)
    run_until_idle(runner)
    assert rec.last.state == "paused" and rec.last.iteration == 5
    assert rec.last.trace is not None and rec.last.trace.iteration == 5
    runner.step(1)
    assert rec.last.iteration == 6 and rec.last.trace.iteration == 6
    assert np.array_equal(rec.last.new_iterations, [5])


def test_micro_steps_complete_to_exactly_one_step():
    s = Settings(iterations=100)
    runner, rec = make(s)
    runner.step(3)
    run_until_idle(runner)
    stages = []
    for _ in range(20):
        runner.micro_step()
        stages.append(rec.last.stage)
        if rec.last.stage == "update":
            break
    assert stages[0] == "forward 1" and stages[-1] == "update"
    assert rec.last.iteration == 4
    for W, V in zip(rec.last.weights, plain_weights(s, 4)):
        assert np.array_equal(W, V)


def test_step_back_and_resume_are_exact():
    s = Settings(iterations=1000)
    runner, rec = make(s)
    runner.step(50)
    run_until_idle(runner)
    runner.step_back()
    assert rec.last.iteration == 49 and rec.last.rewound
    for W, V in zip(rec.last.weights, plain_weights(s, 49)):
        assert np.array_equal(W, V)
    assert rec.last.trace.iteration == 49  # the inspector follows the step back
    runner.resume_from(20)
    assert rec.last.iteration == 20
    runner.step(10)
    run_until_idle(runner)
    for W, V in zip(rec.last.weights, plain_weights(s, 30)):
        assert np.array_equal(W, V)


def test_step_back_to_zero_has_no_trace():
    runner, rec = make()
    runner.step(1)
    runner.step_back()
    assert rec.last.iteration == 0 and rec.last.trace is None


def test_preview_shows_an_earlier_iteration_with_its_own_trace_and_changes_nothing():
    s = Settings(iterations=1000)
    runner, rec = make(s)
    runner.step(100)
    run_until_idle(runner)
    runner.preview(63)
    snap = rec.last
    assert snap.preview and snap.iteration == 63 and snap.present_iteration == 100
    assert snap.trace is not None and snap.trace.iteration == 63
    for W, V in zip(snap.weights, plain_weights(s, 63)):
        assert np.array_equal(W, V)
    net = Network.from_weights(runner.exp.arch, list(snap.weights))
    assert np.array_equal(snap.outputs, net.predict(runner.exp.X_train))
    assert runner.exp.session.iteration == 100
    runner.preview(100)
    assert not rec.last.preview and rec.last.iteration == 100


def test_a_preview_before_a_change_of_settings_shows_the_settings_then():
    s = Settings(iterations=1000, lr=0.02)
    runner, rec = make(s)
    runner.step(50)
    run_until_idle(runner)
    runner.configure(rec.last.settings.with_(lr=0.5))
    runner.step(50)
    run_until_idle(runner)
    assert rec.last.lr == 0.5
    runner.preview(30)
    snap = rec.last
    assert snap.preview and snap.lr == 0.02
    # the inspector's update of iteration 30 is the one made then: W29 + 0.02 * gradient = W30
    nxt = plain_weights(s, 30)
    assert snap.trace is not None and snap.trace.lr == 0.02
    for layer, V in zip(snap.trace.layers, nxt):
        assert np.allclose(layer.W + layer.update, V, rtol=0, atol=1e-15)


def test_the_snapshot_names_the_settings_the_last_iteration_was_trained_with():
    runner, rec = make(Settings(iterations=1000, lr=0.02))
    runner.step(50)
    run_until_idle(runner)
    runner.configure(rec.last.settings.with_(lr=0.5))
    # a run kept now was trained at 0.02: the new rate has made no iteration yet
    assert rec.last.settings.lr == 0.5 and rec.last.trained_with.lr == 0.02
    runner.step(1)
    run_until_idle(runner)
    assert rec.last.trained_with.lr == 0.5


def test_preview_while_running_pauses_first():
    runner, rec = make(Settings(iterations=10_000))
    runner.play()
    runner.advance()
    runner.advance()
    at = runner.iteration
    runner.preview(1)
    assert not runner.busy and rec.last.preview and rec.last.iteration == 1
    assert runner.iteration == at


def test_training_only_change_keeps_the_weights_and_is_in_force_in_snapshots():
    runner, rec = make(Settings(iterations=1000))
    runner.step(30)
    run_until_idle(runner)
    before = rec.last.weights
    runner.configure(rec.last.settings.with_(lr=0.05, algorithm="rprop+"))
    assert len(rec.contexts) == 1  # no new network
    assert rec.last.iteration == 30 and all(np.array_equal(a, b) for a, b in zip(before, rec.last.weights))
    assert rec.last.settings.lr == 0.05 and rec.last.settings.algorithm == "rprop+"
    assert runner.exp.model().training["algorithm"] == "rprop+"


def test_new_architecture_builds_a_new_network_and_relearns_the_chunk():
    runner, rec = make(Settings(iterations=100_000))
    runner.play()
    for _ in range(30):
        runner.advance()
    assert runner.chunk > 1
    runner.configure(rec.last.settings.with_(hidden=(20, 20)))
    assert len(rec.contexts) == 2 and rec.contexts[-1].arch.describe() == "4-20-20-3"
    assert runner.chunk == 1 and rec.last.iteration == 0 and rec.last.state == "ready"


def test_chunks_are_bounded_in_time():
    """With iterations costing 10 ms each, no chunk may hold more than a few of them."""
    clock = FakeClock()
    rec = Recorder()
    runner = Runner(rec, clock=clock, chunk_seconds=0.02)
    runner.configure(Settings(iterations=10_000))
    session = runner.exp.session
    real_run = session.run

    def slow_run(n, *rest):
        clock.t += 0.01 * n
        return real_run(n, *rest)

    session.run = slow_run
    runner.play()
    sizes = []
    for _ in range(30):
        before = runner.iteration
        runner.advance()
        sizes.append(runner.iteration - before)
    assert sizes[0] == 1 and max(sizes) <= 4 and sizes[-1] == 2


def test_chunk_grows_at_most_fourfold():
    clock = FakeClock()
    rec = Recorder()
    runner = Runner(rec, clock=clock, chunk_seconds=0.02)
    runner.configure(Settings(iterations=10_000))
    real_run = runner.exp.session.run

    def fast_run(n, *rest):
        clock.t += 1e-6 * n
        return real_run(n, *rest)

    runner.exp.session.run = fast_run
    runner.play()
    sizes = []
    for _ in range(4):
        before = runner.iteration
        runner.advance()
        sizes.append(runner.iteration - before)
    assert sizes == [1, 4, 16, 64]


def test_snapshots_are_rate_limited_while_running_but_always_after_a_command():
    clock = FakeClock()
    rec = Recorder()
    runner = Runner(rec, clock=clock, emit_seconds=1.0)
    runner.configure(Settings(iterations=10_000))
    runner.play()
    n = len(rec.snapshots)
    for _ in range(5):
        runner.advance()  # the clock does not move: no new snapshot
    assert len(rec.snapshots) == n
    runner.pause()
    assert len(rec.snapshots) == n + 1 and rec.last.state == "paused"
    # the history is complete all the same
    xs = np.concatenate([sn.new_iterations for sn in rec.snapshots])
    assert np.array_equal(xs, np.arange(runner.iteration))


def test_while_training_a_snapshot_comes_every_thirtieth_of_a_second_not_a_chunk_late():
    """Default chunks (1/60 s of work) and snapshot period (1/30 s): a snapshot every second chunk,
    so the window can paint 30 frames a second (20 ms chunks gave one every 40 ms)."""
    clock = FakeClock()
    rec = Recorder()
    runner = Runner(rec, clock=clock)
    runner.configure(Settings(iterations=10_000_000))
    session = runner.exp.session
    real_run = session.run

    def timed_run(n, *rest):  # each chunk takes its planned time, give or take 10%
        clock.t += runner.chunk_seconds * (0.9 + 0.2 * (len(times) % 2))
        return real_run(n, *rest)

    times: list[float] = []
    session.run = timed_run
    runner.play()
    n = len(rec.snapshots)
    for _ in range(60):
        runner.advance()
        if len(rec.snapshots) > n:
            n = len(rec.snapshots)
            times.append(clock.t)
    gaps = np.diff(times)
    assert len(gaps) >= 25
    assert np.all(gaps < 1 / 30 + runner.chunk_seconds / 2) and np.median(gaps) == pytest.approx(1 / 30, rel=0.1)


def test_divergence_keeps_the_last_finite_weights_and_says_so():
    runner, rec = make(Settings(iterations=5000, lr=1e6, output_activation="linear", data="toy"))
    runner.play()
    run_until_idle(runner)
    assert rec.last.stopped == "diverged" and rec.errors and "diverged" in rec.errors[-1]
    assert all(np.isfinite(W).all() for W in rec.last.weights)


@pytest.mark.parametrize("how", ["Step", "Play in chunks of one"])
def test_stepping_into_divergence_keeps_the_weights_a_single_run_keeps(how):
    """Whether the iteration whose weights have an infinite error comes at the start of a Step, or
    of a chunk, the runner ends on the last weights whose error is finite, as one long run does."""
    s = Settings(data="iris", activation=("relu",), output_activation="linear", lr=0.5, seed=1, iterations=5000)
    whole = Experiment(s)
    res = whole.session.run(5000)
    assert res.stopped == "diverged" and res.iterations > 5
    runner, rec = make(s)
    if how == "Step":
        while not rec.errors:
            runner.step(1)
    else:
        runner.chunk_seconds = 0.0  # every chunk one iteration
        runner.play()
        run_until_idle(runner)
        assert rec.last.stopped == "diverged"
    assert "diverged" in rec.errors[-1]
    assert rec.last.iteration == runner.exp.session.iteration == res.iterations
    assert all(np.array_equal(a, b) for a, b in zip(rec.last.weights, whole.network.weights, strict=True))
    assert max(runner.timeline.iterations) == res.iterations  # no state of the infinite error kept


def test_reset_gives_the_seed_weights_again():
    s = Settings(iterations=1000)
    runner, rec = make(s)
    first = rec.last.weights
    runner.step(40)
    run_until_idle(runner)
    runner.reset()
    assert rec.last.iteration == 0 and all(np.array_equal(a, b) for a, b in zip(first, rec.last.weights))


def test_bad_settings_keep_the_network_and_report_one_line():
    runner, rec = make()
    runner.step(5)
    run_until_idle(runner)
    runner.configure(rec.last.settings.with_(lr=-1.0))
    assert rec.errors and "\n" not in rec.errors[-1] and "learning rate" in rec.errors[-1]
    assert rec.last.iteration == 5 and rec.last.settings.lr == "auto"


def test_set_weight_edits_one_weight_and_reports_1_based_names():
    runner, rec = make()
    runner.set_weight(1, 2, 3, 0.5)
    assert rec.last.weights[1][2, 3] == 0.5 and rec.last.rewound
    runner.set_weight(9, 0, 0, 1.0)
    assert "W10[1, 1]" in rec.errors[-1]


def test_derived_data_only_for_what_views_need():
    runner, rec = make(Settings(data="xor", iterations=100))
    runner.set_view({"outputs"}, 0)
    assert rec.last.map_values is None and rec.last.node_values is None
    runner.set_view({"outputs", "map", "nodes", "confusion"}, 7)
    snap = rec.last
    g = rec.contexts[-1].map_grid
    net = Network.from_weights(runner.exp.arch, list(snap.weights))
    assert snap.map_values.shape == (g.size, g.size)
    assert snap.map_values[3, 50] == pytest.approx(net.predict(g.points[3 * g.size + 50][None, :])[0, 1], abs=1e-14)
    layers = net.forward_layers(runner.exp.X_train)
    assert snap.selected_row == 7
    assert np.array_equal(snap.node_values[0], runner.exp.X_train[7])
    for l, (_, _, H) in enumerate(layers, start=1):
        assert np.array_equal(snap.node_values[l], H[7])
    Y = runner.exp.Y_train
    truth, pred = Y.argmax(axis=1), snap.outputs.argmax(axis=1)
    for i in range(2):
        for j in range(2):
            assert snap.confusion[i, j] == int(np.sum((truth == i) & (pred == j)))


def test_node_deltas_follow_the_observation_in_a_mini_batch():
    runner, rec = make(Settings(iterations=1000, batch_size=10))
    runner.set_view({"nodes"}, 49)
    for _ in range(15):  # iterations until row 49 is in the batch of the last step
        runner.step(1)
        t = rec.last.trace
        hits = np.flatnonzero(t.rows == 49)
        if hits.size:
            break
    assert hits.size, "row 49 never came up"
    for l, lt in enumerate(t.layers):
        assert np.array_equal(rec.last.node_deltas[l], lt.delta[hits[0]])
    runner.step(1)
    if not np.any(rec.last.trace.rows == 49):
        assert rec.last.node_deltas is None


def test_opened_history_travels_in_the_context():
    exp = Experiment(Settings(iterations=100))
    exp.session.run(10)
    rec = Recorder()
    runner = Runner(rec)
    runner.adopt(exp, np.arange(10), np.linspace(1, 0.5, 10))
    ctx = rec.contexts[-1]
    assert np.array_equal(ctx.history_x, np.arange(10)) and ctx.history_y.shape == (10,)
    assert rec.last.first_iteration == 10 and rec.last.iteration == 10
    runner.resume_from(0)  # before what was stored: clamped to the first stored iteration
    assert rec.last.iteration == 10


def test_runner_module_imports_no_qt():
    code = "import sys, nnviz.core.runner; print(any(m.startswith('PySide6') for m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


@pytest.mark.parametrize("state", list(State))
def test_states_compare_as_strings(state):
    assert state == state.value


def test_evaluation_points_are_the_whole_training_set_and_the_test_set_at_the_same_iterations():
    s = Settings(iterations=400, batch_size=16, test_fraction=0.2)
    runner, rec = make(s)
    runner.play()
    run_until_idle(runner)
    its = np.concatenate([sn.eval_iterations for sn in rec.snapshots if sn.eval_iterations is not None])
    mse = np.concatenate([sn.eval_mse for sn in rec.snapshots if sn.eval_mse is not None])
    test = np.concatenate([sn.eval_test_mse for sn in rec.snapshots if sn.eval_test_mse is not None])
    assert its.size == mse.size == test.size >= 3 and (np.diff(its) > 0).all() and its[-1] == 400
    for k in (1, its.size // 2, its.size - 1):
        exp = Experiment(s)
        exp.session.run(int(its[k]))
        ev = exp.evaluate()
        assert mse[k] == ev.mse and test[k] == ev.test_mse
    # the per-iteration mse is each mini-batch's: not the whole set's
    batch = np.concatenate([sn.new_mse for sn in rec.snapshots])
    assert batch.size == 400 and batch[int(its[1]) - 1] != mse[1]


@pytest.mark.parametrize("engine, dtype", [("numpy", "float64"), ("auto", "float32")])
def test_changing_engine_or_dtype_goes_on_from_the_same_weights(engine, dtype):
    runner, rec = make(Settings(iterations=1000, engine="auto"))
    runner.step(20)
    run_until_idle(runner)
    before = rec.last.weights
    runner.configure(rec.last.settings.with_(engine=engine, dtype=dtype))
    assert len(rec.contexts) == 1 and rec.last.iteration == 20
    assert all(np.array_equal(a, b) for a, b in zip(before, rec.last.weights))
    assert runner.exp.session.dtype == dtype
    assert runner.exp.session.engine == ("numpy" if engine == "numpy" else "numba")
    runner.step(10)
    run_until_idle(runner)
    assert rec.last.iteration == 30


def test_interrupt_cuts_the_chunk_short_and_training_goes_on():
    rec = Recorder()
    r = Runner(rec)
    r.configure(Settings(iterations=1000))
    r.play()
    r.interrupt()  # e.g. the window sent Pause just now: this chunk does nothing...
    r.advance()
    assert r.iteration == 0 and r.state == "running"
    r.advance()  # ...and the next chunk runs as usual
    assert r.iteration > 0


# -- set_data: training on edited rows ------------------------------------------------------

def _circles_runner(**kw):
    s = Settings(data="circles", hidden=(4,), activation=("tanh",), iterations=10_000, lr=0.05, **kw)
    return make(s)


def test_set_data_trains_on_the_new_rows_from_the_current_weights():
    from nnviz.core import editing
    from nnviz.core.training import TrainingSession

    runner, rec = _circles_runner()
    runner.step(30)
    run_until_idle(runner)
    ctx0, before = rec.contexts[-1], rec.last
    custom = editing.as_custom(ctx0.train, ctx0.test)
    edited = editing.add_point(custom, 0.25, -0.5, 1)  # an orange point in the blue disc
    edited = editing.move_point(edited, 3, 4.0, 4.0)
    edited = editing.delete_point(edited, 7)
    runner.set_data(edited)
    ctx, snap = rec.contexts[-1], rec.last
    assert ctx.generation == ctx0.generation and ctx.data_version == snap.data_version == 1
    assert snap.iteration == 30 and ctx.train.n == 200 and snap.outputs.shape == (200, 2)
    assert np.array_equal(ctx.train.X, edited.X) and np.array_equal(ctx.train.T, edited.T)
    assert np.array_equal(ctx.train.X[3], [4.0, 4.0]) and np.array_equal(ctx.train.T[-1], [0.0, 1.0])
    # the scaling is the original data's: the weights mean what they meant
    assert np.array_equal(ctx.scaling.x_center, ctx0.scaling.x_center)
    for W, V in zip(snap.weights, before.weights):
        assert np.array_equal(W, V)
    # outputs on the new rows, computed independently from the weights and the original scaling
    net = Network.from_weights(ctx.arch, [W.copy() for W in before.weights])
    expected = net.predict((edited.X - ctx0.scaling.x_center) / ctx0.scaling.x_scale)
    assert np.allclose(snap.outputs, expected, rtol=0, atol=1e-12)
    # training goes on from those weights, on those rows
    twin = TrainingSession(net.copy(), (edited.X - ctx0.scaling.x_center) / ctx0.scaling.x_scale, edited.T,
                           Settings(lr=0.05).train_config(), engine="numpy")
    twin.run(20)
    runner.step(20)
    run_until_idle(runner)
    assert rec.last.iteration == 50
    for W, V in zip(rec.last.weights, twin.net.weights):
        assert np.allclose(W, V, rtol=0, atol=1e-12)
    # going back stops at the edit: older iterations were trained on other rows
    assert rec.last.first_iteration == 30


def test_set_data_keeps_a_running_training_running_and_refuses_other_columns():
    from dataclasses import replace

    from nnviz.core import editing

    runner, rec = _circles_runner(test_fraction=0.25)
    runner.play()
    runner.advance()
    ctx0 = rec.contexts[-1]
    custom = editing.as_custom(ctx0.train, ctx0.test)
    edited = editing.add_point(custom, 1.0, 1.0, 0)
    runner.set_data(edited)
    assert runner.state == State.RUNNING and runner.busy
    ctx = rec.contexts[-1]
    assert ctx.train.n == 151 and ctx.test.n == 50  # the new point is a training row
    assert np.array_equal(ctx.test.X, ctx0.test.X)
    for _ in range(3):
        runner.advance()
    assert rec.last.outputs.shape[0] == 151 and rec.last.test_outputs.shape[0] == 50
    assert rec.last.data_version == 1
    n_errors = len(rec.errors)
    runner.set_data(replace(edited, input_names=("a", "b")))
    assert len(rec.errors) == n_errors + 1 and "same inputs" in rec.errors[-1]
    assert rec.contexts[-1] is ctx and rec.last.outputs.shape[0] == 151


def test_reset_and_new_architecture_keep_the_edited_data():
    from nnviz.core import editing

    runner, rec = _circles_runner()
    ctx0 = rec.contexts[-1]
    edited = editing.add_point(editing.as_custom(ctx0.train, ctx0.test), 0.0, 0.0, 1)
    runner.set_data(edited)
    runner.reset()
    assert rec.contexts[-1].dataset is edited and rec.last.outputs.shape[0] == 201
    runner.configure(rec.contexts[-1].settings.with_(hidden=(3,)))
    assert rec.contexts[-1].dataset is edited and rec.contexts[-1].arch.describe() == "2-3-2"


def test_set_data_with_a_validation_split_keeps_every_training_row():
    from nnviz.core import editing

    runner, rec = _circles_runner(test_fraction=0.2, validation_fraction=0.25, patience=10_000)
    runner.step(20)
    run_until_idle(runner)
    ctx0 = rec.contexts[-1]
    assert ctx0.validation is not None and ctx0.train.n + ctx0.validation.n == 160
    custom = editing.as_custom(ctx0.train, ctx0.test, ctx0.validation)
    assert editing.n_train(custom) == 160 and np.array_equal(custom.X[160:], ctx0.test.X)
    runner.set_data(editing.add_point(custom, 0.0, 0.0, 1))
    ctx = rec.contexts[-1]
    assert ctx.train.n + ctx.validation.n == 161 and ctx.test.n == 40
    assert np.array_equal(ctx.test.X, ctx0.test.X)
    runner.step(30)
    run_until_idle(runner)
    assert rec.last.iteration == 50 and rec.last.outputs.shape[0] == ctx.train.n and not rec.errors


def _big_runner(defer: bool, engine: str = "auto"):
    from nnviz.core.data import Dataset

    rng = np.random.default_rng(0)
    X = rng.normal(size=(500, 50))
    ds = Dataset("wide", X, np.eye(3)[rng.integers(0, 3, 500)], tuple(f"p{i}" for i in range(50)),
                 ("a", "b", "c"), "classes")
    rec = Recorder()
    r = Runner(rec)
    r.defer_traces = defer
    r.configure(Settings(data="wide", hidden=(64, 64), iterations=1000, engine=engine), ds)
    return r, rec


def test_a_big_networks_trace_comes_after_the_paused_snapshot_and_equals_the_direct_one():
    r, rec = _big_runner(True)
    ref, ref_rec = _big_runner(False)
    for runner in (r, ref):
        runner.step(3)
        while runner.busy:
            runner.advance()
    direct = ref_rec.snapshots[-1]
    assert direct.state == "paused" and direct.trace is not None
    paused = rec.snapshots[-1]
    assert paused.state == "paused" and paused.iteration == 3 and paused.trace is None  # at once
    assert paused.trace_pending and not direct.trace_pending  # the inspector says it is coming
    assert r.has_work and not r.busy
    r.advance()  # the worker's next tick
    late = rec.snapshots[-1]
    assert late.iteration == 3 and late.trace is not None and not r.has_work
    assert late.trace.mse == direct.trace.mse
    for a, b in zip(late.trace.layers, direct.trace.layers, strict=True):
        np.testing.assert_array_equal(a.delta, b.delta)


def test_a_command_before_the_deferred_trace_takes_precedence():
    r, rec = _big_runner(True)
    r.step(2)
    while r.busy:
        r.advance()
    assert rec.snapshots[-1].trace is None
    r.step_back()  # now at iteration 1: the trace due for iteration 2 must not appear
    n = len(rec.snapshots)
    r.advance()
    assert len(rec.snapshots) == n and rec.snapshots[-1].iteration == 1 and not r.has_work


@pytest.mark.parametrize("engine", ["numba", "numpy"])
def test_a_big_networks_single_step_answers_before_its_trace_with_the_same_numbers(engine):
    r, rec = _big_runner(True, engine)
    ref, ref_rec = _big_runner(False, engine)
    for runner in (r, ref):
        runner.step(1)
        runner.step(1)
    direct = ref_rec.snapshots[-1]
    assert direct.iteration == 2 and direct.trace is not None and direct.trace.iteration == 2
    stepped = rec.snapshots[-1]
    assert stepped.state == "paused" and stepped.iteration == 2 and stepped.trace is None  # at once
    for a, b in zip(stepped.weights, direct.weights, strict=True):
        np.testing.assert_array_equal(a, b)  # run(1) and the traced step: the same arithmetic
    assert stepped.mse == direct.mse
    assert r.has_work
    r.advance()
    late = rec.snapshots[-1]
    assert late.iteration == 2 and late.trace is not None and late.trace.iteration == 2
    assert late.trace.mse == direct.trace.mse
    for a, b in zip(late.trace.layers, direct.trace.layers, strict=True):
        np.testing.assert_array_equal(a.update, b.update)
    # the error history has the iterations' own mse either way
    assert [s.new_mse.tolist() for s in rec.snapshots[1:] if s.new_mse.size] == \
        [s.new_mse.tolist() for s in ref_rec.snapshots[1:] if s.new_mse.size]


def test_a_deferred_trace_waits_for_the_runner_to_rest_and_a_command_before_cancels_it():
    clock = FakeClock()
    r, rec = _big_runner(True)
    r.clock = clock
    r.trace_delay = 0.15
    r.step(1)
    assert rec.last.trace is None and r.has_work and r.trace_wait() == pytest.approx(0.15)
    r.advance()  # not due yet: nothing happens
    assert rec.last.trace is None and r.has_work
    r.step(1)  # a Step right after: it does not wait behind the outdated trace
    assert rec.last.iteration == 2 and rec.last.trace is None
    clock.t += 0.2
    assert r.trace_wait() == 0
    r.advance()
    assert rec.last.iteration == 2 and rec.last.trace is not None and rec.last.trace.iteration == 2
    assert not r.has_work


def test_a_headless_run_replays_no_last_iteration(monkeypatch):
    """nnviz train and sweeps show no inspector: the trace of the last iteration is not made
    (on a 1,000,000-row CSV it took 8 of 14 seconds and most of the 2.1 GB)."""
    from nnviz.core import sweep
    from nnviz.core.training import TrainingSession

    calls = []
    real = TrainingSession.step_trace

    def counted(self, *a, **k):
        calls.append(1)
        return real(self, *a, **k)

    monkeypatch.setattr(TrainingSession, "step_trace", counted)
    snap, stopped = sweep.train_headless(Experiment(Settings(iterations=50)))
    assert stopped == "max_iterations" and snap.iteration == 50
    assert snap.trace is None and calls == []
    # the window's runner (every need) still has it at rest
    runner, rec = make(Settings(iterations=50))
    runner.play()
    run_until_idle(runner)
    assert rec.last.trace is not None and calls


def test_a_kernel_that_takes_long_to_load_is_said_once(monkeypatch):
    """The first run after installing compiles the kernel for 10-30 s: the command line says so."""
    import threading

    from nnviz.core import sweep

    release = threading.Event()

    def slow_warm_up(engine, dtype):
        t = threading.Thread(target=release.wait, args=(5,), daemon=True)
        t.start()
        threading.Timer(2.5, release.set).start()
        return t

    monkeypatch.setattr("nnviz.core.training.warm_up", slow_warm_up)
    monkeypatch.setattr(sweep, "KERNEL_NOTICE_SECONDS", 0.5)
    said = []
    snap, stopped = sweep.train_headless(Experiment(Settings(iterations=5)), on_compile=lambda: said.append(1))
    assert said == [1] and stopped == "max_iterations"
    said.clear()  # a kernel that loads at once (its cache read) is not announced
    monkeypatch.setattr("nnviz.core.training.warm_up", lambda engine, dtype: None)
    sweep.train_headless(Experiment(Settings(iterations=5)), on_compile=lambda: said.append(1))
    assert said == []


def test_a_kernel_still_compiling_shows_the_network_at_once_and_says_so(monkeypatch):
    """The first window after installing waited 13 s for numba's compile with nothing painted (the
    first snapshot computed the next step's matrices with the kernel): now a snapshot of the
    network comes at once without them, a note after KERNEL_NOTICE_SECONDS, and the next step
    once the kernel is there (issue 26 item 4)."""
    import threading

    from nnviz.core import kernel_load

    if not __import__("nnviz.core.kernel", fromlist=["AVAILABLE"]).AVAILABLE:
        pytest.skip("needs numba (the NumPy engine loads nothing)")
    release = threading.Event()

    def slow_warm_up(engine, dtype):
        t = threading.Thread(target=release.wait, args=(10,), daemon=True)
        t.start()
        return t

    monkeypatch.setattr("nnviz.core.training.warm_up", slow_warm_up)
    monkeypatch.setattr(kernel_load, "KERNEL_NOTICE_SECONDS", 0.3)
    rec = Recorder()
    seen = []
    original = rec.on_snapshot

    def on_snapshot(snap):
        seen.append((snap.iteration, snap.next_trace is not None, snap.hint))
        if len(seen) == 2:
            release.set()  # the "compile" ends once the note went out
        original(snap)

    rec.on_snapshot = on_snapshot
    runner = Runner(rec)
    runner.configure(Settings(iterations=200, engine="numba"))
    assert [s[:2] for s in seen] == [(0, False), (0, False), (0, True)], seen
    assert "compiling the training kernel" in seen[1][2] and "compiling" not in seen[0][2] + seen[2][2]
    assert rec.last.weights is not None and not runner.kernel_loading
    # a kernel that is there at once: one snapshot, with the next step
    monkeypatch.setattr("nnviz.core.training.warm_up", lambda engine, dtype: None)
    seen.clear()
    runner.configure(Settings(iterations=200, engine="numba", seed=2))
    assert [s[:2] for s in seen] == [(0, True)], seen
