"""The Python API (nnviz.fit, load, save, predict): the very runs and files of the command line."""

import csv
import io
import json
import subprocess
import sys
from importlib import resources

import numpy as np
import pytest

import nnviz
from nnviz import cli
from nnviz import io as nnio


def _iris_rows():
    rows = list(csv.reader(io.StringIO((resources.files("nnviz.data") / "iris.csv").read_text())))
    header, body = rows[0], rows[1:]
    X = np.array([[float(v) for v in r[:4]] for r in body])
    y = np.array([r[4] for r in body])
    return header, X, y


def test_import_nnviz_loads_no_numpy_qt_or_numba():
    code = ("import sys, nnviz; v = nnviz.__version__; "
            "print(sorted({m.split('.')[0] for m in sys.modules} & {'numpy', 'PySide6', 'numba', 'pyqtgraph'}))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
    code = ("import sys, nnviz; nnviz.fit; "
            "print(sorted({m.split('.')[0] for m in sys.modules} & {'PySide6', 'pyqtgraph', 'sklearn'}))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"  # the API itself loads no Qt either


@pytest.mark.slow
def test_fit_is_nnviz_train_bit_for_bit_and_predict_is_nnviz_predict(tmp_path, capsys):
    """The post's iris run from Python and from the command line: the same weights to the last
    bit, the same model file byte for byte, the same predictions."""
    cli_model, api_model = tmp_path / "cli.json", tmp_path / "api.json"
    assert cli.main(["train", "--data", "iris", "--hidden", "6,6", "--lr", "0.02", "--iterations", "50000",
                     "--seed", "1", "--export", str(cli_model), "--quiet"]) == 0
    run = nnviz.fit(data="iris", hidden=(6, 6), lr=0.02, iterations=50_000, seed=1)
    assert run.iteration == 50_000 and run.stopped == "max_iterations"
    from_cli = nnio.load(cli_model)
    for W, V in zip(run.weights, from_cli.network.weights, strict=True):
        assert np.array_equal(W, V)
    run.save(api_model)
    assert api_model.read_bytes() == cli_model.read_bytes()
    assert run.summary()["mse"] == pytest.approx(0.00435217, abs=5e-9)
    # predict: the CLI's numbers (written with repr, so exact) and the API's
    header, X, y = _iris_rows()
    data = tmp_path / "flowers.csv"
    data.write_text((resources.files("nnviz.data") / "iris.csv").read_text())
    capsys.readouterr()
    assert cli.main(["predict", "--model", str(cli_model), "--data", str(data)]) == 0
    out = list(csv.reader(io.StringIO(capsys.readouterr().out)))
    cols = [out[0].index(f"pred.{n}") for n in ("setosa", "versicolor", "virginica")]
    from_predict = np.array([[float(r[j]) for j in cols] for r in out[1:]])
    assert np.array_equal(run.predict(X), from_predict)
    assert np.array_equal(nnviz.predict(str(cli_model), X), from_predict)
    assert run.predict_labels(X) == [r[-1] for r in out[1:]]


def test_arrays_and_the_csv_file_train_the_same_network():
    """Rows given as arrays are encoded as the CSV file of the same rows: the same weights."""
    header, X, y = _iris_rows()
    by_name = nnviz.fit(data="iris", iterations=300)
    by_arrays = nnviz.fit(X, y, iterations=300)
    assert by_arrays.dataset.output_names == ("setosa", "versicolor", "virginica")
    assert by_arrays.dataset.task == "classes" and by_arrays.dataset.input_names == ("x1", "x2", "x3", "x4")
    for W, V in zip(by_name.weights, by_arrays.weights, strict=True):
        assert np.array_equal(W, V)
    assert by_arrays.iteration == 300


def test_dataframes_by_column_name():
    pd = pytest.importorskip("pandas")
    header, X, y = _iris_rows()
    df = pd.DataFrame(X, columns=header[:4]).assign(Species=y)
    a = nnviz.fit(df, target="Species", iterations=200)
    b = nnviz.fit(df[header[:4]], df["Species"], iterations=200)
    c = nnviz.fit(data="iris", iterations=200)
    assert a.dataset.input_names == tuple(header[:4]) and a.dataset.target_columns == ("Species",)
    for Ws in zip(a.weights, b.weights, c.weights, strict=True):
        assert np.array_equal(Ws[0], Ws[1]) and np.array_equal(Ws[0], Ws[2])
    # predict takes the model's columns by name, in any order, other columns ignored
    shuffled = df[["Species", "Petal.Width", "Sepal.Length", "Petal.Length", "Sepal.Width"]]
    assert np.array_equal(a.predict(shuffled), c.predict(X))


def test_targets_are_encoded_as_in_a_csv_file():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 2))
    binary = nnviz.fit(X, (X[:, 0] > 0).astype(int), iterations=10)
    assert binary.dataset.task == "binary" and binary.dataset.output_names == ("y",)
    classes = nnviz.fit(X, (X[:, 0] > 0).astype(int), classify=True, iterations=10)
    assert classes.dataset.task == "classes" and classes.dataset.output_names == ("0", "1")
    reg = nnviz.fit(X, 100 + 5 * X[:, 0], output_activation="linear", iterations=2000)
    assert reg.dataset.task == "regression"
    got = reg.predict(X)[:, 0]
    assert abs(got.mean() - 100) < 2  # in the target's own units, not the network's
    two = nnviz.fit(X, np.column_stack([X[:, 0] > 0, X[:, 1] > 0]).astype(float), iterations=10)
    assert two.dataset.output_names == ("y1", "y2") and two.dataset.task == "binary"


