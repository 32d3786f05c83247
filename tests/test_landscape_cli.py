"""nnviz landscape: the loss landscape of a model file, headless.  The JSON's grid is checked against
the mse of the moved weights computed here from the file's raw JSON and the iris rows; the PCA path
ends at the current weights; files that cannot be replayed, and bad options, are one line, status 2."""

from __future__ import annotations

import json

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
    path = tmp_path_factory.mktemp("landscape") / "iris.json"
    assert cli.main(["train", "--data", "iris", "--hidden", "5", "--iterations", "800", "--export", str(path),
                     "--quiet"]) == 0
    return path


def _mse_of(doc, params):
    """The training mse of flat weights, from the file's shapes and scaling and the iris rows."""
    shapes = [np.array(w).shape for w in doc["weights"]]
    sc = doc["scaling"]
    ds = datamod.load("iris")
    H = (ds.X - np.array(sc["x_center"])) / np.array(sc["x_scale"])
    k = 0
    for r, c in shapes:
        W = np.asarray(params[k:k + r * c]).reshape(r, c)
        k += r * c
        H = 1 / (1 + np.exp(-(np.hstack([np.ones((len(H), 1)), H]) @ W)))
    return float(np.mean((ds.T - H) ** 2))


def test_json_grid_is_the_mse_of_the_moved_weights_and_the_path_ends_here(iris_model, capsys):
    code, out, err = run("landscape", "--model", str(iris_model), "--data", "iris", "--json", "--size", "11",
                         capsys=capsys)
    assert code == 0, err
    got = json.loads(out)
    doc = json.loads(iris_model.read_text())
    assert got["directions"] == "pca" and got["measure"] == "mse" and got["iteration"] == 800
    assert got["names"][0].startswith("PC1 (") and got["names"][1].startswith("PC2 (")
    a, b, V = np.array(got["a"]), np.array(got["b"]), np.array(got["mse"])
    assert V.shape == (11, 11) and a[5] == 0 and b[5] == 0 and np.all(np.diff(a) > 0)
    assert abs(V[5, 5] - doc["training"]["mse"]) < 1e-12
    params = np.concatenate([np.ravel(w) for w in doc["weights"]])
    assert abs(V[5, 5] - _mse_of(doc, params)) < 1e-12
    path = got["path"]
    assert path["iterations"][0] == 0 and path["iterations"][-1] == 800
    assert abs(path["a"][-1]) < 1e-12 and abs(path["b"][-1]) < 1e-12
    assert "replayed the recorded run: 800 iterations" in err


def test_random_directions_need_no_replay_and_draw_a_figure(iris_model, tmp_path, capsys, qapp):
    out_png = tmp_path / "land.svg"
    code, out, err = run("landscape", "--model", str(iris_model), "--directions", "random", "--size", "7",
                         "--out", str(out_png), capsys=capsys)
    assert code == 0, err
    assert out.startswith("random directions, 7 x 7 points around iteration 800")
    assert "replayed" not in err and out_png.read_text().startswith("<?xml")


@pytest.mark.parametrize("argv, message", [
    (["--size", "40"], "odd number"),
    (["--out", "x.gif"], "--out must name a .svg, .pdf or .png file"),
    (["--directions", "pca", "--data", "wine"], "cannot be replayed"),
])
def test_bad_input_is_one_line(iris_model, argv, message, capsys):
    code, out, err = run("landscape", "--model", str(iris_model), *argv, capsys=capsys)
    assert code == 2 and message in err and err.count("\n") == 1


def test_a_model_trained_on_from_another_is_refused(iris_model, tmp_path, capsys):
    more = tmp_path / "more.json"
    assert cli.main(["train", "--data", "iris", "--hidden", "5", "--init", str(iris_model), "--iterations", "50",
                     "--export", str(more), "--quiet"]) == 0
    code, out, err = run("landscape", "--model", str(more), capsys=capsys)
    assert code == 2 and "cannot be replayed" in err and "--directions random" in err
