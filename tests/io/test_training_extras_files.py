"""The regularisation, schedule and early-stopping settings in sessions and model files."""

import json

import numpy as np
import pytest

from nnviz import io as nnio
from nnviz.core.experiment import Experiment, Settings
from nnviz.io import session as sessionfile

EXTRAS = dict(l1=1e-4, l2=0.0125, lr_schedule="step:0.5:40", validation_fraction=0.2, patience=75)


def _save(tmp_path, exp):
    path = tmp_path / "s.nnviz"
    sessionfile.save(path, exp.settings, exp.dataset, exp.session.get_state(), np.arange(3), np.ones(3))
    return path


def test_a_session_keeps_the_new_settings_and_continues_exactly(tmp_path):
    s = Settings(data="iris", seed=2, batch_size=30, **EXTRAS)
    a = Experiment(s)
    a.session.run(55)
    b = sessionfile.restore(sessionfile.load(_save(tmp_path, a)))
    assert b.settings == s
    for key, value in EXTRAS.items():
        assert getattr(b.settings, key) == value
    a.session.run(45)
    b.session.run(45)  # across the schedule's step at 80: the rate depends on the iteration only
    assert np.array_equal(a.network.params, b.network.params)
    assert np.array_equal(b.X_val, a.X_val)


def test_an_old_session_without_the_new_settings_still_opens(tmp_path):
    a = Experiment(Settings())
    a.session.run(5)
    path = _save(tmp_path, a)
    doc = json.loads(path.read_text())
    for key in EXTRAS:
        doc["settings"].pop(key)
    path.write_text(json.dumps(doc))
    b = sessionfile.restore(sessionfile.load(path))
    assert (b.settings.l1, b.settings.l2, b.settings.lr_schedule, b.settings.validation_fraction,
            b.settings.patience) == (0.0, 0.0, "constant", 0.0, None)


@pytest.mark.parametrize("key,value,text", [
    ("l1", -1.0, "settings 'l1' must be a number of at least 0"),
    ("l2", "x", "settings 'l2'"),
    ("lr_schedule", "step:0.5", "malformed learning-rate schedule"),
    ("lr_schedule", 3, "settings 'lr_schedule'"),
    ("validation_fraction", 1.0, "settings 'validation_fraction'"),
    ("patience", 0, "settings 'patience'"),
    ("patience", 2.5, "settings 'patience'"),
])
def test_bad_new_settings_in_a_session_are_one_line_errors(tmp_path, key, value, text):
    a = Experiment(Settings(validation_fraction=0.2, patience=5))
    path = _save(tmp_path, a)
    doc = json.loads(path.read_text())
    doc["settings"][key] = value
    path.write_text(json.dumps(doc))
    with pytest.raises(ValueError) as info:
        sessionfile.load(path)
    assert text in str(info.value) and "\n" not in str(info.value)


@pytest.mark.parametrize("ext", [".json", ".npz"])
def test_a_model_file_carries_the_new_settings_in_its_training_metadata(tmp_path, ext):
    e = Experiment(Settings(data="iris", **EXTRAS))
    e.session.run(10)
    path = tmp_path / f"m{ext}"
    nnio.save(e.model({"best_iteration": 10}), path)
    training = nnio.load(path).training
    for key, value in EXTRAS.items():
        assert training[key] == value, key
    assert training["best_iteration"] == 10


def test_the_validation_curve_is_saved_and_read_back(tmp_path):
    a = Experiment(Settings(validation_fraction=0.2))
    path = tmp_path / "v.nnviz"
    sessionfile.save(path, a.settings, a.dataset, a.session.get_state(), np.arange(3), np.ones(3),
                     validation_x=np.array([0, 25]), validation_y=np.array([0.5, 0.25]))
    data = sessionfile.load(path)
    assert list(data.validation_x) == [0, 25] and list(data.validation_y) == [0.5, 0.25]
    old = sessionfile.load(_save(tmp_path, a))  # written without one
    assert old.validation_x is None and old.validation_y is None
    doc = json.loads(path.read_text())
    doc["history"]["validation_mse"].pop()
    path.write_text(json.dumps(doc))
    with pytest.raises(ValueError, match="the validation error history's iterations and values differ"):
        sessionfile.load(path)
