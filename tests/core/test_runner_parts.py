"""The runner's parts, each without a Runner (issue 25, "the runner in parts").

Early stopping decides on hand-made validation curves; the derived fields equal an independent
forward pass; the traces are made once, when due; the history replays exactly; new settings,
a new seed and an edited weight change what they should and nothing else; a track's moves equal
plain training; a snapshot is made from any object that declares a run."""

from __future__ import annotations

from dataclasses import replace
from types import SimpleNamespace

import numpy as np
import pytest

from nnviz.core import reference
from nnviz.core.context import State, new_context
from nnviz.core.derive import NEEDS, derive, known
from nnviz.core.early_stop import EarlyStopping, run_in_pieces, validation_every
from nnviz.core.experiment import Experiment, Settings
from nnviz.core.history import History
from nnviz.core.pace import PACE_SLACK, Pace, Schedule
from nnviz.core.progress import Progress
from nnviz.core.reconfigure import keeps_weights, rebuilt, reseeded, retrain
from nnviz.core.snapshot_maker import SnapshotMaker
from nnviz.core.track import Track
from nnviz.core.traces import Traces
from nnviz.core.training import RunResult, TrainingSession
from nnviz.core.weight_edit import set_weight, weight_problem

SMALL = Settings(data="iris", hidden=(4,), engine="numpy", iterations=1_000)
TWO_INPUTS = Settings(data="xor", hidden=(3,), engine="numpy", iterations=1_000)


def weights_after(settings: Settings, iterations: int) -> list[np.ndarray]:
    """The weights of a fresh run of ``iterations``, trained in one go (the yardstick)."""
    exp = Experiment(settings)
    exp.session.run(iterations)
    return [W.copy() for W in exp.network.weights]


def same_weights(a, b) -> bool:
    return len(a) == len(b) and all(np.array_equal(x, y) for x, y in zip(a, b, strict=True))


# -- early stopping ----------------------------------------------------------------------

def curve(early: EarlyStopping, points) -> None:
    for it, mse in points:
        early.add(it, mse)


def test_early_stopping_decides_on_a_hand_made_validation_curve():
    early = EarlyStopping()
    curve(early, [(0, 1.0), (25, 0.5), (50, 0.4), (75, 0.45), (100, 0.41)])
    assert early.best == (50, 0.4)
    assert not early.out_of_patience(75)  # the last point is 50 after the best
    assert early.out_of_patience(50) and not early.out_of_patience(None)
    early.add(125, 0.4)  # a tie keeps the earlier best
    assert early.best == (50, 0.4) and early.out_of_patience(75)
    assert early.stop(125) == (50, 0.4)
    assert [p[0] for p in early.points] == [0, 25, 50] and early.stopped_at == 125
    assert "restored the weights of iteration 50" in early.message(75) and "stopped at 125" in early.message(75)
    assert early.leave() and not early.leave() and early.new == []


def test_going_back_forgets_the_points_after_and_the_best_is_the_lowest_left():
    early = EarlyStopping()
    curve(early, [(0, 1.0), (25, 0.3), (50, 0.3), (75, 0.2)])
    early.truncate(60)
    assert early.best == (25, 0.3) and [p[0] for p in early.points] == [0, 25, 50]
    early.truncate(10)
    assert early.best == (0, 1.0)
    early.truncate(-1)
    assert early.best is None and not early.out_of_patience(1)


def test_the_points_go_out_once_and_only_where_wanted():
    early = EarlyStopping()
    assert early.wants(0) and early.wants(50, every=25) and not early.wants(30, every=25)
    calls = []
    early.measure(0, lambda: calls.append(0) or 0.9)
    early.measure(0, lambda: calls.append(1) or 0.8)  # one already there: not measured again
    assert calls == [0]
    fields = early.fields(measured=True)
    assert list(fields["val_iterations"]) == [0] and fields["best_iteration"] == 0
    again = early.fields(measured=True)
    assert len(again["val_iterations"]) == 0 and again["best_validation_mse"] == 0.9
    assert early.fields(measured=False)["val_mse"] is None


