"""nnviz explain: importance, generalized weights and profiles of a model file, headless.

Values are checked against computations written here from the model file's raw JSON (its
weight lists and scaling), never through nnviz's own functions; bad input is one line with
status 2."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import numpy as np
import pytest

from nnviz import cli
from nnviz.core import data as datamod


def run(*argv, capsys):
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture(scope="module")
def iris_model(tmp_path_factory):
    path = tmp_path_factory.mktemp("explain") / "iris.json"
    assert cli.main(["train", "--data", "iris", "--hidden", "5", "--iterations", "600", "--export", str(path),
                     "--quiet"]) == 0
    return path


def _raw(path):
    doc = json.loads(path.read_text())
    W = [np.array(w, dtype=float) for w in doc["weights"]]
    sc = doc["scaling"]
    return doc, W, np.array(sc["x_center"]), np.array(sc["x_scale"])


def _forward(W, Z):
    """A plain sigmoid forward pass (hidden and output), returning the output's pre-activation."""
    H = Z
    for M in W:
        A = np.hstack([np.ones((H.shape[0], 1)), H]) @ M
        H = 1 / (1 + np.exp(-A))
    return A


def test_olden_json_is_the_path_sum_of_the_files_weights(iris_model, capsys):
    code, out, err = run("explain", "--model", str(iris_model), "--method", "olden", "--output", "virginica", "--json",
                         capsys=capsys)
    assert code == 0 and err == ""
    got = json.loads(out)
    _, (W1, W2), _, _ = _raw(iris_model)
    want = [sum(W1[i + 1, j] * W2[j + 1, 2] for j in range(5)) for i in range(4)]
    assert got["inputs"] == ["Sepal.Length", "Sepal.Width", "Petal.Length", "Petal.Width"]
    assert got["output"] == "virginica" and np.abs(np.array(got["importance"]) - want).max() < 1e-12


def test_the_first_output_by_default_and_said_so(iris_model, capsys):
    code, out, err = run("explain", "--model", str(iris_model), "--method", "olden", capsys=capsys)
    assert code == 0 and "output setosa (of 3" in err
    assert len(out.strip().splitlines()) == 4


def test_gw_json_is_the_derivative_of_the_log_odds_on_the_model_s_data(iris_model, capsys):
    code, out, err = run("explain", "--model", str(iris_model), "--method", "gw", "--output", "2", "--json",
                         capsys=capsys)
    assert code == 0 and "150 rows of the built-in iris" in err
    got = json.loads(out)
    _, W, xc, xs = _raw(iris_model)
    Z = (datamod.builtin("iris").X - xc) / xs
    h = 1e-6
    fd = np.stack([(_forward(W, Z + h * e) - _forward(W, Z - h * e))[:, 1] / (2 * h) for e in np.eye(4)], axis=1)
    values = np.array(got["values"])
    assert got["label"] == "log-odds" and values.shape == (150, 4)
    assert np.abs(values - fd).max() < 1e-6
    assert np.abs(np.array(got["x"]) - datamod.builtin("iris").X).max() < 1e-12


def test_lek_json_and_a_csv_of_rows(iris_model, tmp_path, capsys):
    rows = tmp_path / "rows.csv"
    X = datamod.builtin("iris").X[::10]
    rows.write_text("Petal.Width,Sepal.Length,Sepal.Width,Petal.Length,other\n" +
                    "".join(f"{r[3]},{r[0]},{r[1]},{r[2]},x\n" for r in X))
    code, out, err = run("explain", "--model", str(iris_model), "--method", "lek", "--data", str(rows), "--steps", "5",
                         "--json", capsys=capsys)
    assert code == 0 and f"the {len(X)} rows of {rows}" in err
    got = json.loads(out)
    values = np.array(got["values"])  # (inputs, groups, steps)
    assert values.shape == (4, 6, 5) and got["groups"][1] == "20%"
    _, W, xc, xs = _raw(iris_model)
    held = np.quantile(X, 0.2, axis=0)  # numpy's default is R's type 7
    held[2] = X[:, 2].min() + 3 * (X[:, 2].max() - X[:, 2].min()) / 4
    y = 1 / (1 + np.exp(-_forward(W, ((held - xc) / xs)[None, :])))
    assert abs(values[2, 1, 3] - y[0, 0]) < 1e-12


