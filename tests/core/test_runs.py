"""Kept runs, their labels and table, the sweep grid and headless runs (no Qt)."""

import re

import numpy as np
import pytest

from nnviz.core import runs, sweep
from nnviz.core.experiment import Experiment, Settings

SMALL = dict(data="iris", hidden=(3,), iterations=300)


def test_sweep_run_equals_a_single_run_bit_for_bit():
    base = Settings(**SMALL)
    grid = sweep.grid(base, {"lr": [0.01, 0.05], "hidden": [(2,), (4, 4)]})
    assert [(s.lr, s.hidden) for s in grid] == [(0.01, (2,)), (0.01, (4, 4)), (0.05, (2,)), (0.05, (4, 4))]
    for s in grid:
        exp, run, stopped = sweep.run_one(s)
        single = Experiment(s)
        single.session.run(s.iterations)  # the plain session, no runner, in one go
        assert stopped == "max_iterations" and run.iterations == s.iterations
        for a, b in zip(exp.network.weights, single.network.weights, strict=True):
            assert np.array_equal(a, b)
        assert run.mse == single.evaluate().mse


def test_kept_run_curve_is_the_whole_history():
    s = Settings(**SMALL, test_fraction=0.25)
    exp, run, _ = sweep.run_one(s)
    ref = Experiment(s)
    res = ref.session.run(300)  # res.mse[i]: the mse before update i + 1
    c = run.curve
    assert c.iterations[0] == 0 and c.iterations[-1] == 300
    assert np.array_equal(c.iterations[:-1], np.arange(300))
    assert np.allclose(c.train[:-1], res.mse, rtol=0, atol=1e-15)
    assert c.train[-1] == run.mse == ref.evaluate().mse
    assert c.test_iterations is not None and c.test_iterations[-1] == 300
    assert c.test[-1] == pytest.approx(ref.evaluate().test_mse, abs=1e-15)
    assert run.test_mse == pytest.approx(ref.evaluate().test_mse, abs=1e-15)


def test_curve_is_thinned_keeping_the_ends():
    c = runs.Curve.make(np.arange(10_001), np.linspace(1, 0, 10_001))
    assert len(c.iterations) <= runs.CURVE_POINTS
    assert c.iterations[0] == 0 and c.iterations[-1] == 10_000
    assert np.allclose(c.train, 1 - c.iterations / 10_000)
    assert not c.train.flags.writeable


def test_curve_keeps_one_point_per_iteration():
    c = runs.Curve.make([0, 1, 1, 2, 2, 2], [5.0, 4.0, 3.0, 2.0, 1.5, 1.0], [0, 2, 2], [9.0, 8.0, 7.0])
    assert c.iterations.tolist() == [0, 1, 2] and c.train.tolist() == [5.0, 3.0, 1.0]
    assert c.test_iterations.tolist() == [0, 2] and c.test.tolist() == [9.0, 7.0]


def _run(**kw):
    s = Settings(**{**SMALL, **kw})
    return runs.KeptRun(s, "iris", "4-3-3", s.iterations, 0.1, 0.9, None, None, 1.0, "max_iterations")


def test_labels_name_what_differs_from_the_current_settings():
    current = Settings(**SMALL)
    assert runs.label(_run(), current) == "same settings"
    assert runs.label(_run(lr=0.05, hidden=(4,)), current) == "hidden 4, lr 0.05"
    assert runs.label(_run(hidden=(6, 6), activation=("tanh",)), current) == "hidden 6-6, activation tanh"
    assert runs.label(_run(engine="numpy", batch_size=8), current) == "batch size 8"  # engine: no number changes
    # a summary that names only some settings is compared on those
    partial = runs.KeptRun(Settings(lr=0.5), "iris", "4-6-6-3", 10, None, None, None, None, 0.0, None,
                           known=frozenset({"lr", "data"}))
    assert runs.label(partial, current) == "lr 0.5"


def test_features_and_no_hidden_layer_show_what_they_mean():
    current = Settings(data="circles", features=("x1^2", "x2^2"), hidden=(4,), iterations=300)
    raw = _run(data="circles", features=(), hidden=())
    assert runs.label(raw, current) == "features raw, hidden 0"
    t = runs.RunTable([raw, _run(data="circles", features=("x1^2", "x2^2"))])
    col = [c.key for c in t.columns].index("features")
    assert [runs.show(t.columns[col].value(r)) for r in t.runs] == ["raw", "x1^2,x2^2"]


