"""A bad session or model file opens nothing in the window: one line in the message box."""

import json

import numpy as np

from nnviz import io as nnio
from nnviz.core.experiment import Experiment, Settings
from nnviz.io import session as sessionfile


def test_bad_session_and_bad_model_change_nothing(make_window, qtbot, tmp_path):
    w = make_window(hidden=(3,))
    before = [W.copy() for W in w.latest.weights]
    e = Experiment(Settings(hidden=(5,)))
    good = tmp_path / "s.nnviz"
    sessionfile.save(good, e.settings, e.dataset, e.session.get_state(), np.arange(1), np.ones(1))
    doc = json.loads(good.read_text())
    doc["settings"]["lr"] = "0.1"
    bad = tmp_path / "bad.nnviz"
    bad.write_text(json.dumps(doc))
    assert not w.sessions.open_session(str(bad))
    assert w.last_error == f"{bad}: settings 'lr' must be a positive number or auto (got \"0.1\")"
    assert w.notices.dialog is not None and w.notices.dialog.isVisible() and w.last_error in w.notices.dialog.text()
    w.notices.dialog.close()
    doc = nnio.model_to_dict(e.model())
    doc["target_columns"] = 5
    model = tmp_path / "m.json"
    model.write_text(json.dumps(doc))
    assert not w.sessions.open_model(str(model))
    assert w.last_error == f"{model}: 'target_columns' must be a list of names"
    w.notices.dialog.close()
    assert w.context.arch.describe() == "4-3-3"
    for a, b in zip(w.latest.weights, before):
        assert np.array_equal(a, b)