def test_a_figure_is_written_and_names_every_input(iris_model, tmp_path, capsys, qapp):
    out = tmp_path / "olden.svg"
    code, _, err = run("explain", "--model", str(iris_model), "--method", "olden", "--out", str(out), capsys=capsys)
    assert code == 0 and "written to" in err
    svg = ET.parse(out).getroot()
    texts = [t.text for t in svg.iter("{http://www.w3.org/2000/svg}text")]
    for name in ("Sepal.Length", "Petal.Width"):
        assert any(name in (t or "") for t in texts)


def test_pdp_and_garson_on_a_session_with_its_rows(tmp_path, capsys):
    from nnviz.core.experiment import Experiment, Settings
    from nnviz.io import session as sessionfile

    exp = Experiment(Settings(data="diabetes", hidden=(4,), output_activation="linear", iterations=50,
                              test_fraction=0.25))
    exp.session.run(50)
    path = tmp_path / "run.nnviz"
    sessionfile.save(path, exp.settings, exp.dataset, exp.session.get_state(), [0], [1.0])
    code, out, err = run("explain", "--model", str(path), "--method", "pdp", "--steps", "3", "--json", capsys=capsys)
    assert code == 0 and f"the session's {exp.train.n} training rows" in err
    got = json.loads(out)
    assert np.array(got["ice"]).shape == (10, exp.train.n, 3)
    assert np.abs(np.array(got["values"]) - np.array(got["ice"]).mean(axis=1)).max() < 1e-12
    code, out, _ = run("explain", "--model", str(path), "--method", "garson", "--json", capsys=capsys)
    assert code == 0 and abs(sum(json.loads(out)["importance"]) - 1) < 1e-12


@pytest.mark.parametrize("argv, words", [
    (["--method", "garson"], "Garson's importance needs one output, this network has 3"),
    (["--method", "olden", "--output", "tulip"], "--output 'tulip' is not one of the model's outputs"),
    (["--method", "olden", "--output", "4"], "is not one of the model's outputs"),
    (["--method", "lek", "--data", "wine"], "the built-in 'wine' has the inputs"),
    (["--method", "gw", "--data", "nope.csv"], "nope.csv"),
    (["--method", "olden", "--out", "x.gif"], "--out must name a .svg, .pdf or .png file"),
    (["--method", "olden", "--size", "5x5", "--out", "x.svg"], "--size must be WIDTHxHEIGHT"),
    (["--method", "shap"], "invalid choice: 'shap'"),
    (["--method", "lek", "--groups", "clusters", "--clusters", "200"], "200 clusters need 200 distinct rows"),
])
def test_bad_input_is_one_line_with_status_2(iris_model, argv, words, capsys):
    code, out, err = run("explain", "--model", str(iris_model), *argv, capsys=capsys)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and err.startswith("nnviz: error: ") and words in err


def test_rows_are_needed_for_a_model_without_known_data(tmp_path, capsys):
    csv = tmp_path / "d.csv"
    csv.write_text("a,b,y\n" + "".join(f"{i},{i * i % 7},{i % 2}\n" for i in range(20)))
    model = tmp_path / "m.json"
    assert cli.main(["train", "--data", str(csv), "--hidden", "3", "--iterations", "5", "--export", str(model),
                     "--quiet"]) == 0
    code, out, err = run("explain", "--model", str(model), "--method", "gw", capsys=capsys)
    assert code == 2 and "--method gw needs rows: give --data" in err


def test_a_missing_or_unreadable_model_is_one_line(tmp_path, capsys):
    weights = tmp_path / "w.csv"
    weights.write_text("layer,row,col,weight\n1,1,1,0.5\n")
    for model, words in ((tmp_path / "none.json", "none.json"), (weights, "CSV weights carry no input names")):
        code, out, err = run("explain", "--model", str(model), "--method", "olden", capsys=capsys)
        assert code == 2 and out == "" and err.count("\n") == 1 and words in err