class CountingSession:
    """Enough of a TrainingSession for run_in_pieces: iterations of a made-up mse."""

    def __init__(self, stop_at: int | None = None):
        self.iteration, self.asked, self.stop_at = 0, [], stop_at

    def run(self, n, interrupt=None):
        self.asked.append(n)
        if self.stop_at is not None and self.iteration + n >= self.stop_at:
            done = self.stop_at - self.iteration
            self.iteration += done
            return RunResult(done, np.ones(done), "threshold", "reached")
        self.iteration += n
        return RunResult(n, np.ones(n))


def test_run_in_pieces_ends_each_piece_where_a_point_is_due_and_stops_when_told():
    session = CountingSession()
    session.iteration = 10
    seen = []
    res = run_in_pieces(session, 100, None, 25, lambda: seen.append(session.iteration) or False)
    assert res.iterations == 100 and session.asked == [15, 25, 25, 25, 10] and seen == [25, 50, 75, 100]
    session = CountingSession()
    res = run_in_pieces(session, 100, None, 25, lambda: session.iteration == 50)
    assert (res.iterations, res.stopped) == (50, "early_stop")
    session = CountingSession(stop_at=30)
    res = run_in_pieces(session, 100, None, 25, lambda: False)
    assert (res.iterations, res.stopped, len(res.mse)) == (30, "threshold", 30)


def test_early_stopping_runs_an_experiment_exactly_as_one_run_and_validates_where_due():
    settings = Settings(data="iris", hidden=(4,), engine="numpy", validation_fraction=0.2, patience=10_000)
    exp = Experiment(settings)
    early = EarlyStopping()
    early.validate(exp)
    res = early.run(exp, 120)
    every = validation_every(exp.session.n, None)
    assert res.iterations == 120 and res.stopped is None and every == 25
    assert [p[0] for p in early.points] == [0, 25, 50, 75, 100]
    assert same_weights(exp.network.weights, weights_after(settings, 120))
    twin = Experiment(settings)
    twin.session.run(100)
    assert early.points[-1] == (100, twin.validation_mse())
    early.validate(exp, due_only=True)  # 120 is not a multiple of 25
    assert len(early.points) == 5
    early.validate(exp)
    assert early.points[-1] == (120, exp.validation_mse())


def test_without_a_validation_split_nothing_is_measured():
    exp = Experiment(SMALL)
    early = EarlyStopping()
    early.validate(exp)
    assert early.run(exp, 30).iterations == 30 and early.points == [] and early.best is None


# -- derived fields ----------------------------------------------------------------------

def plain_forward(weights, X):
    """The forward pass written out (the post's R): ones column, multiply, sigmoid."""
    H = X
    for W in weights:
        H = reference.sigmoid(np.column_stack([np.ones(len(H)), H]) @ W)
    return H


def test_derived_fields_equal_an_independent_forward_pass():
    exp = Experiment(TWO_INPUTS)
    exp.session.run(50)
    ctx = new_context(1, exp)
    W = [w.copy() for w in exp.network.weights]
    out = derive(exp.network, exp, ctx, NEEDS, selected_row=2)
    Yhat = plain_forward(W, exp.X_train)
    assert np.allclose(out["outputs"], Yhat, rtol=0, atol=1e-12)
    assert np.isclose(out["mse"], np.mean((exp.Y_train - Yhat) ** 2), rtol=1e-12)
    assert all(np.array_equal(a, b) for a, b in zip(out["weights"], W, strict=True))
    grid = ctx.map_grid
    expect = plain_forward(W, grid.points)[:, -1].reshape(grid.size, grid.size)
    assert np.allclose(out["map_values"], expect, rtol=0, atol=1e-12)
    hidden = reference.sigmoid(np.concatenate([[1.0], exp.X_train[2]]) @ W[0])
    assert np.allclose(out["node_values"][1], hidden, rtol=0, atol=1e-12)
    assert not out["outputs"].flags.writeable


