"""Bad session files: every field is checked for its type and range when the file is read, so
a bad session opens nothing and says why in one line (instead of failing later in training)."""

import json

import numpy as np
import pytest

from nnviz.core.experiment import Experiment, Settings
from nnviz.io import session as sessionfile


@pytest.fixture(scope="module")
def docs(tmp_path_factory):
    """A good session document for a built-in (iris, mini-batches) and one with CSV data embedded."""
    tmp = tmp_path_factory.mktemp("sessions")
    out = {}
    a = Experiment(Settings(batch_size=16, momentum=0.5))
    a.session.run(12)
    p = tmp / "a.nnviz"
    sessionfile.save(p, a.settings, a.dataset, a.session.get_state(), np.arange(3), np.ones(3))
    out["builtin"] = p.read_text()
    csv = tmp / "d.csv"
    rng = np.random.default_rng(0)
    csv.write_text("a,b,kind\n" + "".join(f"{x},{y},{'pq'[int(x > y)]}\n" for x, y in rng.normal(size=(30, 2))))
    b = Experiment(Settings(data=str(csv), hidden=(3,)))
    b.session.run(5)
    p = tmp / "b.nnviz"
    sessionfile.save(p, b.settings, b.dataset, b.session.get_state(), np.arange(2), np.ones(2))
    out["csv"] = p.read_text()
    return out


def _refused(tmp_path, docs, which, mutate, *parts):
    doc = json.loads(docs[which])
    mutate(doc)
    p = tmp_path / "bad.nnviz"
    p.write_text(json.dumps(doc))
    with pytest.raises(ValueError) as info:
        sessionfile.restore(sessionfile.load(p))
    msg = str(info.value)
    assert msg.startswith(f"{p}: ") and "\n" not in msg, msg
    for part in parts:
        assert part in msg, msg


def _set(section, key, value):
    return lambda d: d[section].__setitem__(key, value)


@pytest.mark.parametrize("mutate,text", [
    (_set("settings", "lr", "0.1"), "settings 'lr' must be a positive number or auto (got \"0.1\")"),
    (_set("settings", "lr", -0.1), "settings 'lr' must be a positive number or auto (got -0.1)"),
    (_set("settings", "lr", True), "settings 'lr' must be a positive number or auto (got true)"),
    (_set("settings", "momentum", 1.5), "settings 'momentum' must be a number from 0 to below 1"),
    (_set("settings", "noise", 2), "settings 'noise' must be a number from 0 to 1"),
    (_set("settings", "test_fraction", 1.0), "settings 'test_fraction' must be a number from 0 to below 1"),
    (_set("settings", "batch_size", 0), "settings 'batch_size' must be null or a whole number of at least 1"),
    (_set("settings", "batch_size", 2.5), "settings 'batch_size' must be null or a whole number of at least 1"),
    (_set("settings", "threshold", 0), "settings 'threshold' must be null or a positive number"),
    (_set("settings", "iterations", -1), "settings 'iterations' must be a whole number from 0 to 10^15"),
    (_set("settings", "seed", -3), "settings 'seed' must be a whole number of at least 0"),
    (_set("settings", "seed", "1"), "settings 'seed' must be a whole number of at least 0"),
    (_set("settings", "hidden", [6, 0]), "settings 'hidden' must be a list of positive whole numbers"),
    (_set("settings", "hidden", "6,6"), "settings 'hidden' must be a list of positive whole numbers"),
    (_set("settings", "activation", [1]), "settings 'activation' must be a list of activation names"),
    (_set("settings", "activation", ["foo"]), "settings: unknown activation 'foo'"),
    (_set("settings", "output_activation", "softmax"), "settings: "),
    (_set("settings", "algorithm", "adam"), "settings: unknown algorithm 'adam'"),
    (_set("settings", "algorithm", "rprop+"), "settings: momentum and mini-batches go with --algorithm gd only"),
    (_set("settings", "classify", "yes"), "settings 'classify' must be true or false"),
    (_set("settings", "standardize", 1), "settings 'standardize' must be true or false"),
    (_set("settings", "data", 5), "settings 'data' must be a data set name or a CSV path"),
    (lambda d: d.update(settings=[1]), "'settings' must be an object"),
    (_set("state", "pos", -3), "state 'pos' must be a whole number from 0 to 150 (got -3)"),
    (_set("state", "pos", 151), "state 'pos' must be a whole number from 0 to 150"),
    (_set("state", "pos", 1.5), "state 'pos' must be a whole number"),
    (lambda d: d["state"]["order"].__setitem__(0, 999), "state 'order' must hold each row number from 0 to 149 once"),
    (lambda d: d["state"]["order"].__setitem__(0, d["state"]["order"][1]), "from 0 to 149 once"),
    (lambda d: d["state"]["order"].__setitem__(0, "3"), "state 'order' must be a list of row numbers"),
    (lambda d: d["state"].update(order=list(range(149)), pos=0),
     "the session's mini-batch order has 149 rows, the training set 150"),
    (_set("state", "iteration", True), "state 'iteration' must be a whole number from 0 to 10^15 (got true)"),
    (_set("state", "iteration", -1), "state 'iteration' must be a whole number from 0 to 10^15"),
    (lambda d: d["state"]["params"].__setitem__(0, "0.5"), "state 'params' must be a list of numbers"),
    (lambda d: d["state"]["velocity"].__setitem__(0, None), "state 'velocity' must be a list of numbers"),
    (lambda d: d["state"]["rprop_steps"].__setitem__(0, -0.1), "state 'rprop_steps' must be positive"),
    (lambda d: d["state"]["params"].append(1.0), "state 'velocity' has 93 values, expected 94"),
    (lambda d: [d["state"][k].pop() for k in ("params", "velocity", "rprop_steps", "rprop_old")],
     "the session holds 92 weights, the 4-6-6-3 network needs 93"),
    (lambda d: d["state"]["rng"].update(bit_generator="MT19937"), "the random generator state 'rng' is invalid"),
    (lambda d: d["state"]["rng"]["state"].update(state="12"), "the random generator state 'rng' is invalid"),
    (lambda d: d["state"]["rng"]["state"].update(inc=2**200), "the random generator state 'rng' is invalid"),
    (_set("history", "iteration", ["1", "2", "3"]), "the error history's 'iteration' must be a list of whole numbers"),
    (_set("history", "mse", [1, 2, "x"]), "the error history's 'mse' must be a list of numbers"),
    (lambda d: d.update(history=5), "'history' must be an object"),
    (lambda d: d.update(version=True), "session format version true is not one this nnviz reads"),
    (lambda d: d.pop("state"), "missing 'state'"),
    (lambda d: d.update(state=[]), "'state' must be an object"),
])
def test_bad_fields_of_a_builtin_session(tmp_path, docs, mutate, text):
    _refused(tmp_path, docs, "builtin", mutate, text)


