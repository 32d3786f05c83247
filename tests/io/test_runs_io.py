"""Kept runs in files: session round trip, --json import, CSV export."""

import csv
import io
import json

import numpy as np
import pytest

from nnviz import cli
from nnviz.core import runs, sweep
from nnviz.core.experiment import Experiment, Settings
from nnviz.io import runs as runfile
from nnviz.io import session as sessionfile

SMALL = dict(data="iris", hidden=(3,), iterations=200)


@pytest.fixture(scope="module")
def two_runs():
    a = sweep.run_one(Settings(**SMALL, test_fraction=0.2))[1]
    b = sweep.run_one(Settings(**SMALL, lr=0.05, activation=("tanh",), batch_size=16))[1]
    return [a, b]


def _same(r, k):
    assert (k.settings, k.data, k.architecture, k.iterations, k.stopped, k.origin) == \
        (r.settings, r.data, r.architecture, r.iterations, r.stopped, r.origin)
    assert (k.mse, k.accuracy, k.test_mse, k.test_accuracy, k.seconds) == \
        (r.mse, r.accuracy, r.test_mse, r.test_accuracy, r.seconds)
    assert np.array_equal(k.curve.iterations, r.curve.iterations)
    assert np.array_equal(k.curve.train, r.curve.train)
    if r.curve.test is None:
        assert k.curve.test is None
    else:
        assert np.array_equal(k.curve.test, r.curve.test)
        assert np.array_equal(k.curve.test_iterations, r.curve.test_iterations)


def test_kept_runs_survive_a_session_round_trip(tmp_path, two_runs):
    exp = Experiment(Settings(**SMALL))
    path = tmp_path / "s.nnviz"
    sessionfile.save(path, exp.settings, exp.dataset, exp.session.get_state(), np.arange(3), np.ones(3),
                     runs=[runfile.to_dict(r) for r in two_runs])
    back = runfile.session_runs(sessionfile.load(path))
    assert len(back) == 2
    for r, k in zip(two_runs, back, strict=True):
        _same(r, k)
    assert back[0].known is None and back[0].curve.test is not None


def test_old_sessions_without_runs_still_load(tmp_path):
    exp = Experiment(Settings(**SMALL))
    path = tmp_path / "old.nnviz"
    sessionfile.save(path, exp.settings, exp.dataset, exp.session.get_state(), np.arange(3), np.ones(3))
    doc = json.loads(path.read_text())
    assert "runs" not in doc
    assert runfile.session_runs(sessionfile.load(path)) == []


def test_a_bad_run_in_a_session_is_one_line(tmp_path, two_runs):
    exp = Experiment(Settings(**SMALL))
    path = tmp_path / "bad.nnviz"
    rec = runfile.to_dict(two_runs[0])
    rec["curve"]["mse"] = rec["curve"]["mse"][:-1]
    sessionfile.save(path, exp.settings, exp.dataset, exp.session.get_state(), np.arange(3), np.ones(3), runs=[rec])
    with pytest.raises(ValueError, match=r"bad.nnviz: run 1: the curve has \d+ iterations and \d+ 'mse' values"):
        runfile.session_runs(sessionfile.load(path))


def test_import_train_json(tmp_path, capsys):
    assert cli.main(["train", "--data", "iris", "--hidden", "4", "--lr", "0.05", "--iterations", "300",
                     "--test-fraction", "0.2", "--json"]) == 0
    out = capsys.readouterr().out
    summary = json.loads(out)
    path = tmp_path / "one.json"
    path.write_text(out)
    (run,) = runfile.read_json(path)
    assert run.curve is None and run.origin == "one.json"
    assert run.known is None  # train --json gives every setting
    assert run.settings == Settings(data="iris", hidden=(4,), lr=0.05, iterations=300, test_fraction=0.2)
    assert (run.mse, run.test_mse, run.accuracy, run.iterations) == \
        (summary["mse"], summary["test_mse"], summary["accuracy"], 300)
    assert runs.RunTable([run]).value(0, [c.key for c in runs.columns()].index("curve")) == "none in the file"


def test_import_sweep_json_lines_and_old_summaries(tmp_path, capsys):
    assert cli.main(["sweep", "--data", "iris", "--hidden", "2,3", "--iterations", "100", "--json"]) == 0
    out = capsys.readouterr().out
    path = tmp_path / "sweep.json"
    path.write_text(out + "\n")
    got = runfile.read_json(path)
    assert [r.settings.hidden for r in got] == [(2,), (3,)]
    # a summary of an nnviz that wrote no settings: the settings it names, compared on those
    old = {k: v for k, v in json.loads(out.splitlines()[0]).items() if k != "settings"}
    old["learning_rate"] = 0.5
    path.write_text(json.dumps([old]))
    (run,) = runfile.read_json(path)
    assert run.known == {"data", "hidden", "algorithm", "lr", "seed"}
    assert run.settings.lr == 0.5 and run.settings.hidden == (2,)
    assert runs.label(run, Settings(data="iris", hidden=(2,))) == "lr 0.5"


@pytest.mark.parametrize("text, message", [
    ("{not json", "line 1: not valid JSON"),
    ('{"data": "iris", "architecture": "4-3", "iterations": 5}\n[1, 2]', "line 2: a run must be a JSON object"),
    ('{"data": "iris", "architecture": "4-x-3", "iterations": 5}', "'architecture' must be layer sizes"),
    ('{"data": "iris", "architecture": "4-3", "iterations": -5}', "'iterations' must be a whole number"),
    ('{"data": "iris", "architecture": "4-3"}', "no 'iterations'"),
    ('{"data": "iris", "architecture": "4-3", "iterations": 5, "accuracy": 3}', "'accuracy' must be a number from 0"),
    ('{"data": "iris", "architecture": "4-3", "iterations": 5, "learning_rate": -1}', "settings 'lr' must be"),
    ("", "no runs in the file"),
    ("[]", "no runs in the file"),
])
def test_malformed_json_imports_are_one_line(tmp_path, text, message):
    path = tmp_path / "bad.json"
    path.write_text(text)
    with pytest.raises(ValueError, match=message) as exc:
        runfile.read_json(path)
    assert "\n" not in str(exc.value) and str(exc.value).startswith(str(path))


def test_csv_export_reloads(tmp_path, two_runs):
    table = runs.RunTable(two_runs)
    current = Settings(**SMALL)
    path = tmp_path / "runs.csv"
    runfile.write_csv(path, table, current)
    rows = list(csv.DictReader(io.StringIO(path.read_text())))
    assert len(rows) == 2
    for row, r in zip(rows, two_runs, strict=True):
        assert float(row["mse"]) == r.mse
        assert row["lr"] == "auto" if r.settings.lr == "auto" else float(row["lr"]) == r.settings.lr
        assert float(row["seconds"]) == r.seconds and int(row["iterations"]) == r.iterations
        assert row["label"] == runs.label(r, current) and row["architecture"] == r.architecture
    assert rows[0]["test_mse"] != "" and rows[1]["test_mse"] == ""
    assert rows[1]["label"] == "activation tanh, lr 0.05, batch size 16"
    assert rows[1]["batch_size"] == "16" and rows[0]["batch_size"] == ""
    with pytest.raises(ValueError, match="no kept runs"):
        runfile.write_csv(tmp_path / "empty.csv", runs.RunTable(), current)
