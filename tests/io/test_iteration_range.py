"""The iteration counts nnviz supports: below 10^15 (issue 24, item 2).  A session, a model or
--iterations beyond that is refused in one line naming the field, not opened without a word."""

import json

import numpy as np
import pytest

from nnviz import cli
from nnviz import io as nnio
from nnviz.core.experiment import MAX_ITERATIONS, Experiment, Settings
from nnviz.io import session as sessionfile

TOO_MANY = (MAX_ITERATIONS + 1, 2**53, 10**18, 2**63 + 5)


@pytest.fixture(scope="module")
def session_doc(tmp_path_factory):
    exp = Experiment(Settings(data="toy", hidden=(2,), validation_fraction=0.25))
    exp.session.run(7)
    p = tmp_path_factory.mktemp("s") / "s.nnviz"
    sessionfile.save(p, exp.settings, exp.dataset, exp.session.get_state(), np.arange(7), np.ones(7),
                     validation_x=np.array([0, 5]), validation_y=np.ones(2))
    return json.loads(p.read_text())


def _session(tmp_path, doc) -> ValueError:
    p = tmp_path / "bad.nnviz"
    p.write_text(json.dumps(doc))
    with pytest.raises(ValueError) as info:
        sessionfile.restore(sessionfile.load(p))
    assert "\n" not in str(info.value) and str(info.value).startswith(str(p))
    return info.value


def test_the_limit_is_the_documented_one():
    assert MAX_ITERATIONS == 10**15
    Settings(iterations=MAX_ITERATIONS)
    with pytest.raises(ValueError, match="iterations must be at most 10\\^15"):
        Settings(iterations=MAX_ITERATIONS + 1)


@pytest.mark.parametrize("count", TOO_MANY)
def test_a_session_beyond_the_range_names_the_field(tmp_path, session_doc, count):
    for where, mutate in (("'iteration'", lambda d: d["state"].__setitem__("iteration", count)),
                          ("iterations", lambda d: d["settings"].__setitem__("iterations", count)),
                          ("error history", lambda d: d["history"]["iteration"].__setitem__(-1, count)),
                          ("validation error history",
                           lambda d: d["history"]["validation_iteration"].__setitem__(-1, count))):
        doc = json.loads(json.dumps(session_doc))
        mutate(doc)
        assert where in str(_session(tmp_path, doc))


def test_a_session_within_the_range_opens(tmp_path, session_doc):
    doc = json.loads(json.dumps(session_doc))
    doc["state"]["iteration"] = 2**31 + 7  # beyond a 32-bit counter, within the range
    doc["settings"]["iterations"] = 2**40
    p = tmp_path / "big.nnviz"
    p.write_text(json.dumps(doc))
    exp = sessionfile.restore(sessionfile.load(p))
    assert exp.session.iteration == 2**31 + 7


@pytest.mark.parametrize("fmt", ["json", "npz"])
@pytest.mark.parametrize("field", ["iterations", "history", "best_iteration", "stopped_at"])
def test_a_model_beyond_the_range_names_the_field_and_file(tmp_path, fmt, field):
    exp = Experiment(Settings(data="toy", hidden=(2,)))
    extra = {"history": {"iterations": [0, 1, 10**18], "mse": [0.3, 0.2, 0.1]}} if field == "history" \
        else {field: 10**18}
    path = tmp_path / f"m.{fmt}"
    nnio.save(exp.model(extra), path)
    with pytest.raises(ValueError, match="10\\^15") as info:
        nnio.load(path)
    assert str(info.value).startswith(str(path)) and field in str(info.value)


def test_the_iterations_option_beyond_the_range(capsys, monkeypatch):
    monkeypatch.setattr(cli.training, "train", lambda *a: pytest.fail("trained for 10^16 iterations"))
    code = cli.main(["train", "--data", "toy", "--iterations", str(10**16)])
    _, err = capsys.readouterr()
    assert code == 2 and err.count("\n") == 1 and "--iterations" in err and "10^15" in err


def test_a_bad_error_history_is_one_rule_for_every_reader(tmp_path, capsys, qapp):
    """plot --what errors named no file, while predict and --init took the same model (item 7):
    now every reader refuses it, naming the file and the field."""
    exp = Experiment(Settings(data="iris", hidden=(2,)))
    model = tmp_path / "m.json"
    nnio.save(exp.model({"history": {"iterations": [3, 1], "mse": [0.5, 0.4]}}), model)
    rows = tmp_path / "rows.csv"
    rows.write_text("Sepal.Length,Sepal.Width,Petal.Length,Petal.Width\n5.1,3.5,1.4,0.2\n")
    for argv in (["predict", "--model", str(model), "--data", str(rows)],
                 ["train", "--data", "iris", "--init", str(model), "--iterations", "1", "--quiet"],
                 ["plot", "--model", str(model), "--what", "errors", "--out", str(tmp_path / "e.svg")],
                 ["plot", "--model", str(model), "--out", str(tmp_path / "d.svg")]):
        code = cli.main(argv)
        out, err = capsys.readouterr()
        assert code == 2, (argv, err)
        assert err == f"nnviz: error: {model}: 'training' 'history' iterations must not go down\n", argv
