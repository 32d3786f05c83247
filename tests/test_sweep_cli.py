"""nnviz sweep: one JSON line per run, each exactly the nnviz train of its settings."""

import json

import numpy as np
import pytest

from nnviz import cli
from nnviz import io as nnio


def run(*argv, capsys):
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_sweep_runs_equal_single_trains(capsys, tmp_path):
    code, out, _ = run("sweep", "--data", "iris", "--hidden", "2,4-4", "--lr", "0.01,0.05", "--iterations", "400",
                       "--test-fraction", "0.2", "--json", capsys=capsys)
    assert code == 0
    lines = [json.loads(line) for line in out.splitlines()]
    assert [(s["architecture"], s["learning_rate"]) for s in lines] == \
        [("4-2-3", 0.01), ("4-2-3", 0.05), ("4-4-4-3", 0.01), ("4-4-4-3", 0.05)]
    for s in lines:
        hidden = ",".join(map(str, s["settings"]["hidden"]))
        model = tmp_path / f"m{hidden}-{s['learning_rate']}.npz"
        code, single, _ = run("train", "--data", "iris", "--hidden", hidden, "--lr", str(s["learning_rate"]),
                              "--iterations", "400", "--test-fraction", "0.2", "--json", "--export", str(model),
                              capsys=capsys)
        t = json.loads(single)
        assert code == 0
        for key in ("mse", "test_mse", "accuracy", "test_accuracy", "iterations", "stopped", "settings"):
            assert s[key] == t[key], key  # the same floats to the last bit
        assert set(s) == set(t) | {"run", "runs", "grid"}  # train --json's fields, and the run's place in the grid
        # and the weights: the core's sweep run gives the exported ones exactly
        from nnviz.core import sweep
        from nnviz.core.experiment import Settings

        exp, _, _ = sweep.run_one(Settings(**{**s["settings"], "hidden": tuple(s["settings"]["hidden"]),
                                              "activation": tuple(s["settings"]["activation"])}))
        for a, b in zip(exp.network.weights, nnio.load(str(model)).network.weights, strict=True):
            assert np.array_equal(a, b)


def test_sweep_text_output(capsys):
    code, out, _ = run("sweep", "--data", "iris", "--activation", "tanh,relu", "--hidden", "3",
                       "--iterations", "50", capsys=capsys)
    assert code == 0
    lines = out.splitlines()
    assert len(lines) == 2 and lines[0].startswith("run 1/2  activation tanh:") and "4-3-3" in lines[0]


@pytest.mark.parametrize("argv, message", [
    (["--lr", ""], "argument --lr: no values"),
    (["--lr", "0.1,,0.2"], "argument --lr: an empty value"),
    (["--lr", "0.1,x"], "argument --lr: 'x' is not a number"),
    (["--algorithm", "gd,fast"], "argument --algorithm: invalid choice 'fast'"),
    (["--lr", "0.1,0.2", "--seed", "1,2", "--momentum", "0,0.5"], "one or two settings, not 3"),
    (["--lr", "0.1,-2"], "the run with --lr -2.0: "),
    (["--hidden", "2,x"], "hidden layers must be positive whole numbers"),
    (["--colour", "red,blue"], "unrecognized arguments: --colour"),
    (["--export", "m.json"], "exports no models"),
])
def test_bad_sweeps_are_one_line(capsys, argv, message):
    code, out, err = run("sweep", "--data", "iris", "--iterations", "10", *argv, capsys=capsys)
    assert code == 2 and out == ""
    assert message in err and err.count("\n") == 1


@pytest.mark.parametrize("varied, fixed", [
    (["--l2", "0,0.01"], ["--l1", "0.001", "--lr-schedule", "step:0.5:100"]),
    (["--patience", "20,200"], ["--validation-fraction", "0.25", "--lr", "0.5"]),
])
def test_sweeps_over_the_training_extras_equal_single_trains(capsys, varied, fixed):
    code, out, _ = run("sweep", "--data", "iris", "--hidden", "3", "--iterations", "600", *varied, *fixed, "--json",
                       capsys=capsys)
    assert code == 0
    lines = [json.loads(line) for line in out.splitlines()]
    assert len(lines) == 2
    for value, s in zip(varied[1].split(","), lines, strict=True):
        code, single, _ = run("train", "--data", "iris", "--hidden", "3", "--iterations", "600", varied[0], value,
                              *fixed, "--json", capsys=capsys)
        t = json.loads(single)
        for key in ("mse", "iterations", "stopped", "stopped_at", "best_iteration", "settings"):
            assert s[key] == t[key], key
