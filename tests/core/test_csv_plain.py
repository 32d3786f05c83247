"""The vectorised CSV path (csv_plain._parse_plain) gives exactly what the cell-by-cell path gives,
or steps aside (None) so that the cell-by-cell path decides and words the error."""

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

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


def _both(text, **kw):
    plain = data._parse_plain(text.encode("utf-8"), "f.csv", kw.get("target"), kw.get("classify", False))
    try:
        rows = data._parse_rows(text, "f.csv", kw.get("target"), kw.get("classify", False))
    except ValueError:
        rows = None
    return plain, rows


def _same(a, b):
    assert a.task == b.task and a.input_names == b.input_names and a.output_names == b.output_names
    assert a.target_columns == b.target_columns
    assert a.X.dtype == b.X.dtype == np.float64
    # bit for bit, signed zeros included
    assert a.X.tobytes() == b.X.tobytes() and a.T.tobytes() == b.T.tobytes()


NUMBER = st.one_of(
    st.floats(allow_nan=False, allow_infinity=False).map(repr),
    st.floats(-1e6, 1e6, allow_nan=False).map(lambda v: f"{v:.4f}"),
    st.floats(allow_nan=False, allow_infinity=False).map(lambda v: f"{v:.17e}"),
    st.integers(-10**20, 10**20).map(str),
    st.sampled_from(["-0", "0.0", "+5", ".5", "5.", "1e-320", "1E22", "1e23", "123456789012345.6", "1_000",
                     " 7", "8 ", "0001.5", "1e-5", "2.5E+3"]),
)


LABELS = st.sampled_from(["a", "b", "cé", "0", "1", "2.5", '"a"', '"b,c"', '"1"', '"x""y"'])  # quoted: numba takes some


@settings(max_examples=100, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(NUMBER, NUMBER, LABELS), min_size=1, max_size=30),
       st.sampled_from(["\n", "\r\n"]), st.booleans(), st.booleans())
def test_plain_path_equals_the_csv_module(fast, rows, end, classify, trailing):
    text = end.join(["x,y,label", *(",".join(r) for r in rows)]) + (end * 2 if trailing else "")
    plain, ref = _both(text, classify=classify)
    if plain is not None:
        assert ref is not None, "the plain path accepted a file the csv module refuses"
        _same(plain, ref)


@pytest.mark.parametrize("text", [
    "a,b,kind\n1,2,zeta\n3,4,alpha\n5,6,mid\n",
    "a,b\n1,0\n2,1\n",  # binary
    "a,y\n1,3\n2,1\n3,2\n4,10\n",  # regression
    "y1,a,y2,b\n1,2,3,4\n5,6,7,8\n",
    "a,b,c\r\n1,2,x\r\n3,4,y\r\n\r\n\r\n",
    "a,b,c\n-0,1e-320,x\n0.1,123456789.123456789,y",  # no final newline
])
def test_plain_path_takes_these_and_agrees(fast, text):
    target = "y1,y2" if text.startswith("y1") else None
    plain, ref = _both(text, target=target)
    assert plain is not None
    _same(plain, ref)


@pytest.mark.parametrize("text", [
    'a,b,c\n1,"2"x,x\n3,4,y\n',  # a quote the csv module reads otherwise: "2"x is 2x
    'a,b,c\n1,2,"x\ny"\n3,4,y\n',  # a line break in a quoted field
    'a,b,c\n1,2,"x""y"\n3,4,y\n',  # a quote in a quoted field
    'a,b,c\n1,2,x"y\n3,4,y\n',  # a quote inside a field
    'a,b,c\n1,2, "x"\n3,4,y\n',  # a blank before the quote: the quotes are the field's
    '"a,b,c\n1,2,x\n3,4,y\n',  # a quote the header does not close
    "a,b,c\n1,2,x\n\n3,4,y\n",  # a blank line inside
    "a,b,c\n1,NA,x\n3,4,y\n",
    "a,b,c\n1,,x\n3,4,y\n",
    "a,b,c\n1,inf,x\n3,4,y\n",
    "a,b,c\n1,2\n3,4,y\n",
    "a,b,c\r1,2,x\r3,4,y\r",
    "a,b,c\n1,2,x\n3,4,x\n",  # a single class
    "a,b,c\n1,2,NA\n3,4,y\n",
    "a,b,c\n1,2, x\n3,4,y\n",  # a label with a blank: the csv path strips it
    "1,2,3\n4,5,6\n",  # no header
    "a,a\n1,2\n",
])
def test_plain_path_steps_aside(fast, text):
    assert data._parse_plain(text.encode("utf-8"), "f.csv", None, False) is None


