"""Regression scores in the target's own units, against numbers worked out by hand."""

import numpy as np
import pytest

from nnviz.core import data as datamod
from nnviz.core import metrics
from nnviz.core.experiment import Experiment, Settings


def test_regression_scores_by_hand():
    T = np.array([[1.0], [2.0], [3.0], [4.0]])
    P = np.array([[1.5], [2.0], [2.0], [5.0]])
    r = metrics.regression(T, P)
    # errors -0.5, 0, 1, -1: squares 0.25, 0, 1, 1 -> mean 0.5625; |e| mean 0.625; SS_tot = 5
    assert r["rmse"] == pytest.approx(0.75)
    assert r["mae"] == pytest.approx(0.625)
    assert r["r2"] == pytest.approx(1 - 2.25 / 5)


def test_regression_scores_are_in_target_units(tmp_path):
    rng = np.random.default_rng(0)
    a, b = rng.normal(size=80), rng.normal(size=80)
    y = 100 + 30 * a - 10 * b + rng.normal(scale=0.5, size=80)
    path = tmp_path / "reg.csv"
    path.write_text("a,b,y\n" + "".join(f"{u},{v},{w}\n" for u, v, w in zip(a, b, y)))
    exp = Experiment(Settings(data=str(path), hidden=(4,), output_activation="linear", test_fraction=0.25,
                              iterations=500))
    exp.session.run(500)
    ev = exp.evaluate()
    pred = exp.scaling.outputs(exp.network.predict(exp.X_train))[:, 0]
    truth = exp.train.T[:, 0]
    assert ev.regression["train"]["rmse"] == pytest.approx(np.sqrt(np.mean((truth - pred) ** 2)))
    assert ev.regression["train"]["mae"] == pytest.approx(np.mean(np.abs(truth - pred)))
    r2 = 1 - np.sum((truth - pred) ** 2) / np.sum((truth - truth.mean()) ** 2)
    assert ev.regression["train"]["r2"] == pytest.approx(r2)
    assert ev.regression["train"]["r2"] > 0.9 and "test" in ev.regression
    assert datamod.load_csv(path).task == "regression"
