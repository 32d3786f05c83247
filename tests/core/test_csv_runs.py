"""Big CSV files (issue 26 item 3): the plain path reads the body in runs of lines, its numbers
straight into X; the cell-by-cell path converts the input columns a chunk of rows at a time;
both say how far they have read (``on_progress``).  The values are numpy.loadtxt's, and the
errors those of reading everything first."""

import numpy as np
import pytest

from nnviz.core import csv_reader as data  # the CSV reader (core.data re-exports its public names)
from nnviz.core import csv_plain  # the vectorised path: its constants are patched there
from nnviz.core import csv_rows  # the cell-by-cell path: its constants are patched there
from nnviz.core import fastcsv


@pytest.fixture(params=["numpy", "numba"])
def fast(request, monkeypatch):
    """Both ways of the plain path, in many runs of lines (a few hundred bytes each)."""
    if request.param == "numba":
        if not fastcsv.AVAILABLE:
            pytest.skip("numba is not installed")
        monkeypatch.setattr(csv_plain, "FASTCSV_FROM", 0)
    monkeypatch.setattr(csv_plain, "BLOCK_MIN", 256)
    return request.param


def write(path, rows: int = 3000, seed: int = 0, fmt: str = "%.6f", target: str = "float") -> np.ndarray:
    """x1..x4 and y, random, the numbers in ``fmt`` ("%r": Python's shortest repr, as pandas
    writes floats); returns the matrix written."""
    rng = np.random.default_rng(seed)
    M = rng.standard_normal((rows, 5)) * [1, 10, 1e-3, 1e4, 1]
    if target == "binary":
        M[:, 4] = M[:, 4] > 0
    with open(path, "w") as f:
        f.write("x1,x2,x3,x4,y\n")
        if fmt == "%r":
            f.write("".join(",".join([*map(repr, r[:4]), str(int(r[4])) if target == "binary" else repr(r[4])]) + "\n"
                            for r in M.tolist()))
        else:
            np.savetxt(f, M, fmt=[fmt] * 4 + ["%d" if target == "binary" else fmt], delimiter=",")
    return M


@pytest.mark.parametrize("fmt", ["%.6f", "%.17g", "%.3e", "%r"])
@pytest.mark.parametrize("target", ["float", "binary"])
def test_values_are_numpy_loadtxts(fast, tmp_path, fmt, target):
    p = tmp_path / "big.csv"
    write(p, fmt=fmt, target=target)
    ref = np.loadtxt(p, delimiter=",", skiprows=1)
    ds = data.load_csv(p)
    assert ds.X.tobytes() == np.ascontiguousarray(ref[:, :4]).tobytes()
    assert ds.T.tobytes() == np.ascontiguousarray(ref[:, 4:]).tobytes()
    assert ds.X.flags.c_contiguous and ds.T.flags.c_contiguous and ds.T.shape == (ref.shape[0], 1)
    assert ds.task == ("binary" if target == "binary" else "regression")


def test_runs_cover_the_body_whatever_their_size(fast, tmp_path, monkeypatch):
    p = tmp_path / "big.csv"
    write(p, rows=500)
    ref = np.loadtxt(p, delimiter=",", skiprows=1)
    for size in (1, 37, 2**16):  # a run of one line each; runs that end mid-line; one run
        monkeypatch.setattr(csv_plain, "BLOCK_MIN", size)
        ds = data.load_csv(p)
        assert ds.X.tobytes() == np.ascontiguousarray(ref[:, :4]).tobytes()
    p.write_bytes(p.read_bytes().rstrip(b"\n"))  # no newline at the end
    assert data.load_csv(p).X.tobytes() == np.ascontiguousarray(ref[:, :4]).tobytes()


def test_a_bad_line_in_a_later_run_is_found_and_worded(fast, tmp_path):
    p = tmp_path / "big.csv"
    write(p, rows=2000)
    lines = p.read_text().splitlines()
    lines[1500] += ",7"  # one field too many, far into the file
    p.write_text("\n".join(lines) + "\n")
    with pytest.raises(ValueError, match=r"big.csv: line 1501: 6 fields, the header has 5"):
        data.load_csv(p)
    lines[1500] = lines[1500].rsplit(",", 2)[0] + ",NA"
    p.write_text("\n".join(lines) + "\n")
    with pytest.raises(ValueError, match=r"big.csv: line 1501, column 'y': missing value"):
        data.load_csv(p)


