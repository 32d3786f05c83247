"""nnviz compare-r: refusals and missing R in one line (status 2); with R and neuralnet
installed (skipped otherwise), the comparison printed and as JSON."""

import json

import numpy as np
import pytest

from nnviz import cli
from nnviz import io as nnio
from nnviz.io import rcompare


def run(capsys, *argv):
    code = cli.main(["compare-r", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_what_neuralnet_cannot_do_is_one_line_before_r_is_looked_for(capsys, monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))  # no R at all: the refusal comes first
    monkeypatch.delenv("NNVIZ_RSCRIPT", raising=False)
    code, out, err = run(capsys, "--data", "iris", "--activation", "relu")
    assert (code, out) == (2, "")
    assert err == "nnviz: error: cannot compare with neuralnet: --activation relu: neuralnet's act.fct is logistic or tanh\n"
    code, _, err = run(capsys, "--data", "iris", "--batch-size", "10", "--iterations", "5")
    assert code == 2 and err.startswith("nnviz: error: cannot compare with neuralnet: --batch-size 10") and err.count("\n") == 1


def test_without_r_it_says_what_to_install(capsys, monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.delenv("NNVIZ_RSCRIPT", raising=False)
    out_file = tmp_path / "m.json"
    code, out, err = run(capsys, "--data", "toy", "--iterations", "10", "--export", str(out_file))
    assert (code, out) == (2, "")
    assert err == ("nnviz: error: R is not installed (Debian: apt install r-base-core; then in R: "
                   "install.packages('neuralnet'))\n")
    assert not out_file.exists()  # checked before training


@pytest.fixture(scope="module")
def r_info():
    try:
        return rcompare.find_r()
    except ValueError as exc:
        pytest.skip(f"needs R and neuralnet: {exc}")


def test_json_has_neuralnets_numbers_and_nnvizs_summary(capsys, r_info, tmp_path):
    model = tmp_path / "toy.json"
    code, out, err = run(capsys, "--data", "toy", "--iterations", "200", "--json", "--export", str(model))
    assert code == 0 and err == ""
    s = json.loads(out)
    for key in ("iterations", "mse", "accuracy", "stopped", "settings", "engine", "seconds"):
        assert key in s  # nnviz train's own fields
    assert s["iterations"] == 200 and s["steps"] == 201
    n = s["neuralnet"]
    assert n["steps"] == 201 and n["error"] == pytest.approx(s["error"], rel=1e-12)
    assert n["version"] == r_info.neuralnet_version and n["converged"] is False
    assert 0 <= s["max_weight_difference"] < 1e-12
    # the model exported is nnviz's run, the very weights nnviz train gives
    assert cli.main(["train", "--data", "toy", "--iterations", "200", "--export", str(tmp_path / "t.json")]) == 0
    a, b = nnio.load(model), nnio.load(tmp_path / "t.json")
    assert all(np.array_equal(x, y) for x, y in zip(a.network.weights, b.network.weights, strict=True))
    capsys.readouterr()


def test_the_printed_comparison(capsys, r_info):
    code, out, err = run(capsys, "--data", "iris", "--algorithm", "rprop+", "--threshold", "0.01")
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "iris: 150 training rows, network 4-6-6-3 (sigmoid, sigmoid, sigmoid), rprop+, threshold 0.01"
    assert lines[1].startswith(f"neuralnet {r_info.neuralnet_version} in R {r_info.r_version}: neuralnet(setosa + "
                               "versicolor + virginica ~ Sepal.Length + Sepal.Width + Petal.Length + Petal.Width, data, "
                               "startweights, hidden = c(6, 6), threshold = 0.01, stepmax = 50001, rep = 1, "
                               'algorithm = "rprop+"')
    rows = {ln[:18].strip(): ln[18:].split() for ln in lines[3:] if not ln.startswith("largest")}
    assert rows["steps"][0] == rows["steps"][1] and int(rows["steps"][0]) < 50001
    assert rows["stopped"] == ["threshold", "threshold"] and rows["error"][0] == rows["error"][1]
    assert lines[-1].startswith("largest weight difference ")
