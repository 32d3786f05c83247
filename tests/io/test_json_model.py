"""Model files: exact round trip and one-line errors."""

import json

import numpy as np
import pytest

from nnviz import io as nnio
from nnviz.core.experiment import Experiment, Settings


@pytest.fixture
def model():
    e = Experiment(Settings(data="iris", seed=3))
    e.session.run(50)
    return e.model()


def test_round_trip_is_bit_exact(tmp_path, model):
    path = tmp_path / "m.json"
    nnio.save(model, path)
    back = nnio.load(path)
    assert back.arch == model.arch
    for a, b in zip(back.network.weights, model.network.weights):
        assert np.array_equal(a, b)
    assert np.array_equal(back.scaling.x_scale, model.scaling.x_scale)
    assert back.output_names == model.output_names and back.input_names == model.input_names
    X = np.random.default_rng(0).normal(5, 1, size=(10, 4))
    assert np.array_equal(back.predict(X), model.predict(X))


def test_file_layout_is_neuralnets(tmp_path, model):
    path = tmp_path / "m.json"
    nnio.save(model, path)
    doc = json.loads(path.read_text())
    assert doc["format"] == "nnviz-model" and doc["version"] == 1
    W1 = np.array(doc["weights"][0])
    assert W1.shape == (5, 6)  # 4 inputs + bias row, 6 hidden
    assert np.array_equal(W1[0], model.network.weights[0][0])  # bias row first
    assert doc["class_names"] == ["setosa", "versicolor", "virginica"]
    for key in ("iterations", "mse", "seed", "algorithm", "learning_rate", "nnviz_version"):
        assert key in doc["training"]


def _write(tmp_path, doc):
    p = tmp_path / "x.json"
    p.write_text(json.dumps(doc) if not isinstance(doc, str) else doc)
    return p


@pytest.mark.parametrize("mutate,text", [
    (lambda d: d["weights"].pop(), "weight matrices"),
    (lambda d: d["weights"][0].pop(), "weight matrix 1 has shape"),
    (lambda d: d.update(version=99), "newer"),
    (lambda d: d.update(format="other"), "not an nnviz model"),
    (lambda d: d["weights"][1][0].__setitem__(0, "x"), "not a numeric array"),
    (lambda d: d["scaling"].pop("x_scale"), "x_scale"),
    (lambda d: d["architecture"].update(output_activation="blah"), "output activation"),
    (lambda d: d.update(inputs=["a"]), "'inputs'"),
])
def test_malformed_files_give_one_line(tmp_path, model, mutate, text):
    doc = nnio.model_to_dict(model)
    mutate(doc)
    with pytest.raises(ValueError) as info:
        nnio.load(_write(tmp_path, doc))
    assert text in str(info.value) and "\n" not in str(info.value)


def test_nan_in_file_is_refused(tmp_path, model):
    text = json.dumps(nnio.model_to_dict(model)).replace(
        str(model.network.weights[0][0][0]), "NaN", 1)
    with pytest.raises(ValueError, match="NaN or infinite"):
        nnio.load(_write(tmp_path, text))


def test_truncated_and_wrong_extension(tmp_path, model):
    good = json.dumps(nnio.model_to_dict(model))
    with pytest.raises(ValueError, match=r"not valid JSON \(line 1"):
        nnio.load(_write(tmp_path, good[: len(good) // 2]))
    with pytest.raises(ValueError, match="supported: .json"):
        nnio.save(model, tmp_path / "m.xyz")


def test_failed_write_leaves_old_file(tmp_path, model, monkeypatch):
    path = tmp_path / "m.json"
    nnio.save(model, path)
    before = path.read_text()

    def boom(*a, **k):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(nnio.atomic.os, "replace", boom)
    with pytest.raises(ValueError, match="No space left"):
        nnio.save(model, path)
    assert path.read_text() == before
    assert [p.name for p in tmp_path.iterdir()] == ["m.json"]
