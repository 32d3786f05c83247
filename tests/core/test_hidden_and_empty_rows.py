"""--hidden '' is refused (0 says no hidden layer), and rows of bare commas are skipped with a
note on stderr, not silently (issue 24, item 7)."""

import pytest

from nnviz import cli
from nnviz.core import data
from nnviz.core.experiment import Settings
from nnviz.core.network import parse_hidden


def test_an_empty_hidden_is_refused_and_zero_means_none(capsys, monkeypatch):
    assert parse_hidden("0") == () and parse_hidden(" 0 ") == () and parse_hidden("6,6") == (6, 6)
    for text in ("", "  "):
        with pytest.raises(ValueError, match="write 0 for no hidden layer"):
            parse_hidden(text)
        with pytest.raises(ValueError, match="write 0 for no hidden layer"):
            Settings.parse(hidden=text)
    monkeypatch.setattr(cli.training, "train", lambda *a: pytest.fail("trained"))
    code = cli.main(["train", "--hidden", "", "--iterations", "5"])
    _, err = capsys.readouterr()
    assert code == 2 and err.count("\n") == 1 and "write 0 for no hidden layer" in err


ROWS = "x,y,kind\n1,2,a\n3,1,b\n,,\n2,2,a\n0,1,b\n , ,\n,,\n\n"


def test_rows_of_bare_commas_are_skipped_with_a_note():
    ds = data.parse_csv(ROWS, "f.csv")
    assert ds.n == 4 and ds.X.tolist() == [[1, 2], [3, 1], [2, 2], [0, 1]]
    assert ds.notes == ("f.csv: 3 rows of empty fields skipped (lines 4, 7 and 8)",)
    assert data.parse_csv("x,y,kind\n1,2,a\n3,1,b\n\n\n", "g.csv").notes == ()  # blank lines: nothing to say


def test_the_command_line_says_so(tmp_path, capsys):
    csv = tmp_path / "d.csv"
    csv.write_text(ROWS)
    model = tmp_path / "m.json"
    code = cli.main(["train", "--data", str(csv), "--hidden", "2", "--iterations", "3", "--quiet",
                     "--export", str(model)])
    _, err = capsys.readouterr()
    assert code == 0 and err == f"nnviz: note: {csv}: 3 rows of empty fields skipped (lines 4, 7 and 8)\n"
    code = cli.main(["predict", "--model", str(model), "--data", str(csv)])
    out, err = capsys.readouterr()
    assert code == 0 and len(out.splitlines()) == 5  # the header and the four rows
    assert err == f"nnviz: note: {csv}: 3 rows of empty fields skipped (lines 4, 7 and 8)\n"
