"""Input features (core/features.py), their place before the scaling, and the new 2-D data sets."""

import math

import numpy as np
import pytest

from nnviz.core import data, features
from nnviz.core.experiment import Experiment, Settings
from nnviz.core.runner import map_grid

ALL = "x1,x2,x1^2,x2^2,x1*x2,sin(x1),sin(x2)"


def test_expansion_equals_the_formulas_on_hand_computed_points():
    X = np.array([[2.0, -3.0], [0.5, 0.25], [-1.0, 0.0]])
    got = features.expand(X, features.parse(ALL))
    want = [[2, -3, 4, 9, -6, math.sin(2), math.sin(-3)],
            [0.5, 0.25, 0.25, 0.0625, 0.125, math.sin(0.5), math.sin(0.25)],
            [-1, 0, 1, 0, -0, math.sin(-1), 0.0]]
    assert got.shape == (3, 7)
    assert np.array_equal(got, np.array(want, dtype=float))


def test_names_are_canonical_ordered_and_shown_in_the_columns_names():
    assert features.parse(" sin(x2), x1^2 ,x1 * x2") == ("x1^2", "x1*x2", "sin(x2)")
    assert features.parse("x2*x1,x1**2") == ("x1^2", "x1*x2")
    fs = features.parse(ALL)
    assert features.labels(fs, ("a", "b")) == ("a", "b", "a^2", "b^2", "a*b", "sin(a)", "sin(b)")
    assert features.labels((), ("a", "b", "c")) == ("a", "b", "c")


@pytest.mark.parametrize("text, message", [
    ("", "needs at least one feature"), ("x1,,x2", "empty name"), ("x3", "unknown feature 'x3'"),
    ("x1^2,x1**2", "given twice")])
def test_bad_feature_lists_give_one_line(text, message):
    with pytest.raises(ValueError, match=message) as exc:
        features.parse(text)
    assert "\n" not in str(exc.value)


def test_features_need_two_input_data():
    with pytest.raises(ValueError, match=r"exactly 2 inputs; iris has 4"):
        Experiment(Settings(data="iris", features=("x1^2",), iterations=1))
    with pytest.raises(ValueError, match="unknown feature"):
        Settings(features=("x9",))


def test_settings_keep_the_canonical_order():
    assert Settings(features=("sin(x1)", "x1")).features == ("x1", "sin(x1)")
    assert Settings.parse(features="x2^2,x1^2").features == ("x1^2", "x2^2")
    assert Settings().features == ()


def test_features_come_before_the_scaling_everywhere():
    """Training rows, the decision map's grid and a saved model all go raw -> features -> scale()."""
    s = Settings(data="circles", features=("x1^2", "x1*x2", "sin(x2)"), hidden=(3,), iterations=0)
    exp = Experiment(s)
    F = np.column_stack([exp.train.X[:, 0] ** 2, exp.train.X[:, 0] * exp.train.X[:, 1], np.sin(exp.train.X[:, 1])])
    centre, sd = F.mean(axis=0), F.std(axis=0, ddof=1)  # R's scale() of the feature columns
    assert np.allclose(exp.scaling.x_center, centre, rtol=1e-14) and np.allclose(exp.scaling.x_scale, sd, rtol=1e-14)
    assert np.allclose(exp.X_train, (F - centre) / sd, rtol=0, atol=1e-13)
    assert exp.arch.sizes == (3, 3, 2)
    grid = map_grid(exp.dataset, exp.scaling, 5)
    lo = exp.dataset.X.min(axis=0) - (exp.dataset.X.max(axis=0) - exp.dataset.X.min(axis=0)) * 0.08
    first = np.array([lo[0] ** 2, lo[0] * lo[1], np.sin(lo[1])])
    assert grid.points.shape == (25, 3)
    assert np.allclose(grid.points[0], (first - centre) / sd, atol=1e-6)
    model = exp.model()
    assert model.input_names == ("x1", "x2") and model.input_labels == ("x1^2", "x1*x2", "sin(x2)")
    assert np.array_equal(model.predict(exp.train.X), exp.network.predict(exp.X_train))