def test_derived_fields_are_only_what_is_asked():
    exp = Experiment(SMALL)
    ctx = new_context(1, exp)
    few = derive(exp.network, exp, ctx, frozenset())
    assert "confusion" not in few and "node_values" not in few and "node_hists" not in few
    many = derive(exp.network, exp, ctx, frozenset({"confusion", "nodes"}))
    Yhat = plain_forward(exp.network.weights, exp.X_train)
    expect = np.zeros((3, 3), dtype=int)
    np.add.at(expect, (exp.Y_train.argmax(axis=1), Yhat.argmax(axis=1)), 1)
    assert np.array_equal(many["confusion"], expect)
    assert known({"map", "nonsense", "importance"}) == frozenset({"map", "importance"})


# -- traces ------------------------------------------------------------------------------

@pytest.fixture
def counted(monkeypatch):
    """How many iterations were traced (TrainingSession.step_trace calls)."""
    calls = []
    original = TrainingSession.step_trace

    def step_trace(self, *a, **kw):
        calls.append(self.iteration)
        return original(self, *a, **kw)

    monkeypatch.setattr(TrainingSession, "step_trace", step_trace)
    return calls


def test_a_deferred_trace_is_made_once_when_due(monkeypatch, counted):
    monkeypatch.setattr("nnviz.core.traces.TRACE_NOW_MACS", 0)  # every network is big
    exp = Experiment(SMALL)
    exp.session.run(7)
    history = History()
    history.begin(exp.session)
    traces = Traces()
    traces.defer, traces.delay = True, 0.5
    traces.rest(exp.session, history.timeline, generation=3, now=10.0)
    assert counted == [] and traces.last is None and traces.due == (3, 7)
    assert traces.wait(10.2) == pytest.approx(0.3) and traces.wait(11.0) == 0.0
    assert not traces.take_due(3, 8)  # the present moved on: that trace is not made
    assert traces.due is None and counted == []
    traces.rest(exp.session, history.timeline, generation=3, now=10.0)
    assert traces.take_due(3, 7) and not traces.take_due(3, 7)  # taken once


def test_a_trace_at_rest_is_the_replay_of_the_last_iteration(counted):
    exp = Experiment(SMALL)
    history = History()
    history.begin(exp.session)
    exp.session.run(5)
    traces = Traces()
    traces.rest(exp.session, history.timeline, generation=1, now=0.0, wanted=False)
    assert traces.last is None and counted == []
    traces.rest(exp.session, history.timeline, generation=1, now=0.0)
    assert counted == [4] and traces.last is not None  # replayed from iteration 4 on a copy
    twin = Experiment(SMALL)
    twin.session.run(4)
    assert np.allclose(traces.last.mse, twin.session.step_trace().mse, rtol=0, atol=1e-15)


def test_the_next_steps_trace_is_made_once_per_state(counted):
    exp = Experiment(SMALL)
    traces = Traces()
    first = traces.next_step(exp.session, 1, 0)
    assert traces.next_step(exp.session, 1, 0) is first and counted == [0]
    assert exp.session.iteration == 0  # made on a copy
    exp.session.run(1)
    assert traces.next_step(exp.session, 1, 0) is not first and counted == [0, 1]
    traces.next_step(exp.session, 2, 0)  # another network (generation): made again
    assert len(counted) == 3


# -- the pace's schedule ----------------------------------------------------------------

def test_a_schedule_allows_what_the_pace_has_made_due_one_at_a_time_up_to_the_frame_rate():
    free = Schedule()
    assert free.allowed(500, 3.0, 0, 30.0) == 500 and free.wait(3.0, 0) == 0.0
    assert not free.every_iteration(0, 30.0)
    slow = Schedule(Pace(10.0))  # 10 iterations a second: below the frame rate
    slow.follow(100.0, 0)
    assert slow.allowed(50, 100.0, 0, 30.0) == 0 and slow.wait(100.0, 0) == pytest.approx(0.1)
    assert slow.allowed(50, 100.45, 0, 30.0) == 1 and slow.every_iteration(0, 30.0)  # 4 due, one at a time
    fast = Schedule(Pace(1_000.0, start_rate=1_000.0))
    fast.follow(0.0, 0)
    assert fast.allowed(50, 0.02, 0, 30.0) == 20 and fast.allowed(5, 0.02, 0, 30.0) == 5
    assert not fast.every_iteration(0, 30.0)
    fast.ran(0.5, 400)  # 100 behind, 0.1 s: within the slack, the debt stays
    assert fast.since == (0.0, 0)
    fast.ran(PACE_SLACK + 1.0, 400)  # far behind: followed from here, no debt
    assert fast.since == (PACE_SLACK + 1.0, 400) and fast.allowed(50, PACE_SLACK + 1.0, 400, 30.0) == 0


