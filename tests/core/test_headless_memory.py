"""What a headless run on a big file need not do twice (issue 26 item 3): train_headless leaves
the final snapshot's evaluation with the experiment, so ``evaluate()`` of those weights does not
run every row through the network again; targets the scaling leaves as they are are not
copied; the scaled inputs are what (X - center) / scale gives."""

import numpy as np
import pytest

from nnviz.core import data as datamod
from nnviz.core.experiment import Experiment, Settings
from nnviz.core.network import Network
from nnviz.core.sweep import train_headless


def _fresh(exp: Experiment):
    """The evaluation computed now, not kept: through a copy of the network."""
    return exp.evaluate(exp.network.copy())


@pytest.mark.parametrize("kw", [
    dict(data="iris", test_fraction=0.3),
    dict(data="iris", validation_fraction=0.2, patience=5, iterations=300),
    dict(data="plane", output_activation="linear", test_fraction=0.25),
    dict(data="toy"),
    dict(data="spiral", engine="numpy", batch_size=16, algorithm="gd", momentum=0.5),
])
def test_the_kept_evaluation_is_the_one_computed(kw, monkeypatch):
    s = Settings(**{"hidden": (5,), "iterations": 40, **kw})
    exp = Experiment(s)
    snap, _ = train_headless(exp)
    assert exp._evaluation is not None
    calls = []
    monkeypatch.setattr(Network, "predict", lambda self, X: calls.append(X) or pytest.fail("predicted"))
    kept = exp.evaluate()
    assert calls == []
    monkeypatch.undo()
    assert kept == _fresh(exp) and kept.mse == snap.mse


def test_a_change_of_weights_or_rows_is_evaluated_afresh():
    exp = Experiment(Settings(data="iris", hidden=(4,), iterations=20, test_fraction=0.2))
    train_headless(exp)
    before = exp.evaluate()
    exp.session.run(5)  # trained on without a runner: the kept evaluation is of other weights
    after = exp.evaluate()
    assert after != before and after == _fresh(exp)
    train_headless(exp)  # at its limit already: no iteration, the snapshot of these weights
    exp.network.weights[0][1, 0] += 0.5  # edited by hand
    assert exp.evaluate() == _fresh(exp) and exp.evaluate().mse != after.mse
    exp = Experiment(Settings(data="iris", hidden=(4,), iterations=20))
    train_headless(exp)
    kept = exp.evaluate()
    exp.set_data(exp.dataset.subset(np.arange(100)))  # other rows, the same weights
    assert exp._evaluation is None and exp.evaluate() == _fresh(exp) != kept
    kept.mse = -1.0  # a caller's change to what it got does not reach the kept one
    train_headless(exp)
    assert exp.evaluate().mse >= 0


def test_targets_left_as_they_are_are_not_copied():
    exp = Experiment(Settings(data="iris", hidden=(4,), iterations=1, test_fraction=0.2))
    assert exp.Y_train is exp.train.T and exp.Y_test is exp.test.T  # one-hot classes
    toy = Experiment(Settings(data="toy", hidden=(2,), iterations=1))
    assert toy.task == "binary" and toy.Y_train is toy.dataset.T  # 0/1 targets
    reg = Experiment(Settings(data="plane", output_activation="linear", iterations=1))
    assert reg.Y_train is not reg.train.T  # R's scale() of a numeric target
    ds = datamod.Dataset("r", np.arange(10.0).reshape(5, 2), np.array([[1.0], [3], [2], [5], [4]]), ("a", "b"), ("y",),
                         "regression")
    e = Experiment(Settings(data="r", hidden=(2,), iterations=1), dataset=ds)
    assert e.Y_train is not ds.T and np.allclose(e.Y_train[:, 0], [0, 0.5, 0.25, 1, 0.75])  # (T - min) / range
    assert np.array_equal(ds.T[:, 0], [1, 3, 2, 5, 4])  # the data's own targets untouched


def test_scaled_inputs_are_r_scale():
    ds = datamod.builtin("iris")
    sc = datamod.fit_scaling(ds)
    X = sc.inputs(ds.X)
    assert X.tobytes() == ((ds.X - sc.x_center) / sc.x_scale).tobytes()
    assert X is not ds.X and np.array_equal(ds.X, datamod.builtin("iris").X)
    assert sc.targets(ds.T) is not ds.T and sc.targets(ds.T, copy=False) is ds.T
    assert sc.targets(ds.T).tobytes() == ds.T.tobytes()
