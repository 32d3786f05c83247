"""A missing value in a target column is an error naming its line and column, as in an input
(issue 24, item 4): one "NaN" among numbers must not turn the target into text classes."""

import pytest

from nnviz.core import csv_reader as data  # the CSV reader (core.data re-exports its public names)
from nnviz.core import csv_plain  # the vectorised path: its constants are patched there
from nnviz.core import fastcsv


@pytest.fixture(params=["numpy", "numba"])
def fast(request, monkeypatch):
    """Both ways of the plain path: NumPy alone, and numba's fastcsv (for every size)."""
    if request.param == "numba":
        if not fastcsv.AVAILABLE:
            pytest.skip("numba is not installed")
        monkeypatch.setattr(csv_plain, "FASTCSV_FROM", 0)
    return request.param


def numeric_csv(missing: str, quoted: bool = False) -> str:
    """30 rows of a numeric target, line 13 (the 12th data row) holding ``missing``."""
    rows = [f"{i},{i % 7},{1.5 * i + 0.25}" for i in range(30)]
    rows[11] = f"11,4,{missing}"
    head = '"a",b,y' if quoted else "a,b,y"  # a quote sends the file down the cell-by-cell path
    return head + "\n" + "\n".join(rows) + "\n"


@pytest.mark.parametrize("missing", ["NaN", "nan", "NA", "", " ", "na"])
@pytest.mark.parametrize("quoted", [False, True])
def test_a_missing_numeric_target_names_line_and_column(fast, missing, quoted):
    with pytest.raises(ValueError) as exc:
        data.parse_csv(numeric_csv(missing, quoted), "f.csv")
    assert str(exc.value) == "f.csv: line 13, column 'y': missing value"


@pytest.mark.parametrize("missing", ["NaN", "NA", ""])
def test_a_missing_class_label_is_an_error_too(fast, missing):
    rows = [f"{i},{i % 7},{'abc'[i % 3]}" for i in range(30)]
    rows[4] = f"4,4,{missing}"
    with pytest.raises(ValueError, match=r"f.csv: line 6, column 'c': missing target value"):
        data.parse_csv("a,b,c\n" + "\n".join(rows) + "\n", "f.csv")
    # numbers as classes (--classify) likewise
    with pytest.raises(ValueError, match=r"line 13, column 'y': missing target value"):
        data.parse_csv(numeric_csv(missing), "f.csv", classify=True)


def test_several_target_columns_each_checked(fast):
    text = "a,y1,y2\n" + "".join(f"{i},{i},{i * 2}\n" for i in range(10)) + "10,3,NaN\n"
    with pytest.raises(ValueError, match=r"line 12, column 'y2': missing value"):
        data.parse_csv(text, "f.csv", target="y1,y2")


def test_whole_numeric_target_stays_a_number(fast):
    ds = data.parse_csv(numeric_csv("2.5"), "f.csv")
    assert ds.task == "regression" and ds.output_names == ("y",)