@pytest.mark.parametrize("text", [
    '"a","b","kind"\n1,2,"zeta"\n3,4,"alpha"\n5,6,"mid"\n',  # R's write.csv
    '"a,1",b,"y"\n"1",2,"0"\n3,"4.5","1"\n',  # a comma inside quotes, quoted numbers
    'a,b,kind\n1,2,"x,y"\n3,4,""\n',  # an empty quoted label: missing, the csv path words it
])
def test_simple_quotes_take_the_compiled_path_and_agree(fast, text):
    plain, ref = _both(text)
    if fast == "numpy" or '""' in text:
        assert plain is None  # NumPy alone leaves quotes to the csv path
    else:
        assert plain is not None
        _same(plain, ref)


def test_numeric_classes_and_underscores_agree(fast):
    text = "a,y\n1_000,3\n2,1\n3,2\n4,10\n"
    plain, ref = _both(text)
    _same(plain, ref)
    assert plain.X[0, 0] == 1000.0
    assert data._parse_plain(text.encode(), "f.csv", None, True) is None  # numeric classes: the csv path


def test_load_csv_latin1_and_bom(fast, tmp_path):
    p = tmp_path / "l.csv"
    p.write_bytes("a,b,esp\xe8ce\n1,2,x\n3,4,y\n".encode("latin-1"))
    assert data.load_csv(p).output_names == ("x", "y")
    p.write_bytes(b"\xef\xbb\xbfa,b,c\n1,2,x\n3,4,y\n")
    ds = data.load_csv(p)
    assert ds.input_names == ("a", "b") and ds.X.tolist() == [[1, 2], [3, 4]]


def test_fast_numbers_are_floats_values():
    """Up to 15 digits (Clinger), up to 19 (Eisel-Lemire): converted in the compiled code, with
    exactly float()'s value; more digits, subnormals, overflow: left to float()."""
    fields = ["5.1257", "-0.000123", "1e22", "123456789012345", "9007199254740993", "0.1", "2.5e-7", "-0",
              "3.141592653589793", "1e-22", "4.35", "17", ".5", "5.", "0.30000000000000004", "1e23",
              "-1.7976931348623157e308", "2.2250738585072014e-308", "9999999999999999999", "7.2057594037927933e16",
              "0e999", "0.12345678901234567", "1e-5", "8.98846567431158e307"]
    slow_fields = ["12345678901234567890", "4.9406564584124654e-324", "1e-320", "1.8e308", "1e400",
                   "0.10000000000000000000001", " 7", "1_000", "1e", "NA"]
    if not fastcsv.AVAILABLE:
        pytest.skip("numba is not installed")
    everything = fields + slow_fields
    raw = ",".join(everything).encode()
    buf = np.frombuffer(raw, dtype=np.uint8)
    ends = np.array([i for i, c in enumerate(raw) if c == ord(",")] + [len(raw)])
    starts = np.concatenate([[0], ends[:-1] + 1])
    out = np.full(len(everything), np.nan)
    slow = fastcsv.parse_numbers(buf, starts, ends, out)
    assert slow.tolist() == list(range(len(fields), len(everything)))
    for f, v in zip(fields, out, strict=False):
        assert v == float(f) and np.signbit(v) == np.signbit(float(f)), f


def test_seventeen_digit_numbers_are_floats_values():
    """Random doubles' reprs (as pandas writes them) over the whole range of exponents: the
    compiled conversion gives float()'s double bit for bit, and leaves only subnormals."""
    if not fastcsv.AVAILABLE:
        pytest.skip("numba is not installed")
    rng = np.random.default_rng(5)
    x = rng.integers(0, 2**64 - 1, 100_000, dtype=np.uint64, endpoint=True).view(np.float64)
    x = np.concatenate([x[np.isfinite(x)], rng.standard_normal(20_000), np.nextafter(1e23, [0, np.inf])])
    text = [repr(v) for v in x.tolist()] + [f"{v:.18e}" for v in x[:20_000].tolist()]
    raw = ",".join(text).encode()
    buf = np.frombuffer(raw, dtype=np.uint8)
    ends = np.flatnonzero(buf == ord(",")).tolist() + [len(raw)]
    starts = [0] + [e + 1 for e in ends[:-1]]
    out = np.full(len(text), np.nan)
    slow = fastcsv.parse_numbers(buf, np.array(starts), np.array(ends), out)
    ref = np.array([float(t) for t in text])
    fast = np.ones(len(text), dtype=bool)
    fast[slow] = False
    assert np.array_equal(out[fast].view(np.uint64), ref[fast].view(np.uint64))
    assert (np.abs(ref[~fast]) < 2.3e-308).all() and (~fast).sum() < 200  # subnormals (and zeros of them) only
