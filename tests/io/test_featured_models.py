"""Models with input features: the files record them, and predict, ONNX, plot and sessions
reproduce them from the two raw columns."""

import json

import numpy as np
import pytest

from nnviz import cli
from nnviz import io as nnio
from nnviz.core.experiment import Experiment, Settings
from nnviz.io import session as sessionfile

ALL = ("x1", "x2", "x1^2", "x2^2", "x1*x2", "sin(x1)", "sin(x2)")


def _csv_experiment(tmp_path, features=ALL, **kw) -> Experiment:
    """Two inputs named a and b (not x1, x2) and a class target."""
    rng = np.random.default_rng(4)
    X = rng.uniform(-3, 3, size=(60, 2))
    csv = tmp_path / "d.csv"
    csv.write_text("a,b,kind\n" + "".join(f"{float(p)!r},{float(q)!r},{'in' if p * p + q * q < 4 else 'out'}\n" for p, q in X))
    e = Experiment(Settings(data=str(csv), features=features, hidden=(3,), activation=("tanh",), seed=3, **kw))
    e.session.run(80)
    return e


@pytest.mark.parametrize("ext", [".json", ".npz"])
def test_model_file_round_trip_of_features(tmp_path, ext):
    e = _csv_experiment(tmp_path)
    m = e.model()
    path = tmp_path / f"m{ext}"
    nnio.save(m, path)
    back = nnio.load(path)
    assert back.features == ALL and back.input_names == ("a", "b")
    assert back.input_labels == ("a", "b", "a^2", "b^2", "a*b", "sin(a)", "sin(b)")
    assert back.arch.sizes == (7, 3, 2)
    for a, b in zip(back.network.weights, m.network.weights, strict=True):
        assert np.array_equal(a, b)
    X = e.dataset.X
    assert np.array_equal(back.predict(X), e.network.predict(e.X_train))  # engine's inputs: same path


def test_json_file_names_the_features_and_the_raw_columns(tmp_path):
    m = _csv_experiment(tmp_path, features=("x1^2", "sin(x2)")).model()
    path = tmp_path / "m.json"
    nnio.save(m, path)
    doc = json.loads(path.read_text())
    assert doc["features"] == ["x1^2", "sin(x2)"] and doc["inputs"] == ["a", "b"]
    assert doc["architecture"]["sizes"][0] == 2 and len(doc["scaling"]["x_center"]) == 2
    doc["features"] = ["x1", "x1^2", "sin(x2)"]
    path.write_text(json.dumps(doc))
    with pytest.raises(ValueError, match="'features' lists 3 features, the network takes 2 inputs"):
        nnio.load(path)
    doc["features"] = ["x1^3", "x1"]
    path.write_text(json.dumps(doc))
    with pytest.raises(ValueError, match="unknown feature 'x1\\^3'"):
        nnio.load(path)


def test_files_without_features_still_load(tmp_path):
    e = Experiment(Settings(data="xor", hidden=(3,)))
    path = tmp_path / "old.json"
    nnio.save(e.model(), path)
    doc = json.loads(path.read_text())
    assert "features" not in doc  # written as before: older nnviz reads it too
    assert nnio.load(path).features == ()