# -- progress ----------------------------------------------------------------------------

def test_progress_gives_the_curve_and_points_once_and_counts_the_rate():
    p = Progress()
    p.start(100.0)
    p.trained(np.arange(0, 3), np.array([3.0, 2.0, 1.0]), "s")
    p.timed(3, 0.5, 100.0, 101.0)
    xs, ys = p.curve()
    assert list(xs) == [0, 1, 2] and list(ys) == [3.0, 2.0, 1.0] and not xs.flags.writeable
    assert len(p.curve()[0]) == 0
    assert p.fields()["iterations_per_second"] == 3.0 and p.fields()["trained_with"] == "s"
    p.measure(3, lambda: (0.9, None))
    ev = p.evaluations(5, 0.8, None, tested=False)
    assert list(ev["eval_iterations"]) == [3, 5] and ev["eval_test_mse"] is None
    assert len(p.evaluations(5, 0.8, None, tested=False)["eval_iterations"]) == 1  # the present only


def test_progress_evaluates_on_the_whole_training_set():
    exp = Experiment(Settings(data="iris", hidden=(4,), engine="numpy", test_fraction=0.2))
    p = Progress()
    p.evaluate(exp)
    it, mse, test_mse = p.evals[-1]
    Yhat = plain_forward(exp.network.weights, exp.X_train)
    assert it == 0 and np.isclose(mse, np.mean((exp.Y_train - Yhat) ** 2), rtol=1e-12)
    assert np.isclose(test_mse, exp.evaluate().test_mse, rtol=1e-12)


# -- history -----------------------------------------------------------------------------

def test_going_back_replays_exactly_and_forgets_what_came_after():
    exp = Experiment(SMALL)
    history = History()
    history.begin(exp.session)
    exp.session.run(40)
    history.record(exp.session)
    history.go_to(exp.session, 17)
    assert exp.session.iteration == 17 and max(history.timeline.iterations) == 17
    assert same_weights(exp.network.weights, weights_after(SMALL, 17))
    assert history.clamp(-5, 17) == 0 and history.clamp(99, 17) == 17
    history.go_to(exp.session, 30)  # forward too: replayed from the present
    assert same_weights(exp.network.weights, weights_after(SMALL, 30))
    opened = History()  # a run that starts at 30 (an opened session): nothing before it
    opened.begin(exp.session)
    with pytest.raises(ValueError, match="before the first stored state"):
        opened.go_to(exp.session, 12)
    assert exp.session.iteration == 30 and opened.first == 30


def test_an_edited_network_is_an_anchor_and_a_film_replays_across_it():
    exp = Experiment(SMALL)
    history = History()
    history.begin(exp.session)
    exp.session.run(10)
    exp.network.weights[0][0, 0] += 1.0
    history.edited(exp.session)
    edited = [W.copy() for W in exp.network.weights]
    exp.session.run(10)
    history.record(exp.session)
    history.go_to(exp.session, 10)  # the edited weights, not a replay of the first ten iterations
    assert same_weights(exp.network.weights, edited)
    source = history.source(exp)
    assert source.first == 0 and source.present == 10 and source.experiment.session is not exp.session
    assert [s[0] for s in source.states] == [0, 10]


# -- new settings, a new seed, a weight --------------------------------------------------

