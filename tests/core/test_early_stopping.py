"""Early stopping on a validation split, driven through the Runner (no Qt)."""

from __future__ import annotations

import numpy as np
import pytest
from recorder import Recorder

from nnviz.core import data as datamod
from nnviz.core.experiment import Experiment, Settings
from nnviz.core.runner import Runner, State, same_network, validation_every

EARLY = Settings(data="iris", seed=1, validation_fraction=0.2, patience=300, iterations=50_000)


def _train(settings: Settings, chunk_seconds: float = 0.02) -> tuple[Runner, Recorder]:
    rec = Recorder()
    runner = Runner(rec, chunk_seconds=chunk_seconds)
    runner.configure(settings)
    runner.play()
    while runner.busy:
        runner.advance()
    return runner, rec


def test_validation_rows_are_split_off_the_training_rows_seeded_and_stratified():
    e = Experiment(Settings(data="iris", seed=3, test_fraction=0.2, validation_fraction=0.25))
    assert e.validation is not None and e.test is not None
    assert (e.train.n, e.validation.n, e.test.n) == (90, 30, 30)
    rows = {tuple(r) for r in np.column_stack([e.train.X, e.train.T])}
    assert not rows & {tuple(r) for r in np.column_stack([e.validation.X, e.validation.T])}
    assert (e.validation.T.sum(axis=0) == 10).all()  # stratified: 10 of each class
    again = Experiment(Settings(data="iris", seed=3, test_fraction=0.2, validation_fraction=0.25))
    assert np.array_equal(again.validation.X, e.validation.X)
    other = Experiment(Settings(data="iris", seed=4, test_fraction=0.2, validation_fraction=0.25))
    assert not np.array_equal(other.validation.X, e.validation.X)
    # the scaling is fitted on the training rows only
    assert np.allclose(e.X_train.mean(axis=0), 0)
    assert e.evaluate().validation_mse == e.validation_mse() > 0


def test_bad_validation_settings_are_one_line_errors():
    for kw, match in [(dict(validation_fraction=1.0), "validation fraction must be at least 0 and below 1"),
                      (dict(validation_fraction=-0.1), "validation fraction"),
                      (dict(validation_fraction=0.2, patience=0), "patience must be a whole number"),
                      (dict(patience=10), "needs a validation split")]:
        with pytest.raises(ValueError, match=match):
            Settings(**kw)
    with pytest.raises(ValueError, match="leaves an empty train or validation set"):
        Experiment(Settings(data="toy", validation_fraction=0.01))


def test_early_stop_restores_exactly_the_weights_of_the_best_iteration():
    runner, rec = _train(EARLY)
    snap = rec.last
    assert snap.stopped == "early_stop" and snap.state == State.FINISHED
    best, stop = snap.best_iteration, snap.stopped_at
    k = validation_every(runner.exp.session.n, None)
    assert k == 25 and best % k == 0 and stop % k == 0
    assert stop - best >= EARLY.patience and stop - best < EARLY.patience + k
    assert snap.iteration == runner.exp.session.iteration == best < stop
    assert "restored the weights of iteration" in snap.message
    # a separate run stopped at the best iteration has the same weights, bit for bit
    fresh = Experiment(EARLY)
    fresh.session.run(best)
    assert np.array_equal(runner.exp.network.params, fresh.network.params)
    assert snap.validation_mse == snap.best_validation_mse == fresh.validation_mse()
    # the validation points: every k iterations, the best is the smallest, nothing after it improved
    val = np.concatenate([s.val_mse for s in rec.snapshots if s.val_mse is not None])
    its = np.concatenate([s.val_iterations for s in rec.snapshots if s.val_iterations is not None])
    assert its[0] == 0 and its[-1] == stop and (np.diff(its) == k).all()
    assert its[np.argmin(val)] == best and val.min() == snap.best_validation_mse
    # the curves of the iterations run after the best are shown (not cut) at the stop
    xs = np.concatenate([s.new_iterations for s in rec.snapshots])
    assert xs.max() == stop - 1 and not snap.rewound


