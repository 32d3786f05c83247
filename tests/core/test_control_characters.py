"""Names with control characters (issue 24, item 7): a class or column name holding U+0000 or
another control character is refused when read, from a CSV file, a model or a session, so
predict never writes a NUL that nnviz would then refuse to read back; a NUL byte anywhere in a
CSV file is refused with its line."""

import json

import numpy as np
import pytest

from nnviz import cli
from nnviz import io as nnio
from nnviz.core import data
from nnviz.core.experiment import Experiment, Settings


def rows(label_of_row_5: str, quoted: bool = False) -> str:
    labels = ["a", "b", "c"] * 4
    labels[3] = label_of_row_5
    q = '"' if quoted else ""
    return "x,y,kind\n" + "".join(f"{i},{i % 3},{q}{c}{q}\n" for i, c in enumerate(labels))


@pytest.mark.parametrize("char", ["\x00", "\x01", "\x1b", "\x7f", "\x85", "\t", "\r"])
@pytest.mark.parametrize("quoted", [False, True])
def test_a_class_name_with_a_control_character_is_refused(char, quoted, tmp_path):
    path = tmp_path / "d.csv"
    path.write_bytes(rows(f"b{char}x", quoted).encode("utf-8"))
    with pytest.raises(ValueError) as info:
        data.load_csv(path)
    msg = str(info.value)
    assert "\n" not in msg and msg.startswith(f"{path}: line 5")
    if char == "\r" and not quoted:  # a line break outside quotes: the CSV itself is malformed
        assert "not a readable CSV file" in msg
    else:
        assert f"U+{ord(char):04X}" in msg


def test_a_column_name_with_a_control_character_is_refused(tmp_path):
    path = tmp_path / "d.csv"
    path.write_text("x\x02,y,kind\n1,2,a\n2,1,b\n")
    with pytest.raises(ValueError, match=r"line 1: the column name 'x\\x02' has a control character \(U\+0002\)"):
        data.load_csv(path)
    pred = tmp_path / "p.csv"
    pred.write_text("x\x02,y\n1,2\n")
    with pytest.raises(ValueError, match=r"U\+0002"):
        data.load_inputs(pred, ("y",))


def test_a_nul_byte_anywhere_names_its_line(tmp_path):
    path = tmp_path / "d.csv"
    body = "".join(f"{i},{i % 3},{'ab'[i % 2]}\n" for i in range(2000))  # the NUL far past the first 4 KiB
    path.write_bytes(("x,y,kind\n" + body + "5,\x005,a\n").encode())
    with pytest.raises(ValueError, match=r"line 2002: a NUL byte \(U\+0000\): not a text file"):
        data.load_csv(path)
    with pytest.raises(ValueError, match=r"line 2002: a NUL byte \(U\+0000\): not a text file"):
        data.load_inputs(path, ("x",))


@pytest.mark.parametrize("field", ["outputs", "inputs", "class_names", "target_columns"])
def test_a_model_or_session_name_with_a_control_character_is_refused(tmp_path, field):
    exp = Experiment(Settings(data="iris", hidden=(2,)))
    doc = nnio.model_to_dict(exp.model())
    doc[field] = [*doc[field][:-1], doc[field][-1] + "\x00"]
    path = tmp_path / "m.json"
    path.write_text(json.dumps(doc))
    with pytest.raises(ValueError, match=r"has a control character \(U\+0000\)") as info:
        nnio.load(path)
    assert str(info.value).startswith(str(path))


def test_predictions_read_back(tmp_path, capsys):
    """What predict writes, nnviz reads: the names it writes are the model's, which are clean."""
    csv = tmp_path / "d.csv"
    csv.write_text(rows("b"))
    model = tmp_path / "m.json"
    assert cli.main(["train", "--data", str(csv), "--hidden", "2", "--iterations", "3", "--quiet",
                     "--export", str(model)]) == 0
    out = tmp_path / "p.csv"
    assert cli.main(["predict", "--model", str(model), "--data", str(csv), "--output", str(out)]) == 0
    X, back, header = data.load_inputs(out, ("x", "y", "pred.a"))
    assert header[-1] == "predicted" and {r[-1] for r in back} <= {"a", "b", "c"}
    assert np.isfinite(X).all()