def test_training_settings_keep_the_weights_and_others_make_a_new_network():
    exp = Experiment(SMALL)
    exp.session.run(20)
    faster = Settings(**{**SMALL.__dict__, "lr": 0.5, "iterations": 5_000})
    assert keeps_weights(exp, faster) and not keeps_weights(None, faster)
    assert not keeps_weights(exp, Settings(**{**SMALL.__dict__, "hidden": (5,)}))
    before = [W.copy() for W in exp.network.weights]
    retrain(exp, faster)
    assert exp.settings is faster and exp.session.config.lr == 0.5 and exp.session.iteration == 20
    assert same_weights(exp.network.weights, before)
    with pytest.raises(ValueError, match="cannot be negative"):
        retrain(exp, Settings(**{**SMALL.__dict__, "iterations": -1}))
    assert exp.settings is faster


def test_a_rebuilt_experiment_keeps_the_rows_of_the_same_data_and_a_reseed_starts_again():
    exp = Experiment(SMALL)
    exp.session.run(20)
    wider = rebuilt(exp, Settings(**{**SMALL.__dict__, "hidden": (5,)}))
    assert wider.dataset is exp.dataset and wider.arch.sizes == (4, 5, 3)
    other = rebuilt(exp, Settings(**{**SMALL.__dict__, "data": "xor"}))
    assert other.dataset is not exp.dataset
    again = reseeded(exp)
    assert again.session.iteration == 0 and same_weights(again.network.weights, weights_after(SMALL, 0))


def test_a_weight_is_set_only_where_there_is_one_and_to_a_number():
    W = [np.zeros((3, 2)), np.zeros((3, 1))]
    assert weight_problem(W, 2, 0, 0, 1.0) == "there is no weight W3[1, 1]"
    assert weight_problem(W, 0, 3, 0, 1.0) == "there is no weight W1[4, 1]"
    assert weight_problem(W, 1, 0, 0, np.inf) == "a weight must be a finite number"
    with pytest.raises(ValueError, match="finite"):
        set_weight(W, 0, 0, 0, np.nan)
    assert not any(w.any() for w in W)
    set_weight(W, 1, 2, 0, 0.25)
    assert W[1][2, 0] == 0.25


# -- a track's moves ---------------------------------------------------------------------

def test_a_tracks_steps_and_stages_are_plain_training():
    track = Track(Experiment(SMALL))
    track.single_step(now=0.0)
    assert track.iteration == 1 and track.traces.last is not None
    assert same_weights(track.exp.network.weights, weights_after(SMALL, 1))
    stages = 0
    while True:
        track.micro_step()
        stages += 1
        if track.micro.done:
            break
    assert stages == len(track.micro.names) and track.iteration == 2
    assert same_weights(track.exp.network.weights, weights_after(SMALL, 2))
    x, y = track.progress.curve()
    assert list(x) == [0, 1] and len(y) == 2
    track.micro_step()  # after the update: the next iteration starts, not yet applied
    assert track.micro.stage == "forward 1" and track.iteration == 2


def test_a_track_goes_back_and_a_chunk_trained_goes_into_its_records():
    track = Track(Experiment(SMALL))
    res = track.early.run(track.exp, 30)
    track.trained(res)
    assert max(track.history.timeline.iterations) == 30 and len(track.progress.curve()[0]) == 30
    track.progress.trained(np.array([30]), np.array([0.1]), SMALL)
    track.go_to(12)
    assert track.iteration == 12 and track.rewound and len(track.progress.curve()[0]) == 0
    assert same_weights(track.exp.network.weights, weights_after(SMALL, 12))
    assert track.traces.last is not None


def test_a_track_restores_the_best_iteration_and_leaves_the_early_stop():
    settings = Settings(data="iris", hidden=(4,), engine="numpy", validation_fraction=0.2, patience=50,
                        lr=50.0)
    track = Track(Experiment(settings))
    res = track.early.run(track.exp, 5_000)
    track.trained(res)
    assert res.stopped == "early_stop"
    best = track.early.best[0]
    message = track.restore_best()
    assert track.iteration == best and f"restored the weights of iteration {best:,}" in message
    assert same_weights(track.exp.network.weights, weights_after(settings, best))
    assert track.leave_early_stop() and track.rewound and not track.leave_early_stop()