def test_early_stopping_does_not_depend_on_the_chunks():
    """The validation mse is measured at fixed iterations, so the stop is the same whatever the
    runner's chunk sizes (time-bounded, machine-dependent)."""
    a, ra = _train(EARLY, chunk_seconds=1e-6)
    b, rb = _train(EARLY, chunk_seconds=0.5)
    assert (ra.last.best_iteration, ra.last.stopped_at) == (rb.last.best_iteration, rb.last.stopped_at)
    assert np.array_equal(a.exp.network.params, b.exp.network.params)


def test_training_on_after_an_early_stop_starts_from_the_best_iteration():
    runner, rec = _train(EARLY)
    best = rec.last.best_iteration
    n = len(rec.snapshots)
    runner.step(5)
    cut = rec.snapshots[n]  # the curves are cut at the best iteration first
    assert cut.rewound and cut.iteration == best and cut.stopped is None
    while runner.busy:
        runner.advance()
    fresh = Experiment(EARLY)
    fresh.session.run(best + 5)
    assert np.array_equal(runner.exp.network.params, fresh.network.params)


def test_no_patience_tracks_the_validation_mse_without_stopping():
    s = EARLY.with_(patience=None, iterations=600)
    runner, rec = _train(s)
    assert rec.last.stopped == "max_iterations" and rec.last.iteration == 600
    assert rec.last.best_iteration is not None and rec.last.validation_mse is not None


def test_step_back_forgets_the_validation_points_after_it():
    s = EARLY.with_(patience=None, iterations=400)
    runner, rec = _train(s)
    runner.resume_from(100)
    assert all(v[0] <= 100 for v in runner.track.early.points)
    assert runner.track.early.best is not None and runner.track.early.best[0] <= 100


def test_penalties_schedule_and_patience_are_training_settings_the_validation_split_is_not():
    base = EARLY
    for change in (dict(l1=0.01), dict(l2=0.01), dict(lr_schedule="exp:0.999"), dict(patience=5)):
        assert same_network(base, base.with_(**change)), change
    assert not same_network(base, base.with_(validation_fraction=0.3))
    rec = Recorder()
    runner = Runner(rec)
    runner.configure(base.with_(iterations=100))
    runner.step(50)
    while runner.busy:
        runner.advance()
    w = runner.exp.network.params.copy()
    runner.configure(base.with_(iterations=100, l2=0.01, lr_schedule="inv:0.1"))
    assert np.array_equal(runner.exp.network.params, w) and runner.iteration == 50
    assert rec.last.lr == 0.02 / (1 + 0.1 * 50)
    runner.configure(base.with_(iterations=100, validation_fraction=0.3))
    assert runner.iteration == 0 and len(rec.contexts) == 2


def test_split_helper_names_what_it_splits():
    ds = datamod.load("toy")
    with pytest.raises(ValueError, match="validation fraction must be"):
        datamod.split(ds, 1.5, what="validation")


def test_a_tie_with_the_best_validation_mse_is_not_an_improvement():
    """A rate so small that no weight moves (w + 1e-300 g rounds to w): the validation mse stays
    exactly the same, every point ties with the first, none is below it.  The best stays at
    iteration 0 and training stops once the patience has run out, restoring iteration 0."""
    s = EARLY.with_(lr=1e-300, patience=100, iterations=2000)
    runner, rec = _train(s)
    snap = rec.last
    val = np.concatenate([v.val_mse for v in rec.snapshots if v.val_mse is not None])
    assert val.size > 2 and (val == val[0]).all()  # ties, not improvements
    assert snap.stopped == "early_stop" and snap.best_iteration == 0 and snap.stopped_at == 100
    assert snap.iteration == 0
    assert np.array_equal(runner.exp.network.params, Experiment(s).network.params)
