"""Property tests of the CSV reader (nnviz/core/data.py): any text or bytes either load as a
Dataset or raise nnviz's one-line ValueError; nothing else, and no warning."""

import os
import warnings

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nnviz.core import data as datamod

# deterministic in the suite; NNVIZ_PROPERTY_EXAMPLES=5000 explores afresh (a random seed per run)
DEEP = int(os.environ.get("NNVIZ_PROPERTY_EXAMPLES", "0"))
FAST = settings(max_examples=DEEP or 200, deadline=None, database=None, derandomize=not DEEP,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])

CELLS = st.one_of(
    st.sampled_from(["", " ", "NA", "na", "NaN", "nan", "inf", "-inf", "1e999", "-0", "0", "1", "0.5", "1_000",
                     "x", "setosa", '"a,b"', '"', "\x00", "\ufeff", "1e-320", "٣"]),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.integers(-10**30, 10**30).map(str),
    st.text(max_size=6),
)


NUMBERS = st.one_of(st.integers(-1000, 1000).map(str), st.floats(-1e6, 1e6).map(repr), st.sampled_from(["0", "1"]))


@st.composite
def csv_text(draw):
    """A CSV file with a header: mostly well-formed (numeric inputs, a class, 0/1 or numeric
    target), with a few cells, rows or line ends spoiled."""
    width = draw(st.integers(2, 5))
    header = draw(st.lists(st.sampled_from(["a", "b", "c", "x 1", "Sepal.Length", "y", "Species", "é"]),
                           min_size=width, max_size=width, unique=True))
    target = draw(st.sampled_from([st.sampled_from(["p", "q", "r"]), st.sampled_from(["0", "1"]), NUMBERS]))
    rows = draw(st.lists(st.tuples(st.lists(NUMBERS, min_size=width - 1, max_size=width - 1), target),
                         min_size=1, max_size=8))
    rows = [cells + [t] for cells, t in rows]
    for _ in range(draw(st.integers(0, 2))):  # spoil a cell, a row's length, or the header
        r = draw(st.integers(0, len(rows)))
        line = header if r == len(rows) else rows[r]
        how = draw(st.sampled_from(["cell", "drop", "add"]))
        if how == "cell":
            line[draw(st.integers(0, len(line) - 1))] = draw(CELLS)
        elif how == "drop" and line:
            line.pop()
        else:
            line.append(draw(CELLS))
    end = draw(st.sampled_from(["\n", "\r\n", "\r"]))
    return end.join(",".join(r) for r in [header, *rows]) + draw(st.sampled_from(["", end]))


def _loads_or_refuses(call):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            ds = call()
        except ValueError as exc:
            msg = str(exc)
            assert msg and "\n" not in msg, repr(msg)
            ds = None
    assert not caught, [str(w.message) for w in caught]
    if ds is not None:
        assert ds.X.ndim == 2 and ds.T.ndim == 2 and ds.X.shape[0] == ds.T.shape[0] > 0
        assert np.isfinite(ds.X).all() and np.isfinite(ds.T).all()
        assert len(ds.input_names) == ds.X.shape[1] and len(ds.output_names) == ds.T.shape[1]
    return ds


@FAST
@given(csv_text(), st.one_of(st.none(), st.sampled_from(["a", "b", "y", "a,b", "zz", " "])), st.booleans())
def test_parse_csv_loads_or_refuses(text, target, classify):
    _loads_or_refuses(lambda: datamod.parse_csv(text, "t.csv", target, classify))


@FAST
@given(st.text(max_size=300))
def test_parse_csv_on_any_text(text):
    _loads_or_refuses(lambda: datamod.parse_csv(text, "t.csv"))


@FAST
@given(st.one_of(st.binary(max_size=400), csv_text().map(lambda t: t.encode("utf-8", "surrogatepass")),
                 csv_text().map(lambda t: t.encode("latin-1", "replace"))))
def test_load_csv_on_any_bytes(tmp_path_factory, raw):
    path = tmp_path_factory.mktemp("csv") / "d.csv"
    path.write_bytes(raw)
    ds = _loads_or_refuses(lambda: datamod.load_csv(path))
    if ds is not None:
        assert ds.source == str(path)
