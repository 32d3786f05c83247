"""Edited (custom) data: sessions keep the points, the split, the scaling and the weights;
File > Export data writes a CSV that reloads to the same data."""

from __future__ import annotations

import json

import numpy as np
import pytest

from nnviz.core import data as datamod
from nnviz.core import editing
from nnviz.core.experiment import Experiment, Settings
from nnviz.io import datafile
from nnviz.io import session as sessionfile


def edited_experiment(**kw):
    s = Settings(data="circles", hidden=(4,), activation=("tanh",), lr=0.05, **kw)
    exp = Experiment(s)
    exp.session.run(40)
    c = editing.as_custom(exp.train, exp.test)
    c = editing.add_point(c, 0.5, 0.5, 1)
    c = editing.move_point(c, 2, -4.5, 4.5)
    c = editing.delete_point(c, 10)
    exp.set_data(c)
    exp.session.run(25)
    return exp, c


@pytest.mark.parametrize("fraction,features", [(0.0, ()), (0.3, ()), (0.2, ("x1^2", "x2^2", "x1*x2"))])
def test_a_session_keeps_the_edited_points_the_split_and_the_weights(tmp_path, fraction, features):
    exp, c = edited_experiment(test_fraction=fraction, features=features)
    path = tmp_path / "edited.nnviz"
    sessionfile.save(path, exp.settings, exp.dataset, exp.session.get_state(), np.arange(3), np.ones(3),
                     scaling=exp.scaling)
    data = sessionfile.load(path)
    assert data.dataset.custom and data.dataset.title == "custom (from circles)"
    assert np.array_equal(data.dataset.X, c.X) and np.array_equal(data.dataset.T, c.T)
    assert np.array_equal(data.dataset.test_rows, c.test_rows)
    back = sessionfile.restore(data)
    assert np.array_equal(back.network.params, exp.network.params) and back.session.iteration == 65
    # the scaling is the original data's, not one refitted on the edited rows
    assert np.array_equal(back.scaling.x_center, exp.scaling.x_center)
    assert back.scaling.features == features
    assert not np.array_equal(back.scaling.x_center, datamod.fit_scaling(back.train, features=features).x_center)
    assert np.array_equal(back.train.X, exp.train.X)
    assert (back.test is None) == (fraction == 0.0)
    # training on goes exactly as it would have
    exp.session.run(30)
    back.session.run(30)
    assert np.array_equal(back.network.params, exp.network.params)


def test_edited_data_without_its_scaling_is_not_saved_and_a_bad_one_is_refused(tmp_path):
    exp, _ = edited_experiment()
    with pytest.raises(ValueError, match="scaling"):
        sessionfile.save(tmp_path / "x.nnviz", exp.settings, exp.dataset, exp.session.get_state(), [], [])
    doc = sessionfile.to_dict(exp.settings, exp.dataset, exp.session.get_state(), [], [], scaling=exp.scaling)
    doc["data"]["scaling"]["x_scale"] = [1.0, -2.0]
    (tmp_path / "bad.nnviz").write_text(json.dumps(doc))
    with pytest.raises(ValueError, match="x_scale"):
        sessionfile.load(tmp_path / "bad.nnviz")
    doc["data"]["scaling"]["x_scale"] = [1.0, 2.0]
    doc["data"]["test_rows"] = [0, 10_000]
    (tmp_path / "bad.nnviz").write_text(json.dumps(doc))
    with pytest.raises(ValueError, match="test_rows"):
        sessionfile.load(tmp_path / "bad.nnviz")


def test_export_data_reloads_equal(tmp_path):
    _, c = edited_experiment(test_fraction=0.25)
    path = tmp_path / "points.csv"
    datafile.save_csv(path, c)
    back = datamod.load_csv(path)
    assert back.input_names == c.input_names and back.output_names == c.output_names
    assert back.task == "classes" and np.array_equal(back.X, c.X) and np.array_equal(back.T, c.T)
    # --data file.csv trains on it
    exp = Experiment(Settings(data=str(path), hidden=(3,)))
    assert exp.train.n == c.n


def test_export_regression_and_csv_text(tmp_path):
    X = np.array([[0.1, 1e-5], [1 / 3, -2.5]])
    ds = datamod.Dataset("r", X, np.array([[1.25], [np.pi]]), ("a", "b"), ("price",), "regression", ("price",))
    text = datafile.data_to_csv(ds)
    assert text.splitlines()[0] == "a,b,price" and text.splitlines()[1] == "0.1,1e-05,1.25"
    path = tmp_path / "r.csv"
    datafile.save_csv(path, ds)
    back = datamod.load_csv(path)
    assert back.task == "regression" and np.array_equal(back.X, X) and np.array_equal(back.T, ds.T)
