"""Session files: save, load, continue exactly; bad files give one line."""

import json

import numpy as np
import pytest

from nnviz.io import session as sessionfile
from nnviz.core.experiment import Experiment, Settings


def _save(tmp_path, exp, name="s.nnviz"):
    path = tmp_path / name
    sessionfile.save(path, exp.settings, exp.dataset, exp.session.get_state(), np.arange(3), np.ones(3))
    return path


@pytest.mark.parametrize("kw", [{}, {"data": "spiral", "batch_size": 16, "momentum": 0.9, "lr": 0.01},
                                {"algorithm": "rprop+", "test_fraction": 0.2}])
def test_save_and_continue_equals_an_uninterrupted_run(tmp_path, kw):
    a = Experiment(Settings(**kw))
    a.session.run(130)
    path = _save(tmp_path, a)
    b = sessionfile.restore(sessionfile.load(path))
    assert b.session.iteration == 130
    a.session.run(170)
    b.session.run(170)
    assert np.array_equal(a.network.params, b.network.params)
    ref = Experiment(Settings(**kw))
    ref.session.run(300)
    assert np.array_equal(ref.network.params, b.network.params)


def test_csv_data_is_embedded(tmp_path):
    csv = tmp_path / "d.csv"
    rng = np.random.default_rng(0)
    csv.write_text("a,b,kind\n" + "".join(f"{x},{y},{'pq'[int(x > y)]}\n" for x, y in rng.normal(size=(30, 2))))
    a = Experiment(Settings(data=str(csv), hidden=(3,)))
    a.session.run(50)
    path = _save(tmp_path, a)
    csv.unlink()  # the session must still open
    data = sessionfile.load(path)
    assert data.dataset.output_names == ("p", "q")
    b = sessionfile.restore(data)
    assert np.array_equal(a.network.params, b.network.params)
    assert np.array_equal(a.scaling.x_scale, b.scaling.x_scale)


@pytest.mark.parametrize("mutate,text", [
    (lambda d: d.update(format="x"), "not an nnviz session"),
    (lambda d: d.update(version=7), "version"),
    (lambda d: [d["state"][k].pop() for k in ("params", "velocity", "rprop_steps", "rprop_old")], "weights"),
    (lambda d: d["state"]["velocity"].append(1.0), "velocity"),
    (lambda d: d["state"].pop("rng"), "missing state 'rng'"),
    (lambda d: d["history"]["mse"].pop(), "history"),
])
def test_malformed_sessions(tmp_path, mutate, text):
    a = Experiment(Settings())
    a.session.run(5)
    path = _save(tmp_path, a)
    doc = json.loads(path.read_text())
    mutate(doc)
    path.write_text(json.dumps(doc))
    with pytest.raises(ValueError) as info:
        sessionfile.restore(sessionfile.load(path))
    assert text in str(info.value) and "\n" not in str(info.value)


def test_truncated_session(tmp_path):
    a = Experiment(Settings())
    path = _save(tmp_path, a)
    path.write_text(path.read_text()[:200])
    with pytest.raises(ValueError, match="not valid JSON"):
        sessionfile.load(path)