@pytest.mark.parametrize("mutate,text", [
    (lambda d: d.update(data=[]), "'data' must be an object"),
    (lambda d: d.pop("data"), "the session names a CSV file but holds no data rows"),
    (lambda d: d["data"]["X"][0].__setitem__(0, "1.5"), "the embedded data 'X' must hold numbers only"),
    (lambda d: d["data"]["X"][0].__setitem__(0, True), "the embedded data 'X' must hold numbers only"),
    (lambda d: d["data"]["X"][1].pop(), "the rows must all have the same, non-zero number of values"),
    (lambda d: d["data"]["T"].pop(), "the embedded data has 30 input rows and 29 target rows"),
    (lambda d: d["data"]["T"][0].__setitem__(0, 0.5), "the embedded classes targets must be 0 or 1"),
    (lambda d: d["data"]["T"][0].__setitem__(0, 1 - d["data"]["T"][0][0]), "exactly one 1"),
    (lambda d: d["data"].update(task="clusters"), "the embedded data's task must be one of"),
    (lambda d: d["data"].update(input_names=["a", "a"]), "the name 'a' appears twice"),
    (lambda d: d["data"].update(output_names=["p"]), "must list 2 names, not 1"),
    (lambda d: d["data"].update(target_columns=5), "'target_columns' must be a list of names"),
    (lambda d: d["data"].update(name=7), "the embedded data's 'name' and 'source' must be strings"),
    (lambda d: d["data"].update(X=[]), "the embedded data 'X' must be a list of rows"),
])
def test_bad_embedded_data(tmp_path, docs, mutate, text):
    _refused(tmp_path, docs, "csv", mutate, text)


def test_good_files_still_open(tmp_path, docs):
    for which in docs:
        p = tmp_path / f"{which}.nnviz"
        p.write_text(docs[which])
        exp = sessionfile.restore(sessionfile.load(p))
        assert exp.session.iteration in (12, 5)


def test_deeply_nested_and_not_json(tmp_path):
    p = tmp_path / "deep.nnviz"
    p.write_text("[" * 100_000 + "]" * 100_000)
    with pytest.raises(ValueError, match="nested too deeply"):
        sessionfile.load(p)
    p.write_bytes(b"\x00\xff")
    with pytest.raises(ValueError, match="not a text file"):
        sessionfile.load(p)