def test_a_track_edits_a_weight_and_refuses_a_bad_one():
    track = Track(Experiment(SMALL))
    track.exp.session.run(5)
    track.history.record(track.exp.session)
    with pytest.raises(ValueError, match="no weight"):
        track.edit_weight(7, 0, 0, 1.0)
    assert not track.rewound
    track.edit_weight(0, 0, 0, 2.5)
    assert track.exp.network.weights[0][0, 0] == 2.5 and track.rewound and track.traces.last is None
    track.exp.session.run(3)
    track.history.record(track.exp.session)
    track.go_to(5)
    assert track.exp.network.weights[0][0, 0] == 2.5  # back to the edit, not before it


def test_a_track_on_new_rows_starts_its_run_again_from_the_same_weights():
    from nnviz.core import editing

    track = Track(Experiment(TWO_INPUTS))
    track.exp.session.run(12)
    track.history.record(track.exp.session)
    before = [W.copy() for W in track.exp.network.weights]
    old = track.context
    edited = editing.add_point(editing.as_custom(old.train, old.test), 0.5, 0.5, 1)
    track.set_data(edited)
    assert track.context.data_version == 1 and track.context.generation == old.generation
    assert track.context.train.n == old.train.n + 1 and track.history.first == 12
    assert same_weights(track.exp.network.weights, before) and track.traces.last is None
    with pytest.raises(ValueError, match="same inputs"):
        track.set_data(replace(edited, input_names=("a", "b")))
    assert track.context.data_version == 1


def test_a_diverging_step_forgets_the_states_after_the_last_finite_ones():
    track = Track(Experiment(Settings(data="iris", hidden=(4,), engine="numpy", lr=1e300,
                                      output_activation="linear", activation=("relu",))))
    with pytest.raises(ValueError):
        for _ in range(50):
            track.single_step(now=0.0)
    assert max(track.history.timeline.iterations) == track.iteration


# -- snapshots ---------------------------------------------------------------------------

def test_a_snapshot_is_made_from_anything_that_declares_a_run():
    exp = Experiment(TWO_INPUTS)
    track = Track(exp)
    track.single_step(now=0.0)
    run = SimpleNamespace(track=track, state=State.PAUSED, stopped=None, message="", chunk=1, commands=4,
                          kernel_loading=False, kernel_note="")
    maker = SnapshotMaker()
    maker.view.set({"map", "next_step"})
    snap = maker.present(run)
    assert (snap.iteration, snap.commands, snap.state) == (1, 4, "paused")
    assert np.allclose(snap.outputs, plain_forward(exp.network.weights, exp.X_train), rtol=0, atol=1e-12)
    assert snap.trace is track.traces.last and snap.next_trace is not None and list(snap.new_iterations) == [0]
    before = maker.preview(run, 0)
    assert before.preview and before.iteration == 0 and before.present_iteration == 1
    assert np.array_equal(before.weights[0], weights_after(TWO_INPUTS, 0)[0])


def test_outputs_alone_go_through_the_network_a_block_of_rows_at_a_time(monkeypatch):
    """Without a view that needs every layer (the command line, sweeps), a snapshot computes the
    outputs alone, a block of rows at a time on big data: nnviz train on 1,000,000 rows held 343
    MiB of layer values at its peak.  The outputs, mse and accuracy are those of one pass."""
    from nnviz.core import derive as derivemod

    exp = Experiment(Settings(data="iris", hidden=(5, 4), iterations=10))
    whole = derivemod.derive(exp.network, exp, None, frozenset({"outputs", "nodes"}))
    monkeypatch.setattr(derivemod, "OUTPUT_BLOCK_ROWS", 16)  # 150 rows: ten blocks, the last short
    blocks = derivemod.derive(exp.network, exp, None, frozenset())
    assert np.allclose(blocks["outputs"], whole["outputs"], rtol=0, atol=1e-15)
    assert blocks["outputs"].shape == (150, 3) and not blocks["outputs"].flags.writeable
    assert blocks["mse"] == pytest.approx(whole["mse"], rel=1e-14) and blocks["accuracy"] == whole["accuracy"]
    manual = exp.network.predict(exp.X_train[144:])
    assert np.allclose(blocks["outputs"][144:], manual, rtol=0, atol=1e-15)