def test_circles_with_squares_and_no_hidden_layer_reach_100_percent():
    from nnviz.cli import train

    s = Settings(data="circles", features=("x1^2", "x2^2"), hidden=(), iterations=3000, seed=1)
    exp = Experiment(s)
    assert exp.arch.sizes == (2, 2)
    train(exp, lambda: False)
    assert exp.evaluate().accuracy == 1.0


def test_spiral_with_sin_features_learns_with_fewer_neurons():
    """4 tanh neurons on x1, x2, sin(x1), sin(x2) beat 8 on the raw inputs (same training)."""
    from nnviz.cli import train

    def accuracy(**kw) -> float:
        exp = Experiment(Settings(data="spiral", activation=("tanh",), algorithm="rprop+", iterations=2000, **kw))
        train(exp, lambda: False)
        return exp.evaluate().accuracy

    with_sin = accuracy(hidden=(4,), features=("x1", "x2", "sin(x1)", "sin(x2)"))
    raw = accuracy(hidden=(8,))
    assert with_sin >= 0.9 > raw


def test_function_sets_are_split_by_their_curve():
    curves = {"fn-sine": lambda x: 3 * math.sin(x), "fn-cubic": lambda x: x ** 3 / 25, "fn-abs": lambda x: abs(x) - 2.5}
    for name, f in curves.items():
        ds = data.builtin(name, noise=0.0, seed=5)
        assert ds.X.shape == (200, 2) and ds.T.shape == (200, 2) and ds.task == "classes"
        assert ds.output_names == ("blue", "orange")
        for (x, y), t in zip(ds.X, ds.T, strict=True):
            assert t[1] == (1.0 if y > f(x) else 0.0)
        assert 40 < ds.T[:, 1].sum() < 160  # both classes present
        noisy = data.builtin(name, noise=0.3, seed=5)
        assert np.array_equal(noisy.T, ds.T) and not np.array_equal(noisy.X, ds.X)
        assert np.array_equal(noisy.X, data.builtin(name, noise=0.3, seed=5).X)


def test_regression_sets_follow_playgrounds_rules():
    plane = data.builtin("plane", noise=0.0, seed=2)
    assert plane.X.shape == (200, 2) and plane.T.shape == (200, 1) and plane.task == "regression"
    assert np.allclose(plane.T[:, 0], (plane.X[:, 0] + plane.X[:, 1]) / 10, rtol=0, atol=1e-15)
    assert np.abs(plane.X).max() <= 6
    mix = data.builtin("gauss-mix", noise=0.0, seed=2)
    assert mix.X.shape == (200, 2) and mix.T.shape == (200, 1) and mix.task == "regression"
    bumps = [(-4, 2.5, 1), (0, 2.5, -1), (4, 2.5, 1), (-4, -2.5, -1), (0, -2.5, 1), (4, -2.5, -1)]
    for (x, y), (t,) in zip(mix.X, mix.T, strict=True):
        best = 0.0
        for cx, cy, sign in bumps:
            v = sign * max(0.0, 1 - math.dist((x, y), (cx, cy)) / 2)
            if abs(v) > abs(best):
                best = v
        assert t == pytest.approx(best, abs=1e-15)
    assert (mix.T > 0.5).any() and (mix.T < -0.5).any()
    noisy = data.builtin("plane", noise=0.5, seed=2)  # noise blurs the target, not the points
    assert np.array_equal(noisy.X, plane.X) and not np.allclose(noisy.T, plane.T)


def test_regression_sets_train_with_the_defaults():
    exp = Experiment(Settings(data="plane", hidden=(3,), iterations=0))
    assert exp.task == "regression" and exp.arch.sizes == (2, 3, 1)