def test_bad_input_is_one_line():
    X = np.ones((5, 2))
    X[3, 1] = np.nan
    with pytest.raises(ValueError, match=r"row 4, column 2: missing"):
        nnviz.fit(X, [0, 1, 0, 1, 0])
    with pytest.raises(ValueError, match="one value .* per row"):
        nnviz.fit(np.ones((5, 2)), [0, 1, 0])
    with pytest.raises(TypeError, match="unknown setting 'hiden'"):
        nnviz.settings(hiden=3)
    with pytest.raises(ValueError, match="single class"):
        nnviz.fit(np.ones((4, 1)), ["a", "a", "a", "a"])
    with pytest.raises(ValueError, match="hidden"):
        nnviz.fit(data="toy", hidden=(3, 0))
    with pytest.raises(ValueError, match="no column named 'x1'"):
        nnviz.fit(data="toy", iterations=1).predict(_frame_like(["nope", "x2", "x3"]))


class _frame_like:  # the least of a DataFrame: columns, iloc, to_numpy
    def __init__(self, columns):
        self.columns, self.ndim = columns, 2

    def to_numpy(self):
        return np.zeros((1, len(self.columns)))


def test_settings_take_the_command_lines_spellings():
    s = nnviz.settings(hidden="4,3", activation="tanh,relu", lr=0.01, batch_size=16.0, features="x1^2,x1")
    assert s.hidden == (4, 3) and s.activation == ("tanh", "relu") and s.lr == 0.01 and s.batch_size == 16
    assert s.features == ("x1", "x1^2")
    assert nnviz.settings(hidden=0).hidden == () and nnviz.settings(hidden=5).hidden == (5,)


def test_training_on_is_one_uninterrupted_run():
    once = nnviz.fit(data="toy", iterations=700)
    twice = nnviz.fit(data="toy", iterations=300).train(400)
    assert twice.iteration == 700
    for W, V in zip(once.weights, twice.weights, strict=True):
        assert np.array_equal(W, V)
    hx, hy = twice.history
    assert np.array_equal(hx, np.arange(700)) and np.array_equal(hy, once.history[1])  # as one run's


@pytest.mark.parametrize("ext", [".json", ".npz", ".onnx", ".csv"])
def test_save_and_load_round_trip_in_every_format(tmp_path, ext):
    if ext == ".onnx":
        pytest.importorskip("onnx")
    run = nnviz.fit(data="iris", iterations=200)
    path = tmp_path / f"m{ext}"
    nnviz.save(run, path)
    if ext == ".csv":  # weights only: the network's shape comes from the data and --hidden
        weights = nnio.read_csv_weights(path, run.experiment.arch)
        assert all(np.array_equal(W, V) for W, V in zip(run.weights, weights, strict=True))
        return
    model = nnviz.load(path)
    assert isinstance(model, nnviz.Model)
    _, X, _ = _iris_rows()
    if ext == ".onnx":
        assert np.allclose(model.predict(X), run.predict(X), rtol=0, atol=1e-12)
    else:
        assert all(np.array_equal(W, V) for W, V in zip(run.weights, model.network.weights, strict=True))
        assert model.input_names == run.dataset.input_names and model.output_names == run.dataset.output_names
        assert np.array_equal(model.predict(X), run.predict(X))
    again = tmp_path / f"again{ext}"
    model.save(again)
    assert np.allclose(nnviz.load(again).predict(X), run.predict(X), rtol=0, atol=1e-12)


def test_init_goes_on_from_a_model_as_the_command_line_does(tmp_path, capsys):
    start = tmp_path / "start.json"
    nnviz.fit(data="toy", iterations=100).save(start)
    assert cli.main(["train", "--data", "toy", "--init", str(start), "--iterations", "200", "--export",
                     str(tmp_path / "cli.json"), "--quiet"]) == 0
    run = nnviz.fit(data="toy", init=start, iterations=200)
    assert all(np.array_equal(W, V) for W, V in
               zip(run.weights, nnio.load(tmp_path / "cli.json").network.weights, strict=True))


def test_a_session_from_the_api_opens_where_it_was(tmp_path):
    from nnviz.io import session as sessionfile

    run = nnviz.fit(data="toy", iterations=150)
    run.save(tmp_path / "run.nnviz")
    exp = sessionfile.restore(sessionfile.load(tmp_path / "run.nnviz"))
    assert exp.session.iteration == 150
    assert all(np.array_equal(W, V) for W, V in zip(run.weights, exp.network.weights, strict=True))


def test_summary_is_the_json_of_nnviz_train(capsys):
    assert cli.main(["train", "--data", "toy", "--iterations", "250", "--json"]) == 0
    from_cli = json.loads(capsys.readouterr().out)
    from_api = nnviz.fit(data="toy", iterations=250).summary()
    for key in ("mse", "accuracy", "iterations", "learning_rate", "architecture", "stopped", "settings"):
        assert from_api[key] == from_cli[key], key


@pytest.mark.slow
def test_the_readme_example_prints_what_it_says(tmp_path, monkeypatch, capsys):
    """The ten lines under README's Install, run as written (the window replaced by a stand-in)."""
    from pathlib import Path

    text = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    install = text[text.index("## Install"):text.index("## Two commands")]
    code = install[install.index("```python\n") + 10:]
    code = code[:code.index("```")]
    assert len(code.strip().splitlines()) <= 10
    shown = []
    import nnviz.api

    monkeypatch.setattr(nnviz.api, "show", lambda obj, *a, **kw: shown.append(obj))
    monkeypatch.chdir(tmp_path)
    exec(compile(code, "README.md", "exec"), {})
    printed = capsys.readouterr().out.splitlines()
    said = [line.split("# ", 1)[1].strip() for line in code.splitlines() if line.startswith("print(")]
    assert printed == said
    assert (tmp_path / "iris.json").is_file() and isinstance(shown[0], nnviz.Trainer)