def test_predict_from_raw_columns_equals_the_engine(tmp_path, capsys):
    e = _csv_experiment(tmp_path)
    path = tmp_path / "m.npz"
    nnio.save(e.model(), path)
    rows = tmp_path / "new.csv"
    X = e.dataset.X[:5]
    rows.write_text("b,a,note\n" + "".join(f"{float(q)!r},{float(p)!r},n{i}\n" for i, (p, q) in enumerate(X)))
    assert cli.main(["predict", "--model", str(path), "--data", str(rows)]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[0] == "b,a,note,pred.in,pred.out,predicted"
    got = np.array([[float(v) for v in line.split(",")[3:5]] for line in lines[1:]])
    want = e.network.predict(e.X_train[:5])  # what the window and the engine show for these rows
    assert np.array_equal(got, want)


def test_onnx_of_a_featured_model_equals_the_forward_pass(tmp_path):
    ort = pytest.importorskip("onnxruntime")
    e = _csv_experiment(tmp_path, output_activation="softmax", loss="ce")
    m = e.model()
    path = tmp_path / "m.onnx"
    nnio.save(m, path)
    sess = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    assert sess.get_inputs()[0].shape[1] == 2  # the two raw columns go in
    X = np.vstack([e.dataset.X, np.random.default_rng(0).uniform(-6, 6, size=(50, 2))])
    out = sess.run(None, {"input": X})[0]
    np.testing.assert_allclose(out, m.predict(X), rtol=0, atol=1e-12)
    with pytest.raises(ValueError, match="computes input features .*x1\\^2.* open the model's .json or .npz"):
        nnio.load(path)


@pytest.mark.parametrize("features", [("x1^2", "x2^2"), ("sin(x2)",), ("x1*x2", "x2")])
def test_onnx_of_each_feature_subset(tmp_path, features):
    ort = pytest.importorskip("onnxruntime")
    e = _csv_experiment(tmp_path, features=features)
    m = e.model()
    path = tmp_path / "m.onnx"
    nnio.save(m, path)
    out = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"]).run(None, {"input": e.dataset.X})[0]
    np.testing.assert_allclose(out, m.predict(e.dataset.X), rtol=0, atol=1e-12)


def test_session_keeps_the_features(tmp_path):
    s = Settings(data="spiral", features=("x1", "x2", "sin(x1)", "sin(x2)"), hidden=(4,), activation=("tanh",))
    a = Experiment(s)
    a.session.run(50)
    path = tmp_path / "s.nnviz"
    sessionfile.save(path, a.settings, a.dataset, a.session.get_state(), np.arange(3), np.ones(3))
    assert json.loads(path.read_text())["settings"]["features"] == ["x1", "x2", "sin(x1)", "sin(x2)"]
    b = sessionfile.restore(sessionfile.load(path))
    assert b.settings.features == s.features and b.arch.sizes == (4, 4, 2)
    a.session.run(30)
    b.session.run(30)
    assert np.array_equal(a.network.params, b.network.params)
    doc = json.loads(path.read_text())
    doc["settings"]["features"] = ["x1", "cos(x1)"]
    path.write_text(json.dumps(doc))
    with pytest.raises(ValueError, match="unknown feature 'cos\\(x1\\)'"):
        sessionfile.load(path)


def test_cli_features_train_export_and_init(tmp_path, capsys):
    out = tmp_path / "c.json"
    assert cli.main(["train", "--data", "circles", "--features", "x1^2,x2^2", "--hidden", "0",
                     "--iterations", "3000", "--export", str(out), "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["accuracy"] == 1.0 and summary["features"] == ["x1^2", "x2^2"]
    assert summary["architecture"] == "2-2"
    # --init takes the features from the model; other features are refused
    assert cli.main(["train", "--data", "circles", "--init", str(out), "--iterations", "0", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["accuracy"] == 1.0
    assert cli.main(["train", "--data", "circles", "--init", str(out), "--features", "x1^2"]) == 2
    assert "does not match the --init model's features (x1^2,x2^2)" in capsys.readouterr().err


@pytest.mark.parametrize("args, message", [
    (["--data", "iris", "--features", "x1^2"], "need data with exactly 2 inputs; iris has 4"),
    (["--data", "xor", "--features", ""], "needs at least one feature"),
    (["--data", "xor", "--features", "tan(x1)"], "unknown feature 'tan(x1)'"),
])
def test_cli_bad_features_are_one_line(args, message, capsys):
    assert cli.main(["train", *args, "--iterations", "1"]) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1


def test_plot_of_a_featured_model(qapp, tmp_path, capsys):  # qapp: a QApplication, as the widget tests need
    pytest.importorskip("PySide6")
    e = _csv_experiment(tmp_path, features=("x1^2", "x1*x2", "sin(x2)"))
    path = tmp_path / "m.json"
    nnio.save(e.model(), path)
    svg = tmp_path / "d.svg"
    assert cli.main(["plot", "--model", str(path), "--out", str(svg)]) == 0
    text = svg.read_text()
    assert ">a^2<" in text and ">a*b<" in text and ">sin(b)<" in text
    assert cli.main(["plot", "--model", str(path), "--out", str(tmp_path / "map.svg"), "--what", "map"]) == 0