def test_a_kept_run_has_the_settings_it_was_trained_with():
    from nnviz.core.runner import Runner
    from recorder import Recorder
    rec = Recorder()
    runner = Runner(rec)
    runner.configure(Settings(**SMALL))
    runner.step(20)
    while runner.busy:
        runner.advance()
    runner.configure(rec.last.settings.with_(lr=0.5))  # not trained with yet
    exp = runner.exp
    run = runs.from_snapshot(rec.last, "iris", exp.arch, [0], [1.0])
    assert run.settings.lr == SMALL.get("lr", "auto") and run.iterations == 20


def test_table_sorts_numerically_with_missing_values_last():
    t = runs.RunTable([_run(lr=0.5), _run(lr=0.05), _run(lr=10.0), _run(lr=2.0)])
    lr = [c.key for c in t.columns].index("lr")
    assert t.order(lr) == [1, 0, 3, 2]  # as text, "10.0" would come before "2.0"
    assert t.order(lr, descending=True) == [2, 3, 0, 1]
    t.add(runs.KeptRun(Settings(), "iris", "4-3", 1, None, None, None, None, 0.0, None))
    mse = [c.key for c in t.columns].index("mse")
    assert t.order(mse)[-1] == 4 and t.order(mse, descending=True)[-1] == 4


def test_table_has_a_column_for_every_setting():
    keys = [c.key for c in runs.columns()]
    for name in Settings.__dataclass_fields__:
        if name not in ("hidden", "iterations"):  # shown as the architecture; the run's own count
            assert name in keys or name in runs.REGULARISATION, name


@pytest.mark.parametrize("name, text, values", [
    ("lr", "0.01,0.02,0.05", [0.01, 0.02, 0.05]),
    ("hidden", "2,4-4,0", [(2,), (4, 4), ()]),
    ("activation", "tanh,tanh-relu", [("tanh",), ("tanh", "relu")]),
    ("seed", "1,2", [1, 2]),
    ("batch_size", "none,16", [None, 16]),
    ("standardize", "on,off", [True, False]),
    ("algorithm", "gd,rprop+", ["gd", "rprop+"]),
])
def test_value_lists(name, text, values):
    assert sweep.parse_values(name, text) == values


@pytest.mark.parametrize("name, text, message", [
    ("lr", "", "no values for lr"),
    ("lr", "0.1,,0.2", "an empty value"),
    ("lr", "0.1,fast", "lr takes numbers (got 'fast')"),
    ("seed", "1.5", "seed takes whole numbers"),
    ("colour", "1,2", "unknown setting 'colour'"),
    ("data", "iris,moons", "a sweep does not vary 'data'"),
])
def test_bad_value_lists(name, text, message):
    with pytest.raises(ValueError, match=re.escape(message)) as exc:
        sweep.parse_values(name, text)
    assert "\n" not in str(exc.value)


def test_bad_grids():
    base = Settings(**SMALL)
    with pytest.raises(ValueError, match="one or two settings, not 3"):
        sweep.grid(base, {"lr": [0.1], "seed": [1], "momentum": [0.5]})
    with pytest.raises(ValueError, match="no values for lr"):
        sweep.grid(base, {"lr": []})
    with pytest.raises(ValueError, match="the run with lr -1"):
        sweep.grid(base, {"lr": [0.1, -1.0]})
    with pytest.raises(ValueError, match="unknown setting"):
        sweep.grid(base, {"speed": [1]})


def test_interrupted_headless_run():
    exp = Experiment(Settings(**SMALL))
    calls = []
    snap, stopped = sweep.train_headless(exp, lambda: len(calls) > 0, lambda i, m: calls.append(i))
    assert stopped == "interrupted" and snap.iteration == exp.session.iteration < 300


def test_regularisation_shows_in_the_table_and_the_labels():
    current = Settings(**SMALL)
    r = _run(l2=0.001, validation_fraction=0.2, patience=50)
    col = [c.key for c in runs.columns()].index("regularisation")
    table = runs.RunTable([r, _run()])
    assert table.value(0, col) == "l2 0.001, validation fraction 0.2, patience 50"
    assert table.value(1, col) == "none"
    assert runs.label(r, current) == "l2 0.001, validation fraction 0.2, patience 50"
    assert sweep.parse_values("l2", "0,0.001") == [0.0, 0.001]
    assert sweep.parse_values("patience", "none,50") == [None, 50]
    assert sweep.parse_values("lr_schedule", "constant,step:0.5:100") == ["constant", "step:0.5:100"]