def test_progress_rises_to_one_in_at_most_twenty_calls(fast, tmp_path):
    p = tmp_path / "big.csv"
    write(p, rows=5000)
    seen: list[float] = []
    ds = data.load_csv(p, on_progress=seen.append)
    assert ds.n == 5000
    assert 10 <= len(seen) <= 20 and seen[-1] == 1.0
    assert all(0 < a < b for a, b in zip(seen, seen[1:]))
    assert max(seen[:-1]) < 1.0


def test_progress_of_the_cell_by_cell_path(tmp_path, monkeypatch):
    """A quoted file goes cell by cell: progress by the text read, the same contract."""
    monkeypatch.setattr(csv_rows, "LINES_PIECE", 1000)
    p = tmp_path / "q.csv"
    M = write(p, rows=3000)
    p.write_text(p.read_text().replace("x1,", '"x1",', 1))
    seen: list[float] = []
    ds = data.load_csv(p, on_progress=seen.append)
    assert ds.X.shape == (3000, 4) and np.array_equal(ds.T[:, 0], np.loadtxt(p, delimiter=",", skiprows=1)[:, 4])
    assert 10 <= len(seen) <= 20 and seen[-1] == 1.0
    assert all(0 < a < b for a, b in zip(seen, seen[1:]))
    assert M.shape == (3000, 5)
    seen.clear()
    assert data.parse_csv("a,b\n1,2\n3,4\n", on_progress=seen.append).n == 2 and seen == [1.0]


def test_no_progress_to_one_after_an_error(tmp_path):
    p = tmp_path / "bad.csv"
    p.write_text("a,b\n1,2\n3\n")
    seen: list[float] = []
    with pytest.raises(ValueError, match="line 3: 1 fields"):
        data.load_csv(p, on_progress=seen.append)
    assert 1.0 not in seen


def test_chunks_of_the_cell_by_cell_path_keep_the_errors_order(monkeypatch):
    """The first bad input column is named (the columns in order), not the first bad cell met:
    as when every cell was read before any was checked, whatever chunk each is in."""
    monkeypatch.setattr(csv_rows, "ROWS_CHUNK", 4)
    rows = [f'"{i}",{i * 2},{i % 2}' for i in range(40)]
    rows[2] = '"2",oops,0'  # column b, chunk 1
    rows[30] = '"30",60,x'  # the target: text, so classes; checked after the inputs
    rows[25] = '"",50,1'  # column a, chunk 7
    text = "a,b,y\n" + "\n".join(rows) + "\n"
    with pytest.raises(ValueError, match=r"^f.csv: line 27, column 'a': missing value$"):
        data.parse_csv(text, "f.csv")
    rows[25] = '"25",50,1'
    with pytest.raises(ValueError, match=r"^f.csv: line 4, column 'b': 'oops' is not a finite number$"):
        data.parse_csv("a,b,y\n" + "\n".join(rows) + "\n", "f.csv")
    rows[2] = '"2",4,0'
    rows.append('"40",80')  # a short row after all: the field count is said before any value
    with pytest.raises(ValueError, match=r"^f.csv: line 42: 2 fields, the header has 3$"):
        data.parse_csv("a,b,y\n" + "\n".join(rows) + "\n", "f.csv")
    ds = data.parse_csv("a,b,y\n" + "\n".join(rows[:-1]) + "\n", "f.csv")  # "x" among 0 and 1: three classes
    assert ds.task == "classes" and ds.output_names == ("0", "1", "x") and ds.X[:, 1].tolist() == [
        2.0 * i for i in range(40)]


def test_the_cell_by_cell_path_equals_the_plain_one_in_chunks(fast, tmp_path, monkeypatch):
    monkeypatch.setattr(csv_rows, "ROWS_CHUNK", 7)
    monkeypatch.setattr(csv_rows, "LINES_PIECE", 50)
    p = tmp_path / "big.csv"
    write(p, rows=300, target="binary")
    plain = data.load_csv(p)
    text = p.read_text()
    rows = data._parse_rows(text, str(p), None, False)
    assert rows.X.tobytes() == plain.X.tobytes() and rows.T.tobytes() == plain.T.tobytes()
    assert (rows.task, rows.input_names, rows.output_names) == (plain.task, plain.input_names, plain.output_names)
    classes = data._parse_rows(text, str(p), None, True)
    assert classes.task == "classes" and classes.output_names == ("0", "1")
    assert np.array_equal(classes.T[:, 1], plain.T[:, 0])
