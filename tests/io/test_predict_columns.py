"""nnviz predict with a model that has no column names (an ONNX model from elsewhere)."""

from pathlib import Path

import numpy as np
import pytest

from nnviz import cli
from nnviz import io as nnio
from nnviz.core.experiment import Experiment, Settings

pytest.importorskip("onnx")
MODEL = Path(__file__).resolve().parents[1] / "data" / "onnx" / "relu_softmax_torchscript.onnx"
X = np.array([[5.1, 3.5, 1.4, 0.2], [6.7, 3.0, 5.2, 2.3]])


def _csv(tmp_path, header, rows):
    p = tmp_path / "rows.csv"
    p.write_text(",".join(header) + "\n" + "".join(",".join(repr(float(v)) for v in r) + "\n" for r in rows))
    return p


def _predictions(out: str, skip: int) -> np.ndarray:
    return np.array([[float(v) for v in ln.split(",")[skip:skip + 3]] for ln in out.splitlines()[1:]])


def test_the_csvs_columns_in_order_when_their_number_fits(tmp_path, capsys):
    rows = _csv(tmp_path, ["a", "b", "c", "d"], X)
    assert cli.main(["predict", "--model", str(MODEL), "--data", str(rows)]) == 0
    out, err = capsys.readouterr()
    assert err == f"nnviz: {MODEL} has no input names; using the CSV's 4 columns in order: a, b, c, d\n"
    np.testing.assert_allclose(_predictions(out, 4), nnio.load(MODEL).predict(X), rtol=1e-15)


def test_columns_chosen_by_name(tmp_path, capsys):
    rows = _csv(tmp_path, ["id", "d", "c", "b", "a"], np.column_stack([[1, 2], X[:, ::-1]]))
    assert cli.main(["predict", "--model", str(MODEL), "--data", str(rows), "--columns", "a, b,c,d"]) == 0
    out, err = capsys.readouterr()
    assert err == ""
    np.testing.assert_allclose(_predictions(out, 5), nnio.load(MODEL).predict(X), rtol=1e-15)


@pytest.mark.parametrize("header,columns,text", [
    (["id", "a", "b", "c", "d"], None, "has no input names and {data} has 5 columns, not 4 distinct ones; "
                                       "name the input columns with --columns a,b,..."),
    (["a", "b", "c", "d"], "a,b", "--columns names 2 column(s), the model takes 4 inputs"),
    (["a", "b", "c", "d"], "a,b,c,e", "no column named 'e'"),
])
def test_columns_that_do_not_fit(tmp_path, capsys, header, columns, text):
    rows = _csv(tmp_path, header, np.ones((2, len(header))))
    argv = ["predict", "--model", str(MODEL), "--data", str(rows)] + (["--columns", columns] if columns else [])
    assert cli.main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("nnviz: error: ") and err.count("\n") == 1 and text.format(data=rows) in err


def test_a_model_with_names_can_read_other_columns(tmp_path, capsys):
    e = Experiment(Settings(data="iris", hidden=(3,)))
    e.session.run(10)
    m = tmp_path / "m.json"
    nnio.save(e.model(), m)
    rows = _csv(tmp_path, ["w", "x", "y", "z"], X)
    assert cli.main(["predict", "--model", str(m), "--data", str(rows)]) == 2
    assert "no column named 'Sepal.Length'" in capsys.readouterr().err
    assert cli.main(["predict", "--model", str(m), "--data", str(rows), "--columns", "w,x,y,z"]) == 0
    np.testing.assert_allclose(_predictions(capsys.readouterr().out, 4), e.model().predict(X), rtol=1e-15)
